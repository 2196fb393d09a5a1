//! Management-system operations: internal audits and their findings, nonconformities with
//! corrective actions and an effectiveness check, management reviews with the clause 9.3
//! inputs. Requirements are named `FW:REQ` as everywhere and stored by edition id.

use std::collections::HashSet;

use crosswalk_core::ms::{
    EffectivenessCheck, Finding, ImpactAssessment, ImpactFinding, ImpactKind, InternalAudit,
    ManagementReview, Nonconformity, Processing, REVIEW_INPUTS, Record, Records,
};
use crosswalk_core::program::{Grade, check_title};
use crosswalk_core::risk::Action;
use crosswalk_store::Change;
use jiff::civil::Date;
use serde::Serialize;

use crate::program::{Session, requirement};
use crate::{Error, Result, bail, invalid};

/// `ms list --json`: every record, with what is open or missing.
#[derive(Debug, Clone, Serialize)]
pub struct RecordsView {
    pub audits: Vec<InternalAudit>,
    pub nonconformities: Vec<NonconformityView>,
    pub reviews: Vec<ReviewView>,
    pub impact_assessments: Vec<ImpactView>,
    pub processing: Vec<ProcessingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImpactView {
    #[serde(flatten)]
    pub assessment: ImpactAssessment,
    /// Template questions left unanswered.
    pub unanswered: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessingView {
    #[serde(flatten)]
    pub processing: Processing,
    /// Article 30(1) entries left empty.
    pub missing: Vec<&'static str>,
    /// The DPIAs of this activity.
    pub dpias: Vec<String>,
}

/// `ms impact`: an assessment against its template.
#[derive(Debug, Clone, Default)]
pub struct ImpactInput {
    pub kind: String,
    pub subject: String,
    pub owner: String,
    pub performed: Option<Date>,
    /// `KEY=TEXT`, keys from the template.
    pub answers: Vec<String>,
    /// `TEXT|R-1,R-2`: a finding and the register risks that carry it.
    pub findings: Vec<String>,
    pub conclusion: String,
    pub approved_by: String,
    pub review: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NonconformityView {
    #[serde(flatten)]
    pub nonconformity: Nonconformity,
    pub open: bool,
    /// Open past its due date.
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    #[serde(flatten)]
    pub review: ManagementReview,
    /// Clause 9.3.2 inputs it did not record.
    pub missing_inputs: Vec<&'static str>,
}

/// `ms audit add`.
#[derive(Debug, Clone, Default)]
pub struct AuditInput {
    pub title: String,
    pub scope: String,
    pub criteria: String,
    pub auditor: String,
    pub planned: Option<Date>,
    pub performed: Option<Date>,
}

/// `ms finding add` and `ms nc add`: what a finding or a nonconformity says.
#[derive(Debug, Clone, Default)]
pub struct FindingInput {
    pub grade: String,
    pub description: String,
    /// `FW:REQ`, as people type them.
    pub requirements: Vec<String>,
    pub controls: Vec<String>,
    /// For a major or minor nonconformity: raise a nonconformity record (the default).
    pub raise: bool,
    pub root_cause: String,
    pub owner: String,
    pub due: Option<Date>,
    pub source: String,
}

fn grade(s: &str) -> Result<Grade> {
    Grade::parse(s.trim()).ok_or_else(|| {
        invalid!(
            "grade `{s}`: use {}",
            Grade::ALL.map(Grade::as_str).join(", ")
        )
    })
}

impl Session<'_> {
    /// Every management-system record.
    ///
    /// # Errors
    /// No program, a store failure.
    pub fn records(&mut self) -> Result<RecordsView> {
        let Records {
            audits,
            nonconformities,
            reviews,
            impact_assessments,
            processing,
        } = self.program()?.records.clone();
        let today = self.clock.today;
        Ok(RecordsView {
            audits,
            nonconformities: nonconformities
                .into_iter()
                .map(|n| NonconformityView {
                    open: n.is_open(),
                    overdue: n.is_open() && n.due.is_some_and(|d| d < today),
                    nonconformity: n,
                })
                .collect(),
            reviews: reviews
                .into_iter()
                .map(|r| ReviewView {
                    missing_inputs: r.missing_inputs(),
                    review: r,
                })
                .collect(),
            processing: processing
                .into_iter()
                .map(|p| ProcessingView {
                    missing: p.missing(),
                    dpias: impact_assessments
                        .iter()
                        .filter(|i| i.kind == ImpactKind::Dpia && i.subject == p.id)
                        .map(|i| i.id.clone())
                        .collect(),
                    processing: p,
                })
                .collect(),
            impact_assessments: impact_assessments
                .into_iter()
                .map(|i| ImpactView {
                    unanswered: i.unanswered(),
                    assessment: i,
                })
                .collect(),
        })
    }

    /// Records an impact assessment against its template; findings name the register
    /// risks that carry them.
    ///
    /// # Errors
    /// An unknown kind or template key, a risk not in the register, a DPIA whose subject
    /// is no processing activity, no program.
    pub fn add_impact(&mut self, i: ImpactInput) -> Result<String> {
        let program = self.program()?;
        let kind = ImpactKind::parse(i.kind.trim())
            .ok_or_else(|| invalid!("--kind `{}`: use ai-system or dpia", i.kind))?;
        if i.subject.trim().is_empty() {
            bail!(
                "an impact assessment names its subject (--subject: the AI system, or the processing activity's ROPA id)"
            );
        }
        if kind == ImpactKind::Dpia
            && !program
                .records
                .processing
                .iter()
                .any(|p| p.id == i.subject.trim())
        {
            bail!(
                "a DPIA assesses a processing activity: --subject `{}` is none (add it with `crosswalk ms processing`)",
                i.subject.trim()
            );
        }
        let keys: Vec<&str> = kind.questions().iter().map(|(k, _)| *k).collect();
        let mut answers = Vec::new();
        for a in &i.answers {
            let (k, v) = a
                .split_once('=')
                .ok_or_else(|| invalid!("--answer `{a}`: expected KEY=TEXT"))?;
            if !keys.contains(&k.trim()) {
                bail!(
                    "--answer `{}`: the {} template asks {}",
                    k.trim(),
                    kind.as_str(),
                    keys.join(", ")
                );
            }
            answers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let mut findings = Vec::new();
        for f in &i.findings {
            let (text, risks) = f.split_once('|').unwrap_or((f.as_str(), ""));
            let risks: Vec<String> = risks
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(r) = risks
                .iter()
                .find(|r| !program.risks.iter().any(|x| &x.id == *r))
            {
                bail!("--finding names risk `{r}`, which is not in the register");
            }
            findings.push(ImpactFinding {
                description: check_title("finding", text).map_err(Error::Invalid)?,
                risks,
            });
        }
        self.put(Record::Impact(ImpactAssessment {
            id: String::new(),
            kind,
            subject: i.subject.trim().to_owned(),
            owner: i.owner.trim().to_owned(),
            performed: i.performed.unwrap_or(self.clock.today),
            answers,
            findings,
            conclusion: i.conclusion.trim().to_owned(),
            approved_by: i.approved_by.trim().to_owned(),
            review: i.review,
        }))
    }

    /// Adds a processing activity to the records of processing.
    ///
    /// # Errors
    /// No name or purposes, no program.
    pub fn add_processing(&mut self, p: Processing) -> Result<String> {
        self.program()?;
        if p.purposes.trim().is_empty() {
            bail!("a processing activity states its purposes (--purposes)");
        }
        self.put(Record::Processing(Processing {
            id: String::new(),
            name: check_title("processing activity", &p.name).map_err(Error::Invalid)?,
            ..p
        }))
    }

    /// `FW:REQ` references checked against the library, as edition ids.
    fn references(&self, targets: &[String]) -> Result<Vec<String>> {
        targets
            .iter()
            .map(|t| requirement(self.catalog, t).map(|(fw, r)| format!("{}:{r}", fw.id())))
            .collect()
    }

    fn known_controls(&mut self, controls: &[String]) -> Result<Vec<String>> {
        let missing = self.store().control_ids_exist(controls)?;
        if let Some(m) = missing.first() {
            bail!("no control `{m}`; nothing was changed");
        }
        Ok(controls.to_vec())
    }

    fn put(&mut self, record: Record) -> Result<String> {
        let applied = self
            .store()
            .apply_returning(&[Change::SetRecord(record.clone())])
            .map_err(|e| invalid!("{e}; nothing was changed"))?;
        Ok(applied
            .ids
            .into_iter()
            .next()
            .unwrap_or_else(|| record.id().to_owned()))
    }

    /// Plans (or records) an internal audit.
    ///
    /// # Errors
    /// No title or planned date, no program.
    pub fn add_audit(&mut self, a: AuditInput) -> Result<String> {
        self.program()?;
        let Some(planned) = a.planned.or(a.performed) else {
            bail!("an internal audit needs --planned (or --performed) DATE");
        };
        self.put(Record::Audit(InternalAudit {
            id: String::new(),
            title: check_title("audit title", &a.title).map_err(Error::Invalid)?,
            scope: a.scope.trim().to_owned(),
            criteria: a.criteria.trim().to_owned(),
            auditor: a.auditor.trim().to_owned(),
            planned,
            performed: a.performed,
            findings: Vec::new(),
        }))
    }

    /// Adds a finding to an internal audit; a major or minor nonconformity also raises a
    /// nonconformity record (unless `raise` is off). Returns the nonconformity's id.
    ///
    /// # Errors
    /// No such audit, a bad grade, requirement or control.
    pub fn add_finding(&mut self, audit: &str, f: FindingInput) -> Result<Option<String>> {
        let program = self.program()?;
        if !program.records.audits.iter().any(|a| a.id == audit) {
            bail!("no internal audit `{audit}` (see `crosswalk ms list`)");
        }
        let g = grade(&f.grade)?;
        if f.description.trim().is_empty() {
            bail!("a finding needs --description");
        }
        let requirements = self.references(&f.requirements)?;
        let controls = self.known_controls(&f.controls)?;
        let nonconformity = (f.raise
            && matches!(g, Grade::MajorNonconformity | Grade::MinorNonconformity))
        .then(|| -> Result<Nonconformity> {
            Ok(Nonconformity {
                id: String::new(),
                title: check_title("nonconformity", &f.description).map_err(Error::Invalid)?,
                grade: g,
                source: audit.to_owned(),
                requirements: requirements.clone(),
                controls: controls.clone(),
                root_cause: f.root_cause.trim().to_owned(),
                owner: f.owner.trim().to_owned(),
                due: f.due,
                actions: Vec::new(),
                raised: self.clock.today,
                effectiveness: None,
            })
        })
        .transpose()?;
        let finding = Finding {
            grade: g,
            description: f.description.trim().to_owned(),
            requirements,
            controls,
            nonconformity: None,
        };
        // The finding and its nonconformity are recorded in one transaction.
        let today = self.clock.today;
        let applied = self
            .store()
            .apply_returning(&[Change::AddFinding {
                audit: audit.to_owned(),
                finding,
                nonconformity,
                performed_on: today,
            }])
            .map_err(|e| invalid!("{e}; nothing was changed"))?;
        Ok(applied.ids.into_iter().next())
    }

    /// Raises a nonconformity (major or minor).
    ///
    /// # Errors
    /// Another grade, a bad requirement or control, no program.
    pub fn add_nonconformity(&mut self, f: FindingInput) -> Result<String> {
        self.program()?;
        let g = grade(&f.grade)?;
        if !matches!(g, Grade::MajorNonconformity | Grade::MinorNonconformity) {
            bail!("a nonconformity is major-nonconformity or minor-nonconformity");
        }
        let requirements = self.references(&f.requirements)?;
        let controls = self.known_controls(&f.controls)?;
        self.put(Record::Nonconformity(Nonconformity {
            id: String::new(),
            title: check_title("nonconformity", &f.description).map_err(Error::Invalid)?,
            grade: g,
            source: f.source.trim().to_owned(),
            requirements,
            controls,
            root_cause: f.root_cause.trim().to_owned(),
            owner: f.owner.trim().to_owned(),
            due: f.due,
            actions: Vec::new(),
            raised: self.clock.today,
            effectiveness: None,
        }))
    }

    /// Adds a corrective action to a nonconformity, or records its root cause.
    ///
    /// # Errors
    /// No such nonconformity.
    pub fn nonconformity_action(
        &mut self,
        id: &str,
        action: Option<(String, String, Option<Date>)>,
        root_cause: Option<String>,
    ) -> Result<()> {
        let mut nc = self.nonconformity(id)?;
        if let Some((title, owner, due)) = action {
            nc.actions.push(Action {
                title: check_title("action", &title).map_err(Error::Invalid)?,
                owner,
                due,
                done: false,
            });
        }
        if let Some(r) = root_cause {
            nc.root_cause = r.trim().to_owned();
        }
        self.put(Record::Nonconformity(nc)).map(drop)
    }

    /// Records the effectiveness check of a nonconformity's correction; an effective one
    /// closes it (and its actions).
    ///
    /// # Errors
    /// No such nonconformity, no checker named, no root cause recorded.
    pub fn check_nonconformity(
        &mut self,
        id: &str,
        by: &str,
        effective: bool,
        note: &str,
    ) -> Result<()> {
        let mut nc = self.nonconformity(id)?;
        if by.trim().is_empty() {
            bail!("an effectiveness check names who made it (--by)");
        }
        if effective && nc.root_cause.is_empty() {
            bail!(
                "{id} has no root cause recorded; a correction is judged against its cause (ms nc action {id} --root-cause …)"
            );
        }
        if effective {
            for a in &mut nc.actions {
                a.done = true;
            }
        }
        nc.effectiveness = Some(EffectivenessCheck {
            by: by.trim().to_owned(),
            on: self.clock.today,
            effective,
            note: note.trim().to_owned(),
        });
        self.put(Record::Nonconformity(nc)).map(drop)
    }

    fn nonconformity(&mut self, id: &str) -> Result<Nonconformity> {
        self.program()?
            .records
            .nonconformities
            .iter()
            .find(|n| n.id == id)
            .cloned()
            .ok_or_else(|| invalid!("no nonconformity `{id}` (see `crosswalk ms list`)"))
    }

    /// Records a management review: `inputs` as `KEY=TEXT` with the clause 9.3.2 keys.
    ///
    /// # Errors
    /// No date, an unknown input key, no program.
    pub fn add_review(
        &mut self,
        held_on: Date,
        attendees: Vec<String>,
        inputs: &[String],
        decisions: Vec<String>,
    ) -> Result<String> {
        self.program()?;
        let keys: HashSet<&str> = REVIEW_INPUTS.iter().map(|(k, _)| *k).collect();
        let mut parsed = Vec::new();
        for i in inputs {
            let (k, v) = i
                .split_once('=')
                .ok_or_else(|| invalid!("--input `{i}`: expected KEY=TEXT"))?;
            if !keys.contains(k.trim()) {
                bail!(
                    "--input `{}`: use {}",
                    k.trim(),
                    REVIEW_INPUTS.map(|(k, _)| k).join(", ")
                );
            }
            parsed.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        self.put(Record::Review(ManagementReview {
            id: String::new(),
            held_on,
            attendees,
            inputs: parsed,
            decisions,
            actions: Vec::new(),
        }))
    }
}
