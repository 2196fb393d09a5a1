//! Terminal rendering: headings, wrapped paragraphs and tables. Colour only on a colour
//! terminal and never when `NO_COLOR` is set.

use std::collections::HashMap;
use std::fmt::Write;
use std::io::IsTerminal;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use crosswalk_core::compare::{Comparison, MappingTable, Side};
use crosswalk_core::framework::Framework;
use crosswalk_core::ids::RequirementId;
use crosswalk_core::library::Library;
use crosswalk_core::profile::Profile;
use owo_colors::OwoColorize;

use crosswalk_app::standards::{MapJson, MatrixJson, OverlapJson, SearchRow};
use crosswalk_core::crosswalk::OverlapCount;
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::mapping::ProvenanceKind;

/// Output width when standard output is not a terminal, so piped output is stable.
const PIPE_WIDTH: usize = 100;

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    pub fn detect() -> Self {
        let width = if std::io::stdout().is_terminal() {
            Table::new()
                .width()
                .map_or(PIPE_WIDTH, usize::from)
                .clamp(60, 160)
        } else {
            PIPE_WIDTH
        };
        Self {
            color: supports_color::on(supports_color::Stream::Stdout).is_some(),
            width,
        }
    }

    fn heading(&self, s: &str) -> String {
        if self.color {
            s.bold().cyan().to_string()
        } else {
            s.to_owned()
        }
    }

    fn strong(&self, s: &str) -> String {
        if self.color {
            s.bold().to_string()
        } else {
            s.to_owned()
        }
    }

    fn dim(&self, s: &str) -> String {
        if self.color {
            s.dimmed().to_string()
        } else {
            s.to_owned()
        }
    }
}

pub fn table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(style.width as u16);
    t
}

fn section(out: &mut String, style: Style, title: &str) {
    let _ = writeln!(
        out,
        "\n{}\n{}",
        style.heading(title),
        style.dim(&"─".repeat(title.chars().count()))
    );
}

fn para(out: &mut String, style: Style, text: &str) {
    for line in textwrap::wrap(text, style.width) {
        let _ = writeln!(out, "{line}");
    }
}

