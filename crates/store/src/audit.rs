//! The audit trail: every change applied to a program is appended, in the transaction that
//! applies it, to a hash-chained log. Each entry holds who acted, when, the action, what it
//! was applied to, the state before (where the change replaces something) and after, the
//! previous entry's hash and its own:
//!
//! `hash = SHA-256(JSON [seq, at, actor, action, target, before, after, prev])`, with
//! `before` and `after` the stored JSON texts (or null).
//!
//! The head (last sequence number and hash) is kept in `program_version`, written in the
//! same transaction, so removing the last entries is detected as well as editing, deleting
//! or reordering any entry. Appends are serialised with every other write to the program
//! (the backends' writer lock), so the chain never forks.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::Digest;

use crate::{Change, StoreError, Tx, Val, query_one};

/// Who changes a program, and when: recorded in every audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub at: jiff::Timestamp,
}

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit trail, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// JSON text of the state replaced (none for additions).
    pub before: Option<String>,
    /// JSON text of the change.
    pub after: Option<String>,
    pub prev: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry's content gives.
    pub fn computed_hash(&self) -> String {
        hash_of(
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.target,
            self.before.as_deref(),
            self.after.as_deref(),
            &self.prev,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn hash_of(
    seq: u64,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev: &str,
) -> String {
    let input = json!([seq, at, actor, action, target, before, after, prev]).to_string();
    let digest = sha2::Sha256::digest(input.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What `audit verify` finds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Whether every entry and the head agree.
    pub intact: bool,
    /// How many entries the log holds.
    pub entries: u64,
    /// The last entry's hash (the genesis value when the log is empty).
    pub head: String,
    /// The first entry found wrong, with why; none when intact.
    pub first_bad: Option<BadEntry>,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadEntry {
    pub seq: u64,
    pub problem: String,
}

/// An entry being built during an apply: its content, before it is numbered and chained.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub action: &'static str,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

fn text<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

/// The action name, target and after-state of a change. `generated` is the id the store
/// gave it, when it asked for one.
pub(crate) fn describe(change: &Change, generated: Option<&str>) -> Pending {
    let with_id = |given: &str| {
        if given.is_empty() {
            generated.unwrap_or("").to_owned()
        } else {
            given.to_owned()
        }
    };
    let (action, target, after): (&'static str, String, Option<String>) = match change {
        Change::SetProgram(i) => ("program.set", "program".into(), text(i)),
        Change::AddFramework(s) => ("framework.add", s.framework.to_string(), text(s)),
        Change::RemoveFramework(f) => ("framework.remove", f.to_string(), None),
        Change::AddControl(c) => ("control.add", c.id.clone(), text(c)),
        Change::ExpectControl { id, etag } => {
            ("control.expect", id.clone(), text(&json!({ "etag": etag })))
        }
        Change::SetControlStatus { control, status } => (
            "control.status",
            control.clone(),
            text(&json!({ "status": status })),
        ),
        Change::Link(l) => (
            "link.set",
            format!("{} {}:{}", l.control, l.framework, l.requirement),
            text(l),
        ),
        Change::Unlink {
            control,
            framework,
            requirement,
        } => (
            "link.remove",
            format!("{control} {framework}:{requirement}"),
            None,
        ),
        Change::ReviewLinks {
            ids,
            state,
            reviewer,
            on,
        } => (
            "link.review",
            ids.iter()
                .map(|n| format!("L-{n}"))
                .collect::<Vec<_>>()
                .join(","),
            text(&json!({ "state": state.as_str(), "reviewer": reviewer, "on": on })),
        ),
        Change::AddEvidence(e) => ("evidence.add", with_id(&e.id), text(e)),
        Change::Assess(a) => (
            "assessment.set",
            format!("{}:{}", a.framework, a.requirement),
            text(a),
        ),
        Change::SignOff {
            framework,
            requirement,
            reviewer,
            on,
        } => (
            "assessment.sign-off",
            format!("{framework}:{requirement}"),
            text(&json!({ "reviewer": reviewer, "on": on })),
        ),
        Change::SetPolicy(p) => ("policy.set", p.id.clone(), text(p)),
        Change::Snapshot(s) => ("snapshot.set", s.taken_on.to_string(), text(s)),
        Change::SetMaturityScale(s) => ("maturity-scale.set", "maturity-scale".into(), text(s)),
        Change::SetRisk(r) => ("risk.set", with_id(&r.id), text(r)),
        Change::SetRiskMatrix(m) => ("risk-matrix.set", "risk-matrix".into(), text(m)),
        Change::MapCheck { check, controls } => (
            "check.map",
            check.clone(),
            text(&json!({ "controls": controls })),
        ),
        Change::UnmapCheck { check, control } => {
            ("check.unmap", format!("{check} {control}"), None)
        }
        Change::SetException(e) => (
            "check.exception",
            format!("{} {}", e.check, e.resource),
            text(e),
        ),
        Change::ImportResults {
            sha256,
            imported_at,
            batch,
        } => (
            "results.import",
            sha256.to_string(),
            text(&json!({
                "format": batch.format,
                "tool": batch.tool,
                "tool_version": batch.tool_version,
                "imported_at": imported_at,
                "results": batch.results.len(),
            })),
        ),
        Change::RecordDrift { run, drift } => (
            "monitor.drift",
            run.clone(),
            text(&json!({ "changes": drift.len(), "drift": drift })),
        ),
        Change::AddSnapshot(d) => (
            "snapshot.add",
            format!("{} {}", d.dataset, d.sha256),
            text(d),
        ),
        Change::SetRecord(r) => ("record.set", with_id(r.id()), text(r)),
        Change::AddFinding {
            audit,
            finding,
            nonconformity,
            performed_on,
        } => (
            "audit.finding",
            audit.clone(),
            text(&json!({
                "finding": finding,
                "nonconformity": nonconformity,
                "raised": generated,
                "performed_on": performed_on,
            })),
        ),
        Change::Collab(item) => {
            let key = with_id(&item.key());
            let action = match item {
                crosswalk_core::collab::Item::Assignment(_) => "assignment.set",
                crosswalk_core::collab::Item::Comment(_) => "comment.set",
                crosswalk_core::collab::Item::Request(_) => "request.set",
                crosswalk_core::collab::Item::Engagement(_) => "engagement.set",
            };
            (action, key, text(item))
        }
        Change::Unassign(subject) => ("assignment.remove", subject.to_string(), None),
        Change::MoveRequest { id, step } => (
            match step.state {
                crosswalk_core::collab::RequestState::Open => "request.open",
                crosswalk_core::collab::RequestState::Submitted => "request.submitted",
                crosswalk_core::collab::RequestState::Accepted => "request.accepted",
                crosswalk_core::collab::RequestState::Rejected => "request.rejected",
            },
            id.clone(),
            text(step),
        ),
        // The secret is never written to the trail.
        Change::AddWebhook(w) => (
            "webhook.add",
            with_id(&w.id),
            text(&json!({ "url": w.url, "events": w.events })),
        ),
        Change::RemoveWebhook(id) => ("webhook.remove", id.clone(), None),
    };
    Pending {
        action,
        target,
        before: None,
        after,
    }
}

/// One row of `sql` as a JSON object with the given column names (all read as text or
/// numbers), or none.
fn row(
    tx: &mut dyn Tx,
    sql: &str,
    params: &[Val],
    names: &[&str],
) -> Result<Option<Value>, StoreError> {
    query_one(tx, sql, params, |r| {
        let mut o = serde_json::Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match r.cell(i)? {
                crate::Cell::Null => Value::Null,
                crate::Cell::Int(x) => Value::from(x),
                crate::Cell::Text(s) => serde_json::from_str::<Value>(s)
                    .ok()
                    .filter(|v| v.is_object() || v.is_array())
                    .unwrap_or_else(|| Value::from(s)),
                crate::Cell::Bytes(_) => Value::from("(bytes)"),
            };
            o.insert((*n).to_owned(), v);
        }
        Ok(Value::Object(o))
    })
}

fn t(s: &str) -> Val {
    Val::Text(s.to_owned())
}

/// The stored state a change is about to replace or remove (none for additions and for
/// changes that replace nothing).
pub(crate) fn before(tx: &mut dyn Tx, change: &Change) -> Result<Option<String>, StoreError> {
    let link_cols = &[
        "coverage",
        "origin",
        "state",
        "reviewer",
        "reviewed_on",
        "seq",
    ];
    let value = match change {
        Change::SetProgram(_) => row(
            tx,
            "SELECT organization, scope, systems FROM program WHERE id = 1",
            &[],
            &["organization", "scope", "systems"],
        )?,
        Change::RemoveFramework(f) => row(
            tx,
            "SELECT target, target_date FROM framework_scope WHERE framework = $1",
            &[t(f.as_str())],
            &["target", "target_date"],
        )?,
        Change::SetControlStatus { control, .. } => row(
            tx,
            "SELECT status FROM control WHERE id = $1",
            &[t(control)],
            &["status"],
        )?,
        Change::Unlink {
            control,
            framework,
            requirement,
        } => row(
            tx,
            "SELECT coverage, origin, state, reviewer, reviewed_on, seq FROM control_link WHERE control = $1 AND framework = $2 AND requirement = $3",
            &[t(control), t(framework.as_str()), t(requirement.as_str())],
            link_cols,
        )?,
        Change::ReviewLinks { ids, .. } if ids.len() <= 64 => {
            let mut states = Vec::new();
            for n in ids {
                if let Some(v) = row(
                    tx,
                    "SELECT state, reviewer, reviewed_on FROM control_link WHERE seq = $1",
                    &[Val::Int(i64::try_from(*n).unwrap_or(-1))],
                    &["state", "reviewer", "reviewed_on"],
                )? {
                    states.push(json!({ "link": format!("L-{n}"), "was": v }));
                }
            }
            Some(Value::Array(states))
        }
        Change::Assess(a) => row(
            tx,
            "SELECT applicable, justification, result, reason, maturity, assessor, assessed_on FROM assessment WHERE framework = $1 AND requirement = $2",
            &[t(a.framework.as_str()), t(a.requirement.as_str())],
            &[
                "applicable",
                "justification",
                "result",
                "reason",
                "maturity",
                "assessor",
                "assessed_on",
            ],
        )?,
        Change::SetPolicy(p) => row(
            tx,
            "SELECT title, version, owner, approved_by, approved_on, next_review, location FROM policy WHERE id = $1",
            &[t(&p.id)],
            &[
                "title",
                "version",
                "owner",
                "approved_by",
                "approved_on",
                "next_review",
                "location",
            ],
        )?,
        Change::SetRisk(r) if !r.id.is_empty() => row(
            tx,
            "SELECT record FROM risk WHERE id = $1",
            &[t(&r.id)],
            &["record"],
        )?
        .and_then(|v| v.get("record").cloned()),
        Change::Collab(item) if !item.key().is_empty() => row(
            tx,
            "SELECT record FROM collab_item WHERE kind = $1 AND id = $2",
            &[t(item.kind()), t(&item.key())],
            &["record"],
        )?
        .and_then(|v| v.get("record").cloned()),
        Change::Unassign(subject) => row(
            tx,
            "SELECT record FROM collab_item WHERE kind = 'assignment' AND id = $1",
            &[t(&subject.to_string())],
            &["record"],
        )?
        .and_then(|v| v.get("record").cloned()),
        Change::MoveRequest { id, .. } => row(
            tx,
            "SELECT record FROM collab_item WHERE kind = 'request' AND id = $1",
            &[t(id)],
            &["record"],
        )?
        .and_then(|v| v.get("record").cloned()),
        Change::RemoveWebhook(id) => row(
            tx,
            "SELECT url, events FROM webhook WHERE id = $1",
            &[t(id)],
            &["url", "events"],
        )?,
        Change::SetRecord(r) if !r.id().is_empty() => row(
            tx,
            "SELECT record FROM ms_record WHERE kind = $1 AND id = $2",
            &[t(r.kind()), t(r.id())],
            &["record"],
        )?
        .and_then(|v| v.get("record").cloned()),
        Change::SetMaturityScale(_) => row(
            tx,
            "SELECT value FROM setting WHERE key = 'maturity-scale'",
            &[],
            &["value"],
        )?
        .and_then(|v| v.get("value").cloned()),
        Change::SetRiskMatrix(_) => row(
            tx,
            "SELECT value FROM setting WHERE key = 'risk-matrix'",
            &[],
            &["value"],
        )?
        .and_then(|v| v.get("value").cloned()),
        Change::SetException(e) => row(
            tx,
            "SELECT justification, approved_by, until, recorded_on FROM check_exception WHERE check_id = $1 AND resource = $2",
            &[t(&e.check), t(&e.resource)],
            &["justification", "approved_by", "until", "recorded_on"],
        )?,
        _ => None,
    };
    Ok(value.map(|v| v.to_string()))
}

/// The head of the chain: the last sequence number and hash.
pub(crate) fn head(tx: &mut dyn Tx) -> Result<(u64, String), StoreError> {
    let (seq, hash) = query_one(
        tx,
        "SELECT audit_seq, audit_head FROM program_version WHERE id = 1",
        &[],
        |r| Ok((r.int(0)?, r.string(1)?)),
    )?
    .ok_or_else(|| StoreError::Corrupt("the program_version row is missing".into()))?;
    Ok((u64::try_from(seq).unwrap_or(0), hash))
}

/// Numbers, chains and writes the entries, and moves the head. Runs inside the apply's
/// write transaction.
pub(crate) fn append(
    tx: &mut dyn Tx,
    actor: Option<&Actor>,
    entries: Vec<Pending>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev) = head(tx)?;
    let system;
    let actor = match actor {
        Some(a) => a,
        None => {
            system = Actor {
                name: "system".into(),
                at: database_now(tx)?,
            };
            &system
        }
    };
    let at = actor.at.to_string();
    let mut values = Vec::with_capacity(entries.len() * 9);
    for e in entries {
        seq += 1;
        let hash = hash_of(
            seq,
            &at,
            &actor.name,
            e.action,
            &e.target,
            e.before.as_deref(),
            e.after.as_deref(),
            &prev,
        );
        values.extend([
            Val::Int(i64::try_from(seq).unwrap_or(i64::MAX)),
            t(&at),
            t(&actor.name),
            t(e.action),
            t(&e.target),
            e.before.map_or(Val::Null, Val::Text),
            e.after.map_or(Val::Null, Val::Text),
            t(&prev),
            t(&hash),
        ]);
        prev = hash;
    }
    crate::bulk::insert(
        tx,
        "INSERT INTO audit_log (seq, at, actor, action, target, before, after, prev, hash)",
        9,
        "",
        &values,
    )?;
    tx.exec(
        "UPDATE program_version SET audit_seq = $1, audit_head = $2 WHERE id = 1",
        &[Val::Int(i64::try_from(seq).unwrap_or(i64::MAX)), t(&prev)],
    )?;
    Ok(())
}

/// The database server's clock, for changes whose caller named no actor (the store reads
/// no clock of its own). SQLite gives UTC without an offset, PostgreSQL with one.
fn database_now(tx: &mut dyn Tx) -> Result<jiff::Timestamp, StoreError> {
    let text = query_one(tx, "SELECT CAST(CURRENT_TIMESTAMP AS TEXT)", &[], |r| {
        r.string(0)
    })?
    .unwrap_or_default();
    text.parse::<jiff::Timestamp>()
        .or_else(|_| {
            text.parse::<jiff::civil::DateTime>()
                .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
                .map(|z| z.timestamp())
        })
        .map_err(|e| StoreError::Corrupt(format!("the database's time `{text}`: {e}")))
}

fn entry(r: &dyn crate::Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: u64::try_from(r.int(0)?).unwrap_or(0),
        at: r.string(1)?,
        actor: r.string(2)?,
        action: r.string(3)?,
        target: r.string(4)?,
        before: r.opt_text(5)?.map(str::to_owned),
        after: r.opt_text(6)?.map(str::to_owned),
        prev: r.string(7)?,
        hash: r.string(8)?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, target, before, after, prev, hash";

/// Walks the whole log in stored order, recomputing every hash, and checks the head.
pub(crate) fn verify(tx: &mut dyn Tx) -> Result<Verification, StoreError> {
    let (head_seq, head_hash) = head(tx)?;
    let mut expected_seq = 1u64;
    let mut prev = GENESIS.to_owned();
    let mut entries = 0u64;
    let mut first_bad: Option<BadEntry> = None;
    tx.query_each(
        &format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"),
        &[],
        &mut |r| {
            entries += 1;
            if first_bad.is_some() {
                return Ok(());
            }
            let e = entry(r)?;
            let problem = if e.seq != expected_seq {
                Some(format!(
                    "expected entry {expected_seq} here, found entry {} (an entry was deleted or renumbered)",
                    e.seq
                ))
            } else if e.prev != prev {
                Some(
                    "its previous-hash does not match the entry before it (entries were reordered, removed or edited)"
                        .to_owned(),
                )
            } else if e.computed_hash() != e.hash {
                Some("its content does not match its hash (the entry was edited)".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                first_bad = Some(BadEntry {
                    seq: expected_seq.min(e.seq),
                    problem,
                });
            }
            expected_seq += 1;
            prev = e.hash;
            Ok(())
        },
    )?;
    if first_bad.is_none() && (head_seq != entries || head_hash != prev) {
        first_bad = Some(BadEntry {
            seq: head_seq.min(entries + 1).max(1),
            problem: format!(
                "the log ends at entry {entries} but the program's head names entry {head_seq} (entries at the end were removed, or added outside crosswalk)"
            ),
        });
    }
    Ok(Verification {
        intact: first_bad.is_none(),
        entries,
        head: prev,
        first_bad,
    })
}

/// Entries after `after` (a sequence number), oldest first, at most `limit`.
pub(crate) fn entries(
    tx: &mut dyn Tx,
    after: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    crate::query_all(
        tx,
        &format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
        &[
            Val::Int(i64::try_from(after).unwrap_or(i64::MAX)),
            Val::Int(i64::try_from(limit).unwrap_or(i64::MAX)),
        ],
        entry,
    )
}
