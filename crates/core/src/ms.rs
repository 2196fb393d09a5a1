//! Management-system operations (ISO/IEC 27001 and the other management-system standards,
//! clauses 9.2, 9.3 and 10.2): internal audits with graded findings, nonconformities with
//! root cause, corrective actions and an effectiveness check, and management reviews with
//! the clause 9.3 inputs and decisions; impact assessments (ISO/IEC 42001 AI system impact,
//! GDPR DPIA) against templates, and the records of processing (GDPR Article 30). Each cites requirements (`FW:REQ`) and controls;
//! an open nonconformity caps the result of the requirements it cites.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::program::{Grade, Outcome};
use crate::risk::Action;

/// A finding of an internal audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub grade: Grade,
    pub description: String,
    /// Requirements it concerns, `FW:REQ` (edition ids).
    #[serde(default)]
    pub requirements: Vec<String>,
    #[serde(default)]
    pub controls: Vec<String>,
    /// The nonconformity raised from it, when graded as one.
    #[serde(default)]
    pub nonconformity: Option<String>,
}

/// An internal audit (clause 9.2): what it covers, against what, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalAudit {
    pub id: String,
    pub title: String,
    pub scope: String,
    /// What it audits against (standards, policies).
    pub criteria: String,
    pub auditor: String,
    pub planned: Date,
    #[serde(default)]
    pub performed: Option<Date>,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

/// A nonconformity and its correction (clause 10.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nonconformity {
    pub id: String,
    pub title: String,
    /// A major nonconformity blocks certification until corrected; a minor one needs a
    /// corrective-action plan.
    pub grade: Grade,
    /// Where it was found: an audit id, an incident, a review.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub requirements: Vec<String>,
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due: Option<Date>,
    #[serde(default)]
    pub actions: Vec<Action>,
    pub raised: Date,
    /// The check that the correction worked, once made.
    #[serde(default)]
    pub effectiveness: Option<EffectivenessCheck>,
}

/// Whether a correction worked, checked by someone on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectivenessCheck {
    pub by: String,
    pub on: Date,
    pub effective: bool,
    #[serde(default)]
    pub note: String,
}

impl Nonconformity {
    /// Closed once a check found the correction effective.
    pub fn is_open(&self) -> bool {
        !self.effectiveness.as_ref().is_some_and(|c| c.effective)
    }

    /// The best result a requirement it cites may have while it is open.
    pub fn cap(&self) -> Option<Outcome> {
        if !self.is_open() {
            return None;
        }
        match self.grade {
            Grade::MajorNonconformity => Some(Outcome::NonCompliant),
            Grade::MinorNonconformity => Some(Outcome::PartiallyCompliant),
            Grade::Observation | Grade::OpportunityForImprovement => None,
        }
    }
}

/// The inputs clause 9.3.2 asks a management review to consider.
pub const REVIEW_INPUTS: [(&str, &str); 8] = [
    (
        "previous-actions",
        "Status of actions from previous management reviews",
    ),
    (
        "context-changes",
        "Changes in external and internal issues relevant to the management system",
    ),
    (
        "interested-parties",
        "Changes in the needs and expectations of interested parties",
    ),
    (
        "performance",
        "Feedback on performance: nonconformities and corrective actions, monitoring and measurement results, audit results, fulfilment of objectives",
    ),
    ("feedback", "Feedback from interested parties"),
    (
        "risk-assessment",
        "Results of risk assessment and status of the risk treatment plan",
    ),
    ("improvement", "Opportunities for continual improvement"),
    ("resources", "Adequacy of resources"),
];

