//! The compliance program: one set of the company's own controls and evidence, mapped to
//! every framework in scope, and what follows from it — each requirement's derived
//! result, readiness per framework and per domain, ranked gaps, and the control links a
//! new framework inherits through the crosswalk.
//!
//! Everything here is computed from a [`Program`] snapshot and a date passed in; nothing
//! reads a clock or a database.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::crosswalk::{Graph, Node, Reach};
use crate::evidence::Location;
use crate::framework::Framework;
use crate::ids::{FrameworkId, RequirementId};
use crate::library::Library;
use crate::mapping::{Coverage, ProvenanceKind, Relationship};

/// The organisation and what its program covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramInfo {
    pub organization: String,
    /// The ISMS scope statement / SOC 2 system description, in the company's words.
    pub scope: String,
    /// Systems and products in scope.
    pub systems: Vec<String>,
}

/// What the company is aiming for with one framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Target {
    /// A SOC 2 report: Type 1 (point in time) or Type 2 (over an observation window),
    /// with the Trust Services Categories in scope besides Security.
    Soc2 {
        report_type: u8,
        categories: Vec<String>,
        window_months: Option<u8>,
    },
    /// Accredited certification of a management system (ISO).
    Certification,
    /// Compliance with a law or regulation, or alignment with a voluntary framework.
    Compliance,
}

/// A framework in the program's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InScope {
    pub framework: FrameworkId,
    pub target: Target,
    /// When the audit or deadline is due.
    pub target_date: Option<Date>,
}

/// How far a control has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    NotStarted,
    InProgress,
    Implemented,
    /// Implemented and running long enough to show it works (what a Type 2 tests).
    Operating,
}

impl ControlStatus {
    pub const ALL: [Self; 4] = [
        Self::NotStarted,
        Self::InProgress,
        Self::Implemented,
        Self::Operating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not-started",
            Self::InProgress => "in-progress",
            Self::Implemented => "implemented",
            Self::Operating => "operating",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn in_place(self) -> bool {
        matches!(self, Self::Implemented | Self::Operating)
    }
}

/// One of the company's own controls, implemented once for every framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub status: ControlStatus,
    /// How often it operates or is reviewed (e.g. "continuous", "quarterly").
    pub frequency: String,
}

impl Control {
    /// A tag that changes whenever any field of the control does (HTTP `ETag`): the
    /// SHA-256 of its fields, each preceded by its length, first 16 bytes in hex.
    pub fn etag(&self) -> String {
        let mut bytes = Vec::new();
        for f in [
            self.id.as_str(),
            &self.title,
            &self.description,
            &self.owner,
            self.status.as_str(),
            &self.frequency,
        ] {
            bytes.extend_from_slice(&(f.len() as u64).to_le_bytes());
            bytes.extend_from_slice(f.as_bytes());
        }
        crate::evidence::Sha256::of(&bytes).to_string()[..32].to_owned()
    }
}

/// How a control came to be linked to a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LinkOrigin {
    /// Someone linked it.
    Manual,
    /// Proposed through the crosswalk from a requirement the control already serves.
    Crosswalk {
        from: String,
        relationship: Relationship,
        provenance: ProvenanceKind,
        /// The requirements the mapping passes through, `FW:REQ` each, from the served
        /// requirement to this one (two for a direct mapping, more for an inferred one).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        path: Vec<String>,
    },
}

impl LinkOrigin {
    /// `manual`, `official`, `curated`, `tool` or `inferred`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Crosswalk { provenance, .. } => provenance.as_str(),
        }
    }

    /// Whether the link comes from a mapping stated by the standard's owner or curated by
    /// this project: what a person may accept in one step.
    pub fn is_direct(&self) -> bool {
        matches!(
            self,
            Self::Crosswalk {
                provenance: ProvenanceKind::Official | ProvenanceKind::Curated,
                ..
            }
        )
    }
}

/// Where a link stands in review. Only accepted links count towards results, the
/// Statement of Applicability and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkState {
    /// Made by the crosswalk, waiting for a person.
    Proposed,
    /// Made or confirmed by a person.
    Accepted,
    /// Turned down by a person; kept so the crosswalk does not propose it again.
    Rejected,
}

impl LinkState {
    pub const ALL: [Self; 3] = [Self::Proposed, Self::Accepted, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A control serving a requirement, fully or in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlLink {
    /// The store's number for the link (shown as `L-<n>`); `None` until stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    pub control: String,
    pub framework: FrameworkId,
    pub requirement: RequirementId,
    pub coverage: Coverage,
    pub origin: LinkOrigin,
    pub state: LinkState,
    /// Who made, accepted or rejected the link, and when (none while proposed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<Date>,
}

impl ControlLink {
    /// A link `by` made on `on`: accepted as it is made.
    pub fn manual(
        control: &str,
        (framework, requirement): (FrameworkId, RequirementId),
        coverage: Coverage,
        by: &str,
        on: Date,
    ) -> Self {
        Self {
            id: None,
            control: control.to_owned(),
            framework,
            requirement,
            coverage,
            origin: LinkOrigin::Manual,
            state: LinkState::Accepted,
            reviewer: Some(by.to_owned()),
            reviewed_on: Some(on),
        }
    }

    /// Whether the link counts towards results.
    pub fn counts(&self) -> bool {
        self.state == LinkState::Accepted
    }

    /// `L-<n>`, or empty before the link is stored.
    pub fn label(&self) -> String {
        self.id.map(|n| format!("L-{n}")).unwrap_or_default()
    }
}

/// The number in a link label `L-<n>` (or a bare number).
pub fn parse_link_id(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits = s
        .strip_prefix("L-")
        .or_else(|| s.strip_prefix("l-"))
        .unwrap_or(s);
    digits.parse().ok().filter(|n| *n > 0)
}

/// Proof that a control operates: a stored file (by SHA-256) or a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: String,
    pub title: String,
    /// A stored file (by SHA-256) or an http(s) link.
    pub location: Location,
    pub collected: Date,
    /// After this date the evidence no longer counts.
    pub valid_until: Option<Date>,
    pub controls: Vec<String>,
}

/// The result an assessor records, or one derived from controls and evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    NotAssessed,
    NonCompliant,
    PartiallyCompliant,
    Compliant,
    NotApplicable,
}

