//! ISO/IEC 27701 (2019 and 2025) to GDPR at paragraph level: every pair targets an
//! assessable paragraph or point, the sets have their exact sizes, key pairs keep their
//! typed relationships, and the 2025 set reaches an exact share of the controller duties.

use std::collections::BTreeSet;

use crosswalk_core::mapping::{MappingSet, Relationship};

use crate::{framework, mapping_set, relationship, set};

const V2019: &str = "iso27701-2019--gdpr-2016";
const V2025: &str = "iso27701-2025--gdpr-2016";

fn targets_of(s: &MappingSet, from: &str) -> BTreeSet<String> {
    s.mappings()
        .iter()
        .filter(|m| m.from.as_str() == from)
        .map(|m| m.to.to_string())
        .collect()
}

fn count(s: &MappingSet, r: Relationship) -> usize {
    s.mappings().iter().filter(|m| m.relationship == r).count()
}

#[test]
fn every_target_is_an_assessable_gdpr_node() {
    let gdpr = framework("gdpr-2016");
    for id in [V2019, V2025] {
        let s = mapping_set(id);
        assert_eq!(s.meta.to.as_str(), "gdpr-2016");
        assert!(
            s.meta.title.ends_with("paragraph level"),
            "{}",
            s.meta.title
        );
        for m in s.mappings() {
            let r = gdpr
                .requirement(m.to.as_str())
                .unwrap_or_else(|| panic!("{id}: {} → {} exists", m.from, m.to));
            assert!(r.assessable, "{id}: {} → {} is assessable", m.from, m.to);
        }
    }
}

#[test]
fn pair_counts_and_relationship_mix() {
    let old = mapping_set(V2019);
    assert_eq!(old.mappings().len(), 324);
    let sources: BTreeSet<&str> = old.mappings().iter().map(|m| m.from.as_str()).collect();
    assert_eq!(
        sources.len(),
        93,
        "31 A.7, 18 B.8, 12 clause 5 and 32 clause 6 subclauses"
    );
    let new = mapping_set(V2025);
    assert_eq!(new.mappings().len(), 324);
    let sources: BTreeSet<&str> = new.mappings().iter().map(|m| m.from.as_str()).collect();
    assert_eq!(
        sources.len(),
        90,
        "31 A.1, 18 A.2, 29 A.3 controls and 12 clauses"
    );
    for s in [old, new] {
        assert_eq!(count(s, Relationship::Related), 183);
        assert_eq!(count(s, Relationship::Intersects), 123);
        assert_eq!(count(s, Relationship::Superset), 11);
        assert_eq!(count(s, Relationship::Subset), 7);
        let targets: BTreeSet<&str> = s.mappings().iter().map(|m| m.to.as_str()).collect();
        assert_eq!(targets.len(), 160, "{}", s.meta.id);
    }
}

#[test]
fn key_pairs_keep_their_relationships() {
    let old = mapping_set(V2019);
    let new = mapping_set(V2025);
    use Relationship::*;
    for (s, from, to, rel) in [
        (old, "A.7.2.1", "Art.5(1)(b)", Subset),
        (old, "A.7.2.8", "Art.30(1)(g)", Superset),
        (old, "6.13.1.5", "Art.33(5)", Intersects),
        (old, "B.8.5.7", "Art.28(4)", Intersects),
        (old, "B.8.2.4", "Art.28(3)(h)", Intersects),
        (new, "A.1.2.9", "Art.30(1)(b)", Superset),
        (new, "A.1.2.6", "Art.35(1)", Intersects),
        (new, "A.1.2.7", "Art.28(3)(a)", Intersects),
        (new, "A.1.4.6", "Art.5(1)(e)", Subset),
        (new, "A.1.3.5", "Art.7(3)", Intersects),
        (new, "A.2.2.3", "Art.29", Intersects),
        (new, "A.3.12", "Art.33(1)", Intersects),
        (new, "A.3.26", "Art.32(1)(a)", Related),
        (new, "A.3.5", "Art.32(2)", Related),
    ] {
        assert_eq!(
            relationship(s, from, to),
            Some(rel),
            "{}: {from} → {to}",
            s.meta.id
        );
    }
    // Article headings are never targets.
    for to in ["Art.5", "Art.28", "Art.30", "Art.32", "Art.33", "Art.35"] {
        assert!(!new.mappings().iter().any(|m| m.to.as_str() == to), "{to}");
    }
}

