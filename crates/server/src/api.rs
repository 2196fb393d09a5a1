//! The routes: `/health`, `/ready`, `/api/openapi.json`, `/api/docs` and the REST API
//! under `/api/v1/`. Each handler reads credentials, then on a blocking thread
//! authenticates, checks the role its route needs, and calls `crates/app`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use crosswalk_app::Clock;
use crosswalk_app::access::{self, Action, Refused, Registry, Role};
use crosswalk_app::program::{NewControl, Session};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{OpenApi, ToSchema};

use crate::state::{AppState, Caller, Credentials, ProgramSlot};
use crate::{admin, collab, import, insight, monitor, monitoring, pages, program, web, workspace};

/// The failures every authenticated route may answer with, documented once.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(crate) enum Denied {
    /// A bad field, filter, cursor or limit; or the program has no description yet.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid credentials (also: a session cookie without its CSRF token on a
    /// state-changing request is 403).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role in the program may not do this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such program for the caller (whether or not it exists), or no such item in it.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// The session cookie's name.
pub const COOKIE: &str = "cw_session";

/// An error as `application/problem+json` (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank`: the status says it).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }

    pub fn with_detail(mut self, detail: &str) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn unauthorized(why: Refused) -> Self {
        let status = if matches!(why, Refused::Throttled { .. }) {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNAUTHORIZED
        };
        Self::new(status, why.to_string())
    }

    pub fn forbidden(detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub(crate) fn bad(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }
}

impl From<crosswalk_app::Error> for Problem {
    fn from(e: crosswalk_app::Error) -> Self {
        use crosswalk_app::ErrorKind as K;
        let status = match e.kind() {
            K::Invalid => StatusCode::BAD_REQUEST,
            K::NotFound => StatusCode::NOT_FOUND,
            K::Conflict => StatusCode::CONFLICT,
            K::Stale => StatusCode::PRECONDITION_FAILED,
            K::Forbidden => StatusCode::FORBIDDEN,
            K::Busy => StatusCode::SERVICE_UNAVAILABLE,
            K::Internal => {
                tracing::error!(error = %e, "request failed");
                return Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server failed to complete the request; it was logged",
                );
            }
        };
        Self::new(status, e.to_string())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (status, Json(&self)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"crosswalk\""),
            );
        }
        r
    }
}

/// What a panic inside a handler becomes: a 500 problem, nothing of the panic shown.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the server failed to complete the request; it was logged",
    )
    .into_response()
}

pub(crate) type Shared = State<Arc<AppState>>;

/// Extractors whose rejections are problems (a bad query string or path is a 400 in
/// problem+json, like every other error), wrapping axum's.
macro_rules! problem_extractor {
    ($name:ident, $inner:ident, $what:literal) => {
        #[doc = concat!("axum's `", stringify!($inner), "`, rejected as a problem.")]
        pub struct $name<T>(pub T);

        impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send>
            axum::extract::FromRequestParts<S> for $name<T>
        {
            type Rejection = Problem;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &S,
            ) -> Result<Self, Problem> {
                axum::extract::$inner::<T>::from_request_parts(parts, state)
                    .await
                    .map(|axum::extract::$inner(t)| Self(t))
                    .map_err(|e| {
                        Problem::bad(format!(
                            concat!("the ", $what, " is wrong: {}"),
                            e.body_text()
                        ))
                    })
            }
        }
    };
}

problem_extractor!(Params, Query, "query string");
problem_extractor!(PathOf, Path, "path");

/// A JSON request body, read whole but parsed only when the handler asks (after the
/// caller is authenticated and authorised, so an anonymous caller learns nothing from
/// body errors). Bad bodies are 400 or 415 problems.
pub struct Payload<T>(Result<T, Problem>);

impl<T> Payload<T> {
    pub(crate) fn get(self) -> Result<T, Problem> {
        self.0
    }
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Payload<T> {
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| Problem::new(e.status(), e.body_text()))?;
        if !json {
            return Ok(Self(Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON with Content-Type: application/json",
            ))));
        }
        Ok(Self(serde_json::from_slice(&bytes).map_err(|e| {
            Problem::bad(format!(
                "the request body is not what this route takes: {e}"
            ))
        })))
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Credentials {
    type Rejection = std::convert::Infallible;

    /// What the request presents: a bearer token, the session cookie, the CSRF header,
    /// and whether its method changes state. Checked later, on a blocking thread.
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().strip_prefix("Bearer "))
            .map(|v| v.trim().to_owned());
        let session = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)
            .map(|(_, v)| v.to_owned());
        Ok(Credentials {
            bearer,
            session,
            csrf: headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            unsafe_method: !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS),
        })
    }
}

/// Runs blocking work (database, use cases) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|_| {
        Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed to complete the request; it was logged",
        ))
    })
}

