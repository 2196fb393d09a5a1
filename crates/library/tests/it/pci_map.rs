//! The curated PCI DSS v4.0.1 → ISO/IEC 27001:2022 crosswalk: ids exist and are
//! assessable on both sides, the pair count and relationship mix, every requirement of
//! Requirements 1–12 mapped, exact pairs, and a direct overlap on the comparison page.

use std::collections::BTreeSet;

use crosswalk_core::compare::compare;
use crosswalk_core::mapping::{MappingSet, ProvenanceKind, Relationship as R};

use super::{builtin, framework};

const SET: &str = "pci-dss-4.0.1--iso27001-2022";

fn mapping_set() -> &'static MappingSet {
    builtin()
        .library
        .mapping_sets()
        .iter()
        .find(|s| s.meta.id.as_str() == SET)
        .unwrap_or_else(|| panic!("mapping set {SET}"))
}

fn relationship(from: &str, to: &str) -> Option<R> {
    mapping_set()
        .mappings()
        .iter()
        .find(|m| m.from.as_str() == from && m.to.as_str() == to)
        .map(|m| m.relationship)
}

fn count(rel: R) -> usize {
    mapping_set()
        .mappings()
        .iter()
        .filter(|m| m.relationship == rel)
        .count()
}

/// The assessable PCI requirements of Requirements 1–12 (not the appendices).
fn principal_requirements() -> BTreeSet<&'static str> {
    framework("pci-dss-4.0.1")
        .requirements()
        .iter()
        .filter(|r| r.assessable && !r.id.as_str().starts_with('A'))
        .map(|r| r.id.as_str())
        .collect()
}

#[test]
fn every_id_exists_and_is_assessable() {
    let s = mapping_set();
    assert_eq!(s.meta.from.as_str(), "pci-dss-4.0.1");
    assert_eq!(s.meta.to.as_str(), "iso27001-2022");
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    assert_eq!(s.meta.publisher, "crosswalk");
    assert!(s.meta.review.contains("not yet independently reviewed"));
    let (pci, iso) = (framework("pci-dss-4.0.1"), framework("iso27001-2022"));
    for m in s.mappings() {
        let from = pci
            .requirement(m.from.as_str())
            .unwrap_or_else(|| panic!("{} is a PCI DSS requirement", m.from));
        assert!(from.assessable, "{} is assessable", m.from);
        let to = iso
            .requirement(m.to.as_str())
            .unwrap_or_else(|| panic!("{} is an ISO/IEC 27001 requirement", m.to));
        assert!(to.assessable, "{} is assessable", m.to);
        assert!(m.strength.is_some(), "{} → {}: strength", m.from, m.to);
        if m.relationship != R::Intersects {
            assert!(m.confidence.is_some(), "{} → {}: confidence", m.from, m.to);
        }
    }
}

#[test]
fn pair_count_and_relationship_mix() {
    let total = mapping_set().mappings().len();
    assert_eq!(total, 457);
    assert_eq!(count(R::Intersects), 258);
    assert_eq!(count(R::Superset), 192);
    assert_eq!(count(R::Subset), 6);
    assert_eq!(count(R::Equivalent), 1);
    assert_eq!(count(R::Equal) + count(R::Related), 0);
    assert_eq!(count(R::NoRelationship), 0);
}

#[test]
fn every_principal_requirement_is_mapped() {
    let principal = principal_requirements();
    assert_eq!(principal.len(), 250);
    let sources: BTreeSet<&str> = mapping_set()
        .mappings()
        .iter()
        .map(|m| m.from.as_str())
        .collect();
    let mapped: BTreeSet<&str> = sources.intersection(&principal).copied().collect();
    assert!(mapped.len() >= 240);
    assert_eq!(mapped, principal);
    // Of the 30 appendix requirements only A3.2.5.1 is left without a pair.
    let appendix: BTreeSet<&str> = sources.difference(&principal).copied().collect();
    assert_eq!(appendix.len(), 29);
    assert!(!sources.contains("A3.2.5.1"));
    // The requirements a single ISO requirement fully covers.
    let full: BTreeSet<&str> = mapping_set()
        .mappings()
        .iter()
        .filter(|m| matches!(m.relationship, R::Subset | R::Equivalent))
        .map(|m| m.from.as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "6.5.3", "7.2.3", "8.2.1", "9.4.2", "10.6.1", "12.5.1", "12.7.1",
    ]
    .into_iter()
    .collect();
    assert_eq!(full, expected);
}

#[test]
fn exact_pairs() {
    for (from, to, rel) in [
        ("8.2.1", "A.5.16", R::Subset),
        ("12.7.1", "A.6.1", R::Subset),
        ("6.5.3", "A.8.31", R::Subset),
        ("10.6.1", "A.8.17", R::Equivalent),
        ("8.3.6", "A.5.17", R::Superset),
        ("7.2.4", "A.5.18", R::Superset),
        ("3.4.1", "A.8.11", R::Superset),
        ("6.3.3", "A.8.8", R::Superset),
        ("6.5.1", "A.8.32", R::Superset),
        ("12.10.1", "A.5.24", R::Superset),
        ("1.3.1", "A.8.22", R::Superset),
        ("10.2.1", "A.8.15", R::Superset),
        ("12.1.1", "5.2", R::Superset),
        ("12.5.2", "4.3", R::Intersects),
        ("12.3.1", "6.1.2", R::Intersects),
        ("9.5.1", "A.7.8", R::Intersects),
        ("11.3.2", "A.8.8", R::Superset),
        ("A3.2.6", "A.8.12", R::Superset),
    ] {
        assert_eq!(relationship(from, to), Some(rel), "{from} → {to}");
    }
    // Each "policies and procedures" and "roles and responsibilities" requirement of
    // Requirements 1–11 maps to A.5.37 and A.5.2.
    for n in 1..=11 {
        assert_eq!(
            relationship(&format!("{n}.1.1"), "A.5.37"),
            Some(R::Superset),
            "{n}.1.1"
        );
        assert_eq!(
            relationship(&format!("{n}.1.2"), "A.5.2"),
            Some(R::Superset),
            "{n}.1.2"
        );
    }
}

#[test]
fn comparison_page_has_a_direct_overlap() {
    let lib = &builtin().library;
    let (pci, iso) = (framework("pci-dss"), framework("iso27001"));
    assert_eq!(pci.id().as_str(), "pci-dss-4.0.1");
    assert_eq!(iso.id().as_str(), "iso27001-2022");
    let page = compare(lib, pci, iso).unwrap();
    let o = page.overlap.expect("pci-dss vs iso27001: overlap");
    assert!(!o.inferred, "the overlap comes from the curated set");
    assert!(o.via.is_empty());
    assert_eq!(
        (
            o.a_in_b.total,
            o.a_in_b.full,
            o.a_in_b.partial,
            o.a_in_b.none
        ),
        (280, 7, 272, 1)
    );
    // Superset and equivalent pairs fully cover the ISO requirement from the PCI side.
    assert_eq!(
        (o.b_in_a.total, o.b_in_a.full, o.b_in_a.partial),
        (123, 51, 36)
    );
}
