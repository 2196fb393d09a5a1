//! Report blocks as a PDF (A4, DejaVu Sans embedded and subset so any Latin, Greek or
//! Cyrillic text prints and reads back, no other embedded files): headings, wrapped
//! paragraphs, tables whose cells wrap (a row grows to its tallest cell, and a row that
//! reaches the page bottom goes on on the next page under the repeated header), and bar
//! charts. No text is cut. The output depends only on the title and the blocks.

mod font;

use pdf_writer::{Content, Name, Pdf, Rect, Str, TextStr};

use crate::doc::Block;
use font::{Font, Ids};

const W: f32 = 595.0;
const H: f32 = 842.0;
const MARGIN: f32 = 50.0;
/// The text size in tables.
const CELL: f32 = 8.0;
/// A table cell's inner padding, on every side.
const PAD: f32 = 3.0;

/// Characters after which a word too long for its line may break, best first: a word
/// breaks after the last one of the best kind that leaves a reasonable first part, or
/// anywhere as a last resort.
const BREAKS: [&str; 3] = [":/", "-_,;|)", "."];

/// Splits a word at most `max` wide (it is wider) at a byte index > 0.
fn break_word(font: &Font, word: &str, size: f32, max: f32) -> usize {
    let mut fits = 0;
    let mut best: [usize; 3] = [0; 3];
    let mut width = 0.0;
    for (i, c) in word.char_indices() {
        width += font.char_width(c, size);
        if width > max {
            break;
        }
        let end = i + c.len_utf8();
        fits = end;
        if width >= max * 0.3 {
            for (kind, chars) in BREAKS.iter().enumerate() {
                if chars.contains(c) {
                    best[kind] = end;
                }
            }
        }
    }
    let at = best.into_iter().find(|b| *b > 0).unwrap_or(fits);
    if at > 0 && at < word.len() {
        at
    } else {
        // Not even one character fits: it goes on a line of its own.
        word.chars().next().map_or(word.len(), char::len_utf8)
    }
}

/// Splits text into lines no wider than `max` (line breaks in the text are kept); a word
/// wider than a line breaks (see [`BREAKS`]).
fn wrap(font: &Font, text: &str, size: f32, max: f32) -> Vec<String> {
    let space = font.char_width(' ', size);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in para.split_whitespace() {
            let word_w = font.width(word, size);
            if !line.is_empty() {
                if line_w + space + word_w <= max {
                    line.push(' ');
                    line.push_str(word);
                    line_w += space + word_w;
                    continue;
                }
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            let mut rest_w = word_w;
            while rest_w > max && rest.chars().nth(1).is_some() {
                let at = break_word(font, rest, size, max);
                lines.push(rest[..at].to_owned());
                rest = &rest[at..];
                rest_w = font.width(rest, size);
            }
            line = rest.to_owned();
            line_w = rest_w;
        }
        lines.push(line);
    }
    lines
}

struct Writer {
    pages: Vec<Content>,
    /// Page width and height (A4, portrait or landscape).
    w: f32,
    h: f32,
    y: f32,
    /// Regular and bold.
    fonts: [Font; 2],
}

impl Writer {
    fn font(&self, bold: bool) -> &Font {
        &self.fonts[usize::from(bold)]
    }

    fn wrap(&self, text: &str, size: f32, max: f32, bold: bool) -> Vec<String> {
        wrap(self.font(bold), text, size, max)
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.font(bold).width(text, size)
    }

    fn page(&mut self) {
        self.pages.push(Content::new());
        self.y = self.h - MARGIN;
    }

    fn room(&mut self, needed: f32) {
        if self.y - needed < MARGIN {
            self.page();
        }
    }

