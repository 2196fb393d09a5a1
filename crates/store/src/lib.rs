//! Where a program lives: a [`Store`] in domain terms, with an embedded SQLite backend
//! (the default: one file) and a PostgreSQL backend that behave the same.
//!
//! Both backends run the same schema (`schema.sql` and the migrations after it: TEXT and
//! BIGINT columns, BYTEA for file contents) and the same queries (written once, over the
//! small [`Tx`] trait); only connecting, binding and transaction control differ.
//!
//! Transactions:
//! - Every [`Store::apply`] is one write transaction: all its changes land, or none do.
//!   Writers are serialised (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped
//!   advisory lock per program taken first), so generated ids, positions and history
//!   sequence numbers are computed from committed data and never collide. A writer that
//!   finds the database locked waits and retries for a bounded time, then fails with
//!   [`StoreError::LockTimeout`] having changed nothing.
//! - Every read ([`Store::load`], [`Store::history`], [`Store::version`] …) is a read
//!   transaction: SQLite `BEGIN DEFERRED` in WAL mode (never takes the write lock, never
//!   waits for a writer), PostgreSQL `REPEATABLE READ READ ONLY` (one consistent snapshot).
//! - Every successful apply moves the program's version ([`Store::version`]) by one in the
//!   same transaction, so a long-running process can keep a loaded [`Program`] and reload
//!   only when the version moved — whoever made the change.
//! - Runs of added controls, links and evidence in an apply are checked in memory and
//!   written with multi-row statements, a few per thousands of changes, with exactly the
//!   results and errors of applying them one by one (`bulk.rs`).

mod apply;
pub mod audit;
mod bulk;
mod pg;
mod read;
pub mod registry;
mod sqlite;
pub mod webhook;

use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evidence, InScope, LinkState, MaturityLevel,
    Policy, Program, ProgramInfo, Snapshot,
};
use crosswalk_core::risk::{Risk, RiskMatrix};
use jiff::civil::Date;

pub use crosswalk_core::evidence::{InvalidSha256, Sha256};
pub use pg::{PgStore, redact};
pub use sqlite::SqliteStore;

/// Migrations in order; each runs once and is recorded in `schema_version`; all pending
/// ones run in one transaction on open. Append only: never edit one that has shipped.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("schema.sql")),
    (2, include_str!("migration_2.sql")),
    (3, include_str!("migration_3.sql")),
    (4, include_str!("migration_4.sql")),
    (5, include_str!("migration_5.sql")),
    (6, include_str!("migration_6.sql")),
    (7, include_str!("migration_7.sql")),
    (8, include_str!("migration_8.sql")),
    (9, include_str!("migration_9.sql")),
    (10, include_str!("migration_10.sql")),
    (11, include_str!("migration_11.sql")),
    (12, include_str!("migration_12.sql")),
    (13, include_str!("migration_13.sql")),
    (14, include_str!("migration_14.sql")),
    (15, include_str!("migration_15.sql")),
];

/// What went wrong, in terms a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {target}: {message}")]
    Open { target: String, message: String },
    /// The database was locked at one attempt. The backends retry on this internally and
    /// report [`StoreError::LockTimeout`] when the lock is not released in time.
    #[error("the database is locked by another process (try again when it has finished)")]
    Locked,
    #[error("database error: {0}")]
    Database(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// A precondition of the apply no longer holds (someone changed the thing first).
    #[error("{0}")]
    Stale(String),
    #[error("the database holds a value crosswalk cannot read: {0}")]
    Corrupt(String),
    /// Another process held the lock for longer than the store waits (about 10–15 s by
    /// default); the transaction was not run.
    #[error("the database stayed locked by another process for {seconds} s; nothing was changed")]
    LockTimeout { seconds: u64 },
    /// A stored file whose content no longer matches its address.
    #[error("stored file for sha256:{expected} is corrupt: its content hashes to {actual}")]
    CorruptFile { expected: Sha256, actual: Sha256 },
    /// A stored file could not be written or read.
    #[error("{0}")]
    File(String),
}

