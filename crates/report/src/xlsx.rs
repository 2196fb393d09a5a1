//! Workbooks auditors take: the Statement of Applicability and the SOC 2 control matrix.
//!
//! Cells never pass Excel's limits: a cell lists at most [`MAX_LISTED`] evidence items and
//! then says how many more there are; every item such a cell leaves out is listed in full
//! on the "Evidence" sheet, and any text is cut below Excel's 32,767 characters.

use std::collections::{BTreeSet, HashMap};

use crosswalk_core::framework::Framework;
use crosswalk_core::program::{Control, Evidence, Freshness, Program, RequirementStatus};
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
pub(crate) struct EvidenceCells<'p> {
    fresh: &'p Freshness<'p>,
    overflow: BTreeSet<(usize, &'p str)>,
    order: HashMap<&'p str, usize>,
    /// Said after "… and N more".
    more: &'static str,
}

impl<'p> EvidenceCells<'p> {
    /// Listings whose overflow goes to the workbook's "Evidence" sheet.
    pub(crate) fn new(program: &'p Program, fresh: &'p Freshness<'p>) -> Self {
        Self::with_note(program, fresh, "listed on the Evidence sheet")
    }

    /// Listings that say `more` about the items they leave out.
    pub(crate) fn with_note(
        program: &'p Program,
        fresh: &'p Freshness<'p>,
        more: &'static str,
    ) -> Self {
        Self {
            fresh,
            more,
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
    pub(crate) fn list(&mut self, controls: &[&str]) -> String {
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
                "… and {} more ({})",
                items.len() - MAX_LISTED,
                self.more
            ));
        }
        lines.join("\n")
    }

    /// The "Evidence" sheet: every item some cell left out, when there are any.
    pub(crate) fn sheet(&self, wb: &mut Workbook, program: &Program) -> Result<(), ReportError> {
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

/// The Statement of Applicability as a workbook: the first sheet one row per control
/// (control, title, applicable, justification for inclusion, justification for exclusion,
/// implementation status, implementing controls, evidence, owner, then maturity, audit
/// grade and last assessed), then "Document control" (the header and change history),
/// then "Evidence" when cells left items out. Returns the workbook and its row count.
///
/// # Errors
/// When the workbook cannot be written.
pub fn soa(doc: &crate::soa::Soa<'_>) -> Result<(Vec<u8>, usize), ReportError> {
    let mut wb = workbook();
    let ws = sheet(
        &mut wb,
        "Statement of Applicability",
        &crate::soa::COLUMNS
            .iter()
            .map(|(name, width)| (*name, f64::from(*width) * 4.0))
            .collect::<Vec<_>>(),
    )?;
    let wrap = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    for (i, r) in doc.rows.iter().enumerate() {
        write_row(ws, i + 1, &r.cells(), Some(&wrap))?;
    }
    ws.autofilter(
        0,
        0,
        row_no(doc.rows.len())?,
        col(crate::soa::COLUMNS.len() - 1)?,
    )?;
    let ws = sheet(
        &mut wb,
        "Document control",
        &[("Field", 24.0), ("Value", 90.0)],
    )?;
    for (i, (k, v)) in doc.header.fields().into_iter().enumerate() {
        write_row(ws, i + 1, &[k.to_owned(), v], Some(&wrap))?;
    }
    let ws = sheet(
        &mut wb,
        "Change history",
        &crate::soa::HISTORY_COLUMNS
            .iter()
            .map(|h| (*h, 18.0))
            .collect::<Vec<_>>(),
    )?;
    for (i, h) in doc.header.history.iter().enumerate() {
        write_row(ws, i + 1, &h.cells(), Some(&wrap))?;
    }
    doc.cells.sheet(&mut wb, doc.program)?;
    Ok((wb.save_to_buffer()?, doc.rows.len()))
}

/// The risk register as a workbook: sheet `Risk register` (one row per risk: ratings and
/// levels, treatment, controls, whether the treatment works today, acceptance, review),
/// `Treatment plan` (one row per action) and `Risk matrix` (the grid with the acceptance
/// criteria). Returns the workbook and the number of risks.
///
/// # Errors
/// When the workbook cannot be written.
pub fn risks(program: &Program, fresh: &Freshness<'_>) -> Result<(Vec<u8>, usize), ReportError> {
    use crosswalk_core::risk::{Effectiveness, Rating, effectiveness};
    let m = program.risk_matrix();
    let level = |r: Rating| {
        format!(
            "{} ({}×{})",
            m.level_name(r).unwrap_or("?"),
            r.likelihood,
            r.impact
        )
    };
    let mut wb = workbook();
    let wrap = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let ws = sheet(
        &mut wb,
        "Risk register",
        &[
            ("Risk", 8.0),
            ("Title", 36.0),
            ("Scope", 24.0),
            ("Threat", 28.0),
            ("Vulnerability", 28.0),
            ("Category", 14.0),
            ("Owner", 14.0),
            ("Inherent", 16.0),
            ("Treatment", 11.0),
            ("Controls", 18.0),
            ("Current residual", 16.0),
            ("Target residual", 16.0),
            ("Within acceptance criteria", 12.0),
            ("Treatment effective", 36.0),
            ("Accepted by", 14.0),
            ("Accepted on", 12.0),
            ("Acceptance until", 12.0),
            ("Next review", 12.0),
        ],
    )?;
    for (i, r) in program.risks.iter().enumerate() {
        let works = match effectiveness(r, program, fresh) {
            Effectiveness::Effective => "Yes".to_owned(),
            Effectiveness::NotEffective { reasons } => format!("No: {}", reasons.join("; ")),
        };
        let a = r.acceptance.as_ref();
        write_row(
            ws,
            i + 1,
            &[
                r.id.clone(),
                r.title.clone(),
                r.scope.clone(),
                r.threat.clone(),
                r.vulnerability.clone(),
                r.category.clone(),
                r.owner.clone(),
                level(r.inherent),
                r.treatment.as_str().to_owned(),
                r.controls.join(", "),
                r.current.map(level).unwrap_or_default(),
                r.target.map(level).unwrap_or_default(),
                if m.acceptable(r.residual()) {
                    "Yes"
                } else {
                    "No"
                }
                .into(),
                works,
                a.map(|a| a.by.clone()).unwrap_or_default(),
                a.map(|a| a.on.to_string()).unwrap_or_default(),
                a.and_then(|a| a.until)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                r.review.map(|d| d.to_string()).unwrap_or_default(),
            ],
            Some(&wrap),
        )?;
    }
    let ws = sheet(
        &mut wb,
        "Treatment plan",
        &[
            ("Risk", 8.0),
            ("Action", 50.0),
            ("Owner", 16.0),
            ("Due", 12.0),
            ("Done", 8.0),
        ],
    )?;
    let mut row = 1;
    for r in &program.risks {
        for a in &r.actions {
            write_row(
                ws,
                row,
                &[
                    r.id.clone(),
                    a.title.clone(),
                    a.owner.clone(),
                    a.due.map(|d| d.to_string()).unwrap_or_default(),
                    if a.done { "Yes" } else { "No" }.into(),
                ],
                Some(&wrap),
            )?;
            row += 1;
        }
    }
    let mut columns = vec![("Likelihood \\ impact".to_owned(), 18.0)];
    columns.extend(m.impact.iter().map(|l| (l.name.clone(), 14.0)));
    let named: Vec<(&str, f64)> = columns.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    let ws = sheet(&mut wb, "Risk matrix", &named)?;
    for (i, cells) in m.grid.iter().enumerate().rev() {
        let mut line = vec![
            m.likelihood
                .get(i)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
        ];
        line.extend(
            cells
                .iter()
                .map(|c| m.risk.get(*c).map(|l| l.name.clone()).unwrap_or_default()),
        );
        write_row(ws, m.grid.len() - i, &line, Some(&wrap))?;
    }
    write_row(
        ws,
        m.grid.len() + 2,
        &[format!(
            "Acceptance criteria: residual risk up to {} is acceptable.",
            m.risk.get(m.acceptable).map_or("?", |l| l.name.as_str())
        )],
        None,
    )?;
    Ok((wb.save_to_buffer()?, program.risks.len()))
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
