//! SOC 2 (2017 TSC, revised points of focus 2022): points of focus as children of
//! their criterion, only for the criteria whose list was confirmed in two sources.

use crosswalk_core::framework::RequirementKind as K;

use super::{framework, ids_where, set};

/// Criterion → number of points of focus listed under it.
const COUNTS: &[(&str, u32)] = &[
    ("CC1.1", 5),
    ("CC1.2", 4),
    ("CC1.3", 6),
    ("CC1.4", 7),
    ("CC1.5", 6),
    ("CC2.1", 9),
    ("CC3.1", 16),
    ("CC3.3", 5),
    ("CC3.4", 6),
    ("CC4.1", 8),
    ("CC4.2", 3),
    ("CC5.1", 6),
    ("CC5.2", 4),
    ("CC5.3", 6),
    ("CC6.1", 13),
    ("CC6.2", 3),
    ("CC6.3", 4),
    ("CC6.6", 4),
    ("CC6.7", 4),
    ("CC6.8", 5),
    ("CC7.1", 5),
    ("CC7.2", 4),
    ("CC7.5", 6),
    ("CC9.1", 2),
    ("A1.1", 3),
    ("A1.2", 11),
    ("A1.3", 2),
    ("C1.2", 2),
    ("P3.2", 2),
    ("P4.1", 1),
    ("P4.2", 2),
    ("P4.3", 3),
    ("P6.1", 4),
    ("P6.2", 1),
    ("P6.3", 1),
    ("P6.4", 3),
    ("P6.5", 2),
    ("P6.6", 2),
    ("P7.1", 2),
];

#[test]
fn soc2_points_of_focus_hang_under_their_criteria() {
    let fw = framework("soc2-2017");
    let expected = set(COUNTS
        .iter()
        .flat_map(|(c, n)| (1..=*n).map(move |i| format!("{c}.POF{i}"))));
    assert_eq!(expected.len(), 182);
    assert_eq!(ids_where(fw, |r| r.kind == K::PointOfFocus), expected);
    // None is assessable; the criteria are unchanged.
    assert!(ids_where(fw, |r| r.kind == K::PointOfFocus && r.assessable).is_empty());
    assert_eq!(ids_where(fw, |r| r.assessable).len(), 61);
    assert_eq!(ids_where(fw, |r| r.kind == K::Criterion).len(), 61);
    assert_eq!(fw.requirements().len(), 81 + 182);
    for r in fw
        .requirements()
        .iter()
        .filter(|r| r.kind == K::PointOfFocus)
    {
        let criterion = r.id.as_str().rsplit_once(".POF").unwrap().0;
        assert_eq!(r.parent.as_ref().map(|p| p.as_str()), Some(criterion));
        let parent = fw.requirement(criterion).unwrap();
        assert_eq!(parent.kind, K::Criterion, "{}", r.id);
        assert_eq!(
            parent.attributes.get("category"),
            r.attributes.get("category")
        );
        assert!(!r.summary.is_empty(), "{}", r.id);
    }
    // Criteria left without points of focus (their lists were not confirmed).
    for c in ["CC2.2", "CC3.2", "CC8.1", "CC9.2", "PI1.1", "P1.1", "P8.1"] {
        assert!(fw.requirement(&format!("{c}.POF1")).is_none(), "{c}");
    }
}

#[test]
fn soc2_points_of_focus_carry_the_official_headings_in_order() {
    let fw = framework("soc2-2017");
    let title = |id: &str| fw.requirement(id).unwrap().title.to_string();
    assert_eq!(title("CC1.1.POF1"), "Sets the Tone at the Top");
    assert_eq!(
        title("CC1.1.POF4"),
        "Addresses Deviations in a Timely Manner"
    );
    assert_eq!(title("CC1.5.POF6"), "Takes Disciplinary Actions");
    assert_eq!(title("CC2.1.POF5"), "Documents Data Flow");
    assert_eq!(title("CC2.1.POF9"), "Manages the Location of Assets");
    assert_eq!(
        title("CC3.1.POF16"),
        "Establishes Sub-Objectives for Risk Assessment"
    );
    assert_eq!(title("CC6.1.POF2"), "Assesses New Architectures");
    assert_eq!(title("CC6.1.POF11"), "Protects Cryptographic Keys");
    assert_eq!(
        title("CC6.2.POF2"),
        "Reviews Validity of Access Credentials"
    );
    assert_eq!(
        title("CC7.5.POF6"),
        "Implements Incident-Recovery Plan Testing"
    );
    assert_eq!(title("A1.2.POF11"), "Considers Data Recoverability");
    assert_eq!(
        title("P4.3.POF1"),
        "Captures, Identifies, and Flags Requests for Deletion"
    );
    assert_eq!(
        title("P7.1.POF2"),
        "Ensures Relevance of Personal Information"
    );
    // Children follow their parent, in the published order.
    let order: Vec<&str> = fw
        .requirements()
        .iter()
        .map(|r| r.id.as_str())
        .skip_while(|id| *id != "CC6.2")
        .take(4)
        .collect();
    assert_eq!(order, ["CC6.2", "CC6.2.POF1", "CC6.2.POF2", "CC6.2.POF3"]);
}
