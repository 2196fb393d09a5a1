//! The gap report: readiness (chart and table) with its rule, readiness by domain, the
//! highest-ranked gaps, stale evidence and overdue policies — as blocks, rendered to
//! Markdown, HTML or PDF.

use crosswalk_core::library::Library;
use crosswalk_core::program::{
    Evaluation, FrameworkStatus, Freshness, Gap, LinkState, Program, RESULT_RULE,
};

use crate::ReportError;
use crate::doc::{self, Block};

/// Items a report lists under one heading before it counts the rest.
pub const MAX_LISTED: usize = 50;

/// The report's title.
pub fn title(program: &Program) -> String {
    format!(
        "Gap report: {}",
        program
            .info
            .as_ref()
            .map_or("", |i| i.organization.as_str())
    )
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

/// Formats a report can be rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
    Pdf,
}

impl ReportFormat {
    /// From a file extension (`md`, `markdown`, `html`, `htm`, `pdf`, any case).
    ///
    /// # Errors
    /// For any other extension.
    pub fn from_extension(ext: &str) -> Result<Self, ReportError> {
        match ext.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Self::Markdown),
            "html" | "htm" => Ok(Self::Html),
            "pdf" => Ok(Self::Pdf),
            other => Err(ReportError::Invalid(format!(
                "unknown report format `.{other}`: use .md, .html or .pdf"
            ))),
        }
    }
}

/// Renders blocks in a format.
pub fn render(title: &str, blocks: &[Block], format: ReportFormat) -> Vec<u8> {
    match format {
        ReportFormat::Markdown => doc::markdown(blocks).into_bytes(),
        ReportFormat::Html => doc::html(title, blocks).into_bytes(),
        ReportFormat::Pdf => crate::pdf::render(title, blocks),
    }
}

/// The risk register: the residual heat map, then the risks that need attention
/// (treatment not working, or residual above the acceptance criteria).
fn risks(program: &Program, fresh: &Freshness<'_>) -> Vec<Block> {
    use crosswalk_core::risk::{Effectiveness, effectiveness};
    if program.risks.is_empty() {
        return Vec::new();
    }
    let m = program.risk_matrix();
    let mut cells: Vec<Vec<doc::GridCell>> = m
        .grid
        .iter()
        .map(|row| {
            row.iter()
                .map(|l| doc::GridCell {
                    level: m.risk.get(*l).map(|x| x.name.clone()).unwrap_or_default(),
                    color: m.risk.get(*l).and_then(|x| x.color.clone()),
                    count: 0,
                })
                .collect()
        })
        .collect();
    let mut attention = Vec::new();
    let mut not_working = 0;
    for r in &program.risks {
        let at = r.residual();
        if let Some(c) = cells
            .get_mut(usize::from(at.likelihood).saturating_sub(1))
            .and_then(|row| row.get_mut(usize::from(at.impact).saturating_sub(1)))
        {
            c.count += 1;
        }
        let works = effectiveness(r, program, fresh);
        let acceptable = m.acceptable(at);
        if let Effectiveness::NotEffective { reasons } = &works {
            not_working += 1;
            attention.push(vec![
                r.id.clone(),
                r.title.clone(),
                m.level_name(at).unwrap_or_default().to_owned(),
                r.treatment.as_str().to_owned(),
                format!("Treatment not effective: {}", reasons.join("; ")),
            ]);
        } else if !acceptable && r.treatment == crosswalk_core::risk::Treatment::Modify {
            attention.push(vec![
                r.id.clone(),
                r.title.clone(),
                m.level_name(at).unwrap_or_default().to_owned(),
                r.treatment.as_str().to_owned(),
                match r.target {
                    Some(t) => format!(
                        "Above the acceptance criteria; target {}",
                        m.level_name(t).unwrap_or_default()
                    ),
                    None => "Above the acceptance criteria; no target set".into(),
                },
            ]);
        }
    }
    let acceptable = program
        .risks
        .iter()
        .filter(|r| m.acceptable(r.residual()))
        .count();
    let mut out = vec![
        Block::Heading("Risks".into()),
        Block::Para(format!(
            "{} risks in the register; {acceptable} within the acceptance criteria (residual up to {}), {not_working} with a treatment that is not working today. A treatment works when every control treating the risk is implemented or operating with current evidence, or, for a retained risk, while its acceptance is in force.",
            program.risks.len(),
            m.risk.get(m.acceptable).map_or("?", |l| l.name.as_str())
        )),
        Block::RiskGrid(doc::RiskGrid {
            title: format!("Residual risk on the {} matrix (risks per cell)", m.name),
            likelihood: m.likelihood.iter().map(|l| l.name.clone()).collect(),
            impact: m.impact.iter().map(|l| l.name.clone()).collect(),
            cells,
        }),
    ];
    if !attention.is_empty() {
        out.push(Block::Table {
            headers: ["Risk", "Title", "Residual", "Treatment", "Attention"]
                .map(str::to_owned)
                .to_vec(),
            widths: vec![0.7, 3.0, 1.0, 1.0, 3.5],
            rows: attention,
        });
    }
    out
}

