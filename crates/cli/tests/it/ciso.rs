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

/// A Secure Controls Framework STRM spreadsheet (our own rows in SCF's published column
/// layout) comes in through `mappings import --preset scf-strm`, against SCF controls the
/// user holds as a library framework.
#[test]
fn scf_set_theory_spreadsheets_import_with_their_relationships() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let mut fw = String::from(
        "kind = \"framework\"\nversion = 1\n\n[framework]\nid = \"scf-2025.2\"\nfamily = \"scf\"\ncurrent = true\nname = \"Secure Controls Framework 2025.2\"\nversion = \"2025.2\"\npublisher = \"SCF Council\"\nsource = \"test fixture: identifiers only\"\n",
    );
    for id in ["GOV-01", "GOV-02", "GOV-03", "IAC-01", "IAC-10.1"] {
        fw.push_str(&format!(
            "\n[[requirements]]\nid = \"{id}\"\ntitle = \"{id}\"\nkind = \"control\"\nassessable = true\n"
        ));
    }
    std::fs::write(lib.join("scf.toml"), fw).unwrap();
    let sheet = dir.path().join("strm.csv");
    std::fs::write(
        &sheet,
        "FDE #,FDE Name,Focal Document Element (FDE),STRM Rationale,STRM Relationship,SCF Control,SCF #,Secure Controls Framework (SCF) Control Description,Strength of Relationship (optional),Notes (optional)\n\
         A.5.1,Policies,our words,Functional,Intersects With,Governance program,GOV-01,our words,5,\n\
         A.5.1,Policies,our words,Functional,Subset Of,Publishing policies,\"GOV-02\nGOV-03\",our words,8,\n\
         A.5.15,Access control,our words,Semantic,Equal,Identity and access,IAC-01,our words,10,\n\
         A.5.17,Authentication information,our words,Functional,Superset Of,Password-based authentication,IAC-10.1,our words,7,\n\
         A.5.2,Roles,our words,Functional,No Relationship,N/A,N/A,N/A,N/A,\n",
    )
    .unwrap();
    let import = |preset: &str, out: &std::path::Path| {
        crosswalk(&[
            "mappings",
            "import",
            sheet.to_str().unwrap(),
            "--preset",
            preset,
            "--from",
            "iso27001-2022",
            "--to",
            "scf-2025.2",
            "--library",
            lib.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
    };
    let out = dir.path().join("set.toml");
    let run = import("scf-strm", &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    // (from, to, relationship, strength) of each [[mappings]] table, as written.
    let field = |block: &str, key: &str| -> String {
        block
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = ")))
            .unwrap_or_default()
            .trim_matches('"')
            .to_owned()
    };
    let pairs: Vec<(String, String, String, i64)> = text
        .split("[[mappings]]")
        .skip(1)
        .map(|b| {
            (
                field(b, "from"),
                field(b, "to"),
                field(b, "relationship"),
                field(b, "strength").parse().unwrap(),
            )
        })
        .collect();
    let want = [
        ("A.5.1", "GOV-01", "intersects", 5),
        ("A.5.1", "GOV-02", "subset", 8),
        ("A.5.1", "GOV-03", "subset", 8),
        ("A.5.15", "IAC-01", "equal", 10),
        ("A.5.17", "IAC-10.1", "superset", 7),
    ];
    let want: Vec<(String, String, String, i64)> = want
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), *d))
        .collect();
    assert_eq!(pairs, want);
    assert!(
        text.contains("publisher = \"Secure Controls Framework Council\""),
        "{text}"
    );
    // The set loads with the library and its frameworks.
    let run = crosswalk(&["library", "validate", dir.path().to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // An unknown preset is refused and writes nothing.
    let other = dir.path().join("other.toml");
    let run = import("scf", &other);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("the known layout is scf-strm"));
    assert!(!other.exists());
}
