//! The risk register end to end, on SQLite and PostgreSQL: matrices imported from CISO
//! Assistant, risks checked as they are added, treatments judged against the controls'
//! evidence, the SoA citing the risks, the register exported.

use super::program::{export_sheet, oscal_validator, run_err, run_json, run_ok};
use super::with_postgres;

/// A program with one operating control, linked to ISO/IEC 27001 A.5.15, and evidence
/// that went stale yesterday.
fn program(db: &str) {
    run_ok(db, &["init", "--organization", "Acme"]);
    run_ok(db, &["program", "add", "iso27001"]);
    run_ok(
        db,
        &[
            "control",
            "add",
            "IAM-1",
            "--title",
            "SSO with MFA",
            "--status",
            "operating",
            "--owner",
            "IT",
        ],
    );
    run_ok(db, &["control", "link", "IAM-1", "iso27001:A.5.15"]);
    run_ok(
        db,
        &[
            "evidence",
            "add",
            "--title",
            "Old review",
            "--url",
            "https://e.example/1",
            "--control",
            "IAM-1",
            "--collected",
            "2020-01-01",
            "--valid-until",
            "2020-12-31",
        ],
    );
}

fn flow(db: &str) {
    program(db);
    let version = |db: &str| run_json(db, &["program", "show", "--json"])["risks"].clone();

    // Checked as added: nothing changes on a refusal.
    let err = run_err(
        db,
        &[
            "risk",
            "add",
            "--title",
            "Key person leaves",
            "--likelihood",
            "3",
            "--impact",
            "3",
            "--treatment",
            "retain",
        ],
    );
    assert!(
        err.contains("needs its owner's recorded acceptance"),
        "{err}"
    );
    let err = run_err(
        db,
        &[
            "risk",
            "add",
            "--title",
            "X",
            "--likelihood",
            "3",
            "--impact",
            "3",
        ],
    );
    assert!(err.contains("names the controls that treat it"), "{err}");
    let err = run_err(
        db,
        &[
            "risk",
            "add",
            "--title",
            "X",
            "--likelihood",
            "9",
            "--impact",
            "3",
            "--control",
            "IAM-1",
        ],
    );
    assert!(err.contains("likelihood `9`: use 1–5"), "{err}");
    let err = run_err(
        db,
        &[
            "risk",
            "add",
            "--title",
            "X",
            "--likelihood",
            "2",
            "--impact",
            "3",
            "--control",
            "NOPE",
        ],
    );
    assert!(err.contains("no control `NOPE`"), "{err}");
    assert_eq!(version(db), serde_json::json!([]), "nothing was changed");

    // A retained risk with its acceptance; a modified one through the control.
    let kept = run_json(
        db,
        &[
            "risk",
            "add",
            "--title",
            "Key person leaves",
            "--likelihood",
            "possible",
            "--impact",
            "moderate",
            "--treatment",
            "retain",
            "--accepted-by",
            "CEO",
            "--accepted-until",
            "2099-01-01",
            "--owner",
            "CTO",
            "--json",
        ],
    );
    assert_eq!(kept["id"], "R-1");
    assert_eq!(kept["effectiveness"]["state"], "effective");
    let treated = run_json(
        db,
        &[
            "risk",
            "add",
            "--title",
            "Account takeover",
            "--likelihood",
            "4",
            "--impact",
            "4",
            "--control",
            "IAM-1",
            "--current",
            "2,4",
            "--target",
            "1,4",
            "--owner",
            "CISO",
            "--action",
            "Roll out hardware keys|IT|2027-03-31",
            "--json",
        ],
    );
    // The control's only evidence is stale: the treatment does not work.
    assert_eq!(
        treated["effectiveness"]["state"], "not-effective",
        "{treated}"
    );
    assert!(
        treated["effectiveness"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("IAM-1 has no current evidence")
    );
    run_ok(
        db,
        &[
            "evidence",
            "add",
            "--title",
            "Fresh review",
            "--url",
            "https://e.example/2",
            "--control",
            "IAM-1",
        ],
    );
    let now = run_json(db, &["risk", "show", "R-2", "--json"]);
    assert_eq!(now["effectiveness"]["state"], "effective");

    // The register's JSON shape.
    let list = run_json(db, &["risk", "list", "--json"]);
    let r = &list[1];
    for key in [
        "id",
        "title",
        "owner",
        "likelihood",
        "impact",
        "level",
        "treatment",
        "controls",
        "residual",
    ] {
        assert!(r.get(key).is_some(), "{key} missing in {r}");
    }
    assert_eq!(
        (
            r["likelihood"].as_u64(),
            r["impact"].as_u64(),
            r["level"].as_str(),
            r["residual"].as_str()
        ),
        (Some(4), Some(4), Some("High"), Some("Medium"))
    );
    assert_eq!(r["controls"], serde_json::json!(["IAM-1"]));

    // An update records a new version; the SoA cites the risk for A.5.15.
    run_ok(
        db,
        &[
            "risk",
            "update",
            "R-2",
            "--title",
            "Account takeover by phishing",
        ],
    );
    let shown = run_json(db, &["risk", "show", "R-2", "--json"]);
    let titles: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Account takeover", "Account takeover by phishing"]);
    let control = run_json(db, &["control", "show", "IAM-1", "--json"]);
    assert_eq!(
        control["risks"],
        serde_json::json!(["R-2 Account takeover by phishing"])
    );
    let dir = tempfile::tempdir().unwrap();
    let soa = export_sheet(
        db,
        dir.path(),
        "soa",
        "iso27001",
        "Statement of Applicability",
    );
    let row = soa.iter().find(|r| r[0] == "A.5.15").unwrap();
    assert_eq!(row[3], "Risk treatment (R-2 Account takeover by phishing)");
    let row = soa.iter().find(|r| r[0] == "A.5.1").unwrap();
    assert!(
        row[3].starts_with("Review: no risk, law, contract"),
        "{row:?}"
    );

    // The register exported.
    let out = dir.path().join("risks.xlsx");
    run_ok(db, &["export", "risks", "-o", out.to_str().unwrap()]);
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&out).unwrap();
    let rows: Vec<Vec<String>> = wb
        .worksheet_range("Risk register")
        .unwrap()
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][1], "Account takeover by phishing");
    let plan = wb.worksheet_range("Treatment plan").unwrap();
    assert_eq!(plan.rows().count(), 2);

    // A matrix that the ratings do not fit is refused.
    let Some(shared) = crosswalk_testkit::shared_data("risk flow") else {
        return;
    };
    let three = shared.join("realworld/ciso-assistant/risk-matrices/critical_risk_matrix_3x3.yaml");
    let err = run_err(
        db,
        &[
            "risk",
            "matrix",
            "import",
            "ciso-assistant",
            three.to_str().unwrap(),
        ],
    );
    assert!(
        err.contains("R-2 is rated off the new 3 × 3 matrix"),
        "{err}"
    );
}

