//! Standards breadth: ISO 22301:2019 and CMMC 2.0 (Levels 1 and 2): exact identifiers and
//! counts, their profiles and pair notes, and the excludability of ISO 22301's clauses.

use std::collections::BTreeSet;

use crosswalk_core::framework::RequirementKind as K;
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::profile::{DisclosureKind, Nature, PenaltyKind};

use super::{builtin, framework, ids_where, set};

fn fid(s: &str) -> FrameworkId {
    FrameworkId::parse(s).unwrap()
}

/// ISO 22301:2019: (clause, its second-level subclauses, with third-level ones where
/// crosswalk lists them).
const ISO22301: &[(&str, &[(&str, u32)])] = &[
    ("4", &[("4.1", 0), ("4.2", 0), ("4.3", 0), ("4.4", 0)]),
    ("5", &[("5.1", 0), ("5.2", 0), ("5.3", 0)]),
    ("6", &[("6.1", 0), ("6.2", 0), ("6.3", 0)]),
    (
        "7",
        &[("7.1", 0), ("7.2", 0), ("7.3", 0), ("7.4", 0), ("7.5", 0)],
    ),
    (
        "8",
        &[
            ("8.1", 0),
            ("8.2", 3),
            ("8.3", 5),
            ("8.4", 5),
            ("8.5", 0),
            ("8.6", 0),
        ],
    ),
    ("9", &[("9.1", 0), ("9.2", 0), ("9.3", 0)]),
    ("10", &[("10.1", 0), ("10.2", 0)]),
];

fn iso22301_assessable() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, subs) in ISO22301 {
        for (sub, n) in *subs {
            if *n == 0 {
                out.insert((*sub).to_string());
            } else {
                out.extend((1..=*n).map(|i| format!("{sub}.{i}")));
            }
        }
    }
    out
}

#[test]
fn iso22301_2019_has_clauses_4_to_10_with_36_assessable_subclauses() {
    let fw = framework("iso22301");
    assert_eq!(fw.id().as_str(), "iso22301-2019");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.family.as_str(), "iso22301");
    assert_eq!(fw.meta.publisher, "ISO");
    assert_eq!(fw.meta.published.as_deref(), Some("2019-10"));

    let clauses = set(ISO22301.iter().map(|(c, _)| *c));
    let roots = ids_where(fw, |r| r.parent.is_none());
    assert_eq!(roots, clauses);
    let assessable = iso22301_assessable();
    assert_eq!(assessable.len(), 36);
    assert_eq!(ids_where(fw, |r| r.assessable), assessable);
    // Every node is a clause: 7 clauses, 26 subclauses, 13 third-level subclauses.
    assert_eq!(fw.requirements().len(), 7 + 26 + 13);
    assert!(fw.requirements().iter().all(|r| r.kind == K::Clause));
    // The headings with children are not assessed themselves.
    for heading in ["8.2", "8.3", "8.4"] {
        assert!(!fw.requirement(heading).unwrap().assessable, "{heading}");
    }

    let order: Vec<&str> = fw.requirements().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(order.first(), Some(&"4"));
    assert_eq!(order.get(1), Some(&"4.1"));
    assert_eq!(order.last(), Some(&"10.2"));

    for (id, title) in [
        ("4.1", "Understanding the organization and its context"),
        (
            "4.3",
            "Determining the scope of the business continuity management system",
        ),
        ("5.3", "Roles, responsibilities and authorities"),
        (
            "6.3",
            "Planning changes to the business continuity management system",
        ),
        ("8.2", "Business impact analysis and risk assessment"),
        ("8.2.2", "Business impact analysis"),
        ("8.3", "Business continuity strategies and solutions"),
        ("8.3.3", "Selection of strategies and solutions"),
        ("8.3.4", "Resource requirements"),
        ("8.4", "Business continuity plans and procedures"),
        ("8.4.2", "Response structure"),
        ("8.4.5", "Recovery"),
        ("8.5", "Exercise programme"),
        (
            "8.6",
            "Evaluation of business continuity documentation and capabilities",
        ),
        ("10.1", "Nonconformity and corrective action"),
        ("10.2", "Continual improvement"),
    ] {
        assert_eq!(fw.requirement(id).unwrap().title, title, "{id}");
    }
    // Parents: a subclause's parent is its id without the last component.
    for r in fw.requirements() {
        let id = r.id.as_str();
        let expected = id.rsplit_once('.').map(|(p, _)| p);
        assert_eq!(r.parent.as_ref().map(|p| p.as_str()), expected, "{id}");
    }
    one_sentence_summaries("iso22301");
}