impl Outcome {
    pub const ALL: [Self; 5] = [
        Self::NotAssessed,
        Self::NonCompliant,
        Self::PartiallyCompliant,
        Self::Compliant,
        Self::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotAssessed => "not-assessed",
            Self::NonCompliant => "non-compliant",
            Self::PartiallyCompliant => "partially-compliant",
            Self::Compliant => "compliant",
            Self::NotApplicable => "not-applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// An assessor's record for one requirement (the Statement of Applicability line and
/// the assessment result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub framework: FrameworkId,
    pub requirement: RequirementId,
    pub applicable: bool,
    pub justification: String,
    /// A result that overrides the derived one, with the reason; both are kept.
    pub result: Option<Outcome>,
    pub reason: String,
    /// Maturity on the program's scale (default 0–5).
    pub maturity: Option<u8>,
    pub assessor: String,
    pub assessed_on: Date,
    /// An auditor's grading of a finding (ISO certification audits).
    #[serde(default)]
    pub grade: Option<Grade>,
    /// The reviewer who signed the assessment off, and when.
    #[serde(default)]
    pub reviewer: Option<String>,
    #[serde(default)]
    pub reviewed_on: Option<Date>,
    /// Why an applicable control is included (ISO/IEC 27001 6.1.3 d); `justification`
    /// says more in the company's words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub included_for: Vec<Inclusion>,
    /// When a control not yet (fully) implemented is planned to be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<Date>,
}

/// Why a control is in the Statement of Applicability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Inclusion {
    /// It treats a risk the risk assessment found.
    RiskTreatment,
    /// A law or regulation requires it.
    Legal,
    /// A contract or customer commitment requires it.
    Contractual,
    /// The business requires it or chose it as good practice.
    Business,
}

impl Inclusion {
    pub const ALL: [Self; 4] = [
        Self::RiskTreatment,
        Self::Legal,
        Self::Contractual,
        Self::Business,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RiskTreatment => "risk-treatment",
            Self::Legal => "legal",
            Self::Contractual => "contractual",
            Self::Business => "business",
        }
    }

    /// As a Statement of Applicability prints it.
    pub fn label(self) -> &'static str {
        match self {
            Self::RiskTreatment => "Risk treatment",
            Self::Legal => "Legal or regulatory",
            Self::Contractual => "Contractual",
            Self::Business => "Business requirement",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Where a control stands, as a Statement of Applicability says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implementation {
    Implemented,
    /// In part, with the date the rest is planned for, when known.
    Partially(Option<Date>),
    /// Not yet, with the date it is planned for.
    Planned(Date),
    NotImplemented,
    NotApplicable,
}

impl Implementation {
    /// From a requirement's result (derived or recorded) and the planned date.
    pub fn of(result: Outcome, planned: Option<Date>) -> Self {
        match (result, planned) {
            (Outcome::Compliant, _) => Self::Implemented,
            (Outcome::PartiallyCompliant, p) => Self::Partially(p),
            (Outcome::NotApplicable, _) => Self::NotApplicable,
            (Outcome::NonCompliant | Outcome::NotAssessed, Some(d)) => Self::Planned(d),
            (Outcome::NonCompliant | Outcome::NotAssessed, None) => Self::NotImplemented,
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::Implemented => "Implemented".into(),
            Self::Partially(None) => "Partially implemented".into(),
            Self::Partially(Some(d)) => format!("Partially implemented; complete by {d}"),
            Self::Planned(d) => format!("Planned for {d}"),
            Self::NotImplemented => "Not implemented".into(),
            Self::NotApplicable => "Not applicable".into(),
        }
    }
}

/// How a certification auditor grades a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grade {
    /// A requirement not met at all, or a systemic failure: blocks certification until
    /// corrected.
    MajorNonconformity,
    /// A single lapse: needs a corrective-action plan.
    MinorNonconformity,
    /// Not a nonconformity yet, but could become one.
    Observation,
    /// Something that could be done better.
    OpportunityForImprovement,
}

