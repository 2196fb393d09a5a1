//! Cloud security catalogs: CSA Cloud Controls Matrix v4.0 and BSI C5:2020 — exact
//! identifiers and counts per domain, their profiles, and the comparisons with their pairs.

use std::collections::BTreeSet;

use crosswalk_core::compare::compare;
use crosswalk_core::framework::RequirementKind as K;
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::profile::{DisclosureKind, EditionStatus, Nature, PenaltyKind};

use super::{builtin, framework, ids_where, seq, set};

fn fid(s: &str) -> FrameworkId {
    FrameworkId::parse(s).unwrap()
}

/// CCM v4.0 domains in the order of the matrix, with their number of controls.
const CCM_DOMAINS: &[(&str, u32)] = &[
    ("A&A", 6),
    ("AIS", 7),
    ("BCR", 11),
    ("CCC", 9),
    ("CEK", 21),
    ("DCS", 15),
    ("DSP", 19),
    ("GRC", 8),
    ("HRS", 13),
    ("IAM", 16),
    ("IPY", 4),
    ("IVS", 9),
    ("LOG", 13),
    ("SEF", 8),
    ("STA", 14),
    ("TVM", 10),
    ("UEM", 14),
];

/// C5:2020 areas in the order of the catalogue, with their number of criteria.
const C5_AREAS: &[(&str, u32)] = &[
    ("OIS", 7),
    ("SP", 3),
    ("HR", 6),
    ("AM", 6),
    ("PS", 7),
    ("OPS", 24),
    ("IDM", 9),
    ("CRY", 4),
    ("COS", 8),
    ("PI", 3),
    ("DEV", 10),
    ("SSO", 5),
    ("SIM", 5),
    ("BCM", 4),
    ("COM", 4),
    ("INQ", 4),
    ("PSS", 12),
];

/// `PREFIX-01` … `PREFIX-nn`, two-digit numbers as both catalogs print them.
fn two_digit(prefix: &str, n: u32) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}-{i:02}")).collect()
}

/// Checks a two-level catalog: the groups in order, each group's children exactly,
/// every child assessable of `kind`, and the total.
fn check_tree(fw_id: &str, domains: &[(&str, u32)], kind: K, total: usize) {
    let fw = framework(fw_id);
    assert_eq!(fw.id().as_str(), fw_id);
    let groups: Vec<String> = fw
        .requirements()
        .iter()
        .filter(|r| r.kind == K::Group)
        .map(|r| r.id.to_string())
        .collect();
    let expected_groups: Vec<String> = domains.iter().map(|(d, _)| (*d).to_string()).collect();
    assert_eq!(groups, expected_groups, "{fw_id}: domains in order");
    let mut all = BTreeSet::new();
    for (domain, n) in domains {
        let children = ids_where(fw, |r| {
            r.parent.as_ref().map(|p| p.as_str()) == Some(*domain)
        });
        assert_eq!(children, set(two_digit(domain, *n)), "{fw_id}: {domain}");
        all.extend(children);
    }
    assert_eq!(all.len(), total, "{fw_id}");
    assert_eq!(ids_where(fw, |r| r.assessable), all, "{fw_id}: assessable");
    assert_eq!(ids_where(fw, |r| r.kind == kind), all, "{fw_id}: kind");
    assert_eq!(fw.requirements().len(), total + domains.len(), "{fw_id}");
    for r in fw.requirements() {
        assert!(!r.title.is_empty(), "{fw_id} {}: title", r.id);
        assert!(!r.summary.is_empty(), "{fw_id} {}: summary", r.id);
    }
}

#[test]
fn csa_ccm_4_0_has_197_controls_in_17_domains() {
    assert_eq!(CCM_DOMAINS.len(), 17);
    check_tree("csa-ccm-4.0", CCM_DOMAINS, K::Control, 197);
    let fw = framework("csa-ccm");
    assert_eq!(fw.id().as_str(), "csa-ccm-4.0");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.version, "4.0");
    assert_eq!(
        framework("ccm-v4").id().as_str(),
        "csa-ccm-4.0",
        "alias resolves"
    );
    let title = |id: &str| fw.requirement(id).unwrap().title.clone();
    assert_eq!(title("A&A"), "Audit & Assurance");
    assert_eq!(title("UEM"), "Universal Endpoint Management");
    assert_eq!(title("A&A-06"), "Remediation");
    assert_eq!(title("CEK-21"), "Key Inventory Management");
    assert_eq!(title("IAM-14"), "Strong Authentication");
    assert_eq!(title("STA-01"), "SSRM Policy and Procedures");
    assert_eq!(title("UEM-14"), "Third-Party Endpoint Security Posture");
    // Ids outside v4: v3.0.1 domains and numbers past the end of a domain.
    for id in [
        "AAC-01", "EKM-01", "MOS-01", "GRC-09", "STA-15", "TVM-11", "IPY-05",
    ] {
        assert!(fw.requirement(id).is_none(), "{id}");
    }
}

