//! A standalone HTML page (inline CSS, no external assets) from Markdown.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

const STYLE: &str = r#"
:root { --ink:#1d2433; --muted:#5b6475; --line:#d9dee7; --accent:#1f5fbf; --bg:#f6f8fb; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--ink); background:var(--bg); }
main { max-width: 1080px; margin: 0 auto; padding: 40px 32px 64px; background:#fff; box-shadow: 0 0 0 1px var(--line); }
h1 { font-size: 1.6rem; line-height:1.2; margin: 0 0 .6em; position: sticky; top: 0; z-index: 2; background:#fff; padding: .5em 0; border-bottom: 1px solid var(--line); }
h2, h3 { scroll-margin-top: 5rem; }
thead th { position: sticky; top: 4.2rem; z-index: 1; }
h2 { font-size: 1.35rem; margin: 2.2em 0 .7em; padding-bottom:.3em; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.1rem; margin: 1.6em 0 .5em; color: var(--accent); }
p, li { max-width: 78ch; }
ul, ol { padding-left: 1.4em; }
li { margin: .25em 0; }
table { width:100%; border-collapse: collapse; margin: 1em 0 1.5em; font-size: .93rem; }
th, td { border: 1px solid var(--line); padding: .55em .7em; vertical-align: top; text-align:left; }
thead th { background: #eef3fb; }
tbody tr:nth-child(even) td { background: #fafbfd; }
td:first-child { white-space: nowrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:.9em; background:#eef1f6; padding:.1em .35em; border-radius:4px; }
hr { border:0; border-top:1px solid var(--line); margin: 3em 0 1em; }
em { color: var(--muted); }
@media print { body { background:#fff; } main { box-shadow:none; padding:0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"#;

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A heading's anchor, as GitHub makes it: lowercase, punctuation dropped, spaces as
/// hyphens ("Which to choose when" → `which-to-choose-when`).
pub fn slug(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Gives every heading an id (its slug, made unique with `-1`, `-2`… as GitHub does), so
/// the page's table of contents and links into it work.
fn with_heading_ids(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading {
            level,
            id: None,
            classes,
            attrs,
        }) = &events[i]
        {
            let mut text = String::new();
            for e in &events[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let base = slug(&text);
            let n = seen.entry(base.clone()).or_default();
            let id = if *n == 0 { base } else { format!("{base}-{n}") };
            *n += 1;
            out.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(id.into()),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
        } else {
            out.push(events[i].clone());
        }
        i += 1;
    }
    out
}

/// Renders `markdown` into a complete page titled `title`. Raw HTML in the Markdown is
/// shown as text, never passed through. Headings carry ids; the page heading stays in view.
pub fn page(title: &str, markdown: &str) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, Options::ENABLE_TABLES)
        .map(|e| match e {
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            other => other,
        })
        .collect();
    let mut body = String::new();
    html::push_html(&mut body, with_heading_ids(events).into_iter());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape_html(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let p = page("a <b>", "hi <script>x</script>");
        assert!(p.contains("<title>a &lt;b&gt;</title>"));
        assert!(!p.contains("<script>"));
        assert!(p.contains("&lt;script&gt;"));
    }

    #[test]
    fn headings_get_unique_github_ids() {
        assert_eq!(slug("Which to choose when"), "which-to-choose-when");
        assert_eq!(
            slug("Notes and commonly misstated facts"),
            "notes-and-commonly-misstated-facts"
        );
        assert_eq!(
            slug("CC6 Logical & Physical Access"),
            "cc6-logical--physical-access"
        );
        let p = page("t", "# Title\n\n## SOC 2\n\n## SOC 2\n\n[x](#soc-2-1)");
        assert!(p.contains("<h2 id=\"soc-2\">SOC 2</h2>"), "{p}");
        assert!(p.contains("<h2 id=\"soc-2-1\">SOC 2</h2>"), "{p}");
        assert!(p.contains("<h1 id=\"title\">Title</h1>"), "{p}");
    }
}
