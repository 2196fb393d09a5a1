//! ISO/IEC 27017:2015, ISO/IEC 27018:2019, Cyber Essentials v3.3 and the Essential Eight
//! (November 2023): exact identifiers and counts, their profiles and pair notes, and the
//! mapping sets from the two ISO codes of practice to ISO/IEC 27001:2013.

use std::collections::BTreeSet;

use crosswalk_core::framework::RequirementKind as K;
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::mapping::{ProvenanceKind, Relationship};
use crosswalk_core::profile::{DisclosureKind, Nature, PenaltyKind};

use super::{builtin, framework, ids_where, mapping_set, seq, set};

const CLD_CONTROLS: [&str; 7] = [
    "CLD.6.3.1",
    "CLD.8.1.5",
    "CLD.9.5.1",
    "CLD.9.5.2",
    "CLD.12.1.5",
    "CLD.12.4.5",
    "CLD.13.1.4",
];

/// The 14 ISO/IEC 27002:2013 controls that ISO/IEC 27018:2019 extends with PII guidance.
const PII_GUIDANCE: [&str; 14] = [
    "5.1.1", "6.1.1", "7.2.2", "9.2.1", "9.4.2", "10.1.1", "11.2.7", "12.1.4", "12.3.1", "12.4.1",
    "12.4.2", "13.2.1", "16.1.1", "18.2.1",
];

fn fid(s: &str) -> FrameworkId {
    FrameworkId::parse(s).unwrap()
}

/// ISO/IEC 27001:2013 Annex A control ids without the `A.` prefix (= 27002:2013 numbering).
fn iso27002_2013_controls() -> BTreeSet<String> {
    ids_where(framework("iso27001-2013"), |r| {
        r.kind == K::Control && r.id.as_str().starts_with("A.")
    })
    .into_iter()
    .map(|id| id[2..].to_string())
    .collect()
}

#[test]
fn iso27017_2015_has_114_shared_and_7_cloud_controls() {
    let fw = framework("iso27017");
    assert_eq!(fw.id().as_str(), "iso27017-2015");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.publisher, "ISO/IEC");
    assert_eq!(fw.meta.published.as_deref(), Some("2015-12"));
    assert_eq!(fw.requirements().len(), 14 + 35 + 114 + 2 + 7);

    let clauses = set(seq("", 5..=18));
    assert_eq!(ids_where(fw, |r| r.kind == K::Group), clauses);
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Objective),
        ids_where(framework("iso27001-2013"), |r| r.kind == K::Objective)
            .into_iter()
            .map(|id| id[2..].to_string())
            .chain(["CLD.6.3".to_string(), "CLD.9.5".to_string()])
            .collect::<BTreeSet<_>>()
    );
    let mut controls = iso27002_2013_controls();
    assert_eq!(controls.len(), 114);
    controls.extend(CLD_CONTROLS.iter().map(ToString::to_string));
    assert_eq!(ids_where(fw, |r| r.kind == K::Control), controls);
    assert_eq!(ids_where(fw, |r| r.assessable), controls);

    // Each CLD control sits under the objective its number names.
    let parent = |id: &str| {
        fw.requirements()
            .iter()
            .find(|r| r.id.as_str() == id)
            .and_then(|r| r.parent.as_ref())
            .map(ToString::to_string)
    };
    for (id, p) in [
        ("CLD.6.3", "6"),
        ("CLD.6.3.1", "CLD.6.3"),
        ("CLD.8.1.5", "8.1"),
        ("CLD.9.5", "9"),
        ("CLD.9.5.1", "CLD.9.5"),
        ("CLD.9.5.2", "CLD.9.5"),
        ("CLD.12.1.5", "12.1"),
        ("CLD.12.4.5", "12.4"),
        ("CLD.13.1.4", "13.1"),
    ] {
        assert_eq!(parent(id).as_deref(), Some(p), "{id}");
    }
    // Titles of the shared controls are the 27002:2013 titles.
    let a = framework("iso27001-2013");
    for r in fw.requirements().iter().filter(|r| r.kind == K::Control) {
        if let Some(src) = a
            .requirements()
            .iter()
            .find(|s| s.id.as_str() == format!("A.{}", r.id))
        {
            assert_eq!(r.title, src.title, "{}", r.id);
        }
        assert!(!r.summary.is_empty(), "{}", r.id);
    }
}