#[test]
fn the_risk_register_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    flow(&dir.path().join("p.db").display().to_string());
}

#[test]
fn the_risk_register_on_postgres() {
    with_postgres("risk_register", flow);
}

#[test]
fn every_ciso_assistant_matrix_imports_and_rates() {
    let Some(shared) = crosswalk_testkit::shared_data("every_ciso_assistant_matrix_imports") else {
        return;
    };
    let dir = shared.join("realworld/ciso-assistant/risk-matrices");
    for (file, l, i, r) in [
        ("critical_risk_matrix_3x3.yaml", 3, 3, 3),
        ("critical_risk_matrix_5x5.yaml", 5, 5, 5),
        ("risk-matrix-4x4-ebios-rm.yaml", 4, 4, 3),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("p.db").display().to_string();
        run_ok(&db, &["init", "--organization", "Acme"]);
        let path = dir.join(file);
        let m = run_json(
            &db,
            &[
                "risk",
                "matrix",
                "import",
                "ciso-assistant",
                path.to_str().unwrap(),
                "--json",
            ],
        );
        assert_eq!(
            (
                &m["likelihood_levels"],
                &m["impact_levels"],
                &m["risk_levels"]
            ),
            (&l.into(), &i.into(), &r.into()),
            "{file}: {m}"
        );
        assert!(!m["id"].as_str().unwrap().is_empty());
        assert_eq!(run_json(&db, &["risk", "matrix", "show", "--json"]), m);
        // The top cell of the grid rates a risk at the matrix's own level.
        let top = m["grid"][l - 1][i - 1].as_str().unwrap().to_owned();
        let added = run_json(
            &db,
            &[
                "risk",
                "add",
                "--title",
                "Worst case",
                "--likelihood",
                &l.to_string(),
                "--impact",
                &i.to_string(),
                "--treatment",
                "share",
                "--json",
            ],
        );
        assert_eq!(added["level"], top, "{file}");
    }
}

