//! The embedded backend: one SQLite file.

use std::path::Path;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode, Transaction, params_from_iter};

use crate::{StoreError, Tx, Val};

/// A program in a SQLite file.
pub struct SqliteStore {
    conn: Connection,
}

fn err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked,
        _ => StoreError::Database(e.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating when missing) the database file and brings its schema up to date.
    ///
    /// # Errors
    /// When the file cannot be created or opened, is not a database, or is locked.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |message: String| StoreError::Open {
            target: path.display().to_string(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(err)?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
            .map_err(|e| match err(e) {
                StoreError::Database(m) => open_err(m),
                other => other,
            })?;
        let mut store = Self { conn };
        store.transaction(|tx| crate::migrate_schema(tx).map(|_| ()))?;
        Ok(store)
    }

    fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut w = SqliteTx(tx);
        let out = f(&mut w)?;
        w.0.commit().map_err(err)?;
        Ok(out)
    }
}

struct SqliteTx<'c>(Transaction<'c>);

fn bind(v: &Val) -> SqlValue {
    match v {
        Val::Text(s) => SqlValue::Text(s.clone()),
        Val::Int(i) => SqlValue::Integer(*i),
        Val::Null => SqlValue::Null,
    }
}

impl Tx for SqliteTx<'_> {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.0.execute_batch(sql).map_err(err)
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let n = self
            .0
            .execute(sql, params_from_iter(params.iter().map(bind)))
            .map_err(err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(err)?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(params_from_iter(params.iter().map(bind)))
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            let mut vals = Vec::with_capacity(width);
            for i in 0..width {
                vals.push(match row.get_ref(i).map_err(err)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(n) => Val::Int(n),
                    ValueRef::Real(f) => Val::Text(f.to_string()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Val::Text(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(vals);
        }
        Ok(out)
    }
}

crate::store_over_transactions!(SqliteStore);