/// Authenticates, checks `action` in `program`, and runs `f` on the program.
pub(crate) async fn in_program<T: Send + 'static>(
    st: Arc<AppState>,
    creds: Credentials,
    program: String,
    action: Action,
    f: impl FnOnce(&mut Session<'static>, &ProgramSlot, &Caller) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    blocking(move || {
        let caller = st.authenticate(&creds)?;
        let role = st.authorize(&caller, &program, action)?;
        st.with_program(&program, &caller, role, |s, slot| f(s, slot, &caller))
    })
    .await
}

/// Authenticates, checks `action` in `program`, and runs `f` on the registry with the
/// caller and its role there (members and tokens).
async fn in_registry<T: Send + 'static>(
    st: Arc<AppState>,
    creds: Credentials,
    program: String,
    action: Action,
    f: impl FnOnce(&mut Registry, &str, &Caller, Role, Clock) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    blocking(move || {
        let caller = st.authenticate(&creds)?;
        let role = st.authorize(&caller, &program, action)?;
        let clock = (st.now)();
        st.registry(|reg| f(reg, &program, &caller, role, clock))
    })
    .await
}

pub fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        // The web app.
        .route("/", get(web::home))
        .route("/login", get(web::login).post(web::login_submit))
        .route("/logout", post(web::logout))
        .route("/switch", get(web::switch))
        .route("/static/{file}", get(web::asset))
        .route("/programs/{program}", get(pages::dashboard))
        .route(
            "/programs/{program}/frameworks",
            get(pages::frameworks).post(workspace::add_framework),
        )
        .route(
            "/programs/{program}/frameworks/{framework}/soa",
            get(pages::soa),
        )
        .route(
            "/programs/{program}/frameworks/{framework}/requirements/{requirement}",
            get(workspace::requirement),
        )
        .route(
            "/programs/{program}/frameworks/{framework}/requirements/{requirement}/assess",
            post(workspace::assess),
        )
        .route(
            "/programs/{program}/frameworks/{framework}/requirements/{requirement}/sign-off",
            post(workspace::sign_off),
        )
        .route("/programs/{program}/links", get(workspace::links))
        .route("/programs/{program}/links/review", post(workspace::review))
        .route(
            "/programs/{program}/requests/{id}/steps",
            post(workspace::step),
        )
        .route(
            "/programs/{program}/frameworks/{framework}",
            get(pages::requirements),
        )
        .route(
            "/programs/{program}/controls",
            get(pages::controls).post(pages::add_control),
        )
        .route(
            "/programs/{program}/controls/import",
            get(import::form)
                .post(import::preview)
                .layer(axum::extract::DefaultBodyLimit::max(crate::MAX_BODY)),
        )
        .route(
            "/programs/{program}/controls/import/apply",
            post(import::apply),
        )
        .route("/programs/{program}/controls/{id}", get(pages::control))
        .route(
            "/programs/{program}/controls/{id}/status",
            post(pages::set_status),
        )
        .route("/programs/{program}/comments", post(pages::comment))
        .route(
            "/programs/{program}/evidence",
            get(pages::evidence)
                .post(workspace::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::MAX_BODY)),
        )
        .route(
            "/programs/{program}/requests",
            get(workspace::requests).post(workspace::raise),
        )
        .route("/programs/{program}/audit", get(pages::audit))
        .route("/programs/{program}/monitoring", get(monitoring::page))
        .route("/programs/{program}/monitoring/run", post(monitoring::run))
        .route("/programs/{program}/plan", get(insight::plan))
        .route(
            "/programs/{program}/standards",
            get(insight::standards_page),
        )
        .route(
            "/programs/{program}/admin",
            get(admin::admin).post(admin::admin_form),
        )
        .route("/health", get(health))
        .route("/ready", get(ready))
        .merge(
            utoipa_swagger_ui::SwaggerUi::new("/api/docs")
                // The one document, built once, served at /api/openapi.json.
                .url("/api/openapi.json", ApiDoc::openapi()),
        )
        .route("/api/v1/session", post(sign_in).delete(sign_out))
        .route("/api/v1/programs", get(programs).post(create_program))
        .route("/api/v1/programs/{program}/dashboard", get(dashboard))
        .route(
            "/api/v1/programs/{program}/controls",
            get(list_controls).post(create_control),
        )
        .route(
            "/api/v1/programs/{program}/controls/{id}",
            get(get_control).patch(update_control),
        )
        .route(
            "/api/v1/programs/{program}/links",
            get(list_links).post(program::add_links),
        )
        .route(
            "/api/v1/programs/{program}/links/review",
            post(program::review_links),
        )
        .route("/api/v1/frameworks", get(program::library))
        .route("/api/v1/frameworks/{framework}", get(program::framework))
        .route(
            "/api/v1/programs/{program}/frameworks",
            get(program::scope).post(program::add_framework),
        )
        .route(
            "/api/v1/programs/{program}/frameworks/{framework}",
            delete(program::remove_framework),
        )
        .route(
            "/api/v1/programs/{program}/frameworks/{framework}/requirements",
            get(program::requirements),
        )
        .route(
            "/api/v1/programs/{program}/policies",
            get(program::policies).post(program::set_policy),
        )
        .route(
            "/api/v1/programs/{program}/assessments",
            get(program::assessments).post(program::assess),
        )
        .route("/api/v1/programs/{program}/plan", get(program::plan))
        .route(
            "/api/v1/programs/{program}/results",
            post(monitor::post_results),
        )
        .route(
            "/api/v1/programs/{program}/snapshots",
            post(monitor::post_snapshot),
        )
        .route(
            "/api/v1/programs/{program}/monitor/runs",
            post(monitor::run),
        )
        .route("/api/v1/programs/{program}/checks", get(monitor::checks))
        .route(
            "/api/v1/programs/{program}/checks/status",
            get(monitor::status),
        )
        .route(
            "/api/v1/programs/{program}/evidence",
            get(list_evidence)
                .post(add_evidence)
                .layer(axum::extract::DefaultBodyLimit::max(crate::MAX_BODY)),
        )
        .route(
            "/api/v1/programs/{program}/evidence/{id}/file",
            get(evidence_file),
        )
        .route("/api/v1/programs/{program}/exports/{kind}", get(export))
        .route("/api/v1/programs/{program}/gaps", get(gaps))
        .route(
            "/api/v1/programs/{program}/audit/verify",
            get(verify_program),
        )
        .route(
            "/api/v1/programs/{program}/audit/entries",
            get(audit_entries),
        )
        .route("/api/v1/audit/verify", get(verify_all))
        .route(
            "/api/v1/programs/{program}/assignments",
            get(collab::list_assignments)
                .post(collab::assign)
                .delete(collab::unassign),
        )
        .route(
            "/api/v1/programs/{program}/comments",
            get(collab::list_comments).post(collab::add_comment),
        )
        .route(
            "/api/v1/programs/{program}/requests",
            get(collab::list_requests).post(collab::raise_request),
        )
        .route(
            "/api/v1/programs/{program}/requests/{id}",
            get(collab::get_request),
        )
        .route(
            "/api/v1/programs/{program}/requests/{id}/steps",
            post(collab::step_request),
        )
        .route(
            "/api/v1/programs/{program}/engagements",
            get(collab::list_engagements).post(collab::add_engagement),
        )
        .route(
            "/api/v1/programs/{program}/engagements/{id}",
            put(collab::set_engagement),
        )
        .route("/api/v1/programs/{program}/activity", get(collab::activity))
        .route(
            "/api/v1/programs/{program}/webhooks",
            get(collab::list_webhooks).post(collab::add_webhook),
        )
        .route(
            "/api/v1/programs/{program}/webhooks/{id}",
            delete(collab::remove_webhook),
        )
        .route(
            "/api/v1/programs/{program}/members",
            get(list_members).post(add_member),
        )
        .route(
            "/api/v1/programs/{program}/tokens",
            get(list_tokens).post(create_token),
        )
        .route(
            "/api/v1/programs/{program}/tokens/{id}",
            delete(revoke_token),
        )
        .fallback(|| async { Problem::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this route does not take that method",
            )
        })
        .with_state(state)
}

