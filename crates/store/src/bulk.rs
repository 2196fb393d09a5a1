//! Runs of `AddControl`, `Link` and `AddEvidence` changes, applied set-wise.
//!
//! Applying a change at a time costs several statements per change (existence checks,
//! `MAX(position) + 1`, the inserts), each a round trip to a server. Here a chunk of up to
//! [`CHUNK`] consecutive such changes is first *simulated* in memory, in order, against
//! what the database holds (asked for with one `IN (…)` query per table for all the ids
//! the chunk names) and what the chunk itself added before each change: conflicts,
//! missing controls, positions and generated evidence ids come out exactly as applying
//! the changes one by one would give them. Then the chunk's rows are written with a few
//! multi-row `INSERT`s (manual links as an upsert: one replaces the link between the
//! same control and requirement; crosswalk links only where the pair is not linked yet).
//!
//! The simulation refuses with the message of the first change that would fail. Whatever
//! it cannot predict — a database error on the writes, or a change that one by one would
//! fail in the database itself (an evidence item naming one control twice) — fails the
//! whole attempt with [`Failure::OneByOne`]: the caller then rolls back and applies the
//! list again a change at a time, so such errors are exactly those of that path too.
//!
//! Positions come from one `MAX(position)` read per table per apply, and generated ids
//! from the `id_counter` row read once per apply: writers are serialised, so nothing else
//! moves them meanwhile.

use std::collections::{HashMap, HashSet};

use crosswalk_core::program::{Control, ControlLink, Evidence, LinkOrigin};

use crate::apply::{
    LINK_COLUMNS, LINK_INSERT, date_val, evidence_number, link_conflict_manual, link_counter,
    link_row, max_evidence_number, next_position, t, write_link_counter,
};
use crate::{Change, StoreError, Tx, Val, query_one};

/// Changes simulated and written together.
const CHUNK: usize = 4096;

/// Bound parameters per statement: well under PostgreSQL's 65,535 and the 32,766 of the
/// bundled SQLite (`SQLITE_MAX_VARIABLE_NUMBER`).
const MAX_PARAMS: usize = 8192;

/// Whether a change is applied set-wise.
pub(crate) fn is_bulk(change: &Change) -> bool {
    matches!(
        change,
        Change::AddControl(_) | Change::Link(_) | Change::AddEvidence(_)
    )
}

/// Why a run of changes was not applied.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A change is refused: the error applying the changes one by one gives.
    Refused(StoreError),
    /// Something only applying the changes one by one can report exactly (a database
    /// error, or a change that would meet one): roll back, then do that.
    OneByOne(StoreError),
}

/// The last evidence number handed out, as far as this apply knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Counter {
    /// Not read yet.
    #[default]
    Unread,
    /// No `id_counter` row yet: it is created on the first generated id.
    Absent,
    At(i64),
}

/// What an apply carries from one chunk to the next.
#[derive(Debug, Default)]
pub(crate) struct Bulk {
    next_control: Option<i64>,
    next_evidence: Option<i64>,
    counter: Counter,
    /// The last link number handed out, once read.
    links: Option<i64>,
}

impl Bulk {
    /// Applies `changes` (all [`is_bulk`]) in chunks, in order; generated ids are added to
    /// `ids` in the order of the changes that asked for them.
    pub(crate) fn apply(
        &mut self,
        tx: &mut dyn Tx,
        changes: &[Change],
        ids: &mut Vec<String>,
    ) -> Result<(), Failure> {
        for chunk in changes.chunks(CHUNK) {
            self.apply_chunk(tx, chunk, ids)?;
        }
        Ok(())
    }

