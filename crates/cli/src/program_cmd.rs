//! Program commands: `init`, `program`, `control`, `evidence`, `assess`, `gaps`, `demo`.
//! Each opens the store named by `--db`, checks ids against the library, and applies its
//! changes in one transaction.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use crosswalk_core::crosswalk::Graph;
use crosswalk_core::framework::Framework;
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::Coverage;
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evaluation, Evidence, FrameworkStatus,
    InScope, LinkOrigin, Outcome, Program, ProgramInfo, Proposal, RESULT_RULE, Target, propose,
};
use crosswalk_library::Catalog;
use crosswalk_store::{Change, Store};
use jiff::civil::Date;
use serde::Serialize;

use crate::commands::{emit, resolve};
use crate::{
    AssessCommand, ControlCommand, ControlImportArgs, EvidenceCommand, PolicyCommand,
    ProgramCommand,
};

/// Where the program lives when `--db` is not given: `crosswalk/program.db` in the user's
/// data directory.
pub fn default_db() -> String {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("crosswalk")
        .join("program.db")
        .display()
        .to_string()
}

pub fn today() -> Date {
    jiff::Zoned::now().date()
}

fn open(db: &str) -> Result<Box<dyn Store>> {
    crosswalk_store::open(db).map_err(|e| anyhow!("{e}"))
}

fn apply(store: &mut dyn Store, changes: &[Change]) -> Result<()> {
    store
        .apply(changes)
        .map_err(|e| anyhow!("{e}; nothing was changed"))
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

fn parse_date(s: &str, what: &str) -> Result<Date> {
    s.parse()
        .map_err(|e| anyhow!("{what} `{s}` is not a date (YYYY-MM-DD): {e}"))
}

/// `FW:REQ` checked against the library, with the requirement spelled as the standard
/// prints it.
fn requirement<'a>(catalog: &'a Catalog, target: &str) -> Result<(&'a Framework, RequirementId)> {
    let (fw, req) = target
        .split_once(':')
        .ok_or_else(|| anyhow!("`{target}`: expected FRAMEWORK:REQUIREMENT, e.g. soc2:CC6.1"))?;
    let fw = resolve(catalog, fw)?;
    let r = fw.find_loose(req).ok_or_else(|| {
        anyhow!(
            "`{req}` is not a requirement of {} (see `crosswalk frameworks show {}`)",
            fw.id(),
            fw.id()
        )
    })?;
    Ok((fw, r.id.clone()))
}

fn target_of(fw: &Framework, target: Option<&str>, categories: &[String]) -> Result<Target> {
    let soc2 = fw.meta.family.as_str() == "soc2";
    if !soc2 && !categories.is_empty() {
        bail!("--category names SOC 2 categories; {} has none", fw.id());
    }
    let t = match target {
        Some("soc2-type1") => 1,
        Some("soc2-type2") => 2,
        Some("certification") => return Ok(Target::Certification),
        Some("compliance") => return Ok(Target::Compliance),
        Some(other) => bail!(
            "unknown target `{other}`: use soc2-type1, soc2-type2, certification or compliance"
        ),
        None if soc2 => 2,
        None if fw.meta.publisher.contains("ISO") => return Ok(Target::Certification),
        None => return Ok(Target::Compliance),
    };
    if !soc2 {
        bail!("a SOC 2 target needs a SOC 2 framework, not {}", fw.id());
    }
    for c in categories {
        if !crosswalk_core::program::SOC2_CATEGORIES.contains(&c.as_str()) {
            bail!(
                "unknown SOC 2 category `{c}`: use {}",
                crosswalk_core::program::SOC2_CATEGORIES.join(", ")
            );
        }
    }
    Ok(Target::Soc2 {
        report_type: t,
        categories: categories.to_vec(),
        window_months: (t == 2).then_some(6),
    })
}

/// Opens the store and loads its program, which must exist.
pub fn load_program(db: &str) -> Result<(Box<dyn Store>, Program)> {
    let mut store = open(db)?;
    let program = store.load().map_err(|e| anyhow!("{e}"))?;
    check_program(&program)?;
    Ok((store, program))
}

/// A program must have been created before anything else.
fn check_program(program: &Program) -> Result<()> {
    if program.info.is_none() {
        bail!("no program in this database yet: run `crosswalk init` (or `crosswalk demo`)");
    }
    Ok(())
}

