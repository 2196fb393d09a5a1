//! The web app in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! driven with fantoccini), on the demo program: the lead signs in, adds a framework and
//! accepts proposals, sets a result, uploads evidence and sees readiness move; the
//! auditor sees only the audit's scope and raises an evidence request; the contributor
//! answers it; the auditor accepts it. Every page visited is kept as a screenshot under
//! `target/tmp/browser/`, and axe-core (vendored, tests only) runs on it: no serious or
//! critical violation is allowed.
//!
//! Without chromium and chromedriver the test says it was skipped, except under CI.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{catalog, now};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crosswalk_app::access::{self, Role};
use crosswalk_app::program::Session;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const LEAD: (&str, &str) = ("lead@northwind.example", "lead password 12345");
const AUDITOR: (&str, &str) = ("auditor@cpa-firm.example", "auditor password 123");
const CONTRIBUTOR: (&str, &str) = ("it-lead@northwind.example", "it-lead password 12");
const AXE: &str = include_str!("vendor/axe.min.js");

fn tool(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser session, keeping a screenshot and the axe findings of every page.
struct Browser {
    c: Client,
    base: String,
    shots: PathBuf,
    n: usize,
    violations: Vec<String>,
}

impl Browser {
    /// Looks at the page: a screenshot, and axe's serious and critical findings.
    async fn look(&mut self, name: &str) {
        self.n += 1;
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.n)), png).unwrap();
        self.c.execute(AXE, vec![]).await.unwrap();
        let found = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' (' +
                       v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ') + ')')));",
                vec![],
            )
            .await
            .unwrap();
        for v in found.as_array().unwrap() {
            self.violations
                .push(format!("{name}: {}", v.as_str().unwrap_or_default()));
        }
    }

    async fn go(&mut self, path: &str, name: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
        self.look(name).await;
    }

    async fn text(&self) -> String {
        self.c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn fill(&self, css: &str, value: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Clicks a button that submits a form, and waits for the page it leads to.
    async fn submit(&self, css: &str) {
        let old = self.c.find(Locator::Css("html")).await.unwrap();
        self.click(css).await;
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        for _ in 0..200 {
            let ready = self
                .c
                .execute("return document.readyState", vec![])
                .await
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned));
            if ready.as_deref() == Some("complete") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn choose(&self, select: &str, value: &str) {
        self.c
            .find(Locator::Css(select))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }

    async fn sign_in(&mut self, (email, password): (&str, &str), name: &str) {
        self.go("/", &format!("{name}-sign-in")).await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.submit("button[type=submit]").await;
        self.look(&format!("{name}-dashboard")).await;
    }

    async fn sign_out(&self) {
        self.submit("header form button").await;
    }

    /// The readiness percent the dashboard shows for a framework, by its name.
    async fn readiness(&mut self, framework: &str) -> Option<String> {
        self.go("/programs/main", "dashboard").await;
        let text = self.text().await;
        text.lines()
            .find(|l| l.starts_with(framework))
            .and_then(|l| l.rsplit(' ').next())
            .map(str::to_owned)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_in_a_real_browser() {
    let (Some(chromium), Some(chromedriver)) = (
        tool("chromium").or_else(|| tool("chromium-browser")),
        tool("chromedriver"),
    ) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium and chromedriver are missing under CI"
        );
        eprintln!("the_story_in_a_real_browser: skipped, chromium or chromedriver is missing");
        return;
    };

    // The demo program, its lead, the SOC 2 auditor its engagement names, and a control
    // owner it assigns controls to.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").to_str().unwrap().to_owned();
    let config = crosswalk_server::Config {
        addr: "127.0.0.1:0".into(),
        db: db.clone(),
        admin_email: Some(LEAD.0.into()),
        admin_password: Some(LEAD.1.into()),
    };
    let state = tokio::task::spawn_blocking(move || {
        let mut s = Session::open(catalog(), &db, now(), "setup").unwrap();
        crosswalk_app::demo::build(&mut s).unwrap();
        let (state, _) = crosswalk_server::prepare(catalog(), &config, now).unwrap();
        let mut reg = access::open(&db).unwrap();
        for ((email, password), role) in
            [(AUDITOR, Role::Auditor), (CONTRIBUTOR, Role::Contributor)]
        {
            access::add_member(
                &mut reg,
                "main",
                None,
                email,
                "",
                role,
                Some(password),
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

    // chromedriver on a free port, then a headless Chromium through it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en"],
        }),
    );
    let mut c = None;
    for _ in 0..100 {
        if let Ok(client) =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
        {
            c = Some(client);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let mut b = Browser {
        c: c.expect("chromedriver answers"),
        base: format!("http://{addr}"),
        shots,
        n: 0,
        violations: Vec::new(),
    };

    // 1. The lead signs in.
    b.sign_in(LEAD, "lead").await;
    assert!(b.text().await.contains("Readiness"));
    assert_eq!(b.readiness("NIST Cybersecurity Framework").await, None);

    // 2. Adds NIST CSF 2.0; the crosswalk's proposals wait for review; accepts three.
    b.go("/programs/main/frameworks", "frameworks").await;
    b.choose("#fw", "nist-csf-2.0").await;
    b.submit("form[action$='/frameworks'] button[type=submit]")
        .await;
    b.look("review-queue").await;
    let queue = b.text().await;
    assert!(queue.contains("proposed"), "{queue}");
    let boxes =
        b.c.find_all(Locator::Css("input[type=checkbox][name=ids]"))
            .await
            .unwrap();
    assert!(boxes.len() >= 3, "proposals to review");
    for cb in boxes.iter().take(3) {
        cb.click().await.unwrap();
    }
    b.submit("#bulk button[value=accepted]").await;
    b.look("review-done").await;
    assert!(b.text().await.contains("3 links accepted"));
    let before = b.readiness("NIST Cybersecurity Framework").await.unwrap();

    // 3. Sets a result on a requirement.
    b.go("/programs/main/frameworks/nist-csf-2.0", "requirements")
        .await;
    b.submit("tbody tr td a").await;
    b.look("requirement").await;
    b.choose("#a-result", "compliant").await;
    b.fill("#a-reason", "Walked through in the workshop").await;
    b.submit("form[action$='/assess'] button").await;
    b.look("requirement-assessed").await;
    let req = b.text().await;
    assert!(req.contains("Walked through in the workshop"), "{req}");

    // 4. Uploads evidence.
    let file = dir.path().join("access-review.txt");
    std::fs::write(&file, b"Q4 access review: 42 accounts, 3 removed").unwrap();
    b.go("/programs/main/evidence", "evidence").await;
    b.fill("#e-title", "Q4 access review").await;
    b.fill("#e-control", "IAM-02").await;
    b.c.find(Locator::Css("#e-file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    b.submit("form[enctype] button").await;
    b.look("evidence-uploaded").await;
    let ev = b.text().await;
    assert!(
        ev.contains("Stored EV-") && ev.contains("Q4 access review"),
        "{ev}"
    );
    let uploaded = ev
        .split("Stored ")
        .nth(1)
        .and_then(|t| t.split('.').next())
        .unwrap()
        .to_owned();

    // 5. The dashboard's readiness moved.
    let after = b.readiness("NIST Cybersecurity Framework").await.unwrap();
    assert_ne!(
        before, after,
        "readiness moves with accepted links and a result"
    );
    b.sign_out().await;

    // 6. The auditor sees only the SOC 2 audit and raises an evidence request.
    b.sign_in(AUDITOR, "auditor").await;
    let dash = b.text().await;
    assert!(
        dash.contains("SOC 2") && !dash.contains("ISO/IEC 27001") && !dash.contains("NIST"),
        "{dash}"
    );
    let nav =
        b.c.find(Locator::Css("nav"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    assert!(!nav.contains("Administration"), "{nav}");
    b.go("/programs/main/controls", "auditor-controls").await;
    b.go("/programs/main/requests", "auditor-requests").await;
    b.fill("#r-control", "IAM-02").await;
    b.fill("#r-title", "Evidence of the Q4 access review").await;
    b.fill("#r-assignee", CONTRIBUTOR.0).await;
    b.submit("form[action$='/requests'] button").await;
    b.look("auditor-raised").await;
    // The demo holds ER-1 and ER-2 already: this one is numbered after them.
    assert!(
        b.text()
            .await
            .contains("ER-3 Evidence of the Q4 access review")
    );
    b.sign_out().await;

    // 7. The contributor answers it with evidence of its control.
    b.sign_in(CONTRIBUTOR, "contributor").await;
    b.go("/programs/main/requests", "contributor-requests")
        .await;
    let mine = b.text().await;
    assert!(mine.contains("Evidence of the Q4 access review"), "{mine}");
    b.fill("input[name=evidence]", &uploaded).await;
    b.submit("form[action$='/steps'] button").await;
    b.look("contributor-submitted").await;
    assert!(
        b.text()
            .await
            .contains("submitted by it-lead@northwind.example")
    );
    b.sign_out().await;

    // ... and the auditor accepts it.
    b.sign_in(AUDITOR, "auditor-again").await;
    b.go("/programs/main/requests", "auditor-decides").await;
    b.fill("input[id^=dec-]", "Traced 5 removals to tickets")
        .await;
    b.submit("button[value=accepted]").await;
    b.look("auditor-accepted").await;
    let done = b.text().await;
    assert!(
        done.contains("accepted by auditor@cpa-firm.example"),
        "{done}"
    );

    // The other pages, looked at once each.
    b.sign_out().await;
    b.sign_in(LEAD, "lead-again").await;
    for (path, name) in [
        ("/programs/main/controls", "controls"),
        ("/programs/main/controls/IAM-02", "control"),
        ("/programs/main/links?state=accepted", "links-accepted"),
        ("/programs/main/admin", "admin"),
        ("/programs/main/plan", "gaps-and-plan"),
        (
            "/programs/main/standards?a=soc2&b=iso27001&req=soc2:CC6.1",
            "standards",
        ),
        (
            "/programs/main/standards?text=access+review",
            "standards-search",
        ),
        ("/programs/main/frameworks", "frameworks-after"),
        ("/programs/main/controls/import", "import"),
        ("/programs/main/frameworks/iso27001-2022/soa", "soa"),
        ("/programs/main/monitoring", "monitoring"),
        ("/programs/main/audit", "audit-log"),
    ] {
        b.go(path, name).await;
    }
    assert!(
        b.text().await.contains("verifies"),
        "the audit log's chain is intact"
    );

    // At a phone's width: the pages reflow, nothing wider than the screen.
    b.c.set_window_size(390, 844).await.unwrap();
    for (path, name) in [
        ("/programs/main", "phone-dashboard"),
        ("/programs/main/controls", "phone-controls"),
        ("/programs/main/frameworks/soc2-2017", "phone-requirements"),
        ("/programs/main/monitoring", "phone-monitoring"),
    ] {
        b.go(path, name).await;
        let wide = b
            .c
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            wide.as_i64().unwrap_or(0) <= 1,
            "{name}: {wide} px wider than the screen"
        );
    }

    b.c.close().await.unwrap();
    assert!(
        b.violations.is_empty(),
        "axe found serious or critical problems:\n{}",
        b.violations.join("\n")
    );
    let kept = std::fs::read_dir(&b.shots).unwrap().count();
    assert!(kept >= 20, "{kept} screenshots");
}
