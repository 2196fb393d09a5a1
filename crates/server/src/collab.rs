//! Collaboration routes: assignments, comments, evidence requests and their steps, audit
//! engagements, the activity feed and webhooks. What a caller sees is confined by
//! `crates/app` from its role (`Session::enter`); here each route names the action its
//! role must allow.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use crosswalk_app::access::Action;
use crosswalk_app::collab::{NewEngagement, NewRequest};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::api::{
    Denied, EntryQuery, Page, Params, PathOf, Payload, Problem, Shared, created, day, in_program,
    page, value,
};
use crate::state::Credentials;

/// `POST …/assignments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    /// `control:ID`, `requirement:FW:REQ`, `evidence:ID` or `request:ID`.
    pub subject: String,
    /// An account's email or `token:<id>`.
    pub assignee: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub due: Option<String>,
}

/// Which subject.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SubjectQuery {
    /// `control:ID`, `requirement:FW:REQ`, `evidence:ID` or `request:ID`.
    pub subject: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/assignments", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "[{subject, assignee, due, assigned_by, assigned_on}] the caller sees", body = Value), Denied))]
pub(crate) async fn list_assignments(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, |s, _, _| {
        Ok(Json(value(&s.assignments().map_err(Problem::from)?)))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/assignments", request_body = NewAssignment, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "The assignment (replacing an earlier one of the subject)", body = Value), Denied))]
pub(crate) async fn assign(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewAssignment>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let b = body.get()?;
        let due = day(b.due.as_deref(), "due")?;
        let a = s
            .assign(&b.subject, &b.assignee, due)
            .map_err(Problem::from)?;
        Ok(created(&a))
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/programs/{program}/assignments", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), SubjectQuery),
    responses((status = 204, description = "Unassigned"), Denied))]
pub(crate) async fn unassign(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<SubjectQuery>,
    creds: Credentials,
) -> Result<StatusCode, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let subject = q
            .subject
            .ok_or_else(|| Problem::bad("name the subject: ?subject=control:ID"))?;
        s.unassign(&subject).map_err(Problem::from)?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// `POST …/comments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// `control:ID`, `requirement:FW:REQ`, `evidence:ID` or `request:ID`.
    pub subject: String,
    pub body: String,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/comments", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), SubjectQuery),
    responses((status = 200, description = "{items: [{id, subject, author, at, body}], next_cursor, total}", body = Value), Denied))]
pub(crate) async fn list_comments(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<SubjectQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let items = s.comments(q.subject.as_deref()).map_err(Problem::from)?;
        page(
            items,
            |c| c.id.clone(),
            &Page {
                cursor: q.cursor,
                limit: q.limit,
            },
        )
        .map(Json)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/comments", request_body = NewComment, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "The comment, numbered CM-<n>", body = Value), Denied))]
pub(crate) async fn add_comment(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewComment>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Comment, move |s, _, _| {
        let b = body.get()?;
        Ok(created(
            &s.comment(&b.subject, &b.body).map_err(Problem::from)?,
        ))
    })
    .await
}

/// `POST …/requests`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    /// `control:ID` or `requirement:FW:REQ`.
    pub subject: String,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// An account's email or `token:<id>`.
    #[serde(default)]
    pub assignee: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub due: Option<String>,
    /// The engagement it belongs to (an auditor's own by default).
    #[serde(default)]
    pub engagement: Option<String>,
}

/// Which requests.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RequestQuery {
    /// open, submitted, accepted or rejected.
    pub state: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/requests", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), RequestQuery),
    responses((status = 200, description = "{items: [request], next_cursor, total}", body = Value), Denied))]
pub(crate) async fn list_requests(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<RequestQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let items = s.requests(q.state.as_deref()).map_err(Problem::from)?;
        page(
            items,
            |r| r.id.clone(),
            &Page {
                cursor: q.cursor,
                limit: q.limit,
            },
        )
        .map(Json)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/requests", request_body = NewRequestBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "The request, numbered ER-<n>, open", body = Value), Denied))]
pub(crate) async fn raise_request(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewRequestBody>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Request, move |s, _, _| {
        let b = body.get()?;
        let r = s
            .request_evidence(NewRequest {
                subject: b.subject,
                title: b.title,
                detail: b.detail,
                assignee: b.assignee,
                due: day(b.due.as_deref(), "due")?,
                engagement: b.engagement,
            })
            .map_err(Problem::from)?;
        Ok(created(&r))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/requests/{id}", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The request with its steps", body = Value), Denied))]
pub(crate) async fn get_request(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        Ok(Json(value(&s.request(&id).map_err(Problem::from)?)))
    })
    .await
}

