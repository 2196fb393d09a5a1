//! Changes, applied inside the caller's write transaction. The backends serialise writers
//! before running these, so every read here sees the latest committed state and what it
//! computes (positions, sequence numbers, generated ids) cannot collide.

use crosswalk_core::collab::Item;
use crosswalk_core::program::Assessment;
use jiff::civil::Date;

use crate::audit::{self, Actor};
use crate::bulk::{Bulk, Failure, is_bulk};
use crate::read::AssessmentRecord;
use crate::{Applied, Change, StoreError, Tx, Val, exists, in_context, query_one};

pub(crate) fn t(s: &str) -> Val {
    Val::Text(s.to_owned())
}

pub(crate) fn date_val(d: Option<Date>) -> Val {
    d.map_or(Val::Null, |d| Val::Text(d.to_string()))
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<Val, StoreError> {
    serde_json::to_string(v)
        .map(Val::Text)
        .map_err(|e| StoreError::Database(e.to_string()))
}

/// Applies every change, then moves the program version; the caller commits. Runs of
/// controls, links and evidence are applied set-wise ([`crate::bulk`]), the other changes
/// one by one. When the set-wise path meets something only the one-by-one path reports
/// exactly, `one_by_one` is set and an error returned: the caller rolls back and runs
/// [`apply_each`] instead.
pub(crate) fn apply_all(
    tx: &mut dyn Tx,
    changes: &[Change],
    actor: Option<&Actor>,
    one_by_one: &mut bool,
) -> Result<Applied, StoreError> {
    *one_by_one = false;
    let mut ids = Vec::new();
    let mut trail = Vec::with_capacity(changes.len());
    let mut bulk = Bulk::default();
    let mut rest = changes;
    while let Some(first) = rest.first() {
        if is_bulk(first) {
            let run = rest.iter().position(|c| !is_bulk(c)).unwrap_or(rest.len());
            let (now, later) = rest.split_at(run);
            let from = ids.len();
            bulk.apply(tx, now, &mut ids).map_err(|f| match f {
                Failure::Refused(e) => e,
                Failure::OneByOne(e) => {
                    *one_by_one = true;
                    e
                }
            })?;
            // Only evidence without an id asks for one: hand the new ids out in order.
            let mut generated = ids[from..].iter();
            for c in now {
                let asked = matches!(c, Change::AddEvidence(e) if e.id.is_empty());
                let id = if asked { generated.next() } else { None };
                trail.push(audit::describe(c, id.map(String::as_str)));
            }
            rest = later;
        } else {
            trail.push(audited(tx, first, &mut ids)?);
            rest = &rest[1..];
        }
    }
    audit::append(tx, actor, trail)?;
    finish(tx, ids)
}

/// Applies every change one at a time, then moves the program version; the caller
/// commits.
pub(crate) fn apply_each(
    tx: &mut dyn Tx,
    changes: &[Change],
    actor: Option<&Actor>,
) -> Result<Applied, StoreError> {
    let mut ids = Vec::new();
    let mut trail = Vec::with_capacity(changes.len());
    for change in changes {
        trail.push(audited(tx, change, &mut ids)?);
    }
    audit::append(tx, actor, trail)?;
    finish(tx, ids)
}

/// Applies one change and describes it for the audit trail, with the state it replaced.
fn audited(
    tx: &mut dyn Tx,
    change: &Change,
    ids: &mut Vec<String>,
) -> Result<audit::Pending, StoreError> {
    let before = audit::before(tx, change)?;
    let from = ids.len();
    apply_change(tx, change, ids)?;
    let mut entry = audit::describe(change, ids.get(from).map(String::as_str));
    entry.before = before;
    Ok(entry)
}

/// Moves the program version.
fn finish(tx: &mut dyn Tx, ids: Vec<String>) -> Result<Applied, StoreError> {
    let version = query_one(
        tx,
        "UPDATE program_version SET version = version + 1 WHERE id = 1 RETURNING version",
        &[],
        |r| r.int(0),
    )
    .map_err(|e| in_context(e, "moving the program version"))?
    .ok_or_else(|| StoreError::Corrupt("the program_version row is missing".into()))?;
    Ok(Applied {
        version: u64::try_from(version)
            .map_err(|_| StoreError::Corrupt(format!("program version {version}")))?,
        ids,
    })
}

/// The next free position in `table` (0 for the first row): one more than the largest,
/// so deletions never make two rows share one. Served by the table's position index.
pub(crate) fn next_position(tx: &mut dyn Tx, table: &str, column: &str) -> Result<i64, StoreError> {
    Ok(query_one(
        tx,
        &format!("SELECT COALESCE(MAX({column}), -1) + 1 FROM {table}"),
        &[],
        |r| r.int(0),
    )?
    .unwrap_or(0))
}

/// The number in an `EV-<digits>` id.
pub(crate) fn evidence_number(id: &str) -> Option<i64> {
    let digits = id.strip_prefix("EV-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The last evidence number handed out; on first use, the largest `EV-<n>` present.
fn evidence_counter(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    if let Some(n) = query_one(
        tx,
        "SELECT value FROM id_counter WHERE name = 'evidence'",
        &[],
        |r| r.int(0),
    )? {
        return Ok(n);
    }
    let max = max_evidence_number(tx)?;
    tx.exec(
        "INSERT INTO id_counter (name, value) VALUES ('evidence', $1)",
        &[Val::Int(max)],
    )?;
    Ok(max)
}

/// The largest `n` of the `EV-<n>` evidence ids present (0 when there is none).
pub(crate) fn max_evidence_number(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    let mut max = 0;
    tx.query_each(
        "SELECT id FROM evidence WHERE id LIKE 'EV-%'",
        &[],
        &mut |r| {
            if let Some(n) = evidence_number(r.text(0)?) {
                max = max.max(n);
            }
            Ok(())
        },
    )?;
    Ok(max)
}

/// A new evidence id, `EV-<n>`, past every number handed out or present.
fn generate_evidence_id(tx: &mut dyn Tx) -> Result<String, StoreError> {
    let mut n = evidence_counter(tx)?;
    let id = loop {
        n += 1;
        let id = format!("EV-{n}");
        if !exists(tx, "SELECT 1 FROM evidence WHERE id = $1", &[t(&id)])? {
            break id;
        }
    };
    tx.exec(
        "UPDATE id_counter SET value = $1 WHERE name = 'evidence'",
        &[Val::Int(n)],
    )?;
    Ok(id)
}

/// The columns a link is written with, in [`link_row`]'s order.
pub(crate) const LINK_INSERT: &str =
    "control, framework, requirement, coverage, origin, state, reviewer, reviewed_on, seq";
pub(crate) const LINK_COLUMNS: usize = 9;

/// A link's values in [`LINK_INSERT`] order, numbered `seq`.
pub(crate) fn link_row(
    l: &crosswalk_core::program::ControlLink,
    seq: i64,
) -> Result<[Val; LINK_COLUMNS], StoreError> {
    Ok([
        t(&l.control),
        t(l.framework.as_str()),
        t(l.requirement.as_str()),
        json(&l.coverage)?,
        json(&l.origin)?,
        t(l.state.as_str()),
        l.reviewer.as_deref().map_or(Val::Null, t),
        date_val(l.reviewed_on),
        Val::Int(seq),
    ])
}

/// What an insert does when the pair is linked already: a manual link replaces the
/// existing one (keeping its number); a crosswalk link never replaces anything.
pub(crate) fn link_conflict(l: &crosswalk_core::program::ControlLink) -> &'static str {
    match l.origin {
        crosswalk_core::program::LinkOrigin::Manual => link_conflict_manual(),
        crosswalk_core::program::LinkOrigin::Crosswalk { .. } => {
            "ON CONFLICT (control, framework, requirement) DO NOTHING"
        }
    }
}

/// The conflict clause of a manual link: it replaces the link, keeping its number.
pub(crate) fn link_conflict_manual() -> &'static str {
    "ON CONFLICT (control, framework, requirement) DO UPDATE SET coverage = excluded.coverage, origin = excluded.origin, state = excluded.state, reviewer = excluded.reviewer, reviewed_on = excluded.reviewed_on"
}

/// The last link number handed out (the migration creates the counter).
pub(crate) fn link_counter(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    query_one(
        tx,
        "SELECT value FROM id_counter WHERE name = 'link'",
        &[],
        |r| r.int(0),
    )?
    .ok_or_else(|| StoreError::Corrupt("the link counter is missing".into()))
}

fn next_link_number(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    link_counter(tx)?
        .checked_add(1)
        .ok_or_else(|| StoreError::Corrupt("the link counter is at its end".into()))
}

pub(crate) fn write_link_counter(tx: &mut dyn Tx, n: i64) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE id_counter SET value = $1 WHERE name = 'link'",
        &[Val::Int(n)],
    )
    .map(drop)
}

