//! Input files are regular files under a size limit: devices, pipes and directories are
//! refused without blocking, oversized files without being read, and library
//! directories report such files as located diagnostics.

use std::path::{Path, PathBuf};

use crosswalk_format::input::{self, InputError, Limit};
use crosswalk_testkit::hostile::{bounded, bounded_with_stack, fifo, sparse_file};

#[test]
fn devices_pipes_and_directories_are_not_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path(), "pipe.json");
    for (path, kind) in [
        (PathBuf::from("/dev/zero"), "a character device"),
        (pipe, "a named pipe"),
        (dir.path().to_owned(), "a directory"),
    ] {
        let shown = path.clone();
        let err = bounded(move || input::read_text(&path, input::OSCAL_DOCUMENT)).unwrap_err();
        assert!(
            matches!(&err, InputError::NotRegular { kind: k, .. } if *k == kind),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("`{}` is not a regular file ({kind})", shown.display())
        );
        assert_eq!(err.path(), shown);
    }
}

#[test]
fn a_missing_file_names_the_file() {
    let err = input::read_bytes(Path::new("/no/such/file.json"), 10).unwrap_err();
    assert!(matches!(err, InputError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("`/no/such/file.json` cannot be read: "),
        "{err}"
    );
}

#[test]
fn files_over_the_limit_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("x.json");
    // Sparse: no disk space is used, and nothing is read.
    sparse_file(&big, 300 * 1024 * 1024);
    let err = input::read_bytes(&big, input::OSCAL_DOCUMENT).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is 300 MiB, over the 256 MiB limit for OSCAL documents",
            big.display()
        )
    );
    assert_eq!(
        err.reason(),
        "the file is 300 MiB, over the 256 MiB limit for OSCAL documents"
    );
    let small = dir.path().join("s.txt");
    std::fs::write(&small, "0123456789A").unwrap();
    let err = input::read_bytes(&small, 10).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("is 11 bytes, over the 10 bytes limit for input files"),
        "{err}"
    );
    assert_eq!(input::read_bytes(&small, 11).unwrap(), b"0123456789A");
    let limit = Limit::new(3 * 1024 * 1024 / 2, "evidence files");
    sparse_file(&small, 2 * 1024 * 1024 + 1);
    let err = input::read_bytes(&small, limit).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("is 2.0 MiB, over the 1.5 MiB limit for evidence files"),
        "{err}"
    );
}

#[test]
fn text_must_be_utf8_and_the_bad_byte_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.toml");
    std::fs::write(&p, b"kind = 1\nname = \"ab\xff\"\n").unwrap();
    let err = input::read_text(&p, input::LIBRARY_FILE).unwrap_err();
    assert!(
        matches!(
            err,
            InputError::NotUtf8 {
                line: 2,
                column: 11,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not UTF-8 text"), "{err}");
}

#[test]
fn open_gives_a_regular_file_and_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("e.pdf");
    std::fs::write(&p, b"%PDF-1.7").unwrap();
    let (_file, len) = input::open(&p, 100).unwrap();
    assert_eq!(len, 8);
    assert!(input::open(Path::new("/dev/zero"), 100).is_err());
}

#[test]
fn human_sizes() {
    assert_eq!(input::human(0), "0 bytes");
    assert_eq!(input::human(1023), "1023 bytes");
    assert_eq!(input::human(1024), "1 KiB");
    assert_eq!(input::human(1536), "1.5 KiB");
    assert_eq!(input::human(256 * 1024 * 1024), "256 MiB");
    assert_eq!(input::human(3 * 1024 * 1024 * 1024), "3 GiB");
}

#[test]
fn library_directories_report_special_and_oversized_files() {
    let dir = tempfile::tempdir().unwrap();
    fifo(dir.path(), "pipe.toml");
    sparse_file(&dir.path().join("huge.toml"), 17 * 1024 * 1024);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/bad.toml"), b"kind = \"\xfe\"").unwrap();
    let root = dir.path().to_owned();
    let diags = bounded(move || crosswalk_format::read_dir(&root, "lib/")).unwrap_err();
    let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "lib/huge.toml:0:0: the file is 17 MiB, over the 16 MiB limit for library files",
            "lib/pipe.toml:0:0: not a regular file (a named pipe)",
            "lib/sub/bad.toml:1:9: not UTF-8 text",
        ]
    );
}

#[test]
fn deeply_nested_directories_stop_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // A directory that contains itself, through a link.
    std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
    let diags = crosswalk_format::read_dir(dir.path(), "lib/").unwrap_err();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0]
            .to_string()
            .ends_with(": directories are nested more than 32 levels deep"),
        "{}",
        diags[0]
    );
}

#[test]
fn deeply_nested_toml_is_a_located_error() {
    for text in [
        format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("a = {}1{}", "{b = ".repeat(100_000), "}".repeat(100_000)),
        "[a]\n".repeat(100_000),
    ] {
        let text = format!("kind = \"framework\"\nversion = 1\n{text}");
        // On a small stack, where a recursive parser would overflow.
        let diags = bounded_with_stack(1 << 20, move || {
            crosswalk_format::parse_file("x.toml", &text)
        })
        .unwrap_err();
        assert_eq!(diags.len(), 1);
        assert!(diags[0].to_string().starts_with("x.toml:"), "{}", diags[0]);
    }
}
