//! The server backend: PostgreSQL.
//!
//! Reads run in `REPEATABLE READ READ ONLY` transactions: one consistent snapshot per
//! call. Writes run in `READ COMMITTED` transactions that first take a transaction-scoped
//! advisory lock for the program (see [`PROGRAM_LOCK`]), so writers to one program queue
//! one behind the other — across processes and servers — and each statement after the
//! lock sees everything committed before it. Serialization failures (40001) and deadlocks
//! (40P01) are retried on a fresh transaction a bounded number of times; waiting longer
//! than the lock wait (15 s by default) for the lock fails with
//! [`StoreError::LockTimeout`].

use std::collections::HashMap;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, WrongType};
use postgres::{Client, IsolationLevel, NoTls, Statement, Transaction};

use crate::{Cell, EachRow, Row, Sha256, StoreError, Tx, Val};

/// Serialises schema changes between processes migrating the same database at once.
const MIGRATION_LOCK: i64 = 0x6372_6f73_7377_616c;

/// The first key of the program's writer lock: `pg_advisory_xact_lock(PROGRAM_LOCK,
/// 'program_version'::regclass::oid::int)`. A program is the set of tables the connection
/// reaches (today one program per database, through its `search_path`); its
/// `program_version` table's OID names it exactly, so every writer of the same program
/// takes the same lock whatever its search path says, and programs kept in different
/// schemas of one database do not wait for each other.
pub const PROGRAM_LOCK: i32 = 0x6377_7072;

/// How many times a transaction is run when the server reports a serialization failure
/// or a deadlock.
const MAX_ATTEMPTS: u32 = 5;

/// How long a writer waits for the program lock by default.
const LOCK_WAIT: Duration = Duration::from_secs(15);

/// A program in a PostgreSQL database.
pub struct PgStore {
    client: Client,
    /// Statements prepared on this connection, by SQL text.
    statements: HashMap<String, Statement>,
    lock_wait: Duration,
    /// Write transactions plan their statements once (`plan_cache_mode`, PostgreSQL 12 on).
    generic_plans: bool,
    /// Who changes are recorded as made by in the audit trail.
    actor: Option<crate::audit::Actor>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `REPEATABLE READ READ ONLY`.
    Read,
    /// `READ COMMITTED` holding the program lock.
    Write,
    /// `READ COMMITTED`, no program lock (migrations take their own; file contents need
    /// none).
    Plain,
}

/// A message saying what the server said: message, detail, hint and SQLSTATE; for
/// client-side failures, the whole chain of causes.
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = db.message().to_owned();
        if let Some(d) = db.detail() {
            m.push_str(&format!(" ({d})"));
        }
        if let Some(h) = db.hint() {
            m.push_str(&format!("; hint: {h}"));
        }
        m.push_str(&format!(" [SQLSTATE {}]", db.code().code()));
        return m;
    }
    let mut m = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !m.contains(&s_text) {
            m.push_str(": ");
            m.push_str(&s_text);
        }
        source = s.source();
    }
    m
}

/// Keeps the SQLSTATE of a failure (for the retry decision) and describes it.
fn record(failed: &mut Option<SqlState>, e: &postgres::Error) -> StoreError {
    if let Some(code) = e.code() {
        *failed = Some(code.clone());
    }
    StoreError::Database(describe(e))
}

