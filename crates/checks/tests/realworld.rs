//! The built-in checks on real exports (AWS CLI and Config, GitHub, Okta, Kubernetes)
//! kept under shared/data: every result they give matches `realworld.yaml`. And every
//! built-in check passes and fails on its own fixtures, in bulk and item by item.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    dataset: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    pointer: Option<String>,
    #[serde(default)]
    parse: Option<String>,
    #[serde(default)]
    yaml: bool,
    expect: Vec<Expect>,
}

#[derive(Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Expect {
    check: String,
    resource: String,
    status: String,
}

fn document(shared: &std::path::Path, e: &Entry, file: &str) -> Value {
    let text =
        std::fs::read_to_string(shared.join(file)).unwrap_or_else(|err| panic!("{file}: {err}"));
    let mut doc: Value = if e.yaml {
        serde_yaml::from_str(&text).unwrap_or_else(|err| panic!("{file}: {err}"))
    } else {
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file}: {err}"))
    };
    if let Some(p) = &e.pointer {
        doc = doc
            .pointer(p)
            .cloned()
            .unwrap_or_else(|| panic!("{file}: no {p}"));
    }
    if e.parse.as_deref() == Some("json") {
        doc = serde_json::from_str(doc.as_str().expect("a string to parse")).unwrap();
    }
    doc
}

#[test]
fn built_in_checks_give_the_expected_results_on_real_exports() {
    let Some(shared) = crosswalk_testkit::shared_data("built-in checks on real exports") else {
        return;
    };
    let entries: Vec<Entry> =
        serde_yaml::from_str(include_str!("realworld.yaml")).expect("realworld.yaml");
    let checks = crosswalk_checks::builtin().unwrap();
    let now = "2026-12-01T00:00:00Z".parse().unwrap();
    let mut covered = BTreeSet::new();
    let mut fails = 0;
    for e in &entries {
        let doc = match &e.file {
            Some(f) => document(&shared, e, f),
            None => Value::Array(e.files.iter().map(|f| document(&shared, e, f)).collect()),
        };
        let docs = BTreeMap::from([(e.dataset.clone(), &doc)]);
        let mut got = Vec::new();
        for c in checks
            .iter()
            .filter(|c| c.dataset == e.dataset && c.datasets.is_empty())
        {
            for o in c.run(&docs, now, true).unwrap() {
                got.push(Expect {
                    check: o.check,
                    resource: o.resource,
                    status: o.status.as_str().to_owned(),
                });
            }
        }
        let mut want = e.expect.clone();
        got.sort();
        want.sort();
        assert_eq!(
            got,
            want,
            "{} from {:?}",
            e.dataset,
            e.file.as_ref().or(e.files.first())
        );
        fails += want.iter().filter(|x| x.status == "fail").count();
        covered.extend(want.into_iter().map(|x| x.check));
    }
    assert!(
        covered.len() >= 50,
        "{} checks met real data",
        covered.len()
    );
    assert!(fails >= 20, "{fails} failures found in real data");
}

#[test]
fn every_built_in_check_passes_and_fails_on_its_fixtures() {
    let checks = crosswalk_checks::builtin().unwrap();
    assert!(checks.len() >= 40, "{} built-in checks", checks.len());
    let rego = checks
        .iter()
        .filter(|c| c.engine == crosswalk_checks::Engine::Rego)
        .count();
    assert!(rego >= 8, "{rego} Rego checks");
    for prefix in ["aws.", "github.", "okta.", "k8s.", "hr."] {
        assert!(
            checks.iter().any(|c| c.id.starts_with(prefix)),
            "no {prefix} check"
        );
    }
    let failed: Vec<String> = checks
        .iter()
        .filter_map(|c| c.test().err().map(|e| format!("{}: {e}", c.id)))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    for c in checks {
        assert!(!c.requirements.is_empty(), "{} states no requirement", c.id);
        assert!(!c.summary.is_empty(), "{} has no summary", c.id);
    }
}

#[test]
fn the_requirements_checks_state_exist_in_the_library() {
    let lib = &crosswalk_library::builtin().unwrap().library;
    let checks = crosswalk_checks::builtin().unwrap();
    for c in checks {
        for (fw, ids) in &c.requirements {
            let f = lib
                .frameworks()
                .iter()
                .find(|f| f.id().as_str() == fw)
                .unwrap_or_else(|| panic!("{}: no framework {fw}", c.id));
            for id in ids {
                assert!(f.find_loose(id).is_some(), "{}: {fw} has no {id}", c.id);
            }
        }
    }
}
