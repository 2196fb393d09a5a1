//! The Statement of Applicability as an auditor takes it: every annex control with the
//! columns ISO/IEC 27001 6.1.3 d) asks for, implementing controls from accepted links
//! only, under a document-control header with version, approval and change history; as
//! XLSX and PDF.

use std::collections::BTreeSet;

use super::program::{export_sheet, run_err, run_json, run_ok};

const COLUMNS: [&str; 9] = [
    "control",
    "title",
    "applicable",
    "justification for inclusion",
    "justification for exclusion",
    "implementation status",
    "implementing controls",
    "evidence",
    "owner",
];

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks one SoA sheet's shape and returns its rows without the header.
fn check_sheet(rows: &[Vec<String>], controls: usize, what: &str) -> Vec<Vec<String>> {
    let headers: Vec<String> = rows[0].iter().map(|h| h.to_lowercase()).collect();
    assert_eq!(&headers[..COLUMNS.len()], COLUMNS, "{what}");
    let body = rows[1..].to_vec();
    assert_eq!(body.len(), controls, "{what}: one row per annex control");
    for r in &body {
        match r[2].as_str() {
            "Yes" => {
                assert!(!r[3].is_empty() && r[4].is_empty(), "{what}: {r:?}");
            }
            "No" => {
                assert!(r[3].is_empty() && !r[4].is_empty(), "{what}: {r:?}");
                assert_eq!(r[5], "Not applicable", "{what}: {r:?}");
            }
            other => panic!("{what}: applicable `{other}`"),
        }
        assert!(
            [
                "Implemented",
                "Partially implemented",
                "Planned for ",
                "Not implemented",
                "Not applicable"
            ]
            .iter()
            .any(|s| r[5].starts_with(s)),
            "{what}: status `{}`",
            r[5]
        );
    }
    body
}

