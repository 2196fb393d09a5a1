use super::*;
use serde_json::json;

const SAMPLE: &str = r#"
checks:
  - id: aws.iam.root-mfa
    title: The root user signs in with MFA
    dataset: aws-iam-credential-report
    for_each: Content
    decode: csv
    resource: arn
    where: {path: user, op: eq, value: "<root_account>"}
    all:
      - {path: mfa_active, op: eq, value: "true"}
    fixtures:
      pass: {aws-iam-credential-report: {Content: "user,arn,mfa_active\n<root_account>,arn:aws:iam::1:root,true\nbob,arn:aws:iam::1:user/bob,false\n"}}
      fail: {aws-iam-credential-report: {Content: "user,arn,mfa_active\n<root_account>,arn:aws:iam::1:root,false\n"}}
  - id: hr.leavers-okta
    title: Leavers have no active Okta account
    dataset: hr-roster
    datasets: [okta-users]
    engine: rego
    resource: email
    where: {path: status, op: eq, value: terminated}
    rego: |
      package crosswalk.check
      import rego.v1
      active(email) if {
        some u in input.datasets["okta-users"]
        lower(u.profile.email) == lower(email)
        u.status == "ACTIVE"
      }
      result(item) := {"status": "fail", "message": sprintf("%s is still active", [item.email])} if active(item.email)
      else := {"status": "pass"}
    fixtures:
      pass:
        hr-roster: [{email: a@x.io, status: terminated}, {email: b@x.io, status: active}]
        okta-users: [{status: DEPROVISIONED, profile: {email: a@x.io}}, {status: ACTIVE, profile: {email: b@x.io}}]
      fail:
        hr-roster: [{email: a@x.io, status: terminated}]
        okta-users: [{status: ACTIVE, profile: {email: A@x.io}}]
"#;

