//! Scanner results imported on SQLite and PostgreSQL: every real sample, the JSON
//! contract (Powerpipe's from our fixture), a second import changing nothing, wrong or
//! hostile input refused.

use super::program::{result_of, run_err, run_json, run_ok};
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
    assert!(err.contains("bad.json:1:"), "{err}");
    // Powerpipe's benchmark export (the fixture of crates/collect), detected.
    let pp = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../collect/tests/it/powerpipe-benchmark.json");
    let got = run_json(db, &["collect", "import", pp.to_str().unwrap(), "--json"]);
    assert_eq!(
        (
            &got["format"],
            &got["tool"],
            &got["results"],
            &got["checks"]
        ),
        (
            &"powerpipe".into(),
            &"powerpipe".into(),
            &10.into(),
            &6.into()
        ),
        "{got}"
    );
    assert_eq!(
        got["by_status"],
        serde_json::json!({"pass": 3, "fail": 3, "error": 2, "manual": 1, "muted": 0, "not_applicable": 1})
    );
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pp).unwrap()).unwrap();
    doc["groups"][0]["groups"][0]["controls"][1]["results"][0]["status"] = "unknown".into();
    std::fs::write(&bad, serde_json::to_vec(&doc).unwrap()).unwrap();
    let err = run_err(db, &["collect", "import", bad.to_str().unwrap()]);
    assert!(
        err.contains(
            "bad.json: $.groups[0].groups[0].controls[1].results[0].status: unknown status `unknown`"
        ),
        "{err}"
    );
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

