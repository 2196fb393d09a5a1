//! Exact identifier sets and counts of every built-in catalog.

use crosswalk_core::framework::RequirementKind as K;
use crosswalk_core::profile::Nature;

use super::{builtin, framework, ids_where, seq, set};

fn concat(parts: &[Vec<String>]) -> Vec<String> {
    parts.concat()
}

#[test]
fn soc2_2017_has_the_61_criteria() {
    let fw = framework("soc2");
    assert_eq!(fw.id().as_str(), "soc2-2017");
    let expected = set(concat(&[
        seq("CC1.", 1..=5),
        seq("CC2.", 1..=3),
        seq("CC3.", 1..=4),
        seq("CC4.", 1..=2),
        seq("CC5.", 1..=3),
        seq("CC6.", 1..=8),
        seq("CC7.", 1..=5),
        seq("CC8.", 1..=1),
        seq("CC9.", 1..=2),
        seq("A1.", 1..=3),
        seq("C1.", 1..=2),
        seq("PI1.", 1..=5),
        vec!["P1.1".into(), "P2.1".into(), "P3.1".into(), "P3.2".into()],
        seq("P4.", 1..=3),
        seq("P5.", 1..=2),
        seq("P6.", 1..=7),
        vec!["P7.1".into(), "P8.1".into()],
    ]));
    assert_eq!(expected.len(), 61);
    assert_eq!(ids_where(fw, |r| r.assessable), expected);
    assert_eq!(ids_where(fw, |r| r.kind == K::Criterion), expected);
    assert_eq!(
        ids_where(fw, |r| r.id.as_str().starts_with("CC")
            && r.kind == K::Criterion)
        .len(),
        33
    );
    let groups = set(concat(&[
        seq("CC", 1..=9),
        vec!["A1".into(), "C1".into(), "PI1".into()],
        seq("P", 1..=8),
    ]));
    assert_eq!(ids_where(fw, |r| r.kind == K::Group), groups);
    // Every criterion hangs under its series and says which category it belongs to.
    for r in fw.requirements().iter().filter(|r| r.assessable) {
        let series = r.id.as_str().split('.').next().unwrap();
        assert_eq!(
            r.parent.as_ref().map(|p| p.as_str()),
            Some(series),
            "{}",
            r.id
        );
        assert_eq!(
            r.attributes.get("category").map(Vec::len),
            Some(1),
            "{}",
            r.id
        );
    }
}

const ISO_27001_2022_CLAUSES: &[&str] = &[
    "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "5.3", "6", "6.1", "6.1.1", "6.1.2",
    "6.1.3", "6.2", "6.3", "7", "7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3", "8",
    "8.1", "8.2", "8.3", "9", "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3",
    "10", "10.1", "10.2",
];

fn annex_a_2022() -> Vec<String> {
    concat(&[
        seq("A.5.", 1..=37),
        seq("A.6.", 1..=8),
        seq("A.7.", 1..=14),
        seq("A.8.", 1..=34),
    ])
}

#[test]
fn iso27001_2022_has_its_clauses_and_93_controls() {
    let fw = framework("iso27001");
    assert_eq!(fw.id().as_str(), "iso27001-2022");
    let controls = set(annex_a_2022());
    assert_eq!(controls.len(), 93);
    assert_eq!(ids_where(fw, |r| r.kind == K::Control), controls);
    assert_eq!(
        ids_where(fw, |r| !r.id.as_str().starts_with('A')),
        set(ISO_27001_2022_CLAUSES.iter().copied())
    );
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Group),
        set(["A", "A.5", "A.6", "A.7", "A.8"])
    );
    // Leaf clauses are assessable; headings that only hold subclauses are not.
    for id in ["6.1", "7.5", "9.2", "9.3", "4", "10"] {
        assert!(!fw.requirement(id).unwrap().assessable, "{id}");
    }
    for id in ["4.3", "6.1.3", "6.3", "9.2.2", "10.2"] {
        assert!(fw.requirement(id).unwrap().assessable, "{id}");
    }
    assert_eq!(
        fw.requirement("A.5.7").unwrap().title,
        "Threat intelligence"
    );
    assert_eq!(fw.requirement("A.8.28").unwrap().title, "Secure coding");
}

