//! PCI DSS v4.0.1: every principal requirement, sub-requirement heading, defined-approach
//! requirement and Appendix A requirement by exact id; the tree (defined-approach
//! requirements hang under their heading, headings under their principal requirement);
//! which nodes are assessable; and the best-practice and applicability flags.

use std::collections::BTreeSet;

use crosswalk_core::framework::{Framework, RequirementKind as K};

use super::{framework, ids_where, set};

/// Every id under each root (principal requirement or appendix), headings included, in
/// the standard's order.
const IDS: &[(&str, &[&str])] = &[
    (
        "1",
        &[
            "1.1", "1.1.1", "1.1.2", "1.2", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.2.6",
            "1.2.7", "1.2.8", "1.3", "1.3.1", "1.3.2", "1.3.3", "1.4", "1.4.1", "1.4.2", "1.4.3",
            "1.4.4", "1.4.5", "1.5", "1.5.1",
        ],
    ),
    (
        "2",
        &[
            "2.1", "2.1.1", "2.1.2", "2.2", "2.2.1", "2.2.2", "2.2.3", "2.2.4", "2.2.5", "2.2.6",
            "2.2.7", "2.3", "2.3.1", "2.3.2",
        ],
    ),
    (
        "3",
        &[
            "3.1", "3.1.1", "3.1.2", "3.2", "3.2.1", "3.3", "3.3.1", "3.3.1.1", "3.3.1.2",
            "3.3.1.3", "3.3.2", "3.3.3", "3.4", "3.4.1", "3.4.2", "3.5", "3.5.1", "3.5.1.1",
            "3.5.1.2", "3.5.1.3", "3.6", "3.6.1", "3.6.1.1", "3.6.1.2", "3.6.1.3", "3.6.1.4",
            "3.7", "3.7.1", "3.7.2", "3.7.3", "3.7.4", "3.7.5", "3.7.6", "3.7.7", "3.7.8", "3.7.9",
        ],
    ),
    (
        "4",
        &[
            "4.1", "4.1.1", "4.1.2", "4.2", "4.2.1", "4.2.1.1", "4.2.1.2", "4.2.2",
        ],
    ),
    (
        "5",
        &[
            "5.1", "5.1.1", "5.1.2", "5.2", "5.2.1", "5.2.2", "5.2.3", "5.2.3.1", "5.3", "5.3.1",
            "5.3.2", "5.3.2.1", "5.3.3", "5.3.4", "5.3.5", "5.4", "5.4.1",
        ],
    ),
    (
        "6",
        &[
            "6.1", "6.1.1", "6.1.2", "6.2", "6.2.1", "6.2.2", "6.2.3", "6.2.3.1", "6.2.4", "6.3",
            "6.3.1", "6.3.2", "6.3.3", "6.4", "6.4.1", "6.4.2", "6.4.3", "6.5", "6.5.1", "6.5.2",
            "6.5.3", "6.5.4", "6.5.5", "6.5.6",
        ],
    ),
    (
        "7",
        &[
            "7.1", "7.1.1", "7.1.2", "7.2", "7.2.1", "7.2.2", "7.2.3", "7.2.4", "7.2.5", "7.2.5.1",
            "7.2.6", "7.3", "7.3.1", "7.3.2", "7.3.3",
        ],
    ),
    (
        "8",
        &[
            "8.1", "8.1.1", "8.1.2", "8.2", "8.2.1", "8.2.2", "8.2.3", "8.2.4", "8.2.5", "8.2.6",
            "8.2.7", "8.2.8", "8.3", "8.3.1", "8.3.2", "8.3.3", "8.3.4", "8.3.5", "8.3.6", "8.3.7",
            "8.3.8", "8.3.9", "8.3.10", "8.3.10.1", "8.3.11", "8.4", "8.4.1", "8.4.2", "8.4.3",
            "8.5", "8.5.1", "8.6", "8.6.1", "8.6.2", "8.6.3",
        ],
    ),
    (
        "9",
        &[
            "9.1",
            "9.1.1",
            "9.1.2",
            "9.2",
            "9.2.1",
            "9.2.1.1",
            "9.2.2",
            "9.2.3",
            "9.2.4",
            "9.3",
            "9.3.1",
            "9.3.1.1",
            "9.3.2",
            "9.3.3",
            "9.3.4",
            "9.4",
            "9.4.1",
            "9.4.1.1",
            "9.4.1.2",
            "9.4.2",
            "9.4.3",
            "9.4.4",
            "9.4.5",
            "9.4.5.1",
            "9.4.6",
            "9.4.7",
            "9.5",
            "9.5.1",
            "9.5.1.1",
            "9.5.1.2",
            "9.5.1.2.1",
            "9.5.1.3",
        ],
    ),
    (
        "10",
        &[
            "10.1", "10.1.1", "10.1.2", "10.2", "10.2.1", "10.2.1.1", "10.2.1.2", "10.2.1.3",
            "10.2.1.4", "10.2.1.5", "10.2.1.6", "10.2.1.7", "10.2.2", "10.3", "10.3.1", "10.3.2",
            "10.3.3", "10.3.4", "10.4", "10.4.1", "10.4.1.1", "10.4.2", "10.4.2.1", "10.4.3",
            "10.5", "10.5.1", "10.6", "10.6.1", "10.6.2", "10.6.3", "10.7", "10.7.1", "10.7.2",
            "10.7.3",
        ],
    ),
    (
        "11",
        &[
            "11.1", "11.1.1", "11.1.2", "11.2", "11.2.1", "11.2.2", "11.3", "11.3.1", "11.3.1.1",
            "11.3.1.2", "11.3.1.3", "11.3.2", "11.3.2.1", "11.4", "11.4.1", "11.4.2", "11.4.3",
            "11.4.4", "11.4.5", "11.4.6", "11.4.7", "11.5", "11.5.1", "11.5.1.1", "11.5.2", "11.6",
            "11.6.1",
        ],
    ),
    (
        "12",
        &[
            "12.1",
            "12.1.1",
            "12.1.2",
            "12.1.3",
            "12.1.4",
            "12.2",
            "12.2.1",
            "12.3",
            "12.3.1",
            "12.3.2",
            "12.3.3",
            "12.3.4",
            "12.4",
            "12.4.1",
            "12.4.2",
            "12.4.2.1",
            "12.5",
            "12.5.1",
            "12.5.2",
            "12.5.2.1",
            "12.5.3",
            "12.6",
            "12.6.1",
            "12.6.2",
            "12.6.3",
            "12.6.3.1",
            "12.6.3.2",
            "12.7",
            "12.7.1",
            "12.8",
            "12.8.1",
            "12.8.2",
            "12.8.3",
            "12.8.4",
            "12.8.5",
            "12.9",
            "12.9.1",
            "12.9.2",
            "12.10",
            "12.10.1",
            "12.10.2",
            "12.10.3",
            "12.10.4",
            "12.10.4.1",
            "12.10.5",
            "12.10.6",
            "12.10.7",
        ],
    ),
    (
        "A1",
        &[
            "A1.1", "A1.1.1", "A1.1.2", "A1.1.3", "A1.1.4", "A1.2", "A1.2.1", "A1.2.2", "A1.2.3",
        ],
    ),
    ("A2", &["A2.1", "A2.1.1", "A2.1.2", "A2.1.3"]),
    (
        "A3",
        &[
            "A3.1", "A3.1.1", "A3.1.2", "A3.1.3", "A3.1.4", "A3.2", "A3.2.1", "A3.2.2", "A3.2.2.1",
            "A3.2.3", "A3.2.4", "A3.2.5", "A3.2.5.1", "A3.2.5.2", "A3.2.6", "A3.2.6.1", "A3.3",
            "A3.3.1", "A3.3.1.1", "A3.3.2", "A3.3.3", "A3.4", "A3.4.1", "A3.5", "A3.5.1",
        ],
    ),
];