impl Grade {
    pub const ALL: [Self; 4] = [
        Self::MajorNonconformity,
        Self::MinorNonconformity,
        Self::Observation,
        Self::OpportunityForImprovement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MajorNonconformity => "major-nonconformity",
            Self::MinorNonconformity => "minor-nonconformity",
            Self::Observation => "observation",
            Self::OpportunityForImprovement => "opportunity-for-improvement",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One level of a maturity scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaturityLevel {
    pub level: u8,
    pub name: String,
    pub description: String,
}

/// The default scale: six levels, 0–5, in the manner of CMMI.
pub fn default_maturity_scale() -> Vec<MaturityLevel> {
    [
        (
            0,
            "Non-existent",
            "Nothing is in place; the need is not recognised.",
        ),
        (
            1,
            "Initial",
            "Done ad hoc by individuals, undocumented; results depend on who does it.",
        ),
        (
            2,
            "Repeatable",
            "Done the same way each time by the team that owns it, partly documented.",
        ),
        (
            3,
            "Defined",
            "Documented, approved and followed across the organisation, with owners and training.",
        ),
        (
            4,
            "Managed",
            "Measured: performance is monitored against targets and deviations are acted on.",
        ),
        (
            5,
            "Optimised",
            "Improved continuously from measurements, incidents and lessons learned.",
        ),
    ]
    .into_iter()
    .map(|(level, name, description)| MaturityLevel {
        level,
        name: name.into(),
        description: description.into(),
    })
    .collect()
}

/// Checks a maturity scale: levels consecutive from 0, each named.
///
/// # Errors
/// What is wrong with the scale.
pub fn check_maturity_scale(scale: &[MaturityLevel]) -> Result<(), String> {
    if scale.len() < 2 {
        return Err("a maturity scale needs at least two levels".into());
    }
    for (i, l) in scale.iter().enumerate() {
        if usize::from(l.level) != i {
            return Err(format!(
                "levels must run 0, 1, 2 … in order; found {} at position {}",
                l.level,
                i + 1
            ));
        }
        if l.name.trim().is_empty() {
            return Err(format!("level {} has no name", l.level));
        }
    }
    Ok(())
}

/// A policy document: versioned, approved, reviewed on a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub title: String,
    pub version: String,
    pub owner: String,
    pub approved_by: String,
    pub approved_on: Option<Date>,
    pub next_review: Option<Date>,
    /// Where the document lives (a URL or `sha256:` of a stored file).
    pub location: String,
}

impl Policy {
    /// Whether the policy is past its review date (or was never approved) on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.approved_on.is_none() || self.next_review.is_some_and(|d| d < today)
    }
}

/// Readiness of every framework in scope as it stood on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub taken_on: Date,
    pub status: Vec<FrameworkStatus>,
}

/// Everything a program holds, as loaded from a store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub info: Option<ProgramInfo>,
    pub frameworks: Vec<InScope>,
    pub controls: Vec<Control>,
    pub links: Vec<ControlLink>,
    pub evidence: Vec<Evidence>,
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// Dated readiness snapshots, oldest first.
    #[serde(default)]
    pub snapshots: Vec<Snapshot>,
    /// The maturity scale assessments use (empty: the default scale).
    #[serde(default)]
    pub maturity_scale: Vec<MaturityLevel>,
    /// The risk register, in the order risks were added.
    #[serde(default)]
    pub risks: Vec<crate::risk::Risk>,
    /// The risk matrix (none: [`crate::risk::default_matrix`]).
    #[serde(default)]
    pub risk_matrix: Option<crate::risk::RiskMatrix>,
    /// Internal audits, nonconformities and management reviews.
    #[serde(default)]
    pub records: crate::ms::Records,
    /// Scanner checks mapped to controls, with their latest states.
    #[serde(default)]
    pub monitoring: crate::monitor::Monitoring,
    /// Assignments, comments, evidence requests and audit engagements.
    #[serde(default)]
    pub collab: crate::collab::Collaboration,
}

impl Program {
    /// The risk matrix in force.
    pub fn risk_matrix(&self) -> crate::risk::RiskMatrix {
        self.risk_matrix
            .clone()
            .unwrap_or_else(crate::risk::default_matrix)
    }

    /// Whether evidence is current for every control it proves, each by its cadence (the
    /// rule of [`Freshness::current`]). Builds the control index each call: for many
    /// items, build one [`Freshness`] and ask it.
    pub fn evidence_current(&self, e: &Evidence, today: Date) -> bool {
        Freshness::new(self, today).current(e)
    }

    /// The scale in force: the program's own, else [`default_maturity_scale`].
    pub fn maturity_scale(&self) -> Vec<MaturityLevel> {
        if self.maturity_scale.is_empty() {
            default_maturity_scale()
        } else {
            self.maturity_scale.clone()
        }
    }
}

/// Evidence without an expiry counts for this long after collection when its control's
/// cadence is unknown.
pub const EVIDENCE_DEFAULT_DAYS: i32 = 365;

/// How long evidence without an expiry stays current, from its control's stated
/// frequency: the cadence plus a margin for the next occurrence to be collected.
pub fn evidence_window_days(frequency: &str) -> i32 {
    let f = frequency.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| f.contains(w));
    if has(&["continuous", "real-time", "realtime", "automated"]) {
        90
    } else if has(&["daily", "weekly"]) {
        30
    } else if has(&["monthly"]) {
        45
    } else if has(&["quarter"]) {
        120
    } else if has(&[
        "semi-annual",
        "semiannual",
        "half-year",
        "half year",
        "six-month",
        "6-month",
        "biannual",
    ]) {
        200
    } else if has(&["year", "annual"]) {
        395
    } else {
        EVIDENCE_DEFAULT_DAYS
    }
}

