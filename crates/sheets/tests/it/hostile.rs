//! Hostile spreadsheets found by fuzzing, kept as regressions: each is refused with an
//! error naming the file (and sheet, cell or row), never a crash, a hang or an
//! allocation the size of what the file merely declares.

use std::path::Path;

use crosswalk_sheets::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS, SheetError, read, read_table};
use crosswalk_testkit::hostile::{bounded, fifo, sparse_file, write};

use super::workbook::{cell, declare_size, parts, row, sheet_xml, xlsx, zip};
use super::{csv, opts};

/// The one error reading `bytes` as `x.xlsx` gives, through both readers.
fn xlsx_error(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.xlsx", bytes);
    let table = bounded({
        let p = p.clone();
        move || read_table(&p, "x.xlsx", None, 1)
    })
    .unwrap_err();
    let rows = bounded(move || read(&p, "x.xlsx", &opts("A", "B"))).unwrap_err();
    assert_eq!(rows, vec![table.clone()]);
    table.to_string()
}

fn header_and_rows() -> String {
    row(1, &[("A1", "Source"), ("B1", "Target")]) + &row(2, &[("A2", "A.1"), ("B2", "X-1")])
}

#[test]
fn a_hand_made_workbook_reads() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "x.xlsx",
        &xlsx(&sheet_xml(None, &header_and_rows()), None),
    );
    let rows = read(&p, "x.xlsx", &opts("source", "target")).unwrap();
    assert_eq!(
        (rows[0].row, rows[0].from.as_str(), rows[0].to.as_str()),
        (2, "A.1", "X-1")
    );
}

#[test]
fn declared_dimensions_are_not_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = sheet_xml(Some("A1:XFD1048576"), &header_and_rows());
    let p = write(dir.path(), "x.xlsx", &xlsx(&sheet, None));
    let table = bounded(move || read_table(&p, "x.xlsx", None, 1).unwrap());
    assert_eq!(table.headers, ["Source", "Target"]);
    assert_eq!(
        table.rows,
        vec![(2, vec!["A.1".to_owned(), "X-1".to_owned()])]
    );
}

#[test]
fn cells_far_out_are_refused_with_sheet_and_cell() {
    let far_row = format!("{}", MAX_ROWS + 1);
    for (at, want) in [
        (
            "XFD1048576".to_owned(),
            "x.xlsx: sheet \"Sheet1\": cell XFD1048576 is past row 1000000, the last row read",
        ),
        (
            "A1048576".to_owned(),
            "x.xlsx: sheet \"Sheet1\": cell A1048576 is past row 1000000, the last row read",
        ),
        (
            format!("A{far_row}"),
            "x.xlsx: sheet \"Sheet1\": cell A1000001 is past row 1000000, the last row read",
        ),
        (
            "XFD1".to_owned(),
            "x.xlsx: sheet \"Sheet1\": cell XFD1 is past column ALL (1000), the last column read",
        ),
        (
            "ALM1".to_owned(),
            "x.xlsx: sheet \"Sheet1\": cell ALM1 is past column ALL (1000), the last column read",
        ),
    ] {
        let r: u64 = at.trim_start_matches(char::is_alphabetic).parse().unwrap();
        let rows = header_and_rows() + &format!(r#"<row r="{r}">{}</row>"#, cell(&at, "x"));
        let err = xlsx_error(&xlsx(&sheet_xml(None, &rows), None));
        assert_eq!(err, want);
    }
    // The last row and column are read.
    let dir = tempfile::tempdir().unwrap();
    let rows = header_and_rows() + &row(MAX_ROWS as u64, &[(&format!("ALL{MAX_ROWS}"), "far")]);
    let p = write(dir.path(), "x.xlsx", &xlsx(&sheet_xml(None, &rows), None));
    let table = bounded(move || read_table(&p, "x.xlsx", None, 1).unwrap());
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[1].0, MAX_ROWS);
    assert_eq!(table.rows[1].1.len(), MAX_COLUMNS);
    assert_eq!(table.rows[1].1[MAX_COLUMNS - 1], "far");
}