/// Sets the state of the links numbered `numbers`, in statements of up to 512 numbers
/// (padded to a power of two by repeating the last, so a connection prepares few).
fn review_links(
    tx: &mut dyn Tx,
    numbers: &[u64],
    state: crosswalk_core::program::LinkState,
    reviewer: &str,
    on: Date,
) -> Result<(), StoreError> {
    let mut unique: Vec<u64> = numbers.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for piece in unique.chunks(512) {
        let mut params = vec![t(state.as_str()), t(reviewer), Val::Text(on.to_string())];
        let Some(&last) = piece.last() else {
            continue;
        };
        let padded = piece.len().next_power_of_two();
        let mut marks = Vec::with_capacity(padded);
        let all = piece
            .iter()
            .chain(std::iter::repeat_n(&last, padded - piece.len()));
        for (i, n) in all.enumerate() {
            let n =
                i64::try_from(*n).map_err(|_| StoreError::NotFound(format!("no link L-{n}")))?;
            params.push(Val::Int(n));
            marks.push(format!("${}", i + 4));
        }
        let changed = tx.exec(
            &format!(
                "UPDATE control_link SET state = $1, reviewer = $2, reviewed_on = $3 WHERE seq IN ({})",
                marks.join(", ")
            ),
            &params,
        )?;
        if usize::try_from(changed).unwrap_or(0) != piece.len() {
            for n in piece {
                if !exists(
                    tx,
                    "SELECT 1 FROM control_link WHERE seq = $1",
                    &[Val::Int(i64::try_from(*n).unwrap_or(-1))],
                )? {
                    return Err(StoreError::NotFound(format!("no link L-{n}")));
                }
            }
        }
    }
    Ok(())
}

