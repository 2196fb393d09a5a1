//! `crosswalk export …` (what auditors take) and `crosswalk evidence verify`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use crosswalk_core::crosswalk::Graph;
use crosswalk_core::framework::Framework;
use crosswalk_core::program::{Evaluation, Outcome, Program, RESULT_RULE, RequirementStatus};
use crosswalk_library::Catalog;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::ProgramExport;
use crate::commands::{emit, resolve};
use crate::program_cmd::{evidence_dir, load_program, status_cells, today};
use crate::render::doc::{self, Block};
use crate::render::pdf;

fn load(db: &str) -> Result<Program> {
    load_program(db).map(|(_, program)| program)
}

/// The framework's statuses, which must be in the program's scope.
fn statuses<'a>(
    eval: &'a Evaluation<'_>,
    catalog: &Catalog,
    fw: &Framework,
) -> Result<&'a [RequirementStatus]> {
    let index = catalog
        .library
        .index_of(fw.id())
        .ok_or_else(|| anyhow!("{} is not in the library", fw.id()))?;
    eval.frameworks
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, s)| s.as_slice())
        .ok_or_else(|| {
            anyhow!(
                "{} is not in the program's scope (crosswalk program add {})",
                fw.id(),
                fw.id()
            )
        })
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> anyhow::Error {
    anyhow!("cannot write the workbook: {e}")
}

