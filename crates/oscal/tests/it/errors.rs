//! Malformed input gives an error that names the file and the place, and nothing is
//! produced.

use std::path::{Path, PathBuf};

use crosswalk_oscal::{OscalError, read, resolve_profile};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const CATALOG: &str = r#"{"catalog": {"uuid": "8b2f4c1e-0000-4000-8000-000000000001", "metadata": {"title": "T", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.1"},
  "groups": [{"id": "g", "title": "G", "controls": [
    {"id": "c-1", "title": "One", "params": [{"id": "c-1_prm_1", "label": "x"}]},
    {"id": "c-2", "title": "Two"}]}]}}"#;

fn profile(body: &str) -> String {
    format!(
        r#"{{"profile": {{"uuid": "8b2f4c1e-0000-4000-8000-000000000002", "metadata": {{"title": "P", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.1"}}, {body}}}}}"#
    )
}

#[test]
fn bad_json_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.json",
        "{\n  \"catalog\": {\n    \"uuid\": ,\n  }\n}",
    );
    let err = read(&p).unwrap_err();
    assert!(matches!(err, OscalError::Json { line: 3, .. }), "{err}");
    assert!(
        err.to_string().starts_with(&format!("{}:3:", p.display())),
        "{err}"
    );
}

#[test]
fn bad_xml_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.xml",
        "<catalog>\n  <group>\n  </catalog>\n",
    );
    let err = read(&p).unwrap_err();
    assert!(matches!(err, OscalError::Xml { line: 3, .. }), "{err}");
}

#[test]
fn a_document_that_is_not_oscal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.json", r#"{"component-definition": {}}"#);
    let err = read(&p).unwrap_err().to_string();
    assert!(
        err.contains("not an OSCAL catalog, profile or mapping-collection"),
        "{err}"
    );
}

#[test]
fn unknown_control_parameter_and_alter_targets_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cat.json", CATALOG);
    let cases = [
        (
            r#""imports": [{"href": "cat.json", "include-controls": [{"with-ids": ["c-9"]}]}]"#,
            "control `c-9`",
        ),
        (
            r#""imports": [{"href": "cat.json", "include-all": {}}], "modify": {"set-parameters": [{"param-id": "nope", "values": ["v"]}]}"#,
            "parameter `nope`",
        ),
        (
            r#""imports": [{"href": "cat.json", "include-all": {}}], "modify": {"alters": [{"control-id": "zz-1", "adds": [{"props": [{"name": "a", "value": "b"}]}]}]}"#,
            "altered control `zz-1`",
        ),
        (
            r#""imports": [{"href": "cat.json", "include-all": {}}], "modify": {"alters": [{"control-id": "c-1", "adds": [{"by-id": "c-1_smt.q", "props": [{"name": "a", "value": "b"}]}]}]}"#,
            "alter target `c-1_smt.q`",
        ),
    ];
    for (body, want) in cases {
        let p = write(dir.path(), "p.json", &profile(body));
        let err = resolve_profile(&p, None).unwrap_err().to_string();
        assert!(
            err.contains(want) && err.contains("p.json"),
            "{body}: {err}"
        );
    }
}

#[test]
fn missing_imports_and_cycles_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.json",
        &profile(r#""imports": [{"href": "gone.json", "include-all": {}}]"#),
    );
    let err = resolve_profile(&p, None).unwrap_err();
    assert!(matches!(err, OscalError::MissingImport { .. }), "{err}");
    assert!(err.to_string().contains("gone.json"), "{err}");
    let remote = write(
        dir.path(),
        "r.json",
        &profile(r#""imports": [{"href": "https://example.org/cat.json", "include-all": {}}]"#),
    );
    let err = resolve_profile(&remote, None).unwrap_err().to_string();
    assert!(err.contains("pass --catalog"), "{err}");
    let a = write(
        dir.path(),
        "a.json",
        &profile(r#""imports": [{"href": "b.json", "include-all": {}}]"#),
    );
    write(
        dir.path(),
        "b.json",
        &profile(r#""imports": [{"href": "a.json", "include-all": {}}]"#),
    );
    let err = resolve_profile(&a, None).unwrap_err();
    assert!(
        matches!(&err, OscalError::Cycle(chain) if chain.len() == 3),
        "{err}"
    );
}

#[test]
fn set_parameters_and_alters_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cat.json", CATALOG);
    let p = write(
        dir.path(),
        "p.json",
        &profile(
            r#""imports": [{"href": "cat.json", "include-controls": [{"matching": [{"pattern": "c-*"}]}], "exclude-controls": [{"with-ids": ["c-2"]}]}],
        "merge": {"as-is": true},
        "modify": {"set-parameters": [{"param-id": "c-1_prm_1", "values": ["30 days"]}],
                   "alters": [{"control-id": "c-1", "adds": [{"position": "ending", "props": [{"name": "priority", "value": "P1"}]}]}]}"#,
        ),
    );
    let out = resolve_profile(&p, None).unwrap();
    let ids = super::control_ids(&out);
    assert_eq!(ids, ["c-1"], "c-2 excluded");
    let c1 = &out["groups"][0]["controls"][0];
    assert_eq!(c1["params"][0]["values"][0], "30 days");
    assert_eq!(c1["props"][0]["value"], "P1");
    assert_eq!(out["groups"][0]["id"], "g");
}

#[test]
fn a_broken_catalog_behind_a_profile_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cat.json",
        "{\"catalog\": {\n  \"uuid\": \"x\",\n  \"groups\": [,]\n}}",
    );
    let p = write(
        dir.path(),
        "p.json",
        &profile(r#""imports": [{"href": "cat.json", "include-all": {}}]"#),
    );
    let err = resolve_profile(&p, None).unwrap_err();
    assert!(matches!(err, OscalError::Json { line: 3, .. }), "{err}");
    assert!(err.to_string().contains("cat.json:3:"), "{err}");
}
