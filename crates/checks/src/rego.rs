//! Rego policies through regorus: each policy compiled once at load; evaluated over a
//! batch of items in one query (bulk) or item by item.

use std::sync::Mutex;

use crosswalk_core::monitor::Status;
use serde_json::Value;

use crate::{Ctx, Evaluate, Verdict};

const BULK: &str = "package crosswalk.bulk\nimport rego.v1\nresults := {i: r | some i, x in input.items; r := data.crosswalk.check.result(x)}\n";

pub struct Rego {
    engine: Mutex<regorus::Engine>,
    /// The datasets the policy reads besides its items (`input.datasets[name]`).
    datasets: Vec<String>,
}

impl Rego {
    /// Compiles a policy.
    ///
    /// # Errors
    /// A syntax error (with its line), a package other than `crosswalk.check`.
    pub fn compile(id: &str, source: &str, datasets: Vec<String>) -> Result<Self, String> {
        if source.len() > 256 * 1024 {
            return Err("the rego policy is over 256 KiB".into());
        }
        let mut engine = regorus::Engine::new();
        engine.set_strict_builtin_errors(false);
        engine
            .add_policy(format!("{id}.rego"), source.to_owned())
            .map_err(|e| format!("rego: {e}"))?;
        let packages = engine.get_packages().map_err(|e| format!("rego: {e}"))?;
        if !packages.iter().any(|p| p == "data.crosswalk.check") {
            return Err(format!(
                "rego: the policy's package is {}; it must be `package crosswalk.check`",
                packages.join(", ")
            ));
        }
        engine
            .add_policy("crosswalk-bulk.rego".into(), BULK.into())
            .map_err(|e| format!("rego: {e}"))?;
        Ok(Self {
            engine: Mutex::new(engine),
            datasets,
        })
    }

    fn engine(&self) -> regorus::Engine {
        match self.engine.lock() {
            Ok(e) => e.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn base(&self, ctx: &Ctx<'_>) -> serde_json::Map<String, Value> {
        let mut datasets = serde_json::Map::new();
        for name in &self.datasets {
            if let Some(doc) = ctx.datasets.get(name) {
                datasets.insert(name.clone(), (*doc).clone());
            }
        }
        let mut input = serde_json::Map::new();
        input.insert("now".into(), Value::String(ctx.now.to_string()));
        input.insert("params".into(), Value::Object(ctx.params.clone()));
        input.insert("datasets".into(), Value::Object(datasets));
        input
    }
}

fn verdict(v: &regorus::Value) -> Option<Verdict> {
    if matches!(v, regorus::Value::Undefined) {
        return None;
    }
    let json: Value = v
        .to_json_str()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    let word = json.get("status").and_then(Value::as_str).unwrap_or("");
    let Some(status) = Status::parse(word) else {
        return Some(Verdict {
            status: Status::Error,
            message: Some(format!(
                "the policy's result has status `{word}`; use pass, fail, error, manual or not-applicable"
            )),
            resource: None,
        });
    };
    Some(Verdict {
        status,
        message: json
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned),
        resource: json
            .get("resource")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn failed(items: usize, e: &dyn std::fmt::Display) -> Vec<Option<Verdict>> {
    (0..items)
        .map(|_| {
            Some(Verdict {
                status: Status::Error,
                message: Some(format!("rego: {e}")),
                resource: None,
            })
        })
        .collect()
}

impl Evaluate for Rego {
    fn verdicts(&self, items: &[&Value], ctx: &Ctx<'_>) -> Vec<Option<Verdict>> {
        let mut engine = self.engine();
        let mut input = self.base(ctx);
        if ctx.rego_bulk {
            input.insert(
                "items".into(),
                Value::Array(items.iter().map(|v| (*v).clone()).collect()),
            );
            engine.set_input(regorus::Value::from(Value::Object(input)));
            let results = match engine.eval_rule("data.crosswalk.bulk.results".into()) {
                Ok(r) => r,
                Err(e) => return failed(items.len(), &e),
            };
            let mut out = vec![None; items.len()];
            if let Ok(map) = results.as_object() {
                for (k, v) in map.iter() {
                    let idx = k
                        .as_u64()
                        .ok()
                        .and_then(|i| usize::try_from(i).ok())
                        .filter(|&i| i < items.len());
                    if let Some(i) = idx
                        && let Some(slot) = out.get_mut(i)
                    {
                        *slot = verdict(v);
                    }
                }
            }
            return out;
        }
        let base = regorus::Value::from(Value::Object(input));
        items
            .iter()
            .map(|item| {
                let mut input = base.clone();
                if let Ok(m) = input.as_object_mut() {
                    m.insert(
                        regorus::Value::from("item"),
                        regorus::Value::from((*item).clone()),
                    );
                }
                engine.set_input(input);
                match engine.eval_query("data.crosswalk.check.result(input.item)".into(), false) {
                    Ok(r) => r
                        .result
                        .first()
                        .and_then(|q| q.expressions.first())
                        .and_then(|e| verdict(&e.value)),
                    Err(e) => failed(1, &e).pop().flatten(),
                }
            })
            .collect()
    }
}