/// One change to a program. A list of changes is applied in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Creates or replaces the program's description.
    SetProgram(ProgramInfo),
    /// Adds a framework to the scope (an error if it is already in scope).
    AddFramework(InScope),
    /// Takes a framework out of the scope (an error if it is not in scope). Its links and
    /// assessments are kept, so adding it again restores them.
    RemoveFramework(FrameworkId),
    /// Adds a control (an error if its id exists).
    AddControl(Control),
    /// Refuses the whole apply with [`StoreError::Stale`] unless control `id` exists and
    /// its [`Control::etag`](crosswalk_core::program::Control::etag) is `etag`: the check
    /// and the changes after it run in one transaction, so no update is ever lost.
    ExpectControl { id: String, etag: String },
    /// Changes a control's status.
    SetControlStatus {
        control: String,
        status: ControlStatus,
    },
    /// Links a control to a requirement. A manual link replaces an existing link between
    /// the two; a link from the crosswalk never replaces one (it is dropped when the pair
    /// is linked already, in any state). The store numbers new links (`L-<n>`, never
    /// reused); the link's `id` is ignored.
    Link(ControlLink),
    /// Removes the link between a control and a requirement (an error if there is none).
    Unlink {
        control: String,
        framework: FrameworkId,
        requirement: RequirementId,
    },
    /// Sets the review state of links by number, recording who reviewed them and when (an
    /// error naming the first number that is no link).
    ReviewLinks {
        ids: Vec<u64>,
        state: LinkState,
        reviewer: String,
        on: Date,
    },
    /// Records evidence for existing controls (an error if its id exists). An empty `id`
    /// asks the store for one: `EV-<n>`, generated inside the transaction from a counter
    /// that never goes back, and reported by [`Store::apply_returning`].
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
    /// Adds a risk or records a new version of it (the history keeps every version). An
    /// empty id asks the store for `R-<n>` (a counter that never goes back), reported by
    /// [`Store::apply_returning`].
    SetRisk(Risk),
    /// Sets the risk matrix (none: back to the default).
    SetRiskMatrix(Option<RiskMatrix>),
    /// Maps a scanner check to controls (existing ones), adding to its mappings.
    MapCheck {
        check: String,
        controls: Vec<String>,
    },
    /// Removes a check's mapping to a control (an error if there is none).
    UnmapCheck { check: String, control: String },
    /// Records an exception to a check (replacing one for the same check and resource).
    SetException(crosswalk_core::monitor::CheckException),
    /// Records a file of scanner results (a conflict when a file with that SHA-256 was
    /// imported already).
    ImportResults {
        sha256: Sha256,
        imported_at: jiff::Timestamp,
        batch: crosswalk_core::monitor::Batch,
    },
    /// Records a snapshot of exported system data (its file stored first with
    /// [`Store::put_file`]); a conflict when it is the dataset's latest snapshot already.
    AddSnapshot(crosswalk_core::monitor::DataSnapshot),
    /// Notes the status changes a run found (nothing stored beyond the audit trail, whose
    /// entry `monitor.drift` reaches webhooks).
    RecordDrift {
        run: String,
        drift: Vec<crosswalk_core::monitor::Drift>,
    },
    /// Adds a management-system record or records a new version of it (the history keeps
    /// every version). An empty id asks the store for `IA-<n>`, `NC-<n>` or `MR-<n>`,
    /// reported by [`Store::apply_returning`].
    SetRecord(crosswalk_core::ms::Record),
    /// Adds a finding to an internal audit and, when given, raises its nonconformity
    /// (numbered `NC-<n>`, reported by [`Store::apply_returning`], and named in the
    /// finding) in the same transaction; an audit not yet performed is marked performed
    /// on `performed_on`.
    AddFinding {
        audit: String,
        finding: crosswalk_core::ms::Finding,
        nonconformity: Option<crosswalk_core::ms::Nonconformity>,
        performed_on: Date,
    },
    /// Adds or replaces an assignment, comment, evidence request or engagement. An empty
    /// id asks the store for `CM-<n>`, `ER-<n>` or `AE-<n>`, reported by
    /// [`Store::apply_returning`]. Assignments are keyed by subject.
    Collab(crosswalk_core::collab::Item),
    /// Removes the assignment of a subject (an error if there is none).
    Unassign(crosswalk_core::collab::Subject),
    /// Moves evidence request `id` one step, by the state machine
    /// ([`EvidenceRequest::advance`](crosswalk_core::collab::EvidenceRequest::advance)),
    /// on the request as stored: two concurrent moves cannot both succeed from one state.
    MoveRequest {
        id: String,
        step: crosswalk_core::collab::Step,
    },
    /// Adds an outgoing webhook (numbered `WH-<n>` when its id is empty), delivering from
    /// the next audit entry on.
    AddWebhook(webhook::NewWebhook),
    /// Removes a webhook (an error if there is none).
    RemoveWebhook(String),
}

