//! Reads crosswalk rows (source id, target id, relationship, …) from CSV and XLSX files.
//!
//! Real spreadsheets are messy: headers with line breaks, ids with trailing newlines,
//! several ids in one cell, a source id written once for a block of rows. The options
//! say how to read each; every problem is reported with its row number, and a file
//! yields rows only when it has no problem at all.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use calamine::{Data, Reader};
use crosswalk_core::mapping::Relationship;
use regex::Regex;

/// Largest spreadsheet accepted, in bytes.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// A column, by header text (case- and whitespace-insensitive), by letter (`C`) or by
/// 1-based number (`3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Header(String),
    Index(usize),
}

impl FromStr for Column {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty column name".into());
        }
        if let Ok(n) = s.parse::<usize>() {
            return if n == 0 {
                Err("column numbers start at 1".into())
            } else {
                Ok(Self::Index(n - 1))
            };
        }
        if s.len() <= 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            let n = s
                .bytes()
                .fold(0usize, |acc, b| acc * 26 + usize::from(b - b'A' + 1));
            return Ok(Self::Index(n - 1));
        }
        Ok(Self::Header(s.to_owned()))
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(h) => write!(f, "\"{h}\""),
            Self::Index(i) => write!(f, "column {}", i + 1),
        }
    }
}

/// How to read a crosswalk out of a sheet.
#[derive(Debug, Clone)]
pub struct SheetOptions {
    /// Worksheet name (XLSX); the first sheet when absent.
    pub sheet: Option<String>,
    /// 1-based row holding the headers; data starts on the next row.
    pub header_row: usize,
    pub from: Column,
    pub to: Column,
    pub relationship: Option<Column>,
    pub strength: Option<Column>,
    pub note: Option<Column>,
    /// An empty source cell repeats the source of the row above.
    pub fill_down: bool,
    /// Rows whose source cell is empty (or has no id matching the pattern) are skipped
    /// instead of being errors.
    pub skip_empty_source: bool,
    /// Split source and target cells into several ids on this separator.
    pub split: Option<String>,
    /// Keep only ids matching this pattern (the first capture group, else the match).
    pub from_pattern: Option<Regex>,
    pub to_pattern: Option<Regex>,
    /// Relationship when there is no relationship column or its cell is empty.
    pub default_relationship: Relationship,
}

impl SheetOptions {
    pub fn new(from: Column, to: Column) -> Self {
        Self {
            sheet: None,
            header_row: 1,
            from,
            to,
            relationship: None,
            strength: None,
            note: None,
            fill_down: false,
            skip_empty_source: false,
            split: None,
            from_pattern: None,
            to_pattern: None,
            default_relationship: Relationship::Intersects,
        }
    }
}

/// One mapping read from a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based row number in the sheet (CSV: line of the record).
    pub row: usize,
    pub from: String,
    pub to: String,
    pub relationship: Relationship,
    pub strength: Option<u8>,
    pub note: Option<String>,
}

/// A problem with a file or one of its rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", .row.map(|r| format!(": row {r}")).unwrap_or_default())]
pub struct SheetError {
    pub file: String,
    pub row: Option<usize>,
    pub message: String,
}

