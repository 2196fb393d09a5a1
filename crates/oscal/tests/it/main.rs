//! OSCAL against NIST's and FedRAMP's own files: profile resolution, catalog import,
//! export validated by the OSCAL JSON schemas, and malformed input.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod baselines;
mod catalogs;
mod errors;
mod export;
mod fuzz;
mod hostile;
mod spec;

use serde_json::Value;

pub use crosswalk_testkit::shared_data;

/// Every control of a catalog body, depth first, in document order.
pub fn control_ids(catalog: &Value) -> Vec<String> {
    crosswalk_oscal::controls(catalog)
        .into_iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}
