//! Scanner results read into check results ([`crosswalk_core::monitor`]): OCSF findings
//! (Prowler's JSON-OCSF, a JSON array or one finding per line), SARIF 2.1.0 (Trivy,
//! Checkov, Kubescape, Semgrep …), MITRE HDF (InSpec and its converters), OSCAL
//! assessment-results (JSON or YAML), Prowler's CSV and Powerpipe's (or Steampipe's)
//! benchmark export in JSON. The format is detected from the content; every error says
//! where (line and column, or the JSON path of the item).
//! Nothing here does IO: the caller hands the bytes over.

use std::collections::{BTreeMap, HashSet};

use crosswalk_core::monitor::{Batch, CheckResult, Status};
use jiff::Timestamp;
use serde_json::Value;

/// The formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ocsf,
    Sarif,
    Hdf,
    OscalAr,
    ProwlerCsv,
    /// `powerpipe benchmark run … --export json` (and `steampipe check --export json`).
    Powerpipe,
    /// Any CSV whose columns are named by their headers (see [`CSV_COLUMNS`]).
    Csv,
}

impl Format {
    pub const ALL: [Self; 7] = [
        Self::Ocsf,
        Self::Sarif,
        Self::Hdf,
        Self::OscalAr,
        Self::ProwlerCsv,
        Self::Powerpipe,
        Self::Csv,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ocsf => "ocsf",
            Self::Sarif => "sarif",
            Self::Hdf => "hdf",
            Self::OscalAr => "oscal-ar",
            Self::ProwlerCsv => "prowler-csv",
            Self::Powerpipe => "powerpipe",
            Self::Csv => "csv",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Reads `bytes` (named `name` in messages) as `format`, or as the detected one.
///
/// # Errors
/// Not text, not the format (or no format recognised), or an item without what a result
/// needs: the message names the file and where.
pub fn read(name: &str, bytes: &[u8], format: Option<Format>) -> Result<Batch, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8 text: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format = match format {
        Some(f) => f,
        None => detect(text).ok_or_else(|| {
            format!(
                "{name}: not a scanner output crosswalk reads (OCSF, SARIF 2.1.0, HDF, OSCAL assessment-results, Prowler CSV, Powerpipe JSON); name the format with --format"
            )
        })?,
    };
    let batch = match format {
        Format::ProwlerCsv => prowler_csv(name, text)?,
        Format::Csv => csv_results(name, text, &[])?,
        Format::Ocsf => ocsf(name, text)?,
        Format::Sarif => sarif(name, &json(name, text)?)?,
        Format::Hdf => hdf(name, &json(name, text)?)?,
        Format::OscalAr => oscal_ar(name, &json_or_yaml(name, text)?)?,
        Format::Powerpipe => powerpipe(name, &json(name, text)?)?,
    };
    Ok(batch)
}

/// The format of a text, from its first characters and keys.
pub fn detect(text: &str) -> Option<Format> {
    let head: String = text.chars().take(4096).collect();
    let trimmed = head.trim_start();
    // Powerpipe's export opens with its root group's id, whatever the results hold.
    if let Some(rest) = trimmed.strip_prefix('{')
        && rest.trim_start().starts_with("\"group_id\"")
    {
        return Some(Format::Powerpipe);
    }
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if head.contains("\"class_uid\"") {
            return Some(Format::Ocsf);
        }
        if head.contains("\"runs\"") && head.contains("sarif") {
            return Some(Format::Sarif);
        }
        if head.contains("\"assessment-results\"") {
            return Some(Format::OscalAr);
        }
        if head.contains("\"profiles\"") || head.contains("\"platform\"") {
            return Some(Format::Hdf);
        }
        // A large document may put its keys later: look at the whole top level.
        let v: Value = serde_json::from_str(text).ok()?;
        return match &v {
            Value::Array(a) if a.first().is_some_and(|x| x.get("class_uid").is_some()) => {
                Some(Format::Ocsf)
            }
            Value::Object(o) if o.contains_key("runs") => Some(Format::Sarif),
            Value::Object(o) if o.contains_key("assessment-results") => Some(Format::OscalAr),
            Value::Object(o) if o.contains_key("profiles") => Some(Format::Hdf),
            Value::Object(o) if o.contains_key("group_id") && o.contains_key("groups") => {
                Some(Format::Powerpipe)
            }
            _ => None,
        };
    }
    let first = trimmed.lines().next().unwrap_or_default();
    if first.contains("CHECK_ID") && first.contains("STATUS") && first.contains(';') {
        return Some(Format::ProwlerCsv);
    }
    if trimmed.starts_with("assessment-results:") || head.contains("\nassessment-results:") {
        return Some(Format::OscalAr);
    }
    None
}

