//! The compliance program's use cases: init, program (show, add a framework, maturity
//! scale), controls, evidence, policies, assessments, gaps and plans. Each runs over a
//! [`Session`]: the library, a store, the clock reading of the caller.
//!
//! Writes that change one thing run targeted queries and never load the whole program;
//! reads load it once and derive everything from it in linear time.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crosswalk_core::crosswalk::Graph;
use crosswalk_core::evidence::Location;
use crosswalk_core::framework::Framework;
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::Coverage;
use crosswalk_core::plan::FrameworkPlan;
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evaluation, Evidence, FrameworkStatus,
    Freshness, Gap, Grade, InScope, Inclusion, LinkState, MaturityLevel, Outcome, Policy, Program,
    ProgramInfo, Proposal, Snapshot, Target, check_assessment, check_id, check_maturity_scale,
    check_title, propose,
};
use crosswalk_library::Catalog;
use crosswalk_store::{Change, Store};
use jiff::civil::Date;
use serde::Serialize;

use crate::standards::resolve;
use crate::{Clock, Error, Result, bail, invalid};

/// A program use case's context: the library, the store, who acts, and when.
pub struct Session<'c> {
    pub catalog: &'c Catalog,
    store: Box<dyn Store>,
    pub clock: Clock,
    /// The acting user: recorded where a record names who made it and the caller named
    /// no one (an assessment's assessor).
    pub actor: String,
    /// The program as last loaded, with its version: this session's own, or one shared by
    /// the sessions of a long-running process ([`Session::share_cache`]).
    cache: ProgramCache,
    /// The database named by the caller (where evidence files live beside a SQLite file).
    db: String,
    /// What the acting principal may see ([`Session::enter`]): reads go through
    /// [`Session::program`], which confines the program to it.
    pub(crate) view: crosswalk_core::collab::View,
    /// The acting principal's role, once [`Session::enter`]ed (none: a local user).
    pub(crate) role: Option<crate::access::Role>,
}

fn parse_date(s: &str, what: &str) -> Result<Date> {
    s.parse()
        .map_err(|e| invalid!("{what} `{s}` is not a date (YYYY-MM-DD): {e}"))
}

/// An optional `YYYY-MM-DD` given for `what` (a flag or field name).
///
/// # Errors
/// When it is not a date.
pub fn date(s: Option<&str>, what: &str) -> Result<Option<Date>> {
    s.map(|d| parse_date(d, what)).transpose()
}

/// `FW:REQ` checked against the library, with the requirement spelled as the standard
/// prints it.
///
/// # Errors
/// Not of that form, or an unknown framework or requirement.
pub fn requirement<'a>(
    catalog: &'a Catalog,
    target: &str,
) -> Result<(&'a Framework, RequirementId)> {
    let (fw, req) = target
        .split_once(':')
        .ok_or_else(|| invalid!("`{target}`: expected FRAMEWORK:REQUIREMENT, e.g. soc2:CC6.1"))?;
    let fw = resolve(catalog, fw)?;
    let r = fw.find_loose(req).ok_or_else(|| {
        invalid!(
            "`{req}` is not a requirement of {} (see `crosswalk frameworks show {}`)",
            fw.id(),
            fw.id()
        )
    })?;
    Ok((fw, r.id.clone()))
}

fn control_status(s: &str) -> Result<ControlStatus> {
    ControlStatus::parse(s).ok_or_else(|| {
        invalid!(
            "unknown status `{s}`: use {}",
            ControlStatus::ALL.map(ControlStatus::as_str).join(", ")
        )
    })
}

/// A control in a listing, with how many requirements it is linked to (accepted links).
#[derive(Debug, Serialize)]
pub struct ControlRow {
    #[serde(flatten)]
    pub control: Control,
    #[serde(skip)]
    pub links: usize,
    /// Frameworks its counted links reach.
    #[serde(skip)]
    pub frameworks: Vec<String>,
    /// Whether it has current evidence today (None: no evidence at all).
    #[serde(skip)]
    pub current: Option<bool>,
}

/// Evidence in a listing, with whether it counts today.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    #[serde(flatten)]
    pub evidence: Evidence,
    #[serde(skip)]
    pub current: bool,
}

/// A policy in a listing, with whether it is overdue today.
#[derive(Debug, Serialize)]
pub struct PolicyRow {
    #[serde(flatten)]
    pub policy: Policy,
    #[serde(skip)]
    pub overdue: bool,
}

/// `program add`: a framework and what the program aims for with it.
#[derive(Debug, Clone, Default)]
pub struct AddFramework {
    pub framework: String,
    /// `soc2-type1`, `soc2-type2`, `certification` or `compliance` (default by framework).
    pub target: Option<String>,
    pub categories: Vec<String>,
    pub date: Option<Date>,
    /// Create the proposed links (else only report them).
    pub link: bool,
    /// Accept the official and curated proposals at once (`--accept direct`); by default
    /// every proposal waits for review.
    pub accept_direct: bool,
    /// A SOC 2 Type 2's observation window in months (3–12; 6 when not given).
    pub window_months: Option<u8>,
}

/// What a plan may be asked to assume instead of what the program holds.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// The SOC 2 Type 2 observation window, in months (3–12).
    pub window_months: Option<u8>,
    /// Audit or deadline dates by framework (`soc2`, `iso27001` …), replacing the targets'.
    pub audit_dates: Vec<(String, Date)>,
}

/// Sets a SOC 2 Type 2 target's observation window.
fn set_window(target: &mut Target, months: u8, fw: &FrameworkId) -> Result<()> {
    if !(3..=12).contains(&months) {
        bail!("an observation window runs 3 to 12 months, not {months}");
    }
    match target {
        Target::Soc2 {
            report_type: 2,
            window_months,
            ..
        } => {
            *window_months = Some(months);
            Ok(())
        }
        _ => bail!("{fw} is not a SOC 2 Type 2 target, so it has no observation window"),
    }
}

/// What adding a framework inherited.
#[derive(Debug, Serialize)]
pub struct Added {
    #[serde(flatten)]
    pub proposal: Proposal,
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub by_domain: Vec<crosswalk_core::program::DomainProposal>,
    #[serde(skip)]
    pub linked: bool,
    /// Proposals accepted at once (`--accept direct`); the rest wait for review.
    pub accepted: usize,
}

/// `control add`.
#[derive(Debug, Clone, Default)]
pub struct NewControl {
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub status: String,
    pub frequency: String,
}

