//! XLSX reading with bounded memory.
//!
//! calamine's `worksheet_range` builds a dense grid spanning the first to the last used
//! cell, so one cell at `XFD1048576` asks for 17 billion cells and the allocation aborts
//! the process. Here the archive is checked first (what each part expands to, and the
//! shared-string count calamine reserves room for up front), then the sheet's cells are
//! streamed into a sparse list under row, column and cell limits, and only then laid out.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::{Grid, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_XLSX_EXPANDED, MAX_XLSX_PART, cell_text};

/// Column letters of a 0-based column index: 0 → `A`, 26 → `AA`.
pub(crate) fn column_name(mut col: u64) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + u8::try_from(col % 26).unwrap_or(0));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Refuses an archive whose parts would expand past the limits, or whose shared-strings
/// part declares more strings than it can hold (calamine reserves memory for that many
/// before reading any). Declared sizes can be trusted: the zip reader stops a part that
/// expands past its declared size.
fn check_archive(bytes: &[u8]) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let mut total: u64 = 0;
    let mut shared_strings = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| format!("not a readable spreadsheet: {e}"))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let size = entry.size();
        if size > MAX_XLSX_PART {
            return Err(format!(
                "part `{name}` expands to {}, over the {} limit for one part of a workbook",
                crosswalk_format::input::human(size),
                crosswalk_format::input::human(MAX_XLSX_PART)
            ));
        }
        total = total.saturating_add(size);
        if total > MAX_XLSX_EXPANDED {
            return Err(format!(
                "the workbook expands to more than {}, the limit for a workbook",
                crosswalk_format::input::human(MAX_XLSX_EXPANDED)
            ));
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            shared_strings.push((i, size));
        }
    }
    for (i, size) in shared_strings {
        let entry = zip
            .by_index(i)
            .map_err(|e| format!("not a readable spreadsheet: {e}"))?;
        if let Some(count) = unique_count(entry)? {
            // Each string takes at least `<si/>`, five bytes.
            if count > MAX_CELLS as u64 || count > size / 5 {
                return Err(format!(
                    "the shared-strings part declares {count} strings, more than it can hold \
                     or than {MAX_CELLS} cells"
                ));
            }
        }
    }
    Ok(())
}

/// Longest stretch of a shared-strings part searched for its `sst` start tag.
const HEADER_LIMIT: usize = 1 << 20;

/// The `uniqueCount` of the first `sst` start tag of a shared-strings part (as calamine
/// finds it: the first start tag with that local name, comments and declarations
/// skipped, attribute values quoted). `u64::MAX` stands for a number too long to hold.
fn unique_count(part: impl Read) -> Result<Option<u64>, String> {
    let mut head = Vec::new();
    part.take(HEADER_LIMIT as u64)
        .read_to_end(&mut head)
        .map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let mut i = 0;
    let find = |from: usize, pat: &[u8]| {
        head.get(from..)
            .and_then(|rest| rest.windows(pat.len()).position(|w| w == pat))
            .map(|p| from + p)
    };
    let unfinished = || {
        Err(format!(
            "the shared-strings part has no complete header in its first {}",
            crosswalk_format::input::human(HEADER_LIMIT as u64)
        ))
    };
    loop {
        let Some(lt) = find(i, b"<") else {
            return if head.len() < HEADER_LIMIT {
                Ok(None)
            } else {
                unfinished()
            };
        };
        let rest = &head[lt..];
        let skip_to = |end: &[u8]| find(lt, end).map(|p| p + end.len());
        let next = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") {
            skip_to(b">")
        } else {
            // A start tag: its name, then attributes up to an unquoted `>`.
            let name_end = rest
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
                .unwrap_or(rest.len());
            let name = &rest[1..name_end];
            let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
            let mut quote = None;
            let mut end = None;
            for (k, b) in rest.iter().enumerate().skip(name_end) {
                match (quote, *b) {
                    (None, b'"' | b'\'') => quote = Some(*b),
                    (Some(q), b) if b == q => quote = None,
                    (None, b'>') => {
                        end = Some(k);
                        break;
                    }
                    _ => {}
                }
            }
            let Some(end) = end else {
                return unfinished();
            };
            if local == b"sst" {
                // calamine reads plain digits (leading zeros allowed) and ignores
                // anything else.
                return Ok(attribute(&rest[name_end..end], b"uniqueCount")
                    .filter(|v| !v.is_empty() && v.iter().all(u8::is_ascii_digit))
                    .map(|v| {
                        std::str::from_utf8(v)
                            .ok()
                            .and_then(|d| d.parse().ok())
                            .unwrap_or(u64::MAX)
                    }));
            }
            Some(lt + end + 1)
        };
        match next {
            Some(n) => i = n,
            None => return unfinished(),
        }
    }
}