/// A management review (clause 9.3): when, who, what it considered and decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementReview {
    pub id: String,
    pub held_on: Date,
    #[serde(default)]
    pub attendees: Vec<String>,
    /// Input key (see [`REVIEW_INPUTS`]) and what was said about it.
    #[serde(default)]
    pub inputs: Vec<(String, String)>,
    #[serde(default)]
    pub decisions: Vec<String>,
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl ManagementReview {
    /// The clause 9.3.2 inputs the review did not record.
    pub fn missing_inputs(&self) -> Vec<&'static str> {
        REVIEW_INPUTS
            .iter()
            .filter(|(k, _)| !self.inputs.iter().any(|(i, _)| i == k))
            .map(|(k, _)| *k)
            .collect()
    }
}

/// Which impact assessment a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImpactKind {
    /// ISO/IEC 42001 6.1.4: an AI system's impact on individuals, groups and society.
    AiSystem,
    /// GDPR Article 35 (and ISO/IEC 27701): a data protection impact assessment of one
    /// processing activity.
    Dpia,
}

impl ImpactKind {
    pub const ALL: [Self; 2] = [Self::AiSystem, Self::Dpia];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AiSystem => "ai-system",
            Self::Dpia => "dpia",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The template's questions: key and what the answer covers, in our own words.
    pub fn questions(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::AiSystem => &AI_QUESTIONS,
            Self::Dpia => &DPIA_QUESTIONS,
        }
    }
}

/// The AI system impact assessment template (ISO/IEC 42001 6.1.4 and its Annex B
/// guidance on impact assessment topics).
pub const AI_QUESTIONS: [(&str, &str); 10] = [
    (
        "purpose",
        "What the system is for, its intended use and its users",
    ),
    (
        "affected",
        "Who it affects: individuals, groups and society, including the vulnerable",
    ),
    (
        "misuse",
        "Reasonably foreseeable misuse and use outside the intended purpose",
    ),
    (
        "individuals",
        "Impacts on individuals: rights, safety, fair treatment, livelihood",
    ),
    (
        "society",
        "Impacts on groups and society, including the environment",
    ),
    (
        "data",
        "Data used to build and run it: origin, quality, representativeness, bias",
    ),
    (
        "transparency",
        "What people are told, and how its outputs are explained",
    ),
    (
        "oversight",
        "Human oversight: who can intervene, override or stop it",
    ),
    (
        "performance",
        "Accuracy, robustness and failure modes, and how they are monitored",
    ),
    (
        "severity",
        "How severe and how reversible the worst credible impacts are",
    ),
];

/// The DPIA template (GDPR Article 35(7), with the DPO's advice of 35(2), the data
/// subjects' views of 35(9) and the prior consultation of Article 36).
pub const DPIA_QUESTIONS: [(&str, &str); 8] = [
    (
        "description",
        "A systematic description of the processing and its purposes, including any legitimate interest pursued",
    ),
    (
        "necessity",
        "Why the processing is necessary and proportionate to its purposes",
    ),
    (
        "risks",
        "The risks to the rights and freedoms of the people whose data is processed",
    ),
    (
        "measures",
        "The measures that address those risks: safeguards, security, mechanisms",
    ),
    ("dpo-advice", "The data protection officer's advice"),
    (
        "views",
        "The views of the people concerned or their representatives, where sought",
    ),
    ("residual", "The residual risk after the measures"),
    (
        "prior-consultation",
        "Whether the supervisory authority must be consulted first (high residual risk)",
    ),
];

/// What an impact assessment found, tied to the risks that carry it in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactFinding {
    pub description: String,
    #[serde(default)]
    pub risks: Vec<String>,
}

/// An AI system impact assessment or a DPIA, answered against its template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactAssessment {
    pub id: String,
    pub kind: ImpactKind,
    /// The AI system or the processing activity (a `ROPA-<n>` id or a name).
    pub subject: String,
    #[serde(default)]
    pub owner: String,
    pub performed: Date,
    /// Template key and the answer.
    #[serde(default)]
    pub answers: Vec<(String, String)>,
    #[serde(default)]
    pub findings: Vec<ImpactFinding>,
    #[serde(default)]
    pub conclusion: String,
    #[serde(default)]
    pub approved_by: String,
    #[serde(default)]
    pub review: Option<Date>,
}

