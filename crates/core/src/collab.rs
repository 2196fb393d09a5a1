//! Collaboration in a program: who is assigned what and by when, comments, evidence
//! requests (open → submitted → accepted or rejected), and audit engagements, which give
//! an external auditor a view of exactly the frameworks of one audit for its duration.
//!
//! People are named as principals: an account's email, or `token:<id>` for an API token.
//! [`confine`] cuts a program down to what one principal may see.

use std::collections::HashSet;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::{FrameworkId, RequirementId};
use crate::program::{LinkState, Program};

/// What an assignment, a comment or a request is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Subject {
    /// `control:ID`
    Control(String),
    /// `requirement:FW:REQ`
    Requirement(FrameworkId, RequirementId),
    /// `evidence:ID`
    Evidence(String),
    /// `request:ID`
    Request(String),
}

/// Why a subject does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a subject: expected control:ID, requirement:FW:REQ, evidence:ID or request:ID"
)]
pub struct BadSubject(pub String);

fn plain_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic())
}

impl Subject {
    /// A subject from its text form.
    ///
    /// # Errors
    /// Any other form.
    pub fn parse(s: &str) -> Result<Self, BadSubject> {
        let bad = || BadSubject(s.to_owned());
        let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
        let subject = match kind {
            "control" => Subject::Control(rest.to_owned()),
            "evidence" => Subject::Evidence(rest.to_owned()),
            "request" => Subject::Request(rest.to_owned()),
            "requirement" => {
                let (fw, req) = rest.split_once(':').ok_or_else(bad)?;
                Subject::Requirement(
                    FrameworkId::parse(fw).map_err(|_| bad())?,
                    RequirementId::parse(req).map_err(|_| bad())?,
                )
            }
            _ => return Err(bad()),
        };
        match &subject {
            Subject::Control(id) | Subject::Evidence(id) | Subject::Request(id)
                if !plain_id(id) =>
            {
                Err(bad())
            }
            _ => Ok(subject),
        }
    }

    /// `control`, `requirement`, `evidence` or `request`.
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Control(_) => "control",
            Subject::Requirement(..) => "requirement",
            Subject::Evidence(_) => "evidence",
            Subject::Request(_) => "request",
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Control(id) => write!(f, "control:{id}"),
            Subject::Requirement(fw, req) => write!(f, "requirement:{fw}:{req}"),
            Subject::Evidence(id) => write!(f, "evidence:{id}"),
            Subject::Request(id) => write!(f, "request:{id}"),
        }
    }
}

impl TryFrom<String> for Subject {
    type Error = BadSubject;
    fn try_from(s: String) -> Result<Self, BadSubject> {
        Subject::parse(&s)
    }
}

impl From<Subject> for String {
    fn from(s: Subject) -> String {
        s.to_string()
    }
}

/// Who answers for a subject, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub subject: Subject,
    /// A principal: an account's email or `token:<id>`.
    pub assignee: String,
    #[serde(default)]
    pub due: Option<Date>,
    pub assigned_by: String,
    pub assigned_on: Date,
}

/// A comment on a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// `CM-<n>`, given by the store.
    pub id: String,
    pub subject: Subject,
    pub author: String,
    /// RFC 3339.
    pub at: String,
    pub body: String,
}

/// Where an evidence request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestState {
    /// Raised, waiting for evidence.
    Open,
    /// Evidence handed in, waiting for the requester's decision.
    Submitted,
    /// The evidence answers the request.
    Accepted,
    /// The evidence does not answer it; it may be submitted again.
    Rejected,
}

