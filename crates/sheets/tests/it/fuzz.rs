//! Bounded fuzzing of the spreadsheet readers: a small valid CSV and XLSX, randomly
//! mutated (byte flips, truncation, duplicated and deleted slices, inserted tokens and
//! nesting, cell references pushed far out), must read or fail with an error naming the
//! file, never panic.

use std::path::Path;

use crosswalk_sheets::{SheetOptions, read, read_table};
use crosswalk_testkit::fuzz::{Mix, Mutator, config};
use proptest::prelude::*;

use super::workbook::{cell, parts, sheet_xml, zip};

const CSV: &str = "Source,Target,Relationship,Strength,Note\r\nA.1,X-1,subset-of,7,first\r\n,X-2,,,\r\nA.2,\"X-3, X-4\",equal,,\"multi\nline\"\r\n\r\nA.3,X-5,intersects,11,\r\n";

fn sheet() -> String {
    let rows = [
        ["Source", "Target", "Relationship", "Strength", "Note"],
        ["A.1", "X-1", "subset-of", "7", "first"],
        ["", "X-2", "", "", ""],
        ["A.2", "X-3, X-4", "equal", "", "x &amp; y"],
        ["A.3", "X-5", "intersects", "11", ""],
    ];
    let mut xml = String::new();
    for (r, cells) in rows.iter().enumerate() {
        xml.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                let at = format!("{}{}", ["A", "B", "C", "D", "E"][c], r + 1);
                if c == 3 {
                    xml.push_str(&format!("<c r=\"{at}\"><v>{text}</v></c>"));
                } else if r == 0 && c == 0 {
                    xml.push_str(&format!("<c r=\"{at}\" t=\"s\"><v>0</v></c>"));
                } else {
                    xml.push_str(&cell(&at, text));
                }
            }
        }
        xml.push_str("</row>");
    }
    sheet_xml(Some("A1:E5"), &xml)
}

const SST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Source</t></si></sst>"#;

const TOKENS: &[&str] = &[
    ",",
    "\"",
    "\r\n",
    "\n",
    "\r",
    "\u{0}",
    "é",
    "\u{feff}",
    "<",
    ">",
    "</row>",
    "<row>",
    "<c r=\"XFD1048576\"><v>1</v></c>",
    "<c r=\"A1048576\" t=\"inlineStr\"><is><t>x</t></is></c>",
    "<c r=\"A99999999999\"><v>1</v></c>",
    "<c r=\"ZZZZZZZZZZ1\"><v>1</v></c>",
    "<c t=\"s\"><v>99</v></c>",
    "<c t=\"s\"><v>-1</v></c>",
    "<c t=\"e\"><v>#N/A</v></c>",
    "<c t=\"b\"><v>2</v></c>",
    "<c t=\"d\"><v>not a date</v></c>",
    "<v>1e999</v>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "<row r=\"4294967295\">",
    "<row r=\"0\">",
    "&#0;",
    "&bogus;",
    "<![CDATA[x]]>",
];

const REFS: &[&str] = &[
    "A1", "B2", "E5", "XFD1", "A1048576", "ALM3", "A0", "AAAA1", "",
];

const MUTATOR: Mutator = Mutator {
    tokens: &[TOKENS],
    nests: &[("<is>", "</is>")],
    names: REFS,
    mix: Mix {
        flip: 2,
        duplicate: 2,
        insert: 3,
        swap: 3,
        duplicate_len: 0..400,
        ..Mix::EVEN
    },
};

fn options() -> SheetOptions {
    let mut o = SheetOptions::new("source".parse().unwrap(), "target".parse().unwrap());
    o.relationship = Some("Relationship".parse().unwrap());
    o.strength = Some("D".parse().unwrap());
    o.note = Some("5".parse().unwrap());
    o.fill_down = true;
    o.split = Some(",".into());
    o
}

/// Reads a file both ways; every error must name it.
fn check(path: &Path, name: &str) -> Result<(), TestCaseError> {
    if let Err(errs) = read(path, name, &options()) {
        prop_assert!(!errs.is_empty());
        for e in errs {
            prop_assert_eq!(&e.file, name);
        }
    }
    if let Err(e) = read_table(path, name, None, 1) {
        prop_assert_eq!(&e.file, name);
    }
    Ok(())
}

#[test]
fn the_seeds_read() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(&csv, CSV).unwrap();
    let xlsx = dir.path().join("x.xlsx");
    std::fs::write(&xlsx, zip(&parts(&sheet(), Some(SST)))).unwrap();
    for (p, name) in [(csv, "x.csv"), (xlsx, "x.xlsx")] {
        let errs = read(&p, name, &options()).unwrap_err();
        // Only the strength of 11 on the last row is wrong.
        assert_eq!(errs.len(), 1, "{name}: {errs:?}");
        assert!(
            errs[0].message.contains("strength \"11\""),
            "{name}: {errs:?}"
        );
        assert_eq!(
            read_table(&p, name, None, 1).unwrap().rows.len(),
            4,
            "{name}"
        );
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_csv_reads_or_fails_cleanly(mutations in MUTATOR.mutations(1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, MUTATOR.apply(CSV.as_bytes(), &mutations)).unwrap();
        check(&p, "x.csv")?;
    }

    /// The sheet's or shared strings' XML mutated inside a well-formed archive.
    #[test]
    fn mutated_sheet_xml_reads_or_fails_cleanly(
        shared in any::<bool>(),
        mutations in MUTATOR.mutations(1..6),
    ) {
        let (sheet_text, sst) = if shared {
            (sheet(), MUTATOR.apply_str(SST, &mutations))
        } else {
            (MUTATOR.apply_str(&sheet(), &mutations), SST.to_owned())
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        std::fs::write(&p, zip(&parts(&sheet_text, Some(&sst)))).unwrap();
        check(&p, "x.xlsx")?;
    }

    /// The archive's bytes mutated.
    #[test]
    fn mutated_xlsx_archives_read_or_fail_cleanly(mutations in MUTATOR.mutations(1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        std::fs::write(&p, MUTATOR.apply(&zip(&parts(&sheet(), Some(SST))), &mutations)).unwrap();
        check(&p, "x.xlsx")?;
    }
}
