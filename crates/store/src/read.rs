//! Reads, run inside the caller's read transaction. Rows are decoded in place as the
//! backend hands them over; the common stored forms (dates, coverage, manual link origins)
//! are decoded without going through JSON.

use std::collections::HashMap;

use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::Coverage;
use crosswalk_core::program::{
    Assessment, Control, ControlLink, ControlStatus, Evidence, FrameworkStatus, Grade, InScope,
    Inclusion, LinkOrigin, LinkState, MaturityLevel, Outcome, Policy, Program, ProgramInfo,
    Snapshot, Target,
};
use jiff::civil::Date;

use crate::{StoreError, Tx, query_one};

/// An assessment as kept in the history (JSON).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct AssessmentRecord {
    applicable: bool,
    justification: String,
    result: Option<Outcome>,
    reason: String,
    maturity: Option<u8>,
    assessor: String,
    assessed_on: Date,
    #[serde(default)]
    grade: Option<Grade>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    included_for: Vec<Inclusion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    planned: Option<Date>,
}

impl From<&Assessment> for AssessmentRecord {
    fn from(a: &Assessment) -> Self {
        Self {
            applicable: a.applicable,
            justification: a.justification.clone(),
            result: a.result,
            reason: a.reason.clone(),
            maturity: a.maturity,
            assessor: a.assessor.clone(),
            assessed_on: a.assessed_on,
            grade: a.grade,
            included_for: a.included_for.clone(),
            planned: a.planned,
        }
    }
}

/// Inclusion reasons as stored: `risk-treatment,contractual` (empty: none).
fn inclusions(s: &str) -> Result<Vec<Inclusion>, StoreError> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| Inclusion::parse(x).ok_or_else(|| StoreError::Corrupt(format!("inclusion `{x}`"))))
        .collect()
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{e} in `{s}`")))
}

/// A date stored as `YYYY-MM-DD`, read without the general parser when it has that shape.
fn parse_date(s: &str) -> Result<Date, StoreError> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i16> {
        b[r].iter().try_fold(0i16, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i16::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10))
        && let (Ok(m), Ok(d)) = (i8::try_from(m), i8::try_from(d))
        && let Ok(date) = Date::new(y, m, d)
    {
        return Ok(date);
    }
    s.parse()
        .map_err(|e: jiff::Error| StoreError::Corrupt(format!("date `{s}`: {e}")))
}

fn parse_opt_date(s: Option<&str>) -> Result<Option<Date>, StoreError> {
    s.map(parse_date).transpose()
}

fn fw_id(s: &str) -> Result<FrameworkId, StoreError> {
    FrameworkId::parse(s).map_err(|e| StoreError::Corrupt(format!("framework id `{s}`: {e}")))
}

fn req_id(s: &str) -> Result<RequirementId, StoreError> {
    RequirementId::parse(s).map_err(|e| StoreError::Corrupt(format!("requirement id `{s}`: {e}")))
}

/// A link's coverage as stored (a JSON string).
fn coverage(s: &str) -> Result<Coverage, StoreError> {
    match s {
        "\"full\"" => Ok(Coverage::Full),
        "\"partial\"" => Ok(Coverage::Partial),
        "\"none\"" => Ok(Coverage::None),
        _ => from_json(s),
    }
}

fn link_state(s: &str) -> Result<LinkState, StoreError> {
    LinkState::parse(s).ok_or_else(|| StoreError::Corrupt(format!("link state `{s}`")))
}