#[test]
fn iso22301_clauses_cannot_be_excluded() {
    let fw = framework("iso22301");
    for r in fw.requirements() {
        assert!(
            !fw.excludable(r.id.as_str()),
            "{} is a management-system clause",
            r.id
        );
        assert!(r.excludable.is_none(), "{}: the default rule decides", r.id);
    }
    // Unlike ISO 9001 and ISO 13485, the operation clause is not excludable either.
    assert!(!fw.excludable("8.5"));
    assert!(!fw.excludable("8.3.4"));
}

/// CMMC 2.0: (domain, title, (SP 800-171 Rev. 2 number, level) of each practice).
/// (SP 800-171 Rev. 2 number, level that introduces the practice).
type Practice = (&'static str, u8);

const CMMC: &[(&str, &str, &[Practice])] = &[
    (
        "AC",
        "Access Control",
        &[
            ("3.1.1", 1),
            ("3.1.2", 1),
            ("3.1.3", 2),
            ("3.1.4", 2),
            ("3.1.5", 2),
            ("3.1.6", 2),
            ("3.1.7", 2),
            ("3.1.8", 2),
            ("3.1.9", 2),
            ("3.1.10", 2),
            ("3.1.11", 2),
            ("3.1.12", 2),
            ("3.1.13", 2),
            ("3.1.14", 2),
            ("3.1.15", 2),
            ("3.1.16", 2),
            ("3.1.17", 2),
            ("3.1.18", 2),
            ("3.1.19", 2),
            ("3.1.20", 1),
            ("3.1.21", 2),
            ("3.1.22", 1),
        ],
    ),
    (
        "AT",
        "Awareness and Training",
        &[("3.2.1", 2), ("3.2.2", 2), ("3.2.3", 2)],
    ),
    (
        "AU",
        "Audit and Accountability",
        &[
            ("3.3.1", 2),
            ("3.3.2", 2),
            ("3.3.3", 2),
            ("3.3.4", 2),
            ("3.3.5", 2),
            ("3.3.6", 2),
            ("3.3.7", 2),
            ("3.3.8", 2),
            ("3.3.9", 2),
        ],
    ),
    (
        "CM",
        "Configuration Management",
        &[
            ("3.4.1", 2),
            ("3.4.2", 2),
            ("3.4.3", 2),
            ("3.4.4", 2),
            ("3.4.5", 2),
            ("3.4.6", 2),
            ("3.4.7", 2),
            ("3.4.8", 2),
            ("3.4.9", 2),
        ],
    ),
    (
        "IA",
        "Identification and Authentication",
        &[
            ("3.5.1", 1),
            ("3.5.2", 1),
            ("3.5.3", 2),
            ("3.5.4", 2),
            ("3.5.5", 2),
            ("3.5.6", 2),
            ("3.5.7", 2),
            ("3.5.8", 2),
            ("3.5.9", 2),
            ("3.5.10", 2),
            ("3.5.11", 2),
        ],
    ),
    (
        "IR",
        "Incident Response",
        &[("3.6.1", 2), ("3.6.2", 2), ("3.6.3", 2)],
    ),
    (
        "MA",
        "Maintenance",
        &[
            ("3.7.1", 2),
            ("3.7.2", 2),
            ("3.7.3", 2),
            ("3.7.4", 2),
            ("3.7.5", 2),
            ("3.7.6", 2),
        ],
    ),
    (
        "MP",
        "Media Protection",
        &[
            ("3.8.1", 2),
            ("3.8.2", 2),
            ("3.8.3", 1),
            ("3.8.4", 2),
            ("3.8.5", 2),
            ("3.8.6", 2),
            ("3.8.7", 2),
            ("3.8.8", 2),
            ("3.8.9", 2),
        ],
    ),
    ("PS", "Personnel Security", &[("3.9.1", 2), ("3.9.2", 2)]),
    (
        "PE",
        "Physical Protection",
        &[
            ("3.10.1", 1),
            ("3.10.2", 2),
            ("3.10.3", 1),
            ("3.10.4", 1),
            ("3.10.5", 1),
            ("3.10.6", 2),
        ],
    ),
    (
        "RA",
        "Risk Assessment",
        &[("3.11.1", 2), ("3.11.2", 2), ("3.11.3", 2)],
    ),
    (
        "CA",
        "Security Assessment",
        &[("3.12.1", 2), ("3.12.2", 2), ("3.12.3", 2), ("3.12.4", 2)],
    ),
    (
        "SC",
        "System and Communications Protection",
        &[
            ("3.13.1", 1),
            ("3.13.2", 2),
            ("3.13.3", 2),
            ("3.13.4", 2),
            ("3.13.5", 1),
            ("3.13.6", 2),
            ("3.13.7", 2),
            ("3.13.8", 2),
            ("3.13.9", 2),
            ("3.13.10", 2),
            ("3.13.11", 2),
            ("3.13.12", 2),
            ("3.13.13", 2),
            ("3.13.14", 2),
            ("3.13.15", 2),
            ("3.13.16", 2),
        ],
    ),
    (
        "SI",
        "System and Information Integrity",
        &[
            ("3.14.1", 1),
            ("3.14.2", 1),
            ("3.14.3", 2),
            ("3.14.4", 1),
            ("3.14.5", 1),
            ("3.14.6", 2),
            ("3.14.7", 2),
        ],
    ),
];

fn cmmc_practices(level: Option<u8>) -> BTreeSet<String> {
    CMMC.iter()
        .flat_map(|(d, _, ps)| {
            ps.iter()
                .filter(move |(_, l)| level.is_none_or(|x| x == *l))
                .map(move |(n, l)| format!("{d}.L{l}-{n}"))
        })
        .collect()
}

#[test]
fn cmmc_2_0_has_17_level_1_and_110_level_2_practices_in_14_domains() {
    let fw = framework("cmmc");
    assert_eq!(fw.id().as_str(), "cmmc-2.0");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.family.as_str(), "cmmc");
    assert_eq!(fw.meta.publisher, "US Department of Defense");

    let domains = set(CMMC.iter().map(|(d, _, _)| *d));
    assert_eq!(domains.len(), 14);
    assert_eq!(ids_where(fw, |r| r.kind == K::Group), domains);
    for (d, title, _) in CMMC {
        let r = fw.requirement(d).unwrap();
        assert_eq!(r.title, *title, "{d}");
        assert!(r.parent.is_none() && !r.assessable, "{d}");
    }

    let all = cmmc_practices(None);
    let l1 = cmmc_practices(Some(1));
    let l2_only = cmmc_practices(Some(2));
    assert_eq!((all.len(), l1.len(), l2_only.len()), (110, 17, 93));
    assert_eq!(ids_where(fw, |r| r.assessable), all);
    assert_eq!(ids_where(fw, |r| r.kind == K::Requirement), all);
    assert_eq!(fw.requirements().len(), 14 + 110);
    let level = |l: &str| ids_where(fw, |r| r.attributes.get("level") == Some(&vec![l.into()]));
    assert_eq!(level("1"), l1);
    assert_eq!(level("2"), l2_only);
    assert_eq!(
        l1,
        set([
            "AC.L1-3.1.1",
            "AC.L1-3.1.2",
            "AC.L1-3.1.20",
            "AC.L1-3.1.22",
            "IA.L1-3.5.1",
            "IA.L1-3.5.2",
            "MP.L1-3.8.3",
            "PE.L1-3.10.1",
            "PE.L1-3.10.3",
            "PE.L1-3.10.4",
            "PE.L1-3.10.5",
            "SC.L1-3.13.1",
            "SC.L1-3.13.5",
            "SI.L1-3.14.1",
            "SI.L1-3.14.2",
            "SI.L1-3.14.4",
            "SI.L1-3.14.5",
        ])
    );
    // Per-domain counts follow SP 800-171 Rev. 2's families.
    let counts: Vec<usize> = CMMC.iter().map(|(_, _, ps)| ps.len()).collect();
    assert_eq!(counts, [22, 3, 9, 9, 11, 3, 6, 9, 2, 6, 3, 4, 16, 7]);

    // Order: domains in SP 800-171 family order, each followed by its practices in
    // requirement-number order; each practice's parent is its domain.
    let order: Vec<&str> = fw.requirements().iter().map(|r| r.id.as_str()).collect();
    let mut expected = Vec::new();
    for (d, _, ps) in CMMC {
        expected.push((*d).to_string());
        expected.extend(ps.iter().map(|(n, l)| format!("{d}.L{l}-{n}")));
    }
    assert_eq!(order, expected);
    assert_eq!(order.get(1), Some(&"AC.L1-3.1.1"));
    assert_eq!(order.last(), Some(&"SI.L2-3.14.7"));
    for r in fw.requirements().iter().filter(|r| r.assessable) {
        let domain = r.id.as_str().split('.').next().unwrap();
        assert_eq!(r.parent.as_ref().map(|p| p.as_str()), Some(domain));
    }

    for (id, title) in [
        ("AC.L1-3.1.1", "Authorized Access Control"),
        ("AC.L2-3.1.3", "Control CUI Flow"),
        ("AC.L1-3.1.22", "Control Public Information"),
        ("IA.L2-3.5.3", "Multifactor Authentication"),
        ("MP.L2-3.8.7", "Removeable Media"),
        ("PE.L1-3.10.4", "Physical Access Logs"),
        ("CA.L2-3.12.2", "Plan of Action"),
        ("CA.L2-3.12.4", "System Security Plan"),
        ("SC.L1-3.13.5", "Public-Access System Separation"),
        ("SC.L2-3.13.11", "CUI Encryption"),
        ("SI.L1-3.14.5", "System & File Scanning"),
        ("SI.L2-3.14.7", "Identify Unauthorized Use"),
    ] {
        assert_eq!(fw.requirement(id).unwrap().title, title, "{id}");
    }
    // Practices may be declared not applicable with a justification (no wireless, say).
    assert!(fw.excludable("AC.L2-3.1.16"));
    one_sentence_summaries("cmmc");
}