pub fn init(
    db: &str,
    organization: &str,
    scope: &str,
    systems: &[String],
    as_json: bool,
) -> Result<()> {
    let mut store = open(db)?;
    let existing = store.load().map_err(|e| anyhow!("{e}"))?;
    let info = ProgramInfo {
        organization: organization.to_owned(),
        scope: scope.to_owned(),
        systems: systems.to_vec(),
    };
    apply(store.as_mut(), &[Change::SetProgram(info.clone())])?;
    if as_json {
        return emit(&json(&info)?);
    }
    let verb = if existing.info.is_some() {
        "updated"
    } else {
        "created"
    };
    emit(&format!("{verb} the program for {organization} in {db}\n"))
}

/// Adds a framework to the scope and links existing controls to it through the crosswalk.
pub fn add_framework(
    catalog: &Catalog,
    store: &mut dyn Store,
    framework: &str,
    target: Option<&str>,
    categories: &[String],
    date: Option<Date>,
    link: bool,
) -> Result<Proposal> {
    let program = store.load().map_err(|e| anyhow!("{e}"))?;
    check_program(&program)?;
    let fw = resolve(catalog, framework)?;
    let lib = &catalog.library;
    let index = lib
        .index_of(fw.id())
        .ok_or_else(|| anyhow!("{} is not in the library", fw.id()))?;
    let graph = Graph::new(lib);
    let proposal = propose(&program, lib, &graph, index);
    let mut changes = vec![Change::AddFramework(InScope {
        framework: fw.id().clone(),
        target: target_of(fw, target, categories)?,
        target_date: date,
    })];
    if link {
        changes.extend(proposal.links.iter().cloned().map(Change::Link));
    }
    apply(store, &changes)?;
    Ok(proposal)
}

pub fn proposal_text(catalog: &Catalog, p: &Proposal, linked: bool) -> String {
    let lib = &catalog.library;
    let Some(fw) = lib.resolve(p.framework.as_str()) else {
        return String::new();
    };
    let direct = p
        .links
        .iter()
        .filter(|l| {
            matches!(&l.origin, LinkOrigin::Crosswalk { provenance, .. }
                if *provenance != crosswalk_core::mapping::ProvenanceKind::Inferred)
        })
        .count();
    let mut out = format!(
        "{}: {} of {} assessable requirements covered by existing controls, {} partially, {} new\n",
        fw.meta.name, p.covered, p.total, p.partial, p.new
    );
    // By top-level heading, so "Annex A: n of 93" reads off directly.
    let mut by_root: Vec<(String, usize, usize, usize)> = Vec::new();
    let best = |id: &RequirementId| {
        p.links
            .iter()
            .filter(|l| &l.requirement == id)
            .map(|l| l.coverage)
            .max()
    };
    for r in fw.requirements().iter().filter(|r| r.assessable) {
        let mut root = r;
        while let Some(parent) = root
            .parent
            .as_ref()
            .and_then(|p| fw.requirement(p.as_str()))
        {
            root = parent;
        }
        let name = format!("{} {}", root.id, root.title);
        let i = match by_root.iter().position(|(n, ..)| *n == name) {
            Some(i) => i,
            None => {
                by_root.push((name, 0, 0, 0));
                by_root.len() - 1
            }
        };
        by_root[i].1 += 1;
        match best(&r.id) {
            Some(Coverage::Full) => by_root[i].2 += 1,
            Some(Coverage::Partial) => by_root[i].3 += 1,
            _ => {}
        }
    }
    if by_root.len() > 1 {
        for (name, total, full, partial) in &by_root {
            out.push_str(&format!(
                "  {name}: {full} of {total} covered, {partial} partially, {} new\n",
                total - full - partial
            ));
        }
    }
    out.push_str(&format!(
        "  {} control links {} through the crosswalk ({direct} from official or curated mappings, {} inferred); none marks anything compliant: results follow from each control's status and evidence.\n",
        p.links.len(),
        if linked { "added" } else { "proposed" },
        p.links.len() - direct
    ));
    out
}

#[derive(Serialize)]
struct StatusJson {
    framework: FrameworkId,
    total: usize,
    compliant: usize,
    partial: usize,
    non_compliant: usize,
    not_applicable: usize,
    not_assessed: usize,
    readiness: f64,
}

impl From<&FrameworkStatus> for StatusJson {
    fn from(s: &FrameworkStatus) -> Self {
        Self {
            framework: s.framework.clone(),
            total: s.total,
            compliant: s.compliant,
            partial: s.partial,
            non_compliant: s.non_compliant,
            not_applicable: s.not_applicable,
            not_assessed: s.not_assessed,
            readiness: s.readiness,
        }
    }
}

