//! Markdown rendering of a comparison page. The HTML page is this Markdown, converted.

use std::fmt::Write;

use crosswalk_core::compare::{Comparison, MappedTarget, Side};

/// Escapes text for a Markdown paragraph or table cell.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn bullets(out: &mut String, items: &[String]) {
    for i in items {
        let _ = writeln!(out, "- {}", escape(i));
    }
    out.push('\n');
}

fn side(out: &mut String, s: &Side<'_>) {
    let p = s.profile;
    let _ = writeln!(out, "### {}\n", escape(s.name));
    let _ = writeln!(
        out,
        "**{}** — {}, {}. Current version: {}.\n",
        escape(&p.full_name),
        escape(p.nature.label()),
        escape(&p.publisher),
        escape(&p.current_version)
    );
    let _ = writeln!(out, "{}\n", escape(&p.what_it_is));
    let _ = writeln!(out, "**Scope.** {}\n", escape(&p.scope));
    let _ = writeln!(
        out,
        "**Key components.** {}\n",
        escape(&p.structure.summary)
    );
    for e in &p.structure.elements {
        let count = e.count.map(|c| format!(" ({c})")).unwrap_or_default();
        let note = e
            .note
            .as_deref()
            .map(|n| format!(": {}", escape(n)))
            .unwrap_or_default();
        let _ = writeln!(out, "- {}{count}{note}", escape(&e.name));
    }
    if s.requirement_count > 0 {
        let _ = writeln!(
            out,
            "- crosswalk catalog `{}`: {} requirements, {} assessable",
            s.id, s.requirement_count, s.assessable_count
        );
    }
    out.push('\n');
    let _ = writeln!(out, "**Why organizations use it.**\n");
    for u in &p.users {
        let _ = writeln!(out, "- {}: {}", escape(&u.who), escape(&u.why));
    }
    out.push('\n');
    let (lo, hi) = p.timeline_weeks();
    let _ = writeln!(
        out,
        "**Implementation overview** (typical, {lo}–{hi} weeks in all).\n\n| Phase | Weeks | Note |\n|---|---|---|"
    );
    for ph in &p.timeline {
        let _ = writeln!(
            out,
            "| {} | {}–{} | {} |",
            escape(&ph.phase),
            ph.min_weeks,
            ph.max_weeks,
            escape(ph.note.as_deref().unwrap_or(""))
        );
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "**Cycle.** {} Validity: {} Surveillance: {} Renewal: {}\n",
        escape(&p.cycle.summary),
        escape(&p.cycle.validity),
        escape(&p.cycle.surveillance),
        escape(&p.cycle.renewal)
    );
    let _ = writeln!(out, "**Cost drivers.**\n");
    bullets(out, &p.cost_drivers);
}

fn pct(n: usize, total: usize) -> String {
    if total == 0 {
        "–".into()
    } else {
        format!("{:.0}%", 100.0 * n as f64 / total as f64)
    }
}

fn overlap(out: &mut String, c: &Comparison<'_>) {
    let (a, b) = (&c.standards.a, &c.standards.b);
    let _ = writeln!(out, "\n## Computed overlap\n");
    let Some(o) = &c.overlap else {
        let _ = writeln!(
            out,
            "No mapping links {} and {} in the library, directly or through one other framework, so no overlap is claimed.",
            escape(a.name),
            escape(b.name)
        );
        return;
    };
    if o.inferred {
        let via: Vec<String> = o.via.iter().map(|v| format!("`{v}`")).collect();
        let via: Vec<&str> = via.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "**Inferred overlap.** No mapping links {} and {} directly; every figure below comes \
             from chains of mappings through {}.\n",
            escape(a.name),
            escape(b.name),
            crosswalk_core::compare::join_and(&via)
        );
    }
    let _ = writeln!(
        out,
        "| Direction | Assessable | Fully covered | Partly covered | Not covered |\n|---|---|---|---|---|"
    );
    for (x, y, n) in [(a, b, &o.a_in_b), (b, a, &o.b_in_a)] {
        let _ = writeln!(
            out,
            "| {} covered by {} | {} | {} ({}) | {} ({}) | {} ({}) |",
            escape(x.name),
            escape(y.name),
            n.total,
            n.full,
            pct(n.full, n.total),
            n.partial,
            pct(n.partial, n.total),
            n.none,
            pct(n.none, n.total)
        );
    }
    let _ = writeln!(
        out,
        "\n*Counting rule:* {}\n\n{}\n",
        escape(&o.rule),
        escape(&o.claim)
    );
    for (x, y, rows) in [(a, b, &c.domains.0), (b, a, &c.domains.1)] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "### {} requirements by domain, mapped to {}\n\n| Domain | Assessable | Full | Partial | None | Maps mostly to |\n|---|---|---|---|---|---|",
            escape(x.name),
            escape(y.name)
        );
        for r in rows {
            let to: Vec<String> = r
                .mapped_to
                .iter()
                .map(|(d, n)| format!("{} ({n})", escape(d)))
                .collect();
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} | {} | {} |",
                escape(&r.domain),
                escape(&r.title),
                r.count.total,
                r.count.full,
                r.count.partial,
                r.count.none,
                if to.is_empty() {
                    "—".to_owned()
                } else {
                    to.join(", ")
                }
            );
        }
        out.push('\n');
    }
}

fn target(t: &MappedTarget) -> String {
    let via = t
        .via
        .as_ref()
        .map(|v| format!(" via {v}"))
        .unwrap_or_default();
    format!(
        "{} {} *({}, {}{via})*",
        escape(&t.id),
        escape(&t.title),
        t.relationship.as_str(),
        t.provenance.as_str()
    )
}