impl PgStore {
    /// Connects and brings the schema up to date. When the schema is current, connecting
    /// takes no lock.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the connection, or a migration fails.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let client = Client::connect(url, NoTls).map_err(|e| StoreError::Open {
            target: redact(url),
            message: describe(&e),
        })?;
        let mut store = Self {
            client,
            statements: HashMap::new(),
            lock_wait: LOCK_WAIT,
            actor: None,
            generic_plans: false,
        };
        let (pending, server) = store
            .read(|tx| {
                let server = crate::query_one(
                    tx,
                    "SELECT current_setting('server_version_num')",
                    &[],
                    |r| Ok(r.text(0)?.parse::<i64>().unwrap_or(0)),
                )?
                .unwrap_or(0);
                let has_versions = crate::exists(
                    tx,
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'",
                    &[],
                )?;
                let pending =
                    !has_versions || crate::migrations_pending(&crate::applied_migrations(tx)?);
                Ok((pending, server))
            })
            .map_err(|e| crate::in_context(e, "reading the schema version"))?;
        store.generic_plans = server >= 120_000;
        if pending {
            store.run(Mode::Plain, |tx| {
                tx.exec(
                    "SELECT pg_advisory_xact_lock($1)",
                    &[Val::Int(MIGRATION_LOCK)],
                )?;
                crate::migrate_schema(tx).map(|_| ())
            })?;
        }
        Ok(store)
    }

    /// How long a writer waits for another writer of the program (PostgreSQL's
    /// `lock_timeout` inside write transactions; 15 s by default) before it fails with
    /// [`StoreError::LockTimeout`].
    pub fn set_lock_wait(&mut self, wait: Duration) {
        self.lock_wait = wait;
    }

    pub(crate) fn read<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(Mode::Read, f)
    }

    pub(crate) fn write<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(Mode::Write, f)
    }

    /// Runs `f` in a transaction of `mode`, again on a fresh one after a serialization
    /// failure or deadlock.
    fn run<T>(
        &mut self,
        mode: Mode,
        mut f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut attempt = 0;
        loop {
            let mut failed = None;
            let result = self.attempt(mode, &mut f, &mut failed);
            let Err(e) = result else {
                return result;
            };
            match failed {
                Some(state)
                    if (state == SqlState::T_R_SERIALIZATION_FAILURE
                        || state == SqlState::T_R_DEADLOCK_DETECTED)
                        && attempt + 1 < MAX_ATTEMPTS =>
                {
                    std::thread::sleep(crate::backoff(attempt, 500));
                    attempt += 1;
                }
                Some(state) if state == SqlState::LOCK_NOT_AVAILABLE => {
                    return Err(StoreError::LockTimeout {
                        seconds: self.lock_wait.as_secs_f64().round() as u64,
                    });
                }
                _ => return Err(e),
            }
        }
    }

    fn attempt<T>(
        &mut self,
        mode: Mode,
        f: &mut impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
        failed: &mut Option<SqlState>,
    ) -> Result<T, StoreError> {
        let lock_ms = self.lock_wait.as_millis().max(1);
        // Writes run the same few statements over and over with new values (multi-row
        // inserts and `IN` lists of thousands of parameters among them): planning them
        // once, not per execution, makes big applies markedly faster.
        let plans = if self.generic_plans {
            "SET LOCAL plan_cache_mode = force_generic_plan; "
        } else {
            ""
        };
        let builder = self.client.build_transaction();
        let builder = match mode {
            Mode::Read => builder
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true),
            Mode::Write | Mode::Plain => builder.isolation_level(IsolationLevel::ReadCommitted),
        };
        let tx = builder.start().map_err(|e| record(failed, &e))?;
        let mut w = PgTx {
            tx,
            statements: &mut self.statements,
            failed: None,
        };
        let out = (|| {
            match mode {
                Mode::Read => {}
                Mode::Plain => w.batch(&format!("SET LOCAL lock_timeout = '{lock_ms}ms'"))?,
                // One round trip: the lock wait, then the program lock.
                Mode::Write => w.batch(&format!(
                    "SET LOCAL lock_timeout = '{lock_ms}ms'; {plans}SELECT pg_advisory_xact_lock({PROGRAM_LOCK}, 'program_version'::regclass::oid::int)"
                ))?,
            }
            f(&mut w)
        })();
        let PgTx {
            tx, failed: state, ..
        } = w;
        *failed = state;
        let out = out?;
        tx.commit().map_err(|e| record(failed, &e))?;
        Ok(out)
    }

    pub(crate) fn put_file_impl(&mut self, bytes: &[u8]) -> Result<Sha256, StoreError> {
        let sha = Sha256::of(bytes);
        let params = [Val::Text(sha.to_string()), Val::Bytes(bytes.to_vec())];
        self.run(Mode::Plain, |tx| {
            tx.exec(
                "INSERT INTO evidence_file (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
                &params,
            )
        })
        .map_err(|e| crate::in_context(e, &format!("storing the file sha256:{sha}")))?;
        Ok(sha)
    }

    /// Stores the file at `path`: PostgreSQL keeps content in a `bytea` column, so it is
    /// read whole (within the upload limit).
    pub(crate) fn put_file_from_impl(
        &mut self,
        path: &std::path::Path,
    ) -> Result<Sha256, StoreError> {
        let bytes = std::fs::read(path).map_err(|e| {
            StoreError::File(format!("cannot read the file {}: {e}", path.display()))
        })?;
        self.put_file_impl(&bytes)
    }

    pub(crate) fn get_file_impl(&mut self, sha: &Sha256) -> Result<Vec<u8>, StoreError> {
        let key = [Val::Text(sha.to_string())];
        let content = self
            .read(|tx| {
                crate::query_one(
                    tx,
                    "SELECT content FROM evidence_file WHERE sha256 = $1",
                    &key,
                    |r| r.bytes(0).map(<[u8]>::to_vec),
                )
            })
            .map_err(|e| crate::in_context(e, &format!("reading the file sha256:{sha}")))?
            .ok_or_else(|| {
                StoreError::NotFound(format!("no stored file for sha256:{sha} in the database"))
            })?;
        crate::sqlite::check_content(sha, content)
    }
}

