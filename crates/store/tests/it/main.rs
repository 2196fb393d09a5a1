//! The store conformance suite: the same behaviour, checked on a real SQLite file and on a
//! real PostgreSQL server (`CROSSWALK_TEST_POSTGRES`, a `postgres://` URL; skipped with a
//! message when unset, a failure under `CI=true`).

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::{Coverage, ProvenanceKind, Relationship};
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evidence, FrameworkStatus, InScope,
    LinkOrigin, LinkState, Outcome, Policy, Program, ProgramInfo, Snapshot, Target,
};
use crosswalk_store::{Change, Store, StoreError};
use jiff::civil::date;

mod additions;
mod audit;
mod bulk;
mod collab;
mod concurrency;

pub fn control(id: &str) -> Control {
    Control {
        id: id.into(),
        title: format!("Control {id}"),
        description: "What we do.".into(),
        owner: "Security".into(),
        status: ControlStatus::Implemented,
        frequency: "quarterly".into(),
    }
}

pub fn link(c: &str, fw: &str, req: &str, coverage: Coverage) -> ControlLink {
    ControlLink {
        control: c.into(),
        framework: FrameworkId::parse(fw).unwrap(),
        requirement: RequirementId::parse(req).unwrap(),
        coverage,
        origin: LinkOrigin::Manual,
        state: LinkState::Accepted,
        id: None,
        reviewer: None,
        reviewed_on: None,
    }
}

pub fn assessment(req: &str, result: Option<Outcome>, on: jiff::civil::Date) -> Assessment {
    Assessment {
        framework: FrameworkId::parse("iso27001-2022").unwrap(),
        requirement: RequirementId::parse(req).unwrap(),
        applicable: true,
        justification: "Needed for customer data.".into(),
        result,
        reason: "Auditor's sample failed".into(),
        maturity: Some(3),
        assessor: "A. Assessor".into(),
        assessed_on: on,
        grade: None,
        reviewer: None,
        reviewed_on: None,
        included_for: Vec::new(),
        planned: None,
    }
}

pub fn sample() -> Vec<Change> {
    vec![
        Change::SetProgram(ProgramInfo {
            organization: "Acme Cloud".into(),
            scope: "The Acme SaaS platform and the teams that run it.".into(),
            systems: vec!["acme-app".into(), "acme-api".into()],
        }),
        Change::AddFramework(InScope {
            framework: FrameworkId::parse("soc2-2017").unwrap(),
            target: Target::Soc2 {
                report_type: 2,
                categories: vec!["availability".into()],
                window_months: Some(6),
            },
            target_date: Some(date(2027, 6, 30)),
        }),
        Change::AddFramework(InScope {
            framework: FrameworkId::parse("iso27001-2022").unwrap(),
            target: Target::Certification,
            target_date: None,
        }),
        Change::AddControl(control("AC-01")),
        Change::AddControl(control("LOG-02")),
        Change::Link(link("AC-01", "soc2-2017", "CC6.1", Coverage::Full)),
        Change::Link(ControlLink {
            origin: LinkOrigin::Crosswalk {
                from: "soc2-2017:CC6.1".into(),
                relationship: Relationship::Subset,
                provenance: ProvenanceKind::Curated,
                path: vec!["soc2-2017:CC6.1".into(), "iso27001-2022:A.5.15".into()],
            },
            state: LinkState::Proposed,
            ..link("AC-01", "iso27001-2022", "A.5.15", Coverage::Partial)
        }),
        Change::AddEvidence(Evidence {
            id: "EV-1".into(),
            title: "Access review Q3".into(),
            location: format!("sha256:{}", "ab".repeat(32)).parse().unwrap(),
            collected: date(2026, 10, 1),
            valid_until: Some(date(2027, 1, 1)),
            controls: vec!["AC-01".into(), "LOG-02".into()],
        }),
        Change::Assess(assessment("A.5.15", None, date(2026, 11, 1))),
    ]
}

