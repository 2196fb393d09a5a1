//! Program versions, generated ids, targeted reads, stored files and error messages: the
//! same checks on both backends, then what only one backend can show.

use crosswalk_core::program::{Evidence, MaturityLevel};
use crosswalk_store::{Applied, Change, Sha256, Store, StoreError};
use jiff::civil::date;

use crate::{PgSchemas, control, postgres_url, sample};

pub fn evidence(id: &str, controls: &[&str]) -> Evidence {
    Evidence {
        id: id.into(),
        title: format!("Evidence {id}"),
        location: "https://example.org/e".parse().unwrap(),
        collected: date(2026, 10, 1),
        valid_until: None,
        controls: controls.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// The checks, on databases named by `new_db`.
pub fn conformance(backend: &str, new_db: &mut dyn FnMut() -> String) {
    let target = new_db();
    let mut s = crosswalk_store::open(&target).unwrap();

    // The version starts at 0 and moves by one per committed apply, not on failures or
    // empty lists.
    assert_eq!(s.version().unwrap(), 0, "{backend}");
    let applied = s.apply_returning(&sample()).unwrap();
    assert_eq!(
        applied,
        Applied {
            version: 1,
            ids: vec![]
        },
        "{backend}"
    );
    assert!(s.apply(&[Change::AddControl(control("AC-01"))]).is_err());
    assert_eq!(
        s.version().unwrap(),
        1,
        "{backend}: a failed apply moves nothing"
    );
    assert_eq!(s.apply_returning(&[]).unwrap().version, 1, "{backend}");

    // A second handle on the same database sees the first one's changes move the version.
    let mut other = crosswalk_store::open(&target).unwrap();
    assert_eq!(other.version().unwrap(), 1);
    s.apply(&[Change::AddControl(control("AC-02"))]).unwrap();
    assert_eq!(
        other.version().unwrap(),
        2,
        "{backend}: seen by another handle"
    );
    other
        .apply(&[Change::AddControl(control("AC-03"))])
        .unwrap();
    assert_eq!(s.version().unwrap(), 3, "{backend}");

    // Generated evidence ids: past the largest EV-<n>, in order, never reused.
    let got = s
        .apply_returning(&[
            Change::AddEvidence(evidence("", &["AC-02"])),
            Change::AddControl(control("AC-04")),
            Change::AddEvidence(evidence("", &["AC-04", "AC-01"])),
        ])
        .unwrap();
    assert_eq!(got.ids, ["EV-2", "EV-3"], "{backend}");
    assert_eq!(got.version, 4);
    let p = s.load().unwrap();
    let ev3 = p.evidence.iter().find(|e| e.id == "EV-3").unwrap();
    assert_eq!(ev3.controls, ["AC-01", "AC-04"], "{backend}");
    // An id given by hand moves the counter past it.
    s.apply(&[Change::AddEvidence(evidence("EV-10", &["AC-01"]))])
        .unwrap();
    let got = s
        .apply_returning(&[Change::AddEvidence(evidence("", &["AC-01"]))])
        .unwrap();
    assert_eq!(got.ids, ["EV-11"], "{backend}");
    // A failed batch hands out nothing for good.
    let err = s
        .apply(&[
            Change::AddEvidence(evidence("", &["AC-01"])),
            Change::AddEvidence(evidence("", &["NOPE"])),
        ])
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotFound(m) if m.contains("EV-13") && m.contains("NOPE")),
        "{backend}: {err}"
    );
    let got = s
        .apply_returning(&[Change::AddEvidence(evidence("", &["AC-01"]))])
        .unwrap();
    assert_eq!(got.ids, ["EV-12"], "{backend}");
    assert_eq!(
        s.load()
            .unwrap()
            .evidence
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        ["EV-1", "EV-2", "EV-3", "EV-10", "EV-11", "EV-12"],
        "{backend}: in the order added"
    );

    // Items without controls in between: every item keeps exactly its own controls.
    let got = s
        .apply_returning(&[
            Change::AddEvidence(evidence("", &[])),
            Change::AddEvidence(evidence("", &[])),
            Change::AddEvidence(evidence("", &[])),
            Change::AddEvidence(evidence("", &["AC-04", "AC-02"])),
            Change::AddEvidence(evidence("", &[])),
        ])
        .unwrap();
    assert_eq!(got.ids, ["EV-13", "EV-14", "EV-15", "EV-16", "EV-17"]);
    let p = s.load().unwrap();
    let controls: Vec<(&str, Vec<&str>)> = p.evidence[5..]
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                e.controls.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        controls,
        [
            ("EV-12", vec!["AC-01"]),
            ("EV-13", vec![]),
            ("EV-14", vec![]),
            ("EV-15", vec![]),
            ("EV-16", vec!["AC-02", "AC-04"]),
            ("EV-17", vec![]),
        ],
        "{backend}"
    );

    // Targeted reads agree with load.
    let p = s.load().unwrap();
    assert_eq!(s.info().unwrap(), p.info, "{backend}");
    assert_eq!(s.scope().unwrap(), p.frameworks, "{backend}");
    assert!(s.maturity_scale().unwrap().is_empty());
    let scale = vec![
        MaturityLevel {
            level: 0,
            name: "No".into(),
            description: String::new(),
        },
        MaturityLevel {
            level: 1,
            name: "Yes".into(),
            description: String::new(),
        },
    ];
    s.apply(&[Change::SetMaturityScale(scale.clone())]).unwrap();
    assert_eq!(s.maturity_scale().unwrap(), scale);
    assert_eq!(
        s.control_ids_exist(&["AC-01".into(), "ZZ".into(), "AC-04".into(), "YY".into()])
            .unwrap(),
        ["ZZ", "YY"],
        "{backend}"
    );
    assert!(s.control_ids_exist(&[]).unwrap().is_empty());
    let empty = crosswalk_store::open(&new_db()).unwrap().info().unwrap();
    assert_eq!(empty, None);

    // Stored files: by content, once, checked on the way out.
    let sha = s.put_file(b"access review, Q3").unwrap();
    assert_eq!(sha, Sha256::of(b"access review, Q3"));
    assert_eq!(s.put_file(b"access review, Q3").unwrap(), sha);
    assert_eq!(s.get_file(&sha).unwrap(), b"access review, Q3");
    assert_eq!(other.get_file(&sha).unwrap(), b"access review, Q3");
    let empty_file = s.put_file(b"").unwrap();
    assert_eq!(s.get_file(&empty_file).unwrap(), b"");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let big_sha = s.put_file(&big).unwrap();
    assert_eq!(s.get_file(&big_sha).unwrap(), big);
    let err = s.get_file(&Sha256::of(b"never stored")).unwrap_err();
    assert!(
        matches!(&err, StoreError::NotFound(m) if m.contains(&Sha256::of(b"never stored").to_string())),
        "{backend}: {err}"
    );
    // Files are not program changes.
    let v = s.version().unwrap();
    s.put_file(b"another").unwrap();
    assert_eq!(s.version().unwrap(), v);

    // Stores can move between threads.
    let moved = std::thread::spawn(move || other.load().unwrap().controls.len())
        .join()
        .unwrap();
    assert_eq!(moved, 5, "{backend}");
}