fn json(name: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{name}:{}:{}: {e}", e.line(), e.column()))
}

fn json_or_yaml(name: &str, text: &str) -> Result<Value, String> {
    if text.trim_start().starts_with('{') {
        return json(name, text);
    }
    serde_yaml::from_str(text).map_err(|e| match e.location() {
        Some(l) => format!("{name}:{}:{}: {e}", l.line(), l.column()),
        None => format!("{name}: {e}"),
    })
}

/// Calls `each` on every item of a JSON array, or of one item per line (NDJSON), one item
/// at a time: the whole document is never held as values, so memory follows the largest
/// item, not the file.
fn json_items(
    name: &str,
    text: &str,
    each: &mut dyn FnMut(usize, Value) -> Result<(), String>,
) -> Result<(), String> {
    if text.trim_start().starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(text);
        let mut failure = None;
        let seed = Items {
            each,
            failure: &mut failure,
        };
        let parsed = serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|()| de.end());
        if let Some(f) = failure {
            return Err(f);
        }
        return parsed.map_err(|e| format!("{name}:{}:{}: {e}", e.line(), e.column()));
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v = serde_json::from_str(line)
            .map_err(|e| format!("{name}:{}:{}: {e}", i + 1, e.column()))?;
        each(i, v)?;
    }
    Ok(())
}

/// An array read element by element into a callback; the callback's error stops it.
struct Items<'a, 'f> {
    each: &'a mut dyn FnMut(usize, Value) -> Result<(), String>,
    failure: &'f mut Option<String>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Items<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of findings")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            if let Err(e) = (self.each)(i, v) {
                *self.failure = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
            i += 1;
        }
        Ok(())
    }
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_str().filter(|x| !x.is_empty())
}

/// A timestamp from epoch seconds or milliseconds, or an RFC 3339 text (a naive one is
/// read as UTC).
fn when(v: Option<&Value>) -> Option<Timestamp> {
    match v? {
        Value::Number(n) => {
            let n = n.as_i64()?;
            if n > 100_000_000_000 {
                Timestamp::from_millisecond(n).ok()
            } else {
                Timestamp::from_second(n).ok()
            }
        }
        Value::String(t) => t
            .parse::<Timestamp>()
            .ok()
            .or_else(|| format!("{t}Z").parse().ok())
            .or_else(|| format!("{}Z", t.replace(' ', "T")).parse().ok()),
        _ => None,
    }
}

fn status_word(word: &str) -> Option<Status> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "pass" | "passed" | "success" | "satisfied" | "compliant" => Status::Pass,
        "fail" | "failed" | "failure" | "not-satisfied" | "non-compliant" | "noncompliant" => {
            Status::Fail
        }
        "error" | "errored" => Status::Error,
        "manual" | "skipped" | "review" | "open" | "info" | "informational" => Status::Manual,
        "muted" | "suppressed" => Status::Muted,
        "not_applicable" | "not-applicable" | "notapplicable" | "n/a" => Status::NotApplicable,
        _ => return None,
    })
}

