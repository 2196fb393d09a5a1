//! CIS Controls v8.1 (18 controls, 153 safeguards with Implementation Groups, asset types
//! and security functions) and HIPAA (Security Rule standards and implementation
//! specifications with required/addressable, Privacy and Breach Notification Rule
//! sections): exact identifiers, counts and attribute sets.

use std::collections::BTreeSet;

use crosswalk_core::framework::{Framework, Requirement, RequirementKind as K};

use super::{framework, ids_where, seq, set};

fn attr<'a>(r: &'a Requirement, name: &str) -> Vec<&'a str> {
    r.attributes
        .get(name)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

fn title<'a>(fw: &'a Framework, id: &str) -> &'a str {
    fw.requirement(id)
        .unwrap_or_else(|| panic!("{}: {id} exists", fw.id()))
        .title
        .as_str()
}

/// Safeguards per CIS control 1..=18.
const CIS_SAFEGUARDS: [u32; 18] = [5, 7, 14, 12, 6, 8, 7, 12, 7, 7, 5, 8, 11, 9, 7, 14, 9, 5];

fn cis_safeguard_ids() -> Vec<String> {
    CIS_SAFEGUARDS
        .iter()
        .zip(1..)
        .flat_map(|(n, c)| seq(&format!("{c}."), 1..=*n))
        .collect()
}

const CIS_IG1: &str = "1.1 1.2 2.1 2.2 2.3 3.1 3.2 3.3 3.4 3.5 3.6 4.1 4.2 4.3 4.4 4.5 4.6 4.7 \
    5.1 5.2 5.3 5.4 6.1 6.2 6.3 6.4 6.5 7.1 7.2 7.3 7.4 8.1 8.2 8.3 9.1 9.2 10.1 10.2 10.3 \
    11.1 11.2 11.3 11.4 12.1 14.1 14.2 14.3 14.4 14.5 14.6 14.7 14.8 15.1 17.1 17.2 17.3";

const CIS_IG3_ONLY: &str = "1.5 2.7 3.13 3.14 4.12 6.8 8.12 9.7 12.8 13.7 13.8 13.9 13.10 \
    13.11 15.5 15.6 15.7 16.12 16.13 16.14 17.9 18.4 18.5";

fn words(s: &str) -> BTreeSet<String> {
    set(s.split_whitespace())
}

#[test]
fn cis_controls_8_1_has_18_controls_and_153_safeguards_in_order() {
    let fw = framework("cis-controls-8.1");
    let controls: Vec<&str> = fw
        .requirements()
        .iter()
        .filter(|r| r.parent.is_none())
        .map(|r| r.id.as_str())
        .collect();
    let expected_controls = seq("", 1..=18);
    assert_eq!(controls, expected_controls);
    for id in &expected_controls {
        let r = fw.requirement(id).unwrap();
        assert!(!r.assessable, "control {id} groups safeguards");
        assert_eq!(r.kind, K::Control, "{id}");
    }
    let safeguards: Vec<&str> = fw
        .requirements()
        .iter()
        .filter(|r| r.parent.is_some())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(safeguards, cis_safeguard_ids());
    assert_eq!(safeguards.len(), 153);
    for r in fw.requirements().iter().filter(|r| r.parent.is_some()) {
        let control = r.id.as_str().split('.').next().unwrap();
        assert_eq!(r.parent.as_ref().unwrap().as_str(), control, "{}", r.id);
        assert!(r.assessable && r.kind == K::Control, "{}", r.id);
        assert!(!r.summary.is_empty(), "{}", r.id);
    }
    assert_eq!(fw.requirements().len(), 171);
    assert_eq!(
        title(fw, "1.1"),
        "Establish and Maintain Detailed Enterprise Asset Inventory"
    );
    assert_eq!(
        title(fw, "4.1"),
        "Establish and Maintain a Secure Configuration Process"
    );
    assert_eq!(title(fw, "6.5"), "Require MFA for Administrative Access");
    assert_eq!(
        title(fw, "13.11"),
        "Tune Security Event Alerting Thresholds"
    );
    assert_eq!(title(fw, "16.14"), "Conduct Threat Modeling");
    assert_eq!(
        title(fw, "17.9"),
        "Establish and Maintain Security Incident Thresholds"
    );
    assert_eq!(
        title(fw, "18.5"),
        "Perform Periodic Internal Penetration Tests"
    );
}