    fn content(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text_in(&mut self, x: f32, y: f32, size: f32, bold: bool, grey: f32, text: &str) {
        let bytes = self.fonts[usize::from(bold)].encode(text);
        let c = self.content();
        c.begin_text();
        c.set_font(Name(if bold { b"F2" } else { b"F1" }), size);
        c.set_fill_rgb(grey, grey, grey);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.text_in(x, y, size, bold, 0.1, text);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: (f32, f32, f32)) {
        let c = self.content();
        c.set_fill_rgb(rgb.0, rgb.1, rgb.2);
        c.rect(x, y, w, h);
        c.fill_nonzero();
    }

    fn lines(&mut self, lines: &[String], size: f32, bold: bool, indent: f32) {
        for l in lines {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            let y = self.y;
            self.text(MARGIN + indent, y, size, bold, l);
        }
    }

    /// Draws lines `from..to` of a table row's wrapped cells with its top at `self.y`,
    /// moving `self.y` below it.
    fn row(&mut self, cells: &[Cell], from: usize, to: usize, bold: bool, fill: Option<Rgb>) {
        let lh = CELL * LEADING;
        let top = self.y;
        let h = row_height(to.saturating_sub(from));
        if let Some(rgb) = fill {
            self.rect(MARGIN, top - h, self.w - 2.0 * MARGIN, h, rgb);
        }
        let mut x = MARGIN;
        for cell in cells {
            let end = to.min(cell.lines.len());
            for (j, l) in cell.lines.iter().enumerate().take(end).skip(from) {
                #[allow(clippy::cast_precision_loss)]
                let y = top - PAD - CELL * 0.78 - (j - from) as f32 * lh;
                let tx = if cell.right {
                    x + cell.width - PAD - self.width(l, CELL, bold)
                } else {
                    x + PAD
                };
                self.text(tx, y, CELL, bold, l);
            }
            x += cell.width;
        }
        self.y -= h;
    }

    fn table(&mut self, headers: &[String], widths: &[f32], rows: &[Vec<String>]) {
        let avail = self.w - 2.0 * MARGIN;
        // As many columns as the widest of the header and the rows; a column without a
        // (positive) width gets the average.
        let n = rows
            .iter()
            .map(Vec::len)
            .chain([headers.len()])
            .max()
            .unwrap_or(0);
        let usable = |w: &f32| w.is_finite() && *w > 0.0;
        let given: Vec<f32> = widths.iter().copied().filter(usable).collect();
        #[allow(clippy::cast_precision_loss)]
        let average = if given.is_empty() {
            1.0
        } else {
            given.iter().sum::<f32>() / given.len() as f32
        };
        let relative: Vec<f32> = (0..n)
            .map(|i| widths.get(i).copied().filter(usable).unwrap_or(average))
            .collect();
        let total: f32 = relative.iter().sum::<f32>().max(f32::EPSILON);
        let proportional: Vec<f32> = relative.iter().map(|w| w / total * avail).collect();
        let least: Vec<f32> = (0..n)
            .map(|i| {
                let words = |text: &str, bold: bool| -> f32 {
                    text.split_whitespace()
                        .map(|word| self.width(word, CELL, bold))
                        .fold(0.0, f32::max)
                };
                let header = headers
                    .get(i)
                    .map_or(0.0, |h| words(crate::doc::label(h), true));
                let cells = rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| words(c, false))
                    .fold(0.0, f32::max);
                header.max(cells).min(avail * MAX_WORD) + 2.0 * PAD
            })
            .collect();
        let cols = widen(&proportional, &least);
        let right: Vec<bool> = (0..n)
            .map(|i| i > 0 && headers.get(i).is_some_and(|h| crate::doc::numeric(h)))
            .collect();
        let cells = |wr: &Writer, texts: &[String], bold: bool, label: bool| -> Vec<Cell> {
            cols.iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = texts.get(i).map_or("", |t| {
                        if label {
                            crate::doc::label(t)
                        } else {
                            t.as_str()
                        }
                    });
                    Cell {
                        lines: wr.wrap(text, CELL, (w - 2.0 * PAD).max(1.0), bold),
                        width: *w,
                        right: right[i],
                    }
                })
                .collect()
        };
        let header = cells(self, headers, true, true);
        let header_lines = lines_of(&header);
        let header_h = row_height(header_lines);
        let draw_header = |wr: &mut Writer| {
            wr.row(&header, 0, header_lines, true, Some((0.86, 0.9, 0.95)));
        };
        let first = rows
            .first()
            .map_or(1, |r| lines_of(&cells(self, r, false, false)).min(3));
        self.room(header_h + row_height(first));
        draw_header(self);
        for (i, r) in rows.iter().enumerate() {
            let row = cells(self, r, false, false);
            let total = lines_of(&row);
            let fill = (i % 2 == 1).then_some((0.96, 0.97, 0.98));
            let mut from = 0;
            let mut fresh = false;
            while from < total {
                let fit = lines_fitting(self.y - MARGIN);
                let rest = total - from;
                if fit >= rest {
                    self.row(&row, from, total, false, fill);
                    break;
                }
                // The row does not fit here: it moves to the next page if it fits on one,
                // and otherwise fills this page and goes on on the next.
                let page_fit = lines_fitting(self.h - 2.0 * MARGIN - header_h);
                if fresh || (from == 0 && rest > page_fit && fit > 0) {
                    let take = fit.max(1);
                    self.row(&row, from, from + take, false, fill);
                    from += take;
                }
                if from < total {
                    self.page();
                    draw_header(self);
                    fresh = true;
                }
            }
        }
        self.y -= 6.0;
    }

    /// A risk heat map: rows most likely first, cells coloured by level with the count.
    fn risk_grid(&mut self, g: &crate::doc::RiskGrid) {
        let size = 8.0;
        let left = 110.0;
        #[allow(clippy::cast_precision_loss)]
        let cols = g.impact.len().max(1) as f32;
        let cell_w = ((self.w - 2.0 * MARGIN - left) / cols).min(90.0);
        let cell_h = 28.0;
        #[allow(clippy::cast_precision_loss)]
        let needed = (g.likelihood.len() as f32 + 2.0) * cell_h;
        self.room(needed);
        let title = self.wrap(&g.title, 9.5, self.w - 2.0 * MARGIN, true);
        self.lines(&title, 9.5, true, 0.0);
        self.y -= 4.0;
        for (likelihood, cells) in g.rows_top_down() {
            self.y -= cell_h;
            let y = self.y;
            let label = self.wrap(likelihood, size, left - 8.0, false);
            if let Some(l) = label.first() {
                self.text(MARGIN, y + cell_h / 2.0 - 3.0, size, false, l);
            }
            for (c, cell) in cells.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let x = MARGIN + left + c as f32 * cell_w;
                self.rect(
                    x + 1.0,
                    y + 1.0,
                    cell_w - 2.0,
                    cell_h - 2.0,
                    crate::doc::rgb(cell.color.as_deref()),
                );
                let level = self.wrap(&cell.level, size - 1.0, cell_w - 6.0, false);
                if let Some(l) = level.first() {
                    self.text(x + 4.0, y + cell_h - 10.0, size - 1.0, false, l);
                }
                self.text(
                    x + 4.0,
                    y + 5.0,
                    size + 2.0,
                    cell.count > 0,
                    &cell.count.to_string(),
                );
            }
        }
        self.y -= 14.0;
        let y = self.y;
        for (c, impact) in g.impact.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let x = MARGIN + left + c as f32 * cell_w;
            let lines = self.wrap(impact, size - 1.0, cell_w - 4.0, false);
            for (j, l) in lines.iter().take(2).enumerate() {
                #[allow(clippy::cast_precision_loss)]
                self.text(x + 2.0, y - j as f32 * 9.0, size - 1.0, false, l);
            }
        }
        self.y -= 24.0;
    }

    fn bars(&mut self, bars: &[(String, f64)]) {
        let size = 9.0;
        let lh = size * 1.25;
        let (x, w) = (MARGIN + 130.0, 280.0);
        for (label, v) in bars {
            let lines = self.wrap(label, size, 124.0, false);
            #[allow(clippy::cast_precision_loss)]
            let extra = lines.len().saturating_sub(1) as f32 * lh;
            self.room(20.0 + extra);
            self.y -= 20.0;
            let y = self.y;
            for (j, l) in lines.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let ly = y + 3.0 - j as f32 * lh;
                self.text(MARGIN, ly, size, false, l);
            }
            self.rect(x, y, w, 12.0, (0.91, 0.93, 0.95));
            #[allow(clippy::cast_possible_truncation)]
            let filled = (w * v.clamp(0.0, 1.0) as f32).max(0.5);
            self.rect(x, y, filled, 12.0, (0.18, 0.43, 0.71));
            self.text(
                x + w + 8.0,
                y + 3.0,
                size,
                false,
                &format!("{:.0}%", v * 100.0),
            );
            self.y -= extra;
        }
        self.y -= 8.0;
    }
}

