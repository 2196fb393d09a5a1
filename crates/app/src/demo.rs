//! The demo: a realistic sample program — a SaaS company with a SOC 2 Type 2 under
//! way, adding ISO/IEC 27001:2022 and then ISO/IEC 27701:2025 — built through the same store
//! and crosswalk paths a real program uses; and synthetic programs of any size for
//! benchmarks.

use crosswalk_core::evidence::Location;
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::Coverage;
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evaluation, Evidence, Inclusion, LinkState,
    Outcome, ProgramInfo,
};
use crosswalk_core::risk::{Acceptance, Action, Rating, Risk, Treatment};
use crosswalk_store::Change;
use jiff::ToSpan;
use jiff::civil::Date;

use crate::program::{AddFramework, Added, GapReport, Session, StatusReport};
use crate::{Result, bail, invalid};

/// What the demo built, for the caller to show.
#[derive(Debug)]
pub struct Demo {
    pub db: String,
    /// The sample company's own controls.
    pub controls: usize,
    /// Each framework added through the crosswalk, with what it inherited.
    pub added: Vec<(String, Added)>,
    pub status: StatusReport,
    /// The five gaps whose fix counts for the most frameworks.
    pub gaps: GapReport,
}

/// Our sample controls: id, title, owner, status, frequency, SOC 2 criteria it meets in
/// full, criteria it serves in part, days since its evidence was collected (`None`: no
/// evidence yet).
type Sample = (
    &'static str,
    &'static str,
    &'static str,
    ControlStatus,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    Option<i64>,
);

use ControlStatus::{Implemented, InProgress, NotStarted, Operating};

const CONTROLS: &[Sample] = &[
    (
        "GOV-01",
        "Security policies approved by leadership and reviewed yearly",
        "CISO",
        Operating,
        "yearly",
        &["CC5.3"],
        &["CC1.1", "CC2.2"],
        Some(120),
    ),
    (
        "GOV-02",
        "Code of conduct signed at hire and each year",
        "People",
        Operating,
        "yearly",
        &["CC1.1"],
        &[],
        Some(60),
    ),
    (
        "GOV-03",
        "Board security committee reviews risk and audit results quarterly",
        "CEO",
        Operating,
        "quarterly",
        &["CC1.2"],
        &["CC4.2"],
        Some(45),
    ),
    (
        "GOV-04",
        "Security roles, owners and reporting lines documented",
        "CISO",
        Operating,
        "yearly",
        &["CC1.3"],
        &["CC5.1"],
        Some(200),
    ),
    (
        "HR-01",
        "Background checks before access is granted",
        "People",
        Operating,
        "per hire",
        &["CC1.4"],
        &[],
        Some(30),
    ),
    (
        "HR-02",
        "Security awareness training at hire and yearly",
        "People",
        Operating,
        "yearly",
        &["CC2.2"],
        &["CC1.4"],
        Some(400),
    ),
    (
        "HR-03",
        "Performance reviews include security responsibilities",
        "People",
        Implemented,
        "yearly",
        &["CC1.5"],
        &[],
        None,
    ),
    (
        "COM-01",
        "Customer-facing security page, terms and incident contact",
        "Legal",
        Operating,
        "continuous",
        &["CC2.3"],
        &[],
        Some(90),
    ),
    (
        "RSK-01",
        "Risk assessment with register, owners and treatment plans",
        "CISO",
        Operating,
        "yearly",
        &["CC3.1", "CC3.2", "CC9.1"],
        &["CC3.4"],
        Some(150),
    ),
    (
        "RSK-02",
        "Fraud risk considered in the risk assessment",
        "Finance",
        Implemented,
        "yearly",
        &["CC3.3"],
        &[],
        Some(150),
    ),
    (
        "MON-01",
        "Internal audit of controls against the program each year",
        "Compliance",
        InProgress,
        "yearly",
        &["CC4.1"],
        &["CC4.2"],
        None,
    ),
    (
        "IAM-01",
        "Single sign-on with MFA for every production and SaaS system",
        "IT",
        Operating,
        "continuous",
        &["CC6.1"],
        &["CC6.6"],
        Some(20),
    ),
    (
        "IAM-02",
        "Joiner, mover and leaver process with access tickets",
        "IT",
        Operating,
        "per event",
        &["CC6.2"],
        &["CC6.3"],
        Some(35),
    ),
    (
        "IAM-03",
        "Quarterly access reviews of production and admin roles",
        "Security",
        Operating,
        "quarterly",
        &["CC6.3"],
        &[],
        Some(100),
    ),
    (
        "PHY-01",
        "Offices badge-controlled; data centres inherited from the cloud provider",
        "Facilities",
        Operating,
        "continuous",
        &["CC6.4"],
        &[],
        Some(180),
    ),
    (
        "AST-01",
        "Asset inventory with owners; secure disposal of devices and media",
        "IT",
        Implemented,
        "continuous",
        &["CC6.5"],
        &["CC6.1"],
        Some(250),
    ),
    (
        "NET-01",
        "Network segmentation, WAF and TLS everywhere",
        "Platform",
        Operating,
        "continuous",
        &["CC6.6", "CC6.7"],
        &[],
        Some(15),
    ),
    (
        "END-01",
        "Managed endpoints: disk encryption, EDR, patching",
        "IT",
        Operating,
        "continuous",
        &["CC6.8"],
        &[],
        Some(10),
    ),
    (
        "VUL-01",
        "Vulnerability scanning and patching within defined deadlines",
        "Platform",
        Operating,
        "weekly",
        &["CC7.1"],
        &[],
        Some(7),
    ),
    (
        "LOG-01",
        "Central logging and alerting on security events",
        "Security",
        Operating,
        "continuous",
        &["CC7.2"],
        &["CC7.3"],
        Some(14),
    ),
    (
        "INC-01",
        "Incident response plan, on-call and post-incident reviews",
        "Security",
        Operating,
        "per incident",
        &["CC7.3", "CC7.4"],
        &["CC7.5"],
        Some(75),
    ),
    (
        "CHG-01",
        "Peer-reviewed changes through CI with automated tests",
        "Engineering",
        Operating,
        "per change",
        &["CC8.1"],
        &[],
        Some(5),
    ),
    (
        "VEN-01",
        "Vendor security reviews before purchase and yearly",
        "Procurement",
        Implemented,
        "yearly",
        &["CC9.2"],
        &[],
        Some(380),
    ),
    (
        "BCP-01",
        "Backups tested and disaster recovery exercised yearly",
        "Platform",
        Operating,
        "yearly",
        &["A1.2", "A1.3"],
        &["CC7.5"],
        Some(160),
    ),
    (
        "CAP-01",
        "Capacity monitoring and autoscaling",
        "Platform",
        Operating,
        "continuous",
        &["A1.1"],
        &[],
        Some(25),
    ),
    (
        "CON-01",
        "Confidential data classified, encrypted and deleted on schedule",
        "Security",
        InProgress,
        "continuous",
        &["C1.1", "C1.2"],
        &[],
        None,
    ),
    (
        "PRV-01",
        "Privacy notice and records of processing kept current",
        "Legal",
        NotStarted,
        "yearly",
        &[],
        &[],
        None,
    ),
];

