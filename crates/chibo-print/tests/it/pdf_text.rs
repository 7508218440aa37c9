//! Reads the text back out of a PDF, as a reader's copy-and-paste would: each
//! glyph through the font's ToUnicode map, glyphs grouped into lines by
//! baseline and ordered left to right.

use std::collections::BTreeSet;

use hayro_interpret::font::Glyph;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache,
    InterpreterSettings, Paint, PathDrawMode, SoftMask, interpret_page,
};
use kurbo::{Affine, BezPath, Point, Rect};

/// Glyphs whose baselines differ by less than this (in points) share a line:
/// the header's two columns differ by a point or so, lines by 14 or more.
const SAME_LINE: f64 = 4.0;
/// A horizontal gap wider than this (in points) between two glyphs reads as a
/// space (typst draws spaces as glyphs, but not the gap between columns).
const GAP: f64 = 2.0;

/// The text of each page, lines separated by '\n'.
pub fn pages(pdf: &[u8]) -> Vec<String> {
    glyphs_per_page(pdf)
        .into_iter()
        .map(Glyphs::into_text)
        .collect()
}

/// The leftmost glyph origin on the first page, in points from the page's
/// left edge.
pub fn left_edge(pdf: &[u8]) -> f64 {
    glyphs_per_page(pdf)[0]
        .placed
        .iter()
        .map(|g| g.x)
        .fold(f64::INFINITY, f64::min)
}

/// The fonts the glyphs of all pages are drawn with.
pub fn fonts(pdf: &[u8]) -> BTreeSet<String> {
    glyphs_per_page(pdf)
        .into_iter()
        .flat_map(|g| g.fonts)
        .collect()
}

fn glyphs_per_page(pdf: &[u8]) -> Vec<Glyphs> {
    let pdf = Pdf::new(pdf.to_vec()).expect("a readable PDF");
    let cache = InterpreterCache::new();
    pdf.pages()
        .iter()
        .map(|page| {
            let mut context = Context::new(
                Affine::IDENTITY,
                Rect::new(0.0, 0.0, 1.0, 1.0),
                &cache,
                pdf.xref(),
                InterpreterSettings::default(),
            );
            let mut glyphs = Glyphs::default();
            interpret_page(page, &mut context, &mut glyphs);
            glyphs
        })
        .collect()
}

/// All pages' text, separated by form feeds.
pub fn text(pdf: &[u8]) -> String {
    pages(pdf).join("\n\u{c}\n")
}

struct Placed {
    x: f64,
    end_x: f64,
    /// Baseline, growing downwards (PDF space grows upwards).
    y: f64,
    text: String,
}

#[derive(Default)]
struct Glyphs {
    placed: Vec<Placed>,
    /// PostScript names of the fonts drawn with, without subset tags.
    fonts: BTreeSet<String>,
}

impl Glyphs {
    fn into_text(mut self) -> String {
        self.placed.sort_by(|a, b| a.y.total_cmp(&b.y));
        let mut lines: Vec<Vec<Placed>> = Vec::new();
        for g in self.placed {
            match lines.last_mut() {
                Some(line) if (g.y - line[0].y).abs() < SAME_LINE => line.push(g),
                _ => lines.push(vec![g]),
            }
        }
        lines
            .into_iter()
            .map(|mut line| {
                line.sort_by(|a, b| a.x.total_cmp(&b.x));
                let mut out = String::new();
                let mut last_end: Option<f64> = None;
                for g in line {
                    if last_end.is_some_and(|end| g.x - end > GAP) && !out.ends_with(' ') {
                        out.push(' ');
                    }
                    out.push_str(&g.text);
                    last_end = Some(g.end_x);
                }
                out.trim().to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl<'a> Device<'a> for Glyphs {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}

    fn draw_glyph(
        &mut self,
        glyph: &Glyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        let text = match glyph.as_unicode() {
            Some(BfString::Char(c)) => c.to_string(),
            Some(BfString::String(s)) => s,
            None => '\u{fffd}'.to_string(),
        };
        let advance = match glyph {
            Glyph::Outline(g) => {
                if let Some(name) = g.font_data().and_then(|d| d.postscript_name) {
                    let name = name.split_once('+').map_or(name.as_str(), |(_, n)| n);
                    self.fonts.insert(name.to_owned());
                }
                g.advance_width().unwrap_or(0.0)
            }
            Glyph::Type3(_) => 0.0,
        };
        let to_page = transform * glyph_transform;
        let origin = to_page * Point::ZERO;
        let end = to_page * Point::new(f64::from(advance), 0.0);
        self.placed.push(Placed {
            x: origin.x,
            end_x: end.x,
            y: -origin.y,
            text,
        });
    }
}
