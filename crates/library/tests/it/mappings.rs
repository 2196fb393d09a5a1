//! The built-in mapping sets: ids exist on both sides, official sets reproduce their
//! publishers' files, curated sets cover what they promise, and the graph answers.

use std::collections::BTreeSet;

use crosswalk_core::crosswalk::{Graph, Node, Reach};
use crosswalk_core::mapping::{ProvenanceKind, Relationship};

use super::{builtin, framework, shared_data};

fn set(id: &str) -> &'static crosswalk_core::mapping::MappingSet {
    builtin()
        .library
        .mapping_sets()
        .iter()
        .find(|s| s.meta.id.as_str() == id)
        .unwrap_or_else(|| panic!("mapping set {id}"))
}

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