#[utoipa::path(get, path = "/health", responses((status = 200, description = "The process is up", body = Value)))]
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[utoipa::path(get, path = "/ready", responses(
    (status = 200, description = "The database answers", body = Value),
    (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json")))]
async fn ready(State(st): Shared) -> Result<Json<Value>, Problem> {
    blocking(move || {
        st.registry(|reg| {
            access::programs(reg).map_err(|e| {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {e}"))
            })
        })
    })
    .await?;
    Ok(Json(json!({ "status": "ready" })))
}

/// `POST /api/v1/session`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/session", request_body = SignIn, responses(
    (status = 201, description = "Signed in: the session cookie is set; send `csrf` as X-CSRF-Token on state-changing requests", body = Value),
    (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed sign-ins", body = Problem, content_type = "application/problem+json")))]
async fn sign_in(
    State(st): Shared,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    body: Payload<SignIn>,
) -> Result<Response, Problem> {
    let opened = blocking(move || {
        let body = body.get()?;
        let clock = (st.now)();
        st.registry(|reg| {
            access::sign_in(
                reg,
                &body.email,
                &body.password,
                &addr.ip().to_string(),
                clock,
            )
            .map_err(Problem::from)
        })?
        .map_err(Problem::unauthorized)
    })
    .await?;
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        opened.session_id,
        access::SESSION_SECONDS
    );
    let mut r = (
        StatusCode::CREATED,
        Json(json!({ "email": opened.principal.name, "csrf": opened.csrf })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

#[utoipa::path(delete, path = "/api/v1/session", responses(
    (status = 204, description = "Signed out"),
    (status = 401, description = "No session", body = Problem, content_type = "application/problem+json")))]
async fn sign_out(State(st): Shared, creds: Credentials) -> Result<Response, Problem> {
    blocking(move || {
        st.authenticate(&creds)?;
        if let Some(s) = &creds.session {
            st.registry(|reg| access::sign_out(reg, s).map_err(Problem::from))?;
        }
        Ok(())
    })
    .await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "cw_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(r)
}

#[utoipa::path(get, path = "/api/v1/programs", security(("bearer" = [])), responses(
    (status = 200, description = "The programs the caller reaches, with its role: [{id, name, role}]", body = Value), Denied))]
async fn programs(State(st): Shared, creds: Credentials) -> Result<Json<Value>, Problem> {
    blocking(move || {
        let caller = st.authenticate(&creds)?;
        st.registry(|reg| {
            let all = access::reachable(reg, &caller.principal).map_err(Problem::from)?;
            Ok(Json(value(&all)))
        })
    })
    .await
}

/// `POST /api/v1/programs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgram {
    /// 1–40 lowercase letters, digits and inner hyphens.
    pub id: String,
    /// The organisation or business unit.
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/programs", request_body = NewProgram, security(("bearer" = [])), responses(
    (status = 201, description = "Created; the caller is its owner", body = Value),
    (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"), Denied))]
async fn create_program(
    State(st): Shared,
    creds: Credentials,
    body: Payload<NewProgram>,
) -> Result<Response, Problem> {
    blocking(move || {
        let caller = st.authenticate(&creds)?;
        if !caller.principal.admin {
            return Err(Problem::forbidden(
                "only a server administrator creates programs",
            ));
        }
        let body = body.get()?;
        let clock = (st.now)();
        st.registry(|reg| {
            access::create_program(reg, &body.id, &body.name, &caller.principal.name, clock)
                .map_err(Problem::from)
        })?;
        Ok((
            StatusCode::CREATED,
            Json(json!({ "id": body.id, "name": body.name.trim() })),
        )
            .into_response())
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/dashboard", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 200, description = "{program, today, version, frameworks: [readiness as assess status --json], controls, evidence: {total, current, stale}, open_gaps}", body = Value), Denied))]
async fn dashboard(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, Problem> {
    let bytes = in_program(st, creds, program, Action::Read, |s, slot, _| {
        if *s.view() != crosswalk_core::collab::View::Whole {
            // A confined caller's dashboard is its own: never cached for others.
            let d = s.dashboard().map_err(Problem::from)?;
            return Ok(Arc::new(serde_json::to_vec(&d).unwrap_or_default()));
        }
        let version = s.version().map_err(Problem::from)?;
        // One computation per version: requests that miss together wait for the first.
        let mut cached = slot
            .dashboard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((v, b)) = cached.as_ref()
            && *v >= version
        {
            return Ok(Arc::clone(b));
        }
        let d = s.dashboard().map_err(Problem::from)?;
        let bytes = Arc::new(serde_json::to_vec(&d).unwrap_or_default());
        *cached = Some((d.version, Arc::clone(&bytes)));
        Ok(bytes)
    })
    .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(bytes.as_ref().clone()),
    )
        .into_response())
}

/// Cursor pagination: `cursor` is the id of the last item of the previous page.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Page {
    /// Start after the item with this id (from the previous page's `next_cursor`).
    pub cursor: Option<String>,
    /// Items per page: 1–1000, default 100.
    pub limit: Option<usize>,
}

pub(crate) fn page<T: Serialize>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    p: &Page,
) -> Result<Value, Problem> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Problem::bad(format!("limit must be 1–1000, not {limit}")));
    }
    let start = match &p.cursor {
        None => 0,
        Some(c) => items
            .iter()
            .position(|i| key(i) == *c)
            .map(|i| i + 1)
            .ok_or_else(|| {
                Problem::bad(format!("the cursor `{}` names no item", c.escape_debug()))
            })?,
    };
    let end = (start + limit).min(items.len());
    let next = (end < items.len()).then(|| key(&items[end - 1]));
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(start).take(end - start).collect();
    Ok(json!({ "items": items, "next_cursor": next, "total": total }))
}