    fn apply_chunk(
        &mut self,
        tx: &mut dyn Tx,
        chunk: &[Change],
        ids: &mut Vec<String>,
    ) -> Result<(), Failure> {
        self.read_start(tx, chunk).map_err(Failure::OneByOne)?;
        let scan_max = match self.counter {
            Counter::Absent if chunk.iter().any(wants_id) => {
                Some(max_evidence_number(tx).map_err(Failure::OneByOne)?)
            }
            _ => None,
        };
        let mut known = Known::default();
        let plan = loop {
            let plan = simulate(chunk, self, scan_max, &known);
            if plan.unknown_controls.is_empty() && plan.unknown_evidence.is_empty() {
                break plan;
            }
            let controls: Vec<&str> = plan.unknown_controls.iter().copied().collect();
            let found = existing(tx, "SELECT id FROM control WHERE id IN ", &controls)
                .map_err(Failure::OneByOne)?;
            for id in controls {
                known.controls.insert(id.to_owned(), found.contains(id));
            }
            let evidence: Vec<&str> = plan.unknown_evidence.iter().map(String::as_str).collect();
            let found = existing(tx, "SELECT id FROM evidence WHERE id IN ", &evidence)
                .map_err(Failure::OneByOne)?;
            for id in evidence {
                known.evidence.insert(id.to_owned(), found.contains(id));
            }
        };
        // The rows of the changes before a refused one are written too, so that a database
        // error one of them would meet comes first, as it would one by one.
        let before = self.links;
        let mut numbers = self.links.unwrap_or(0);
        write(tx, &plan, &mut numbers).map_err(Failure::OneByOne)?;
        if before.is_some_and(|b| b != numbers) {
            write_link_counter(tx, numbers).map_err(Failure::OneByOne)?;
            self.links = Some(numbers);
        }
        match plan.stop {
            Some(Stop::Refused(e)) => return Err(Failure::Refused(e)),
            Some(Stop::OneByOne) => {
                return Err(Failure::OneByOne(StoreError::Database(
                    "a change must be applied on its own".into(),
                )));
            }
            None => {}
        }
        match (self.counter, plan.counter) {
            (Counter::Absent, Counter::At(n)) => tx
                .exec(
                    "INSERT INTO id_counter (name, value) VALUES ('evidence', $1)",
                    &[Val::Int(n)],
                )
                .map(drop),
            (Counter::At(old), Counter::At(n)) if old != n => tx
                .exec(
                    "UPDATE id_counter SET value = $1 WHERE name = 'evidence'",
                    &[Val::Int(n)],
                )
                .map(drop),
            _ => Ok(()),
        }
        .map_err(Failure::OneByOne)?;
        self.counter = plan.counter;
        self.next_control = plan.next_control;
        self.next_evidence = plan.next_evidence;
        ids.extend(plan.generated);
        Ok(())
    }

    /// Reads, once per apply, the next positions and the evidence counter the chunk needs.
    fn read_start(&mut self, tx: &mut dyn Tx, chunk: &[Change]) -> Result<(), StoreError> {
        let controls = chunk.iter().any(|c| matches!(c, Change::AddControl(_)));
        let evidence = chunk.iter().any(|c| matches!(c, Change::AddEvidence(_)));
        if controls && self.next_control.is_none() {
            self.next_control = Some(next_position(tx, "control", "position")?);
        }
        if evidence && self.next_evidence.is_none() {
            self.next_evidence = Some(next_position(tx, "evidence", "position")?);
        }
        if self.links.is_none() && chunk.iter().any(|c| matches!(c, Change::Link(_))) {
            self.links = Some(link_counter(tx)?);
        }
        if evidence && self.counter == Counter::Unread {
            self.counter = match query_one(
                tx,
                "SELECT value FROM id_counter WHERE name = 'evidence'",
                &[],
                |r| r.int(0),
            )? {
                Some(n) => Counter::At(n),
                None => Counter::Absent,
            };
        }
        Ok(())
    }
}

fn wants_id(change: &Change) -> bool {
    matches!(change, Change::AddEvidence(e) if e.id.is_empty())
}

/// What the database holds, as far as asked: id → present.
#[derive(Default)]
struct Known {
    controls: HashMap<String, bool>,
    evidence: HashMap<String, bool>,
}

/// Where a simulation stopped.
enum Stop {
    Refused(StoreError),
    OneByOne,
}

