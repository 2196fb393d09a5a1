//! The risk register's treatment plan as an OSCAL plan of action and milestones (POA&M):
//! one OSCAL risk per register risk (statement, status, residual characterisation, the
//! treatment as a planned remediation with its actions as milestones, the deadline) and
//! one POA&M item per risk that still needs work.

use crosswalk_core::program::{Freshness, Program};
use crosswalk_core::risk::{Effectiveness, Rating, Risk, RiskMatrix, Treatment, effectiveness};
use jiff::civil::Date;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{ExportOptions, OSCAL_VERSION};

fn uuid_for(key: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("crosswalk:poam:{key}").as_bytes(),
    )
    .to_string()
}

/// The start of a date as an OSCAL date-time.
fn at(d: Date) -> String {
    format!("{d}T00:00:00Z")
}

/// Whether the risk needs no more work: its treatment works, its residual is within the
/// acceptance criteria (or it is retained under an acceptance), and no action is open.
fn closed(risk: &Risk, m: &RiskMatrix, works: bool) -> bool {
    works
        && (m.acceptable(risk.residual()) || risk.treatment != Treatment::Modify)
        && risk.actions.iter().all(|a| a.done)
}

/// OSCAL risk status: `closed` when no work remains, `deviation-approved` for a risk
/// retained under an acceptance in force, `remediating` while actions are open, else
/// `open`.
fn status(risk: &Risk, m: &RiskMatrix, works: bool) -> &'static str {
    if closed(risk, m, works) {
        if risk.treatment == Treatment::Retain {
            "deviation-approved"
        } else {
            "closed"
        }
    } else if risk.actions.iter().any(|a| !a.done) {
        "remediating"
    } else {
        "open"
    }
}

fn facets(m: &RiskMatrix, r: Rating) -> Value {
    let name = |levels: &[crosswalk_core::risk::Level], v: u8| {
        levels
            .get(usize::from(v).saturating_sub(1))
            .map_or_else(|| v.to_string(), |l| l.name.clone())
    };
    json!([
        {"name": "likelihood", "system": "urn:crosswalk:risk-matrix", "value": name(&m.likelihood, r.likelihood)},
        {"name": "impact", "system": "urn:crosswalk:risk-matrix", "value": name(&m.impact, r.impact)},
        {"name": "risk", "system": "urn:crosswalk:risk-matrix", "value": m.level_name(r).unwrap_or("unrated")},
    ])
}

/// Builds the POA&M body for the program's risk register on `fresh`'s date.
pub fn poam(program: &Program, fresh: &Freshness<'_>, opts: &ExportOptions) -> Value {
    let org = program
        .info
        .as_ref()
        .map_or("the organisation", |i| i.organization.as_str());
    let m = program.risk_matrix();
    let tool = uuid_for("tool:crosswalk");
    let mut risks = Vec::new();
    let mut items = Vec::new();
    for r in &program.risks {
        let works = matches!(effectiveness(r, program, fresh), Effectiveness::Effective);
        let risk_uuid = uuid_for(&format!("{org}:risk:{}", r.id));
        let mut statement = format!(
            "Inherent {} (likelihood {}, impact {}); residual {}; treatment: {}.",
            m.level_name(r.inherent).unwrap_or("unrated"),
            r.inherent.likelihood,
            r.inherent.impact,
            m.level_name(r.residual()).unwrap_or("unrated"),
            r.treatment.as_str()
        );
        if let Effectiveness::NotEffective { reasons } = effectiveness(r, program, fresh) {
            statement.push_str(&format!(
                " Treatment not effective: {}.",
                reasons.join("; ")
            ));
        }
        let tasks: Vec<Value> = r
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut t = json!({
                    "uuid": uuid_for(&format!("{org}:risk:{}:action:{i}", r.id)),
                    "type": "milestone",
                    "title": a.title,
                    "props": [{"name": "crosswalk-done", "value": if a.done { "yes" } else { "no" }}],
                });
                if !a.owner.is_empty() {
                    t["description"] = json!(format!("Owner: {}.", a.owner));
                }
                if let Some(d) = a.due {
                    t["timing"] = json!({"on-date": {"date": at(d)}});
                }
                t
            })
            .collect();
        let mut remediation = json!({
            "uuid": uuid_for(&format!("{org}:risk:{}:treatment", r.id)),
            "lifecycle": if r.treatment == Treatment::Retain { "recommendation" } else { "planned" },
            "title": format!("{} the risk", capitalised(r.treatment.as_str())),
            "description": match r.treatment {
                Treatment::Modify => format!("Reduce the risk through controls {}.", r.controls.join(", ")),
                Treatment::Retain => r.acceptance.as_ref().map_or_else(
                    || "Retain the risk; no acceptance recorded.".to_owned(),
                    |a| format!(
                        "Retained, accepted by {} on {}{}.",
                        a.by,
                        a.on,
                        a.until.map(|u| format!(" until {u}")).unwrap_or_default()
                    ),
                ),
                Treatment::Avoid => "Stop the activity that causes the risk.".to_owned(),
                Treatment::Share => "Share the risk (insurance or contract).".to_owned(),
            },
        });
        if !tasks.is_empty() {
            remediation["tasks"] = Value::Array(tasks);
        }
        let mut risk = json!({
            "uuid": risk_uuid,
            "title": format!("{} {}", r.id, r.title),
            "description": if r.scope.is_empty() { r.title.clone() } else { format!("{} (scope: {}).", r.title, r.scope) },
            "statement": statement,
            "props": [{"name": "label", "value": r.id}],
            "status": status(r, &m, works),
            "characterizations": [{
                "origin": {"actors": [{"type": "tool", "actor-uuid": tool}]},
                "facets": facets(&m, r.residual()),
            }],
            "remediations": [remediation],
        });
        if let Some(d) = r
            .actions
            .iter()
            .filter(|a| !a.done)
            .filter_map(|a| a.due)
            .min()
        {
            risk["deadline"] = json!(at(d));
        }
        if !closed(r, &m, works) {
            items.push(json!({
                "uuid": uuid_for(&format!("{org}:item:{}", r.id)),
                "title": format!("{} {}", r.id, r.title),
                "description": format!(
                    "Owner: {}. {}",
                    if r.owner.is_empty() { "not named" } else { r.owner.as_str() },
                    risk["statement"].as_str().unwrap_or_default()
                ),
                "props": [{"name": "label", "value": r.id}],
                "related-risks": [{"risk-uuid": risk["uuid"].clone()}],
            }));
        }
        risks.push(risk);
    }
    let mut body = json!({
        "uuid": uuid_for(&format!("{org}:{}", opts.now)),
        "metadata": {
            "title": format!("Plan of action and milestones: {org}"),
            "last-modified": opts.now,
            "version": "1",
            "oscal-version": OSCAL_VERSION,
            "remarks": format!("The risk register's treatment plan as crosswalk holds it on {}. Risk levels use the program's risk matrix ({}).", fresh.today(), m.name),
        },
        "system-id": {"identifier-type": "https://ietf.org/rfc/rfc4122", "id": uuid_for(&format!("{org}:system"))},
        "poam-items": items,
    });
    if !risks.is_empty() {
        body["risks"] = Value::Array(risks);
    }
    body
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
