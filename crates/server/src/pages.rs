//! The program's pages: dashboard, frameworks and their requirements, controls, evidence,
//! evidence requests, the audit log and administration. Each gathers what it shows from
//! `crates/app` (confined to the caller's view) into a template.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::access::{self, Action};
use crosswalk_app::collab::Activity;
use crosswalk_app::links::{ControlDetail, RequirementRow};
use crosswalk_app::program::{Dashboard, NewControl};
use crosswalk_core::collab::{Assignment, Comment};
use crosswalk_core::program::{Control, FrameworkStatus, Outcome, RESULT_RULE};
use serde::Deserialize;

use crate::api::Shared;
use crate::api::{PathOf, Problem};
use crate::state::Credentials;
use crate::web::{PageError, PageForm, Shell, html, program_page};

/// Rows shown per page of a long listing.
pub const PER_PAGE: usize = 100;

/// Where a listing is: the page shown and links to the pages around it.
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The rows of page `page` (1-based) of `rows`, and the pager; `link` makes the URL of
    /// another page.
    pub fn cut<T>(rows: Vec<T>, page: usize, link: impl Fn(usize) -> String) -> (Vec<T>, Self) {
        let total = rows.len();
        let pages = total.div_ceil(PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let shown = rows
            .into_iter()
            .skip((page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .collect();
        (
            shown,
            Self {
                page,
                pages,
                total,
                prev: (page > 1).then(|| link(page - 1)),
                next: (page < pages).then(|| link(page + 1)),
            },
        )
    }
}

/// A query string value, encoded.
fn q(v: &str) -> String {
    crate::web::path_segment(v)
}

/// A readiness figure as a percentage.
fn pct(r: f64) -> String {
    format!("{:.0}", (r * 100.0).clamp(0.0, 100.0))
}

/// A framework's counts for display.
pub struct Readiness {
    pub framework: String,
    pub name: String,
    pub percent: String,
    pub compliant: usize,
    pub partial: usize,
    pub non_compliant: usize,
    pub not_assessed: usize,
    pub not_applicable: usize,
    pub total: usize,
}

/// A framework's name as the library gives it (its id when unknown).
fn fw_name(s: &crosswalk_app::program::Session<'_>, id: &str) -> String {
    s.catalog
        .library
        .resolve(id)
        .map_or_else(|| id.to_owned(), |fw| fw.meta.name.clone())
}

fn readiness(s: &crosswalk_app::program::Session<'_>, f: &FrameworkStatus) -> Readiness {
    Readiness {
        framework: f.framework.to_string(),
        name: fw_name(s, f.framework.as_str()),
        percent: pct(f.readiness),
        compliant: f.compliant,
        partial: f.partial,
        non_compliant: f.non_compliant,
        not_assessed: f.not_assessed,
        not_applicable: f.not_applicable,
        total: f.total,
    }
}

/// A domain line under a framework.
pub struct Domain {
    pub name: String,
    pub percent: String,
    pub total: usize,
}

/// One snapshot of the trend: the date and each framework's readiness.
pub struct TrendRow {
    pub date: String,
    pub values: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    title: String,
    d: Dashboard,
    frameworks: Vec<(Readiness, Vec<Domain>)>,
    rule: &'static str,
    trend: Vec<TrendRow>,
    trend_svg: String,
    mine: Vec<Assignment>,
    activity: Vec<Activity>,
    calendar: Vec<(String, String, String)>,
}

/// `GET /programs/{program}`: readiness per framework and domain, evidence freshness,
/// the trend, the audit calendar, the caller's assignments and recent activity.
pub async fn dashboard(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}");
    program_page(
        st,
        creds,
        program,
        "dashboard",
        Action::Read,
        path,
        |s, shell| {
            let o = s.overview().map_err(Problem::from)?;
            let d = o.dashboard.clone();
            let frameworks = d
                .frameworks
                .iter()
                .map(|f| {
                    let name = fw_name(s, f.framework.as_str());
                    let domains = o
                        .domains
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, ds)| {
                            ds.iter()
                                .map(|(n, x)| Domain {
                                    name: n.clone(),
                                    percent: pct(x.readiness),
                                    total: x.total,
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    (readiness(s, f), domains)
                })
                .collect();
            let trend = o
                .trend
                .iter()
                .map(|snap| TrendRow {
                    date: snap.taken_on.to_string(),
                    values: snap
                        .status
                        .iter()
                        .map(|f| (f.framework.to_string(), pct(f.readiness)))
                        .collect(),
                })
                .collect();
            let mine = s
                .assignments()
                .map_err(Problem::from)?
                .into_iter()
                .filter(|a| a.assignee == shell.user)
                .collect();
            let activity = s.recent_activity(10).map_err(Problem::from)?;
            let calendar = o
                .calendar
                .iter()
                .take(8)
                .map(|(d, fw, e)| (d.to_string(), fw.clone(), e.clone()))
                .collect();
            Ok(html(&DashboardPage {
                title: "Dashboard".into(),
                shell,
                d,
                frameworks,
                rule: RESULT_RULE,
                trend,
                trend_svg: o.trend_svg.clone(),
                mine,
                activity,
                calendar,
            }))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "frameworks.html")]
struct FrameworksPage {
    shell: Shell,
    title: String,
    frameworks: Vec<Readiness>,
    /// Current editions not in scope: id and name.
    available: Vec<(String, String)>,
    can_edit: bool,
}

/// `GET /programs/{program}/frameworks`: the frameworks in scope with their readiness.
pub async fn frameworks(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/frameworks");
    program_page(
        st,
        creds,
        program,
        "frameworks",
        Action::Read,
        path,
        |s, shell| {
            let d = s.dashboard().map_err(Problem::from)?;
            let frameworks: Vec<Readiness> = d.frameworks.iter().map(|f| readiness(s, f)).collect();
            let available = crosswalk_app::standards::frameworks(s.catalog)
                .into_iter()
                .filter(|f| f.current && !frameworks.iter().any(|r| r.framework == f.id))
                .map(|f| (f.id.to_owned(), f.name.to_owned()))
                .collect();
            Ok(html(&FrameworksPage {
                title: "Frameworks".into(),
                can_edit: shell.role.allows(Action::Edit),
                shell,
                frameworks,
                available,
            }))
        },
    )
    .await
}

/// A requirement line with its result as a badge.
pub struct ReqLine {
    pub row: RequirementRow,
    pub result: &'static str,
    pub class: &'static str,
    pub derived: &'static str,
    /// The group it opens in the tree (its parent, when the row before had another).
    pub group: Option<String>,
}

pub(crate) fn outcome(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Compliant => ("compliant", "ok"),
        Outcome::PartiallyCompliant => ("partially compliant", "warn"),
        Outcome::NonCompliant => ("non-compliant", "bad"),
        Outcome::NotApplicable => ("not applicable", ""),
        Outcome::NotAssessed => ("not assessed", ""),
    }
}

#[derive(Template)]
#[template(path = "requirements.html")]
struct RequirementsPage {
    shell: Shell,
    title: String,
    framework: String,
    fw_id: String,
    lines: Vec<ReqLine>,
    filter: String,
    /// The domains (top-level groups) to filter by: (id, label), and the one chosen.
    domains: Vec<(String, String)>,
    domain: String,
    /// Who has work assigned here (on a requirement or on one of its controls), and the
    /// one chosen.
    assignees: Vec<String>,
    assignee: String,
}

#[derive(Debug, Deserialize)]
pub struct ResultFilter {
    result: Option<String>,
    domain: Option<String>,
    assignee: Option<String>,
}

/// A requirement's domain: its top-level ancestor, or the one below it when the top
/// only gathers groups (ISO 27001's Annex A → A.5 … A.8; SOC 2's CC → CC1 … CC9).
fn domain_of(
    fw: Option<&crosswalk_core::framework::Framework>,
    id: &crosswalk_core::ids::RequirementId,
) -> String {
    let mut chain = vec![id.clone()];
    while chain.len() < 32 {
        let parent = chain
            .last()
            .and_then(|c| fw.and_then(|f| f.requirement(c.as_str())))
            .and_then(|r| r.parent.clone());
        match parent {
            Some(p) => chain.push(p),
            None => break,
        }
    }
    let at = if chain.len() >= 3 {
        chain.len() - 2
    } else {
        chain.len() - 1
    };
    chain
        .get(at)
        .map_or_else(|| id.to_string(), ToString::to_string)
}

/// `GET /programs/{program}/frameworks/{framework}`: each requirement's result.
pub async fn requirements(
    State(st): Shared,
    PathOf((program, framework)): PathOf<(String, String)>,
    Query(q): Query<ResultFilter>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/frameworks/{framework}");
    program_page(
        st,
        creds,
        program,
        "frameworks",
        Action::Read,
        path,
        move |s, shell| {
            let rows = s.requirements(&framework).map_err(Problem::from)?;
            let filter = q.result.unwrap_or_default();
            let domain = q.domain.unwrap_or_default();
            let assignee = q.assignee.unwrap_or_default();
            let fw = crosswalk_app::standards::resolve(s.catalog, &framework).ok();
            // Who is assigned what: requirements of this framework, and controls.
            let assigned = s.assignments().map_err(Problem::from)?;
            let who = |row: &crosswalk_app::links::RequirementRow| -> Vec<&str> {
                assigned
                    .iter()
                    .filter(|a| match &a.subject {
                        crosswalk_core::collab::Subject::Requirement(f, r) => {
                            fw.is_some_and(|x| x.id() == f) && *r == row.requirement
                        }
                        crosswalk_core::collab::Subject::Control(c) => row.controls.contains(c),
                        _ => false,
                    })
                    .map(|a| a.assignee.as_str())
                    .collect()
            };
            let mut assignees: Vec<String> = rows
                .iter()
                .flat_map(|r| who(r).into_iter().map(str::to_owned))
                .collect();
            assignees.sort();
            assignees.dedup();
            let mut domains: Vec<(String, String)> = Vec::new();
            for r in &rows {
                let d = domain_of(fw, &r.requirement);
                if !domains.iter().any(|(id, _)| *id == d) {
                    let title = fw
                        .and_then(|f| f.requirement(&d))
                        .map(|q| q.title.clone())
                        .unwrap_or_default();
                    domains.push((d.clone(), format!("{d} {title}").trim().to_owned()));
                }
            }
            let mut last: Option<crosswalk_core::ids::RequirementId> = None;
            let lines = rows
                .into_iter()
                .filter(|row| domain.is_empty() || domain_of(fw, &row.requirement) == domain)
                .filter(|row| assignee.is_empty() || who(row).contains(&assignee.as_str()))
                .map(|row| {
                    let (result, class) = outcome(row.result);
                    let (derived, _) = outcome(row.derived);
                    (row, result, class, derived)
                })
                .filter(|(_, result, _, _)| filter.is_empty() || *result == filter)
                .map(|(row, result, class, derived)| {
                    // The tree: a heading wherever the parent changes.
                    let group = (row.parent != last).then(|| {
                        row.parent.as_ref().map_or_else(String::new, |p| {
                            let title = fw
                                .and_then(|f| f.requirement(p.as_str()))
                                .map(|r| r.title.clone())
                                .unwrap_or_default();
                            format!("{p} {title}")
                        })
                    });
                    last.clone_from(&row.parent);
                    ReqLine {
                        row,
                        result,
                        class,
                        derived,
                        group: group.filter(|g| !g.is_empty()),
                    }
                })
                .collect();
            let name = fw_name(s, &framework);
            let fw_id = crosswalk_app::standards::resolve(s.catalog, &framework)
                .map_or_else(|_| framework.clone(), |f| f.id().to_string());
            Ok(html(&RequirementsPage {
                title: name.clone(),
                framework: name,
                fw_id,
                shell,
                lines,
                filter,
                domains,
                domain,
                assignees,
                assignee,
            }))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "controls.html")]
struct ControlsPage {
    shell: Shell,
    title: String,
    controls: Vec<(Control, usize)>,
    pager: Pager,
    status: String,
    owner: String,
    q: String,
    frameworks: Vec<String>,
    framework: String,
    freshness: String,
    can_edit: bool,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ControlFilter {
    status: Option<String>,
    owner: Option<String>,
    q: Option<String>,
    /// A framework id its links reach.
    framework: Option<String>,
    /// `current`, `stale` (evidence, none current) or `none` (no evidence).
    freshness: Option<String>,
    page: Option<usize>,
}

fn controls_page(
    s: &mut crosswalk_app::program::Session<'static>,
    shell: Shell,
    f: ControlFilter,
    error: Option<String>,
) -> Result<Response, Problem> {
    let (status, owner, text) = (
        f.status.unwrap_or_default(),
        f.owner.unwrap_or_default(),
        f.q.unwrap_or_default(),
    );
    let (framework, freshness) = (
        f.framework.unwrap_or_default(),
        f.freshness.unwrap_or_default(),
    );
    let needle = text.to_lowercase();
    let rows = s.controls().map_err(Problem::from)?;
    let mut frameworks: Vec<String> = rows.iter().flat_map(|r| r.frameworks.clone()).collect();
    frameworks.sort();
    frameworks.dedup();
    let controls = rows
        .into_iter()
        .filter(|r| status.is_empty() || r.control.status.as_str() == status)
        .filter(|r| owner.is_empty() || r.control.owner == owner)
        .filter(|r| framework.is_empty() || r.frameworks.contains(&framework))
        .filter(|r| match freshness.as_str() {
            "current" => r.current == Some(true),
            "stale" => r.current == Some(false),
            "none" => r.current.is_none(),
            _ => true,
        })
        .filter(|r| {
            needle.is_empty()
                || r.control.id.to_lowercase().contains(&needle)
                || r.control.title.to_lowercase().contains(&needle)
        })
        .map(|r| (r.control, r.links))
        .collect();
    let base = format!(
        "/programs/{}/controls?q={}&status={}&owner={}&framework={}&freshness={}",
        shell.program,
        q(&text),
        q(&status),
        q(&owner),
        q(&framework),
        q(&freshness)
    );
    let (controls, pager) = Pager::cut(controls, f.page.unwrap_or(1), |n| {
        format!("{base}&page={n}")
    });
    let failed = error.is_some();
    let page = html(&ControlsPage {
        title: "Controls".into(),
        can_edit: shell.role.allows(Action::Edit),
        shell,
        controls,
        pager,
        status,
        owner,
        q: text,
        frameworks,
        framework,
        freshness,
        error,
    });
    Ok(if failed {
        (StatusCode::BAD_REQUEST, page).into_response()
    } else {
        page
    })
}

/// `GET /programs/{program}/controls`: the controls, filtered by status, owner or text.
pub async fn controls(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Query(f): Query<ControlFilter>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/controls");
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Read,
        path,
        move |s, shell| controls_page(s, shell, f, None),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct NewControlForm {
    #[serde(default)]
    csrf: String,
    id: String,
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    frequency: String,
}

/// Checks a form's CSRF token (the hidden field, or htmx's header) against the session's.
pub(crate) fn form_csrf(shell: &Shell, field: &str, headers: &HeaderMap) -> Result<(), Problem> {
    let given = if field.is_empty() {
        headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    } else {
        field
    };
    if access::csrf_matches(&shell.csrf, given) {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "the form's token does not match your session: reload the page and try again",
        ))
    }
}

/// `POST /programs/{program}/controls`: adds a control, then shows it.
pub async fn add_control(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<NewControlForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/controls");
    let base = path.clone();
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Edit,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            let added = s.add_control(NewControl {
                id: form.id,
                title: form.title,
                description: String::new(),
                owner: form.owner,
                status: if form.status.is_empty() {
                    "not-started".into()
                } else {
                    form.status
                },
                frequency: form.frequency,
            });
            match added {
                Ok(c) => Ok(
                    Redirect::to(&format!("{base}/{}", crate::web::path_segment(&c.id)))
                        .into_response(),
                ),
                Err(e) => controls_page(s, shell, ControlFilter::default(), Some(e.to_string())),
            }
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "control.html")]
struct ControlPage {
    shell: Shell,
    title: String,
    c: ControlDetail,
    ctl: Control,
    saved: bool,
    comments: Vec<Comment>,
    can_edit: bool,
    can_comment: bool,
    statuses: [&'static str; 4],
}

#[derive(Template)]
#[template(path = "control_status.html")]
struct StatusFragment {
    shell: Shell,
    ctl: Control,
    can_edit: bool,
    statuses: [&'static str; 4],
    saved: bool,
}

const STATUSES: [&str; 4] = ["not-started", "in-progress", "implemented", "operating"];

/// `GET /programs/{program}/controls/{id}`: a control with its links (provenance and
/// review state), evidence, risks, checks and comments.
pub async fn control(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/controls/{id}");
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Read,
        path,
        move |s, shell| {
            // A hidden control is as absent as a missing one.
            s.control_record(&id).map_err(Problem::from)?;
            let c = s.control(&id).map_err(Problem::from)?;
            let comments = s
                .comments(Some(&format!("control:{id}")))
                .map_err(Problem::from)?;
            Ok(html(&ControlPage {
                title: format!("{} {}", c.control.id, c.control.title),
                can_edit: shell.role.allows(Action::Edit),
                can_comment: shell.role.allows(Action::Comment),
                shell,
                ctl: c.control.clone(),
                saved: false,
                c,
                comments,
                statuses: STATUSES,
            }))
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    status: String,
}

/// `POST /programs/{program}/controls/{id}/status`: sets the status. With htmx, answers
/// the status fragment; without, back to the control.
pub async fn set_status(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<StatusForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/controls/{id}");
    let back = path.clone();
    let htmx = headers.contains_key("hx-request");
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Edit,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            let c = s
                .update_control_status(&id, &form.status, None)
                .map_err(Problem::from)?;
            if htmx {
                Ok(html(&StatusFragment {
                    shell,
                    ctl: c,
                    can_edit: true,
                    statuses: STATUSES,
                    saved: true,
                }))
            } else {
                Ok(Redirect::to(&back).into_response())
            }
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    subject: String,
    body: String,
    /// Where to go back to.
    back: String,
}

/// `POST /programs/{program}/comments`: comments on a subject, then back.
pub async fn comment(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<CommentForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}");
    let prefix = format!("/programs/{program}/");
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Comment,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            s.comment(&form.subject, &form.body)
                .map_err(Problem::from)?;
            let back = if form.back.starts_with(&prefix) && !form.back.contains("//") {
                form.back
            } else {
                prefix
            };
            Ok(Redirect::to(&back).into_response())
        },
    )
    .await
}

/// Evidence in the listing.
pub struct EvidenceLine {
    pub id: String,
    pub title: String,
    pub collected: String,
    pub valid_until: String,
    pub controls: Vec<String>,
    pub current: bool,
    pub sha256: Option<String>,
    pub link: Option<String>,
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    shell: Shell,
    title: String,
    items: Vec<EvidenceLine>,
    pager: Pager,
    can_add: bool,
    added: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AddedQuery {
    added: Option<String>,
    page: Option<usize>,
}

/// `GET /programs/{program}/evidence`: every item with its freshness and SHA-256.
pub async fn evidence(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Query(q): Query<AddedQuery>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/evidence");
    program_page(
        st,
        creds,
        program,
        "evidence",
        Action::Read,
        path,
        move |s, shell| {
            use crosswalk_core::evidence::Location;
            let base = format!("/programs/{}/evidence", shell.program);
            let (rows, pager) = Pager::cut(
                s.evidence().map_err(Problem::from)?,
                q.page.unwrap_or(1),
                |n| format!("{base}?page={n}"),
            );
            let items = rows
                .into_iter()
                .map(|r| {
                    let e = r.evidence;
                    let (sha256, link) = match &e.location {
                        Location::File(sha) => (Some(sha.to_string()), None),
                        other => (None, Some(other.to_string())),
                    };
                    EvidenceLine {
                        id: e.id,
                        title: e.title,
                        collected: e.collected.to_string(),
                        valid_until: e.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                        controls: e.controls,
                        current: r.current,
                        sha256,
                        link,
                    }
                })
                .collect();
            Ok(html(&EvidencePage {
                title: "Evidence".into(),
                can_add: shell.role.allows(Action::AddEvidence),
                shell,
                items,
                pager,
                added: q.added,
            }))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    shell: Shell,
    title: String,
    verified: bool,
    intact: bool,
    entries: u64,
    head: String,
    problem: Option<String>,
    recent: Vec<crosswalk_app::AuditEntry>,
}

/// `GET /programs/{program}/audit`: whether the chain is intact, and the latest entries.
/// Trails up to this many entries are verified whenever the page is shown; longer ones
/// when asked (`?verify=1`), the walk costing more than a page should.
const VERIFY_ON_VIEW: u64 = 20_000;

#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    verify: Option<String>,
}

pub async fn audit(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Query(vq): Query<VerifyQuery>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/audit");
    program_page(
        st,
        creds,
        program,
        "audit",
        Action::ReadAudit,
        path,
        move |s, shell| {
            let (entries, head) = s.audit_head().map_err(Problem::from)?;
            let verified = if entries <= VERIFY_ON_VIEW || vq.verify.is_some() {
                Some(s.audit_verify().map_err(Problem::from)?)
            } else {
                None
            };
            let from = entries.saturating_sub(50);
            let mut recent = s.audit_entries(from, 50).map_err(Problem::from)?;
            recent.reverse();
            Ok(html(&AuditPage {
                title: "Audit log".into(),
                shell,
                verified: verified.is_some(),
                intact: verified.as_ref().is_none_or(|v| v.intact),
                entries,
                head,
                problem: verified
                    .and_then(|v| v.first_bad)
                    .map(|b| format!("entry {}: {}", b.seq, b.problem)),
                recent,
            }))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "soa.html")]
struct SoaPage {
    shell: Shell,
    title: String,
    framework: String,
    rows: Vec<crosswalk_app::export::SoaRow>,
}

/// `GET /programs/{program}/frameworks/{framework}/soa`: the Statement of Applicability
/// as its documents list it, with the downloads.
pub async fn soa(
    State(st): Shared,
    PathOf((program, framework)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/frameworks/{framework}/soa");
    program_page(
        st,
        creds,
        program,
        "frameworks",
        Action::Read,
        path,
        move |s, shell| {
            let rows = s.soa_rows(&framework).map_err(Problem::from)?;
            let fw = crosswalk_app::standards::resolve(s.catalog, &framework)
                .map_or_else(|_| framework.clone(), |f| f.id().to_string());
            Ok(html(&SoaPage {
                title: format!("Statement of Applicability, {}", fw_name(s, &fw)),
                shell,
                framework: fw,
                rows,
            }))
        },
    )
    .await
}