/// What a committed [`Store::apply_returning`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The program's version after the change ([`Store::version`]).
    pub version: u64,
    /// The ids the store generated, in the order of the changes that asked for them.
    pub ids: Vec<String>,
}

/// A program's storage. Each handle is one connection; open one per thread (handles are
/// `Send`, so a pool of threads can own them).
pub trait Store: Send {
    /// Everything the program holds, as one consistent snapshot.
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn load(&mut self) -> Result<Program, StoreError>;

    /// Applies the changes in one transaction: all or nothing.
    ///
    /// # Errors
    /// A change that conflicts (duplicate id) or names something missing; nothing is
    /// changed then.
    fn apply(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        self.apply_returning(changes).map(|_| ())
    }

    /// Applies the changes in one transaction, as [`Store::apply`], and reports the new
    /// version and the ids generated. An empty list changes nothing and leaves the
    /// version where it was.
    ///
    /// # Errors
    /// As [`Store::apply`].
    fn apply_returning(&mut self, changes: &[Change]) -> Result<Applied, StoreError>;

    /// Who the following changes are made by, and when: every applied change is appended
    /// to the audit trail under this actor (until set: `system`, at the database server's
    /// time).
    fn act_as(&mut self, actor: audit::Actor);

    /// Walks the audit trail and says whether it is intact, naming the first bad entry.
    ///
    /// # Errors
    /// Database failures.
    fn audit_verify(&mut self) -> Result<audit::Verification, StoreError>;

    /// The head of the audit trail: the last entry's number and hash (0 and the genesis
    /// hash for an empty trail).
    ///
    /// # Errors
    /// Database failures.
    fn audit_head(&mut self) -> Result<(u64, String), StoreError>;