#[test]
fn the_soa_is_a_controlled_document_for_every_annex() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").display().to_string();
    run_ok(&db, &["demo"]);
    run_ok(&db, &["program", "add", "iso42001"]);

    let rows = export_sheet(
        &db,
        dir.path(),
        "soa",
        "iso27001",
        "Statement of Applicability",
    );
    let body = check_sheet(&rows, 93, "iso27001-2022");
    let row = |id: &str| body.iter().find(|r| r[0] == id).unwrap().clone();
    let excluded = row("A.8.30");
    assert_eq!(excluded[2], "No");
    assert!(
        excluded[4].contains("no outsourced development"),
        "{excluded:?}"
    );
    // Inclusion cites the risks the implementing controls treat, then recorded reasons.
    let included = row("A.5.15");
    assert!(
        included[3].starts_with(
            "Risk treatment (R-1 Account takeover of staff SaaS and cloud accounts; R-2 "
        ) && included[3].ends_with("; Contractual: Customer contracts require SSO and MFA."),
        "{included:?}"
    );
    let risks = run_json(&db, &["risk", "list", "--json"]);
    assert!(risks.as_array().unwrap().len() >= 20, "the demo's register");
    assert!(
        risks
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["effectiveness"]["state"] == "not-effective"),
        "the demo shows a treatment that does not work"
    );
    // A planned requirement shows its date: "Planned for …" while nothing covers it yet,
    // "Partially implemented; complete by …" once a control covers it in part.
    assert!(
        row("A.5.7")[5].starts_with("Planned for 20") || row("A.5.7")[5].contains("complete by 20"),
        "{:?}",
        row("A.5.7")
    );

    // Implementing controls are exactly the accepted links.
    let accepted: BTreeSet<(String, String)> = run_json(
        &db,
        &[
            "links",
            "list",
            "--framework",
            "iso27001",
            "--state",
            "accepted",
            "--json",
        ],
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|l| {
        (
            l["requirement"].as_str().unwrap().to_owned(),
            l["control"].as_str().unwrap().to_owned(),
        )
    })
    .collect();
    let listed: BTreeSet<(String, String)> = body
        .iter()
        .filter(|r| r[2] == "Yes")
        .flat_map(|r| {
            r[6].split(", ")
                .filter(|c| !c.is_empty())
                .map(|c| (r[0].clone(), c.to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    let annex_accepted: BTreeSet<(String, String)> = accepted
        .into_iter()
        .filter(|(r, _)| r.starts_with("A.") && r != "A.8.30" && r != "A.7.5")
        .collect();
    assert_eq!(listed, annex_accepted);
    assert!(
        !row("A.5.9")[6].contains("IAM-01"),
        "a rejected link is not listed"
    );

    // The document control and change history sheets.
    let control = export_sheet(&db, dir.path(), "soa", "iso27001", "Document control");
    let field = |name: &str| {
        control
            .iter()
            .find(|r| r[0] == name)
            .map(|r| r[1].clone())
            .unwrap()
    };
    assert_eq!(field("Document id"), "SOA-iso27001-2022");
    assert_eq!(field("Version"), "1.0");
    assert_eq!(field("Approved by"), "CEO");
    assert_eq!(field("Approved on").len(), 10);
    let history = export_sheet(&db, dir.path(), "soa", "iso27001", "Change history");
    assert_eq!(
        history[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str()))
            .collect::<Vec<_>>(),
        [("0.9", "draft"), ("1.0", "approved")]
    );

    // ISO/IEC 27701:2025 Annex A, as the demo runs it: 78 controls, the privacy control's
    // manual links listed.
    let rows = export_sheet(
        &db,
        dir.path(),
        "soa",
        "iso27701",
        "Statement of Applicability",
    );
    let body = check_sheet(&rows, 78, "iso27701-2025");
    assert_eq!(body[0][0], "A.1.2.2");
    assert_eq!(body[77][0], "A.3.31");
    let notice = body.iter().find(|r| r[0] == "A.1.3.4").unwrap();
    assert!(notice[6].contains("PRV-01"), "{notice:?}");
    assert_eq!(notice[5], "Not implemented", "PRV-01 has not started");

    // ISO/IEC 42001 Annex A: 38 controls; no document recorded yet, and it says so.
    let rows = export_sheet(
        &db,
        dir.path(),
        "soa",
        "iso42001",
        "Statement of Applicability",
    );
    check_sheet(&rows, 38, "iso42001-2023");
    let control = export_sheet(&db, dir.path(), "soa", "iso42001", "Document control");
    let version = control.iter().find(|r| r[0] == "Version").unwrap();
    assert!(
        version[1].contains("crosswalk policy set SOA-iso42001-2023"),
        "{version:?}"
    );

    // The same document as PDF, read back with a text extractor.
    let pdf = dir.path().join("soa.pdf");
    run_ok(
        &db,
        &[
            "export",
            "soa",
            "--framework",
            "iso27001",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let text = squeeze(&pdf_extract::extract_text_from_mem(&bytes).unwrap());
    for s in [
        "StatementofApplicability—ISO/IEC27001:2022",
        "SOA-iso27001-2022",
        "Changehistory",
        "Justificationforexclusion",
        "Alldevelopmentisdonein-house;nooutsourceddevelopment.",
        "A.8.34",
    ] {
        assert!(text.contains(s), "{s} missing from the PDF");
    }
    let err = run_err(
        &db,
        &["export", "soa", "--framework", "iso27001", "-o", "soa.csv"],
    );
    assert!(err.contains(".xlsx or .pdf"), "{err}");
}

#[test]
fn inclusion_reasons_and_planned_dates_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    run_ok(&db, &["init", "--organization", "Acme"]);
    run_ok(&db, &["program", "add", "iso27001"]);
    run_ok(
        &db,
        &[
            "assess",
            "set",
            "iso27001:A.5.7",
            "--included-for",
            "legal,contractual",
            "--justification",
            "NIS2 and customer contracts",
            "--planned",
            "2027-03-31",
        ],
    );
    let rows = export_sheet(
        &db,
        dir.path(),
        "soa",
        "iso27001",
        "Statement of Applicability",
    );
    let r = rows.iter().find(|r| r[0] == "A.5.7").unwrap();
    assert_eq!(
        (r[3].as_str(), r[5].as_str()),
        (
            "Legal or regulatory; Contractual: NIS2 and customer contracts",
            "Planned for 2027-03-31"
        )
    );
    let err = run_err(
        &db,
        &["assess", "set", "iso27001:A.5.7", "--included-for", "whim"],
    );
    assert!(
        err.contains("risk-treatment, legal, contractual, business"),
        "{err}"
    );
    let err = run_err(
        &db,
        &[
            "assess",
            "set",
            "iso27001:A.5.7",
            "--not-applicable",
            "--justification",
            "x",
            "--planned",
            "2027-01-01",
        ],
    );
    assert!(err.contains("cannot be used with"), "{err}");
    let err = run_err(
        &db,
        &["assess", "set", "iso27001:A.5.7", "--planned", "someday"],
    );
    assert!(err.contains("--planned"), "{err}");
}

#[test]
fn iso27701_2025_lists_its_annex_a_controls_by_their_published_ids() {
    let fw = super::json(&["frameworks", "show", "iso27701-2025", "--json"]);
    let controls: Vec<&str> = fw["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["assessable"] == true && r["id"].as_str().unwrap().starts_with("A."))
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(controls.len(), 78);
    let table = |t: &str| controls.iter().filter(|c| c.starts_with(t)).count();
    assert_eq!((table("A.1."), table("A.2."), table("A.3.")), (31, 18, 29));
    for id in [
        "A.1.2.2", "A.1.5.5", "A.2.2.2", "A.2.5.9", "A.3.3", "A.3.31",
    ] {
        assert!(controls.contains(&id), "{id}");
    }
}
