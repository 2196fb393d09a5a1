//! The built-in mapping sets: ids exist on both sides, official sets reproduce their
//! publishers' files, curated sets cover what they promise, and the graph answers.

use std::collections::BTreeSet;

use crosswalk_core::crosswalk::{Graph, Node, Reach};
use crosswalk_core::mapping::{ProvenanceKind, Relationship};

use super::{builtin, framework, mapping_set as set, shared_data};

#[test]
fn every_mapped_id_exists_on_both_sides() {
    let lib = &builtin().library;
    assert!(lib.mapping_sets().len() >= 10);
    for s in lib.mapping_sets() {
        let from = lib.resolve(s.meta.from.as_str()).unwrap();
        let to = lib.resolve(s.meta.to.as_str()).unwrap();
        for m in s.mappings() {
            assert!(
                from.requirement(m.from.as_str()).is_some(),
                "{}: {}",
                s.meta.id,
                m.from
            );
            assert!(
                to.requirement(m.to.as_str()).is_some(),
                "{}: {}",
                s.meta.id,
                m.to
            );
        }
        assert!(
            !s.meta.method.is_empty() && !s.meta.review.is_empty(),
            "{}",
            s.meta.id
        );
    }
}

#[test]
fn curated_soc2_to_iso27001_covers_every_criterion_with_typed_relationships() {
    let s = set("soc2-2017--iso27001-2022");
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    let soc2 = framework("soc2-2017");
    let criteria: BTreeSet<&str> = soc2
        .requirements()
        .iter()
        .filter(|r| r.assessable)
        .map(|r| r.id.as_str())
        .collect();
    let mapped: BTreeSet<&str> = s.mappings().iter().map(|m| m.from.as_str()).collect();
    assert_eq!(
        mapped, criteria,
        "every criterion, including A, C, PI and P"
    );
    let kinds: BTreeSet<Relationship> = s.mappings().iter().map(|m| m.relationship).collect();
    assert!(kinds.len() >= 4, "typed, not all intersects: {kinds:?}");
    // The facts comparison pages get wrong.
    let has = |f: &str, t: &str| {
        s.mappings()
            .iter()
            .any(|m| m.from.as_str() == f && m.to.as_str() == t)
    };
    assert!(has("CC9.2", "A.5.19"), "suppliers belong with CC9.2");
    assert!(has("CC6.4", "A.7.2"), "physical entry with CC6.4");
    assert!(
        has("A1.2", "A.8.13") && has("CC9.1", "A.5.30"),
        "continuity with A1.2 and CC9.1"
    );
    assert!(has("CC6.1", "A.5.9"), "asset inventory under CC6.1");
    assert!(
        !s.mappings().iter().any(|m| m.to.as_str() == "A.5.31"),
        "legal compliance has no criterion"
    );
}

fn assessable(fw: &str, prefix: &str) -> BTreeSet<&'static str> {
    framework(fw)
        .requirements()
        .iter()
        .filter(|r| r.assessable && r.id.as_str().starts_with(prefix))
        .map(|r| r.id.as_str())
        .collect()
}

fn sources(id: &str) -> BTreeSet<&'static str> {
    set(id).mappings().iter().map(|m| m.from.as_str()).collect()
}

#[test]
fn curated_sets_cover_what_their_headers_promise() {
    // SOC 2 → CSF 2.0: every criterion, typed.
    assert_eq!(
        sources("soc2-2017--nist-csf-2.0"),
        assessable("soc2-2017", "")
    );
    // ISO 13485 → ISO 9001:2015: every assessable subclause.
    assert_eq!(
        sources("iso13485-2016--iso9001-2015"),
        assessable("iso13485-2016", "")
    );
    // ISO 27701 Annex A (31 controller controls) and Annex B (18 processor controls) → GDPR.
    let gdpr = sources("iso27701-2019--gdpr-2016");
    let annexes = assessable("iso27701-2019", "A.7.");
    assert_eq!(annexes.len(), 31);
    assert!(annexes.is_subset(&gdpr));
    let processor = assessable("iso27701-2019", "B.8.");
    assert_eq!(processor.len(), 18);
    assert!(processor.is_subset(&gdpr));
    // ISO 42001 → ISO 27001:2022: every management-system clause 4–10.
    let clauses: BTreeSet<&str> = assessable("iso42001-2023", "")
        .into_iter()
        .filter(|id| !id.starts_with("A."))
        .collect();
    assert!(clauses.is_subset(&sources("iso42001-2023--iso27001-2022")));
    for id in [
        "soc2-2017--nist-csf-2.0",
        "iso13485-2016--iso9001-2015",
        "iso27701-2019--gdpr-2016",
        "iso42001-2023--iso27001-2022",
    ] {
        let kinds: BTreeSet<Relationship> =
            set(id).mappings().iter().map(|m| m.relationship).collect();
        assert!(kinds.len() >= 2, "{id}: typed, not all one kind: {kinds:?}");
        assert_eq!(set(id).meta.provenance, ProvenanceKind::Curated);
    }
}

