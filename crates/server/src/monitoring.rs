//! The monitoring page: snapshots, the latest result of every check, drift of mapped
//! checks, and a button that runs the checks now.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Redirect, Response};
use crosswalk_app::access::Action;
use serde::Deserialize;

use crate::api::{PathOf, Problem, Shared};
use crate::pages::form_csrf;
use crate::state::Credentials;
use crate::web::{PageError, PageForm, Shell, html, program_page};

/// A mapped check whose status changed since the run before.
struct DriftRow {
    check: String,
    resource: String,
    previous: &'static str,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "monitoring.html")]
struct MonitoringPage {
    shell: Shell,
    title: String,
    o: crosswalk_app::monitor::Overview,
    drift: Vec<DriftRow>,
    can_run: bool,
    message: Option<String>,
}

#[derive(Deserialize)]
pub struct RunQuery {
    ran: Option<String>,
}

/// `GET /programs/{program}/monitoring`.
pub async fn page(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    axum::extract::Query(q): axum::extract::Query<RunQuery>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/monitoring");
    program_page(
        st,
        creds,
        program,
        "monitoring",
        Action::Read,
        path,
        move |s, shell| {
            let o = s.monitor_overview().map_err(Problem::from)?;
            let drift = s
                .collect_status()
                .map_err(Problem::from)?
                .into_iter()
                .filter(|r| r.drift)
                .map(|r| DriftRow {
                    check: r.check,
                    resource: r.resource,
                    previous: r.previous.map_or("", |p| p.as_str()),
                    status: r.status.as_str(),
                })
                .collect();
            let can_run = shell.role.allows(Action::Edit);
            let message = q.ran.map(|r| match r.as_str() {
                "same" => {
                    "The checks ran: the same results as the run before, so nothing was recorded."
                        .to_owned()
                }
                _ => "The checks ran and the run was recorded.".to_owned(),
            });
            Ok(html(&MonitoringPage {
                title: "Monitoring".into(),
                shell,
                o,
                drift,
                can_run,
                message,
            }))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct RunForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /programs/{program}/monitoring/run`: runs every check over the snapshots.
pub async fn run(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<RunForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/monitoring");
    let back = path.clone();
    program_page(
        st,
        creds,
        program,
        "monitoring",
        Action::Edit,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            let run = s.monitor_run(&[]).map_err(Problem::from)?;
            let ran = if run.recorded { "recorded" } else { "same" };
            Ok(axum::response::IntoResponse::into_response(Redirect::to(
                &format!("{back}?ran={ran}"),
            )))
        },
    )
    .await
}
