//! The fonts a PDF report embeds: DejaVu Sans and DejaVu Sans Bold (version 2.37, from the
//! `dejavu` crate; the fonts' own licence, the Bitstream Vera licence with the DejaVu
//! changes in the public domain, allows embedding and redistribution: its text is in
//! `DejaVu-LICENSE` beside this file), measured with their real advance widths and written
//! as Type 0 fonts with a CIDFontType2 descendant, subset to the characters a report shows
//! (the subset keeps the fonts' copyright notices).
//!
//! Each character shown gets its own CID (1, 2, … in order of first use; 0 is `.notdef`),
//! so the ToUnicode map gives every CID back exactly, and a `/CIDToGIDMap` stream maps
//! each CID to its glyph in the subset. A character the font lacks shows the `.notdef`
//! box, but still reads back as itself.

use std::collections::BTreeMap;
use std::io::Write as _;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Name, Pdf, Rect, Ref, Str};
use sha2::Digest as _;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

/// Hands out consecutive object ids.
pub(super) struct Ids(i32);

impl Ids {
    pub(super) fn new(first: i32) -> Self {
        Self(first)
    }

    pub(super) fn next(&mut self) -> Ref {
        let id = Ref::new(self.0);
        self.0 += 1;
        id
    }
}

/// zlib-compresses data (deterministic); `None` only if compression failed.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).ok()?;
    e.finish().ok()
}

