//! The web pages over a real server on loopback and a real SQLite file: the sign-in form
//! and its CSRF token, every page refused without a session, pages confined to the
//! caller's view, forms refused without their token, htmx fragments, and user text
//! escaped everywhere.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{catalog, now};

use std::net::SocketAddr;

use crosswalk_app::access::{self, Role};
use crosswalk_app::program::{NewControl, Session};
use crosswalk_core::program::ProgramInfo;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

const LEAD: (&str, &str) = ("lead@example.com", "correct horse battery staple");
const HOSTILE: &str = "<script>alert('x')</script> \"quoted\" &";
/// Titles and comments refuse control characters; an owner or description may hold one.
const ANSI: &str = "\u{1b}[31mred <b>bold</b>";

struct Web {
    base: String,
    db: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Web {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("web.db").to_str().unwrap().to_owned();
    let config = crosswalk_server::Config {
        addr: "127.0.0.1:0".into(),
        db: db.clone(),
        admin_email: Some(LEAD.0.into()),
        admin_password: Some(LEAD.1.into()),
    };
    let db2 = db.clone();
    let state = tokio::task::spawn_blocking(move || {
        let (state, _) = crosswalk_server::prepare(catalog(), &config, now).unwrap();
        let mut s = Session::open(catalog(), &db2, now(), "setup").unwrap();
        s.init(ProgramInfo {
            organization: "Web Co".into(),
            scope: String::new(),
            systems: Vec::new(),
        })
        .unwrap();
        s.add_framework(&crosswalk_app::program::AddFramework {
            framework: "iso27001".into(),
            ..Default::default()
        })
        .unwrap();
        for (id, title) in [("AC-01", "Access reviews"), ("EVIL-1", HOSTILE)] {
            s.add_control(NewControl {
                id: id.into(),
                title: title.into(),
                owner: ANSI.into(),
                description: ANSI.into(),
                status: "implemented".into(),
                ..NewControl::default()
            })
            .unwrap();
        }
        s.link("AC-01", &["iso27001:A.5.1".into()], false).unwrap();
        s.comment("control:EVIL-1", HOSTILE).unwrap();
        let fw = s.program().unwrap().frameworks[0].framework.to_string();
        let today = now().today;
        s.set_engagement(crosswalk_app::collab::NewEngagement {
            name: "Stage 2".into(),
            frameworks: vec![fw],
            period_start: Some(today),
            period_end: Some(today),
            ends_on: Some(today.saturating_add(jiff::Span::new().days(30))),
            auditors: vec!["auditor@example.com".into()],
            ..Default::default()
        })
        .unwrap();
        let mut reg = access::open(&db2).unwrap();
        for (email, role) in [
            ("auditor@example.com", Role::Auditor),
            ("viewer@example.com", Role::Viewer),
        ] {
            access::add_member(
                &mut reg,
                "main",
                None,
                email,
                "",
                role,
                Some("a long enough password"),
                now(),
            )
            .unwrap();
        }
        state
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            crosswalk_server::router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let _ = rustls::crypto::ring::default_provider().install_default();
    Web {
        base: format!("http://{addr}"),
        db,
        http: reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap(),
        _dir: dir,
    }
}

/// A signed-in browser: the session cookie and the CSRF token of its pages.
struct Browser {
    cookie: String,
    csrf: String,
}

fn cookie_of(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

fn hidden_csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

impl Web {
    async fn get(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        let resp = r.send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, resp.text().await.unwrap(), headers)
    }

    async fn post(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
        htmx: bool,
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let mut r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .form(form);
        if htmx {
            r = r.header("hx-request", "true");
        }
        let resp = r.send().await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, resp.text().await.unwrap(), headers)
    }

    async fn sign_in(&self, email: &str, password: &str) -> Browser {
        let form = self
            .http
            .get(format!("{}/login", self.base))
            .send()
            .await
            .unwrap();
        let login_cookie = cookie_of(&form, "cw_login").unwrap();
        let page = form.text().await.unwrap();
        let token = hidden_csrf(&page);
        let resp = self
            .http
            .post(format!("{}/login", self.base))
            .header("cookie", &login_cookie)
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf", token.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
        let cookie = cookie_of(&resp, "cw_session").unwrap();
        let (_, page, _) = self.get("/programs/main", Some(&cookie)).await;
        Browser {
            csrf: hidden_csrf(&page),
            cookie,
        }
    }
}

/// Every page route, as a path to GET.
const PAGES: &[&str] = &[
    "/programs/main",
    "/programs/main/frameworks",
    "/programs/main/frameworks/iso27001-2022",
    "/programs/main/controls",
    "/programs/main/controls/AC-01",
    "/programs/main/evidence",
    "/programs/main/requests",
    "/programs/main/audit",
    "/programs/main/admin",
    "/programs/main/controls/import",
    "/programs/main/links",
    "/programs/main/plan",
    "/programs/main/standards",
    "/programs/main/frameworks/iso27001-2022/requirements/A.5.1",
    "/programs/main/frameworks/iso27001-2022/soa",
    "/programs/main/monitoring",
];

/// Every page route that changes state, as a path to POST.
const ACTIONS: &[&str] = &[
    "/programs/main/controls",
    "/programs/main/controls/AC-01/status",
    "/programs/main/comments",
    "/programs/main/frameworks",
    "/programs/main/frameworks/iso27001-2022/requirements/A.5.1/assess",
    "/programs/main/frameworks/iso27001-2022/requirements/A.5.1/sign-off",
    "/programs/main/links/review",
    "/programs/main/evidence",
    "/programs/main/requests",
    "/programs/main/requests/ER-1/steps",
    "/programs/main/admin",
    "/programs/main/controls/import",
    "/programs/main/controls/import/apply",
    "/programs/main/monitoring/run",
    "/logout",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_app() {
    let w = start().await;

    // Without a session: `/` and every page go to the sign-in form (keeping where they
    // were going); actions are refused; only sign-in, health and assets answer.
    let (status, _, h) = w.get("/", None).await;
    assert_eq!(
        (status, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login")
    );
    for p in PAGES {
        let (status, _, h) = w.get(p, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{p}");
        assert!(
            h["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next=/programs"),
            "{p}"
        );
    }
    for p in ACTIONS {
        let (status, body, _) = w.post(p, "", &[("csrf", "x")], false).await;
        assert!(
            matches!(status, StatusCode::SEE_OTHER | StatusCode::FORBIDDEN),
            "{p}: {status} {body}"
        );
        assert!(!body.contains("Access reviews"), "{p}");
    }
    for p in [
        "/login",
        "/health",
        "/static/app.css",
        "/static/htmx.min.js",
        "/static/upload.js",
    ] {
        let (status, _, _) = w.get(p, None).await;
        assert_eq!(status, StatusCode::OK, "{p}");
    }
    let (_, form, h) = w.get("/login", None).await;
    assert!(
        form.contains("name=\"email\"")
            && form.contains("name=\"password\"")
            && form.contains("name=\"csrf\"")
    );
    let csp = h["content-security-policy"].to_str().unwrap();
    let script = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src") || d.trim().starts_with("default-src"))
        .unwrap();
    assert!(!script.contains("unsafe-inline"), "{csp}");

    // Sign-in: a form without its cookie's token is refused; a wrong password is 401; a
    // `next` off the site is not followed.
    let resp = w
        .http
        .post(format!("{}/login", w.base))
        .form(&[("email", LEAD.0), ("password", LEAD.1), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let first = w
        .http
        .get(format!("{}/login", w.base))
        .send()
        .await
        .unwrap();
    let login_cookie = cookie_of(&first, "cw_login").unwrap();
    let token = hidden_csrf(&first.text().await.unwrap());
    let resp = w
        .http
        .post(format!("{}/login", w.base))
        .header("cookie", &login_cookie)
        .form(&[
            ("email", LEAD.0),
            ("password", "wrong password!"),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = w
        .http
        .post(format!("{}/login", w.base))
        .header("cookie", &login_cookie)
        .form(&[
            ("email", LEAD.0),
            ("password", LEAD.1),
            ("csrf", token.as_str()),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/");
    let set = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Secure"),
        "{set}"
    );

    // The lead: every page renders, `/` is the dashboard, the navigation links every page.
    let lead = w.sign_in(LEAD.0, LEAD.1).await;
    let (status, _, h) = w.get("/", Some(&lead.cookie)).await;
    assert_eq!(
        (status, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/programs/main")
    );
    let (_, dash, _) = w.get("/programs/main", Some(&lead.cookie)).await;
    for p in PAGES
        .iter()
        .filter(|p| !p.contains("AC-01") && !p.contains("iso27001") && !p.ends_with("/import"))
    {
        assert!(
            dash.contains(&format!("href=\"{p}\"")),
            "the navigation links {p}"
        );
    }
    // Controls filter by framework and by evidence freshness.
    let (_, none, _) = w
        .get("/programs/main/controls?freshness=none", Some(&lead.cookie))
        .await;
    let (_, fw, _) = w
        .get(
            "/programs/main/controls?framework=iso27001-2022",
            Some(&lead.cookie),
        )
        .await;
    assert!(none.contains("<option value=\"none\" selected>"), "{none}");
    assert!(fw.contains("<option value=\"iso27001-2022\" selected>"));
    let (_, all, _) = w.get("/programs/main/controls", Some(&lead.cookie)).await;
    let rows = |page: &str| page.matches("<tr>").count();
    assert!(
        rows(&fw) < rows(&all),
        "the framework filter leaves out unlinked controls"
    );
    let (_, cur, _) = w
        .get(
            "/programs/main/controls?freshness=current",
            Some(&lead.cookie),
        )
        .await;
    // (Nothing here has evidence yet: every control is without, none is current.)
    assert_eq!(rows(&none), rows(&all));
    assert_eq!(rows(&cur), 1, "only the heading row");
    assert!(rows(&fw) > 1);
    // The assessment workspace filters by domain (ISO 27001's Annex A themes).
    let (_, org, _) = w
        .get(
            "/programs/main/frameworks/iso27001-2022?domain=A.8",
            Some(&lead.cookie),
        )
        .await;
    assert!(org.contains("<strong>A.8.1</strong>") && !org.contains("<strong>A.5.1</strong>"));
    assert!(org.contains("<option value=\"A.5\">A.5 Organizational controls</option>"));
    for p in PAGES {
        let (status, page, _) = w.get(p, Some(&lead.cookie)).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        // User text is escaped: the hostile title and owner never reach the page raw.
        assert!(!page.contains("<script>alert"), "{p}");
        assert!(!page.contains('\u{1b}'), "{p}: an escape character");
    }
    let (_, controls, _) = w.get("/programs/main/controls", Some(&lead.cookie)).await;
    assert!(
        controls
            .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#34;quoted&#34; &#38;"),
        "the title, escaped: {controls}"
    );
    assert!(
        controls.contains("\\u{1b}[31mred &#60;b&#62;bold&#60;/b&#62;"),
        "the owner's escape character shown as text: {controls}"
    );
    let (_, evil, _) = w
        .get("/programs/main/controls/EVIL-1", Some(&lead.cookie))
        .await;
    assert!(evil.contains("&#60;script&#62;"), "the comment is escaped");

    // Forms need the session's token: without it nothing changes.
    let (status, _, _) = w
        .post(
            "/programs/main/controls",
            &lead.cookie,
            &[("id", "NEW-1"), ("title", "New")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, h) = w
        .post(
            "/programs/main/controls",
            &lead.cookie,
            &[
                ("csrf", &lead.csrf),
                ("id", "NEW-1"),
                ("title", "New control"),
            ],
            false,
        )
        .await;
    assert_eq!(
        (status, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/programs/main/controls/NEW-1")
    );
    // A refused form shows why, on the page, with the status.
    let (status, page, _) = w
        .post(
            "/programs/main/controls",
            &lead.cookie,
            &[("csrf", &lead.csrf), ("id", "NEW-1"), ("title", "Again")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("role=\"alert\"") && page.contains("NEW-1"),
        "{page}"
    );
    // With htmx, the status form answers only the fragment it changes.
    let (status, fragment, _) = w
        .post(
            "/programs/main/controls/AC-01/status",
            &lead.cookie,
            &[("csrf", &lead.csrf), ("status", "operating")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        fragment.starts_with("<div id=\"status-block\">") && !fragment.contains("<html"),
        "{fragment}"
    );
    assert!(fragment.contains("operating"));
    // Without htmx, back to the control.
    let (status, _, h) = w
        .post(
            "/programs/main/controls/AC-01/status",
            &lead.cookie,
            &[("csrf", &lead.csrf), ("status", "implemented")],
            false,
        )
        .await;
    assert_eq!(
        (status, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/programs/main/controls/AC-01")
    );

    // The auditor sees the audit's framework and the control its accepted link names,
    // not the others, and no administration.
    let auditor = w
        .sign_in("auditor@example.com", "a long enough password")
        .await;
    let (_, controls, _) = w
        .get("/programs/main/controls", Some(&auditor.cookie))
        .await;
    assert!(
        controls.contains("AC-01") && !controls.contains("EVIL-1") && !controls.contains("NEW-1"),
        "{controls}"
    );
    let (status, _, _) = w
        .get("/programs/main/controls/EVIL-1", Some(&auditor.cookie))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page, _) = w.get("/programs/main/admin", Some(&auditor.cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("<h1>403"), "an HTML page: {page}");
    let (_, dash, _) = w.get("/programs/main", Some(&auditor.cookie)).await;
    assert!(
        !dash.contains("/programs/main/admin"),
        "no link to what the role may not see"
    );
    // The viewer may not change anything, even with its own token.
    let viewer = w
        .sign_in("viewer@example.com", "a long enough password")
        .await;
    let (status, _, _) = w
        .post(
            "/programs/main/controls/AC-01/status",
            &viewer.cookie,
            &[("csrf", &viewer.csrf), ("status", "not-started")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Administration: a token made on the page is shown once and works; a refused form
    // says why; a viewer may not administer.
    let (status, page, _) = w
        .post(
            "/programs/main/admin",
            &lead.cookie,
            &[
                ("csrf", &lead.csrf),
                ("form", "token"),
                ("role", "viewer"),
                ("label", "ci"),
            ],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = page
        .split("<code class=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(token.starts_with("cw_"), "{page}");
    let api = w
        .http
        .get(format!("{}/api/v1/programs/main/dashboard", w.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    let (_, again, _) = w.get("/programs/main/admin", Some(&lead.cookie)).await;
    assert!(!again.contains(token), "a secret is shown once");
    let (status, page, _) = w
        .post(
            "/programs/main/admin",
            &lead.cookie,
            &[
                ("csrf", &lead.csrf),
                ("form", "engagement"),
                ("name", "Backwards"),
                ("framework", "iso27001-2022"),
                ("period_start", "2026-06-30"),
                ("period_end", "2026-01-01"),
                ("ends_on", "2026-12-31"),
            ],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("role=\"alert\"") && page.contains("after it ends"),
        "{page}"
    );
    let (status, _, _) = w
        .post(
            "/programs/main/admin",
            &viewer.cookie,
            &[
                ("csrf", &viewer.csrf),
                ("form", "token"),
                ("role", "viewer"),
            ],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Import: the file is checked and previewed; nothing changes until it is applied.
    let import = |csv: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", lead.csrf.clone())
            .text("id_column", "id")
            .text("title_column", "title")
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.as_bytes()).file_name("controls.csv"),
            );
        w.http
            .post(format!("{}/programs/main/controls/import", w.base))
            .header("cookie", &lead.cookie)
            .multipart(form)
            .send()
    };
    let bad = import("id,title\nIMP-1,\n")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        bad.contains("Nothing can be imported yet") && bad.contains("controls.csv"),
        "{bad}"
    );
    let page = import("id,title\nIMP-1,Imported one\nIMP-2,Imported two\n")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("IMP-1") && page.contains("Import 2 controls"),
        "{page}"
    );
    let (_, listed, _) = w
        .get("/programs/main/controls?q=IMP-", Some(&lead.cookie))
        .await;
    assert!(!listed.contains("IMP-1"), "previewed, not applied");
    let key = page
        .split("name=\"upload\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, h) = w
        .post(
            "/programs/main/controls/import/apply",
            &lead.cookie,
            &[("csrf", &lead.csrf), ("upload", &key)],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(h["location"].to_str().unwrap().contains("imported=2"));
    let (_, listed, _) = w
        .get("/programs/main/controls?q=IMP-", Some(&lead.cookie))
        .await;
    assert!(listed.contains("IMP-1") && listed.contains("IMP-2"));
    let (status, _, _) = w
        .post(
            "/programs/main/controls/import/apply",
            &lead.cookie,
            &[("csrf", &lead.csrf), ("upload", &key)],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an upload is applied once");

    // Signing out ends the session.
    let (status, _, _) = w
        .post("/logout", &lead.cookie, &[("csrf", &lead.csrf)], false)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = w.get("/programs/main", Some(&lead.cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let _ = &w.db;
}
