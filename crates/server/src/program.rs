//! Routes over the library and the rest of a program: frameworks (the library's, and
//! those in scope with their requirements), links to create and review, policies,
//! assessments and the plan.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::access::Action;
use crosswalk_app::links::LinkFilter;
use crosswalk_app::program::{AddFramework, AssessInput, PlanOptions};
use crosswalk_app::standards;
use crosswalk_core::program::{LinkState, Policy};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::api::{
    Denied, Params, PathOf, Payload, Problem, Shared, blocking, created, day, in_program, value,
};
use crate::state::{AppState, Credentials};

/// Authenticates (any account or token may read the library) and runs `f`.
async fn signed_in<T: Send + 'static>(
    st: Arc<AppState>,
    creds: Credentials,
    f: impl FnOnce(&AppState) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    blocking(move || {
        st.authenticate(&creds)?;
        f(&st)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/frameworks", security(("bearer" = [])),
    responses((status = 200, description = "[{id, name, version, publisher, requirements, …}] as library list --json", body = Value), Denied))]
pub(crate) async fn library(State(st): Shared, creds: Credentials) -> Result<Json<Value>, Problem> {
    signed_in(st, creds, |st| {
        Ok(Json(value(&standards::frameworks(st.catalog))))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/frameworks/{framework}", security(("bearer" = [])),
    params(("framework" = String, Path, description = "A framework id (iso27001, iso27001-2022, soc2 …)")),
    responses((status = 200, description = "The framework with its requirement tree, as library show --json", body = Value), Denied))]
pub(crate) async fn framework(
    State(st): Shared,
    PathOf(id): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    signed_in(st, creds, move |st| {
        let fw =
            standards::resolve(st.catalog, &id).map_err(|e| Problem::not_found(e.to_string()))?;
        Ok(Json(value(&standards::show(st.catalog, fw))))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/frameworks", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "{scope: [{framework, target, target_date}], readiness: [as assess status --json]}", body = Value), Denied))]
pub(crate) async fn scope(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, |s, _, _| {
        let p = s.program().map_err(Problem::from)?;
        let status = s.status(false).map_err(Problem::from)?;
        Ok(Json(
            json!({ "scope": p.frameworks, "readiness": status.frameworks }),
        ))
    })
    .await
}

/// `POST …/frameworks`: the fields of `program add`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddFrameworkBody {
    pub framework: String,
    /// soc2-type1, soc2-type2, certification or compliance (default by framework).
    #[serde(default)]
    pub target: Option<String>,
    /// SOC 2 categories besides Security.
    #[serde(default)]
    pub categories: Vec<String>,
    /// The audit or deadline date (YYYY-MM-DD).
    #[serde(default)]
    pub date: Option<String>,
    /// Create the links the crosswalk proposes (for review).
    #[serde(default)]
    pub link: bool,
    /// Accept official and curated proposals at once.
    #[serde(default)]
    pub accept_direct: bool,
    /// A SOC 2 Type 2 observation window, 3–12 months.
    #[serde(default)]
    pub window_months: Option<u8>,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/frameworks", request_body = AddFrameworkBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "What adding it inherited (proposals, links made), as program add --json", body = Value), Denied))]
pub(crate) async fn add_framework(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<AddFrameworkBody>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let b = body.get()?;
        let added = s
            .add_framework(&AddFramework {
                framework: b.framework,
                target: b.target,
                categories: b.categories,
                date: day(b.date.as_deref(), "date")?,
                link: b.link,
                accept_direct: b.accept_direct,
                window_months: b.window_months,
            })
            .map_err(Problem::from)?;
        Ok(created(&added))
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/programs/{program}/frameworks/{framework}", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("framework" = String, Path, description = "Framework id")),
    responses((status = 204, description = "Out of scope (links and assessments kept)"), Denied))]
pub(crate) async fn remove_framework(
    State(st): Shared,
    PathOf((program, framework)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<StatusCode, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        s.remove_framework(&framework).map_err(Problem::from)?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/frameworks/{framework}/requirements", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("framework" = String, Path, description = "Framework id, in scope")),
    responses((status = 200, description = "[{requirement, title, parent, derived, result, controls, assessment}]", body = Value), Denied))]
pub(crate) async fn requirements(
    State(st): Shared,
    PathOf((program, framework)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        Ok(Json(value(
            &s.requirements(&framework).map_err(Problem::from)?,
        )))
    })
    .await
}

/// `POST …/links`: link a control to requirements (manual, accepted).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLinks {
    pub control: String,
    /// FW:REQ, one or more.
    pub requirements: Vec<String>,
    /// The control meets them only in part.
    #[serde(default)]
    pub partial: bool,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/links", request_body = NewLinks, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "{linked: n}", body = Value), Denied))]
pub(crate) async fn add_links(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewLinks>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let b = body.get()?;
        if b.requirements.is_empty() {
            return Err(Problem::bad("name at least one requirement (FW:REQ)"));
        }
        let n = s
            .link(&b.control, &b.requirements, b.partial)
            .map_err(Problem::from)?;
        Ok((StatusCode::CREATED, Json(json!({ "linked": n }))).into_response())
    })
    .await
}

