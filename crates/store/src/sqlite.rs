//! The embedded backend: one SQLite file in WAL mode, evidence files beside it.
//!
//! Reads run in `BEGIN DEFERRED` transactions: in WAL mode they read a snapshot and never
//! take the write lock, so they neither wait for a writer nor make one wait. Writes run in
//! `BEGIN IMMEDIATE` transactions, which take the write lock up front: two writers never
//! interleave, and a writer never fails half-way on a lock upgrade. When the lock is held
//! by another connection, SQLite's busy handler waits (up to 5 s per attempt) and the whole
//! transaction is retried with backoff until [`SqliteStore::set_lock_wait`] has passed
//! (10 s by default); then [`StoreError::LockTimeout`]. SQLite's lock is polled, so it is
//! not fair: writers of one process therefore also queue, in arrival order, per database
//! file, so that a thread writing in a loop cannot keep the others out.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior, params_from_iter};

use crate::{Cell, EachRow, Row, Sha256, StoreError, Tx, Val};

/// How long one attempt waits in SQLite's busy handler.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a transaction keeps retrying while the database is locked.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// A program in a SQLite file.
pub struct SqliteStore {
    conn: Connection,
    /// `evidence/` beside the database file.
    files: PathBuf,
    lock_wait: Duration,
    /// The queue this process's writers to the same file wait in.
    writers: Arc<WriterQueue>,
    /// Who changes are recorded as made by in the audit trail.
    actor: Option<crate::audit::Actor>,
}

/// Writers of one process to one database file, served in arrival order. SQLite's own
/// lock is polled (a waiter sleeps, then tries again), so a thread that writes in a loop
/// can take the lock again before a sleeping one wakes, for as long as it keeps writing;
/// within a process, the queue hands the turn over in order instead.
#[derive(Default)]
struct WriterQueue {
    state: Mutex<Turns>,
    changed: Condvar,
}

#[derive(Default)]
struct Turns {
    next: u64,
    serving: u64,
    /// Tickets whose holders stopped waiting.
    abandoned: BTreeSet<u64>,
}

/// A writer's turn; the next one's begins when it is dropped.
struct Turn<'q>(&'q WriterQueue);

impl WriterQueue {
    /// The queue for a database file (by its canonical path).
    fn for_file(path: &Path) -> Arc<Self> {
        static QUEUES: OnceLock<Mutex<HashMap<PathBuf, Arc<WriterQueue>>>> = OnceLock::new();
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let mut queues = QUEUES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(queues.entry(key).or_default())
    }