/// A status's counts and readiness as table cells, in the order of `assess status`.
pub fn status_cells(s: &FrameworkStatus) -> Vec<String> {
    vec![
        s.total.to_string(),
        s.compliant.to_string(),
        s.partial.to_string(),
        s.non_compliant.to_string(),
        s.not_applicable.to_string(),
        s.not_assessed.to_string(),
        format!("{:.0}%", s.readiness * 100.0),
    ]
}

pub fn status_text(rows: &[FrameworkStatus], today: Date) -> String {
    let mut t = crate::render::text::table(crate::render::text::Style::detect());
    t.set_header([
        "framework",
        "total",
        "compliant",
        "partial",
        "non-compliant",
        "n/a",
        "not assessed",
        "readiness",
    ]);
    for s in rows {
        let mut row = vec![s.framework.to_string()];
        row.extend(status_cells(s));
        t.add_row(row);
    }
    format!(
        "Readiness on {today}\n{t}\nRule: {}\n",
        textwrap::fill(RESULT_RULE, 96)
    )
}

fn evaluate<'p>(catalog: &Catalog, program: &'p Program, today: Date) -> Result<Evaluation<'p>> {
    check_program(program)?;
    if program.frameworks.is_empty() {
        bail!("no framework in the program's scope yet: add one with `crosswalk program add FW`");
    }
    Ok(Evaluation::new(program, &catalog.library, today))
}

pub fn assess(catalog: &Catalog, db: &str, command: AssessCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        AssessCommand::Status {
            json: as_json,
            domains,
        } => {
            let program = store.load().map_err(|e| anyhow!("{e}"))?;
            let today = today();
            let eval = evaluate(catalog, &program, today)?;
            let rows = eval.status(&catalog.library);
            if as_json {
                let out: Vec<StatusJson> = rows.iter().map(StatusJson::from).collect();
                return emit(&json(&out)?);
            }
            let mut text = status_text(&rows, today);
            if domains {
                for (index, _) in &eval.frameworks {
                    let fw = &catalog.library.frameworks()[*index];
                    text.push_str(&format!("\n{} by domain\n", fw.meta.name));
                    for (domain, s) in eval.by_domain(&catalog.library, *index) {
                        text.push_str(&format!(
                            "  {:<60} {:>4.0}%  ({} of {} compliant, {} partial)\n",
                            domain,
                            s.readiness * 100.0,
                            s.compliant,
                            s.total - s.not_applicable,
                            s.partial
                        ));
                    }
                }
            }
            emit(&text)
        }
        AssessCommand::SignOff { target, reviewer } => {
            let (fw, req) = requirement(catalog, &target)?;
            if reviewer.trim().is_empty() {
                bail!("--reviewer names who signs off");
            }
            apply(
                store.as_mut(),
                &[Change::SignOff {
                    framework: fw.id().clone(),
                    requirement: req.clone(),
                    reviewer: reviewer.clone(),
                    on: today(),
                }],
            )?;
            emit(&format!(
                "{reviewer} signed off the assessment of {}:{req}\n",
                fw.id()
            ))
        }
        AssessCommand::Snapshot => {
            let program = store.load().map_err(|e| anyhow!("{e}"))?;
            let today = today();
            let status = evaluate(catalog, &program, today)?.status(&catalog.library);
            let n = status.len();
            apply(
                store.as_mut(),
                &[Change::Snapshot(crosswalk_core::program::Snapshot {
                    taken_on: today,
                    status,
                })],
            )?;
            emit(&format!(
                "recorded the readiness of {n} frameworks on {today}\n"
            ))
        }
        AssessCommand::Trend { json: as_json } => {
            let program = store.load().map_err(|e| anyhow!("{e}"))?;
            check_program(&program)?;
            if as_json {
                return emit(&json(&program.snapshots)?);
            }
            if program.snapshots.is_empty() {
                return emit("no snapshots yet: `crosswalk assess snapshot` records one\n");
            }
            let mut frameworks: Vec<&FrameworkId> = Vec::new();
            for snap in &program.snapshots {
                for st in &snap.status {
                    if !frameworks.contains(&&st.framework) {
                        frameworks.push(&st.framework);
                    }
                }
            }
            let mut out = format!("{:<12}", "date");
            for f in &frameworks {
                out.push_str(&format!(" {:>16}", f.as_str()));
            }
            out.push('\n');
            for snap in &program.snapshots {
                out.push_str(&format!("{:<12}", snap.taken_on.to_string()));
                for f in &frameworks {
                    let cell = snap.status.iter().find(|s| &&s.framework == f).map_or_else(
                        || "—".to_owned(),
                        |s| format!("{:.0}%", s.readiness * 100.0),
                    );
                    out.push_str(&format!(" {cell:>16}"));
                }
                out.push('\n');
            }
            emit(&out)
        }
        AssessCommand::Set {
            target,
            result,
            reason,
            not_applicable,
            justification,
            maturity,
            grade,
            assessor,
        } => {
            let program = store.load().map_err(|e| anyhow!("{e}"))?;
            check_program(&program)?;
            let (fw, req) = requirement(catalog, &target)?;
            if !program.frameworks.iter().any(|f| &f.framework == fw.id()) {
                bail!(
                    "{} is not in the program's scope (crosswalk program add {})",
                    fw.id(),
                    fw.id()
                );
            }
            let result = result
                .map(|r| {
                    Outcome::parse(&r).ok_or_else(|| {
                        anyhow!(
                            "unknown result `{r}`: use {}",
                            Outcome::ALL.map(Outcome::as_str).join(", ")
                        )
                    })
                })
                .transpose()?;
            if result.is_some() && reason.trim().is_empty() {
                bail!("an assessor's result needs --reason (the derived result is kept beside it)");
            }
            if not_applicable && justification.trim().is_empty() {
                bail!(
                    "not applicable needs --justification (it goes in the Statement of Applicability)"
                );
            }
            let scale = program.maturity_scale();
            let top = scale.last().map_or(0, |l| l.level);
            if maturity.is_some_and(|m| m > top) {
                bail!(
                    "maturity runs 0–{top} on this program's scale (see `crosswalk program maturity`)"
                );
            }
            let grade = grade
                .map(|g| {
                    crosswalk_core::program::Grade::parse(&g).ok_or_else(|| {
                        anyhow!(
                            "unknown grade `{g}`: use {}",
                            crosswalk_core::program::Grade::ALL
                                .map(crosswalk_core::program::Grade::as_str)
                                .join(", ")
                        )
                    })
                })
                .transpose()?;
            apply(
                store.as_mut(),
                &[Change::Assess(Assessment {
                    framework: fw.id().clone(),
                    requirement: req.clone(),
                    applicable: !not_applicable,
                    justification,
                    result,
                    reason,
                    maturity,
                    assessor,
                    assessed_on: today(),
                    grade,
                    reviewer: None,
                    reviewed_on: None,
                })],
            )?;
            emit(&format!("recorded the assessment of {}:{req}\n", fw.id()))
        }
    }
}

