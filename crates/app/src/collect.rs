//! Continuous monitoring, first step: scanner results imported as dated records of the
//! program, each file once (by its SHA-256).

use std::collections::HashSet;

use crosswalk_collect::Format;
use crosswalk_core::monitor::ByStatus;
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
}

/// The formats `--format` names: the ones read, `auto`, and those not read yet.
pub fn format(name: &str) -> Result<Option<Format>> {
    match name {
        "auto" => Ok(None),
        "powerpipe" | "csv" => bail!(
            "--format {name} is not read yet: the formats read are ocsf, sarif, hdf, oscal-ar and prowler-csv"
        ),
        other => Format::parse(other).map(Some).ok_or_else(|| {
            invalid!("--format `{other}`: use auto, ocsf, sarif, hdf, oscal-ar or prowler-csv")
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
        };
        if self.store().results_imported(&sha256)?.is_some() {
            return Ok(summary(false));
        }
        let out = summary(true);
        let now = self.clock.now;
        self.apply(&[Change::ImportResults {
            sha256,
            imported_at: now,
            batch,
        }])?;
        Ok(out)
    }
}