#[test]
fn mapped_checks_become_evidence_and_failures_show_at_once() {
    let Some(shared) = crosswalk_testkit::shared_data("mapped checks") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let db = db.as_str();
    run_ok(db, &["init", "--organization", "Acme"]);
    run_ok(db, &["program", "add", "iso27001"]);
    run_ok(
        db,
        &[
            "control",
            "add",
            "IAC-1",
            "--title",
            "Infrastructure code scanned",
            "--status",
            "operating",
            "--frequency",
            "continuous",
        ],
    );
    run_ok(db, &["control", "link", "IAC-1", "iso27001:A.8.9"]);
    run_ok(db, &["collect", "map", "AWS-0086", "--control", "IAC-1"]);
    run_ok(db, &["collect", "map", "AWS-0087", "--control", "IAC-1"]);
    let err = run_err(db, &["collect", "map", "AWS-0086", "--control", "NOPE"]);
    assert!(err.contains("no control `NOPE`"), "{err}");
    // Nothing yet: no evidence, so not compliant.
    assert_eq!(result_of(db, "A.8.9"), "partially-compliant");

    // A failing run: evidence recorded, but the failure keeps the requirement partial.
    let failing = shared.join("realworld/scanner-results/sarif-trivy/report.sarif");
    let got = run_json(
        db,
        &["collect", "import", failing.to_str().unwrap(), "--json"],
    );
    assert_eq!(got["controls"], serde_json::json!(["IAC-1"]));
    let ev = got["evidence"].as_str().unwrap().to_owned();
    let evidence = run_json(db, &["evidence", "list", "--json"]);
    let item = evidence
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == ev.as_str())
        .unwrap();
    assert!(
        item["location"].as_str().unwrap().starts_with("sha256:"),
        "{item}"
    );
    assert_eq!(item["controls"], serde_json::json!(["IAC-1"]));
    assert_eq!(result_of(db, "A.8.9"), "partially-compliant");
    let status = run_json(db, &["collect", "status", "--json"]);
    let row = status
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "AWS-0086")
        .unwrap();
    assert_eq!(
        (row["status"].as_str(), row["drift"].as_bool()),
        (Some("fail"), Some(false))
    );

    // The next run passes: drift is listed and the requirement is compliant.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&failing).unwrap()).unwrap();
    for r in doc["runs"][0]["results"].as_array_mut().unwrap() {
        r["kind"] = "pass".into();
    }
    let passing = dir.path().join("pass.sarif");
    std::fs::write(&passing, serde_json::to_vec(&doc).unwrap()).unwrap();
    run_ok(db, &["collect", "import", passing.to_str().unwrap()]);
    let status = run_json(db, &["collect", "status", "--json"]);
    let row = status
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "AWS-0086")
        .unwrap();
    assert_eq!(
        (
            row["status"].as_str(),
            row["previous"].as_str(),
            row["drift"].as_bool()
        ),
        (Some("pass"), Some("fail"), Some(true))
    );
    assert_eq!(row["controls"], serde_json::json!(["IAC-1"]));
    assert_eq!(result_of(db, "A.8.9"), "compliant");
    let text = run_ok(db, &["collect", "status"]);
    assert!(text.contains("DRIFT: was fail"), "{text}");
    // A failing run again (a new file: the same one would change nothing); an approved
    // exception keeps a failure from counting.
    let mut again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&failing).unwrap()).unwrap();
    again["runs"][0]["properties"] = serde_json::json!({"run": 3});
    let failing_again = dir.path().join("again.sarif");
    std::fs::write(&failing_again, serde_json::to_vec(&again).unwrap()).unwrap();
    run_ok(db, &["collect", "import", failing_again.to_str().unwrap()]);
    assert_eq!(result_of(db, "A.8.9"), "partially-compliant");
    let err = run_err(
        db,
        &[
            "collect",
            "except",
            "AWS-0086",
            "--justification",
            "",
            "--approved-by",
            "CISO",
            "--until",
            "2999-01-01",
        ],
    );
    assert!(err.contains("states why"), "{err}");
    let err = run_err(
        db,
        &[
            "collect",
            "except",
            "AWS-0086",
            "--justification",
            "x",
            "--approved-by",
            "CISO",
            "--until",
            "2000-01-01",
        ],
    );
    assert!(err.contains("expires after today"), "{err}");
    for check in ["AWS-0086", "AWS-0087"] {
        run_ok(
            db,
            &[
                "collect",
                "except",
                check,
                "--resource",
                "main.tf:8",
                "--justification",
                "Bucket replaced next sprint",
                "--approved-by",
                "CISO",
                "--until",
                "2999-01-01",
            ],
        );
    }
    let status = run_json(db, &["collect", "status", "--json"]);
    let excepted: Vec<&serde_json::Value> = status
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["exception"].is_null())
        .collect();
    assert!(!excepted.is_empty());
    // Only main.tf:8 is excepted; a failure on another resource still counts.
    let other_failing = status
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["status"] == "fail" && r["exception"].is_null());
    assert_eq!(
        result_of(db, "A.8.9"),
        if other_failing {
            "partially-compliant"
        } else {
            "compliant"
        }
    );
    for check in ["AWS-0086", "AWS-0087"] {
        run_ok(
            db,
            &[
                "collect",
                "except",
                check,
                "--justification",
                "Whole module retired",
                "--approved-by",
                "CISO",
                "--until",
                "2999-01-01",
            ],
        );
    }
    assert_eq!(
        result_of(db, "A.8.9"),
        "compliant",
        "every failure excepted"
    );
    run_ok(db, &["collect", "unmap", "AWS-0086", "--control", "IAC-1"]);
    let err = run_err(db, &["collect", "unmap", "AWS-0086", "--control", "IAC-1"]);
    assert!(err.contains("not mapped"), "{err}");
}

