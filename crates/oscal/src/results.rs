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