#[derive(Serialize)]
struct GapJson<'a> {
    rank: usize,
    framework: &'a str,
    requirement: &'a str,
    title: &'a str,
    domain: &'a str,
    result: &'static str,
    frameworks_advanced: usize,
    also_advances: &'a std::collections::BTreeMap<String, Vec<String>>,
}

pub fn gaps(catalog: &Catalog, db: &str, limit: usize, as_json: bool) -> Result<()> {
    let mut store = open(db)?;
    let program = store.load().map_err(|e| anyhow!("{e}"))?;
    let eval = evaluate(catalog, &program, today())?;
    let graph = Graph::new(&catalog.library);
    let gaps = eval.gaps(&catalog.library, &graph);
    let rows: Vec<GapJson<'_>> = gaps
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, g)| GapJson {
            rank: i + 1,
            framework: g.framework.as_str(),
            requirement: g.requirement.as_str(),
            title: &g.title,
            domain: &g.domain,
            result: g.result.as_str(),
            frameworks_advanced: g.frameworks_advanced,
            also_advances: &g.also_advances,
        })
        .collect();
    if as_json {
        return emit(&json(&rows)?);
    }
    let mut out = format!(
        "{} open requirements across {} frameworks; the {} that advance the most first.\n\
         Rank: frameworks a fix counts for (the requirement's own, plus in-scope frameworks whose open requirements it maps to through the crosswalk), then non-compliant before partial, then document order.\n\n",
        gaps.len(),
        eval.frameworks.len(),
        rows.len()
    );
    for g in &rows {
        out.push_str(&format!(
            "{:>3}. {}:{} {} [{}] advances {} framework{}",
            g.rank,
            g.framework,
            g.requirement,
            g.title,
            g.result,
            g.frameworks_advanced,
            if g.frameworks_advanced == 1 { "" } else { "s" }
        ));
        if !g.also_advances.is_empty() {
            let also: Vec<String> = g
                .also_advances
                .iter()
                .map(|(fw, reqs)| format!("{fw}: {}", reqs.join(", ")))
                .collect();
            out.push_str(&format!(" — also {}", also.join("; ")));
        }
        out.push('\n');
    }
    emit(&out)
}