fn header(ws: &mut Worksheet, columns: &[(&str, f64)]) -> Result<()> {
    let bold = Format::new()
        .set_bold()
        .set_background_color("DCE6F1")
        .set_border(FormatBorder::Thin);
    for (i, (name, width)) in columns.iter().enumerate() {
        let col = u16::try_from(i).map_err(|e| anyhow!("{e}"))?;
        ws.write_with_format(0, col, *name, &bold)
            .map_err(xlsx_err)?;
        ws.set_column_width(col, *width).map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}

fn write_row(ws: &mut Worksheet, row: u32, cells: &[String], wrap: &Format) -> Result<()> {
    for (i, c) in cells.iter().enumerate() {
        let col = u16::try_from(i).map_err(|e| anyhow!("{e}"))?;
        ws.write_with_format(row, col, c.as_str(), wrap)
            .map_err(xlsx_err)?;
    }
    Ok(())
}

/// Requirements a Statement of Applicability lists: the annex controls when the framework
/// has them (`A.…`, `B.…`), else every assessable requirement.
fn soa_rows(statuses: &[RequirementStatus]) -> Vec<&RequirementStatus> {
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

/// Each control's evidence, for listing beside requirements.
struct Evidences<'p> {
    program: &'p Program,
    evidence_of: HashMap<&'p str, Vec<&'p crosswalk_core::program::Evidence>>,
}

impl<'p> Evidences<'p> {
    fn new(program: &'p Program) -> Self {
        let mut evidence_of: HashMap<&str, Vec<_>> = HashMap::new();
        for e in &program.evidence {
            for c in &e.controls {
                evidence_of.entry(c.as_str()).or_default().push(e);
            }
        }
        Self {
            program,
            evidence_of,
        }
    }

    fn evidence_list(&self, controls: &[String]) -> String {
        let today = today();
        let mut out = Vec::new();
        for c in controls {
            for e in self.evidence_of.get(c.as_str()).into_iter().flatten() {
                let state = if self.program.evidence_current(e, today) {
                    ""
                } else {
                    " (stale)"
                };
                out.push(format!("{} {} {}{state}", e.id, e.collected, e.title));
            }
        }
        out.sort();
        out.dedup();
        out.join("\n")
    }
}

fn soa(catalog: &Catalog, db: &str, framework: &str, out: &Path) -> Result<String> {
    let program = load(db)?;
    let fw = resolve(catalog, framework)?;
    let eval = Evaluation::new(&program, &catalog.library, today());
    let statuses = statuses(&eval, catalog, fw)?;
    let ctx = Evidences::new(&program);
    let scale = program.maturity_scale();
    let assessed: HashMap<&str, &crosswalk_core::program::Assessment> = program
        .assessments
        .iter()
        .filter(|a| &a.framework == fw.id())
        .map(|a| (a.requirement.as_str(), a))
        .collect();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Statement of Applicability")
        .map_err(xlsx_err)?;
    header(
        ws,
        &[
            ("Control", 10.0),
            ("Title", 40.0),
            ("Applicable", 11.0),
            ("Justification", 50.0),
            ("Implementation status", 20.0),
            ("Implemented by", 22.0),
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
        let row = u32::try_from(i + 1).map_err(|e| anyhow!("{e}"))?;
        write_row(
            ws,
            row,
            &[
                s.requirement.to_string(),
                req.map(|r| r.title.clone()).unwrap_or_default(),
                if applicable { "Yes" } else { "No" }.into(),
                justification,
                s.result.as_str().replace('-', " "),
                s.controls.join(", "),
                ctx.evidence_list(&s.controls),
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
            &wrap,
        )?;
    }
    ws.autofilter(0, 0, u32::try_from(rows.len()).unwrap_or(0), 9)
        .map_err(xlsx_err)?;
    wb.save(out).map_err(xlsx_err)?;
    Ok(format!(
        "wrote the Statement of Applicability for {} ({} controls) to {}\n",
        fw.id(),
        rows.len(),
        out.display()
    ))
}

fn matrix(catalog: &Catalog, db: &str, framework: &str, out: &Path) -> Result<String> {
    let program = load(db)?;
    let fw = resolve(catalog, framework)?;
    let eval = Evaluation::new(&program, &catalog.library, today());
    let statuses = statuses(&eval, catalog, fw)?;
    let ctx = Evidences::new(&program);
    let controls: HashMap<&str, &crosswalk_core::program::Control> = program
        .controls
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Control matrix").map_err(xlsx_err)?;
    header(
        ws,
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
    let mut row = 1u32;
    for s in statuses {
        let title = fw
            .requirement(s.requirement.as_str())
            .map(|r| r.title.clone())
            .unwrap_or_default();
        let links: Vec<_> = program
            .links
            .iter()
            .filter(|l| &l.framework == fw.id() && l.requirement == s.requirement)
            .collect();
        if links.is_empty() {
            write_row(
                ws,
                row,
                &[
                    s.requirement.to_string(),
                    title.clone(),
                    String::new(),
                    "No control yet".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    s.result.as_str().replace('-', " "),
                ],
                &wrap,
            )?;
            row += 1;
        }
        for l in links {
            let c = controls.get(l.control.as_str());
            let test = c.map_or_else(String::new, |c| {
                format!(
                    "Inspect the evidence for the period; confirm the control operated {} as described.",
                    if c.frequency.is_empty() { "as designed".to_owned() } else { c.frequency.clone() }
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
                    ctx.evidence_list(std::slice::from_ref(&l.control)),
                    test,
                    s.result.as_str().replace('-', " "),
                ],
                &wrap,
            )?;
            row += 1;
        }
    }
    ws.autofilter(0, 0, row.saturating_sub(1), 10)
        .map_err(xlsx_err)?;
    wb.save(out).map_err(xlsx_err)?;
    Ok(format!(
        "wrote the control matrix for {} ({} rows) to {}\n",
        fw.id(),
        row - 1,
        out.display()
    ))
}

/// The gap report as blocks: readiness (chart and table) with the rule, readiness by
/// domain, the 40 highest-ranked gaps, stale evidence and overdue policies.
fn report_blocks(catalog: &Catalog, program: &Program) -> Result<Vec<Block>> {
    let today = today();
    let lib = &catalog.library;
    let eval = Evaluation::new(program, lib, today);
    let rows = eval.status(lib);
    let graph = Graph::new(lib);
    let gaps = eval.gaps(lib, &graph);
    let info = program.info.as_ref().ok_or_else(|| anyhow!("no program"))?;
    let name = |id: &str| {
        lib.resolve(id)
            .map_or_else(|| id.to_owned(), |f| f.meta.name.clone())
    };
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let mut b = vec![
        Block::Title(format!("Gap report: {}", info.organization)),
        Block::Para(format!("As of {today}. Scope: {}", info.scope)),
        Block::Heading("Readiness".into()),
        Block::Bars(
            rows.iter()
                .map(|s| (s.framework.to_string(), s.readiness))
                .collect(),
        ),
        Block::Table {
            headers: [
                "Framework",
                "Total #",
                "Compliant #",
                "Partial #",
                "Non-compliant #",
                "N/A #",
                "Not assessed #",
                "Readiness %",
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![3.2, 1.0, 1.2, 1.0, 1.4, 0.8, 1.3, 1.2],
            rows: rows
                .iter()
                .map(|s| {
                    let mut row = vec![name(s.framework.as_str())];
                    row.extend(status_cells(s));
                    row
                })
                .collect(),
        },
        Block::Para(RESULT_RULE.into()),
    ];
    for (index, _) in &eval.frameworks {
        let fw = &lib.frameworks()[*index];
        b.push(Block::Heading(format!("{} by domain", fw.meta.name)));
        b.push(Block::Table {
            headers: [
                "Domain",
                "Applicable #",
                "Compliant #",
                "Partial #",
                "Readiness %",
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![5.0, 1.2, 1.2, 1.0, 1.2],
            rows: eval
                .by_domain(lib, *index)
                .into_iter()
                .map(|(domain, s)| {
                    vec![
                        domain,
                        (s.total - s.not_applicable).to_string(),
                        s.compliant.to_string(),
                        s.partial.to_string(),
                        pct(s.readiness),
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Heading(
        "Gaps, biggest multi-framework wins first".into(),
    ));
    b.push(Block::Para(format!(
        "{} open requirements. Ranked by the number of in-scope frameworks a fix counts for (the requirement's own plus those whose open requirements it maps to through the crosswalk), then non-compliant before partial.",
        gaps.len()
    )));
    b.push(Block::Table {
        headers: [
            "Rank #",
            "Requirement",
            "Title",
            "Result",
            "Frameworks #",
            "Also advances",
        ]
        .map(str::to_owned)
        .to_vec(),
        widths: vec![0.6, 1.8, 2.8, 1.5, 1.2, 3.0],
        rows: gaps
            .iter()
            .take(40)
            .enumerate()
            .map(|(i, g)| {
                let also: Vec<String> = g
                    .also_advances
                    .iter()
                    .map(|(f, r)| format!("{f}: {}", r.join(", ")))
                    .collect();
                vec![
                    (i + 1).to_string(),
                    format!("{}:{}", g.framework, g.requirement),
                    g.title.clone(),
                    g.result.as_str().to_owned(),
                    g.frameworks_advanced.to_string(),
                    also.join("; "),
                ]
            })
            .collect(),
    });
    let stale: Vec<String> = program
        .evidence
        .iter()
        .filter(|e| !program.evidence_current(e, today))
        .map(|e| {
            format!(
                "{} {} (collected {}; controls {})",
                e.id,
                e.title,
                e.collected,
                e.controls.join(", ")
            )
        })
        .collect();
    b.push(Block::Heading("Evidence and policies".into()));
    b.push(Block::Para(format!(
        "{} evidence items, {} stale (past their validity, or collected more than a year ago without one).",
        program.evidence.len(),
        stale.len()
    )));
    if !stale.is_empty() {
        b.push(Block::Bullets(stale));
    }
    let overdue: Vec<String> = program
        .policies
        .iter()
        .filter(|p| p.overdue(today))
        .map(|p| {
            format!(
                "{} {} v{} — {}",
                p.id,
                p.title,
                p.version,
                p.next_review
                    .filter(|_| p.approved_on.is_some())
                    .map_or_else(
                        || "awaiting approval".to_owned(),
                        |d| format!("review was due {d}")
                    )
            )
        })
        .collect();
    b.push(Block::Para(format!(
        "{} policies, {} overdue for review or approval.",
        program.policies.len(),
        overdue.len()
    )));
    if !overdue.is_empty() {
        b.push(Block::Bullets(overdue));
    }
    Ok(b)
}

fn report(catalog: &Catalog, db: &str, out: &Path) -> Result<String> {
    let program = load(db)?;
    let blocks = report_blocks(catalog, &program)?;
    let title = format!(
        "Gap report: {}",
        program
            .info
            .as_ref()
            .map_or("", |i| i.organization.as_str())
    );
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = match ext.as_str() {
        "md" | "markdown" => doc::markdown(&blocks).into_bytes(),
        "html" | "htm" => doc::html(&title, &blocks).into_bytes(),
        "pdf" => pdf::render(&title, &blocks),
        other => bail!("unknown report format `.{other}`: use .md, .html or .pdf"),
    };
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(format!("wrote the gap report to {}\n", out.display()))
}

fn oscal_ar(catalog: &Catalog, db: &str, framework: &str, out: &Path) -> Result<String> {
    let program = load(db)?;
    let fw = resolve(catalog, framework)?;
    let eval = Evaluation::new(&program, &catalog.library, today());
    let statuses = statuses(&eval, catalog, fw)?;
    let now = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
        .map(|t| t.to_string())
        .map_err(|e| anyhow!("{e}"))?;
    let body = crosswalk_oscal::assessment_results(
        fw,
        &program,
        statuses,
        &crosswalk_oscal::ExportOptions { now },
    );
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "assessment-results": body }))?;
    text.push('\n');
    std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(format!(
        "wrote OSCAL assessment results for {} to {}\n",
        fw.id(),
        out.display()
    ))
}

/// One entry of an evidence package's `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
struct ManifestEntry {
    id: String,
    title: String,
    collected: String,
    valid_until: Option<String>,
    controls: Vec<String>,
    /// `sha256:<hex>` files are in the package at `path`; links are listed as they are.
    location: String,
    path: Option<String>,
    sha256: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    organization: String,
    created: String,
    evidence: Vec<ManifestEntry>,
}

fn evidence_package(db: &str, out: &Path) -> Result<String> {
    let program = load(db)?;
    let dir = evidence_dir(db);
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut entries = Vec::new();
    let mut files = 0;
    for e in &program.evidence {
        let (path, sha) = match e.location.strip_prefix("sha256:") {
            Some(hex) => {
                let src = dir.join(hex.get(..2).unwrap_or("")).join(hex);
                let bytes = std::fs::read(&src).with_context(|| {
                    format!(
                        "evidence {}: stored file {} is missing",
                        e.id,
                        src.display()
                    )
                })?;
                let path = format!("files/{hex}");
                zip.start_file(&path, opts).map_err(|e| anyhow!("{e}"))?;
                zip.write_all(&bytes)?;
                files += 1;
                (Some(path), Some(hex.to_owned()))
            }
            None => (None, None),
        };
        entries.push(ManifestEntry {
            id: e.id.clone(),
            title: e.title.clone(),
            collected: e.collected.to_string(),
            valid_until: e.valid_until.map(|d| d.to_string()),
            controls: e.controls.clone(),
            location: e.location.clone(),
            path,
            sha256: sha,
        });
    }
    let manifest = Manifest {
        organization: program
            .info
            .as_ref()
            .map(|i| i.organization.clone())
            .unwrap_or_default(),
        created: today().to_string(),
        evidence: entries,
    };
    zip.start_file("manifest.json", opts)
        .map_err(|e| anyhow!("{e}"))?;
    zip.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    zip.finish().map_err(|e| anyhow!("{e}"))?;
    Ok(format!(
        "wrote {} evidence items ({files} files, {} links) with manifest.json to {}\n",
        manifest.evidence.len(),
        manifest.evidence.len() - files,
        out.display()
    ))
}

/// Checks every file of an evidence package against its manifest's SHA-256; `Ok(false)`
/// when any is missing or altered (each problem printed).
pub fn verify(package: &Path) -> Result<bool> {
    let file = std::fs::File::open(package)
        .with_context(|| format!("cannot read {}", package.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| anyhow!("{}: not a zip archive: {e}", package.display()))?;
    let manifest: Manifest = {
        let mut m = zip
            .by_name("manifest.json")
            .map_err(|_| anyhow!("{}: no manifest.json", package.display()))?;
        let mut text = String::new();
        m.read_to_string(&mut text)?;
        serde_json::from_str(&text)
            .map_err(|e| anyhow!("{}: manifest.json: {e}", package.display()))?
    };
    let mut problems = Vec::new();
    let mut checked = 0;
    for e in &manifest.evidence {
        let (Some(path), Some(want)) = (&e.path, &e.sha256) else {
            continue;
        };
        match zip.by_name(path) {
            Ok(mut f) => {
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes)?;
                let got = format!("{:x}", sha2::Sha256::digest(&bytes));
                if &got == want {
                    checked += 1;
                } else {
                    problems.push(format!(
                        "{}: {path} does not match its SHA-256 (altered)",
                        e.id
                    ));
                }
            }
            Err(_) => problems.push(format!("{}: {path} is missing", e.id)),
        }
    }
    if problems.is_empty() {
        emit(&format!(
            "ok: {checked} files match the manifest's SHA-256 ({} items)\n",
            manifest.evidence.len()
        ))?;
        Ok(true)
    } else {
        eprintln!("{}", problems.join("\n"));
        Ok(false)
    }
}

pub fn run(catalog: &Catalog, db: &str, what: ProgramExport, as_json: bool) -> Result<()> {
    let (kind, output, said) = match what {
        ProgramExport::Soa { framework, output } => (
            "soa",
            output.clone(),
            soa(catalog, db, &framework, &output)?,
        ),
        ProgramExport::Matrix { framework, output } => (
            "matrix",
            output.clone(),
            matrix(catalog, db, &framework, &output)?,
        ),
        ProgramExport::Report { output } => {
            ("report", output.clone(), report(catalog, db, &output)?)
        }
        ProgramExport::OscalAr { framework, output } => (
            "oscal-ar",
            output.clone(),
            oscal_ar(catalog, db, &framework, &output)?,
        ),
        ProgramExport::Evidence { output } => {
            ("evidence", output.clone(), evidence_package(db, &output)?)
        }
    };
    if as_json {
        let mut s = serde_json::to_string_pretty(&serde_json::json!({
            "kind": kind,
            "output": output.display().to_string(),
            "message": said.trim_end(),
        }))?;
        s.push('\n');
        return emit(&s);
    }
    emit(&said)
}