/// Where new evidence is.
#[derive(Debug, Clone)]
pub enum EvidenceSource {
    /// A file's content, stored by SHA-256.
    File(Vec<u8>),
    /// An http(s) URL.
    Url(String),
    /// A file spooled to disk by the caller (an upload), stored without being read into
    /// memory where the store allows; the caller removes it afterwards.
    Spooled(std::path::PathBuf),
}

/// `evidence add`.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub id: Option<String>,
    pub title: String,
    pub source: EvidenceSource,
    pub controls: Vec<String>,
    pub collected: Option<Date>,
    pub valid_until: Option<Date>,
}

/// `assess set`.
#[derive(Debug, Clone, Default)]
pub struct AssessInput {
    pub target: String,
    pub result: Option<String>,
    pub reason: String,
    pub not_applicable: bool,
    pub justification: String,
    pub maturity: Option<u8>,
    pub grade: Option<String>,
    pub assessor: String,
    /// Why an applicable control is included: `risk-treatment`, `legal`, `contractual`,
    /// `business` (the Statement of Applicability's justification for inclusion).
    pub included_for: Vec<String>,
    /// When a control not yet implemented is planned to be.
    pub planned: Option<Date>,
}

/// Readiness per framework on a date, optionally with each framework by domain.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub today: Date,
    pub frameworks: Vec<FrameworkStatus>,
    /// Per framework (its name), each top-level domain's counts.
    pub domains: Vec<(String, Vec<(String, FrameworkStatus)>)>,
}

/// The program's dashboard (`GET /api/v1/programs/{program}/dashboard`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    /// The organisation's name.
    pub program: String,
    pub today: Date,
    /// The program's version: moves with every change.
    pub version: u64,
    /// Readiness per framework in scope (as `assess status --json`).
    pub frameworks: Vec<FrameworkStatus>,
    pub controls: usize,
    pub evidence: EvidenceCounts,
    /// Open requirements across the frameworks in scope (as `gaps`).
    pub open_gaps: usize,
}

/// Evidence by freshness today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EvidenceCounts {
    pub total: usize,
    pub current: usize,
    /// Current today, but not 30 days from now: to collect again soon.
    pub expiring: usize,
    pub stale: usize,
}

/// One ranked gap (`gaps --json`).
#[derive(Debug, Serialize)]
pub struct GapRow {
    pub rank: usize,
    pub framework: String,
    pub requirement: String,
    pub title: String,
    pub domain: String,
    pub result: &'static str,
    pub frameworks_advanced: usize,
    pub also_advances: std::collections::BTreeMap<String, Vec<String>>,
}

impl GapRow {
    fn new(rank: usize, g: &Gap) -> Self {
        Self {
            rank,
            framework: g.framework.to_string(),
            requirement: g.requirement.to_string(),
            title: g.title.clone(),
            domain: g.domain.clone(),
            result: g.result.as_str(),
            frameworks_advanced: g.frameworks_advanced,
            also_advances: g.also_advances.clone(),
        }
    }
}

/// Open requirements, ranked.
#[derive(Debug)]
pub struct GapReport {
    /// All open requirements.
    pub total: usize,
    /// Frameworks in scope.
    pub frameworks: usize,
    pub rows: Vec<GapRow>,
}

/// Plans per framework in scope, their Gantt chart, and each framework's name.
#[derive(Debug)]
pub struct PlanReport {
    pub plans: Vec<FrameworkPlan>,
    pub names: Vec<String>,
    pub gantt_svg: String,
}

/// What `control import` reads from a spreadsheet.
#[derive(Debug, Clone, Default)]
pub struct ControlImport {
    pub file: PathBuf,
    pub sheet: Option<String>,
    pub header_row: usize,
    pub id_column: String,
    pub title_column: String,
    pub description_column: Option<String>,
    pub owner_column: Option<String>,
    pub status_column: Option<String>,
    pub frequency_column: Option<String>,
    pub requirements_column: Option<String>,
    pub framework: Option<String>,
    pub split: String,
}

/// What an import added.
#[derive(Debug, Serialize)]
pub struct Imported {
    pub controls: usize,
    pub links: usize,
}

/// The audit trail's name for an actor: `local` for an unnamed user of this machine.
pub(crate) fn audit_actor(actor: &str, clock: Clock) -> crosswalk_store::audit::Actor {
    crosswalk_store::audit::Actor {
        name: if actor.is_empty() { "local" } else { actor }.to_owned(),
        at: clock.now,
    }
}

/// A loaded program and the version it was loaded at, shareable between sessions.
#[derive(Clone, Default)]
pub struct ProgramCache {
    program: std::sync::Arc<std::sync::Mutex<Cached>>,
    /// The whole program's dashboard, with the version and the day it is for: kept
    /// across a session's own changes that cannot move it (a control added).
    dashboard: std::sync::Arc<std::sync::Mutex<Option<Dashboard>>>,
    /// The whole program's overview, with the version and day it is for.
    overview: std::sync::Arc<std::sync::Mutex<Option<CachedOverview>>>,
}

type CachedOverview = (u64, Date, std::sync::Arc<crate::overview::Overview>);

fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A program and the version it was loaded at.
type Loaded = (u64, std::sync::Arc<Program>);

/// The cached program, and the changes applied by this process's sessions to versions
/// past it, waiting to be folded in order (none: a change that cannot be folded).
#[derive(Default)]
struct Cached {
    loaded: Option<Loaded>,
    pending: std::collections::BTreeMap<u64, Option<Vec<Change>>>,
    /// Writes by this process's sessions committed or about to be, not yet folded.
    in_flight: u64,
}

impl Cached {
    /// Whether the program at `at` may answer a read that found the store at `version`:
    /// it is that version, or every version past it may be a write of this process still
    /// in flight (concurrent with the read). A version written by another process makes
    /// the gap larger than the writes in flight, sooner or later, and forces a reload.
    fn answers(&self, at: u64, version: u64) -> bool {
        at >= version || version - at <= self.in_flight
    }
}

impl<'c> Session<'c> {
    /// Opens the store named `db` (a SQLite path or a `postgres://` URL).
    ///
    /// # Errors
    /// When the database cannot be opened.
    pub fn open(catalog: &'c Catalog, db: &str, clock: Clock, actor: &str) -> Result<Self> {
        let mut store = crosswalk_store::open(db)?;
        let actor = actor.trim().to_owned();
        store.act_as(audit_actor(&actor, clock));
        Ok(Self {
            catalog,
            store,
            clock,
            actor,
            cache: ProgramCache::default(),
            db: db.to_owned(),
            view: crosswalk_core::collab::View::Whole,
            role: None,
        })
    }

