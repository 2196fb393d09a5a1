//! The program computations on the real library: derived results, readiness, SOC 2
//! scope, crosswalk proposals and gap ranking.

use crosswalk_core::crosswalk::Graph;
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::{Coverage, Relationship};
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evaluation, Evidence, InScope, LinkOrigin,
    Outcome, Program, ProgramInfo, Target, is_current, propose,
};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::builtin;

const TODAY: Date = date(2026, 11, 30);

fn control(id: &str, status: ControlStatus) -> Control {
    Control {
        id: id.into(),
        title: id.into(),
        description: String::new(),
        owner: String::new(),
        status,
        frequency: String::new(),
    }
}

fn link(c: &str, fw: &str, req: &str, coverage: Coverage) -> ControlLink {
    ControlLink::manual(
        c,
        (
            FrameworkId::parse(fw).unwrap(),
            RequirementId::parse(req).unwrap(),
        ),
        coverage,
        "Tester",
        date(2026, 11, 1),
    )
}

fn evidence(c: &str, days_ago: i64) -> Evidence {
    Evidence {
        id: format!("ev-{c}-{days_ago}"),
        title: String::new(),
        location: "https://example.org".parse().unwrap(),
        collected: TODAY.checked_sub(days_ago.days()).unwrap(),
        valid_until: None,
        controls: vec![c.into()],
    }
}

fn soc2(categories: &[&str]) -> InScope {
    InScope {
        framework: FrameworkId::parse("soc2-2017").unwrap(),
        target: Target::Soc2 {
            report_type: 2,
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            window_months: Some(6),
        },
        target_date: None,
    }
}

fn program(controls: Vec<Control>, links: Vec<ControlLink>, evidence: Vec<Evidence>) -> Program {
    Program {
        info: Some(ProgramInfo {
            organization: "T".into(),
            scope: String::new(),
            systems: vec![],
        }),
        frameworks: vec![soc2(&[])],
        controls,
        links,
        evidence,
        assessments: vec![],
        policies: vec![],
        snapshots: vec![],
        maturity_scale: vec![],
        risks: vec![],
        risk_matrix: None,
        records: Default::default(),
        monitoring: Default::default(),
        collab: Default::default(),
    }
}

fn result_of(p: &Program, req: &str) -> (Outcome, Outcome) {
    let lib = &builtin().library;
    let eval = Evaluation::new(p, lib, TODAY);
    let r = eval.frameworks[0]
        .1
        .iter()
        .find(|r| r.requirement.as_str() == req)
        .unwrap();
    (r.derived, r.result)
}

#[test]
fn results_follow_controls_and_evidence() {
    let base = |status, coverage, age: Option<i64>| {
        program(
            vec![control("C", status)],
            vec![link("C", "soc2-2017", "CC6.1", coverage)],
            age.map(|a| evidence("C", a)).into_iter().collect(),
        )
    };
    use ControlStatus::*;
    assert_eq!(
        result_of(&base(Operating, Coverage::Full, Some(10)), "CC6.1").0,
        Outcome::Compliant
    );
    assert_eq!(
        result_of(&base(Implemented, Coverage::Full, Some(364)), "CC6.1").0,
        Outcome::Compliant
    );
    assert_eq!(
        result_of(&base(Operating, Coverage::Full, Some(366)), "CC6.1").0,
        Outcome::PartiallyCompliant,
        "stale evidence"
    );
    assert_eq!(
        result_of(&base(Operating, Coverage::Full, None), "CC6.1").0,
        Outcome::PartiallyCompliant
    );
    assert_eq!(
        result_of(&base(Operating, Coverage::Partial, Some(1)), "CC6.1").0,
        Outcome::PartiallyCompliant,
        "a partial link never makes compliant"
    );
    assert_eq!(
        result_of(&base(InProgress, Coverage::Full, Some(1)), "CC6.1").0,
        Outcome::NonCompliant
    );
    assert_eq!(
        result_of(&base(Operating, Coverage::Full, Some(1)), "CC6.2").0,
        Outcome::NotAssessed
    );
    // Future-dated evidence does not count yet.
    assert_eq!(
        result_of(&base(Operating, Coverage::Full, Some(-3)), "CC6.1").0,
        Outcome::PartiallyCompliant
    );

    // An assessor's result overrides; the derived one is kept beside it.
    let mut p = base(Operating, Coverage::Full, Some(10));
    p.assessments.push(Assessment {
        framework: FrameworkId::parse("soc2-2017").unwrap(),
        requirement: RequirementId::parse("CC6.1").unwrap(),
        applicable: true,
        justification: String::new(),
        result: Some(Outcome::NonCompliant),
        reason: "sample failed".into(),
        maturity: Some(1),
        assessor: "A".into(),
        assessed_on: TODAY,
        grade: None,
        reviewer: None,
        reviewed_on: None,
        included_for: Vec::new(),
        planned: None,
    });
    assert_eq!(
        result_of(&p, "CC6.1"),
        (Outcome::Compliant, Outcome::NonCompliant)
    );
}

