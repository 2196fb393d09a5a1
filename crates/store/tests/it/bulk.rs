//! Big applies: runs of controls, links and evidence are applied set-wise, in chunks of
//! thousands of changes. The program, the generated ids and the errors must be exactly
//! those of applying the same changes one at a time.

use crosswalk_core::mapping::Coverage;
use crosswalk_core::program::{ControlLink, ControlStatus, Evidence};
use crosswalk_store::{Change, Store, StoreError};

use crate::additions::evidence;
use crate::{control, link, sample};

/// `n` controls, each followed by its links and evidence, with everything the set-wise
/// path has to get right: generated ids, ids given by hand past the counter (`EV-<n>`)
/// and not (`X-…`), links replaced within the list and across chunks, evidence for
/// several controls and for none, links and evidence for controls added much earlier,
/// and other changes in between.
pub fn mixed(n: usize) -> Vec<Change> {
    let c = |i: usize| format!("C-{i:05}");
    let mut changes = Vec::new();
    for i in 0..n {
        changes.push(Change::AddControl(control(&c(i))));
        let req = format!("CC{}.{}", 1 + i % 9, 1 + i % 4);
        changes.push(Change::Link(link(&c(i), "soc2-2017", &req, Coverage::Full)));
        changes.push(Change::Link(link(
            &c(i),
            "iso27001-2022",
            &format!("A.5.{}", 1 + i % 37),
            Coverage::Partial,
        )));
        // Replaces the first link of a control added earlier (often in an earlier chunk),
        // and sometimes twice in a row.
        if i % 7 == 3 {
            let j = i / 2;
            let req = format!("CC{}.{}", 1 + j % 9, 1 + j % 4);
            changes.push(Change::Link(ControlLink {
                coverage: Coverage::None,
                ..link(&c(j), "soc2-2017", &req, Coverage::Full)
            }));
            if i % 14 == 3 {
                changes.push(Change::Link(link(
                    &c(j),
                    "soc2-2017",
                    &req,
                    Coverage::Partial,
                )));
            }
        }
        changes.push(Change::AddEvidence(evidence("", &[&c(i)])));
        if i % 5 == 2 {
            // Ahead of the counter: generated ids continue after it.
            let id = format!("EV-{}", 3 * i + 50);
            changes.push(Change::AddEvidence(evidence(&id, &[&c(i), &c(i / 3)])));
        }
        if i % 11 == 0 {
            changes.push(Change::AddEvidence(evidence(&format!("X-{i}"), &[])));
        }
        if i % 13 == 1 && i > 13 {
            changes.push(Change::AddEvidence(Evidence {
                valid_until: Some(jiff::civil::date(2027, 3, 31)),
                ..evidence("", &[&c(i), &c(i - 1), &c(i / 5)])
            }));
        }
        if i % 97 == 50 {
            changes.push(Change::SetControlStatus {
                control: c(i / 2),
                status: ControlStatus::Operating,
            });
        }
    }
    changes
}

/// Applies `changes` one apply per change; the ids generated, in order.
fn one_by_one(s: &mut dyn Store, changes: &[Change]) -> Vec<String> {
    let mut ids = Vec::new();
    for change in changes {
        ids.extend(s.apply_returning(std::slice::from_ref(change)).unwrap().ids);
    }
    ids
}