    /// Who acts from now on, and when (a long-running caller serving many users sets this
    /// per request): records name them, and the audit trail records every change under
    /// them.
    pub fn act_as(&mut self, actor: &str, clock: Clock) {
        self.view = crosswalk_core::collab::View::Whole;
        self.role = None;
        self.actor = actor.trim().to_owned();
        self.clock = clock;
        self.store.act_as(audit_actor(&self.actor, clock));
    }

    /// Whether the audit trail is intact, naming the first bad entry.
    ///
    /// # Errors
    /// A store failure.
    pub fn audit_verify(&mut self) -> Result<crosswalk_store::audit::Verification> {
        Ok(self.store.audit_verify()?)
    }

    /// The head of the audit trail: the last entry's number and hash (cheap: no walk).
    ///
    /// # Errors
    /// A store failure.
    pub fn audit_head(&mut self) -> Result<(u64, String)> {
        Ok(self.store.audit_head()?)
    }

    /// Audit entries numbered after `after`, oldest first, at most `limit`.
    ///
    /// # Errors
    /// A store failure.
    pub fn audit_entries(
        &mut self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<crosswalk_store::audit::AuditEntry>> {
        let entries = self.store.audit_entries(after, limit)?;
        if self.view == crosswalk_core::collab::View::Whole {
            return Ok(entries);
        }
        // A confined caller reads only entries touching what it sees.
        let program = self.program()?;
        Ok(entries
            .into_iter()
            .filter(|e| crate::collab::touches(&program, &e.action, &e.target))
            .collect())
    }

    /// The store, for use cases built of several steps (the demo).
    pub fn store(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }

    /// The whole program for a long-running caller (the server): loaded once and kept
    /// with the store's version, then reloaded only when the version has moved — after a
    /// change by this session, another process, or another server on the same database.
    /// The version is read before the load, so a change landing in between only causes
    /// one more reload, never a stale answer.
    ///
    /// # Errors
    /// No program yet, or a store failure.
    pub fn program_cached(&mut self) -> Result<std::sync::Arc<Program>> {
        self.program_at().map(|(_, p)| p)
    }

    /// [`Session::program_cached`] with the version the program is at.
    fn program_at(&mut self) -> Result<Loaded> {
        let version = self.store.version()?;
        // Held while loading: sessions sharing the cache load a version once.
        let mut cache = locked(&self.cache.program);
        if let Some((v, p)) = cache.loaded.as_ref()
            && cache.answers(*v, version)
        {
            return Ok((*v, std::sync::Arc::clone(p)));
        }
        let program = self.store.load()?;
        if program.info.is_none() {
            bail!("no program in this database yet: run `crosswalk init` (or `crosswalk demo`)");
        }
        let program = std::sync::Arc::new(program);
        cache.loaded = Some((version, std::sync::Arc::clone(&program)));
        Ok((version, program))
    }

    pub(crate) fn cache_overview(&self) -> std::sync::MutexGuard<'_, Option<CachedOverview>> {
        locked(&self.cache.overview)
    }

    /// Shares `cache` with this session: the sessions of one program in a long-running
    /// process keep one copy of the program, loaded once per version.
    pub fn share_cache(&mut self, cache: ProgramCache) {
        self.cache = cache;
    }

    /// The program's version: moves with every change, by any process.
    ///
    /// # Errors
    /// A store failure.
    pub fn version(&mut self) -> Result<u64> {
        Ok(self.store.version()?)
    }

    /// The database this session was opened on.
    pub fn db(&self) -> &str {
        &self.db
    }

    pub(crate) fn apply(&mut self, changes: &[Change]) -> Result<()> {
        // Counted in flight from before the commit until folded: a read in between is
        // concurrent with this write and may be answered from the version before it.
        locked(&self.cache.program).in_flight += 1;
        let applied = self.store.apply_returning(changes);
        let applied = match applied {
            Ok(a) => a,
            Err(e) => {
                let mut cache = locked(&self.cache.program);
                cache.in_flight = cache.in_flight.saturating_sub(1);
                return Err(match e {
                    crosswalk_store::StoreError::Stale(m) => Error::Stale(m),
                    crosswalk_store::StoreError::NotFound(m) => {
                        Error::NotFound(format!("{m}; nothing was changed"))
                    }
                    e => invalid!("{e}; nothing was changed"),
                });
            }
        };
        self.fold(changes, applied.version);
        Ok(())
    }

    /// Brings the cached program up to `version` by folding in the changes this session
    /// just made, each one the program can take in memory exactly as the store did (a
    /// control added, a status set). Sessions of one process may finish their writes out
    /// of order: a change to a version past the next waits until the versions before it
    /// are folded. A change that cannot be folded, or a version written by another
    /// process, stops the folding there, and the next read reloads.
    fn fold(&mut self, changes: &[Change], version: u64) {
        let foldable = changes.iter().all(|c| {
            matches!(
                c,
                Change::AddControl(_)
                    | Change::SetControlStatus { .. }
                    | Change::ExpectControl { .. }
            )
        });
        let mut cache = locked(&self.cache.program);
        cache.in_flight = cache.in_flight.saturating_sub(1);
        let Cached {
            loaded, pending, ..
        } = &mut *cache;
        let Some((at, program)) = loaded.as_mut() else {
            pending.clear();
            return;
        };
        pending.insert(version, foldable.then(|| changes.to_vec()));
        pending.retain(|v, _| *v > *at);
        while let Some(next) = pending.remove(&(*at + 1)) {
            let Some(changes) = next else { break };
            Self::fold_one(std::sync::Arc::make_mut(program), &changes);
            // A control added (no links, no evidence yet) moves no readiness, evidence or
            // gap count: the dashboard of the version before only counts it. Anything
            // else computes it anew.
            let mut dashboard = locked(&self.cache.dashboard);
            match dashboard.as_mut() {
                Some(d)
                    if d.version == *at
                        && changes
                            .iter()
                            .all(|c| !matches!(c, Change::SetControlStatus { .. })) =>
                {
                    d.version = *at + 1;
                    d.controls += changes
                        .iter()
                        .filter(|c| matches!(c, Change::AddControl(_)))
                        .count();
                }
                _ => *dashboard = None,
            }
            *at += 1;
        }
        // Versions another process wrote never arrive: bound what waits for them.
        if pending.len() > 256 {
            pending.clear();
        }
    }

    fn fold_one(program: &mut Program, changes: &[Change]) {
        for c in changes {
            match c {
                // The store gives a new control the next position: last in the program.
                Change::AddControl(control) => program.controls.push(control.clone()),
                Change::SetControlStatus { control, status } => {
                    if let Some(c) = program.controls.iter_mut().find(|c| c.id == *control) {
                        c.status = *status;
                    }
                }
                _ => {}
            }
        }
    }

