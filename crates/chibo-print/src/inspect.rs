//! Reads a PDF back as a reader and a proof-reader would (feature `inspect`,
//! for tests here and in the server): each glyph through its font's
//! ToUnicode map with its position, glyphs grouped into lines by baseline,
//! and the vertical rules of tables, so that a test can say whether any text
//! crosses a border. Works on typst's PDFs and on LibreOffice's alike.

use std::collections::BTreeSet;

use hayro_interpret::font::Glyph as PdfGlyph;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache,
    InterpreterSettings, Paint, PathDrawMode, SoftMask, interpret_page,
};
use kurbo::{Affine, BezPath, PathEl, Point, Rect, Shape};

/// Glyphs whose baselines differ by less than this (in points) share a line:
/// the header's two columns differ by a point or so, lines by 10 or more.
const SAME_LINE: f64 = 4.0;
/// A horizontal gap wider than this (in points) between two glyphs reads as a
/// space (typst draws spaces as glyphs, but not the gap between columns).
const GAP: f64 = 2.0;
/// How far (in points) a glyph may reach over a rule before it counts as
/// crossing it: less than a hair.
const TOUCH: f64 = 0.3;

/// A glyph as placed on the page. Coordinates in points, `x` from the left
/// edge, `y` (the baseline) from the top edge.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub text: String,
    pub x: f64,
    pub end_x: f64,
    pub y: f64,
    /// The font size, in points.
    pub size: f64,
}

/// A vertical line (a table's border), from `top` to `bottom`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub x: f64,
    pub top: f64,
    pub bottom: f64,
}

#[derive(Debug, Default)]
pub struct Page {
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
    /// PostScript names of the fonts drawn with, without subset tags.
    pub fonts: BTreeSet<String>,
    pub width: f64,
    pub height: f64,
}

impl Page {
    /// The page's text, lines separated by '\n'.
    pub fn text(&self) -> String {
        self.lines()
            .iter()
            .map(|line| line_text(line))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Glyphs grouped into lines, top to bottom, each left to right.
    pub fn lines(&self) -> Vec<Vec<&Glyph>> {
        let mut glyphs: Vec<&Glyph> = self.glyphs.iter().collect();
        glyphs.sort_by(|a, b| a.y.total_cmp(&b.y));
        let mut lines: Vec<Vec<&Glyph>> = Vec::new();
        for g in glyphs {
            match lines.last_mut() {
                Some(line) if (g.y - line[0].y).abs() < SAME_LINE => line.push(g),
                _ => lines.push(vec![g]),
            }
        }
        for line in &mut lines {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
        }
        lines
    }

    /// Every glyph that reaches across a vertical rule at its own height:
    /// text running over a table's border. One message per crossed run.
    pub fn crossings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in self.lines() {
            for rule in &self.rules {
                let crossing: Vec<&&Glyph> = line
                    .iter()
                    .filter(|g| !g.text.trim().is_empty())
                    .filter(|g| {
                        let (top, bottom) = (g.y - 0.7 * g.size, g.y + 0.15 * g.size);
                        rule.top < bottom
                            && rule.bottom > top
                            && g.x + TOUCH < rule.x
                            && rule.x < g.end_x - TOUCH
                    })
                    .collect();
                if let Some(g) = crossing.first() {
                    out.push(format!(
                        "{:?} at x = {:.1} crosses the rule at x = {:.1} in the line {:?}",
                        g.text,
                        g.x,
                        rule.x,
                        line_text(&line)
                    ));
                }
            }
        }
        out
    }

    /// Glyphs outside the page or in its outer 5 mm, where no printer prints.
    pub fn off_page(&self) -> Vec<String> {
        let edge = 5.0 * 72.0 / 25.4;
        self.glyphs
            .iter()
            .filter(|g| !g.text.trim().is_empty())
            .filter(|g| g.x < edge || g.end_x > self.width - edge || g.y > self.height - edge)
            .map(|g| format!("{:?} at ({:.1}, {:.1})", g.text, g.x, g.y))
            .collect()
    }
}

fn line_text(line: &[&Glyph]) -> String {
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
}

/// Every page of the PDF.
pub fn pages(pdf: &[u8]) -> Vec<Page> {
    let pdf = Pdf::new(pdf.to_vec()).expect("a readable PDF");
    let cache = InterpreterCache::new();
    pdf.pages()
        .iter()
        .map(|page| {
            let media = page.media_box();
            let mut context = Context::new(
                Affine::IDENTITY,
                Rect::new(0.0, 0.0, 1.0, 1.0),
                &cache,
                pdf.xref(),
                InterpreterSettings::default(),
            );
            let mut out = Collector {
                page: Page {
                    width: media.width(),
                    height: media.height(),
                    ..Page::default()
                },
                top: media.y1,
                left: media.x0,
            };
            interpret_page(page, &mut context, &mut out);
            out.page
        })
        .collect()
}

