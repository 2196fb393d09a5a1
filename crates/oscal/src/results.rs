//! A program's results for one framework as an OSCAL assessment-results document.

use crosswalk_core::framework::Framework;
use crosswalk_core::program::{Outcome, Program, RequirementStatus};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{ExportOptions, OSCAL_VERSION};

fn uuid_for(key: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("crosswalk:ar:{key}").as_bytes(),
    )
    .to_string()
}

/// Builds an assessment-results body: one result covering the framework's assessed
/// requirements, one finding per requirement with its state (`satisfied` for compliant,
/// `not-satisfied` otherwise), our result and the controls behind it. Not-applicable and
/// not-assessed requirements are listed as reviewed but carry no finding.
pub fn assessment_results(
    fw: &Framework,
    program: &Program,
    statuses: &[RequirementStatus],
    opts: &ExportOptions,
) -> Value {
    let org = program
        .info
        .as_ref()
        .map_or("the organisation", |i| i.organization.as_str());
    let key = format!("{org}:{}:{}", fw.id(), opts.now);
    let tokens = crate::convert::token_ids(fw);
    let token = |id: &str| tokens.get(id).cloned().unwrap_or_else(|| id.to_lowercase());
    let mut findings = Vec::new();
    let mut reviewed = Vec::new();
    for s in statuses {
        if s.result == Outcome::NotApplicable {
            continue;
        }
        let cid = token(s.requirement.as_str());
        reviewed.push(json!({"control-id": cid}));
        if s.result == Outcome::NotAssessed {
            continue;
        }
        let state = if s.result == Outcome::Compliant {
            "satisfied"
        } else {
            "not-satisfied"
        };
        let title = fw
            .requirement(s.requirement.as_str())
            .map_or_else(|| s.requirement.to_string(), |r| r.title.clone());
        let mut description = format!("{}: {}.", s.requirement, s.result.as_str());
        if s.result != s.derived {
            description.push_str(&format!(
                " Recorded by the assessor; derived from controls and evidence: {}.",
                s.derived.as_str()
            ));
        }
        if !s.controls.is_empty() {
            description.push_str(&format!(" Controls: {}.", s.controls.join(", ")));
        }
        findings.push(json!({
            "uuid": uuid_for(&format!("{key}:finding:{}", s.requirement)),
            "title": format!("{} {}", s.requirement, title),
            "description": description,
            "props": [
                {"name": "label", "value": s.requirement.as_str()},
                {"name": "crosswalk-result", "value": s.result.as_str()},
            ],
            "target": {
                "type": "objective-id",
                "target-id": cid,
                "status": {"state": state},
            },
        }));
    }
    let mut result = json!({
        "uuid": uuid_for(&format!("{key}:result")),
        "title": format!("{} readiness of {org}", fw.meta.name),
        "description": format!(
            "Results derived by crosswalk from the program's controls and evidence, with assessors' recorded results taking precedence, for the assessable requirements of {}.",
            fw.meta.name
        ),
        "start": opts.now,
        "reviewed-controls": {
            "control-selections": [{"include-controls": reviewed}],
        },
    });
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }
    json!({
        "uuid": uuid_for(&key),
        "metadata": {
            "title": format!("{} assessment results: {org}", fw.meta.name),
            "last-modified": opts.now,
            "version": "1",
            "oscal-version": OSCAL_VERSION,
            "props": [{"name": "crosswalk-framework", "value": fw.id().as_str()}],
        },
        "import-ap": {"href": format!("urn:crosswalk:assessment-plan:{}", fw.id())},
        "results": [result],
    })
}

