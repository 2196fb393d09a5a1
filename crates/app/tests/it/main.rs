//! Tests of the application layer: the architecture's rules, checked on the code.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cache;
mod layers;
mod webhooks;