/// Every check of the suite, run on one backend; `new_db` names a new empty database
/// (a SQLite path or a `postgres://` URL), opened with [`crosswalk_store::open`].
fn conformance(backend: &str, new_db: &mut dyn FnMut() -> String) {
    let mut fresh = || crosswalk_store::open(&new_db()).unwrap();
    // An empty store holds an empty program.
    assert_eq!(
        fresh().load().unwrap(),
        Program::default(),
        "{backend}: empty"
    );

    // Everything written reads back the same, in order.
    let mut s = fresh();
    s.apply(&sample()).unwrap();
    let p = s.load().unwrap();
    assert_eq!(p.info.as_ref().unwrap().systems, ["acme-app", "acme-api"]);
    assert_eq!(p.frameworks.len(), 2);
    assert_eq!(
        p.frameworks[0].framework.as_str(),
        "soc2-2017",
        "{backend}: scope order"
    );
    assert_eq!(
        p.controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["AC-01", "LOG-02"]
    );
    assert_eq!(p.links.len(), 2);
    let crosswalked = p
        .links
        .iter()
        .find(|l| l.requirement.as_str() == "A.5.15")
        .unwrap();
    assert!(matches!(
        crosswalked.origin,
        LinkOrigin::Crosswalk {
            relationship: Relationship::Subset,
            ..
        }
    ));
    assert_eq!(p.evidence[0].controls, ["AC-01", "LOG-02"]);
    assert_eq!(p.evidence[0].valid_until, Some(date(2027, 1, 1)));
    assert_eq!(
        p.assessments,
        [assessment("A.5.15", None, date(2026, 11, 1))]
    );
    let expected = {
        let mut fresh_store = fresh();
        fresh_store.apply(&sample()).unwrap();
        fresh_store.load().unwrap()
    };
    assert_eq!(p, expected, "{backend}: deterministic");

    // A duplicate control fails the whole batch: the new control before it is not kept.
    let err = s
        .apply(&[
            Change::AddControl(control("NEW-1")),
            Change::AddControl(control("AC-01")),
        ])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains("AC-01")),
        "{backend}: {err}"
    );
    assert_eq!(s.load().unwrap(), p, "{backend}: nothing changed");

    // Evidence for a missing control: refused, nothing kept.
    let err = s
        .apply(&[Change::AddEvidence(Evidence {
            id: "EV-2".into(),
            title: "x".into(),
            location: "https://example.org/x".parse().unwrap(),
            collected: date(2026, 11, 2),
            valid_until: None,
            controls: vec!["NOPE".into()],
        })])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound(ref m) if m.contains("NOPE")),
        "{backend}: {err}"
    );
    assert_eq!(s.load().unwrap(), p);

    // Status changes; unknown controls are refused.
    s.apply(&[Change::SetControlStatus {
        control: "LOG-02".into(),
        status: ControlStatus::Operating,
    }])
    .unwrap();
    assert_eq!(
        s.load().unwrap().controls[1].status,
        ControlStatus::Operating
    );
    assert!(matches!(
        s.apply(&[Change::SetControlStatus {
            control: "ZZ".into(),
            status: ControlStatus::Operating
        }]),
        Err(StoreError::NotFound(_))
    ));

    // A framework already in scope.
    let again = sample()[1].clone();
    assert!(matches!(s.apply(&[again]), Err(StoreError::Conflict(_))));

    // Re-linking replaces; re-assessing replaces and keeps the history.
    s.apply(&[Change::Link(link(
        "AC-01",
        "iso27001-2022",
        "A.5.15",
        Coverage::Full,
    ))])
    .unwrap();
    let links = s.load().unwrap().links;
    assert_eq!(links.len(), 2);
    assert!(
        links
            .iter()
            .any(|l| l.requirement.as_str() == "A.5.15" && l.coverage == Coverage::Full)
    );
    s.apply(&[Change::Assess(assessment(
        "A.5.15",
        Some(Outcome::NonCompliant),
        date(2026, 11, 20),
    ))])
    .unwrap();
    let now = s.load().unwrap();
    assert_eq!(now.assessments.len(), 1);
    assert_eq!(now.assessments[0].result, Some(Outcome::NonCompliant));
    let history = s.history().unwrap();
    assert_eq!(history.len(), 2, "{backend}: history keeps both");
    assert_eq!(history[0].result, None);
    assert_eq!(history[1].assessed_on, date(2026, 11, 20));

    // Sign-off of the current assessment; nothing to sign off is an error.
    let fw = FrameworkId::parse("iso27001-2022").unwrap();
    s.apply(&[Change::SignOff {
        framework: fw.clone(),
        requirement: RequirementId::parse("A.5.15").unwrap(),
        reviewer: "R. Reviewer".into(),
        on: date(2026, 11, 21),
    }])
    .unwrap();
    let a = &s.load().unwrap().assessments[0];
    assert_eq!(
        (a.reviewer.as_deref(), a.reviewed_on),
        (Some("R. Reviewer"), Some(date(2026, 11, 21)))
    );
    assert!(matches!(
        s.apply(&[Change::SignOff {
            framework: fw,
            requirement: RequirementId::parse("A.5.1").unwrap(),
            reviewer: "R".into(),
            on: date(2026, 11, 21),
        }]),
        Err(StoreError::NotFound(_))
    ));

    // An audit grade, inclusion reasons, a planned date and a custom maturity scale
    // round-trip.
    s.apply(&[Change::Assess(Assessment {
        grade: Some(crosswalk_core::program::Grade::MinorNonconformity),
        included_for: vec![
            crosswalk_core::program::Inclusion::RiskTreatment,
            crosswalk_core::program::Inclusion::Contractual,
        ],
        planned: Some(date(2027, 3, 31)),
        ..assessment(
            "A.5.16",
            Some(Outcome::PartiallyCompliant),
            date(2026, 11, 22),
        )
    })])
    .unwrap();
    let graded = s.load().unwrap();
    let a = graded
        .assessments
        .iter()
        .find(|a| a.requirement.as_str() == "A.5.16")
        .unwrap();
    assert_eq!(
        (a.included_for.len(), a.planned),
        (2, Some(date(2027, 3, 31))),
        "{backend}"
    );
    let kept = s.history().unwrap();
    assert_eq!(
        kept.last().unwrap().included_for,
        a.included_for,
        "{backend}"
    );
    assert_eq!(
        a.grade,
        Some(crosswalk_core::program::Grade::MinorNonconformity),
        "{backend}"
    );
    assert_eq!(
        graded.maturity_scale(),
        crosswalk_core::program::default_maturity_scale()
    );
    let scale: Vec<_> = ["None", "Some", "Full"]
        .iter()
        .enumerate()
        .map(|(i, n)| crosswalk_core::program::MaturityLevel {
            level: u8::try_from(i).unwrap(),
            name: (*n).into(),
            description: String::new(),
        })
        .collect();
    s.apply(&[Change::SetMaturityScale(scale.clone())]).unwrap();
    assert_eq!(s.load().unwrap().maturity_scale, scale);
    s.apply(&[Change::SetMaturityScale(vec![])]).unwrap();
    assert!(s.load().unwrap().maturity_scale.is_empty());

    // Policies: a new version replaces the current one in place.
    let policy = |v: &str, next: jiff::civil::Date| Policy {
        id: "POL-IS".into(),
        title: "Information security policy".into(),
        version: v.into(),
        owner: "CISO".into(),
        approved_by: "CEO".into(),
        approved_on: Some(date(2026, 1, 10)),
        next_review: Some(next),
        location: "https://policies.example/is".into(),
    };
    s.apply(&[Change::SetPolicy(policy("1.0", date(2027, 1, 10)))])
        .unwrap();
    s.apply(&[Change::SetPolicy(Policy {
        id: "POL-AC".into(),
        ..policy("1.0", date(2026, 6, 1))
    })])
    .unwrap();
    s.apply(&[Change::SetPolicy(policy("2.0", date(2027, 6, 1)))])
        .unwrap();
    let policies = s.load().unwrap().policies;
    assert_eq!(
        policies
            .iter()
            .map(|p| (p.id.as_str(), p.version.as_str()))
            .collect::<Vec<_>>(),
        [("POL-IS", "2.0"), ("POL-AC", "1.0")]
    );
    assert!(policies[1].overdue(date(2026, 11, 30)) && !policies[0].overdue(date(2026, 11, 30)));
    // Every version is kept, oldest first, for the document's change history.
    let versions: Vec<String> = s
        .policy_history("POL-IS")
        .unwrap()
        .into_iter()
        .map(|p| p.version)
        .collect();
    assert_eq!(versions, ["1.0", "2.0"], "{backend}");
    assert!(s.policy_history("POL-NONE").unwrap().is_empty());

    // Snapshots: one per date, the same date replaced.
    let st = |r: f64| FrameworkStatus {
        framework: FrameworkId::parse("soc2-2017").unwrap(),
        total: 10,
        compliant: 5,
        partial: 0,
        non_compliant: 0,
        not_applicable: 0,
        not_assessed: 5,
        readiness: r,
    };
    for (d, r) in [
        (date(2026, 9, 30), 0.3),
        (date(2026, 10, 31), 0.4),
        (date(2026, 10, 31), 0.5),
    ] {
        s.apply(&[Change::Snapshot(Snapshot {
            taken_on: d,
            status: vec![st(r)],
        })])
        .unwrap();
    }
    let snaps = s.load().unwrap().snapshots;
    assert_eq!(snaps.len(), 2, "{backend}");
    assert_eq!(snaps[1].status[0].readiness, 0.5);

    link_review(backend, &mut fresh());
    risk_register(backend, &mut fresh());
    management_records(backend, &mut fresh());
    scanner_results(backend, &mut fresh());
    collab::collaboration(backend, &mut fresh());
}