#[test]
fn cis_controls_8_1_implementation_groups() {
    let fw = framework("cis-controls-8.1");
    let in_ig = |ig: &str| ids_where(fw, |r| attr(r, "ig").contains(&ig));
    let (ig1, ig2, ig3) = (in_ig("1"), in_ig("2"), in_ig("3"));
    assert_eq!(ig1.len(), 56);
    assert_eq!(ig2.len(), 130);
    assert_eq!(ig3.len(), 153);
    assert_eq!(ig1, words(CIS_IG1));
    let ig3_only: BTreeSet<String> = ig3.difference(&ig2).cloned().collect();
    assert_eq!(ig3_only, words(CIS_IG3_ONLY));
    let ig2_added: BTreeSet<String> = ig2.difference(&ig1).cloned().collect();
    assert_eq!(ig2_added.len(), 74);
    let all = set(cis_safeguard_ids());
    let rest: BTreeSet<String> = all
        .difference(&words(CIS_IG1))
        .cloned()
        .collect::<BTreeSet<_>>()
        .difference(&words(CIS_IG3_ONLY))
        .cloned()
        .collect();
    assert_eq!(ig2_added, rest);
    // Every safeguard lists all the groups it belongs to: IG1 ⊂ IG2 ⊂ IG3.
    for r in fw.requirements().iter().filter(|r| r.parent.is_some()) {
        let ig = attr(r, "ig");
        assert!(
            ig == ["1", "2", "3"] || ig == ["2", "3"] || ig == ["3"],
            "{}: {ig:?}",
            r.id
        );
    }
    assert!(ids_where(fw, |r| r.parent.is_none() && !r.attributes.is_empty()).is_empty());
}

#[test]
fn cis_controls_8_1_asset_types_and_security_functions() {
    let fw = framework("cis-controls-8.1");
    let mut assets = BTreeSet::new();
    let mut functions = BTreeSet::new();
    for r in fw.requirements().iter().filter(|r| r.parent.is_some()) {
        let (a, f) = (attr(r, "asset_type"), attr(r, "security_function"));
        assert_eq!((a.len(), f.len()), (1, 1), "{}", r.id);
        assets.extend(a);
        functions.extend(f);
        assert_eq!(r.attributes.len(), 3, "{}", r.id);
    }
    assert_eq!(
        assets,
        BTreeSet::from([
            "devices",
            "software",
            "data",
            "users",
            "network",
            "documentation"
        ])
    );
    assert_eq!(
        functions,
        BTreeSet::from([
            "govern", "identify", "protect", "detect", "respond", "recover"
        ])
    );
    let one = |id: &str| {
        let r = fw.requirement(id).unwrap();
        (attr(r, "asset_type")[0], attr(r, "security_function")[0])
    };
    assert_eq!(one("1.1"), ("devices", "identify"));
    assert_eq!(one("2.5"), ("software", "protect"));
    assert_eq!(one("3.1"), ("documentation", "govern"));
    assert_eq!(one("8.2"), ("network", "detect"));
    assert_eq!(one("11.2"), ("data", "recover"));
    assert_eq!(one("5.3"), ("users", "respond"));
}

