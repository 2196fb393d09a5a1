//! Pure domain core of crosswalk: standards as data, comparison and search.
//!
//! Nothing in this crate does IO or reads a clock. Types derive serde because the
//! built-in library is compiled to a binary image at build time and decoded at start-up.

pub mod collab;
pub mod compare;
pub mod crosswalk;
pub mod evidence;
pub mod framework;
pub mod ids;
pub mod library;
pub mod mapping;
pub mod monitor;
pub mod ms;
pub mod plan;
pub mod profile;
pub mod program;
pub mod risk;
pub mod search;
