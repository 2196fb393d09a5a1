//! Times the phases of resolving a profile, a development aid for `bench/oscal.sh`:
//! `cargo run --release -p crosswalk-oscal --example phases -- PROFILE CATALOG`.
#![allow(clippy::unwrap_used)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let profile = std::path::PathBuf::from(args.next().unwrap());
    let catalog = std::path::PathBuf::from(args.next().unwrap());
    let t = std::time::Instant::now();
    let doc = crosswalk_oscal::read(&catalog).unwrap();
    let parse = t.elapsed();
    std::mem::forget(doc);
    let t = std::time::Instant::now();
    let resolved = crosswalk_oscal::resolve_profile(&profile, None).unwrap();
    let resolve = t.elapsed();
    let t = std::time::Instant::now();
    let text = crosswalk_oscal::catalog_json(&resolved);
    let write = t.elapsed();
    println!(
        "read+parse catalog {parse:?}; resolve (incl. its own read) {resolve:?}; serialise {write:?} ({} bytes)",
        text.len()
    );
}