/// A chunk's rows and what it leaves behind.
struct Plan<'a> {
    controls: Vec<(&'a Control, i64)>,
    links: Vec<&'a ControlLink>,
    evidence: Vec<(String, &'a Evidence, i64)>,
    /// (index in `evidence`, control)
    pairs: Vec<(usize, &'a str)>,
    generated: Vec<String>,
    counter: Counter,
    next_control: Option<i64>,
    next_evidence: Option<i64>,
    /// Ids the simulation needed and [`Known`] did not hold (taken as a control that
    /// exists, an evidence id that does not); simulated again once they are looked up.
    unknown_controls: HashSet<&'a str>,
    unknown_evidence: HashSet<String>,
    stop: Option<Stop>,
}

/// Takes the next value of a position counter.
fn take(next: &mut Option<i64>) -> i64 {
    let n = next.unwrap_or(0);
    *next = Some(n + 1);
    n
}

/// The chunk applied in memory, change by change, as the one-by-one path would apply it.
fn simulate<'a>(
    chunk: &'a [Change],
    start: &Bulk,
    scan_max: Option<i64>,
    known: &Known,
) -> Plan<'a> {
    let mut sim = Sim {
        p: Plan {
            controls: Vec::new(),
            links: Vec::new(),
            evidence: Vec::new(),
            pairs: Vec::new(),
            generated: Vec::new(),
            counter: start.counter,
            next_control: start.next_control,
            next_evidence: start.next_evidence,
            unknown_controls: HashSet::new(),
            unknown_evidence: HashSet::new(),
            stop: None,
        },
        known,
        added: HashSet::new(),
        seen: HashSet::new(),
        scan_max,
        hand_max: None,
    };
    for change in chunk {
        let stop = match change {
            Change::AddControl(c) => sim.add_control(c),
            Change::Link(l) => sim.link(l),
            Change::AddEvidence(e) => sim.add_evidence(e),
            _ => Some(Stop::OneByOne),
        };
        if stop.is_some() {
            sim.p.stop = stop;
            break;
        }
    }
    sim.p
}

/// A simulation under way.
struct Sim<'a, 'k> {
    p: Plan<'a>,
    known: &'k Known,
    /// Controls the chunk added so far.
    added: HashSet<&'a str>,
    /// Evidence ids the chunk added so far.
    seen: HashSet<String>,
    /// The largest `EV-<n>` in the table before the chunk, when the counter may be created.
    scan_max: Option<i64>,
    /// The largest `EV-<n>` given by hand so far in the chunk: one by one, those rows would
    /// be in the table when the counter is created from it.
    hand_max: Option<i64>,
}