#[test]
fn evidence_validity_bounds() {
    let mut e = evidence("C", 10);
    e.valid_until = Some(TODAY);
    assert!(is_current(&e, TODAY));
    e.valid_until = Some(TODAY.checked_sub(1.day()).unwrap());
    assert!(!is_current(&e, TODAY));
    assert!(is_current(&evidence("C", 365), TODAY));
    assert!(!is_current(&evidence("C", 366), TODAY));
    // Without an expiry, the control's cadence decides.
    use crosswalk_core::program::evidence_window_days as w;
    assert_eq!(
        [
            w("continuous"),
            w("Weekly"),
            w("monthly"),
            w("Quarterly"),
            w("every six-month cycle"),
            w("annually"),
            w("per change"),
            w("")
        ],
        [90, 30, 45, 120, 200, 395, 365, 365]
    );
    let mut p = program(
        vec![Control {
            frequency: "quarterly".into(),
            ..control("Q", ControlStatus::Operating)
        }],
        vec![link("Q", "soc2-2017", "CC6.3", Coverage::Full)],
        vec![evidence("Q", 150)],
    );
    assert!(
        !p.evidence_current(&p.evidence[0], TODAY),
        "a quarterly control's evidence from 150 days ago is stale"
    );
    assert_eq!(result_of(&p, "CC6.3").0, Outcome::PartiallyCompliant);
    p.evidence[0].valid_until = Some(TODAY);
    assert_eq!(
        result_of(&p, "CC6.3").0,
        Outcome::Compliant,
        "an explicit expiry wins"
    );
}

#[test]
fn soc2_scope_follows_the_categories_and_readiness_adds_up() {
    let lib = &builtin().library;
    let mut p = program(
        vec![
            control("C", ControlStatus::Operating),
            control("D", ControlStatus::Operating),
        ],
        vec![
            link("C", "soc2-2017", "CC6.1", Coverage::Full),
            link("D", "soc2-2017", "CC6.2", Coverage::Partial),
        ],
        vec![evidence("C", 5), evidence("D", 5)],
    );
    let status = |p: &Program| Evaluation::new(p, lib, TODAY).status(lib).remove(0);
    let s = status(&p);
    assert_eq!(s.total, 33, "Security only: the common criteria");
    assert_eq!((s.compliant, s.partial, s.not_assessed), (1, 1, 31));
    assert!((s.readiness - (1.0 + 0.5) / 33.0).abs() < 0.001);
    p.frameworks = vec![soc2(&["availability", "confidentiality"])];
    assert_eq!(status(&p).total, 38);
    p.frameworks = vec![soc2(&[
        "availability",
        "confidentiality",
        "processing-integrity",
        "privacy",
    ])];
    assert_eq!(status(&p).total, 61);
    p.assessments.push(Assessment {
        framework: FrameworkId::parse("soc2-2017").unwrap(),
        requirement: RequirementId::parse("P1.1").unwrap(),
        applicable: false,
        justification: "no personal information".into(),
        result: None,
        reason: String::new(),
        maturity: None,
        assessor: String::new(),
        assessed_on: TODAY,
        grade: None,
        reviewer: None,
        reviewed_on: None,
        included_for: Vec::new(),
        planned: None,
    });
    let s = status(&p);
    assert_eq!(s.not_applicable, 1);
    assert!(
        (s.readiness - 1.5 / 60.0).abs() < 0.001,
        "n/a leaves the denominator"
    );
}

