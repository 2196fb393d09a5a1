//! A standalone HTML page (inline CSS, no external assets) from Markdown.

use pulldown_cmark::{Event, Options, Parser, html};

const STYLE: &str = r#"
:root { --ink:#1d2433; --muted:#5b6475; --line:#d9dee7; --accent:#1f5fbf; --bg:#f6f8fb; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--ink); background:var(--bg); }
main { max-width: 1080px; margin: 0 auto; padding: 40px 32px 64px; background:#fff; box-shadow: 0 0 0 1px var(--line); }
h1 { font-size: 2rem; line-height:1.2; margin: 0 0 .6em; }
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

/// Renders `markdown` into a complete page titled `title`. Raw HTML in the Markdown is
/// shown as text, never passed through.
pub fn page(title: &str, markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        other => other,
    });
    let mut body = String::new();
    html::push_html(&mut body, parser);
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
}