impl<'a> Sim<'a, '_> {
    /// Whether control `id` exists at this point; when the database has not been asked,
    /// `guess` (the answer that lets the simulation go on, to learn every id it needs).
    fn control_exists(&mut self, id: &'a str, guess: bool) -> bool {
        if self.added.contains(id) {
            return true;
        }
        match self.known.controls.get(id) {
            Some(&present) => present,
            None => {
                self.p.unknown_controls.insert(id);
                guess
            }
        }
    }

    /// Whether evidence `id` exists at this point (when the database has not been asked:
    /// no, the answer that lets the simulation go on).
    fn evidence_exists(&mut self, id: &str) -> bool {
        if self.seen.contains(id) {
            return true;
        }
        match self.known.evidence.get(id) {
            Some(&present) => present,
            None => {
                self.p.unknown_evidence.insert(id.to_owned());
                false
            }
        }
    }

    fn add_control(&mut self, c: &'a Control) -> Option<Stop> {
        if self.control_exists(&c.id, false) {
            return Some(Stop::Refused(StoreError::Conflict(format!(
                "control `{}` already exists",
                c.id
            ))));
        }
        self.added.insert(&c.id);
        let pos = take(&mut self.p.next_control);
        self.p.controls.push((c, pos));
        None
    }

    fn link(&mut self, l: &'a ControlLink) -> Option<Stop> {
        if !self.control_exists(&l.control, true) {
            return Some(Stop::Refused(StoreError::NotFound(format!(
                "no control `{}`",
                l.control
            ))));
        }
        self.p.links.push(l);
        None
    }

    fn add_evidence(&mut self, e: &'a Evidence) -> Option<Stop> {
        let id = if e.id.is_empty() {
            let mut n = match self.p.counter {
                Counter::At(n) => n,
                // One by one, the counter is created from the largest `EV-<n>` in the table.
                Counter::Absent => self
                    .scan_max
                    .into_iter()
                    .chain(self.hand_max)
                    .max()
                    .unwrap_or(0),
                Counter::Unread => return Some(Stop::OneByOne),
            };
            let id = loop {
                let Some(next) = n.checked_add(1) else {
                    return Some(Stop::OneByOne);
                };
                n = next;
                let id = format!("EV-{n}");
                if !self.evidence_exists(&id) {
                    break id;
                }
            };
            self.p.counter = Counter::At(n);
            self.p.generated.push(id.clone());
            id
        } else {
            if self.evidence_exists(&e.id) {
                return Some(Stop::Refused(StoreError::Conflict(format!(
                    "evidence `{}` already exists",
                    e.id
                ))));
            }
            if let Some(n) = evidence_number(&e.id) {
                if let Counter::At(c) = self.p.counter
                    && c < n
                {
                    self.p.counter = Counter::At(n);
                }
                self.hand_max = Some(self.hand_max.map_or(n, |m| m.max(n)));
            }
            e.id.clone()
        };
        let pos = take(&mut self.p.next_evidence);
        let row = self.p.evidence.len();
        self.p.evidence.push((id.clone(), e, pos));
        let first_pair = self.p.pairs.len();
        for c in &e.controls {
            if !self.control_exists(c, true) {
                return Some(Stop::Refused(StoreError::NotFound(format!(
                    "evidence `{id}` names no control `{c}`"
                ))));
            }
            // One by one, the second row for the same pair fails in the database.
            if self.p.pairs[first_pair..]
                .iter()
                .any(|&(_, other)| other == c)
            {
                return Some(Stop::OneByOne);
            }
            self.p.pairs.push((row, c));
        }
        self.seen.insert(id);
        None
    }
}

/// Writes a plan's rows: controls, links (numbered after `numbers`, which moves on),
/// evidence, then evidence-control pairs.
fn write<'a>(tx: &mut dyn Tx, p: &Plan<'a>, numbers: &mut i64) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(p.controls.len() * 7);
    for &(c, pos) in &p.controls {
        rows.extend(crate::apply::control_row(c, pos));
    }
    insert(
        tx,
        "INSERT INTO control (id, position, title, description, owner, status, frequency)",
        7,
        "",
        &rows,
    )?;

    // A manual link replaces the one between the same control and requirement: the last
    // of the chunk's manual links for each pair is kept (one statement cannot upsert a row
    // twice). Crosswalk links are written after them and only where the pair is free, the
    // first for each pair: whatever the order, a manual link wins. Every link change takes
    // the next number, as one by one; a pair's row is numbered by its first change (later
    // ones update it, keeping the number).
    let key = |l: &'a ControlLink| {
        (
            l.control.as_str(),
            l.framework.as_str(),
            l.requirement.as_str(),
        )
    };
    let mut first: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut manual: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, l) in p.links.iter().enumerate() {
        first.entry(key(l)).or_insert(i);
        if matches!(l.origin, LinkOrigin::Manual) {
            manual.insert(key(l), i);
        }
    }
    let base = *numbers;
    let number = |i: usize| base + i64::try_from(i).unwrap_or(i64::MAX - base) + 1;
    let mut manual_rows = Vec::with_capacity(manual.len() * LINK_COLUMNS);
    let mut proposed_rows = Vec::new();
    for (i, l) in p.links.iter().enumerate() {
        let k = key(l);
        let rows = if manual.get(&k) == Some(&i) {
            &mut manual_rows
        } else if first.get(&k) == Some(&i) && !manual.contains_key(&k) {
            &mut proposed_rows
        } else {
            continue;
        };
        rows.extend(link_row(l, number(first[&k]))?);
    }
    *numbers = number(p.links.len()) - 1;
    let head = format!("INSERT INTO control_link ({LINK_INSERT})");
    insert(
        tx,
        &head,
        LINK_COLUMNS,
        link_conflict_manual(),
        &manual_rows,
    )?;
    insert(
        tx,
        &head,
        LINK_COLUMNS,
        "ON CONFLICT (control, framework, requirement) DO NOTHING",
        &proposed_rows,
    )?;

    let mut rows = Vec::with_capacity(p.evidence.len() * 6);
    for (id, e, pos) in &p.evidence {
        rows.extend([
            t(id),
            Val::Int(*pos),
            t(&e.title),
            Val::Text(e.location.to_string()),
            Val::Text(e.collected.to_string()),
            date_val(e.valid_until),
        ]);
    }
    insert(
        tx,
        "INSERT INTO evidence (id, position, title, location, collected, valid_until)",
        6,
        "",
        &rows,
    )?;

    let mut rows = Vec::with_capacity(p.pairs.len() * 2);
    for &(row, control) in &p.pairs {
        rows.extend([t(&p.evidence[row].0), t(control)]);
    }
    insert(
        tx,
        "INSERT INTO evidence_control (evidence, control)",
        2,
        "",
        &rows,
    )
}