pub fn program(catalog: &Catalog, db: &str, command: ProgramCommand) -> Result<()> {
    let mut store = open(db)?;
    match command {
        ProgramCommand::Show { json: as_json } => {
            let program = store.load().map_err(|e| anyhow!("{e}"))?;
            check_program(&program)?;
            if as_json {
                return emit(&json(&program)?);
            }
            let info = program.info.as_ref().ok_or_else(|| anyhow!("no program"))?;
            let mut out = format!(
                "{}\nScope: {}\nSystems: {}\n\nFrameworks in scope:\n",
                info.organization,
                info.scope,
                info.systems.join(", ")
            );
            for f in &program.frameworks {
                let name = catalog
                    .library
                    .resolve(f.framework.as_str())
                    .map_or_else(|| f.framework.to_string(), |x| x.meta.name.clone());
                let target = match &f.target {
                    Target::Soc2 {
                        report_type,
                        categories,
                        ..
                    } => format!(
                        "SOC 2 Type {report_type} (Security{})",
                        categories
                            .iter()
                            .map(|c| format!(", {c}"))
                            .collect::<String>()
                    ),
                    Target::Certification => "certification".into(),
                    Target::Compliance => "compliance".into(),
                };
                let due = f
                    .target_date
                    .map(|d| format!(", due {d}"))
                    .unwrap_or_default();
                out.push_str(&format!("  {name} ({}) — {target}{due}\n", f.framework));
            }
            out.push_str(&format!(
                "\n{} controls, {} control-to-requirement links, {} evidence items, {} assessments\n",
                program.controls.len(),
                program.links.len(),
                program.evidence.len(),
                program.assessments.len()
            ));
            emit(&out)
        }
        ProgramCommand::Maturity {
            set,
            reset,
            json: as_json,
        } => {
            let program = store.load().map_err(|e| anyhow!("{e}"))?;
            check_program(&program)?;
            if reset {
                apply(store.as_mut(), &[Change::SetMaturityScale(Vec::new())])?;
                return emit("the maturity scale is back to the default (0–5)\n");
            }
            if let Some(file) = set {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let scale: Vec<crosswalk_core::program::MaturityLevel> =
                    serde_json::from_str(&text).map_err(|e| {
                        anyhow!("{}:{}:{}: {e}", file.display(), e.line(), e.column())
                    })?;
                crosswalk_core::program::check_maturity_scale(&scale)
                    .map_err(|e| anyhow!("{}: {e}", file.display()))?;
                let top = scale.last().map_or(0, |l| l.level);
                if let Some(a) = program
                    .assessments
                    .iter()
                    .find(|a| a.maturity.is_some_and(|m| m > top))
                {
                    bail!(
                        "{}:{} is assessed at maturity {}, above the new scale's top level {top}; nothing was changed",
                        a.framework,
                        a.requirement,
                        a.maturity.unwrap_or(0)
                    );
                }
                apply(store.as_mut(), &[Change::SetMaturityScale(scale)])?;
                return emit(&format!("set the maturity scale from {}\n", file.display()));
            }
            let scale = program.maturity_scale();
            if as_json {
                return emit(&json(&scale)?);
            }
            let mut out = String::new();
            for l in &scale {
                out.push_str(&format!("{}  {:<12} {}\n", l.level, l.name, l.description));
            }
            emit(&out)
        }
        ProgramCommand::Add {
            framework,
            target,
            category,
            date,
            no_links,
            json: as_json,
        } => {
            let date = date.map(|d| parse_date(&d, "--date")).transpose()?;
            let p = add_framework(
                catalog,
                store.as_mut(),
                &framework,
                target.as_deref(),
                &category,
                date,
                !no_links,
            )?;
            if as_json {
                emit(&json(&p)?)
            } else {
                emit(&proposal_text(catalog, &p, !no_links))
            }
        }
    }
}

