//! NIST SP 800-53 Rev. 5: a summary of our own for every control and enhancement, and the
//! SP 800-53B baselines (LOW, MODERATE, HIGH, PRIVACY) as the `baseline` attribute.

use std::collections::BTreeSet;

use crosswalk_core::framework::{Framework, RequirementKind as K};

use super::{framework, ids_where, set, shared_data};

const BASELINES: [&str; 4] = ["low", "moderate", "high", "privacy"];

fn sp53() -> &'static Framework {
    framework("nist-800-53r5")
}

/// The ids of the controls and enhancements tagged with `baseline`.
fn tagged(fw: &Framework, baseline: &str) -> BTreeSet<String> {
    ids_where(fw, |r| {
        r.attributes
            .get("baseline")
            .is_some_and(|v| v.iter().any(|b| b == baseline))
    })
}

/// OSCAL control id (`ac-2.1`) to ours (`AC-2(1)`).
fn from_oscal(id: &str) -> String {
    let upper = id.to_ascii_uppercase();
    match upper.split_once('.') {
        Some((control, enhancement)) => format!("{control}({enhancement})"),
        None => upper,
    }
}

/// The control ids a baseline profile selects: the strings of its `with-ids` array.
fn profile_selection(json: &str) -> BTreeSet<String> {
    let start = json.find("\"with-ids\"").expect("profile selects with-ids");
    let rest = &json[start + "\"with-ids\"".len()..];
    let open = rest.find('[').unwrap();
    let close = rest.find(']').unwrap();
    rest[open + 1..close]
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .map(from_oscal)
        .collect()
}

#[test]
fn baseline_counts_match_sp_800_53b() {
    let fw = sp53();
    let counts: Vec<(&str, usize)> = BASELINES
        .iter()
        .map(|b| (*b, tagged(fw, b).len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("low", 149),
            ("moderate", 287),
            ("high", 370),
            ("privacy", 96)
        ]
    );
    // 423 controls and enhancements are in at least one baseline.
    let any = ids_where(fw, |r| r.attributes.contains_key("baseline"));
    assert_eq!(any.len(), 423);
    // Only controls carry the tag, only with the four values, each value once, in order.
    for r in fw.requirements() {
        let Some(values) = r.attributes.get("baseline") else {
            continue;
        };
        assert_eq!(r.kind, K::Control, "{} is a control", r.id);
        let expected: Vec<&str> = BASELINES
            .iter()
            .copied()
            .filter(|b| values.iter().any(|v| v == b))
            .collect();
        assert_eq!(values, &expected, "baseline values of {}", r.id);
        assert_eq!(
            r.attributes.len(),
            1,
            "{} has only the baseline attribute",
            r.id
        );
    }
    // The security baselines nest: LOW within MODERATE within HIGH.
    let (low, moderate, high) = (
        tagged(fw, "low"),
        tagged(fw, "moderate"),
        tagged(fw, "high"),
    );
    assert!(low.is_subset(&moderate));
    assert!(moderate.is_subset(&high));
    // 53 privacy-baseline controls are in no security baseline (e.g. the PT family).
    let privacy = tagged(fw, "privacy");
    assert_eq!(privacy.difference(&high).count(), 53);
    assert!(privacy.contains("PT-2") && !high.contains("PT-2"));
    // Spot checks.
    let of = |id: &str| -> Vec<String> {
        fw.requirements()
            .iter()
            .find(|r| r.id.as_str() == id)
            .unwrap_or_else(|| panic!("{id} exists"))
            .attributes
            .get("baseline")
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(of("AC-1"), ["low", "moderate", "high", "privacy"]);
    assert_eq!(of("AC-2"), ["low", "moderate", "high"]);
    assert_eq!(of("AC-2(1)"), ["moderate", "high"]);
    assert_eq!(of("AC-2(11)"), ["high"]);
    assert_eq!(of("AC-3(14)"), ["privacy"]);
    assert_eq!(of("SC-7(21)"), ["high"]);
    assert!(of("AC-2(6)").is_empty());
    assert!(
        of("PM-1").is_empty(),
        "program management controls are not baselined"
    );
    assert_eq!(
        tagged(fw, "privacy")
            .into_iter()
            .filter(|id| id.starts_with("PT-"))
            .collect::<BTreeSet<_>>(),
        set([
            "PT-1", "PT-2", "PT-3", "PT-4", "PT-5", "PT-5(2)", "PT-6", "PT-6(1)", "PT-6(2)",
            "PT-7", "PT-7(1)", "PT-7(2)", "PT-8",
        ])
    );
}

/// The tags equal the selections of NIST's OSCAL baseline profiles (SP 800-53B, release
/// 5.0.1, the content version of our catalog; 5.1.1 selects the same controls).
#[test]
fn baseline_tags_equal_nists_oscal_profiles() {
    let Some(data) = shared_data("baseline_tags_equal_nists_oscal_profiles") else {
        return;
    };
    let fw = sp53();
    for release in ["5.0.1", "5.1.1"] {
        for baseline in BASELINES {
            let path = data.join(format!(
                "oscal/nist-800-53r5-v{release}/NIST_SP-800-53_rev5_{}-baseline_profile.json",
                baseline.to_ascii_uppercase()
            ));
            let json = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                tagged(fw, baseline),
                profile_selection(&json),
                "{baseline} baseline, release {release}"
            );
        }
    }
}

/// Every control and enhancement (1,007, no withdrawn ones) and each of the 20 families
/// carries a summary of our own: one sentence of 8 to 25 words, never the title itself.
#[test]
fn every_control_and_family_has_a_summary() {
    let fw = sp53();
    let families = ids_where(fw, |r| r.kind == K::Group);
    assert_eq!(
        families,
        set([
            "AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP", "PE", "PL", "PM", "PS",
            "PT", "RA", "SA", "SC", "SI", "SR",
        ])
    );
    let controls = ids_where(fw, |r| r.kind == K::Control);
    assert_eq!(controls.len(), 1007);
    assert_eq!(fw.requirements().len(), 1027);
    for r in fw.requirements() {
        let summary = r.summary.trim();
        assert!(!summary.is_empty(), "{} has a summary", r.id);
        assert_ne!(summary, r.title, "{} summary is not its title", r.id);
        assert!(summary.ends_with('.'), "{} summary ends a sentence", r.id);
        if r.kind == K::Control {
            let words = summary.split_whitespace().count();
            assert!(
                (8..=25).contains(&words),
                "{} summary has {words} words",
                r.id
            );
        }
    }
    // No two controls share a summary.
    let distinct: BTreeSet<&str> = fw
        .requirements()
        .iter()
        .map(|r| r.summary.as_str())
        .collect();
    assert_eq!(distinct.len(), fw.requirements().len());
}