/// Adds or replaces a management-system record (numbering it when its id is empty, the
/// generated id added to `ids`), keeping every version in the history; returns its id.
fn put_record(
    tx: &mut dyn Tx,
    mut r: crosswalk_core::ms::Record,
    ids: &mut Vec<String>,
) -> Result<String, StoreError> {
    let kind = r.kind();
    if r.id().is_empty() {
        let id = next_id(
            tx,
            kind,
            r.prefix(),
            "ms_record WHERE id = $1 AND kind = $2",
        )?;
        ids.push(id.clone());
        r.set_id(id);
    }
    let record = json(&r)?;
    let key = [t(kind), t(r.id())];
    let n = tx.exec(
        "UPDATE ms_record SET record = $1 WHERE kind = $2 AND id = $3",
        &[record.clone(), key[0].clone(), key[1].clone()],
    )?;
    if n == 0 {
        let pos = next_position(tx, "ms_record", "position")?;
        tx.exec(
            "INSERT INTO ms_record (kind, id, position, record) VALUES ($1, $2, $3, $4)",
            &[
                key[0].clone(),
                key[1].clone(),
                Val::Int(pos),
                record.clone(),
            ],
        )?;
    }
    let seq = next_position(tx, "ms_record_history", "seq")?;
    tx.exec(
        "INSERT INTO ms_record_history (seq, kind, id, record) VALUES ($1, $2, $3, $4)",
        &[Val::Int(seq), key[0].clone(), key[1].clone(), record],
    )?;
    Ok(r.id().to_owned())
}