    /// What the program's dashboard shows: readiness per framework in scope (the shape
    /// of `assess status --json`), evidence freshness and the open gaps. Computed from
    /// the cached program.
    ///
    /// # Errors
    /// No program, or a store failure.
    pub fn dashboard(&mut self) -> Result<Dashboard> {
        let whole = self.view == crosswalk_core::collab::View::Whole;
        let today = self.clock.today;
        // Served without touching the program (whose copy a writer may be folding into).
        if whole {
            let version = self.store.version()?;
            let cache = locked(&self.cache.program);
            if let Some(d) = locked(&self.cache.dashboard).as_ref()
                && cache.answers(d.version, version)
                && d.today == today
            {
                return Ok(d.clone());
            }
        }
        let (version, program) = self.program_at()?;
        let program = if whole { program } else { self.program()? };
        let d = self.compute_dashboard(&program, version);
        if whole {
            *locked(&self.cache.dashboard) = Some(d.clone());
        }
        Ok(d)
    }

    fn compute_dashboard(&self, program: &Program, version: u64) -> Dashboard {
        let lib = &self.catalog.library;
        let today = self.clock.today;
        let eval = Evaluation::new(program, lib, today);
        let fresh = Freshness::new(program, today);
        let current = program.evidence.iter().filter(|e| fresh.current(e)).count();
        let later = Freshness::new(
            program,
            today
                .checked_add(jiff::Span::new().days(30))
                .unwrap_or(today),
        );
        let expiring = program
            .evidence
            .iter()
            .filter(|e| fresh.current(e) && !later.current(e))
            .count();
        let open_gaps = eval.open_count();
        Dashboard {
            program: program
                .info
                .as_ref()
                .map(|i| i.organization.clone())
                .unwrap_or_default(),
            today,
            version,
            frameworks: eval.status(lib),
            controls: program.controls.len(),
            evidence: EvidenceCounts {
                total: program.evidence.len(),
                current,
                expiring,
                stale: program.evidence.len() - current,
            },
            open_gaps,
        }
    }

    /// A stored evidence file: the item and its content, checked against its hash.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id or an item that is a link, not a file; a
    /// stored file that no longer matches its hash.
    pub fn evidence_file(&mut self, id: &str) -> Result<(Evidence, Vec<u8>)> {
        let program = self.program()?;
        let e = program
            .evidence
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no evidence `{id}`")))?;
        let Location::File(sha) = &e.location else {
            return Err(Error::NotFound(format!(
                "evidence `{id}` is a link, not a stored file"
            )));
        };
        let bytes = self.store.get_file(sha)?;
        Ok((e, bytes))
    }

    /// One control (a targeted read).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id; a store failure.
    pub fn control_record(&mut self, id: &str) -> Result<Control> {
        let hidden = self.view != crosswalk_core::collab::View::Whole
            && !self.sees(&crosswalk_core::collab::Subject::Control(id.to_owned()))?;
        self.store
            .control(id)?
            .filter(|_| !hidden)
            .ok_or_else(|| Error::NotFound(format!("no control `{id}`")))
    }

    /// Sets a control's status when its tag is still `etag` (checked in the same
    /// transaction); the control as it now is.
    ///
    /// # Errors
    /// [`Error::Stale`] when someone changed it first; an unknown control or status.
    pub fn update_control_status(
        &mut self,
        id: &str,
        status: &str,
        etag: Option<&str>,
    ) -> Result<Control> {
        let status = control_status(status)?;
        let mut changes = Vec::new();
        if let Some(etag) = etag {
            changes.push(Change::ExpectControl {
                id: id.to_owned(),
                etag: etag.to_owned(),
            });
        }
        changes.push(Change::SetControlStatus {
            control: id.to_owned(),
            status,
        });
        self.apply(&changes)?;
        self.control_record(id)
    }

    /// The whole program, which must exist.
    ///
    /// # Errors
    /// No program yet, or a store failure.
    pub fn program(&mut self) -> Result<std::sync::Arc<Program>> {
        let program = self.program_cached()?;
        if self.view == crosswalk_core::collab::View::Whole {
            return Ok(program);
        }
        Ok(std::sync::Arc::new(crosswalk_core::collab::confine(
            &program, &self.view,
        )))
    }

    /// The program, which must have a framework in scope.
    fn scoped_program(&mut self) -> Result<std::sync::Arc<Program>> {
        let program = self.program()?;
        if program.frameworks.is_empty() {
            bail!(
                "no framework in the program's scope yet: add one with `crosswalk program add FW`"
            );
        }
        Ok(program)
    }

    /// Whether the database holds a program (cheap: does not load it).
    pub(crate) fn require_program(&mut self) -> Result<()> {
        self.program_info().map(|_| ())
    }

    fn program_info(&mut self) -> Result<ProgramInfo> {
        self.store.info()?.ok_or_else(|| {
            invalid!("no program in this database yet: run `crosswalk init` (or `crosswalk demo`)")
        })
    }

    /// Creates or updates the program; `true` when it was created.
    ///
    /// # Errors
    /// A store failure.
    pub fn init(&mut self, info: ProgramInfo) -> Result<bool> {
        let organization =
            check_title("organization name", &info.organization).map_err(Error::Invalid)?;
        let info = ProgramInfo {
            organization,
            ..info
        };
        let created = self.store.info()?.is_none();
        self.apply(&[Change::SetProgram(info)])?;
        Ok(created)
    }

    /// Adds a framework to the scope and, when asked, links existing controls to it
    /// through the crosswalk.
    ///
    /// # Errors
    /// Unknown framework or target, already in scope, no program.
    pub fn add_framework(&mut self, req: &AddFramework) -> Result<Added> {
        let program = self.program()?;
        let catalog = self.catalog;
        let fw = resolve(catalog, &req.framework)?;
        let lib = &catalog.library;
        let index = lib
            .index_of(fw.id())
            .ok_or_else(|| invalid!("{} is not in the library", fw.id()))?;
        let mut target = Target::for_framework(fw, req.target.as_deref(), &req.categories)
            .map_err(Error::Invalid)?;
        if let Some(m) = req.window_months {
            set_window(&mut target, m, fw.id())?;
        }
        let graph = Graph::new(lib);
        let proposal = propose(&program, lib, &graph, index, &target);
        let by_domain = proposal.by_domain(fw, &target);
        let mut changes = vec![Change::AddFramework(InScope {
            framework: fw.id().clone(),
            target,
            target_date: req.date,
        })];
        let mut accepted = 0;
        if req.link {
            changes.extend(proposal.links.iter().cloned().map(|mut l| {
                if req.accept_direct && l.origin.is_direct() {
                    l.state = LinkState::Accepted;
                    l.reviewer = Some(self.actor.clone());
                    l.reviewed_on = Some(self.clock.today);
                    accepted += 1;
                }
                Change::Link(l)
            }));
        }
        self.apply(&changes)?;
        Ok(Added {
            by_domain,
            proposal,
            name: fw.meta.name.clone(),
            linked: req.link,
            accepted,
        })
    }

