//! Scanner results imported on SQLite and PostgreSQL: every real sample, the JSON
//! contract, a second import changing nothing, wrong or hostile input refused.

use super::program::{run_err, run_json, run_ok};
use super::with_postgres;

fn flow(db: &str) {
    let Some(shared) = crosswalk_testkit::shared_data("collect flow") else {
        return;
    };
    run_ok(db, &["init", "--organization", "Acme"]);
    let dir = shared.join("realworld/scanner-results");
    for (file, format, results) in [
        ("prowler-ocsf/example_output_aws.ocsf.json", "ocsf", 5),
        ("sarif-trivy/report.sarif", "sarif", 8),
        ("hdf-inspec/aws-s3-baseline.json", "hdf", 2),
        ("oscal-ar-c2p/assessment-results.json", "oscal-ar", 8),
        (
            "oscal-ar-lula/valid-assessment-results-with-resources.yaml",
            "oscal-ar",
            4,
        ),
    ] {
        let path = dir.join(file);
        let got = run_json(db, &["collect", "import", path.to_str().unwrap(), "--json"]);
        assert_eq!(got["format"], format, "{file}");
        assert_eq!(got["results"], results, "{file}: {got}");
        assert_eq!(got["imported"], true, "{file}");
        let b = &got["by_status"];
        let sum: u64 = ["pass", "fail", "error", "manual", "muted", "not_applicable"]
            .iter()
            .map(|k| b[k].as_u64().unwrap())
            .sum();
        assert_eq!(sum, results, "{file}: counts add up");
        assert!(got["checks"].as_u64().unwrap() >= 1 && got["resources"].as_u64().unwrap() >= 1);
        // The same file again: recognised by its SHA-256, nothing changes.
        let version = run_json(db, &["program", "show", "--json"]);
        let again = run_json(db, &["collect", "import", path.to_str().unwrap(), "--json"]);
        assert_eq!(again["imported"], false, "{file}");
        assert_eq!(again["sha256"], got["sha256"]);
        assert_eq!(run_json(db, &["program", "show", "--json"]), version);
    }
    // The format named wrongly, an unknown status, a file of something else.
    let sarif = dir.join("sarif-trivy/report.sarif");
    let err = run_err(
        db,
        &[
            "collect",
            "import",
            sarif.to_str().unwrap(),
            "--format",
            "hdf",
        ],
    );
    assert!(err.contains("$.profiles: missing"), "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"class_uid": 2004, "metadata": {"event_code": "c1"}, "status_code": "PASS"},
            {"class_uid": 2004, "metadata": {"event_code": "c2"}, "status_code": "SOMETIMES"}]"#,
    )
    .unwrap();
    let err = run_err(db, &["collect", "import", bad.to_str().unwrap()]);
    assert!(
        err.contains("bad.json: [1].status_code: unknown status `SOMETIMES`"),
        "{err}"
    );
    std::fs::write(&bad, "[".repeat(200_000)).unwrap();
    let err = run_err(
        db,
        &[
            "collect",
            "import",
            bad.to_str().unwrap(),
            "--format",
            "ocsf",
        ],
    );
    assert!(err.contains("bad.json:1:"), "{err}");
    let err = run_err(
        db,
        &[
            "collect",
            "import",
            bad.to_str().unwrap(),
            "--format",
            "powerpipe",
        ],
    );
    assert!(err.contains("not read yet"), "{err}");
}

#[test]
fn scanner_results_import_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    flow(&dir.path().join("p.db").display().to_string());
}

#[test]
fn scanner_results_import_on_postgres() {
    with_postgres("collect", flow);
}