/// The text of each page, lines separated by '\n'.
pub fn page_texts(pdf: &[u8]) -> Vec<String> {
    pages(pdf).iter().map(Page::text).collect()
}

/// All pages' text, separated by form feeds.
pub fn text(pdf: &[u8]) -> String {
    page_texts(pdf).join("\n\u{c}\n")
}

/// Every crossing of a border, on every page ("page 2: …").
pub fn crossings(pdf: &[u8]) -> Vec<String> {
    pages(pdf)
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.crossings()
                .into_iter()
                .map(move |c| format!("page {}: {c}", i + 1))
        })
        .collect()
}

struct Collector {
    page: Page,
    /// The media box's top and left edges, in PDF space.
    top: f64,
    left: f64,
}

impl Collector {
    fn to_page(&self, p: Point) -> Point {
        Point::new(p.x - self.left, self.top - p.y)
    }

    /// A rule from a line segment or a thin filled rectangle.
    fn rule(&mut self, a: Point, b: Point) {
        let (a, b) = (self.to_page(a), self.to_page(b));
        let (w, h) = ((a.x - b.x).abs(), (a.y - b.y).abs());
        if w < 2.0 && h > 2.0 {
            self.page.rules.push(Rule {
                x: (a.x + b.x) / 2.0,
                top: a.y.min(b.y),
                bottom: a.y.max(b.y),
            });
        }
    }
}

impl<'a> Device<'a> for Collector {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}

    fn draw_path(&mut self, path: &BezPath, transform: Affine, _: &Paint<'a>, mode: &PathDrawMode) {
        match mode {
            PathDrawMode::Stroke(_) => {
                let mut from: Option<Point> = None;
                for el in path.elements() {
                    match *el {
                        PathEl::MoveTo(p) => from = Some(transform * p),
                        PathEl::LineTo(p) => {
                            let p = transform * p;
                            if let Some(f) = from {
                                self.rule(f, p);
                            }
                            from = Some(p);
                        }
                        _ => from = None,
                    }
                }
            }
            PathDrawMode::Fill(_) => {
                let bounds = (transform * path.clone()).bounding_box();
                self.rule(
                    Point::new(bounds.center().x, bounds.y0),
                    Point::new(bounds.center().x, bounds.y1),
                );
            }
        }
    }

    fn draw_glyph(
        &mut self,
        glyph: &PdfGlyph<'a>,
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
            PdfGlyph::Outline(g) => {
                if let Some(name) = g.font_data().and_then(|d| d.postscript_name) {
                    let name = name.split_once('+').map_or(name.as_str(), |(_, n)| n);
                    self.page.fonts.insert(name.to_owned());
                }
                g.advance_width().unwrap_or(0.0)
            }
            PdfGlyph::Type3(_) => 0.0,
        };
        let to_page = transform * glyph_transform;
        let origin = self.to_page(to_page * Point::ZERO);
        let end = self.to_page(to_page * Point::new(f64::from(advance), 0.0));
        // Glyph space has 1000 units to the em.
        let size = (to_page * Point::new(0.0, 1000.0) - to_page * Point::ZERO).hypot();
        self.page.glyphs.push(Glyph {
            text,
            x: origin.x,
            end_x: end.x,
            y: origin.y,
            size,
        });
    }
}

/// Set to 1 (as CI does) to make a missing LibreOffice a failure rather than
/// a skipped check.
pub const REQUIRE_OFFICE: &str = "CHIBO_REQUIRE_OFFICE";

/// Opens DOCX files as an office would and prints them: LibreOffice
/// (`soffice --headless --convert-to pdf`), with Liberation Serif standing in
/// for Times New Roman as on an office machine (the embedded faces are its
/// only fonts, so the result does not depend on the fonts installed).
///
/// `None` when LibreOffice is not installed, unless `CHIBO_REQUIRE_OFFICE=1`,
/// which turns that into a panic.
pub fn office_pdfs(files: &[(&str, &[u8])]) -> Option<Vec<Vec<u8>>> {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|name| {
        std::process::Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        assert!(
            std::env::var(REQUIRE_OFFICE).as_deref() != Ok("1"),
            "{REQUIRE_OFFICE}=1 but LibreOffice (soffice) is not installed"
        );
        eprintln!("LibreOffice not installed: DOCX rendering not checked");
        return None;
    };
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "chibo-office-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let out = dir.join("out");
    std::fs::create_dir_all(&out).expect("temp dir");
    let fonts = concat!(env!("CARGO_MANIFEST_DIR"), "/fonts");
    std::fs::write(
        dir.join("fonts.conf"),
        format!(
            r#"<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>{fonts}</dir><cachedir>{}</cachedir><alias binding="same"><family>Times New Roman</family><prefer><family>Liberation Serif</family></prefer></alias></fontconfig>"#,
            dir.join("fc-cache").display()
        ),
    )
    .expect("fonts.conf");
    let inputs: Vec<std::path::PathBuf> = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(format!("{name}.docx"));
            std::fs::write(&path, bytes).expect("write docx");
            path
        })
        .collect();
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&out)
        .args(&inputs)
        .env("FONTCONFIG_FILE", dir.join("fonts.conf"))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("soffice runs");
    assert!(status.success(), "soffice failed: {status}");
    let pdfs = files
        .iter()
        .map(|(name, _)| {
            std::fs::read(out.join(format!("{name}.pdf")))
                .unwrap_or_else(|e| panic!("LibreOffice did not convert {name}.docx: {e}"))
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    Some(pdfs)
}

/// Text crossing a table's border, or printed where no printer prints: one
/// message each, with its page.
pub fn layout_faults(pdf: &[u8]) -> Vec<String> {
    pages(pdf)
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.crossings()
                .into_iter()
                .chain(
                    p.off_page()
                        .into_iter()
                        .map(|g| format!("off the page: {g}")),
                )
                .map(move |c| format!("page {}: {c}", i + 1))
        })
        .collect()
}