    /// Takes a framework out of the program's scope. Its links and assessments are kept,
    /// so adding it again brings them back.
    ///
    /// # Errors
    /// Unknown framework, not in scope, no program.
    pub fn remove_framework(&mut self, framework: &str) -> Result<FrameworkId> {
        let fw = resolve(self.catalog, framework)?.id().clone();
        self.require_program()?;
        self.apply(&[Change::RemoveFramework(fw.clone())])?;
        Ok(fw)
    }

    /// The maturity scale in force.
    ///
    /// # Errors
    /// No program, or a store failure.
    pub fn maturity_scale(&mut self) -> Result<Vec<MaturityLevel>> {
        Ok(self.program()?.maturity_scale())
    }

    /// Replaces the maturity scale (`None`: back to the default). `source` names where
    /// the scale came from, for messages.
    ///
    /// # Errors
    /// A bad scale, or one that leaves an assessment above its top level.
    pub fn set_maturity_scale(&mut self, scale: Option<(&str, &[u8])>) -> Result<()> {
        let program = self.program()?;
        let Some((source, bytes)) = scale else {
            return self.apply(&[Change::SetMaturityScale(Vec::new())]);
        };
        let scale: Vec<MaturityLevel> = serde_json::from_slice(bytes)
            .map_err(|e| invalid!("{source}:{}:{}: {e}", e.line(), e.column()))?;
        check_maturity_scale(&scale).map_err(|e| invalid!("{source}: {e}"))?;
        let top = scale.last().map_or(0, |l| l.level);
        if let Some(a) = program
            .assessments
            .iter()
            .find(|a| a.maturity.is_some_and(|m| m > top))
        {
            bail!(
                "{}:{} is assessed at maturity {}, above the new scale's top level {top}; nothing was changed",
                a.framework,
                a.requirement,
                a.maturity.unwrap_or(0)
            );
        }
        self.apply(&[Change::SetMaturityScale(scale)])
    }

    /// Every control, with its link count.
    ///
    /// # Errors
    /// No program, or a store failure.
    pub fn controls(&mut self) -> Result<Vec<ControlRow>> {
        let program = self.program()?;
        let mut links: HashMap<&str, (usize, Vec<String>)> = HashMap::new();
        for l in program.links.iter().filter(|l| l.counts()) {
            let e = links.entry(l.control.as_str()).or_default();
            e.0 += 1;
            let fw = l.framework.to_string();
            if !e.1.contains(&fw) {
                e.1.push(fw);
            }
        }
        let fresh = crosswalk_core::program::Freshness::new(&program, self.clock.today);
        Ok(program
            .controls
            .iter()
            .map(|c| {
                let (n, frameworks) = links.get(c.id.as_str()).cloned().unwrap_or_default();
                let current =
                    (!fresh.evidence_of(&c.id).is_empty()).then(|| fresh.has_current(&c.id));
                ControlRow {
                    control: c.clone(),
                    links: n,
                    frameworks,
                    current,
                }
            })
            .collect())
    }

    /// Adds a control.
    ///
    /// # Errors
    /// A bad id, title or status, a duplicate id, no program.
    pub fn add_control(&mut self, c: NewControl) -> Result<Control> {
        let control = Control {
            id: check_id("control id", &c.id).map_err(Error::Invalid)?,
            title: check_title("control title", &c.title).map_err(Error::Invalid)?,
            description: c.description,
            owner: c.owner.trim().to_owned(),
            status: control_status(&c.status)?,
            frequency: c.frequency.trim().to_owned(),
        };
        self.require_program()?;
        self.apply(&[Change::AddControl(control.clone())])?;
        Ok(control)
    }

    /// Links a control to requirements (`FW:REQ`), in full unless `partial`.
    ///
    /// # Errors
    /// An unknown requirement or control.
    pub fn link(&mut self, control: &str, targets: &[String], partial: bool) -> Result<usize> {
        let mut changes = Vec::new();
        for t in targets {
            let (fw, req) = requirement(self.catalog, t)?;
            changes.push(Change::Link(ControlLink::manual(
                control,
                (fw.id().clone(), req),
                if partial {
                    Coverage::Partial
                } else {
                    Coverage::Full
                },
                &self.actor,
                self.clock.today,
            )));
        }
        self.require_program()?;
        self.apply(&changes)?;
        Ok(changes.len())
    }

    /// Changes a control's status.
    ///
    /// # Errors
    /// An unknown status or control.
    pub fn set_control_status(&mut self, control: &str, status: &str) -> Result<ControlStatus> {
        let status = control_status(status)?;
        self.require_program()?;
        self.apply(&[Change::SetControlStatus {
            control: control.to_owned(),
            status,
        }])?;
        Ok(status)
    }

    /// Every piece of evidence, with whether it counts today.
    ///
    /// # Errors
    /// No program, or a store failure.
    pub fn evidence(&mut self) -> Result<Vec<EvidenceRow>> {
        let program = self.program()?;
        let fresh = Freshness::new(&program, self.clock.today);
        let current: Vec<bool> = program.evidence.iter().map(|e| fresh.current(e)).collect();
        drop(fresh);
        Ok(program
            .evidence
            .iter()
            .cloned()
            .zip(current)
            .map(|(evidence, current)| EvidenceRow { evidence, current })
            .collect())
    }

