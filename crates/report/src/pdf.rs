//! Report blocks as a PDF (A4, the standard Helvetica fonts, no embedded files): headings,
//! wrapped paragraphs, tables that repeat their header across pages, and bar charts.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};

use crate::doc::Block;

const W: f32 = 595.0;
const H: f32 = 842.0;
const MARGIN: f32 = 50.0;

/// Helvetica advance widths (per 1000 units) for the printable ASCII range 32–126.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

fn width(text: &str, size: f32, bold: bool) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| {
            let i = (c as u32).wrapping_sub(32) as usize;
            u32::from(HELVETICA.get(i).copied().unwrap_or(556))
        })
        .sum();
    #[allow(clippy::cast_precision_loss)]
    let w = units as f32 * size / 1000.0;
    if bold { w * 1.05 } else { w }
}

/// Text in the WinAnsi encoding of the standard fonts; what it lacks becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u8,
            '—' => 0x97,
            '–' => 0x96,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '…' => 0x85,
            '•' => 0x95,
            '€' => 0x80,
            '→' => b'>',
            '≥' | '≤' | '∘' => b'?',
            '█' => b'#',
            _ => b'?',
        })
        .collect()
}

/// Splits text into lines no wider than `max`.
fn wrap(text: &str, size: f32, max: f32, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, bold) > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines
}

/// Shortens text to fit `max`, ending with `…`.
fn fit(text: &str, size: f32, max: f32) -> String {
    if width(text, size, false) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if width(&format!("{out}{c}…"), size, false) > max {
            break;
        }
        out.push(c);
    }
    format!("{out}…")
}

struct Writer {
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn page(&mut self) {
        self.pages.push(Content::new());
        self.y = H - MARGIN;
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

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let bytes = win_ansi(text);
        let c = self.content();
        c.begin_text();
        c.set_font(Name(if bold { b"F2" } else { b"F1" }), size);
        c.set_fill_rgb(0.1, 0.1, 0.1);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
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

    fn table(&mut self, headers: &[String], widths: &[f32], rows: &[Vec<String>]) {
        let size = 8.0;
        let total: f32 = widths.iter().sum::<f32>().max(1.0);
        let avail = W - 2.0 * MARGIN;
        let cols: Vec<f32> = widths.iter().map(|w| w / total * avail).collect();
        let row_h = size * 1.8;
        let header = |wr: &mut Writer| {
            wr.room(row_h * 2.0);
            wr.y -= row_h;
            let y = wr.y;
            wr.rect(MARGIN, y - 3.0, avail, row_h, (0.86, 0.9, 0.95));
            let mut x = MARGIN + 3.0;
            for (h, w) in headers.iter().zip(&cols) {
                let t = fit(crate::doc::label(h), size, w - 6.0);
                wr.text(x, y + 2.0, size, true, &t);
                x += w;
            }
        };
        header(self);
        for (n, r) in rows.iter().enumerate() {
            if self.y - row_h < MARGIN {
                self.page();
                header(self);
            }
            self.y -= row_h;
            let y = self.y;
            if n % 2 == 1 {
                self.rect(MARGIN, y - 3.0, avail, row_h, (0.96, 0.97, 0.98));
            }
            let mut x = MARGIN + 3.0;
            for (i, (cell, w)) in r.iter().zip(&cols).enumerate() {
                let t = fit(cell, size, w - 6.0);
                let right = i > 0 && headers.get(i).is_some_and(|h| crate::doc::numeric(h));
                let tx = if right {
                    x + w - 6.0 - width(&t, size, false)
                } else {
                    x
                };
                self.text(tx, y + 2.0, size, false, &t);
                x += w;
            }
        }
        self.y -= 6.0;
    }

    fn bars(&mut self, bars: &[(String, f64)]) {
        let size = 9.0;
        for (label, v) in bars {
            self.room(20.0);
            self.y -= 20.0;
            let y = self.y;
            self.text(MARGIN, y + 3.0, size, false, label);
            let (x, w) = (MARGIN + 130.0, 280.0);
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
        }
        self.y -= 8.0;
    }
}

/// Renders the blocks; `title` goes in the document information and the page footers.
pub fn render(title: &str, blocks: &[Block]) -> Vec<u8> {
    let mut w = Writer {
        pages: Vec::new(),
        y: H - MARGIN,
    };
    w.page();
    let text_width = W - 2.0 * MARGIN;
    for b in blocks {
        match b {
            Block::Title(t) => {
                w.lines(&wrap(t, 18.0, text_width, true), 18.0, true, 0.0);
                w.y -= 6.0;
            }
            Block::Heading(t) => {
                w.room(40.0);
                w.y -= 8.0;
                w.lines(&wrap(t, 12.5, text_width, true), 12.5, true, 0.0);
                w.y -= 2.0;
            }
            Block::Para(t) => {
                w.lines(&wrap(t, 9.0, text_width, false), 9.0, false, 0.0);
                w.y -= 4.0;
            }
            Block::Bullets(items) => {
                for i in items {
                    let lines = wrap(i, 9.0, text_width - 12.0, false);
                    let mut first = true;
                    for l in lines {
                        let l = if first {
                            format!("• {l}")
                        } else {
                            format!("  {l}")
                        };
                        first = false;
                        w.lines(&[l], 9.0, false, 4.0);
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
        }
    }
    let count = w.pages.len();
    for (i, c) in w.pages.iter_mut().enumerate() {
        let footer = win_ansi(&format!("{title} — page {} of {count}", i + 1));
        c.begin_text();
        c.set_font(Name(b"F1"), 7.5);
        c.set_fill_rgb(0.45, 0.45, 0.45);
        c.next_line(MARGIN, 25.0);
        c.show(Str(&footer));
        c.end_text();
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (regular, bold) = (Ref::new(3), Ref::new(4));
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..count)
        .map(|i| Ref::new(first_page + 2 * i32::try_from(i).unwrap_or(0)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(count).unwrap_or(0));
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    let title_bytes = win_ansi(title);
    pdf.document_info(info)
        .title(pdf_writer::TextStr(&String::from_utf8_lossy(&title_bytes)))
        .producer(pdf_writer::TextStr("crosswalk"));
    for (page, content) in page_ids.iter().zip(w.pages) {
        let content_id = Ref::new(page.get() + 1);
        let mut p = pdf.page(*page);
        p.parent(tree)
            .media_box(Rect::new(0.0, 0.0, W, H))
            .contents(content_id);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular);
        fonts.pair(Name(b"F2"), bold);
        drop(fonts);
        drop(resources);
        drop(p);
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}
