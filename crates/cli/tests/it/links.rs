//! Link review end to end: proposals wait, only accepted links count, a proposal never
//! replaces a manual link, inferred links are accepted one by one, and unlinking works.

use serde_json::Value;

use super::program::{export_sheet, run_err, run_json, run_ok};

/// A program with two operating controls serving SOC 2, with current evidence, and one
/// manual partial link to ISO/IEC 27001 A.5.15 made before ISO/IEC 27001 is added.
fn program(db: &str) {
    run_ok(db, &["init", "--organization", "Acme"]);
    run_ok(db, &["program", "add", "soc2"]);
    for (id, title, req) in [
        ("IAM-1", "SSO with MFA", "soc2:CC6.1"),
        ("RSK-1", "Risk assessment", "soc2:CC3.2"),
    ] {
        run_ok(
            db,
            &[
                "control",
                "add",
                id,
                "--title",
                title,
                "--status",
                "operating",
                "--frequency",
                "yearly",
            ],
        );
        run_ok(db, &["control", "link", id, req]);
        run_ok(
            db,
            &[
                "evidence",
                "add",
                "--title",
                &format!("{id} record"),
                "--url",
                "https://evidence.example/x",
                "--control",
                id,
            ],
        );
    }
    run_ok(
        db,
        &["control", "link", "IAM-1", "iso27001:A.5.15", "--partial"],
    );
}

fn links(db: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["links", "list", "--json"];
    all.extend_from_slice(args);
    run_json(db, &all).as_array().unwrap().clone()
}