/// Parses the relationship words used by NIST, OSCAL and common spreadsheets.
pub fn parse_relationship(s: &str) -> Option<Relationship> {
    let norm: String = s
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .collect();
    Some(match norm.as_str() {
        "equal" | "equal-to" | "=" => Relationship::Equal,
        "equivalent" | "equivalent-to" => Relationship::Equivalent,
        "subset" | "subset-of" => Relationship::Subset,
        "superset" | "superset-of" => Relationship::Superset,
        "intersect" | "intersects" | "intersects-with" | "intersection" => Relationship::Intersects,
        "related" | "related-to" | "concept" => Relationship::Related,
        "no-relationship" | "none" | "not-related" => Relationship::NoRelationship,
        _ => return None,
    })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Grid of cell texts with the 1-based sheet row number of each line.
type Grid = Vec<(usize, Vec<String>)>;

fn read_grid(path: &Path, name: &str, sheet: Option<&str>) -> Result<Grid, SheetError> {
    let err = |message: String| SheetError {
        file: name.to_owned(),
        row: None,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| err(format!("cannot read: {e}")))?
        .len();
    if size > MAX_BYTES {
        return Err(err(format!(
            "file is {size} bytes; the limit is {MAX_BYTES}"
        )));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        let mut wb = calamine::open_workbook_auto(path)
            .map_err(|e| err(format!("not a readable spreadsheet: {e}")))?;
        let sheet = match sheet {
            Some(s) => s.to_owned(),
            None => wb
                .sheet_names()
                .first()
                .cloned()
                .ok_or_else(|| err("the workbook has no sheets".into()))?,
        };
        if !wb.sheet_names().contains(&sheet) {
            return Err(err(format!(
                "no sheet named \"{sheet}\"; sheets: {}",
                wb.sheet_names().join(", ")
            )));
        }
        let range = wb
            .worksheet_range(&sheet)
            .map_err(|e| err(format!("cannot read sheet \"{sheet}\": {e}")))?;
        let first = range.start().map_or(0, |(r, _)| r as usize);
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        Ok(range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let mut row = vec![String::new(); first_col];
                row.extend(cells.iter().map(cell_text));
                (first + i + 1, row)
            })
            .collect())
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| err(format!("cannot read: {e}")))?;
        let mut grid = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| SheetError {
                file: name.to_owned(),
                row: e.position().map(|p| p.line() as usize),
                message: format!("bad CSV: {e}"),
            })?;
            let line = rec.position().map_or(grid.len() + 1, |p| p.line() as usize);
            grid.push((line, rec.iter().map(str::to_owned).collect()));
        }
        Ok(grid)
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn locate(col: &Column, headers: &[String]) -> Option<usize> {
    match col {
        Column::Index(i) => Some(*i),
        Column::Header(h) => {
            let want = squash(h);
            headers.iter().position(|x| squash(x) == want)
        }
    }
}

