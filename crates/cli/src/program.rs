//! Program and OSCAL commands: parse flags into `crosswalk-app` requests, show results as
//! terminal text or JSON, write documents where the user asked.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use crosswalk_app::Clock;
use crosswalk_app::program::{
    AddFramework, AssessInput, ControlImport, EvidenceSource, NewControl, NewEvidence, PlanOptions,
    Session, StatusReport, date,
};
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::program::{FrameworkStatus, Policy, ProgramInfo, RESULT_RULE, Target};
use crosswalk_library::Catalog;
use crosswalk_report::gap::{ReportFormat, status_cells};
use crosswalk_report::soa::SoaFormat;

use crate::commands::{emit, emit_json, read_input, write_file};
use crate::text;
use crate::{
    AssessCommand, AuditCommand, Command, ControlCommand, EvidenceCommand, ExportCommand,
    OscalCommand, PolicyCommand, ProgramCommand, ProgramExport,
};

/// Largest evidence file or maturity-scale file read (512 MiB).
const MAX_FILE: u64 = 512 << 20;

/// The user's data directory for crosswalk (`~/.local/share/crosswalk` on Linux).
fn data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("crosswalk")
}

/// Who runs the command: the operating-system user (`USER`, `USERNAME` on Windows).
pub fn actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

/// Where the program lives when `--db` is not given: `program.db` in the data directory.
pub fn default_db() -> String {
    data_dir().join("program.db").display().to_string()
}

/// Runs `work` with a spinner on standard error while a large input (over 1 MB) is read.
pub fn spinning<T>(file: &Path, work: impl FnOnce() -> T) -> T {
    let spinner = if std::fs::metadata(file).is_ok_and(|m| m.len() > 1 << 20) {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(format!("reading {}", file.display()));
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    } else {
        indicatif::ProgressBar::hidden()
    };
    let out = work();
    spinner.finish_and_clear();
    out
}