fn ocsf(name: &str, text: &str) -> Result<Batch, String> {
    let mut results = Vec::new();
    let mut tool = None;
    let mut version = None;
    json_items(name, text, &mut |i, f| {
        let f = &f;
        let at = format!("{name}: [{i}]");
        if !matches!(
            f.get("class_uid").and_then(Value::as_i64),
            Some(2003 | 2004)
        ) {
            return Err(format!(
                "{at}.class_uid: not an OCSF Compliance (2003) or Detection (2004) Finding"
            ));
        }
        if tool.is_none() {
            tool = s(f, &["metadata", "product", "name"]).map(str::to_owned);
        }
        if version.is_none() {
            version = s(f, &["metadata", "product", "version"]).map(str::to_owned);
        }
        let check = s(f, &["metadata", "event_code"])
            .or_else(|| s(f, &["finding_info", "uid"]))
            .ok_or_else(|| format!("{at}.metadata.event_code: missing (the check id)"))?;
        let code = s(f, &["status_code"])
            .or_else(|| s(f, &["compliance", "status"]))
            .unwrap_or_default();
        let mut status = status_word(code)
            .ok_or_else(|| format!("{at}.status_code: unknown status `{code}`"))?;
        if s(f, &["status"]).is_some_and(|x| x.eq_ignore_ascii_case("suppressed"))
            || f.get("unmapped")
                .and_then(|u| u.get("muted"))
                .and_then(Value::as_bool)
                == Some(true)
        {
            status = Status::Muted;
        }
        let resources = f.get("resources").and_then(Value::as_array);
        let resource = resources
            .and_then(|r| r.first())
            .and_then(|r| s(r, &["uid"]).or_else(|| s(r, &["name"])))
            .unwrap_or("unknown")
            .to_owned();
        let mut requirements = BTreeMap::new();
        if let Some(Value::Object(c)) = f.get("unmapped").and_then(|u| u.get("compliance")) {
            for (fw, ids) in c {
                let ids: Vec<String> = ids
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                requirements.insert(fw.clone(), ids);
            }
        }
        results.push(CheckResult {
            message: None,
            check: check.to_owned(),
            title: s(f, &["finding_info", "title"])
                .unwrap_or_default()
                .to_owned(),
            resource,
            status,
            observed: when(f.get("time")).or_else(|| when(f.get("time_dt"))),
            severity: s(f, &["severity"]).map(str::to_lowercase),
            requirements,
        });
        Ok(())
    })?;
    Ok(Batch {
        format: "ocsf".into(),
        tool: tool.unwrap_or_else(|| "unknown".into()),
        tool_version: version,
        results,
    })
}