/// Those of `values` that no line of any page holds whole: a code, a date
/// or a name broken across lines ("S/T/T", "13/12/202|6").
pub fn broken<'v>(pages: &[Page], values: &[&'v str]) -> Vec<&'v str> {
    let lines: Vec<String> = pages
        .iter()
        .flat_map(|p| p.text().lines().map(String::from).collect::<Vec<_>>())
        .collect();
    values
        .iter()
        .copied()
        .filter(|v| !lines.iter().any(|l| l.contains(v)))
        .collect()
}

/// The 0-based page whose text holds `needle` (whitespace runs read as one
/// space); the last such page.
pub fn page_with(pages: &[Page], needle: &str) -> Option<usize> {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let needle = flat(needle);
    pages
        .iter()
        .rposition(|p| flat(&p.text()).contains(&needle))
}

/// The values of `doc` that must each print whole on one line: the cells of
/// one-line columns (codes, dates, numbers), one-word column titles
/// ("STT"), the document's number and a single signer's name.
pub fn whole_values(doc: &crate::Document) -> Vec<String> {
    let mut out = vec![];
    for block in &doc.body {
        if let crate::Block::Table(t) = block {
            out.extend(
                t.columns
                    .iter()
                    .filter(|c| !c.title.contains(' '))
                    .map(|c| c.title.clone()),
            );
            for row in &t.rows {
                for (cell, column) in row.iter().zip(&t.columns) {
                    if column.one_line && !cell.is_empty() {
                        out.push(cell.clone());
                    }
                }
            }
        }
    }
    out.extend(doc.header.number.clone());
    if let [one] = doc.signatures.as_slice() {
        out.push(one.name.clone());
    }
    out
}

/// Some words of the end of `doc`'s body, as they print on one line: the
/// last row's first one-line cell, or the last three words.
pub fn body_end(doc: &crate::Document) -> Option<String> {
    use crate::Block;
    let last_words = |s: &str| {
        let words: Vec<&str> = s.split_whitespace().collect();
        words[words.len().saturating_sub(3)..].join(" ")
    };
    Some(match doc.body.last()? {
        Block::Table(t) => {
            let x = t.columns.iter().position(|c| c.one_line)?;
            t.rows.last()?.get(x)?.clone()
        }
        Block::Paragraph { spans } => {
            last_words(&spans.iter().map(|s| s.text.as_str()).collect::<String>())
        }
        Block::Bullets { items } => last_words(items.last()?),
        Block::VoteLine { text } | Block::Heading { text, .. } => last_words(text),
    })
}

/// Whether the last signature shares its page with the end of the body:
/// `Err` says which pages they are on, or what was not printed.
pub fn signed_with_body(doc: &crate::Document, pages: &[Page]) -> Result<(), String> {
    let signature = &doc.signatures.last().ok_or("not signed")?.name;
    let end = body_end(doc).ok_or("no body end to find")?;
    let signed_on = page_with(pages, signature).ok_or("no signature printed")?;
    let body_on = page_with(pages, &end).ok_or_else(|| format!("{end:?} not printed"))?;
    if signed_on == body_on {
        Ok(())
    } else {
        Err(format!(
            "the signature is alone on page {} (the body ends on page {})",
            signed_on + 1,
            body_on + 1
        ))
    }
}

/// Everything an office would send back about how `doc` printed as `pdf`:
/// text crossing a border or off the page, a code, date or name broken
/// across lines, the signature alone on its page.
pub fn print_faults(doc: &crate::Document, pdf: &[u8]) -> Vec<String> {
    let mut faults = layout_faults(pdf);
    let pages = pages(pdf);
    let values = whole_values(doc);
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    faults.extend(
        broken(&pages, &values)
            .into_iter()
            .map(|v| format!("broken across lines: {v:?}")),
    );
    if let Err(e) = signed_with_body(doc, &pages) {
        faults.push(e);
    }
    faults
}