impl ImpactAssessment {
    /// Template questions left unanswered.
    pub fn unanswered(&self) -> Vec<&'static str> {
        self.kind
            .questions()
            .iter()
            .filter(|(k, _)| {
                !self
                    .answers
                    .iter()
                    .any(|(a, v)| a == k && !v.trim().is_empty())
            })
            .map(|(k, _)| *k)
            .collect()
    }
}

/// One processing activity in the records of processing (GDPR Article 30(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processing {
    pub id: String,
    pub name: String,
    /// Controller (and representative, DPO) contact details.
    #[serde(default)]
    pub controller: String,
    pub purposes: String,
    /// Categories of people whose data is processed.
    #[serde(default)]
    pub data_subjects: String,
    /// Categories of personal data.
    #[serde(default)]
    pub personal_data: String,
    #[serde(default)]
    pub recipients: String,
    /// Transfers to third countries or international organisations, with safeguards.
    #[serde(default)]
    pub transfers: String,
    /// Time limits for erasure.
    #[serde(default)]
    pub retention: String,
    /// A general description of the security measures.
    #[serde(default)]
    pub security: String,
    #[serde(default)]
    pub lawful_basis: String,
}

impl Processing {
    /// The Article 30(1) entries left empty.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("controller", &self.controller),
            ("data-subjects", &self.data_subjects),
            ("personal-data", &self.personal_data),
            ("recipients", &self.recipients),
            ("transfers", &self.transfers),
            ("retention", &self.retention),
            ("security", &self.security),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
        .collect()
    }
}

/// The records of a program's management system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Records {
    #[serde(default)]
    pub audits: Vec<InternalAudit>,
    #[serde(default)]
    pub nonconformities: Vec<Nonconformity>,
    #[serde(default)]
    pub reviews: Vec<ManagementReview>,
    #[serde(default)]
    pub impact_assessments: Vec<ImpactAssessment>,
    #[serde(default)]
    pub processing: Vec<Processing>,
}

/// One record, as stored and changed (tagged `record`: a record's own fields may be
/// called `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub enum Record {
    Audit(InternalAudit),
    Nonconformity(Nonconformity),
    Review(ManagementReview),
    Impact(ImpactAssessment),
    Processing(Processing),
}

impl Record {
    /// `audit`, `nonconformity` or `review`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Audit(_) => "audit",
            Self::Nonconformity(_) => "nonconformity",
            Self::Review(_) => "review",
            Self::Impact(_) => "impact",
            Self::Processing(_) => "processing",
        }
    }

    /// The prefix of generated ids: `IA`, `NC`, `MR`.
    pub fn prefix(&self) -> &'static str {
        match self {
            Self::Audit(_) => "IA",
            Self::Nonconformity(_) => "NC",
            Self::Review(_) => "MR",
            Self::Impact(_) => "IMP",
            Self::Processing(_) => "ROPA",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Audit(a) => &a.id,
            Self::Nonconformity(n) => &n.id,
            Self::Review(r) => &r.id,
            Self::Impact(i) => &i.id,
            Self::Processing(p) => &p.id,
        }
    }

    pub fn set_id(&mut self, id: String) {
        match self {
            Self::Audit(a) => a.id = id,
            Self::Nonconformity(n) => n.id = id,
            Self::Review(r) => r.id = id,
            Self::Impact(i) => i.id = id,
            Self::Processing(p) => p.id = id,
        }
    }
}

