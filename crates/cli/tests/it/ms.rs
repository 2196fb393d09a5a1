//! Management-system records end to end: audits and findings, nonconformities capping the
//! results of what they cite until a check finds the correction effective, reviews.

use super::program::{result_of, run_err, run_json, run_ok};

#[test]
fn nonconformities_cap_results_until_corrected() {
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
            "VUL-1",
            "--title",
            "Patching",
            "--status",
            "operating",
            "--frequency",
            "monthly",
        ],
    );
    run_ok(db, &["control", "link", "VUL-1", "iso27001:A.8.8"]);
    run_ok(
        db,
        &[
            "evidence",
            "add",
            "--title",
            "Scan",
            "--url",
            "https://e.example/s",
            "--control",
            "VUL-1",
        ],
    );
    assert_eq!(result_of(db, "A.8.8"), "compliant");

    let said = run_ok(
        db,
        &[
            "ms",
            "audit",
            "--title",
            "ISMS internal audit",
            "--scope",
            "Whole ISMS",
            "--criteria",
            "ISO/IEC 27001:2022",
            "--auditor",
            "A. Auditor",
            "--planned",
            "2026-11-01",
        ],
    );
    assert_eq!(said.trim(), "recorded internal audit IA-1");
    let said = run_ok(
        db,
        &[
            "ms",
            "finding",
            "IA-1",
            "--grade",
            "minor-nonconformity",
            "--description",
            "Two servers missed the 30-day patch deadline",
            "--requirement",
            "iso27001:A.8.8",
            "--control",
            "VUL-1",
        ],
    );
    assert!(said.contains("raised NC-1"), "{said}");
    run_ok(
        db,
        &[
            "ms",
            "finding",
            "IA-1",
            "--grade",
            "observation",
            "--description",
            "No threat feed yet",
        ],
    );
    // A minor nonconformity caps the requirement at partially compliant.
    assert_eq!(result_of(db, "A.8.8"), "partially-compliant");
    // A major one elsewhere makes its requirement non-compliant.
    run_ok(
        db,
        &[
            "ms",
            "nc",
            "--grade",
            "major-nonconformity",
            "--description",
            "No internal audit programme",
            "--requirement",
            "iso27001:9.2.2",
        ],
    );
    assert_eq!(result_of(db, "9.2.2"), "non-compliant");

    // Closing needs a root cause; a check that finds the fix ineffective keeps it open.
    let err = run_err(
        db,
        &["ms", "check", "NC-1", "--by", "Compliance", "--effective"],
    );
    assert!(err.contains("no root cause"), "{err}");
    run_ok(
        db,
        &[
            "ms",
            "correct",
            "NC-1",
            "--root-cause",
            "Legacy servers had no owner",
            "--action",
            "Assign owners|Platform|2026-12-31",
        ],
    );
    run_ok(
        db,
        &[
            "ms",
            "check",
            "NC-1",
            "--by",
            "Compliance",
            "--not-effective",
        ],
    );
    assert_eq!(result_of(db, "A.8.8"), "partially-compliant");
    let said = run_ok(
        db,
        &[
            "ms",
            "check",
            "NC-1",
            "--by",
            "Compliance",
            "--effective",
            "--note",
            "Rescan clean",
        ],
    );
    assert!(said.contains("NC-1 closed"), "{said}");
    assert_eq!(result_of(db, "A.8.8"), "compliant");

    // Reviews: inputs by the clause 9.3.2 keys, the missing ones said.
    let err = run_err(
        db,
        &[
            "ms",
            "review",
            "--held-on",
            "2026-11-20",
            "--input",
            "mood=good",
        ],
    );
    assert!(err.contains("previous-actions"), "{err}");
    run_ok(
        db,
        &[
            "ms",
            "review",
            "--held-on",
            "2026-11-20",
            "--attendee",
            "CEO",
            "--input",
            "performance=Audit found one minor NC",
            "--decision",
            "Fund a threat feed",
        ],
    );
    let all = run_json(db, &["ms", "list", "--json"]);
    assert_eq!(all["audits"][0]["findings"].as_array().unwrap().len(), 2);
    assert_eq!(all["audits"][0]["findings"][0]["nonconformity"], "NC-1");
    assert_eq!(all["nonconformities"][0]["open"], false);
    assert_eq!(all["nonconformities"][1]["open"], true);
    assert_eq!(
        all["reviews"][0]["missing_inputs"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let text = run_ok(db, &["ms", "list"]);
    assert!(
        text.contains("NC-2 [major-nonconformity] No internal audit programme — OPEN"),
        "{text}"
    );
    let err = run_err(
        db,
        &[
            "ms",
            "finding",
            "IA-9",
            "--grade",
            "observation",
            "--description",
            "x",
        ],
    );
    assert!(err.contains("no internal audit `IA-9`"), "{err}");
}

#[test]
fn impact_assessments_follow_their_templates_and_cite_risks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    let db = db.as_str();
    run_ok(db, &["init", "--organization", "Acme"]);
    run_ok(
        db,
        &[
            "risk",
            "add",
            "--title",
            "Profiling surprises users",
            "--likelihood",
            "3",
            "--impact",
            "3",
            "--treatment",
            "share",
        ],
    );
    let said = run_ok(
        db,
        &[
            "ms",
            "processing",
            "--name",
            "Product analytics",
            "--purposes",
            "Improve the product",
            "--retention",
            "13 months",
        ],
    );
    assert_eq!(said.trim(), "recorded processing activity ROPA-1");
    // A DPIA assesses a processing activity that exists.
    let err = run_err(
        db,
        &["ms", "impact", "--kind", "dpia", "--subject", "ROPA-9"],
    );
    assert!(
        err.contains("a DPIA assesses a processing activity"),
        "{err}"
    );
    let err = run_err(
        db,
        &[
            "ms",
            "impact",
            "--kind",
            "dpia",
            "--subject",
            "ROPA-1",
            "--answer",
            "mood=fine",
        ],
    );
    assert!(
        err.contains("the dpia template asks description, necessity"),
        "{err}"
    );
    let err = run_err(
        db,
        &[
            "ms",
            "impact",
            "--kind",
            "dpia",
            "--subject",
            "ROPA-1",
            "--finding",
            "Profiling|R-9",
        ],
    );
    assert!(
        err.contains("risk `R-9`, which is not in the register"),
        "{err}"
    );
    run_ok(
        db,
        &[
            "ms",
            "impact",
            "--kind",
            "dpia",
            "--subject",
            "ROPA-1",
            "--answer",
            "description=Usage events scored for churn",
            "--finding",
            "Users may not expect profiling|R-1",
            "--approved-by",
            "DPO",
        ],
    );
    run_ok(
        db,
        &[
            "ms",
            "impact",
            "--kind",
            "ai-system",
            "--subject",
            "Churn model",
            "--answer",
            "purpose=Predict churn",
        ],
    );
    let all = run_json(db, &["ms", "list", "--json"]);
    let dpia = &all["impact_assessments"][0];
    assert_eq!(
        (dpia["id"].as_str(), dpia["kind"].as_str()),
        (Some("IMP-1"), Some("dpia"))
    );
    assert_eq!(dpia["findings"][0]["risks"], serde_json::json!(["R-1"]));
    assert_eq!(dpia["unanswered"].as_array().unwrap().len(), 7);
    assert_eq!(
        all["impact_assessments"][1]["unanswered"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
    assert_eq!(all["processing"][0]["dpias"], serde_json::json!(["IMP-1"]));
    assert!(
        all["processing"][0]["missing"]
            .as_array()
            .unwrap()
            .contains(&"security".into())
    );
    let questions = run_json(db, &["ms", "template", "ai-system", "--json"]);
    assert_eq!(questions.as_array().unwrap().len(), 10);
}