/// `POST …/requests/{id}/steps`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// submitted (with evidence), accepted, or rejected (with a note).
    pub to: String,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/requests/{id}/steps", request_body = StepBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Request id")),
    responses((status = 200, description = "The request as it now is", body = Value),
        (status = 409, description = "The request's state does not allow the step", body = Problem, content_type = "application/problem+json"), Denied))]
pub(crate) async fn step_request(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
    body: Payload<StepBody>,
) -> Result<Json<Value>, Problem> {
    // Submitting needs AddEvidence; accepting or rejecting, Request: which one is checked
    // once the body is read, so both roles reach the use case, which checks the rest.
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let b = body.get()?;
        let needed = if b.to.trim() == "submitted" {
            Action::AddEvidence
        } else {
            Action::Request
        };
        if !s.role_allows(needed) {
            return Err(Problem::forbidden(
                "the caller's role may not take this step",
            ));
        }
        let r = s
            .move_request(&id, &b.to, b.evidence, &b.note)
            .map_err(Problem::from)?;
        Ok(Json(value(&r)))
    })
    .await
}

/// `POST …/engagements`, `PUT …/engagements/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementBody {
    /// "SOC 2 Type 2 FY2026", "ISO/IEC 27001 stage 2".
    pub name: String,
    /// Edition ids in the program's scope.
    pub frameworks: Vec<String>,
    /// YYYY-MM-DD: the period under audit.
    pub period_start: String,
    pub period_end: String,
    /// YYYY-MM-DD: the last day its auditors have access.
    pub ends_on: String,
    /// Account emails or `token:<id>`.
    #[serde(default)]
    pub auditors: Vec<String>,
}

fn engagement(id: String, b: EngagementBody) -> Result<NewEngagement, Problem> {
    Ok(NewEngagement {
        id,
        name: b.name,
        frameworks: b.frameworks,
        period_start: day(Some(&b.period_start), "period_start")?,
        period_end: day(Some(&b.period_end), "period_end")?,
        ends_on: day(Some(&b.ends_on), "ends_on")?,
        auditors: b.auditors,
    })
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/engagements", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "[{id, name, frameworks, period_start, period_end, ends_on, auditors}] the caller sees", body = Value), Denied))]
pub(crate) async fn list_engagements(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, |s, _, _| {
        Ok(Json(value(&s.engagements().map_err(Problem::from)?)))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/engagements", request_body = EngagementBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "The engagement, numbered AE-<n>", body = Value), Denied))]
pub(crate) async fn add_engagement(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<EngagementBody>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Manage, move |s, _, _| {
        let e = engagement(String::new(), body.get()?)?;
        Ok(created(&s.set_engagement(e).map_err(Problem::from)?))
    })
    .await
}

#[utoipa::path(put, path = "/api/v1/programs/{program}/engagements/{id}", request_body = EngagementBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Engagement id")),
    responses((status = 200, description = "The engagement as it now is", body = Value), Denied))]
pub(crate) async fn set_engagement(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
    body: Payload<EngagementBody>,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Manage, move |s, _, _| {
        let e = engagement(id, body.get()?)?;
        Ok(Json(value(&s.set_engagement(e).map_err(Problem::from)?)))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/activity", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), EntryQuery),
    responses((status = 200, description = "{items: [{seq, at, actor, action, target}], next_after}: changes touching what the caller sees", body = Value), Denied))]
pub(crate) async fn activity(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<EntryQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let limit = q.limit()?;
        let (items, next) = s
            .activity(q.after.unwrap_or(0), limit)
            .map_err(Problem::from)?;
        Ok(Json(json!({ "items": items, "next_after": next })))
    })
    .await
}

/// `POST …/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookBody {
    /// Where changes are POSTed (http or https).
    pub url: String,
    /// Action prefixes to deliver (`control.`, `evidence.add`); none: every change.
    #[serde(default)]
    pub events: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/webhooks", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "[{id, url, events, created_by, created_at, delivered_seq, attempts, next_at, last_error, last_status}] (never the secret)", body = Value), Denied))]
pub(crate) async fn list_webhooks(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Manage, |s, _, _| {
        Ok(Json(value(&s.webhooks().map_err(Problem::from)?)))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/webhooks", request_body = NewWebhookBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 201, description = "{webhook, secret}: the HMAC-SHA256 secret, shown this once", body = Value), Denied))]
pub(crate) async fn add_webhook(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewWebhookBody>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Manage, move |s, _, _| {
        let b = body.get()?;
        Ok(created(
            &s.add_webhook(&b.url, &b.events).map_err(Problem::from)?,
        ))
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/programs/{program}/webhooks/{id}", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Webhook id")),
    responses((status = 204, description = "Removed"), Denied))]
pub(crate) async fn remove_webhook(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<StatusCode, Problem> {
    in_program(st, creds, program, Action::Manage, move |s, _, _| {
        s.remove_webhook(&id).map_err(Problem::from)?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
