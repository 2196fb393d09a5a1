//! End-to-end tests of the `crosswalk` binary: output snapshots and JSON contracts.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ciso;
mod collect;
mod concurrency;
mod docs;
mod hostile;
mod links;
mod monitor;
mod ms;
mod oscal;
mod program;
mod prowler;
mod replicas;
mod risk;
mod soa;

use std::process::{Command, Output};

use serde_json::Value;

fn crosswalk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CROSSWALK_LIBRARY")
        .output()
        .expect("the binary runs")
}

fn stdout(args: &[&str]) -> String {
    let out = crosswalk(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs `f` with the URL of a fresh schema on the PostgreSQL server named by
/// `CROSSWALK_TEST_POSTGRES` (dropped afterwards); skipped with a message when it is unset,
/// a failure under `CI=true`.
fn with_postgres(test: &str, f: impl FnOnce(&str)) {
    let Ok(base) = std::env::var("CROSSWALK_TEST_POSTGRES") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CROSSWALK_TEST_POSTGRES is not set under CI"
        );
        eprintln!("{test}: skipped, CROSSWALK_TEST_POSTGRES is not set");
        return;
    };
    let schema = format!("cw_{test}_{}", std::process::id());
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    f(&format!("{base}{sep}options=-csearch_path%3D{schema}"));
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&stdout(args)).expect("valid JSON")
}

const SHORT_IDS: &[&str] = &[
    "soc2",
    "iso27001",
    "iso27701",
    "iso42001",
    "iso13485",
    "iso9001",
    "iso14971",
    "nist-csf-2.0",
    "nist-800-53",
    "gdpr",
    "hipaa",
    "pci-dss",
    "nis2",
    "dora",
    "eu-ai-act",
    "cis-controls",
];

#[test]
fn compare_soc2_iso27001_text() {
    insta::assert_snapshot!(stdout(&["compare", "soc2", "iso27001"]));
}

#[test]
fn compare_soc2_iso27001_md() {
    insta::assert_snapshot!(stdout(&["compare", "soc2", "iso27001", "--format", "md"]));
}

