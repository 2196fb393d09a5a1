//! crosswalk's HTTP face: the REST API under `/api/v1/` over the use cases of
//! `crates/app`, with accounts, roles, server-side sessions, API tokens, CSRF checks,
//! problem+json errors and an OpenAPI 3.1 document. It holds no use case and never reaches
//! the store directly: every handler authenticates the caller, checks the role the route
//! needs ([`crosswalk_app::access::Role::allows`]), then calls one `app` function on a
//! session of the caller's program, on a blocking thread.
//!
//! The process is stateless: sessions, tokens, throttling and the audit trail live in the
//! database, so several processes on one PostgreSQL serve as one. Per program it keeps a
//! pool of sessions (each its own connection) and the program as last loaded with its
//! version, reloaded only when the version moves.

mod admin;
mod api;
mod collab;
mod import;
mod insight;
mod monitor;
mod monitoring;
mod pages;
mod program;
mod state;
mod web;
mod workspace;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use crosswalk_app::Clock;
use crosswalk_library::Catalog;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiDoc;
pub use state::AppState;

/// Reads the clock: the binary passes its one clock reader, called once per request.
pub type Now = fn() -> Clock;

/// The largest request body accepted (evidence uploads included): 64 MiB.
pub const MAX_BODY: usize = 64 << 20;

/// How `serve` starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// `HOST:PORT` to listen on (port 0: any free port).
    pub addr: String,
    /// The main database: a SQLite path or a `postgres://` URL.
    pub db: String,
    /// The first administrator's email and password (`CROSSWALK_ADMIN_EMAIL`,
    /// `CROSSWALK_ADMIN_PASSWORD`), used when the database has no account yet.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
}

/// What starting the server did before it listens.
#[derive(Debug, Clone)]
pub struct Started {
    /// The first administrator created now, with the generated password when one was.
    pub admin: Option<(String, Option<String>)>,
}

/// Opens the database, creates the first administrator when there is none, and builds
/// the shared state.
///
/// # Errors
/// When the database cannot be opened or the administrator not created.
pub fn prepare(
    catalog: &'static Catalog,
    config: &Config,
    now: Now,
) -> Result<(Arc<AppState>, Started), crosswalk_app::Error> {
    let mut reg = crosswalk_app::access::open(&config.db)?;
    let admin = crosswalk_app::access::ensure_admin(
        &mut reg,
        config.admin_email.as_deref(),
        config.admin_password.as_deref(),
        now(),
    )?;
    let state = AppState::new(catalog, config.db.clone(), now, reg);
    Ok((state, Started { admin }))
}

/// The whole application: routes and the middleware every response passes through.
pub fn router(state: Arc<AppState>) -> Router {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    let request_id = HeaderName::from_static("x-request-id");
    api::routes(state)
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .layer(header(
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ))
        .layer(header("cache-control", "no-store"))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .layer(CatchPanicLayer::custom(api::panic_response))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Binds `addr` and serves until SIGTERM or Ctrl-C, finishing the requests in flight.
/// `ready` is called with the address bound, once the server accepts connections.
///
/// # Errors
/// When the address cannot be bound or the server fails.
pub fn serve(
    state: Arc<AppState>,
    addr: &str,
    monitor_every: Option<Duration>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot read the address bound: {e}"))?;
        ready(bound);
        let _deliveries = deliveries(Arc::clone(&state), Duration::from_secs(2));
        let _monitoring = monitor_every.map(|every| monitoring(Arc::clone(&state), every));
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| format!("the server failed: {e}"))
    })
}

/// The webhook deliverer: a thread that, every `every`, delivers what is due in every
/// program. Stops when dropped.
pub struct Deliveries {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Deliveries {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// Starts delivering webhooks of every program of `state`, every `every`. Several
/// processes on one database share the work: each webhook is leased to one at a time.
pub fn deliveries(state: Arc<AppState>, every: Duration) -> Deliveries {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("webhooks".into())
        .spawn(move || {
            // TLS through rustls with ring (installed once per process; a second install
            // is refused harmlessly). The client is owned by this plain thread: a
            // blocking client must not live in the async runtime.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let client = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("crosswalk-webhooks/", env!("CARGO_PKG_VERSION")))
                .build();
            let Ok(client) = client else {
                tracing::error!("cannot build the webhook client; no webhook is delivered");
                return;
            };
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let mut post = |d: &crosswalk_app::collab::Delivery| {
                    let mut req = client.post(&d.url).body(d.body.clone());
                    for (k, v) in &d.headers {
                        req = req.header(*k, v);
                    }
                    req.send().map(|r| r.status().as_u16()).map_err(|e| {
                        // The whole chain: "error sending request" alone says nothing.
                        let mut text = e.to_string();
                        let mut cause = std::error::Error::source(&e);
                        while let Some(c) = cause {
                            text.push_str(": ");
                            text.push_str(&c.to_string());
                            cause = c.source();
                        }
                        text
                    })
                };
                if let Err(e) = state.deliver_webhooks(&mut post) {
                    tracing::warn!("webhook delivery: {}", e.detail);
                }
                std::thread::park_timeout(every);
            }
        })
        .ok();
    Deliveries { stop, thread }
}

/// Starts running every program's checks over its snapshots, every `every` (the first
/// round after one period). A run with drift leaves a `monitor.drift` entry in the trail,
/// which webhooks deliver. Stops when dropped.
pub fn monitoring(state: Arc<AppState>, every: Duration) -> Deliveries {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("monitor".into())
        .spawn(move || {
            loop {
                std::thread::park_timeout(every);
                if flag.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                for (program, done) in state.monitor_programs() {
                    match done {
                        Ok(run) => tracing::info!(
                            program,
                            run = run.run,
                            recorded = run.recorded,
                            drift = run.drift.len(),
                            "monitor run"
                        ),
                        Err(e) => tracing::warn!(program, "monitor run: {}", e.detail),
                    }
                }
            }
        })
        .ok();
    Deliveries { stop, thread }
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
