//! Continuous monitoring, first step: scanner results imported as dated records of the
//! program, each file once (by its SHA-256).

use std::collections::HashSet;

pub use crosswalk_collect::Format;
use crosswalk_core::evidence::Location;
use crosswalk_core::framework::{Framework, Requirement};
use crosswalk_core::monitor::{ByStatus, CheckResult, Status};
use crosswalk_core::program::Evidence;
use crosswalk_store::{Change, Sha256};
use serde::Serialize;

use crate::program::Session;
use crate::{Error, Result, bail, invalid};

/// `collect import --json`.
#[derive(Debug, Clone, Serialize)]
pub struct CollectSummary {
    pub format: String,
    pub tool: String,
    pub tool_version: Option<String>,
    pub results: usize,
    pub by_status: ByStatus,
    /// Distinct check ids.
    pub checks: usize,
    /// Distinct resources.
    pub resources: usize,
    /// False when this file (same SHA-256) was imported before: nothing changed.
    pub imported: bool,
    pub sha256: String,
    /// The evidence item the run became, for the controls its checks are mapped to.
    pub evidence: Option<String>,
    pub controls: Vec<String>,
    /// Links proposed from the requirements the tool states for mapped checks (to
    /// frameworks in scope); pairs already linked are left as they are.
    pub proposed_links: usize,
}

/// `collect status --json`: a mapped check on one resource.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    pub check: String,
    pub resource: String,
    pub status: Status,
    pub previous: Option<Status>,
    /// The status changed since the run before.
    pub drift: bool,
    pub at: jiff::Timestamp,
    pub controls: Vec<String>,
    /// The exception in force that covers a failure, if any.
    pub exception: Option<crosswalk_core::monitor::CheckException>,
}

/// The format `--format` names: one of those read, or `auto` (detected).
pub fn format(name: &str) -> Result<Option<Format>> {
    match name {
        "auto" => Ok(None),
        other => Format::parse(other).map(Some).ok_or_else(|| {
            invalid!(
                "--format `{other}`: use auto, ocsf, sarif, hdf, oscal-ar, prowler-csv, powerpipe or csv"
            )
        }),
    }
}