type Rgb = (f32, f32, f32);

/// The share of a table's width up to which a column widens to show its longest word
/// unbroken.
const MAX_WORD: f32 = 0.3;

/// Column widths: each at least its `least` width where they all fit, what that takes
/// coming from the columns with room to spare, in proportion to that room; as given when
/// they do not all fit.
fn widen(given: &[f32], least: &[f32]) -> Vec<f32> {
    let total: f32 = given.iter().sum();
    if least.iter().sum::<f32>() > total {
        return given.to_vec();
    }
    let need: f32 = given.iter().zip(least).map(|(g, l)| (l - g).max(0.0)).sum();
    let spare: f32 = given.iter().zip(least).map(|(g, l)| (g - l).max(0.0)).sum();
    if need <= 0.0 || spare <= 0.0 {
        return given.to_vec();
    }
    given
        .iter()
        .zip(least)
        .map(|(g, l)| {
            if g < l {
                *l
            } else {
                g - need * (g - l) / spare
            }
        })
        .collect()
}

/// Line spacing in tables, as a multiple of the text size.
const LEADING: f32 = 1.3;

/// A table cell: its wrapped lines, its column's width, whether it aligns right.
struct Cell {
    lines: Vec<String>,
    width: f32,
    right: bool,
}

/// The lines of a row: its tallest cell's, at least one.
fn lines_of(cells: &[Cell]) -> usize {
    cells
        .iter()
        .map(|c| c.lines.len())
        .max()
        .unwrap_or(1)
        .max(1)
}

