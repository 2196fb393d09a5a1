//! The curated CIS Controls v8.1 → NIST CSF 2.0 set, which completes NIST's official
//! informative references: ids exist and are assessable, no official pair is repeated,
//! the two sets split the 153 safeguards between them, counts, and exact pairs.

use std::collections::BTreeSet;

use crosswalk_core::crosswalk::{Graph, Reach};
use crosswalk_core::mapping::{Confidence, MappingSet, ProvenanceKind, Relationship as R};

use super::{builtin, framework, mapping_set};

const OFFICIAL: &str = "cis-controls-8.1--nist-csf-2.0";
const CURATED: &str = "cis-controls-8.1--nist-csf-2.0--curated";

fn pairs(s: &MappingSet) -> BTreeSet<(&str, &str)> {
    s.mappings()
        .iter()
        .map(|m| (m.from.as_str(), m.to.as_str()))
        .collect()
}

fn sources(s: &MappingSet) -> BTreeSet<&str> {
    s.mappings().iter().map(|m| m.from.as_str()).collect()
}

fn safeguards() -> BTreeSet<&'static str> {
    framework("cis-controls-8.1")
        .requirements()
        .iter()
        .filter(|r| r.assessable)
        .map(|r| r.id.as_str())
        .collect()
}

#[test]
fn curated_header_and_every_id_exists_and_is_assessable() {
    let s = mapping_set(CURATED);
    assert_eq!(s.meta.from.as_str(), "cis-controls-8.1");
    assert_eq!(s.meta.to.as_str(), "nist-csf-2.0");
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    assert_eq!(s.meta.publisher, "crosswalk");
    assert!(s.meta.review.contains("not independently reviewed"));
    assert_eq!(
        mapping_set(OFFICIAL).meta.provenance,
        ProvenanceKind::Official
    );
    let cis = framework("cis-controls-8.1");
    let csf = framework("nist-csf-2.0");
    for m in s.mappings() {
        let from = cis
            .requirement(m.from.as_str())
            .unwrap_or_else(|| panic!("{} is a CIS safeguard", m.from));
        assert!(from.assessable, "{} is a safeguard", m.from);
        assert!(
            !from.attributes.get("security_function").unwrap().is_empty(),
            "{} has a security function",
            m.from
        );
        let to = csf
            .requirement(m.to.as_str())
            .unwrap_or_else(|| panic!("{} is a CSF 2.0 requirement", m.to));
        assert!(to.assessable, "{} is a subcategory", m.to);
        assert!(m.to.as_str().contains('-'), "{} is a subcategory id", m.to);
        let strength = m
            .strength
            .unwrap_or_else(|| panic!("{} → {}", m.from, m.to));
        assert!((1..=10).contains(&strength), "{} → {}", m.from, m.to);
        assert!(m.rationale.is_some(), "{} → {}", m.from, m.to);
        assert!(m.confidence.is_some(), "{} → {}", m.from, m.to);
        assert!(
            m.note.as_deref().is_some_and(|n| !n.is_empty()),
            "{} → {} explains itself",
            m.from,
            m.to
        );
    }
}

#[test]
fn no_pair_repeats_the_official_set() {
    let official = pairs(mapping_set(OFFICIAL));
    let curated = pairs(mapping_set(CURATED));
    assert_eq!(official.len(), 62);
    assert_eq!(curated.len(), mapping_set(CURATED).mappings().len());
    let repeated: Vec<_> = official.intersection(&curated).collect();
    assert!(repeated.is_empty(), "{repeated:?}");
    // The curated set maps only the safeguards NIST's references leave out.
    assert!(sources(mapping_set(OFFICIAL)).is_disjoint(&sources(mapping_set(CURATED))));
}