fn bullets(out: &mut String, style: Style, items: &[String]) {
    let opts = textwrap::Options::new(style.width)
        .initial_indent("  • ")
        .subsequent_indent("    ");
    for i in items {
        for line in textwrap::wrap(i, &opts) {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn side(out: &mut String, style: Style, s: &Side<'_>) {
    let p = s.profile;
    let _ = writeln!(
        out,
        "\n{}",
        style.strong(&format!("{} — {}", s.name, p.full_name))
    );
    para(
        out,
        style,
        &format!(
            "{} ({}, {}; current version {}).",
            p.what_it_is,
            p.nature.label(),
            p.publisher,
            p.current_version
        ),
    );
    let mut parts: Vec<String> = p
        .structure
        .elements
        .iter()
        .map(|e| match e.count {
            Some(c) => format!("{} ({c})", e.name),
            None => e.name.clone(),
        })
        .collect();
    if s.requirement_count > 0 {
        parts.push(format!(
            "crosswalk catalog {}: {} requirements, {} assessable",
            s.id, s.requirement_count, s.assessable_count
        ));
    }
    para(
        out,
        style,
        &format!(
            "Key components: {} {}",
            p.structure.summary,
            parts.join("; ")
        ),
    );
    let (lo, hi) = p.timeline_weeks();
    let phases: Vec<String> = p
        .timeline
        .iter()
        .map(|ph| format!("{} {}–{} wk", ph.phase, ph.min_weeks, ph.max_weeks))
        .collect();
    para(
        out,
        style,
        &format!("Implementation ({lo}–{hi} weeks): {}.", phases.join("; ")),
    );
}

/// Every assessable requirement of `a` by domain, with the typed mappings into `b`.
fn mapping_table(out: &mut String, style: Style, c: &Comparison<'_>, t: &MappingTable) {
    let (a, b) = (&c.standards.a, &c.standards.b);
    section(out, style, "Requirement-level mapping");
    for g in &t.groups {
        let _ = writeln!(
            out,
            "{}",
            style.strong(&format!("{} {}", g.domain, g.title))
        );
        let mut tb = table(style);
        tb.set_header(vec![a.name, "Covered", b.name]);
        for r in &g.rows {
            let mut to: Vec<String> = r
                .targets
                .iter()
                .map(|x| {
                    let via = x
                        .via
                        .as_ref()
                        .map(|v| format!(" via {v}"))
                        .unwrap_or_default();
                    format!(
                        "{} ({}, {}{via})",
                        x.id,
                        x.relationship.as_str(),
                        x.provenance.as_str()
                    )
                })
                .collect();
            if r.more > 0 {
                to.push(format!("and {} more inferred", r.more));
            }
            tb.add_row(vec![
                format!("{} {}", r.id, r.title),
                r.coverage.as_str().to_owned(),
                if to.is_empty() {
                    "—".to_owned()
                } else {
                    to.join("; ")
                },
            ]);
        }
        let _ = writeln!(out, "{tb}");
    }
    if !t.unreached.is_empty() {
        let items: Vec<String> = t
            .unreached
            .iter()
            .map(|u| format!("{} {}", u.id, u.title))
            .collect();
        let _ = writeln!(
            out,
            "{}",
            style.strong(&format!(
                "{} requirements nothing in {} reaches ({})",
                b.name,
                a.name,
                items.len()
            ))
        );
        bullets(out, style, &items);
    }
}

/// The comparison page for the terminal.
pub fn comparison(c: &Comparison<'_>, style: Style) -> String {
    let mut out = String::new();
    let (a, b) = (&c.standards.a, &c.standards.b);
    let _ = writeln!(out, "{}", style.heading(&c.title));
    for s in [a, b] {
        para(
            &mut out,
            style,
            &format!("{} ({}): {}", s.name, s.publisher, s.profile.tagline),
        );
    }
    section(&mut out, style, "Quick verdict");
    para(&mut out, style, &c.verdict);
    section(&mut out, style, "Key features");
    for s in [a, b] {
        let _ = writeln!(out, "{}", style.strong(s.name));
        bullets(&mut out, style, &s.profile.key_features);
    }
    section(&mut out, style, "What each is");
    side(&mut out, style, a);
    side(&mut out, style, b);
    section(&mut out, style, "Key differences");
    let mut t = table(style);
    t.set_header(vec!["Aspect", a.name, b.name]);
    for d in &c.differences {
        t.add_row(vec![d.aspect, d.a.as_str(), d.b.as_str()]);
    }
    let _ = writeln!(out, "{t}");
    section(&mut out, style, "Computed overlap");
    match &c.overlap {
        None => para(
            &mut out,
            style,
            &format!(
                "No mapping links {} and {} in the library, directly or through one other framework, so no overlap is claimed.",
                a.name, b.name
            ),
        ),
        Some(o) => {
            if o.inferred {
                let via: Vec<&str> = o.via.iter().map(|v| v.as_str()).collect();
                para(
                    &mut out,
                    style,
                    &format!(
                        "Inferred overlap: no mapping links them directly; these figures come from chains through {}.",
                        crosswalk_core::compare::join_and(&via)
                    ),
                );
            }
            let mut t = table(style);
            t.set_header(vec!["Direction", "Assessable", "Full", "Partial", "None"]);
            for (x, y, n) in [(a, b, &o.a_in_b), (b, a, &o.b_in_a)] {
                t.add_row(vec![
                    format!("{} covered by {}", x.name, y.name),
                    n.total.to_string(),
                    format!("{} ({:.0}%)", n.full, n.full_pct()),
                    n.partial.to_string(),
                    n.none.to_string(),
                ]);
            }
            let _ = writeln!(out, "{t}");
            para(&mut out, style, &format!("Counting rule: {}", o.rule));
            para(&mut out, style, &o.claim);
            for (x, y, rows) in [(a, b, &c.domains.0), (b, a, &c.domains.1)] {
                if rows.is_empty() {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "\n{}",
                    style.strong(&format!("{} by domain, mapped to {}", x.name, y.name))
                );
                let mut t = table(style);
                t.set_header(vec![
                    "Domain",
                    "Assessable",
                    "Full",
                    "Partial",
                    "None",
                    "Maps mostly to",
                ]);
                for r in rows {
                    let to: Vec<String> = r
                        .mapped_to
                        .iter()
                        .map(|(d, n)| format!("{d} ({n})"))
                        .collect();
                    t.add_row(vec![
                        format!("{} {}", r.domain, r.title),
                        r.count.total.to_string(),
                        r.count.full.to_string(),
                        r.count.partial.to_string(),
                        r.count.none.to_string(),
                        if to.is_empty() {
                            "—".to_owned()
                        } else {
                            to.join(", ")
                        },
                    ]);
                }
                let _ = writeln!(out, "{t}");
            }
        }
    }
    if let Some(t) = &c.mapping_table {
        mapping_table(&mut out, style, c, t);
    }
    section(&mut out, style, "Similarities");
    bullets(&mut out, style, &c.similarities);
    section(&mut out, style, "Which to choose when");
    for (s, items) in [(a, &c.choose_when.a), (b, &c.choose_when.b)] {
        let _ = writeln!(out, "{}", style.strong(s.name));
        bullets(&mut out, style, items);
    }
    section(&mut out, style, "How to do both");
    let steps: Vec<String> = c
        .combined_strategy
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect();
    for s in steps {
        let opts = textwrap::Options::new(style.width).subsequent_indent("   ");
        for line in textwrap::wrap(&s, &opts) {
            let _ = writeln!(out, "{line}");
        }
    }
    if !c.notes.is_empty() {
        section(&mut out, style, "Notes and commonly misstated facts");
        bullets(&mut out, style, &c.notes);
    }
    if !c.related.is_empty() {
        section(&mut out, style, "Related comparisons");
        let items: Vec<String> = c
            .related
            .iter()
            .map(|r| format!("{}  (crosswalk compare {} {})", r.title, r.a, r.b))
            .collect();
        bullets(&mut out, style, &items);
    }
    let _ = writeln!(out);
    for line in textwrap::wrap(crosswalk_report::CREDIT, style.width) {
        let _ = writeln!(out, "{}", style.dim(&line));
    }
    out
}

/// `frameworks list` as a table.
pub fn framework_list(lib: &Library) -> String {
    let style = Style::detect();
    let mut t = table(style);
    t.set_header(vec![
        "Id",
        "Short id",
        "Name",
        "Version",
        "Publisher",
        "Requirements",
        "Assessable",
    ]);
    for f in lib.frameworks() {
        let short = if f.meta.current {
            f.meta.family.as_str()
        } else {
            ""
        };
        t.add_row(vec![
            f.id().to_string(),
            short.to_owned(),
            f.meta.name.clone(),
            f.meta.version.clone(),
            f.meta.publisher.clone(),
            f.requirements().len().to_string(),
            f.assessable_count().to_string(),
        ]);
    }
    format!("{t}\n")
}

/// `frameworks show` as a header and an indented tree.
pub fn framework(
    f: &Framework,
    profile: Option<&Profile>,
    depth: Option<usize>,
    style: Style,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.heading(&format!("{} ({})", f.meta.name, f.id()))
    );
    let _ = writeln!(
        out,
        "{} · version {} · {} requirements, {} assessable",
        f.meta.publisher,
        f.meta.version,
        f.requirements().len(),
        f.assessable_count()
    );
    if let Some(p) = profile {
        para(
            &mut out,
            style,
            &format!("{} {}", p.nature.label(), p.tagline),
        );
    }
    for n in &f.meta.notes {
        para(&mut out, style, &format!("Note: {n}"));
    }
    if let Some(src) = &f.meta.source {
        para(&mut out, style, &format!("Source: {src}"));
    }
    let _ = writeln!(out);
    let tree = Tree {
        style,
        reqs: f.requirements(),
        children: f.children(),
        depth,
    };
    tree.walk(&mut out, None, "", 1);
    out
}

/// Draws a requirement tree with box-drawing branches.
struct Tree<'a> {
    style: Style,
    reqs: &'a [crosswalk_core::framework::Requirement],
    children: HashMap<Option<&'a RequirementId>, Vec<usize>>,
    depth: Option<usize>,
}

impl Tree<'_> {
    fn walk(&self, out: &mut String, parent: Option<&RequirementId>, prefix: &str, level: usize) {
        if self.depth.is_some_and(|d| level > d) {
            return;
        }
        let Some(kids) = self.children.get(&parent) else {
            return;
        };
        for (n, &i) in kids.iter().enumerate() {
            let last = n + 1 == kids.len();
            let r = &self.reqs[i];
            let (branch, cont) = match (level, last) {
                (1, _) => ("", ""),
                (_, true) => ("└─ ", "   "),
                (_, false) => ("├─ ", "│  "),
            };
            let id = if r.assessable {
                self.style.strong(r.id.as_str())
            } else {
                self.style.heading(r.id.as_str())
            };
            let _ = writeln!(out, "{prefix}{branch}{id}  {}", r.title);
            self.walk(out, Some(&r.id), &format!("{prefix}{cont}"), level + 1);
        }
    }
}