/// A link's origin as stored (a JSON object). The two shapes crosswalk writes are read
/// directly; anything else (escapes in `from`, other field orders) goes through JSON.
fn origin(s: &str) -> Result<LinkOrigin, StoreError> {
    if s == r#"{"kind":"manual"}"# {
        return Ok(LinkOrigin::Manual);
    }
    let quoted = |rest: &str| -> Option<usize> {
        // The length of a leading JSON string without escapes, quotes included.
        let body = rest.strip_prefix('"')?;
        let end = body.find('"')?;
        (!body[..end].contains('\\')).then_some(end + 2)
    };
    let fast = (|| {
        let rest = s.strip_prefix(r#"{"kind":"crosswalk","from":"#)?;
        let n = quoted(rest)?;
        let (from, rest) = rest.split_at(n);
        let rest = rest.strip_prefix(r#","relationship":"#)?;
        let n = quoted(rest)?;
        let (relationship, rest) = rest.split_at(n);
        let rest = rest.strip_prefix(r#","provenance":"#)?.strip_suffix('}')?;
        let n = quoted(rest)?;
        let (provenance, mut rest) = rest.split_at(n);
        let mut path = Vec::new();
        if let Some(list) = rest.strip_prefix(r#","path":["#) {
            rest = list.strip_suffix(']')?;
            while !rest.is_empty() {
                if !path.is_empty() {
                    rest = rest.strip_prefix(',')?;
                }
                let n = quoted(rest)?;
                path.push(rest[1..n - 1].to_owned());
                rest = &rest[n..];
            }
        } else if !rest.is_empty() {
            return None;
        }
        Some(LinkOrigin::Crosswalk {
            from: from[1..from.len() - 1].to_owned(),
            relationship: serde_json::from_str(relationship).ok()?,
            provenance: serde_json::from_str(provenance).ok()?,
            path,
        })
    })();
    match fast {
        Some(o) => Ok(o),
        None => from_json(s),
    }
}

fn count(tx: &mut dyn Tx, table: &str) -> Result<usize, StoreError> {
    let n = query_one(tx, &format!("SELECT COUNT(*) FROM {table}"), &[], |r| {
        r.int(0)
    })?
    .unwrap_or(0);
    Ok(usize::try_from(n).unwrap_or(0))
}

pub(crate) fn load(tx: &mut dyn Tx) -> Result<Program, StoreError> {
    let mut p = Program {
        info: info(tx)?,
        frameworks: scope(tx)?,
        ..Program::default()
    };
    p.controls = controls(tx)?;
    p.links = links(tx)?;
    p.evidence = evidence(tx)?;
    p.assessments = assessments(tx)?;
    p.policies = policies(tx)?;
    p.maturity_scale = maturity_scale(tx)?;
    p.risks = risks(tx)?;
    p.monitoring = monitoring(tx)?;
    tx.query_each(
        "SELECT record FROM collab_item ORDER BY position",
        &[],
        &mut |r| {
            p.collab.put(from_json(r.text(0)?)?);
            Ok(())
        },
    )?;
    tx.query_each(
        "SELECT record FROM ms_record ORDER BY position",
        &[],
        &mut |r| {
            p.records.put(from_json(r.text(0)?)?);
            Ok(())
        },
    )?;
    p.risk_matrix = query_one(
        tx,
        "SELECT value FROM setting WHERE key = 'risk-matrix'",
        &[],
        |r| from_json(r.text(0)?),
    )?;
    p.snapshots = snapshots(tx)?;
    Ok(p)
}

pub(crate) fn info(tx: &mut dyn Tx) -> Result<Option<ProgramInfo>, StoreError> {
    query_one(
        tx,
        "SELECT organization, scope, systems FROM program",
        &[],
        |r| {
            Ok(ProgramInfo {
                organization: r.string(0)?,
                scope: r.string(1)?,
                systems: from_json(r.text(2)?)?,
            })
        },
    )
}

pub(crate) fn scope(tx: &mut dyn Tx) -> Result<Vec<InScope>, StoreError> {
    let mut out = Vec::new();
    tx.query_each(
        "SELECT framework, target, target_date FROM framework_scope ORDER BY position",
        &[],
        &mut |r| {
            out.push(InScope {
                framework: fw_id(r.text(0)?)?,
                target: from_json::<Target>(r.text(1)?)?,
                target_date: parse_opt_date(r.opt_text(2)?)?,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

/// The mapped checks and, for each, its latest and previous status on every resource
/// (results streamed in import order; only mapped checks are read).
fn monitoring(tx: &mut dyn Tx) -> Result<crosswalk_core::monitor::Monitoring, StoreError> {
    use crosswalk_core::monitor::{CheckState, Monitoring, Status};
    let mut m = Monitoring::default();
    tx.query_each(
        "SELECT check_id, control FROM check_control ORDER BY check_id, control",
        &[],
        &mut |r| {
            m.mapped.push((r.string(0)?, r.string(1)?));
            Ok(())
        },
    )?;
    tx.query_each(
        "SELECT check_id, resource, justification, approved_by, until, recorded_on FROM check_exception ORDER BY check_id, resource",
        &[],
        &mut |r| {
            m.exceptions.push(crosswalk_core::monitor::CheckException {
                check: r.string(0)?,
                resource: r.string(1)?,
                justification: r.string(2)?,
                approved_by: r.string(3)?,
                until: parse_date(r.text(4)?)?,
                recorded_on: parse_date(r.text(5)?)?,
            });
            Ok(())
        },
    )?;
    tx.query_each(
        "SELECT dataset, sha256, source, collected_at, added_at, items FROM data_snapshot ORDER BY seq",
        &[],
        &mut |r| {
            let time = |i: usize| -> Result<jiff::Timestamp, StoreError> {
                let text = r.text(i)?;
                text.parse()
                    .map_err(|e| StoreError::Corrupt(format!("time `{text}`: {e}")))
            };
            m.snapshots.push(crosswalk_core::monitor::DataSnapshot {
                dataset: r.string(0)?,
                sha256: r.string(1)?,
                source: r.string(2)?,
                collected_at: time(3)?,
                added_at: time(4)?,
                items: u64::try_from(r.int(5)?).unwrap_or(0),
            });
            Ok(())
        },
    )?;
    if m.mapped.is_empty() {
        return Ok(m);
    }
    let mut latest: std::collections::BTreeMap<(String, String), CheckState> =
        std::collections::BTreeMap::new();
    tx.query_each(
        "SELECT r.check_id, r.resource, r.status, r.observed, i.imported_at FROM check_result r JOIN result_import i ON i.seq = r.import_seq WHERE r.check_id IN (SELECT check_id FROM check_control) ORDER BY r.import_seq, r.n",
        &[],
        &mut |r| {
            let word = r.text(2)?;
            let status = Status::parse(word)
                .ok_or_else(|| StoreError::Corrupt(format!("check status `{word}`")))?;
            let at_text = r.opt_text(3)?.unwrap_or(r.text(4)?);
            let at: jiff::Timestamp = at_text
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("time `{at_text}`: {e}")))?;
            let key = (r.string(0)?, r.string(1)?);
            let previous = latest.get(&key).map(|s| s.status);
            latest.insert(
                key.clone(),
                CheckState {
                    check: key.0,
                    resource: key.1,
                    status,
                    previous,
                    at,
                },
            );
            Ok(())
        },
    )?;
    m.states = latest.into_values().collect();
    Ok(m)
}

/// The risk register in the order risks were added.
fn risks(tx: &mut dyn Tx) -> Result<Vec<crosswalk_core::risk::Risk>, StoreError> {
    let mut out = Vec::new();
    tx.query_each("SELECT record FROM risk ORDER BY position", &[], &mut |r| {
        out.push(from_json(r.text(0)?)?);
        Ok(())
    })?;
    Ok(out)
}

pub(crate) fn maturity_scale(tx: &mut dyn Tx) -> Result<Vec<MaturityLevel>, StoreError> {
    Ok(query_one(
        tx,
        "SELECT value FROM setting WHERE key = 'maturity-scale'",
        &[],
        |r| from_json(r.text(0)?),
    )?
    .unwrap_or_default())
}

pub(crate) fn version(tx: &mut dyn Tx) -> Result<u64, StoreError> {
    let v = query_one(
        tx,
        "SELECT version FROM program_version WHERE id = 1",
        &[],
        |r| r.int(0),
    )?
    .unwrap_or(0);
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("program version {v}")))
}

pub(crate) fn missing_controls(tx: &mut dyn Tx, ids: &[String]) -> Result<Vec<String>, StoreError> {
    let asked: Vec<&str> = ids.iter().map(String::as_str).collect();
    let found = crate::bulk::existing(tx, "SELECT id FROM control WHERE id IN ", &asked)?;
    Ok(ids
        .iter()
        .filter(|id| !found.contains(id.as_str()))
        .cloned()
        .collect())
}

/// Puts `items` in the order of `keys` (positions, unique since migration 4; ties by
/// `tie`). Rows are read in storage order, which is nearly always position order already:
/// then this only checks.
fn order_by_position<T>(items: Vec<T>, keys: &[i64], tie: impl Fn(&T) -> &str) -> Vec<T> {
    let in_order = |a: usize, b: usize| {
        keys[a]
            .cmp(&keys[b])
            .then_with(|| tie(&items[a]).cmp(tie(&items[b])))
    };
    if (1..items.len()).all(|i| in_order(i - 1, i).is_le()) {
        return items;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| in_order(a, b));
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn controls(tx: &mut dyn Tx) -> Result<Vec<Control>, StoreError> {
    let n = count(tx, "control")?;
    let (mut out, mut positions) = (Vec::with_capacity(n), Vec::with_capacity(n));
    // A plain table scan: reading through the position index costs a look-up per row.
    tx.query_each(
        &format!("SELECT {CONTROL_COLUMNS}, position FROM control"),
        &[],
        &mut |r| {
            positions.push(r.int(6)?);
            out.push(control_row(r)?);
            Ok(())
        },
    )?;
    Ok(order_by_position(out, &positions, |c| &c.id))
}

/// The columns [`control_row`] reads, in its order.
const CONTROL_COLUMNS: &str = "id, title, description, owner, status, frequency";

fn control_row(r: &dyn crate::Row) -> Result<Control, StoreError> {
    let status = r.text(4)?;
    Ok(Control {
        id: r.string(0)?,
        title: r.string(1)?,
        description: r.string(2)?,
        owner: r.string(3)?,
        status: ControlStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("control status `{status}`")))?,
        frequency: r.string(5)?,
    })
}

/// One control by id (a targeted read: the primary key).
pub(crate) fn control(tx: &mut dyn Tx, id: &str) -> Result<Option<Control>, StoreError> {
    crate::query_one(
        tx,
        &format!("SELECT {CONTROL_COLUMNS} FROM control WHERE id = $1"),
        &[crate::Val::Text(id.to_owned())],
        control_row,
    )
}

/// Links by framework, requirement and control (byte order, the same on both backends).
fn links(tx: &mut dyn Tx) -> Result<Vec<ControlLink>, StoreError> {
    let mut out: Vec<ControlLink> = Vec::with_capacity(count(tx, "control_link")?);
    tx.query_each(
        "SELECT control, framework, requirement, coverage, origin, seq, state, reviewer, reviewed_on FROM control_link",
        &[],
        &mut |r| {
            let (fw, req) = (r.text(1)?, r.text(2)?);
            // Neighbouring rows often share ids: reuse the previous row's checked ones.
            let (framework, requirement) = match out.last() {
                Some(last) if last.framework.as_str() == fw => (
                    last.framework.clone(),
                    if last.requirement.as_str() == req {
                        last.requirement.clone()
                    } else {
                        req_id(req)?
                    },
                ),
                _ => (fw_id(fw)?, req_id(req)?),
            };
            let seq = r.int(5)?;
            out.push(ControlLink {
                id: Some(
                    u64::try_from(seq)
                        .map_err(|_| StoreError::Corrupt(format!("link number {seq}")))?,
                ),
                control: r.string(0)?,
                framework,
                requirement,
                coverage: coverage(r.text(3)?)?,
                origin: origin(r.text(4)?)?,
                state: link_state(r.text(6)?)?,
                reviewer: r.opt_text(7)?.map(str::to_owned),
                reviewed_on: parse_opt_date(r.opt_text(8)?)?,
            });
            Ok(())
        },
    )?;
    out.sort_unstable_by(|a, b| {
        (
            a.framework.as_str(),
            a.requirement.as_str(),
            a.control.as_str(),
        )
            .cmp(&(
                b.framework.as_str(),
                b.requirement.as_str(),
                b.control.as_str(),
            ))
    });
    Ok(out)
}

/// Evidence in position order, each with the controls it proves (sorted): one scan of
/// the evidence table, one of the evidence-control table.
fn evidence(tx: &mut dyn Tx) -> Result<Vec<Evidence>, StoreError> {
    let n = count(tx, "evidence")?;
    let (mut out, mut positions) = (Vec::with_capacity(n), Vec::with_capacity(n));
    tx.query_each(
        "SELECT position, id, title, location, collected, valid_until FROM evidence",
        &[],
        &mut |r| {
            positions.push(r.int(0)?);
            let id = r.string(1)?;
            let location = r
                .text(3)?
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("evidence `{id}`: {e}")))?;
            out.push(Evidence {
                id,
                title: r.string(2)?,
                location,
                collected: parse_date(r.text(4)?)?,
                valid_until: parse_opt_date(r.opt_text(5)?)?,
                controls: Vec::new(),
            });
            Ok(())
        },
    )?;
    let mut out = order_by_position(out, &positions, |e| &e.id);
    // Pairs are stored with their evidence, so the table's own order nearly always follows
    // the evidence order: walk along, and look an item up by id only when that fails.
    let mut pairs: Vec<(usize, String)> = Vec::with_capacity(out.len());
    {
        let mut index: Option<HashMap<&str, usize>> = None;
        let mut cursor = 0;
        tx.query_each(
            "SELECT evidence, control FROM evidence_control",
            &[],
            &mut |r| {
                let id = r.text(0)?;
                let found = if out.get(cursor).is_some_and(|e| e.id == id) {
                    Some(cursor)
                } else if out.get(cursor + 1).is_some_and(|e| e.id == id) {
                    Some(cursor + 1)
                } else {
                    index
                        .get_or_insert_with(|| {
                            out.iter()
                                .enumerate()
                                .map(|(i, e)| (e.id.as_str(), i))
                                .collect()
                        })
                        .get(id)
                        .copied()
                };
                if let Some(i) = found {
                    cursor = i;
                    pairs.push((i, r.string(1)?));
                }
                Ok(())
            },
        )?;
    }
    for (i, control) in pairs {
        out[i].controls.push(control);
    }
    for e in &mut out {
        if e.controls.len() > 1 {
            e.controls.sort_unstable();
        }
    }
    Ok(out)
}