/// The Security Rule's implementation specifications, in rule order, with R (required) or
/// A (addressable), grouped by the standard they belong to.
const HIPAA_SPECS: &[(&str, &[(&str, char)])] = &[
    (
        "164.308(a)(1)",
        &[
            ("164.308(a)(1)(ii)(A)", 'R'),
            ("164.308(a)(1)(ii)(B)", 'R'),
            ("164.308(a)(1)(ii)(C)", 'R'),
            ("164.308(a)(1)(ii)(D)", 'R'),
        ],
    ),
    (
        "164.308(a)(3)",
        &[
            ("164.308(a)(3)(ii)(A)", 'A'),
            ("164.308(a)(3)(ii)(B)", 'A'),
            ("164.308(a)(3)(ii)(C)", 'A'),
        ],
    ),
    (
        "164.308(a)(4)",
        &[
            ("164.308(a)(4)(ii)(A)", 'R'),
            ("164.308(a)(4)(ii)(B)", 'A'),
            ("164.308(a)(4)(ii)(C)", 'A'),
        ],
    ),
    (
        "164.308(a)(5)",
        &[
            ("164.308(a)(5)(ii)(A)", 'A'),
            ("164.308(a)(5)(ii)(B)", 'A'),
            ("164.308(a)(5)(ii)(C)", 'A'),
            ("164.308(a)(5)(ii)(D)", 'A'),
        ],
    ),
    ("164.308(a)(6)", &[("164.308(a)(6)(ii)", 'R')]),
    (
        "164.308(a)(7)",
        &[
            ("164.308(a)(7)(ii)(A)", 'R'),
            ("164.308(a)(7)(ii)(B)", 'R'),
            ("164.308(a)(7)(ii)(C)", 'R'),
            ("164.308(a)(7)(ii)(D)", 'A'),
            ("164.308(a)(7)(ii)(E)", 'A'),
        ],
    ),
    ("164.308(b)(1)", &[("164.308(b)(3)", 'R')]),
    (
        "164.310(a)",
        &[
            ("164.310(a)(2)(i)", 'A'),
            ("164.310(a)(2)(ii)", 'A'),
            ("164.310(a)(2)(iii)", 'A'),
            ("164.310(a)(2)(iv)", 'A'),
        ],
    ),
    (
        "164.310(d)",
        &[
            ("164.310(d)(2)(i)", 'R'),
            ("164.310(d)(2)(ii)", 'R'),
            ("164.310(d)(2)(iii)", 'A'),
            ("164.310(d)(2)(iv)", 'A'),
        ],
    ),
    (
        "164.312(a)",
        &[
            ("164.312(a)(2)(i)", 'R'),
            ("164.312(a)(2)(ii)", 'R'),
            ("164.312(a)(2)(iii)", 'A'),
            ("164.312(a)(2)(iv)", 'A'),
        ],
    ),
    ("164.312(c)", &[("164.312(c)(2)", 'A')]),
    (
        "164.312(e)(1)",
        &[("164.312(e)(2)(i)", 'A'), ("164.312(e)(2)(ii)", 'A')],
    ),
    (
        "164.314(a)",
        &[
            ("164.314(a)(2)(i)", 'R'),
            ("164.314(a)(2)(ii)", 'R'),
            ("164.314(a)(2)(iii)", 'R'),
        ],
    ),
    (
        "164.314(b)",
        &[
            ("164.314(b)(2)(i)", 'R'),
            ("164.314(b)(2)(ii)", 'R'),
            ("164.314(b)(2)(iii)", 'R'),
            ("164.314(b)(2)(iv)", 'R'),
        ],
    ),
    (
        "164.316(b)",
        &[
            ("164.316(b)(2)(i)", 'R'),
            ("164.316(b)(2)(ii)", 'R'),
            ("164.316(b)(2)(iii)", 'R'),
        ],
    ),
];

/// The Security Rule standards, by the citations the mapping sets use.
const HIPAA_STANDARDS: [&str; 22] = [
    "164.308(a)(1)",
    "164.308(a)(2)",
    "164.308(a)(3)",
    "164.308(a)(4)",
    "164.308(a)(5)",
    "164.308(a)(6)",
    "164.308(a)(7)",
    "164.308(a)(8)",
    "164.308(b)(1)",
    "164.310(a)",
    "164.310(b)",
    "164.310(c)",
    "164.310(d)",
    "164.312(a)",
    "164.312(b)",
    "164.312(c)",
    "164.312(d)",
    "164.312(e)(1)",
    "164.314(a)",
    "164.314(b)",
    "164.316(a)",
    "164.316(b)",
];