    fn turns(&self) -> MutexGuard<'_, Turns> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for this writer's turn until `deadline`; `None` when it did not come.
    fn wait(&self, deadline: Instant) -> Option<Turn<'_>> {
        let mut turns = self.turns();
        let me = turns.next;
        turns.next += 1;
        loop {
            if turns.serving == me {
                return Some(Turn(self));
            }
            let now = Instant::now();
            if now >= deadline {
                turns.abandoned.insert(me);
                return None;
            }
            turns = self
                .changed
                .wait_timeout(turns, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut turns = self.0.turns();
        // The next ticket whose holder is still waiting.
        loop {
            turns.serving += 1;
            let next = turns.serving;
            if !turns.abandoned.remove(&next) {
                break;
            }
        }
        drop(turns);
        self.0.changed.notify_all();
    }
}

fn err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked,
        _ => StoreError::Database(e.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating when missing) the database file and brings its schema up to date.
    /// When the schema is current, opening takes no write lock.
    ///
    /// # Errors
    /// When the file cannot be created or opened, is not a database, or is locked.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |message: String| StoreError::Open {
            target: path.display().to_string(),
            message,
        };
        let parent = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = parent {
            fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Self {
            conn,
            files: parent.unwrap_or(Path::new(".")).join("evidence"),
            lock_wait: LOCK_WAIT,
            actor: None,
            writers: WriterQueue::for_file(path),
        };
        store
            .retrying(|s| {
                s.conn
                    .execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
                    .map_err(err)
            })
            .map_err(|e| match e {
                StoreError::Database(m) => open_err(m),
                other => other,
            })?;
        let pending = store
            .read(|tx| {
                let has_versions = crate::exists(
                    tx,
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
                    &[],
                )?;
                Ok(!has_versions || crate::migrations_pending(&crate::applied_migrations(tx)?))
            })
            .map_err(|e| match e {
                StoreError::Database(m) => open_err(m),
                other => other,
            })?;
        if pending {
            store.write(|tx| crate::migrate_schema(tx).map(|_| ()))?;
        }
        Ok(store)
    }

    /// How long a read or write keeps retrying while another process holds the database
    /// locked before it fails with [`StoreError::LockTimeout`] (10 s by default; each
    /// attempt itself waits up to 5 s, or `wait` when shorter).
    ///
    /// # Errors
    /// When the connection refuses the busy timeout.
    pub fn set_lock_wait(&mut self, wait: Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(wait.min(BUSY_TIMEOUT))
            .map_err(err)?;
        self.lock_wait = wait;
        Ok(())
    }

    /// Where evidence files are kept: `evidence/` beside the database file.
    pub fn files_dir(&self) -> &Path {
        &self.files
    }

    /// Runs `f` again while it reports the database locked, until the lock wait (counted
    /// from `start`) is over.
    fn retrying<T>(
        &mut self,
        mut f: impl FnMut(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.retrying_since(Instant::now(), &mut f)
    }

    fn retrying_since<T>(
        &mut self,
        start: Instant,
        f: &mut impl FnMut(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut attempt = 0;
        loop {
            match f(self) {
                Err(StoreError::Locked) => {
                    let waited = start.elapsed();
                    if waited >= self.lock_wait {
                        return Err(lock_timeout(waited));
                    }
                    let pause = crate::backoff(attempt, 200).min(self.lock_wait - waited);
                    std::thread::sleep(pause);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn transaction<T>(
        &mut self,
        behavior: TransactionBehavior,
        mut f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let start = Instant::now();
        let queue = Arc::clone(&self.writers);
        // Writers wait their turn among this process's writers first.
        let _turn = match behavior {
            TransactionBehavior::Deferred => None,
            _ => Some(
                queue
                    .wait(start + self.lock_wait)
                    .ok_or_else(|| lock_timeout(start.elapsed()))?,
            ),
        };
        self.retrying_since(start, &mut |s| {
            let tx = s.conn.transaction_with_behavior(behavior).map_err(err)?;
            let mut w = SqliteTx(tx);
            let out = f(&mut w)?;
            w.0.commit().map_err(err)?;
            Ok(out)
        })
    }

    /// A read transaction (`BEGIN DEFERRED`): a snapshot, no write lock.
    pub(crate) fn read<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.transaction(TransactionBehavior::Deferred, f)
    }

    /// A write transaction (`BEGIN IMMEDIATE`): the write lock from the start.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.transaction(TransactionBehavior::Immediate, f)
    }

    fn file_path(&self, sha: &Sha256) -> PathBuf {
        let hex = sha.to_string();
        self.files.join(&hex[..2]).join(hex)
    }

    pub(crate) fn put_file_impl(&mut self, bytes: &[u8]) -> Result<Sha256, StoreError> {
        let sha = Sha256::of(bytes);
        let dest = self.file_path(&sha);
        // A file already stored with the right content is left alone; one that does not
        // hash right (say, cut short by an older version) is replaced.
        if fs::read(&dest).is_ok_and(|old| Sha256::of(&old) == sha) {
            return Ok(sha);
        }
        write_atomically(&dest, bytes).map_err(|e| {
            StoreError::File(format!(
                "cannot store the evidence file {}: {e}",
                dest.display()
            ))
        })?;
        Ok(sha)
    }

    /// Stores the file at `path` (a spooled upload) without holding it in memory: hashed
    /// as it is read, then copied into place.
    pub(crate) fn put_file_from_impl(&mut self, path: &Path) -> Result<Sha256, StoreError> {
        let failed = |e: std::io::Error| {
            StoreError::File(format!("cannot read the file {}: {e}", path.display()))
        };
        let sha = crate::hash_file(path).map_err(failed)?;
        let dest = self.file_path(&sha);
        if crate::hash_file(&dest).is_ok_and(|old| old == sha) {
            return Ok(sha);
        }
        write_atomically_with(&dest, |f| {
            std::io::copy(&mut fs::File::open(path)?, f).map(drop)
        })
        .map_err(|e| {
            StoreError::File(format!(
                "cannot store the evidence file {}: {e}",
                dest.display()
            ))
        })?;
        Ok(sha)
    }

    pub(crate) fn get_file_impl(&mut self, sha: &Sha256) -> Result<Vec<u8>, StoreError> {
        let path = self.file_path(sha);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(format!(
                    "no stored file for sha256:{sha} (looked for {})",
                    path.display()
                )));
            }
            Err(e) => {
                return Err(StoreError::File(format!(
                    "cannot read the stored file {}: {e}",
                    path.display()
                )));
            }
        };
        check_content(sha, bytes)
    }
}

