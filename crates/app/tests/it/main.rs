//! Tests of the application layer: the architecture's rules, checked on the code.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cache;
mod layers;
mod webhooks;

/// A session on a new program "Acme" in the SQLite file `db`, acting as `actor`.
pub fn new_program(
    db: &str,
    clock: crosswalk_app::Clock,
    actor: &str,
) -> crosswalk_app::program::Session<'static> {
    let catalog = crosswalk_library::builtin().unwrap();
    let mut s = crosswalk_app::program::Session::open(catalog, db, clock, actor).unwrap();
    s.init(crosswalk_core::program::ProgramInfo {
        organization: "Acme".into(),
        scope: String::new(),
        systems: Vec::new(),
    })
    .unwrap();
    s
}