#[test]
fn iso27001_2022_attributes_follow_27002() {
    let fw = framework("iso27001-2022");
    let vocab: &[(&str, &[&str])] = &[
        ("control_type", &["preventive", "detective", "corrective"]),
        (
            "security_properties",
            &["confidentiality", "integrity", "availability"],
        ),
        (
            "cybersecurity_concepts",
            &["identify", "protect", "detect", "respond", "recover"],
        ),
        (
            "operational_capabilities",
            &[
                "governance",
                "asset-management",
                "information-protection",
                "human-resource-security",
                "physical-security",
                "system-and-network-security",
                "application-security",
                "secure-configuration",
                "identity-and-access-management",
                "threat-and-vulnerability-management",
                "continuity",
                "supplier-relationships-security",
                "legal-and-compliance",
                "information-security-event-management",
                "information-security-assurance",
            ],
        ),
        (
            "security_domains",
            &[
                "governance-and-ecosystem",
                "protection",
                "defence",
                "resilience",
            ],
        ),
        ("new_in_2022", &["yes"]),
    ];
    let mut with_all = 0;
    for r in fw.requirements().iter().filter(|r| r.kind == K::Control) {
        for (name, values) in &r.attributes {
            let allowed = vocab
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{}: unknown attribute {name}", r.id))
                .1;
            for v in values {
                assert!(allowed.contains(&v.as_str()), "{}: {name} = {v}", r.id);
            }
        }
        if vocab[..5]
            .iter()
            .all(|(n, _)| r.attributes.contains_key(*n))
        {
            with_all += 1;
        }
    }
    assert!(
        with_all >= 85,
        "only {with_all} of 93 controls carry all five attributes"
    );
    let new = ids_where(fw, |r| r.attributes.contains_key("new_in_2022"));
    assert_eq!(
        new,
        set([
            "A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16",
            "A.8.23", "A.8.28"
        ])
    );
    let attr = |id: &str, name: &str| {
        fw.requirement(id)
            .unwrap()
            .attributes
            .get(name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(attr("A.5.1", "control_type"), ["preventive"]);
    assert_eq!(attr("A.8.15", "control_type"), ["detective"]);
    assert_eq!(
        attr("A.8.7", "control_type"),
        ["preventive", "detective", "corrective"]
    );
}

#[test]
fn iso27001_2013_has_114_controls_in_14_domains() {
    let fw = framework("iso27001-2013");
    assert!(!fw.meta.current);
    let controls = set(concat(&[
        seq("A.5.1.", 1..=2),
        seq("A.6.1.", 1..=5),
        seq("A.6.2.", 1..=2),
        seq("A.7.1.", 1..=2),
        seq("A.7.2.", 1..=3),
        seq("A.7.3.", 1..=1),
        seq("A.8.1.", 1..=4),
        seq("A.8.2.", 1..=3),
        seq("A.8.3.", 1..=3),
        seq("A.9.1.", 1..=2),
        seq("A.9.2.", 1..=6),
        seq("A.9.3.", 1..=1),
        seq("A.9.4.", 1..=5),
        seq("A.10.1.", 1..=2),
        seq("A.11.1.", 1..=6),
        seq("A.11.2.", 1..=9),
        seq("A.12.1.", 1..=4),
        seq("A.12.2.", 1..=1),
        seq("A.12.3.", 1..=1),
        seq("A.12.4.", 1..=4),
        seq("A.12.5.", 1..=1),
        seq("A.12.6.", 1..=2),
        seq("A.12.7.", 1..=1),
        seq("A.13.1.", 1..=3),
        seq("A.13.2.", 1..=4),
        seq("A.14.1.", 1..=3),
        seq("A.14.2.", 1..=9),
        seq("A.14.3.", 1..=1),
        seq("A.15.1.", 1..=3),
        seq("A.15.2.", 1..=2),
        seq("A.16.1.", 1..=7),
        seq("A.17.1.", 1..=3),
        seq("A.17.2.", 1..=1),
        seq("A.18.1.", 1..=5),
        seq("A.18.2.", 1..=3),
    ]));
    assert_eq!(controls.len(), 114);
    assert_eq!(ids_where(fw, |r| r.kind == K::Control), controls);
    let objectives = ids_where(fw, |r| r.kind == K::Objective);
    assert_eq!(objectives.len(), 35);
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Group && r.id.as_str() != "A"),
        set(seq("A.", 5..=18))
    );
    for c in &controls {
        let parent = fw
            .requirement(c)
            .unwrap()
            .parent
            .as_ref()
            .unwrap()
            .to_string();
        assert!(objectives.contains(&parent), "{c} hangs under {parent}");
    }
    assert_eq!(
        fw.requirement("10.1").unwrap().title,
        "Nonconformity and corrective action"
    );
}