/// The derivation rule, stated with every readiness figure.
pub const RESULT_RULE: &str = "Only accepted links count: links a person made, and crosswalk proposals a person accepted; proposed and rejected links never do. A requirement is compliant when a control linked to it with full coverage is implemented or operating and has current evidence; partially compliant when the best such link covers it only in part, or its control lacks current evidence; non-compliant when its linked controls are not yet in place; not assessed when no control is linked. Evidence is current until its valid-until date or, without one, for its control's cadence plus a margin (continuous 90 days, daily or weekly 30, monthly 45, quarterly 120, half-yearly 200, yearly 395, otherwise 365); a control whose mapped scanner checks fail on their latest run (outside an exception in force) has no current evidence until they pass. An open nonconformity caps the result of the requirements it cites: a major one at non-compliant, a minor one at partially compliant, until a check finds its correction effective. An assessor's recorded result overrides the derived one (both are kept), and not-applicable requirements are left out. Readiness = (compliant + ½ × partially compliant) ÷ applicable assessable requirements.";

/// One requirement's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementStatus {
    pub requirement: RequirementId,
    pub derived: Outcome,
    /// The result that counts: the assessor's when recorded, else the derived one.
    pub result: Outcome,
    pub controls: Vec<String>,
}

/// Counts for one framework (the `assess status --json` shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkStatus {
    pub framework: FrameworkId,
    pub total: usize,
    pub compliant: usize,
    pub partial: usize,
    pub non_compliant: usize,
    pub not_applicable: usize,
    pub not_assessed: usize,
    /// 0–1, by [`RESULT_RULE`].
    pub readiness: f64,
}

impl FrameworkStatus {
    fn count(framework: FrameworkId, results: impl Iterator<Item = Outcome>) -> Self {
        let mut s = Self {
            framework,
            total: 0,
            compliant: 0,
            partial: 0,
            non_compliant: 0,
            not_applicable: 0,
            not_assessed: 0,
            readiness: 0.0,
        };
        for r in results {
            s.total += 1;
            match r {
                Outcome::Compliant => s.compliant += 1,
                Outcome::PartiallyCompliant => s.partial += 1,
                Outcome::NonCompliant => s.non_compliant += 1,
                Outcome::NotApplicable => s.not_applicable += 1,
                Outcome::NotAssessed => s.not_assessed += 1,
            }
        }
        let applicable = s.total - s.not_applicable;
        if applicable > 0 {
            #[allow(clippy::cast_precision_loss)]
            let score = (s.compliant as f64 + 0.5 * s.partial as f64) / applicable as f64;
            s.readiness = (score * 1000.0).round() / 1000.0;
        }
        s
    }
}

/// Whether a piece of evidence counts on `today` when its control's cadence is unknown.
pub fn is_current(e: &Evidence, today: Date) -> bool {
    is_current_for(e, EVIDENCE_DEFAULT_DAYS, today)
}

/// Whether a piece of evidence counts on `today`: until its valid-until date when it has
/// one, else for `window_days` after collection; never before it was collected.
pub fn is_current_for(e: &Evidence, window_days: i32, today: Date) -> bool {
    match e.valid_until {
        Some(until) => e.collected <= today && today <= until,
        None => {
            e.collected <= today
                && e.collected
                    .checked_add(jiff::Span::new().days(window_days))
                    .is_ok_and(|until| today <= until)
        }
    }
}

/// The one evidence-freshness rule, indexed once for a program and a date: evidence is
/// current for a control until its valid-until date or, without one, for that control's
/// cadence window ([`evidence_window_days`]) after collection. An item is current when it
/// is current for every control it proves. Look-ups are O(1) per control; building the
/// index is linear in controls plus evidence links.
pub struct Freshness<'p> {
    windows: HashMap<&'p str, i32>,
    by_control: HashMap<&'p str, Vec<&'p Evidence>>,
    today: Date,
}

impl<'p> Freshness<'p> {
    pub fn new(program: &'p Program, today: Date) -> Self {
        let windows = program
            .controls
            .iter()
            .map(|c| (c.id.as_str(), evidence_window_days(&c.frequency)))
            .collect();
        let mut by_control: HashMap<&str, Vec<&Evidence>> = HashMap::new();
        for e in &program.evidence {
            for c in &e.controls {
                by_control.entry(c.as_str()).or_default().push(e);
            }
        }
        Self {
            windows,
            by_control,
            today,
        }
    }

    /// The date the rule is applied on.
    pub fn today(&self) -> Date {
        self.today
    }

    /// Whether `e` counts for `control` today.
    pub fn current_for(&self, e: &Evidence, control: &str) -> bool {
        let window = self
            .windows
            .get(control)
            .copied()
            .unwrap_or(EVIDENCE_DEFAULT_DAYS);
        is_current_for(e, window, self.today)
    }

    /// Whether `e` counts for every control it proves.
    pub fn current(&self, e: &Evidence) -> bool {
        if e.controls.is_empty() {
            return is_current(e, self.today);
        }
        e.controls.iter().all(|c| self.current_for(e, c))
    }

    /// The evidence recorded for a control, in program order.
    pub fn evidence_of(&self, control: &str) -> &[&'p Evidence] {
        self.by_control.get(control).map_or(&[], Vec::as_slice)
    }

    /// Whether a control has any evidence current for it today.
    pub fn has_current(&self, control: &str) -> bool {
        self.evidence_of(control)
            .iter()
            .any(|e| self.current_for(e, control))
    }
}

