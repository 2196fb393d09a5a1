//! Spreadsheet reading: CSV and XLSX, column options, row-numbered errors.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fuzz;
mod hostile;
mod workbook;

use std::path::{Path, PathBuf};

use crosswalk_core::mapping::Relationship;
use crosswalk_sheets::{Column, SheetOptions, read};
use crosswalk_testkit::shared_data;

pub fn csv(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.csv");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

pub fn opts(from: &str, to: &str) -> SheetOptions {
    SheetOptions::new(from.parse().unwrap(), to.parse().unwrap())
}

#[test]
fn columns_by_name_letter_and_number() {
    assert_eq!("C".parse::<Column>(), Ok(Column::Index(2)));
    assert_eq!("AA".parse::<Column>(), Ok(Column::Index(26)));
    assert_eq!("3".parse::<Column>(), Ok(Column::Index(2)));
    assert_eq!(
        "to id".parse::<Column>(),
        Ok(Column::Header("to id".into()))
    );
    assert!("0".parse::<Column>().is_err());
}

#[test]
fn reads_csv_with_relationships_and_fill_down() {
    let (_d, path) =
        csv("Source,Target,Rel,Strength\nA.1,X-1,subset-of,7\n,X-2,,\nA.2,\"X-3, X-4\",equal,\n");
    let mut o = opts("source", "TARGET");
    o.relationship = Some("Rel".parse().unwrap());
    o.strength = Some("D".parse().unwrap());
    o.fill_down = true;
    o.split = Some(",".into());
    let rows = read(&path, "x.csv", &o).unwrap();
    let got: Vec<(usize, &str, &str, Relationship, Option<u8>)> = rows
        .iter()
        .map(|r| {
            (
                r.row,
                r.from.as_str(),
                r.to.as_str(),
                r.relationship,
                r.strength,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "A.1", "X-1", Relationship::Subset, Some(7)),
            (3, "A.1", "X-2", Relationship::Intersects, None),
            (4, "A.2", "X-3", Relationship::Equal, None),
            (4, "A.2", "X-4", Relationship::Equal, None),
        ]
    );
}

#[test]
fn errors_carry_row_numbers_and_nothing_is_returned() {
    let (_d, path) = csv("from,to,rel,strength\nA,B,sideways,\nC,D,,11\n,E,,\n");
    let mut o = opts("from", "to");
    o.relationship = Some("rel".parse().unwrap());
    o.strength = Some("strength".parse().unwrap());
    let errs: Vec<String> = read(&path, "x.csv", &o)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errs,
        vec![
            "x.csv: row 2: unknown relationship \"sideways\"",
            "x.csv: row 3: strength \"11\" is not a whole number from 1 to 10",
            "x.csv: row 4: the source cell is empty (use fill-down if it repeats the row above)",
        ]
    );
}

#[test]
fn unknown_column_names_the_headers() {
    let (_d, path) = csv("a,b\n1,2\n");
    let errs = read(&path, "x.csv", &opts("a", "zzz")).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "x.csv: row 1: no target column \"zzz\"; headers are \"a\", \"b\""
    );
}

#[test]
fn patterns_keep_only_matching_ids() {
    let (_d, path) =
        csv("sub,refs\nGV.OC-01: text,\"SP 800-53: AC-1\nISO 27001: A.5.1\nSP 800-53: PM-11\"\n");
    let mut o = opts("sub", "refs");
    o.split = Some("\n".into());
    o.from_pattern = Some(regex::Regex::new(r"^([A-Z]{2}\.[A-Z]{2}-\d{2})").unwrap());
    o.to_pattern = Some(regex::Regex::new(r"^SP 800-53: (.+)$").unwrap());
    let rows = read(&path, "x.csv", &o).unwrap();
    let pairs: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(pairs, vec![("GV.OC-01", "AC-1"), ("GV.OC-01", "PM-11")]);
}

/// NIST's OLIR 186 workbook (CSF 2.0 → SP 800-53): line breaks in headers, focal ids
/// written once per block, trailing newlines in ids.
#[test]
fn reads_nists_olir_workbook() {
    let Some(data) = shared_data("reads_nists_olir_workbook") else {
        return;
    };
    let path =
        data.join("nist/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx");
    let mut o = opts("Focal Document Element", "Reference Document Element");
    o.fill_down = true;
    o.default_relationship = Relationship::Related;
    let rows = read(&path, "olir.xlsx", &o).unwrap();
    assert!(rows.len() >= 700, "{} rows", rows.len());
    assert!(
        rows.iter()
            .all(|r| !r.from.contains('\n') && !r.to.contains('\n'))
    );
    assert!(
        rows.iter().any(|r| r.from == "GV.OC-01"),
        "{:?}",
        &rows[..3]
    );
}

/// NIST's CSF 2.0 reference tool export: informative references, several per cell.
#[test]
fn reads_csf2_reference_tool_export() {
    let Some(data) = shared_data("reads_csf2_reference_tool_export") else {
        return;
    };
    let path = data.join("nist/csf2.xlsx");
    let mut o = opts("Subcategory", "Informative References");
    o.sheet = Some("CSF 2.0".into());
    o.header_row = 2;
    o.skip_empty_source = true;
    o.split = Some("\n".into());
    o.from_pattern = Some(regex::Regex::new(r"^([A-Z]{2}\.[A-Z]{2}-\d{2})").unwrap());
    // "ISO/IEC 27001:2022: Annex A Controls: 5.9" or "... Mandatory Clause:  6.1,".
    o.to_pattern = Some(
        regex::Regex::new(
            r"^ISO/IEC 27001:2022: (?:Annex A Controls|Mandatory Clause):\s*(\d+(?:\.\d+)+)",
        )
        .unwrap(),
    );
    let rows = read(&path, "csf2.xlsx", &o);
    let rows = match rows {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    };
    assert!(rows.len() > 100, "{} rows", rows.len());
    assert!(
        rows.iter()
            .all(|r| r.from.len() == 8 && r.to.starts_with(|c: char| c.is_ascii_digit())),
        "{:?}",
        &rows[..5]
    );
    assert!(Path::new(&path).exists());
}