/// A results file is recorded once, by its SHA-256; the second time is a conflict and
/// changes nothing.
fn scanner_results(backend: &str, s: &mut Box<dyn Store>) {
    use crosswalk_core::monitor::{Batch, CheckResult, Status};
    let sha = crosswalk_store::Sha256::of(b"results");
    let batch = Batch {
        format: "sarif".into(),
        tool: "Trivy".into(),
        tool_version: None,
        results: (0..3000)
            .map(|i| CheckResult {
                message: None,
                check: format!("AWS-{i:04}"),
                title: String::new(),
                resource: "main.tf".into(),
                status: if i % 2 == 0 {
                    Status::Fail
                } else {
                    Status::Pass
                },
                observed: None,
                severity: Some("high".into()),
                requirements: Default::default(),
            })
            .collect(),
    };
    assert!(s.results_imported(&sha).unwrap().is_none(), "{backend}");
    let change = || Change::ImportResults {
        sha256: sha,
        imported_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
        batch: batch.clone(),
    };
    s.apply(&[change()]).unwrap();
    assert_eq!(
        s.results_imported(&sha).unwrap().as_deref(),
        Some("2027-01-15T08:00:00Z"),
        "{backend}"
    );
    let version = s.version().unwrap();
    let err = s.apply(&[change()]).unwrap_err();
    assert!(
        err.to_string().contains("imported already"),
        "{backend}: {err}"
    );
    assert_eq!(s.version().unwrap(), version, "{backend}");
}

