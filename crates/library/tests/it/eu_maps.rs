//! The curated crosswalks from the EU regulations to their closest ISO management-system
//! standards: DORA → ISO/IEC 27001:2022 and the EU AI Act → ISO/IEC 42001:2023. Every id
//! exists, the sets cover exactly the articles their headers promise, the relationship mix
//! is honest (no article fully met by an ISO requirement), a handful of pairs are pinned,
//! and the comparison pages now show an overlap.

use std::collections::{BTreeMap, BTreeSet};

use crosswalk_core::compare::compare;
use crosswalk_core::crosswalk::{Graph, Reach};
use crosswalk_core::mapping::{MappingSet, ProvenanceKind, Relationship as Rel};

use super::{builtin, framework, mapping_set, relationship, seq, set};

fn mix(s: &MappingSet) -> BTreeMap<Rel, usize> {
    let mut counts = BTreeMap::new();
    for m in s.mappings() {
        *counts.entry(m.relationship).or_insert(0) += 1;
    }
    counts
}

fn sources(s: &MappingSet) -> BTreeSet<String> {
    s.mappings().iter().map(|m| m.from.to_string()).collect()
}

fn targets(s: &MappingSet) -> BTreeSet<String> {
    s.mappings().iter().map(|m| m.to.to_string()).collect()
}

fn assessable(fw: &str) -> BTreeSet<String> {
    framework(fw)
        .requirements()
        .iter()
        .filter(|r| r.assessable)
        .map(|r| r.id.to_string())
        .collect()
}

/// Curated by crosswalk, every pair typed with a strength and a rationale, every id an
/// assessable requirement on its side, no pair twice.
fn check_curated(s: &MappingSet, from: &str, to: &str) {
    assert_eq!(s.meta.from.as_str(), from);
    assert_eq!(s.meta.to.as_str(), to);
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    assert_eq!(s.meta.publisher, "crosswalk");
    assert!(s.meta.review.contains("not independently reviewed"));
    assert!(!s.meta.method.is_empty() && !s.meta.source.is_empty());
    let (fa, fb) = (assessable(from), assessable(to));
    let mut pairs = BTreeSet::new();
    for m in s.mappings() {
        let id = format!("{} → {}", m.from, m.to);
        assert!(fa.contains(m.from.as_str()), "{id}: source assessable");
        assert!(fb.contains(m.to.as_str()), "{id}: target assessable");
        assert!(matches!(m.strength, Some(1..=10)), "{id}: strength");
        assert!(m.rationale.is_some(), "{id}: rationale");
        assert!(
            pairs.insert((m.from.as_str(), m.to.as_str())),
            "{id}: twice"
        );
        assert!(
            matches!(
                m.relationship,
                Rel::Superset | Rel::Intersects | Rel::Related
            ),
            "{id}: no article is fully met by one ISO requirement"
        );
    }
}

#[test]
fn dora_maps_every_assessable_article_to_iso27001_2022() {
    let s = mapping_set("dora-2022--iso27001-2022");
    check_curated(s, "dora-2022", "iso27001-2022");
    assert_eq!(s.mappings().len(), 97);
    let articles: BTreeSet<String> = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16]
        .into_iter()
        .chain([17, 18, 19, 23, 24, 25, 26, 27, 28, 29, 30, 45])
        .map(|n| format!("Art.{n}"))
        .collect();
    assert_eq!(articles.len(), 23);
    assert_eq!(assessable("dora-2022"), articles);
    assert_eq!(sources(s), articles);
    assert_eq!(targets(s).len(), 63);
    assert_eq!(
        mix(s),
        BTreeMap::from([
            (Rel::Superset, 21),
            (Rel::Intersects, 72),
            (Rel::Related, 4)
        ])
    );
    for (from, to, rel) in [
        ("Art.5", "5.3", Rel::Superset),
        ("Art.6", "4.4", Rel::Superset),
        ("Art.8", "A.5.9", Rel::Superset),
        ("Art.9", "A.8.32", Rel::Superset),
        ("Art.9", "A.8.5", Rel::Superset),
        ("Art.10", "A.8.16", Rel::Superset),
        ("Art.11", "A.5.30", Rel::Superset),
        ("Art.12", "A.8.13", Rel::Superset),
        ("Art.13", "A.5.27", Rel::Superset),
        ("Art.17", "A.5.24", Rel::Superset),
        ("Art.18", "A.5.25", Rel::Intersects),
        ("Art.19", "A.5.5", Rel::Intersects),
        ("Art.25", "A.8.8", Rel::Intersects),
        ("Art.26", "A.8.8", Rel::Intersects),
        ("Art.28", "A.5.19", Rel::Superset),
        ("Art.30", "A.5.20", Rel::Superset),
        ("Art.45", "A.5.7", Rel::Intersects),
        ("Art.19", "A.5.31", Rel::Related),
    ] {
        assert_eq!(relationship(s, from, to), Some(rel), "{from} → {to}");
    }
    // Physical security of premises is no DORA article's subject.
    let physical: BTreeSet<String> = seq("A.7.", 1..=14).into_iter().collect();
    assert_eq!(
        targets(s)
            .intersection(&physical)
            .cloned()
            .collect::<Vec<_>>(),
        ["A.7.2"],
        "only physical entry, through Art. 9's limits on physical access"
    );
}