/// The checks, on databases named by `new_db`.
pub fn conformance(backend: &str, new_db: &mut dyn FnMut() -> String) {
    // Several chunks' worth, in one apply, then an apply per change.
    let changes = mixed(1300);
    assert!(changes.len() > 5000, "{}", changes.len());
    let mut bulk = crosswalk_store::open(&new_db()).unwrap();
    bulk.apply(&sample()).unwrap();
    let applied = bulk.apply_returning(&changes).unwrap();
    assert_eq!(applied.version, 2, "{backend}");
    let mut each = crosswalk_store::open(&new_db()).unwrap();
    each.apply(&sample()).unwrap();
    let ids = one_by_one(each.as_mut(), &changes);
    assert_eq!(applied.ids, ids, "{backend}: generated ids");
    assert_eq!(ids[..4], ["EV-2", "EV-3", "EV-4", "EV-57"], "{backend}");
    let program = bulk.load().unwrap();
    assert_eq!(program, each.load().unwrap(), "{backend}: the same program");
    assert_eq!(program.controls.len(), 1302);
    assert_eq!(program.controls[2].id, "C-00000", "{backend}: in order");
    assert_eq!(program.controls[1301].id, "C-01299", "{backend}");
    let soc2 = |c: &str| {
        let l = program
            .links
            .iter()
            .find(|l| l.control == c && l.framework.as_str() == "soc2-2017")
            .unwrap();
        l.coverage
    };
    assert_eq!(soc2("C-00005"), Coverage::None, "{backend}: replaced");
    assert_eq!(
        soc2("C-00001"),
        Coverage::Partial,
        "{backend}: replaced twice"
    );
    assert_eq!(soc2("C-00000"), Coverage::Full, "{backend}");
    assert_eq!(
        program
            .evidence
            .iter()
            .map(|e| e.controls.len())
            .sum::<usize>(),
        each.load()
            .unwrap()
            .evidence
            .iter()
            .map(|e| e.controls.len())
            .sum::<usize>()
    );
    // The counter stands where one by one left it.
    let next = [Change::AddEvidence(evidence("", &["AC-01"]))];
    assert_eq!(
        bulk.apply_returning(&next).unwrap().ids,
        each.apply_returning(&next).unwrap().ids,
        "{backend}"
    );

    // Before any id was generated there is no counter: the first generated id follows
    // the largest EV-<n> present, those given earlier in the same apply included.
    let first = [
        Change::AddEvidence(evidence("EV-30", &["AC-01"])),
        Change::AddEvidence(evidence("EV-7", &[])),
        Change::AddEvidence(evidence("", &["AC-01"])),
        Change::AddEvidence(evidence("EV-40", &[])),
        Change::AddEvidence(evidence("", &[])),
    ];
    let mut fresh = crosswalk_store::open(&new_db()).unwrap();
    fresh.apply(&sample()).unwrap();
    assert_eq!(
        fresh.apply_returning(&first).unwrap().ids,
        ["EV-31", "EV-41"],
        "{backend}"
    );
    let mut fresh_each = crosswalk_store::open(&new_db()).unwrap();
    fresh_each.apply(&sample()).unwrap();
    assert_eq!(one_by_one(fresh_each.as_mut(), &first), ["EV-31", "EV-41"]);
    assert_eq!(
        fresh.load().unwrap(),
        fresh_each.load().unwrap(),
        "{backend}"
    );

    // The same changes again, in applies of odd sizes (chunks cut elsewhere).
    let mut odd = crosswalk_store::open(&new_db()).unwrap();
    odd.apply(&sample()).unwrap();
    let mut ids = Vec::new();
    let mut rest = &changes[..];
    let mut size = 1;
    while !rest.is_empty() {
        let (now, later) = rest.split_at(size.min(rest.len()));
        ids.extend(odd.apply_returning(now).unwrap().ids);
        rest = later;
        size = size * 3 % 4999 + 1;
    }
    assert_eq!(ids, applied.ids, "{backend}");
    assert_eq!(odd.load().unwrap(), program, "{backend}");

    refusals(backend, new_db);
}

