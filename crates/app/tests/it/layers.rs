//! The layering the architecture promises, checked over the crates' manifests and
//! sources: dependencies point inward, and the library layers (core, app, report and the
//! boundary crates) take no clap, print nothing, and read no clock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Each workspace crate's name and its normal (non-dev) dependencies.
fn graph() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(crates_dir()).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let name = doc["package"]["name"].as_str().unwrap().to_owned();
        let deps = doc
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        out.insert(name, deps);
    }
    out
}

/// Allowed crosswalk dependencies of each crate: inward only.
const ALLOWED: &[(&str, &[&str])] = &[
    ("crosswalk-core", &[]),
    ("crosswalk-testkit", &[]),
    ("crosswalk-format", &["crosswalk-core"]),
    ("crosswalk-library", &["crosswalk-core", "crosswalk-format"]),
    ("crosswalk-sheets", &["crosswalk-core", "crosswalk-format"]),
    ("crosswalk-oscal", &["crosswalk-core", "crosswalk-format"]),
    ("crosswalk-collect", &["crosswalk-core"]),
    ("crosswalk-checks", &["crosswalk-core"]),
    ("crosswalk-store", &["crosswalk-core"]),
    ("crosswalk-report", &["crosswalk-core", "crosswalk-oscal"]),
    (
        "crosswalk-app",
        &[
            "crosswalk-checks",
            "crosswalk-collect",
            "crosswalk-core",
            "crosswalk-format",
            "crosswalk-library",
            "crosswalk-oscal",
            "crosswalk-report",
            "crosswalk-sheets",
            "crosswalk-store",
        ],
    ),
    (
        "crosswalk-server",
        &["crosswalk-app", "crosswalk-core", "crosswalk-library"],
    ),
    (
        "crosswalk-cli",
        &[
            "crosswalk-app",
            "crosswalk-server",
            "crosswalk-core",
            "crosswalk-format",
            "crosswalk-library",
            "crosswalk-oscal",
            "crosswalk-report",
        ],
    ),
];

#[test]
fn dependencies_point_inward() {
    let graph = graph();
    for (name, deps) in &graph {
        let allowed = ALLOWED
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is not in the layering table of this test"))
            .1;
        for d in deps.iter().filter(|d| d.starts_with("crosswalk-")) {
            assert!(
                allowed.contains(&d.as_str()),
                "{name} depends on {d}, which the layering does not allow"
            );
        }
    }
    for (name, deps) in &graph {
        assert!(
            !deps.iter().any(|d| d == "crosswalk-cli"),
            "{name} depends on the CLI"
        );
        if name != "crosswalk-cli" {
            assert!(!deps.iter().any(|d| d == "clap"), "{name} depends on clap");
        }
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn library_layers_neither_print_nor_read_the_clock() {
    let banned = [
        "println!",
        "print!(",
        "eprintln!",
        "eprint!(",
        "std::io::stdout",
        "std::io::stderr",
        "io::stdin",
        "dbg!",
        "Timestamp::now",
        "Zoned::now",
        "SystemTime::now",
    ];
    for krate in [
        "core", "app", "report", "store", "format", "oscal", "sheets", "collect", "checks",
        "server",
    ] {
        let mut files = Vec::new();
        sources(&crates_dir().join(krate).join("src"), &mut files);
        assert!(!files.is_empty(), "no sources in {krate}");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for b in banned {
                assert!(!text.contains(b), "{} uses `{b}`", f.display());
            }
        }
    }
}

#[test]
fn the_cli_reads_the_clock_once_and_stays_small() {
    let mut files = Vec::new();
    sources(&crates_dir().join("cli").join("src"), &mut files);
    let mut reads = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        reads += text.matches("Zoned::now").count() + text.matches("Timestamp::now").count();
        // Flags, dispatch and terminal layout grow with every command; a use case cannot
        // live here (the dependency table above keeps the store out of reach), and no file
        // grows past what one reads through: split by command family instead.
        let lines = text.lines().count();
        assert!(
            lines < 1_200,
            "{} holds {lines} lines: split it by command family",
            f.display()
        );
    }
    assert_eq!(reads, 1, "the CLI reads the clock exactly once");
}