/// The program's results, indexed for the computations below.
pub struct Evaluation<'p> {
    program: &'p Program,
    /// Per framework in scope (library index), each assessable requirement's status.
    pub frameworks: Vec<(usize, Vec<RequirementStatus>)>,
}

impl<'p> Evaluation<'p> {
    /// Derives every requirement's result for the frameworks in scope on `today`.
    /// Frameworks not in the library are skipped (the store checks ids on the way in).
    pub fn new(program: &'p Program, lib: &Library, today: Date) -> Self {
        let controls: HashMap<&str, &Control> = program
            .controls
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        let fresh = Freshness::new(program, today);
        // A control whose mapped scanner checks fail counts as lacking current evidence:
        // its requirements are at best partially compliant until the checks pass.
        let failing = program.monitoring.failing_by_control(today);
        let current: HashSet<&str> = program
            .controls
            .iter()
            .map(|c| c.id.as_str())
            .filter(|c| fresh.has_current(c) && !failing.contains_key(c))
            .collect();
        let mut links: HashMap<(&str, &str), Vec<&ControlLink>> = HashMap::new();
        for l in program.links.iter().filter(|l| l.counts()) {
            links
                .entry((l.framework.as_str(), l.requirement.as_str()))
                .or_default()
                .push(l);
        }
        let assessed: HashMap<(&str, &str), &Assessment> = program
            .assessments
            .iter()
            .map(|a| ((a.framework.as_str(), a.requirement.as_str()), a))
            .collect();
        let mut frameworks = Vec::new();
        for scope in &program.frameworks {
            let Some(index) = lib.index_of(&scope.framework) else {
                continue;
            };
            let fw = &lib.frameworks()[index];
            let statuses = fw
                .requirements()
                .iter()
                .filter(|r| r.assessable && in_target(&scope.target, r.id.as_str()))
                .map(|r| {
                    let key = (fw.id().as_str(), r.id.as_str());
                    let mine = links.get(&key).map_or(&[][..], Vec::as_slice);
                    let mut derived = derive(mine, &controls, &current);
                    if !program.records.nonconformities.is_empty()
                        && let Some(cap) = program.records.cap(&format!("{}:{}", fw.id(), r.id))
                        && (derived == Outcome::NotAssessed || derived > cap)
                    {
                        derived = cap;
                    }
                    let a = assessed.get(&key);
                    let result = match a {
                        Some(a) if !a.applicable => Outcome::NotApplicable,
                        Some(Assessment {
                            result: Some(r), ..
                        }) => *r,
                        _ => derived,
                    };
                    RequirementStatus {
                        requirement: r.id.clone(),
                        derived,
                        result,
                        controls: mine.iter().map(|l| l.control.clone()).collect(),
                    }
                })
                .collect();
            frameworks.push((index, statuses));
        }
        Self {
            program,
            frameworks,
        }
    }

    /// Counts per framework in scope.
    pub fn status(&self, lib: &Library) -> Vec<FrameworkStatus> {
        self.frameworks
            .iter()
            .map(|(i, reqs)| {
                FrameworkStatus::count(
                    lib.frameworks()[*i].id().clone(),
                    reqs.iter().map(|r| r.result),
                )
            })
            .collect()
    }

    /// Counts per top-level domain (the requirement's root heading) of one framework.
    pub fn by_domain(&self, lib: &Library, framework: usize) -> Vec<(String, FrameworkStatus)> {
        let Some((_, reqs)) = self.frameworks.iter().find(|(i, _)| *i == framework) else {
            return Vec::new();
        };
        let fw = &lib.frameworks()[framework];
        let mut groups: BTreeMap<usize, (String, Vec<Outcome>)> = BTreeMap::new();
        for r in reqs {
            let (pos, title) = root_of(fw, &r.requirement);
            groups
                .entry(pos)
                .or_insert_with(|| (title, Vec::new()))
                .1
                .push(r.result);
        }
        groups
            .into_values()
            .map(|(title, results)| {
                (
                    title,
                    FrameworkStatus::count(fw.id().clone(), results.into_iter()),
                )
            })
            .collect()
    }

    /// How many requirements in scope are open: as many as [`Evaluation::gaps`] lists,
    /// without ranking them.
    pub fn open_count(&self) -> usize {
        self.frameworks
            .iter()
            .map(|(_, reqs)| reqs.iter().filter(|r| is_open(r.result)).count())
            .sum()
    }

