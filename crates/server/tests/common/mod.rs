//! What the server's test binaries share: the clock they read and the built-in library.

use crosswalk_app::Clock;

/// The clock as a face reads it: now.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Clock {
    let z = jiff::Zoned::now();
    Clock {
        today: z.date(),
        now: z.timestamp(),
    }
}

/// The built-in library, loaded once per test binary.
pub fn catalog() -> &'static crosswalk_library::Catalog {
    static CATALOG: std::sync::OnceLock<crosswalk_library::Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| crosswalk_library::load(&[]).unwrap())
}
