//! Many processes at once on one database: 8 readers and 2 writers running `crosswalk`
//! commands side by side, on SQLite and on PostgreSQL. Every command must succeed and
//! every write must be there afterwards. Runs 60 s per backend under CI (the issue's
//! figure), 10 s otherwise; `CROSSWALK_STRESS_SECS` overrides.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::crosswalk;
use super::program::{run_json, run_ok};

fn seconds() -> u64 {
    std::env::var("CROSSWALK_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if std::env::var("CI").as_deref() == Ok("true") {
            60
        } else {
            10
        })
}

/// Runs a command; `Err` with its stderr when it fails.
fn attempt(db: &str, args: &[&str]) -> Result<String, String> {
    let mut all = vec!["--db", db];
    all.extend_from_slice(args);
    let out = crosswalk(&all);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn ids(db: &str, what: &str) -> Vec<String> {
    run_json(db, &[what, "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn stress(db: &str) {
    run_ok(db, &["demo", "--scale", "300"]);
    let (controls0, evidence0) = (ids(db, "control").len(), ids(db, "evidence").len());
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for r in 0..8 {
        let (db, stop) = (db.to_owned(), Arc::clone(&stop));
        readers.push(std::thread::spawn(move || {
            let commands: [&[&str]; 4] = [
                &["assess", "status", "--json"],
                &["control", "list", "--json"],
                &["gaps", "--json", "--limit", "5"],
                &["evidence", "list", "--json"],
            ];
            let (mut runs, mut failures) = (0, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                if let Err(e) = attempt(&db, commands[(r + runs) % commands.len()]) {
                    failures.push(e);
                }
                runs += 1;
            }
            (runs, failures)
        }));
    }
    let mut writers = Vec::new();
    for w in 0..2 {
        let (db, stop) = (db.to_owned(), Arc::clone(&stop));
        writers.push(std::thread::spawn(move || {
            let (mut added, mut evidence, mut failures) = (Vec::new(), 0, Vec::new());
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let id = format!("W{w}-{i}");
                match attempt(
                    &db,
                    &["control", "add", &id, "--title", "Written under load"],
                ) {
                    Ok(_) => added.push(id.clone()),
                    Err(e) => failures.push(e),
                }
                let control = added.last().map_or("C-000001", String::as_str);
                match attempt(
                    &db,
                    &[
                        "evidence",
                        "add",
                        "--title",
                        "Under load",
                        "--url",
                        "https://e.example/w",
                        "--control",
                        control,
                    ],
                ) {
                    Ok(_) => evidence += 1,
                    Err(e) => failures.push(e),
                }
            }
            (added, evidence, failures)
        }));
    }
    std::thread::sleep(Duration::from_secs(seconds()));
    stop.store(true, Ordering::Relaxed);
    let mut failures = Vec::new();
    let mut reads = 0;
    for r in readers {
        let (runs, f) = r.join().unwrap();
        reads += runs;
        failures.extend(f);
    }
    let (mut added, mut evidence) = (Vec::new(), 0);
    for w in writers {
        let (a, e, f) = w.join().unwrap();
        added.extend(a);
        evidence += e;
        failures.extend(f);
    }
    assert!(
        failures.is_empty(),
        "{} failed commands, first: {}",
        failures.len(),
        failures[0]
    );
    assert!(
        reads > 8 && !added.is_empty(),
        "the load ran: {reads} reads, {} writes",
        added.len()
    );
    let controls = ids(db, "control");
    let evidence_ids = ids(db, "evidence");
    assert_eq!(
        controls.len(),
        controls0 + added.len(),
        "no control lost or doubled"
    );
    assert_eq!(
        evidence_ids.len(),
        evidence0 + evidence,
        "no evidence lost or doubled"
    );
    let unique: BTreeSet<&String> = evidence_ids.iter().collect();
    assert_eq!(
        unique.len(),
        evidence_ids.len(),
        "generated evidence ids are unique"
    );
    let have: BTreeSet<&String> = controls.iter().collect();
    assert!(
        added.iter().all(|a| have.contains(a)),
        "every written control is there"
    );
    eprintln!(
        "stress on {}: {reads} reads, {} control writes, {evidence} evidence writes, 0 failed",
        if db.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        added.len()
    );
}

#[test]
fn readers_and_writers_at_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    stress(dir.path().join("stress.db").to_str().unwrap());
}

#[test]
fn readers_and_writers_at_once_on_postgres() {
    super::with_postgres("stress", stress);
}
