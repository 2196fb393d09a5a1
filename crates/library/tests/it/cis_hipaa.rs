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