/// Requirements new in v4.0 that were best practices until 31 March 2025 as a whole.
const BEST_PRACTICE: &[&str] = &[
    "3.3.2",
    "3.4.2",
    "3.5.1.1",
    "3.5.1.2",
    "4.2.1.1",
    "5.2.3.1",
    "5.3.2.1",
    "5.3.3",
    "5.4.1",
    "6.3.2",
    "6.4.2",
    "6.4.3",
    "7.2.4",
    "7.2.5",
    "7.2.5.1",
    "8.3.6",
    "8.3.10.1",
    "8.4.2",
    "8.5.1",
    "8.6.1",
    "8.6.2",
    "8.6.3",
    "9.5.1.2.1",
    "10.4.1.1",
    "10.4.2.1",
    "10.7.2",
    "10.7.3",
    "11.3.1.1",
    "11.3.1.2",
    "11.4.7",
    "11.5.1.1",
    "11.6.1",
    "12.3.1",
    "12.3.3",
    "12.3.4",
    "12.5.2.1",
    "12.5.3",
    "12.6.2",
    "12.6.3.1",
    "12.6.3.2",
    "12.10.4.1",
    "12.10.7",
    "A1.1.1",
    "A1.1.4",
    "A1.2.3",
];

/// Requirements that apply only to service providers (Appendix A1 included).
const SERVICE_PROVIDER: &[&str] = &[
    "3.6.1.1", "3.7.9", "8.2.3", "8.3.10", "8.3.10.1", "10.7.1", "11.4.6", "11.4.7", "11.5.1.1",
    "12.4.1", "12.4.2", "12.4.2.1", "12.5.2.1", "12.5.3", "12.9.1", "12.9.2", "A1.1.1", "A1.1.2",
    "A1.1.3", "A1.1.4", "A1.2.1", "A1.2.2", "A1.2.3", "A2.1.2", "A2.1.3",
];