/// ISO/IEC 27701:2019 clause 6.N.x.y extends the ISO/IEC 27002:2013 control (N+3).x.y, so
/// each maps to Annex A control A.(N+3).x.y of ISO/IEC 27001:2013; clause 5 subclauses
/// extend 27001 clauses 4–10.
#[test]
fn iso27701_extends_iso27001_clause_by_clause() {
    let s = set("iso27701-2019--iso27001-2013");
    let guidance: Vec<&str> = framework("iso27701-2019")
        .requirements()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| id.starts_with("6.") && id.split('.').count() == 4)
        .collect();
    assert_eq!(guidance.len(), 114, "one subclause per 27002:2013 control");
    for id in guidance {
        let parts: Vec<&str> = id.split('.').collect();
        let n: u32 = parts[1].parse().unwrap();
        let want = format!("A.{}.{}.{}", n + 3, parts[2], parts[3]);
        assert!(
            s.mappings()
                .iter()
                .any(|m| m.from.as_str() == id && m.to.as_str() == want),
            "{id} → {want}"
        );
    }
    let clause5 = assessable("iso27701-2019", "5.");
    assert!(clause5.is_subset(&sources("iso27701-2019--iso27001-2013")));
    // Through the 2013→2022 transition set, 27701 reaches ISO 27001:2022 by inference.
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let (from, to) = (framework("iso27701-2019"), framework("iso27001-2022"));
    let pos = |fw: &crosswalk_core::framework::Framework, id: &str| {
        fw.requirements()
            .iter()
            .position(|r| r.id.as_str() == id)
            .unwrap() as u32
    };
    let found = graph.reach(
        Node {
            framework: lib.index_of(from.id()).unwrap() as u32,
            requirement: pos(from, "6.9.2.1"),
        },
        Some(lib.index_of(to.id()).unwrap() as u32),
        Reach::default(),
    );
    let malware = found
        .iter()
        .find(|f| f.to.requirement == pos(to, "A.8.7"))
        .expect("6.9.2.1 reaches A.8.7 (protection against malware)");
    assert!(malware.is_inferred());
    assert_eq!(
        malware.relationship,
        Relationship::Equivalent,
        "equal ∘ equivalent"
    );
}

#[test]
fn iso27001_transition_maps_all_114_old_controls() {
    let s = set("iso27001-2013--iso27001-2022");
    let old = framework("iso27001-2013");
    let controls: BTreeSet<&str> = old
        .requirements()
        .iter()
        .filter(|r| r.kind == crosswalk_core::framework::RequirementKind::Control)
        .map(|r| r.id.as_str())
        .collect();
    let mapped: BTreeSet<&str> = s
        .mappings()
        .iter()
        .map(|m| m.from.as_str())
        .filter(|id| id.starts_with("A."))
        .collect();
    assert_eq!(mapped, controls);
    let new_targets: BTreeSet<&str> = s
        .mappings()
        .iter()
        .map(|m| m.to.as_str())
        .filter(|id| id.starts_with("A."))
        .collect();
    assert_eq!(
        new_targets.len(),
        93 - 11,
        "every 2022 control but the 11 new ones has a 2013 source"
    );
    let rel = |f: &str, t: &str| {
        s.mappings()
            .iter()
            .find(|m| m.from.as_str() == f && m.to.as_str() == t)
            .map(|m| m.relationship)
    };
    assert_eq!(
        rel("A.5.1.1", "A.5.1"),
        Some(Relationship::Subset),
        "merged"
    );
    assert_eq!(
        rel("A.12.4.4", "A.8.17"),
        Some(Relationship::Equivalent),
        "one to one"
    );
    assert_eq!(
        rel("A.18.2.3", "A.8.8"),
        Some(Relationship::Intersects),
        "split"
    );
}