/// Controls whose sample evidence is a stored file.
const FILES: &[&str] = &["IAM-03", "VUL-01", "CHG-01", "BCP-01"];

fn fw(id: &str) -> Result<FrameworkId> {
    FrameworkId::parse(id).map_err(|e| invalid!("{e}"))
}

fn link(url: &str) -> Result<Location> {
    Location::parse(url).map_err(|e| invalid!("{e}"))
}

fn req(id: &str) -> Result<RequirementId> {
    RequirementId::parse(id).map_err(|e| invalid!("{e}"))
}

/// ISO/IEC 27001:2022 proposals the demo's reviewer turns down: the SOC 2 criterion the
/// control serves maps there, but this control does nothing for that requirement.
const REJECTED: [(&str, &str); 11] = [
    ("IAM-01", "A.5.9"),
    ("IAM-01", "A.8.20"),
    ("IAM-01", "A.8.22"),
    ("IAM-01", "A.8.24"),
    ("AST-01", "A.5.15"),
    ("AST-01", "A.5.17"),
    ("AST-01", "A.8.5"),
    ("AST-01", "A.8.22"),
    ("AST-01", "A.8.24"),
    ("IAM-02", "A.5.1"),
    ("IAM-03", "A.5.1"),
];

/// Inferred ISO/IEC 27001:2022 proposals the reviewer checked path by path and accepted.
const ACCEPTED: [(&str, &str); 3] = [
    ("RSK-01", "6.1.1"),
    ("PHY-01", "A.7.4"),
    ("IAM-03", "A.5.16"),
];

/// Marks the demo's ISO/IEC 27001:2022 links between these controls and requirements.
fn review(
    session: &mut Session<'_>,
    pairs: &[(&str, &str)],
    state: LinkState,
    reviewer: &str,
) -> Result<()> {
    let program = session.program()?;
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for (control, requirement) in pairs {
        let id = program
            .links
            .iter()
            .find(|l| {
                l.framework.as_str() == "iso27001-2022"
                    && l.control == *control
                    && l.requirement.as_str() == *requirement
            })
            .and_then(|l| l.id);
        match id {
            Some(id) => ids.push(id),
            None => missing.push(format!("{control} → {requirement}")),
        }
    }
    if !missing.is_empty() {
        bail!("the demo has no links {}", missing.join(", "));
    }
    let on = session.clock.today;
    session.store().apply(&[Change::ReviewLinks {
        ids,
        state,
        reviewer: reviewer.into(),
        on,
    }])?;
    Ok(())
}

/// The demo's risks: title, scope, owner, inherent (likelihood, impact), current,
/// target, treatment, controls, an acceptance's lapse in days (retained risks), and a
/// treatment-plan action with its due date in days.
type SampleRisk = (
    &'static str,
    &'static str,
    &'static str,
    (u8, u8),
    Option<(u8, u8)>,
    Option<(u8, u8)>,
    Treatment,
    &'static [&'static str],
    Option<i64>,
    Option<(&'static str, i64)>,
);

