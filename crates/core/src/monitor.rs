//! Continuous monitoring: results of checks — from scanners (Prowler, Trivy, InSpec …) or
//! our own — each a check on one resource with a status, a time, a severity and the tool
//! that produced it, plus the framework requirements the tool says the check serves.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What a check found on a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    /// The check could not run.
    Error,
    /// A person must look (the tool cannot decide).
    Manual,
    /// Suppressed in the tool.
    Muted,
    NotApplicable,
}

impl Status {
    pub const ALL: [Self; 6] = [
        Self::Pass,
        Self::Fail,
        Self::Error,
        Self::Manual,
        Self::Muted,
        Self::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Error => "error",
            Self::Manual => "manual",
            Self::Muted => "muted",
            Self::NotApplicable => "not-applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One check on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The tool's check or rule id.
    pub check: String,
    #[serde(default)]
    pub title: String,
    /// What was checked (an ARN, a file and line, a host), as the tool names it.
    pub resource: String,
    pub status: Status,
    /// When the tool observed it, when it says.
    #[serde(default)]
    pub observed: Option<Timestamp>,
    #[serde(default)]
    pub severity: Option<String>,
    /// Requirements the tool states the check serves: framework name as the tool writes
    /// it, and requirement ids.
    #[serde(default)]
    pub requirements: BTreeMap<String, Vec<String>>,
    /// What the tool says of this result (why it failed).
    #[serde(default)]
    pub message: Option<String>,
}

/// The results of one tool run, as read from its output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// `ocsf`, `sarif`, `hdf`, `oscal-ar`, `prowler-csv` …
    pub format: String,
    pub tool: String,
    #[serde(default)]
    pub tool_version: Option<String>,
    pub results: Vec<CheckResult>,
}

/// Results counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByStatus {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub manual: usize,
    pub muted: usize,
    pub not_applicable: usize,
}

impl ByStatus {
    pub fn count<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Self {
        let mut s = Self::default();
        for r in results {
            s.add(r.status);
        }
        s
    }

    /// Counts one more result.
    pub fn add(&mut self, status: Status) {
        *match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Error => &mut self.error,
            Status::Manual => &mut self.manual,
            Status::Muted => &mut self.muted,
            Status::NotApplicable => &mut self.not_applicable,
        } += 1;
    }
}

/// A check's standing on one resource: its latest status, and the one before when the
/// resource was checked before (a change between them is drift).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckState {
    pub check: String,
    pub resource: String,
    pub status: Status,
    #[serde(default)]
    pub previous: Option<Status>,
    /// When the latest result was observed (else imported).
    pub at: Timestamp,
}

impl CheckState {
    pub fn failing(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Error)
    }

    pub fn drifted(&self) -> bool {
        self.previous.is_some_and(|p| p != self.status)
    }
}

/// A failing check accepted for a while on one resource (or `*`, every resource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckException {
    pub check: String,
    pub resource: String,
    pub justification: String,
    pub approved_by: String,
    pub until: jiff::civil::Date,
    pub recorded_on: jiff::civil::Date,
}

impl CheckException {
    /// Whether it covers a check's state on `today`.
    pub fn covers(&self, s: &CheckState, today: jiff::civil::Date) -> bool {
        self.check == s.check
            && (self.resource == "*" || self.resource == s.resource)
            && today <= self.until
    }
}

/// The scanner checks mapped to the program's controls, and their states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitoring {
    /// (check, control) pairs.
    #[serde(default)]
    pub mapped: Vec<(String, String)>,
    /// The latest state of every mapped check on every resource it ran on.
    #[serde(default)]
    pub states: Vec<CheckState>,
    #[serde(default)]
    pub exceptions: Vec<CheckException>,
    /// Snapshots of exported system data that our own checks run over, oldest first.
    #[serde(default)]
    pub snapshots: Vec<DataSnapshot>,
}

/// A status change of a check on a resource between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub check: String,
    pub resource: String,
    pub from: Status,
    pub to: Status,
}

/// An immutable snapshot of exported system data (an AWS credential report, Okta users,
/// Kubernetes RBAC objects …): one JSON document, or NDJSON read as an array of lines,
/// kept as a stored file by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSnapshot {
    /// The dataset it is a snapshot of (`aws-iam-credential-report` …).
    pub dataset: String,
    pub sha256: String,
    /// Where it came from (a file name, a command, a system).
    pub source: String,
    /// When the data was collected from the system.
    pub collected_at: Timestamp,
    /// When it was added to the program.
    pub added_at: Timestamp,
    /// Top-level items (array elements or NDJSON lines; 1 for a single object).
    pub items: u64,
}

impl Monitoring {
    /// The latest snapshot of each dataset: the one added last.
    pub fn latest_snapshots(&self) -> BTreeMap<&str, &DataSnapshot> {
        self.snapshots
            .iter()
            .map(|s| (s.dataset.as_str(), s))
            .collect()
    }
}

impl Monitoring {
    /// The exception in force on `today` that covers a state, if any.
    pub fn exception(&self, s: &CheckState, today: jiff::civil::Date) -> Option<&CheckException> {
        self.exceptions.iter().find(|e| e.covers(s, today))
    }

    /// The mapped checks failing on some resource on `today` (failures under an exception
    /// in force left out), per control.
    pub fn failing_by_control(&self, today: jiff::civil::Date) -> BTreeMap<&str, Vec<&str>> {
        let failing: std::collections::HashSet<&str> = self
            .states
            .iter()
            .filter(|s| s.failing() && self.exception(s, today).is_none())
            .map(|s| s.check.as_str())
            .collect();
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (check, control) in &self.mapped {
            if failing.contains(check.as_str()) {
                out.entry(control.as_str())
                    .or_default()
                    .push(check.as_str());
            }
        }
        out
    }
}
