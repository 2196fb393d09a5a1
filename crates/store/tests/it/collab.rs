//! Collaboration records and webhook state, the same on every backend.

use crosswalk_core::collab::{
    Assignment, Comment, EvidenceRequest, Item, RequestState, Step, Subject,
};
use crosswalk_store::webhook::{Attempt, NewWebhook};
use crosswalk_store::{Change, Store, StoreError};

use crate::control;

fn step(state: RequestState, evidence: &[&str], note: &str) -> Step {
    Step {
        state,
        actor: "auditor@example.com".into(),
        at: "2026-12-01T09:00:00Z".into(),
        note: note.into(),
        evidence: evidence.iter().map(|s| (*s).to_owned()).collect(),
    }
}

pub fn collaboration(backend: &str, s: &mut Box<dyn Store>) {
    let d = jiff::civil::date(2026, 12, 1);
    s.apply(&[Change::AddControl(control("AC-1"))]).unwrap();
    let assignment = Assignment {
        subject: Subject::Control("AC-1".into()),
        assignee: "ops@example.com".into(),
        due: Some(d),
        assigned_by: "lead@example.com".into(),
        assigned_on: d,
    };
    let request = EvidenceRequest {
        id: String::new(),
        subject: Subject::Control("AC-1".into()),
        title: "Access review".into(),
        detail: String::new(),
        assignee: Some("ops@example.com".into()),
        due: None,
        engagement: None,
        state: RequestState::Open,
        evidence: vec![],
        steps: vec![step(RequestState::Open, &[], "")],
    };
    let comment = Comment {
        id: String::new(),
        subject: Subject::Control("AC-1".into()),
        author: "lead@example.com".into(),
        at: "2026-12-01T09:00:00Z".into(),
        body: "Owner changed".into(),
    };
    let applied = s
        .apply_returning(&[
            Change::Collab(Item::Assignment(assignment.clone())),
            Change::Collab(Item::Request(request.clone())),
            Change::Collab(Item::Comment(comment.clone())),
            Change::Collab(Item::Comment(comment.clone())),
        ])
        .unwrap();
    assert_eq!(applied.ids, ["ER-1", "CM-1", "CM-2"], "{backend}");
    // A number given by hand is skipped by the counter (SQLite numbers `$n` parameters
    // in the order they appear: a probe naming `$2` first once bound them crosswise and
    // overwrote ER-2 here).
    let mut by_hand = request.clone();
    by_hand.id = "ER-2".into();
    let applied = s
        .apply_returning(&[
            Change::Collab(Item::Request(by_hand)),
            Change::Collab(Item::Request(request.clone())),
        ])
        .unwrap();
    assert_eq!(applied.ids, ["ER-3"], "{backend}");
    assert_eq!(s.load().unwrap().collab.requests.len(), 3, "{backend}");
    // A move the states refuse changes nothing; allowed moves apply in order.
    let refused = s.apply(&[Change::MoveRequest {
        id: "ER-1".into(),
        step: step(RequestState::Accepted, &[], ""),
    }]);
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{backend}: {refused:?}"
    );
    s.apply(&[Change::MoveRequest {
        id: "ER-1".into(),
        step: step(RequestState::Submitted, &["EV-1"], ""),
    }])
    .unwrap();
    let missing = s.apply(&[Change::MoveRequest {
        id: "ER-9".into(),
        step: step(RequestState::Submitted, &["EV-1"], ""),
    }]);
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{backend}");
    let p = s.load().unwrap();
    assert_eq!(
        p.collab.assignments,
        std::slice::from_ref(&assignment),
        "{backend}"
    );
    assert_eq!(p.collab.comments.len(), 2);
    assert_eq!(p.collab.requests[0].state, RequestState::Submitted);
    assert_eq!(p.collab.requests.len(), 3);
    assert_eq!(p.collab.requests[0].evidence, ["EV-1"]);
    // Reassigning replaces; unassigning removes, and twice is an error.
    let mut again = assignment;
    again.assignee = "hr@example.com".into();
    s.apply(&[Change::Collab(Item::Assignment(again.clone()))])
        .unwrap();
    assert_eq!(s.load().unwrap().collab.assignments, [again], "{backend}");
    let subject = Subject::Control("AC-1".into());
    s.apply(&[Change::Unassign(subject.clone())]).unwrap();
    assert!(matches!(
        s.apply(&[Change::Unassign(subject)]),
        Err(StoreError::NotFound(_))
    ));
    assert!(s.load().unwrap().collab.assignments.is_empty());

    // Webhooks: leased one at a time, delivered up to an entry, retried after failing.
    s.apply(&[Change::AddWebhook(NewWebhook {
        id: String::new(),
        url: "https://example.com/h".into(),
        secret: "whsec_test".into(),
        events: vec![],
        created_by: "lead@example.com".into(),
        created_at: "2026-12-01T09:00:00Z".into(),
    })])
    .unwrap();
    s.apply(&[Change::AddControl(control("AC-2"))]).unwrap();
    let hooks = s.webhooks().unwrap();
    assert_eq!(hooks.len(), 1, "{backend}");
    let w = s.webhook_claim(100, 60).unwrap().unwrap();
    assert_eq!(w.secret, "whsec_test");
    assert!(
        s.webhook_claim(120, 60).unwrap().is_none(),
        "{backend}: leased"
    );
    let head = s.audit_verify().unwrap().entries;
    s.webhook_record(
        &w.id,
        &Attempt::Failed {
            error: "503".into(),
            status: Some(503),
            retry_at: 200,
        },
    )
    .unwrap();
    assert!(
        s.webhook_claim(150, 60).unwrap().is_none(),
        "{backend}: not due"
    );
    let w = s.webhook_claim(200, 60).unwrap().unwrap();
    assert_eq!(w.attempts, 1);
    s.webhook_record(
        &w.id,
        &Attempt::Delivered {
            seq: head,
            status: Some(200),
        },
    )
    .unwrap();
    assert!(
        s.webhook_claim(300, 60).unwrap().is_none(),
        "{backend}: all delivered"
    );
    let w = &s.webhooks().unwrap()[0];
    assert_eq!(
        (w.delivered_seq, w.attempts, w.last_status),
        (head, 0, Some(200))
    );
    // The secret never reaches the trail; the trail stays intact.
    for e in s.audit_entries(0, 1000).unwrap() {
        assert!(
            !e.after.unwrap_or_default().contains("whsec_test"),
            "{backend}"
        );
    }
    s.apply(&[Change::RemoveWebhook(w.id.clone())]).unwrap();
    assert!(s.webhooks().unwrap().is_empty());
    assert!(s.audit_verify().unwrap().intact, "{backend}");
}