const RISKS: [SampleRisk; 22] = {
    use Treatment::{Avoid, Modify, Retain, Share};
    [
        (
            "Account takeover of staff SaaS and cloud accounts",
            "Staff identities, AWS, SaaS admin consoles",
            "CISO",
            (4, 4),
            Some((2, 4)),
            Some((1, 4)),
            Modify,
            &["IAM-01", "IAM-03"],
            None,
            None,
        ),
        (
            "Excess privilege left after role changes",
            "Production and admin roles",
            "IT lead",
            (3, 4),
            Some((2, 3)),
            Some((2, 2)),
            Modify,
            &["IAM-02", "IAM-03", "GOV-04"],
            None,
            None,
        ),
        (
            "Known vulnerability exploited on an internet-facing service",
            "Public web app and API",
            "Platform lead",
            (4, 5),
            Some((3, 4)),
            Some((2, 4)),
            Modify,
            &["VUL-01", "NET-01"],
            None,
            Some(("Patch critical findings within 30 days on every server", 60)),
        ),
        (
            "Ransomware or malware on an endpoint",
            "Laptops",
            "IT lead",
            (3, 4),
            Some((2, 3)),
            None,
            Modify,
            &["END-01", "BCP-01"],
            None,
            None,
        ),
        (
            "Customer data lost through failed backups",
            "Production databases",
            "Platform lead",
            (2, 5),
            Some((1, 4)),
            None,
            Modify,
            &["BCP-01"],
            None,
            None,
        ),
        (
            "Cloud region outage takes the service down",
            "AWS production region",
            "Platform lead",
            (3, 4),
            Some((2, 3)),
            None,
            Modify,
            &["BCP-01", "CAP-01"],
            None,
            None,
        ),
        (
            "Denial of service on the public API",
            "Public API",
            "Platform lead",
            (3, 3),
            Some((2, 2)),
            None,
            Modify,
            &["NET-01", "CAP-01"],
            None,
            None,
        ),
        (
            "Breach detected late or not at all",
            "Logs and alerting",
            "Security lead",
            (3, 4),
            Some((2, 3)),
            None,
            Modify,
            &["LOG-01", "INC-01"],
            None,
            None,
        ),
        (
            "Breach at a sub-processor exposes customer data",
            "Sub-processors",
            "Procurement",
            (3, 4),
            Some((2, 4)),
            None,
            Modify,
            &["VEN-01"],
            None,
            None,
        ),
        (
            "Unauthorised or faulty change reaches production",
            "CI/CD pipeline",
            "Engineering lead",
            (3, 4),
            Some((1, 3)),
            None,
            Modify,
            &["CHG-01"],
            None,
            None,
        ),
        (
            "Secrets leaked in source code",
            "Code repositories",
            "Engineering lead",
            (3, 4),
            Some((2, 3)),
            Some((1, 3)),
            Modify,
            &["CHG-01"],
            None,
            Some(("Add secret scanning to CI", 45)),
        ),
        (
            "Confidential customer data disclosed through misclassification",
            "Data pipeline exports",
            "Security lead",
            (3, 4),
            Some((3, 3)),
            Some((2, 3)),
            Modify,
            &["CON-01"],
            None,
            Some((
                "Finish classifying and encrypting the analytics exports",
                90,
            )),
        ),
        (
            "Staff fall for phishing",
            "All staff",
            "People lead",
            (4, 3),
            Some((2, 3)),
            None,
            Modify,
            &["HR-02", "IAM-01"],
            None,
            None,
        ),
        (
            "Hire with an undisclosed history of misconduct",
            "New hires",
            "People lead",
            (2, 4),
            Some((1, 4)),
            None,
            Modify,
            &["HR-01"],
            None,
            None,
        ),
        (
            "Control failures unnoticed between audits",
            "The ISMS",
            "Compliance lead",
            (3, 3),
            Some((3, 3)),
            Some((2, 2)),
            Modify,
            &["MON-01", "GOV-03"],
            None,
            Some(("Run the first internal audit cycle", 120)),
        ),
        (
            "Unknown threats to the SaaS stack",
            "Platform",
            "Security lead",
            (3, 3),
            Some((3, 3)),
            Some((2, 3)),
            Modify,
            &["VUL-01"],
            None,
            Some(("Subscribe to a threat intelligence feed", 120)),
        ),
        (
            "Personal data processed without a current privacy notice",
            "Customer and marketing personal data",
            "Legal",
            (3, 4),
            None,
            Some((1, 3)),
            Modify,
            &["PRV-01"],
            None,
            Some(("Publish the privacy notice and records of processing", 90)),
        ),
        (
            "Laptop stolen from the office",
            "Office",
            "Facilities",
            (2, 2),
            None,
            None,
            Retain,
            &["PHY-01", "END-01"],
            Some(365),
            None,
        ),
        (
            "Key engineer leaves with undocumented knowledge",
            "Platform team",
            "CTO",
            (3, 3),
            None,
            None,
            Retain,
            &[],
            Some(180),
            None,
        ),
        (
            "Customer data kept on office premises",
            "Office network",
            "CISO",
            (2, 4),
            None,
            None,
            Avoid,
            &[],
            None,
            None,
        ),
        (
            "Financial loss from a major breach",
            "The company",
            "CFO",
            (2, 5),
            None,
            None,
            Share,
            &[],
            None,
            None,
        ),
        (
            "Churn-prediction model scores customer segments unfairly",
            "Churn-prediction model",
            "Data science lead",
            (3, 3),
            Some((2, 3)),
            Some((1, 3)),
            Modify,
            &["CHG-01"],
            None,
            Some(("Add a fairness check to the model release checklist", 90)),
        ),
    ]
};