#[test]
fn bsi_c5_2020_has_121_criteria_in_17_areas() {
    assert_eq!(C5_AREAS.len(), 17);
    check_tree("bsi-c5-2020", C5_AREAS, K::Criterion, 121);
    let fw = framework("bsi-c5");
    assert_eq!(fw.id().as_str(), "bsi-c5-2020");
    assert!(fw.meta.current);
    assert_eq!(framework("c5-2020").id().as_str(), "bsi-c5-2020");
    let title = |id: &str| fw.requirement(id).unwrap().title.clone();
    assert_eq!(title("OIS"), "Organisation of Information Security");
    assert_eq!(title("PSS"), "Product Safety and Security");
    assert_eq!(
        title("OIS-01"),
        "Information Security Management System (ISMS)"
    );
    assert_eq!(
        title("INQ-01"),
        "Legal Assessment of Investigative Inquiries"
    );
    assert_eq!(title("PSS-12"), "Locations of Data Processing and Storage");
    for id in ["OPS-25", "PSS-13", "KRY-01", "RB-01", "SPN-01", "MDM-01"] {
        assert!(fw.requirement(id).is_none(), "{id}");
    }
    // OPS is the largest area.
    assert_eq!(
        ids_where(fw, |r| r.id.as_str().starts_with("OPS-")),
        set(seq("OPS-0", 1..=9).into_iter().chain(seq("OPS-", 10..=24)))
    );
}

#[test]
fn cloud_profiles_are_complete_and_consistent() {
    let lib = &builtin().library;
    for (family, edition, nature, publisher, count, disclosure) in [
        (
            "csa-ccm",
            "csa-ccm-4.0",
            Nature::VoluntaryFramework,
            "Cloud Security Alliance (CSA)",
            197,
            DisclosureKind::SelfDeclaration,
        ),
        (
            "bsi-c5",
            "bsi-c5-2020",
            Nature::VoluntaryAttestation,
            "Bundesamt für Sicherheit in der Informationstechnik (BSI)",
            121,
            DisclosureKind::RestrictedReport,
        ),
    ] {
        let fw = lib.resolve(family).unwrap();
        assert_eq!(fw.id().as_str(), edition);
        let p = lib.profile(&fid(family)).unwrap();
        assert_eq!(p.nature, nature, "{family}");
        assert_eq!(p.publisher, publisher, "{family}");
        assert_eq!(p.penalties.kind, PenaltyKind::Market, "{family}");
        assert_eq!(p.disclosure.kind, disclosure, "{family}");
        assert!(
            !p.timeline.is_empty()
                && !p.key_features.is_empty()
                && !p.choose_when.is_empty()
                && !p.themes.is_empty()
                && !p.users.is_empty()
                && !p.facts.is_empty()
                && !p.faq.is_empty()
                && !p.editions.is_empty(),
            "{family}"
        );
        assert_eq!(fw.assessable_count(), count, "{family}");
        let counts: Vec<Option<u32>> = p.structure.elements.iter().map(|e| e.count).collect();
        assert_eq!(
            counts,
            vec![Some(17), Some(u32::try_from(count).unwrap())],
            "{family}: structure states 17 groups and {count} requirements"
        );
        for r in &p.related {
            assert!(lib.current_of(r).is_some(), "{family}: related {r}");
        }
        assert!(
            p.editions
                .iter()
                .filter(|e| e.status == EditionStatus::Current)
                .count()
                == 1,
            "{family}: one current edition"
        );
    }

    let ccm = lib.profile(&fid("csa-ccm")).unwrap();
    let forms: Vec<&str> = ccm
        .assurance
        .forms
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        forms,
        [
            "STAR Level 1: Self-Assessment",
            "STAR Level 2: STAR Certification",
            "STAR Level 2: STAR Attestation",
        ]
    );
    let c5 = lib.profile(&fid("bsi-c5")).unwrap();
    assert!(
        c5.assurance.basis.contains("ISAE 3000"),
        "{}",
        c5.assurance.basis
    );
    let c5_forms: Vec<&str> = c5.assurance.forms.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(c5_forms, ["Type 1", "Type 2"]);
}