impl Records {
    /// Adds or replaces a record by kind and id, keeping the order records were added.
    pub fn put(&mut self, record: Record) {
        fn upsert<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) {
            match list.iter().position(same) {
                Some(i) => list[i] = item,
                None => list.push(item),
            }
        }
        match record {
            Record::Audit(a) => {
                let id = a.id.clone();
                upsert(&mut self.audits, a, |x| x.id == id);
            }
            Record::Nonconformity(n) => {
                let id = n.id.clone();
                upsert(&mut self.nonconformities, n, |x| x.id == id);
            }
            Record::Review(r) => {
                let id = r.id.clone();
                upsert(&mut self.reviews, r, |x| x.id == id);
            }
            Record::Impact(i) => {
                let id = i.id.clone();
                upsert(&mut self.impact_assessments, i, |x| x.id == id);
            }
            Record::Processing(p) => {
                let id = p.id.clone();
                upsert(&mut self.processing, p, |x| x.id == id);
            }
        }
    }

    /// The cap open nonconformities put on a requirement's result (`FW:REQ`): the worst
    /// of them, none when nothing open cites it.
    pub fn cap(&self, requirement: &str) -> Option<Outcome> {
        self.nonconformities
            .iter()
            .filter(|n| n.requirements.iter().any(|r| r == requirement))
            .filter_map(Nonconformity::cap)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn every_kind_of_record_round_trips_through_json() {
        let records = [
            Record::Audit(InternalAudit {
                id: "IA-1".into(),
                title: "Audit".into(),
                scope: String::new(),
                criteria: String::new(),
                auditor: String::new(),
                planned: date(2026, 1, 1),
                performed: None,
                findings: vec![],
            }),
            Record::Nonconformity(Nonconformity {
                id: "NC-1".into(),
                title: "NC".into(),
                grade: Grade::MajorNonconformity,
                source: String::new(),
                requirements: vec!["iso27001-2022:9.2.2".into()],
                controls: vec![],
                root_cause: String::new(),
                owner: String::new(),
                due: None,
                actions: vec![],
                raised: date(2026, 1, 1),
                effectiveness: None,
            }),
            Record::Review(ManagementReview {
                id: "MR-1".into(),
                held_on: date(2026, 1, 1),
                attendees: vec![],
                inputs: vec![],
                decisions: vec![],
                actions: vec![],
            }),
            Record::Impact(ImpactAssessment {
                id: "IMP-1".into(),
                kind: ImpactKind::Dpia,
                subject: "ROPA-1".into(),
                owner: String::new(),
                performed: date(2026, 1, 1),
                answers: vec![("risks".into(), "Profiling".into())],
                findings: vec![],
                conclusion: String::new(),
                approved_by: String::new(),
                review: None,
            }),
            Record::Processing(Processing {
                id: "ROPA-1".into(),
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
            }),
        ];
        for r in records {
            let text = serde_json::to_string(&r).unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["record"], r.kind(), "{text}");
            let back: Record = serde_json::from_str(&text).unwrap();
            assert_eq!(back, r);
        }
    }

    #[test]
    fn an_open_nonconformity_caps_what_it_cites() {
        let mut records = Records::default();
        let nc = |id: &str, grade| Nonconformity {
            id: id.into(),
            title: "x".into(),
            grade,
            source: String::new(),
            requirements: vec!["fw:1".into()],
            controls: vec![],
            root_cause: "cause".into(),
            owner: String::new(),
            due: None,
            actions: vec![],
            raised: date(2026, 1, 1),
            effectiveness: None,
        };
        records.put(Record::Nonconformity(nc("NC-1", Grade::MinorNonconformity)));
        assert_eq!(records.cap("fw:1"), Some(Outcome::PartiallyCompliant));
        records.put(Record::Nonconformity(nc("NC-2", Grade::MajorNonconformity)));
        assert_eq!(records.cap("fw:1"), Some(Outcome::NonCompliant));
        assert_eq!(records.cap("fw:2"), None);
        let mut closed = nc("NC-2", Grade::MajorNonconformity);
        closed.effectiveness = Some(EffectivenessCheck {
            by: "QA".into(),
            on: date(2026, 2, 1),
            effective: true,
            note: String::new(),
        });
        records.put(Record::Nonconformity(closed));
        assert_eq!(records.nonconformities.len(), 2, "replaced in place");
        assert_eq!(records.cap("fw:1"), Some(Outcome::PartiallyCompliant));
    }
}