/// `search` results as a ranked table.
pub fn search(query: &str, rows: &[SearchRow<'_>]) -> String {
    let style = Style::detect();
    if rows.is_empty() {
        return format!("no requirement matches “{query}”\n");
    }
    let mut t = table(style);
    t.set_header(vec!["#", "Framework", "Id", "Title", "Summary"]);
    for (i, r) in rows.iter().enumerate() {
        let summary: String = if r.summary.chars().count() > 90 {
            format!("{}…", r.summary.chars().take(89).collect::<String>())
        } else {
            r.summary.to_owned()
        };
        t.add_row(vec![
            (i + 1).to_string(),
            r.framework.to_owned(),
            r.id.to_owned(),
            r.title.to_owned(),
            summary,
        ]);
    }
    format!("{t}\n")
}

/// `map` results, one mapping a line with its provenance and any inferred path.
pub fn map(rows: &[MapJson<'_>], target: &str) -> String {
    if rows.is_empty() {
        return format!("no mappings for {target}\n");
    }
    let mut out = String::new();
    for r in rows {
        let kind = match r.provenance.kind {
            ProvenanceKind::Inferred => "INFERRED",
            other => other.as_str(),
        };
        let _ = writeln!(
            out,
            "{} {} {}  {}  [{kind}: {}]",
            r.from,
            r.relationship.as_str(),
            r.to,
            r.title,
            r.provenance.source
        );
        for h in &r.path {
            let _ = writeln!(
                out,
                "    via {} {} {} ({}{})",
                h.from,
                h.relationship.as_str(),
                h.to,
                h.set,
                if h.reversed { ", inverse" } else { "" }
            );
        }
    }
    out
}

/// `overlap A B` both ways, with the rule.
pub fn overlap(o: &OverlapJson<'_>) -> String {
    let line = |x: &FrameworkId, y: &FrameworkId, c: &OverlapCount| {
        format!(
            "{x} in {y}: {} of {} assessable requirements fully covered ({:.0}%), {} partially ({:.0}% at least partly), {} not covered\n",
            c.full,
            c.total,
            c.full_pct(),
            c.partial,
            c.any_pct(),
            c.none
        )
    };
    let mut out = line(o.a, o.b, &o.a_in_b);
    out.push_str(&line(o.b, o.a, &o.b_in_a));
    out.push_str("\nRule: ");
    out.push_str(&o.rule);
    out.push('\n');
    out
}

/// The overlap matrix as a table of full-coverage percentages.
pub fn matrix(m: &MatrixJson<'_>) -> String {
    let mut out = String::from("full % (row covered by column)\n");
    let _ = write!(out, "{:>18}", "");
    for (j, _) in m.frameworks.iter().enumerate() {
        let _ = write!(out, "{:>5}", j + 1);
    }
    out.push('\n');
    for (i, fw) in m.frameworks.iter().enumerate() {
        let _ = write!(out, "{:>2} {:<15}", i + 1, fw.as_str());
        for c in &m.cells[i] {
            let _ = write!(out, "{:>5.0}", c.full_pct());
        }
        out.push('\n');
    }
    out.push_str("\nRule: ");
    out.push_str(&m.rule);
    out.push('\n');
    out
}

/// Links as a table: number, control, requirement, coverage, origin, state, path.
pub fn links(rows: &[crosswalk_app::links::LinkView]) -> String {
    if rows.is_empty() {
        return "no links match\n".into();
    }
    let mut t = table(Style::detect());
    t.set_header([
        "link",
        "control",
        "requirement",
        "coverage",
        "origin",
        "state",
        "via",
    ]);
    for l in rows {
        t.add_row([
            l.id.clone(),
            l.control.clone(),
            format!("{}:{} {}", l.framework, l.requirement, l.title),
            l.coverage.as_str().to_owned(),
            l.origin.to_owned(),
            l.state.as_str().to_owned(),
            l.path.join(" → "),
        ]);
    }
    format!("{t}\n{} link(s)\n", rows.len())
}

/// A control, its links and its evidence.
pub fn control(d: &crosswalk_app::links::ControlDetail) -> String {
    let c = &d.control;
    let mut out = format!(
        "{} {}\nstatus {}, owner {}, cadence {}\n",
        c.id,
        c.title,
        c.status.as_str(),
        or_dash(&c.owner),
        or_dash(&c.frequency)
    );
    if !c.description.is_empty() {
        let _ = writeln!(out, "{}", c.description);
    }
    if !d.risks.is_empty() {
        let _ = writeln!(out, "Treats: {}", d.risks.join("; "));
    }
    if !d.checks.is_empty() {
        let _ = writeln!(out, "Tested by scanner checks: {}", d.checks.join(", "));
    }
    out.push_str("\nLinks (only accepted ones count)\n");
    out.push_str(&links(&d.links));
    out.push_str("\nEvidence\n");
    for e in &d.evidence {
        let _ = writeln!(
            out,
            "  {} {} (collected {}{})",
            e.evidence.id,
            e.evidence.title,
            e.evidence.collected,
            if e.current { "" } else { ", stale" }
        );
    }
    if d.evidence.is_empty() {
        out.push_str("  none\n");
    }
    out
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "—" } else { s }
}

/// The risk register as a table: id, title, owner, inherent level, treatment, residual,
/// whether the treatment works, controls.
pub fn risks(rows: &[crosswalk_app::risk::RiskView]) -> String {
    if rows.is_empty() {
        return "no risks yet: add one with `crosswalk risk add --title T --likelihood L --impact I`\n".into();
    }
    let mut t = table(Style::detect());
    t.set_header([
        "risk",
        "title",
        "owner",
        "inherent",
        "treatment",
        "residual",
        "treatment works",
        "controls",
    ]);
    for r in rows {
        let works = match &r.effectiveness {
            crosswalk_core::risk::Effectiveness::Effective => "yes".to_owned(),
            crosswalk_core::risk::Effectiveness::NotEffective { reasons } => {
                format!("NO: {}", reasons.join("; "))
            }
        };
        t.add_row([
            r.id.clone(),
            r.title.clone(),
            r.owner.clone(),
            format!("{} ({}×{})", r.level, r.likelihood, r.impact),
            r.treatment.as_str().to_owned(),
            format!(
                "{}{}",
                r.residual,
                if r.acceptable { " (acceptable)" } else { "" }
            ),
            works,
            r.controls.join(", "),
        ]);
    }
    format!("{t}\n{} risk(s)\n", rows.len())
}

/// A matrix as a grid of risk levels, most likely first.
pub fn matrix_grid(m: &crosswalk_app::risk::MatrixSummary) -> String {
    let mut t = table(Style::detect());
    let mut header = vec!["likelihood \\ impact".to_owned()];
    header.extend(m.impact.iter().cloned());
    t.set_header(header);
    for (i, row) in m.grid.iter().enumerate().rev() {
        let mut cells = vec![m.likelihood.get(i).cloned().unwrap_or_default()];
        cells.extend(row.iter().cloned());
        t.add_row(cells);
    }
    format!(
        "{} ({} × {}, {} risk levels)\n{t}\nAcceptance criteria: a residual risk up to {} may be retained with its owner's acceptance; anything above is treated.\n",
        m.name, m.likelihood_levels, m.impact_levels, m.risk_levels, m.acceptable
    )
}

/// Management-system records: audits with their findings, nonconformities, reviews.
pub fn records(r: &crosswalk_app::ms::RecordsView) -> String {
    let mut out = String::from("Internal audits\n");
    for a in &r.audits {
        let _ = writeln!(
            out,
            "  {} {} — {}, by {}, planned {}{}: {} finding(s)",
            a.id,
            a.title,
            or_dash(&a.scope),
            or_dash(&a.auditor),
            a.planned,
            a.performed
                .map(|d| format!(", performed {d}"))
                .unwrap_or_default(),
            a.findings.len()
        );
        for f in &a.findings {
            let _ = writeln!(
                out,
                "    [{}] {}{}",
                f.grade.as_str(),
                f.description,
                f.nonconformity
                    .as_deref()
                    .map(|n| format!(" → {n}"))
                    .unwrap_or_default()
            );
        }
    }
    out.push_str("Nonconformities\n");
    for n in &r.nonconformities {
        let nc = &n.nonconformity;
        let _ = writeln!(
            out,
            "  {} [{}] {} — {}{}; requirements {}; {} action(s)",
            nc.id,
            nc.grade.as_str(),
            nc.title,
            if n.open { "OPEN" } else { "closed" },
            if n.overdue { ", OVERDUE" } else { "" },
            if nc.requirements.is_empty() {
                "—".into()
            } else {
                nc.requirements.join(", ")
            },
            nc.actions.len()
        );
    }
    out.push_str("Impact assessments\n");
    for i in &r.impact_assessments {
        let a = &i.assessment;
        let _ = writeln!(
            out,
            "  {} [{}] {} — performed {}, {} finding(s){}",
            a.id,
            a.kind.as_str(),
            a.subject,
            a.performed,
            a.findings.len(),
            if i.unanswered.is_empty() {
                String::new()
            } else {
                format!("; unanswered: {}", i.unanswered.join(", "))
            }
        );
    }
    out.push_str("Records of processing\n");
    for p in &r.processing {
        let _ = writeln!(
            out,
            "  {} {} — {}{}{}",
            p.processing.id,
            p.processing.name,
            p.processing.purposes,
            if p.dpias.is_empty() {
                String::new()
            } else {
                format!("; DPIA {}", p.dpias.join(", "))
            },
            if p.missing.is_empty() {
                String::new()
            } else {
                format!("; Article 30(1) entries missing: {}", p.missing.join(", "))
            }
        );
    }
    out.push_str("Management reviews\n");
    for v in &r.reviews {
        let _ = writeln!(
            out,
            "  {} held {} with {}; {} decision(s){}",
            v.review.id,
            v.review.held_on,
            or_dash(&v.review.attendees.join(", ")),
            v.review.decisions.len(),
            if v.missing_inputs.is_empty() {
                String::new()
            } else {
                format!(
                    "; clause 9.3.2 inputs not recorded: {}",
                    v.missing_inputs.join(", ")
                )
            }
        );
    }
    out
}
