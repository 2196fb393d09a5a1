//! Prowler's compliance catalogues converted by `mappings import` into a checks framework
//! and mapping sets, checked against the catalogues read independently, and used to
//! propose links for Prowler's results.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde_json::Value;

use super::crosswalk;
use super::program::{run_json, run_ok};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = crosswalk(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> String {
    let (success, stdout, stderr) = run(args);
    assert!(success, "{args:?}: {stderr}");
    stdout
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

fn import(catalogue: &Path, dir: &Path, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec![
        "mappings",
        "import",
        catalogue.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// `A-01(02)` → `A-1(2)`, as ids are matched.
fn unpadded(id: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in id.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            let t = digits.trim_start_matches('0');
            out.push_str(if t.is_empty() { "0" } else { t });
            digits.clear();
        }
        out.push(c);
    }
    out.pop();
    out
}

/// Our id for a catalogue requirement, if any.
type Ours<'a> = Box<dyn Fn(&Value) -> Option<String> + 'a>;

/// The catalogue's distinct checks and (check, requirement) pairs whose requirement is
/// in ours (`ours` of a catalogue requirement: our id, if any).
fn expected(
    catalogue: &Value,
    ours: impl Fn(&Value) -> Option<String>,
) -> (BTreeSet<String>, HashSet<(String, String)>) {
    let mut checks = BTreeSet::new();
    let mut pairs = HashSet::new();
    for r in catalogue["Requirements"].as_array().unwrap() {
        let listed: Vec<String> = r["Checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        checks.extend(listed.iter().cloned());
        if let Some(id) = ours(r) {
            pairs.extend(listed.into_iter().map(|c| (c, id.clone())));
        }
    }
    (checks, pairs)
}

/// The requirements of ours a check maps to directly.
fn targets(dir: &Path, check: &str, to: &str) -> BTreeSet<String> {
    json(&[
        "--library",
        dir.to_str().unwrap(),
        "map",
        &format!("prowler-aws-checks:{check}"),
        "--to",
        to,
        "--json",
    ])
    .as_array()
    .unwrap()
    .iter()
    .filter(|m| m["path"].as_array().is_none_or(Vec::is_empty))
    .map(|m| m["to"].as_str().unwrap().to_owned())
    .collect()
}

#[test]
fn prowler_catalogues_become_a_checks_framework_and_mapping_sets() {
    let Some(shared) = crosswalk_testkit::shared_data("prowler catalogues") else {
        return;
    };
    let aws = shared.join("realworld/prowler/prowler/compliance/aws");
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(aws.join(f)).unwrap()).unwrap()
    };
    let csf_ids: HashSet<String> =
        json(&["frameworks", "show", "nist-csf-2.0", "--json"])["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| unpadded(r["id"].as_str().unwrap()))
            .collect();
    let first_word = |r: &Value| {
        r["Name"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    // How each catalogue names requirements: ISO by Id (`A.5.1`), SOC 2 and CSF by the
    // id their Name starts with (`CC6.1 …`; `GV.OC-1`, our `GV.OC-01`). Prowler's CSF 2.0
    // catalogue also lists CSF 1.1 subcategories (`PR.AC-1`), absent from CSF 2.0.
    let cases: [(&str, &str, Ours<'_>, usize); 3] = [
        (
            "iso27001_2022_aws.json",
            "iso27001-2022",
            Box::new(|r: &Value| Some(r["Id"].as_str().unwrap().to_owned())),
            0,
        ),
        (
            "soc2_aws.json",
            "soc2-2017",
            Box::new(|r: &Value| Some(first_word(r))),
            0,
        ),
        (
            "nist_csf_2.0_aws.json",
            "nist-csf-2.0",
            Box::new(|r: &Value| {
                let id = unpadded(&first_word(r));
                csf_ids.contains(&id).then_some(id)
            }),
            30,
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let together = tmp.path().join("together");
    let mut all_checks = BTreeSet::new();
    for (file, fw, ours, unknown) in &cases {
        let catalogue = read(file);
        let (checks, pairs) = expected(&catalogue, ours);
        let dir = tmp.path().join(fw);
        let path = aws.join(file);
        if *unknown > 0 {
            // All or nothing: ids outside ours are listed with where, nothing is written.
            let (success, _, err) = import(&path, &dir, &[]);
            assert!(!success);
            assert!(
                err.contains(&format!("{unknown} problem(s), nothing converted")),
                "{err}"
            );
            assert!(
                err.contains(
                    "nist_csf_2.0_aws.json: $.Requirements[26]: `ID.AM-6` (Id `am_6`) is not a requirement of nist-csf-2.0"
                ),
                "{err}"
            );
            assert!(!dir.exists());
        }
        let skip: &[&str] = if *unknown > 0 {
            &["--skip-unknown"]
        } else {
            &[]
        };
        let (success, said, err) = import(&path, &dir, skip);
        assert!(success, "{file}: {err}");
        assert!(
            said.contains(&format!("wrote {} mappings", pairs.len())),
            "{file}: {said}"
        );
        ok(&["library", "validate", dir.to_str().unwrap()]);
        let lib = dir.to_str().unwrap();
        let shown = json(&[
            "--library",
            lib,
            "frameworks",
            "show",
            "prowler-aws-checks",
            "--json",
        ]);
        let reqs = shown["requirements"].as_array().unwrap();
        let titles: BTreeSet<String> = reqs
            .iter()
            .map(|r| r["title"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(titles, checks, "{file}: one requirement per check");
        assert_eq!(reqs.len(), checks.len());
        assert!(reqs.iter().all(|r| r["assessable"] == false));
        let sets = json(&["--library", lib, "mappings", "list", "--json"]);
        let set = sets
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == format!("prowler-aws-checks--{fw}").as_str())
            .unwrap();
        assert_eq!(set["mappings"], pairs.len(), "{file}");
        assert_eq!(
            (set["provenance"].as_str(), set["publisher"].as_str()),
            (Some("tool"), Some("Prowler"))
        );
        let (success, _, err) = import(&path, &together, skip);
        assert!(success, "{err}");
        all_checks.extend(checks);
    }
    // A few exact pairs, as `map` reads them back.
    let one = |fw: &str| tmp.path().join(fw);
    let set = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
    assert_eq!(
        targets(&one("iso27001-2022"), "accessanalyzer_enabled", "iso27001"),
        set(&["iso27001-2022:A.8.3"])
    );
    assert_eq!(
        targets(&one("soc2-2017"), "s3_bucket_public_access", "soc2"),
        set(&["soc2-2017:CC6.1"])
    );
    // `cc_a_1_1` is named `A1.2 …` and carries A1.2's text: the Name wins.
    assert_eq!(
        targets(
            &one("soc2-2017"),
            "appsync_field_level_logging_enabled",
            "soc2"
        ),
        set(&["soc2-2017:A1.2"])
    );
    // GV.PO-3/4 and PR.AC-1/6 are not CSF 2.0 ids: left out.
    assert_eq!(
        targets(
            &one("nist-csf-2.0"),
            "accessanalyzer_enabled",
            "nist-csf-2.0"
        ),
        set(&["nist-csf-2.0:GV.OV-02", "nist-csf-2.0:GV.OV-03"])
    );
    // Three catalogues into one directory: one checks framework holding all their checks.
    ok(&["library", "validate", together.to_str().unwrap()]);
    let shown = json(&[
        "--library",
        together.to_str().unwrap(),
        "frameworks",
        "show",
        "prowler-aws-checks",
        "--json",
    ]);
    assert_eq!(
        shown["requirements"].as_array().unwrap().len(),
        all_checks.len()
    );
    assert_eq!(
        std::fs::read_dir(&together).unwrap().count(),
        4,
        "the framework and three mapping sets"
    );

    // A framework the library does not hold is refused, naming it; nothing is written.
    let dir = tmp.path().join("fedramp");
    let (success, _, err) = import(&aws.join("fedramp_20x_ksi_low_aws.json"), &dir, &[]);
    assert!(!success);
    assert!(
        err.contains("the catalogue is for FedRAMP-20x-KSI-Low 25.05C")
            && err.contains("not in the library"),
        "{err}"
    );
    assert!(!dir.exists());
}

#[test]
fn a_bad_catalogue_is_refused_with_where() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.json");
    let dir = tmp.path().join("out");
    std::fs::write(&file, r#"{"Framework": "SOC2", "Provider": "AWS"}"#).unwrap();
    let (success, _, err) = import(&file, &dir, &[]);
    assert!(!success);
    assert!(
        err.contains("bad.json:1:") && err.contains("missing field `Requirements`"),
        "{err}"
    );
    std::fs::write(
        &file,
        r#"{"Framework": "SOC2", "Version": "", "Provider": "AWS", "Requirements": [
            {"Id": "cc_6_1", "Name": "CC6.1 Access", "Checks": ["iam_ok", "bad check"]},
            {"Id": "cc_99_1", "Name": "Unknown", "Checks": ["iam_ok"]}]}"#,
    )
    .unwrap();
    let (success, _, err) = import(&file, &dir, &[]);
    assert!(!success);
    assert!(err.contains("2 problem(s), nothing converted"), "{err}");
    assert!(
        err.contains("bad.json: $.Requirements[0].Checks[1]: `bad check` cannot be a check id"),
        "{err}"
    );
    assert!(
        err.contains("bad.json: $.Requirements[1]: Id `cc_99_1` is not a requirement of soc2-2017"),
        "{err}"
    );
    assert!(!dir.exists());
    let (success, _, err) = import(&file, &dir, &["--from", "soc2"]);
    assert!(!success && err.contains("leave --from out"), "{err}");
    // A spreadsheet still needs both frameworks.
    let sheet = tmp.path().join("x.csv");
    std::fs::write(&sheet, "from_id,to_id\nCC6.1,A.5.15\n").unwrap();
    let (success, _, err) = import(&sheet, &tmp.path().join("x.toml"), &[]);
    assert!(!success && err.contains("needs --from and --to"), "{err}");
}

#[test]
fn a_catalogue_proposes_links_for_prowler_results() {
    let Some(shared) = crosswalk_testkit::shared_data("prowler catalogue links") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let (success, _, err) = import(
        &shared.join("realworld/prowler/prowler/compliance/aws/iso27001_2022_aws.json"),
        &lib,
        &[],
    );
    assert!(success, "{err}");
    let results =
        shared.join("realworld/scanner-results/prowler-ocsf/example_output_aws.ocsf.json");
    // The results state no ISO 27001 requirement themselves: without the catalogue,
    // nothing is proposed; with it, the requirements it maps each mapped check to are.
    let import_results = |db: &str, pre: &[&str]| -> Value {
        let run = |args: &[&str]| run_ok(db, &[pre, args].concat());
        run(&["init", "--organization", "Acme"]);
        run(&["program", "add", "iso27001"]);
        run(&["control", "add", "IAM-1", "--title", "Account hygiene"]);
        for check in [
            "accessanalyzer_enabled",
            // Longer than an id may be: found by its title.
            "account_maintain_different_contact_details_to_security_billing_and_operations",
        ] {
            run(&["collect", "map", check, "--control", "IAM-1"]);
        }
        serde_json::from_str(&run(&[
            "collect",
            "import",
            results.to_str().unwrap(),
            "--json",
        ]))
        .unwrap()
    };
    let plain = tmp.path().join("plain.db").display().to_string();
    assert_eq!(import_results(&plain, &[])["proposed_links"], 0);
    let db = tmp.path().join("p.db").display().to_string();
    let got = import_results(&db, &["--library", lib.to_str().unwrap()]);
    assert_eq!(got["proposed_links"], 2, "{got}");
    let links = run_json(
        &db,
        &[
            "--library",
            lib.to_str().unwrap(),
            "links",
            "list",
            "--origin",
            "tool",
            "--json",
        ],
    );
    let mut found: Vec<(String, String, Value)> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert_eq!(
                (l["control"].as_str(), l["state"].as_str()),
                (Some("IAM-1"), Some("proposed"))
            );
            (
                l["requirement"].as_str().unwrap().to_owned(),
                l["relationship"].as_str().unwrap().to_owned(),
                l["path"].clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        [
            (
                "A.5.6".to_owned(),
                "related".to_owned(),
                serde_json::json!([
                    "check:account_maintain_different_contact_details_to_security_billing_and_operations",
                    "iso27001-2022:A.5.6"
                ])
            ),
            (
                "A.8.3".to_owned(),
                "related".to_owned(),
                serde_json::json!(["check:accessanalyzer_enabled", "iso27001-2022:A.8.3"])
            ),
        ]
    );
}
