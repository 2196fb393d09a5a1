//! Hostile input at the command line, each case found by fuzzing kept as a regression:
//! refused cleanly with a message, no crash, no hang, nothing changed, and nothing raw
//! reaching the terminal.

use std::time::Duration;

use super::crosswalk;
use super::program::{run_err, run_json, run_ok};

fn program(dir: &tempfile::TempDir) -> String {
    let db = dir.path().join("p.db").display().to_string();
    run_ok(&db, &["init", "--organization", "Acme"]);
    run_ok(&db, &["program", "add", "soc2"]);
    run_ok(
        &db,
        &["control", "add", "AC-1", "--title", "Access reviews"],
    );
    db
}

fn counts(db: &str) -> (usize, usize) {
    let p = run_json(db, &["program", "show", "--json"]);
    (
        p["controls"].as_array().unwrap().len(),
        p["evidence"].as_array().unwrap().len(),
    )
}

#[test]
fn evidence_locations_are_files_by_hash_or_http_links_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = program(&dir);
    for bad in [
        "sha256:../../../outside/secret.txt",
        "file:///etc/passwd",
        "../secret.txt",
        "https://",
        "https://exa mple.com/x",
        "javascript:alert(1)",
    ] {
        let err = run_err(
            &db,
            &[
                "evidence",
                "add",
                "--title",
                "x",
                "--url",
                bad,
                "--control",
                "AC-1",
            ],
        );
        assert!(err.contains("neither a stored file"), "{bad}: {err}");
    }
    assert_eq!(counts(&db), (1, 0), "nothing was recorded");
    run_ok(
        &db,
        &[
            "evidence",
            "add",
            "--title",
            "ok",
            "--url",
            "https://e.example/x",
            "--control",
            "AC-1",
        ],
    );
    assert_eq!(counts(&db), (1, 1));
}

#[test]
fn special_files_are_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let db = program(&dir);
    let fifo = dir.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.display().to_string();
    let dirpath = dir.path().display().to_string();
    for special in ["/dev/zero", fifo.as_str(), dirpath.as_str()] {
        let start = std::time::Instant::now();
        let err = run_err(
            &db,
            &[
                "evidence",
                "add",
                "--title",
                "x",
                "--file",
                special,
                "--control",
                "AC-1",
            ],
        );
        assert!(err.contains("not a regular file"), "{special}: {err}");
        assert!(start.elapsed() < Duration::from_secs(20), "{special} hung");
        let err = run_err(&db, &["program", "maturity", "--set", special]);
        assert!(err.contains("not a regular file"), "{special}: {err}");
        let err = run_err(&db, &["evidence", "verify", special]);
        assert!(err.contains("not a regular file"), "{special}: {err}");
    }
    assert_eq!(counts(&db), (1, 0));
}

#[test]
fn ids_are_non_empty_single_line_and_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let db = program(&dir);
    for (id, title) in [
        ("", "t"),
        ("   ", "t"),
        ("A\nB", "t"),
        ("A\u{1b}[2J", "t"),
        ("OK-1", ""),
        ("OK-2", "a\nb"),
    ] {
        let err = run_err(&db, &["control", "add", id, "--title", title]);
        assert!(err.contains("control"), "{id:?} {title:?}: {err}");
    }
    run_ok(
        &db,
        &["control", "add", "  AC-2  ", "--title", "  Trimmed  "],
    );
    let controls = run_json(&db, &["control", "list", "--json"]);
    let ids: Vec<&str> = controls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["AC-1", "AC-2"]);
    assert_eq!(controls[1]["title"], "Trimmed");
    let err = run_err(
        &db,
        &[
            "evidence",
            "add",
            "--id",
            "E\n1",
            "--title",
            "x",
            "--url",
            "https://e.example",
            "--control",
            "AC-1",
        ],
    );
    assert!(err.contains("evidence id"), "{err}");
}

#[test]
fn terminal_escape_sequences_from_user_data_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    // An OSC sequence (sets the terminal title) and a screen clear: refused in a name,
    // kept but shown escaped in free text.
    let hostile = "Acme\u{1b}]0;pwned\u{7}\u{1b}[2J Ltd";
    let err = run_err(&db, &["init", "--organization", hostile]);
    assert!(
        err.contains("control character") && !err.contains('\u{1b}'),
        "{err:?}"
    );
    run_ok(&db, &["init", "--organization", "Acme", "--scope", hostile]);
    run_ok(&db, &["program", "add", "soc2"]);
    let shown = run_ok(&db, &["program", "show"]);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{1b}"), "{shown}");
    // Echoed back in errors and in search.
    let out = crosswalk(&["frameworks", "show", "x\u{1b}]52;c;AAAA\u{7}"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && !err.contains('\u{1b}'), "{err:?}");
    let out = crosswalk(&["search", "zzqx\u{1b}[31m\u{1b}[2J"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn a_package_naming_paths_outside_itself_fails_verification() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("evil.zip");
    let manifest = serde_json::json!({
        "organization": "x", "created": "2026-01-01",
        "evidence": [{"id": "EV-1", "title": "t", "collected": "2026-01-01", "valid_until": null,
                      "controls": [], "location": "sha256:../../etc/passwd",
                      "path": "../../etc/passwd", "sha256": "../../etc/passwd"}]
    });
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&pkg).unwrap());
    zip.start_file("manifest.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(manifest.to_string().as_bytes()).unwrap();
    zip.finish().unwrap();
    let out = crosswalk(&["evidence", "verify", pkg.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("not a package file name"), "{err}");
}
