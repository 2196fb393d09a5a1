//! Workbooks auditors take: the Statement of Applicability and the SOC 2 control matrix.
//!
//! Cells never pass Excel's limits: a cell lists at most [`MAX_LISTED`] evidence items and
//! then says how many more there are; every item such a cell leaves out is listed in full
//! on the "Evidence" sheet, and any text is cut below Excel's 32,767 characters.

use std::collections::{BTreeSet, HashMap};

use crosswalk_core::framework::Framework;
use crosswalk_core::program::{
    Assessment, Control, Evidence, Freshness, Outcome, Program, RequirementStatus,
};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet};

use crate::ReportError;

/// Evidence items listed in one cell before the rest are counted and moved to the
/// "Evidence" sheet.
pub const MAX_LISTED: usize = 10;

/// Excel's limit on the characters of one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

fn col(i: usize) -> Result<u16, ReportError> {
    u16::try_from(i).map_err(|_| ReportError::Invalid(format!("column {i} is out of range")))
}

fn row_no(i: usize) -> Result<u32, ReportError> {
    u32::try_from(i)
        .ok()
        .filter(|&r| r < 1_048_576)
        .ok_or_else(|| ReportError::Invalid(format!("{i} rows pass Excel's limit of 1,048,576")))
}

/// A new workbook. Compression level 2 of 9: most of the time of saving a large workbook is
/// compressing its sheets, and level 2 saves in about half the time of the default 6 for
/// about 10 % more bytes.
fn workbook() -> Workbook {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(2);
    wb
}

/// A new sheet named `name` with a bold, frozen header row of `columns` (name, width).
fn sheet<'w>(
    wb: &'w mut Workbook,
    name: &str,
    columns: &[(&str, f64)],
) -> Result<&'w mut Worksheet, ReportError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    header(ws, columns)?;
    Ok(ws)
}