/// Each official set holds exactly the publisher's id pairs, less the rows its notes
/// say were left out because the catalog lacks the id.
#[test]
fn official_mapping_sets_match_their_sources() {
    let Some(data) = shared_data("official_mapping_sets_match_their_sources") else {
        return;
    };
    let files = [
        (
            "nist-csf-2.0__iso27001-2022.csv",
            "nist-csf-2.0--iso27001-2022",
        ),
        (
            "nist-800-53r5__iso27001-2022.csv",
            "nist-800-53r5--iso27001-2022",
        ),
        (
            "nist-csf-2.0__nist-800-53r5.csv",
            "nist-csf-2.0--nist-800-53r5",
        ),
        ("hipaa__nist-csf-2.0.csv", "hipaa-2013--nist-csf-2.0"),
        ("hipaa__nist-800-53r5.csv", "hipaa-2013--nist-800-53r5"),
        (
            "nis2-ir-2024-2690__iso27001-2022.csv",
            "nis2-ir-2024-2690--iso27001-2022",
        ),
        (
            "nis2-ir-2024-2690__nist-csf-2.0.csv",
            "nis2-ir-2024-2690--nist-csf-2.0",
        ),
        (
            "nist-csf-1.1__nist-csf-2.0.csv",
            "nist-csf-1.1--nist-csf-2.0",
        ),
    ];
    for (file, id) in files {
        let s = set(id);
        assert_eq!(s.meta.provenance, ProvenanceKind::Official, "{id}");
        let text = std::fs::read_to_string(data.join("crosswalks").join(file)).unwrap();
        let mut expected = BTreeSet::new();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            let strip = |s: &str| s.split_once(':').map_or(s, |(_, r)| r).trim().to_owned();
            expected.insert((strip(cols[1]), strip(cols[3])));
        }
        let got: BTreeSet<(String, String)> = s
            .mappings()
            .iter()
            .map(|m| (m.from.to_string(), m.to.to_string()))
            .collect();
        let dropped: Vec<&(String, String)> = expected.difference(&got).collect();
        assert!(got.is_subset(&expected), "{id}: pairs not in the source");
        let notes = s.meta.notes.join(" ");
        for (f, t) in &dropped {
            assert!(
                notes.contains(f.as_str()) || notes.contains(t.as_str()),
                "{id}: ({f}, {t}) dropped without a note"
            );
        }
        assert!(dropped.len() <= 9, "{id}: {} dropped", dropped.len());
        let rel = if id.starts_with("nist-csf-2.0--nist-800-53") {
            Relationship::Related
        } else {
            Relationship::Intersects
        };
        assert!(
            s.mappings().iter().all(|m| m.relationship == rel),
            "{id}: no more typed than the source"
        );
    }
}

#[test]
fn inference_composes_and_labels_paths() {
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let soc2 = lib.index_of(framework("soc2").id()).unwrap() as u32;
    let nist = lib.index_of(framework("nist-800-53").id()).unwrap() as u32;
    let cc73 = framework("soc2")
        .requirements()
        .iter()
        .position(|r| r.id.as_str() == "CC7.3")
        .unwrap() as u32;
    let found = graph.reach(
        Node {
            framework: soc2,
            requirement: cc73,
        },
        Some(nist),
        Reach::default(),
    );
    assert!(!found.is_empty());
    for f in &found {
        assert!(f.is_inferred(), "no direct SOC 2 → 800-53 set exists");
        assert_eq!(f.provenance(lib), ProvenanceKind::Inferred);
        assert_eq!(f.hops.first().unwrap().from.framework, soc2);
        assert_eq!(f.hops.last().unwrap().to.framework, nist);
        // equivalent ∘ intersects can only be intersects.
        assert_eq!(f.relationship, Relationship::Intersects);
    }
    let direct_only = graph.reach(
        Node {
            framework: soc2,
            requirement: cc73,
        },
        Some(nist),
        Reach {
            max_depth: 1,
            include_related: true,
        },
    );
    assert!(direct_only.is_empty(), "depth 1 means no inference");
}

#[test]
fn overlap_counts_add_up() {
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let a = lib.index_of(framework("soc2").id()).unwrap() as u32;
    let b = lib.index_of(framework("iso27001").id()).unwrap() as u32;
    let o = graph.overlap(
        lib,
        a,
        b,
        Reach {
            max_depth: 1,
            include_related: true,
        },
    );
    assert_eq!(o.total, 61);
    assert_eq!(o.full + o.partial + o.none, o.total);
    assert!(
        o.full >= 5,
        "equivalent and subset criteria count as full: {o:?}"
    );
}

