//! The web app: server-rendered pages (askama templates, escaped by default) with htmx
//! 2.0 vendored into the binary, no script of our own and nothing fetched from elsewhere.
//! Pages work with JavaScript off; with it, htmx swaps in the fragment an action
//! changes. Every page but the sign-in form needs a session; every form that changes
//! state carries the session's CSRF token (a hidden `csrf` field, or the
//! `X-CSRF-Token` header htmx sends from the `hx-headers` of the body).
//!
//! Like the API, each page authenticates, checks the role it needs, and calls
//! `crates/app` on a session of the caller's program: the same use cases, confined to
//! what the caller sees.

use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use crosswalk_app::access::{self, Action, Role};
use crosswalk_app::program::Session;
use serde::Deserialize;

use crate::api::Shared;
use crate::api::{COOKIE, PathOf, Problem, blocking};
use crate::state::{AppState, Caller, Credentials};

/// A navigation entry.
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// What every signed-in page shows around its content.
pub struct Shell {
    pub user: String,
    pub csrf: String,
    pub program: String,
    pub program_name: String,
    pub role: Role,
    pub programs: Vec<(String, String)>,
    pub nav: Vec<NavItem>,
}

/// The main pages, in navigation order: the key, the label, the path under the program,
/// and the action a role needs to see the entry.
const NAV: &[(&str, &str, &str, Action)] = &[
    ("dashboard", "Dashboard", "", Action::Read),
    ("frameworks", "Frameworks", "/frameworks", Action::Read),
    ("controls", "Controls", "/controls", Action::Read),
    ("links", "Link review", "/links", Action::Read),
    ("evidence", "Evidence", "/evidence", Action::Read),
    ("monitoring", "Monitoring", "/monitoring", Action::Read),
    ("requests", "Evidence requests", "/requests", Action::Read),
    ("plan", "Gaps and plan", "/plan", Action::Read),
    ("standards", "Standards", "/standards", Action::Read),
    ("audit", "Audit log", "/audit", Action::ReadAudit),
    ("admin", "Administration", "/admin", Action::Manage),
];

/// Why a page was not served: no session (to the sign-in form), or a problem shown as
/// an HTML page with its status.
pub enum PageError {
    SignIn(String),
    Problem(Problem),
}

impl From<Problem> for PageError {
    fn from(p: Problem) -> Self {
        PageError::Problem(p)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    status: u16,
    detail: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn(next) => {
                let to = if next.is_empty() || next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", urlencode(&next))
                };
                Redirect::to(&to).into_response()
            }
            PageError::Problem(p) => {
                let status =
                    StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let page = ErrorPage {
                    title: &p.title,
                    status: p.status,
                    detail: &p.detail,
                };
                (status, html(&page)).into_response()
            }
        }
    }
}

fn urlencode(s: &str) -> String {
    encode(s, b"/-_.~")
}

/// An id as one segment of a path (`/` and everything else outside `A-Za-z0-9-_.~`
/// percent-encoded).
pub fn path_segment(s: &str) -> String {
    encode(s, b"-_.~")
}