impl Session<'_> {
    /// Reads a scanner output and records its results; a file imported before changes
    /// nothing.
    ///
    /// # Errors
    /// Not the format (with where), no program, a store failure. Nothing is recorded.
    pub fn collect_import(
        &mut self,
        name: &str,
        bytes: &[u8],
        format: Option<Format>,
    ) -> Result<CollectSummary> {
        let batch = crosswalk_collect::read(name, bytes, format).map_err(Error::Invalid)?;
        self.record_results(batch, bytes, Vec::new())
    }

    /// Records a results CSV whose columns a map names (`check=Rule`, `status=Outcome` …),
    /// as [`Session::collect_import`] does.
    ///
    /// # Errors
    /// A bad map (an unknown field, a header not in the file), a row that does not read.
    pub fn collect_import_csv(
        &mut self,
        name: &str,
        bytes: &[u8],
        columns: &[(String, String)],
    ) -> Result<CollectSummary> {
        let batch =
            crosswalk_collect::read_csv_mapped(name, bytes, columns).map_err(Error::Invalid)?;
        self.record_results(batch, bytes, Vec::new())
    }

    /// Records a batch of results read from `bytes` (kept as the run's evidence file),
    /// with `also` in the same transaction: a batch recorded before (same SHA-256)
    /// changes nothing.
    pub(crate) fn record_results(
        &mut self,
        batch: crosswalk_core::monitor::Batch,
        bytes: &[u8],
        also: Vec<Change>,
    ) -> Result<CollectSummary> {
        self.require_program()?;
        let sha256 = Sha256::of(bytes);
        let summary = |imported: bool| CollectSummary {
            format: batch.format.clone(),
            tool: batch.tool.clone(),
            tool_version: batch.tool_version.clone(),
            results: batch.results.len(),
            by_status: ByStatus::count(&batch.results),
            checks: batch
                .results
                .iter()
                .map(|r| r.check.as_str())
                .collect::<HashSet<_>>()
                .len(),
            resources: batch
                .results
                .iter()
                .map(|r| r.resource.as_str())
                .collect::<HashSet<_>>()
                .len(),
            imported,
            sha256: sha256.to_string(),
            evidence: None,
            controls: Vec::new(),
            proposed_links: 0,
        };
        if self.store().results_imported(&sha256)?.is_some() {
            return Ok(summary(false));
        }
        let mut out = summary(true);
        let program = self.program()?;
        // The controls the run's checks test: the run becomes their evidence.
        let checks: HashSet<&str> = batch.results.iter().map(|r| r.check.as_str()).collect();
        let mut controls: Vec<String> = program
            .monitoring
            .mapped
            .iter()
            .filter(|(check, _)| checks.contains(check.as_str()))
            .map(|(_, c)| c.clone())
            .collect();
        controls.sort();
        controls.dedup();
        let now = self.clock.now;
        let mut changes = Vec::new();
        let mut evidence = None;
        if !controls.is_empty() {
            let tested: Vec<&CheckResult> = batch
                .results
                .iter()
                .filter(|r| {
                    program
                        .monitoring
                        .mapped
                        .iter()
                        .any(|(check, _)| check == &r.check)
                })
                .collect();
            let counts = ByStatus::count(tested.iter().copied());
            let collected = tested
                .iter()
                .filter_map(|r| r.observed)
                .max()
                .map_or(self.clock.today, |t| {
                    t.to_zoned(jiff::tz::TimeZone::UTC).date()
                });
            let location = Location::File(self.store().put_file(bytes)?);
            evidence = Some(Evidence {
                id: String::new(),
                title: format!(
                    "{} {} results of {collected}: {} pass, {} fail, {} error on {} mapped check result(s)",
                    batch.tool,
                    batch.format,
                    counts.pass,
                    counts.fail,
                    counts.error,
                    tested.len()
                ),
                location,
                collected,
                valid_until: None,
                controls: controls.clone(),
            });
        }
        // Requirements the tool says its mapped checks serve: proposed as links of the
        // checks' controls, labelled as stated by the tool, for a person to review.
        let proposed = tool_links(self, &program, &batch);
        out.proposed_links = proposed.len();
        changes.push(Change::ImportResults {
            sha256,
            imported_at: now,
            batch,
        });
        changes.extend(proposed.into_iter().map(Change::Link));
        changes.extend(also);
        if let Some(e) = evidence {
            changes.push(Change::AddEvidence(e));
        }
        let applied = self
            .store()
            .apply_returning(&changes)
            .map_err(|e| invalid!("{e}; nothing was changed"))?;
        out.evidence = applied.ids.into_iter().next();
        out.controls = controls;
        Ok(out)
    }

    /// Maps a scanner check to controls: its runs become their evidence and its failures
    /// show in their requirements' results.
    ///
    /// # Errors
    /// An empty check id, an unknown control, no program.
    pub fn collect_map(&mut self, check: &str, controls: &[String]) -> Result<()> {
        let check = crosswalk_core::program::check_id("check id", check).map_err(Error::Invalid)?;
        if controls.is_empty() {
            bail!("name the controls the check tests (--control ID)");
        }
        self.require_program()?;
        self.apply(&[Change::MapCheck {
            check,
            controls: controls.to_vec(),
        }])
    }

    /// Removes a check's mapping to a control.
    ///
    /// # Errors
    /// No such mapping, no program.
    pub fn collect_unmap(&mut self, check: &str, control: &str) -> Result<()> {
        self.require_program()?;
        self.apply(&[Change::UnmapCheck {
            check: check.to_owned(),
            control: control.to_owned(),
        }])
    }

    /// Every mapped check's latest status per resource, with drift since the run before.
    ///
    /// # Errors
    /// No program, a store failure.
    pub fn collect_status(&mut self) -> Result<Vec<CheckRow>> {
        let program = self.program()?;
        let m = &program.monitoring;
        Ok(m.states
            .iter()
            .map(|s| CheckRow {
                check: s.check.clone(),
                resource: s.resource.clone(),
                status: s.status,
                previous: s.previous,
                drift: s.drifted(),
                at: s.at,
                controls: m
                    .mapped
                    .iter()
                    .filter(|(c, _)| c == &s.check)
                    .map(|(_, control)| control.clone())
                    .collect(),
                exception: m.exception(s, self.clock.today).cloned(),
            })
            .collect())
    }

    /// Accepts a failing check for a while, on one resource or on every one (`None`),
    /// with why and by whom: while in force its failures do not count against its
    /// controls.
    ///
    /// # Errors
    /// No justification or approver, an expiry not in the future, no program.
    pub fn collect_except(
        &mut self,
        check: &str,
        resource: Option<&str>,
        justification: &str,
        approved_by: &str,
        until: jiff::civil::Date,
    ) -> Result<()> {
        if justification.trim().is_empty() {
            bail!("an exception states why (--justification)");
        }
        if approved_by.trim().is_empty() {
            bail!("an exception names who approved it (--approved-by)");
        }
        if until <= self.clock.today {
            bail!("an exception expires after today (--until {until})");
        }
        self.require_program()?;
        let recorded_on = self.clock.today;
        self.apply(&[Change::SetException(
            crosswalk_core::monitor::CheckException {
                check: check.trim().to_owned(),
                resource: resource.map_or("*", str::trim).to_owned(),
                justification: justification.trim().to_owned(),
                approved_by: approved_by.trim().to_owned(),
                until,
                recorded_on,
            },
        )])
    }
}