/// Audits, nonconformities and reviews round-trip by kind with generated ids.
fn management_records(backend: &str, s: &mut Box<dyn Store>) {
    use crosswalk_core::ms::{
        EffectivenessCheck, InternalAudit, ManagementReview, Nonconformity, Record,
    };
    use crosswalk_core::program::Grade;
    let nc = Nonconformity {
        id: String::new(),
        title: "Patches late".into(),
        grade: Grade::MinorNonconformity,
        source: "IA-1".into(),
        requirements: vec!["iso27001-2022:A.8.8".into()],
        controls: vec!["VUL-01".into()],
        root_cause: "No owner for legacy servers".into(),
        owner: "Platform".into(),
        due: Some(date(2027, 1, 31)),
        actions: vec![],
        raised: date(2026, 11, 1),
        effectiveness: None,
    };
    let applied = s
        .apply_returning(&[
            Change::SetRecord(Record::Audit(InternalAudit {
                id: String::new(),
                title: "ISMS audit 2026".into(),
                scope: "All".into(),
                criteria: "ISO/IEC 27001:2022".into(),
                auditor: "A. Auditor".into(),
                planned: date(2026, 10, 1),
                performed: Some(date(2026, 10, 15)),
                findings: vec![],
            })),
            Change::SetRecord(Record::Nonconformity(nc.clone())),
            Change::SetRecord(Record::Review(ManagementReview {
                id: String::new(),
                held_on: date(2026, 11, 20),
                attendees: vec!["CEO".into()],
                inputs: vec![],
                decisions: vec![],
                actions: vec![],
            })),
        ])
        .unwrap();
    assert_eq!(applied.ids, ["IA-1", "NC-1", "MR-1"], "{backend}");
    // Impact assessments and processing activities keep their own kinds and counters;
    // a record's own `kind` field does not clash with the stored tag.
    let more = s
        .apply_returning(&[
            Change::SetRecord(Record::Processing(crosswalk_core::ms::Processing {
                id: String::new(),
                name: "Analytics".into(),
                controller: String::new(),
                purposes: "Product".into(),
                data_subjects: String::new(),
                personal_data: String::new(),
                recipients: String::new(),
                transfers: String::new(),
                retention: String::new(),
                security: String::new(),
                lawful_basis: String::new(),
            })),
            Change::SetRecord(Record::Impact(crosswalk_core::ms::ImpactAssessment {
                id: String::new(),
                kind: crosswalk_core::ms::ImpactKind::Dpia,
                subject: "ROPA-1".into(),
                owner: String::new(),
                performed: date(2026, 11, 2),
                answers: vec![("risks".into(), "Profiling".into())],
                findings: vec![],
                conclusion: String::new(),
                approved_by: String::new(),
                review: None,
            })),
        ])
        .unwrap();
    assert_eq!(more.ids, ["ROPA-1", "IMP-1"], "{backend}");
    let closed = Nonconformity {
        id: "NC-1".into(),
        effectiveness: Some(EffectivenessCheck {
            by: "Compliance".into(),
            on: date(2027, 2, 1),
            effective: true,
            note: String::new(),
        }),
        ..nc
    };
    s.apply(&[Change::SetRecord(Record::Nonconformity(closed.clone()))])
        .unwrap();
    let r = s.load().unwrap().records;
    assert_eq!(r.audits[0].id, "IA-1", "{backend}");
    assert_eq!(r.nonconformities, vec![closed], "{backend}");
    assert_eq!(r.reviews[0].attendees, ["CEO"], "{backend}");
    assert_eq!(r.processing[0].id, "ROPA-1", "{backend}");
    // A finding and its nonconformity in one transaction; an unknown audit changes nothing.
    let finding = crosswalk_core::ms::Finding {
        grade: Grade::MajorNonconformity,
        description: "No audit programme".into(),
        requirements: vec!["iso27001-2022:9.2.2".into()],
        controls: vec![],
        nonconformity: None,
    };
    let raised = Nonconformity {
        title: "No audit programme".into(),
        grade: Grade::MajorNonconformity,
        ..r.nonconformities[0].clone()
    };
    let raised = Nonconformity {
        id: String::new(),
        ..raised
    };
    let done = s
        .apply_returning(&[Change::AddFinding {
            audit: "IA-1".into(),
            finding: finding.clone(),
            nonconformity: Some(raised.clone()),
            performed_on: date(2026, 11, 3),
        }])
        .unwrap();
    assert_eq!(done.ids, ["NC-2"], "{backend}");
    let version = s.version().unwrap();
    let err = s
        .apply(&[Change::AddFinding {
            audit: "IA-9".into(),
            finding,
            nonconformity: Some(raised),
            performed_on: date(2026, 11, 3),
        }])
        .unwrap_err();
    assert!(
        err.to_string().contains("no internal audit `IA-9`"),
        "{backend}: {err}"
    );
    assert_eq!(s.version().unwrap(), version, "{backend}: nothing changed");
    let r = s.load().unwrap().records;
    assert_eq!(r.nonconformities.len(), 2, "{backend}");
    assert_eq!(
        r.audits[0].findings[0].nonconformity.as_deref(),
        Some("NC-2"),
        "{backend}"
    );
    assert_eq!(
        r.impact_assessments[0].kind,
        crosswalk_core::ms::ImpactKind::Dpia,
        "{backend}"
    );
}

