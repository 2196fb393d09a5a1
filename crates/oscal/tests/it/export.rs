//! Every OSCAL document we write validates against NIST's OSCAL 1.2.1 JSON schemas, and
//! reads back to what was exported.

use std::path::Path;

use crosswalk_oscal::{
    ExportOptions, ImportOptions, catalog_json, catalog_to_framework, framework_to_catalog,
    mapping_collection, read_mapping_collection, read_str, resolve_profile,
};
use serde_json::{Value, json};

use super::shared_data;

fn validator(data: &Path, model: &str) -> jsonschema::Validator {
    let path = data.join(format!("oscal/schemas/1.2.1/oscal_{model}_schema.json"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(5)
        .map(|e| {
            format!(
                "{} at {} ({})",
                e.to_string()
                    .chars()
                    .rev()
                    .take(200)
                    .collect::<String>()
                    .chars()
                    .rev()
                    .collect::<String>(),
                e.instance_path(),
                e.schema_path()
            )
        })
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

fn opts() -> ExportOptions {
    ExportOptions {
        now: "2026-11-30T09:00:00Z".into(),
    }
}

#[test]
fn every_built_in_framework_exports_as_a_valid_catalog_and_reads_back() {
    let Some(data) =
        shared_data("every_built_in_framework_exports_as_a_valid_catalog_and_reads_back")
    else {
        return;
    };
    let v = validator(&data, "catalog");
    let lib = &crosswalk_library::builtin().unwrap().library;
    for fw in lib.frameworks() {
        let body = framework_to_catalog(fw, &opts());
        let text = catalog_json(&body);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_valid(&v, &doc, fw.id().as_str());
        let back = read_str(Path::new("export.json"), &text).unwrap().body;
        let again = catalog_to_framework(
            &back,
            ImportOptions {
                meta: fw.meta.clone(),
                include_text: true,
                skip_withdrawn: false,
            },
        )
        .unwrap();
        let ids = |f: &crosswalk_core::framework::Framework| {
            f.requirements()
                .iter()
                .map(|r| {
                    (
                        r.id.to_string(),
                        r.parent.as_ref().map(ToString::to_string),
                        r.summary.clone(),
                    )
                })
                .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(
            ids(&again),
            ids(fw),
            "{}: ids, parents and summaries survive",
            fw.id()
        );
    }
}

#[test]
fn every_built_in_mapping_set_exports_as_a_valid_mapping_collection_and_reads_back() {
    let Some(data) = shared_data(
        "every_built_in_mapping_set_exports_as_a_valid_mapping_collection_and_reads_back",
    ) else {
        return;
    };
    let v = validator(&data, "mapping");
    let lib = &crosswalk_library::builtin().unwrap().library;
    assert!(!lib.mapping_sets().is_empty());
    for set in lib.mapping_sets() {
        let from = lib.resolve(set.meta.from.as_str()).unwrap();
        let to = lib.resolve(set.meta.to.as_str()).unwrap();
        let body = mapping_collection(set, from, to, &opts());
        let doc = json!({ "mapping-collection": body });
        assert_valid(&v, &doc, set.meta.id.as_str());
        let back = read_mapping_collection(&body, &|_| None).unwrap();
        assert_eq!(back.len(), 1);
        let pairs = |s: &crosswalk_core::mapping::MappingSet| {
            s.mappings()
                .iter()
                .map(|m| {
                    (
                        m.from.to_string(),
                        m.to.to_string(),
                        m.relationship,
                        m.strength,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(pairs(&back[0]), pairs(set), "{}", set.meta.id);
        assert_eq!(back[0].meta.provenance, set.meta.provenance);
    }
}

#[test]
fn resolved_baselines_validate() {
    let Some(data) = shared_data("resolved_baselines_validate") else {
        return;
    };
    let v = validator(&data, "catalog");
    let dir = data.join("oscal/nist-800-53r5-v5.0.1");
    let catalog = dir.join("NIST_SP-800-53_rev5_catalog.json");
    for level in ["LOW", "PRIVACY"] {
        let body = resolve_profile(
            &dir.join(format!("NIST_SP-800-53_rev5_{level}-baseline_profile.json")),
            Some(&catalog),
        )
        .unwrap();
        assert_valid(&v, &json!({ "catalog": body }), level);
    }
}
