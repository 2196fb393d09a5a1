//! Where a program lives: a [`Store`] in domain terms, with an embedded SQLite backend
//! (the default: one file) and a PostgreSQL backend that behave the same.
//!
//! Both backends run the same schema (`schema.sql`: TEXT and BIGINT columns only) and the
//! same queries (written once, over the small [`Tx`] trait); only connecting and binding
//! differ. Every [`Store::apply`] is one transaction: all its changes land, or none do.

mod pg;
mod sqlite;

use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::Coverage;
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evidence, FrameworkStatus, Grade, InScope,
    LinkOrigin, MaturityLevel, Outcome, Policy, Program, ProgramInfo, Snapshot, Target,
};
use jiff::civil::Date;

pub use pg::PgStore;
pub use sqlite::SqliteStore;

/// Migrations in order; each runs once and is recorded in `schema_version`; all pending
/// ones run in one transaction on open. Append only: never edit one that has shipped.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("schema.sql")),
    (2, include_str!("migration_2.sql")),
    (3, include_str!("migration_3.sql")),
];

/// What went wrong, in terms a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {target}: {message}")]
    Open { target: String, message: String },
    #[error("the database is locked by another process (try again when it has finished)")]
    Locked,
    #[error("database error: {0}")]
    Database(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the database holds a value crosswalk cannot read: {0}")]
    Corrupt(String),
}

/// One change to a program. A list of changes is applied in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Creates or replaces the program's description.
    SetProgram(ProgramInfo),
    /// Adds a framework to the scope (an error if it is already in scope).
    AddFramework(InScope),
    /// Adds a control (an error if its id exists).
    AddControl(Control),
    /// Changes a control's status.
    SetControlStatus {
        control: String,
        status: ControlStatus,
    },
    /// Links a control to a requirement, replacing an existing link between the two.
    Link(ControlLink),
    /// Records evidence for existing controls (an error if its id exists).
    AddEvidence(Evidence),
    /// Records an assessment, replacing the current one and keeping it in the history.
    Assess(Assessment),
    /// A reviewer signs off the current assessment of a requirement.
    SignOff {
        framework: FrameworkId,
        requirement: RequirementId,
        reviewer: String,
        on: Date,
    },
    /// Adds a policy or records a new version of it (the history keeps every version).
    SetPolicy(Policy),
    /// Records readiness as it stands on a date (replacing that date's snapshot).
    Snapshot(Snapshot),
    /// Sets the program's maturity scale (empty: back to the default).
    SetMaturityScale(Vec<MaturityLevel>),
}

/// A program's storage.
pub trait Store {
    /// Everything the program holds.
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn load(&mut self) -> Result<Program, StoreError>;

    /// Applies the changes in one transaction: all or nothing.
    ///
    /// # Errors
    /// A change that conflicts (duplicate id) or names something missing; nothing is
    /// changed then.
    fn apply(&mut self, changes: &[Change]) -> Result<(), StoreError>;

    /// Every assessment record kept, oldest first (for trends).
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn history(&mut self) -> Result<Vec<Assessment>, StoreError>;
}

/// Implements [`Store`] for a backend with a `transaction` method running a closure
/// over its [`Tx`] and committing when it succeeds.
macro_rules! store_over_transactions {
    ($backend:ty) => {
        impl $crate::Store for $backend {
            fn load(&mut self) -> Result<crosswalk_core::program::Program, $crate::StoreError> {
                self.transaction($crate::load)
            }

            fn apply(&mut self, changes: &[$crate::Change]) -> Result<(), $crate::StoreError> {
                self.transaction(|tx| changes.iter().try_for_each(|c| $crate::apply_change(tx, c)))
            }

            fn history(
                &mut self,
            ) -> Result<Vec<crosswalk_core::program::Assessment>, $crate::StoreError> {
                self.transaction($crate::history)
            }
        }
    };
}
pub(crate) use store_over_transactions;

/// Opens a store: `postgres://…` or `postgresql://…` for PostgreSQL, anything else is a
/// SQLite file path (created with its directory when missing). Migrations run on open.
///
/// # Errors
/// When the database cannot be reached or opened, or a migration fails.
pub fn open(target: &str) -> Result<Box<dyn Store>, StoreError> {
    if target.starts_with("postgres://") || target.starts_with("postgresql://") {
        Ok(Box::new(PgStore::connect(target)?))
    } else {
        Ok(Box::new(SqliteStore::open(std::path::Path::new(target))?))
    }
}