fn assessments(tx: &mut dyn Tx) -> Result<Vec<Assessment>, StoreError> {
    let mut out = Vec::new();
    tx.query_each(
        "SELECT framework, requirement, applicable, justification, result, reason, maturity, assessor, assessed_on, reviewer, reviewed_on, grade, included_for, planned FROM assessment ORDER BY framework, requirement",
        &[],
        &mut |r| {
            let result = r
                .opt_text(4)?
                .map(|s| Outcome::parse(s).ok_or_else(|| StoreError::Corrupt(format!("result `{s}`"))))
                .transpose()?;
            let maturity = r
                .opt_int(6)?
                .map(|m| {
                    u8::try_from(m)
                        .map_err(|_| StoreError::Corrupt(format!("maturity {m} out of range")))
                })
                .transpose()?;
            out.push(Assessment {
                framework: fw_id(r.text(0)?)?,
                requirement: req_id(r.text(1)?)?,
                applicable: r.int(2)? != 0,
                justification: r.string(3)?,
                result,
                reason: r.string(5)?,
                maturity,
                assessor: r.string(7)?,
                assessed_on: parse_date(r.text(8)?)?,
                grade: r
                    .opt_text(11)?
                    .map(|g| Grade::parse(g).ok_or_else(|| StoreError::Corrupt(format!("grade `{g}`"))))
                    .transpose()?,
                reviewer: r.opt_text(9)?.map(str::to_owned),
                reviewed_on: parse_opt_date(r.opt_text(10)?)?,
                included_for: inclusions(r.text(12)?)?,
                planned: parse_opt_date(r.opt_text(13)?)?,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

fn policies(tx: &mut dyn Tx) -> Result<Vec<Policy>, StoreError> {
    let mut out = Vec::new();
    tx.query_each(
        "SELECT id, title, version, owner, approved_by, approved_on, next_review, location FROM policy ORDER BY position",
        &[],
        &mut |r| {
            out.push(Policy {
                id: r.string(0)?,
                title: r.string(1)?,
                version: r.string(2)?,
                owner: r.string(3)?,
                approved_by: r.string(4)?,
                approved_on: parse_opt_date(r.opt_text(5)?)?,
                next_review: parse_opt_date(r.opt_text(6)?)?,
                location: r.string(7)?,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

fn snapshots(tx: &mut dyn Tx) -> Result<Vec<Snapshot>, StoreError> {
    let mut out: Vec<Snapshot> = Vec::new();
    tx.query_each(
        "SELECT taken_on, counts FROM readiness_snapshot ORDER BY taken_on, framework",
        &[],
        &mut |r| {
            let day = parse_date(r.text(0)?)?;
            let st: FrameworkStatus = from_json(r.text(1)?)?;
            match out.last_mut() {
                Some(last) if last.taken_on == day => last.status.push(st),
                _ => out.push(Snapshot {
                    taken_on: day,
                    status: vec![st],
                }),
            }
            Ok(())
        },
    )?;
    Ok(out)
}

pub(crate) fn risk_history(
    tx: &mut dyn Tx,
    id: &str,
) -> Result<Vec<crosswalk_core::risk::Risk>, StoreError> {
    let mut out = Vec::new();
    tx.query_each(
        "SELECT record FROM risk_history WHERE risk = $1 ORDER BY seq",
        &[crate::Val::Text(id.to_owned())],
        &mut |r| {
            out.push(from_json(r.text(0)?)?);
            Ok(())
        },
    )?;
    Ok(out)
}

pub(crate) fn policy_history(tx: &mut dyn Tx, id: &str) -> Result<Vec<Policy>, StoreError> {
    let mut out = Vec::new();
    tx.query_each(
        "SELECT record FROM policy_history WHERE policy = $1 ORDER BY seq",
        &[crate::Val::Text(id.to_owned())],
        &mut |r| {
            out.push(from_json(r.text(0)?)?);
            Ok(())
        },
    )?;
    Ok(out)
}

pub(crate) fn history(tx: &mut dyn Tx) -> Result<Vec<Assessment>, StoreError> {
    let mut out = Vec::new();
    tx.query_each(
        "SELECT framework, requirement, record FROM assessment_history ORDER BY seq",
        &[],
        &mut |r| {
            let rec: AssessmentRecord = from_json(r.text(2)?)?;
            out.push(Assessment {
                framework: fw_id(r.text(0)?)?,
                requirement: req_id(r.text(1)?)?,
                applicable: rec.applicable,
                justification: rec.justification,
                result: rec.result,
                reason: rec.reason,
                maturity: rec.maturity,
                assessor: rec.assessor,
                assessed_on: rec.assessed_on,
                grade: rec.grade,
                reviewer: None,
                reviewed_on: None,
                included_for: rec.included_for,
                planned: rec.planned,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

/// The latest status of every (check, resource) among one tool's results.
pub(crate) fn latest_statuses(
    tx: &mut dyn Tx,
    tool: &str,
) -> Result<Vec<(String, String, crosswalk_core::monitor::Status)>, StoreError> {
    use crosswalk_core::monitor::Status;
    let mut latest: std::collections::BTreeMap<(String, String), Status> =
        std::collections::BTreeMap::new();
    tx.query_each(
        "SELECT r.check_id, r.resource, r.status FROM check_result r JOIN result_import i ON i.seq = r.import_seq WHERE i.tool = $1 ORDER BY r.import_seq, r.n",
        &[crate::Val::Text(tool.to_owned())],
        &mut |r| {
            let word = r.text(2)?;
            let status = Status::parse(word)
                .ok_or_else(|| StoreError::Corrupt(format!("check status `{word}`")))?;
            latest.insert((r.string(0)?, r.string(1)?), status);
            Ok(())
        },
    )?;
    Ok(latest.into_iter().map(|((c, r), s)| (c, r, s)).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crosswalk_core::mapping::{ProvenanceKind, Relationship};

    #[test]
    fn dates_fast_and_slow() {
        assert_eq!(
            parse_date("2026-10-01").unwrap(),
            jiff::civil::date(2026, 10, 1)
        );
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-1-01").is_err());
        assert!(parse_date("").is_err());
    }

    #[test]
    fn link_fields_match_their_json() {
        for c in [Coverage::Full, Coverage::Partial, Coverage::None] {
            assert_eq!(coverage(&serde_json::to_string(&c).unwrap()).unwrap(), c);
        }
        let crosswalk = LinkOrigin::Crosswalk {
            from: "soc2-2017:CC6.1".into(),
            relationship: Relationship::Subset,
            provenance: ProvenanceKind::Curated,
            path: Vec::new(),
        };
        let inferred = LinkOrigin::Crosswalk {
            from: "soc2-2017:CC6.1".into(),
            relationship: Relationship::Intersects,
            provenance: ProvenanceKind::Inferred,
            path: vec![
                "soc2-2017:CC6.1".into(),
                "nist-csf-2.0:PR.AA-01".into(),
                "iso27001-2022:A.5.15".into(),
            ],
        };
        let tool = LinkOrigin::Crosswalk {
            from: "x:1".into(),
            relationship: Relationship::Equal,
            provenance: ProvenanceKind::Tool,
            path: vec!["x:1".into(), "y:2".into()],
        };
        let awkward = LinkOrigin::Crosswalk {
            from: r#"a "quoted" \ id"#.into(),
            relationship: Relationship::NoRelationship,
            provenance: ProvenanceKind::Inferred,
            path: vec![r#"a "quoted" \ id"#.into(), "b:,]".into()],
        };
        for o in [
            LinkOrigin::Manual,
            crosswalk.clone(),
            inferred,
            tool,
            awkward,
        ] {
            assert_eq!(origin(&serde_json::to_string(&o).unwrap()).unwrap(), o);
        }
        // Other spellings of the same value still read, through JSON.
        let spaced = r#"{ "kind": "crosswalk", "provenance": "curated", "relationship": "subset", "from": "soc2-2017:CC6.1" }"#;
        assert_eq!(origin(spaced).unwrap(), crosswalk);
        assert!(origin(r#"{"kind":"crosswalk","from":"x","relationship":"sideways","provenance":"curated"}"#).is_err());
        assert!(origin(r#"{"kind":"crosswalk","from":"x"}"#).is_err());
        let trailing = r#"{"kind":"crosswalk","from":"a","relationship":"equal","provenance":"curated","path":["a","b",]}"#;
        assert!(origin(trailing).is_err());
        assert!(coverage("\"most\"").is_err());
    }
}