/// Filters of the control listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ControlQuery {
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    /// Only controls with this status.
    pub status: Option<String>,
    /// Only controls of this owner.
    pub owner: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/controls", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ControlQuery),
    responses(
        (status = 200, description = "{items: [control], next_cursor, total}", body = Value), Denied))]
async fn list_controls(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<ControlQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let rows: Vec<_> = s
            .controls()
            .map_err(Problem::from)?
            .into_iter()
            .filter(|r| {
                q.status
                    .as_deref()
                    .is_none_or(|x| r.control.status.as_str() == x)
            })
            .filter(|r| q.owner.as_deref().is_none_or(|x| r.control.owner == x))
            .map(|r| r.control)
            .collect();
        page(
            rows,
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

/// `POST /api/v1/programs/{program}/controls`: the fields of `control add`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewControlBody {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner: String,
    /// not-started, in-progress, implemented or operating (default not-started).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub frequency: String,
}

fn with_etag(status: StatusCode, c: &crosswalk_core::program::Control) -> Response {
    let mut r = (status, Json(c)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", c.etag())) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/controls", request_body = NewControlBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 201, description = "The control, with its ETag", body = Value), Denied))]
async fn create_control(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewControlBody>,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let body = body.get()?;
        let c = s
            .add_control(NewControl {
                id: body.id,
                title: body.title,
                description: body.description,
                owner: body.owner,
                status: body.status.unwrap_or_else(|| "not-started".into()),
                frequency: body.frequency,
            })
            .map_err(Problem::from)?;
        Ok(with_etag(StatusCode::CREATED, &c))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/controls/{id}", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Control id")),
    responses(
        (status = 200, description = "The control, with its ETag", body = Value), Denied))]