#[test]
fn proposals_respect_relationship_semantics_and_mark_nothing_compliant() {
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let p = program(
        vec![
            control("IAM", ControlStatus::Operating),
            control("SUP", ControlStatus::Operating),
        ],
        vec![
            link("IAM", "soc2-2017", "CC6.1", Coverage::Full),
            link("SUP", "soc2-2017", "CC9.2", Coverage::Full),
        ],
        vec![],
    );
    let iso = lib
        .index_of(&FrameworkId::parse("iso27001-2022").unwrap())
        .unwrap();
    let proposal = propose(&p, lib, &graph, iso, &Target::Certification);
    assert_eq!(proposal.total, 123);
    assert_eq!(
        proposal.covered + proposal.partial + proposal.new,
        proposal.total
    );
    assert!(!proposal.links.is_empty());
    for l in &proposal.links {
        let LinkOrigin::Crosswalk {
            relationship, from, ..
        } = &l.origin
        else {
            panic!("proposals come from the crosswalk");
        };
        assert!(from.starts_with("soc2-2017:"));
        let full = matches!(
            relationship,
            Relationship::Equal | Relationship::Equivalent | Relationship::Subset
        );
        assert_eq!(l.coverage == Coverage::Full, full, "{l:?}");
    }
    assert!(
        proposal
            .links
            .iter()
            .any(|l| l.control == "SUP" && l.requirement.as_str() == "A.5.19"),
        "supplier control reaches supplier relationships"
    );
    // Adding the proposal links makes no requirement compliant without evidence.
    let mut with = p.clone();
    with.frameworks.push(InScope {
        framework: FrameworkId::parse("iso27001-2022").unwrap(),
        target: Target::Certification,
        target_date: None,
    });
    with.links.extend(proposal.links.clone());
    let s = Evaluation::new(&with, lib, TODAY).status(lib);
    assert_eq!(s[1].compliant, 0);
}

#[test]
fn gaps_are_ranked_by_frameworks_advanced() {
    let lib = &builtin().library;
    let graph = Graph::new(lib);
    let mut p = program(vec![], vec![], vec![]);
    p.frameworks.push(InScope {
        framework: FrameworkId::parse("iso27001-2022").unwrap(),
        target: Target::Certification,
        target_date: None,
    });
    let eval = Evaluation::new(&p, lib, TODAY);
    let gaps = eval.gaps(lib, &graph);
    assert_eq!(gaps.len(), 33 + 123, "nothing in place: everything is open");
    assert!(
        gaps.windows(2)
            .all(|w| w[0].frameworks_advanced >= w[1].frameworks_advanced)
    );
    assert_eq!(gaps[0].frameworks_advanced, 2);
    let top = &gaps[0];
    assert!(!top.also_advances.is_empty());
}

proptest! {
    /// Adding current evidence, or moving a control further along, never lowers any
    /// requirement's derived result; every framework's counts add up to its total and
    /// readiness stays within 0–1.
    #[test]
    fn results_are_monotone_in_evidence_and_status(
        specs in prop::collection::vec((0usize..4, 0usize..33, any::<bool>(), prop::option::of(0i64..500)), 1..12),
    ) {
        let lib = &builtin().library;
        let reqs: Vec<String> = lib.resolve("soc2-2017").unwrap().requirements().iter()
            .filter(|r| r.assessable && r.id.as_str().starts_with("CC"))
            .map(|r| r.id.to_string()).collect();
        let mut controls = Vec::new();
        let mut links = Vec::new();
        let mut ev = Vec::new();
        for (i, (status, req, full, age)) in specs.iter().enumerate() {
            let id = format!("C{i}");
            controls.push(control(&id, ControlStatus::ALL[*status]));
            links.push(link(&id, "soc2-2017", &reqs[*req], if *full { Coverage::Full } else { Coverage::Partial }));
            if let Some(a) = age {
                ev.push(evidence(&id, *a));
            }
        }
        let before = program(controls.clone(), links.clone(), ev.clone());
        let mut after = before.clone();
        for c in &mut after.controls {
            c.status = ControlStatus::Operating;
        }
        for c in &after.controls.clone() {
            after.evidence.push(Evidence { id: format!("new-{}", c.id), ..evidence(&c.id, 0) });
        }
        let a = Evaluation::new(&before, lib, TODAY);
        let b = Evaluation::new(&after, lib, TODAY);
        for (x, y) in a.frameworks[0].1.iter().zip(&b.frameworks[0].1) {
            prop_assert!(y.derived >= x.derived || x.derived == Outcome::NotApplicable, "{:?} → {:?}", x, y);
        }
        for s in a.status(lib).iter().chain(b.status(lib).iter()) {
            prop_assert_eq!(s.compliant + s.partial + s.non_compliant + s.not_applicable + s.not_assessed, s.total);
            prop_assert!((0.0..=1.0).contains(&s.readiness));
        }
    }
}