#[test]
fn absurd_cell_references_are_errors() {
    // Beyond what 32 bits hold: calamine's arithmetic overflows (a panic in debug builds,
    // caught; a wrapped number in release builds, refused as out of range).
    for at in ["A99999999999", "ZZZZZZZZ1", "A4294967295"] {
        let rows = header_and_rows() + &format!("<row>{}</row>", cell(at, "x"));
        let err = xlsx_error(&xlsx(&sheet_xml(None, &rows), None));
        assert!(
            err.starts_with("x.xlsx: ") && (err.contains("past") || err.contains("not a readable")),
            "{at}: {err}"
        );
    }
}

#[test]
fn too_many_cells_are_refused() {
    // 10,001 rows each reaching column ALL: small on disk, 10 million cells laid out.
    let n = MAX_CELLS / MAX_COLUMNS + 1;
    let mut rows = String::new();
    for r in 1..=n {
        rows.push_str(&row(
            r as u64,
            &[(&format!("A{r}"), "a"), (&format!("ALL{r}"), "b")],
        ));
    }
    let err = xlsx_error(&xlsx(&sheet_xml(None, &rows), None));
    assert_eq!(
        err,
        format!(
            "x.xlsx: sheet \"Sheet1\" spans {n} rows by 1000 columns, over the limit of 10000000 cells"
        )
    );
}

#[test]
fn a_shared_string_count_too_large_to_reserve_is_refused() {
    for count in ["99999999999999", "4000000000", "999999999999999999999999"] {
        let sst = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><!-- <sst uniqueCount="1"> --><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" a='>' uniqueCount="{count}"><si><t>Source</t></si></sst>"#
        );
        let err = xlsx_error(&xlsx(&sheet_xml(None, &header_and_rows()), Some(&sst)));
        assert!(
            err.starts_with("x.xlsx: the shared-strings part declares ")
                && err.contains("strings, more than it can hold"),
            "{err}"
        );
    }
    // An honest count is fine.
    let sst = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Source</t></si></sst>"#;
    let sheet = sheet_xml(
        None,
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Target</t></is></c></row>"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.xlsx", &xlsx(&sheet, Some(sst)));
    assert_eq!(
        read_table(&p, "x.xlsx", None, 1).unwrap().headers,
        ["Source", "Target"]
    );
}

#[test]
fn zip_bombs_are_refused_before_expanding() {
    let sheet = "xl/worksheets/sheet1.xml";
    // A part declaring 300 MiB (as a highly compressed sheet would).
    let bomb = declare_size(
        xlsx(&sheet_xml(None, &header_and_rows()), None),
        sheet,
        300 << 20,
    );
    assert_eq!(
        xlsx_error(&bomb),
        "x.xlsx: part `xl/worksheets/sheet1.xml` expands to 300 MiB, over the 256 MiB limit for one part of a workbook"
    );
    // Parts each under the limit, together over it.
    let mut p = parts(&sheet_xml(None, &header_and_rows()), None);
    p.push(("xl/media/a.bin", "a".into()));
    p.push(("xl/media/b.bin", "b".into()));
    let mut bytes = zip(&p);
    for name in ["xl/media/a.bin", "xl/media/b.bin"] {
        bytes = declare_size(bytes, name, 200 << 20);
    }
    bytes = declare_size(bytes, sheet, 200 << 20);
    assert_eq!(
        xlsx_error(&bytes),
        "x.xlsx: the workbook expands to more than 512 MiB, the limit for a workbook"
    );
    // A part that expands past the size it declares is cut off there.
    let liar = declare_size(xlsx(&sheet_xml(None, &header_and_rows()), None), sheet, 10);
    let err = xlsx_error(&liar);
    assert!(err.starts_with("x.xlsx: "), "{err}");
}