#[test]
fn iso27701_2019_has_31_controller_and_18_processor_controls() {
    let fw = framework("iso27701-2019");
    let a = set(concat(&[
        seq("A.7.2.", 1..=8),
        seq("A.7.3.", 1..=10),
        seq("A.7.4.", 1..=9),
        seq("A.7.5.", 1..=4),
    ]));
    let b = set(concat(&[
        seq("B.8.2.", 1..=6),
        seq("B.8.3.", 1..=1),
        seq("B.8.4.", 1..=3),
        seq("B.8.5.", 1..=8),
    ]));
    assert_eq!((a.len(), b.len()), (31, 18));
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Control
            && r.id.as_str().starts_with("A.")),
        a
    );
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Control
            && r.id.as_str().starts_with("B.")),
        b
    );
    for top in ["5", "6", "7", "8", "A", "B"] {
        assert!(fw.requirement(top).is_some(), "{top}");
    }
    assert_eq!(
        fw.requirement("A.7.2.1").unwrap().title,
        "Identify and document purpose"
    );
    // The clause 7 and 8 guidance mirrors the annex controls one to one.
    for id in a.iter().chain(&b) {
        let clause = &id[2..];
        assert!(
            fw.requirement(clause).is_some(),
            "guidance subclause {clause} for {id}"
        );
    }
}

#[test]
fn iso27701_2025_is_current_and_says_what_changed() {
    let fw = framework("iso27701");
    assert_eq!(fw.id().as_str(), "iso27701-2025");
    for clause in ["4", "5", "6", "7", "8", "9", "10"] {
        assert!(fw.requirement(clause).is_some(), "{clause}");
    }
    let notes = fw.meta.notes.join(" ");
    assert!(
        notes.contains("2019"),
        "notes say what changed from 2019: {notes}"
    );
    assert!(
        notes.contains("2026"),
        "notes mention the 2026 misnomer: {notes}"
    );
    assert!(
        !notes.contains("Left out: the individual Annex A controls"),
        "Annex A is no longer left out: {notes}"
    );
    assert!(
        notes.contains("verified"),
        "notes say how the Annex A ids were verified: {notes}"
    );
}

/// Table A.1 (31 controller controls), A.2 (18 processor controls) and A.3 (29 controls for
/// both): controls are numbered from .2 in each objective and from A.3.3 in table A.3.
fn iso27701_2025_annex_a() -> [Vec<String>; 3] {
    [
        concat(&[
            seq("A.1.2.", 2..=9),
            seq("A.1.3.", 2..=11),
            seq("A.1.4.", 2..=10),
            seq("A.1.5.", 2..=5),
        ]),
        concat(&[
            seq("A.2.2.", 2..=7),
            seq("A.2.3.", 2..=2),
            seq("A.2.4.", 2..=4),
            seq("A.2.5.", 2..=9),
        ]),
        seq("A.3.", 3..=31),
    ]
}

