//! Powerpipe's benchmark export, read from a fixture of our own.
//!
//! There is no Powerpipe output among the shared samples, so `powerpipe-benchmark.json`
//! was written here in the shape Powerpipe exports, confirmed against its source:
//! `turbot/powerpipe` `internal/controldisplay/templates/json/output.tmpl` (the `json`
//! export template: `group_id`, `title`, `description`, `tags`, `summary`, `groups`,
//! `controls` — `null` when a group has none — and per control `summary`, `results` —
//! `null` when its query failed —, `control_id`, `description`, `severity`, `tags`,
//! `title`, `run_status`, `run_error`; per result `reason`, `resource`, `status`,
//! `dimensions: [{key, value}]`), `internal/controlexecute/result_row.go` (statuses ok,
//! alarm, error, skip, info), `internal/controlexecute/control_run.go` (a failed query
//! sets `run_error` and leaves no rows) and
//! `tests/acceptance/test_data/templates/expected_check_json_multiple_parents.json` (a
//! control under several benchmarks repeated under each). `turbot/steampipe`
//! `pkg/control/controldisplay/templates/json/output.tmpl` (`steampipe check --export
//! json`) has the same shape. The tags are those of `turbot/steampipe-mod-aws-compliance`
//! (`cis_v150/section_1.pp`: `cis_item_id`, `cis_version`; `soc_2/cc_6.pp`).

use crosswalk_collect::{Format, detect, read};
use crosswalk_core::monitor::{ByStatus, Status};

const FIXTURE: &str = include_str!("powerpipe-benchmark.json");

#[test]
fn a_benchmark_export_reads_one_result_per_row() {
    assert_eq!(detect(FIXTURE), Some(Format::Powerpipe));
    let b = read("cis.json", FIXTURE.as_bytes(), None).unwrap();
    assert_eq!(
        (
            b.format.as_str(),
            b.tool.as_str(),
            b.tool_version.as_deref()
        ),
        ("powerpipe", "powerpipe", None)
    );
    // 9 rows and one control whose query failed; the control listed under two SOC 2
    // benchmarks is read once.
    assert_eq!(b.results.len(), 10);
    assert_eq!(
        ByStatus::count(&b.results),
        ByStatus {
            pass: 3,
            fail: 3,
            error: 2,
            manual: 1,
            muted: 0,
            not_applicable: 1,
        }
    );
    let first = &b.results[0];
    assert_eq!(first.check, "aws_compliance.control.cis_v150_1_4");
    assert_eq!(
        first.title,
        "1.4 Ensure no 'root' user account access key exists"
    );
    assert_eq!(first.resource, "arn:aws:::111122223333");
    assert_eq!(first.status, Status::Pass);
    assert_eq!(
        first.message.as_deref(),
        Some("No access keys exist for the root user.")
    );
    assert_eq!(first.severity, None, "an empty severity is none");
    assert_eq!(first.requirements["cis v1.5.0"], ["1.4"]);
    assert_eq!(
        first.requirements.len(),
        1,
        "only item ids name requirements"
    );
    let alice = b
        .results
        .iter()
        .find(|r| r.resource.ends_with("user/alice"))
        .unwrap();
    assert_eq!(
        (alice.status, alice.severity.as_deref()),
        (Status::Fail, Some("high"))
    );
    let skipped = b
        .results
        .iter()
        .find(|r| r.resource.ends_with("acme-archive"));
    assert_eq!(skipped.unwrap().status, Status::NotApplicable);
    let failed = b
        .results
        .iter()
        .find(|r| r.check.ends_with("cis_v150_2_3_1"))
        .unwrap();
    assert_eq!(
        (
            failed.status,
            failed.resource.as_str(),
            failed.message.as_deref()
        ),
        (
            Status::Error,
            "unknown",
            Some("relation \"aws_rds_db_instance\" does not exist")
        )
    );
    let mfa: Vec<_> = b
        .results
        .iter()
        .filter(|r| r.check == "aws_compliance.control.iam_root_user_mfa_enabled")
        .collect();
    assert_eq!(mfa.len(), 1);
    assert!(
        mfa[0].requirements.is_empty(),
        "`soc_2 = \"true\"` names no requirement"
    );
}

#[test]
fn detection_holds_and_bad_items_are_located() {
    // A dimension called `platform` must not make it HDF; keys in another order (a
    // re-serialised file) are still recognised from the whole document.
    let platform = FIXTURE.replace("\"account_id\"", "\"platform\"");
    assert_eq!(detect(&platform), Some(Format::Powerpipe));
    let mut v: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    let root = v.as_object_mut().unwrap();
    let id = root.remove("group_id").unwrap();
    root.insert("group_id".into(), id);
    let moved = serde_json::to_string(&v).unwrap();
    assert!(!moved.starts_with("{\"group_id\""), "{}", &moved[..40]);
    assert_eq!(detect(&moved), Some(Format::Powerpipe));

    v["groups"][0]["groups"][1]["controls"][0]["results"][2]["status"] = "maybe".into();
    let bad = serde_json::to_string(&v).unwrap();
    let err = read("pp.json", bad.as_bytes(), Some(Format::Powerpipe)).unwrap_err();
    assert_eq!(
        err,
        "pp.json: $.groups[0].groups[1].controls[0].results[2].status: unknown status `maybe` (ok, alarm, error, skip or info)"
    );
    let mut v: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    v["groups"][1]["groups"][0]["controls"][0]
        .as_object_mut()
        .unwrap()
        .remove("control_id");
    let err = read(
        "pp.json",
        serde_json::to_string(&v).unwrap().as_bytes(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err,
        "pp.json: $.groups[1].groups[0].controls[0].control_id: missing"
    );
    let err = read("s.json", br#"{"runs": []}"#, Some(Format::Powerpipe)).unwrap_err();
    assert!(err.contains("$.group_id: missing"), "{err}");
}
