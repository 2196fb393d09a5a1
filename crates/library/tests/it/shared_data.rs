//! Checks against NIST's own files in `../shared/data` (found through
//! `CROSSWALK_SHARED_DATA`). Skipped with a message when absent, except under `CI=true`.

use std::collections::BTreeMap;

use crosswalk_core::framework::RequirementKind as K;

use super::framework;

pub use crosswalk_testkit::shared_data;

/// Our CSF 2.0 catalog keeps exactly NIST's 2.0 structure: every function, category and
/// subcategory we ship exists in NIST's OSCAL catalog under the same parent, with NIST's
/// titles for functions and categories.
#[test]
fn csf_2_0_structure_matches_nists_oscal_catalog() {
    let Some(data) = shared_data("csf_2_0_structure_matches_nists_oscal_catalog") else {
        return;
    };
    let path = data.join("oscal/nist-csf-2.0/NIST_CSF_v2.0_catalog.xml");
    let xml = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    // id -> (parent id, title) for every group and control in NIST's file.
    let mut nist: BTreeMap<String, (Option<String>, String)> = BTreeMap::new();
    for node in doc
        .descendants()
        .filter(|n| matches!(n.tag_name().name(), "group" | "control"))
    {
        let Some(id) = node.attribute("id") else {
            continue;
        };
        let parent = node
            .parent_element()
            .filter(|p| matches!(p.tag_name().name(), "group" | "control"))
            .and_then(|p| p.attribute("id"))
            .map(String::from);
        let title = node
            .children()
            .find(|c| c.tag_name().name() == "title")
            .and_then(|t| t.text())
            .unwrap_or("")
            .trim()
            .to_owned();
        nist.insert(id.to_owned(), (parent, title));
    }
    let fw = framework("nist-csf-2.0");
    for r in fw.requirements() {
        let (parent, title) = nist
            .get(r.id.as_str())
            .unwrap_or_else(|| panic!("{} is not in NIST's catalog", r.id));
        assert_eq!(
            r.parent.as_ref().map(ToString::to_string),
            *parent,
            "parent of {}",
            r.id
        );
        if matches!(r.kind, K::Group | K::Category) {
            assert_eq!(&r.title, title, "title of {}", r.id);
        }
    }
    // NIST's file also carries withdrawn CSF 1.1 elements; ours has only the 2.0 ones.
    assert!(nist.len() > fw.requirements().len());
}