fn pci() -> &'static Framework {
    framework("pci-dss-4.0.1")
}

fn root_of(id: &str) -> &str {
    id.split('.').next().unwrap()
}

/// `3.3.1.1` → `3.3`; `A3.2.5.1` → `A3.2`.
fn heading_of(id: &str) -> String {
    id.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn attr(fw: &Framework, name: &str, value: &str) -> BTreeSet<String> {
    ids_where(fw, |r| {
        r.attributes
            .get(name)
            .is_some_and(|v| v.iter().any(|x| x == value))
    })
}

#[test]
fn pci_dss_exact_ids_per_principal_requirement() {
    let fw = pci();
    let roots: Vec<&str> = fw
        .requirements()
        .iter()
        .filter(|r| r.parent.is_none())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        roots,
        [
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "A1", "A2", "A3"
        ]
    );
    for (root, ids) in IDS {
        let under: Vec<&str> = fw
            .requirements()
            .iter()
            .filter(|r| r.id.as_str() != *root && root_of(r.id.as_str()) == *root)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(under, *ids, "ids under {root}, in order");
    }
    let all: usize = IDS.iter().map(|(_, ids)| ids.len()).sum();
    assert_eq!(fw.requirements().len(), all + 15);
    assert_eq!(fw.requirements().len(), 366);
}

#[test]
fn pci_dss_counts() {
    let fw = pci();
    let assessable = ids_where(fw, |r| r.assessable);
    let appendix = |id: &String| id.starts_with('A');
    assert_eq!(assessable.iter().filter(|id| !appendix(id)).count(), 250);
    assert_eq!(assessable.iter().filter(|id| appendix(id)).count(), 30);
    assert_eq!(fw.assessable_count(), 280);
    let per_root = |root: &str| assessable.iter().filter(|id| root_of(id) == root).count();
    let counts: Vec<usize> = [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "A1", "A2", "A3",
    ]
    .iter()
    .map(|r| per_root(r))
    .collect();
    assert_eq!(
        counts,
        [19, 11, 29, 6, 13, 19, 12, 29, 27, 27, 21, 37, 7, 3, 20]
    );
    let headings = ids_where(fw, |r| r.kind == K::Group);
    assert_eq!(headings.iter().filter(|id| !appendix(id)).count(), 63);
    assert_eq!(headings.iter().filter(|id| appendix(id)).count(), 8);
    // v4.0.1 numbers the response to control failures A3.3.1.1 (v4.0 printed A3.3.1.2).
    assert!(fw.requirement("A3.3.1.1").is_some());
    assert!(fw.requirement("A3.3.1.2").is_none());
}

