//! Pages that look across: gaps and the plan (with the Gantt chart and the exports), and
//! the standards (any two compared, a requirement's mappings through the crosswalk, the
//! overlap heatmap).

use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use crosswalk_app::access::Action;
use crosswalk_app::program::{GapRow, PlanOptions};
use crosswalk_app::standards;
use serde::Deserialize;

use crate::api::Shared;
use crate::api::{PathOf, Problem};
use crate::state::Credentials;
use crate::web::{PageError, Shell, html, program_page};

/// A link to an export download.
pub struct ExportLink {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    shell: Shell,
    title: String,
    gaps: Vec<GapRow>,
    total: usize,
    gantt: String,
    calendar: Vec<(String, String, String)>,
    late: Vec<(String, i64)>,
    exports: Vec<ExportLink>,
}

/// `GET /programs/{program}/plan`: the gaps whose fix counts for the most frameworks, the
/// plan's Gantt chart and audit calendar, and the exports.
pub async fn plan(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/plan");
    program_page(
        st,
        creds,
        program,
        "plan",
        Action::Read,
        path,
        |s, shell| {
            let in_scope: Vec<String> = s
                .program()
                .map_err(Problem::from)?
                .frameworks
                .iter()
                .map(|f| f.framework.to_string())
                .collect();
            let (gaps, total) = if in_scope.is_empty() {
                (Vec::new(), 0)
            } else {
                let g = s.gaps(25).map_err(Problem::from)?;
                (g.rows, g.total)
            };
            let (gantt, calendar, late) = if in_scope.is_empty() {
                (String::new(), Vec::new(), Vec::new())
            } else {
                let p = s.plan(&PlanOptions::default()).map_err(Problem::from)?;
                let mut calendar: Vec<(String, String, String)> = p
                    .plans
                    .iter()
                    .flat_map(|f| {
                        f.calendar
                            .iter()
                            .map(|e| (e.date.to_string(), f.framework.to_string(), e.event.clone()))
                    })
                    .collect();
                calendar.sort();
                let late = p
                    .plans
                    .iter()
                    .filter_map(|f| f.late_by_weeks.map(|w| (f.framework.to_string(), w)))
                    .collect();
                (p.gantt_svg, calendar, late)
            };
            let base = format!("/api/v1/programs/{}/exports", shell.program);
            let mut exports = Vec::new();
            for fw in &in_scope {
                exports.push(ExportLink {
                    label: format!("Statement of Applicability, {fw} (XLSX)"),
                    href: format!("{base}/soa?framework={fw}&format=xlsx"),
                });
                exports.push(ExportLink {
                    label: format!("Statement of Applicability, {fw} (PDF)"),
                    href: format!("{base}/soa?framework={fw}&format=pdf"),
                });
                exports.push(ExportLink {
                    label: format!("Control matrix, {fw} (XLSX)"),
                    href: format!("{base}/matrix?framework={fw}"),
                });
                exports.push(ExportLink {
                    label: format!("OSCAL assessment results, {fw} (JSON)"),
                    href: format!("{base}/oscal-ar?framework={fw}"),
                });
            }
            for (label, q) in [
                ("Gap report (PDF)", "report?format=pdf"),
                ("Gap report (HTML)", "report?format=html"),
                ("Evidence package (ZIP)", "evidence"),
                ("Plan of action and milestones (XLSX)", "poam"),
            ] {
                exports.push(ExportLink {
                    label: label.into(),
                    href: format!("{base}/{q}"),
                });
            }
            Ok(html(&PlanPage {
                title: "Gaps and plan".into(),
                shell,
                gaps,
                total,
                gantt,
                calendar,
                late,
                exports,
            }))
        },
    )
    .await
}

/// A mapping found from a requirement.
pub struct MappingLine {
    pub to: String,
    pub title: String,
    pub relationship: String,
    pub provenance: String,
    pub path: Vec<String>,
}