#[test]
fn compare_works_for_every_cloud_pair() {
    let lib = &builtin().library;
    for (a, b) in [
        ("csa-ccm", "iso27001"),
        ("csa-ccm", "soc2"),
        ("bsi-c5", "iso27001"),
        ("bsi-c5", "csa-ccm"),
        ("bsi-c5", "soc2"),
    ] {
        let notes = lib
            .pair_notes(&fid(a), &fid(b))
            .unwrap_or_else(|| panic!("pair notes {a}/{b}"));
        assert!(
            notes.verdict.is_some()
                && !notes.similarities.is_empty()
                && !notes.combined_strategy.is_empty()
                && !notes.notes.is_empty(),
            "{a}/{b}"
        );
        // Pairs are unordered.
        assert!(lib.pair_notes(&fid(b), &fid(a)).is_some(), "{b}/{a}");
        for (x, y) in [(a, b), (b, a)] {
            let (fx, fy) = (lib.resolve(x).unwrap(), lib.resolve(y).unwrap());
            let c = compare(lib, fx, fy).unwrap_or_else(|e| panic!("{x}/{y}: {e:?}"));
            assert_eq!(c.a.as_str(), fx.id().as_str());
            assert_eq!(c.b.as_str(), fy.id().as_str());
            assert_eq!(Some(&c.verdict), notes.verdict.as_ref(), "{x}/{y}");
            for s in &notes.similarities {
                assert!(c.similarities.contains(s), "{x}/{y}: {s}");
            }
            for s in &notes.combined_strategy {
                assert!(c.combined_strategy.contains(s), "{x}/{y}: {s}");
            }
            // Only the pairs with a curated mapping set get a direct overlap; the others
            // are linked through ISO/IEC 27001 and say so. Domain rows count every
            // assessable requirement of each side once.
            let mapped = b == "iso27001";
            let o = c
                .overlap
                .as_ref()
                .unwrap_or_else(|| panic!("{x}/{y}: linked"));
            assert_eq!(o.inferred, !mapped, "{x}/{y}");
            let total = |rows: &[crosswalk_core::compare::DomainRow]| -> usize {
                rows.iter().map(|r| r.count.total).sum()
            };
            assert_eq!(total(&c.domains.0), fx.assessable_count(), "{x}/{y}");
            assert_eq!(total(&c.domains.1), fy.assessable_count(), "{x}/{y}");
        }
    }
    let iso = lib.resolve("iso27001").unwrap();
    for (family, domains) in [("csa-ccm", CCM_DOMAINS), ("bsi-c5", C5_AREAS)] {
        let fw = lib.resolve(family).unwrap();
        let c = compare(lib, fw, iso).unwrap();
        let rows: Vec<(&str, usize)> = c
            .domains
            .0
            .iter()
            .map(|r| (r.domain.as_str(), r.count.total))
            .collect();
        let expected: Vec<(&str, usize)> = domains.iter().map(|(d, n)| (*d, *n as usize)).collect();
        assert_eq!(rows, expected, "{family}: one row per domain, in order");
        let o = c.overlap.unwrap();
        assert_eq!(o.a_in_b.total, fw.assessable_count(), "{family}");
        assert!(
            o.a_in_b.full + o.a_in_b.partial > o.a_in_b.total / 2,
            "{family}"
        );
    }
}

#[test]
fn curated_cloud_mapping_sets_cover_their_catalogs() {
    use crosswalk_core::mapping::{ProvenanceKind, Relationship};
    let lib = &builtin().library;
    let set_of = |id: &str| {
        lib.mapping_sets()
            .iter()
            .find(|s| s.meta.id.as_str() == id)
            .unwrap_or_else(|| panic!("mapping set {id}"))
    };
    for (id, from, missing) in [
        ("csa-ccm-4.0--iso27001-2022", "csa-ccm-4.0", &[][..]),
        (
            "bsi-c5-2020--iso27001-2022",
            "bsi-c5-2020",
            &["INQ-02", "INQ-04"][..],
        ),
    ] {
        let s = set_of(id);
        assert_eq!(s.meta.provenance, ProvenanceKind::Curated, "{id}");
        assert_eq!(s.meta.from.as_str(), from);
        assert_eq!(s.meta.to.as_str(), "iso27001-2022");
        assert!(
            s.meta.review.contains("not yet independently reviewed"),
            "{id}"
        );
        let mapped: BTreeSet<String> = s.mappings().iter().map(|m| m.from.to_string()).collect();
        let mut expected = ids_where(framework(from), |r| r.assessable);
        for m in missing {
            assert!(expected.remove(*m), "{id}: {m}");
        }
        assert_eq!(mapped, expected, "{id}: every control but the listed ones");
        let kinds: BTreeSet<Relationship> = s.mappings().iter().map(|m| m.relationship).collect();
        assert!(
            kinds.contains(&Relationship::Equivalent) && kinds.contains(&Relationship::Intersects),
            "{id}"
        );
        assert!(s.mappings().iter().all(|m| m.strength.is_some()), "{id}");
    }
    let has = |set: &str, f: &str, t: &str| {
        set_of(set)
            .mappings()
            .iter()
            .any(|m| m.from.as_str() == f && m.to.as_str() == t)
    };
    assert!(has("csa-ccm-4.0--iso27001-2022", "LOG-06", "A.8.17"));
    assert!(has("csa-ccm-4.0--iso27001-2022", "CEK-12", "A.8.24"));
    assert!(has("csa-ccm-4.0--iso27001-2022", "IVS-05", "A.8.31"));
    assert!(has("bsi-c5-2020--iso27001-2022", "HR-04", "A.6.4"));
    assert!(has("bsi-c5-2020--iso27001-2022", "OPS-22", "A.8.8"));
    assert!(has("bsi-c5-2020--iso27001-2022", "COM-03", "9.2.1"));
}