/// The 2019 → 2025 correspondence: every 2019 Annex A and B control has exactly one 2025
/// counterpart in tables A.1 and A.2, every 2025 table A.1/A.2 control exactly one source;
/// the clause 5 subclauses reach clauses 4–10 and the clause 6 PII guidance reaches table A.3.
#[test]
fn iso27701_2019_carries_over_to_2025() {
    let s = set("iso27701-2019--iso27701-2025");
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    assert_eq!(s.meta.publisher, "crosswalk");
    let annex = |prefix: &str| assessable("iso27701-2019", prefix);
    let old: BTreeSet<&str> = annex("A.7.").union(&annex("B.8.")).copied().collect();
    assert_eq!(old.len(), 49);
    for id in &old {
        let to: Vec<&str> = s
            .mappings()
            .iter()
            .filter(|m| m.from.as_str() == *id)
            .map(|m| m.to.as_str())
            .collect();
        assert_eq!(to.len(), 1, "{id} → {to:?}");
        let prefix = if id.starts_with("A.7.") {
            "A.1."
        } else {
            "A.2."
        };
        assert!(to[0].starts_with(prefix), "{id} → {}", to[0]);
        assert!(
            framework("iso27701-2025")
                .requirement(to[0])
                .unwrap()
                .assessable,
            "{id} → {}",
            to[0]
        );
    }
    let new: BTreeSet<&str> = assessable("iso27701-2025", "A.1.")
        .union(&assessable("iso27701-2025", "A.2."))
        .copied()
        .collect();
    let targets: BTreeSet<&str> = s
        .mappings()
        .iter()
        .filter(|m| old.contains(m.from.as_str()))
        .map(|m| m.to.as_str())
        .collect();
    assert_eq!(targets, new, "one to one onto tables A.1 and A.2");
    let rel = |f: &str, t: &str| {
        s.mappings()
            .iter()
            .find(|m| m.from.as_str() == f && m.to.as_str() == t)
            .map(|m| m.relationship)
    };
    assert_eq!(rel("A.7.2.1", "A.1.2.2"), Some(Relationship::Equivalent));
    assert_eq!(rel("A.7.5.4", "A.1.5.5"), Some(Relationship::Equivalent));
    assert_eq!(rel("B.8.2.1", "A.2.2.2"), Some(Relationship::Equivalent));
    assert_eq!(rel("B.8.5.8", "A.2.5.9"), Some(Relationship::Equivalent));
    // Clause 5 reaches the 2025 clauses; 6.3 (planning of changes) is new in 2025.
    assert!(assessable("iso27701-2019", "5.").is_subset(&sources("iso27701-2019--iso27701-2025")));
    assert!(!s.mappings().iter().any(|m| m.to.as_str() == "6.3"));
    assert_eq!(rel("5.8.1", "10.2"), Some(Relationship::Superset));
    // The 32 clause 6 subclauses with PII guidance (superset of 27001:2013 in the 2019 set)
    // land on the 29 table A.3 controls, each through the 27002:2022 counterpart.
    let guidance: BTreeSet<&str> = set("iso27701-2019--iso27001-2013")
        .mappings()
        .iter()
        .filter(|m| m.from.as_str().starts_with("6.") && m.relationship == Relationship::Superset)
        .map(|m| m.from.as_str())
        .collect();
    assert_eq!(guidance.len(), 32);
    let to_a3: BTreeSet<&str> = s
        .mappings()
        .iter()
        .filter(|m| m.from.as_str().starts_with("6."))
        .map(|m| m.to.as_str())
        .collect();
    assert_eq!(to_a3, assessable("iso27701-2025", "A.3."));
    assert_eq!(
        s.mappings()
            .iter()
            .filter(|m| m.from.as_str().starts_with("6."))
            .map(|m| m.from.as_str())
            .collect::<BTreeSet<_>>(),
        guidance
    );
    assert_eq!(rel("6.13.1.1", "A.3.11"), Some(Relationship::Equivalent));
    assert_eq!(
        rel("6.2.1.1", "A.3.3"),
        Some(Relationship::Subset),
        "merged"
    );
}