#[test]
fn the_two_sets_map_every_one_of_the_153_safeguards() {
    let all = safeguards();
    assert_eq!(all.len(), 153);
    let official = sources(mapping_set(OFFICIAL));
    let curated = sources(mapping_set(CURATED));
    assert_eq!(official.len(), 49);
    assert_eq!(curated.len(), 104);
    let union: BTreeSet<&str> = official.union(&curated).copied().collect();
    assert_eq!(union, all);
    let missing: BTreeSet<&str> = all.difference(&official).copied().collect();
    assert_eq!(curated, missing);
    // The graph sees the same: every safeguard reaches CSF 2.0 in one step.
    let lib = &builtin().library;
    let idx = |f: &str| lib.index_of(framework(f).id()).unwrap() as u32;
    let o = Graph::new(lib).overlap(
        lib,
        idx("cis-controls-8.1"),
        idx("nist-csf-2.0"),
        Reach {
            max_depth: 1,
            include_related: true,
        },
    );
    assert_eq!(o.total, 153);
    assert_eq!((o.full, o.partial, o.none), (1, 152, 0), "{o:?}");
}

#[test]
fn curated_counts() {
    let s = mapping_set(CURATED);
    let count = |rel: R| {
        s.mappings()
            .iter()
            .filter(|m| m.relationship == rel)
            .count()
    };
    assert_eq!(s.mappings().len(), 179);
    assert_eq!(count(R::Intersects), 178);
    assert_eq!(count(R::Subset), 1);
    assert_eq!(count(R::Superset), 0);
    assert_eq!(
        count(R::Equivalent) + count(R::Equal) + count(R::Related),
        0
    );
    let targets: BTreeSet<&str> = s.mappings().iter().map(|m| m.to.as_str()).collect();
    assert_eq!(targets.len(), 48);
    let low = s
        .mappings()
        .iter()
        .filter(|m| m.confidence == Some(Confidence::Low))
        .count();
    assert_eq!(low, 1);
    // Safeguards per control that only the curated set maps.
    let per_control = |c: &str| {
        sources(s)
            .iter()
            .filter(|id| id.split('.').next() == Some(c))
            .count()
    };
    let counts: Vec<usize> = (1..=18).map(|c| per_control(&c.to_string())).collect();
    assert_eq!(
        counts,
        [3, 3, 6, 10, 4, 4, 5, 10, 7, 5, 2, 7, 10, 7, 0, 13, 3, 5]
    );
}

#[test]
fn exact_pairs() {
    let s = mapping_set(CURATED);
    let find = |from: &str, to: &str| {
        s.mappings()
            .iter()
            .find(|m| m.from.as_str() == from && m.to.as_str() == to)
            .unwrap_or_else(|| panic!("{from} → {to}"))
    };
    for (from, to, rel, strength) in [
        ("1.3", "ID.AM-01", R::Intersects, 6),
        ("2.6", "PR.PS-05", R::Intersects, 7),
        ("3.6", "PR.DS-01", R::Intersects, 6),
        ("4.8", "PR.PS-01", R::Intersects, 6),
        ("5.4", "PR.AA-05", R::Intersects, 6),
        ("6.3", "PR.AA-03", R::Intersects, 6),
        ("6.6", "ID.AM-02", R::Subset, 8),
        ("7.5", "ID.RA-01", R::Intersects, 7),
        ("8.12", "DE.CM-06", R::Intersects, 6),
        ("10.5", "PR.DS-10", R::Intersects, 4),
        ("11.4", "PR.DS-11", R::Intersects, 6),
        ("12.4", "ID.AM-03", R::Intersects, 7),
        ("13.4", "PR.IR-01", R::Intersects, 6),
        ("14.2", "PR.AT-01", R::Intersects, 6),
        ("16.2", "ID.RA-08", R::Intersects, 7),
        ("16.9", "PR.AT-02", R::Intersects, 6),
        ("17.1", "GV.RR-02", R::Intersects, 5),
        ("18.4", "ID.IM-02", R::Intersects, 6),
    ] {
        let m = find(from, to);
        assert_eq!(m.relationship, rel, "{from} → {to}");
        assert_eq!(m.strength, Some(strength), "{from} → {to}");
    }
    assert_eq!(find("4.11", "RS.MI-01").confidence, Some(Confidence::Low));
    // Pairs NIST already lists stay in the official set only.
    let official = pairs(mapping_set(OFFICIAL));
    for pair in [
        ("1.1", "ID.AM-01"),
        ("10.1", "DE.CM-09"),
        ("17.4", "RS.MA-01"),
    ] {
        assert!(official.contains(&pair), "{pair:?}");
        assert!(!pairs(s).contains(&pair), "{pair:?}");
    }
}