fn sarif(name: &str, doc: &Value) -> Result<Batch, String> {
    let runs = doc
        .get("runs")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{name}: $.runs: missing (not SARIF)"))?;
    let mut results = Vec::new();
    let mut tool = None;
    let mut version = None;
    for (r, run) in runs.iter().enumerate() {
        let driver = run.get("tool").and_then(|t| t.get("driver"));
        let driver_name = driver.and_then(|d| s(d, &["name"])).unwrap_or("unknown");
        tool.get_or_insert_with(|| driver_name.to_owned());
        if version.is_none() {
            version = driver
                .and_then(|d| s(d, &["version"]).or_else(|| s(d, &["semanticVersion"])))
                .map(str::to_owned);
        }
        let rules = driver
            .and_then(|d| d.get("rules"))
            .and_then(Value::as_array);
        let observed = run
            .get("invocations")
            .and_then(Value::as_array)
            .and_then(|i| i.first())
            .and_then(|i| when(i.get("endTimeUtc")));
        for (i, res) in run
            .get("results")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let at = format!("{name}: $.runs[{r}].results[{i}]");
            let rule = res
                .get("ruleIndex")
                .and_then(Value::as_u64)
                .and_then(|k| rules?.get(usize::try_from(k).ok()?));
            let check = s(res, &["ruleId"])
                .or_else(|| rule.and_then(|x| s(x, &["id"])))
                .ok_or_else(|| format!("{at}.ruleId: missing"))?;
            let kind = s(res, &["kind"]).unwrap_or("fail");
            let status = match kind {
                "pass" => Status::Pass,
                "fail" => Status::Fail,
                "open" | "review" => Status::Manual,
                "notApplicable" => Status::NotApplicable,
                "informational" => Status::Manual,
                other => return Err(format!("{at}.kind: unknown kind `{other}`")),
            };
            let status = if res
                .get("suppressions")
                .and_then(Value::as_array)
                .is_some_and(|x| !x.is_empty())
            {
                Status::Muted
            } else {
                status
            };
            let loc = res
                .get("locations")
                .and_then(Value::as_array)
                .and_then(|l| l.first())
                .and_then(|l| l.get("physicalLocation"));
            let resource = match loc {
                Some(p) => {
                    let uri = s(p, &["artifactLocation", "uri"]).unwrap_or("unknown");
                    match p
                        .get("region")
                        .and_then(|r| r.get("startLine"))
                        .and_then(Value::as_u64)
                    {
                        Some(line) => format!("{uri}:{line}"),
                        None => uri.to_owned(),
                    }
                }
                None => "unknown".into(),
            };
            let level = s(res, &["level"])
                .or_else(|| rule.and_then(|x| s(x, &["defaultConfiguration", "level"])));
            results.push(CheckResult {
                message: None,
                check: check.to_owned(),
                title: rule
                    .and_then(|x| s(x, &["shortDescription", "text"]))
                    .unwrap_or_default()
                    .to_owned(),
                resource,
                status,
                observed,
                severity: level.map(|l| match l {
                    "error" => "high".into(),
                    "warning" => "medium".into(),
                    "note" => "low".into(),
                    other => other.to_owned(),
                }),
                requirements: BTreeMap::new(),
            });
        }
    }
    Ok(Batch {
        format: "sarif".into(),
        tool: tool.unwrap_or_else(|| "unknown".into()),
        tool_version: version,
        results,
    })
}

fn hdf(name: &str, doc: &Value) -> Result<Batch, String> {
    let profiles = doc
        .get("profiles")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{name}: $.profiles: missing (not HDF)"))?;
    let target = s(doc, &["platform", "target_id"])
        .or_else(|| s(doc, &["platform", "name"]))
        .unwrap_or("target")
        .to_owned();
    let mut results = Vec::new();
    for (p, profile) in profiles.iter().enumerate() {
        for (c, control) in profile
            .get("controls")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let at = format!("{name}: $.profiles[{p}].controls[{c}]");
            let check = s(control, &["id"]).ok_or_else(|| format!("{at}.id: missing"))?;
            let tests = control
                .get("results")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            let mut statuses = Vec::new();
            for (t, r) in tests.iter().enumerate() {
                let word = s(r, &["status"]).unwrap_or_default();
                statuses.push(
                    status_word(word).ok_or_else(|| {
                        format!("{at}.results[{t}].status: unknown status `{word}`")
                    })?,
                );
            }
            let impact = control.get("impact").and_then(Value::as_f64).unwrap_or(0.5);
            // A control's status: not applicable at impact 0; failed when any test
            // failed, in error when any erred, passed when all passed, otherwise manual.
            let status = if impact == 0.0 {
                Status::NotApplicable
            } else if statuses.contains(&Status::Fail) {
                Status::Fail
            } else if statuses.contains(&Status::Error) {
                Status::Error
            } else if !statuses.is_empty() && statuses.iter().all(|x| *x == Status::Pass) {
                Status::Pass
            } else {
                Status::Manual
            };
            let mut requirements = BTreeMap::new();
            if let Some(nist) = control
                .get("tags")
                .and_then(|t| t.get("nist"))
                .and_then(Value::as_array)
            {
                let ids: Vec<String> = nist
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|x| !x.starts_with("Rev"))
                    .map(str::to_owned)
                    .collect();
                if !ids.is_empty() {
                    requirements.insert("NIST-800-53".to_owned(), ids);
                }
            }
            results.push(CheckResult {
                message: None,
                check: check.to_owned(),
                title: s(control, &["title"]).unwrap_or_default().to_owned(),
                resource: target.clone(),
                status,
                observed: tests.iter().filter_map(|r| when(r.get("start_time"))).max(),
                severity: s(control, &["tags", "severity"])
                    .map(str::to_owned)
                    .or_else(|| {
                        Some(
                            match impact {
                                x if x >= 0.7 => "high",
                                x if x >= 0.4 => "medium",
                                x if x > 0.0 => "low",
                                _ => "none",
                            }
                            .to_owned(),
                        )
                    }),
                requirements,
            });
        }
    }
    Ok(Batch {
        format: "hdf".into(),
        tool: "inspec".into(),
        tool_version: s(doc, &["version"]).map(str::to_owned),
        results,
    })
}