/// The largest power of two not above `n` (which is at least 1).
fn power_of_two_below(n: usize) -> usize {
    1 << (usize::BITS - 1 - n.max(1).leading_zeros())
}

/// `($1, $2), ($3, $4)` …: `rows` groups of `width` placeholders.
fn placeholders(rows: usize, width: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(rows * width * 7);
    let mut n = 0;
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            n += 1;
            let _ = write!(s, "{}${n}", if c == 0 { "" } else { ", " });
        }
        s.push(')');
    }
    s
}

/// Inserts `values` (rows of `width` values, one after the other) with `head VALUES …
/// tail` statements of a power-of-two number of rows each, so that a connection prepares
/// a few statements only, whatever the sizes.
pub(crate) fn insert(
    tx: &mut dyn Tx,
    head: &str,
    width: usize,
    tail: &str,
    values: &[Val],
) -> Result<(), StoreError> {
    let most = power_of_two_below(MAX_PARAMS / width);
    let mut rest = values;
    while !rest.is_empty() {
        let rows = power_of_two_below(rest.len() / width).min(most);
        let (now, later) = rest.split_at(rows * width);
        let sql = format!("{head} VALUES {} {tail}", placeholders(rows, width));
        tx.exec(sql.trim_end(), now)?;
        rest = later;
    }
    Ok(())
}

/// Which of `ids` the query `head (…)` returns (its first column), asked for in lists of
/// a power-of-two length (the last id repeated), so a connection prepares few of them.
pub(crate) fn existing(
    tx: &mut dyn Tx,
    head: &str,
    ids: &[&str],
) -> Result<HashSet<String>, StoreError> {
    let mut found = HashSet::new();
    for piece in ids.chunks(power_of_two_below(MAX_PARAMS)) {
        let Some(&last) = piece.last() else {
            continue;
        };
        let n = piece.len().next_power_of_two();
        let params: Vec<Val> = piece
            .iter()
            .chain(std::iter::repeat_n(&last, n - piece.len()))
            .map(|id| t(id))
            .collect();
        let sql = format!("{head}{}", placeholders(1, n));
        tx.query_each(&sql, &params, &mut |r| {
            found.insert(r.string(0)?);
            Ok(())
        })?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{placeholders, power_of_two_below};

    #[test]
    fn statement_shapes() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
        assert_eq!(
            [1, 2, 3, 4, 5, 1023, 1024, 1025].map(power_of_two_below),
            [1, 2, 2, 4, 4, 512, 1024, 1024]
        );
    }
}