/// A real (small) zip bomb: a sheet of 16 MiB of blank space compressed to a few KiB
/// (deflate compresses runs about 1000:1). Under the part limit it is streamed: reading
/// it takes time in proportion but no memory, and gives the sheet's few cells. (Over the
/// limit it is refused unread, as above.)
#[test]
fn a_highly_compressed_sheet_is_streamed_in_bounded_memory() {
    use std::io::Write;
    let padding = " ".repeat(1 << 20);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts("", None) {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        if name.ends_with("sheet1.xml") {
            let xml = sheet_xml(None, &header_and_rows());
            let (head, tail) = xml.split_at(xml.find("</sheetData>").unwrap());
            w.write_all(head.as_bytes()).unwrap();
            for _ in 0..16 {
                w.write_all(padding.as_bytes()).unwrap();
            }
            w.write_all(tail.as_bytes()).unwrap();
        } else {
            w.write_all(text.as_bytes()).unwrap();
        }
    }
    let bytes = w.finish().unwrap().into_inner();
    assert!(bytes.len() < 256 << 10, "{} bytes", bytes.len());
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.xlsx", &bytes);
    let table = bounded(move || read_table(&p, "x.xlsx", None, 1).unwrap());
    assert_eq!(table.rows.len(), 1);
}

#[test]
fn legacy_and_opendocument_workbooks_are_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["xls", "xlsb", "ods"] {
        let name = format!("x.{ext}");
        let p = write(dir.path(), &name, b"whatever");
        let err = read_table(&p, &name, None, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{name}: `.{ext}` workbooks are not read (they cannot be read with bounded memory); save the sheet as .xlsx or .csv"
            )
        );
    }
}

#[test]
fn special_files_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["pipe.csv", "pipe.xlsx"] {
        let pipe = fifo(dir.path(), name);
        let err = bounded(move || read_table(&pipe, name, None, 1).unwrap_err());
        assert_eq!(
            err,
            SheetError {
                file: name.into(),
                row: None,
                message: "not a regular file (a named pipe)".into()
            }
        );
    }
    let err = bounded(|| read(Path::new("/dev/zero"), "zero.csv", &opts("A", "B")).unwrap_err());
    assert_eq!(
        err[0].to_string(),
        "zero.csv: not a regular file (a character device)"
    );
    let d = dir.path().to_owned();
    let err = bounded(move || read_table(&d, "dir.csv", None, 1).unwrap_err());
    assert_eq!(err.to_string(), "dir.csv: not a regular file (a directory)");
    let big = dir.path().join("big.csv");
    sparse_file(&big, 65 << 20);
    let err = read_table(&big, "big.csv", None, 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "big.csv: the file is 65 MiB, over the 64 MiB limit for spreadsheets"
    );
}

/// Row numbers are the 1-based line a record starts on, whatever the line ends, blank
/// lines and quoted line breaks.
#[test]
fn csv_row_numbers_are_physical_lines() {
    for (text, want) in [
        ("from,to,rel\nA,B,\n\nC,D,sideways\n", 4),
        ("from,to,rel\r\nA,B,\r\n\r\nC,D,sideways\r\n", 4),
        ("from,to,rel\rA,B,\r\rC,D,sideways\r", 4),
        ("from,to,rel\r\n\"A\r\nA\",B,\r\nC,D,sideways\r\n", 4),
        ("from,to,rel\nA,\"B\n\nB\",\nC,D,sideways", 5),
    ] {
        let (_d, path) = csv(text);
        let mut o = opts("from", "to");
        o.relationship = Some("rel".parse().unwrap());
        let errs = read(&path, "x.csv", &o).unwrap_err();
        assert_eq!(
            errs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [format!(
                "x.csv: row {want}: unknown relationship \"sideways\""
            )],
            "{text:?}"
        );
    }
    // A bad record is located too (here: not UTF-8, on line 3).
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.csv", b"from,to\r\nA,B\r\nC,\xff\r\n");
    let err = read_table(&p, "x.csv", None, 1).unwrap_err();
    assert_eq!(err.row, Some(3), "{err}");
}

#[test]
fn csv_columns_and_rows_are_capped() {
    let wide = format!("a,b\n{}\n", "x,".repeat(MAX_COLUMNS));
    let (_d, path) = csv(&wide);
    let err = read_table(&path, "x.csv", None, 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "x.csv: row 2: 1001 columns, more than the 1000 read"
    );
    let long = format!("a,b\n{}", "x\n".repeat(MAX_ROWS));
    let (_d, path) = csv(&long);
    let err = read_table(&path, "x.csv", None, 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "x.csv: row {}: more than {MAX_ROWS} rows, the most read",
            MAX_ROWS + 1
        )
    );
}