fn oscal_ar(name: &str, doc: &Value) -> Result<Batch, String> {
    let ar = doc
        .get("assessment-results")
        .ok_or_else(|| format!("{name}: $.assessment-results: missing"))?;
    let prop = |v: &Value, key: &str| -> Option<String> {
        v.get("props")?
            .as_array()?
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(key))
            .and_then(|p| p.get("value")?.as_str().map(str::to_owned))
    };
    let mut results = Vec::new();
    for (r, result) in ar
        .get("results")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
    {
        let observed = when(result.get("end")).or_else(|| when(result.get("start")));
        let findings = result
            .get("findings")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        // Findings state each objective's status; without them, observations carry it.
        for (f, finding) in findings.iter().enumerate() {
            let at = format!("{name}: $.assessment-results.results[{r}].findings[{f}]");
            let check = s(finding, &["target", "target-id"])
                .ok_or_else(|| format!("{at}.target.target-id: missing"))?;
            let state = s(finding, &["target", "status", "state"]).unwrap_or_default();
            let status = status_word(state)
                .ok_or_else(|| format!("{at}.target.status.state: unknown state `{state}`"))?;
            let mut requirements = BTreeMap::new();
            requirements.insert("OSCAL".to_owned(), vec![check.to_owned()]);
            results.push(CheckResult {
                message: None,
                check: check.to_owned(),
                title: s(finding, &["title"]).unwrap_or_default().to_owned(),
                resource: "system".into(),
                status,
                observed,
                severity: None,
                requirements,
            });
        }
        if !findings.is_empty() {
            continue;
        }
        for (o, obs) in result
            .get("observations")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let at = format!("{name}: $.assessment-results.results[{r}].observations[{o}]");
            let check = prop(obs, "assessment-rule-id")
                .or_else(|| prop(obs, "policy-id"))
                .or_else(|| s(obs, &["title"]).map(str::to_owned))
                .unwrap_or_else(|| s(obs, &["uuid"]).unwrap_or("observation").to_owned());
            let mut requirements = BTreeMap::new();
            if let Some(c) = prop(obs, "control-id") {
                requirements.insert("OSCAL".to_owned(), vec![c]);
            }
            let subjects = obs
                .get("subjects")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            // The result: a `result` prop, else a "Result: …" line of the evidence.
            let overall = prop(obs, "result").or_else(|| {
                obs.get("relevant-evidence")?
                    .as_array()?
                    .iter()
                    .find_map(|e| {
                        s(e, &["description"])?
                            .trim()
                            .strip_prefix("Result:")
                            .map(|x| x.trim().to_owned())
                    })
            });
            let mut add = |resource: String, word: Option<String>| -> Result<(), String> {
                let word = word.unwrap_or_default();
                let status =
                    status_word(&word).ok_or_else(|| format!("{at}: unknown result `{word}`"))?;
                results.push(CheckResult {
                    message: None,
                    check: check.clone(),
                    title: s(obs, &["description"])
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                    resource,
                    status,
                    observed: when(obs.get("collected")).or(observed),
                    severity: None,
                    requirements: requirements.clone(),
                });
                Ok(())
            };
            if subjects.is_empty() {
                add("system".into(), overall.clone())?;
            }
            for sub in subjects {
                let resource = s(sub, &["title"])
                    .or_else(|| s(sub, &["subject-uuid"]))
                    .unwrap_or("subject")
                    .to_owned();
                add(resource, prop(sub, "result").or_else(|| overall.clone()))?;
            }
        }
    }
    Ok(Batch {
        format: "oscal-ar".into(),
        tool: s(ar, &["metadata", "title"]).unwrap_or("OSCAL").to_owned(),
        tool_version: s(ar, &["metadata", "version"]).map(str::to_owned),
        results,
    })
}