/// Readiness as a table, with the rule.
pub fn status_text(rows: &[FrameworkStatus], today: jiff::civil::Date) -> String {
    let mut t = text::table(text::Style::detect());
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

fn domains_text(report: &StatusReport) -> String {
    let mut text = String::new();
    for (name, domains) in &report.domains {
        text.push_str(&format!("\n{name} by domain\n"));
        for (domain, s) in domains {
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
    text
}

/// What adding a framework inherited, overall and by top-level heading.
pub fn added_text(a: &crosswalk_app::program::Added) -> String {
    let p = &a.proposal;
    let direct = p.direct_links();
    let mut out = format!(
        "{}: {} of {} assessable requirements covered by existing controls, {} partially, {} new\n",
        a.name, p.covered, p.total, p.partial, p.new
    );
    if a.by_domain.len() > 1 {
        for d in &a.by_domain {
            out.push_str(&format!(
                "  {}: {} of {} covered, {} partially, {} new\n",
                d.domain, d.covered, d.total, d.partial, d.new
            ));
        }
    }
    let verb = match (a.linked, a.accepted) {
        (false, _) => "proposed (not recorded: --no-links)".to_owned(),
        (true, 0) => "proposed, waiting for review".to_owned(),
        (true, n) => format!(
            "recorded; {n} official or curated accepted (--accept direct), the rest proposed"
        ),
    };
    out.push_str(&format!(
        "  {} control links {verb} ({direct} from official or curated mappings, {} tool-stated or inferred).\n  Only accepted links count: review with `crosswalk links list --framework {} --state proposed`, then `crosswalk links accept`. No link marks anything compliant: results follow from each control's status and evidence.\n",
        p.links.len(),
        p.links.len() - direct,
        p.framework
    ));
    out
}

fn show_program(catalog: &Catalog, s: &mut Session<'_>, as_json: bool) -> Result<()> {
    let program = s.program()?;
    if as_json {
        return emit_json(&program);
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

/// A listing: the items as a JSON array with `--json`, else one line each.
fn listing<R, J: serde::Serialize>(
    rows: &[R],
    as_json: bool,
    item: impl Fn(&R) -> &J,
    line: impl Fn(&R) -> String,
) -> Result<()> {
    if as_json {
        return emit_json(&rows.iter().map(item).collect::<Vec<_>>());
    }
    let mut out = String::new();
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    emit(&out)
}

/// Runs a program command.
pub fn run(
    catalog: &Catalog,
    db: &str,
    db_given: bool,
    chosen: Option<&str>,
    command: Command,
    clock: Clock,
) -> Result<()> {
    if let Command::Evidence {
        command: EvidenceCommand::Verify { package },
    } = &command
    {
        return verify(package);
    }
    if let Command::Demo { scale } = command {
        return demo(catalog, db_given.then_some(db), scale, clock);
    }
    let target = program_target(db, chosen)?;
    let mut s = Session::open(catalog, &target, clock, &actor())?;
    match command {
        Command::Init {
            organization,
            scope,
            systems,
            json: as_json,
        } => {
            let info = ProgramInfo {
                organization,
                scope,
                systems,
            };
            let created = s.init(info.clone())?;
            if as_json {
                return emit_json(&info);
            }
            let verb = if created { "created" } else { "updated" };
            emit(&format!(
                "{verb} the program for {} in {db}\n",
                info.organization.trim()
            ))
        }
        Command::Program { command } => program(catalog, &mut s, command),
        Command::Control { command } => control(&mut s, command),
        Command::Links { command } => crate::registers::links(&mut s, command),
        Command::Risk { command } => crate::registers::risk(&mut s, command),
        Command::Ms { command } => crate::registers::ms(&mut s, command),
        Command::Collect { command } => crate::registers::collect(&mut s, command),
        Command::Checks { command } => crate::monitor::checks(Some(&mut s), command, clock.now),
        Command::Monitor { command } => crate::monitor::monitor(&mut s, command),
        Command::Evidence { command } => evidence(&mut s, command),
        Command::Audit { command } => audit(&mut s, command),
        Command::Policy { command } => policy(&mut s, command),
        Command::Assess { command } => assess(&mut s, command),
        Command::Gaps {
            limit,
            json: as_json,
        } => {
            let report = s.gaps(limit)?;
            if as_json {
                return emit_json(&report.rows);
            }
            let mut out = format!(
                "{} open requirements across {} frameworks; the {} that advance the most first.\n\
                 Rank: frameworks a fix counts for (the requirement's own, plus in-scope frameworks whose open requirements it maps to through the crosswalk), then non-compliant before partial, then document order.\n\n",
                report.total,
                report.frameworks,
                report.rows.len()
            );
            for g in &report.rows {
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
        Command::Plan {
            output,
            window_months,
            audits,
            json: as_json,
        } => {
            let mut audit_dates = Vec::new();
            for a in &audits {
                let (fw, day) = a
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--audit `{a}`: expected FW=YYYY-MM-DD"))?;
                let day = date(Some(day), &format!("--audit {fw}"))?
                    .ok_or_else(|| anyhow!("--audit `{a}`: no date"))?;
                audit_dates.push((fw.to_owned(), day));
            }
            let options = PlanOptions {
                window_months,
                audit_dates,
            };
            plan(&mut s, &options, output.as_deref(), as_json)
        }
        Command::Export {
            what,
            json: as_json,
        } => export(&mut s, what, as_json),
        _ => Ok(()),
    }
}

/// The store of the program named by `--program` (with one program, the main one).
pub fn program_target(db: &str, program: Option<&str>) -> Result<String> {
    let mut reg = crosswalk_app::access::open(db)?;
    Ok(crosswalk_app::access::program_target(&mut reg, program)?.1)
}

fn audit(s: &mut Session<'_>, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify { json } => {
            let v = s.audit_verify()?;
            if json {
                emit_json(&v)?;
            } else if v.intact {
                emit(&format!(
                    "The audit trail is intact: {} entries, head {}.\n",
                    v.entries, v.head
                ))?;
            }
            match v.first_bad {
                None => Ok(()),
                Some(bad) => Err(anyhow!(
                    "the audit trail is broken at entry {}: {}",
                    bad.seq,
                    bad.problem
                )),
            }
        }
        AuditCommand::Log { after, limit, json } => {
            let entries = s.audit_entries(after, limit)?;
            if json {
                return emit_json(&entries);
            }
            let mut out = String::new();
            for e in &entries {
                out.push_str(&format!(
                    "{:>6}  {}  {}  {} {}\n",
                    e.seq, e.at, e.actor, e.action, e.target
                ));
            }
            if entries.is_empty() {
                out.push_str("No entries.\n");
            }
            emit(&crate::commands::terminal_safe(&out))
        }
    }
}

/// Where the demo goes when no --db is given: `demo.db` in the data directory.
fn demo_db(db: Option<&str>) -> String {
    db.map_or_else(
        || {
            Path::new(&default_db())
                .with_file_name("demo.db")
                .display()
                .to_string()
        },
        str::to_owned,
    )
}

/// The sample program for `serve --demo`: rebuilt in the default demo database, built in
/// a given one unless it holds a program already. Returns the database.
pub fn build_demo(catalog: &Catalog, db: Option<&str>, clock: Clock) -> Result<String> {
    let given = db.is_some();
    let db = demo_db(db);
    if !given {
        remove_demo_files(&db);
    }
    let mut s = Session::open(catalog, &db, clock, &actor())?;
    if s.program().is_err() {
        let d = crosswalk_app::demo::build(&mut s)?;
        emit(&format!(
            "Built the sample program in {db}: Northwind Analytics, {} controls, {} frameworks in scope.\n",
            d.controls,
            d.status.frameworks.len()
        ))?;
    }
    Ok(db)
}

fn remove_demo_files(db: &str) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db}{suffix}"));
    }
    let _ = std::fs::remove_dir_all(format!("{db}.programs"));
}

fn demo(catalog: &Catalog, db: Option<&str>, scale: Option<usize>, clock: Clock) -> Result<()> {
    let given = db.is_some();
    let db = demo_db(db);
    if let Some(n) = scale {
        let mut s = Session::open(catalog, &db, clock, &actor())?;
        let built = crosswalk_app::demo::build_scaled(&mut s, n)?;
        return emit(&format!(
            "Built a synthetic program in {db}: {} controls, {} evidence items, {} links, {} frameworks in scope.\n",
            built.controls, built.evidence, built.links, built.frameworks
        ));
    }
    // The default demo database is rebuilt on every run.
    if !given {
        remove_demo_files(&db);
    }
    let mut s = Session::open(catalog, &db, clock, &actor())?;
    let d = crosswalk_app::demo::build(&mut s)?;
    let mut out = format!(
        "Built the sample program in {db}: Northwind Analytics, a SaaS company with {} controls of its own, mapped to SOC 2 (Type 2: Security, Availability, Confidentiality).\n\n",
        d.controls
    );
    for (label, a) in &d.added {
        out.push_str(&format!("{label}\n{}\n", added_text(a)));
    }
    out.push_str(&status_text(&d.status.frameworks, d.status.today));
    out.push_str(&format!(
        "\n{} open requirements. The five whose fix counts for the most frameworks:\n",
        d.gaps.total
    ));
    for g in &d.gaps.rows {
        out.push_str(&format!(
            "  {}:{} {} — advances {} frameworks\n",
            g.framework, g.requirement, g.title, g.frameworks_advanced
        ));
    }
    out.push_str(&format!(
        "\nNext: crosswalk --db {db} program show | assess status --domains | assess trend | gaps | plan -o plan.svg | links list --state proposed | control show IAM-01 | risk list | ms list | evidence list | policy list | export soa --framework iso27001 -o soa.pdf | export report -o report.html\n"
    ));
    emit(&out)
}

fn program(catalog: &Catalog, s: &mut Session<'_>, command: ProgramCommand) -> Result<()> {
    match command {
        ProgramCommand::List { .. } | ProgramCommand::Create { .. } => Ok(()),
        ProgramCommand::Show { json: as_json } => show_program(catalog, s, as_json),
        ProgramCommand::Remove { framework } => {
            let fw = s.remove_framework(&framework)?;
            emit(&format!(
                "took {fw} out of the program's scope (its links and assessments are kept)\n"
            ))
        }
        ProgramCommand::Maturity {
            set,
            reset,
            json: as_json,
        } => {
            if reset {
                s.set_maturity_scale(None)?;
                return emit("the maturity scale is back to the default (0–5)\n");
            }
            if let Some(file) = set {
                let bytes = read_input(&file, "maturity scales", MAX_FILE)?;
                s.set_maturity_scale(Some((&file.display().to_string(), &bytes)))?;
                return emit(&format!("set the maturity scale from {}\n", file.display()));
            }
            let scale = s.maturity_scale()?;
            if as_json {
                return emit_json(&scale);
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
            date: day,
            no_links,
            accept,
            window_months,
            json: as_json,
        } => {
            let added = s.add_framework(&AddFramework {
                framework,
                target,
                categories: category,
                date: date(day.as_deref(), "--date")?,
                link: !no_links,
                accept_direct: accept == "direct",
                window_months,
            })?;
            if as_json {
                emit_json(&added)
            } else {
                emit(&added_text(&added))
            }
        }
    }
}

fn control(s: &mut Session<'_>, command: ControlCommand) -> Result<()> {
    match command {
        ControlCommand::List { json: as_json } => listing(
            &s.controls()?,
            as_json,
            |r| &r.control,
            |r| {
                let c = &r.control;
                format!(
                    "{:<10} {:<12} {:<50} {} ({} links)",
                    c.id,
                    c.status.as_str(),
                    c.title,
                    c.owner,
                    r.links
                )
            },
        ),
        ControlCommand::Add {
            id,
            title,
            description,
            owner,
            status,
            frequency,
        } => {
            let c = s.add_control(NewControl {
                id,
                title,
                description,
                owner,
                status,
                frequency,
            })?;
            emit(&format!("added control {}\n", c.id))
        }
        ControlCommand::Link {
            id,
            targets,
            partial,
        } => {
            let n = s.link(&id, &targets, partial)?;
            emit(&format!("linked {id} to {n} requirement(s)\n"))
        }
        ControlCommand::Import(a) => {
            let file = a.file.clone();
            let imported = spinning(&file, || {
                s.import_controls(&ControlImport {
                    file: a.file,
                    sheet: a.sheet,
                    header_row: a.header_row,
                    id_column: a.id_column,
                    title_column: a.title_column,
                    description_column: a.description_column,
                    owner_column: a.owner_column,
                    status_column: a.status_column,
                    frequency_column: a.frequency_column,
                    requirements_column: a.requirements_column,
                    framework: a.framework,
                    split: a.split,
                })
            })?;
            emit(&format!(
                "imported {} controls and {} requirement links from {}\n",
                imported.controls,
                imported.links,
                file.display()
            ))
        }
        ControlCommand::Show { id, json: as_json } => {
            let detail = s.control(&id)?;
            if as_json {
                return emit_json(&detail);
            }
            emit(&text::control(&detail))
        }
        ControlCommand::Unlink { id, targets } => {
            for t in &targets {
                let l = s.unlink(&id, t)?;
                emit(&format!(
                    "removed {} ({} {}): {id} → {}:{}\n",
                    l.id,
                    l.origin,
                    l.state.as_str(),
                    l.framework,
                    l.requirement
                ))?;
            }
            Ok(())
        }
        ControlCommand::Status { id, status } => {
            let st = s.set_control_status(&id, &status)?;
            emit(&format!("{id} is now {}\n", st.as_str()))
        }
    }
}

fn evidence(s: &mut Session<'_>, command: EvidenceCommand) -> Result<()> {
    match command {
        EvidenceCommand::List { json: as_json } => listing(
            &s.evidence()?,
            as_json,
            |r| &r.evidence,
            |r| {
                let e = &r.evidence;
                format!(
                    "{:<8} {:<7} collected {} {:<44} {}",
                    e.id,
                    if r.current { "current" } else { "STALE" },
                    e.collected,
                    e.title,
                    e.controls.join(", ")
                )
            },
        ),
        EvidenceCommand::Verify { package } => verify(&package),
        EvidenceCommand::Add {
            id,
            title,
            file,
            url,
            controls,
            collected,
            valid_until,
        } => {
            let source = match (file, url) {
                (Some(f), None) => {
                    EvidenceSource::File(read_input(&f, "evidence files", MAX_FILE)?)
                }
                (None, Some(u)) => EvidenceSource::Url(u),
                _ => bail!("give the evidence as --file PATH or --url URL"),
            };
            let e = s.add_evidence(NewEvidence {
                id,
                title,
                source,
                controls,
                collected: date(collected.as_deref(), "--collected")?,
                valid_until: date(valid_until.as_deref(), "--valid-until")?,
            })?;
            emit(&format!("recorded evidence {} ({})\n", e.id, e.location))
        }
    }
}

fn verify(package: &Path) -> Result<()> {
    let bytes = read_input(package, "evidence packages", 4 << 30)?;
    let v = crosswalk_app::export::verify_package(std::io::Cursor::new(bytes))
        .map_err(|e| anyhow!("{}: {e}", package.display()))?;
    if v.problems.is_empty() {
        emit(&format!(
            "ok: {} files match the manifest's SHA-256 ({} items)\n",
            v.checked, v.items
        ))
    } else {
        eprintln!("{}", crate::commands::terminal_safe(&v.problems.join("\n")));
        bail!("{}: verification failed", package.display())
    }
}

fn policy(s: &mut Session<'_>, command: PolicyCommand) -> Result<()> {
    match command {
        PolicyCommand::List { json: as_json } => listing(
            &s.policies()?,
            as_json,
            |r| &r.policy,
            |r| {
                let p = &r.policy;
                format!(
                    "{:<10} v{:<6} {:<44} approved {} by {}, next review {}{}",
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
                    if r.overdue { "  OVERDUE" } else { "" }
                )
            },
        ),
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
            let p = s.set_policy(Policy {
                id,
                title,
                version,
                owner,
                approved_by,
                approved_on: date(approved_on.as_deref(), "--approved-on")?,
                next_review: date(next_review.as_deref(), "--next-review")?,
                location: url,
            })?;
            emit(&format!("recorded {} version {}\n", p.id, p.version))
        }
    }
}

fn assess(s: &mut Session<'_>, command: AssessCommand) -> Result<()> {
    match command {
        AssessCommand::Status {
            json: as_json,
            domains,
        } => {
            let report = s.status(domains && !as_json)?;
            if as_json {
                return emit_json(&report.frameworks);
            }
            let mut text = status_text(&report.frameworks, report.today);
            text.push_str(&domains_text(&report));
            emit(&text)
        }
        AssessCommand::SignOff { target, reviewer } => {
            let (fw, req) = s.sign_off(&target, &reviewer)?;
            emit(&format!(
                "{} signed off the assessment of {fw}:{req}\n",
                reviewer.trim()
            ))
        }
        AssessCommand::Snapshot => {
            let n = s.snapshot()?;
            emit(&format!(
                "recorded the readiness of {n} frameworks on {}\n",
                s.clock.today
            ))
        }
        AssessCommand::Trend { json: as_json } => {
            let snaps = s.trend()?;
            if as_json {
                return emit_json(&snaps);
            }
            if snaps.is_empty() {
                return emit("no snapshots yet: `crosswalk assess snapshot` records one\n");
            }
            let mut frameworks: Vec<&FrameworkId> = Vec::new();
            for st in snaps.iter().flat_map(|s| &s.status) {
                if !frameworks.contains(&&st.framework) {
                    frameworks.push(&st.framework);
                }
            }
            let mut out = format!("{:<12}", "date");
            for f in &frameworks {
                out.push_str(&format!(" {:>16}", f.as_str()));
            }
            out.push('\n');
            for snap in &snaps {
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
            included_for,
            planned,
            maturity,
            grade,
            assessor,
        } => {
            let (fw, req) = s.assess(AssessInput {
                target,
                result,
                reason,
                not_applicable,
                justification,
                maturity,
                grade,
                assessor,
                included_for,
                planned: date(planned.as_deref(), "--planned")?,
            })?;
            emit(&format!("recorded the assessment of {fw}:{req}\n"))
        }
    }
}

fn plan(
    s: &mut Session<'_>,
    options: &PlanOptions,
    output: Option<&Path>,
    as_json: bool,
) -> Result<()> {
    let report = s.plan(options)?;
    if let Some(out) = output {
        write_file(out, report.gantt_svg.as_bytes())?;
    }
    if as_json {
        return emit_json(&report.plans);
    }
    let mut text = String::new();
    for (p, name) in report.plans.iter().zip(&report.names) {
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

fn export(s: &mut Session<'_>, what: ProgramExport, as_json: bool) -> Result<()> {
    let (doc, output) = match what {
        ProgramExport::Soa { framework, output } => {
            let ext = output.extension().and_then(|e| e.to_str()).unwrap_or("");
            (
                s.export_soa(&framework, SoaFormat::from_extension(ext)?)?,
                output,
            )
        }
        ProgramExport::Matrix { framework, output } => (s.export_matrix(&framework)?, output),
        ProgramExport::Risks { output } => (s.export_risks()?, output),
        ProgramExport::Poam { output } => (s.export_poam()?, output),
        ProgramExport::Report { output } => {
            let ext = output.extension().and_then(|e| e.to_str()).unwrap_or("");
            (s.export_report(ReportFormat::from_extension(ext)?)?, output)
        }
        ProgramExport::OscalAr { framework, output } => (s.export_oscal_ar(&framework)?, output),
        ProgramExport::Evidence { output } => (s.export_evidence()?, output),
    };
    write_file(&output, &doc.bytes)?;
    let said = format!("wrote {} to {}", doc.what, output.display());
    if as_json {
        return emit_json(&serde_json::json!({
            "kind": doc.kind,
            "output": output.display().to_string(),
            "message": said,
        }));
    }
    emit(&format!("{said}\n"))
}

/// Runs an `oscal` command; the library is loaded from `dirs` only where needed.
pub fn oscal(dirs: &[&Path], command: OscalCommand, clock: Clock) -> Result<()> {
    match command {
        OscalCommand::Resolve {
            profile,
            catalog,
            output,
        } => {
            let body = crosswalk_app::oscal::resolve_profile(&profile, catalog.as_deref())?;
            let n = crosswalk_oscal::controls(&body).len();
            let doc = serde_json::json!({ "catalog": body });
            match &output {
                Some(out) => {
                    use std::io::Write as _;
                    let file = std::fs::File::create(out)
                        .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?;
                    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
                    serde_json::to_writer_pretty(&mut w, &doc)
                        .map_err(std::io::Error::from)
                        .and_then(|()| w.write_all(b"\n"))
                        .and_then(|()| w.flush())
                        .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?;
                    eprintln!("resolved {n} controls into {}", out.display());
                }
                None => emit_json(&doc)?,
            }
            // The process ends here: skip freeing the document tree piece by piece.
            std::mem::forget(doc);
            Ok(())
        }
        OscalCommand::Import(a) => {
            let files = crosswalk_app::oscal::import(
                dirs,
                &crosswalk_app::oscal::OscalImport {
                    file: a.file,
                    id: a.id,
                    output: a.output,
                    catalog: a.catalog,
                    include_text: a.include_text,
                    keep_withdrawn: a.keep_withdrawn,
                    from: a.from,
                    to: a.to,
                },
            )?;
            for f in &files {
                write_file(&f.path, f.text.as_bytes())?;
                if f.kind == "framework" {
                    emit(&format!(
                        "imported framework {}: {} requirements, {} assessable → {}\nuse it with --library {}\n",
                        f.id,
                        f.count,
                        f.assessable,
                        f.path.display(),
                        f.path
                            .parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .unwrap_or(Path::new("."))
                            .display()
                    ))?;
                } else {
                    emit(&format!(
                        "imported {} mappings → {}\n",
                        f.count,
                        f.path.display()
                    ))?;
                }
            }
            Ok(())
        }
        OscalCommand::Export { what } => {
            let catalog = crosswalk_library::load(dirs)?;
            let (text, output) = match what {
                ExportCommand::Catalog { framework, output } => (
                    crosswalk_app::oscal::export_catalog(&catalog, &framework, clock.now)?,
                    output,
                ),
                ExportCommand::Mapping { from, to, output } => (
                    crosswalk_app::oscal::export_mapping(&catalog, &from, &to, clock.now)?,
                    output,
                ),
            };
            match output {
                Some(p) => write_file(&p, text.as_bytes()),
                None => emit(&text),
            }
        }
    }
}