#[test]
fn iso27701_2025_annex_a_has_31_18_and_29_controls() {
    let fw = framework("iso27701-2025");
    let [a1, a2, a3] = iso27701_2025_annex_a();
    assert_eq!((a1.len(), a2.len(), a3.len()), (31, 18, 29));
    // Exact first and last ids of each table, in document order.
    for (table, first, last) in [
        (&a1, "A.1.2.2", "A.1.5.5"),
        (&a2, "A.2.2.2", "A.2.5.9"),
        (&a3, "A.3.3", "A.3.31"),
    ] {
        assert_eq!(
            (table[0].as_str(), table[table.len() - 1].as_str()),
            (first, last)
        );
    }
    let assessable = ids_where(fw, |r| r.assessable && r.id.as_str().starts_with("A."));
    assert_eq!(assessable.len(), 78);
    assert_eq!(assessable, set(a1.iter().chain(&a2).chain(&a3).cloned()));
    for (prefix, table) in [("A.1.", &a1), ("A.2.", &a2), ("A.3.", &a3)] {
        assert_eq!(
            ids_where(fw, |r| r.kind == K::Control
                && r.id.as_str().starts_with(prefix)),
            set(table.iter().cloned()),
            "{prefix}"
        );
        let ids: Vec<&str> = fw
            .requirements()
            .iter()
            .filter(|r| r.kind == K::Control && r.id.as_str().starts_with(prefix))
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, *table, "{prefix} controls in document order");
    }
    // Structure: annex root, three tables, eight objective groups; none assessable.
    let mut groups = vec!["A", "A.1", "A.2", "A.3"];
    groups.extend([
        "A.1.2", "A.1.3", "A.1.4", "A.1.5", "A.2.2", "A.2.3", "A.2.4", "A.2.5",
    ]);
    for g in &groups {
        let r = fw.requirement(g).unwrap_or_else(|| panic!("{g}"));
        assert!(!r.assessable && r.kind == K::Group, "{g}");
    }
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Group),
        set(groups.iter().copied())
    );
    for c in a1.iter().chain(&a2).chain(&a3) {
        let parent = fw.requirement(c).unwrap().parent.as_ref().unwrap();
        let want = if c.starts_with("A.3.") {
            "A.3".to_owned()
        } else {
            c.rsplit_once('.').unwrap().0.to_owned()
        };
        assert_eq!(parent.as_str(), want, "{c}");
    }
    // No control at the objective positions (x.y.1) or at A.3.1 and A.3.2.
    for absent in [
        "A.1.2.1", "A.1.5.1", "A.2.2.1", "A.2.5.1", "A.3.1", "A.3.2", "A.3.32",
    ] {
        assert!(fw.requirement(absent).is_none(), "{absent}");
    }
    // The role attribute follows the table.
    for (table, role) in [(&a1, "controller"), (&a2, "processor"), (&a3, "both")] {
        for c in table.iter() {
            assert_eq!(
                fw.requirement(c).unwrap().attributes.get("role"),
                Some(&vec![role.to_owned()]),
                "{c}"
            );
        }
    }
    // A few exact id/title pairs, including titles reworded since 2019.
    for (id, title) in [
        ("A.1.2", "Conditions for collection and processing"),
        ("A.1.2.2", "Identify and document purpose"),
        ("A.1.2.9", "Records related to processing PII"),
        ("A.1.3.7", "Access, correction or erasure"),
        ("A.1.3.11", "Automated decision making"),
        (
            "A.1.4.6",
            "PII de-identification and deletion at the end of processing",
        ),
        ("A.1.5.5", "Records of PII disclosures to third parties"),
        ("A.2.2.2", "Customer agreement"),
        ("A.2.3.2", "Comply with obligations to PII principals"),
        ("A.2.5.2", "Basis for PII transfer between jurisdictions"),
        ("A.2.5.9", "Change of subcontractor to process PII"),
        ("A.3.3", "Policies for information security"),
        (
            "A.3.11",
            "Information security incident management planning and preparation",
        ),
        ("A.3.22", "User endpoint devices"),
        ("A.3.31", "Test information"),
    ] {
        assert_eq!(fw.requirement(id).unwrap().title, title, "{id}");
    }
}