#[test]
fn iso27018_2019_has_14_guided_controls_and_25_annex_a_controls() {
    let fw = framework("iso27018");
    assert_eq!(fw.id().as_str(), "iso27018-2019");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.published.as_deref(), Some("2019-01"));
    assert_eq!(fw.requirements().len(), 75);

    let annex: BTreeSet<String> = [
        seq("A.2.", 1..=1),
        seq("A.3.", 1..=2),
        seq("A.5.", 1..=1),
        seq("A.6.", 1..=2),
        seq("A.8.", 1..=1),
        seq("A.10.", 1..=3),
        seq("A.11.", 1..=13),
        seq("A.12.", 1..=2),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(annex.len(), 25);
    let mut controls = set(PII_GUIDANCE);
    controls.extend(annex.iter().cloned());
    assert_eq!(ids_where(fw, |r| r.kind == K::Control), controls);
    assert_eq!(ids_where(fw, |r| r.assessable), controls);

    let mut groups = set(["5", "6", "7", "9", "10", "11", "12", "13", "16", "18", "A"]);
    groups.extend(seq("A.", 1..=12));
    assert_eq!(ids_where(fw, |r| r.kind == K::Group), groups);
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Objective),
        set([
            "5.1", "6.1", "7.2", "9.2", "9.4", "10.1", "11.2", "12.1", "12.3", "12.4", "13.2",
            "16.1", "18.2"
        ])
    );
    // Principles without controls of their own.
    for empty in ["A.1", "A.4", "A.7", "A.9"] {
        assert!(
            !fw.requirements()
                .iter()
                .any(|r| r.parent.as_ref().is_some_and(|p| p.as_str() == empty)),
            "{empty}"
        );
    }
    let title = |id: &str| {
        fw.requirements()
            .iter()
            .find(|r| r.id.as_str() == id)
            .map(|r| r.title.as_str())
    };
    assert_eq!(title("A.12.1"), Some("Geographical location of PII"));
    assert_eq!(
        title("A.11.13"),
        Some("Access to data on pre-used data storage space")
    );
    assert_eq!(
        title("A.2.1"),
        Some("Obligation to co-operate regarding PII principals' rights")
    );
}

#[test]
fn cyber_essentials_3_3_has_29_requirements_in_5_themes() {
    let fw = framework("cyber-essentials");
    assert_eq!(fw.id().as_str(), "cyber-essentials-3.3");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.publisher, "NCSC");
    assert_eq!(fw.meta.version, "3.3");
    assert!(fw.meta.notes.iter().any(|n| n.contains("crosswalk's own")));
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Group),
        set(["FW", "SC", "SU", "UA", "MP"])
    );
    let reqs: BTreeSet<String> = [
        seq("FW.", 1..=7),
        seq("SC.", 1..=7),
        seq("SU.", 1..=4),
        seq("UA.", 1..=8),
        seq("MP.", 1..=3),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(reqs.len(), 29);
    assert_eq!(ids_where(fw, |r| r.kind == K::Requirement), reqs);
    assert_eq!(ids_where(fw, |r| r.assessable), reqs);
    assert_eq!(fw.requirements().len(), 34);
    let titles: Vec<&str> = fw
        .requirements()
        .iter()
        .filter(|r| r.kind == K::Group)
        .map(|r| r.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Firewalls",
            "Secure configuration",
            "Security update management",
            "User access control",
            "Malware protection"
        ]
    );
}