#[test]
fn ai_act_maps_provider_deployer_and_gpai_duties_to_iso42001() {
    let s = mapping_set("eu-ai-act-2024--iso42001-2023");
    check_curated(s, "eu-ai-act-2024", "iso42001-2023");
    assert_eq!(s.mappings().len(), 78);
    let articles = set([4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
        .into_iter()
        .chain([25, 26, 27, 50, 53, 55, 72, 73])
        .map(|n| format!("Art.{n}")));
    assert_eq!(sources(s), articles);
    let unmapped: BTreeSet<String> = assessable("eu-ai-act-2024")
        .difference(&articles)
        .cloned()
        .collect();
    assert_eq!(
        unmapped,
        set(
            [5, 6, 8, 21, 22, 23, 24, 43, 47, 48, 49, 52, 54, 60, 61, 86]
                .map(|n| format!("Art.{n}"))
        ),
        "left out on purpose and named in the notes"
    );
    let notes = s.meta.notes.join(" ");
    for n in [
        "Art. 5", "Art. 6", "Art. 8", "Art. 21", "Art. 52", "Art. 86",
    ] {
        assert!(notes.contains(n), "{n} named in the notes");
    }
    assert_eq!(targets(s).len(), 46);
    assert_eq!(
        mix(s),
        BTreeMap::from([(Rel::Superset, 4), (Rel::Intersects, 72), (Rel::Related, 2)])
    );
    for (from, to, rel) in [
        ("Art.4", "7.2", Rel::Intersects),
        ("Art.9", "6.1.2", Rel::Intersects),
        ("Art.9", "6.1.3", Rel::Intersects),
        ("Art.10", "A.7.2", Rel::Superset),
        ("Art.10", "A.7.6", Rel::Superset),
        ("Art.10", "A.7.4", Rel::Intersects),
        ("Art.12", "A.6.2.8", Rel::Superset),
        ("Art.13", "A.8.2", Rel::Superset),
        ("Art.14", "A.6.1.3", Rel::Intersects),
        ("Art.17", "4.4", Rel::Intersects),
        ("Art.19", "A.6.2.8", Rel::Intersects),
        ("Art.26", "A.9.4", Rel::Intersects),
        ("Art.27", "6.1.4", Rel::Intersects),
        ("Art.27", "A.5.4", Rel::Intersects),
        ("Art.72", "A.6.2.6", Rel::Intersects),
        ("Art.73", "A.8.5", Rel::Intersects),
        ("Art.16", "4.4", Rel::Related),
    ] {
        assert_eq!(relationship(s, from, to), Some(rel), "{from} → {to}");
    }
    // Every mapped article is a provider, deployer or GPAI-provider duty.
    let act = framework("eu-ai-act-2024");
    for a in &articles {
        let roles = act.requirement(a).unwrap().attributes.get("role").unwrap();
        assert!(
            roles.iter().any(|r| r == "provider" || r == "deployer"),
            "{a}: {roles:?}"
        );
    }
}

/// With the two sets the comparison pages show an overlap; superset pairs count as full
/// coverage of the ISO requirement by the article, never the other way round.
#[test]
fn eu_law_comparisons_now_have_an_overlap() {
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let direct = Reach {
        max_depth: 1,
        include_related: true,
    };
    for (a, b, mapped, iso_total, iso_full, iso_partial) in [
        ("dora", "iso27001", 23, 123, 21, 42),
        ("eu-ai-act", "iso42001", 21, 70, 4, 42),
    ] {
        let (fa, fb) = (framework(a), framework(b));
        let page = compare(lib, fa, fb).unwrap();
        let o = page
            .overlap
            .unwrap_or_else(|| panic!("{a} vs {b}: overlap"));
        assert_eq!(o.a_in_b.total, assessable(fa.id().as_str()).len(), "{a}");
        assert_eq!((o.a_in_b.full, o.a_in_b.partial), (0, mapped), "{a}");
        assert_eq!(
            (o.b_in_a.total, o.b_in_a.full, o.b_in_a.partial),
            (iso_total, iso_full, iso_partial),
            "{b}"
        );
        assert!(!page.domains.0.is_empty() && !page.domains.1.is_empty());
        let ia = lib.index_of(fa.id()).unwrap() as u32;
        let ib = lib.index_of(fb.id()).unwrap() as u32;
        assert_eq!(graph.overlap(lib, ia, ib, direct), o.a_in_b);
    }
}