/// Adds or replaces a collaboration record (numbering it when its id is empty, the
/// generated id added to `ids`); returns its key.
fn put_collab(
    tx: &mut dyn Tx,
    mut item: Item,
    ids: &mut Vec<String>,
) -> Result<String, StoreError> {
    let kind = item.kind();
    if item.key().is_empty() {
        let id = next_id(
            tx,
            match &item {
                Item::Comment(_) => "comment",
                Item::Request(_) => "request",
                _ => "engagement",
            },
            item.prefix().trim_end_matches('-'),
            "collab_item WHERE id = $1 AND kind = $2",
        )?;
        ids.push(id.clone());
        item.set_id(id);
    }
    let key = item.key();
    let record = json(&item)?;
    let n = tx.exec(
        "UPDATE collab_item SET record = $1 WHERE kind = $2 AND id = $3",
        &[record.clone(), t(kind), t(&key)],
    )?;
    if n == 0 {
        let pos = next_position(tx, "collab_item", "position")?;
        tx.exec(
            "INSERT INTO collab_item (kind, id, position, record) VALUES ($1, $2, $3, $4)",
            &[t(kind), t(&key), Val::Int(pos), record],
        )?;
    }
    Ok(key)
}

/// A new risk id, `R-<n>`, past every number handed out or given by hand.
fn next_risk_id(tx: &mut dyn Tx) -> Result<String, StoreError> {
    next_id(tx, "risk", "R", "risk WHERE id = $1")
}

/// A new id `<prefix>-<n>` from counter `name`, skipping any `<table and condition>` (with
/// `$1` the id, `$2` the counter name) finds taken.
fn next_id(tx: &mut dyn Tx, name: &str, prefix: &str, taken: &str) -> Result<String, StoreError> {
    let mut n = query_one(
        tx,
        "SELECT value FROM id_counter WHERE name = $1",
        &[t(name)],
        |r| r.int(0),
    )?
    .ok_or_else(|| StoreError::Corrupt(format!("the {name} counter is missing")))?;
    let probe = format!("SELECT 1 FROM {taken}");
    let id = loop {
        n += 1;
        let id = format!("{prefix}-{n}");
        let params = if probe.contains("$2") {
            vec![t(&id), t(name)]
        } else {
            vec![t(&id)]
        };
        if !exists(tx, &probe, &params)? {
            break id;
        }
    };
    tx.exec(
        "UPDATE id_counter SET value = $1 WHERE name = $2",
        &[Val::Int(n), t(name)],
    )?;
    Ok(id)
}

/// What a change does, for error messages ("adding evidence `EV-3`: …").
fn describe(change: &Change, evidence_id: &str) -> String {
    match change {
        Change::SetProgram(_) => "setting the program description".into(),
        Change::AddFramework(s) => format!("adding {} to the scope", s.framework),
        Change::RemoveFramework(f) => format!("taking {f} out of the scope"),
        Change::AddControl(c) => format!("adding control `{}`", c.id),
        Change::ExpectControl { id, .. } => format!("checking control `{id}` is unchanged"),
        Change::SetControlStatus { control, .. } => {
            format!("setting the status of control `{control}`")
        }
        Change::Link(l) => format!(
            "linking control `{}` to {}:{}",
            l.control, l.framework, l.requirement
        ),
        Change::Unlink {
            control,
            framework,
            requirement,
        } => format!("unlinking control `{control}` from {framework}:{requirement}"),
        Change::ReviewLinks { state, ids, .. } => {
            format!("marking {} link(s) {}", ids.len(), state.as_str())
        }
        Change::AddEvidence(_) => format!("adding evidence `{evidence_id}`"),
        Change::Assess(a) => format!("assessing {}:{}", a.framework, a.requirement),
        Change::SignOff {
            framework,
            requirement,
            ..
        } => format!("signing off {framework}:{requirement}"),
        Change::SetPolicy(p) => format!("recording policy `{}` version {}", p.id, p.version),
        Change::Snapshot(s) => format!("recording the readiness snapshot of {}", s.taken_on),
        Change::SetMaturityScale(_) => "setting the maturity scale".into(),
        Change::SetRisk(r) if r.id.is_empty() => format!("adding risk `{evidence_id}`"),
        Change::SetRisk(r) => format!("recording risk `{}`", r.id),
        Change::SetRiskMatrix(_) => "setting the risk matrix".into(),
        Change::Collab(item) if item.key().is_empty() => {
            format!("adding {} `{evidence_id}`", item.kind())
        }
        Change::Collab(item) => format!("recording {} `{}`", item.kind(), item.key()),
        Change::Unassign(subject) => format!("removing the assignment of `{subject}`"),
        Change::MoveRequest { id, step } => {
            format!("moving evidence request `{id}` to {}", step.state.as_str())
        }
        Change::AddWebhook(_) => format!("adding webhook `{evidence_id}`"),
        Change::RemoveWebhook(id) => format!("removing webhook `{id}`"),
        Change::ImportResults { sha256, .. } => format!("importing results sha256:{sha256}"),
        Change::MapCheck { check, .. } => format!("mapping check `{check}`"),
        Change::AddSnapshot(d) => format!("adding a snapshot of `{}`", d.dataset),
        Change::RecordDrift { run, .. } => format!("recording the drift of run {run}"),
        Change::AddFinding { audit, .. } => format!("adding a finding to internal audit `{audit}`"),
        Change::SetException(e) => format!("recording an exception to check `{}`", e.check),
        Change::UnmapCheck { check, control } => {
            format!("unmapping check `{check}` from control `{control}`")
        }
        Change::SetRecord(r) => format!(
            "recording {} `{}`",
            r.kind(),
            if r.id().is_empty() {
                evidence_id
            } else {
                r.id()
            }
        ),
    }
}