async fn get_control(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let c = s.control_record(&id).map_err(Problem::from)?;
        Ok(with_etag(StatusCode::OK, &c))
    })
    .await
}

/// `PATCH /api/v1/programs/{program}/controls/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlPatch {
    /// not-started, in-progress, implemented or operating.
    pub status: String,
}

#[utoipa::path(patch, path = "/api/v1/programs/{program}/controls/{id}", request_body = ControlPatch, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Control id"),
        ("If-Match" = String, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "The control as it now is, with its new ETag", body = Value),
        (status = 412, description = "The control changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match header", body = Problem, content_type = "application/problem+json"), Denied))]
async fn update_control(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
    headers: HeaderMap,
    body: Payload<ControlPatch>,
) -> Result<Response, Problem> {
    let etag = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned()
        });
    in_program(st, creds, program, Action::Edit, move |s, _, _| {
        let body = body.get()?;
        let Some(etag) = etag else {
            return Err(Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "send If-Match with the control's ETag, so that no one's change is overwritten",
            ));
        };
        let c = s
            .update_control_status(&id, &body.status, Some(&etag))
            .map_err(Problem::from)?;
        Ok(with_etag(StatusCode::OK, &c))
    })
    .await
}

/// Filters of the link listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LinkQuery {
    pub cursor: Option<String>,
    pub limit: Option<usize>,
    pub framework: Option<String>,
    /// proposed, accepted or rejected.
    pub state: Option<String>,
    /// manual, official, curated, tool or inferred.
    pub origin: Option<String>,
    pub control: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/links", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), LinkQuery),
    responses(
        (status = 200, description = "{items: [link as links list --json], next_cursor, total}", body = Value), Denied))]
async fn list_links(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<LinkQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let links = s
            .links(&crosswalk_app::links::LinkFilter {
                framework: q.framework,
                state: q.state,
                origin: q.origin,
                control: q.control,
            })
            .map_err(Problem::from)?;
        page(
            links,
            |l| l.id.clone(),
            &Page {
                cursor: q.cursor,
                limit: q.limit,
            },
        )
        .map(Json)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/evidence", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), Page),
    responses(
        (status = 200, description = "{items: [evidence with current], next_cursor, total}", body = Value), Denied))]
async fn list_evidence(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<Page>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let rows: Vec<Value> = s
            .evidence()
            .map_err(Problem::from)?
            .into_iter()
            .map(|r| {
                let mut v = serde_json::to_value(&r.evidence).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert("current".into(), Value::Bool(r.current));
                }
                v
            })
            .collect();
        page(
            rows,
            |v| v.get("id").and_then(Value::as_str).unwrap_or("").to_owned(),
            &q,
        )
        .map(Json)
    })
    .await
}

/// `POST /api/v1/programs/{program}/evidence`, as multipart/form-data.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct EvidenceForm {
    /// What the evidence shows.
    title: String,
    /// A control it proves (repeat the field for several).
    control: Vec<String>,
    /// The file (at most 64 MiB); or give `url` instead.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: Option<Vec<u8>>,
    /// An http(s) link to the evidence, instead of a file.
    url: Option<String>,
    /// Its id (EV-<n> is given when none).
    id: Option<String>,
    /// When it was collected (YYYY-MM-DD; today when none).
    collected: Option<String>,
    /// The last day it counts (YYYY-MM-DD).
    valid_until: Option<String>,
}

/// Reads the evidence form; every field as text except the file.
/// Evidence as a multipart form: the item, the spooled file (removed when dropped), and
/// the `csrf` field when the form carried one (the web app's forms do).
pub(crate) struct EvidenceUpload {
    pub new: crosswalk_app::program::NewEvidence,
    pub spooled: Option<tempfile::TempPath>,
    pub csrf: Option<String>,
}