fn prowler_csv(name: &str, text: &str) -> Result<Batch, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("{name}:1: {e}"))?
        .clone();
    let col = |h: &str| headers.iter().position(|x| x == h);
    let (Some(check_c), Some(status_c)) = (col("CHECK_ID"), col("STATUS")) else {
        return Err(format!(
            "{name}:1: no CHECK_ID and STATUS columns (not Prowler CSV)"
        ));
    };
    let (resource_c, title_c, sev_c, muted_c, time_c, comp_c, version_c) = (
        col("RESOURCE_UID"),
        col("CHECK_TITLE"),
        col("SEVERITY"),
        col("MUTED"),
        col("TIMESTAMP"),
        col("COMPLIANCE"),
        col("PROWLER_VERSION"),
    );
    let mut results = Vec::new();
    let mut version = None;
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("{name}:{}: {e}", i + 2))?;
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or_default().trim();
        let word = cell(Some(status_c));
        let mut status = status_word(word)
            .ok_or_else(|| format!("{name}:{}: unknown STATUS `{word}`", i + 2))?;
        if cell(muted_c).eq_ignore_ascii_case("true") {
            status = Status::Muted;
        }
        if version.is_none() && !cell(version_c).is_empty() {
            version = Some(cell(version_c).to_owned());
        }
        let mut requirements = BTreeMap::new();
        // COMPLIANCE: `FW: id, id | FW: id`.
        for part in cell(comp_c).split('|') {
            if let Some((fw, ids)) = part.split_once(':') {
                requirements.insert(
                    fw.trim().to_owned(),
                    ids.split(',')
                        .map(|x| x.trim().to_owned())
                        .filter(|x| !x.is_empty())
                        .collect(),
                );
            }
        }
        results.push(CheckResult {
            message: None,
            check: cell(Some(check_c)).to_owned(),
            title: cell(title_c).to_owned(),
            resource: Some(cell(resource_c))
                .filter(|r| !r.is_empty())
                .unwrap_or("unknown")
                .to_owned(),
            status,
            observed: when(Some(&Value::String(cell(time_c).to_owned()))),
            severity: Some(cell(sev_c).to_lowercase()).filter(|x| !x.is_empty()),
            requirements,
        });
    }
    Ok(Batch {
        format: "prowler-csv".into(),
        tool: "Prowler".into(),
        tool_version: version,
        results,
    })
}

/// Powerpipe's benchmark export (`powerpipe benchmark run … --export json`; `steampipe
/// check --export json` writes the same shape): a tree of groups, each with `groups` and
/// `controls`, each control with its `results` (one per resource). A control listed under
/// several benchmarks is run once and repeated under each: it is read once.
fn powerpipe(name: &str, doc: &Value) -> Result<Batch, String> {
    if !doc.is_object() || doc.get("group_id").is_none() {
        return Err(format!(
            "{name}: $.group_id: missing (not a Powerpipe benchmark export)"
        ));
    }
    let mut results = Vec::new();
    powerpipe_group(name, doc, "$", &mut HashSet::new(), &mut results)?;
    Ok(Batch {
        format: "powerpipe".into(),
        // Neither tool names itself or its version in this export.
        tool: "powerpipe".into(),
        tool_version: None,
        results,
    })
}