fn assert_send<T: Send>() {}

#[test]
fn stores_are_send() {
    assert_send::<crosswalk_store::SqliteStore>();
    assert_send::<crosswalk_store::PgStore>();
    assert_send::<Box<dyn Store>>();
}

/// A file stored and then damaged on disk is reported, and storing it again repairs it.
#[test]
fn sqlite_files_are_written_whole_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let mut s = crosswalk_store::SqliteStore::open(&db).unwrap();
    let sha = s.put_file(b"the real content").unwrap();
    let hex = sha.to_string();
    let path = dir.path().join("evidence").join(&hex[..2]).join(&hex);
    assert_eq!(s.files_dir(), dir.path().join("evidence"));
    assert_eq!(std::fs::read(&path).unwrap(), b"the real content");
    // Nothing but the file itself is left in its directory.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from(&hex)]);

    // Cut short, as a killed writer of an older version could leave it.
    std::fs::write(&path, b"the real").unwrap();
    let err = s.get_file(&sha).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, StoreError::CorruptFile { .. })
            && msg.contains(&format!("stored file for sha256:{hex} is corrupt"))
            && msg.contains(&format!(
                "its content hashes to {}",
                Sha256::of(b"the real")
            )),
        "{msg}"
    );
    assert_eq!(s.put_file(b"the real content").unwrap(), sha);
    assert_eq!(s.get_file(&sha).unwrap(), b"the real content");
}

/// What failed is named: the operation, and on PostgreSQL the server's message and code.
#[test]
fn errors_name_the_operation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let mut s = crosswalk_store::SqliteStore::open(&db).unwrap();
    s.apply(&sample()).unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TABLE evidence_control")
        .unwrap();
    let err = s
        .apply(&[Change::AddEvidence(evidence("", &["AC-01"]))])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("adding evidence `EV-2`") && err.contains("evidence_control"),
        "{err}"
    );
    let err = s.load().unwrap_err().to_string();
    assert!(err.contains("loading the program"), "{err}");

    let Some(base) = postgres_url("errors_name_the_operation") else {
        return;
    };
    let mut schemas = PgSchemas::new(&base, "errors");
    let url = schemas.fresh();
    let mut s = crosswalk_store::open(&url).unwrap();
    s.apply(&sample()).unwrap();
    let schema = PgSchemas::schema_of(&url).to_owned();
    schemas
        .admin
        .batch_execute(&format!("DROP TABLE {schema}.evidence_control"))
        .unwrap();
    let err = s
        .apply(&[Change::AddEvidence(evidence("", &["AC-01"]))])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("adding evidence `EV-2`")
            && err.contains("evidence_control")
            && err.contains("SQLSTATE 42P01")
            && !err.contains("db error"),
        "{err}"
    );
    let err = s.load().unwrap_err().to_string();
    assert!(
        err.contains("loading the program") && err.contains("SQLSTATE 42P01"),
        "{err}"
    );
}