/// A value bound to or read from a query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Text(String),
    Int(i64),
    Null,
}

impl Val {
    fn text(&self) -> Result<String, StoreError> {
        match self {
            Val::Text(s) => Ok(s.clone()),
            other => Err(StoreError::Corrupt(format!(
                "expected text, found {other:?}"
            ))),
        }
    }

    fn opt_text(&self) -> Result<Option<String>, StoreError> {
        match self {
            Val::Null => Ok(None),
            v => v.text().map(Some),
        }
    }

    fn int(&self) -> Result<i64, StoreError> {
        match self {
            Val::Int(i) => Ok(*i),
            other => Err(StoreError::Corrupt(format!(
                "expected a number, found {other:?}"
            ))),
        }
    }
}

fn t(s: &str) -> Val {
    Val::Text(s.to_owned())
}

fn date_val(d: Option<Date>) -> Val {
    d.map_or(Val::Null, |d| Val::Text(d.to_string()))
}

fn json<T: serde::Serialize>(v: &T) -> Result<Val, StoreError> {
    serde_json::to_string(v)
        .map(Val::Text)
        .map_err(|e| StoreError::Database(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(v: &Val) -> Result<T, StoreError> {
    serde_json::from_str(&v.text()?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_date(v: &Val) -> Result<Date, StoreError> {
    v.text()?
        .parse()
        .map_err(|e: jiff::Error| StoreError::Corrupt(e.to_string()))
}

fn parse_opt_date(v: &Val) -> Result<Option<Date>, StoreError> {
    v.opt_text()?
        .map(|s| {
            s.parse()
                .map_err(|e: jiff::Error| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
}

fn fw_id(v: &Val) -> Result<FrameworkId, StoreError> {
    FrameworkId::parse(&v.text()?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn req_id(v: &Val) -> Result<RequirementId, StoreError> {
    RequirementId::parse(&v.text()?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The operations the shared queries need from a backend's transaction. SQL uses `$1`,
/// `$2` … placeholders, each once and in order.
pub(crate) trait Tx {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, StoreError>;
}

/// Brings the schema up to date inside the caller's transaction: creates the version
/// table when missing and runs every migration not yet recorded, so an upgrade lands
/// whole or not at all.
pub(crate) fn migrate_schema(tx: &mut dyn Tx) -> Result<Vec<i64>, StoreError> {
    tx.batch(VERSION_TABLE)?;
    let applied: Vec<i64> = tx
        .query("SELECT version FROM schema_version", &[])?
        .iter()
        .filter_map(|r| r.first().and_then(|v| v.int().ok()))
        .collect();
    migrate(tx, &applied)
}

/// Runs the migrations not in `applied`, in order.
fn migrate(tx: &mut dyn Tx, applied: &[i64]) -> Result<Vec<i64>, StoreError> {
    let mut done = Vec::new();
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch(sql)?;
        tx.exec(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[Val::Int(*version)],
        )?;
        done.push(*version);
    }
    Ok(done)
}

const VERSION_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY)";

fn exists(tx: &mut dyn Tx, sql: &str, params: &[Val]) -> Result<bool, StoreError> {
    Ok(!tx.query(sql, params)?.is_empty())
}

fn next_position(tx: &mut dyn Tx, table: &str) -> Result<i64, StoreError> {
    let rows = tx.query(&format!("SELECT COUNT(*) FROM {table}"), &[])?;
    rows.first().and_then(|r| r.first()).map_or(Ok(0), Val::int)
}

/// Applies one change inside the caller's transaction.
pub(crate) fn apply_change(tx: &mut dyn Tx, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::SetProgram(p) => {
            tx.exec("DELETE FROM program", &[])?;
            tx.exec(
                "INSERT INTO program (id, organization, scope, systems) VALUES (1, $1, $2, $3)",
                &[t(&p.organization), t(&p.scope), json(&p.systems)?],
            )?;
        }
        Change::AddFramework(s) => {
            let id = t(s.framework.as_str());
            if exists(
                tx,
                "SELECT 1 FROM framework_scope WHERE framework = $1",
                std::slice::from_ref(&id),
            )? {
                return Err(StoreError::Conflict(format!(
                    "{} is already in the program's scope",
                    s.framework
                )));
            }
            let pos = next_position(tx, "framework_scope")?;
            tx.exec(
                "INSERT INTO framework_scope (framework, position, target, target_date) VALUES ($1, $2, $3, $4)",
                &[id, Val::Int(pos), json(&s.target)?, date_val(s.target_date)],
            )?;
        }
        Change::AddControl(c) => {
            if exists(tx, "SELECT 1 FROM control WHERE id = $1", &[t(&c.id)])? {
                return Err(StoreError::Conflict(format!(
                    "control `{}` already exists",
                    c.id
                )));
            }
            let pos = next_position(tx, "control")?;
            tx.exec(
                "INSERT INTO control (id, position, title, description, owner, status, frequency) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    t(&c.id),
                    Val::Int(pos),
                    t(&c.title),
                    t(&c.description),
                    t(&c.owner),
                    t(c.status.as_str()),
                    t(&c.frequency),
                ],
            )?;
        }
        Change::SetControlStatus { control, status } => {
            let n = tx.exec(
                "UPDATE control SET status = $1 WHERE id = $2",
                &[t(status.as_str()), t(control)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no control `{control}`")));
            }
        }
        Change::Link(l) => {
            if !exists(tx, "SELECT 1 FROM control WHERE id = $1", &[t(&l.control)])? {
                return Err(StoreError::NotFound(format!("no control `{}`", l.control)));
            }
            tx.exec(
                "DELETE FROM control_link WHERE control = $1 AND framework = $2 AND requirement = $3",
                &[t(&l.control), t(l.framework.as_str()), t(l.requirement.as_str())],
            )?;
            tx.exec(
                "INSERT INTO control_link (control, framework, requirement, coverage, origin) VALUES ($1, $2, $3, $4, $5)",
                &[
                    t(&l.control),
                    t(l.framework.as_str()),
                    t(l.requirement.as_str()),
                    json(&l.coverage)?,
                    json(&l.origin)?,
                ],
            )?;
        }
        Change::AddEvidence(e) => {
            if exists(tx, "SELECT 1 FROM evidence WHERE id = $1", &[t(&e.id)])? {
                return Err(StoreError::Conflict(format!(
                    "evidence `{}` already exists",
                    e.id
                )));
            }
            let pos = next_position(tx, "evidence")?;
            tx.exec(
                "INSERT INTO evidence (id, position, title, location, collected, valid_until) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    t(&e.id),
                    Val::Int(pos),
                    t(&e.title),
                    t(&e.location),
                    Val::Text(e.collected.to_string()),
                    date_val(e.valid_until),
                ],
            )?;
            for c in &e.controls {
                if !exists(tx, "SELECT 1 FROM control WHERE id = $1", &[t(c)])? {
                    return Err(StoreError::NotFound(format!(
                        "evidence `{}` names no control `{c}`",
                        e.id
                    )));
                }
                tx.exec(
                    "INSERT INTO evidence_control (evidence, control) VALUES ($1, $2)",
                    &[t(&e.id), t(c)],
                )?;
            }
        }
        Change::SignOff {
            framework,
            requirement,
            reviewer,
            on,
        } => {
            let n = tx.exec(
                "UPDATE assessment SET reviewer = $1, reviewed_on = $2 WHERE framework = $3 AND requirement = $4",
                &[
                    t(reviewer),
                    Val::Text(on.to_string()),
                    t(framework.as_str()),
                    t(requirement.as_str()),
                ],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "{framework}:{requirement} has no assessment to sign off"
                )));
            }
        }
        Change::SetPolicy(p) => {
            let pos = match tx
                .query("SELECT position FROM policy WHERE id = $1", &[t(&p.id)])?
                .first()
            {
                Some(r) => r[0].int()?,
                None => next_position(tx, "policy")?,
            };
            tx.exec("DELETE FROM policy WHERE id = $1", &[t(&p.id)])?;
            tx.exec(
                "INSERT INTO policy (id, position, title, version, owner, approved_by, approved_on, next_review, location) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    t(&p.id),
                    Val::Int(pos),
                    t(&p.title),
                    t(&p.version),
                    t(&p.owner),
                    t(&p.approved_by),
                    date_val(p.approved_on),
                    date_val(p.next_review),
                    t(&p.location),
                ],
            )?;
            let seq = next_position(tx, "policy_history")?;
            tx.exec(
                "INSERT INTO policy_history (seq, policy, record) VALUES ($1, $2, $3)",
                &[Val::Int(seq), t(&p.id), json(p)?],
            )?;
        }
        Change::SetMaturityScale(scale) => {
            tx.exec("DELETE FROM setting WHERE key = 'maturity-scale'", &[])?;
            if !scale.is_empty() {
                tx.exec(
                    "INSERT INTO setting (key, value) VALUES ('maturity-scale', $1)",
                    &[json(scale)?],
                )?;
            }
        }
        Change::Snapshot(snap) => {
            let day = Val::Text(snap.taken_on.to_string());
            tx.exec(
                "DELETE FROM readiness_snapshot WHERE taken_on = $1",
                std::slice::from_ref(&day),
            )?;
            for st in &snap.status {
                tx.exec(
                    "INSERT INTO readiness_snapshot (taken_on, framework, counts) VALUES ($1, $2, $3)",
                    &[day.clone(), t(st.framework.as_str()), json(st)?],
                )?;
            }
        }
        Change::Assess(a) => {
            let key = [t(a.framework.as_str()), t(a.requirement.as_str())];
            tx.exec(
                "DELETE FROM assessment WHERE framework = $1 AND requirement = $2",
                &key,
            )?;
            tx.exec(
                "INSERT INTO assessment (framework, requirement, applicable, justification, result, reason, maturity, assessor, assessed_on, grade) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    t(a.framework.as_str()),
                    t(a.requirement.as_str()),
                    Val::Int(i64::from(a.applicable)),
                    t(&a.justification),
                    a.result.map_or(Val::Null, |r| t(r.as_str())),
                    t(&a.reason),
                    a.maturity.map_or(Val::Null, |m| Val::Int(i64::from(m))),
                    t(&a.assessor),
                    Val::Text(a.assessed_on.to_string()),
                    a.grade.map_or(Val::Null, |g| t(g.as_str())),
                ],
            )?;
            let seq = next_position(tx, "assessment_history")?;
            tx.exec(
                "INSERT INTO assessment_history (seq, framework, requirement, record) VALUES ($1, $2, $3, $4)",
                &[
                    Val::Int(seq),
                    t(a.framework.as_str()),
                    t(a.requirement.as_str()),
                    json(&AssessmentRecord::from(a))?,
                ],
            )?;
        }
    }
    Ok(())
}

/// An assessment as kept in the history (JSON).
#[derive(serde::Serialize, serde::Deserialize)]
struct AssessmentRecord {
    applicable: bool,
    justification: String,
    result: Option<Outcome>,
    reason: String,
    maturity: Option<u8>,
    assessor: String,
    assessed_on: Date,
    #[serde(default)]
    grade: Option<Grade>,
}

impl From<&Assessment> for AssessmentRecord {
    fn from(a: &Assessment) -> Self {
        Self {
            applicable: a.applicable,
            justification: a.justification.clone(),
            result: a.result,
            reason: a.reason.clone(),
            maturity: a.maturity,
            assessor: a.assessor.clone(),
            assessed_on: a.assessed_on,
            grade: a.grade,
        }
    }
}

pub(crate) fn load(tx: &mut dyn Tx) -> Result<Program, StoreError> {
    let mut p = Program::default();
    if let Some(r) = tx
        .query("SELECT organization, scope, systems FROM program", &[])?
        .first()
    {
        p.info = Some(ProgramInfo {
            organization: r[0].text()?,
            scope: r[1].text()?,
            systems: from_json(&r[2])?,
        });
    }
    for r in tx.query(
        "SELECT framework, target, target_date FROM framework_scope ORDER BY position",
        &[],
    )? {
        p.frameworks.push(InScope {
            framework: fw_id(&r[0])?,
            target: from_json::<Target>(&r[1])?,
            target_date: parse_opt_date(&r[2])?,
        });
    }
    for r in tx.query(
        "SELECT id, title, description, owner, status, frequency FROM control ORDER BY position",
        &[],
    )? {
        let status = r[4].text()?;
        p.controls.push(Control {
            id: r[0].text()?,
            title: r[1].text()?,
            description: r[2].text()?,
            owner: r[3].text()?,
            status: ControlStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("control status `{status}`")))?,
            frequency: r[5].text()?,
        });
    }
    for r in tx.query(
        "SELECT control, framework, requirement, coverage, origin FROM control_link ORDER BY framework, requirement, control",
        &[],
    )? {
        p.links.push(ControlLink {
            control: r[0].text()?,
            framework: fw_id(&r[1])?,
            requirement: req_id(&r[2])?,
            coverage: from_json::<Coverage>(&r[3])?,
            origin: from_json::<LinkOrigin>(&r[4])?,
        });
    }
    let mut by_evidence: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for r in tx.query(
        "SELECT evidence, control FROM evidence_control ORDER BY evidence, control",
        &[],
    )? {
        by_evidence
            .entry(r[0].text()?)
            .or_default()
            .push(r[1].text()?);
    }
    for r in tx.query(
        "SELECT id, title, location, collected, valid_until FROM evidence ORDER BY position",
        &[],
    )? {
        let id = r[0].text()?;
        p.evidence.push(Evidence {
            controls: by_evidence.remove(&id).unwrap_or_default(),
            id,
            title: r[1].text()?,
            location: r[2].text()?,
            collected: parse_date(&r[3])?,
            valid_until: parse_opt_date(&r[4])?,
        });
    }
    for r in tx.query(
        "SELECT framework, requirement, applicable, justification, result, reason, maturity, assessor, assessed_on, reviewer, reviewed_on, grade FROM assessment ORDER BY framework, requirement",
        &[],
    )? {
        let result = r[4]
            .opt_text()?
            .map(|s| Outcome::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("result `{s}`"))))
            .transpose()?;
        let maturity = match &r[6] {
            Val::Null => None,
            v => Some(
                u8::try_from(v.int()?)
                    .map_err(|_| StoreError::Corrupt("maturity out of range".into()))?,
            ),
        };
        p.assessments.push(Assessment {
            framework: fw_id(&r[0])?,
            requirement: req_id(&r[1])?,
            applicable: r[2].int()? != 0,
            justification: r[3].text()?,
            result,
            reason: r[5].text()?,
            maturity,
            assessor: r[7].text()?,
            assessed_on: parse_date(&r[8])?,
            grade: r[11]
                .opt_text()?
                .map(|g| Grade::parse(&g).ok_or_else(|| StoreError::Corrupt(format!("grade `{g}`"))))
                .transpose()?,
            reviewer: r[9].opt_text()?,
            reviewed_on: parse_opt_date(&r[10])?,
        });
    }
    for r in tx.query(
        "SELECT id, title, version, owner, approved_by, approved_on, next_review, location FROM policy ORDER BY position",
        &[],
    )? {
        p.policies.push(Policy {
            id: r[0].text()?,
            title: r[1].text()?,
            version: r[2].text()?,
            owner: r[3].text()?,
            approved_by: r[4].text()?,
            approved_on: parse_opt_date(&r[5])?,
            next_review: parse_opt_date(&r[6])?,
            location: r[7].text()?,
        });
    }
    if let Some(r) = tx
        .query(
            "SELECT value FROM setting WHERE key = 'maturity-scale'",
            &[],
        )?
        .first()
    {
        p.maturity_scale = from_json(&r[0])?;
    }
    for r in tx.query(
        "SELECT taken_on, counts FROM readiness_snapshot ORDER BY taken_on, framework",
        &[],
    )? {
        let day = parse_date(&r[0])?;
        let st: FrameworkStatus = from_json(&r[1])?;
        match p.snapshots.last_mut() {
            Some(last) if last.taken_on == day => last.status.push(st),
            _ => p.snapshots.push(Snapshot {
                taken_on: day,
                status: vec![st],
            }),
        }
    }
    Ok(p)
}

pub(crate) fn history(tx: &mut dyn Tx) -> Result<Vec<Assessment>, StoreError> {
    let mut out = Vec::new();
    for r in tx.query(
        "SELECT framework, requirement, record FROM assessment_history ORDER BY seq",
        &[],
    )? {
        let rec: AssessmentRecord = from_json(&r[2])?;
        out.push(Assessment {
            framework: fw_id(&r[0])?,
            requirement: req_id(&r[1])?,
            applicable: rec.applicable,
            justification: rec.justification,
            result: rec.result,
            reason: rec.reason,
            maturity: rec.maturity,
            assessor: rec.assessor,
            assessed_on: rec.assessed_on,
            grade: rec.grade,
            reviewer: None,
            reviewed_on: None,
        });
    }
    Ok(out)
}
