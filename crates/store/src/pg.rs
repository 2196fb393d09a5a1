//! The server backend: PostgreSQL.

use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Transaction};

use crate::{StoreError, Tx, Val};

/// A program in a PostgreSQL database.
pub struct PgStore {
    client: Client,
}

fn err(e: postgres::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// Serialises schema changes between processes migrating the same database at once.
const MIGRATION_LOCK: i64 = 0x6372_6f73_7377_616c;

impl PgStore {
    /// Connects and brings the schema up to date.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the connection, or a migration fails.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let client = Client::connect(url, NoTls).map_err(|e| StoreError::Open {
            target: redact(url),
            message: e.to_string(),
        })?;
        let mut store = Self { client };
        store.transaction(|tx| {
            tx.exec(
                "SELECT pg_advisory_xact_lock($1)",
                &[Val::Int(MIGRATION_LOCK)],
            )?;
            crate::migrate_schema(tx).map(|_| ())
        })?;
        Ok(store)
    }

    fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self.client.transaction().map_err(err)?;
        let mut w = PgTx(tx);
        let out = f(&mut w)?;
        w.0.commit().map_err(err)?;
        Ok(out)
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{user}@{}", &url[..s], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

struct PgTx<'c>(Transaction<'c>);

/// SQL NULL for a parameter of any type.
#[derive(Debug)]
struct Null;

impl ToSql for Null {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(postgres::types::IsNull::Yes)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

fn binds(params: &[Val]) -> Vec<Box<dyn ToSql + Sync>> {
    params
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Val::Text(s) => Box::new(s.clone()),
                Val::Int(i) => Box::new(*i),
                Val::Null => Box::new(Null),
            }
        })
        .collect()
}

impl Tx for PgTx<'_> {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.0.batch_execute(sql).map_err(err)
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let b = binds(params);
        let refs: Vec<&(dyn ToSql + Sync)> = b.iter().map(AsRef::as_ref).collect();
        self.0.execute(sql, &refs).map_err(err)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, StoreError> {
        let b = binds(params);
        let refs: Vec<&(dyn ToSql + Sync)> = b.iter().map(AsRef::as_ref).collect();
        let rows = self.0.query(sql, &refs).map_err(err)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut vals = Vec::with_capacity(row.len());
            for (i, col) in row.columns().iter().enumerate() {
                let v = match *col.type_() {
                    Type::INT8 => row
                        .try_get::<_, Option<i64>>(i)
                        .map_err(err)?
                        .map_or(Val::Null, Val::Int),
                    Type::INT4 => row
                        .try_get::<_, Option<i32>>(i)
                        .map_err(err)?
                        .map_or(Val::Null, |n| Val::Int(i64::from(n))),
                    _ => row
                        .try_get::<_, Option<String>>(i)
                        .map_err(err)?
                        .map_or(Val::Null, Val::Text),
                };
                vals.push(v);
            }
            out.push(vals);
        }
        Ok(out)
    }
}

crate::store_over_transactions!(PgStore);
