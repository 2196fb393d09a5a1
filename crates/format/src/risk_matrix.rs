//! Risk matrices from CISO Assistant's library format (YAML): `objects.risk_matrix[]`,
//! each with `probability[]`, `impact[]` and `risk[]` levels (`abbreviation`, `name`,
//! `description`, `hexcolor`) and a `grid` of risk-level indices, rows by probability and
//! columns by impact. Only these facts are read; translations and other fields are
//! ignored.

use crosswalk_core::risk::{Level, RiskMatrix};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    objects: Objects,
}

#[derive(Deserialize, Default)]
struct Objects {
    #[serde(default)]
    risk_matrix: Vec<Matrix>,
}

#[derive(Deserialize)]
struct Matrix {
    #[serde(default)]
    ref_id: String,
    #[serde(default)]
    urn: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    probability: Vec<YamlLevel>,
    #[serde(default)]
    impact: Vec<YamlLevel>,
    #[serde(default)]
    risk: Vec<YamlLevel>,
    #[serde(default)]
    grid: Vec<Vec<i64>>,
}

#[derive(Deserialize)]
struct YamlLevel {
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    hexcolor: Option<String>,
}

impl From<YamlLevel> for Level {
    fn from(l: YamlLevel) -> Self {
        Self {
            name: l.name.trim().to_owned(),
            abbreviation: l.abbreviation.trim().to_owned(),
            description: l.description.trim().to_owned(),
            color: l.hexcolor.filter(|c| is_hex_color(c)),
        }
    }
}

fn is_hex_color(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The matrices of a CISO Assistant library file, each checked; `acceptable` is the
/// acceptance level (an index into the risk levels) to record, since the format has none.
///
/// # Errors
/// Not YAML of that shape (with the line), no matrix, or a matrix that fails
/// [`RiskMatrix::check`] (every problem, named by the matrix).
pub fn ciso_assistant(
    file: &str,
    text: &str,
    acceptable: usize,
) -> Result<Vec<RiskMatrix>, String> {
    let parsed: File = serde_yaml::from_str(text).map_err(|e| match e.location() {
        Some(l) => format!("{file}:{}:{}: {e}", l.line(), l.column()),
        None => format!("{file}: {e}"),
    })?;
    if parsed.objects.risk_matrix.is_empty() {
        return Err(format!("{file}: no `objects.risk_matrix` in this library"));
    }
    let mut out = Vec::new();
    for (n, m) in parsed.objects.risk_matrix.into_iter().enumerate() {
        let id = [m.ref_id.trim(), m.urn.trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .map_or_else(|| format!("matrix-{}", n + 1), str::to_owned);
        let mut problems = Vec::new();
        let grid: Vec<Vec<usize>> = m
            .grid
            .iter()
            .enumerate()
            .map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .map(|(c, v)| {
                        usize::try_from(*v).unwrap_or_else(|_| {
                            problems.push(format!(
                                "grid row {}, column {}: {v} is negative",
                                r + 1,
                                c + 1
                            ));
                            usize::MAX
                        })
                    })
                    .collect()
            })
            .collect();
        let matrix = RiskMatrix {
            name: if m.name.trim().is_empty() {
                id.clone()
            } else {
                m.name.trim().to_owned()
            },
            id,
            description: m.description.trim().to_owned(),
            likelihood: m.probability.into_iter().map(Level::from).collect(),
            impact: m.impact.into_iter().map(Level::from).collect(),
            risk: m.risk.into_iter().map(Level::from).collect(),
            grid,
            acceptable,
        };
        if let Err(more) = matrix.check() {
            problems.extend(more);
        }
        if !problems.is_empty() {
            return Err(format!(
                "{file}: risk matrix `{}`: {}",
                matrix.id,
                problems.join("; ")
            ));
        }
        out.push(matrix);
    }
    Ok(out)
}