fn lock_timeout(waited: Duration) -> StoreError {
    StoreError::LockTimeout {
        seconds: waited.as_secs_f64().round() as u64,
    }
}

/// The content when it hashes to `sha`.
pub(crate) fn check_content(sha: &Sha256, bytes: Vec<u8>) -> Result<Vec<u8>, StoreError> {
    let actual = Sha256::of(&bytes);
    if actual == *sha {
        Ok(bytes)
    } else {
        Err(StoreError::CorruptFile {
            expected: *sha,
            actual,
        })
    }
}

/// Writes `bytes` to `dest` so that `dest` is either absent, as it was, or complete: a
/// temporary file in the same directory, synced, renamed over `dest`, the directory synced.
fn write_atomically(dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(dest, |f| f.write_all(bytes))
}

/// Writes `dest` through `fill` into a temporary file beside it, synced and renamed
/// into place.
fn write_atomically_with(
    dest: &Path,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = dest
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent directory"))?;
    let created = !dir.is_dir();
    fs::create_dir_all(dir)?;
    if created {
        // Make the new directory entries durable too.
        if let Some(root) = dir.parent() {
            sync_dir(root)?;
            if let Some(above) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
                sync_dir(above)?;
            }
        }
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, dest)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Directories cannot be opened for syncing here; the rename is still atomic.
    Ok(())
}

struct SqliteTx<'c>(Transaction<'c>);

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Val::Text(s) => ValueRef::Text(s.as_bytes()),
            Val::Int(i) => ValueRef::Integer(*i),
            Val::Bytes(b) => ValueRef::Blob(b),
            Val::Null => ValueRef::Null,
        }))
    }
}

struct SqliteRow<'a, 'r>(&'a rusqlite::Row<'r>);

impl Row for SqliteRow<'_, '_> {
    fn cell(&self, i: usize) -> Result<Cell<'_>, StoreError> {
        Ok(match self.0.get_ref(i).map_err(err)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(n) => Cell::Int(n),
            ValueRef::Real(f) => {
                return Err(StoreError::Corrupt(format!(
                    "a real number ({f}) in column {i}"
                )));
            }
            ValueRef::Text(t) => Cell::Text(std::str::from_utf8(t).map_err(|e| {
                StoreError::Corrupt(format!("text in column {i} is not UTF-8: {e}"))
            })?),
            ValueRef::Blob(b) => Cell::Bytes(b),
        })
    }
}

impl Tx for SqliteTx<'_> {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.0.execute_batch(sql).map_err(err)
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(err)?;
        let n = stmt.execute(params_from_iter(params)).map_err(err)?;
        Ok(n as u64)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Val],
        each: EachRow<'_>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(err)?;
        let mut rows = stmt.query(params_from_iter(params)).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            each(&SqliteRow(row))?;
        }
        Ok(())
    }
}

crate::store_over_transactions!(SqliteStore);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn writers_are_served_in_order_and_leavers_are_skipped() {
        let q = Arc::new(WriterQueue::default());
        let far = || Instant::now() + Duration::from_secs(10);
        let first = q.wait(far()).unwrap();
        // A writer that gives up while the first one writes.
        assert!(q.wait(Instant::now() + Duration::from_millis(20)).is_none());
        let order = Arc::new(Mutex::new(Vec::new()));
        let waiters: Vec<_> = (0..3)
            .map(|i| {
                let (mine, order) = (Arc::clone(&q), Arc::clone(&order));
                let handle = std::thread::spawn(move || {
                    let _turn = mine.wait(Instant::now() + Duration::from_secs(10)).unwrap();
                    order.lock().unwrap().push(i);
                });
                // Let each one take its ticket before the next.
                while q.turns().next < 3 + i as u64 {
                    std::thread::yield_now();
                }
                handle
            })
            .collect();
        drop(first);
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
        assert!(q.turns().abandoned.is_empty());
        assert!(q.wait(far()).is_some());
    }
}