#[test]
fn compare_soc2_iso27001_html() {
    let html = stdout(&["compare", "soc2", "iso27001", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "no external assets or scripts"
    );
    insta::assert_snapshot!(html);
}

#[test]
fn compare_soc2_iso27001_json() {
    let v = json(&["compare", "soc2", "iso27001", "--format", "json"]);
    insta::assert_json_snapshot!(v);
}

#[test]
fn compare_odd_pair_iso13485_gdpr() {
    insta::assert_snapshot!(stdout(&["compare", "iso13485", "gdpr", "--format", "md"]));
}

#[test]
fn compare_json_contract_holds_for_every_pair() {
    let mut pairs = 0;
    for a in SHORT_IDS {
        for b in SHORT_IDS {
            if a == b {
                continue;
            }
            let v = json(&["compare", a, b, "--format", "json"]);
            for key in [
                "a",
                "b",
                "verdict",
                "differences",
                "similarities",
                "choose_when",
                "combined_strategy",
                "related",
            ] {
                assert!(v.get(key).is_some(), "{a} vs {b}: missing {key}");
            }
            assert!(
                v["a"]
                    .as_str()
                    .unwrap()
                    .starts_with(a.split('-').next().unwrap()),
                "{a}: {}",
                v["a"]
            );
            let diffs = v["differences"].as_array().unwrap();
            let aspects: Vec<&str> = diffs
                .iter()
                .map(|d| d["aspect"].as_str().unwrap())
                .collect();
            assert_eq!(
                &aspects[..5],
                ["Scope", "Industry", "Nature", "Testing", "Penalties"]
            );
            for d in diffs {
                assert!(
                    !d["a"].as_str().unwrap().is_empty() && !d["b"].as_str().unwrap().is_empty(),
                    "{a} vs {b}: empty {}",
                    d["aspect"]
                );
            }
            assert!(
                v["verdict"].as_str().unwrap().len() > 80,
                "{a} vs {b}: thin verdict"
            );
            assert!(
                !v["similarities"].as_array().unwrap().is_empty(),
                "{a} vs {b}"
            );
            assert!(
                v["combined_strategy"].as_array().unwrap().len() >= 2,
                "{a} vs {b}"
            );
            assert!(!v["choose_when"]["a"].as_array().unwrap().is_empty());
            // No sentence is left with an unfilled or doubled piece.
            let text = v.to_string();
            assert!(
                !text.replace("...", "").contains("..")
                    && !text.contains(" ,")
                    && !text.contains("{}"),
                "{a} vs {b}"
            );
            pairs += 1;
        }
    }
    assert_eq!(pairs, 16 * 15);
}

#[test]
fn law_versus_voluntary_verdict_says_which_binds() {
    let v = json(&["compare", "iso13485", "gdpr", "--format", "json"]);
    let verdict = v["verdict"].as_str().unwrap();
    assert!(verdict.contains("Only GDPR is binding law"), "{verdict}");
}

#[test]
fn frameworks_list_json_contract() {
    let v = json(&["frameworks", "list", "--json"]);
    let list = v.as_array().unwrap();
    assert!(list.len() >= 18);
    for f in list {
        for key in ["id", "name", "version", "publisher", "requirement_count"] {
            assert!(f.get(key).is_some(), "{f}: missing {key}");
        }
    }
    let soc2 = list.iter().find(|f| f["id"] == "soc2-2017").unwrap();
    assert_eq!(soc2["requirement_count"], 263);
    assert_eq!(soc2["publisher"], "AICPA");
}

#[test]
fn frameworks_show_json_contract() {
    let v = json(&["frameworks", "show", "iso27001", "--json"]);
    assert_eq!(v["id"], "iso27001-2022");
    assert_eq!(v["profile"]["family"], "iso27001");
    let reqs = v["requirements"].as_array().unwrap();
    let a515 = reqs.iter().find(|r| r["id"] == "A.5.15").unwrap();
    assert_eq!(a515["parent"], "A.5");
    assert_eq!(a515["title"], "Access control");
    assert_eq!(a515["kind"], "control");
    assert_eq!(a515["assessable"], true);
    assert!(a515["summary"].as_str().unwrap().len() > 20);
    let root = reqs.iter().find(|r| r["id"] == "4").unwrap();
    assert_eq!(root["parent"], Value::Null);
    let csf = json(&["frameworks", "show", "nist-csf-2.0", "--json"]);
    assert!(
        csf["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "PR.AA-01")
    );
}

#[test]
fn frameworks_show_tree() {
    insta::assert_snapshot!(stdout(&["frameworks", "show", "iso42001", "--depth", "2"]));
}

#[test]
fn search_ranks_and_filters() {
    let v = json(&[
        "search",
        "supplier",
        "security",
        "--framework",
        "iso27001",
        "--json",
        "--limit",
        "3",
    ]);
    let hits = v.as_array().unwrap();
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| h["framework"] == "iso27001-2022"));
    assert!(
        hits[0]["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("supplier"),
        "{}",
        hits[0]
    );
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    let by_id = json(&["search", "CC6.1", "--json", "--limit", "1"]);
    assert_eq!(by_id[0]["id"], "CC6.1");
    let none = stdout(&["search", "xylophone"]);
    assert_eq!(none, "no requirement matches “xylophone”\n");
}

#[test]
fn unknown_framework_is_a_clear_error() {
    let out = crosswalk(&["compare", "soc2", "iso99999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: unknown framework `iso99999`; known short ids: "),
        "{err}"
    );
}

#[test]
fn library_validate_reports_and_exits_nonzero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("x.toml"),
        "kind = \"framework\"\nversion = 7\n",
    )
    .unwrap();
    let out = crosswalk(&["library", "validate", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("x.toml:2:11: version: format version 7 is not supported"),
        "{err}"
    );
    let ok = tempfile::tempdir().unwrap();
    let out = crosswalk(&["library", "validate", ok.path().to_str().unwrap()]);
    assert!(out.status.success());
}