/// Writes a stream, compressed with `FlateDecode` where that works; `extra` adds entries
/// to its dictionary.
pub(super) fn stream(
    pdf: &mut Pdf,
    id: Ref,
    data: &[u8],
    extra: impl FnOnce(&mut pdf_writer::Stream<'_>),
) {
    match deflate(data) {
        Some(packed) => {
            let mut s = pdf.stream(id, &packed);
            s.filter(Filter::FlateDecode);
            extra(&mut s);
        }
        None => extra(&mut pdf.stream(id, data)),
    }
}

/// The character actually shown for `c`: tabs and other whitespace controls become a
/// space, remaining control characters show nothing.
fn shown(c: char) -> Option<char> {
    if c.is_whitespace() && c.is_control() {
        Some(' ')
    } else if c.is_control() {
        None
    } else {
        Some(c)
    }
}

/// One embedded font and the characters shown with it so far.
pub(super) struct Font {
    /// The PostScript name, without the subset tag.
    name: &'static str,
    data: &'static [u8],
    /// `None` only if the embedded font failed to parse (a unit test makes sure it
    /// does not); text is then measured at half an em a character.
    face: Option<Face<'static>>,
    /// Each character shown and its CID.
    cids: BTreeMap<char, u16>,
    /// For CID `n` (at index `n - 1`): the character and its glyph in the full font.
    used: Vec<(char, u16)>,
}

impl Font {
    pub(super) fn regular() -> Self {
        Self::new("DejaVuSans", dejavu::sans::regular())
    }

    pub(super) fn bold() -> Self {
        Self::new("DejaVuSans-Bold", dejavu::sans::bold())
    }

    fn new(name: &'static str, data: &'static [u8]) -> Self {
        Self {
            name,
            data,
            face: Face::parse(data, 0).ok(),
            cids: BTreeMap::new(),
            used: Vec::new(),
        }
    }

    /// Whether the font parsed.
    #[cfg(test)]
    pub(super) fn parsed(&self) -> bool {
        self.face.is_some()
    }

    fn units_per_em(&self) -> f32 {
        f32::from(self.face.as_ref().map_or(1000, Face::units_per_em).max(1))
    }

    /// A value in font units as thousandths of an em (PDF glyph space).
    fn scale(&self, units: f32) -> f32 {
        units * 1000.0 / self.units_per_em()
    }

    /// The glyph for a character, `.notdef` (0) if the font lacks it.
    fn glyph(&self, c: char) -> u16 {
        self.face
            .as_ref()
            .and_then(|f| f.glyph_index(c))
            .map_or(0, |g| g.0)
    }

    /// A glyph's advance in font units.
    fn advance(&self, glyph: u16) -> f32 {
        self.face
            .as_ref()
            .and_then(|f| f.glyph_hor_advance(GlyphId(glyph)))
            .map_or(self.units_per_em() / 2.0, f32::from)
    }

    /// A character's advance at `size` points.
    pub(super) fn char_width(&self, c: char, size: f32) -> f32 {
        shown(c).map_or(0.0, |c| {
            self.advance(self.glyph(c)) * size / self.units_per_em()
        })
    }

    /// The width of text at `size` points.
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// Text as the two-byte CIDs of the `Identity-H` encoding, noting each character.
    pub(super) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars().filter_map(shown) {
            let cid = match self.cids.get(&c) {
                Some(cid) => *cid,
                None => match u16::try_from(self.used.len() + 1) {
                    Ok(cid) if cid < u16::MAX => {
                        let glyph = self.glyph(c);
                        self.used.push((c, glyph));
                        self.cids.insert(c, cid);
                        cid
                    }
                    _ => 0,
                },
            };
            out.extend(cid.to_be_bytes());
        }
        out
    }

    /// A subset tag (six capital letters) that depends only on the characters shown.
    fn tag(&self) -> String {
        let mut h = sha2::Sha256::new();
        h.update(self.name.as_bytes());
        for (c, _) in &self.used {
            h.update(u32::from(*c).to_be_bytes());
        }
        h.finalize()
            .iter()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect()
    }

    /// Writes the font as a Type 0 font with the id `font`, subset to the characters shown
    /// (the whole font if subsetting fails), taking further object ids from `ids`.
    pub(super) fn write(&self, pdf: &mut Pdf, font: Ref, ids: &mut Ids) {
        let (cid_font, descriptor, file, to_unicode, cid_map) =
            (ids.next(), ids.next(), ids.next(), ids.next(), ids.next());
        let base = format!("{}+{}", self.tag(), self.name);
        let base = Name(base.as_bytes());
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(font)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font)
            .to_unicode(to_unicode);

        // The subset, and each CID's glyph in what is embedded.
        let mut remapper = GlyphRemapper::new();
        for (_, glyph) in &self.used {
            remapper.remap(*glyph);
        }
        let (program, glyphs): (std::borrow::Cow<'_, [u8]>, Vec<u16>) =
            match subsetter::subset(self.data, 0, &remapper) {
                Ok(sub) => (
                    sub.into(),
                    self.used
                        .iter()
                        .map(|(_, g)| remapper.get(*g).unwrap_or(0))
                        .collect(),
                ),
                Err(_) => (
                    self.data.into(),
                    self.used.iter().map(|(_, g)| *g).collect(),
                ),
            };

        let notdef = self.scale(self.advance(0));
        let widths: Vec<f32> = std::iter::once(notdef)
            .chain(
                self.used
                    .iter()
                    .map(|(_, g)| self.scale(self.advance(*g)).round()),
            )
            .collect();
        let mut cid = pdf.cid_font(cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(notdef)
            .cid_to_gid_map_stream(cid_map);
        cid.widths().consecutive(0, widths);
        drop(cid);

        let mut d = pdf.font_descriptor(descriptor);
        d.name(base).flags(FontFlags::SYMBOLIC);
        if let Some(face) = &self.face {
            let b = face.global_bounding_box();
            d.bbox(Rect::new(
                self.scale(f32::from(b.x_min)),
                self.scale(f32::from(b.y_min)),
                self.scale(f32::from(b.x_max)),
                self.scale(f32::from(b.y_max)),
            ))
            .italic_angle(face.italic_angle())
            .ascent(self.scale(f32::from(face.ascender())))
            .descent(self.scale(f32::from(face.descender())))
            .cap_height(self.scale(f32::from(face.capital_height().unwrap_or(face.ascender()))))
            .stem_v(10.0 + 0.244 * (f32::from(face.weight().to_number()) - 50.0));
        }
        d.font_file2(file);
        drop(d);

        let length = i32::try_from(program.len()).unwrap_or(i32::MAX);
        stream(pdf, file, &program, |s| {
            s.pair(Name(b"Length1"), length);
        });

        let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), system);
        for (n, (c, _)) in self.used.iter().enumerate() {
            if let Ok(cid) = u16::try_from(n + 1) {
                cmap.pair(cid, *c);
            }
        }
        stream(pdf, to_unicode, cmap.finish().as_slice(), |_| {});

        let map: Vec<u8> = std::iter::once(0u16)
            .chain(glyphs)
            .flat_map(u16::to_be_bytes)
            .collect();
        stream(pdf, cid_map, &map, |_| {});
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_parse_and_cover_latin_greek_and_cyrillic() {
        for font in [Font::regular(), Font::bold()] {
            assert!(font.parsed(), "{}", font.name);
            for c in "Łódź Müller Ωmega Иван ‘’“”—–…•€→≥≤█".chars()
            {
                assert!(c == ' ' || font.glyph(c) != 0, "{} lacks {c}", font.name);
            }
        }
    }

    #[test]
    fn each_character_gets_one_cid_in_order_of_first_use() {
        let mut f = Font::regular();
        assert_eq!(f.encode("abca"), [0, 1, 0, 2, 0, 3, 0, 1]);
        assert_eq!(f.encode("\u{7}b\tc"), [0, 2, 0, 4, 0, 3]);
        assert!(f.width("WW", 10.0) > f.width("ii", 10.0));
        assert!((f.width("\u{7}", 10.0)).abs() < f32::EPSILON);
    }
}