/// The demo's management-system records, dated from `today`.
fn demo_records(today: Date) -> Result<Vec<Change>> {
    use crosswalk_core::ms::{
        Finding, ImpactAssessment, ImpactFinding, ImpactKind, InternalAudit, ManagementReview,
        Nonconformity, Processing, Record,
    };
    use crosswalk_core::program::Grade;
    let days = |n: i64| today.checked_add(n.days()).map_err(|e| invalid!("{e}"));
    let audit = InternalAudit {
        id: "IA-1".into(),
        title: "ISMS internal audit, first cycle".into(),
        scope: "The ISMS and Annex A controls in the SOC 2 system boundary".into(),
        criteria: "ISO/IEC 27001:2022; company security policies".into(),
        auditor: "Independent internal auditor (contracted)".into(),
        planned: days(-40)?,
        performed: Some(days(-30)?),
        findings: vec![
            Finding {
                grade: Grade::MinorNonconformity,
                description: "Two servers had critical patches outstanding for 45 days against the 30-day standard.".into(),
                requirements: vec!["iso27001-2022:A.8.8".into()],
                controls: vec!["VUL-01".into()],
                nonconformity: Some("NC-1".into()),
            },
            Finding {
                grade: Grade::Observation,
                description: "Threat intelligence is informal; no feed is subscribed to yet.".into(),
                requirements: vec!["iso27001-2022:A.5.7".into()],
                controls: vec![],
                nonconformity: None,
            },
            Finding {
                grade: Grade::OpportunityForImprovement,
                description: "Access review evidence could be exported from the IdP instead of screenshots.".into(),
                requirements: vec!["iso27001-2022:A.5.18".into()],
                controls: vec!["IAM-03".into()],
                nonconformity: None,
            },
        ],
    };
    let nc = Nonconformity {
        id: "NC-1".into(),
        title: "Critical patches past the 30-day deadline on two servers".into(),
        grade: Grade::MinorNonconformity,
        source: "IA-1".into(),
        requirements: vec!["iso27001-2022:A.8.8".into()],
        controls: vec!["VUL-01".into()],
        root_cause: "Legacy reporting servers had no named owner in the patching rota.".into(),
        owner: "Platform lead".into(),
        due: Some(days(60)?),
        actions: vec![Action {
            title: "Assign owners to every server in the inventory and alert on patch age".into(),
            owner: "Platform lead".into(),
            due: Some(days(30)?),
            done: false,
        }],
        raised: days(-30)?,
        effectiveness: None,
    };
    let inputs = [
        ("previous-actions", "First review: no earlier actions."),
        (
            "context-changes",
            "Two enterprise customers now require ISO/IEC 27001 by next year.",
        ),
        (
            "interested-parties",
            "Customers ask for SOC 2 Type 2 and ISO/IEC 27001; the DPA template was updated.",
        ),
        (
            "performance",
            "Internal audit IA-1: one minor nonconformity (NC-1), one observation; SOC 2 readiness 75 %.",
        ),
        (
            "feedback",
            "No customer complaints about security; two security questionnaires answered late.",
        ),
        (
            "risk-assessment",
            "22 risks; four treatments not yet effective (R-12, R-13, R-15, R-17).",
        ),
        (
            "improvement",
            "Automate access-review evidence; subscribe to a threat feed.",
        ),
        (
            "resources",
            "One more platform engineer approved for the patching backlog.",
        ),
    ];
    let review = ManagementReview {
        id: "MR-1".into(),
        held_on: days(-14)?,
        attendees: vec![
            "CEO".into(),
            "CTO".into(),
            "CISO".into(),
            "Compliance lead".into(),
        ],
        inputs: inputs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        decisions: vec![
            "Approve the ISO/IEC 27001 certification target date.".into(),
            "Fund a threat intelligence feed.".into(),
        ],
        actions: vec![],
    };
    let analytics = Processing {
        id: "ROPA-1".into(),
        name: "Customer product analytics".into(),
        controller:
            "Northwind Analytics (sample), privacy@northwind.example; DPO: dpo@northwind.example"
                .into(),
        purposes:
            "Measure feature use and predict churn to improve the product and retain customers"
                .into(),
        data_subjects: "Users of customer accounts".into(),
        personal_data: "Account identifiers, usage events, IP addresses".into(),
        recipients: "Cloud hosting provider; analytics sub-processor".into(),
        transfers: "None outside the EEA".into(),
        retention: "Raw events 13 months; aggregates indefinitely".into(),
        security: "Encryption at rest and in transit, SSO with MFA, access reviews".into(),
        lawful_basis: "Legitimate interests (GDPR Art. 6(1)(f))".into(),
    };
    let hr = Processing {
        id: "ROPA-2".into(),
        name: "Employee records".into(),
        controller: "Northwind Analytics (sample), people@northwind.example".into(),
        purposes: "Employment administration and payroll".into(),
        data_subjects: "Employees and contractors".into(),
        personal_data: "Identity, contract, salary, bank details, background-check outcome".into(),
        recipients: "Payroll provider".into(),
        transfers: String::new(),
        retention: "Six years after employment ends".into(),
        security: "HR system with role-based access".into(),
        lawful_basis: "Contract; legal obligation".into(),
    };
    let answers = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    };
    let ai = ImpactAssessment {
        id: "IMP-1".into(),
        kind: ImpactKind::AiSystem,
        subject: "Churn-prediction model".into(),
        owner: "Data science lead".into(),
        performed: days(-20)?,
        answers: answers(&[
            (
                "purpose",
                "Scores each customer account's likelihood of leaving so the success team can reach out.",
            ),
            (
                "affected",
                "Customer account users; the success team acting on scores.",
            ),
            (
                "misuse",
                "Using scores to change prices or terms for individual customers.",
            ),
            (
                "individuals",
                "Low: a score only prompts a human contact; no automated decision with legal effect.",
            ),
            ("society", "Negligible; small compute footprint."),
            (
                "data",
                "Product usage events of the last 13 months; smaller customer segments are under-represented.",
            ),
            (
                "transparency",
                "The privacy notice describes the analytics; scores are not shown to customers.",
            ),
            (
                "oversight",
                "The success team decides every contact; the model can be switched off per account.",
            ),
            (
                "performance",
                "Precision and recall tracked per release; drift alert on monthly retraining.",
            ),
            (
                "severity",
                "Worst credible impact: a segment systematically ignored; reversible by retraining.",
            ),
        ]),
        findings: vec![ImpactFinding {
            description: "Scores may be less accurate for small customer segments.".into(),
            risks: vec!["R-22".into()],
        }],
        conclusion: "Acceptable with the fairness check in the release checklist.".into(),
        approved_by: "CTO".into(),
        review: Some(days(345)?),
    };
    let dpia = ImpactAssessment {
        id: "IMP-2".into(),
        kind: ImpactKind::Dpia,
        subject: "ROPA-1".into(),
        owner: "Legal".into(),
        performed: days(-18)?,
        answers: answers(&[
            (
                "description",
                "Usage events of account users are collected, aggregated and scored for churn.",
            ),
            (
                "necessity",
                "Aggregates meet the product purpose; raw events are kept 13 months, not longer.",
            ),
            (
                "risks",
                "Unexpected profiling of users; disclosure of usage data.",
            ),
            (
                "measures",
                "Privacy notice update, opt-out for analytics cookies, access controls, retention limits.",
            ),
            (
                "dpo-advice",
                "Proceed once the privacy notice describes the churn scoring.",
            ),
            ("residual", "Low once the notice is published."),
            (
                "prior-consultation",
                "Not needed: residual risk is not high.",
            ),
        ]),
        findings: vec![ImpactFinding {
            description: "The privacy notice does not yet describe churn scoring.".into(),
            risks: vec!["R-17".into()],
        }],
        conclusion: "Proceed; publish the updated privacy notice first.".into(),
        approved_by: "DPO".into(),
        review: Some(days(347)?),
    };
    Ok(vec![
        Change::SetRecord(Record::Audit(audit)),
        Change::SetRecord(Record::Nonconformity(nc)),
        Change::SetRecord(Record::Review(review)),
        Change::SetRecord(Record::Processing(analytics)),
        Change::SetRecord(Record::Processing(hr)),
        Change::SetRecord(Record::Impact(ai)),
        Change::SetRecord(Record::Impact(dpia)),
    ])
}

