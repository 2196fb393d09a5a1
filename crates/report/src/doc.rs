//! A report as a list of blocks, rendered to Markdown (and from there HTML) or to PDF, so
//! every format says the same thing.

use std::fmt::Write as _;

/// One piece of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    Para(String),
    Bullets(Vec<String>),
    /// Column headers, relative column widths, rows; columns after the first whose
    /// header ends in `#` or `%` hold numbers and align right.
    Table {
        headers: Vec<String>,
        widths: Vec<f32>,
        rows: Vec<Vec<String>>,
    },
    /// A horizontal bar chart of shares (0–1) with labels.
    Bars(Vec<(String, f64)>),
    /// A risk heat map: how many risks sit in each cell of the matrix.
    RiskGrid(RiskGrid),
}

/// A likelihood × impact grid of risk counts, each cell with its risk level.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskGrid {
    pub title: String,
    /// Likelihood levels, lowest first (drawn most likely on top).
    pub likelihood: Vec<String>,
    /// Impact levels, lowest first.
    pub impact: Vec<String>,
    /// `cells[likelihood][impact]`.
    pub cells: Vec<Vec<GridCell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub level: String,
    /// `#RRGGBB`, when the matrix gives one.
    pub color: Option<String>,
    pub count: usize,
}

impl RiskGrid {
    /// Rows most likely first, as every rendering draws them.
    pub fn rows_top_down(&self) -> impl Iterator<Item = (&str, &[GridCell])> {
        self.likelihood
            .iter()
            .zip(&self.cells)
            .rev()
            .map(|(l, c)| (l.as_str(), c.as_slice()))
    }
}

/// `#RRGGBB` as RGB components 0–1; grey otherwise.
pub fn rgb(color: Option<&str>) -> (f32, f32, f32) {
    let parse = |c: &str| -> Option<(f32, f32, f32)> {
        let h = c.strip_prefix('#').filter(|h| h.len() == 6)?;
        let v = |i: usize| {
            u8::from_str_radix(h.get(i..i + 2)?, 16)
                .ok()
                .map(|b| f32::from(b) / 255.0)
        };
        Some((v(0)?, v(2)?, v(4)?))
    };
    color.and_then(parse).unwrap_or((0.85, 0.87, 0.9))
}

/// Whether a column holds numbers (its header ends in ` #` or ` %`).
pub fn numeric(header: &str) -> bool {
    header.ends_with(" #") || header.ends_with(" %")
}

/// A header as shown: without its ` #` / ` %` marker.
pub fn label(header: &str) -> &str {
    header
        .strip_suffix(" #")
        .or_else(|| header.strip_suffix(" %"))
        .unwrap_or(header)
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The blocks as Markdown (charts as text bars).
pub fn markdown(blocks: &[Block]) -> String {
    render_md(blocks, false)
}

/// The blocks as one standalone HTML page, charts as inline SVG.
pub fn html(title: &str, blocks: &[Block]) -> String {
    let mut page = crate::html::page(title, &render_md(blocks, true));
    for (i, b) in blocks
        .iter()
        .filter(|b| matches!(b, Block::Bars(_) | Block::RiskGrid(_)))
        .enumerate()
    {
        let svg = match b {
            Block::Bars(bars) => crate::svg::bars(bars),
            Block::RiskGrid(g) => crate::svg::risk_grid(g),
            _ => continue,
        };
        page = page.replace(
            &format!("<p>CHART-{i}</p>"),
            &format!("<figure>{svg}</figure>"),
        );
    }
    page
}

fn render_md(blocks: &[Block], chart_markers: bool) -> String {
    let mut out = String::new();
    let mut charts = 0;
    for b in blocks {
        match b {
            Block::Title(t) => {
                let _ = writeln!(out, "# {t}\n");
            }
            Block::Heading(t) => {
                let _ = writeln!(out, "## {t}\n");
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{t}\n");
            }
            Block::Bullets(items) => {
                for i in items {
                    let _ = writeln!(out, "- {i}");
                }
                out.push('\n');
            }
            Block::Table { headers, rows, .. } => {
                let _ = writeln!(
                    out,
                    "| {} |",
                    headers
                        .iter()
                        .map(|h| md_cell(label(h)))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let align: Vec<&str> = headers
                    .iter()
                    .enumerate()
                    .map(|(i, h)| if i > 0 && numeric(h) { "---:" } else { "---" })
                    .collect();
                let _ = writeln!(out, "|{}|", align.join("|"));
                for r in rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Bars(_) | Block::RiskGrid(_) if chart_markers => {
                let _ = writeln!(out, "CHART-{charts}\n");
                charts += 1;
            }
            Block::RiskGrid(g) => {
                let _ = writeln!(out, "{}\n", g.title);
                let _ = writeln!(
                    out,
                    "| Likelihood \\ impact | {} |",
                    g.impact
                        .iter()
                        .map(|s| md_cell(s))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(out, "|---|{}", "---|".repeat(g.impact.len()));
                for (l, cells) in g.rows_top_down() {
                    let _ = writeln!(
                        out,
                        "| {} | {} |",
                        md_cell(l),
                        cells
                            .iter()
                            .map(|c| format!("{} · {}", md_cell(&c.level), c.count))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Bars(bars) => {
                out.push_str("```\n");
                for (label, v) in bars {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let n = (v.clamp(0.0, 1.0) * 40.0).round() as usize;
                    let _ = writeln!(out, "{label:<16} {:<40} {:>4.0}%", "█".repeat(n), v * 100.0);
                }
                out.push_str("```\n\n");
            }
        }
    }
    out
}