#[test]
fn records_breach_and_dpia_controls_reach_their_points() {
    let new = mapping_set(V2025);
    assert_eq!(
        targets_of(new, "A.1.2.9"),
        set([
            "Art.5(2)",
            "Art.30(1)(a)",
            "Art.30(1)(b)",
            "Art.30(1)(c)",
            "Art.30(1)(d)",
            "Art.30(1)(e)",
            "Art.30(1)(f)",
            "Art.30(1)(g)",
            "Art.30(3)",
            "Art.30(4)",
        ])
    );
    assert_eq!(
        targets_of(new, "A.3.12"),
        set([
            "Art.33(1)",
            "Art.33(2)",
            "Art.33(3)(a)",
            "Art.33(3)(b)",
            "Art.33(3)(c)",
            "Art.33(3)(d)",
            "Art.33(4)",
            "Art.33(5)",
            "Art.34(1)",
            "Art.34(2)",
        ])
    );
    assert_eq!(
        targets_of(new, "A.1.2.6"),
        set([
            "Art.35(1)",
            "Art.35(2)",
            "Art.35(3)",
            "Art.35(7)(a)",
            "Art.35(7)(b)",
            "Art.35(7)(c)",
            "Art.35(7)(d)",
            "Art.35(9)",
            "Art.35(11)",
            "Art.36(1)",
        ])
    );
    let contract = targets_of(new, "A.1.2.7");
    for c in 'a'..='h' {
        assert!(contract.contains(&format!("Art.28(3)({c})")), "{c}");
    }
    assert_eq!(contract.len(), 11);
}

/// Controls carried over unchanged from 2019 keep exactly their 2019 pairs.
#[test]
fn carried_over_controls_keep_their_2019_pairs() {
    let old = mapping_set(V2019);
    let new = mapping_set(V2025);
    for (o, n) in [
        ("A.7.2.2", "A.1.2.3"),
        ("A.7.3.2", "A.1.3.3"),
        ("A.7.5.1", "A.1.5.2"),
        ("B.8.2.6", "A.2.2.7"),
        ("B.8.5.7", "A.2.5.8"),
        ("6.13.1.5", "A.3.12"),
    ] {
        assert_eq!(targets_of(old, o), targets_of(new, n), "{o} / {n}");
        for to in targets_of(old, o) {
            assert_eq!(relationship(old, o, &to), relationship(new, n, &to));
        }
    }
}

/// Of GDPR's assessable nodes that bind a controller, the 2025 set reaches 152 of 170.
#[test]
fn share_of_controller_duties_reached_by_2025() {
    let gdpr = framework("gdpr-2016");
    let controller: BTreeSet<&str> = gdpr
        .requirements()
        .iter()
        .filter(|r| {
            r.assessable
                && r.attributes
                    .get("binds")
                    .is_some_and(|b| b.iter().any(|v| v == "controller"))
        })
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(controller.len(), 170);
    let reached: BTreeSet<&str> = mapping_set(V2025)
        .mappings()
        .iter()
        .map(|m| m.to.as_str())
        .collect();
    let hit = controller.intersection(&reached).count();
    assert_eq!((hit, controller.len()), (152, 170));
    let missing: BTreeSet<&str> = controller.difference(&reached).copied().collect();
    assert!(missing.contains("Art.36(3)(e)") && missing.contains("Art.89(1)"));
    assert!(!missing.contains("Art.30(1)(a)") && !missing.contains("Art.33(1)"));
}