pub fn control(catalog: &Catalog, db: &str, command: ControlCommand) -> Result<()> {
    let (mut store, program) = load_program(db)?;
    match command {
        ControlCommand::List { json: as_json } => {
            if as_json {
                return emit(&json(&program.controls)?);
            }
            let mut out = String::new();
            for c in &program.controls {
                let n = program.links.iter().filter(|l| l.control == c.id).count();
                out.push_str(&format!(
                    "{:<10} {:<12} {:<50} {} ({n} links)\n",
                    c.id,
                    c.status.as_str(),
                    c.title,
                    c.owner
                ));
            }
            emit(&out)
        }
        ControlCommand::Add {
            id,
            title,
            description,
            owner,
            status,
            frequency,
        } => {
            let status = ControlStatus::parse(&status).ok_or_else(|| {
                anyhow!(
                    "unknown status `{status}`: use {}",
                    ControlStatus::ALL.map(ControlStatus::as_str).join(", ")
                )
            })?;
            apply(
                store.as_mut(),
                &[Change::AddControl(Control {
                    id: id.clone(),
                    title,
                    description,
                    owner,
                    status,
                    frequency,
                })],
            )?;
            emit(&format!("added control {id}\n"))
        }
        ControlCommand::Link {
            id,
            targets,
            partial,
        } => {
            let mut changes = Vec::new();
            for t in &targets {
                let (fw, req) = requirement(catalog, t)?;
                changes.push(Change::Link(ControlLink {
                    control: id.clone(),
                    framework: fw.id().clone(),
                    requirement: req,
                    coverage: if partial {
                        Coverage::Partial
                    } else {
                        Coverage::Full
                    },
                    origin: LinkOrigin::Manual,
                }));
            }
            apply(store.as_mut(), &changes)?;
            emit(&format!(
                "linked {id} to {} requirement(s)\n",
                changes.len()
            ))
        }
        ControlCommand::Import(args) => {
            let changes = import_controls(catalog, &program, &args)?;
            let controls = changes
                .iter()
                .filter(|c| matches!(c, Change::AddControl(_)))
                .count();
            apply(store.as_mut(), &changes)?;
            emit(&format!(
                "imported {controls} controls and {} requirement links from {}\n",
                changes.len() - controls,
                args.file.display()
            ))
        }
        ControlCommand::Status { id, status } => {
            let status = ControlStatus::parse(&status).ok_or_else(|| {
                anyhow!(
                    "unknown status `{status}`: use {}",
                    ControlStatus::ALL.map(ControlStatus::as_str).join(", ")
                )
            })?;
            apply(
                store.as_mut(),
                &[Change::SetControlStatus {
                    control: id.clone(),
                    status,
                }],
            )?;
            emit(&format!("{id} is now {}\n", status.as_str()))
        }
    }
}

/// Where evidence files are kept: `evidence/` beside a SQLite database, or in the user's
/// data directory for PostgreSQL.
pub fn evidence_dir(db: &str) -> PathBuf {
    let base = if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("crosswalk")
    } else {
        Path::new(db)
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    base.join("evidence")
}

/// Stores a file content-addressed (by SHA-256) under [`evidence_dir`]; returns its
/// address.
fn store_file(db: &str, file: &Path) -> Result<String> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("cannot read evidence file {}", file.display()))?;
    store_bytes(db, &bytes)
}

/// Stores content under [`evidence_dir`] by its SHA-256; returns `sha256:<hex>`.
pub fn store_bytes(db: &str, bytes: &[u8]) -> Result<String> {
    use sha2::Digest;
    let hex = format!("{:x}", sha2::Sha256::digest(bytes));
    let dir = evidence_dir(db).join(&hex[..2]);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dest = dir.join(&hex);
    if !dest.exists() {
        std::fs::write(&dest, bytes).with_context(|| format!("cannot write {}", dest.display()))?;
    }
    Ok(format!("sha256:{hex}"))
}

pub fn evidence(db: &str, command: EvidenceCommand) -> Result<()> {
    if let EvidenceCommand::Verify { package } = &command {
        return if crate::export_cmd::verify(package)? {
            Ok(())
        } else {
            bail!("{}: verification failed", package.display())
        };
    }
    let (mut store, program) = load_program(db)?;
    match command {
        EvidenceCommand::List { json: as_json } => {
            if as_json {
                return emit(&json(&program.evidence)?);
            }
            let today = today();
            let mut out = String::new();
            for e in &program.evidence {
                let state = if program.evidence_current(e, today) {
                    "current"
                } else {
                    "STALE"
                };
                out.push_str(&format!(
                    "{:<8} {:<7} collected {} {:<44} {}\n",
                    e.id,
                    state,
                    e.collected,
                    e.title,
                    e.controls.join(", ")
                ));
            }
            emit(&out)
        }
        EvidenceCommand::Verify { .. } => Ok(()),
        EvidenceCommand::Add {
            id,
            title,
            file,
            url,
            controls,
            collected,
            valid_until,
        } => {
            let location = match (file, url) {
                (Some(f), None) => store_file(db, &f)?,
                (None, Some(u)) => u,
                _ => bail!("give the evidence as --file PATH or --url URL"),
            };
            let collected = collected
                .map(|d| parse_date(&d, "--collected"))
                .transpose()?
                .unwrap_or_else(today);
            let valid_until = valid_until
                .map(|d| parse_date(&d, "--valid-until"))
                .transpose()?;
            let id = id.unwrap_or_else(|| format!("EV-{}", program.evidence.len() + 1));
            apply(
                store.as_mut(),
                &[Change::AddEvidence(Evidence {
                    id: id.clone(),
                    title,
                    location: location.clone(),
                    collected,
                    valid_until,
                    controls,
                })],
            )?;
            emit(&format!("recorded evidence {id} ({location})\n"))
        }
    }
}