impl RequestState {
    pub const ALL: [Self; 4] = [Self::Open, Self::Submitted, Self::Accepted, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    /// A state by name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether a request may move from `self` to `to`: open or rejected → submitted;
    /// submitted → accepted or rejected. Accepted is final.
    pub fn may_become(self, to: Self) -> bool {
        matches!(
            (self, to),
            (Self::Open | Self::Rejected, Self::Submitted)
                | (Self::Submitted, Self::Accepted | Self::Rejected)
        )
    }
}

/// One step of a request's life: who moved it where, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub state: RequestState,
    pub actor: String,
    /// RFC 3339.
    pub at: String,
    #[serde(default)]
    pub note: String,
    /// Evidence handed in with a submission.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// A request for evidence, raised by an auditor or the compliance lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRequest {
    /// `ER-<n>`, given by the store.
    pub id: String,
    /// What it is about: a control or a requirement.
    pub subject: Subject,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// Who answers it.
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub due: Option<Date>,
    /// The audit engagement it belongs to, if any.
    #[serde(default)]
    pub engagement: Option<String>,
    pub state: RequestState,
    /// Every evidence id handed in so far.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Oldest first; the first is the opening.
    pub steps: Vec<Step>,
}

/// Why a request cannot take a step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("request `{id}` is {from}: it cannot become {to}")]
    Transition {
        id: String,
        from: &'static str,
        to: &'static str,
    },
    #[error("a submission to request `{0}` must hand in at least one evidence id")]
    NoEvidence(String),
    #[error("a rejection of request `{0}` must say why (a note)")]
    NoReason(String),
}

impl EvidenceRequest {
    /// The one who raised it.
    pub fn requester(&self) -> &str {
        self.steps.first().map_or("", |s| s.actor.as_str())
    }

    /// Takes `step`, if the state machine allows it.
    ///
    /// # Errors
    /// A move the states do not allow, a submission without evidence, a rejection
    /// without a reason.
    pub fn advance(&mut self, step: Step) -> Result<(), StepError> {
        if !self.state.may_become(step.state) {
            return Err(StepError::Transition {
                id: self.id.clone(),
                from: self.state.as_str(),
                to: step.state.as_str(),
            });
        }
        match step.state {
            RequestState::Submitted if step.evidence.is_empty() => {
                return Err(StepError::NoEvidence(self.id.clone()));
            }
            RequestState::Rejected if step.note.trim().is_empty() => {
                return Err(StepError::NoReason(self.id.clone()));
            }
            _ => {}
        }
        for e in &step.evidence {
            if !self.evidence.contains(e) {
                self.evidence.push(e.clone());
            }
        }
        self.state = step.state;
        self.steps.push(step);
        Ok(())
    }
}

/// An external audit: which frameworks, over which period, by whom. Its auditors see
/// exactly its frameworks, with their accepted links and evidence, until `ends_on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    /// `AE-<n>`, given by the store.
    pub id: String,
    /// e.g. "SOC 2 Type 2, FY2026" or "ISO/IEC 27001 surveillance 1".
    pub name: String,
    /// Edition ids in the program's scope.
    pub frameworks: Vec<FrameworkId>,
    /// The period under audit (a Type 2 window; for a point-in-time audit, one day).
    pub period_start: Date,
    pub period_end: Date,
    /// The last day its auditors have access.
    pub ends_on: Date,
    /// Principals: account emails or `token:<id>`.
    pub auditors: Vec<String>,
}

impl Engagement {
    /// Whether `who` audits it and it has not ended on `today`.
    pub fn admits(&self, who: &str, today: Date) -> bool {
        today <= self.ends_on && self.auditors.iter().any(|a| a == who)
    }
}

/// A program's collaboration records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collaboration {
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub comments: Vec<Comment>,
    #[serde(default)]
    pub requests: Vec<EvidenceRequest>,
    #[serde(default)]
    pub engagements: Vec<Engagement>,
}

/// One collaboration record, as stored and changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "kebab-case")]
pub enum Item {
    Assignment(Assignment),
    Comment(Comment),
    Request(EvidenceRequest),
    Engagement(Engagement),
}