#[test]
fn plans_follow_timelines_readiness_and_targets() {
    use crosswalk_core::plan::plan;
    use crosswalk_core::program::FrameworkStatus;
    let lib = &builtin().library;
    let status = |fw: &str, readiness: f64| FrameworkStatus {
        framework: FrameworkId::parse(fw).unwrap(),
        total: 1,
        compliant: 0,
        partial: 0,
        non_compliant: 0,
        not_applicable: 0,
        not_assessed: 0,
        readiness,
    };
    let iso = InScope {
        framework: FrameworkId::parse("iso27001-2022").unwrap(),
        target: Target::Certification,
        target_date: None,
    };
    let profile = lib
        .profile(&FrameworkId::parse("iso27001").unwrap())
        .unwrap();
    // Nothing ready: every phase at its maximum; fully ready: at its minimum.
    for (readiness, pick) in [(0.0, 1), (1.0, 0)] {
        let p = &plan(
            lib,
            std::slice::from_ref(&iso),
            &[status("iso27001-2022", readiness)],
            TODAY,
        )[0];
        assert_eq!(p.phases.len(), profile.timeline.len());
        for (ph, t) in p.phases.iter().zip(&profile.timeline) {
            let want = if pick == 1 { t.max_weeks } else { t.min_weeks };
            assert_eq!(ph.weeks, i64::from(want), "{}", ph.phase);
        }
        assert_eq!(p.phases[0].start, TODAY, "no target: starts today");
        for w in p.phases.windows(2) {
            assert_eq!(w[0].end, w[1].start, "phases follow each other");
        }
        let done = p.phases.last().unwrap().end;
        let events: Vec<(Date, &str)> = p
            .calendar
            .iter()
            .map(|e| (e.date, e.event.as_str()))
            .collect();
        assert!(events.contains(&(done, "Certificate issued (valid 3 years)")));
        assert!(events.contains(&(
            done.checked_add(12.months()).unwrap(),
            "Surveillance audit 1"
        )));
        assert!(events.contains(&(
            done.checked_add(24.months()).unwrap(),
            "Surveillance audit 2"
        )));
    }
    // A SOC 2 Type 2 with a 6-month window skips the Type 1 phase and ends on a reachable target.
    let soc2_scope = InScope {
        target_date: Some(date(2028, 6, 30)),
        ..soc2(&[])
    };
    let p = &plan(
        lib,
        std::slice::from_ref(&soc2_scope),
        &[status("soc2-2017", 0.5)],
        TODAY,
    )[0];
    assert!(p.phases.iter().all(|ph| !ph.phase.contains("Type 1")));
    let window = p
        .phases
        .iter()
        .find(|ph| ph.phase.contains("observation"))
        .unwrap();
    assert_eq!(window.weeks, 26);
    assert_eq!(p.phases.last().unwrap().end, date(2028, 6, 30));
    assert_eq!(p.late_by_weeks, None);
    assert!(p.calendar.iter().any(|e| e.event.contains("bridge letter")));
    // A target too close: starts today and says how late it finishes.
    let tight = InScope {
        target_date: Some(date(2027, 1, 31)),
        ..soc2(&[])
    };
    let p = &plan(
        lib,
        std::slice::from_ref(&tight),
        &[status("soc2-2017", 0.5)],
        TODAY,
    )[0];
    assert_eq!(p.phases[0].start, TODAY);
    assert!(p.late_by_weeks.unwrap() > 20);
}

#[test]
fn generic_titles_are_shown_with_their_parent() {
    let lib = &builtin().library;
    let iso = lib.resolve("iso27001-2022").unwrap();
    assert_eq!(iso.title_in_context("9.2.1"), "Internal audit › General");
    assert_eq!(
        iso.title_in_context("9.2.2"),
        iso.requirement("9.2.2").unwrap().title
    );
    assert_eq!(iso.title_in_context("A.5.15"), "Access control");
    assert_eq!(iso.title_in_context("no-such"), "");
}
