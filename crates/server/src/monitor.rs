//! Continuous monitoring over the API: scanner results and snapshots posted as they are
//! written, our own checks run on demand (and on a schedule, see `lib.rs`), the checks
//! and their latest statuses read back.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::access::Action;
use serde::Deserialize;
use serde_json::Value;

use crate::api::{Denied, Params, PathOf, Problem, Shared, blocking, in_program, value};
use crate::state::{AppState, Credentials};

/// The caller may `action` in `program`; checked before a body is read.
async fn allowed(
    st: &Arc<AppState>,
    creds: &Credentials,
    program: &str,
    action: Action,
) -> Result<(), Problem> {
    let check = (Arc::clone(st), creds.clone(), program.to_owned());
    blocking(move || {
        let caller = check.0.authenticate(&check.1)?;
        check.0.authorize(&caller, &check.2, action).map(drop)
    })
    .await
}

/// The request's body, whole (the server's body limit applies).
async fn body(request: axum::extract::Request) -> Result<Vec<u8>, Problem> {
    axum::body::to_bytes(request.into_body(), crate::MAX_BODY)
        .await
        .map(|b| b.to_vec())
        .map_err(|e| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the body cannot be read (at most {} MiB): {e}",
                    crate::MAX_BODY >> 20
                ),
            )
        })
}

/// 201 with the value when something was recorded, else 200.
fn recorded<T: serde::Serialize>(new: bool, t: &T) -> Response {
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(value(t))).into_response()
}

/// How posted scanner results are read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ResultsQuery {
    /// auto (default), ocsf, sarif, hdf, oscal-ar, prowler-csv or csv.
    pub format: Option<String>,
    /// The file's name, for messages and the record (default `results`).
    pub name: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/results", security(("bearer" = [])),
    request_body(content = String, content_type = "application/octet-stream", description = "A scanner's output file as it wrote it"),
    params(("program" = String, Path, description = "Program id"), ResultsQuery),
    responses(
        (status = 201, description = "Recorded: as collect import --json", body = Value),
        (status = 200, description = "This file (same SHA-256) was recorded before: nothing changed", body = Value),
        (status = 413, description = "Larger than 64 MiB", body = Problem, content_type = "application/problem+json"), Denied))]
pub(crate) async fn post_results(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<ResultsQuery>,
    creds: Credentials,
    request: axum::extract::Request,
) -> Result<Response, Problem> {
    allowed(&st, &creds, &program, Action::Edit).await?;
    let bytes = body(request).await?;
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let format = crosswalk_app::collect::format(q.format.as_deref().unwrap_or("auto"))
            .map_err(Problem::from)?;
        let name = q.name.unwrap_or_else(|| "results".into());
        let done = s
            .collect_import(&name, &bytes, format)
            .map_err(Problem::from)?;
        Ok(recorded(done.imported, &done))
    })
    .await
}

/// What a posted snapshot is.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SnapshotQuery {
    /// The dataset (`okta-users`, `aws-iam-credential-report` …; see docs/checks.md).
    pub dataset: String,
    /// Where it came from (default: the dataset's name).
    pub source: Option<String>,
    /// When it was collected (RFC 3339; default now).
    pub collected_at: Option<String>,
    /// `ndjson` when the body is one JSON value per line (default: detected).
    pub lines: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/snapshots", security(("bearer" = [])),
    request_body(content = String, content_type = "application/json", description = "The export, as one JSON document or NDJSON"),
    params(("program" = String, Path, description = "Program id"), SnapshotQuery),
    responses(
        (status = 201, description = "Added: {dataset, sha256, items, collected_at, added}", body = Value),
        (status = 200, description = "The dataset had this snapshot already", body = Value), Denied))]
pub(crate) async fn post_snapshot(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<SnapshotQuery>,
    creds: Credentials,
    request: axum::extract::Request,
) -> Result<Response, Problem> {
    allowed(&st, &creds, &program, Action::Edit).await?;
    let bytes = body(request).await?;
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let at = q
            .collected_at
            .as_deref()
            .map(|t| {
                t.parse::<jiff::Timestamp>()
                    .map_err(|e| Problem::bad(format!("collected_at `{}`: {e}", t.escape_debug())))
            })
            .transpose()?;
        let name = if q.lines == Some(true) {
            format!("{}.ndjson", q.dataset)
        } else {
            q.dataset.clone()
        };
        let done = s
            .collect_snapshot(
                &name,
                &bytes,
                &q.dataset,
                Some(q.source.as_deref().unwrap_or(&q.dataset)),
                at,
            )
            .map_err(Problem::from)?;
        Ok(recorded(done.added, &done))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/monitor/runs", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 201, description = "The run, recorded: as monitor run --json", body = Value),
        (status = 200, description = "The same results as the run before: nothing recorded", body = Value), Denied))]
pub(crate) async fn run(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let run = s.monitor_run(&[]).map_err(Problem::from)?;
        Ok(recorded(run.recorded, &run))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/checks", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "Every check: as checks list --json", body = Value), Denied))]
pub(crate) async fn checks(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        Ok(Json(value(&s.checks_list(&[]).map_err(Problem::from)?)))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/checks/status", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses((status = 200, description = "The latest status of every mapped check per resource, with drift: as collect status --json", body = Value), Denied))]
pub(crate) async fn status(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        Ok(Json(value(&s.collect_status().map_err(Problem::from)?)))
    })
    .await
}
