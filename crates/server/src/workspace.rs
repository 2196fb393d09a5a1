//! The pages where work is done: adding a framework, the link review queue, a
//! requirement with its assessment and sign-off, evidence upload, and evidence requests
//! from raising to acceptance. Forms post here; htmx actions get the fragment they change.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::access::Action;
use crosswalk_app::collab::NewRequest;
use crosswalk_app::links::{LinkFilter, LinkView, RequirementRow};
use crosswalk_app::program::{AddFramework, AssessInput};
use crosswalk_core::collab::{Comment, EvidenceRequest};
use crosswalk_core::program::{Assessment, LinkState};
use serde::Deserialize;

use crate::api::Shared;
use crate::api::{PathOf, Problem, day, evidence_form};
use crate::pages::form_csrf;
use crate::state::Credentials;
use crate::web::{PageError, PageForm, Shell, html, path_segment, program_page};

/// Ids typed into one field or several, separated by commas or spaces.
fn ids_in(fields: &[String]) -> Vec<String> {
    fields
        .iter()
        .flat_map(|f| f.split([',', ' ', '\n', '\t']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A form's fields as pairs, repeated names kept (`ids=L-1&ids=L-2`).
struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
pub struct AddFrameworkForm {
    #[serde(default)]
    csrf: String,
    framework: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    link: Option<String>,
}

/// `POST /programs/{program}/frameworks`: adds a framework; with `link`, the crosswalk's
/// proposals wait in the review queue, where this goes next.
pub async fn add_framework(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<AddFrameworkForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/frameworks");
    let base = format!("/programs/{program}");
    program_page(
        st,
        creds,
        program,
        "frameworks",
        Action::Edit,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            let added = s
                .add_framework(&AddFramework {
                    framework: form.framework,
                    target: Some(form.target).filter(|t| !t.is_empty()),
                    link: form.link.is_some(),
                    ..AddFramework::default()
                })
                .map_err(Problem::from)?;
            let fw = added.proposal.framework.to_string();
            Ok(
                Redirect::to(&format!("{base}/links?state=proposed&framework={fw}"))
                    .into_response(),
            )
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "links.html")]
struct LinksPage {
    shell: Shell,
    title: String,
    links: Vec<LinkView>,
    state: String,
    framework: String,
    can_edit: bool,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "link_row.html")]
struct LinkRow {
    shell: Shell,
    l: LinkView,
    can_edit: bool,
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    state: Option<String>,
    framework: Option<String>,
    note: Option<String>,
}

/// `GET /programs/{program}/links?state&framework`: the review queue (proposals by
/// default) with each link's origin, path and relationship.
pub async fn links(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Query(q): Query<LinkQuery>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/links");
    program_page(
        st,
        creds,
        program,
        "links",
        Action::Read,
        path,
        move |s, shell| {
            let state = q.state.unwrap_or_else(|| "proposed".into());
            let framework = q.framework.unwrap_or_default();
            let links = s
                .links(&LinkFilter {
                    framework: Some(framework.clone()).filter(|f| !f.is_empty()),
                    state: Some(state.clone()).filter(|s| s != "any"),
                    origin: None,
                    control: None,
                })
                .map_err(Problem::from)?;
            Ok(html(&LinksPage {
                title: "Link review".into(),
                can_edit: shell.role.allows(Action::Edit),
                shell,
                links,
                state,
                framework,
                note: q.note,
            }))
        },
    )
    .await
}

/// `POST /programs/{program}/links/review`: accepts or rejects the links named by `ids`
/// (repeatable). With htmx and one link, answers its row; else back to the queue.
pub async fn review(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/links");
    let back = path.clone();
    let htmx = headers.contains_key("hx-request");
    program_page(
        st,
        creds,
        program,
        "links",
        Action::Edit,
        path,
        move |s, shell| {
            let form = Pairs::parse(&body);
            form_csrf(&shell, &form.one("csrf"), &headers)?;
            let state = LinkState::parse(&form.one("state"))
                .filter(|s| *s != LinkState::Proposed)
                .ok_or_else(|| Problem::bad("choose accept or reject"))?;
            let ids = form.all("ids");
            if ids.is_empty() {
                return Ok(
                    Redirect::to(&format!("{back}?note=Select+the+links+to+review"))
                        .into_response(),
                );
            }
            let done = s
                .review_links(&LinkFilter::default(), &ids, state)
                .map_err(Problem::from)?;
            if htmx && ids.len() == 1 {
                let l = s
                    .links(&LinkFilter::default())
                    .map_err(Problem::from)?
                    .into_iter()
                    .find(|l| l.id == ids[0])
                    .ok_or_else(|| Problem::not_found(format!("no link {}", ids[0])))?;
                return Ok(html(&LinkRow {
                    shell,
                    l,
                    can_edit: true,
                }));
            }
            let framework = form.one("framework");
            Ok(Redirect::to(&format!(
                "{back}?state=proposed&framework={}&note={}+links+{}",
                path_segment(&framework),
                done.changed.len(),
                done.state.as_str()
            ))
            .into_response())
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "requirement.html")]
struct RequirementPage {
    shell: Shell,
    title: String,
    framework: String,
    row: RequirementRow,
    result: &'static str,
    derived: &'static str,
    links: Vec<LinkView>,
    evidence: Vec<(String, String, bool)>,
    comments: Vec<Comment>,
    history: Vec<Assessment>,
    can_edit: bool,
    can_comment: bool,
}

/// `GET /programs/{program}/frameworks/{framework}/requirements/{requirement}`: one
/// requirement with its links, evidence, results, assessment form, comments and history.
pub async fn requirement(
    State(st): Shared,
    PathOf((program, framework, req)): PathOf<(String, String, String)>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/frameworks/{framework}/requirements/{req}");
    program_page(
        st,
        creds,
        program,
        "frameworks",
        Action::Read,
        path,
        move |s, shell| {
            let row = s
                .requirements(&framework)
                .map_err(Problem::from)?
                .into_iter()
                .find(|r| r.requirement.as_str() == req)
                .ok_or_else(|| {
                    Problem::not_found(format!("no requirement {req} in {framework}"))
                })?;
            let fw_id = crosswalk_app::standards::resolve(s.catalog, &framework)
                .map_err(Problem::from)?
                .id()
                .to_string();
            let links: Vec<LinkView> = s
                .links(&LinkFilter {
                    framework: Some(fw_id.clone()),
                    ..LinkFilter::default()
                })
                .map_err(Problem::from)?
                .into_iter()
                .filter(|l| l.requirement.as_str() == req)
                .collect();
            let program = s.program().map_err(Problem::from)?;
            let fresh = crosswalk_core::program::Freshness::new(&program, s.clock.today);
            let evidence = program
                .evidence
                .iter()
                .filter(|e| e.controls.iter().any(|c| row.controls.contains(c)))
                .map(|e| (e.id.clone(), e.title.clone(), fresh.current(e)))
                .collect();
            let target = format!("{fw_id}:{req}");
            let comments = s
                .comments(Some(&format!("requirement:{target}")))
                .map_err(Problem::from)?;
            let history = s.assessment_history(&target).map_err(Problem::from)?;
            let (result, _) = crate::pages::outcome(row.result);
            let (derived, _) = crate::pages::outcome(row.derived);
            Ok(html(&RequirementPage {
                title: format!("{} {}", row.requirement, row.title),
                can_edit: shell.role.allows(Action::Edit),
                can_comment: shell.role.allows(Action::Comment),
                shell,
                framework: fw_id,
                row,
                result,
                derived,
                links,
                evidence,
                comments,
                history,
            }))
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AssessForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    maturity: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    not_applicable: Option<String>,
    #[serde(default)]
    justification: String,
}

/// `POST …/requirements/{requirement}/assess`: records the caller's assessment.
pub async fn assess(
    State(st): Shared,
    PathOf((program, framework, req)): PathOf<(String, String, String)>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<AssessForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/frameworks/{framework}/requirements/{req}");
    let back = path.clone();
    program_page(
        st,
        creds,
        program,
        "frameworks",
        Action::Edit,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            let maturity = if form.maturity.trim().is_empty() {
                None
            } else {
                Some(
                    form.maturity
                        .trim()
                        .parse::<u8>()
                        .map_err(|_| Problem::bad("maturity is a level number"))?,
                )
            };
            s.assess(AssessInput {
                target: format!("{framework}:{req}"),
                result: Some(form.result).filter(|r| !r.is_empty()),
                reason: form.reason,
                not_applicable: form.not_applicable.is_some(),
                justification: form.justification,
                maturity,
                grade: Some(form.grade).filter(|g| !g.is_empty()),
                assessor: shell.user.clone(),
                included_for: Vec::new(),
                planned: None,
            })
            .map_err(Problem::from)?;
            Ok(Redirect::to(&back).into_response())
        },
    )
    .await
}

/// `POST …/requirements/{requirement}/sign-off`: the caller signs off the assessment.
pub async fn sign_off(
    State(st): Shared,
    PathOf((program, framework, req)): PathOf<(String, String, String)>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<crate::web::CsrfForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/frameworks/{framework}/requirements/{req}");
    let back = path.clone();
    program_page(
        st,
        creds,
        program,
        "frameworks",
        Action::Edit,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            s.sign_off(&format!("{framework}:{req}"), &shell.user)
                .map_err(Problem::from)?;
            Ok(Redirect::to(&back).into_response())
        },
    )
    .await
}

/// `POST /programs/{program}/evidence`: uploads evidence (multipart: `csrf`, `title`,
/// `control`…, `file`, `valid_until`), then back to the list.
pub async fn upload(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    // Signed in and allowed before the body is read.
    let path = format!("/programs/{program}/evidence");
    let form = crate::web::multipart_when_allowed(
        &st,
        &creds,
        &program,
        Action::AddEvidence,
        &path,
        request,
    )
    .await?;
    let upload = evidence_form(form).await?;
    let back = path.clone();
    program_page(
        st,
        creds,
        program,
        "evidence",
        Action::AddEvidence,
        path,
        move |s, shell| {
            form_csrf(&shell, upload.csrf.as_deref().unwrap_or_default(), &headers)?;
            let mut new = upload.new;
            new.controls = ids_in(&new.controls);
            let added = s.add_evidence(new).map_err(Problem::from);
            drop(upload.spooled);
            let e = added?;
            Ok(Redirect::to(&format!("{back}?added={}", path_segment(&e.id))).into_response())
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "requests.html")]
pub struct RequestsPage {
    pub shell: Shell,
    pub title: String,
    pub requests: Vec<(EvidenceRequest, bool, bool)>,
    pub can_raise: bool,
    /// Comments on the requests, oldest first.
    pub comments: Vec<Comment>,
    pub can_comment: bool,
}

/// `GET /programs/{program}/requests`: evidence requests with their steps and, for each,
/// the step the caller may take.
pub async fn requests(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/requests");
    program_page(
        st,
        creds,
        program,
        "requests",
        Action::Read,
        path,
        |s, shell| {
            let role = shell.role;
            let me = shell.user.clone();
            let requests = s
                .requests(None)
                .map_err(Problem::from)?
                .into_iter()
                .map(|r| {
                    let submit = role.allows(Action::AddEvidence)
                        && !matches!(
                            r.state,
                            crosswalk_core::collab::RequestState::Submitted
                                | crosswalk_core::collab::RequestState::Accepted
                        )
                        && (role != crosswalk_app::access::Role::Contributor
                            || r.assignee.as_deref() == Some(me.as_str()));
                    let decide = role.allows(Action::Request)
                        && r.state == crosswalk_core::collab::RequestState::Submitted;
                    (r, submit, decide)
                })
                .collect();
            let comments = s
                .comments(None)
                .map_err(Problem::from)?
                .into_iter()
                .filter(|c| c.subject.kind() == "request")
                .collect();
            Ok(html(&RequestsPage {
                title: "Evidence requests".into(),
                can_raise: role.allows(Action::Request),
                can_comment: role.allows(Action::Comment),
                shell,
                requests,
                comments,
            }))
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct RaiseForm {
    #[serde(default)]
    csrf: String,
    control: String,
    title: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    due: String,
}

/// `POST /programs/{program}/requests`: raises an evidence request on a control.
pub async fn raise(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<RaiseForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/requests");
    let back = path.clone();
    program_page(
        st,
        creds,
        program,
        "requests",
        Action::Request,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            s.request_evidence(NewRequest {
                subject: format!("control:{}", form.control),
                title: form.title,
                detail: form.detail,
                assignee: Some(form.assignee).filter(|a| !a.trim().is_empty()),
                due: day(Some(form.due.as_str()).filter(|d| !d.is_empty()), "due")?,
                engagement: None,
            })
            .map_err(Problem::from)?;
            Ok(Redirect::to(&back).into_response())
        },
    )
    .await
}

/// `POST /programs/{program}/requests/{id}/steps`: submits evidence (`evidence`,
/// repeatable), accepts or rejects (`to`, `note`).
pub async fn step(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/requests");
    let back = path.clone();
    program_page(
        st,
        creds,
        program,
        "requests",
        Action::Read,
        path,
        move |s, shell| {
            let form = Pairs::parse(&body);
            form_csrf(&shell, &form.one("csrf"), &headers)?;
            let to = form.one("to");
            let needed = if to == "submitted" {
                Action::AddEvidence
            } else {
                Action::Request
            };
            if !shell.role.allows(needed) {
                return Err(Problem::forbidden("your role may not take this step"));
            }
            s.move_request(&id, &to, ids_in(&form.all("evidence")), &form.one("note"))
                .map_err(Problem::from)?;
            Ok(Redirect::to(&back).into_response())
        },
    )
    .await
}
