//! Reads crosswalk rows (source id, target id, relationship, …) from CSV and XLSX files.
//!
//! Real spreadsheets are messy: headers with line breaks, ids with trailing newlines,
//! several ids in one cell, a source id written once for a block of rows. The options
//! say how to read each; every problem is reported with its row number, and a file
//! yields rows only when it has no problem at all.
//!
//! Hostile ones are refused before they cost much: the file must be a regular file of at
//! most [`MAX_BYTES`]; an XLSX may expand to at most [`MAX_XLSX_PART`] per part and
//! [`MAX_XLSX_EXPANDED`] in all, and its cells are streamed (never laid out as the dense
//! grid its dimensions declare); a sheet is read up to [`MAX_ROWS`] rows, [`MAX_COLUMNS`]
//! columns and [`MAX_CELLS`] cells. Only `.xlsx` and `.xlsm` workbooks are read: legacy
//! `.xls`, `.xlsb` and OpenDocument `.ods` cannot be read with bounded memory by the
//! reader used, so they are refused with a hint to save as `.xlsx` or `.csv`.

mod xlsx;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use calamine::Data;
use crosswalk_core::mapping::Relationship;
use regex::Regex;

/// Largest spreadsheet file accepted, in bytes (64 MiB).
pub const MAX_BYTES: u64 = crosswalk_format::input::SPREADSHEET.bytes;

/// Last row read (1-based): a non-empty cell below it, or a CSV with more records, is
/// refused. Excel's own limit is 1,048,576.
pub const MAX_ROWS: usize = 1_000_000;

/// Last column read (1-based; 1,000 is `ALL`): a non-empty cell to its right, or a CSV
/// record with more fields, is refused. Excel's own limit is 16,384.
pub const MAX_COLUMNS: usize = 1_000;

/// Most cells read from one sheet: non-empty rows times the widest row (XLSX), or all
/// fields (CSV).
pub const MAX_CELLS: usize = 10_000_000;

/// Most bytes one part of an XLSX (a sheet's XML, the shared strings) may expand to.
pub const MAX_XLSX_PART: u64 = 256 * 1024 * 1024;

/// Most bytes all parts of an XLSX together may expand to.
pub const MAX_XLSX_EXPANDED: u64 = 512 * 1024 * 1024;

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
type Grid = Vec<GridRow>;

/// A row's 1-based number in the sheet and its cell texts.
type GridRow = (usize, Vec<String>);

fn read_grid(path: &Path, name: &str, sheet: Option<&str>) -> Result<Grid, SheetError> {
    let err = |message: String| SheetError {
        file: name.to_owned(),
        row: None,
        message,
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "xls" | "xlsb" | "ods") {
        return Err(err(format!(
            "`.{ext}` workbooks are not read (they cannot be read with bounded memory); \
             save the sheet as .xlsx or .csv"
        )));
    }
    let bytes = crosswalk_format::input::read_bytes(path, crosswalk_format::input::SPREADSHEET)
        .map_err(|e| err(e.reason()))?;
    if matches!(ext.as_str(), "xlsx" | "xlsm") {
        xlsx::read(bytes, sheet).map_err(err)
    } else {
        read_csv(&bytes, name)
    }
}

/// Physical line numbers of byte offsets, asked in increasing order: a line ends at
/// `\n`, `\r\n` or a lone `\r`. (The csv crate's own line count skips blank lines
/// and counts `\r\n` endings wrongly.)
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line of the record the csv crate places at `offset`: that is where it began
    /// looking, so blank lines before the record are skipped first.
    fn line_of(&mut self, offset: u64) -> usize {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while matches!(self.bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        if offset < self.at {
            self.at = 0;
            self.line = 1;
        }
        for i in self.at..offset {
            match self.bytes[i] {
                b'\r' => self.line += 1,
                b'\n' if i == 0 || self.bytes[i - 1] != b'\r' => self.line += 1,
                _ => {}
            }
        }
        self.at = offset;
        self.line
    }
}

