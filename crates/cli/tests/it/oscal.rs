//! `crosswalk oscal …` end to end: resolve, export, import back, refuse bad input.

use std::path::Path;

use serde_json::Value;

use super::{crosswalk, json, stdout};

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn resolve_writes_the_low_baseline() {
    let Some(data) = crosswalk_testkit::shared_data("resolve_writes_the_low_baseline") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("low.json");
    let nist = data.join("oscal/nist-800-53r5-v5.0.1");
    stdout(&[
        "oscal",
        "resolve",
        nist.join("NIST_SP-800-53_rev5_LOW-baseline_profile.json")
            .to_str()
            .unwrap(),
        "--catalog",
        nist.join("NIST_SP-800-53_rev5_catalog.json")
            .to_str()
            .unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let doc = read_json(&out);
    let families = doc["catalog"]["groups"].as_array().unwrap();
    assert_eq!(families.len(), 18, "LOW leaves out PM and PT");
    assert_eq!(families[0]["controls"][0]["id"], "ac-1");
}

#[test]
fn a_framework_exported_as_oscal_imports_back_as_a_library_file() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("soc2.json");
    stdout(&[
        "oscal",
        "export",
        "catalog",
        "soc2",
        "-o",
        cat.to_str().unwrap(),
    ]);
    let doc = read_json(&cat);
    assert_eq!(doc["catalog"]["metadata"]["oscal-version"], "1.2.1");
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let file = lib.join("tsc.toml");
    let said = stdout(&[
        "oscal",
        "import",
        cat.to_str().unwrap(),
        "--id",
        "tsc-copy",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(said.contains("imported framework tsc-copy"), "{said}");
    let copy = json(&[
        "--library",
        lib.to_str().unwrap(),
        "frameworks",
        "show",
        "tsc-copy",
        "--json",
    ]);
    let original = json(&["frameworks", "show", "soc2", "--json"]);
    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = v["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&copy), ids(&original));
}

#[test]
fn a_mapping_set_exported_as_oscal_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    // Stored as SOC 2 → ISO 27001; asked the other way round, it is exported inverted.
    stdout(&[
        "oscal",
        "export",
        "mapping",
        "iso27001",
        "soc2",
        "-o",
        file.to_str().unwrap(),
    ]);
    let doc = read_json(&file);
    let maps = doc["mapping-collection"]["mappings"][0]["maps"]
        .as_array()
        .unwrap();
    assert_eq!(maps.len(), 115);
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let out = lib.join("back.toml");
    stdout(&[
        "oscal",
        "import",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let said = stdout(&["library", "validate", lib.to_str().unwrap()]);
    assert!(said.starts_with("ok:"), "{said}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("from = \"iso27001-2022\"") && text.contains("to = \"soc2-2017\""));
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"catalog\": {\"uuid\": }}").unwrap();
    let out = dir.path().join("x.toml");
    let run = crosswalk(&[
        "oscal",
        "import",
        bad.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("bad.json:1:") && err.contains("not valid JSON"),
        "{err}"
    );
    assert!(!out.exists());
    // Mappings whose ids are not in the named frameworks: nothing imported.
    let m = dir.path().join("m.json");
    stdout(&[
        "oscal",
        "export",
        "mapping",
        "soc2",
        "iso27001",
        "-o",
        m.to_str().unwrap(),
    ]);
    let run = crosswalk(&[
        "oscal",
        "import",
        m.to_str().unwrap(),
        "--from",
        "hipaa",
        "--to",
        "gdpr",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("nothing imported") && err.contains("source `CC1.1` is not in hipaa-2013"),
        "{err}"
    );
    assert!(!out.exists());
}
