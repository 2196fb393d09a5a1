//! CISO Assistant libraries imported as library files: every sample in the shared data,
//! checked node by node and mapping by mapping against the YAML read independently.

use std::collections::HashSet;

use serde_json::Value;

use super::crosswalk;

fn json_of(args: &[&str]) -> Value {
    let out = crosswalk(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The id the import promises for each node: its `ref_id` when usable (present, not
/// repeated, no colon or whitespace, at most 64 characters), else the urn's last part.
fn expected_ids(nodes: &[serde_yaml::Value]) -> Vec<String> {
    let mut used = HashSet::new();
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let usable = |s: &str| {
                !s.is_empty()
                    && s.len() <= 64
                    && s.bytes().all(|b| b.is_ascii_graphic() && b != b':')
                    && !used.contains(s)
            };
            let ref_id = match &n["ref_id"] {
                serde_yaml::Value::String(s) => Some(s.trim().to_owned()),
                serde_yaml::Value::Number(x) => Some(x.to_string()),
                _ => None,
            };
            let urn = n["urn"].as_str().unwrap();
            let tail = urn.rsplit(':').next().unwrap().to_owned();
            let id = match ref_id.filter(|r| usable(r)) {
                Some(r) => r,
                None if usable(&tail) => tail,
                None => format!("node-{}", i + 1),
            };
            used.insert(id.clone());
            id
        })
        .collect()
}

#[test]
fn every_ciso_assistant_sample_imports_with_its_nodes_ids_and_mappings() {
    let Some(shared) = crosswalk_testkit::shared_data("every_ciso_assistant_sample_imports") else {
        return;
    };
    let dir = shared.join("realworld/ciso-assistant");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    let out = tempfile::tempdir().unwrap();
    let lib = out.path().join("lib");
    let mut args = vec!["library", "import", "ciso-assistant"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(["-o", lib.to_str().unwrap(), "--json"]);
    let done = json_of(&args);

    let mut frameworks = done["frameworks"].as_array().unwrap().iter();
    let mut sets = done["mapping_sets"].as_array().unwrap().iter();
    for f in &files {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let objects = &yaml["objects"];
        if let Some(nodes) = objects["framework"]["requirement_nodes"].as_sequence() {
            let got = frameworks.next().unwrap();
            let assessable = nodes
                .iter()
                .filter(|n| n["assessable"].as_bool() == Some(true))
                .count();
            assert_eq!(
                got["requirements"].as_u64().unwrap() as usize,
                nodes.len(),
                "{f:?}"
            );
            assert_eq!(
                got["assessable"].as_u64().unwrap() as usize,
                assessable,
                "{f:?}"
            );
            let id = got["id"].as_str().unwrap();
            let shown = json_of(&[
                "--library",
                lib.to_str().unwrap(),
                "frameworks",
                "show",
                id,
                "--json",
            ]);
            let ids: Vec<String> = shown["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(ids, expected_ids(nodes), "{f:?}");
        }
        for set in objects["requirement_mapping_sets"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            let got = sets.next().unwrap();
            let rows = set["requirement_mappings"].as_sequence().unwrap();
            let pairs: HashSet<(&str, &str)> = rows
                .iter()
                .map(|m| {
                    (
                        m["source_requirement_urn"].as_str().unwrap(),
                        m["target_requirement_urn"].as_str().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                got["mappings"].as_u64().unwrap() as usize,
                pairs.len(),
                "{f:?}"
            );
            assert_eq!(
                got["repeated"].as_u64().unwrap() as usize,
                rows.len() - pairs.len(),
                "{f:?}: repeated pairs are counted, never dropped in silence"
            );
            // The relationship of a mapping, through `map` on the imported library.
            let first = &rows[0];
            assert_eq!(first["relationship"].as_str(), Some("intersect"));
            let from = got["from"].as_str().unwrap();
            let src = first["source_requirement_urn"]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap();
            let found = json_of(&[
                "--library",
                lib.to_str().unwrap(),
                "map",
                &format!("{from}:{src}"),
                "--to",
                got["to"].as_str().unwrap(),
                "--json",
            ]);
            assert!(
                found.as_array().unwrap().iter().any(|m| m["relationship"] == "intersects"
                    && m["provenance"]["kind"] == "tool"),
                "{found}"
            );
        }
    }
    assert!(frameworks.next().is_none() && sets.next().is_none());
    // The built-in CSF 2.0 keeps its id; the imported copy sits beside it, and says so.
    let csf = done["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "nist-csf-2.0-ca")
        .unwrap();
    assert_eq!(csf["renamed_from"], "nist-csf-2.0");
    // Importing again is refused and changes nothing.
    let again = crosswalk(&args);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("in the library already") && err.contains("nothing was imported"),
        "{err}"
    );
}

#[test]
fn a_bad_library_is_refused_and_nothing_is_written() {
    let out = tempfile::tempdir().unwrap();
    let bad = out.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "urn: urn:x:library:m\nobjects:\n  requirement_mapping_sets:\n    - urn: urn:x:set:m\n      source_framework_urn: urn:x:framework:a\n      target_framework_urn: urn:x:framework:b\n",
    )
    .unwrap();
    let lib = out.path().join("lib");
    let run = crosswalk(&[
        "library",
        "import",
        "ciso-assistant",
        bad.to_str().unwrap(),
        "-o",
        lib.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("framework urn:x:framework:a is not imported"),
        "{err}"
    );
    assert!(!lib.exists(), "nothing written");
    std::fs::write(&bad, "urn: [unclosed").unwrap();
    let run = crosswalk(&[
        "library",
        "import",
        "ciso-assistant",
        bad.to_str().unwrap(),
        "-o",
        lib.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("bad.yaml:1:"));
}
