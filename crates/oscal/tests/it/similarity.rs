//! Our summaries are our own words: none may be a near-copy of the publisher's text where
//! that text is in the shared data (NIST OSCAL statements for SP 800-53 Rev. 5, SP 800-171
//! Rev. 3 and CSF 2.0; the Implementing Regulation text in ENISA's NIS2 guidance library).
//! The measure is the diff ratio 2·M / (|a| + |b|) over characters (as Python's difflib),
//! on lowercased text with whitespace collapsed; a summary fails at 0.8 or above.

use std::collections::HashMap;

use crosswalk_core::framework::Framework;
use crosswalk_core::ids::FrameworkId;
use crosswalk_oscal::{ImportOptions, catalog_meta, node_to_framework, read_catalog};

use super::shared_data;

const LIMIT: f32 = 0.8;

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn ratio(a: &str, b: &str) -> f32 {
    let (a, b) = (norm(a), norm(b));
    similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_chars(&a, &b)
        .ratio()
}

fn builtin(id: &str) -> &'static Framework {
    crosswalk_library::builtin()
        .unwrap()
        .library
        .resolve(id)
        .unwrap()
}

/// The publisher's text by requirement id, from an OSCAL catalog imported with its text.
fn oscal_text(path: &std::path::Path) -> HashMap<String, String> {
    let node = read_catalog(path).unwrap().unwrap();
    let meta = catalog_meta(&node, FrameworkId::parse("publisher").unwrap());
    let fw = node_to_framework(
        &node,
        ImportOptions {
            meta,
            include_text: true,
            skip_withdrawn: true,
        },
    )
    .unwrap();
    fw.requirements()
        .iter()
        .filter(|r| !r.summary.is_empty())
        .map(|r| (r.id.to_string(), r.summary.clone()))
        .collect()
}

/// Compares every summary of `ours` with the publisher's text of the same id; returns how
/// many were compared and fails listing every near-copy.
fn check(ours: &Framework, theirs: &HashMap<String, String>, min_compared: usize) {
    let mut compared = 0;
    let mut copies = Vec::new();
    for r in ours.requirements() {
        let summary = r.summary.as_str();
        let Some(text) = theirs.get(r.id.as_str()) else {
            continue;
        };
        if summary.is_empty() {
            continue;
        }
        compared += 1;
        let x = ratio(summary, text);
        if x >= LIMIT {
            copies.push(format!(
                "{} {}: ratio {x:.2}\n  ours: {summary}\n  theirs: {text}",
                ours.id(),
                r.id
            ));
        }
    }
    assert!(
        compared >= min_compared,
        "{}: only {compared} summaries could be compared with the publisher's text (expected at least {min_compared})",
        ours.id()
    );
    assert!(
        copies.is_empty(),
        "near-copies of the publisher's text:\n{}",
        copies.join("\n")
    );
}

#[test]
fn the_ratio_is_difflibs() {
    assert!((ratio("abcd", "abcd") - 1.0).abs() < f32::EPSILON);
    assert!(ratio("abcd", "wxyz") < 0.01);
    // difflib.SequenceMatcher(None, "kitten", "sitting").ratio() == 0.6153…
    assert!((ratio("kitten", "sitting") - 0.615).abs() < 0.01);
    assert!(ratio("Maintain  an INVENTORY", "maintain an inventory") > 0.99);
}

#[test]
fn nist_summaries_are_not_copies_of_nist_statements() {
    let Some(data) = shared_data("nist_summaries_are_not_copies_of_nist_statements") else {
        return;
    };
    let oscal = data.join("oscal");
    for (id, file, min) in [
        (
            "nist-800-53r5",
            "nist-800-53r5-v5.0.1/NIST_SP-800-53_rev5_catalog.json",
            0,
        ),
        (
            "nist-800-171r3",
            "nist-800-171r3/NIST_SP800-171_rev3_catalog.xml",
            90,
        ),
        (
            "nist-csf-2.0",
            "nist-csf-2.0/NIST_CSF_v2.0_catalog.xml",
            100,
        ),
    ] {
        let ours = builtin(id);
        let min = if min == 0 {
            // SP 800-53: every control and enhancement that has a summary.
            ours.requirements()
                .iter()
                .filter(|r| !r.summary.is_empty() && r.parent.is_some())
                .count()
                .min(1000)
        } else {
            min
        };
        check(ours, &oscal_text(&oscal.join(file)), min);
    }
}

#[test]
fn nis2_ir_summaries_are_not_copies_of_the_regulation() {
    let Some(data) = shared_data("nis2_ir_summaries_are_not_copies_of_the_regulation") else {
        return;
    };
    let path = data.join(
        "realworld/ciso-assistant/annex-nis2-regulation--2024-2690-with-technical-implementation-guidance-by-enisa.yaml",
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let lib = crosswalk_format::ciso_library::read("annex-nis2.yaml", &text).unwrap();
    let theirs: HashMap<String, String> = lib
        .objects
        .framework
        .unwrap()
        .requirement_nodes
        .into_iter()
        .filter_map(|n| Some((n.ref_id?, n.description?)))
        .collect();
    check(builtin("nis2-ir-2024-2690"), &theirs, 200);
}