impl Item {
    /// The kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Assignment(_) => "assignment",
            Item::Comment(_) => "comment",
            Item::Request(_) => "request",
            Item::Engagement(_) => "engagement",
        }
    }

    /// Its key: the subject of an assignment (one assignee per subject), else its id.
    pub fn key(&self) -> String {
        match self {
            Item::Assignment(a) => a.subject.to_string(),
            Item::Comment(c) => c.id.clone(),
            Item::Request(r) => r.id.clone(),
            Item::Engagement(e) => e.id.clone(),
        }
    }

    /// The prefix of the ids the store gives (assignments are keyed by subject).
    pub fn prefix(&self) -> &'static str {
        match self {
            Item::Assignment(_) => "",
            Item::Comment(_) => "CM-",
            Item::Request(_) => "ER-",
            Item::Engagement(_) => "AE-",
        }
    }

    /// Sets the id the store gave.
    pub fn set_id(&mut self, id: String) {
        match self {
            Item::Assignment(_) => {}
            Item::Comment(c) => c.id = id,
            Item::Request(r) => r.id = id,
            Item::Engagement(e) => e.id = id,
        }
    }
}

impl Collaboration {
    /// Adds `item`, replacing the one with the same kind and key.
    pub fn put(&mut self, item: Item) {
        fn upsert<T>(list: &mut Vec<T>, t: T, same: impl Fn(&T) -> bool) {
            match list.iter_mut().find(|x| same(x)) {
                Some(x) => *x = t,
                None => list.push(t),
            }
        }
        match item {
            Item::Assignment(a) => {
                let s = a.subject.clone();
                upsert(&mut self.assignments, a, |x| x.subject == s);
            }
            Item::Comment(c) => {
                let id = c.id.clone();
                upsert(&mut self.comments, c, |x| x.id == id);
            }
            Item::Request(r) => {
                let id = r.id.clone();
                upsert(&mut self.requests, r, |x| x.id == id);
            }
            Item::Engagement(e) => {
                let id = e.id.clone();
                upsert(&mut self.engagements, e, |x| x.id == id);
            }
        }
    }

    /// The assignee of `subject`, if any.
    pub fn assignee(&self, subject: &Subject) -> Option<&str> {
        self.assignments
            .iter()
            .find(|a| a.subject == *subject)
            .map(|a| a.assignee.as_str())
    }
}

/// What one principal may see of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// Everything (owners, admins, editors, viewers).
    Whole,
    /// What is assigned to this principal: controls, requirements and evidence requests,
    /// with the evidence of those controls (contributors).
    Assigned(String),
    /// The engagements with these ids (auditors): their frameworks, with accepted links,
    /// the controls those links name and the controls' evidence.
    Audit(Vec<String>),
}

/// What a principal sees when confined: the sets [`confine`] keeps.
#[derive(Debug, Default)]
struct Seen {
    frameworks: HashSet<FrameworkId>,
    requirements: HashSet<(FrameworkId, RequirementId)>,
    controls: HashSet<String>,
    evidence: HashSet<String>,
    requests: HashSet<String>,
}

impl Seen {
    fn subject(&self, s: &Subject) -> bool {
        match s {
            Subject::Control(c) => self.controls.contains(c),
            Subject::Requirement(fw, r) => {
                self.frameworks.contains(fw) || self.requirements.contains(&(fw.clone(), r.clone()))
            }
            Subject::Evidence(e) => self.evidence.contains(e),
            Subject::Request(q) => self.requests.contains(q),
        }
    }

    fn requirement(&self, fw: &FrameworkId, r: &RequirementId) -> bool {
        self.frameworks.contains(fw) || self.requirements.contains(&(fw.clone(), r.clone()))
    }
}

