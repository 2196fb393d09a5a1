//! The curated SOC 2 (TSC 2017) crosswalks to ISO/IEC 27001:2022, ISO/IEC 27701:2025 and
//! ISO/IEC 42001:2023: ids exist on both sides, typed rather than all `intersects`, the
//! exact number of criteria each fully covers, and a handful of pairs by relationship.

use std::collections::BTreeSet;

use crosswalk_core::crosswalk::{Graph, OverlapCount, Reach};
use crosswalk_core::mapping::{MappingSet, ProvenanceKind, Relationship as R};

use super::{builtin, framework, mapping_set, relationship};

const ISMS: &str = "soc2-2017--iso27001-2022";
const PIMS: &str = "soc2-2017--iso27701-2025";
const AIMS: &str = "soc2-2017--iso42001-2023";

fn count(s: &MappingSet, rel: R) -> usize {
    s.mappings()
        .iter()
        .filter(|m| m.relationship == rel)
        .count()
}

/// How the target framework covers the 61 criteria, direct mappings only.
fn coverage(target: &str) -> OverlapCount {
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let idx = |f: &str| lib.index_of(framework(f).id()).unwrap() as u32;
    graph.overlap(
        lib,
        idx("soc2-2017"),
        idx(target),
        Reach {
            max_depth: 1,
            include_related: true,
        },
    )
}

/// Sources of subset or equivalent pairs: the criteria a single target requirement
/// fully covers.
fn fully_covered(s: &MappingSet) -> BTreeSet<&str> {
    s.mappings()
        .iter()
        .filter(|m| matches!(m.relationship, R::Subset | R::Equivalent | R::Equal))
        .map(|m| m.from.as_str())
        .collect()
}

#[test]
fn every_id_exists_and_the_headers_are_honest() {
    let soc2 = framework("soc2-2017");
    for (id, target) in [
        (ISMS, "iso27001-2022"),
        (PIMS, "iso27701-2025"),
        (AIMS, "iso42001-2023"),
    ] {
        let s = mapping_set(id);
        assert_eq!(s.meta.from.as_str(), "soc2-2017");
        assert_eq!(s.meta.to.as_str(), target);
        assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
        assert_eq!(s.meta.publisher, "crosswalk");
        assert!(s.meta.review.contains("not independently reviewed"), "{id}");
        let to = framework(target);
        for m in s.mappings() {
            let from = soc2.requirement(m.from.as_str()).unwrap_or_else(|| {
                panic!("{id}: {} is a SOC 2 requirement", m.from);
            });
            assert!(from.assessable, "{id}: {} is a criterion", m.from);
            let t = to
                .requirement(m.to.as_str())
                .unwrap_or_else(|| panic!("{id}: {} is in {target}", m.to));
            assert!(t.assessable, "{id}: {} is assessable", m.to);
            assert!(m.strength.is_some(), "{id}: {} → {}", m.from, m.to);
            if m.relationship != R::Intersects {
                assert!(
                    m.confidence.is_some(),
                    "{id}: typed pair {} → {} states its confidence",
                    m.from,
                    m.to
                );
            }
        }
    }
}

#[test]
fn iso27001_set_is_typed_not_mostly_intersects() {
    let s = mapping_set(ISMS);
    let total = s.mappings().len();
    assert_eq!(total, 115);
    assert_eq!(count(s, R::Intersects), 68);
    assert_eq!(count(s, R::Superset), 33);
    assert_eq!(count(s, R::Subset), 8);
    assert_eq!(count(s, R::Equivalent), 6);
    assert!(
        count(s, R::Intersects) * 100 < 60 * total,
        "fewer than 60 % of pairs are intersects"
    );
    // Every one of the 61 criteria keeps at least one counterpart.
    let criteria: BTreeSet<&str> = framework("soc2-2017")
        .requirements()
        .iter()
        .filter(|r| r.assessable)
        .map(|r| r.id.as_str())
        .collect();
    let sources: BTreeSet<&str> = s.mappings().iter().map(|m| m.from.as_str()).collect();
    assert_eq!(sources, criteria);
    assert!(!s.mappings().iter().any(|m| m.to.as_str() == "A.5.31"));
}

#[test]
fn iso27001_fully_covers_13_criteria() {
    let s = mapping_set(ISMS);
    let full: BTreeSet<&str> = [
        "CC3.2", "CC5.1", "CC5.2", "CC6.2", "CC6.5", "CC7.1", "CC7.2", "CC7.3", "CC7.4", "A1.1",
        "A1.3", "C1.2", "P4.3",
    ]
    .into_iter()
    .collect();
    assert_eq!(fully_covered(s), full);
    let o = coverage("iso27001-2022");
    assert_eq!(o.total, 61);
    assert_eq!((o.full, o.partial, o.none), (13, 48, 0), "{o:?}");
}