pub(crate) async fn evidence_form(
    mut form: axum::extract::Multipart,
) -> Result<EvidenceUpload, Problem> {
    use crosswalk_app::program::{EvidenceSource, NewEvidence, date};
    let bad = |e: axum::extract::multipart::MultipartError| Problem::new(e.status(), e.body_text());
    let (mut title, mut controls, mut file, mut url) = (None, Vec::new(), None, None);
    let (mut id, mut collected, mut valid_until, mut csrf) = (None, None, None, None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            // Spooled to a temporary file as it arrives, never held whole in memory.
            let spool = tempfile::NamedTempFile::new().map_err(|e| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("cannot spool the upload: {e}"),
                )
            })?;
            let (std_file, path) = spool.into_parts();
            let mut out = tokio::fs::File::from_std(std_file);
            let mut field = field;
            // A browser sends an empty part, without a file name, for no file chosen.
            let named = field.file_name().is_some_and(|n| !n.is_empty());
            let mut written = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                written += chunk.len();
                tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                    .await
                    .map_err(|e| {
                        Problem::new(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            format!("cannot spool the upload: {e}"),
                        )
                    })?;
            }
            tokio::io::AsyncWriteExt::flush(&mut out)
                .await
                .map_err(|e| {
                    Problem::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("cannot spool the upload: {e}"),
                    )
                })?;
            if named || written > 0 {
                file = Some(path);
            }
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "title" => title = Some(text),
            "control" => controls.push(text),
            "url" => url = Some(text).filter(|t| !t.trim().is_empty()),
            "id" => id = Some(text),
            "collected" => collected = Some(text).filter(|t| !t.trim().is_empty()),
            "valid_until" => valid_until = Some(text).filter(|t| !t.trim().is_empty()),
            "csrf" => csrf = Some(text),
            other => {
                return Err(Problem::bad(format!(
                    "unknown field `{}`: the form takes title, control, file or url, id, collected, valid_until",
                    other.escape_debug()
                )));
            }
        }
    }
    let (source, spooled) = match (file, url) {
        (Some(path), None) => (EvidenceSource::Spooled(path.to_path_buf()), Some(path)),
        (None, Some(u)) => (EvidenceSource::Url(u), None),
        _ => return Err(Problem::bad("give exactly one of `file` and `url`")),
    };
    let new = NewEvidence {
        id,
        title: title.ok_or_else(|| Problem::bad("the field `title` is missing"))?,
        source,
        controls,
        collected: date(collected.as_deref(), "collected").map_err(Problem::from)?,
        valid_until: date(valid_until.as_deref(), "valid_until").map_err(Problem::from)?,
    };
    Ok(EvidenceUpload { new, spooled, csrf })
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/evidence", security(("bearer" = [])),
    request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 201, description = "The evidence recorded (a file is stored by its SHA-256)", body = Value),
        (status = 413, description = "The file is larger than 64 MiB", body = Problem, content_type = "application/problem+json"), Denied))]
async fn add_evidence(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    request: axum::extract::Request,
) -> Result<Response, Problem> {
    // The caller is checked before the body is read.
    let check = (Arc::clone(&st), creds.clone(), program.clone());
    blocking(move || {
        let caller = check.0.authenticate(&check.1)?;
        check
            .0
            .authorize(&caller, &check.2, Action::AddEvidence)
            .map(drop)
    })
    .await?;
    let form =
        <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
            .await
            .map_err(|e| Problem::new(e.status(), e.body_text()))?;
    let EvidenceUpload { new, spooled, .. } = evidence_form(form).await?;
    in_program(st, creds, program, Action::AddEvidence, move |s, _, _| {
        let e = s.add_evidence(new).map_err(Problem::from);
        // The spooled upload is removed once stored (or refused).
        drop(spooled);
        let e = e?;
        Ok((StatusCode::CREATED, Json(e)).into_response())
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/evidence/{id}/file", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Evidence id")),
    responses(
        (status = 200, description = "The stored file, checked against its SHA-256", content_type = "application/octet-stream"), Denied))]
async fn evidence_file(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let (e, bytes) = s.evidence_file(&id).map_err(Problem::from)?;
        Ok(download(
            "application/octet-stream",
            &format!("{}.bin", e.id),
            bytes,
        ))
    })
    .await
}

/// A response that browsers save rather than show.
fn download(media_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // File names are ours (kinds and ids), but quote only what is safe in a header.
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Which document.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// The framework, for soa, matrix and oscal-ar.
    pub framework: Option<String>,
    /// soa: xlsx (default) or pdf; report: html (default), md or pdf.
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/exports/{kind}", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"),
        ("kind" = String, Path, description = "soa, matrix, oscal-ar, risks, poam, report or evidence"), ExportQuery),
    responses(
        (status = 200, description = "The document as a download", content(
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "application/pdf"), (String = "text/html; charset=utf-8"),
            (String = "text/markdown; charset=utf-8"), (Value = "application/json"),
            (String = "application/zip"))), Denied))]
async fn export(
    State(st): Shared,
    PathOf((program, kind)): PathOf<(String, String)>,
    Params(q): Params<ExportQuery>,
    creds: Credentials,
) -> Result<Response, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let which = crosswalk_app::export::Export::parse(
            &kind,
            q.framework.as_deref(),
            q.format.as_deref(),
        )
        .map_err(Problem::from)?;
        let doc = s.export(&which).map_err(Problem::from)?;
        Ok(download(doc.media_type(), &doc.file_name(), doc.bytes))
    })
    .await
}

