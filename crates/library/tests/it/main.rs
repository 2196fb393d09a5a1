//! Tests of the built-in library: exact identifier sets and counts of every catalog, the
//! structural invariants across the whole library, and loading user libraries.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod breadth;
mod catalogs;
mod cis_csf;
mod cis_hipaa;
mod cloud;
mod eu_law;
mod eu_maps;
mod fuzz;
mod gdpr;
mod gdpr_maps;
mod hostile;
mod iso_cloud_e8;
mod mappings;
mod nist53;
mod nist_new;
mod pci;
mod pci_map;
mod program;
mod shared_data;
mod soc2_maps;
mod soc2_pof;
mod user_library;

use std::collections::BTreeSet;

use crosswalk_core::framework::Framework;
pub use shared_data::shared_data;

pub fn builtin() -> &'static crosswalk_library::Catalog {
    crosswalk_library::builtin().expect("built-in library decodes")
}

pub fn framework(id: &str) -> &'static Framework {
    builtin()
        .library
        .resolve(id)
        .unwrap_or_else(|| panic!("framework {id} is in the built-in library"))
}

/// A built-in mapping set by id.
pub fn mapping_set(id: &str) -> &'static crosswalk_core::mapping::MappingSet {
    builtin()
        .library
        .mapping_sets()
        .iter()
        .find(|s| s.meta.id.as_str() == id)
        .unwrap_or_else(|| panic!("mapping set {id}"))
}

/// The relationship a set states from `from` to `to`, if it maps them.
pub fn relationship(
    s: &crosswalk_core::mapping::MappingSet,
    from: &str,
    to: &str,
) -> Option<crosswalk_core::mapping::Relationship> {
    s.mappings()
        .iter()
        .find(|m| m.from.as_str() == from && m.to.as_str() == to)
        .map(|m| m.relationship)
}

/// `prefix` followed by each number of `range`, e.g. `seq("A.5.", 1..=3)` = A.5.1, A.5.2, A.5.3.
pub fn seq(prefix: &str, range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("{prefix}{n}")).collect()
}

pub fn ids_where(
    fw: &Framework,
    pred: impl Fn(&crosswalk_core::framework::Requirement) -> bool,
) -> BTreeSet<String> {
    fw.requirements()
        .iter()
        .filter(|r| pred(r))
        .map(|r| r.id.to_string())
        .collect()
}

pub fn set(items: impl IntoIterator<Item = impl Into<String>>) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

/// The text of a framework file: `id` of `family` (named after it), with requirements
/// given as (id, parent, kind), in order; the controls are assessable.
pub fn framework_file(
    id: &str,
    family: &str,
    requirements: &[(&str, Option<&str>, &str)],
) -> String {
    let mut text = format!(
        "kind = \"framework\"\nversion = 1\n\n[framework]\nid = \"{id}\"\nfamily = \"{family}\"\ncurrent = true\nname = \"{family}\"\nversion = \"1\"\npublisher = \"X\"\n"
    );
    for (req, parent, kind) in requirements {
        text.push_str(&format!("\n[[requirements]]\nid = \"{req}\"\n"));
        if let Some(parent) = parent {
            text.push_str(&format!("parent = \"{parent}\"\n"));
        }
        text.push_str(&format!(
            "title = \"{req}\"\nsummary = \"s\"\nkind = \"{kind}\"\nassessable = {}\n",
            *kind == "control"
        ));
    }
    text
}