fn one_sentence_summaries(family: &str) {
    for r in framework(family).requirements() {
        // Short titles; the longest is ISO 22301 4.3, with nine words.
        assert!(r.title.split_whitespace().count() <= 9, "{}", r.id);
        let s = r.summary.trim();
        assert!(s.ends_with('.'), "{}: {s}", r.id);
        assert!(
            !s[..s.len() - 1].contains(". "),
            "{}: one sentence: {s}",
            r.id
        );
    }
}

#[test]
fn both_have_profiles_and_pair_notes() {
    let lib = &builtin().library;
    for (family, edition, nature, publisher, count) in [
        (
            "iso22301",
            "iso22301-2019",
            Nature::CertifiableManagementSystem,
            "ISO",
            36,
        ),
        (
            "cmmc",
            "cmmc-2.0",
            Nature::ContractualStandard,
            "US Department of Defense",
            110,
        ),
    ] {
        assert_eq!(lib.resolve(family).unwrap().id().as_str(), edition);
        let fw = lib.resolve(family).unwrap();
        let p = lib.profile(&fid(family)).unwrap();
        assert_eq!(p.nature, nature, "{family}");
        assert_eq!(p.publisher, publisher, "{family}");
        assert!(
            !p.timeline.is_empty()
                && !p.key_features.is_empty()
                && !p.choose_when.is_empty()
                && !p.facts.is_empty()
                && !p.faq.is_empty(),
            "{family}"
        );
        let assessable = fw.requirements().iter().filter(|r| r.assessable).count();
        assert_eq!(assessable, count, "{family}");
        assert!(
            p.structure
                .elements
                .iter()
                .any(|e| e.count == Some(u32::try_from(count).unwrap())),
            "{family}: structure states {count}"
        );
        for r in &p.related {
            assert!(lib.current_of(r).is_some(), "{family}: related {r}");
        }
    }
    let iso = lib.profile(&fid("iso22301")).unwrap();
    assert_eq!(iso.penalties.kind, PenaltyKind::Market);
    assert_eq!(iso.disclosure.kind, DisclosureKind::PublicCertificate);
    let cmmc = lib.profile(&fid("cmmc")).unwrap();
    assert_eq!(cmmc.penalties.kind, PenaltyKind::Contractual);
    assert_eq!(cmmc.disclosure.kind, DisclosureKind::SelfDeclaration);
    let l1 = cmmc
        .structure
        .elements
        .iter()
        .find(|e| e.name == "Level 1 practices")
        .unwrap();
    assert_eq!(l1.count, Some(17));

    assert!(lib.pair_notes(&fid("cmmc"), &fid("nist-800-171")).is_some());
    assert!(lib.pair_notes(&fid("iso27001"), &fid("iso22301")).is_some());
}