    /// Records evidence: a file stored by its SHA-256, or an http(s) link.
    ///
    /// # Errors
    /// A bad id, title or URL, an unknown control, no program, a storage failure.
    pub fn add_evidence(&mut self, e: NewEvidence) -> Result<Evidence> {
        let title = check_title("evidence title", &e.title).map_err(Error::Invalid)?;
        let id =
            e.id.as_deref()
                .map(|id| check_id("evidence id", id))
                .transpose()
                .map_err(Error::Invalid)?;
        let link = match &e.source {
            EvidenceSource::Url(u) => Some(Location::parse(u).map_err(|e| invalid!("{e}"))?),
            EvidenceSource::File(_) | EvidenceSource::Spooled(_) => None,
        };
        if e.controls.is_empty() {
            bail!("evidence proves at least one control (--control ID)");
        }
        self.require_program()?;
        let missing = self.store.control_ids_exist(&e.controls)?;
        if let Some(m) = missing.first() {
            bail!("evidence names no control `{m}`; nothing was changed");
        }
        for c in &e.controls {
            if !self.sees(&crosswalk_core::collab::Subject::Control(c.clone()))? {
                return Err(Error::Forbidden(format!(
                    "control `{c}` is not assigned to {}: evidence goes only to what is yours",
                    self.actor
                )));
            }
        }
        let location = match (e.source, link) {
            (_, Some(link)) => link,
            (EvidenceSource::File(bytes), None) => Location::File(self.store.put_file(&bytes)?),
            (EvidenceSource::Spooled(path), None) => {
                Location::File(self.store.put_file_from(&path)?)
            }
            (EvidenceSource::Url(_), None) => bail!("evidence needs a file or a link"),
        };
        let evidence = Evidence {
            id: id.unwrap_or_default(),
            title,
            location,
            collected: e.collected.unwrap_or(self.clock.today),
            valid_until: e.valid_until,
            controls: e.controls,
        };
        let applied = self
            .store
            .apply_returning(&[Change::AddEvidence(evidence.clone())])
            .map_err(|e| invalid!("{e}; nothing was changed"))?;
        Ok(Evidence {
            id: applied
                .ids
                .into_iter()
                .next()
                .unwrap_or(evidence.id.clone()),
            ..evidence
        })
    }

    /// Every policy, with whether it is overdue today.
    ///
    /// # Errors
    /// No program, or a store failure.
    pub fn policies(&mut self) -> Result<Vec<PolicyRow>> {
        let today = self.clock.today;
        Ok(self
            .program()?
            .policies
            .iter()
            .cloned()
            .map(|p| PolicyRow {
                overdue: p.overdue(today),
                policy: p,
            })
            .collect())
    }

    /// Adds a policy or records a new version of it; the next review defaults to a year
    /// after approval. Id, title and version are checked and trimmed.
    ///
    /// # Errors
    /// A bad id or title, no program.
    pub fn set_policy(&mut self, p: Policy) -> Result<Policy> {
        let policy = Policy {
            id: check_id("policy id", &p.id).map_err(Error::Invalid)?,
            title: check_title("policy title", &p.title).map_err(Error::Invalid)?,
            version: check_id("policy version", &p.version).map_err(Error::Invalid)?,
            next_review: p.next_review.or_else(|| {
                p.approved_on
                    .and_then(|d| d.checked_add(jiff::ToSpan::year(1)).ok())
            }),
            ..p
        };
        self.require_program()?;
        self.apply(&[Change::SetPolicy(policy.clone())])?;
        Ok(policy)
    }

    /// Readiness per framework in scope today, and by domain when asked.
    ///
    /// # Errors
    /// No program or no framework in scope.
    pub fn status(&mut self, domains: bool) -> Result<StatusReport> {
        let program = self.scoped_program()?;
        let lib = &self.catalog.library;
        let today = self.clock.today;
        let eval = Evaluation::new(&program, lib, today);
        let mut by_domain = Vec::new();
        if domains {
            for (index, _) in &eval.frameworks {
                by_domain.push((
                    lib.frameworks()[*index].meta.name.clone(),
                    eval.by_domain(lib, *index),
                ));
            }
        }
        Ok(StatusReport {
            today,
            frameworks: eval.status(lib),
            domains: by_domain,
        })
    }

    /// A reviewer signs off the current assessment of `FW:REQ`.
    ///
    /// # Errors
    /// An unknown requirement, no reviewer, no assessment to sign off.
    pub fn sign_off(
        &mut self,
        target: &str,
        reviewer: &str,
    ) -> Result<(FrameworkId, RequirementId)> {
        let (fw, req) = requirement(self.catalog, target)?;
        if reviewer.trim().is_empty() {
            bail!("--reviewer names who signs off");
        }
        self.require_program()?;
        self.apply(&[Change::SignOff {
            framework: fw.id().clone(),
            requirement: req.clone(),
            reviewer: reviewer.trim().to_owned(),
            on: self.clock.today,
        }])?;
        Ok((fw.id().clone(), req))
    }

    /// Records today's readiness of every framework in scope; returns how many.
    ///
    /// # Errors
    /// No program or no framework in scope.
    pub fn snapshot(&mut self) -> Result<usize> {
        let program = self.scoped_program()?;
        let today = self.clock.today;
        let status =
            Evaluation::new(&program, &self.catalog.library, today).status(&self.catalog.library);
        let n = status.len();
        self.apply(&[Change::Snapshot(Snapshot {
            taken_on: today,
            status,
        })])?;
        Ok(n)
    }

    /// The dated readiness snapshots, oldest first.
    ///
    /// # Errors
    /// No program.
    pub fn trend(&mut self) -> Result<Vec<Snapshot>> {
        Ok(self.program()?.snapshots.clone())
    }

    /// Records an assessment of `FW:REQ`.
    ///
    /// # Errors
    /// Unknown requirement, result or grade; a framework out of scope; a missing reason or
    /// justification; maturity off the scale.
    pub fn assess(&mut self, a: AssessInput) -> Result<(FrameworkId, RequirementId)> {
        let (fw, req) = requirement(self.catalog, &a.target)?;
        let scope = self.store.scope()?;
        self.require_program()?;
        if !scope.iter().any(|f| &f.framework == fw.id()) {
            bail!(
                "{} is not in the program's scope (crosswalk program add {})",
                fw.id(),
                fw.id()
            );
        }
        if a.not_applicable && !fw.excludable(req.as_str()) {
            bail!(
                "{}:{req} cannot be declared not applicable: {}; nothing was changed",
                fw.id(),
                if fw.meta.family.as_str() == "soc2" {
                    "SOC 2's common criteria always apply, and category criteria are in or out with their category (program add soc2 --category …)"
                } else {
                    "it is a management-system requirement every organisation in scope must meet"
                }
            );
        }
        let result = a
            .result
            .as_deref()
            .map(|r| {
                Outcome::parse(r).ok_or_else(|| {
                    invalid!(
                        "unknown result `{r}`: use {}",
                        Outcome::ALL.map(Outcome::as_str).join(", ")
                    )
                })
            })
            .transpose()?;
        let grade = a
            .grade
            .as_deref()
            .map(|g| {
                Grade::parse(g).ok_or_else(|| {
                    invalid!(
                        "unknown grade `{g}`: use {}",
                        Grade::ALL.map(Grade::as_str).join(", ")
                    )
                })
            })
            .transpose()?;
        let mut included_for = Vec::new();
        for i in &a.included_for {
            let i = Inclusion::parse(i.trim()).ok_or_else(|| {
                invalid!(
                    "--included-for `{i}`: use {}",
                    Inclusion::ALL.map(Inclusion::as_str).join(", ")
                )
            })?;
            if !included_for.contains(&i) {
                included_for.push(i);
            }
        }
        let assessment = Assessment {
            framework: fw.id().clone(),
            requirement: req.clone(),
            applicable: !a.not_applicable,
            justification: a.justification,
            result,
            reason: a.reason,
            maturity: a.maturity,
            assessor: if a.assessor.trim().is_empty() {
                self.actor.clone()
            } else {
                a.assessor.trim().to_owned()
            },
            assessed_on: self.clock.today,
            grade,
            reviewer: None,
            reviewed_on: None,
            included_for,
            planned: a.planned,
        };
        let mut scale = self.store.maturity_scale()?;
        if scale.is_empty() {
            scale = crosswalk_core::program::default_maturity_scale();
        }
        check_assessment(&assessment, &scale).map_err(Error::Invalid)?;
        self.apply(&[Change::Assess(assessment)])?;
        Ok((fw.id().clone(), req))
    }