fn encode(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || keep.contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The templates' escaper (`askama.toml`): HTML escaping, with control characters other
/// than line breaks and tabs shown as `\u{…}` text.
#[derive(Debug, Clone, Copy)]
pub struct Escape;

impl askama::filters::Escaper for Escape {
    fn write_escaped_str<W: std::fmt::Write>(&self, dest: W, s: &str) -> std::fmt::Result {
        let control = |c: char| c.is_control() && c != '\n' && c != '\t' && c != '\r';
        if !s.chars().any(control) {
            return askama::filters::Html.write_escaped_str(dest, s);
        }
        let shown: String = s
            .chars()
            .map(|c| {
                if control(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        askama::filters::Html.write_escaped_str(dest, &shown)
    }
}

/// A form body, read whole but judged only when the page asks (after the caller is
/// signed in and allowed, so an anonymous request learns nothing from form errors).
pub struct PageForm<T>(Result<T, Problem>);

impl<T> PageForm<T> {
    pub fn get(self) -> Result<T, Problem> {
        self.0
    }
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for PageForm<T> {
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        Ok(Self(
            Form::<T>::from_request(req, state)
                .await
                .map(|Form(t)| t)
                .map_err(|e| {
                    Problem::bad(format!(
                        "the form is not what this page takes: {}",
                        e.body_text()
                    ))
                }),
        ))
    }
}

/// A rendered template as an HTML response (a template that fails to render is a 500).
pub fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

/// Only a path on this site is followed after sign-in.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Runs a program page: the session (else to sign-in), the caller's role in `program`
/// allowing `action`, the shell, then `f` on a session of the program.
pub async fn program_page<F>(
    st: Arc<AppState>,
    creds: Credentials,
    program: String,
    here: &'static str,
    action: Action,
    path: String,
    f: F,
) -> Result<Response, PageError>
where
    F: FnOnce(&mut Session<'static>, Shell) -> Result<Response, Problem> + Send + 'static,
{
    blocking(move || {
        let Some((caller, csrf)) = st.page_session(&creds)? else {
            return Ok(Err(path));
        };
        let role = st.authorize(&caller, &program, action)?;
        let shell = shell(&st, &caller, csrf, &program, role, here)?;
        st.with_program(&program, &caller, role, |s, _| f(s, shell))
            .map(Ok)
    })
    .await
    .map_err(PageError::Problem)?
    .map_err(PageError::SignIn)
}

/// A multipart body, read only once the caller is signed in and its role allows `action`
/// in `program` (an anonymous or unauthorised request never has its upload read).
pub async fn multipart_when_allowed(
    st: &Arc<AppState>,
    creds: &Credentials,
    program: &str,
    action: Action,
    path: &str,
    request: axum::extract::Request,
) -> Result<axum::extract::Multipart, PageError> {
    program_page(
        Arc::clone(st),
        creds.clone(),
        program.to_owned(),
        "",
        action,
        path.to_owned(),
        |_, _| Ok(().into_response()),
    )
    .await?;
    <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|e| PageError::Problem(Problem::new(e.status(), e.body_text())))
}

fn shell(
    st: &AppState,
    caller: &Caller,
    csrf: String,
    program: &str,
    role: Role,
    here: &str,
) -> Result<Shell, Problem> {
    let reachable =
        st.registry(|reg| access::reachable(reg, &caller.principal).map_err(Problem::from))?;
    let program_name = reachable
        .iter()
        .find(|p| p.id == program)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let nav = NAV
        .iter()
        .filter(|(_, _, _, need)| role.allows(*need))
        .map(|(key, label, sub, _)| NavItem {
            href: format!("/programs/{program}{sub}"),
            label,
            current: *key == here,
        })
        .collect();
    Ok(Shell {
        user: caller.principal.name.clone(),
        csrf,
        program: program.to_owned(),
        program_name,
        role,
        programs: reachable.into_iter().map(|p| (p.id, p.name)).collect(),
        nav,
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    error: Option<String>,
    email: String,
}

/// The cookie that carries the sign-in form's CSRF token (double submit: the form's
/// hidden field must equal it).
const LOGIN_COOKIE: &str = "cw_login";

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn random_token() -> Result<String, Problem> {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the system's random source failed: {e}"),
        )
    })?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn set_cookie(r: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn login_form(next: String, error: Option<String>, email: String, status: StatusCode) -> Response {
    let csrf = match random_token() {
        Ok(t) => t,
        Err(p) => return PageError::Problem(p).into_response(),
    };
    let mut r = (
        status,
        html(&LoginPage {
            csrf: csrf.clone(),
            next,
            error,
            email,
        }),
    )
        .into_response();
    set_cookie(
        &mut r,
        &format!(
            "{LOGIN_COOKIE}={csrf}; Path=/login; HttpOnly; Secure; SameSite=Strict; Max-Age=3600"
        ),
    );
    r
}

/// `GET /login`: the sign-in form.
pub async fn login(Query(q): Query<NextQuery>) -> Response {
    login_form(
        local_path(q.next.as_deref()),
        None,
        String::new(),
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf: String,
    #[serde(default)]
    next: Option<String>,
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `POST /login`: signs in (a fresh session id, throttled as the API's), then to `next`.
pub async fn login_submit(
    State(st): Shared,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = local_path(form.next.as_deref());
    let expected = cookie_value(&headers, LOGIN_COOKIE);
    if !expected.is_some_and(|c| access::csrf_matches(&c, &form.csrf)) {
        return login_form(
            next,
            Some("The form expired. Please sign in again.".into()),
            form.email,
            StatusCode::FORBIDDEN,
        );
    }
    let email = form.email.clone();
    let opened = blocking(move || {
        let clock = (st.now)();
        st.registry(|reg| {
            access::sign_in(
                reg,
                &form.email,
                &form.password,
                &addr.ip().to_string(),
                clock,
            )
            .map_err(Problem::from)
        })
    })
    .await;
    match opened {
        Ok(Ok(opened)) => {
            let mut r = Redirect::to(&next).into_response();
            set_cookie(
                &mut r,
                &format!(
                    "{COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
                    opened.session_id,
                    access::SESSION_SECONDS
                ),
            );
            set_cookie(
                &mut r,
                &format!(
                    "{LOGIN_COOKIE}=; Path=/login; HttpOnly; Secure; SameSite=Strict; Max-Age=0"
                ),
            );
            r
        }
        Ok(Err(refused)) => {
            let status = match refused {
                access::Refused::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            login_form(next, Some(refused.to_string()), email, status)
        }
        Err(p) => PageError::Problem(p).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// `POST /logout`: ends the session (with its CSRF token).
pub async fn logout(State(st): Shared, creds: Credentials, Form(form): Form<CsrfForm>) -> Response {
    let done = blocking(move || {
        if let Some((_, csrf)) = st.page_session(&creds)?
            && access::csrf_matches(&csrf, &form.csrf)
            && let Some(s) = &creds.session
        {
            st.registry(|reg| access::sign_out(reg, s).map_err(Problem::from))?;
            return Ok(true);
        }
        Ok(false)
    })
    .await;
    match done {
        Ok(true) => {
            let mut r = Redirect::to("/login").into_response();
            set_cookie(
                &mut r,
                &format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
            );
            r
        }
        Ok(false) => PageError::Problem(Problem::forbidden(
            "signing out needs the session's form token",
        ))
        .into_response(),
        Err(p) => PageError::Problem(p).into_response(),
    }
}

/// `GET /`: the first program the caller reaches (or sign-in).
pub async fn home(State(st): Shared, creds: Credentials) -> Result<Response, PageError> {
    let first = blocking(move || {
        let Some((caller, _)) = st.page_session(&creds)? else {
            return Ok(None);
        };
        let all =
            st.registry(|reg| access::reachable(reg, &caller.principal).map_err(Problem::from))?;
        Ok(Some(all.into_iter().next().map(|p| p.id)))
    })
    .await?;
    match first {
        None => Err(PageError::SignIn(String::new())),
        Some(Some(p)) => Ok(Redirect::to(&format!("/programs/{p}")).into_response()),
        Some(None) => Err(PageError::Problem(Problem::not_found(
            "your account is a member of no program yet: ask an administrator to add you",
        ))),
    }
}

#[derive(Debug, Deserialize)]
pub struct SwitchQuery {
    program: String,
}

/// `GET /switch?program=ID`: the program switcher (a form that works without script).
pub async fn switch(Query(q): Query<SwitchQuery>) -> Result<Response, PageError> {
    access::check_slug(&q.program).map_err(|e| PageError::Problem(Problem::from(e)))?;
    Ok(Redirect::to(&format!("/programs/{}", q.program)).into_response())
}

/// `GET /static/{file}`: the stylesheet and htmx, compiled into the binary.
pub async fn asset(PathOf(file): PathOf<String>) -> Response {
    let (body, media): (&'static [u8], &str) = match file.as_str() {
        "app.css" => (
            include_bytes!("../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "htmx.min.js" => (
            include_bytes!("../static/htmx.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "upload.js" => (
            include_bytes!("../static/upload.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return PageError::Problem(Problem::not_found("no such file")).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, media),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
