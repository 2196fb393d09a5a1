//! Management-system operations (ISO/IEC 27001 and the other management-system standards,
//! clauses 9.2, 9.3 and 10.2): internal audits with graded findings, nonconformities with
//! root cause, corrective actions and an effectiveness check, and management reviews with
//! the clause 9.3 inputs and decisions. Each cites requirements (`FW:REQ`) and controls;
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

/// The records of a program's management system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Records {
    #[serde(default)]
    pub audits: Vec<InternalAudit>,
    #[serde(default)]
    pub nonconformities: Vec<Nonconformity>,
    #[serde(default)]
    pub reviews: Vec<ManagementReview>,
}

/// One record, as stored and changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Record {
    Audit(InternalAudit),
    Nonconformity(Nonconformity),
    Review(ManagementReview),
}

impl Record {
    /// `audit`, `nonconformity` or `review`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Audit(_) => "audit",
            Self::Nonconformity(_) => "nonconformity",
            Self::Review(_) => "review",
        }
    }

    /// The prefix of generated ids: `IA`, `NC`, `MR`.
    pub fn prefix(&self) -> &'static str {
        match self {
            Self::Audit(_) => "IA",
            Self::Nonconformity(_) => "NC",
            Self::Review(_) => "MR",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Audit(a) => &a.id,
            Self::Nonconformity(n) => &n.id,
            Self::Review(r) => &r.id,
        }
    }

    pub fn set_id(&mut self, id: String) {
        match self {
            Self::Audit(a) => a.id = id,
            Self::Nonconformity(n) => n.id = id,
            Self::Review(r) => r.id = id,
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