    /// Audit entries numbered after `after`, oldest first, at most `limit`.
    ///
    /// # Errors
    /// Database failures.
    fn audit_entries(
        &mut self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<audit::AuditEntry>, StoreError>;

    /// The program's outgoing webhooks with their delivery state.
    ///
    /// # Errors
    /// Database failures.
    fn webhooks(&mut self) -> Result<Vec<webhook::Webhook>, StoreError>;

    /// Takes the lease, until `now + lease` (Unix seconds), on a webhook that has audit
    /// entries to deliver and is due: no other process takes it meanwhile.
    ///
    /// # Errors
    /// Database failures.
    fn webhook_claim(
        &mut self,
        now: i64,
        lease: i64,
    ) -> Result<Option<webhook::Webhook>, StoreError>;

    /// Records a delivery attempt of webhook `id` and releases its lease.
    ///
    /// # Errors
    /// Database failures.
    fn webhook_record(&mut self, id: &str, attempt: &webhook::Attempt) -> Result<(), StoreError>;

    /// Every assessment record kept, oldest first (for trends).
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn history(&mut self) -> Result<Vec<Assessment>, StoreError>;

    /// Every version of policy `id` ever recorded, oldest first (empty: no such policy).
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn policy_history(&mut self, id: &str) -> Result<Vec<Policy>, StoreError>;

    /// When the results file with this SHA-256 was imported, if it was.
    ///
    /// # Errors
    /// Database failures.
    fn results_imported(&mut self, sha256: &Sha256) -> Result<Option<String>, StoreError>;

    /// The latest status of every (check, resource) in the results a tool recorded (our
    /// own checks are the tool `crosswalk`), to tell drift from the run before.
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn latest_statuses(
        &mut self,
        tool: &str,
    ) -> Result<Vec<(String, String, crosswalk_core::monitor::Status)>, StoreError>;

    /// Every version of risk `id` ever recorded, oldest first (empty: no such risk).
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn risk_history(&mut self, id: &str) -> Result<Vec<Risk>, StoreError>;

    /// The program's version: moves by one with every committed apply, by any process.
    ///
    /// # Errors
    /// Database failures.
    fn version(&mut self) -> Result<u64, StoreError>;

    /// The program's description, when set.
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn info(&mut self) -> Result<Option<ProgramInfo>, StoreError>;

    /// The frameworks in scope, in the order they were added.
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn scope(&mut self) -> Result<Vec<InScope>, StoreError>;

    /// The stored maturity scale (empty: the default one is in force).
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn maturity_scale(&mut self) -> Result<Vec<MaturityLevel>, StoreError>;

    /// One control by id (a targeted read; none when there is no such control).
    ///
    /// # Errors
    /// Database failures, or stored values that do not parse.
    fn control(&mut self, id: &str) -> Result<Option<Control>, StoreError>;

    /// Which of `ids` name no control, in the order given (empty: all exist).
    ///
    /// # Errors
    /// Database failures.
    fn control_ids_exist(&mut self, ids: &[String]) -> Result<Vec<String>, StoreError>;

    /// Stores a file's content by its SHA-256 and returns the hash (the address the
    /// evidence's `location` names as `sha256:<hex>`). Storing the same content twice
    /// keeps one copy. SQLite: `evidence/<2 hex>/<hex>` beside the database file,
    /// written to a temporary file, synced and renamed into place. PostgreSQL: the
    /// `evidence_file` table.
    ///
    /// # Errors
    /// When the file cannot be written.
    fn put_file(&mut self, bytes: &[u8]) -> Result<Sha256, StoreError>;

    /// Stores the content of the file at `path` as [`Store::put_file`] does, reading it as
    /// a stream where the backend allows (SQLite: the file is hashed and copied, never held
    /// whole in memory).
    ///
    /// # Errors
    /// When the file cannot be read or stored.
    fn put_file_from(&mut self, path: &std::path::Path) -> Result<Sha256, StoreError>;

    /// A stored file's content, checked against its hash.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when nothing is stored under `sha`,
    /// [`StoreError::CorruptFile`] when what is stored does not hash to `sha`.
    fn get_file(&mut self, sha: &Sha256) -> Result<Vec<u8>, StoreError>;
}

/// Implements [`Store`] for a backend with `read` and `write` methods running a closure
/// in a read or write transaction (retrying it when the backend says so) and
/// `put_file_impl` / `get_file_impl`.
macro_rules! store_over_transactions {
    ($backend:ty) => {
        impl $crate::Store for $backend {
            fn load(&mut self) -> Result<crosswalk_core::program::Program, $crate::StoreError> {
                self.read(|tx| $crate::read::load(tx))
                    .map_err(|e| $crate::in_context(e, "loading the program"))
            }

            fn apply_returning(
                &mut self,
                changes: &[$crate::Change],
            ) -> Result<$crate::Applied, $crate::StoreError> {
                if changes.is_empty() {
                    return Ok($crate::Applied {
                        version: self.version()?,
                        ids: Vec::new(),
                    });
                }
                let mut one_by_one = false;
                let actor = self.actor.clone();
                match self.write(|tx| {
                    $crate::apply::apply_all(tx, changes, actor.as_ref(), &mut one_by_one)
                }) {
                    // Something only the one-by-one path reports exactly: that attempt was
                    // rolled back; apply the changes one at a time.
                    Err($crate::StoreError::Database(_) | $crate::StoreError::Corrupt(_))
                        if one_by_one =>
                    {
                        self.write(|tx| $crate::apply::apply_each(tx, changes, actor.as_ref()))
                    }
                    other => other,
                }
            }

            fn act_as(&mut self, actor: $crate::audit::Actor) {
                self.actor = Some(actor);
            }

            fn audit_verify(&mut self) -> Result<$crate::audit::Verification, $crate::StoreError> {
                self.read(|tx| $crate::audit::verify(tx))
                    .map_err(|e| $crate::in_context(e, "verifying the audit trail"))
            }

            fn audit_head(&mut self) -> Result<(u64, String), $crate::StoreError> {
                self.read(|tx| $crate::audit::head(tx))
                    .map_err(|e| $crate::in_context(e, "reading the audit trail's head"))
            }

            fn audit_entries(
                &mut self,
                after: u64,
                limit: usize,
            ) -> Result<Vec<$crate::audit::AuditEntry>, $crate::StoreError> {
                self.read(|tx| $crate::audit::entries(tx, after, limit))
                    .map_err(|e| $crate::in_context(e, "reading the audit trail"))
            }

            fn webhooks(&mut self) -> Result<Vec<$crate::webhook::Webhook>, $crate::StoreError> {
                self.read(|tx| $crate::webhook::list(tx))
                    .map_err(|e| $crate::in_context(e, "reading the webhooks"))
            }

            fn webhook_claim(
                &mut self,
                now: i64,
                lease: i64,
            ) -> Result<Option<$crate::webhook::Webhook>, $crate::StoreError> {
                self.write(|tx| $crate::webhook::claim(tx, now, lease))
                    .map_err(|e| $crate::in_context(e, "taking a webhook's lease"))
            }

            fn webhook_record(
                &mut self,
                id: &str,
                attempt: &$crate::webhook::Attempt,
            ) -> Result<(), $crate::StoreError> {
                self.write(|tx| $crate::webhook::record(tx, id, attempt))
                    .map_err(|e| $crate::in_context(e, "recording a webhook delivery"))
            }

            fn history(
                &mut self,
            ) -> Result<Vec<crosswalk_core::program::Assessment>, $crate::StoreError> {
                self.read(|tx| $crate::read::history(tx))
                    .map_err(|e| $crate::in_context(e, "reading the assessment history"))
            }

            fn policy_history(
                &mut self,
                id: &str,
            ) -> Result<Vec<crosswalk_core::program::Policy>, $crate::StoreError> {
                self.read(|tx| $crate::read::policy_history(tx, id))
                    .map_err(|e| $crate::in_context(e, "reading the policy history"))
            }

            fn latest_statuses(
                &mut self,
                tool: &str,
            ) -> Result<Vec<(String, String, crosswalk_core::monitor::Status)>, $crate::StoreError>
            {
                self.read(|tx| $crate::read::latest_statuses(tx, tool))
                    .map_err(|e| $crate::in_context(e, "reading the latest check results"))
            }

            fn results_imported(
                &mut self,
                sha256: &$crate::Sha256,
            ) -> Result<Option<String>, $crate::StoreError> {
                self.read(|tx| {
                    $crate::query_one(
                        tx,
                        "SELECT imported_at FROM result_import WHERE sha256 = $1",
                        &[$crate::Val::Text(sha256.to_string())],
                        |r| r.string(0),
                    )
                })
                .map_err(|e| $crate::in_context(e, "reading the result imports"))
            }

            fn risk_history(
                &mut self,
                id: &str,
            ) -> Result<Vec<crosswalk_core::risk::Risk>, $crate::StoreError> {
                self.read(|tx| $crate::read::risk_history(tx, id))
                    .map_err(|e| $crate::in_context(e, "reading the risk history"))
            }

            fn version(&mut self) -> Result<u64, $crate::StoreError> {
                self.read(|tx| $crate::read::version(tx))
                    .map_err(|e| $crate::in_context(e, "reading the program version"))
            }

            fn info(
                &mut self,
            ) -> Result<Option<crosswalk_core::program::ProgramInfo>, $crate::StoreError> {
                self.read(|tx| $crate::read::info(tx))
                    .map_err(|e| $crate::in_context(e, "reading the program description"))
            }

            fn scope(
                &mut self,
            ) -> Result<Vec<crosswalk_core::program::InScope>, $crate::StoreError> {
                self.read(|tx| $crate::read::scope(tx))
                    .map_err(|e| $crate::in_context(e, "reading the program's scope"))
            }

            fn maturity_scale(
                &mut self,
            ) -> Result<Vec<crosswalk_core::program::MaturityLevel>, $crate::StoreError> {
                self.read(|tx| $crate::read::maturity_scale(tx))
                    .map_err(|e| $crate::in_context(e, "reading the maturity scale"))
            }

            fn control(
                &mut self,
                id: &str,
            ) -> Result<Option<crosswalk_core::program::Control>, $crate::StoreError> {
                self.read(|tx| $crate::read::control(tx, id))
                    .map_err(|e| $crate::in_context(e, "reading a control"))
            }

            fn control_ids_exist(
                &mut self,
                ids: &[String],
            ) -> Result<Vec<String>, $crate::StoreError> {
                self.read(|tx| $crate::read::missing_controls(tx, ids))
                    .map_err(|e| $crate::in_context(e, "looking up controls"))
            }

            fn put_file(&mut self, bytes: &[u8]) -> Result<$crate::Sha256, $crate::StoreError> {
                self.put_file_impl(bytes)
            }

            fn put_file_from(
                &mut self,
                path: &std::path::Path,
            ) -> Result<$crate::Sha256, $crate::StoreError> {
                self.put_file_from_impl(path)
            }

            fn get_file(&mut self, sha: &$crate::Sha256) -> Result<Vec<u8>, $crate::StoreError> {
                self.get_file_impl(sha)
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

/// The SHA-256 of a file's content, read in blocks.
pub(crate) fn hash_file(path: &std::path::Path) -> std::io::Result<Sha256> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(Sha256::from_digest(hasher.finalize().into()))
}

/// Says which operation failed in database and decoding errors; the other variants
/// already say what they are about.
pub(crate) fn in_context(e: StoreError, what: &str) -> StoreError {
    match e {
        StoreError::Database(m) => StoreError::Database(format!("{what}: {m}")),
        StoreError::Corrupt(m) => StoreError::Corrupt(format!("{m} (while {what})")),
        other => other,
    }
}

/// A value bound to a query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
    Null,
}

/// A value read from a row, borrowed from the backend's buffers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

impl Cell<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Cell::Null => "NULL",
            Cell::Int(_) => "a number",
            Cell::Text(_) => "text",
            Cell::Bytes(_) => "bytes",
        }
    }
}