#[test]
fn postgres_corrupt_file_is_reported() {
    let Some(base) = postgres_url("postgres_corrupt_file_is_reported") else {
        return;
    };
    let mut schemas = PgSchemas::new(&base, "files");
    let url = schemas.fresh();
    let mut s = crosswalk_store::open(&url).unwrap();
    let sha = s.put_file(b"the real content").unwrap();
    let schema = PgSchemas::schema_of(&url).to_owned();
    schemas
        .admin
        .batch_execute(&format!(
            "UPDATE {schema}.evidence_file SET content = 'tampered'::bytea"
        ))
        .unwrap();
    let msg = s.get_file(&sha).unwrap_err().to_string();
    assert!(
        msg.contains(&format!("stored file for sha256:{sha} is corrupt"))
            && msg.contains(&Sha256::of(b"tampered").to_string()),
        "{msg}"
    );
}

/// A database at version 3 whose positions were duplicated by concurrent writers, with
/// evidence ids given by the old CLI: the upgrade renumbers positions in order and the
/// generated ids continue after the largest EV-<n>.
#[test]
fn sqlite_version_3_with_duplicate_positions_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_version (version BIGINT PRIMARY KEY); INSERT INTO schema_version VALUES (1), (2), (3);",
        )
        .unwrap();
        conn.execute_batch(include_str!("../../src/schema.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../../src/migration_2.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../../src/migration_3.sql"))
            .unwrap();
        conn.execute_batch(
            "INSERT INTO control (id, position, title, description, owner, status, frequency) VALUES
                ('C', 1, 't', '', '', 'operating', ''), ('A', 0, 't', '', '', 'operating', ''),
                ('B', 1, 't', '', '', 'operating', ''), ('D', 5, 't', '', '', 'operating', '');
             INSERT INTO evidence (id, position, title, location, collected, valid_until) VALUES
                ('EV-1', 0, 'a', 'https://e.example/x', '2026-01-01', NULL), ('EV-7', 1, 'b', 'https://e.example/x', '2026-01-01', NULL),
                ('EV-3', 1, 'c', 'https://e.example/x', '2026-01-01', NULL), ('Q-99', 2, 'd', 'https://e.example/x', '2026-01-01', NULL);
             INSERT INTO assessment_history (seq, framework, requirement, record) VALUES (0, 'iso27001-2022', 'A.5.1', '{}');",
        )
        .unwrap();
    }
    let mut s = crosswalk_store::open(path.to_str().unwrap()).unwrap();
    let p = s.load().unwrap();
    assert_eq!(
        p.controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["A", "B", "C", "D"]
    );
    assert_eq!(
        p.evidence.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["EV-1", "EV-3", "EV-7", "Q-99"]
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let positions: Vec<i64> = conn
        .prepare("SELECT position FROM control ORDER BY position")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(positions, [0, 1, 2, 3]);
    let got = s
        .apply_returning(&[
            Change::AddControl(control("E")),
            Change::AddEvidence(evidence("", &["E"])),
        ])
        .unwrap();
    assert_eq!(got.ids, ["EV-8"]);
    assert_eq!(s.load().unwrap().controls[4].id, "E");
}

/// A database written by an older version that accepted any location (the fuzzed
/// `sha256:../../outside/secret.txt`) is refused with a message naming the evidence,
/// never read as a path.
#[test]
fn a_stored_location_that_is_not_a_file_hash_or_link_is_refused_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut s = crosswalk_store::open(path.to_str().unwrap()).unwrap();
        s.apply(&[crosswalk_store::Change::SetProgram(
            crosswalk_core::program::ProgramInfo {
                organization: "Acme".into(),
                scope: String::new(),
                systems: Vec::new(),
            },
        )])
        .unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO evidence (id, position, title, location, collected, valid_until) VALUES
            ('EV-9', 0, 'x', 'sha256:../../../outside/secret.txt', '2026-01-01', NULL);",
    )
    .unwrap();
    drop(conn);
    let mut s = crosswalk_store::open(path.to_str().unwrap()).unwrap();
    let err = s.load().unwrap_err().to_string();
    assert!(
        err.contains("EV-9") && err.contains("neither a stored file"),
        "{err}"
    );
}