fn ids(cell: &str, split: Option<&str>, pattern: Option<&Regex>) -> Vec<String> {
    let parts: Vec<&str> = match split {
        Some(sep) => cell.split(sep).collect(),
        None => vec![cell],
    };
    parts
        .into_iter()
        .filter_map(|p| {
            let p = p.trim();
            if p.is_empty() {
                return None;
            }
            match pattern {
                None => Some(p.to_owned()),
                Some(re) => re.captures(p).map(|c| {
                    c.get(1)
                        .or_else(|| c.get(0))
                        .map_or(String::new(), |m| m.as_str().trim().to_owned())
                }),
            }
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads every mapping row of `path`. `name` is used in messages.
pub fn read(path: &Path, name: &str, opts: &SheetOptions) -> Result<Vec<Row>, Vec<SheetError>> {
    let grid = read_grid(path, name, opts.sheet.as_deref()).map_err(|e| vec![e])?;
    let fail = |row: Option<usize>, message: String| SheetError {
        file: name.to_owned(),
        row,
        message,
    };
    let header_at = grid.iter().position(|(r, _)| *r == opts.header_row);
    let Some(header_at) = header_at else {
        return Err(vec![fail(
            None,
            format!("there is no header row {}", opts.header_row),
        )]);
    };
    let headers = &grid[header_at].1;
    let mut errors = Vec::new();
    let mut col = |c: &Column, what: &str| -> Option<usize> {
        let found = locate(c, headers);
        if found.is_none() {
            let known: Vec<String> = headers
                .iter()
                .filter(|h| !h.trim().is_empty())
                .map(|h| format!("\"{}\"", squash(h)))
                .collect();
            errors.push(fail(
                Some(opts.header_row),
                format!("no {what} column {c}; headers are {}", known.join(", ")),
            ));
        }
        found
    };
    let from_col = col(&opts.from, "source");
    let to_col = col(&opts.to, "target");
    let rel_col = opts
        .relationship
        .as_ref()
        .and_then(|c| col(c, "relationship"));
    let strength_col = opts.strength.as_ref().and_then(|c| col(c, "strength"));
    let note_col = opts.note.as_ref().and_then(|c| col(c, "note"));
    let (Some(from_col), Some(to_col)) = (from_col, to_col) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let get = |cells: &[String], i: usize| cells.get(i).map_or("", |s| s.as_str()).to_owned();
    let mut rows = Vec::new();
    let mut last_from: Vec<String> = Vec::new();
    for (line, cells) in &grid[header_at + 1..] {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut from = ids(
            &get(cells, from_col),
            opts.split.as_deref(),
            opts.from_pattern.as_ref(),
        );
        if from.is_empty() && opts.fill_down {
            from.clone_from(&last_from);
        } else if !from.is_empty() {
            last_from.clone_from(&from);
        }
        let to = ids(
            &get(cells, to_col),
            opts.split.as_deref(),
            opts.to_pattern.as_ref(),
        );
        if to.is_empty() {
            continue; // A source listed with nothing mapped to it.
        }
        if from.is_empty() && opts.skip_empty_source {
            continue;
        }
        if from.is_empty() {
            errors.push(fail(
                Some(*line),
                "the source cell is empty (use fill-down if it repeats the row above)".into(),
            ));
            continue;
        }
        let relationship = match rel_col
            .map(|c| get(cells, c))
            .filter(|s| !s.trim().is_empty())
        {
            None => opts.default_relationship,
            Some(s) => match parse_relationship(&s) {
                Some(r) => r,
                None => {
                    errors.push(fail(
                        Some(*line),
                        format!("unknown relationship \"{}\"", s.trim()),
                    ));
                    continue;
                }
            },
        };
        let strength = match strength_col
            .map(|c| get(cells, c))
            .filter(|s| !s.trim().is_empty())
        {
            None => None,
            Some(s) => match s.trim().parse::<u8>() {
                Ok(n) if (1..=10).contains(&n) => Some(n),
                _ => {
                    errors.push(fail(
                        Some(*line),
                        format!(
                            "strength \"{}\" is not a whole number from 1 to 10",
                            s.trim()
                        ),
                    ));
                    continue;
                }
            },
        };
        let note = note_col
            .map(|c| get(cells, c).trim().to_owned())
            .filter(|s| !s.is_empty());
        for f in &from {
            for t in &to {
                rows.push(Row {
                    row: *line,
                    from: f.clone(),
                    to: t.clone(),
                    relationship,
                    strength,
                    note: note.clone(),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A sheet read as a plain table: its header cells and each data row (with its 1-based
/// row number in the sheet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// The position of a column, or an error naming the headers there are.
    ///
    /// # Errors
    /// When no header matches (or a numbered column is out of range).
    pub fn column(&self, col: &Column) -> Result<usize, String> {
        locate(col, &self.headers)
            .filter(|i| *i < self.headers.len().max(1) || matches!(col, Column::Index(_)))
            .ok_or_else(|| {
                format!(
                    "no column {col}; the header row has: {}",
                    self.headers.join(" | ")
                )
            })
    }

    /// The trimmed text of a cell (empty when the row is short).
    pub fn cell(row: &[String], i: usize) -> &str {
        row.get(i).map_or("", |s| s.trim())
    }
}

/// Reads a CSV or spreadsheet as a table whose header is on `header_row` (1-based);
/// rows after it that are entirely empty are left out.
///
/// # Errors
/// Unreadable file, unknown sheet, bad CSV, or a header row past the end.
pub fn read_table(
    path: &Path,
    name: &str,
    sheet: Option<&str>,
    header_row: usize,
) -> Result<Table, SheetError> {
    let grid = read_grid(path, name, sheet)?;
    let at = grid
        .iter()
        .position(|(n, _)| *n == header_row.max(1))
        .ok_or_else(|| SheetError {
            file: name.to_owned(),
            row: Some(header_row),
            message: "the header row is past the end of the sheet".into(),
        })?;
    let headers = grid[at].1.clone();
    let rows = grid[at + 1..]
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .cloned()
        .collect();
    Ok(Table { headers, rows })
}