    /// Open requirements ranked by how much fixing each one advances: the number of
    /// in-scope frameworks the fix counts for (the requirement's own plus those whose
    /// requirements it fully maps to), then non-compliant before partial, then document
    /// order.
    pub fn gaps(&self, lib: &Library, graph: &Graph) -> Vec<Gap> {
        let in_scope: HashSet<u32> = self
            .frameworks
            .iter()
            .filter_map(|(i, _)| u32::try_from(*i).ok())
            .collect();
        let open: HashMap<(usize, &str), Outcome> = self
            .frameworks
            .iter()
            .flat_map(|(i, reqs)| {
                reqs.iter()
                    .filter(|r| is_open(r.result))
                    .map(move |r| ((*i, r.requirement.as_str()), r.result))
            })
            .collect();
        let mut out = Vec::new();
        for (i, reqs) in &self.frameworks {
            let fw = &lib.frameworks()[*i];
            let positions: HashMap<&str, usize> = fw
                .requirements()
                .iter()
                .enumerate()
                .map(|(p, r)| (r.id.as_str(), p))
                .collect();
            for r in reqs.iter().filter(|r| is_open(r.result)) {
                let pos = positions.get(r.requirement.as_str()).copied().unwrap_or(0);
                let mut also: BTreeMap<String, Vec<String>> = BTreeMap::new();
                if let (Ok(f), Ok(p)) = (u32::try_from(*i), u32::try_from(pos)) {
                    let found = graph.reach(
                        Node {
                            framework: f,
                            requirement: p,
                        },
                        None,
                        Reach::default(),
                    );
                    for hit in found.iter().filter(|h| in_scope.contains(&h.to.framework)) {
                        let other = &lib.frameworks()[hit.to.framework as usize];
                        let req = &other.requirements()[hit.to.requirement as usize];
                        if open.contains_key(&(hit.to.framework as usize, req.id.as_str())) {
                            also.entry(other.id().to_string())
                                .or_default()
                                .push(req.id.to_string());
                        }
                    }
                }
                let (_, domain) = root_of(fw, &r.requirement);
                out.push(Gap {
                    framework: fw.id().clone(),
                    requirement: r.requirement.clone(),
                    title: fw.title_in_context(r.requirement.as_str()),
                    domain,
                    result: r.result,
                    frameworks_advanced: 1 + also.len(),
                    also_advances: also,
                    order: (*i, pos),
                });
            }
        }
        out.sort_by(|a, b| {
            b.frameworks_advanced
                .cmp(&a.frameworks_advanced)
                .then(severity(a.result).cmp(&severity(b.result)))
                .then(a.order.cmp(&b.order))
        });
        out
    }

    pub fn program(&self) -> &Program {
        self.program
    }
}

/// SOC 2 categories beyond Security, as named in a target.
pub const SOC2_CATEGORIES: [&str; 4] = [
    "availability",
    "confidentiality",
    "processing-integrity",
    "privacy",
];

/// Whether a requirement is part of what the target asks for: a SOC 2 examination covers
/// the common criteria (Security) plus the categories chosen; other targets take every
/// assessable requirement.
pub fn in_target(target: &Target, id: &str) -> bool {
    let Target::Soc2 { categories, .. } = target else {
        return true;
    };
    let category = if id.starts_with("CC") {
        return true;
    } else if id.starts_with("A1") {
        "availability"
    } else if id.starts_with("C1") {
        "confidentiality"
    } else if id.starts_with("PI") {
        "processing-integrity"
    } else if id.starts_with('P') {
        "privacy"
    } else {
        return true;
    };
    categories.iter().any(|c| c == category)
}

fn is_open(r: Outcome) -> bool {
    matches!(
        r,
        Outcome::NonCompliant | Outcome::PartiallyCompliant | Outcome::NotAssessed
    )
}

/// Lower is more urgent.
fn severity(r: Outcome) -> u8 {
    match r {
        Outcome::NonCompliant | Outcome::NotAssessed => 0,
        Outcome::PartiallyCompliant => 1,
        Outcome::Compliant | Outcome::NotApplicable => 2,
    }
}

/// The position and title of a requirement's top-level heading.
fn root_of(fw: &Framework, id: &RequirementId) -> (usize, String) {
    let mut cur = fw.requirement(id.as_str());
    while let Some(r) = cur {
        match &r.parent {
            Some(p) => cur = fw.requirement(p.as_str()),
            None => break,
        }
    }
    let root = cur.map_or_else(|| id.to_string(), |r| format!("{} {}", r.id, r.title));
    let pos = cur
        .and_then(|r| fw.position(r.id.as_str()))
        .unwrap_or(usize::MAX);
    (pos, root)
}

fn derive(
    links: &[&ControlLink],
    controls: &HashMap<&str, &Control>,
    current: &HashSet<&str>,
) -> Outcome {
    if links.is_empty() {
        return Outcome::NotAssessed;
    }
    let mut best = Outcome::NonCompliant;
    for l in links {
        let Some(c) = controls.get(l.control.as_str()) else {
            continue;
        };
        if !c.status.in_place() {
            continue;
        }
        let here = if l.coverage == Coverage::Full && current.contains(c.id.as_str()) {
            Outcome::Compliant
        } else {
            Outcome::PartiallyCompliant
        };
        best = best.max(here);
    }
    best
}

/// One open requirement, ranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub framework: FrameworkId,
    pub requirement: RequirementId,
    pub title: String,
    pub domain: String,
    pub result: Outcome,
    /// In-scope frameworks a fix counts for, this one included.
    pub frameworks_advanced: usize,
    /// Open requirements of other in-scope frameworks the fix also serves.
    pub also_advances: BTreeMap<String, Vec<String>>,
    #[serde(skip)]
    order: (usize, usize),
}

/// What adding a framework to the program inherits through the crosswalk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub framework: FrameworkId,
    /// Assessable requirements of the new framework.
    pub total: usize,
    /// Requirements some existing control covers fully through the crosswalk.
    pub covered: usize,
    /// Requirements existing controls cover only in part.
    pub partial: usize,
    /// Requirements no existing control reaches: new work.
    pub new: usize,
    /// The links to create, each with the mapping it comes from.
    pub links: Vec<ControlLink>,
}