#[test]
fn the_treatment_plan_is_a_valid_oscal_poam() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").display().to_string();
    run_ok(&db, &["demo"]);
    // The management system's dates join the certification calendar.
    let plans = run_json(&db, &["plan", "--json"]);
    let iso = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["framework"] == "iso27001-2022")
        .unwrap();
    let events: Vec<&str> = iso["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        events.iter().any(|e| e.starts_with("Internal audit due")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("Management review due")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("NC-1 corrected and checked")),
        "{events:?}"
    );
    let soc2 = &plans[0]["calendar"];
    assert!(
        !soc2.to_string().contains("Internal audit due"),
        "SOC 2 has no ISMS cycle"
    );
    let out = dir.path().join("poam.json");
    let said = run_ok(&db, &["export", "poam", "-o", out.to_str().unwrap()]);
    assert!(said.contains("22 risks"), "{said}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let body = &doc["plan-of-action-and-milestones"];
    let risks = body["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 22);
    // The misclassification risk: its control is in progress, so it is still open work
    // with its action as a dated milestone.
    let r12 = risks
        .iter()
        .find(|r| r["props"][0]["value"] == "R-12")
        .unwrap();
    assert_eq!(r12["status"], "remediating");
    assert!(
        r12["statement"]
            .as_str()
            .unwrap()
            .contains("CON-01 is in-progress")
    );
    assert!(
        r12["remediations"][0]["tasks"][0]["timing"]["on-date"]["date"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00Z")
    );
    let retained = risks
        .iter()
        .find(|r| r["props"][0]["value"] == "R-18")
        .unwrap();
    assert_eq!(retained["status"], "deviation-approved");
    let items = body["poam-items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["props"][0]["value"] == "R-12"));
    assert!(!items.iter().any(|i| i["props"][0]["value"] == "R-18"));
    if let Some(v) = oscal_validator("the_treatment_plan_is_a_valid_oscal_poam", "poam") {
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        // The validator does catch a broken document.
        let mut broken = doc.clone();
        broken["plan-of-action-and-milestones"]["risks"][0]
            .as_object_mut()
            .unwrap()
            .remove("statement");
        assert!(!v.is_valid(&broken));
    }
}

#[test]
fn a_risk_register_imports_all_or_nothing_with_row_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db").display().to_string();
    program(&db);
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Risk ID,Risk,Likelihood,Impact,Treatment,Controls,Risk owner,Notes\r\n\
         R-10,Account takeover,likely,major,modify,IAM-1,CISO,x\r\n\
         R-10,Same id again,2,2,share,,CFO,\r\n\
         R-11,Off the matrix,7,2,share,,CFO,\r\n\
         R-12,Retained without acceptance,2,2,retain,,CTO,\r\n\
         R-13,Unknown treatment,2,2,ignore,,CTO,\r\n\
         R-14,Unknown control,2,2,modify,NOPE,CTO,\r\n",
    )
    .unwrap();
    let err = run_err(&db, &["risk", "import", bad.to_str().unwrap()]);
    for want in [
        "row 3: risk `R-10` is also on row 2",
        "row 4: inherent likelihood `7`",
        "row 5: a retained risk needs its owner's recorded acceptance",
        "row 6: treatment `ignore`",
        "row 7: no control `NOPE`",
        "nothing was imported",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert_eq!(
        run_json(&db, &["risk", "list", "--json"]),
        serde_json::json!([])
    );

    // An XLSX register: read by header, unknown columns said, ids generated where blank.
    let good = dir.path().join("register.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        [
            "Title",
            "Probability",
            "Severity",
            "Strategy",
            "Controls",
            "Accepted by",
            "Accepted until",
            "Colour",
        ],
        [
            "Account takeover",
            "4",
            "4",
            "Mitigate",
            "IAM-1",
            "",
            "",
            "red",
        ],
        [
            "Office flood",
            "rare",
            "minor",
            "Accept",
            "",
            "COO",
            "2027-12-31",
            "green",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), *v)
                .unwrap();
        }
    }
    wb.save(&good).unwrap();
    let said = run_ok(&db, &["risk", "import", good.to_str().unwrap()]);
    assert!(said.contains("imported 2 risks"), "{said}");
    assert!(said.contains("`Probability` → likelihood"), "{said}");
    assert!(
        said.contains("columns not read (no such field): Colour"),
        "{said}"
    );
    let list = run_json(&db, &["risk", "list", "--json"]);
    assert_eq!(list[0]["id"], "R-1");
    assert_eq!(list[1]["treatment"], "retain");
    assert_eq!(list[1]["acceptance"]["by"], "COO");
    assert_eq!(list[1]["acceptance"]["until"], "2027-12-31");
}