    /// Open requirements ranked by how many in-scope frameworks a fix advances.
    ///
    /// # Errors
    /// No program or no framework in scope.
    pub fn gaps(&mut self, limit: usize) -> Result<GapReport> {
        let program = self.scoped_program()?;
        let lib = &self.catalog.library;
        let eval = Evaluation::new(&program, lib, self.clock.today);
        let gaps = eval.gaps(lib, &Graph::new(lib));
        Ok(GapReport {
            total: gaps.len(),
            frameworks: eval.frameworks.len(),
            rows: gaps
                .iter()
                .take(limit)
                .enumerate()
                .map(|(i, g)| GapRow::new(i + 1, g))
                .collect(),
        })
    }

    /// Phased plans per framework in scope, the audit calendar and a Gantt chart.
    ///
    /// # Errors
    /// No program or no framework in scope.
    pub fn plan(&mut self, options: &PlanOptions) -> Result<PlanReport> {
        let program = self.scoped_program()?;
        let lib = &self.catalog.library;
        let today = self.clock.today;
        let status = Evaluation::new(&program, lib, today).status(lib);
        let mut scope = program.frameworks.clone();
        if let Some(m) = options.window_months {
            let soc2 = scope
                .iter_mut()
                .find(|s| matches!(s.target, Target::Soc2 { report_type: 2, .. }));
            match soc2 {
                Some(s) => set_window(&mut s.target, m, &s.framework.clone())?,
                None => bail!(
                    "no SOC 2 Type 2 in the program's scope, so there is no observation window to set"
                ),
            }
        }
        for (name, day) in &options.audit_dates {
            let fw = resolve(self.catalog, name)?;
            let s = scope
                .iter_mut()
                .find(|s| &s.framework == fw.id())
                .ok_or_else(|| invalid!("{} is not in the program's scope", fw.id()))?;
            s.target_date = Some(*day);
        }
        let mut plans = crosswalk_core::plan::plan(lib, &scope, &status, today);
        management_events(&mut plans, &scope, &program.records, today);
        let names = plans
            .iter()
            .map(|p| {
                lib.resolve(p.framework.as_str())
                    .map_or_else(|| p.framework.to_string(), |f| f.meta.name.clone())
            })
            .collect();
        Ok(PlanReport {
            gantt_svg: crosswalk_report::svg::gantt(&plans, today),
            plans,
            names,
        })
    }

    /// Imports a control list (all or nothing, every problem with its row).
    ///
    /// # Errors
    /// Unreadable file, unknown columns, or row problems.
    pub fn import_controls(&mut self, args: &ControlImport) -> Result<Imported> {
        let program = self.program()?;
        let changes = import_controls(
            self.catalog,
            &program,
            args,
            (&self.actor, self.clock.today),
        )?;
        let controls = changes
            .iter()
            .filter(|c| matches!(c, Change::AddControl(_)))
            .count();
        self.apply(&changes)?;
        Ok(Imported {
            controls,
            links: changes.len() - controls,
        })
    }
}

/// Adds the management system's own dates to each certification plan's calendar: the next
/// internal audit and management review (a year after the last, or before the audit when
/// none was held), and the due dates of open nonconformities citing the framework.
fn management_events(
    plans: &mut [FrameworkPlan],
    scope: &[InScope],
    records: &crosswalk_core::ms::Records,
    today: Date,
) {
    use crosswalk_core::plan::{Event, plus_months};
    for p in plans.iter_mut() {
        let certification = scope
            .iter()
            .any(|s| s.framework == p.framework && s.target == Target::Certification);
        if !certification {
            continue;
        }
        let before_audit = p.target_date.unwrap_or(today);
        let last_audit = records.audits.iter().filter_map(|a| a.performed).max();
        p.calendar.push(match last_audit {
            Some(d) => Event {
                date: plus_months(d, 12),
                event: format!("Internal audit due (a year after the one on {d})"),
            },
            None => Event {
                date: before_audit,
                event:
                    "Internal audit: none held yet; one full cycle is needed before certification"
                        .into(),
            },
        });
        let last_review = records.reviews.iter().map(|r| r.held_on).max();
        p.calendar.push(match last_review {
            Some(d) => Event {
                date: plus_months(d, 12),
                event: format!("Management review due (a year after the one on {d})"),
            },
            None => Event {
                date: before_audit,
                event: "Management review: none held yet; one is needed before certification"
                    .into(),
            },
        });
        let prefix = format!("{}:", p.framework);
        for n in records
            .nonconformities
            .iter()
            .filter(|n| n.is_open() && n.requirements.iter().any(|r| r.starts_with(&prefix)))
        {
            if let Some(d) = n.due {
                p.calendar.push(Event {
                    date: d,
                    event: format!("{} corrected and checked: {}", n.id, n.title),
                });
            }
        }
        p.calendar.sort_by_key(|e| e.date);
    }
}

/// Reads a status as people write it in spreadsheets.
fn loose_status(s: &str) -> Option<ControlStatus> {
    let k = s.trim().to_lowercase().replace(['_', ' '], "-");
    ControlStatus::parse(&k).or(match k.as_str() {
        "" | "planned" | "todo" | "to-do" | "not-implemented" | "no" | "new" => {
            Some(ControlStatus::NotStarted)
        }
        "in-progress" | "wip" | "partial" | "partially-implemented" | "ongoing" => {
            Some(ControlStatus::InProgress)
        }
        "done" | "yes" | "implemented" | "in-place" | "complete" | "completed" => {
            Some(ControlStatus::Implemented)
        }
        "operational" | "effective" | "operating-effectively" | "live" => {
            Some(ControlStatus::Operating)
        }
        _ => None,
    })
}

