//! The PDF report read back with a PDF text extractor (`pdf-extract`): Unicode text comes
//! back as written, table cells wrap instead of being cut, long tables go on over pages
//! under their header, and the output is small and deterministic.

use crosswalk_report::doc::Block;
use crosswalk_report::pdf::render;

const NAMES: &str = "Łódź Müller Ωmega Иван";

fn pages(pdf: &[u8]) -> Vec<String> {
    assert!(pdf.starts_with(b"%PDF-"), "a PDF header");
    assert!(
        String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(16)..])
            .trim_end()
            .ends_with("%%EOF")
    );
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("the PDF parses and its text extracts")
}

/// Text without any whitespace, to compare wrapped text with what was written.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn table(headers: &[&str], widths: &[f32], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        widths: widths.to_vec(),
        rows,
    }
}

#[test]
fn latin_greek_and_cyrillic_text_reads_back_exactly() {
    let blocks = vec![
        Block::Title(NAMES.into()),
        Block::Para(format!("Prepared for {NAMES}.")),
        table(
            &["Person", "Score #"],
            &[3.0, 1.0],
            vec![vec![NAMES.into(), "7".into()]],
        ),
        Block::Bullets(vec![format!("Ask {NAMES} — “quotes”, 5 ≥ 3, € 10 …")]),
    ];
    let pdf = render("Gap report: Ωmega", &blocks);
    let text = pages(&pdf).concat();
    assert!(
        text.matches(NAMES).count() >= 4,
        "title, paragraph, table cell and bullet read back: {text}"
    );
    assert!(text.contains("“quotes”, 5 ≥ 3, € 10 …"), "{text}");
    assert!(text.contains("Gap report: Ωmega — page 1 of 1"), "{text}");
    assert!(!text.contains('?') && !text.contains('\u{fffd}'), "{text}");
    // The fonts are embedded as subsets, so the file stays small.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/FontFile2") && raw.contains("/ToUnicode"));
    assert!(raw.contains("+DejaVuSans") && raw.contains("/CIDFontType2"));
    assert!(pdf.len() < 40_000, "{} bytes", pdf.len());
}

#[test]
fn table_cells_wrap_and_nothing_is_cut() {
    let long: String = "Evidence of quarterly access reviews for every production system, \
        signed off by each system owner and kept for three years, with exceptions tracked to \
        closure in the ticketing system and reported to the security committee"
        .into();
    assert!(long.len() >= 200, "{}", long.len());
    let id = "iso27001-2022:A.5.15-access-control-for-privileged-service-accounts";
    let token = "x".repeat(150);
    let rows = vec![
        vec![
            id.to_owned(),
            long.clone(),
            "partially-compliant".into(),
            "3".into(),
        ],
        vec![
            "soc2-2017:CC6.1".into(),
            token.clone(),
            "ok".into(),
            "1".into(),
        ],
    ];
    let pdf = render(
        "Cells",
        &[table(
            &["Requirement", "Evidence", "Result", "Frameworks #"],
            &[1.0, 2.0, 0.7, 0.5],
            rows,
        )],
    );
    let text = pages(&pdf).concat();
    assert!(!text.contains('…'), "{text}");
    let flat = squeeze(&text);
    for whole in [id, &long, &token, "partially-compliant", "soc2-2017:CC6.1"] {
        assert!(flat.contains(&squeeze(whole)), "{whole} in {text}");
    }
    // The id was too long for its column, so it broke after its `:` first.
    assert!(text.contains("iso27001-2022:\n"), "{text}");
}

fn requirement_rows(n: usize) -> Vec<Vec<String>> {
    (1..=n)
        .map(|i| {
            vec![
                format!("REQ-{i:04}"),
                format!("Requirement number {i} with a title long enough to wrap onto a second line in its column"),
                "non-compliant".into(),
            ]
        })
        .collect()
}