pub fn plan(catalog: &Catalog, db: &str, output: Option<&Path>, as_json: bool) -> Result<()> {
    let mut store = open(db)?;
    let program = store.load().map_err(|e| anyhow!("{e}"))?;
    let today = today();
    let eval = evaluate(catalog, &program, today)?;
    let status = eval.status(&catalog.library);
    let plans = crosswalk_core::plan::plan(&catalog.library, &program.frameworks, &status, today);
    if let Some(out) = output {
        std::fs::write(out, crosswalk_core::plan::gantt_svg(&plans, today))
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    if as_json {
        return emit(&json(&plans)?);
    }
    let mut text = String::new();
    for p in &plans {
        let name = catalog
            .library
            .resolve(p.framework.as_str())
            .map_or_else(|| p.framework.to_string(), |f| f.meta.name.clone());
        text.push_str(&format!(
            "{name} — readiness {:.0}%{}{}\n",
            p.readiness * 100.0,
            p.target_date
                .map(|d| format!(", target {d}"))
                .unwrap_or_default(),
            p.late_by_weeks
                .map(|w| format!(" — cannot be met: finishes {w} weeks late"))
                .unwrap_or_default()
        ));
        for ph in &p.phases {
            text.push_str(&format!(
                "  {} → {}  {:>3} wk  {}\n",
                ph.start, ph.end, ph.weeks, ph.phase
            ));
        }
        text.push_str("  Audit calendar:\n");
        for e in &p.calendar {
            text.push_str(&format!("    {}  {}\n", e.date, e.event));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Rule: {}\n",
        textwrap::fill(crosswalk_core::plan::PLAN_RULE, 96)
    ));
    if let Some(out) = output {
        text.push_str(&format!("Gantt chart written to {}\n", out.display()));
    }
    emit(&text)
}

/// Reads a status as people write it in spreadsheets.
fn loose_status(s: &str) -> Option<ControlStatus> {
    let k = s.trim().to_lowercase().replace(['_', ' '], "-");
    ControlStatus::parse(&k).or(match k.as_str() {
        "" | "planned" | "todo" | "to-do" | "not-implemented" | "no" | "new" => {
            Some(ControlStatus::NotStarted)
        }
        "in-progress" | "wip" | "partial" | "partially-implemented" | "ongoing" => {
            Some(ControlStatus::InProgress)
        }
        "done" | "yes" | "implemented" | "in-place" | "complete" | "completed" => {
            Some(ControlStatus::Implemented)
        }
        "operational" | "effective" | "operating-effectively" | "live" => {
            Some(ControlStatus::Operating)
        }
        _ => None,
    })
}

/// The changes a control list makes; every problem is reported with its row, and none
/// are made unless there are none.
fn import_controls(
    catalog: &Catalog,
    program: &Program,
    args: &ControlImportArgs,
) -> Result<Vec<Change>> {
    let name = args.file.display().to_string();
    let table =
        crosswalk_sheets::read_table(&args.file, &name, args.sheet.as_deref(), args.header_row)
            .map_err(|e| anyhow!("{e}"))?;
    let col = |c: &str| -> Result<usize> {
        let parsed: crosswalk_sheets::Column =
            c.parse().map_err(|e| anyhow!("column `{c}`: {e}"))?;
        table.column(&parsed).map_err(|e| anyhow!("{name}: {e}"))
    };
    let opt = |c: &Option<String>| c.as_deref().map(col).transpose();
    let (id_c, title_c) = (col(&args.id_column)?, col(&args.title_column)?);
    let (desc_c, owner_c, status_c, freq_c) = (
        opt(&args.description_column)?,
        opt(&args.owner_column)?,
        opt(&args.status_column)?,
        opt(&args.frequency_column)?,
    );
    let reqs_c = opt(&args.requirements_column)?;
    let fw = args
        .framework
        .as_deref()
        .map(|f| resolve(catalog, f))
        .transpose()?;
    let cell = |row: &[String], c: Option<usize>| {
        c.map_or(String::new(), |c| {
            crosswalk_sheets::Table::cell(row, c).to_owned()
        })
    };
    let existing: std::collections::HashSet<&str> =
        program.controls.iter().map(|c| c.id.as_str()).collect();
    let mut seen = std::collections::HashMap::new();
    let mut problems = Vec::new();
    let mut controls = Vec::new();
    let mut links = Vec::new();
    let bar = progress(table.rows.len(), "checking controls");
    for (n, row) in &table.rows {
        bar.inc(1);
        let id = cell(row, Some(id_c));
        let title = cell(row, Some(title_c));
        let at = format!("{name}:{n}");
        if id.is_empty() {
            problems.push(format!("{at}: no control id"));
            continue;
        }
        if let Some(first) = seen.insert(id.clone(), *n) {
            problems.push(format!("{at}: control `{id}` is also on row {first}"));
        }
        if existing.contains(id.as_str()) {
            problems.push(format!(
                "{at}: control `{id}` already exists in the program"
            ));
        }
        if title.is_empty() {
            problems.push(format!("{at}: control `{id}` has no title"));
        }
        let raw = cell(row, status_c);
        let Some(status) = loose_status(&raw) else {
            problems.push(format!("{at}: unknown status `{raw}` (use not started, in progress, implemented or operating)"));
            continue;
        };
        if let (Some(fw), Some(_)) = (fw, reqs_c) {
            for r in cell(row, reqs_c)
                .split(args.split.as_str())
                .map(str::trim)
                .filter(|r| !r.is_empty())
            {
                match fw.find_loose(r) {
                    Some(req) => links.push(Change::Link(ControlLink {
                        control: id.clone(),
                        framework: fw.id().clone(),
                        requirement: req.id.clone(),
                        coverage: Coverage::Full,
                        origin: LinkOrigin::Manual,
                    })),
                    None => {
                        problems.push(format!("{at}: `{r}` is not a requirement of {}", fw.id()))
                    }
                }
            }
        }
        controls.push(Change::AddControl(Control {
            id,
            title,
            description: cell(row, desc_c),
            owner: cell(row, owner_c),
            status,
            frequency: cell(row, freq_c),
        }));
    }
    bar.finish_and_clear();
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(25);
        problems.truncate(25);
        if more > 0 {
            problems.push(format!("… and {more} more"));
        }
        bail!(
            "{} problem(s), nothing imported:\n{}",
            problems.len() + more - usize::from(more > 0),
            problems.join("\n")
        );
    }
    if controls.is_empty() {
        bail!("{name}: no controls below the header row");
    }
    controls.extend(links);
    Ok(controls)
}