fn header(ws: &mut Worksheet, columns: &[(&str, f64)]) -> Result<(), ReportError> {
    let bold = Format::new()
        .set_bold()
        .set_background_color("DCE6F1")
        .set_border(FormatBorder::Thin);
    for (i, (name, width)) in columns.iter().enumerate() {
        ws.write_with_format(0, col(i)?, *name, &bold)?;
        ws.set_column_width(col(i)?, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Text cut to fit one cell.
fn fit(s: &str) -> &str {
    if s.len() <= MAX_CELL_CHARS {
        return s;
    }
    let mut end = MAX_CELL_CHARS - 3;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Writes a row of text cells, with `format` or plain (faster for long sheets).
fn write_row(
    ws: &mut Worksheet,
    row: usize,
    cells: &[String],
    format: Option<&Format>,
) -> Result<(), ReportError> {
    let r = row_no(row)?;
    for (i, c) in cells.iter().enumerate() {
        match format {
            Some(f) => ws.write_string_with_format(r, col(i)?, fit(c), f)?,
            None => ws.write_string(r, col(i)?, fit(c))?,
        };
    }
    Ok(())
}

/// Evidence listings for cells, and the items cells left out (for the "Evidence" sheet).
struct EvidenceCells<'p> {
    fresh: &'p Freshness<'p>,
    overflow: BTreeSet<(usize, &'p str)>,
    order: HashMap<&'p str, usize>,
}

impl<'p> EvidenceCells<'p> {
    fn new(program: &'p Program, fresh: &'p Freshness<'p>) -> Self {
        Self {
            fresh,
            overflow: BTreeSet::new(),
            order: program
                .evidence
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id.as_str(), i))
                .collect(),
        }
    }

    /// The evidence of `controls`, newest first, each marked stale where it no longer
    /// counts for its control.
    fn list(&mut self, controls: &[&str]) -> String {
        let mut items: Vec<(&'p Evidence, bool)> = Vec::new();
        let mut seen = BTreeSet::new();
        for c in controls {
            for e in self.fresh.evidence_of(c) {
                if seen.insert(e.id.as_str()) {
                    items.push((e, self.fresh.current_for(e, c)));
                }
            }
        }
        items.sort_by(|a, b| b.0.collected.cmp(&a.0.collected).then(a.0.id.cmp(&b.0.id)));
        let mut lines: Vec<String> = items
            .iter()
            .take(MAX_LISTED)
            .map(|(e, current)| {
                format!(
                    "{} {} {}{}",
                    e.id,
                    e.collected,
                    e.title,
                    if *current { "" } else { " (stale)" }
                )
            })
            .collect();
        if items.len() > MAX_LISTED {
            for (e, _) in &items[MAX_LISTED..] {
                let pos = self.order.get(e.id.as_str()).copied().unwrap_or(usize::MAX);
                self.overflow.insert((pos, e.id.as_str()));
            }
            lines.push(format!(
                "… and {} more (listed on the Evidence sheet)",
                items.len() - MAX_LISTED
            ));
        }
        lines.join("\n")
    }

    /// The "Evidence" sheet: every item some cell left out, when there are any.
    fn sheet(&self, wb: &mut Workbook, program: &Program) -> Result<(), ReportError> {
        if self.overflow.is_empty() {
            return Ok(());
        }
        let by_id: HashMap<&str, &Evidence> = program
            .evidence
            .iter()
            .map(|e| (e.id.as_str(), e))
            .collect();
        // Rows are written in order, so the sheet streams to a temporary file instead of
        // holding up to hundreds of thousands of rows in memory.
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name("Evidence")?;
        header(
            ws,
            &[
                ("Evidence", 12.0),
                ("Title", 45.0),
                ("Collected", 12.0),
                ("Valid until", 12.0),
                ("Current", 10.0),
                ("Controls", 30.0),
                ("Location", 50.0),
            ],
        )?;
        for (i, (_, id)) in self.overflow.iter().enumerate() {
            let Some(e) = by_id.get(id) else { continue };
            write_row(
                ws,
                i + 1,
                &[
                    e.id.clone(),
                    e.title.clone(),
                    e.collected.to_string(),
                    e.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                    if self.fresh.current(e) {
                        "yes"
                    } else {
                        "stale"
                    }
                    .into(),
                    e.controls.join(", "),
                    e.location.to_string(),
                ],
                None,
            )?;
        }
        Ok(())
    }
}

/// Requirements a Statement of Applicability lists: the annex controls when the framework
/// has them (`A.…`, `B.…`), else every assessable requirement.
pub fn soa_rows(statuses: &[RequirementStatus]) -> Vec<&RequirementStatus> {
    let annex = |s: &&RequirementStatus| {
        let id = s.requirement.as_str();
        id.starts_with("A.") || id.starts_with("B.")
    };
    let rows: Vec<&RequirementStatus> = statuses.iter().filter(annex).collect();
    if rows.is_empty() {
        statuses.iter().collect()
    } else {
        rows
    }
}

/// The Statement of Applicability of one framework: every annex control with
/// applicability, justification, status, implementing controls, evidence, maturity,
/// grade and assessment date. Returns the workbook and its row count.
///
/// # Errors
/// When the workbook cannot be written.
pub fn soa(
    fw: &Framework,
    program: &Program,
    statuses: &[RequirementStatus],
    fresh: &Freshness<'_>,
) -> Result<(Vec<u8>, usize), ReportError> {
    let mut cells = EvidenceCells::new(program, fresh);
    let scale = program.maturity_scale();
    let assessed: HashMap<&str, &Assessment> = program
        .assessments
        .iter()
        .filter(|a| &a.framework == fw.id())
        .map(|a| (a.requirement.as_str(), a))
        .collect();
    let mut wb = workbook();
    let ws = sheet(
        &mut wb,
        "Statement of Applicability",
        &[
            ("Control", 10.0),
            ("Title", 40.0),
            ("Applicable", 11.0),
            ("Justification", 50.0),
            ("Implementation status", 20.0),
            ("Implementing controls", 22.0),
            ("Evidence", 45.0),
            ("Maturity", 14.0),
            ("Audit grade", 16.0),
            ("Last assessed", 14.0),
        ],
    )?;
    let wrap = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let rows = soa_rows(statuses);
    for (i, s) in rows.iter().enumerate() {
        let req = fw.requirement(s.requirement.as_str());
        let a = assessed.get(s.requirement.as_str());
        let applicable = s.result != Outcome::NotApplicable;
        let justification = match a {
            Some(a) if !a.justification.is_empty() => a.justification.clone(),
            _ if !s.controls.is_empty() => {
                format!("Included: addressed by {}", s.controls.join(", "))
            }
            _ => "Included: applicable to the scope; not yet implemented".into(),
        };
        let controls: Vec<&str> = s.controls.iter().map(String::as_str).collect();
        let evidence = cells.list(&controls);
        write_row(
            ws,
            i + 1,
            &[
                s.requirement.to_string(),
                req.map(|r| r.title.clone()).unwrap_or_default(),
                if applicable { "Yes" } else { "No" }.into(),
                justification,
                s.result.as_str().replace('-', " "),
                s.controls.join(", "),
                evidence,
                a.and_then(|a| a.maturity)
                    .map(|m| {
                        scale
                            .iter()
                            .find(|l| l.level == m)
                            .map_or_else(|| m.to_string(), |l| format!("{m} {}", l.name))
                    })
                    .unwrap_or_default(),
                a.and_then(|a| a.grade)
                    .map(|g| g.as_str().replace('-', " "))
                    .unwrap_or_default(),
                a.map(|a| a.assessed_on.to_string()).unwrap_or_default(),
            ],
            Some(&wrap),
        )?;
    }
    ws.autofilter(0, 0, row_no(rows.len())?, 9)?;
    cells.sheet(&mut wb, program)?;
    Ok((wb.save_to_buffer()?, rows.len()))
}

/// The SOC 2 control matrix: one row per criterion and linked control, with owner,
/// frequency, status, coverage, evidence, a test procedure and the result. Returns the
/// workbook and its row count.
///
/// # Errors
/// When the workbook cannot be written.
pub fn control_matrix(
    fw: &Framework,
    program: &Program,
    statuses: &[RequirementStatus],
    fresh: &Freshness<'_>,
) -> Result<(Vec<u8>, usize), ReportError> {
    let mut cells = EvidenceCells::new(program, fresh);
    let controls: HashMap<&str, &Control> = program
        .controls
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let mut links: HashMap<&str, Vec<&crosswalk_core::program::ControlLink>> = HashMap::new();
    for l in program
        .links
        .iter()
        .filter(|l| l.counts() && &l.framework == fw.id())
    {
        links.entry(l.requirement.as_str()).or_default().push(l);
    }
    let mut wb = workbook();
    let ws = sheet(
        &mut wb,
        "Control matrix",
        &[
            ("Criterion", 10.0),
            ("Criterion title", 40.0),
            ("Control", 10.0),
            ("Control description", 45.0),
            ("Owner", 14.0),
            ("Frequency", 12.0),
            ("Status", 12.0),
            ("Coverage", 10.0),
            ("Evidence", 45.0),
            ("Test", 40.0),
            ("Result", 18.0),
        ],
    )?;
    let wrap = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let mut row = 1usize;
    for s in statuses {
        let title = fw.title_in_context(s.requirement.as_str());
        let result = s.result.as_str().replace('-', " ");
        let mine = links
            .get(s.requirement.as_str())
            .map_or(&[][..], Vec::as_slice);
        if mine.is_empty() {
            let mut cellv = vec![String::new(); 11];
            cellv[0] = s.requirement.to_string();
            cellv[1].clone_from(&title);
            cellv[3] = "No control yet".into();
            cellv[10].clone_from(&result);
            write_row(ws, row, &cellv, Some(&wrap))?;
            row += 1;
        }
        for l in mine {
            let c = controls.get(l.control.as_str());
            let test = c.map_or_else(String::new, |c| {
                format!(
                    "Inspect the evidence for the period; confirm the control operated {} as described.",
                    if c.frequency.is_empty() { "as designed" } else { c.frequency.as_str() }
                )
            });
            write_row(
                ws,
                row,
                &[
                    s.requirement.to_string(),
                    title.clone(),
                    l.control.clone(),
                    c.map(|c| {
                        if c.description.is_empty() {
                            c.title.clone()
                        } else {
                            format!("{}: {}", c.title, c.description)
                        }
                    })
                    .unwrap_or_default(),
                    c.map(|c| c.owner.clone()).unwrap_or_default(),
                    c.map(|c| c.frequency.clone()).unwrap_or_default(),
                    c.map(|c| c.status.as_str().to_owned()).unwrap_or_default(),
                    format!("{:?}", l.coverage).to_lowercase(),
                    cells.list(&[l.control.as_str()]),
                    test,
                    result.clone(),
                ],
                Some(&wrap),
            )?;
            row += 1;
        }
    }
    ws.autofilter(0, 0, row_no(row.saturating_sub(1))?, 10)?;
    cells.sheet(&mut wb, program)?;
    Ok((wb.save_to_buffer()?, row - 1))
}
