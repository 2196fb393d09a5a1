//! Resolving NIST's SP 800-53 baselines and FedRAMP's rev5 baselines gives the publishers'
//! own resolved catalogs: the same controls in the same order, the same parameters, the
//! same added parts and properties.

use std::collections::BTreeMap;
use std::path::Path;

use crosswalk_oscal::{controls, read, resolve_profile};
use serde_json::Value;

use super::{control_ids, shared_data};

fn by_id(catalog: &Value) -> BTreeMap<String, &Value> {
    controls(catalog)
        .into_iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c))
        .collect()
}

/// A control without its child controls, for comparing one level at a time.
fn shallow(c: &Value) -> Value {
    let mut c = c.clone();
    c.as_object_mut().unwrap().remove("controls");
    c
}

/// Parameters reduced to what a baseline sets: id, label, values, selection, constraints
/// and guidelines (FedRAMP's resolved catalogs leave out the catalog's parameter props).
fn param_settings(c: &Value) -> Option<Vec<Value>> {
    let keep = [
        "id",
        "label",
        "values",
        "select",
        "constraints",
        "guidelines",
    ];
    c.get("params").and_then(Value::as_array).map(|ps| {
        ps.iter()
            .map(|p| {
                let o = p.as_object().unwrap();
                Value::Object(
                    o.iter()
                        .filter(|(k, _)| keep.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            })
            .collect()
    })
}

fn check(profile: &Path, catalog: &Path, expected: &Path, compare: &[&str]) {
    let ours = resolve_profile(profile, Some(catalog)).unwrap();
    let theirs = read(expected).unwrap().body;
    assert_eq!(
        control_ids(&ours),
        control_ids(&theirs),
        "{}: control ids",
        profile.display()
    );
    let (ours, theirs) = (by_id(&ours), by_id(&theirs));
    for (id, t) in &theirs {
        let o = shallow(ours[id]);
        let t = shallow(t);
        assert_eq!(
            param_settings(&o),
            param_settings(&t),
            "{}: {id}: parameters differ",
            profile.display()
        );
        for field in compare {
            assert_eq!(
                o.get(*field),
                t.get(*field),
                "{}: {id}: `{field}` differs",
                profile.display()
            );
        }
    }
}

#[test]
fn nist_baselines_resolve_to_nists_resolved_catalogs() {
    let Some(data) = shared_data("nist_baselines_resolve_to_nists_resolved_catalogs") else {
        return;
    };
    let dir = data.join("oscal/nist-800-53r5-v5.0.1");
    let catalog = dir.join("NIST_SP-800-53_rev5_catalog.json");
    for level in ["LOW", "MODERATE", "HIGH", "PRIVACY"] {
        check(
            &dir.join(format!("NIST_SP-800-53_rev5_{level}-baseline_profile.json")),
            &catalog,
            &dir.join(format!(
                "NIST_SP-800-53_rev5_{level}-baseline-resolved-profile_catalog.json"
            )),
            &["title", "class", "params", "props", "parts", "links"],
        );
    }
}

#[test]
fn nist_baseline_sizes() {
    let Some(data) = shared_data("nist_baseline_sizes") else {
        return;
    };
    let dir = data.join("oscal/nist-800-53r5-v5.0.1");
    let catalog = dir.join("NIST_SP-800-53_rev5_catalog.json");
    let count = |level: &str| {
        let p = dir.join(format!("NIST_SP-800-53_rev5_{level}-baseline_profile.json"));
        control_ids(&resolve_profile(&p, Some(&catalog)).unwrap()).len()
    };
    // NIST SP 800-53B: controls plus enhancements selected by each baseline.
    assert_eq!(count("LOW"), 149);
    assert_eq!(count("MODERATE"), 287);
    assert_eq!(count("HIGH"), 370);
    assert_eq!(count("PRIVACY"), 90);
}

#[test]
fn fedramp_baselines_resolve_to_fedramps_resolved_catalogs() {
    let Some(data) = shared_data("fedramp_baselines_resolve_to_fedramps_resolved_catalogs") else {
        return;
    };
    let high = data.join(
        "oscal/nist-800-53r5-v5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json",
    );
    let dir = data.join("oscal/fedramp-rev5");
    for level in ["LOW", "LI-SaaS"] {
        check(
            &dir.join(format!("FedRAMP_rev5_{level}-baseline_profile.json")),
            &high,
            &dir.join(format!(
                "FedRAMP_rev5_{level}-baseline-resolved-profile_catalog.json"
            )),
            &["title", "props", "parts"],
        );
    }
}
