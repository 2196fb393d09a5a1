//! Loading user library directories on top of the built-in library.

use std::path::Path;

use crosswalk_library::{LoadError, load, validate_dir};

const FRAMEWORK: &str = r#"kind = "framework"
version = 1

[framework]
id = "acme-2024"
family = "acme"
current = true
name = "ACME Baseline 2024"
version = "2024"
publisher = "ACME Corp"

[[requirements]]
id = "AC-1"
title = "Access reviews"
summary = "Review who can reach production every quarter."
kind = "control"
assessable = true
"#;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_valid_directory_adds_to_the_builtin_library() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nested/acme.toml", FRAMEWORK);
    assert_eq!(validate_dir(dir.path()).unwrap(), vec![]);
    let catalog = load(&[dir.path()]).unwrap();
    let acme = catalog.library.resolve("acme").unwrap();
    assert_eq!(acme.id().as_str(), "acme-2024");
    assert!(catalog.library.resolve("soc2").is_some());
    let hits = catalog
        .index()
        .search("access reviews production quarter", None, 5);
    let top = &catalog.library.frameworks()[hits[0].framework];
    assert_eq!(top.id().as_str(), "acme-2024");
}

#[test]
fn errors_name_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "acme.toml",
        &FRAMEWORK.replace("kind = \"control\"", "kind = \"ctrl\""),
    );
    write(
        dir.path(),
        "other.toml",
        "kind = \"framework\"\nversion = 1\n[framework]\nid = 3\n",
    );
    let diags = validate_dir(dir.path()).unwrap();
    let rendered: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(rendered.len(), 7, "{rendered:?}");
    let prefix = format!("{}/", dir.path().display());
    assert!(
        rendered[0].starts_with(&format!(
            "{prefix}acme.toml:16:8: requirements[0].kind: unknown variant `ctrl`"
        )),
        "{}",
        rendered[0]
    );
    // Every problem of a file, not only the first, in the order of the text.
    let missing = ["family", "current", "name", "version", "publisher"]
        .map(|f| format!("{prefix}other.toml:3:1: framework: missing field `{f}`"));
    assert_eq!(rendered[1..6], missing);
    assert!(
        rendered[6].starts_with(&format!(
            "{prefix}other.toml:4:6: framework.id: invalid type: integer `3`"
        )),
        "{}",
        rendered[6]
    );
}

#[test]
fn a_user_file_may_not_redefine_a_builtin_id() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "fake.toml",
        &FRAMEWORK
            .replace("acme-2024", "soc2-2017")
            .replace("family = \"acme\"", "family = \"soc2x\""),
    );
    let Err(LoadError::Invalid(diags)) = load(&[dir.path()]) else {
        panic!("a clash must be refused")
    };
    assert_eq!(diags.len(), 1);
    assert!(diags[0].file.ends_with("fake.toml"), "{}", diags[0]);
    assert_eq!(diags[0].field, "framework.id");
    assert_eq!(
        diags[0].message,
        "framework id `soc2-2017` is defined more than once"
    );
}

#[test]
fn cross_file_errors_point_at_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "acme.toml", FRAMEWORK);
    // A profile copied from the built-in SOC 2 one but naming an unknown related family.
    let soc2 = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/profiles/soc2.toml"),
    )
    .unwrap();
    let profile = soc2
        .replace("family = \"soc2\"", "family = \"acme\"")
        .replacen("related = [", "related = [\"nope\", ", 1);
    write(dir.path(), "profiles/acme.toml", &profile);
    let diags = validate_dir(dir.path()).unwrap();
    let rendered: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(rendered.len(), 1, "{rendered:?}");
    assert!(
        rendered[0].contains("profiles/acme.toml:"),
        "{}",
        rendered[0]
    );
    assert!(
        rendered[0]
            .ends_with("profile.related: profile `acme` lists unknown related family `nope`"),
        "{}",
        rendered[0]
    );
}

#[test]
fn a_missing_directory_is_an_error() {
    let diags = validate_dir(Path::new("/definitely/not/here")).unwrap();
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.starts_with("cannot read"), "{}", diags[0]);
}

/// Each kind of corruption of a valid file (duplicate id, dangling parent, unknown field,
/// bad enum value) makes the load fail with one diagnostic and change nothing.
#[test]
fn corrupted_files_are_refused() {
    let cases = [
        FRAMEWORK.to_owned()
            + "\n[[requirements]]\nid = \"AC-1\"\ntitle = \"t\"\nsummary = \"s\"\nkind = \"control\"\nassessable = true\n",
        FRAMEWORK.replace("id = \"AC-1\"", "id = \"AC-1\"\nparent = \"AC\""),
        FRAMEWORK.replace("assessable = true", "assessable = true\ncolour = \"red\""),
        FRAMEWORK.replace("kind = \"control\"", "kind = \"widget\""),
    ];
    for bad in cases {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "acme.toml", &bad);
        match load(&[dir.path()]) {
            Err(LoadError::Invalid(d)) => assert_eq!(d.len(), 1, "{d:?}"),
            other => panic!("expected one diagnostic, got {:?}", other.map(|_| ())),
        }
    }
}