/// The demo's assignments, SOC 2 engagement, evidence requests and comments.
fn demo_collaboration(today: Date, soc2: &FrameworkId) -> Result<Vec<Change>> {
    use crosswalk_core::collab::{
        Assignment, Comment, Engagement, EvidenceRequest, Item, RequestState, Step, Subject,
    };
    let day = |days: i64| today.checked_add(days.days()).map_err(|e| invalid!("{e}"));
    let at = |days: i64| -> Result<String> { Ok(format!("{}T09:00:00Z", day(days)?)) };
    let control = |id: &str| Subject::Control(id.into());
    let mut changes = Vec::new();
    for (id, who, due) in [
        ("IAM-02", "it-lead@northwind.example", 14),
        ("VUL-01", "it-lead@northwind.example", 7),
        ("LOG-01", "it-lead@northwind.example", 30),
        ("HR-02", "people@northwind.example", 21),
        ("VEN-01", "people@northwind.example", 45),
    ] {
        changes.push(Change::Collab(Item::Assignment(Assignment {
            subject: control(id),
            assignee: who.into(),
            due: Some(day(due)?),
            assigned_by: "ciso@northwind.example".into(),
            assigned_on: day(-10)?,
        })));
    }
    changes.push(Change::Collab(Item::Engagement(Engagement {
        id: "AE-1".into(),
        name: "SOC 2 Type 2 examination".into(),
        frameworks: vec![soc2.clone()],
        period_start: day(-180)?,
        period_end: day(-1)?,
        ends_on: day(60)?,
        auditors: vec!["auditor@cpa-firm.example".into()],
    })));
    let step = |state, actor: &str, days: i64, note: &str, evidence: &[&str]| -> Result<Step> {
        Ok(Step {
            state,
            actor: actor.into(),
            at: at(days)?,
            note: note.into(),
            evidence: evidence.iter().map(|e| (*e).to_owned()).collect(),
        })
    };
    let auditor = "auditor@cpa-firm.example";
    let request =
        |id: &str, subject, title: &str, who: &str, due: i64| -> Result<EvidenceRequest> {
            Ok(EvidenceRequest {
                id: id.into(),
                subject,
                title: title.into(),
                detail: String::new(),
                assignee: Some(who.into()),
                due: Some(day(due)?),
                engagement: Some("AE-1".into()),
                state: RequestState::Open,
                evidence: Vec::new(),
                steps: vec![step(RequestState::Open, auditor, -8, "", &[])?],
            })
        };
    let mut answered = request(
        "ER-1",
        control("IAM-02"),
        "Quarterly access review, last two quarters",
        "it-lead@northwind.example",
        -1,
    )?;
    for s in [
        step(
            RequestState::Submitted,
            "it-lead@northwind.example",
            -5,
            "Q2 review attached",
            &["EV-IAM-02"],
        )?,
        step(
            RequestState::Accepted,
            auditor,
            -3,
            "Sample of 25 users traced",
            &[],
        )?,
    ] {
        answered
            .advance(s)
            .map_err(|e| invalid!("the demo's request: {e}"))?;
    }
    changes.push(Change::Collab(Item::Request(answered)));
    changes.push(Change::Collab(Item::Request(request(
        "ER-2",
        control("VUL-01"),
        "Patch records for critical vulnerabilities in the period",
        "it-lead@northwind.example",
        7,
    )?)));
    for (id, subject, author, days, body) in [
        (
            "CM-1",
            control("VUL-01"),
            auditor,
            -7,
            "Please include the exception log for the two servers patched late.",
        ),
        (
            "CM-2",
            control("VUL-01"),
            "it-lead@northwind.example",
            -6,
            "Will do: the exceptions are tracked in NC-1.",
        ),
        (
            "CM-3",
            Subject::Request("ER-1".into()),
            auditor,
            -3,
            "Accepted; no further samples needed.",
        ),
    ] {
        changes.push(Change::Collab(Item::Comment(Comment {
            id: id.into(),
            subject,
            author: author.into(),
            at: at(days)?,
            body: body.into(),
        })));
    }
    Ok(changes)
}

/// The demo's risk register as changes, dated from `today`.
fn demo_risks(today: Date) -> Result<Vec<Change>> {
    let rating = |(likelihood, impact): (u8, u8)| Rating { likelihood, impact };
    let days = |n: i64| today.checked_add(n.days()).map_err(|e| invalid!("{e}"));
    let mut out = Vec::new();
    for (n, (title, scope, owner, inherent, current, target, treatment, controls, lapse, action)) in
        RISKS.iter().enumerate()
    {
        out.push(Change::SetRisk(Risk {
            id: format!("R-{}", n + 1),
            title: (*title).into(),
            scope: (*scope).into(),
            threat: String::new(),
            vulnerability: String::new(),
            owner: (*owner).into(),
            category: "Information security".into(),
            inherent: rating(*inherent),
            current: current.map(rating),
            target: target.map(rating),
            treatment: *treatment,
            controls: controls.iter().map(|c| (*c).to_owned()).collect(),
            acceptance: match lapse {
                Some(d) => Some(Acceptance {
                    by: if *treatment == Treatment::Retain && inherent.0 + inherent.1 > 5 {
                        "CEO".into()
                    } else {
                        (*owner).into()
                    },
                    on: today,
                    until: Some(days(*d)?),
                }),
                None => None,
            },
            actions: match action {
                Some((t, d)) => vec![Action {
                    title: (*t).into(),
                    owner: (*owner).into(),
                    due: Some(days(*d)?),
                    done: false,
                }],
                None => Vec::new(),
            },
            review: Some(days(365)?),
        }));
    }
    Ok(out)
}

/// Who made the demo's own links (the program owner).
const OWNER: &str = "Demo Program Owner";