/// Risks round-trip in order, get generated ids past hand-given ones, keep their place
/// when a new version is recorded; the matrix is set and reset.
fn risk_register(backend: &str, s: &mut Box<dyn Store>) {
    use crosswalk_core::risk::{Acceptance, Rating, Risk, Treatment, default_matrix};
    let risk = |id: &str, title: &str| Risk {
        id: id.into(),
        title: title.into(),
        scope: "Production".into(),
        threat: String::new(),
        vulnerability: String::new(),
        owner: "CISO".into(),
        category: "Security".into(),
        inherent: Rating {
            likelihood: 4,
            impact: 4,
        },
        current: Some(Rating {
            likelihood: 2,
            impact: 4,
        }),
        target: None,
        treatment: Treatment::Retain,
        controls: vec![],
        acceptance: Some(Acceptance {
            by: "CEO".into(),
            on: date(2026, 11, 1),
            until: Some(date(2027, 11, 1)),
        }),
        actions: vec![],
        review: None,
    };
    let applied = s
        .apply_returning(&[
            Change::SetRisk(risk("", "Account takeover")),
            Change::SetRisk(risk("R-7", "Data loss")),
            Change::SetRisk(risk("", "Supplier breach")),
        ])
        .unwrap();
    assert_eq!(applied.ids, ["R-1", "R-8"], "{backend}");
    s.apply(&[Change::SetRisk(Risk {
        title: "Account takeover by phishing".into(),
        ..risk("R-1", "")
    })])
    .unwrap();
    let p = s.load().unwrap();
    assert_eq!(
        p.risks
            .iter()
            .map(|r| (r.id.as_str(), r.title.as_str()))
            .collect::<Vec<_>>(),
        [
            ("R-1", "Account takeover by phishing"),
            ("R-7", "Data loss"),
            ("R-8", "Supplier breach")
        ],
        "{backend}"
    );
    let versions: Vec<String> = s
        .risk_history("R-1")
        .unwrap()
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(
        versions,
        ["Account takeover", "Account takeover by phishing"],
        "{backend}: every version kept"
    );
    assert!(s.risk_history("R-99").unwrap().is_empty());
    assert_eq!(
        p.risks[1],
        risk("R-7", "Data loss"),
        "{backend}: round trip"
    );
    assert!(p.risk_matrix.is_none());
    let mut m = default_matrix();
    m.name = "Ours".into();
    s.apply(&[Change::SetRiskMatrix(Some(m.clone()))]).unwrap();
    assert_eq!(s.load().unwrap().risk_matrix, Some(m), "{backend}");
    s.apply(&[Change::SetRiskMatrix(None)]).unwrap();
    assert!(s.load().unwrap().risk_matrix.is_none(), "{backend}");
}

