//! Every command example in `README.md` and `docs/cli.md` (their `sh` blocks) runs, in
//! order, in one working directory, and succeeds — so the docs cannot drift from the
//! program. Optional parts written `[--flag]` are left out; `cargo` lines are the
//! quick start's and are not run here. The files the examples name are made as fixtures
//! (a control list, an evidence file, a crosswalk, a user library) or copied from NIST's
//! public files in `CROSSWALK_SHARED_DATA`. One substitution: the synthetic program's
//! 50,000 controls become 300, to keep a debug-build test quick.

use std::path::Path;

/// The commands of a Markdown file's `sh` blocks: continuation lines joined, comments and
/// optional `[…]` parts removed, `a && b` split, each as its arguments.
fn examples(markdown: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_sh = !in_sh && line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        // A comment starts at ` #` outside quotes.
        let mut quoted = false;
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '#' if !quoted && (i == 0 || line[..i].ends_with(' ')) => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        let code = line[..cut].trim_end();
        if let Some(head) = code.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(code);
        let full = std::mem::take(&mut pending);
        for part in full.split("&&") {
            let mut text = String::new();
            let mut depth = 0;
            for c in part.chars() {
                match c {
                    '[' => depth += 1,
                    ']' if depth > 0 => depth -= 1,
                    _ if depth == 0 => text.push(c),
                    _ => {}
                }
            }
            let Some(words) = shlex::split(text.trim()) else {
                panic!("cannot split `{text}`")
            };
            if words.first().is_some_and(|w| w == "crosswalk") {
                out.push(words[1..].to_vec());
            }
        }
    }
    out
}

fn fixtures(dir: &Path, shared: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in [
        ["Control ID", "Name", "Status", "SOC 2"],
        [
            "AC-01",
            "Quarterly access reviews",
            "operating",
            "CC6.2, CC6.3",
        ],
        ["AC-02", "Least privilege by role", "implemented", "CC6.3"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            ws.write(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(dir.join("controls.xlsx")).unwrap();
    std::fs::write(dir.join("review.pdf"), b"%PDF-1.4\nQ4 access review\n").unwrap();
    std::fs::write(
        dir.join("crosswalk.csv"),
        "from_id,to_id,relationship\nGV.OC-01,PM-11,related\nPR.AA-01,AC-2,intersects\n",
    )
    .unwrap();
    for (from, name) in [
        (
            "oscal/nist-800-53r5-v5.0.1",
            "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json",
        ),
        (
            "oscal/nist-800-53r5-v5.0.1",
            "NIST_SP-800-53_rev5_catalog.json",
        ),
        ("oscal/nist-800-171r3", "NIST_SP800-171_rev3_catalog.xml"),
        (
            "nist",
            "Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_5_2_0_draft.xlsx",
        ),
        ("realworld/ciso-assistant", "nist-sp-800-66-rev2.yaml"),
    ] {
        std::fs::copy(shared.join(from).join(name), dir.join(name)).unwrap();
    }
    // Monitoring: a scanner's output, an Okta export, Prowler's ISO 27001 catalogue.
    std::fs::copy(
        shared.join("realworld/scanner-results/prowler-ocsf/example_output_aws.ocsf.json"),
        dir.join("prowler.ocsf.json"),
    )
    .unwrap();
    std::fs::write(
        dir.join("users.json"),
        r#"[{"id": "00u1", "status": "ACTIVE", "created": "2026-01-05T09:00:00.000Z",
            "lastLogin": "2026-11-20T08:00:00.000Z",
            "profile": {"login": "ana@acme.example", "email": "ana@acme.example"}}]"#,
    )
    .unwrap();
    let prowler = dir.join("prowler/compliance/aws");
    std::fs::create_dir_all(&prowler).unwrap();
    std::fs::copy(
        shared.join("realworld/prowler/prowler/compliance/aws/iso27001_2022_aws.json"),
        prowler.join("iso27001_2022_aws.json"),
    )
    .unwrap();
    let lib = dir.join("my-frameworks");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("acme.toml"),
        r#"kind = "framework"
version = 1

[framework]
id = "acme-2024"
family = "acme"
current = true
name = "Acme Security Standard 2024"
version = "2024"
publisher = "Acme"

[[requirements]]
id = "1"
title = "Access control"
kind = "group"
assessable = false

[[requirements]]
id = "1.1"
parent = "1"
title = "Review access every quarter"
kind = "control"
assessable = true
"#,
    )
    .unwrap();
    let profile = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../library/data/profiles/iso42001.toml"),
    )
    .unwrap()
    .replace("family = \"iso42001\"", "family = \"acme\"");
    std::fs::write(lib.join("acme-profile.toml"), profile).unwrap();
}

#[test]
fn every_documented_example_runs() {
    let Some(shared) = crosswalk_testkit::shared_data("every_documented_example_runs") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path(), &shared);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut commands = Vec::new();
    for doc in ["README.md", "docs/cli.md"] {
        let found = examples(&std::fs::read_to_string(root.join(doc)).unwrap());
        assert!(!found.is_empty(), "{doc} has no sh examples");
        commands.extend(found);
    }
    assert!(
        commands.len() >= 40,
        "only {} examples found",
        commands.len()
    );
    let db = dir.path().join("program.db");
    for mut args in commands {
        if args.iter().any(|a| a == "--scale") {
            for a in &mut args {
                if a == "50000" {
                    *a = "300".into();
                }
            }
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .args(&args)
            .current_dir(dir.path())
            .env("CROSSWALK_DB", &db)
            .env("NO_COLOR", "1")
            .env_remove("CROSSWALK_LIBRARY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "crosswalk {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