/// Annex A controls may be declared not applicable (with a justification in the Statement
/// of Applicability); the management-system clauses 4–10 may not.
#[test]
fn iso27701_2025_annex_a_is_excludable_and_clauses_are_not() {
    let fw = framework("iso27701-2025");
    let [a1, a2, a3] = iso27701_2025_annex_a();
    for c in a1.iter().chain(&a2).chain(&a3) {
        assert!(fw.excludable(c), "{c} is excludable");
    }
    let clauses: Vec<&str> = fw
        .requirements()
        .iter()
        .filter(|r| !r.id.as_str().starts_with('A'))
        .map(|r| r.id.as_str())
        .collect();
    assert!(clauses.len() > 30 && clauses.contains(&"10.2"));
    for c in clauses {
        assert_eq!(fw.requirement(c).unwrap().kind, K::Clause, "{c}");
        assert!(!fw.excludable(c), "{c} is not excludable");
    }
}

/// Tables A.1 and A.2 carry the 2019 Annexes A and B over in the same order, each control
/// number raised by one, with the same or reworded titles.
#[test]
fn iso27701_2025_tables_a1_a2_follow_the_2019_annexes() {
    let (old, new) = (framework("iso27701-2019"), framework("iso27701-2025"));
    let old_controls: Vec<&str> = old
        .requirements()
        .iter()
        .filter(|r| r.kind == K::Control)
        .map(|r| r.id.as_str())
        .collect();
    let [a1, a2, _] = iso27701_2025_annex_a();
    let new_controls: Vec<String> = a1.into_iter().chain(a2).collect();
    assert_eq!(old_controls.len(), new_controls.len());
    let reworded = ["A.1.3.7", "A.1.5.5", "A.2.3.2", "A.2.5.4"];
    for (o, n) in old_controls.iter().zip(&new_controls) {
        let (head, last) = o.rsplit_once('.').unwrap();
        let table = if head.starts_with("A.7.") {
            "A.1."
        } else {
            "A.2."
        };
        let group = head.rsplit_once('.').unwrap().1;
        let number: u32 = last.parse().unwrap();
        assert_eq!(*n, format!("{table}{group}.{}", number + 1), "{o}");
        let (ot, nt) = (
            &old.requirement(o).unwrap().title,
            &new.requirement(n).unwrap().title,
        );
        if !reworded.contains(&n.as_str()) {
            assert_eq!(ot, nt, "{o} → {n}");
        }
    }
}

#[test]
fn iso42001_2023_has_38_controls_under_9_objectives() {
    let fw = framework("iso42001");
    assert_eq!(fw.id().as_str(), "iso42001-2023");
    let controls = set(concat(&[
        seq("A.2.", 2..=4),
        seq("A.3.", 2..=3),
        seq("A.4.", 2..=6),
        seq("A.5.", 2..=5),
        seq("A.6.1.", 2..=3),
        seq("A.6.2.", 2..=8),
        seq("A.7.", 2..=6),
        seq("A.8.", 2..=5),
        seq("A.9.", 2..=4),
        seq("A.10.", 2..=4),
    ]));
    assert_eq!(controls.len(), 38);
    assert_eq!(ids_where(fw, |r| r.kind == K::Control), controls);
    let objectives = ids_where(fw, |r| {
        r.kind == K::Objective && r.id.as_str().matches('.').count() == 1
    });
    assert_eq!(objectives, set(seq("A.", 2..=10)));
    for clause in ["6.1.4", "8.4", "9.3.3", "10.2"] {
        assert!(fw.requirement(clause).is_some(), "{clause}");
    }
}