/// Link numbers, the rule that a proposal never replaces a link, review and unlinking.
fn link_review(backend: &str, s: &mut Box<dyn Store>) {
    let proposal = |c: &str, req: &str| ControlLink {
        origin: LinkOrigin::Crosswalk {
            from: "soc2-2017:CC6.1".into(),
            relationship: Relationship::Subset,
            provenance: ProvenanceKind::Curated,
            path: vec!["soc2-2017:CC6.1".into(), format!("iso27001-2022:{req}")],
        },
        state: LinkState::Proposed,
        ..link(c, "iso27001-2022", req, Coverage::Partial)
    };
    let by_req = |s: &mut Box<dyn Store>, req: &str| {
        s.load()
            .unwrap()
            .links
            .into_iter()
            .find(|l| l.requirement.as_str() == req)
    };
    s.apply(&[
        Change::AddControl(control("AC-01")),
        Change::Link(link("AC-01", "iso27001-2022", "A.5.15", Coverage::Full)),
        Change::Link(proposal("AC-01", "A.5.15")),
        Change::Link(proposal("AC-01", "A.5.16")),
        Change::Link(proposal("AC-01", "A.5.16")),
    ])
    .unwrap();
    let manual = by_req(s, "A.5.15").unwrap();
    assert_eq!(
        (manual.id, manual.origin.clone(), manual.coverage),
        (Some(1), LinkOrigin::Manual, Coverage::Full),
        "{backend}: a proposal never replaces a manual link"
    );
    let proposed = by_req(s, "A.5.16").unwrap();
    assert_eq!(
        (proposed.id, proposed.state),
        (Some(3), LinkState::Proposed)
    );
    // The same, one apply per change (the one-by-one path).
    s.apply(&[Change::Link(proposal("AC-01", "A.5.15"))])
        .unwrap();
    assert_eq!(by_req(s, "A.5.15").unwrap(), manual, "{backend}");
    // A manual link replaces a proposal and keeps its number.
    s.apply(&[Change::Link(link(
        "AC-01",
        "iso27001-2022",
        "A.5.16",
        Coverage::Full,
    ))])
    .unwrap();
    let replaced = by_req(s, "A.5.16").unwrap();
    assert_eq!(
        (replaced.id, replaced.state, replaced.origin),
        (Some(3), LinkState::Accepted, LinkOrigin::Manual),
        "{backend}"
    );
    // Review by number records who and when; an unknown number changes nothing.
    s.apply(&[Change::Link(proposal("AC-01", "A.5.17"))])
        .unwrap();
    let n = by_req(s, "A.5.17").unwrap().id.unwrap();
    let review = |ids: Vec<u64>, state| Change::ReviewLinks {
        ids,
        state,
        reviewer: "R. Viewer".into(),
        on: date(2026, 11, 30),
    };
    let version = s.version().unwrap();
    let err = s
        .apply(&[review(vec![n, 999], LinkState::Accepted)])
        .unwrap_err();
    assert!(
        err.to_string().contains("no link L-999"),
        "{backend}: {err}"
    );
    assert_eq!(s.version().unwrap(), version, "{backend}: nothing changed");
    s.apply(&[review(vec![n], LinkState::Rejected)]).unwrap();
    let rejected = by_req(s, "A.5.17").unwrap();
    assert_eq!(
        (
            rejected.state,
            rejected.reviewer.as_deref(),
            rejected.reviewed_on
        ),
        (
            LinkState::Rejected,
            Some("R. Viewer"),
            Some(date(2026, 11, 30))
        ),
        "{backend}"
    );
    // A rejected pair stays rejected when the crosswalk proposes it again.
    s.apply(&[Change::Link(proposal("AC-01", "A.5.17"))])
        .unwrap();
    assert_eq!(by_req(s, "A.5.17").unwrap().state, LinkState::Rejected);
    // Unlinking removes the link; its number is never handed out again.
    s.apply(&[Change::Unlink {
        control: "AC-01".into(),
        framework: FrameworkId::parse("iso27001-2022").unwrap(),
        requirement: RequirementId::parse("A.5.17").unwrap(),
    }])
    .unwrap();
    assert!(by_req(s, "A.5.17").is_none(), "{backend}");
    let err = s
        .apply(&[Change::Unlink {
            control: "AC-01".into(),
            framework: FrameworkId::parse("iso27001-2022").unwrap(),
            requirement: RequirementId::parse("A.5.17").unwrap(),
        }])
        .unwrap_err();
    assert!(
        err.to_string().contains("is not linked"),
        "{backend}: {err}"
    );
    s.apply(&[Change::Link(proposal("AC-01", "A.5.17"))])
        .unwrap();
    assert!(by_req(s, "A.5.17").unwrap().id.unwrap() > n, "{backend}");
}