/// The sets a confined view keeps (none: the whole program).
fn seen_by(program: &Program, view: &View) -> Option<Seen> {
    let collab = &program.collab;
    let mut seen = Seen::default();
    match view {
        View::Whole => return None,
        View::Assigned(who) => {
            for a in collab.assignments.iter().filter(|a| a.assignee == *who) {
                match &a.subject {
                    Subject::Control(c) => {
                        seen.controls.insert(c.clone());
                    }
                    Subject::Requirement(fw, r) => {
                        seen.requirements.insert((fw.clone(), r.clone()));
                    }
                    Subject::Evidence(e) => {
                        seen.evidence.insert(e.clone());
                    }
                    Subject::Request(q) => {
                        seen.requests.insert(q.clone());
                    }
                }
            }
            for r in &collab.requests {
                if r.assignee.as_deref() == Some(who.as_str()) {
                    seen.requests.insert(r.id.clone());
                }
            }
            // The evidence handed in to their requests, and the subjects of those.
            for r in collab
                .requests
                .iter()
                .filter(|r| seen.requests.contains(&r.id))
            {
                seen.evidence.extend(r.evidence.iter().cloned());
                match &r.subject {
                    Subject::Control(c) => {
                        seen.controls.insert(c.clone());
                    }
                    Subject::Requirement(fw, q) => {
                        seen.requirements.insert((fw.clone(), q.clone()));
                    }
                    _ => {}
                }
            }
        }
        View::Audit(ids) => {
            for e in collab.engagements.iter().filter(|e| ids.contains(&e.id)) {
                seen.frameworks.extend(e.frameworks.iter().cloned());
            }
            for l in &program.links {
                if l.state == LinkState::Accepted && seen.frameworks.contains(&l.framework) {
                    seen.controls.insert(l.control.clone());
                }
            }
            for r in &collab.requests {
                if r.engagement.as_ref().is_some_and(|e| ids.contains(e)) {
                    seen.requests.insert(r.id.clone());
                    seen.evidence.extend(r.evidence.iter().cloned());
                }
            }
        }
    }
    for e in &program.evidence {
        if e.controls.iter().any(|c| seen.controls.contains(c)) {
            seen.evidence.insert(e.id.clone());
        }
    }
    Some(seen)
}

/// The part of `program` that `view` may see: a program of its own, so every read built
/// on it (status, listings, gaps, exports) is confined without further checks. The
/// program's description, maturity scale and risk matrix are kept; risks, policies,
/// management-system records and monitoring are not part of a confined view.
pub fn confine(program: &Program, view: &View) -> Program {
    let Some(seen) = seen_by(program, view) else {
        return program.clone();
    };
    let collab = &program.collab;
    let audit = matches!(view, View::Audit(_));
    let mut out = Program {
        info: program.info.clone(),
        maturity_scale: program.maturity_scale.clone(),
        risk_matrix: program.risk_matrix.clone(),
        ..Program::default()
    };
    out.controls = program
        .controls
        .iter()
        .filter(|c| seen.controls.contains(&c.id))
        .cloned()
        .collect();
    out.links = program
        .links
        .iter()
        .filter(|l| {
            if audit {
                l.state == LinkState::Accepted && seen.frameworks.contains(&l.framework)
            } else {
                seen.controls.contains(&l.control) || seen.requirement(&l.framework, &l.requirement)
            }
        })
        .cloned()
        .collect();
    // The frameworks of the audit, of assigned requirements, and those the visible
    // controls meet.
    out.frameworks = program
        .frameworks
        .iter()
        .filter(|f| {
            seen.frameworks.contains(&f.framework)
                || seen.requirements.iter().any(|(fw, _)| *fw == f.framework)
                || out.links.iter().any(|l| l.framework == f.framework)
        })
        .cloned()
        .collect();
    out.evidence = program
        .evidence
        .iter()
        .filter(|e| seen.evidence.contains(&e.id))
        .cloned()
        .collect();
    out.assessments = program
        .assessments
        .iter()
        .filter(|a| seen.requirement(&a.framework, &a.requirement))
        .cloned()
        .collect();
    if audit {
        out.snapshots = program
            .snapshots
            .iter()
            .map(|s| crate::program::Snapshot {
                taken_on: s.taken_on,
                status: s
                    .status
                    .iter()
                    .filter(|f| seen.frameworks.contains(&f.framework))
                    .cloned()
                    .collect(),
            })
            .collect();
    }
    out.collab = Collaboration {
        assignments: collab
            .assignments
            .iter()
            .filter(|a| seen.subject(&a.subject))
            .cloned()
            .collect(),
        requests: collab
            .requests
            .iter()
            .filter(|r| seen.requests.contains(&r.id))
            .cloned()
            .collect(),
        engagements: match view {
            View::Audit(ids) => collab
                .engagements
                .iter()
                .filter(|e| ids.contains(&e.id))
                .cloned()
                .collect(),
            _ => Vec::new(),
        },
        comments: Vec::new(),
    };
    out.collab.comments = collab
        .comments
        .iter()
        .filter(|c| seen.subject(&c.subject))
        .cloned()
        .collect();
    out
}