/// Internal audits, open nonconformities and management reviews (clauses 9.2, 9.3, 10.2).
fn management(program: &Program, today: jiff::civil::Date) -> Vec<Block> {
    let r = &program.records;
    if r.audits.is_empty()
        && r.nonconformities.is_empty()
        && r.reviews.is_empty()
        && r.impact_assessments.is_empty()
        && r.processing.is_empty()
    {
        return Vec::new();
    }
    let year_ago = today.saturating_sub(jiff::Span::new().years(1));
    let mut facts = Vec::new();
    match r
        .audits
        .iter()
        .filter_map(|a| a.performed.map(|d| (d, a)))
        .max_by_key(|(d, _)| *d)
    {
        Some((d, a)) => facts.push(format!(
            "Last internal audit: {} {} on {d} by {}, {} finding(s){}.",
            a.id,
            a.title,
            if a.auditor.is_empty() {
                "an unnamed auditor"
            } else {
                a.auditor.as_str()
            },
            a.findings.len(),
            if d < year_ago {
                " — more than a year ago"
            } else {
                ""
            }
        )),
        None => facts.push("No internal audit performed yet (clause 9.2).".into()),
    }
    match r.reviews.iter().max_by_key(|v| v.held_on) {
        Some(v) => {
            let missing = v.missing_inputs();
            facts.push(format!(
                "Last management review: {} on {}{}{}.",
                v.id,
                v.held_on,
                if v.held_on < year_ago {
                    " — more than a year ago"
                } else {
                    ""
                },
                if missing.is_empty() {
                    String::new()
                } else {
                    format!("; clause 9.3.2 inputs not recorded: {}", missing.join(", "))
                }
            ));
        }
        None => facts.push("No management review recorded yet (clause 9.3).".into()),
    }
    let open: Vec<Vec<String>> = r
        .nonconformities
        .iter()
        .filter(|n| n.is_open())
        .map(|n| {
            vec![
                n.id.clone(),
                n.grade.as_str().replace('-', " "),
                n.title.clone(),
                n.requirements.join(", "),
                if n.root_cause.is_empty() {
                    "not recorded".into()
                } else {
                    n.root_cause.clone()
                },
                n.due.map_or_else(String::new, |d| {
                    if d < today {
                        format!("{d} (overdue)")
                    } else {
                        d.to_string()
                    }
                }),
            ]
        })
        .collect();
    for i in &r.impact_assessments {
        let unanswered = i.unanswered();
        let risks: Vec<&str> = i
            .findings
            .iter()
            .flat_map(|f| f.risks.iter().map(String::as_str))
            .collect();
        facts.push(format!(
            "Impact assessment {} ({}) of {}, performed {}{}{}{}.",
            i.id,
            match i.kind {
                crosswalk_core::ms::ImpactKind::AiSystem => "AI system impact",
                crosswalk_core::ms::ImpactKind::Dpia => "DPIA",
            },
            i.subject,
            i.performed,
            if i.approved_by.is_empty() {
                ", not approved".to_owned()
            } else {
                format!(", approved by {}", i.approved_by)
            },
            if risks.is_empty() {
                String::new()
            } else {
                format!("; findings carried by {}", risks.join(", "))
            },
            if unanswered.is_empty() {
                String::new()
            } else {
                format!("; unanswered: {}", unanswered.join(", "))
            },
        ));
    }
    if !r.processing.is_empty() {
        let incomplete: Vec<String> = r
            .processing
            .iter()
            .filter(|p| !p.missing().is_empty())
            .map(|p| format!("{} ({})", p.id, p.missing().join(", ")))
            .collect();
        facts.push(format!(
            "Records of processing (GDPR Article 30): {} activities{}.",
            r.processing.len(),
            if incomplete.is_empty() {
                String::new()
            } else {
                format!("; entries missing in {}", incomplete.join("; "))
            }
        ));
    }
    facts.push(format!(
        "{} nonconformities, {} open; an open one caps the result of the requirements it cites.",
        r.nonconformities.len(),
        open.len()
    ));
    let mut out = vec![
        Block::Heading(
            "Management system: audits, reviews, impact assessments, nonconformities".into(),
        ),
        Block::Bullets(facts),
    ];
    if !open.is_empty() {
        out.push(Block::Table {
            headers: [
                "Nonconformity",
                "Grade",
                "Title",
                "Requirements",
                "Root cause",
                "Due",
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![1.0, 1.4, 3.0, 2.0, 2.5, 1.2],
            rows: open,
        });
    }
    out
}

/// Links per framework in scope, by origin and review state: what counts and what waits.
fn links(lib: &Library, eval: &Evaluation<'_>) -> Vec<Block> {
    let program = eval.program();
    let mut rows = Vec::new();
    let mut waiting = 0;
    for (index, _) in &eval.frameworks {
        let fw = &lib.frameworks()[*index];
        // manual, direct accepted, tool or inferred accepted, proposed, rejected
        let mut n = [0usize; 5];
        for l in program.links.iter().filter(|l| &l.framework == fw.id()) {
            let slot = match (l.state, l.origin.label()) {
                (LinkState::Accepted, "manual") => 0,
                (LinkState::Accepted, "official" | "curated") => 1,
                (LinkState::Accepted, _) => 2,
                (LinkState::Proposed, _) => 3,
                (LinkState::Rejected, _) => 4,
            };
            n[slot] += 1;
        }
        waiting += n[3];
        let mut row = vec![fw.meta.name.clone()];
        row.extend(n.iter().map(ToString::to_string));
        rows.push(row);
    }
    vec![
        Block::Heading("Control links and their review".into()),
        Block::Para(format!(
            "Only accepted links count. {waiting} crosswalk proposals await review (`crosswalk links list --state proposed`); rejected links are kept so they are not proposed again."
        )),
        Block::Table {
            headers: [
                "Framework",
                "Manual #",
                "Official or curated, accepted #",
                "Tool or inferred, accepted #",
                "Proposed #",
                "Rejected #",
            ]
            .map(str::to_owned)
            .to_vec(),
            widths: vec![3.0, 1.0, 1.6, 1.6, 1.1, 1.1],
            rows,
        },
    ]
}

/// The gap report as blocks: readiness (chart and table) with the rule, links by review
/// state, risks (heat map and the ones needing attention), readiness by domain, the 40 highest-ranked gaps, stale evidence and overdue policies.
pub fn blocks(
    lib: &Library,
    eval: &Evaluation<'_>,
    gaps: &[Gap],
    fresh: &Freshness<'_>,
) -> Vec<Block> {
    let program = eval.program();
    let today = fresh.today();
    let rows = eval.status(lib);
    let scope = program.info.as_ref().map_or("", |i| i.scope.as_str());
    let name = |id: &str| {
        lib.resolve(id)
            .map_or_else(|| id.to_owned(), |f| f.meta.name.clone())
    };
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let mut b = vec![
        Block::Title(title(program)),
        Block::Para(format!("As of {today}. Scope: {scope}")),
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
    b.extend(links(lib, eval));
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
    b.extend(risks(program, fresh));
    b.extend(management(program, today));
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
    let stale_items: Vec<_> = program
        .evidence
        .iter()
        .filter(|e| !fresh.current(e))
        .collect();
    let stale_count = stale_items.len();
    let mut stale: Vec<String> = stale_items
        .iter()
        .take(MAX_LISTED)
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
        "{} evidence items, {} stale (past their valid-until date or, without one, past their control's cadence window; see the rule above).",
        program.evidence.len(),
        stale_count
    )));
    if stale_count > MAX_LISTED {
        stale.push(format!(
            "… and {} more: `crosswalk evidence list` lists every item with its state",
            stale_count - MAX_LISTED
        ));
    }
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
    b
}
