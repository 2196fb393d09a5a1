//! Webhook deliveries: in order, signed, retried with backoff after a failure, each
//! webhook leased to one deliverer at a time.

use crosswalk_app::Clock;
use crosswalk_app::collab::{Delivery, backoff, signature};
use crosswalk_app::program::{NewControl, Session};
use crosswalk_core::program::ProgramInfo;

const T0: i64 = 1_796_000_000;

fn clock() -> Clock {
    Clock {
        today: jiff::civil::date(2026, 11, 30),
        now: jiff::Timestamp::from_second(T0).unwrap(),
    }
}

fn add(s: &mut Session<'_>, id: &str) {
    s.add_control(NewControl {
        id: id.into(),
        title: "A control".into(),
        status: "operating".into(),
        ..NewControl::default()
    })
    .unwrap();
}

#[test]
fn deliveries_keep_order_and_retry_with_backoff() {
    let catalog = crosswalk_library::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let mut s = Session::open(catalog, &db, clock(), "lead@example.com").unwrap();
    s.init(ProgramInfo {
        organization: "Acme".into(),
        scope: String::new(),
        systems: Vec::new(),
    })
    .unwrap();
    let hook = s
        .add_webhook("https://hooks.example.com/cw", &["control.".into()])
        .unwrap();
    assert!(hook.secret.starts_with("whsec_") && hook.secret.len() == 54);
    for id in ["C-1", "C-2", "C-3"] {
        add(&mut s, id);
    }
    // The receiver takes C-1, then fails on C-2.
    let mut got: Vec<Delivery> = Vec::new();
    let mut answers = vec![Ok(200), Err("connection refused".to_owned())].into_iter();
    let mut post = |d: &Delivery| {
        got.push(d.clone());
        answers.next().unwrap_or(Ok(204))
    };
    let done = s.deliver_webhooks("main", T0, &mut post).unwrap();
    assert_eq!((done.sent, done.failed), (1, 1));
    let w = &s.webhooks().unwrap()[0];
    assert_eq!((w.attempts, w.next_at), (1, T0 + backoff(0)));
    assert_eq!(w.last_error.as_deref(), Some("connection refused"));
    // Before the retry is due nothing is sent; once due, C-2 then C-3, in order.
    assert_eq!(
        s.deliver_webhooks("main", T0 + 10, &mut post).unwrap().sent,
        0
    );
    let done = s
        .deliver_webhooks("main", T0 + backoff(0), &mut post)
        .unwrap();
    assert_eq!((done.sent, done.failed), (2, 0));
    assert_eq!(
        s.deliver_webhooks("main", T0 + 999, &mut post)
            .unwrap()
            .sent,
        0
    );
    let targets: Vec<String> = got
        .iter()
        .map(|d| {
            let v: serde_json::Value = serde_json::from_slice(&d.body).unwrap();
            v["target"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(targets, ["C-1", "C-2", "C-2", "C-3"]);
    for d in &got {
        assert_eq!(d.url, "https://hooks.example.com/cw");
        let h = |k: &str| d.headers.iter().find(|(n, _)| *n == k).unwrap().1.clone();
        let ts: i64 = h("x-crosswalk-timestamp").parse().unwrap();
        assert_eq!(
            h("x-crosswalk-signature"),
            signature(&hook.secret, ts, &d.body)
        );
        assert_eq!(h("x-crosswalk-event"), "control.add");
    }
    let w = &s.webhooks().unwrap()[0];
    assert_eq!((w.attempts, w.last_error.as_deref()), (0, None));
    // The secret is in no audit entry.
    for e in s.audit_entries(0, 1000).unwrap() {
        assert!(!e.after.unwrap_or_default().contains(&hook.secret));
    }
}

#[test]
fn a_leased_webhook_is_delivered_by_one_process_at_a_time() {
    let catalog = crosswalk_library::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let mut a = super::new_program(&db, clock(), "a");
    a.add_webhook("http://127.0.0.1:1/x", &[]).unwrap();
    add(&mut a, "C-1");
    let mut b = Session::open(catalog, &db, clock(), "b").unwrap();
    // While a delivers (its post runs), b finds nothing to claim.
    let mut b_sent = None;
    let mut post = |_: &Delivery| {
        b_sent = Some(
            b.deliver_webhooks("main", T0, &mut |_| Ok(200))
                .unwrap()
                .sent,
        );
        Ok(200)
    };
    let done = a.deliver_webhooks("main", T0, &mut post).unwrap();
    assert!(done.sent >= 1);
    assert_eq!(b_sent, Some(0));
}

#[test]
fn backoff_doubles_to_an_hour() {
    let waits: Vec<i64> = (0..10).map(backoff).collect();
    assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
}
