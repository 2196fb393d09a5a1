//! A long-running process keeps the program it loaded and reloads it only when the
//! store's version moved, whoever moved it.

use std::sync::Arc;

use crosswalk_app::Clock;
use crosswalk_app::program::{NewControl, Session};

fn clock() -> Clock {
    Clock {
        today: jiff::civil::date(2026, 11, 30),
        now: jiff::Timestamp::from_second(1_796_000_000).unwrap(),
    }
}

fn control(id: &str) -> NewControl {
    NewControl {
        id: id.into(),
        title: "A control".into(),
        status: "operating".into(),
        ..NewControl::default()
    }
}

#[test]
fn a_cached_program_reloads_only_when_the_version_moves() {
    let catalog = crosswalk_library::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let mut server = super::new_program(&db, clock(), "server");
    let first = server.program_cached().unwrap();
    let again = server.program_cached().unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "nothing changed: the same program is served"
    );
    // Another process (its own session and connection) adds a control.
    let mut other = Session::open(catalog, &db, clock(), "cli").unwrap();
    other.add_control(control("C-1")).unwrap();
    let after = server.program_cached().unwrap();
    assert!(!Arc::ptr_eq(&first, &after), "the version moved: reloaded");
    assert_eq!(after.controls.len(), 1);
    assert!(Arc::ptr_eq(&after, &server.program_cached().unwrap()));
    // A change through the caching session itself is seen too.
    server.add_control(control("C-2")).unwrap();
    assert_eq!(server.program_cached().unwrap().controls.len(), 2);
}

/// Changes a session makes itself are folded into the cached program: what it then serves
/// is exactly what a reload gives, with or without a change by someone else in between.
#[test]
fn folded_changes_match_a_reload() {
    let catalog = crosswalk_library::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let mut s = super::new_program(&db, clock(), "server");
    let shared = crosswalk_app::program::ProgramCache::default();
    s.share_cache(shared.clone());
    let mut peer = Session::open(catalog, &db, clock(), "server").unwrap();
    peer.share_cache(shared);
    s.program_cached().unwrap();
    for id in ["F-1", "F-2", "F-3"] {
        s.add_control(control(id)).unwrap();
    }
    let tag = s.control_record("F-2").unwrap().etag();
    s.update_control_status("F-2", "in-progress", Some(&tag))
        .unwrap();
    // A refused change folds nothing.
    assert!(s.add_control(control("F-1")).is_err());
    let folded = peer.program_cached().unwrap();
    assert_eq!(*folded, s.store().load().unwrap());
    // Another process writes; then this session: no fold over a gap, a reload instead.
    let mut other = Session::open(catalog, &db, clock(), "cli").unwrap();
    other.add_control(control("O-1")).unwrap();
    s.add_control(control("F-4")).unwrap();
    let after = s.program_cached().unwrap();
    assert_eq!(*after, s.store().load().unwrap());
    assert_eq!(after.controls.len(), 5);
}

#[test]
fn a_dashboard_kept_across_added_controls_equals_one_computed_anew() {
    let catalog = crosswalk_library::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let mut s = super::new_program(&db, clock(), "server");
    s.add_framework(&crosswalk_app::program::AddFramework {
        framework: "iso27001".into(),
        ..Default::default()
    })
    .unwrap();
    s.add_control(control("D-1")).unwrap();
    s.link("D-1", &["iso27001:A.5.1".into()], false).unwrap();
    s.share_cache(crosswalk_app::program::ProgramCache::default());
    let first = s.dashboard().unwrap();
    for id in ["D-2", "D-3"] {
        s.add_control(control(id)).unwrap();
    }
    let kept = s.dashboard().unwrap();
    let fresh = Session::open(catalog, &db, clock(), "cli")
        .unwrap()
        .dashboard()
        .unwrap();
    assert_eq!(kept, fresh);
    assert_eq!((kept.controls, kept.version), (3, first.version + 2));
    // A status change computes it anew: D-1 no longer operating moves readiness.
    let tag = s.control_record("D-1").unwrap().etag();
    s.update_control_status("D-1", "not-started", Some(&tag))
        .unwrap();
    let after = s.dashboard().unwrap();
    let fresh = Session::open(catalog, &db, clock(), "cli")
        .unwrap()
        .dashboard()
        .unwrap();
    assert_eq!(after, fresh);
    assert_ne!(after.frameworks, kept.frameworks);
}