/// Whether `view` lets its principal see `subject` of `program`.
pub fn sees(program: &Program, view: &View, subject: &Subject) -> bool {
    seen_by(program, view).is_none_or(|seen| seen.subject(subject))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(state: RequestState, evidence: &[&str], note: &str) -> Step {
        Step {
            state,
            actor: "a@example.com".into(),
            at: "2026-12-01T00:00:00Z".into(),
            note: note.into(),
            evidence: evidence.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn subjects_round_trip_and_refuse_junk() {
        for s in [
            "control:AC-1",
            "requirement:iso27001-2022:A.5.1",
            "evidence:EV-3",
            "request:ER-1",
        ] {
            assert_eq!(Subject::parse(s).unwrap().to_string(), s);
        }
        for s in [
            "",
            "control:",
            "control:a b",
            "requirement:iso27001-2022",
            "requirement:ISO:A.5.1",
            "policy:P-1",
            "control:\u{1b}[2J",
        ] {
            assert!(Subject::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn requests_follow_the_states() {
        let mut r = EvidenceRequest {
            id: "ER-1".into(),
            subject: Subject::Control("AC-1".into()),
            title: "Access review Q3".into(),
            detail: String::new(),
            assignee: None,
            due: None,
            engagement: None,
            state: RequestState::Open,
            evidence: Vec::new(),
            steps: vec![step(RequestState::Open, &[], "")],
        };
        assert!(
            r.clone()
                .advance(step(RequestState::Accepted, &[], ""))
                .is_err()
        );
        assert_eq!(
            r.clone().advance(step(RequestState::Submitted, &[], "")),
            Err(StepError::NoEvidence("ER-1".into()))
        );
        r.advance(step(RequestState::Submitted, &["EV-1"], ""))
            .unwrap();
        assert_eq!(
            r.clone().advance(step(RequestState::Rejected, &[], " ")),
            Err(StepError::NoReason("ER-1".into()))
        );
        r.advance(step(RequestState::Rejected, &[], "Q2 only"))
            .unwrap();
        r.advance(step(RequestState::Submitted, &["EV-2", "EV-1"], ""))
            .unwrap();
        r.advance(step(RequestState::Accepted, &[], "")).unwrap();
        assert_eq!(r.evidence, ["EV-1", "EV-2"]);
        assert_eq!(r.steps.len(), 5);
        assert!(
            r.clone()
                .advance(step(RequestState::Submitted, &["EV-3"], ""))
                .is_err()
        );
        assert_eq!(r.requester(), "a@example.com");
    }

    #[test]
    fn the_state_machine_has_exactly_four_moves() {
        let moves: Vec<_> = RequestState::ALL
            .iter()
            .flat_map(|a| RequestState::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.may_become(*b))
            .map(|(a, b)| format!("{}>{}", a.as_str(), b.as_str()))
            .collect();
        assert_eq!(
            moves,
            [
                "open>submitted",
                "submitted>accepted",
                "submitted>rejected",
                "rejected>submitted"
            ]
        );
    }

    #[test]
    fn confined_views_keep_only_what_is_theirs() {
        use crate::evidence::Location;
        use crate::mapping::Coverage;
        use crate::program::{Control, ControlLink, ControlStatus, Evidence, InScope, Target};
        let fw = |s: &str| FrameworkId::parse(s).unwrap();
        let control = |id: &str| Control {
            id: id.into(),
            title: id.into(),
            description: String::new(),
            owner: String::new(),
            status: ControlStatus::Operating,
            frequency: String::new(),
        };
        let link = |c: &str, f: &str, state: LinkState| {
            let mut l = ControlLink::manual(
                c,
                (fw(f), RequirementId::parse("R1").unwrap()),
                Coverage::Full,
                "x",
                Date::constant(2026, 1, 1),
            );
            l.state = state;
            l
        };
        let evidence = |id: &str, c: &str| Evidence {
            id: id.into(),
            title: id.into(),
            location: Location::parse("https://example.com/e").unwrap(),
            collected: Date::constant(2026, 1, 1),
            valid_until: None,
            controls: vec![c.into()],
        };
        let mut p = Program {
            frameworks: ["soc2-2017", "iso27001-2022"]
                .into_iter()
                .map(|f| InScope {
                    framework: fw(f),
                    target: Target::Compliance,
                    target_date: None,
                })
                .collect(),
            controls: vec![control("A"), control("B"), control("C")],
            links: vec![
                link("A", "soc2-2017", LinkState::Accepted),
                link("B", "soc2-2017", LinkState::Proposed),
                link("C", "iso27001-2022", LinkState::Accepted),
            ],
            evidence: vec![
                evidence("E1", "A"),
                evidence("E2", "B"),
                evidence("E3", "C"),
            ],
            ..Program::default()
        };
        p.collab.assignments.push(Assignment {
            subject: Subject::Control("B".into()),
            assignee: "b@example.com".into(),
            due: None,
            assigned_by: "lead".into(),
            assigned_on: Date::constant(2026, 1, 1),
        });
        p.collab.engagements.push(Engagement {
            id: "AE-1".into(),
            name: "SOC 2".into(),
            frameworks: vec![fw("soc2-2017")],
            period_start: Date::constant(2026, 1, 1),
            period_end: Date::constant(2026, 6, 30),
            ends_on: Date::constant(2026, 9, 30),
            auditors: vec!["aud@example.com".into()],
        });
        let ids = |p: &Program| -> (Vec<String>, Vec<String>, usize) {
            (
                p.controls.iter().map(|c| c.id.clone()).collect(),
                p.evidence.iter().map(|e| e.id.clone()).collect(),
                p.frameworks.len(),
            )
        };
        // The auditor: the accepted soc2 link's control and its evidence; not the
        // proposed link's, not the other framework.
        let audit = confine(&p, &View::Audit(vec!["AE-1".into()]));
        assert_eq!(ids(&audit), (vec!["A".into()], vec!["E1".into()], 1));
        assert_eq!(audit.links.len(), 1);
        assert!(audit.collab.assignments.is_empty());
        // The contributor: its control B, its evidence, its link.
        let mine = confine(&p, &View::Assigned("b@example.com".into()));
        assert_eq!(ids(&mine), (vec!["B".into()], vec!["E2".into()], 1));
        assert!(mine.collab.engagements.is_empty());
        // Someone with nothing assigned sees nothing.
        let none = confine(&p, &View::Assigned("x@example.com".into()));
        assert_eq!(ids(&none), (vec![], vec![], 0));
        assert_eq!(confine(&p, &View::Whole), p);
        let e = &p.collab.engagements[0];
        assert!(e.admits("aud@example.com", Date::constant(2026, 9, 30)));
        assert!(!e.admits("aud@example.com", Date::constant(2026, 10, 1)));
        assert!(!e.admits("b@example.com", Date::constant(2026, 9, 1)));
    }
}