/// One row of a result, read in place.
pub(crate) trait Row {
    fn cell(&self, i: usize) -> Result<Cell<'_>, StoreError>;

    fn text(&self, i: usize) -> Result<&str, StoreError> {
        match self.cell(i)? {
            Cell::Text(s) => Ok(s),
            other => Err(StoreError::Corrupt(format!(
                "expected text in column {i}, found {}",
                other.kind()
            ))),
        }
    }

    fn string(&self, i: usize) -> Result<String, StoreError> {
        self.text(i).map(str::to_owned)
    }

    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.cell(i)? {
            Cell::Int(n) => Ok(n),
            other => Err(StoreError::Corrupt(format!(
                "expected a number in column {i}, found {}",
                other.kind()
            ))),
        }
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    fn bytes(&self, i: usize) -> Result<&[u8], StoreError> {
        match self.cell(i)? {
            Cell::Bytes(b) => Ok(b),
            Cell::Text(s) => Ok(s.as_bytes()),
            other => Err(StoreError::Corrupt(format!(
                "expected bytes in column {i}, found {}",
                other.kind()
            ))),
        }
    }
}

/// A callback receiving each row of a result in turn.
pub(crate) type EachRow<'f> = &'f mut dyn FnMut(&dyn Row) -> Result<(), StoreError>;