pub fn policy(db: &str, command: PolicyCommand) -> Result<()> {
    let (mut store, program) = load_program(db)?;
    match command {
        PolicyCommand::List { json: as_json } => {
            if as_json {
                return emit(&json(&program.policies)?);
            }
            let today = today();
            let mut out = String::new();
            for p in &program.policies {
                out.push_str(&format!(
                    "{:<10} v{:<6} {:<44} approved {} by {}, next review {}{}\n",
                    p.id,
                    p.version,
                    p.title,
                    p.approved_on
                        .map_or_else(|| "— (awaiting approval)".into(), |d| d.to_string()),
                    if p.approved_by.is_empty() {
                        "—"
                    } else {
                        &p.approved_by
                    },
                    p.next_review.map_or_else(|| "—".into(), |d| d.to_string()),
                    if p.overdue(today) { "  OVERDUE" } else { "" }
                ));
            }
            emit(&out)
        }
        PolicyCommand::Set {
            id,
            title,
            version,
            owner,
            approved_by,
            approved_on,
            next_review,
            url,
        } => {
            let approved_on = approved_on
                .map(|d| parse_date(&d, "--approved-on"))
                .transpose()?;
            let next_review = match next_review {
                Some(d) => Some(parse_date(&d, "--next-review")?),
                None => approved_on.and_then(|d| d.checked_add(jiff::ToSpan::year(1)).ok()),
            };
            apply(
                store.as_mut(),
                &[Change::SetPolicy(crosswalk_core::program::Policy {
                    id: id.clone(),
                    title,
                    version: version.clone(),
                    owner,
                    approved_by,
                    approved_on,
                    next_review,
                    location: url,
                })],
            )?;
            emit(&format!("recorded {id} version {version}\n"))
        }
    }
}

/// A progress bar on standard error for long imports: drawn only on a terminal and only
/// for inputs large enough to take noticeable time.
pub fn progress(len: usize, what: &str) -> indicatif::ProgressBar {
    if len < 2_000 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} rows") {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}
