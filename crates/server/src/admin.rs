//! Administration: members and their roles, API tokens, webhooks and audit engagements.
//! A secret made here (a member's first password, a token, a webhook's signing key) is
//! shown once, on the page the form returns, and never again.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use crosswalk_app::access::{self, Action, Role};
use crosswalk_app::collab::NewEngagement;
use crosswalk_app::program::Session;
use crosswalk_core::collab::Engagement;
use serde::Deserialize;

use crate::api::Shared;
use crate::api::{PathOf, Problem};
use crate::pages::form_csrf;
use crate::state::{AppState, Credentials};
use crate::web::{PageError, PageForm, Shell, html, program_page};

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    shell: Shell,
    title: String,
    members: Vec<access::Member>,
    tokens: Vec<crosswalk_app::Token>,
    webhooks: Vec<crosswalk_app::Webhook>,
    engagements: Vec<Engagement>,
    in_scope: Vec<String>,
    roles: Vec<&'static str>,
    /// A secret shown once: what it is, and the value.
    secret: Option<(String, String)>,
    done: Option<String>,
    error: Option<String>,
}

/// What a form did, for the page it returns.
#[derive(Default)]
struct Outcome {
    secret: Option<(String, String)>,
    done: Option<String>,
    error: Option<String>,
}

fn page(
    st: &AppState,
    s: &mut Session<'static>,
    shell: Shell,
    outcome: Outcome,
) -> Result<Response, Problem> {
    let slug = shell.program.clone();
    let (members, tokens) = st.registry(|reg| {
        Ok((
            access::members(reg, &slug).map_err(Problem::from)?,
            access::tokens(reg, &slug).map_err(Problem::from)?,
        ))
    })?;
    let program = s.program().map_err(Problem::from)?;
    let failed = outcome.error.is_some();
    let page = html(&AdminPage {
        title: "Administration".into(),
        webhooks: s.webhooks().map_err(Problem::from)?,
        engagements: program.collab.engagements.clone(),
        in_scope: program
            .frameworks
            .iter()
            .map(|f| f.framework.to_string())
            .collect(),
        roles: Role::ALL
            .into_iter()
            .filter(|r| shell.role == Role::Owner || *r != Role::Owner)
            .map(Role::as_str)
            .collect(),
        shell,
        members,
        tokens,
        secret: outcome.secret,
        done: outcome.done,
        error: outcome.error,
    });
    Ok(if failed {
        (StatusCode::BAD_REQUEST, page).into_response()
    } else {
        page
    })
}

/// `GET /programs/{program}/admin`: members and roles, API tokens, webhooks, engagements.
pub async fn admin(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/admin");
    let state = Arc::clone(&st);
    program_page(
        st,
        creds,
        program,
        "admin",
        Action::Manage,
        path,
        move |s, shell| page(&state, s, shell, Outcome::default()),
    )
    .await
}

/// Every administration form: `form` names which, the other fields what it sets.
#[derive(Debug, Deserialize)]
pub struct AdminForm {
    #[serde(default)]
    csrf: String,
    form: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    events: String,
    #[serde(default)]
    framework: String,
    #[serde(default)]
    period_start: String,
    #[serde(default)]
    period_end: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    auditors: String,
}

fn words(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Applies one administration form.
fn apply(
    st: &AppState,
    s: &mut Session<'static>,
    shell: &Shell,
    f: AdminForm,
) -> Result<Outcome, crosswalk_app::Error> {
    let program = shell.program.clone();
    let mine = shell.role;
    let clock = s.clock;
    let registry =
        |run: &mut dyn FnMut(&mut access::Registry) -> crosswalk_app::Result<Outcome>| {
            st.registry(|reg| Ok(run(reg)))
                .unwrap_or_else(|p| Err(crosswalk_app::Error::Invalid(p.detail)))
        };
    match f.form.as_str() {
        "member" => registry(&mut |reg| {
            let role = Role::parse(&f.role)?;
            let (m, password) = access::add_member(
                reg,
                &program,
                Some(mine),
                &f.email,
                &f.name,
                role,
                None,
                clock,
            )?;
            Ok(Outcome {
                secret: password.map(|p| (format!("The first password of {}", m.email), p)),
                done: Some(format!(
                    "{} is {} of this program.",
                    m.email,
                    m.role.as_str()
                )),
                error: None,
            })
        }),
        "token" => registry(&mut |reg| {
            let role = Role::parse(&f.role)?;
            let expires = crosswalk_app::program::date(
                Some(f.expires_on.as_str()).filter(|d| !d.is_empty()),
                "expires_on",
            )?;
            let t = access::create_token(
                reg,
                &program,
                Some(mine),
                role,
                expires,
                &f.label,
                &shell.user,
                clock,
            )?;
            Ok(Outcome {
                secret: Some((
                    format!("API token {} ({})", t.record.id, t.record.role),
                    t.token,
                )),
                ..Outcome::default()
            })
        }),
        "revoke" => registry(&mut |reg| {
            access::revoke_token(reg, &program, &f.id, clock)?;
            Ok(Outcome {
                done: Some(format!("Token {} is revoked.", f.id)),
                ..Outcome::default()
            })
        }),
        "webhook" => {
            let hook = s.add_webhook(&f.url, &words(&f.events))?;
            Ok(Outcome {
                secret: Some((
                    format!("The signing secret of webhook {}", hook.webhook.id),
                    hook.secret,
                )),
                ..Outcome::default()
            })
        }
        "remove-webhook" => {
            s.remove_webhook(&f.id)?;
            Ok(Outcome {
                done: Some(format!("Webhook {} is removed.", f.id)),
                ..Outcome::default()
            })
        }
        "engagement" => {
            let date = |v: &str, what: &str| {
                crosswalk_app::program::date(Some(v).filter(|d| !d.is_empty()), what)
            };
            let e = s.set_engagement(NewEngagement {
                id: f.id.clone(),
                name: f.name.clone(),
                frameworks: words(&f.framework),
                period_start: date(&f.period_start, "period_start")?,
                period_end: date(&f.period_end, "period_end")?,
                ends_on: date(&f.ends_on, "ends_on")?,
                auditors: words(&f.auditors),
            })?;
            Ok(Outcome {
                done: Some(format!(
                    "Engagement {} recorded: its auditors see {} until {}.",
                    e.id,
                    e.frameworks
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    e.ends_on
                )),
                ..Outcome::default()
            })
        }
        other => Err(crosswalk_app::Error::Invalid(format!(
            "unknown form `{}`",
            other.escape_debug()
        ))),
    }
}

/// `POST /programs/{program}/admin`: one of the administration forms; the page comes
/// back with what it did (a secret shown once) or why not.
pub async fn admin_form(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<AdminForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/admin");
    let state = Arc::clone(&st);
    program_page(
        st,
        creds,
        program,
        "admin",
        Action::Manage,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            let outcome = match apply(&state, s, &shell, form) {
                Ok(o) => o,
                Err(e) => Outcome {
                    error: Some(e.to_string()),
                    ..Outcome::default()
                },
            };
            page(&state, s, shell, outcome)
        },
    )
    .await
}