#[test]
fn long_tables_go_on_over_pages_under_their_header() {
    let render_rows = |n| {
        render(
            "Long",
            &[
                Block::Title("Long table".into()),
                table(
                    &["Requirement", "Title", "Result"],
                    &[1.0, 2.0, 1.0],
                    requirement_rows(n),
                ),
            ],
        )
    };
    let short = pages(&render_rows(60));
    let long = pages(&render_rows(200));
    assert!(short.len() >= 2, "{}", short.len());
    assert!(
        long.len() > short.len() + 2,
        "{} vs {}",
        long.len(),
        short.len()
    );
    for (i, page) in long.iter().enumerate() {
        assert!(
            page.contains("Requirement") && page.contains("Title") && page.contains("Result"),
            "the header on page {}: {page}",
            i + 1
        );
        assert!(page.contains(&format!("page {} of {}", i + 1, long.len())));
    }
    let all = long.concat();
    for i in 1..=200 {
        let id = format!("REQ-{i:04}");
        assert_eq!(all.matches(&id).count(), 1, "{id} once");
    }
    // No row is split across pages: every row's title is whole on one page.
    for i in [1, 57, 120, 200] {
        let words = format!("Requirement number {i} with");
        assert!(long.iter().any(|p| p.contains(&words)), "{words}");
    }
}

#[test]
fn a_row_taller_than_a_page_goes_on_over_pages() {
    let huge: String = (0..1500).map(|i| format!("word{i} ")).collect();
    let pdf = render(
        "Huge",
        &[table(
            &["Id", "Text"],
            &[1.0, 3.0],
            vec![
                vec!["ID-1".into(), huge.clone()],
                vec!["ID-2".into(), "after".into()],
            ],
        )],
    );
    let pages = pages(&pdf);
    assert!(pages.len() >= 3, "{}", pages.len());
    assert!(
        pages.iter().all(|p| p.contains("Text")),
        "the header on every page"
    );
    let words: Vec<String> = pages
        .concat()
        .split_whitespace()
        .filter(|w| w.starts_with("word"))
        .map(str::to_owned)
        .collect();
    let written: Vec<&str> = huge.split_whitespace().collect();
    assert_eq!(words, written, "every word once, in order");
    assert!(
        pages
            .last()
            .is_some_and(|p| p.contains("ID-2") && p.contains("after"))
    );
}

#[test]
fn the_same_blocks_give_the_same_bytes() {
    let blocks = vec![
        Block::Title(NAMES.into()),
        Block::Bars(vec![("soc2-2017".into(), 0.75), (NAMES.into(), 0.2)]),
        table(
            &["A", "B %"],
            &[1.0, 1.0],
            vec![vec!["x".into(), "50%".into()]],
        ),
    ];
    let a = render("T", &blocks);
    assert_eq!(a, render("T", &blocks));
    let text = pages(&a).concat();
    assert!(text.contains("soc2-2017") && text.contains("75%") && text.contains(NAMES));
}

#[test]
fn ragged_tables_and_odd_widths_lose_no_cell() {
    let pdf = render(
        "Ragged",
        &[table(
            &["One"],
            &[0.0, f32::NAN],
            vec![
                vec!["alpha".into(), "beta".into(), "gamma".into()],
                vec!["tab\there".into(), "line\nbreak".into()],
                vec![],
            ],
        )],
    );
    let text = pages(&pdf).concat();
    for word in [
        "One", "alpha", "beta", "gamma", "tab", "here", "line", "break",
    ] {
        assert!(text.contains(word), "{word} in {text}");
    }
}

mod fuzz {
    //! Any blocks, however odd their text or widths, render to a PDF that parses.

    use proptest::prelude::*;

    use super::{Block, pages, render};

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 :.\\-]{0,60}",
            "\\PC{0,40}",
            "[a-z:.\\-]{80,200}",
        ]
    }

    fn block() -> impl Strategy<Value = Block> {
        prop_oneof![
            text().prop_map(Block::Title),
            text().prop_map(Block::Para),
            prop::collection::vec(text(), 0..4).prop_map(Block::Bullets),
            (
                prop::collection::vec(text(), 0..5),
                prop::collection::vec(-1.0f32..5.0, 0..5),
                prop::collection::vec(prop::collection::vec(text(), 0..6), 0..12),
            )
                .prop_map(|(headers, widths, rows)| Block::Table {
                    headers,
                    widths,
                    rows
                }),
            prop::collection::vec((text(), -1.0f64..2.0), 0..4).prop_map(Block::Bars),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_blocks_render_to_a_pdf_that_parses(
            title in text(),
            blocks in prop::collection::vec(block(), 0..6),
        ) {
            let pdf = render(&title, &blocks);
            prop_assert!(!pages(&pdf).is_empty());
        }
    }
}