fn powerpipe_group<'a>(
    name: &str,
    group: &'a Value,
    at: &str,
    seen: &mut HashSet<String>,
    out: &mut Vec<CheckResult>,
) -> Result<(), String> {
    let list = |v: &'a Value, key: &str| -> &'a [Value] {
        v.get(key)
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
    };
    for (c, control) in list(group, "controls").iter().enumerate() {
        let at = format!("{at}.controls[{c}]");
        let check = s(control, &["control_id"])
            .ok_or_else(|| format!("{name}: {at}.control_id: missing"))?;
        if !seen.insert(check.to_owned()) {
            continue;
        }
        let title = s(control, &["title"]).unwrap_or_default();
        let severity = s(control, &["severity"]).map(str::to_lowercase);
        let requirements = powerpipe_requirements(control.get("tags"));
        let result = |resource: Option<&str>, status, message: Option<&str>| CheckResult {
            check: check.to_owned(),
            title: title.to_owned(),
            resource: resource.unwrap_or("unknown").to_owned(),
            status,
            observed: None,
            severity: severity.clone(),
            requirements: requirements.clone(),
            message: message.map(str::to_owned),
        };
        let rows = list(control, "results");
        for (i, row) in rows.iter().enumerate() {
            let word = s(row, &["status"]).unwrap_or_default();
            let status = match word.to_ascii_lowercase().as_str() {
                "ok" => Status::Pass,
                "alarm" => Status::Fail,
                "error" => Status::Error,
                "skip" => Status::NotApplicable,
                "info" => Status::Manual,
                _ => {
                    return Err(format!(
                        "{name}: {at}.results[{i}].status: unknown status `{word}` (ok, alarm, error, skip or info)"
                    ));
                }
            };
            out.push(result(s(row, &["resource"]), status, s(row, &["reason"])));
        }
        // A control whose query failed has no rows, only its error.
        if let Some(error) = s(control, &["run_error"]).filter(|_| rows.is_empty()) {
            out.push(result(None, Status::Error, Some(error)));
        }
    }
    for (g, child) in list(group, "groups").iter().enumerate() {
        powerpipe_group(name, child, &format!("{at}.groups[{g}]"), seen, out)?;
    }
    Ok(())
}

/// Requirement ids a Powerpipe control's tags state: `<framework>_item_id` (compliance
/// mods write `cis_item_id = "1.4"` beside `cis_version = "v1.5.0"`), named by the tag's
/// prefix and that version. Tags that only flag a framework (`soc_2 = "true"`) name no
/// requirement and are left out.
fn powerpipe_requirements(tags: Option<&Value>) -> BTreeMap<String, Vec<String>> {
    let Some(Value::Object(tags)) = tags else {
        return BTreeMap::new();
    };
    tags.iter()
        .filter_map(|(key, value)| {
            let framework = key.strip_suffix("_item_id").filter(|f| !f.is_empty())?;
            let id = value.as_str().map(str::trim).filter(|x| !x.is_empty())?;
            let name = match tags
                .get(&format!("{framework}_version"))
                .and_then(Value::as_str)
            {
                Some(version) => format!("{framework} {}", version.trim()),
                None => framework.to_owned(),
            };
            Some((name, vec![id.to_owned()]))
        })
        .collect()
}

/// The fields a plain CSV of results fills, with the headers (lowercase, punctuation as
/// spaces) that name each; `check`, `resource` and `status` are required.
pub const CSV_COLUMNS: [(&str, &[&str]); 6] = [
    (
        "check",
        &["check", "check id", "rule", "rule id", "control id", "test"],
    ),
    (
        "resource",
        &["resource", "resource id", "target", "asset", "host"],
    ),
    ("status", &["status", "result", "outcome"]),
    ("severity", &["severity", "level", "priority"]),
    ("time", &["time", "timestamp", "observed", "date"]),
    ("title", &["title", "name", "description"]),
];