/// Builds the sample program in the session's database (which must not hold one yet).
/// Snapshots of exported data for the monitoring page (documents of the built-in checks'
/// fixtures: the credential report and Okta users with failures, branch protection that
/// passes) and one run over them. No check is mapped to a control, so readiness is as it
/// was.
fn demo_monitoring(session: &mut Session<'_>) -> Result<()> {
    let catalog = crate::monitor::catalog(&[], false)?;
    let checks = catalog.checks();
    // At 06:00 UTC today, so that the same demo built twice is the same program.
    let at = session
        .clock
        .today
        .at(6, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| invalid!("{e}"))?
        .timestamp()
        .min(session.clock.now);
    for (check, dataset, failing) in [
        ("aws.iam.console-mfa", "aws-iam-credential-report", true),
        ("okta.users.inactive", "okta-users", true),
        (
            "github.branch.required-reviews",
            "github-branch-protection",
            false,
        ),
    ] {
        let doc = checks
            .iter()
            .find(|c| c.id == check)
            .and_then(|c| c.fixtures.as_ref())
            .and_then(|f| if failing { &f.fail } else { &f.pass }.get(dataset))
            .ok_or_else(|| invalid!("the demo's snapshot of {dataset}: no fixture of {check}"))?;
        let bytes = serde_json::to_vec_pretty(doc).map_err(|e| invalid!("{e}"))?;
        let sha256 = session.store().put_file(&bytes)?;
        let items = doc.as_array().map_or(1, Vec::len) as u64;
        session.store().apply(
            &[Change::AddSnapshot(crosswalk_core::monitor::DataSnapshot {
                dataset: dataset.to_owned(),
                sha256: sha256.to_string(),
                source: "demo export".into(),
                collected_at: at,
                added_at: at,
                items,
            })],
        )?;
    }
    session.monitor_run(&[])?;
    Ok(())
}

