//! Hostile library directories are refused with located diagnostics: special files
//! without blocking, oversized files without reading them, deep nesting without
//! overflowing the stack.

use std::path::{Path, PathBuf};

use crosswalk_library::{LoadError, load, validate_dir};
use crosswalk_testkit::hostile::{bounded, fifo, sparse_file};

fn rendered(diags: &[crosswalk_format::Diagnostic]) -> Vec<String> {
    diags.iter().map(ToString::to_string).collect()
}

#[test]
fn special_and_oversized_files_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    fifo(dir.path(), "pipe.toml");
    sparse_file(&dir.path().join("big.toml"), 1 << 30);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.toml")).unwrap();
    let root: PathBuf = dir.path().to_owned();
    let diags = bounded(move || validate_dir(&root).unwrap());
    let prefix = format!("{}/", dir.path().display());
    assert_eq!(
        rendered(&diags),
        [
            format!(
                "{prefix}big.toml:0:0: the file is 1 GiB, over the 16 MiB limit for library files"
            ),
            format!("{prefix}pipe.toml:0:0: not a regular file (a named pipe)"),
            format!("{prefix}zero.toml:0:0: not a regular file (a character device)"),
        ]
    );
    let root: PathBuf = dir.path().to_owned();
    let err = bounded(move || load(&[&root]).map(|_| ()).unwrap_err());
    assert!(
        matches!(err, LoadError::Invalid(ref d) if d.len() == 3),
        "{err}"
    );
}

#[test]
fn a_library_path_that_is_not_a_directory_is_a_diagnostic() {
    for path in ["/dev/zero", "/no/such/dir"] {
        let diags = bounded(move || validate_dir(Path::new(path)).unwrap());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0]
                .to_string()
                .starts_with(&format!("{path}:0:0: cannot read: ")),
            "{}",
            diags[0]
        );
    }
}

#[test]
fn deeply_nested_toml_is_a_located_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "kind = \"framework\"\nversion = 1\nx = {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(dir.path().join("deep.toml"), text).unwrap();
    let root: PathBuf = dir.path().to_owned();
    let diags = bounded(move || validate_dir(&root).unwrap());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0]
            .to_string()
            .starts_with(&format!("{}/deep.toml:3:", dir.path().display())),
        "{}",
        diags[0]
    );
}

/// A framework whose requirements form one chain, each the parent of the next.
fn chain(n: usize) -> String {
    let ids: Vec<String> = (0..n).map(|i| format!("R{i}")).collect();
    let requirements: Vec<_> = (0..n)
        .map(|i| {
            let parent = i.checked_sub(1).map(|p| ids[p].as_str());
            (ids[i].as_str(), parent, "control")
        })
        .collect();
    super::framework_file("deep-1", "deep", &requirements)
}

#[test]
fn requirement_trees_nest_at_most_the_limit() {
    use crosswalk_format::MAX_REQUIREMENT_DEPTH;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deep.toml"), chain(20_000)).unwrap();
    let root: PathBuf = dir.path().to_owned();
    let diags = bounded(move || validate_dir(&root).unwrap());
    assert_eq!(
        rendered(&diags),
        [format!(
            "{}/deep.toml:{}:1: requirements[{MAX_REQUIREMENT_DEPTH}].parent: `R{MAX_REQUIREMENT_DEPTH}` is nested {} levels deep; requirements nest at most {MAX_REQUIREMENT_DEPTH} levels",
            dir.path().display(),
            13 + 8 * MAX_REQUIREMENT_DEPTH,
            MAX_REQUIREMENT_DEPTH + 1
        )]
    );
    std::fs::write(dir.path().join("deep.toml"), chain(MAX_REQUIREMENT_DEPTH)).unwrap();
    let root: PathBuf = dir.path().to_owned();
    let n = bounded(move || {
        load(&[&root])
            .unwrap()
            .library
            .resolve("deep")
            .map(|f| f.requirements().len())
    });
    assert_eq!(n, Some(MAX_REQUIREMENT_DEPTH));
}
