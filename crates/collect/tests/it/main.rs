//! Every real scanner sample reads, its format detected, with counts checked against the
//! file read independently; hostile input is refused with a located error.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod powerpipe;

use crosswalk_collect::{Format, read};
use crosswalk_core::monitor::{ByStatus, Status};
use serde_json::Value;

fn sample(path: &str) -> Option<(String, Vec<u8>)> {
    let shared = crosswalk_testkit::shared_data(path)?;
    let p = shared.join("realworld").join(path);
    Some((
        p.file_name().unwrap().to_string_lossy().into_owned(),
        std::fs::read(p).unwrap(),
    ))
}

#[test]
fn prowler_ocsf_reads_with_its_statuses_and_compliance() {
    let Some((name, bytes)) = sample("scanner-results/prowler-ocsf/example_output_aws.ocsf.json")
    else {
        return;
    };
    let b = read(&name, &bytes, None).unwrap();
    assert_eq!((b.format.as_str(), b.tool.as_str()), ("ocsf", "Prowler"));
    let raw: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(b.results.len(), raw.len());
    for (r, x) in b.results.iter().zip(&raw) {
        assert_eq!(r.check, x["metadata"]["event_code"].as_str().unwrap());
        let want = match x["status_code"].as_str().unwrap() {
            "PASS" => Status::Pass,
            "FAIL" => Status::Fail,
            "MANUAL" => Status::Manual,
            other => panic!("{other}"),
        };
        assert_eq!(r.status, want);
        assert_eq!(
            r.requirements.len(),
            x["unmapped"]["compliance"].as_object().unwrap().len()
        );
        assert!(r.observed.is_some());
    }
    assert_eq!(b.results[0].requirements["CIS-2.0"], ["1.20"]);
}

#[test]
fn prowler_csv_reads_the_same_findings() {
    let Some(shared) = crosswalk_testkit::shared_data("prowler_csv") else {
        return;
    };
    let dir = shared.join("realworld/scanner-results/prowler-csv");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let b = read("x.csv", &bytes, None).unwrap();
    assert_eq!(b.format, "prowler-csv");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        b.results.len(),
        text.lines().filter(|l| !l.trim().is_empty()).count() - 1
    );
    assert!(b.results.iter().any(|r| r.status == Status::Manual));
    assert!(b.results.iter().all(|r| !r.check.is_empty()));
}

#[test]
fn trivy_sarif_reads_one_result_per_finding() {
    let Some((name, bytes)) = sample("scanner-results/sarif-trivy/report.sarif") else {
        return;
    };
    let b = read(&name, &bytes, None).unwrap();
    assert_eq!((b.format.as_str(), b.tool.as_str()), ("sarif", "Trivy"));
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        b.results.len(),
        raw["runs"][0]["results"].as_array().unwrap().len()
    );
    assert!(b.results.iter().all(|r| r.status == Status::Fail));
    assert_eq!(b.results[0].check, "AWS-0086");
    assert_eq!(b.results[0].resource, "main.tf:8");
    assert_eq!(b.results[0].severity.as_deref(), Some("high"));
}

