//! Bounded fuzzing of the spreadsheet readers: a small valid CSV and XLSX, randomly
//! mutated (byte flips, truncation, duplicated and deleted slices, inserted tokens and
//! nesting, cell references pushed far out), must read or fail with an error naming the
//! file, never panic.

use std::path::Path;

use crosswalk_sheets::{SheetOptions, read, read_table};
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

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Duplicate(usize, usize, usize),
    Delete(usize, usize),
    Insert(usize, usize),
    Nest(usize, usize),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        2 => (any::<usize>(), 0..400usize, any::<usize>())
            .prop_map(|(i, n, at)| Mutation::Duplicate(i, n, at)),
        1 => (any::<usize>(), 0..200usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(at, t)| Mutation::Insert(at, t)),
        1 => (any::<usize>(), 1..2_000usize).prop_map(|(at, n)| Mutation::Nest(at, n)),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for m in mutations {
        let len = b.len().max(1);
        match *m {
            Mutation::Flip(i, x) if !b.is_empty() => b[i % len] ^= x,
            Mutation::Truncate(i) => b.truncate(i % len),
            Mutation::Duplicate(i, n, at) if !b.is_empty() => {
                let start = i % len;
                let end = (start + n).min(b.len());
                let slice = b[start..end].to_vec();
                let at = at % (b.len() + 1);
                b.splice(at..at, slice);
            }
            Mutation::Delete(i, n) if !b.is_empty() => {
                let start = i % len;
                let end = (start + n).min(b.len());
                b.drain(start..end);
            }
            Mutation::Insert(at, t) => {
                let at = at % (b.len() + 1);
                b.splice(at..at, TOKENS[t % TOKENS.len()].bytes());
            }
            Mutation::Nest(at, n) => {
                let at = at % (b.len() + 1);
                let deep = format!("{}{}", "<is>".repeat(n), "</is>".repeat(n));
                b.splice(at..at, deep.bytes());
            }
            Mutation::Swap(x, y) => {
                let text = String::from_utf8_lossy(&b).replace(
                    &format!("\"{}\"", REFS[x % REFS.len()]),
                    &format!("\"{}\"", REFS[y % REFS.len()]),
                );
                b = text.into_bytes();
            }
            _ => {}
        }
    }
    b
}

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
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_csv_reads_or_fails_cleanly(mutations in prop::collection::vec(mutation(), 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, apply(CSV.as_bytes(), &mutations)).unwrap();
        check(&p, "x.csv")?;
    }

    /// The sheet's or shared strings' XML mutated inside a well-formed archive.
    #[test]
    fn mutated_sheet_xml_reads_or_fails_cleanly(
        shared in any::<bool>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let (sheet_text, sst) = if shared {
            (sheet(), String::from_utf8_lossy(&apply(SST.as_bytes(), &mutations)).into_owned())
        } else {
            (String::from_utf8_lossy(&apply(sheet().as_bytes(), &mutations)).into_owned(), SST.to_owned())
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        std::fs::write(&p, zip(&parts(&sheet_text, Some(&sst)))).unwrap();
        check(&p, "x.xlsx")?;
    }

    /// The archive's bytes mutated.
    #[test]
    fn mutated_xlsx_archives_read_or_fail_cleanly(mutations in prop::collection::vec(mutation(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        std::fs::write(&p, apply(&zip(&parts(&sheet(), Some(SST))), &mutations)).unwrap();
        check(&p, "x.xlsx")?;
    }
}
