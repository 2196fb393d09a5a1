//! Test support shared by crosswalk's crates (a dev-dependency only; the product never
//! needs it): the shared reference data, bounded fuzzing by mutation, and hostile input.

// Test support: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod fuzz;
pub mod hostile;

use std::path::PathBuf;

/// The shared reference data directory (`CROSSWALK_SHARED_DATA`, relative to the
/// workspace root, default `../shared/data`), or `None` after saying the test `test` was
/// skipped. Under `CI=true` its absence is a failure.
///
/// # Panics
/// When the directory is absent and `CI=true`.
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = match std::env::var_os("CROSSWALK_SHARED_DATA") {
        Some(d) => root.join(d),
        None => root.join("../shared/data"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: shared data not found at {} (set CROSSWALK_SHARED_DATA)",
            dir.display()
        );
    }
    eprintln!(
        "{test}: skipped, shared data not found at {}",
        dir.display()
    );
    None
}