/// The changes a control list makes; every problem is reported with its row, and none
/// are made unless there are none.
fn import_controls(
    catalog: &Catalog,
    program: &Program,
    args: &ControlImport,
    (by, on): (&str, Date),
) -> Result<Vec<Change>> {
    let name = args.file.display().to_string();
    let table =
        crosswalk_sheets::read_table(&args.file, &name, args.sheet.as_deref(), args.header_row)
            .map_err(|e| invalid!("{e}"))?;
    let col = |c: &str| -> Result<usize> {
        let parsed: crosswalk_sheets::Column =
            c.parse().map_err(|e| invalid!("column `{c}`: {e}"))?;
        table.column(&parsed).map_err(|e| invalid!("{name}: {e}"))
    };
    let opt = |c: &Option<String>| c.as_deref().map(col).transpose();
    let (id_c, title_c) = (col(&args.id_column)?, col(&args.title_column)?);
    let (desc_c, owner_c, status_c, freq_c) = (
        opt(&args.description_column)?,
        opt(&args.owner_column)?,
        opt(&args.status_column)?,
        opt(&args.frequency_column)?,
    );
    let reqs_c = opt(&args.requirements_column)?;
    let fw = args
        .framework
        .as_deref()
        .map(|f| resolve(catalog, f))
        .transpose()?;
    let cell = |row: &[String], c: Option<usize>| {
        c.map_or(String::new(), |c| {
            crosswalk_sheets::Table::cell(row, c).to_owned()
        })
    };
    let existing: HashSet<&str> = program.controls.iter().map(|c| c.id.as_str()).collect();
    let mut seen = HashMap::new();
    let mut problems = Vec::new();
    let mut controls = Vec::new();
    let mut links = Vec::new();
    for (n, row) in &table.rows {
        let at = format!("{name}:{n}");
        let id = match check_id("control id", &cell(row, Some(id_c))) {
            Ok(id) => id,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        let title = cell(row, Some(title_c)).trim().to_owned();
        if let Some(first) = seen.insert(id.clone(), *n) {
            problems.push(format!("{at}: control `{id}` is also on row {first}"));
        }
        if existing.contains(id.as_str()) {
            problems.push(format!(
                "{at}: control `{id}` already exists in the program"
            ));
        }
        if title.is_empty() {
            problems.push(format!("{at}: control `{id}` has no title"));
        } else if let Err(e) = check_title("title", &title) {
            problems.push(format!("{at}: control `{id}`: {e}"));
        }
        let raw = cell(row, status_c);
        let Some(status) = loose_status(&raw) else {
            problems.push(format!("{at}: unknown status `{raw}` (use not started, in progress, implemented or operating)"));
            continue;
        };
        if let (Some(fw), Some(_)) = (fw, reqs_c) {
            for r in cell(row, reqs_c)
                .split(args.split.as_str())
                .map(str::trim)
                .filter(|r| !r.is_empty())
            {
                match fw.find_loose(r) {
                    Some(req) => links.push(Change::Link(ControlLink::manual(
                        &id,
                        (fw.id().clone(), req.id.clone()),
                        Coverage::Full,
                        by,
                        on,
                    ))),
                    None => {
                        problems.push(format!("{at}: `{r}` is not a requirement of {}", fw.id()));
                    }
                }
            }
        }
        controls.push(Change::AddControl(Control {
            id,
            title,
            description: cell(row, desc_c),
            owner: cell(row, owner_c),
            status,
            frequency: cell(row, freq_c),
        }));
    }
    if !problems.is_empty() {
        let n = problems.len();
        return Err(crate::problems(
            format!("{n} problem(s), nothing imported"),
            problems,
            25,
        ));
    }
    if controls.is_empty() {
        bail!("{name}: no controls below the header row");
    }
    controls.extend(links);
    Ok(controls)
}

/// What an import would add, before anything is applied.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub controls: Vec<Control>,
    pub links: usize,
}

impl Session<'_> {
    /// Reads a control list as [`Session::import_controls`] does and says what it would
    /// add, changing nothing.
    ///
    /// # Errors
    /// Every problem of the file, located, as the import itself reports them.
    pub fn preview_controls(&mut self, args: &ControlImport) -> Result<ImportPreview> {
        let program = self.program()?;
        let changes = import_controls(
            self.catalog,
            &program,
            args,
            (&self.actor, self.clock.today),
        )?;
        let controls: Vec<Control> = changes
            .iter()
            .filter_map(|c| match c {
                Change::AddControl(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        Ok(ImportPreview {
            links: changes.len() - controls.len(),
            controls,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn writes_finishing_out_of_order_are_folded_in_version_order() {
        let catalog = crosswalk_library::builtin().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db").display().to_string();
        let clock = Clock {
            today: jiff::civil::date(2026, 11, 30),
            now: jiff::Timestamp::from_second(1_796_000_000).unwrap(),
        };
        let mut s = Session::open(catalog, &db, clock, "server").unwrap();
        s.init(ProgramInfo {
            organization: "Acme".into(),
            scope: String::new(),
            systems: Vec::new(),
        })
        .unwrap();
        s.program_cached().unwrap();
        let v = s.version().unwrap();
        let add = |id: &str| {
            Change::AddControl(Control {
                id: id.into(),
                title: id.into(),
                description: String::new(),
                owner: String::new(),
                status: ControlStatus::Operating,
                frequency: String::new(),
            })
        };
        // Two sessions commit v+1 and v+2; the second one's fold runs first.
        s.store().apply(&[add("X-1")]).unwrap();
        s.store().apply(&[add("X-2")]).unwrap();
        s.fold(&[add("X-2")], v + 2);
        assert_eq!(locked(&s.cache.program).loaded.as_ref().unwrap().0, v);
        s.fold(&[add("X-1")], v + 1);
        let (at, folded) = locked(&s.cache.program).loaded.clone().unwrap();
        assert_eq!(at, v + 2);
        assert_eq!(*folded, s.store().load().unwrap());
        // A version that cannot be folded stops there: the next read reloads.
        s.store().apply(&[add("X-3")]).unwrap();
        s.store()
            .apply(&[Change::SetMaturityScale(Vec::new())])
            .unwrap();
        s.fold(&[Change::SetMaturityScale(Vec::new())], v + 4);
        s.fold(&[add("X-3")], v + 3);
        assert_eq!(locked(&s.cache.program).loaded.as_ref().unwrap().0, v + 3);
        assert_eq!(*s.program_cached().unwrap(), s.store().load().unwrap());
    }
}
