//! Our own checks on SQLite and PostgreSQL: snapshots added once, a run recorded once,
//! drift between runs, a run becoming evidence and holding back its requirement while it
//! fails, hostile snapshots refused with nothing added; the built-in checks behave on
//! their fixtures.

use super::program::{result_of, run_err, run_json, run_ok};
use super::with_postgres;

const CHECKS: &str = r#"
checks:
  - id: acme.root-mfa
    title: The root user signs in with MFA
    dataset: aws-iam-credential-report
    requirements: {iso27001-2022: [A.8.5]}
    for_each: Content
    decode: csv
    resource: arn
    where: {path: user, op: eq, value: "<root_account>"}
    all:
      - {path: mfa_active, op: eq, value: "true"}
"#;

fn report(mfa: bool) -> String {
    serde_json::json!({
        "Content": format!("user,arn,mfa_active\n<root_account>,arn:aws:iam::1:root,{mfa}\n"),
        "ReportFormat": "text/csv",
    })
    .to_string()
}

fn flow(db: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let checks = tmp.path().join("acme.yaml");
    std::fs::write(&checks, CHECKS).unwrap();
    let checks = checks.to_str().unwrap();
    run_ok(db, &["init", "--organization", "Acme"]);
    run_ok(db, &["program", "add", "iso27001"]);
    run_ok(
        db,
        &[
            "control",
            "add",
            "IAM-1",
            "--title",
            "Privileged sign-in uses MFA",
            "--status",
            "operating",
            "--frequency",
            "daily",
        ],
    );
    run_ok(db, &["control", "link", "IAM-1", "iso27001:A.8.5"]);
    run_ok(
        db,
        &["collect", "map", "acme.root-mfa", "--control", "IAM-1"],
    );
    let err = run_err(db, &["monitor", "run", "--checks", checks]);
    assert!(err.contains("no snapshots to check"), "{err}");

    // A failing snapshot: the run is recorded, becomes evidence, and the requirement
    // cannot be compliant while the check fails.
    let first = tmp.path().join("report-1.json");
    std::fs::write(&first, report(false)).unwrap();
    let added = run_json(
        db,
        &[
            "collect",
            "snapshot",
            first.to_str().unwrap(),
            "--dataset",
            "aws-iam-credential-report",
            "--collected-at",
            "2026-11-01T08:00:00Z",
            "--json",
        ],
    );
    assert_eq!(added["added"], true);
    assert_eq!(added["items"], 1);
    let again = run_json(
        db,
        &[
            "collect",
            "snapshot",
            first.to_str().unwrap(),
            "--dataset",
            "aws-iam-credential-report",
            "--json",
        ],
    );
    assert_eq!(again["added"], false);
    assert_eq!(again["collected_at"], "2026-11-01T08:00:00Z");
    let run = run_json(db, &["monitor", "run", "--checks", checks, "--json"]);
    for key in ["run", "checks", "resources", "by_status", "drift"] {
        assert!(
            run.get(key).is_some(),
            "monitor run --json has {key}: {run}"
        );
    }
    assert_eq!(run["recorded"], true);
    // Ours and the built-in credential-report checks ran; the others wait for snapshots.
    assert_eq!(run["by_status"]["fail"], 3, "{run}");
    assert!(run["skipped"].as_array().unwrap().iter().any(|s| s["check"] == "okta.mfa.enrolled" && s["why"] == "no snapshot of okta-factors"));
    assert_eq!(run["controls"], serde_json::json!(["IAM-1"]));
    assert!(run["evidence"].as_str().unwrap().starts_with("EV-"));
    assert_eq!(run["drift"], serde_json::json!([]));
    assert_eq!(
        run["failures"][0]["message"],
        "mfa_active = \"true\" (found \"false\")"
    );
    assert_ne!(result_of(db, "A.8.5"), "compliant");
    // The run as OSCAL assessment results: an observation per result, a finding per
    // check and requirement.
    let oscal = tmp.path().join("run.json");
    run_ok(
        db,
        &[
            "monitor",
            "run",
            "--checks",
            checks,
            "--oscal",
            oscal.to_str().unwrap(),
        ],
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&oscal).unwrap()).unwrap();
    let result = &doc["assessment-results"]["results"][0];
    let total: u64 = ["pass", "fail", "error", "manual", "muted", "not_applicable"]
        .iter()
        .map(|k| run["by_status"][k].as_u64().unwrap())
        .sum();
    assert_eq!(
        result["observations"].as_array().unwrap().len() as u64,
        total
    );
    let finding = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["title"] == "acme.root-mfa → iso27001-2022:A.8.5")
        .expect("a finding for the check's requirement");
    assert_eq!(finding["target"]["status"]["state"], "not-satisfied");
    assert_eq!(finding["target"]["target-id"], "a.8.5");
    assert_eq!(finding["related-observations"].as_array().unwrap().len(), 1);
    let status = run_json(db, &["collect", "status", "--json"]);
    assert_eq!(status[0]["check"], "acme.root-mfa");
    assert_eq!(status[0]["status"], "fail");
    // The same snapshots again: the same results, nothing recorded.
    let version = run_json(db, &["program", "show", "--json"]);
    let same = run_json(db, &["monitor", "run", "--checks", checks, "--json"]);
    assert_eq!(same["recorded"], false);
    assert_eq!(same["run"], run["run"]);
    assert_eq!(run_json(db, &["program", "show", "--json"]), version);

    // Fixed: a newer snapshot passes, the change is drift, the requirement recovers.
    let second = tmp.path().join("report-2.json");
    std::fs::write(&second, report(true)).unwrap();
    run_ok(
        db,
        &[
            "collect",
            "snapshot",
            second.to_str().unwrap(),
            "--dataset",
            "aws-iam-credential-report",
            "--collected-at",
            "2026-11-20T08:00:00Z",
        ],
    );
    let fixed = run_json(db, &["monitor", "run", "--checks", checks, "--json"]);
    assert_eq!(fixed["recorded"], true);
    let drift: Vec<&serde_json::Value> = fixed["drift"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["check"] == "acme.root-mfa")
        .collect();
    assert_eq!(
        drift,
        [
            &serde_json::json!({"check": "acme.root-mfa", "resource": "arn:aws:iam::1:root", "from": "fail", "to": "pass"})
        ]
    );
    assert_eq!(result_of(db, "A.8.5"), "compliant");
    // The drift is in the audit trail, where webhooks read it.
    let log = run_json(db, &["audit", "log", "--limit", "1000", "--json"]);
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "monitor.drift")
        .expect("a monitor.drift entry");
    assert_eq!(entry["target"], fixed["run"]);
    assert!(
        entry["after"].as_str().unwrap().contains("acme.root-mfa"),
        "{entry}"
    );

    // Hostile or wrong snapshots: located errors, nothing added.
    let version = run_json(db, &["program", "show", "--json"]);
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\"Content\": \n  nope}").unwrap();
    let err = run_err(
        db,
        &[
            "collect",
            "snapshot",
            bad.to_str().unwrap(),
            "--dataset",
            "x",
        ],
    );
    assert!(
        err.contains("bad.json: not JSON") && err.contains("line 2"),
        "{err}"
    );
    std::fs::write(&bad, "[".repeat(100_000)).unwrap();
    let err = run_err(
        db,
        &[
            "collect",
            "snapshot",
            bad.to_str().unwrap(),
            "--dataset",
            "x",
        ],
    );
    assert!(err.contains("recursion limit"), "{err}");
    let lines = tmp.path().join("bad.ndjson");
    std::fs::write(&lines, "{\"a\": 1}\n{\"a\": \n").unwrap();
    let err = run_err(
        db,
        &[
            "collect",
            "snapshot",
            lines.to_str().unwrap(),
            "--dataset",
            "x",
        ],
    );
    assert!(err.contains("bad.ndjson line 2"), "{err}");
    let err = run_err(
        db,
        &[
            "collect",
            "snapshot",
            second.to_str().unwrap(),
            "--dataset",
            "../etc",
        ],
    );
    assert!(err.contains("a dataset name is lowercase"), "{err}");
    let err = run_err(db, &["collect", "snapshot", "/dev/zero", "--dataset", "x"]);
    assert!(
        err.contains("not a regular file") || err.contains("snapshot"),
        "{err}"
    );
    assert_eq!(run_json(db, &["program", "show", "--json"]), version);
}

#[test]
fn monitoring_runs_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    flow(&dir.path().join("p.db").display().to_string());
}

#[test]
fn monitoring_runs_on_postgres() {
    with_postgres("monitor", flow);
}