#[test]
fn sqlite_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    conformance("sqlite", &mut || {
        n += 1;
        sqlite_path(dir.path(), &format!("p{n}"))
    });
    let mut n = 0;
    additions::conformance("sqlite", &mut || {
        n += 1;
        sqlite_path(dir.path(), &format!("a{n}"))
    });
    let mut n = 0;
    bulk::conformance("sqlite", &mut || {
        n += 1;
        sqlite_path(dir.path(), &format!("b{n}"))
    });
    audit::unnamed_actor("sqlite", &sqlite_path(dir.path(), "system"));
    let mut n = 0;
    audit::conformance(
        "sqlite",
        &mut || {
            n += 1;
            sqlite_path(dir.path(), &format!("t{n}"))
        },
        &mut |target, sql| {
            rusqlite::Connection::open(target)
                .unwrap()
                .execute_batch(sql)
                .unwrap();
        },
    );
}

/// A database file in its own directory (evidence files go beside it).
fn sqlite_path(dir: &std::path::Path, name: &str) -> String {
    dir.join(name).join("p.db").to_str().unwrap().to_owned()
}

#[test]
fn sqlite_reopens_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/p.db");
    let mut s = crosswalk_store::open(path.to_str().unwrap()).unwrap();
    s.apply(&sample()).unwrap();
    drop(s);
    let mut again = crosswalk_store::open(path.to_str().unwrap()).unwrap();
    assert_eq!(again.load().unwrap().controls.len(), 2);
}

#[test]
fn sqlite_not_a_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "these are not the tables you are looking for, not at all\n".repeat(40),
    )
    .unwrap();
    let err = crosswalk_store::open(path.to_str().unwrap()).err().unwrap();
    assert!(err.to_string().contains("notes.txt"), "{err}");
}

#[test]
fn sqlite_locked_database_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let mut s = crosswalk_store::SqliteStore::open(&path).unwrap();
    s.apply(&sample()).unwrap();
    s.set_lock_wait(std::time::Duration::from_millis(300))
        .unwrap();
    // Another connection holds the write lock.
    let holder = rusqlite_lock(&path);
    let err = s.apply(&[Change::AddControl(control("X-1"))]).unwrap_err();
    assert!(matches!(err, StoreError::LockTimeout { .. }), "{err}");
    assert!(
        err.to_string().contains("stayed locked by another process")
            && err.to_string().contains("nothing was changed"),
        "{err}"
    );
    // Reads and opening never need the write lock.
    assert_eq!(s.load().unwrap().controls.len(), 2);
    assert_eq!(s.history().unwrap().len(), 1);
    let mut other = crosswalk_store::open(path.to_str().unwrap()).unwrap();
    assert_eq!(other.version().unwrap(), s.version().unwrap());
    drop(holder);
    s.apply(&[Change::AddControl(control("X-1"))]).unwrap();

    // A writer waits for a lock that is released in time.
    let holder = rusqlite_lock(&path);
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(holder);
    });
    let mut waiting = crosswalk_store::open(path.to_str().unwrap()).unwrap();
    waiting
        .apply(&[Change::AddControl(control("X-2"))])
        .unwrap();
    release.join().unwrap();
    assert_eq!(s.load().unwrap().controls.len(), 4);
}

