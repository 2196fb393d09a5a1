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
mod similarity;
mod spec;

use crosswalk_core::framework::FrameworkMeta;
use crosswalk_core::ids::FrameworkId;
use crosswalk_oscal::ImportOptions;
use serde_json::Value;

pub use crosswalk_testkit::shared_data;

/// Options importing a catalog, text included, as the framework `id` named `name`.
pub fn import_options(id: &str, name: &str, skip_withdrawn: bool) -> ImportOptions {
    let id = FrameworkId::parse(id).unwrap();
    ImportOptions {
        meta: FrameworkMeta {
            id: id.clone(),
            family: id,
            current: true,
            name: name.into(),
            version: "1".into(),
            publisher: "X".into(),
            published: None,
            aliases: Vec::new(),
            source: None,
            notes: Vec::new(),
        },
        include_text: true,
        skip_withdrawn,
    }
}

/// Every control of a catalog body, depth first, in document order.
pub fn control_ids(catalog: &Value) -> Vec<String> {
    crosswalk_oscal::controls(catalog)
        .into_iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}