#[derive(Template)]
#[template(path = "standards.html")]
struct StandardsPage {
    shell: Shell,
    title: String,
    frameworks: Vec<(String, String)>,
    a: String,
    b: String,
    overlap: Option<(String, String, String, String, String)>,
    req: String,
    mappings: Vec<MappingLine>,
    error: Option<String>,
    heatmap: String,
    text: String,
    found: Vec<(String, String, String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StandardsQuery {
    a: Option<String>,
    b: Option<String>,
    req: Option<String>,
    /// Words to search requirements for.
    text: Option<String>,
}

/// The overlap heatmap of the built-in library: drawn once per process.
fn heatmap(catalog: &crosswalk_library::Catalog) -> String {
    static SVG: OnceLock<String> = OnceLock::new();
    SVG.get_or_init(|| standards::matrix_svg(&standards::matrix(catalog, false)))
        .clone()
}

/// `GET /programs/{program}/standards?a&b&req`: two standards compared, the crosswalk
/// from one requirement, and the heatmap.
pub async fn standards_page(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Query(q): Query<StandardsQuery>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/standards");
    program_page(
        st,
        creds,
        program,
        "standards",
        Action::Read,
        path,
        move |s, shell| {
            let catalog = s.catalog;
            let frameworks = standards::frameworks(catalog)
                .into_iter()
                .filter(|f| f.assessable_count > 0)
                .map(|f| (f.id.to_owned(), f.name.to_owned()))
                .collect();
            // Shown by edition id, as the choices are.
            let edition = |x: Option<String>, default: &str| {
                let x = x.unwrap_or_else(|| default.to_owned());
                standards::resolve(catalog, &x).map_or(x, |f| f.id().to_string())
            };
            let a = edition(q.a, "soc2");
            let b = edition(q.b, "iso27001");
            let req = q.req.unwrap_or_default();
            let mut error = None;
            let overlap = match standards::overlap(catalog, &a, &b, false) {
                Ok(o) => Some((
                    o.rule.clone(),
                    format!("{} of {}", o.a_in_b.full, o.a_in_b.total),
                    format!("{} in part", o.a_in_b.partial),
                    format!("{} of {}", o.b_in_a.full, o.b_in_a.total),
                    format!("{} in part", o.b_in_a.partial),
                )),
                Err(e) => {
                    error = Some(e.to_string());
                    None
                }
            };
            let mappings = if req.trim().is_empty() {
                Vec::new()
            } else {
                match standards::map(catalog, req.trim(), None, 2) {
                    Ok(found) => found
                        .into_iter()
                        .map(|m| MappingLine {
                            to: m.to,
                            title: m.title.to_owned(),
                            relationship: m.relationship.as_str().to_owned(),
                            provenance: format!(
                                "{} ({})",
                                m.provenance.kind.as_str(),
                                m.provenance.publisher
                            ),
                            path: m.path.iter().map(|h| h.to.clone()).collect(),
                        })
                        .collect(),
                    Err(e) => {
                        error = Some(e.to_string());
                        Vec::new()
                    }
                }
            };
            let text = q.text.unwrap_or_default();
            let found = if text.trim().is_empty() {
                Vec::new()
            } else {
                match standards::search(catalog, &text, None, 30) {
                    Ok(rows) => rows
                        .into_iter()
                        .map(|r| {
                            (
                                r.framework.to_owned(),
                                r.id.to_owned(),
                                r.title.to_owned(),
                                r.summary.to_owned(),
                            )
                        })
                        .collect(),
                    Err(e) => {
                        error = Some(e.to_string());
                        Vec::new()
                    }
                }
            };
            Ok(html(&StandardsPage {
                title: "Standards".into(),
                text,
                found,
                heatmap: heatmap(catalog),
                shell,
                frameworks,
                a,
                b,
                overlap,
                req,
                mappings,
                error,
            }))
        },
    )
    .await
}