#[test]
fn requirements_a_tool_states_are_proposed_as_links_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let db = db.as_str();
    run_ok(db, &["init", "--organization", "Acme"]);
    run_ok(db, &["program", "add", "iso27001"]);
    run_ok(
        db,
        &[
            "control",
            "add",
            "IAM-1",
            "--title",
            "Access analyzer on",
            "--status",
            "operating",
        ],
    );
    run_ok(
        db,
        &[
            "collect",
            "map",
            "accessanalyzer_enabled",
            "--control",
            "IAM-1",
        ],
    );
    let finding = |check: &str, status: &str| {
        serde_json::json!({
            "class_uid": 2004,
            "metadata": {"event_code": check, "product": {"name": "Prowler", "version": "5.0.0"}},
            "status_code": status,
            "time": 1_790_000_000,
            "resources": [{"uid": "arn:aws:iam::1:root"}],
            "unmapped": {"compliance": {
                "ISO27001-2022": ["A.5.15", "A.99.1"],
                "SOC2": ["CC6.1"],
                "KISA-ISMS-P-2023": ["2.5.6"]
            }}
        })
    };
    let file = dir.path().join("run.ocsf.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&serde_json::json!([
            finding("accessanalyzer_enabled", "PASS"),
            finding("unmapped_check", "FAIL")
        ]))
        .unwrap(),
    )
    .unwrap();
    let got = run_json(db, &["collect", "import", file.to_str().unwrap(), "--json"]);
    // Only the mapped check's stated requirement in a framework in scope, and only one
    // that exists: ISO/IEC 27001 A.5.15 (SOC 2 is not in scope; A.99.1 does not exist;
    // KISA is not in the library).
    assert_eq!(got["proposed_links"], 1, "{got}");
    let links = run_json(db, &["links", "list", "--origin", "tool", "--json"]);
    let l = &links[0];
    assert_eq!(
        (
            l["control"].as_str(),
            l["requirement"].as_str(),
            l["state"].as_str()
        ),
        (Some("IAM-1"), Some("A.5.15"), Some("proposed"))
    );
    assert_eq!(
        l["path"],
        serde_json::json!(["check:accessanalyzer_enabled", "iso27001-2022:A.5.15"])
    );
    // Proposals from a tool are not accepted with the direct ones, only when named.
    let done = run_json(db, &["links", "accept", "--json"]);
    assert_eq!(done["changed"].as_array().unwrap().len(), 0);
    assert_eq!(done["left_proposed"], 1);
    run_ok(db, &["links", "accept", "--origin", "tool"]);
    let links = run_json(db, &["links", "list", "--origin", "tool", "--json"]);
    assert_eq!(links[0]["state"], "accepted");
}

#[test]
fn a_csv_with_other_headers_reads_through_a_column_map() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let db = db.as_str();
    run_ok(db, &["init", "--organization", "Acme"]);
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "Rule,Asset Name,Verdict,When\nR-1,host-a,passed,2026-11-30T10:00:00Z\nR-2,host-a,FAILED,2026-11-30T10:00:00Z\nR-2,host-b,skipped,\n",
    )
    .unwrap();
    let path = csv.to_str().unwrap();
    // Without a map the resource and status columns are not found.
    let err = run_err(db, &["collect", "import", path, "--format", "csv"]);
    assert!(
        err.contains("names its check, resource and status columns"),
        "{err}"
    );
    let err = run_err(
        db,
        &["collect", "import", path, "--column", "resource=Host"],
    );
    assert!(err.contains("names `Host` for resource"), "{err}");
    let err = run_err(db, &["collect", "import", path, "--column", "owner=Rule"]);
    assert!(err.contains("no field `owner`"), "{err}");
    let err = run_err(
        db,
        &[
            "collect",
            "import",
            path,
            "--format",
            "sarif",
            "--column",
            "status=Verdict",
        ],
    );
    assert!(err.contains("use it with --format csv"), "{err}");
    let got = run_json(
        db,
        &[
            "collect",
            "import",
            path,
            "--column",
            "resource=Asset Name,status=Verdict",
            "--column",
            "time=When",
            "--json",
        ],
    );
    assert_eq!(got["format"], "csv");
    assert_eq!(got["results"], 3);
    assert_eq!(got["by_status"]["pass"], 1);
    assert_eq!(got["by_status"]["fail"], 1);
    assert_eq!(got["resources"], 2);
}