/// The raw value of attribute `name` among a start tag's attributes.
fn attribute<'a>(mut attrs: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    loop {
        let start = attrs.iter().position(|b| !b.is_ascii_whitespace())?;
        attrs = &attrs[start..];
        let eq = attrs.iter().position(|b| *b == b'=')?;
        let key = attrs[..eq].trim_ascii();
        let after = attrs[eq + 1..].trim_ascii_start();
        let q = *after.first()?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        let len = after[1..].iter().position(|b| *b == q)?;
        if key == name {
            return Some(&after[1..=len]);
        }
        attrs = &after[len + 2..];
    }
}

/// Reads the cells of one sheet (the first when `sheet` is `None`) into a grid. Errors
/// are messages about the file (the caller names it).
pub(crate) fn read(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Grid, String> {
    check_archive(&bytes)?;
    // calamine is third-party code parsing hostile input: a panic inside it (such as an
    // arithmetic overflow on an absurd cell reference in a debug build) becomes an error
    // about the file instead of taking the process down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_cells(bytes, sheet)))
        .unwrap_or_else(|_| Err("not a readable spreadsheet: the XLSX reader failed".into()))
}

fn read_cells(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Grid, String> {
    let mut wb =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let names = wb.sheet_names();
    let sheet = match sheet {
        Some(s) => s.to_owned(),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no sheets".to_owned())?,
    };
    if !names.contains(&sheet) {
        return Err(format!(
            "no sheet named \"{sheet}\"; sheets: {}",
            names.join(", ")
        ));
    }
    let mut reader = wb
        .worksheet_cells_reader(&sheet)
        .map_err(|e| format!("cannot read sheet \"{sheet}\": {e}"))?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| format!("cannot read sheet \"{sheet}\": {e}"))?
    {
        let (row, col) = cell.get_position();
        let value: Data = cell.get_value().clone().into();
        if value == Data::Empty {
            continue;
        }
        let at = || format!("{}{}", column_name(u64::from(col)), u64::from(row) + 1);
        if row as usize >= MAX_ROWS {
            return Err(format!(
                "sheet \"{sheet}\": cell {} is past row {MAX_ROWS}, the last row read",
                at()
            ));
        }
        if col as usize >= MAX_COLUMNS {
            return Err(format!(
                "sheet \"{sheet}\": cell {} is past column {} ({MAX_COLUMNS}), the last column read",
                at(),
                column_name(MAX_COLUMNS as u64 - 1)
            ));
        }
        if cells.len() >= MAX_CELLS {
            return Err(format!(
                "sheet \"{sheet}\" has more than {MAX_CELLS} cells, the most read"
            ));
        }
        cells.push((row, col, cell_text(&value)));
    }
    cells.sort_by_key(|(r, c, _)| (*r, *c));
    let width = cells
        .iter()
        .map(|(_, c, _)| *c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut rows = cells.iter().map(|(r, _, _)| *r).collect::<Vec<_>>();
    rows.dedup();
    if rows.len().saturating_mul(width) > MAX_CELLS {
        return Err(format!(
            "sheet \"{sheet}\" spans {} rows by {width} columns, over the limit of {MAX_CELLS} cells",
            rows.len()
        ));
    }
    let mut grid: Grid = Vec::with_capacity(rows.len());
    for (row, col, text) in cells {
        let line = row as usize + 1;
        if grid.last().is_none_or(|(l, _)| *l != line) {
            grid.push((line, vec![String::new(); width]));
        }
        if let Some((_, cells)) = grid.last_mut() {
            cells[col as usize] = text;
        }
    }
    Ok(grid)
}
