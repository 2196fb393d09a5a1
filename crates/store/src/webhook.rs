//! Outgoing webhooks and their delivery state. A webhook delivers the program's audit
//! entries in order, one at a time: `delivered_seq` is the last entry it delivered. A
//! process about to deliver first takes a lease on the webhook, so among several servers
//! on one database only one delivers it at a time; a failure records the attempt and when
//! to try again. Delivery state is not part of the program: it moves without changing
//! the program's version.

use serde::Serialize;

use crate::{StoreError, Tx, Val, query_all};

/// A webhook to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// Empty: the store gives `WH-<n>`.
    pub id: String,
    /// An http(s) URL.
    pub url: String,
    /// The HMAC-SHA256 key (shared with the receiver; never shown again).
    pub secret: String,
    /// Action prefixes it wants (`control.`, `evidence.add`); empty: every change.
    pub events: Vec<String>,
    pub created_by: String,
    pub created_at: String,
}

/// A webhook with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    pub events: Vec<String>,
    pub created_by: String,
    pub created_at: String,
    /// The last audit entry delivered.
    pub delivered_seq: u64,
    /// Failed attempts at the next entry.
    pub attempts: u64,
    /// Unix seconds before which no attempt is made.
    pub next_at: i64,
    pub last_error: Option<String>,
    pub last_status: Option<i64>,
}

impl Webhook {
    /// Whether it wants an entry with `action`.
    pub fn wants(&self, action: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| action.starts_with(e.as_str()))
    }
}

const COLUMNS: &str = "id, url, secret, events, created_by, created_at, delivered_seq, \
                       attempts, next_at, last_error, last_status";

fn row(r: &dyn crate::Row) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: r.string(0)?,
        url: r.string(1)?,
        secret: r.string(2)?,
        events: serde_json::from_str(r.text(3)?)
            .map_err(|e| StoreError::Corrupt(format!("webhook events: {e}")))?,
        created_by: r.string(4)?,
        created_at: r.string(5)?,
        delivered_seq: u64::try_from(r.int(6)?).unwrap_or(0),
        attempts: u64::try_from(r.int(7)?).unwrap_or(0),
        next_at: r.int(8)?,
        last_error: r.opt_text(9)?.map(str::to_owned),
        last_status: r.opt_int(10)?,
    })
}

fn t(s: &str) -> Val {
    Val::Text(s.to_owned())
}

fn int(n: u64) -> Val {
    Val::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Every webhook, in id order.
pub(crate) fn list(tx: &mut dyn Tx) -> Result<Vec<Webhook>, StoreError> {
    query_all(
        tx,
        &format!("SELECT {COLUMNS} FROM webhook ORDER BY LENGTH(id), id"),
        &[],
        row,
    )
}

/// Inserts a webhook that starts after the current head of the audit trail.
pub(crate) fn add(tx: &mut dyn Tx, w: &NewWebhook, id: &str, head: u64) -> Result<(), StoreError> {
    let events = serde_json::to_string(&w.events).unwrap_or_else(|_| "[]".into());
    tx.exec(
        "INSERT INTO webhook (id, url, secret, events, created_by, created_at, delivered_seq, \
         attempts, next_at, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0)",
        &[
            t(id),
            t(&w.url),
            t(&w.secret),
            t(&events),
            t(&w.created_by),
            t(&w.created_at),
            int(head),
        ],
    )?;
    Ok(())
}

/// Takes the lease on a webhook with entries to deliver whose next attempt is due at
/// `now` (Unix seconds) and whose lease has run out, holding it until `now + lease`.
pub(crate) fn claim(tx: &mut dyn Tx, now: i64, lease: i64) -> Result<Option<Webhook>, StoreError> {
    let due = query_all(
        tx,
        &format!(
            "SELECT {COLUMNS} FROM webhook WHERE next_at <= $1 AND lease_until <= $1 \
             AND delivered_seq < (SELECT audit_seq FROM program_version WHERE id = 1) \
             ORDER BY next_at, id"
        ),
        &[Val::Int(now)],
        row,
    )?;
    for w in due {
        let taken = tx.exec(
            "UPDATE webhook SET lease_until = $1 WHERE id = $2 AND lease_until <= $3",
            &[Val::Int(now + lease), t(&w.id), Val::Int(now)],
        )?;
        if taken == 1 {
            return Ok(Some(w));
        }
    }
    Ok(None)
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Every entry up to `seq` is delivered (or skipped as not wanted).
    Delivered { seq: u64, status: Option<i64> },
    /// The entry after the last delivered failed; try again at `retry_at`.
    Failed {
        error: String,
        status: Option<i64>,
        retry_at: i64,
    },
}

/// Records an attempt and releases the lease.
pub(crate) fn record(tx: &mut dyn Tx, id: &str, attempt: &Attempt) -> Result<(), StoreError> {
    let status = |s: &Option<i64>| s.map_or(Val::Null, Val::Int);
    match attempt {
        Attempt::Delivered { seq, status: s } => tx.exec(
            "UPDATE webhook SET delivered_seq = $1, attempts = 0, next_at = 0, lease_until = 0, \
             last_error = NULL, last_status = $2 WHERE id = $3 AND delivered_seq <= $1",
            &[int(*seq), status(s), t(id)],
        )?,
        Attempt::Failed {
            error,
            status: s,
            retry_at,
        } => tx.exec(
            "UPDATE webhook SET attempts = attempts + 1, next_at = $1, lease_until = 0, \
             last_error = $2, last_status = $3 WHERE id = $4",
            &[Val::Int(*retry_at), t(error), status(s), t(id)],
        )?,
    };
    Ok(())
}