fn now() -> Timestamp {
    FIXTURE_NOW.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

#[test]
fn sample_checks_pass_their_fixtures() -> Result<(), String> {
    let checks = load("sample.yaml", SAMPLE)?;
    assert_eq!(checks.len(), 2);
    for c in &checks {
        c.test().map_err(|e| format!("{}: {e}", c.id))?;
    }
    let doc = json!({"Content": "user,arn,mfa_active\n<root_account>,arn:aws:iam::1:root,false\n"});
    let docs = BTreeMap::from([("aws-iam-credential-report".to_owned(), &doc)]);
    let run = run_all(&checks.iter().collect::<Vec<_>>(), &docs, now());
    assert_eq!(run.skipped.len(), 1, "the rego check lacks its datasets");
    assert!(run.skipped.iter().any(|(_, why)| why.contains("hr-roster")));
    assert_eq!(
        run.outcomes,
        vec![Outcome {
            check: "aws.iam.root-mfa".into(),
            resource: "arn:aws:iam::1:root".into(),
            status: Status::Fail,
            message: Some("mfa_active = \"true\" (found \"false\")".into()),
        }]
    );
    Ok(())
}

#[test]
fn base64_reports_decode() -> Result<(), String> {
    use base64::Engine as _;
    let checks = load("sample.yaml", SAMPLE)?;
    let text = base64::engine::general_purpose::STANDARD
        .encode("user,arn,mfa_active\n<root_account>,arn:aws:iam::1:root,true\n");
    let doc = json!({ "Content": text });
    let docs = BTreeMap::from([("aws-iam-credential-report".to_owned(), &doc)]);
    let out = checks.first().ok_or("no check")?.run(&docs, now(), true)?;
    assert_eq!(out.first().map(|o| o.status), Some(Status::Pass));
    Ok(())
}

#[test]
fn rego_bulk_and_per_item_agree() -> Result<(), String> {
    let checks = load("sample.yaml", SAMPLE)?;
    let c = checks.get(1).ok_or("no check")?;
    let roster: Vec<Value> = (0..50)
        .map(|i| json!({"email": format!("u{i}@x.io"), "status": if i % 3 == 0 {"terminated"} else {"active"}}))
        .collect();
    let okta: Vec<Value> = (0..50)
        .map(|i| json!({"status": if i % 2 == 0 {"ACTIVE"} else {"SUSPENDED"}, "profile": {"email": format!("u{i}@x.io")}}))
        .collect();
    let (roster, okta) = (Value::Array(roster), Value::Array(okta));
    let docs = BTreeMap::from([
        ("hr-roster".to_owned(), &roster),
        ("okta-users".to_owned(), &okta),
    ]);
    let bulk = c.run(&docs, now(), true)?;
    let each = c.run(&docs, now(), false)?;
    assert_eq!(bulk, each);
    assert_eq!(bulk.len(), 17);
    assert_eq!(bulk.iter().filter(|o| o.status == Status::Fail).count(), 9);
    Ok(())
}

#[test]
fn a_check_with_empty_scope_reports_on_empty() -> Result<(), String> {
    let checks = load(
        "x.yaml",
        "checks:\n  - id: a\n    title: A\n    dataset: d\n    on_empty: fail\n    all: [{path: x, op: exists}]\n",
    )?;
    let doc = json!([]);
    let docs = BTreeMap::from([("d".to_owned(), &doc)]);
    let out = checks.first().ok_or("none")?.run(&docs, now(), true)?;
    assert_eq!(out.len(), 1);
    assert_eq!(
        out.first().map(|o| (o.resource.as_str(), o.status)),
        Some(("d", Status::Fail))
    );
    Ok(())
}

#[test]
fn bad_check_files_are_located() {
    let err = |text: &str| load("bad.yaml", text).err().unwrap_or_default();
    assert!(
        err("checks:\n  - id: a\n    title: A\n    dataset: d\n    al: []\n")
            .contains("unknown field `al`")
    );
    assert!(err("checks:\n  - id: a\n    title: A\n    dataset: d\n").contains("exactly one test"));
    assert!(
        err(
            "checks:\n  - id: A B\n    title: A\n    dataset: d\n    all: [{path: x, op: exists}]\n"
        )
        .contains("lowercase")
    );
    let dup = "checks:\n  - id: a\n    title: A\n    dataset: d\n    all: [{path: x, op: exists}]\n  - id: a\n    title: A\n    dataset: d\n    all: [{path: x, op: exists}]\n";
    assert!(err(dup).contains("used twice"));
    let rego = "checks:\n  - id: a\n    title: A\n    dataset: d\n    engine: rego\n    rego: \"package other\\nresult(x) := 1\"\n";
    assert!(
        err(rego).contains("package crosswalk.check"),
        "{}",
        err(rego)
    );
    let syntax = "checks:\n  - id: a\n    title: A\n    dataset: d\n    engine: rego\n    rego: \"package crosswalk.check\\nresult(x) := {\"\n";
    assert!(err(syntax).contains("rego"));
    assert!(err("checks: [").contains("bad.yaml"));
    // Deeply nested conditions are refused by the YAML reader's recursion limit, cleanly.
    let deep = format!(
        "checks:\n  - id: a\n    title: A\n    dataset: d\n    not: {}{{path: x, op: exists}}{}\n",
        "{not: ".repeat(10_000),
        "}".repeat(10_000)
    );
    assert!(!err(&deep).is_empty());
}

#[test]
fn a_stream_checks_every_line_in_order() -> Result<(), String> {
    let checks = load(
        "x.yaml",
        "checks:\n  - id: enc\n    title: Encrypted\n    dataset: vols\n    resource: id\n    all: [{path: encrypted, op: eq, value: true}]\n",
    )?;
    let refs: Vec<&Check> = checks.iter().collect();
    let text: String = (0..20_000)
        .map(|i| format!("{{\"id\": \"v{i}\", \"encrypted\": {}}}\n", i % 4 != 0))
        .collect();
    let mut failed = Vec::new();
    let stats = stream(
        &refs,
        "vols.ndjson",
        text.as_bytes(),
        now(),
        true,
        |c, item, line, v| {
            if v.status == Status::Fail {
                failed.push((c.resource_of(item, 0), line));
            }
        },
    )?;
    assert_eq!(stats.resources, 20_000);
    assert_eq!(stats.by_status.fail, 5_000);
    assert_eq!(failed.first(), Some(&("v0".to_owned(), 1)));
    assert_eq!(failed.get(1), Some(&("v4".to_owned(), 5)));
    let bad = "{\"id\": 1}\n{oops\n";
    let e = stream(
        &refs,
        "vols.ndjson",
        bad.as_bytes(),
        now(),
        true,
        |_, _, _, _| {},
    )
    .err()
    .unwrap_or_default();
    assert!(e.starts_with("vols.ndjson line 2:"), "{e}");
    Ok(())
}

#[test]
fn a_stream_refuses_a_huge_line_without_holding_it() -> Result<(), String> {
    use std::io::Read as _;
    let checks = load(
        "x.yaml",
        "checks:\n  - id: a\n    title: A\n    dataset: d\n    all: [{path: x, op: exists}]\n",
    )?;
    let refs: Vec<&Check> = checks.iter().collect();
    // 1 GiB of one line, never read whole: refused at the 16 MiB limit.
    let huge = std::io::BufReader::new(std::io::repeat(b'a').take(1 << 30));
    let e = stream(&refs, "big.ndjson", huge, now(), true, |_, _, _, _| {})
        .err()
        .unwrap_or_default();
    assert_eq!(e, "big.ndjson line 1: a line over 16 MiB");
    let bytes: &[u8] = b"{\"x\": 1}\n\xff\xfe\n";
    let e = stream(&refs, "bad.ndjson", bytes, now(), true, |_, _, _, _| {})
        .err()
        .unwrap_or_default();
    assert_eq!(e, "bad.ndjson line 2: not UTF-8 text");
    Ok(())
}