#[test]
fn iso13485_2016_has_every_numbered_subclause() {
    let fw = framework("iso13485");
    let mut expected = vec![
        "4", "4.1", "4.2", "5", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "6", "6.1", "6.2", "6.3",
        "6.4", "7", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "8", "8.1", "8.2", "8.3", "8.4",
        "8.5", "7.5.9.1", "7.5.9.2",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    for (prefix, n) in [
        ("4.1.", 6),
        ("4.2.", 5),
        ("5.4.", 2),
        ("5.5.", 3),
        ("5.6.", 3),
        ("6.4.", 2),
        ("7.2.", 3),
        ("7.3.", 10),
        ("7.4.", 3),
        ("7.5.", 11),
        ("8.2.", 6),
        ("8.3.", 4),
        ("8.5.", 3),
    ] {
        expected.extend(seq(prefix, 1..=n));
    }
    assert_eq!(ids_where(fw, |_| true), set(expected));
    assert_eq!(
        fw.requirement("7.3.10").unwrap().title,
        "Design and development files"
    );
}

#[test]
fn iso9001_2015_clauses() {
    let fw = framework("iso9001");
    for id in [
        "4.4.1", "7.1.5.1", "7.5.3.2", "8.3.6", "8.5.6", "8.7.2", "9.3.3", "10.3",
    ] {
        assert!(fw.requirement(id).is_some(), "{id}");
    }
    assert!(fw.requirement("10.4").is_none());
}

#[test]
fn nist_csf_2_0_has_6_functions_22_categories_106_subcategories() {
    let fw = framework("nist-csf-2.0");
    assert_eq!(framework("nist-csf").id(), fw.id());
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Group),
        set(["GV", "ID", "PR", "DE", "RS", "RC"])
    );
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Category),
        set([
            "GV.OC", "GV.RM", "GV.RR", "GV.PO", "GV.OV", "GV.SC", "ID.AM", "ID.RA", "ID.IM",
            "PR.AA", "PR.AT", "PR.DS", "PR.PS", "PR.IR", "DE.CM", "DE.AE", "RS.MA", "RS.AN",
            "RS.CO", "RS.MI", "RC.RP", "RC.CO"
        ])
    );
    let subs = ids_where(fw, |r| r.kind == K::Subcategory);
    assert_eq!(subs.len(), 106);
    assert_eq!(ids_where(fw, |r| r.assessable), subs);
    for withdrawn in [
        "ID.BE-01", "PR.AC-01", "PR.IP-01", "DE.DP-01", "ID.AM-06", "PR.DS-03",
    ] {
        assert!(
            !subs.contains(withdrawn),
            "{withdrawn} is a withdrawn CSF 1.1 element"
        );
    }
    for present in [
        "GV.OC-01", "PR.AA-01", "ID.AM-08", "RC.CO-04", "DE.AE-08", "GV.SC-10",
    ] {
        assert!(subs.contains(present), "{present}");
    }
    assert!(fw.meta.source.as_deref().unwrap_or("").contains("NIST"));
}

#[test]
fn every_short_id_resolves_to_a_current_edition_with_a_profile() {
    let lib = &builtin().library;
    let expected: &[(&str, &str, Nature)] = &[
        ("soc2", "soc2-2017", Nature::VoluntaryAttestation),
        (
            "iso27001",
            "iso27001-2022",
            Nature::CertifiableManagementSystem,
        ),
        (
            "iso27701",
            "iso27701-2025",
            Nature::CertifiableManagementSystem,
        ),
        (
            "iso42001",
            "iso42001-2023",
            Nature::CertifiableManagementSystem,
        ),
        (
            "iso13485",
            "iso13485-2016",
            Nature::CertifiableManagementSystem,
        ),
        (
            "iso9001",
            "iso9001-2015",
            Nature::CertifiableManagementSystem,
        ),
        ("iso14971", "iso14971-2019", Nature::VoluntaryStandard),
        ("nist-csf-2.0", "nist-csf-2.0", Nature::VoluntaryFramework),
        ("nist-800-53", "nist-800-53r5", Nature::VoluntaryFramework),
        ("gdpr", "gdpr-2016", Nature::LawOrRegulation),
        ("hipaa", "hipaa-2013", Nature::LawOrRegulation),
        ("pci-dss", "pci-dss-4.0.1", Nature::ContractualStandard),
        ("nis2", "nis2-2022", Nature::LawOrRegulation),
        ("dora", "dora-2022", Nature::LawOrRegulation),
        ("eu-ai-act", "eu-ai-act-2024", Nature::LawOrRegulation),
        (
            "cis-controls",
            "cis-controls-8.1",
            Nature::VoluntaryFramework,
        ),
    ];
    for (short, edition, nature) in expected {
        let fw = lib
            .resolve(short)
            .unwrap_or_else(|| panic!("{short} resolves"));
        assert_eq!(fw.id().as_str(), *edition, "{short}");
        assert!(fw.meta.current, "{edition} is current");
        let p = lib
            .profile(&fw.meta.family)
            .unwrap_or_else(|| panic!("{short} has a profile"));
        assert_eq!(p.nature, *nature, "{short}");
        assert!(
            !p.timeline.is_empty() && !p.key_features.is_empty() && !p.choose_when.is_empty(),
            "{short}"
        );
    }
    assert_eq!(
        lib.resolve("ISO27001-2013").unwrap().id().as_str(),
        "iso27001-2013"
    );
    assert!(lib.resolve("iso27002").is_none());
}