pub fn build(session: &mut Session<'_>) -> Result<Demo> {
    let today = session.clock.today;
    let db = session.db().to_owned();
    if session.store().info()?.is_some() {
        bail!("{db} already holds a program; give the demo its own --db (or remove the file)");
    }
    let soc2 = fw("soc2-2017")?;
    let mut changes = vec![Change::SetProgram(ProgramInfo {
        organization: "Northwind Analytics (sample)".into(),
        scope: "The Northwind analytics SaaS platform (web app, API and data pipeline), the AWS accounts that host it, and the engineering, IT and support teams that run it.".into(),
        systems: vec!["northwind-app".into(), "northwind-api".into(), "data-pipeline".into(), "aws-production".into()],
    })];
    for (id, title, owner, status, frequency, full, partial, evidence) in CONTROLS {
        changes.push(Change::AddControl(Control {
            id: (*id).into(),
            title: (*title).into(),
            description: String::new(),
            owner: (*owner).into(),
            status: *status,
            frequency: (*frequency).into(),
        }));
        for (list, coverage) in [(*full, Coverage::Full), (*partial, Coverage::Partial)] {
            for r in list {
                changes.push(Change::Link(ControlLink::manual(
                    id,
                    (soc2.clone(), req(r)?),
                    coverage,
                    OWNER,
                    today,
                )));
            }
        }
        if let Some(days) = evidence {
            let collected = today
                .checked_sub(days.days())
                .map_err(|e| invalid!("{e}"))?;
            // A few records are files kept in the evidence store; the rest are links to
            // where they live.
            let location = if FILES.contains(id) {
                let record = format!(
                    "Northwind Analytics (sample)\nEvidence for {id}: {title}\nCollected {collected} by the {owner} team.\n"
                );
                Location::File(session.store().put_file(record.as_bytes())?)
            } else {
                link(&format!(
                    "https://evidence.example/northwind/{}",
                    id.to_lowercase()
                ))?
            };
            changes.push(Change::AddEvidence(Evidence {
                id: format!("EV-{id}"),
                title: format!("{title} — record"),
                location,
                collected,
                valid_until: None,
                controls: vec![(*id).into()],
            }));
        }
    }
    session.store().apply(&changes)?;

    let year = today.year();
    // SOC 2 Type 2 first: it frames the program.
    session.add_framework(&AddFramework {
        framework: "soc2-2017".into(),
        target: Some("soc2-type2".into()),
        categories: vec!["availability".into(), "confidentiality".into()],
        date: Date::new(year + 1, 10, 31).ok(),
        link: false,
        window_months: None,
        accept_direct: false,
    })?;
    let mut added = Vec::new();
    for (id, label, date) in [
        (
            "iso27001-2022",
            "Adding ISO/IEC 27001:2022 to this SOC 2 program",
            Date::new(year + 1, 12, 15).ok(),
        ),
        (
            "iso27701-2025",
            "Then ISO/IEC 27701:2025 (privacy information management)",
            Date::new(year + 2, 3, 31).ok(),
        ),
    ] {
        let a = session.add_framework(&AddFramework {
            framework: id.into(),
            date,
            link: true,
            accept_direct: true,
            ..AddFramework::default()
        })?;
        added.push((label.to_owned(), a));
    }
    // The privacy control serves ISO/IEC 27701 directly: the owner links it by hand.
    let pims = fw("iso27701-2025")?;
    let mut privacy = Vec::new();
    for r in ["A.1.2.9", "A.1.3.3", "A.1.3.4"] {
        privacy.push(Change::Link(ControlLink::manual(
            "PRV-01",
            (pims.clone(), req(r)?),
            Coverage::Full,
            OWNER,
            today,
        )));
    }
    session.store().apply(&privacy)?;
    // The reviewer's pass over the ISO/IEC 27001 proposals: curated mappings that do not
    // fit what a control does are rejected, inferred ones that do are accepted one by
    // one; the other inferred proposals wait.
    let assessor = "Demo Assessor".to_owned();
    review(session, &REJECTED, LinkState::Rejected, &assessor)?;
    review(session, &ACCEPTED, LinkState::Accepted, &assessor)?;
    let iso = fw("iso27001-2022")?;
    let soa = |r: &str, why: &str| -> Result<Change> {
        Ok(Change::Assess(Assessment {
            framework: iso.clone(),
            requirement: req(r)?,
            applicable: false,
            justification: why.into(),
            result: None,
            reason: String::new(),
            maturity: None,
            assessor: assessor.clone(),
            assessed_on: today,
            grade: None,
            reviewer: None,
            reviewed_on: None,
            included_for: Vec::new(),
            planned: None,
        }))
    };
    // Why applicable controls are in: the risk assessment, contracts and the law.
    let include =
        |r: &str, why: &[Inclusion], text: &str, planned: Option<Date>| -> Result<Change> {
            Ok(Change::Assess(Assessment {
                framework: iso.clone(),
                requirement: req(r)?,
                applicable: true,
                justification: text.into(),
                result: None,
                reason: String::new(),
                maturity: None,
                assessor: assessor.clone(),
                assessed_on: today,
                grade: None,
                reviewer: None,
                reviewed_on: None,
                included_for: why.to_vec(),
                planned,
            }))
        };
    use Inclusion::{Business, Contractual, Legal, RiskTreatment};
    let planned = Date::new(year + 1, 3, 31).ok();
    // The risk register: the risks behind most Annex A inclusions, on the default matrix
    // with Medium residual risk acceptable once its owner signs it off.
    let mut matrix = crosswalk_core::risk::default_matrix();
    matrix.acceptable = 1;
    session
        .store()
        .apply(&[Change::SetRiskMatrix(Some(matrix))])?;
    session.store().apply(&demo_risks(today)?)?;
    // Reasons beyond the risks the register cites by itself.
    let reasons: [(&str, &[Inclusion], &str, Option<Date>); 16] = [
        (
            "A.5.1",
            &[Business],
            "The policy set is the basis of the ISMS; customers review it.",
            None,
        ),
        (
            "A.5.4",
            &[Business],
            "Management direction the ISMS depends on.",
            None,
        ),
        (
            "A.5.5",
            &[Legal],
            "Regulators and the data protection authority must be reachable.",
            None,
        ),
        (
            "A.5.32",
            &[Legal],
            "Licences of the software and data we use.",
            None,
        ),
        (
            "A.6.2",
            &[Legal, Contractual],
            "Employment contracts and confidentiality terms.",
            None,
        ),
        (
            "A.6.6",
            &[Contractual],
            "Confidentiality agreements with staff and contractors.",
            None,
        ),
        (
            "A.5.15",
            &[Contractual],
            "Customer contracts require SSO and MFA.",
            None,
        ),
        (
            "A.5.18",
            &[Contractual],
            "The customer security addendum requires quarterly access reviews.",
            None,
        ),
        (
            "A.5.19",
            &[Contractual],
            "Customer contracts require vendor due diligence.",
            None,
        ),
        (
            "A.5.23",
            &[Business],
            "The platform runs on a public cloud provider.",
            None,
        ),
        (
            "A.5.24",
            &[Legal],
            "GDPR Art. 33: personal data breaches notified within 72 hours.",
            None,
        ),
        (
            "A.5.31",
            &[Legal],
            "GDPR and customer-facing privacy law.",
            None,
        ),
        (
            "A.5.34",
            &[Legal, Contractual],
            "GDPR; data processing agreements with customers.",
            None,
        ),
        (
            "A.5.7",
            &[RiskTreatment],
            "A threat feed subscription is planned.",
            planned,
        ),
        (
            "A.8.13",
            &[Business],
            "Availability commitment to customers.",
            None,
        ),
        (
            "A.8.24",
            &[Contractual],
            "Encryption commitments in customer contracts.",
            None,
        ),
    ];
    let mut recorded = Vec::new();
    for (r, why, text, when) in reasons {
        recorded.push(include(r, why, text, when)?);
    }
    session.store().apply(&recorded)?;
    session
        .store()
        .apply(&[
            soa("A.8.30", "All development is done in-house; no outsourced development.")?,
            soa("A.7.5", "No premises of our own host systems; hosting is inherited from the cloud provider's SOC 2 report.")?,
            Change::Assess(Assessment {
                framework: iso.clone(),
                requirement: req("A.8.8")?,
                applicable: true,
                justification: "Vulnerabilities in internet-facing services are the main technical risk.".into(),
                result: Some(Outcome::PartiallyCompliant),
                reason: "Internal audit: two servers had critical patches outstanding for 45 days against the 30-day standard.".into(),
                maturity: Some(3),
                assessor: assessor.clone(),
                assessed_on: today,
                grade: Some(crosswalk_core::program::Grade::MinorNonconformity),
                reviewer: None,
                reviewed_on: None,
                included_for: vec![Inclusion::RiskTreatment],
                planned: Date::new(year + 1, 1, 31).ok(),
            }),
            Change::Assess(Assessment {
                framework: soc2.clone(),
                requirement: req("CC7.3")?,
                applicable: true,
                justification: String::new(),
                result: Some(Outcome::PartiallyCompliant),
                reason: "Two of five sampled alerts had no documented triage within the SLA.".into(),
                maturity: Some(2),
                assessor: assessor.clone(),
                assessed_on: today,
                grade: None,
                reviewer: None,
                reviewed_on: None,
                included_for: Vec::new(),
                planned: None,
            }),
        ])
        ?;

    // The internal audit that found the patching lapse, its nonconformity with a
    // corrective action under way, and the management review that followed.
    session.store().apply(&demo_records(today)?)?;

    // Policies, one overdue for review; the assessor's finding signed off.
    let ago = |days: i64| today.checked_sub(days.days()).ok();
    let policy =
        |id: &str, title: &str, version: &str, approved: i64| crosswalk_core::program::Policy {
            id: id.into(),
            title: title.into(),
            version: version.into(),
            owner: "CISO".into(),
            approved_by: "CEO".into(),
            approved_on: ago(approved),
            next_review: ago(approved - 365),
            location: format!("https://policies.example/northwind/{}", id.to_lowercase()),
        };
    session.store().apply(&[
        Change::SetPolicy(policy("POL-IS", "Information security policy", "3.1", 120)),
        Change::SetPolicy(policy("POL-AC", "Access control policy", "2.0", 200)),
        Change::SetPolicy(policy("POL-IR", "Incident response policy", "1.4", 400)),
        Change::SetPolicy(policy("POL-PRIV", "Privacy policy", "1.0", 30)),
        // The ISO/IEC 27001 Statement of Applicability as a controlled document: a draft,
        // then the approved first version.
        Change::SetPolicy(crosswalk_core::program::Policy {
            approved_by: String::new(),
            approved_on: None,
            next_review: None,
            ..policy("SOA-iso27001-2022", "Statement of Applicability", "0.9", 45)
        }),
        Change::SetPolicy(policy(
            "SOA-iso27001-2022",
            "Statement of Applicability",
            "1.0",
            20,
        )),
        Change::SignOff {
            framework: soc2.clone(),
            requirement: req("CC7.3")?,
            reviewer: "Demo Reviewer".into(),
            on: today,
        },
    ])?;
    // The team at work: control owners assigned with due dates, the SOC 2 audit under
    // way with its auditor, an evidence request answered and one still open, comments.
    session.store().apply(&demo_collaboration(today, &soc2)?)?;

    // Readiness snapshots at month ends before today, as the evidence then on file
    // stood, so `assess trend` has a history to show.
    let program = session.store().load()?;
    let mut snaps = Vec::new();
    for months in [3i64, 2, 1, 0] {
        let on = today
            .checked_sub(months.months())
            .map_err(|e| invalid!("{e}"))?;
        let status = Evaluation::new(&program, &session.catalog.library, on)
            .status(&session.catalog.library);
        snaps.push(Change::Snapshot(crosswalk_core::program::Snapshot {
            taken_on: on,
            status,
        }));
    }
    session.store().apply(&snaps)?;
    demo_monitoring(session)?;

    Ok(Demo {
        db,
        controls: CONTROLS.len(),
        added,
        status: session.status(false)?,
        gaps: session.gaps(5)?,
    })
}