/// Proposes links from the program's controls to the requirements of `framework` (a
/// library index): for every requirement a control already serves, the crosswalk's
/// mappings to the new framework — direct ones first, inferred ones when there is no
/// direct one — each carrying its relationship and provenance. A mapping covers fully
/// only when the new requirement is equal to, equivalent to or a subset of the served one;
/// anything else links with partial coverage. Nothing is marked compliant: results still
/// follow from the controls' status and evidence.
pub fn propose(
    program: &Program,
    lib: &Library,
    graph: &Graph,
    framework: usize,
    aim: &Target,
) -> Proposal {
    let fw = &lib.frameworks()[framework];
    let mut best: BTreeMap<(usize, String), ControlLink> = BTreeMap::new();
    let Ok(target) = u32::try_from(framework) else {
        return Proposal {
            framework: fw.id().clone(),
            total: 0,
            covered: 0,
            partial: 0,
            new: 0,
            links: Vec::new(),
        };
    };
    // Every pair the program already links, in any state: a proposal never replaces a
    // link a person made, accepted or rejected.
    let taken: HashSet<(&str, &str)> = program
        .links
        .iter()
        .filter(|l| &l.framework == fw.id())
        .map(|l| (l.control.as_str(), l.requirement.as_str()))
        .collect();
    for l in program
        .links
        .iter()
        .filter(|l| l.counts() && &l.framework != fw.id())
    {
        let Some(fi) = lib.index_of(&l.framework) else {
            continue;
        };
        let src = &lib.frameworks()[fi];
        let Some(ri) = src.position(l.requirement.as_str()) else {
            continue;
        };
        let (Ok(f), Ok(r)) = (u32::try_from(fi), u32::try_from(ri)) else {
            continue;
        };
        let mut found = graph.reach(
            Node {
                framework: f,
                requirement: r,
            },
            Some(target),
            Reach::default(),
        );
        // Direct mappings first; inferred ones only where no direct one reaches.
        let direct: HashSet<u32> = found
            .iter()
            .filter(|h| !h.is_inferred())
            .map(|h| h.to.requirement)
            .collect();
        found.retain(|h| !h.is_inferred() || !direct.contains(&h.to.requirement));
        for hit in found {
            let req = &fw.requirements()[hit.to.requirement as usize];
            if !req.assessable
                || !in_target(aim, req.id.as_str())
                || taken.contains(&(l.control.as_str(), req.id.as_str()))
            {
                continue;
            }
            // `hit` reads served → new; the new requirement is covered when the served
            // one includes it: the inverse relationship's coverage.
            let coverage = match hit.relationship.inverse().coverage() {
                Coverage::Full if l.coverage == Coverage::Full => Coverage::Full,
                Coverage::None => continue,
                _ => Coverage::Partial,
            };
            let mut path = vec![format!("{}:{}", l.framework, l.requirement)];
            for hop in &hit.hops {
                let f = &lib.frameworks()[hop.to.framework as usize];
                let r = &f.requirements()[hop.to.requirement as usize];
                path.push(format!("{}:{}", f.id(), r.id));
            }
            let link = ControlLink {
                id: None,
                control: l.control.clone(),
                framework: fw.id().clone(),
                requirement: req.id.clone(),
                coverage,
                origin: LinkOrigin::Crosswalk {
                    from: format!("{}:{}", l.framework, l.requirement),
                    relationship: hit.relationship.inverse(),
                    provenance: hit.provenance(lib),
                    path,
                },
                state: LinkState::Proposed,
                reviewer: None,
                reviewed_on: None,
            };
            let key = (hit.to.requirement as usize, l.control.clone());
            let better = best.get(&key).is_none_or(|old| rank(&link) > rank(old));
            if better {
                best.insert(key, link);
            }
        }
    }
    let links: Vec<ControlLink> = best.into_values().collect();
    let mut per_req: HashMap<&str, Coverage> = HashMap::new();
    for l in &links {
        let e = per_req
            .entry(l.requirement.as_str())
            .or_insert(Coverage::None);
        *e = (*e).max(l.coverage);
    }
    let assessable: Vec<&RequirementId> = fw
        .requirements()
        .iter()
        .filter(|r| r.assessable && in_target(aim, r.id.as_str()))
        .map(|r| &r.id)
        .collect();
    let covered = assessable
        .iter()
        .filter(|id| per_req.get(id.as_str()) == Some(&Coverage::Full))
        .count();
    let partial = assessable
        .iter()
        .filter(|id| per_req.get(id.as_str()) == Some(&Coverage::Partial))
        .count();
    Proposal {
        framework: fw.id().clone(),
        total: assessable.len(),
        covered,
        partial,
        new: assessable.len() - covered - partial,
        links,
    }
}

/// Full before partial; direct (official, curated, then tool-stated) before inferred.
fn rank(l: &ControlLink) -> (Coverage, u8) {
    let p = match &l.origin {
        LinkOrigin::Manual => 4,
        LinkOrigin::Crosswalk { provenance, .. } => match provenance {
            ProvenanceKind::Official => 3,
            ProvenanceKind::Curated => 2,
            ProvenanceKind::Tool => 1,
            ProvenanceKind::Inferred => 0,
        },
    };
    (l.coverage, p)
}