/// A run of checks (ours, or a scanner's) as an assessment-results body: one observation
/// per check on a resource (method TEST, the resource as its subject, the status and the
/// reason), and one finding per check and requirement it states in a framework of the
/// library (`satisfied` when every resource passed, else `not-satisfied`, with the
/// observations behind it); a check stating none gets one finding of its own, and a check
/// that decided nothing (nothing in scope) none.
pub fn check_run_results(
    run: &str,
    org: &str,
    results: &[crosswalk_core::monitor::CheckResult],
    lib: &crosswalk_core::library::Library,
    opts: &ExportOptions,
) -> Value {
    use std::collections::BTreeMap;

    use crosswalk_core::monitor::Status;
    let key = format!("{org}:run:{run}");
    let mut observations = Vec::new();
    // Per check: its observations, whether every result passed, and one of its results.
    type Seen<'r> = (
        Vec<String>,
        bool,
        bool,
        &'r crosswalk_core::monitor::CheckResult,
    );
    let mut checks: BTreeMap<&str, Seen<'_>> = BTreeMap::new();
    for r in results {
        let uuid = uuid_for(&format!("{key}:obs:{}:{}", r.check, r.resource));
        let mut description = format!("{} on {}: {}.", r.check, r.resource, r.status.as_str());
        if let Some(m) = &r.message {
            description.push(' ');
            description.push_str(m);
        }
        let mut obs = json!({
            "uuid": uuid,
            "title": if r.title.is_empty() { r.check.clone() } else { r.title.clone() },
            "description": description,
            "props": [
                {"name": "check-id", "value": r.check},
                {"name": "result", "value": r.status.as_str()},
            ],
            "methods": ["TEST"],
            "subjects": [{
                "subject-uuid": uuid_for(&format!("{key}:subject:{}", r.resource)),
                "type": "resource",
                "title": r.resource,
            }],
            "collected": r.observed.map_or_else(|| opts.now.clone(), |t| t.to_string()),
        });
        if let Some(s) = &r.severity
            && let Some(props) = obs["props"].as_array_mut()
        {
            props.push(json!({"name": "severity", "value": s}));
        }
        observations.push(obs);
        let entry = checks
            .entry(r.check.as_str())
            .or_insert((Vec::new(), true, false, r));
        entry.0.push(uuid);
        entry.1 &= !matches!(r.status, Status::Fail | Status::Error);
        entry.2 |= matches!(r.status, Status::Pass | Status::Fail | Status::Error);
    }
    let mut findings = Vec::new();
    // A check that decided nothing (every result not applicable, muted or manual) gets
    // its observations but no finding.
    for (check, (obs, passed, _, first)) in checks.iter().filter(|(_, c)| c.2) {
        let state = if *passed {
            "satisfied"
        } else {
            "not-satisfied"
        };
        let related: Vec<Value> = obs.iter().map(|u| json!({"observation-uuid": u})).collect();
        let mut targets = Vec::new();
        for (fw_id, ids) in &first.requirements {
            let Some(fw) = lib.frameworks().iter().find(|f| f.id().as_str() == fw_id) else {
                continue;
            };
            let tokens = crate::convert::token_ids(fw);
            for id in ids {
                if let Some(req) = fw.find_loose(id) {
                    let token = tokens
                        .get(req.id.as_str())
                        .cloned()
                        .unwrap_or_else(|| req.id.as_str().to_lowercase());
                    targets.push((format!("{fw_id}:{}", req.id), token));
                }
            }
        }
        if targets.is_empty() {
            targets.push(((*check).to_owned(), (*check).to_owned()));
        }
        for (label, token) in targets {
            findings.push(json!({
                "uuid": uuid_for(&format!("{key}:finding:{check}:{label}")),
                "title": format!("{check} → {label}"),
                "description": format!(
                    "Check {check} ({} result(s)) for {label}: {}.",
                    obs.len(),
                    if *passed { "every resource passed" } else { "some resource failed" }
                ),
                "props": [{"name": "check-id", "value": check}, {"name": "label", "value": label}],
                "target": {
                    "type": "objective-id",
                    "target-id": token,
                    "status": {"state": state},
                },
                "related-observations": related,
            }));
        }
    }
    let mut result = json!({
        "uuid": uuid_for(&format!("{key}:result")),
        "title": format!("Check run {run}"),
        "description": format!("The results of check run {run} of {org}, one observation per check and resource."),
        "start": opts.now,
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations);
    }
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }
    json!({
        "uuid": uuid_for(&key),
        "metadata": {
            "title": format!("Check run {run}: {org}"),
            "last-modified": opts.now,
            "version": "1",
            "oscal-version": OSCAL_VERSION,
        },
        "import-ap": {"href": format!("urn:crosswalk:check-run:{run}")},
        "results": [result],
    })
}