/// A framework name as tools write it (`ISO27001-2022`, `SOC2`, `NIST-800-53-Revision-5`)
/// matched to an edition or family id of the library, ignoring case and punctuation.
pub(crate) fn tool_framework<'c>(
    lib: &'c crosswalk_core::library::Library,
    name: &str,
) -> Option<&'c Framework> {
    let squash = |s: &str| -> String {
        s.to_ascii_lowercase()
            .replace("revision", "r")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    };
    let want = squash(name);
    lib.frameworks()
        .iter()
        .find(|f| squash(f.id().as_str()) == want)
        .or_else(|| {
            lib.frameworks()
                .iter()
                .filter(|f| f.meta.current)
                .find(|f| squash(f.meta.family.as_str()) == want)
        })
}

/// Requirements a Prowler compliance catalogue maps a Prowler check to, from the mapping
/// sets `mappings import` made of it (from `prowler-<provider>-checks`, whose
/// requirements are titled with the check ids). Results do not say their provider; a
/// check id is found in its own provider's framework.
fn catalogued<'l>(
    lib: &'l crosswalk_core::library::Library,
    in_scope: &HashSet<&str>,
    tool: &str,
    check: &str,
) -> Vec<(&'l Framework, &'l Requirement)> {
    if !tool.eq_ignore_ascii_case("prowler") {
        return Vec::new();
    }
    let framework = |id| lib.index_of(id).map(|i| &lib.frameworks()[i]);
    let mut out = Vec::new();
    for set in lib.mapping_sets() {
        let from = set.meta.from.as_str();
        let prowler = from.starts_with("prowler-") && from.ends_with("-checks");
        if !prowler || !in_scope.contains(set.meta.to.as_str()) {
            continue;
        }
        let (Some(checks), Some(to)) = (framework(&set.meta.from), framework(&set.meta.to)) else {
            continue;
        };
        let Some(c) = checks.requirements().iter().find(|q| q.title == check) else {
            continue;
        };
        out.extend(
            set.mappings()
                .iter()
                .filter(|m| m.from == c.id)
                .filter_map(|m| Some((to, to.requirement(m.to.as_str())?))),
        );
    }
    out
}

/// Proposed links from the controls a batch's checks are mapped to, to the in-scope
/// requirements the tool says those checks serve, on each result or in its compliance
/// catalogue.
fn tool_links(
    s: &Session<'_>,
    program: &crosswalk_core::program::Program,
    batch: &crosswalk_core::monitor::Batch,
) -> Vec<crosswalk_core::program::ControlLink> {
    use crosswalk_core::mapping::{Coverage, ProvenanceKind, Relationship};
    use crosswalk_core::program::{ControlLink, LinkOrigin, LinkState};
    let lib = &s.catalog.library;
    let in_scope: HashSet<&str> = program
        .frameworks
        .iter()
        .map(|f| f.framework.as_str())
        .collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in &batch.results {
        let controls: Vec<&str> = program
            .monitoring
            .mapped
            .iter()
            .filter(|(check, _)| check == &r.check)
            .map(|(_, c)| c.as_str())
            .collect();
        if controls.is_empty() {
            continue;
        }
        let stated = r.requirements.iter().flat_map(|(name, ids)| {
            let fw = tool_framework(lib, name).filter(|f| in_scope.contains(f.id().as_str()));
            ids.iter()
                .filter_map(move |id| fw.and_then(|f| Some((f, f.find_loose(id)?))))
        });
        let catalogued = catalogued(lib, &in_scope, &batch.tool, &r.check);
        for (fw, req) in stated.chain(catalogued) {
            if !req.assessable {
                continue;
            }
            for c in &controls {
                if !seen.insert((c.to_string(), fw.id().clone(), req.id.clone())) {
                    continue;
                }
                out.push(ControlLink {
                    id: None,
                    control: (*c).to_owned(),
                    framework: fw.id().clone(),
                    requirement: req.id.clone(),
                    coverage: Coverage::Partial,
                    origin: LinkOrigin::Crosswalk {
                        from: format!("{} check {}", batch.tool, r.check),
                        relationship: Relationship::Related,
                        provenance: ProvenanceKind::Tool,
                        path: vec![
                            format!("check:{}", r.check),
                            format!("{}:{}", fw.id(), req.id),
                        ],
                    },
                    state: LinkState::Proposed,
                    reviewer: None,
                    reviewed_on: None,
                });
            }
        }
    }
    out
}
