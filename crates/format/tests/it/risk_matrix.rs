//! CISO Assistant risk matrices: every one in the shared real-world data imports with its
//! exact levels and grid; other shapes up to 6 × 6 are built and read back; bad files are
//! refused with a located message.

use crosswalk_core::risk::Rating;
use crosswalk_format::risk_matrix::ciso_assistant;

/// A CISO Assistant library with an `l` × `i` matrix of `r` risk levels, the cell level
/// growing with likelihood + impact.
fn library(l: usize, i: usize, r: usize) -> String {
    let levels = |prefix: &str, n: usize| -> String {
        (0..n)
            .map(|k| {
                format!(
                    "        - abbreviation: {prefix}{k}\n          name: {prefix} level {k}\n          description: level {k}\n          hexcolor: '#00FF0{k}'\n"
                )
            })
            .collect()
    };
    let grid: String = (0..l)
        .map(|a| {
            let row: Vec<String> = (0..i)
                .map(|b| ((a + b) * (r - 1) / (l + i - 2)).to_string())
                .collect();
            format!("        - [{}]\n", row.join(", "))
        })
        .collect();
    format!(
        "urn: urn:test:risk:library:m\nref_id: m-{l}x{i}\nname: Test\nobjects:\n  risk_matrix:\n    - urn: urn:test:risk:matrix:m\n      ref_id: m-{l}x{i}\n      name: Test {l}x{i}\n      probability:\n{}      impact:\n{}      risk:\n{}      grid:\n{grid}",
        levels("P", l),
        levels("I", i),
        levels("R", r)
    )
}

#[test]
fn every_shared_matrix_imports_with_its_exact_levels_and_grid() {
    let Some(shared) = crosswalk_testkit::shared_data("every_shared_matrix_imports") else {
        return;
    };
    let dir = shared.join("realworld/ciso-assistant/risk-matrices");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let matrices = ciso_assistant(&name, &text, 0).unwrap();
        assert_eq!(matrices.len(), 1, "{name}");
        let m = &matrices[0];
        // The levels and the grid, read independently from the YAML as a plain value.
        let raw: serde_json::Value = serde_yaml_value(&text);
        let want = &raw["objects"]["risk_matrix"][0];
        for (axis, got) in [
            ("probability", &m.likelihood),
            ("impact", &m.impact),
            ("risk", &m.risk),
        ] {
            let names: Vec<&str> = want[axis]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                got.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
                names,
                "{name} {axis}"
            );
        }
        let grid: Vec<Vec<usize>> = want["grid"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as usize)
                    .collect()
            })
            .collect();
        assert_eq!(m.grid, grid, "{name}");
        // A rating reads its cell.
        let (l, i) = (m.likelihood.len(), m.impact.len());
        assert_eq!(
            m.level(Rating {
                likelihood: u8::try_from(l).unwrap(),
                impact: u8::try_from(i).unwrap()
            }),
            Some(grid[l - 1][i - 1])
        );
        seen += 1;
    }
    assert_eq!(seen, 3, "the three matrices of the shared data");
}

/// YAML read as a JSON value through the same parser, for comparison.
fn serde_yaml_value(text: &str) -> serde_json::Value {
    serde_yaml::from_str(text).unwrap()
}

#[test]
fn shapes_from_3x3_to_6x6_are_read_back() {
    for l in 3..=6 {
        for i in 3..=6 {
            for r in [2, 4, 6] {
                let m = &ciso_assistant("m.yaml", &library(l, i, r), 1).unwrap()[0];
                assert_eq!(
                    (m.likelihood.len(), m.impact.len(), m.risk.len()),
                    (l, i, r)
                );
                assert_eq!(m.acceptable, 1);
                assert_eq!(
                    m.grid[l - 1][i - 1],
                    r - 1,
                    "the worst cell is the top level"
                );
                assert_eq!(m.likelihood[0].color.as_deref(), Some("#00FF00"));
            }
        }
    }
}

#[test]
fn bad_matrices_are_refused_with_what_is_wrong() {
    let err = ciso_assistant("m.yaml", &library(2, 3, 3), 0).unwrap_err();
    assert!(
        err.contains("m.yaml: risk matrix `m-2x3`") && err.contains("2 likelihood levels"),
        "{err}"
    );
    let err = ciso_assistant("m.yaml", &library(7, 3, 3), 0).unwrap_err();
    assert!(err.contains("7 likelihood levels"), "{err}");
    let bad_cell = library(3, 3, 2).replace("[0, 0, 0]", "[0, 0, 5]");
    let err = ciso_assistant("m.yaml", &bad_cell, 0).unwrap_err();
    assert!(err.contains("risk level 5 is not on the scale"), "{err}");
    let err = ciso_assistant("m.yaml", &library(3, 3, 3), 3).unwrap_err();
    assert!(err.contains("acceptable level 3"), "{err}");
    let err = ciso_assistant("m.yaml", "objects: [1, 2", 0).unwrap_err();
    assert!(err.starts_with("m.yaml:1:"), "{err}");
    let err = ciso_assistant("m.yaml", "name: x\n", 0).unwrap_err();
    assert!(err.contains("no `objects.risk_matrix`"), "{err}");
}