/// `POST …/links/review`: accept or reject links by id, or all matching a filter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// accepted or rejected.
    pub state: String,
    /// L-<n> ids; none: every link matching the filters.
    #[serde(default)]
    pub ids: Vec<String>,
    #[serde(default)]
    pub framework: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/links/review", request_body = ReviewBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "What the review changed, as links review --json", body = Value), Denied))]
pub(crate) async fn review_links(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<ReviewBody>,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let b = body.get()?;
        let state = LinkState::parse(b.state.trim())
            .ok_or_else(|| Problem::bad("state is accepted or rejected"))?;
        let filter = LinkFilter {
            framework: b.framework,
            state: None,
            origin: b.origin,
            control: None,
        };
        let r = s
            .review_links(&filter, &b.ids, state)
            .map_err(Problem::from)?;
        Ok(Json(value(&r)))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/policies", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "[{id, title, version, owner, approved_by, approved_on, next_review, location, overdue}]", body = Value), Denied))]
pub(crate) async fn policies(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, |s, _, _| {
        let rows: Vec<Value> = s
            .policies()
            .map_err(Problem::from)?
            .into_iter()
            .map(|r| {
                let mut v = value(&r.policy);
                if let Some(o) = v.as_object_mut() {
                    o.insert("overdue".into(), Value::Bool(r.overdue));
                }
                v
            })
            .collect();
        Ok(Json(Value::Array(rows)))
    })
    .await
}

/// `POST …/policies`: a policy or a new version of it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub approved_by: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub approved_on: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub next_review: Option<String>,
    /// Where the document lives.
    #[serde(default)]
    pub location: String,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/policies", request_body = PolicyBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "The policy as recorded", body = Value), Denied))]
pub(crate) async fn set_policy(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<PolicyBody>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let b = body.get()?;
        let p = s
            .set_policy(Policy {
                id: b.id,
                title: b.title,
                version: b.version,
                owner: b.owner,
                approved_by: b.approved_by,
                approved_on: day(b.approved_on.as_deref(), "approved_on")?,
                next_review: day(b.next_review.as_deref(), "next_review")?,
                location: b.location,
            })
            .map_err(Problem::from)?;
        Ok(created(&p))
    })
    .await
}

/// Which assessments.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AssessmentQuery {
    /// Only this framework's (edition id).
    pub framework: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/assessments", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), AssessmentQuery),
    responses((status = 200, description = "[assessment]: the current assessment of each requirement assessed", body = Value), Denied))]
pub(crate) async fn assessments(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<AssessmentQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let p = s.program().map_err(Problem::from)?;
        let rows: Vec<_> = p
            .assessments
            .iter()
            .filter(|a| {
                q.framework
                    .as_deref()
                    .is_none_or(|f| a.framework.as_str() == f)
            })
            .collect();
        Ok(Json(value(&rows)))
    })
    .await
}

/// `POST …/assessments`: the fields of `assess set`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessBody {
    /// FW:REQ.
    pub requirement: String,
    /// compliant, partially-compliant, non-compliant or not-assessed (none: derived).
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub not_applicable: bool,
    /// Why it is not applicable.
    #[serde(default)]
    pub justification: String,
    #[serde(default)]
    pub maturity: Option<u8>,
    /// observation, opportunity, minor-nonconformity or major-nonconformity.
    #[serde(default)]
    pub grade: Option<String>,
    /// risk-treatment, legal, contractual, business.
    #[serde(default)]
    pub included_for: Vec<String>,
    /// YYYY-MM-DD: when a control not yet implemented is planned to be.
    #[serde(default)]
    pub planned: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/assessments", request_body = AssessBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "{framework, requirement}: recorded, by the caller", body = Value), Denied))]
pub(crate) async fn assess(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<AssessBody>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, caller| {
        let b = body.get()?;
        let (framework, requirement) = s
            .assess(AssessInput {
                target: b.requirement,
                result: b.result,
                reason: b.reason,
                not_applicable: b.not_applicable,
                justification: b.justification,
                maturity: b.maturity,
                grade: b.grade,
                assessor: caller.principal.name.clone(),
                included_for: b.included_for,
                planned: day(b.planned.as_deref(), "planned")?,
            })
            .map_err(Problem::from)?;
        Ok((
            StatusCode::CREATED,
            Json(json!({ "framework": framework, "requirement": requirement })),
        )
            .into_response())
    })
    .await
}

/// Plan assumptions.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PlanQuery {
    /// A SOC 2 Type 2 observation window to assume, 3–12 months.
    pub window_months: Option<u8>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/plan", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), PlanQuery),
    responses((status = 200, description = "{plans: [per framework: milestones, audit calendar], names}", body = Value), Denied))]
pub(crate) async fn plan(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<PlanQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let r = s
            .plan(&PlanOptions {
                window_months: q.window_months,
                audit_dates: Vec::new(),
            })
            .map_err(Problem::from)?;
        Ok(Json(json!({ "plans": r.plans, "names": r.names })))
    })
    .await
}