#[test]
fn inspec_hdf_reads_one_result_per_control() {
    let Some(shared) = crosswalk_testkit::shared_data("inspec_hdf") else {
        return;
    };
    for f in [
        "aws-s3-baseline.json",
        "cis-aws-foundations-baseline.json",
        "good_nginxresults.json",
    ] {
        let bytes =
            std::fs::read(shared.join("realworld/scanner-results/hdf-inspec").join(f)).unwrap();
        let b = read(f, &bytes, None).unwrap();
        assert_eq!(b.format, "hdf", "{f}");
        let raw: Value = serde_json::from_slice(&bytes).unwrap();
        let controls: usize = raw["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["controls"].as_array().unwrap().len())
            .sum();
        assert_eq!(b.results.len(), controls, "{f}");
        // A control fails when one of its tests failed.
        let failed = raw["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["controls"].as_array().unwrap())
            .filter(|c| {
                c["impact"].as_f64() != Some(0.0)
                    && c["results"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|r| r["status"] == "failed")
            })
            .count();
        assert_eq!(ByStatus::count(&b.results).fail, failed, "{f}");
    }
}

#[test]
fn oscal_assessment_results_read_in_json_and_yaml() {
    let Some(shared) = crosswalk_testkit::shared_data("oscal_ar") else {
        return;
    };
    let dir = shared.join("realworld/scanner-results");
    let json = std::fs::read(dir.join("oscal-ar-c2p/assessment-results.json")).unwrap();
    let b = read("ar.json", &json, None).unwrap();
    assert_eq!(b.format, "oscal-ar");
    assert!(!b.results.is_empty());
    assert!(b.results.iter().any(|r| r.status == Status::Fail));
    assert_eq!(b.results[0].requirements["OSCAL"], ["cm-6"]);
    let yaml =
        std::fs::read(dir.join("oscal-ar-lula/valid-assessment-results-with-resources.yaml"))
            .unwrap();
    let b = read("ar.yaml", &yaml, None).unwrap();
    assert_eq!(b.format, "oscal-ar");
    assert!(!b.results.is_empty());
}

#[test]
fn hostile_or_wrong_input_is_refused_with_where() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = read("deep.json", deep.as_bytes(), Some(Format::Ocsf)).unwrap_err();
    assert!(err.starts_with("deep.json:1:"), "{err}");
    let err = read("x.txt", b"hello", None).unwrap_err();
    assert!(err.contains("not a scanner output"), "{err}");
    let err = read("x.bin", &[0xff, 0xfe, 0x00], None).unwrap_err();
    assert!(err.contains("not UTF-8"), "{err}");
    let wrong =
        br#"[{"class_uid": 2004, "metadata": {"event_code": "c1"}, "status_code": "MAYBE"}]"#;
    let err = read("f.json", wrong, None).unwrap_err();
    assert_eq!(err, "f.json: [0].status_code: unknown status `MAYBE`");
    let other = br#"[{"class_uid": 3002}]"#;
    let err = read("f.json", other, Some(Format::Ocsf)).unwrap_err();
    assert!(err.contains("[0].class_uid"), "{err}");
    let err = read("s.sarif", br#"{"version": "2.1.0"}"#, Some(Format::Sarif)).unwrap_err();
    assert!(err.contains("$.runs: missing"), "{err}");
}

#[test]
fn a_plain_csv_of_results_reads_by_its_headers() {
    let text = "Rule ID,Target,Result,Severity,Timestamp,Name\n\
                MFA-1,okta:alice,pass,high,2026-11-01T10:00:00Z,MFA enrolled\n\
                MFA-1,okta:bob,fail,high,2026-11-01T10:00:00Z,MFA enrolled\n";
    let b = read("okta.csv", text.as_bytes(), Some(Format::Csv)).unwrap();
    assert_eq!((b.format.as_str(), b.results.len()), ("csv", 2));
    assert_eq!(b.results[1].resource, "okta:bob");
    assert_eq!(b.results[1].status, Status::Fail);
    assert!(b.results[0].observed.is_some());
    let semi = "check;resource;status\nA;r1;PASSED\n";
    assert_eq!(
        read("s.csv", semi.as_bytes(), Some(Format::Csv))
            .unwrap()
            .results
            .len(),
        1
    );
    let err = read(
        "x.csv",
        b"check,resource,status\nA,r1,perhaps\n",
        Some(Format::Csv),
    )
    .unwrap_err();
    assert_eq!(err, "x.csv:2: unknown status `perhaps`");
    let err = read("x.csv", b"a,b\n1,2\n", Some(Format::Csv)).unwrap_err();
    assert!(err.contains("header row has: a | b"), "{err}");
    let err = read(
        "x.csv",
        b"check,resource,status,time\nA,r,pass,yesterday\n",
        Some(Format::Csv),
    )
    .unwrap_err();
    assert!(err.contains("x.csv:2: time `yesterday`"), "{err}");
}
