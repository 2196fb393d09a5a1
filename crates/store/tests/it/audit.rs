//! The audit trail: every applied change is appended, chained by hash, in its transaction;
//! editing, deleting or reordering any stored entry, or cutting the end off, is found and
//! located. The same checks on both backends, tampering through a raw connection.

use crosswalk_core::program::ControlStatus;
use crosswalk_store::audit::Actor;
use crosswalk_store::{Change, Store};

use crate::{control, sample};

/// Runs raw SQL against the database named by a target, as an intruder would.
pub type Tamper<'a> = &'a mut dyn FnMut(&str, &str);

fn actor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        at: "2026-11-30T10:00:00Z".parse().unwrap(),
    }
}

/// A program with a few entries in its trail.
fn filled(target: &str) -> Box<dyn Store> {
    let mut s = crosswalk_store::open(target).unwrap();
    s.act_as(actor("alice@example.com"));
    s.apply(&sample()).unwrap();
    s.act_as(actor("bob@example.com"));
    s.apply(&[Change::SetControlStatus {
        control: "AC-01".into(),
        status: ControlStatus::InProgress,
    }])
    .unwrap();
    s.apply(&[Change::AddControl(control("X-9"))]).unwrap();
    s
}

pub fn conformance(backend: &str, new_db: &mut dyn FnMut() -> String, tamper: Tamper<'_>) {
    // Every change is one entry, under its actor; a refused apply adds none.
    let target = new_db();
    let mut s = filled(&target);
    let v = s.audit_verify().unwrap();
    let n = sample().len() as u64 + 2;
    assert!(v.intact, "{backend}: {v:?}");
    assert_eq!(v.entries, n, "{backend}");
    let refused = s.apply(&[
        Change::AddControl(control("X-10")),
        Change::AddControl(control("X-9")),
    ]);
    assert!(refused.is_err(), "{backend}");
    assert_eq!(s.audit_verify().unwrap().entries, n, "{backend}");
    let all = s.audit_entries(0, 1000).unwrap();
    assert_eq!(all.len() as u64, n, "{backend}");
    assert_eq!(all[0].actor, "alice@example.com", "{backend}");
    assert_eq!(all[0].prev, crosswalk_store::audit::GENESIS, "{backend}");
    let status = &all[n as usize - 2];
    assert_eq!(
        (
            status.actor.as_str(),
            status.action.as_str(),
            status.target.as_str()
        ),
        ("bob@example.com", "control.status", "AC-01"),
        "{backend}"
    );
    assert_eq!(
        status.before.as_deref(),
        Some(r#"{"status":"implemented"}"#),
        "{backend}"
    );
    assert_eq!(
        status.after.as_deref(),
        Some(r#"{"status":"in-progress"}"#),
        "{backend}"
    );
    assert!(all.windows(2).all(|w| w[1].prev == w[0].hash), "{backend}");
    assert_eq!(s.audit_entries(n - 1, 10).unwrap().len(), 1, "{backend}");

    // Each way of tampering, on its own copy of the program.
    let cases: [(&str, &str, u64, &str); 5] = [
        (
            "an edited actor",
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
            3,
            "edited",
        ),
        (
            "an edited after-state",
            "UPDATE audit_log SET after = '{\"status\":\"implemented\"}' WHERE action = 'control.status'",
            n - 1,
            "edited",
        ),
        (
            "a deleted entry",
            "DELETE FROM audit_log WHERE seq = 2",
            2,
            "deleted",
        ),
        (
            "two entries swapped",
            "UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1",
            2,
            "previous-hash",
        ),
        (
            "the last entry removed",
            &format!("DELETE FROM audit_log WHERE seq = {n}"),
            n,
            "removed",
        ),
    ];
    for (what, sql, seq, says) in cases {
        let target = new_db();
        let mut s = filled(&target);
        tamper(&target, sql);
        let v = s.audit_verify().unwrap();
        assert!(!v.intact, "{backend}: {what} went unnoticed");
        let bad = v.first_bad.unwrap();
        assert_eq!(bad.seq, seq, "{backend}: {what}: {}", bad.problem);
        assert!(
            bad.problem.contains(says),
            "{backend}: {what}: {}",
            bad.problem
        );
    }
}

/// A caller that names no actor is recorded as `system` at the database's time.
pub fn unnamed_actor(backend: &str, target: &str) {
    let mut s = crosswalk_store::open(target).unwrap();
    s.apply(&[Change::AddControl(control("Z-1"))]).unwrap();
    let e = &s.audit_entries(0, 1).unwrap()[0];
    assert_eq!(e.actor, "system", "{backend}");
    let at: jiff::Timestamp = e.at.parse().unwrap();
    #[allow(clippy::disallowed_methods)]
    let age = jiff::Timestamp::now().duration_since(at).as_secs().abs();
    assert!(age < 600, "{backend}: {} is not now", e.at);
}