#[test]
fn profiles_state_the_facts_pages_get_wrong() {
    let lib = &builtin().library;
    let p = |f: &str| lib.profile(&lib.resolve(f).unwrap().meta.family).unwrap();
    let soc2 = p("soc2");
    let soc2_text = format!("{:?}", soc2.cycle) + &format!("{:?}", soc2.assurance);
    assert!(
        soc2_text.contains("Type 1") && soc2_text.contains("Type 2"),
        "{soc2_text}"
    );
    assert!(
        soc2_text.contains('3') && soc2_text.contains("12"),
        "observation window 3–12 months"
    );
    assert_eq!(
        soc2.penalties.kind,
        crosswalk_core::profile::PenaltyKind::Market
    );
    assert_eq!(
        soc2.disclosure.kind,
        crosswalk_core::profile::DisclosureKind::RestrictedReport
    );
    let iso = p("iso27001");
    assert_eq!(
        iso.disclosure.kind,
        crosswalk_core::profile::DisclosureKind::PublicCertificate
    );
    let cycle = format!("{:?}", iso.cycle).to_lowercase();
    assert!(
        cycle.contains("3-year") || cycle.contains("three"),
        "{cycle}"
    );
    assert!(cycle.contains("surveillance"));
    for law in ["gdpr", "hipaa", "nis2", "dora", "eu-ai-act"] {
        assert_eq!(
            p(law).penalties.kind,
            crosswalk_core::profile::PenaltyKind::Legal,
            "{law}"
        );
    }
    let ai = format!("{:?}", p("iso42001").facts);
    assert!(ai.contains("38") && ai.contains("39"), "{ai}");
    let pims = format!("{:?}", p("iso27701").facts);
    assert!(pims.contains("2025") && pims.contains("2026"), "{pims}");
}

/// Across the whole built-in library: ids unique within each framework, every parent
/// exists and precedes its child, and text is never empty.
#[test]
fn whole_library_tree_invariants() {
    for fw in builtin().library.frameworks() {
        let mut seen = std::collections::HashSet::new();
        for r in fw.requirements() {
            assert!(
                seen.insert(r.id.as_str()),
                "{}: duplicate {}",
                fw.id(),
                r.id
            );
            if let Some(p) = &r.parent {
                assert!(
                    seen.contains(p.as_str()),
                    "{}: parent {p} of {} missing or later",
                    fw.id(),
                    r.id
                );
            }
            assert!(!r.title.trim().is_empty(), "{}: {}", fw.id(), r.id);
            // Only catalogs converted from a publisher's file without its text may lack summaries.
            let identifier_only = ["nist-800-53r5", "nist-csf-1.1", "nis2-ir-2024-2690"];
            if !identifier_only.contains(&fw.id().as_str()) {
                assert!(
                    !r.summary.trim().is_empty(),
                    "{}: {} has no summary",
                    fw.id(),
                    r.id
                );
            }
        }
    }
}

proptest::proptest! {
    /// From any requirement of any framework, following parents reaches a root in fewer
    /// steps than the tree has nodes (no cycles), through ids that all exist.
    #[test]
    fn parent_chains_reach_a_root(f in 0usize..1000, r in 0usize..10_000) {
        let fws = builtin().library.frameworks();
        let fw = &fws[f % fws.len()];
        proptest::prop_assume!(!fw.requirements().is_empty());
        let mut cur = &fw.requirements()[r % fw.requirements().len()];
        let mut steps = 0;
        while let Some(p) = &cur.parent {
            cur = fw.requirement(p.as_str()).expect("parent exists");
            steps += 1;
            proptest::prop_assert!(steps < fw.requirements().len());
        }
    }
}
