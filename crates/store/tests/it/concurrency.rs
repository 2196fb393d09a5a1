//! Many handles on one database at once, each moved into its own thread: readers never
//! fail and always see a consistent snapshot while writers work; writers never fail, lose
//! or duplicate anything. About 5 s per backend; set `CROSSWALK_STRESS_SECS` (say 60) for
//! a longer run by hand.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crosswalk_core::mapping::Coverage;
use crosswalk_core::program::Policy;
use crosswalk_store::Change;
use jiff::civil::date;

use crate::additions::evidence;
use crate::{PgSchemas, assessment, control, link, postgres_url, sample};

const READERS: usize = 8;
const WRITERS: usize = 2;

fn duration() -> Duration {
    let secs = std::env::var("CROSSWALK_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(5.0);
    Duration::from_secs_f64(secs)
}

fn policy(version: String) -> Policy {
    Policy {
        id: "POL-SHARED".into(),
        title: "Shared policy".into(),
        version,
        owner: "CISO".into(),
        approved_by: "CEO".into(),
        approved_on: Some(date(2026, 1, 10)),
        next_review: None,
        location: "https://policies.example/shared".into(),
    }
}

/// Runs readers and writers on `target` for the test's duration and checks what they
/// did. `duplicates` counts rows sharing a position or sequence number.
fn stress(backend: &str, target: &str, duplicates: &mut dyn FnMut() -> Vec<(String, i64)>) {
    let mut setup = crosswalk_store::open(target).unwrap();
    setup.apply(&sample()).unwrap();
    let v0 = setup.version().unwrap();
    let deadline = Instant::now() + duration();
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let mut store = crosswalk_store::open(target).unwrap();
        let failures = Arc::clone(&failures);
        writers.push(std::thread::spawn(move || {
            let (mut applied, mut ids) = (0usize, Vec::new());
            let mut i = 0;
            while Instant::now() < deadline {
                i += 1;
                let c = format!("W{w}-{i}");
                let changes = [
                    Change::AddControl(control(&c)),
                    Change::AddEvidence(evidence("", &[&c])),
                    Change::Link(link(&c, "iso27001-2022", "A.5.15", Coverage::Partial)),
                    Change::Assess(assessment(
                        &format!("A.5.{}", i % 7 + 1),
                        None,
                        date(2026, 11, 1),
                    )),
                    Change::SetPolicy(policy(format!("{w}.{i}"))),
                ];
                match store.apply_returning(&changes) {
                    Ok(a) => {
                        applied += 1;
                        ids.extend(a.ids);
                    }
                    Err(e) => failures.lock().unwrap().push(format!("writer {w}: {e}")),
                }
            }
            (applied, ids)
        }));
    }
    let mut readers = Vec::new();
    for r in 0..READERS {
        let mut store = crosswalk_store::open(target).unwrap();
        let failures = Arc::clone(&failures);
        readers.push(std::thread::spawn(move || {
            let (mut loads, mut last_controls, mut last_version) = (0usize, 0usize, 0u64);
            while Instant::now() < deadline {
                match store.load() {
                    Ok(p) => {
                        loads += 1;
                        // Each write adds a control and its evidence together: a snapshot
                        // has as many of one as of the other.
                        let written = p.controls.iter().filter(|c| c.id.starts_with('W'));
                        if written.count() != p.evidence.len() - 1 {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("reader {r}: an inconsistent snapshot"));
                        }
                        if p.controls.len() < last_controls {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("reader {r}: controls went back"));
                        }
                        last_controls = p.controls.len();
                    }
                    Err(e) => failures.lock().unwrap().push(format!("reader {r}: {e}")),
                }
                match store.version() {
                    Ok(v) if v >= last_version => last_version = v,
                    Ok(v) => failures
                        .lock()
                        .unwrap()
                        .push(format!("reader {r}: version {v} after {last_version}")),
                    Err(e) => failures.lock().unwrap().push(format!("reader {r}: {e}")),
                }
            }
            loads
        }));
    }

    let (mut applied, mut ids) = (0, Vec::new());
    for w in writers {
        let (a, i) = w.join().unwrap();
        applied += a;
        ids.extend(i);
    }
    let loads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    let failures = failures.lock().unwrap();
    eprintln!(
        "{backend}: {applied} writes and {loads} loads in {:?}, {} failures",
        duration(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{backend}: {} failed operations, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(applied > 0 && loads > 0, "{backend}: nothing ran");

    let p = setup.load().unwrap();
    assert_eq!(
        p.controls.len(),
        2 + applied,
        "{backend}: every control kept"
    );
    assert_eq!(p.evidence.len(), 1 + applied, "{backend}: every item kept");
    assert_eq!(p.links.len(), 2 + applied, "{backend}: every link kept");
    assert_eq!(p.policies.len(), 1, "{backend}: one policy, many versions");
    assert_eq!(setup.history().unwrap().len(), 1 + applied, "{backend}");
    assert_eq!(ids.len(), applied, "{backend}: one generated id per write");
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "{backend}: generated ids are unique"
    );
    let stored: std::collections::HashSet<&String> = p.evidence.iter().map(|e| &e.id).collect();
    assert!(ids.iter().all(|id| stored.contains(id)), "{backend}");
    assert_eq!(
        setup.version().unwrap(),
        v0 + applied as u64,
        "{backend}: the version moved once per write"
    );
    for (what, n) in duplicates() {
        assert_eq!(n, 0, "{backend}: {what} shared by two rows");
    }
}

