//! Tests of the documents: charts, and the evidence package against hostile archives.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};

use crosswalk_core::ids::FrameworkId;
use crosswalk_core::plan::{Event, FrameworkPlan, PlannedPhase, plan};
use crosswalk_core::program::{InScope, Target};
use crosswalk_report::package::{self, Manifest, ManifestEntry};
use jiff::civil::date;
use sha2::Digest;

mod pages;
mod pdf;

#[test]
fn gantt_labels_phases_marks_lateness_and_escapes_text() {
    let lib = &crosswalk_library::builtin().unwrap().library;
    let today = date(2026, 11, 30);
    let iso = InScope {
        framework: FrameworkId::parse("iso27001-2022").unwrap(),
        target: Target::Certification,
        target_date: None,
    };
    let mut plans = plan(lib, &[iso], &[], today);
    plans.push(FrameworkPlan {
        framework: FrameworkId::parse("soc2-2017").unwrap(),
        readiness: 0.5,
        target_date: Some(date(2027, 1, 31)),
        phases: vec![PlannedPhase {
            phase: "Fix <script> & \"quotes\"".into(),
            start: today,
            end: date(2027, 6, 1),
            weeks: 26,
        }],
        calendar: vec![Event {
            date: date(2027, 6, 1),
            event: "Report <b>issued</b>".into(),
        }],
        late_by_weeks: Some(17),
    });
    let svg = crosswalk_report::svg::gantt(&plans, today);
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("Stage 2 audit"));
    assert!(svg.contains("17 weeks late"));
    assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
    assert!(!svg.contains("<b>"));
}

#[test]
fn heatmap_escapes_framework_names() {
    let cells = vec![vec![crosswalk_core::crosswalk::OverlapCount {
        total: 1,
        full: 1,
        partial: 0,
        none: 0,
    }]];
    let svg = crosswalk_report::svg::heatmap(&["a<b>&\"c"], &cells);
    assert!(svg.contains("a&lt;b&gt;&amp;&quot;c") && !svg.contains("a<b>"));
}

fn entry(id: &str, sha: &str, path: &str) -> ManifestEntry {
    ManifestEntry {
        id: id.into(),
        title: "t".into(),
        collected: "2026-01-01".into(),
        valid_until: None,
        controls: vec!["C-1".into()],
        location: format!("sha256:{sha}"),
        path: Some(path.into()),
        sha256: Some(sha.into()),
    }
}

fn manifest(evidence: Vec<ManifestEntry>) -> Manifest {
    Manifest {
        organization: "Acme".into(),
        created: "2026-11-30".into(),
        evidence,
    }
}

/// A zip written entry by entry, for archives the package writer would never make.
fn raw_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
fn a_package_round_trips_and_a_tampered_file_is_found() {
    let content = b"access review, Q4".to_vec();
    let sha = format!("{:x}", sha2::Sha256::digest(&content));
    let m = manifest(vec![entry("EV-1", &sha, &format!("files/{sha}"))]);
    let mut out = Cursor::new(Vec::new());
    let files = package::write(&mut out, &m, &mut |_| Ok(content.clone())).unwrap();
    assert_eq!(files, 1);
    let v = package::verify(Cursor::new(out.into_inner())).unwrap();
    assert_eq!((v.items, v.checked), (1, 1));
    assert!(v.problems.is_empty());

    let manifest_json = serde_json::to_vec(&m).unwrap();
    let bad = raw_zip(&[
        ("manifest.json", &manifest_json),
        (&format!("files/{sha}"), b"something else"),
    ]);
    let v = package::verify(Cursor::new(bad)).unwrap();
    assert_eq!(v.checked, 0);
    assert!(v.problems[0].contains("altered"), "{:?}", v.problems);
}

#[test]
fn package_entries_never_leave_the_package() {
    // Writing: a digest that is a path is refused before anything is read.
    let m = manifest(vec![entry(
        "EV-1",
        "../../../outside/secret.txt",
        "files/x",
    )]);
    let mut out = Cursor::new(Vec::new());
    let err = package::write(&mut out, &m, &mut |_| panic!("must not fetch")).unwrap_err();
    assert!(err.to_string().contains("not a SHA-256 digest"), "{err}");
    // Verifying: a manifest naming a path outside files/<sha256> is reported, not read.
    let sha = "a".repeat(64);
    let m = manifest(vec![entry("EV-1", &sha, "../../etc/passwd")]);
    let zip = raw_zip(&[("manifest.json", &serde_json::to_vec(&m).unwrap())]);
    let v = package::verify(Cursor::new(zip)).unwrap();
    assert!(
        v.problems[0].contains("not a package file name"),
        "{:?}",
        v.problems
    );
}

#[test]
fn a_zip_bomb_is_refused_without_inflating_it() {
    let zeros = vec![0u8; 64 << 20];
    let sha = format!("{:x}", sha2::Sha256::digest(&zeros));
    let m = manifest(vec![entry("EV-1", &sha, &format!("files/{sha}"))]);
    let zip = raw_zip(&[
        ("manifest.json", &serde_json::to_vec(&m).unwrap()),
        (&format!("files/{sha}"), &zeros),
    ]);
    assert!(zip.len() < 1 << 20, "the archive is small: {}", zip.len());
    let v = package::verify(Cursor::new(zip)).unwrap();
    assert_eq!(v.checked, 0);
    assert!(v.problems[0].contains("zip bomb"), "{:?}", v.problems);
}

#[test]
fn not_a_package_is_a_clear_error() {
    let err = package::verify(Cursor::new(b"plain text".to_vec())).unwrap_err();
    assert!(err.to_string().contains("not a zip archive"), "{err}");
    let zip = raw_zip(&[("other.txt", b"x")]);
    let err = package::verify(Cursor::new(zip)).unwrap_err();
    assert!(err.to_string().contains("manifest.json"), "{err}");
}

mod fuzz {
    //! Bounded fuzzing of package verification: mutated archives (flipped bytes,
    //! truncation, spliced slices) are answered with a result or an error, never a panic
    //! or a hang.

    use std::io::Cursor;

    use proptest::prelude::*;
    use sha2::Digest;

    use super::{entry, manifest, raw_zip};

    fn valid_package() -> Vec<u8> {
        let content = b"quarterly access review".to_vec();
        let sha = format!("{:x}", sha2::Sha256::digest(&content));
        let m = manifest(vec![entry("EV-1", &sha, &format!("files/{sha}"))]);
        raw_zip(&[
            ("manifest.json", &serde_json::to_vec(&m).unwrap()),
            (&format!("files/{sha}"), &content),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn mutated_packages_never_panic(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            cut in any::<prop::sample::Index>(),
            splice in any::<(prop::sample::Index, prop::sample::Index)>(),
        ) {
            let mut bytes = valid_package();
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= b;
            }
            let (a, b) = (splice.0.index(bytes.len()), splice.1.index(bytes.len()));
            let (lo, hi) = (a.min(b), a.max(b));
            let slice = bytes[lo..hi].to_vec();
            bytes.extend_from_slice(&slice);
            let keep = cut.index(bytes.len() + 1).max(bytes.len() / 2);
            bytes.truncate(keep);
            let _ = crosswalk_report::package::verify(Cursor::new(bytes));
        }
    }
}
