//! Two `crosswalk serve` processes on one PostgreSQL database behave as one server: a
//! change made through one is visible through the other on the next request; a session
//! opened at one works at the other, and a token revoked at one is refused at the other;
//! concurrent writes through both keep the audit chain intact; SIGTERM stops each cleanly.
//! On SQLite, the same with two processes on one file.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::program::run_ok;

struct Replica {
    child: Child,
    base: String,
}

/// Starts `serve` on a free port and waits for the line naming its address.
fn serve(db: &str) -> Replica {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
        .env("CROSSWALK_ADMIN_EMAIL", "lead@example.com")
        .env("CROSSWALK_ADMIN_PASSWORD", "replica-password-1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        assert!(!line.contains("replica-password-1"), "{line}");
        if let Some(rest) = line.split("at http://").nth(1) {
            break format!("http://{}", rest.split_whitespace().next().unwrap());
        }
    };
    // The password of a postgres:// URL is never printed.
    assert!(!base.contains("postgres:postgres@"));
    Replica { child, base }
}

impl Replica {
    /// Stops the process with SIGTERM; it must exit successfully.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "serve exited with {status} on SIGTERM");
    }
}

fn call(
    http: &Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value, Option<String>) {
    let mut r = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().unwrap();
    let status = resp.status();
    let etag = resp
        .headers()
        .get("etag")
        .map(|e| e.to_str().unwrap().to_owned());
    (status, resp.json().unwrap_or(Value::Null), etag)
}

/// A webhook receiver on loopback: answers 200 to every POST and keeps each body.
fn receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = std::sync::Arc::clone(&got);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if rest.len() >= len {
                        break Some(rest[..len].to_owned());
                    }
                }
            };
            if let Some(body) = body {
                keep.lock()
                    .unwrap()
                    .push(serde_json::from_str(&body).unwrap_or(Value::Null));
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, got)
}

fn two_replicas(db: &str) {
    run_ok(db, &["init", "--organization", "Replicated Co"]);
    let token = run_ok(
        db,
        &["token", "create", "--program", "main", "--role", "editor"],
    )
    .trim()
    .to_owned();
    let (a, b) = (serve(db), serve(db));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = Client::new();
    let controls = |r: &Replica| format!("{}/api/v1/programs/main/controls", r.base);
    use reqwest::Method;

    // Written through A, read through B on the next request (B had the program cached).
    let dash_b = format!("{}/api/v1/programs/main/dashboard", b.base);
    let (_, d, _) = call(&http, Method::GET, &dash_b, &token, None);
    assert_eq!(d["controls"], json!(0));
    let new = json!({ "id": "REP-1", "title": "Written through A" });
    let (status, _, _) = call(&http, Method::POST, &controls(&a), &token, Some(new));
    assert_eq!(status, StatusCode::CREATED);
    let (_, d, _) = call(&http, Method::GET, &dash_b, &token, None);
    assert_eq!(d["controls"], json!(1), "{d}");
    let (status, c, etag_b) = call(
        &http,
        Method::GET,
        &format!("{}/REP-1", controls(&b)),
        &token,
        None,
    );
    assert_eq!(
        (status, c["title"].clone()),
        (StatusCode::OK, json!("Written through A"))
    );

    // An update through A with the tag read at B lands; B's tag is then stale at B too.
    let patch = |r: &Replica, etag: &str, status: &str| {
        http.patch(format!("{}/REP-1", controls(r)))
            .bearer_auth(&token)
            .header("if-match", etag)
            .json(&json!({ "status": status }))
            .send()
            .unwrap()
            .status()
    };
    let etag_b = etag_b.unwrap();
    assert_eq!(patch(&a, &etag_b, "operating"), StatusCode::OK);
    assert_eq!(
        patch(&b, &etag_b, "implemented"),
        StatusCode::PRECONDITION_FAILED
    );

    // A session opened at A works at B; its CSRF token too.
    let signed = http
        .post(format!("{}/api/v1/session", a.base))
        .json(&json!({ "email": "lead@example.com", "password": "replica-password-1" }))
        .send()
        .unwrap();
    assert_eq!(signed.status(), StatusCode::CREATED);
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = signed.json::<Value>().unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_owned();
    let via_b = http
        .post(controls(&b))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({ "id": "REP-2", "title": "By session, at B" }))
        .send()
        .unwrap();
    assert_eq!(via_b.status(), StatusCode::CREATED);

    // A webhook, delivered by whichever replica leases it: every change once.
    let owner = run_ok(
        db,
        &["token", "create", "--program", "main", "--role", "owner"],
    )
    .trim()
    .to_owned();
    let (url, received) = receiver();
    let hooks = format!("{}/api/v1/programs/main/webhooks", a.base);
    let (status, hook, _) = call(
        &http,
        Method::POST,
        &hooks,
        &owner,
        Some(json!({ "url": url, "events": ["control.add"] })),
    );
    assert_eq!(status, StatusCode::CREATED, "{hook}");

    // Concurrent writes through both keep one valid chain.
    std::thread::scope(|scope| {
        for (n, r) in [&a, &b].into_iter().enumerate() {
            let (http, token) = (&http, &token);
            scope.spawn(move || {
                for i in 0..25 {
                    let body = json!({ "id": format!("W{n}-{i}"), "title": "Concurrent" });
                    let (status, v, _) = call(http, Method::POST, &controls(r), token, Some(body));
                    assert_eq!(status, StatusCode::CREATED, "{v}");
                }
            });
        }
    });
    for r in [&a, &b] {
        let (_, v, _) = call(
            &http,
            Method::GET,
            &format!("{}/api/v1/programs/main/audit/verify", r.base),
            &owner,
            None,
        );
        assert_eq!(v["intact"], json!(true), "{v}");
        let (_, d, _) = call(
            &http,
            Method::GET,
            &format!("{}/api/v1/programs/main/dashboard", r.base),
            &token,
            None,
        );
        assert_eq!(d["controls"], json!(52), "{d}");
    }
    let out = super::crosswalk(&["--db", db, "audit", "verify", "--json"]);
    assert!(out.status.success());
    // The 50 controls added after the webhook reach it, each once, in order.
    let mut seqs = Vec::new();
    for _ in 0..150 {
        seqs = received
            .lock()
            .unwrap()
            .iter()
            .filter_map(|v| v["seq"].as_u64())
            .collect::<Vec<_>>();
        if seqs.len() >= 50 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 50, "{} deliveries: {seqs:?}", got.len());
    assert!(
        got.windows(2)
            .all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64()),
        "{seqs:?}"
    );
    assert!(got.iter().all(|v| v["action"] == "control.add" && v["target"].as_str().unwrap().starts_with('W')));

    // A token revoked through A is refused by B on the next request.
    let id = token.split('_').nth(1).unwrap();
    let revoke = http
        .delete(format!("{}/api/v1/programs/main/tokens/{id}", a.base))
        .bearer_auth(&owner)
        .send()
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let (status, _, _) = call(&http, Method::GET, &dash_b, &token, None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    a.stop();
    b.stop();
}

#[test]
fn two_replicas_on_postgres_behave_as_one() {
    super::with_postgres("replicas", two_replicas);
}

#[test]
fn two_processes_on_one_sqlite_file_behave_as_one() {
    let dir = tempfile::tempdir().unwrap();
    two_replicas(dir.path().join("shared.db").to_str().unwrap());
}