/// A control's values in the column order of the `control` table.
pub(crate) fn control_row(c: &crosswalk_core::program::Control, pos: i64) -> [Val; 7] {
    [
        t(&c.id),
        Val::Int(pos),
        t(&c.title),
        t(&c.description),
        t(&c.owner),
        t(c.status.as_str()),
        t(&c.frequency),
    ]
}

/// Applies one change inside the caller's transaction, naming it in database errors.
fn apply_change(tx: &mut dyn Tx, change: &Change, ids: &mut Vec<String>) -> Result<(), StoreError> {
    let mut evidence_id = String::new();
    apply_one(tx, change, ids, &mut evidence_id)
        .map_err(|e| in_context(e, &describe(change, &evidence_id)))
}

fn apply_one(
    tx: &mut dyn Tx,
    change: &Change,
    ids: &mut Vec<String>,
    evidence_id: &mut String,
) -> Result<(), StoreError> {
    match change {
        Change::SetProgram(p) => {
            tx.exec("DELETE FROM program", &[])?;
            tx.exec(
                "INSERT INTO program (id, organization, scope, systems) VALUES (1, $1, $2, $3)",
                &[t(&p.organization), t(&p.scope), json(&p.systems)?],
            )?;
        }
        Change::RemoveFramework(f) => {
            let n = tx.exec(
                "DELETE FROM framework_scope WHERE framework = $1",
                &[t(f.as_str())],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "{f} is not in the program's scope"
                )));
            }
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
            let pos = next_position(tx, "framework_scope", "position")?;
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
            let pos = next_position(tx, "control", "position")?;
            tx.exec(
                "INSERT INTO control (id, position, title, description, owner, status, frequency) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &control_row(c, pos),
            )?;
        }
        Change::ExpectControl { id, etag } => {
            let found = crate::read::control(tx, id)?
                .ok_or_else(|| StoreError::NotFound(format!("no control `{id}`")))?;
            if found.etag() != *etag {
                return Err(StoreError::Stale(format!(
                    "control `{id}` was changed by someone else (its tag is now {}); nothing was changed",
                    found.etag()
                )));
            }
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
            let seq = next_link_number(tx)?;
            tx.exec(
                &format!(
                    "INSERT INTO control_link ({LINK_INSERT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) {}",
                    link_conflict(l)
                ),
                &link_row(l, seq)?,
            )?;
            write_link_counter(tx, seq)?;
        }
        Change::Unlink {
            control,
            framework,
            requirement,
        } => {
            let n = tx.exec(
                "DELETE FROM control_link WHERE control = $1 AND framework = $2 AND requirement = $3",
                &[t(control), t(framework.as_str()), t(requirement.as_str())],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "control `{control}` is not linked to {framework}:{requirement}"
                )));
            }
        }
        Change::ReviewLinks {
            ids: numbers,
            state,
            reviewer,
            on,
        } => review_links(tx, numbers, *state, reviewer, *on)?,
        Change::AddEvidence(e) => {
            if e.id.is_empty() {
                *evidence_id = generate_evidence_id(tx)?;
                ids.push(evidence_id.clone());
            } else {
                evidence_id.clone_from(&e.id);
                if exists(tx, "SELECT 1 FROM evidence WHERE id = $1", &[t(&e.id)])? {
                    return Err(StoreError::Conflict(format!(
                        "evidence `{}` already exists",
                        e.id
                    )));
                }
                // Keep the counter past ids given by hand, so generating stays O(1).
                if let Some(n) = evidence_number(&e.id) {
                    tx.exec(
                        "UPDATE id_counter SET value = $1 WHERE name = 'evidence' AND value < $2",
                        &[Val::Int(n), Val::Int(n)],
                    )?;
                }
            }
            let id = evidence_id.as_str();
            let pos = next_position(tx, "evidence", "position")?;
            tx.exec(
                "INSERT INTO evidence (id, position, title, location, collected, valid_until) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    t(id),
                    Val::Int(pos),
                    t(&e.title),
                    Val::Text(e.location.to_string()),
                    Val::Text(e.collected.to_string()),
                    date_val(e.valid_until),
                ],
            )?;
            for c in &e.controls {
                if !exists(tx, "SELECT 1 FROM control WHERE id = $1", &[t(c)])? {
                    return Err(StoreError::NotFound(format!(
                        "evidence `{id}` names no control `{c}`"
                    )));
                }
                tx.exec(
                    "INSERT INTO evidence_control (evidence, control) VALUES ($1, $2)",
                    &[t(id), t(c)],
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
            let pos = match query_one(
                tx,
                "SELECT position FROM policy WHERE id = $1",
                &[t(&p.id)],
                |r| r.int(0),
            )? {
                Some(pos) => pos,
                None => next_position(tx, "policy", "position")?,
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
            let seq = next_position(tx, "policy_history", "seq")?;
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
        Change::Assess(a) => assess(tx, a)?,
        Change::SetRisk(r) => {
            let mut r = r.clone();
            if r.id.is_empty() {
                r.id = next_risk_id(tx)?;
                ids.push(r.id.clone());
            }
            evidence_id.clone_from(&r.id);
            let record = json(&r)?;
            let n = tx.exec(
                "UPDATE risk SET record = $1 WHERE id = $2",
                &[record.clone(), t(&r.id)],
            )?;
            if n == 0 {
                let pos = next_position(tx, "risk", "position")?;
                tx.exec(
                    "INSERT INTO risk (id, position, record) VALUES ($1, $2, $3)",
                    &[t(&r.id), Val::Int(pos), record.clone()],
                )?;
                // Keep the counter past ids given by hand.
                if let Some(n) = r.id.strip_prefix("R-").and_then(|d| d.parse::<i64>().ok()) {
                    tx.exec(
                        "UPDATE id_counter SET value = $1 WHERE name = 'risk' AND value < $1",
                        &[Val::Int(n)],
                    )?;
                }
            }
            let seq = next_position(tx, "risk_history", "seq")?;
            tx.exec(
                "INSERT INTO risk_history (seq, risk, record) VALUES ($1, $2, $3)",
                &[Val::Int(seq), t(&r.id), record],
            )?;
        }
        Change::SetRecord(r) => {
            let id = put_record(tx, r.clone(), ids)?;
            evidence_id.clone_from(&id);
        }
        Change::AddFinding {
            audit,
            finding,
            nonconformity,
            performed_on,
        } => {
            let record = query_one(
                tx,
                "SELECT record FROM ms_record WHERE kind = 'audit' AND id = $1",
                &[t(audit)],
                |r| r.string(0),
            )?
            .ok_or_else(|| StoreError::NotFound(format!("no internal audit `{audit}`")))?;
            let Ok(crosswalk_core::ms::Record::Audit(mut a)) = serde_json::from_str(&record) else {
                return Err(StoreError::Corrupt(format!("internal audit `{audit}`")));
            };
            let mut finding = finding.clone();
            if let Some(nc) = nonconformity {
                let id = put_record(
                    tx,
                    crosswalk_core::ms::Record::Nonconformity(nc.clone()),
                    ids,
                )?;
                finding.nonconformity = Some(id);
            }
            a.findings.push(finding);
            if a.performed.is_none() {
                a.performed = Some(*performed_on);
            }
            put_record(tx, crosswalk_core::ms::Record::Audit(a), &mut Vec::new())?;
        }
        Change::MapCheck { check, controls } => {
            for c in controls {
                if !exists(tx, "SELECT 1 FROM control WHERE id = $1", &[t(c)])? {
                    return Err(StoreError::NotFound(format!("no control `{c}`")));
                }
                tx.exec(
                    "INSERT INTO check_control (check_id, control) VALUES ($1, $2) ON CONFLICT (check_id, control) DO NOTHING",
                    &[t(check), t(c)],
                )?;
            }
        }
        Change::SetException(e) => {
            tx.exec(
                "DELETE FROM check_exception WHERE check_id = $1 AND resource = $2",
                &[t(&e.check), t(&e.resource)],
            )?;
            tx.exec(
                "INSERT INTO check_exception (check_id, resource, justification, approved_by, until, recorded_on) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    t(&e.check),
                    t(&e.resource),
                    t(&e.justification),
                    t(&e.approved_by),
                    Val::Text(e.until.to_string()),
                    Val::Text(e.recorded_on.to_string()),
                ],
            )?;
        }
        Change::UnmapCheck { check, control } => {
            let n = tx.exec(
                "DELETE FROM check_control WHERE check_id = $1 AND control = $2",
                &[t(check), t(control)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "check `{check}` is not mapped to control `{control}`"
                )));
            }
        }
        Change::ImportResults {
            sha256,
            imported_at,
            batch,
        } => {
            if exists(
                tx,
                "SELECT 1 FROM result_import WHERE sha256 = $1",
                &[Val::Text(sha256.to_string())],
            )? {
                return Err(StoreError::Conflict(format!(
                    "results sha256:{sha256} were imported already"
                )));
            }
            let seq = next_position(tx, "result_import", "seq")?;
            tx.exec(
                "INSERT INTO result_import (sha256, seq, format, tool, tool_version, imported_at, results) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    Val::Text(sha256.to_string()),
                    Val::Int(seq),
                    t(&batch.format),
                    t(&batch.tool),
                    batch.tool_version.as_deref().map_or(Val::Null, t),
                    Val::Text(imported_at.to_string()),
                    Val::Int(i64::try_from(batch.results.len()).unwrap_or(i64::MAX)),
                ],
            )?;
            let mut rows = Vec::with_capacity(batch.results.len() * 10);
            for (n, r) in batch.results.iter().enumerate() {
                rows.extend([
                    Val::Int(seq),
                    Val::Int(i64::try_from(n).unwrap_or(i64::MAX)),
                    t(&r.check),
                    t(&r.resource),
                    t(r.status.as_str()),
                    r.observed.map_or(Val::Null, |o| Val::Text(o.to_string())),
                    r.severity.as_deref().map_or(Val::Null, t),
                    t(&r.title),
                    json(&r.requirements)?,
                    r.message.as_deref().map_or(Val::Null, t),
                ]);
            }
            crate::bulk::insert(
                tx,
                "INSERT INTO check_result (import_seq, n, check_id, resource, status, observed, severity, title, requirements, message)",
                10,
                "",
                &rows,
            )?;
        }
        Change::RecordDrift { .. } => {}
        Change::AddSnapshot(d) => {
            let latest = query_one(
                tx,
                "SELECT sha256 FROM data_snapshot WHERE dataset = $1 ORDER BY seq DESC LIMIT 1",
                &[t(&d.dataset)],
                |r| r.string(0),
            )?;
            if latest.as_deref() == Some(d.sha256.as_str()) {
                return Err(StoreError::Conflict(format!(
                    "the latest snapshot of `{}` is sha256:{} already",
                    d.dataset, d.sha256
                )));
            }
            let seq = next_position(tx, "data_snapshot", "seq")?;
            tx.exec(
                "INSERT INTO data_snapshot (dataset, sha256, seq, source, collected_at, added_at, items) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    t(&d.dataset),
                    t(&d.sha256),
                    Val::Int(seq),
                    t(&d.source),
                    Val::Text(d.collected_at.to_string()),
                    Val::Text(d.added_at.to_string()),
                    Val::Int(i64::try_from(d.items).unwrap_or(i64::MAX)),
                ],
            )?;
        }
        Change::Collab(item) => {
            let id = put_collab(tx, item.clone(), ids)?;
            evidence_id.clone_from(&id);
        }
        Change::Unassign(subject) => {
            let n = tx.exec(
                "DELETE FROM collab_item WHERE kind = 'assignment' AND id = $1",
                &[t(&subject.to_string())],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("`{subject}` is not assigned")));
            }
        }
        Change::MoveRequest { id, step } => {
            let record = query_one(
                tx,
                "SELECT record FROM collab_item WHERE kind = 'request' AND id = $1",
                &[t(id)],
                |r| r.string(0),
            )?
            .ok_or_else(|| StoreError::NotFound(format!("no evidence request `{id}`")))?;
            let Ok(Item::Request(mut r)) = serde_json::from_str(&record) else {
                return Err(StoreError::Corrupt(format!("evidence request `{id}`")));
            };
            r.advance(step.clone())
                .map_err(|e| StoreError::Conflict(e.to_string()))?;
            put_collab(tx, Item::Request(r), &mut Vec::new())?;
        }
        Change::AddWebhook(w) => {
            let id = if w.id.is_empty() {
                let id = next_id(tx, "webhook", "WH", "webhook WHERE id = $1")?;
                ids.push(id.clone());
                id
            } else {
                w.id.clone()
            };
            if exists(tx, "SELECT 1 FROM webhook WHERE id = $1", &[t(&id)])? {
                return Err(StoreError::Conflict(format!("webhook `{id}` exists")));
            }
            let head = query_one(
                tx,
                "SELECT audit_seq FROM program_version WHERE id = 1",
                &[],
                |r| r.int(0),
            )?
            .unwrap_or(0);
            crate::webhook::add(tx, w, &id, u64::try_from(head).unwrap_or(0))?;
            evidence_id.clone_from(&id);
        }
        Change::RemoveWebhook(id) => {
            if tx.exec("DELETE FROM webhook WHERE id = $1", &[t(id)])? == 0 {
                return Err(StoreError::NotFound(format!("no webhook `{id}`")));
            }
        }
        Change::SetRiskMatrix(m) => {
            tx.exec("DELETE FROM setting WHERE key = 'risk-matrix'", &[])?;
            if let Some(m) = m {
                tx.exec(
                    "INSERT INTO setting (key, value) VALUES ('risk-matrix', $1)",
                    &[json(m)?],
                )?;
            }
        }
    }
    Ok(())
}