/// 27701:2025 → 27001:2022: the harmonized clauses pair by number, and each table A.3
/// control maps to the 27001:2022 Annex A control with the same title.
#[test]
fn iso27701_2025_maps_to_iso27001_2022() {
    let s = set("iso27701-2025--iso27001-2022");
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    let (pims, isms) = (framework("iso27701-2025"), framework("iso27001-2022"));
    let clauses: BTreeSet<&str> = assessable("iso27701-2025", "")
        .into_iter()
        .filter(|id| !id.starts_with("A."))
        .collect();
    for c in &clauses {
        assert!(
            s.mappings()
                .iter()
                .any(|m| m.from.as_str() == *c && m.to.as_str() == *c),
            "{c} → {c}"
        );
    }
    let a3 = assessable("iso27701-2025", "A.3.");
    assert_eq!(a3.len(), 29);
    for id in &a3 {
        let to: Vec<&str> = s
            .mappings()
            .iter()
            .filter(|m| m.from.as_str() == *id)
            .map(|m| m.to.as_str())
            .collect();
        assert_eq!(to.len(), 1, "{id}");
        assert_eq!(
            pims.requirement(id).unwrap().title,
            isms.requirement(to[0]).unwrap().title,
            "{id} → {}",
            to[0]
        );
    }
    let to_of = |f: &str| {
        s.mappings()
            .iter()
            .find(|m| m.from.as_str() == f)
            .map(|m| m.to.as_str())
    };
    assert_eq!(to_of("A.3.11"), Some("A.5.24"));
    assert_eq!(to_of("A.3.31"), Some("A.8.33"));
}

/// 27701:2025 → GDPR covers every table A.1 and A.2 control and every table A.3 control,
/// and keeps the relationships of the 2019 set for the carried-over controls.
#[test]
fn iso27701_2025_maps_to_gdpr_like_2019() {
    let s = set("iso27701-2025--gdpr-2016");
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    let mapped = sources("iso27701-2025--gdpr-2016");
    for prefix in ["A.1.", "A.2.", "A.3."] {
        let annex = assessable("iso27701-2025", prefix);
        assert!(
            annex.is_subset(&mapped),
            "{prefix}: {:?}",
            annex.difference(&mapped)
        );
    }
    let kinds: BTreeSet<Relationship> = s.mappings().iter().map(|m| m.relationship).collect();
    assert!(kinds.len() >= 3, "typed: {kinds:?}");
    let old = set("iso27701-2019--gdpr-2016");
    let pair = |s: &crosswalk_core::mapping::MappingSet, f: &str, t: &str| {
        s.mappings()
            .iter()
            .find(|m| m.from.as_str() == f && m.to.as_str() == t)
            .map(|m| m.relationship)
    };
    for (o, n, art) in [
        ("A.7.2.1", "A.1.2.2", "Art.5(1)(b)"),
        ("A.7.2.5", "A.1.2.6", "Art.35(1)"),
        ("A.7.3.10", "A.1.3.11", "Art.22(3)"),
        ("A.7.5.1", "A.1.5.2", "Art.46(1)"),
        ("B.8.2.2", "A.2.2.3", "Art.29"),
        ("B.8.5.8", "A.2.5.9", "Art.28(2)"),
    ] {
        assert!(pair(old, o, art).is_some(), "{o} → {art}");
        assert_eq!(pair(s, n, art), pair(old, o, art), "{n} → {art}");
    }
    assert!(
        pair(s, "A.3.12", "Art.33(1)").is_some(),
        "breach response → Art. 33(1)"
    );
}

/// With the 27701:2025 sets, ISO 27001:2022 covers part of ISO 27701:2025 and the reverse,
/// directly; SOC 2 reaches it directly and by inference through ISO 27001:2022.
#[test]
fn overlap_with_iso27701_2025_is_no_longer_zero() {
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let idx = |f: &str| lib.index_of(framework(f).id()).unwrap() as u32;
    let (pims, isms, soc2) = (idx("iso27701-2025"), idx("iso27001-2022"), idx("soc2"));
    let direct = Reach {
        max_depth: 1,
        include_related: true,
    };
    let o = graph.overlap(lib, pims, isms, direct);
    assert_eq!(
        o.total,
        78 + 30,
        "78 Annex A controls and 30 assessable clauses"
    );
    assert_eq!(o.full + o.partial + o.none, o.total);
    assert!(o.full + o.partial >= 29 + 30, "{o:?}");
    let back = graph.overlap(lib, isms, pims, direct);
    assert!(back.full + back.partial >= 29 + 20, "{back:?}");
    let inferred = graph.overlap(lib, soc2, pims, Reach::default());
    assert!(inferred.full + inferred.partial > 0, "{inferred:?}");
    let from_2019 = graph.overlap(lib, idx("iso27701-2019"), pims, direct);
    assert!(
        from_2019.full >= 49,
        "carried-over controls count as full: {from_2019:?}"
    );
}