/// A second connection, as another process would hold it, inside a write transaction.
pub fn rusqlite_lock(path: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

/// The PostgreSQL server to test against, in its own schema per run.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("CROSSWALK_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: CROSSWALK_TEST_POSTGRES is not set under CI"
            );
            eprintln!("{test}: skipped, CROSSWALK_TEST_POSTGRES is not set");
            None
        }
    }
}

#[test]
fn postgres_conforms() {
    let Some(base) = postgres_url("postgres_conforms") else {
        return;
    };
    let mut schemas = PgSchemas::new(&base, "conf");
    conformance("postgres", &mut || schemas.fresh());
    additions::conformance("postgres", &mut || schemas.fresh());
    bulk::conformance("postgres", &mut || schemas.fresh());
    audit::unnamed_actor("postgres", &schemas.fresh());
    let mut tamper = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    audit::conformance("postgres", &mut || schemas.fresh(), &mut |target, sql| {
        let schema = PgSchemas::schema_of(target);
        tamper
            .batch_execute(&format!("SET search_path TO {schema}; {sql}"))
            .unwrap();
    });
}

/// Schemas of the test server, one per database a test asks for, each named after the
/// test and the process so parallel runs never meet; dropped at the end.
pub struct PgSchemas {
    pub admin: postgres::Client,
    base: String,
    run: String,
    n: usize,
    created: Vec<String>,
}

impl PgSchemas {
    pub fn new(base: &str, test: &str) -> Self {
        Self {
            admin: postgres::Client::connect(base, postgres::NoTls).unwrap(),
            base: base.to_owned(),
            run: format!("cw_test_{}_{test}", std::process::id()),
            n: 0,
            created: Vec::new(),
        }
    }

    /// A new empty schema; the URL that uses it.
    pub fn fresh(&mut self) -> String {
        self.n += 1;
        let schema = format!("{}_{}", self.run, self.n);
        self.admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .unwrap();
        self.created.push(schema.clone());
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-csearch_path%3D{schema}", self.base)
    }

    /// The schema a URL from [`PgSchemas::fresh`] uses.
    pub fn schema_of(url: &str) -> &str {
        url.rsplit("%3D").next().unwrap()
    }
}

impl Drop for PgSchemas {
    fn drop(&mut self) {
        for s in &self.created {
            let _ = self
                .admin
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
        }
    }
}

#[test]
fn postgres_unreachable_is_a_clear_error() {
    let err = crosswalk_store::open("postgres://nobody:secret@127.0.0.1:1/none")
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(
        msg.contains("cannot open the database") && !msg.contains("secret"),
        "{msg}"
    );
}

#[test]
fn sqlite_database_at_version_1_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE schema_version (version BIGINT PRIMARY KEY); INSERT INTO schema_version VALUES (1);").unwrap();
        conn.execute_batch(include_str!("../../src/schema.sql"))
            .unwrap();
        conn.execute_batch("INSERT INTO control (id, position, title, description, owner, status, frequency) VALUES ('OLD-1', 0, 'Kept', '', '', 'operating', '')").unwrap();
        conn.execute_batch(r#"INSERT INTO control_link VALUES ('OLD-1', 'soc2-2017', 'CC6.1', '"full"', '{"kind":"manual"}'), ('OLD-1', 'iso27001-2022', 'A.5.15', '"partial"', '{"kind":"crosswalk","from":"soc2-2017:CC6.1","relationship":"subset","provenance":"curated"}')"#).unwrap();
    }
    let mut s = crosswalk_store::open(path.to_str().unwrap()).unwrap();
    let p = s.load().unwrap();
    assert_eq!(p.controls[0].id, "OLD-1", "data survives the upgrade");
    // Links made by hand stay accepted; the crosswalk's become proposals, numbered.
    let states: Vec<(Option<u64>, &str, LinkState)> = p
        .links
        .iter()
        .map(|l| (l.id, l.requirement.as_str(), l.state))
        .collect();
    assert_eq!(
        states,
        [
            (Some(1), "A.5.15", LinkState::Proposed),
            (Some(2), "CC6.1", LinkState::Accepted)
        ]
    );
    // New links are numbered after them.
    s.apply(&[Change::Link(link(
        "OLD-1",
        "soc2-2017",
        "CC6.2",
        Coverage::Full,
    ))])
    .unwrap();
    let p = s.load().unwrap();
    assert_eq!(
        p.links
            .iter()
            .find(|l| l.requirement.as_str() == "CC6.2")
            .unwrap()
            .id,
        Some(3)
    );
    assert!(p.policies.is_empty());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM schema_version ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        versions,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    );
}