#[test]
fn writes_output_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    stdout(&[
        "compare",
        "iso27001",
        "iso42001",
        "--format",
        "html",
        "-o",
        path.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(path).unwrap();
    assert!(html.contains("<table>"));
}

#[test]
fn map_json_contract() {
    let v = json(&["map", "soc2:CC7.3", "--json"]);
    let rows = v.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        for key in [
            "from",
            "to",
            "relationship",
            "rationale",
            "strength",
            "provenance",
            "path",
        ] {
            assert!(r.get(key).is_some(), "missing {key} in {r}");
        }
        let kind = r["provenance"]["kind"].as_str().unwrap();
        let hops = r["path"].as_array().unwrap().len();
        assert_eq!(kind == "inferred", hops > 1, "{r}");
        assert!(["official", "curated", "inferred"].contains(&kind));
    }
    let direct = rows
        .iter()
        .find(|r| r["to"] == "iso27001-2022:A.5.25")
        .unwrap();
    assert_eq!(direct["relationship"], "equivalent");
    assert_eq!(direct["provenance"]["kind"], "curated");
    assert_eq!(direct["provenance"]["publisher"], "crosswalk");
    let only = json(&[
        "map",
        "soc2:CC7.3",
        "--to",
        "nist-800-53",
        "--depth",
        "1",
        "--json",
    ]);
    assert_eq!(
        only.as_array().unwrap().len(),
        0,
        "no direct SOC 2 → 800-53 set"
    );
    let out = crosswalk(&["map", "soc2:ZZ9", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`ZZ9` is not a requirement of soc2-2017")
    );
}

#[test]
fn overlap_json_contract() {
    let v = json(&["overlap", "soc2", "iso27001", "--json"]);
    assert_eq!(v["a"], "soc2-2017");
    assert_eq!(v["b"], "iso27001-2022");
    assert!(v["rule"].as_str().unwrap().contains("fully covered"));
    for dir in ["a_in_b", "b_in_a"] {
        let d = &v[dir];
        let sum = d["full"].as_u64().unwrap()
            + d["partial"].as_u64().unwrap()
            + d["none"].as_u64().unwrap();
        assert_eq!(sum, d["total"].as_u64().unwrap());
    }
    assert_eq!(v["a_in_b"]["total"], 61);
}

#[test]
fn mappings_import_never_changes_data_silently() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("m.csv");
    let out_file = dir.path().join("m.toml");
    let import = |extra: &[&str]| {
        let mut args = vec![
            "mappings",
            "import",
            csv.to_str().unwrap(),
            "--from",
            "soc2",
            "--to",
            "iso27001",
            "-o",
            out_file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        crosswalk(&args)
    };
    // An unknown relationship is an error naming its row; nothing is written.
    std::fs::write(
        &csv,
        "from_id,to_id,Relationship\nCC6.1,A.8.5,subset\nCC6.2,A.5.18,bogus\n",
    )
    .unwrap();
    let out = import(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("row 3") && err.contains("unknown relationship \"bogus\""),
        "{err}"
    );
    assert!(!out_file.exists());
    // A column named for what it holds is read without a flag: "subset" stays subset.
    std::fs::write(
        &csv,
        "from_id,to_id,Relationship,Rationale\nCC6.1,A.8.5,subset,why\n",
    )
    .unwrap();
    let out = import(&[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("relationship from column \"Relationship\""),
        "{said}"
    );
    assert!(said.contains("note from column \"Rationale\""), "{said}");
    let toml = std::fs::read_to_string(&out_file).unwrap();
    assert!(toml.contains("relationship = \"subset\""), "{toml}");
    // Without a relationship column the report says which relationship every row got.
    std::fs::write(&csv, "from_id,to_id\nCC6.1,A.8.5\n").unwrap();
    let out = import(&[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("no relationship column, so every mapping is `intersects`"),
        "{said}"
    );
}

#[test]
fn overlap_matrix_writes_an_svg_heatmap() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("m.svg");
    let v = json(&["overlap", "--matrix", "--json", "-o", svg.to_str().unwrap()]);
    let n = v["frameworks"].as_array().unwrap().len();
    assert!(n >= 15);
    assert_eq!(v["cells"].as_array().unwrap().len(), n);
    let text = std::fs::read_to_string(svg).unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
    assert_eq!(text.matches("<rect x=").count(), n * n);
}

#[test]
fn mappings_import_is_all_or_nothing_with_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("m.csv");
    std::fs::write(&csv, "from_id,to_id,relationship\nsoc2:CC6.1,iso27001:A.8.5,subset-of\nCC6.2,A.99.1,intersect\nCC6.3,A.5.18,\n").unwrap();
    let out_file = dir.path().join("m.toml");
    let args = [
        "mappings",
        "import",
        csv.to_str().unwrap(),
        "--from",
        "soc2",
        "--to",
        "iso27001",
        "--relationship-column",
        "relationship",
        "-o",
        out_file.to_str().unwrap(),
    ];
    let out = crosswalk(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 3: `A.99.1` is not a requirement of iso27001-2022"),
        "{err}"
    );
    assert!(!out_file.exists(), "nothing written on error");
    std::fs::write(
        &csv,
        "from_id,to_id,relationship\nsoc2:CC6.1,iso27001:A.8.5,subset-of\nCC6.3,A.5.18,\n",
    )
    .unwrap();
    let ok = stdout(&args);
    assert!(ok.starts_with("read 2 rows of "), "{ok}");
    assert!(
        ok.contains("relationship from column \"relationship\""),
        "{ok}"
    );
    assert!(ok.contains("wrote 2 mappings"), "{ok}");
    let lib = dir.path();
    let v = json(&[
        "--library",
        lib.to_str().unwrap(),
        "map",
        "soc2:CC6.1",
        "--to",
        "iso27001",
        "--json",
    ]);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|r| r["to"] == "iso27001-2022:A.8.5" && r["relationship"] == "subset")
    );
}
