//! Importing NIST's OSCAL catalogs (JSON and XML) as frameworks.

use std::collections::BTreeSet;

use crosswalk_core::framework::{Framework, RequirementKind as K};
use crosswalk_core::ids::FrameworkId;
use crosswalk_oscal::{
    ImportOptions, catalog_meta, catalog_to_framework, node_to_framework, read, read_catalog,
};

use super::shared_data;

fn import(path: &std::path::Path, id: &str, include_text: bool) -> Framework {
    let node = read_catalog(path).unwrap().unwrap();
    let meta = catalog_meta(&node, FrameworkId::parse(id).unwrap());
    let opts = |meta| ImportOptions {
        meta,
        include_text,
        skip_withdrawn: true,
    };
    let fw = node_to_framework(&node, opts(meta.clone())).unwrap();
    // The document-tree route (XML, resolved profiles) gives the same framework.
    let body = read(path).unwrap().body;
    assert_eq!(catalog_to_framework(&body, opts(meta)).unwrap(), fw);
    fw
}

fn count(fw: &Framework, kind: K) -> usize {
    fw.requirements().iter().filter(|r| r.kind == kind).count()
}

#[test]
fn sp_800_53_json_catalog_matches_the_built_in_identifiers() {
    let Some(data) = shared_data("sp_800_53_json_catalog_matches_the_built_in_identifiers") else {
        return;
    };
    let fw = import(
        &data.join("oscal/nist-800-53r5-v5.0.1/NIST_SP-800-53_rev5_catalog.json"),
        "sp800-53",
        true,
    );
    assert_eq!(
        fw.meta.publisher,
        "Joint Task Force, Interagency Working Group"
    );
    assert_eq!(fw.meta.version, "5.0.1");
    assert_eq!(count(&fw, K::Group), 20, "families");
    assert_eq!(
        fw.assessable_count(),
        1007,
        "controls and enhancements in force"
    );
    let ac2_1 = fw.requirement("AC-2(1)").unwrap();
    assert_eq!(ac2_1.parent.as_ref().unwrap().as_str(), "AC-2");
    assert_eq!(ac2_1.title, "Automated System Account Management");
    assert!(
        ac2_1
            .summary
            .starts_with("Support the management of system accounts"),
        "{}",
        ac2_1.summary
    );
    // Our shipped catalog (identifiers only) has exactly the same ids.
    let ours = crosswalk_library::builtin().unwrap();
    let ours = ours.library.resolve("nist-800-53r5").unwrap();
    let a: BTreeSet<&str> = fw.requirements().iter().map(|r| r.id.as_str()).collect();
    let b: BTreeSet<&str> = ours.requirements().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(a, b);
}

#[test]
fn csf_2_0_xml_catalog_imports_the_core() {
    let Some(data) = shared_data("csf_2_0_xml_catalog_imports_the_2_0_core") else {
        return;
    };
    let fw = import(
        &data.join("oscal/nist-csf-2.0/NIST_CSF_v2.0_catalog.xml"),
        "csf",
        false,
    );
    // NIST's file carries the 2.0 core and, unmarked, the CSF 1.1 categories and
    // subcategories it replaced (ID.BE, PR.AC …): an import keeps what the file holds.
    assert_eq!(count(&fw, K::Group), 6, "functions");
    assert_eq!(count(&fw, K::Category), 34, "categories");
    assert_eq!(count(&fw, K::Subcategory), 185, "subcategories");
    let r = fw.requirement("PR.AA-01").unwrap();
    assert_eq!(r.parent.as_ref().unwrap().as_str(), "PR.AA");
    assert!(r.summary.is_empty(), "no publisher text unless asked");
    let ours = crosswalk_library::builtin().unwrap();
    let ours = ours.library.resolve("nist-csf-2.0").unwrap();
    let a: BTreeSet<&str> = fw.requirements().iter().map(|r| r.id.as_str()).collect();
    let b: BTreeSet<&str> = ours.requirements().iter().map(|r| r.id.as_str()).collect();
    assert!(
        b.is_subset(&a),
        "every CSF 2.0 element we ship is in NIST's catalog"
    );
    assert_eq!(a.difference(&b).count(), 12 + 79, "the 1.1 leftovers");
}

#[test]
fn sp_800_171r3_xml_catalog_imports_97_requirements_in_17_families() {
    let Some(data) = shared_data("sp_800_171r3_xml_catalog_imports_97_requirements_in_17_families")
    else {
        return;
    };
    let fw = import(
        &data.join("oscal/nist-800-171r3/NIST_SP800-171_rev3_catalog.xml"),
        "sp800-171r3",
        true,
    );
    assert_eq!(count(&fw, K::Group), 17);
    assert_eq!(fw.assessable_count(), 97);
    let r = fw.requirement("03.01.01").unwrap();
    assert_eq!(r.title, "Account Management");
    assert!(!r.summary.is_empty());
}