/// A change that fails in the middle of a big apply, after and before thousands of good
/// ones: the whole apply is refused with that change's own error and nothing is kept.
fn refusals(backend: &str, new_db: &mut dyn FnMut() -> String) {
    let mut s = crosswalk_store::open(&new_db()).unwrap();
    s.apply(&sample()).unwrap();
    let before = s.load().unwrap();
    let version = s.version().unwrap();
    let good = mixed(900);
    let (head, tail) = good.split_at(2400);
    // Ids generated in the head: the failing change's generated id comes next.
    let generated = {
        let mut probe = crosswalk_store::open(&new_db()).unwrap();
        probe.apply(&sample()).unwrap();
        probe.apply_returning(head).unwrap().ids
    };
    let next_id = {
        let last: i64 = generated.last().unwrap()[3..].parse().unwrap();
        // Ids given by hand in the head moved the counter too.
        let hand = head
            .iter()
            .filter_map(|c| match c {
                Change::AddEvidence(e) => e.id.strip_prefix("EV-")?.parse::<i64>().ok(),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        format!("EV-{}", last.max(hand) + 1)
    };
    let conflict = |m: &str| Some(StoreError::Conflict(m.into()));
    let not_found = |m: &str| Some(StoreError::NotFound(m.into()));
    // The bad changes; the error in the middle of the list; the error first in the list
    // (when the change fails alone too).
    let cases: Vec<(Vec<Change>, StoreError, Option<StoreError>)> = vec![
        (
            vec![Change::AddControl(control("AC-01"))],
            StoreError::Conflict("control `AC-01` already exists".into()),
            conflict("control `AC-01` already exists"),
        ),
        (
            vec![Change::AddControl(control("C-00004"))],
            StoreError::Conflict("control `C-00004` already exists".into()),
            None,
        ),
        (
            vec![
                Change::AddControl(control("NEW-1")),
                Change::AddControl(control("NEW-1")),
            ],
            StoreError::Conflict("control `NEW-1` already exists".into()),
            conflict("control `NEW-1` already exists"),
        ),
        (
            vec![Change::AddEvidence(evidence("EV-1", &["AC-01"]))],
            StoreError::Conflict("evidence `EV-1` already exists".into()),
            conflict("evidence `EV-1` already exists"),
        ),
        (
            vec![Change::AddEvidence(evidence(&generated[5], &["AC-01"]))],
            StoreError::Conflict(format!("evidence `{}` already exists", generated[5])),
            None,
        ),
        (
            vec![
                Change::AddEvidence(evidence("Y-1", &[])),
                Change::AddEvidence(evidence("Y-1", &[])),
            ],
            StoreError::Conflict("evidence `Y-1` already exists".into()),
            conflict("evidence `Y-1` already exists"),
        ),
        (
            vec![Change::AddEvidence(evidence(
                "Y-2",
                &["AC-01", "NOPE", "ALSO-NOPE"],
            ))],
            StoreError::NotFound("evidence `Y-2` names no control `NOPE`".into()),
            not_found("evidence `Y-2` names no control `NOPE`"),
        ),
        (
            vec![Change::AddEvidence(evidence("", &["AC-01", "NOPE"]))],
            StoreError::NotFound(format!("evidence `{next_id}` names no control `NOPE`")),
            not_found("evidence `EV-2` names no control `NOPE`"),
        ),
        (
            vec![Change::Link(link(
                "NOPE",
                "soc2-2017",
                "CC1.1",
                Coverage::Full,
            ))],
            StoreError::NotFound("no control `NOPE`".into()),
            not_found("no control `NOPE`"),
        ),
        // A control added later in the same list does not exist yet.
        (
            vec![
                Change::Link(link("LATER", "soc2-2017", "CC1.1", Coverage::Full)),
                Change::AddControl(control("LATER")),
            ],
            StoreError::NotFound("no control `LATER`".into()),
            not_found("no control `LATER`"),
        ),
        (
            vec![
                Change::AddEvidence(evidence("Y-3", &["LATER"])),
                Change::AddControl(control("LATER")),
            ],
            StoreError::NotFound("evidence `Y-3` names no control `LATER`".into()),
            not_found("evidence `Y-3` names no control `LATER`"),
        ),
    ];
    let same = |err: &StoreError, expected: &StoreError| {
        assert_eq!(
            (std::mem::discriminant(err), err.to_string()),
            (std::mem::discriminant(expected), expected.to_string()),
            "{backend}"
        );
    };
    for (bad, in_middle, first) in cases {
        let changes: Vec<Change> = head.iter().chain(&bad).chain(tail).cloned().collect();
        same(&s.apply(&changes).unwrap_err(), &in_middle);
        if let Some(first) = first {
            let changes: Vec<Change> = bad.iter().chain(&good).cloned().collect();
            same(&s.apply(&changes).unwrap_err(), &first);
            same(&s.apply(&bad).unwrap_err(), &first);
        }
        assert_eq!(s.version().unwrap(), version, "{backend}: nothing applied");
    }
    assert_eq!(s.load().unwrap(), before, "{backend}: nothing changed");

    // An item naming a control twice fails in the database itself, one by one: the same
    // error, naming the item, in a big apply.
    let twice = Change::AddEvidence(evidence("Y-4", &["AC-01", "C-00001", "AC-01"]));
    let changes: Vec<Change> = head.iter().chain([&twice]).chain(tail).cloned().collect();
    let err = s.apply(&changes).unwrap_err();
    assert!(
        matches!(&err, StoreError::Database(m) if m.contains("adding evidence `Y-4`")),
        "{backend}: {err}"
    );
    let alone = s.apply(&head.iter().chain([&twice]).cloned().collect::<Vec<_>>());
    assert_eq!(alone.unwrap_err().to_string(), err.to_string(), "{backend}");
    assert_eq!(s.load().unwrap(), before, "{backend}: nothing changed");
    assert_eq!(s.version().unwrap(), version, "{backend}");

    // PostgreSQL refuses a NUL character in text: the error names the change, as one by
    // one.
    if backend == "postgres" {
        let nul = Change::AddControl(crosswalk_core::program::Control {
            title: "a\0b".into(),
            ..control("NUL-1")
        });
        let changes: Vec<Change> = head.iter().chain([&nul]).chain(tail).cloned().collect();
        let err = s.apply(&changes).unwrap_err();
        assert!(
            matches!(&err, StoreError::Database(m) if m.contains("adding control `NUL-1`") && m.contains("SQLSTATE 22021")),
            "{backend}: {err}"
        );
        assert_eq!(s.version().unwrap(), version, "{backend}");
    }

    // The good changes still apply whole afterwards, with the ids they would have had.
    assert_eq!(
        s.apply_returning(head).unwrap().ids,
        generated,
        "{backend}: nothing handed out for good"
    );
}

/// Rows the counter never saw (written by another tool): generated ids step over them,
/// as one by one.
#[test]
fn sqlite_generated_ids_step_over_rows_the_counter_missed() {
    let dir = tempfile::tempdir().unwrap();
    let setup = |name: &str| {
        let path = dir.path().join(name);
        let mut s = crosswalk_store::open(path.to_str().unwrap()).unwrap();
        s.apply(&sample()).unwrap();
        let got = s
            .apply_returning(&[Change::AddEvidence(evidence("", &["AC-01"]))])
            .unwrap();
        assert_eq!(got.ids, ["EV-2"]);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "INSERT INTO evidence (id, position, title, location, collected, valid_until) VALUES
                    ('EV-3', 100, 'a', 'https://e.example/x', '2026-01-01', NULL),
                    ('EV-4', 101, 'b', 'https://e.example/x', '2026-01-01', NULL),
                    ('EV-6', 102, 'c', 'https://e.example/x', '2026-01-01', NULL);",
            )
            .unwrap();
        s
    };
    let changes: Vec<Change> = (0..4)
        .map(|i| Change::AddEvidence(evidence("", &[["AC-01", "LOG-02"][i % 2]])))
        .chain([Change::AddEvidence(evidence("EV-20", &[]))])
        .chain((0..2).map(|_| Change::AddEvidence(evidence("", &[]))))
        .collect();
    let mut bulk = setup("bulk.db");
    let applied = bulk.apply_returning(&changes).unwrap();
    assert_eq!(
        applied.ids,
        ["EV-5", "EV-7", "EV-8", "EV-9", "EV-21", "EV-22"]
    );
    let mut each = setup("each.db");
    assert_eq!(one_by_one(each.as_mut(), &changes), applied.ids);
    assert_eq!(bulk.load().unwrap(), each.load().unwrap());
}