/// The height of a table row of `lines` lines.
fn row_height(lines: usize) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let more = lines.saturating_sub(1) as f32;
    2.0 * PAD + CELL + more * CELL * LEADING
}

/// How many lines of a table row fit in `space` points.
fn lines_fitting(space: f32) -> usize {
    if space < row_height(1) {
        return 0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let more = ((space - row_height(1)) / (CELL * LEADING)).floor() as usize;
    1 + more
}

/// Renders the blocks; `title` goes in the document information and the page footers.
pub fn render(title: &str, blocks: &[Block]) -> Vec<u8> {
    render_on(title, blocks, (W, H))
}

/// The blocks as a PDF on landscape A4 pages, for wide tables.
pub fn render_landscape(title: &str, blocks: &[Block]) -> Vec<u8> {
    render_on(title, blocks, (H, W))
}

fn render_on(title: &str, blocks: &[Block], (page_w, page_h): (f32, f32)) -> Vec<u8> {
    let mut w = Writer {
        pages: Vec::new(),
        w: page_w,
        h: page_h,
        y: page_h - MARGIN,
        fonts: [Font::regular(), Font::bold()],
    };
    w.page();
    let text_width = w.w - 2.0 * MARGIN;
    for b in blocks {
        match b {
            Block::Title(t) => {
                let lines = w.wrap(t, 18.0, text_width, true);
                w.lines(&lines, 18.0, true, 0.0);
                w.y -= 6.0;
            }
            Block::Heading(t) => {
                // Room for the heading and the start of what follows it, so a heading is
                // never left alone at the foot of a page.
                w.room(90.0);
                w.y -= 8.0;
                let lines = w.wrap(t, 12.5, text_width, true);
                w.lines(&lines, 12.5, true, 0.0);
                w.y -= 2.0;
            }
            Block::Para(t) => {
                let lines = w.wrap(t, 9.0, text_width, false);
                w.lines(&lines, 9.0, false, 0.0);
                w.y -= 4.0;
            }
            Block::Bullets(items) => {
                let hang = w.width("• ", 9.0, false);
                for i in items {
                    let lines = w.wrap(i, 9.0, text_width - 4.0 - hang, false);
                    for (n, l) in lines.iter().enumerate() {
                        w.room(9.0 * 1.4);
                        w.y -= 9.0 * 1.4;
                        let y = w.y;
                        if n == 0 {
                            w.text(MARGIN + 4.0, y, 9.0, false, "•");
                        }
                        w.text(MARGIN + 4.0 + hang, y, 9.0, false, l);
                    }
                }
                w.y -= 4.0;
            }
            Block::Table {
                headers,
                widths,
                rows,
            } => w.table(headers, widths, rows),
            Block::Bars(bars) => w.bars(bars),
            Block::RiskGrid(g) => w.risk_grid(g),
        }
    }
    let count = w.pages.len();
    for i in 0..count {
        let footer = w.wrap(
            &format!("{title} — page {} of {count}", i + 1),
            7.5,
            text_width,
            false,
        );
        let bytes: Vec<Vec<u8>> = footer.iter().map(|l| w.fonts[0].encode(l)).collect();
        let c = &mut w.pages[i];
        #[allow(clippy::cast_precision_loss)]
        let mut y = 25.0 + (bytes.len().saturating_sub(1)) as f32 * 9.0;
        for l in bytes {
            c.begin_text();
            c.set_font(Name(b"F1"), 7.5);
            c.set_fill_rgb(0.45, 0.45, 0.45);
            c.next_line(MARGIN, y);
            c.show(Str(&l));
            c.end_text();
            y -= 9.0;
        }
    }

    let mut pdf = Pdf::new();
    let mut ids = Ids::new(1);
    let (catalog, tree, info) = (ids.next(), ids.next(), ids.next());
    let (regular, bold) = (ids.next(), ids.next());
    let page_ids: Vec<_> = (0..count).map(|_| (ids.next(), ids.next())).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(count).unwrap_or(i32::MAX));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("crosswalk"));
    for ((page, content_id), content) in page_ids.iter().zip(w.pages) {
        let mut p = pdf.page(*page);
        p.parent(tree)
            .media_box(Rect::new(0.0, 0.0, page_w, page_h))
            .contents(*content_id);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular);
        fonts.pair(Name(b"F2"), bold);
        drop(fonts);
        drop(resources);
        drop(p);
        font::stream(&mut pdf, *content_id, &content.finish(), |_| {});
    }
    let [r, b] = &w.fonts;
    r.write(&mut pdf, regular, &mut ids);
    b.write(&mut pdf, bold, &mut ids);
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_break_at_separators_then_anywhere() {
        let f = Font::regular();
        let id = "iso27001-2022:A.5.15";
        let max = f.width("iso27001-2022:A.5", 8.0);
        assert_eq!(wrap(&f, id, 8.0, max), ["iso27001-2022:", "A.5.15"]);
        let max = f.width("iso27001-", 8.0);
        assert_eq!(wrap(&f, id, 8.0, max), ["iso27001-", "2022:", "A.5.15"]);
        let long = "x".repeat(50);
        let lines = wrap(&f, &long, 8.0, f.width("xxxxxxxx", 8.0));
        assert!(
            lines.iter().all(|l| l.len() == 8 || l.len() == 2),
            "{lines:?}"
        );
        assert_eq!(lines.concat(), long);
        // A column narrower than a character still shows every character.
        assert_eq!(wrap(&f, "ab", 8.0, 1.0), ["a", "b"]);
        assert_eq!(wrap(&f, "", 8.0, 100.0), [""]);
        assert_eq!(wrap(&f, "a b\nc", 8.0, 100.0), ["a b", "c"]);
    }

    #[test]
    fn narrow_columns_widen_to_their_longest_word_at_the_expense_of_wide_ones() {
        let w = widen(&[10.0, 50.0, 40.0], &[20.0, 10.0, 10.0]);
        assert!((w[0] - 20.0).abs() < 1e-4, "{w:?}");
        assert!((w.iter().sum::<f32>() - 100.0).abs() < 1e-3, "{w:?}");
        assert!(w[1] < 50.0 && w[2] < 40.0 && w[1] > w[2], "{w:?}");
        // When the longest words cannot all fit, the widths stay as given.
        assert_eq!(widen(&[10.0, 10.0], &[30.0, 1.0]), [10.0, 10.0]);
    }

    #[test]
    fn rows_fit_by_line() {
        assert_eq!(lines_fitting(0.0), 0);
        assert_eq!(lines_fitting(row_height(1)), 1);
        assert_eq!(lines_fitting(row_height(4) + 0.1), 4);
    }
}