/// The URL without its password, for messages.
/// A database target as it may be shown: a URL's password removed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{user}@{}", &url[..s], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

struct PgTx<'c, 's> {
    tx: Transaction<'c>,
    statements: &'s mut HashMap<String, Statement>,
    /// The SQLSTATE of the last failure, if the server reported one.
    failed: Option<SqlState>,
}

impl PgTx<'_, '_> {
    /// The prepared statement for `sql`, prepared once per connection.
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        match self.tx.prepare(sql) {
            Ok(s) => {
                self.statements.insert(sql.to_owned(), s.clone());
                Ok(s)
            }
            Err(e) => Err(record(&mut self.failed, &e)),
        }
    }
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Text(s) => s.as_str().to_sql(ty, out),
            Val::Int(i) => i.to_sql(ty, out),
            Val::Bytes(b) => b.as_slice().to_sql(ty, out),
            Val::Null => Ok(IsNull::Yes),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let fits = match self {
            Val::Text(_) => <&str as ToSql>::accepts(ty),
            Val::Int(_) => <i64 as ToSql>::accepts(ty),
            Val::Bytes(_) => <&[u8] as ToSql>::accepts(ty),
            Val::Null => true,
        };
        if !fits {
            return Err(Box::new(WrongType::new::<Self>(ty.clone())));
        }
        self.to_sql(ty, out)
    }
}

struct PgRow<'a>(&'a postgres::Row);

fn cell_err(i: usize, e: &postgres::Error) -> StoreError {
    StoreError::Corrupt(format!("column {i}: {}", describe(e)))
}

impl Row for PgRow<'_> {
    fn cell(&self, i: usize) -> Result<Cell<'_>, StoreError> {
        let ty = self
            .0
            .columns()
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("no column {i}")))?
            .type_();
        let row = self.0;
        Ok(match *ty {
            Type::INT8 => row
                .try_get::<_, Option<i64>>(i)
                .map_err(|e| cell_err(i, &e))?
                .map_or(Cell::Null, Cell::Int),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(i)
                .map_err(|e| cell_err(i, &e))?
                .map_or(Cell::Null, |n| Cell::Int(i64::from(n))),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(i)
                .map_err(|e| cell_err(i, &e))?
                .map_or(Cell::Null, |n| Cell::Int(i64::from(n))),
            Type::BYTEA => row
                .try_get::<_, Option<&[u8]>>(i)
                .map_err(|e| cell_err(i, &e))?
                .map_or(Cell::Null, Cell::Bytes),
            _ => row
                .try_get::<_, Option<&str>>(i)
                .map_err(|e| cell_err(i, &e))?
                .map_or(Cell::Null, Cell::Text),
        })
    }
}

impl Tx for PgTx<'_, '_> {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.tx
            .batch_execute(sql)
            .map_err(|e| record(&mut self.failed, &e))
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        self.tx
            .execute(&stmt, &refs)
            .map_err(|e| record(&mut self.failed, &e))
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Val],
        each: EachRow<'_>,
    ) -> Result<(), StoreError> {
        let stmt = self.statement(sql)?;
        let PgTx { tx, failed, .. } = self;
        let mut rows = tx
            .query_raw(&stmt, params.iter())
            .map_err(|e| record(failed, &e))?;
        while let Some(row) = rows.next().map_err(|e| record(failed, &e))? {
            each(&PgRow(&row))?;
        }
        Ok(())
    }
}

crate::store_over_transactions!(PgStore);