#[test]
fn iso27001_pairs() {
    let s = mapping_set(ISMS);
    for (from, to, rel) in [
        ("CC7.1", "A.8.8", R::Subset),
        ("CC3.2", "6.1.2", R::Subset),
        ("CC5.1", "6.1.3", R::Subset),
        ("CC6.2", "A.5.16", R::Subset),
        ("A1.3", "A.5.30", R::Subset),
        ("P4.3", "A.8.10", R::Subset),
        ("CC7.2", "A.8.16", R::Equivalent),
        ("CC7.3", "A.5.25", R::Equivalent),
        ("CC6.5", "A.7.14", R::Equivalent),
        ("A1.1", "A.8.6", R::Equivalent),
        ("C1.2", "A.8.10", R::Equivalent),
        ("CC9.2", "A.5.19", R::Superset),
        ("CC6.4", "A.7.2", R::Superset),
        ("CC8.1", "A.8.32", R::Superset),
        ("CC6.1", "A.8.5", R::Superset),
        ("CC4.1", "9.2.1", R::Superset),
        ("CC6.8", "A.8.7", R::Intersects),
        ("CC6.3", "A.5.18", R::Intersects),
        ("P1.1", "A.5.34", R::Intersects),
    ] {
        assert_eq!(relationship(s, from, to), Some(rel), "{from} → {to}");
    }
}

#[test]
fn iso27701_set_maps_privacy_to_the_controller_controls() {
    let s = mapping_set(PIMS);
    assert_eq!(s.mappings().len(), 82);
    assert_eq!(count(s, R::Intersects), 61);
    assert_eq!(count(s, R::Superset), 13);
    assert_eq!(count(s, R::Subset), 4);
    assert_eq!(count(s, R::Equivalent), 4);
    // Every privacy criterion has a counterpart; processing integrity has none.
    let sources: BTreeSet<&str> = s.mappings().iter().map(|m| m.from.as_str()).collect();
    let privacy: BTreeSet<&str> = framework("soc2-2017")
        .requirements()
        .iter()
        .filter(|r| r.assessable && r.id.as_str().starts_with('P'))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(privacy.len(), 23);
    let (pi, p): (BTreeSet<&str>, BTreeSet<&str>) =
        privacy.into_iter().partition(|id| id.starts_with("PI"));
    assert_eq!((pi.len(), p.len()), (5, 18));
    assert!(p.is_subset(&sources));
    assert!(pi.is_disjoint(&sources));
    let full: BTreeSet<&str> = [
        "P1.1", "P4.1", "P4.2", "P4.3", "P6.2", "P6.3", "P6.6", "P7.1",
    ]
    .into_iter()
    .collect();
    assert_eq!(fully_covered(s), full);
    let o = coverage("iso27701-2025");
    assert_eq!((o.full, o.partial, o.none), (8, 32, 21), "{o:?}");
    for (from, to, rel) in [
        ("P1.1", "A.1.3.4", R::Equivalent),
        ("P4.2", "A.1.4.8", R::Equivalent),
        ("P7.1", "A.1.4.4", R::Equivalent),
        ("P4.1", "A.1.4.3", R::Subset),
        ("P6.2", "A.1.5.5", R::Subset),
        ("P6.6", "A.3.12", R::Subset),
        ("P3.1", "A.1.4.2", R::Superset),
        ("P5.1", "A.1.3.9", R::Superset),
        ("CC4.1", "A.3.15", R::Superset),
        ("CC6.7", "A.1.4.10", R::Superset),
        ("CC3.2", "6.1.2", R::Intersects),
        ("P5.2", "A.1.3.7", R::Intersects),
    ] {
        assert_eq!(relationship(s, from, to), Some(rel), "{from} → {to}");
    }
}

#[test]
fn iso42001_set_shares_ground_but_covers_nothing_fully() {
    let s = mapping_set(AIMS);
    assert_eq!(s.mappings().len(), 36);
    assert_eq!(
        count(s, R::Intersects),
        36,
        "different subjects: all intersects"
    );
    assert!(fully_covered(s).is_empty());
    let o = coverage("iso42001-2023");
    assert_eq!((o.full, o.partial, o.none), (0, 21, 40), "{o:?}");
    for (from, to) in [
        ("CC9.2", "A.10.3"),
        ("CC7.4", "A.8.4"),
        ("CC2.2", "A.3.3"),
        ("CC1.3", "A.3.2"),
        ("CC3.2", "6.1.2"),
        ("CC5.3", "A.2.3"),
        ("P7.1", "A.7.4"),
    ] {
        assert_eq!(
            relationship(s, from, to),
            Some(R::Intersects),
            "{from} → {to}"
        );
    }
    assert_eq!(
        relationship(s, "CC6.1", "A.4.5"),
        None,
        "access control has no AI counterpart"
    );
}