/// The requirement-level mapping: every assessable requirement of `a` by domain.
fn mapping_table(out: &mut String, c: &Comparison<'_>) {
    let Some(t) = &c.mapping_table else {
        return;
    };
    let (a, b) = (&c.standards.a, &c.standards.b);
    let _ = writeln!(
        out,
        "## {}
",
        MAPPING_HEADING
    );
    let _ = writeln!(
        out,
        "Every assessable requirement of {}, by domain, with the {} requirements it maps to. \
         Each mapping reads from the {} requirement: *subset* means the {} requirement asks for \
         all of it, *superset* that it asks for more, *intersects* that they share some ground; \
         then who states it (official, curated, tool or inferred).\n",
        escape(a.name),
        escape(b.name),
        escape(a.name),
        escape(b.name)
    );
    for g in &t.groups {
        let _ = writeln!(
            out,
            "### {} {}\n\n| {} | Covered | {} |\n|---|---|---|",
            escape(&g.domain),
            escape(&g.title),
            escape(a.name),
            escape(b.name)
        );
        for r in &g.rows {
            let mut targets: Vec<String> = r.targets.iter().map(target).collect();
            if r.more > 0 {
                targets.push(format!("and {} more inferred", r.more));
            }
            let _ = writeln!(
                out,
                "| {} {} | {} | {} |",
                escape(&r.id),
                escape(&r.title),
                r.coverage.as_str(),
                if targets.is_empty() {
                    "—".to_owned()
                } else {
                    targets.join("; ")
                }
            );
        }
        out.push('\n');
    }
    if !t.unreached.is_empty() {
        let _ = writeln!(
            out,
            "### {} requirements nothing in {} reaches ({})\n",
            escape(b.name),
            escape(a.name),
            t.unreached.len()
        );
        let items: Vec<String> = t
            .unreached
            .iter()
            .map(|u| format!("{} {}", u.id, u.title))
            .collect();
        bullets(out, &items);
    }
}

/// The page's second-level headings, in order, for its table of contents.
const MAPPING_HEADING: &str = "Requirement-level mapping";

fn contents(out: &mut String, c: &Comparison<'_>) {
    let mut items = vec![
        "Quick verdict",
        "Key features",
        "What each is",
        "Key differences",
        "Computed overlap",
    ];
    if c.mapping_table.is_some() {
        items.push(MAPPING_HEADING);
    }
    items.extend(["Similarities", "Which to choose when", "How to do both"]);
    if !c.notes.is_empty() {
        items.push("Notes and commonly misstated facts");
    }
    items.push("FAQ");
    if !c.related.is_empty() {
        items.push("Related comparisons");
    }
    let _ = writeln!(out, "**Contents:** ");
    let links: Vec<String> = items
        .iter()
        .map(|h| format!("[{h}](#{})", crate::html::slug(h)))
        .collect();
    let _ = writeln!(out, "{}\n", links.join(" · "));
}

/// The whole comparison page in Markdown.
pub fn comparison(c: &Comparison<'_>) -> String {
    let mut out = String::new();
    let (a, b) = (&c.standards.a, &c.standards.b);
    let _ = writeln!(out, "# {}\n", escape(&c.title));
    for s in [a, b] {
        let _ = writeln!(
            out,
            "- **{}** ({}, {}): {}",
            escape(s.name),
            escape(s.publisher),
            escape(s.profile.nature.label()),
            escape(&s.profile.tagline)
        );
    }
    out.push('\n');
    contents(&mut out, c);
    let _ = writeln!(out, "## Quick verdict\n\n{}\n", escape(&c.verdict));
    let _ = writeln!(out, "## Key features\n");
    for s in [a, b] {
        let _ = writeln!(out, "### {}\n", escape(s.name));
        bullets(&mut out, &s.profile.key_features);
    }
    let _ = writeln!(out, "## What each is\n");
    side(&mut out, a);
    side(&mut out, b);
    let _ = writeln!(
        out,
        "## Key differences\n\n| Aspect | {} | {} |\n|---|---|---|",
        escape(a.name),
        escape(b.name)
    );
    for d in &c.differences {
        let _ = writeln!(
            out,
            "| **{}** | {} | {} |",
            d.aspect,
            escape(&d.a),
            escape(&d.b)
        );
    }
    overlap(&mut out, c);
    mapping_table(&mut out, c);
    let _ = writeln!(out, "\n## Similarities\n");
    bullets(&mut out, &c.similarities);
    let _ = writeln!(out, "## Which to choose when\n");
    for (s, items) in [(a, &c.choose_when.a), (b, &c.choose_when.b)] {
        let _ = writeln!(out, "### {}\n", escape(s.name));
        bullets(&mut out, items);
    }
    let _ = writeln!(out, "## How to do both\n");
    for (i, step) in c.combined_strategy.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, escape(step));
    }
    out.push('\n');
    if !c.notes.is_empty() {
        let _ = writeln!(out, "## Notes and commonly misstated facts\n");
        bullets(&mut out, &c.notes);
    }
    let _ = writeln!(out, "## FAQ\n");
    for s in [a, b] {
        if s.profile.faq.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {}\n", escape(s.name));
        for f in &s.profile.faq {
            let _ = writeln!(
                out,
                "**{}**\n\n{}\n",
                escape(&f.question),
                escape(&f.answer)
            );
        }
    }
    if !c.related.is_empty() {
        let _ = writeln!(out, "## Related comparisons\n");
        for r in &c.related {
            let _ = writeln!(
                out,
                "- {} — `crosswalk compare {} {}`",
                escape(&r.title),
                r.a,
                r.b
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "---\n\n*{}*", escape(crate::CREDIT));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("a|b <script> *x* [l](u)"),
            "a\\|b &lt;script&gt; \\*x\\* \\[l\\](u)"
        );
    }
}