fn assess(tx: &mut dyn Tx, a: &Assessment) -> Result<(), StoreError> {
    let key = [t(a.framework.as_str()), t(a.requirement.as_str())];
    tx.exec(
        "DELETE FROM assessment WHERE framework = $1 AND requirement = $2",
        &key,
    )?;
    tx.exec(
        "INSERT INTO assessment (framework, requirement, applicable, justification, result, reason, maturity, assessor, assessed_on, grade, included_for, planned) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
            t(&a
                .included_for
                .iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(",")),
            date_val(a.planned),
        ],
    )?;
    let seq = next_position(tx, "assessment_history", "seq")?;
    tx.exec(
        "INSERT INTO assessment_history (seq, framework, requirement, record) VALUES ($1, $2, $3, $4)",
        &[
            Val::Int(seq),
            t(a.framework.as_str()),
            t(a.requirement.as_str()),
            json(&AssessmentRecord::from(a))?,
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::evidence_number;

    #[test]
    fn evidence_numbers() {
        assert_eq!(evidence_number("EV-12"), Some(12));
        assert_eq!(evidence_number("EV-"), None);
        assert_eq!(evidence_number("EV-1a"), None);
        assert_eq!(evidence_number("EV-+1"), None);
        assert_eq!(evidence_number("ev-3"), None);
        assert_eq!(evidence_number("EV-99999999999999999999999"), None);
    }
}