#[test]
fn pci_dss_tree_invariants() {
    let fw = pci();
    for r in fw.requirements() {
        let id = r.id.as_str();
        let parent = r.parent.as_ref().map(|p| p.as_str());
        assert!(!r.title.trim().is_empty(), "{id} has a title");
        assert!(!r.summary.trim().is_empty(), "{id} has a summary");
        match id.matches('.').count() {
            0 => {
                assert_eq!(parent, None, "{id}");
                assert_eq!(r.kind, K::Requirement, "{id}");
                assert!(!r.assessable, "{id}: results are given below it");
            }
            1 => {
                assert_eq!(parent, Some(root_of(id)), "{id}");
                assert_eq!(r.kind, K::Group, "{id}");
                assert!(!r.assessable, "{id}");
            }
            _ => {
                assert_eq!(parent, Some(heading_of(id).as_str()), "{id}");
                assert_eq!(r.kind, K::Requirement, "{id}");
                assert!(r.assessable, "{id}");
            }
        }
    }
    // Deeper defined-approach requirements hang under their heading, not under 3.3.1.
    for (id, heading) in [
        ("3.3.1.1", "3.3"),
        ("8.3.10.1", "8.3"),
        ("9.5.1.2.1", "9.5"),
        ("12.5.2.1", "12.5"),
        ("12.10.4.1", "12.10"),
        ("A3.2.5.2", "A3.2"),
    ] {
        let r = fw.requirement(id).unwrap();
        assert_eq!(r.parent.as_ref().map(|p| p.as_str()), Some(heading), "{id}");
    }
    assert_eq!(
        fw.requirement("12.10").unwrap().title,
        "Suspected and confirmed security incidents that could impact the CDE are responded to immediately"
    );
    assert_eq!(
        fw.requirement("A3").unwrap().title,
        "Designated Entities Supplemental Validation (DESV)"
    );
}

#[test]
fn pci_dss_best_practice_flags() {
    let fw = pci();
    let flagged = attr(fw, "best_practice_until", "2025-03-31");
    assert_eq!(flagged, set(BEST_PRACTICE.iter().copied()));
    assert_eq!(flagged.len(), 45);
    // The attribute holds the date and nothing else, and only on defined-approach requirements.
    let any = ids_where(fw, |r| r.attributes.contains_key("best_practice_until"));
    assert_eq!(any, flagged);
    for id in &flagged {
        let r = fw.requirement(id).unwrap();
        assert!(r.assessable, "{id}");
        assert_eq!(r.attributes["best_practice_until"], ["2025-03-31"], "{id}");
    }
    // Only some bullets of these were future-dated: not flagged as a whole.
    for id in ["3.2.1", "3.3.3", "3.6.1.1", "4.2.1", "A3.3.1"] {
        assert!(!flagged.contains(id), "{id}");
    }
}

#[test]
fn pci_dss_applicability_flags() {
    let fw = pci();
    let sp = attr(fw, "applies_to", "service-provider");
    assert_eq!(sp, set(SERVICE_PROVIDER.iter().copied()));
    assert_eq!(sp.len(), 25);
    let a1 = ids_where(fw, |r| r.assessable && root_of(r.id.as_str()) == "A1");
    assert!(a1.is_subset(&sp));
    assert_eq!(a1.len(), 7);
    let de = attr(fw, "applies_to", "designated-entity");
    let a3 = ids_where(fw, |r| r.assessable && root_of(r.id.as_str()) == "A3");
    assert_eq!(de, a3);
    assert_eq!(de.len(), 20);
    assert!(sp.is_disjoint(&de));
    let any = ids_where(fw, |r| r.attributes.contains_key("applies_to"));
    assert_eq!(any.len(), 45);
    let values: BTreeSet<&str> = fw
        .requirements()
        .iter()
        .flat_map(|r| r.attributes.values().flatten())
        .map(String::as_str)
        .collect();
    assert_eq!(
        values,
        BTreeSet::from(["2025-03-31", "designated-entity", "service-provider"])
    );
}