/// How many gaps.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct GapQuery {
    /// 1–1000, default 25.
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/gaps", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), GapQuery),
    responses(
        (status = 200, description = "{total, frameworks, rows: [as gaps --json]}", body = Value), Denied))]
async fn gaps(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<GapQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::Read, move |s, _, _| {
        let limit = q.limit.unwrap_or(25);
        if !(1..=1000).contains(&limit) {
            return Err(Problem::bad(format!("limit must be 1–1000, not {limit}")));
        }
        let r = s.gaps(limit).map_err(Problem::from)?;
        Ok(Json(
            json!({ "total": r.total, "frameworks": r.frameworks, "rows": r.rows }),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/audit/verify", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 200, description = "{intact, entries, head, first_bad: null | {seq, problem}}", body = Value), Denied))]
async fn verify_program(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::ReadAudit, |s, _, _| {
        let v = s.audit_verify().map_err(Problem::from)?;
        Ok(Json(serde_json::to_value(v).unwrap_or(Value::Null)))
    })
    .await
}

/// Which entries (of the audit trail, or of the activity feed).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EntryQuery {
    /// Only entries numbered after this one (for the feed: the previous page's
    /// `next_after`).
    pub after: Option<u64>,
    /// 1–1000, default 100.
    pub limit: Option<usize>,
}

impl EntryQuery {
    /// The limit asked for, checked.
    pub(crate) fn limit(&self) -> Result<usize, Problem> {
        let limit = self.limit.unwrap_or(100);
        if (1..=1000).contains(&limit) {
            Ok(limit)
        } else {
            Err(Problem::bad(format!("limit must be 1–1000, not {limit}")))
        }
    }
}

/// A value as JSON.
pub(crate) fn value<T: Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// 201 with the value as JSON.
pub(crate) fn created<T: Serialize>(t: &T) -> Response {
    (StatusCode::CREATED, Json(value(t))).into_response()
}

/// An optional `YYYY-MM-DD` field, as a problem when it is not a date.
pub(crate) fn day(s: Option<&str>, what: &str) -> Result<Option<jiff::civil::Date>, Problem> {
    crosswalk_app::program::date(s, what).map_err(Problem::from)
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/audit/entries", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), EntryQuery),
    responses(
        (status = 200, description = "[{seq, at, actor, action, target, before, after, prev, hash}]", body = Value), Denied))]
async fn audit_entries(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    Params(q): Params<EntryQuery>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_program(st, creds, program, Action::ReadAudit, move |s, _, _| {
        let limit = q.limit()?;
        let e = s
            .audit_entries(q.after.unwrap_or(0), limit)
            .map_err(Problem::from)?;
        Ok(Json(serde_json::to_value(e).unwrap_or(Value::Null)))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/audit/verify", security(("bearer" = [])),
    responses(
        (status = 200, description = "{intact, programs: [{program, intact, entries, head, first_bad}]} over every program whose trail the caller may read", body = Value), Denied))]
async fn verify_all(State(st): Shared, creds: Credentials) -> Result<Json<Value>, Problem> {
    blocking(move || {
        let caller = st.authenticate(&creds)?;
        let reachable = st.registry(|reg| {
            let mut out = Vec::new();
            for p in access::programs(reg).map_err(Problem::from)? {
                let role = caller
                    .principal
                    .role_in(reg, &p.id)
                    .map_err(Problem::from)?;
                if let Some(role) = role.filter(|r| r.allows(Action::ReadAudit)) {
                    out.push((p.id, role));
                }
            }
            Ok(out)
        })?;
        let mut all = Vec::new();
        let mut intact = true;
        for (p, role) in reachable {
            let v = match st.with_program(&p, &caller, role, |s, _| {
                s.audit_verify().map_err(Problem::from)
            }) {
                // An auditor named by no engagement in progress does not see the program.
                Err(e) if e.status == StatusCode::FORBIDDEN.as_u16() => continue,
                other => other?,
            };
            intact &= v.intact;
            let mut j = serde_json::to_value(v).unwrap_or(Value::Null);
            if let Some(o) = j.as_object_mut() {
                o.insert("program".into(), Value::String(p));
            }
            all.push(j);
        }
        Ok(Json(json!({ "intact": intact, "programs": all })))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/members", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 200, description = "[{account, email, name, role}]", body = Value), Denied))]
async fn list_members(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_registry(
        st,
        creds,
        program,
        Action::Manage,
        |reg, program, _, _, _| {
            let m = access::members(reg, program).map_err(Problem::from)?;
            Ok(Json(serde_json::to_value(m).unwrap_or(Value::Null)))
        },
    )
    .await
}

/// `POST /api/v1/programs/{program}/members`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// owner, admin, editor, contributor, auditor or viewer.
    pub role: String,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/members", request_body = NewMember, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 201, description = "{member, password}: the password is set only when the account was created now, shown this once", body = Value), Denied))]
async fn add_member(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewMember>,
) -> Result<Response, Problem> {
    in_registry(
        st,
        creds,
        program,
        Action::Manage,
        move |reg, program, _, mine, clock| {
            let body = body.get()?;
            let role = Role::parse(&body.role).map_err(Problem::from)?;
            let (member, password) = access::add_member(
                reg,
                program,
                Some(mine),
                &body.email,
                &body.name,
                role,
                None,
                clock,
            )
            .map_err(Problem::from)?;
            Ok((
                StatusCode::CREATED,
                Json(json!({ "member": member, "password": password })),
            )
                .into_response())
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/programs/{program}/tokens", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 200, description = "[{id, program, role, label, created_by, created_at, expires_on, revoked_at}] (never the secret)", body = Value), Denied))]
async fn list_tokens(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Json<Value>, Problem> {
    in_registry(
        st,
        creds,
        program,
        Action::Manage,
        |reg, program, _, _, _| {
            let t = access::tokens(reg, program).map_err(Problem::from)?;
            Ok(Json(serde_json::to_value(t).unwrap_or(Value::Null)))
        },
    )
    .await
}

/// `POST /api/v1/programs/{program}/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// The role the token acts with (at most the creator's own).
    pub role: String,
    /// The last day it is valid (YYYY-MM-DD); none: until revoked.
    #[serde(default)]
    pub expires_on: Option<String>,
    #[serde(default)]
    pub label: String,
}

#[utoipa::path(post, path = "/api/v1/programs/{program}/tokens", request_body = NewTokenBody, security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id")),
    responses(
        (status = 201, description = "{token, id, program, role, …}: the token is shown this once", body = Value), Denied))]
async fn create_token(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    body: Payload<NewTokenBody>,
) -> Result<Response, Problem> {
    in_registry(
        st,
        creds,
        program,
        Action::Manage,
        move |reg, program, caller, mine, clock| {
            let body = body.get()?;
            let role = Role::parse(&body.role).map_err(Problem::from)?;
            let expires = crosswalk_app::program::date(body.expires_on.as_deref(), "expires_on")
                .map_err(Problem::from)?;
            let t = access::create_token(
                reg,
                program,
                Some(mine),
                role,
                expires,
                &body.label,
                &caller.principal.name,
                clock,
            )
            .map_err(Problem::from)?;
            Ok((StatusCode::CREATED, Json(t)).into_response())
        },
    )
    .await
}

#[utoipa::path(delete, path = "/api/v1/programs/{program}/tokens/{id}", security(("bearer" = [])),
    params(("program" = String, Path, description = "Program id"), ("id" = String, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"), Denied))]
async fn revoke_token(
    State(st): Shared,
    PathOf((program, id)): PathOf<(String, String)>,
    creds: Credentials,
) -> Result<StatusCode, Problem> {
    in_registry(
        st,
        creds,
        program,
        Action::Manage,
        move |reg, program, _, _, clock| {
            access::revoke_token(reg, program, &id, clock).map_err(Problem::from)?;
            Ok(StatusCode::NO_CONTENT)
        },
    )
    .await
}

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(COOKIE))),
        );
    }
}

/// The OpenAPI 3.1 document of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "crosswalk API", description = "Compliance programs across many standards: readiness, controls, links, evidence, gaps, members, tokens and the audit trail. Authenticate with `Authorization: Bearer TOKEN` (crosswalk token create) or a session cookie from POST /api/v1/session plus its X-CSRF-Token on state-changing requests. Errors are application/problem+json."),
    paths(health, ready, sign_in, sign_out, programs, create_program, dashboard, list_controls, create_control,
        get_control, update_control, list_links, list_evidence, gaps, verify_program, audit_entries, verify_all,
        list_members, add_member, list_tokens, create_token, revoke_token, add_evidence, evidence_file, export,
        collab::list_assignments, collab::assign, collab::unassign, collab::list_comments, collab::add_comment,
        collab::list_requests, collab::raise_request, collab::get_request, collab::step_request,
        collab::list_engagements, collab::add_engagement, collab::set_engagement, collab::activity,
        collab::list_webhooks, collab::add_webhook, collab::remove_webhook,
        program::library, program::framework, program::scope, program::add_framework, program::remove_framework,
        program::requirements, program::add_links, program::review_links, program::policies, program::set_policy,
        program::assessments, program::assess, program::plan,
        monitor::post_results, monitor::post_snapshot, monitor::run, monitor::checks, monitor::status),
    components(schemas(Problem, EvidenceForm, SignIn, NewProgram, NewControlBody, ControlPatch, NewMember, NewTokenBody,
        collab::NewAssignment, collab::NewComment, collab::NewRequestBody, collab::StepBody, collab::EngagementBody,
        collab::NewWebhookBody, program::AddFrameworkBody, program::NewLinks, program::ReviewBody,
        program::PolicyBody, program::AssessBody)),
    modifiers(&Security)
)]
pub struct ApiDoc;