/// Reads a results CSV whose columns are named by `columns` (field → header, fields of
/// [`CSV_COLUMNS`]); fields not named are found by their usual headers.
///
/// # Errors
/// An unknown field, a header not in the file, and everything [`read`] refuses.
pub fn read_csv_mapped(
    name: &str,
    bytes: &[u8],
    columns: &[(String, String)],
) -> Result<Batch, String> {
    if let Some((f, _)) = columns
        .iter()
        .find(|(f, _)| !CSV_COLUMNS.iter().any(|(known, _)| known == f))
    {
        return Err(format!(
            "column map: no field `{f}` (use {})",
            CSV_COLUMNS.map(|(f, _)| f).join(", ")
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8 text: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut batch = csv_results(name, text, columns)?;
    batch.format = "csv".into();
    Ok(batch)
}

fn csv_results(name: &str, text: &str, columns: &[(String, String)]) -> Result<Batch, String> {
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|l| l.matches(';').count() > l.matches(',').count())
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("{name}:1: {e}"))?
        .clone();
    let norm = |h: &str| {
        h.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // A header the map names must be in the file.
    if let Some((field, header)) = columns.iter().find(|(_, h)| {
        !headers
            .iter()
            .any(|x| x.trim().eq_ignore_ascii_case(h.trim()))
    }) {
        return Err(format!(
            "{name}:1: the column map names `{header}` for {field}, but the header row has: {}",
            headers.iter().collect::<Vec<_>>().join(" | ")
        ));
    }
    let col = |field: &str| -> Option<usize> {
        if let Some((_, header)) = columns.iter().find(|(f, _)| f == field) {
            return headers
                .iter()
                .position(|x| x.trim().eq_ignore_ascii_case(header.trim()));
        }
        let names = CSV_COLUMNS.iter().find(|(f, _)| *f == field)?.1;
        headers
            .iter()
            .position(|h| names.contains(&norm(h).as_str()))
    };
    let (Some(check_c), Some(resource_c), Some(status_c)) =
        (col("check"), col("resource"), col("status"))
    else {
        return Err(format!(
            "{name}:1: a results CSV names its check, resource and status columns (e.g. `check,resource,status`); the header row has: {}",
            headers.iter().collect::<Vec<_>>().join(" | ")
        ));
    };
    let (sev_c, time_c, title_c) = (col("severity"), col("time"), col("title"));
    let mut results = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| format!("{name}:{line}: {e}"))?;
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or_default().trim();
        let check = cell(Some(check_c));
        if check.is_empty() {
            return Err(format!("{name}:{line}: no check id"));
        }
        let word = cell(Some(status_c));
        let status =
            status_word(word).ok_or_else(|| format!("{name}:{line}: unknown status `{word}`"))?;
        let time = cell(time_c);
        let observed =
            if time.is_empty() {
                None
            } else {
                Some(when(Some(&Value::String(time.to_owned()))).ok_or_else(|| {
                    format!("{name}:{line}: time `{time}` is not an RFC 3339 time")
                })?)
            };
        results.push(CheckResult {
            message: None,
            check: check.to_owned(),
            title: cell(title_c).to_owned(),
            resource: Some(cell(Some(resource_c)))
                .filter(|r| !r.is_empty())
                .unwrap_or("unknown")
                .to_owned(),
            status,
            observed,
            severity: Some(cell(sev_c).to_lowercase()).filter(|x| !x.is_empty()),
            requirements: BTreeMap::new(),
        });
    }
    Ok(Batch {
        format: "csv".into(),
        tool: name.rsplit('/').next().unwrap_or(name).to_owned(),
        tool_version: None,
        results,
    })
}