/// The operations the shared queries need from a backend's transaction. SQL uses `$1`,
/// `$2` … placeholders, each once and in order.
pub(crate) trait Tx {
    /// Runs statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Runs one statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError>;
    /// Runs a query, handing each row to `each` as it is read (nothing is materialised).
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Val],
        each: EachRow<'_>,
    ) -> Result<(), StoreError>;
}

/// The first row of a query, turned into a value by `f`.
pub(crate) fn query_one<T>(
    tx: &mut dyn Tx,
    sql: &str,
    params: &[Val],
    mut f: impl FnMut(&dyn Row) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut out = None;
    tx.query_each(sql, params, &mut |r| {
        if out.is_none() {
            out = Some(f(r)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Every row of a query, each turned into a value by `f`.
pub(crate) fn query_all<T>(
    tx: &mut dyn Tx,
    sql: &str,
    params: &[Val],
    mut f: impl FnMut(&dyn Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    tx.query_each(sql, params, &mut |r| {
        out.push(f(r)?);
        Ok(())
    })?;
    Ok(out)
}

/// Whether a query returns a row.
pub(crate) fn exists(tx: &mut dyn Tx, sql: &str, params: &[Val]) -> Result<bool, StoreError> {
    Ok(query_one(tx, sql, params, |_| Ok(()))?.is_some())
}

/// The versions of `schema_version`, for a caller that knows the table exists.
pub(crate) fn applied_migrations(tx: &mut dyn Tx) -> Result<Vec<i64>, StoreError> {
    let mut applied = Vec::new();
    tx.query_each("SELECT version FROM schema_version", &[], &mut |r| {
        applied.push(r.int(0)?);
        Ok(())
    })?;
    Ok(applied)
}

/// Whether some migration is not in `applied`.
pub(crate) fn migrations_pending(applied: &[i64]) -> bool {
    MIGRATIONS.iter().any(|(v, _)| !applied.contains(v))
}

/// Brings the schema up to date inside the caller's transaction: creates the version
/// table when missing and runs every migration not yet recorded, so an upgrade lands
/// whole or not at all.
pub(crate) fn migrate_schema(tx: &mut dyn Tx) -> Result<Vec<i64>, StoreError> {
    tx.batch(VERSION_TABLE)?;
    let applied = applied_migrations(tx)?;
    migrate(tx, &applied)
}

/// Runs the migrations not in `applied`, in order.
fn migrate(tx: &mut dyn Tx, applied: &[i64]) -> Result<Vec<i64>, StoreError> {
    let mut done = Vec::new();
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch(sql)
            .map_err(|e| in_context(e, &format!("upgrading the schema to version {version}")))?;
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

/// A short pause before retrying, growing with `attempt` (0, 1, 2 …) up to `cap_ms`, with
/// some jitter so that waiting processes do not retry in lockstep.
pub(crate) fn backoff(attempt: u32, cap_ms: u64) -> std::time::Duration {
    let base = 5u64.saturating_mul(1u64 << attempt.min(10)).min(cap_ms);
    // A randomly keyed hasher: different in every process and call.
    let random =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), attempt);
    let jitter = random % (base / 2 + 1);
    std::time::Duration::from_millis(base + jitter)
}