impl Target {
    /// The target for a framework from what the user named: `soc2-type1`, `soc2-type2`,
    /// `certification` or `compliance`, with SOC 2 categories. Without a name: a SOC 2
    /// Type 2 for SOC 2, certification for ISO standards, compliance otherwise. A Type 2
    /// observes the controls for `window_months` (6 by default).
    ///
    /// # Errors
    /// An unknown target or category, categories for a framework that has none, or a
    /// SOC 2 target for another framework.
    pub fn for_framework(
        fw: &Framework,
        target: Option<&str>,
        categories: &[String],
    ) -> Result<Self, String> {
        let soc2 = fw.meta.family.as_str() == "soc2";
        if !soc2 && !categories.is_empty() {
            return Err(format!(
                "--category names SOC 2 categories; {} has none",
                fw.id()
            ));
        }
        let t = match target {
            Some("soc2-type1") => 1,
            Some("soc2-type2") => 2,
            Some("certification") => return Ok(Self::Certification),
            Some("compliance") => return Ok(Self::Compliance),
            Some(other) => {
                return Err(format!(
                    "unknown target `{other}`: use soc2-type1, soc2-type2, certification or compliance"
                ));
            }
            None if soc2 => 2,
            None if fw.meta.publisher.contains("ISO") => return Ok(Self::Certification),
            None => return Ok(Self::Compliance),
        };
        if !soc2 {
            return Err(format!(
                "a SOC 2 target needs a SOC 2 framework, not {}",
                fw.id()
            ));
        }
        if let Some(c) = categories
            .iter()
            .find(|c| !SOC2_CATEGORIES.contains(&c.as_str()))
        {
            return Err(format!(
                "unknown SOC 2 category `{c}`: use {}",
                SOC2_CATEGORIES.join(", ")
            ));
        }
        Ok(Self::Soc2 {
            report_type: t,
            categories: categories.to_vec(),
            window_months: (t == 2).then_some(6),
        })
    }
}

/// Checks an assessment before it is recorded: an assessor's result needs a reason, not
/// applicable needs a justification, maturity must be on the program's scale.
///
/// # Errors
/// What is missing or out of range.
pub fn check_assessment(a: &Assessment, scale: &[MaturityLevel]) -> Result<(), String> {
    if a.result.is_some() && a.reason.trim().is_empty() {
        return Err(
            "an assessor's result needs --reason (the derived result is kept beside it)".into(),
        );
    }
    if !a.applicable && a.justification.trim().is_empty() {
        return Err(
            "not applicable needs --justification (it goes in the Statement of Applicability)"
                .into(),
        );
    }
    if !a.applicable && (!a.included_for.is_empty() || a.planned.is_some()) {
        return Err(
            "a not-applicable requirement has no reasons for inclusion and no planned date".into(),
        );
    }
    let top = scale.last().map_or(0, |l| l.level);
    if a.maturity.is_some_and(|m| m > top) {
        return Err(format!(
            "maturity runs 0–{top} on this program's scale (see `crosswalk program maturity`)"
        ));
    }
    Ok(())
}

/// Checks an identifier people give to controls, evidence and policies: not empty once
/// trimmed, on one line, without control characters, at most 200 characters.
///
/// # Errors
/// What is wrong with it, naming `what` ("control id").
pub fn check_id(what: &str, id: &str) -> Result<String, String> {
    let id = id.trim();
    if id.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if id.chars().any(char::is_control) {
        return Err(format!(
            "the {what} `{}` holds a line break or control character",
            id.escape_debug()
        ));
    }
    if id.chars().count() > 200 {
        return Err(format!("the {what} is longer than 200 characters"));
    }
    Ok(id.to_owned())
}

/// Checks a title or name: not empty once trimmed, on one line.
///
/// # Errors
/// What is wrong with it, naming `what`.
pub fn check_title(what: &str, title: &str) -> Result<String, String> {
    let t = title.trim();
    if t.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if t.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!(
            "the {what} `{}` holds a line break or control character",
            t.escape_debug()
        ));
    }
    Ok(t.to_owned())
}

/// One top-level heading's share of a [`Proposal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainProposal {
    /// `id title` of the heading.
    pub domain: String,
    pub total: usize,
    pub covered: usize,
    pub partial: usize,
    pub new: usize,
}

impl Proposal {
    /// The proposal by top-level heading of the new framework, in document order, so
    /// "Annex A: n of 93" reads off directly.
    pub fn by_domain(&self, fw: &Framework, aim: &Target) -> Vec<DomainProposal> {
        let mut best: HashMap<&str, Coverage> = HashMap::new();
        for l in &self.links {
            let e = best.entry(l.requirement.as_str()).or_insert(Coverage::None);
            *e = (*e).max(l.coverage);
        }
        let mut out: Vec<DomainProposal> = Vec::new();
        let mut index: HashMap<usize, usize> = HashMap::new();
        for r in fw
            .requirements()
            .iter()
            .filter(|r| r.assessable && in_target(aim, r.id.as_str()))
        {
            let (pos, domain) = root_of(fw, &r.id);
            let i = *index.entry(pos).or_insert_with(|| {
                out.push(DomainProposal {
                    domain,
                    total: 0,
                    covered: 0,
                    partial: 0,
                    new: 0,
                });
                out.len() - 1
            });
            let d = &mut out[i];
            d.total += 1;
            match best.get(r.id.as_str()) {
                Some(Coverage::Full) => d.covered += 1,
                Some(Coverage::Partial) => d.partial += 1,
                _ => d.new += 1,
            }
        }
        out
    }

    /// Links that come from official or curated mappings (the rest are inferred).
    pub fn direct_links(&self) -> usize {
        self.links.iter().filter(|l| l.origin.is_direct()).count()
    }
}
