//! OSCAL support (work in progress).