#[test]
fn hipaa_security_rule_implementation_specifications() {
    let fw = framework("hipaa-2013");
    let specs: Vec<&str> = fw
        .requirements()
        .iter()
        .filter(|r| r.kind == K::ImplementationSpecification)
        .map(|r| r.id.as_str())
        .collect();
    let expected: Vec<&str> = HIPAA_SPECS
        .iter()
        .flat_map(|(_, s)| s.iter().map(|(id, _)| *id))
        .collect();
    assert_eq!(specs, expected);
    assert_eq!(specs.len(), 46);
    for (standard, list) in HIPAA_SPECS {
        for (id, mark) in *list {
            let r = fw.requirement(id).unwrap();
            assert_eq!(r.parent.as_ref().unwrap().as_str(), *standard, "{id}");
            assert!(r.assessable, "{id}");
            let want = if *mark == 'R' {
                "required"
            } else {
                "addressable"
            };
            assert_eq!(attr(r, "implementation"), [want], "{id}");
        }
    }
    let marked = |m: &str| ids_where(fw, |r| attr(r, "implementation") == [m]);
    let with = |m: char| -> BTreeSet<String> {
        set(HIPAA_SPECS
            .iter()
            .flat_map(|(_, s)| s.iter())
            .filter(|(_, c)| *c == m)
            .map(|(id, _)| *id))
    };
    assert_eq!(marked("required"), with('R'));
    assert_eq!(marked("addressable"), with('A'));
    assert_eq!(marked("required").len(), 24);
    assert_eq!(marked("addressable").len(), 22);
    // Within §§164.308–164.312 (the rule's Appendix A matrix): 14 required, 22 addressable.
    let in_matrix = |s: &BTreeSet<String>| {
        s.iter()
            .filter(|id| !id.starts_with("164.314") && !id.starts_with("164.316"))
            .count()
    };
    assert_eq!(in_matrix(&marked("required")), 14);
    assert_eq!(in_matrix(&marked("addressable")), 22);
    assert_eq!(title(fw, "164.308(a)(1)(ii)(A)"), "Risk analysis");
    assert_eq!(title(fw, "164.312(a)(2)(iv)"), "Encryption and decryption");
    assert_eq!(
        title(fw, "164.308(b)(3)"),
        "Written contract or other arrangement"
    );
    assert_eq!(
        title(fw, "164.312(c)(2)"),
        "Mechanism to authenticate electronic protected health information"
    );
}

#[test]
fn hipaa_security_rule_standards_are_kept_and_assessable() {
    let fw = framework("hipaa-2013");
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Standard),
        set(HIPAA_STANDARDS)
    );
    for id in HIPAA_STANDARDS {
        let r = fw.requirement(id).unwrap();
        assert!(r.assessable, "{id}");
        assert!(r.attributes.is_empty(), "{id}");
    }
    let security = [
        "164.302", "164.304", "164.306", "164.308", "164.310", "164.312", "164.314", "164.316",
        "164.318",
    ];
    assert_eq!(
        ids_where(fw, |r| r
            .parent
            .as_ref()
            .is_some_and(|p| p.as_str() == "Subpart-C")),
        set(security)
    );
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Group),
        set(["Subpart-C", "Subpart-D", "Subpart-E"])
    );
    assert!(fw.requirement("164.306").unwrap().assessable);
    assert_eq!(fw.requirements().len(), 105);
}

#[test]
fn hipaa_privacy_and_breach_notification_sections() {
    let fw = framework("hipaa-2013");
    let under = |g: &str| -> Vec<&str> {
        fw.requirements()
            .iter()
            .filter(|r| r.parent.as_ref().is_some_and(|p| p.as_str() == g))
            .map(|r| r.id.as_str())
            .collect()
    };
    let breach = [
        "164.400", "164.402", "164.404", "164.406", "164.408", "164.410", "164.412", "164.414",
    ];
    let privacy = [
        "164.500", "164.501", "164.502", "164.504", "164.506", "164.508", "164.510", "164.512",
        "164.514", "164.520", "164.522", "164.524", "164.526", "164.528", "164.530", "164.532",
        "164.534",
    ];
    assert_eq!(under("Subpart-D"), breach);
    assert_eq!(under("Subpart-E"), privacy);
    let not_assessable = set([
        "164.400", "164.402", "164.500", "164.501", "164.532", "164.534",
    ]);
    for id in breach.iter().chain(privacy.iter()) {
        let r = fw.requirement(id).unwrap();
        assert_eq!(r.kind, K::Section, "{id}");
        assert_eq!(r.assessable, !not_assessable.contains(*id), "{id}");
    }
    assert_eq!(title(fw, "164.404"), "Notification to individuals");
    assert_eq!(title(fw, "164.530"), "Administrative requirements");
    assert_eq!(
        title(fw, "164.524"),
        "Access of individuals to protected health information"
    );
    assert!(fw.requirement("164.509").is_none());
}