#[test]
fn essential_eight_2023_has_8_strategies_with_3_maturity_levels() {
    let fw = framework("essential-eight");
    assert_eq!(fw.id().as_str(), "essential-eight-2023");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.published.as_deref(), Some("2023-11"));
    assert!(fw.meta.notes.iter().any(|n| n.contains("crosswalk's own")));
    let strategies = [
        ("PA", "Patch applications"),
        ("PO", "Patch operating systems"),
        ("MFA", "Multi-factor authentication"),
        ("RAP", "Restrict administrative privileges"),
        ("AC", "Application control"),
        ("ROM", "Restrict Microsoft Office macros"),
        ("UAH", "User application hardening"),
        ("RB", "Regular backups"),
    ];
    let groups: Vec<(String, String)> = fw
        .requirements()
        .iter()
        .filter(|r| r.kind == K::Group)
        .map(|r| (r.id.to_string(), r.title.clone()))
        .collect();
    assert_eq!(
        groups,
        strategies
            .iter()
            .map(|(i, t)| ((*i).to_string(), (*t).to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(fw.requirements().len(), 32);
    for (code, _) in strategies {
        for (n, name) in [
            (1, "Maturity Level One"),
            (2, "Maturity Level Two"),
            (3, "Maturity Level Three"),
        ] {
            let id = format!("{code}.ML{n}");
            let r = fw
                .requirements()
                .iter()
                .find(|r| r.id.as_str() == id)
                .unwrap_or_else(|| panic!("{id}"));
            assert_eq!(r.parent.as_ref().map(|p| p.as_str()), Some(code));
            assert_eq!(r.title, name);
            assert!(r.assessable);
            assert_eq!(r.attributes["maturity_level"], vec![n.to_string()]);
        }
    }
    assert_eq!(ids_where(fw, |r| r.assessable).len(), 24);
}

#[test]
fn profiles_match_their_catalogs() {
    let lib = &builtin().library;
    for (family, nature, penalties, disclosure, count) in [
        (
            "iso27017",
            Nature::VoluntaryStandard,
            PenaltyKind::Market,
            DisclosureKind::PublicCertificate,
            7,
        ),
        (
            "iso27018",
            Nature::VoluntaryStandard,
            PenaltyKind::Market,
            DisclosureKind::PublicCertificate,
            25,
        ),
        (
            "cyber-essentials",
            Nature::VoluntaryAttestation,
            PenaltyKind::Contractual,
            DisclosureKind::PublicCertificate,
            29,
        ),
        (
            "essential-eight",
            Nature::VoluntaryFramework,
            PenaltyKind::Market,
            DisclosureKind::Regulator,
            24,
        ),
    ] {
        let p = lib.profile(&fid(family)).unwrap();
        assert_eq!(p.nature, nature, "{family}");
        assert_eq!(p.penalties.kind, penalties, "{family}");
        assert_eq!(p.disclosure.kind, disclosure, "{family}");
        assert!(
            !p.timeline.is_empty()
                && !p.key_features.is_empty()
                && !p.choose_when.is_empty()
                && !p.facts.is_empty()
                && !p.faq.is_empty()
                && !p.users.is_empty(),
            "{family}"
        );
        assert!(
            p.structure.elements.iter().any(|e| e.count == Some(count)),
            "{family}: structure states {count}"
        );
        for r in &p.related {
            assert!(lib.current_of(r).is_some(), "{family}: related {r}");
        }
    }
    // Not certified alone: both ISO codes are assessed inside an ISO/IEC 27001 scope.
    for family in ["iso27017", "iso27018"] {
        let p = lib.profile(&fid(family)).unwrap();
        assert!(p.testing.contains("ISO/IEC 27001"), "{family}");
        assert!(format!("{:?}", p.facts).contains("extension"), "{family}");
    }
    let ce = lib.profile(&fid("cyber-essentials")).unwrap();
    assert!(
        ce.assurance
            .forms
            .iter()
            .any(|f| f.name == "Cyber Essentials Plus")
    );
    assert!(ce.current_version.contains("v3.3"));
    let e8 = lib.profile(&fid("essential-eight")).unwrap();
    assert!(format!("{:?}", e8.key_features).contains("Protective Security Policy Framework"));
    assert!(e8.current_version.contains("November 2023"));
}

#[test]
fn mapping_sets_pair_shared_controls_equal_and_cloud_controls_by_meaning() {
    for (id, from, shared, extra) in [
        (
            "iso27017-2015--iso27001-2013",
            "iso27017-2015",
            iso27002_2013_controls(),
            set(CLD_CONTROLS),
        ),
        (
            "iso27018-2019--iso27001-2013",
            "iso27018-2019",
            set(PII_GUIDANCE),
            ids_where(framework("iso27018"), |r| {
                r.kind == K::Control && r.id.as_str().starts_with("A.")
            }),
        ),
    ] {
        let s = mapping_set(id);
        assert_eq!(s.meta.from.as_str(), from);
        assert_eq!(s.meta.to.as_str(), "iso27001-2013");
        assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
        let equal: BTreeSet<(String, String)> = s
            .mappings()
            .iter()
            .filter(|m| m.relationship == Relationship::Equal)
            .map(|m| (m.from.to_string(), m.to.to_string()))
            .collect();
        assert_eq!(
            equal,
            shared
                .iter()
                .map(|c| (c.clone(), format!("A.{c}")))
                .collect::<BTreeSet<_>>(),
            "{id}"
        );
        let others: BTreeSet<String> = s
            .mappings()
            .iter()
            .filter(|m| m.relationship != Relationship::Equal)
            .map(|m| m.from.to_string())
            .collect();
        assert_eq!(others, extra, "{id}: every extended control is mapped");
        assert!(s.mappings().iter().all(|m| {
            m.relationship == Relationship::Equal
                || matches!(
                    m.relationship,
                    Relationship::Superset | Relationship::Intersects
                )
        }));
    }
    assert_eq!(
        mapping_set("iso27017-2015--iso27001-2013").mappings().len(),
        124
    );
    assert_eq!(
        mapping_set("iso27018-2019--iso27001-2013").mappings().len(),
        40
    );
}

#[test]
fn compare_works_for_each_new_pair() {
    let lib = &builtin().library;
    for (a, b) in [
        ("iso27017", "iso27001"),
        ("iso27018", "iso27701"),
        ("iso27017", "iso27018"),
        ("cyber-essentials", "iso27001"),
        ("essential-eight", "nist-csf"),
        ("cyber-essentials", "essential-eight"),
    ] {
        let notes = lib
            .pair_notes(&fid(a), &fid(b))
            .unwrap_or_else(|| panic!("pair notes {a}–{b}"));
        let (fa, fb) = (lib.resolve(a).unwrap(), lib.resolve(b).unwrap());
        let c = crosswalk_core::compare::compare(lib, fa, fb).unwrap();
        assert_eq!(Some(&c.verdict), notes.verdict.as_ref(), "{a}–{b}");
        assert!(!c.similarities.is_empty() && !c.notes.is_empty(), "{a}–{b}");
        // The pair is unordered.
        let r = crosswalk_core::compare::compare(lib, fb, fa).unwrap();
        assert_eq!(r.verdict, c.verdict);
    }
    // The mapping sets give the ISO pairs a computed overlap.
    let c = crosswalk_core::compare::compare(
        lib,
        framework("iso27017-2015"),
        framework("iso27001-2013"),
    )
    .unwrap();
    assert!(c.overlap.is_some());
}