/// The frameworks a synthetic program has in scope.
const SCALE_FRAMEWORKS: [&str; 10] = [
    "soc2-2017",
    "iso27001-2022",
    "iso27701-2019",
    "iso42001-2023",
    "nist-csf-2.0",
    "nist-800-53r5",
    "gdpr-2016",
    "hipaa-2013",
    "pci-dss-4.0.1",
    "nis2-2022",
];

/// Evidence items per synthetic control.
const EVIDENCE_PER_CONTROL: usize = 10;

/// What a synthetic program holds.
#[derive(Debug, serde::Serialize)]
pub struct Scaled {
    pub controls: usize,
    pub evidence: usize,
    pub links: usize,
    pub frameworks: usize,
}

/// A small deterministic mixer (SplitMix64), so the same `n` gives the same program.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Builds a synthetic program of `n` controls through the store's own interface: each
/// control links to three requirements of the ten frameworks in scope and has ten
/// evidence items collected over the past 500 days. The same `n` gives the same program
/// (dates are counted back from the session's date). For benchmarks at any scale.
///
/// # Errors
/// A database that already holds a program, or a store failure.
pub fn build_scaled(session: &mut Session<'_>, n: usize) -> Result<Scaled> {
    use crosswalk_core::program::{InScope, Target};
    let today = session.clock.today;
    let db = session.db().to_owned();
    if session.store().info()?.is_some() {
        bail!("{db} already holds a program; give the synthetic program its own --db");
    }
    let lib = &session.catalog.library;
    let mut scope = Vec::new();
    let mut changes = vec![Change::SetProgram(ProgramInfo {
        organization: format!("Synthetic program ({n} controls)"),
        scope: "A generated program for benchmarks.".into(),
        systems: vec!["synthetic".into()],
    })];
    for id in SCALE_FRAMEWORKS {
        let fw = lib
            .resolve(id)
            .ok_or_else(|| invalid!("{id} is not in the library"))?;
        let assessable: Vec<RequirementId> = fw
            .requirements()
            .iter()
            .filter(|r| r.assessable)
            .map(|r| r.id.clone())
            .collect();
        changes.push(Change::AddFramework(InScope {
            framework: fw.id().clone(),
            target: Target::for_framework(fw, None, &[]).map_err(crate::Error::Invalid)?,
            target_date: None,
        }));
        scope.push((fw.id().clone(), assessable));
    }
    session.store().apply(&changes)?;
    let statuses = [
        ControlStatus::Operating,
        ControlStatus::Implemented,
        ControlStatus::InProgress,
        ControlStatus::NotStarted,
    ];
    let cadence = ["continuous", "quarterly", "yearly", "monthly", "weekly"];
    let (mut links, mut evidence) = (0, 0);
    let batch = 2_000;
    for start in (0..n).step_by(batch) {
        let mut changes = Vec::with_capacity(batch * (1 + 3 + EVIDENCE_PER_CONTROL));
        for i in start..(start + batch).min(n) {
            let id = format!("C-{:06}", i + 1);
            let h = mix(i as u64);
            changes.push(Change::AddControl(Control {
                id: id.clone(),
                title: format!("Synthetic control {}", i + 1),
                description: String::new(),
                owner: format!("Team {}", h % 20),
                status: statuses[(h >> 8) as usize % statuses.len()],
                frequency: cadence[(h >> 16) as usize % cadence.len()].into(),
            }));
            for k in 0..3u64 {
                let (fw, reqs) =
                    &scope[((h >> (24 + 4 * k)) as usize + k as usize * 3) % scope.len()];
                if reqs.is_empty() {
                    continue;
                }
                let r = &reqs[mix(h ^ k) as usize % reqs.len()];
                changes.push(Change::Link(ControlLink::manual(
                    &id,
                    (fw.clone(), r.clone()),
                    if (h >> 40).is_multiple_of(3) {
                        Coverage::Partial
                    } else {
                        Coverage::Full
                    },
                    OWNER,
                    today,
                )));
                links += 1;
            }
            for k in 0..EVIDENCE_PER_CONTROL {
                let days = i64::try_from(mix(h ^ (k as u64 + 7)) % 500).unwrap_or(0);
                changes.push(Change::AddEvidence(Evidence {
                    id: format!("EV-{}-{}", i + 1, k + 1),
                    title: format!("Record {} of control {}", k + 1, i + 1),
                    location: link(&format!("https://evidence.example/{id}/{}", k + 1))?,
                    collected: today.checked_sub(days.days()).unwrap_or(today),
                    valid_until: None,
                    controls: vec![id.clone()],
                }));
                evidence += 1;
            }
        }
        session.store().apply(&changes)?;
    }
    Ok(Scaled {
        controls: n,
        evidence,
        links,
        frameworks: scope.len(),
    })
}