fn read_csv(bytes: &[u8], name: &str) -> Result<Grid, SheetError> {
    let mut lines = Lines {
        bytes,
        at: 0,
        line: 1,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut grid = Vec::new();
    let mut cells = 0usize;
    for rec in reader.records() {
        let rec = rec.map_err(|e| SheetError {
            file: name.to_owned(),
            row: e.position().map(|p| lines.line_of(p.byte())),
            message: format!("bad CSV: {e}"),
        })?;
        let line = rec
            .position()
            .map_or(grid.len() + 1, |p| lines.line_of(p.byte()));
        let fail = |message: String| SheetError {
            file: name.to_owned(),
            row: Some(line),
            message,
        };
        if grid.len() >= MAX_ROWS {
            return Err(fail(format!("more than {MAX_ROWS} rows, the most read")));
        }
        if rec.len() > MAX_COLUMNS {
            return Err(fail(format!(
                "{} columns, more than the {MAX_COLUMNS} read",
                rec.len()
            )));
        }
        cells += rec.len();
        if cells > MAX_CELLS {
            return Err(fail(format!("more than {MAX_CELLS} cells, the most read")));
        }
        grid.push((line, rec.iter().map(str::to_owned).collect()));
    }
    Ok(grid)
}

/// The header row and the rows after it. A header row inside the sheet that is empty
/// (so not in the grid) has no headers.
fn split_at_header(grid: &Grid, header_row: usize) -> Option<(Vec<String>, &[GridRow])> {
    if let Some(at) = grid.iter().position(|(r, _)| *r == header_row) {
        return Some((grid[at].1.clone(), &grid[at + 1..]));
    }
    let (first, last) = (grid.first()?.0, grid.last()?.0);
    if first < header_row && header_row < last {
        let after = grid.iter().position(|(r, _)| *r > header_row)?;
        return Some((Vec::new(), &grid[after..]));
    }
    None
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
    read_summarised(path, name, opts).map(|(rows, _)| rows)
}

/// What a read took from a sheet, for the import to report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Data rows that held something.
    pub rows: usize,
    /// Each field read and the header of its column (`source` → `from_id` …).
    pub columns: Vec<(&'static str, String)>,
}

/// Header names that say a column holds a field: read as that field when no option names
/// another column, so a sheet's relationships, strengths or notes are never ignored in
/// silence.
const NAMED: [(&str, &[&str]); 3] = [
    (
        "relationship",
        &[
            "relationship",
            "relationship type",
            "rel",
            "set relationship",
            "mapping relationship",
        ],
    ),
    ("strength", &["strength", "strength of relationship"]),
    (
        "note",
        &[
            "note",
            "notes",
            "rationale",
            "comment",
            "comments",
            "justification",
        ],
    ),
];

fn named_column(headers: &[String], field: &str) -> Option<Column> {
    let names = NAMED.iter().find(|(f, _)| *f == field)?.1;
    headers
        .iter()
        .find(|h| names.iter().any(|n| squash(h).eq_ignore_ascii_case(n)))
        .map(|h| Column::Header(h.clone()))
}

/// Reads rows as [`read`] does, with a summary of what was read. A column whose header
/// names a field (see `NAMED`) is read as that field unless `opts` selects another.
///
/// # Errors
/// Every problem, located by row.
pub fn read_summarised(
    path: &Path,
    name: &str,
    opts: &SheetOptions,
) -> Result<(Vec<Row>, Summary), Vec<SheetError>> {
    let grid = read_grid(path, name, opts.sheet.as_deref()).map_err(|e| vec![e])?;
    let fail = |row: Option<usize>, message: String| SheetError {
        file: name.to_owned(),
        row,
        message,
    };
    let Some((headers, data)) = split_at_header(&grid, opts.header_row) else {
        return Err(vec![fail(
            None,
            format!("there is no header row {}", opts.header_row),
        )]);
    };
    let headers = &headers;
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
    let pick = |given: &Option<Column>, field: &str| {
        given.clone().or_else(|| named_column(headers, field))
    };
    let (rel, strength, note) = (
        pick(&opts.relationship, "relationship"),
        pick(&opts.strength, "strength"),
        pick(&opts.note, "note"),
    );
    let rel_col = rel.as_ref().and_then(|c| col(c, "relationship"));
    let strength_col = strength.as_ref().and_then(|c| col(c, "strength"));
    let note_col = note.as_ref().and_then(|c| col(c, "note"));
    let header_of = |i: usize| {
        headers.get(i).map_or_else(
            || format!("column {}", i + 1),
            |h| h.split_whitespace().collect::<Vec<_>>().join(" "),
        )
    };
    let mut summary = Summary::default();
    for (field, c) in [
        ("source", from_col),
        ("target", to_col),
        ("relationship", rel_col),
        ("strength", strength_col),
        ("note", note_col),
    ] {
        if let Some(i) = c {
            summary.columns.push((field, header_of(i)));
        }
    }
    let (Some(from_col), Some(to_col)) = (from_col, to_col) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let get = |cells: &[String], i: usize| cells.get(i).map_or("", |s| s.as_str()).to_owned();
    let mut rows = Vec::new();
    let mut last_from: Vec<String> = Vec::new();
    for (line, cells) in data {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        summary.rows += 1;
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
        Ok((rows, summary))
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
    let (headers, data) = split_at_header(&grid, header_row.max(1)).ok_or_else(|| SheetError {
        file: name.to_owned(),
        row: Some(header_row),
        message: "the header row is past the end of the sheet".into(),
    })?;
    let rows = data
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .cloned()
        .collect();
    Ok(Table { headers, rows })
}