const DUPLICATES: [(&str, &str); 5] = [
    ("control", "position"),
    ("evidence", "position"),
    ("policy", "position"),
    ("assessment_history", "seq"),
    ("policy_history", "seq"),
];

fn duplicates_sql(table: &str, column: &str) -> String {
    format!("SELECT COUNT(*) - COUNT(DISTINCT {column}) FROM {table}")
}

#[test]
fn sqlite_readers_and_writers_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    stress("sqlite", path.to_str().unwrap(), &mut || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        DUPLICATES
            .iter()
            .map(|(table, column)| {
                let n: i64 = conn
                    .query_row(&duplicates_sql(table, column), [], |r| r.get(0))
                    .unwrap();
                (format!("{table}.{column}"), n)
            })
            .collect()
    });
}

#[test]
fn postgres_readers_and_writers_at_once() {
    let Some(base) = postgres_url("postgres_readers_and_writers_at_once") else {
        return;
    };
    let mut schemas = PgSchemas::new(&base, "stress");
    let url = schemas.fresh();
    let schema = PgSchemas::schema_of(&url).to_owned();
    stress("postgres", &url, &mut || {
        DUPLICATES
            .iter()
            .map(|(table, column)| {
                let n: i64 = schemas
                    .admin
                    .query_one(&duplicates_sql(&format!("{schema}.{table}"), column), &[])
                    .unwrap()
                    .get(0);
                (format!("{table}.{column}"), n)
            })
            .collect()
    });
}

/// Many processes at once on one SQLite file, as many CLI commands run side by side
/// would: the test binary runs itself as child processes that each read and write.
#[test]
fn sqlite_many_processes_at_once() {
    const PROCESSES: usize = 24;
    const WRITES: usize = 5;
    if let Ok(db) = std::env::var("CROSSWALK_TEST_CHILD_DB") {
        let me = std::env::var("CROSSWALK_TEST_CHILD").unwrap();
        let mut store = crosswalk_store::open(&db).unwrap();
        for i in 0..WRITES {
            let c = format!("P{me}-{i}");
            store.load().unwrap();
            let got = store
                .apply_returning(&[
                    Change::AddControl(control(&c)),
                    Change::AddEvidence(evidence("", &[&c])),
                ])
                .unwrap();
            println!("generated {}", got.ids.join(" "));
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    crosswalk_store::open(db).unwrap().apply(&sample()).unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|n| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "concurrency::sqlite_many_processes_at_once",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("CROSSWALK_TEST_CHILD_DB", db)
                .env("CROSSWALK_TEST_CHILD", n.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "a child failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in stdout.lines() {
            // libtest may print its own "test … " on the same line first.
            if let Some((_, id)) = line.split_once("generated ") {
                ids.push(id.trim().to_owned());
            }
        }
    }
    let p = crosswalk_store::open(db).unwrap().load().unwrap();
    assert_eq!(ids.len(), PROCESSES * WRITES);
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "generated ids are unique");
    assert_eq!(p.controls.len(), 2 + PROCESSES * WRITES);
    assert_eq!(p.evidence.len(), 1 + PROCESSES * WRITES);
}