fn iso_status(db: &str) -> Value {
    run_json(db, &["assess", "status", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["framework"] == "iso27001-2022")
        .unwrap()
        .clone()
}

/// The SoA row of `requirement`: its implementing-controls cell.
fn soa_controls(db: &str, dir: &std::path::Path, requirement: &str) -> String {
    let rows = export_sheet(db, dir, "soa", "iso27001", "Statement of Applicability");
    let col = rows[0]
        .iter()
        .position(|h| h.to_lowercase().starts_with("implementing controls"))
        .unwrap();
    rows.iter()
        .find(|r| r[0] == requirement)
        .unwrap_or_else(|| panic!("no SoA row {requirement}"))[col]
        .clone()
}

#[test]
fn proposals_wait_for_review_and_only_accepted_links_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    program(&db);
    let before = iso_status_or_none(&db);
    assert!(before.is_none(), "iso27001 is not in scope yet");
    let said = run_ok(&db, &["program", "add", "iso27001"]);
    assert!(said.contains("waiting for review"), "{said}");

    // Every crosswalk link is proposed, with the JSON shape of the contract.
    let all = links(&db, &["--framework", "iso27001"]);
    assert!(all.len() > 5, "{all:?}");
    for l in &all {
        for key in [
            "id",
            "control",
            "framework",
            "requirement",
            "coverage",
            "origin",
            "state",
            "path",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
        assert!(l["id"].as_str().unwrap().starts_with("L-"), "{l}");
        if l["origin"] == "manual" {
            assert_eq!(l["state"], "accepted");
            assert!(l["path"].as_array().unwrap().is_empty());
        } else {
            assert_eq!(l["state"], "proposed", "{l}");
            let path = l["path"].as_array().unwrap();
            assert!(path.len() >= 2, "{l}");
            assert_eq!(
                path.last().unwrap().as_str().unwrap(),
                format!("iso27001-2022:{}", l["requirement"].as_str().unwrap())
            );
        }
    }
    // The crosswalk maps SOC 2 CC6.1 to A.5.15 too, but the manual link stays as made.
    let a515: Vec<&Value> = all
        .iter()
        .filter(|l| l["requirement"] == "A.5.15" && l["control"] == "IAM-1")
        .collect();
    assert_eq!(a515.len(), 1);
    assert_eq!(
        (&a515[0]["origin"], &a515[0]["coverage"]),
        (&Value::from("manual"), &Value::from("partial"))
    );

    // Only the manual link counts so far.
    let st = iso_status(&db);
    assert_eq!(
        (st["compliant"].as_u64(), st["partial"].as_u64()),
        (Some(0), Some(1))
    );

    // An inferred proposal to an Annex A control: not in the SoA until accepted.
    let inferred = all
        .iter()
        .find(|l| l["origin"] == "inferred" && l["requirement"].as_str().unwrap().starts_with("A."))
        .expect("an inferred Annex A proposal")
        .clone();
    let (req, control, id) = (
        inferred["requirement"].as_str().unwrap(),
        inferred["control"].as_str().unwrap(),
        inferred["id"].as_str().unwrap(),
    );
    assert!(
        inferred["path"].as_array().unwrap().len() >= 3,
        "{inferred}"
    );
    assert!(!soa_controls(&db, dir.path(), req).contains(control));

    // Inferred links are never accepted in bulk; nothing changes.
    let err = run_err(&db, &["links", "accept", "--origin", "inferred"]);
    assert!(err.contains("one by one"), "{err}");
    assert_eq!(iso_status(&db), st);

    // Accepting the direct proposals in one step leaves the inferred ones proposed.
    let direct = all
        .iter()
        .filter(|l| l["origin"] == "curated" || l["origin"] == "official")
        .count();
    let inferred_n = all.iter().filter(|l| l["origin"] == "inferred").count();
    let done = run_json(
        &db,
        &["links", "accept", "--framework", "iso27001", "--json"],
    );
    assert_eq!(done["changed"].as_array().unwrap().len(), direct);
    assert_eq!(done["left_proposed"].as_u64(), Some(inferred_n as u64));
    assert_eq!(
        links(&db, &["--framework", "iso27001", "--state", "proposed"]).len(),
        inferred_n
    );
    let accepted = links(&db, &["--state", "accepted", "--origin", "curated"]);
    assert_eq!(accepted.len(), direct);
    assert!(
        accepted
            .iter()
            .all(|l| !l["reviewer"].is_null() && l["reviewed_on"].as_str().unwrap().len() == 10)
    );
    let after = iso_status(&db);
    assert!(
        after["partial"].as_u64().unwrap() + after["compliant"].as_u64().unwrap() > 1,
        "{after}"
    );
    assert!(!soa_controls(&db, dir.path(), req).contains(control));

    // Accepted by id, the inferred link counts and shows in the SoA.
    run_ok(&db, &["links", "accept", id]);
    assert!(soa_controls(&db, dir.path(), req).contains(control));

    // Rejecting takes a link out of the results; unknown ids change nothing.
    let err = run_err(&db, &["links", "reject", id, "L-999999"]);
    assert!(err.contains("no link L-999999"), "{err}");
    assert!(soa_controls(&db, dir.path(), req).contains(control));
    run_ok(&db, &["links", "reject", id]);
    assert!(!soa_controls(&db, dir.path(), req).contains(control));
    let err = run_err(&db, &["links", "accept", id, "--origin", "curated"]);
    assert!(err.contains("outside"), "{err}");
    let err = run_err(&db, &["links", "reject"]);
    assert!(err.contains("needs a --framework"), "{err}");

    // control show lists every link with its state, and the evidence.
    let shown = run_json(&db, &["control", "show", control, "--json"]);
    let mine = shown["links"].as_array().unwrap();
    assert!(
        mine.iter()
            .any(|l| l["id"] == id && l["state"] == "rejected")
    );
    assert_eq!(shown["evidence"][0]["current"], true);
    let text = run_ok(&db, &["control", "show", control]);
    assert!(text.contains(id) && text.contains("rejected"), "{text}");

    // Unlinking removes the manual link; doing it twice is an error.
    let said = run_ok(&db, &["control", "unlink", "IAM-1", "iso27001:A.5.15"]);
    assert!(said.contains("manual accepted"), "{said}");
    let err = run_err(&db, &["control", "unlink", "IAM-1", "iso27001:A.5.15"]);
    assert!(err.contains("not linked"), "{err}");
    assert!(
        links(&db, &["--control", "IAM-1"])
            .iter()
            .all(|l| l["requirement"] != "A.5.15")
    );
}

fn iso_status_or_none(db: &str) -> Option<Value> {
    run_json(db, &["assess", "status", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["framework"] == "iso27001-2022")
        .cloned()
}

#[test]
fn accept_direct_accepts_official_and_curated_proposals_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    program(&db);
    let added = run_json(
        &db,
        &["program", "add", "iso27001", "--accept", "direct", "--json"],
    );
    let all = links(&db, &["--framework", "iso27001"]);
    for l in &all {
        let expected = match l["origin"].as_str().unwrap() {
            "manual" | "official" | "curated" => "accepted",
            _ => "proposed",
        };
        assert_eq!(l["state"], expected, "{l}");
    }
    assert_eq!(
        added["accepted"].as_u64().unwrap() as usize,
        all.iter()
            .filter(|l| l["origin"] == "curated" || l["origin"] == "official")
            .count()
    );
    let err = run_err(&db, &["program", "add", "nist-csf", "--accept", "all"]);
    assert!(err.contains("direct"), "{err}");
    let err = run_err(&db, &["links", "list", "--state", "maybe"]);
    assert!(err.contains("proposed, accepted, rejected"), "{err}");
}
