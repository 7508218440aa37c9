//! DOCX from the same model, for secretaries who edit in Word. The layout
//! follows the PDF: A4, the same margins, sizes and fitted table columns, the
//! header as a borderless two-column table, justified body, signatures and
//! "Nơi nhận" kept on one page with the body's last lines.
//!
//! The WordprocessingML is written here rather than through a crate: the
//! one at hand could not mark header rows to repeat, set the language or
//! fill in the title, author and dates.

mod package;
mod xml;

use std::fmt::Write;

use package::{FIRST_FOOTER_ID, FIRST_HEADER_ID, FOOTER_ID, HEADER_ID, Parts, package};
use xml::{Cell, Jc, Para, Row, Run, Tbl, twips_of_mm, twips_of_pt};

use crate::PrintError;
use crate::fit::INSET_X_PT;
use crate::measure::{Style, width};
use crate::model::{
    Align, Block, CHECK_CODE_LABEL, Document, Header, Layout, Orientation, PARTY_NAME, Properties,
    RECIPIENTS_LABEL, Signature, Span, Table,
};
use crate::prepare::{fit_table, prepare, text_width_pt};

/// The first-line indent of body paragraphs, as in the PDF (10 mm).
const INDENT_MM: f32 = 10.0;
/// Room for the handwritten signature, as in the PDF.
const SIGNATURE_ROOM_MM: f32 = 26.0;
/// Space after a paragraph of the body, and after a table (6 pt).
const AFTER: i32 = 120;
/// Cell margins of data tables, top and bottom (2 pt); left and right are
/// the PDF's inset.
const CELL_MARGIN_Y: i32 = 40;
/// The last rows of a table kept on one page with the signatures.
const TAIL_ROWS: usize = 2;

/// One document as a .docx file.
pub fn render_docx(
    doc: &Document,
    properties: &Properties,
    layout: &Layout,
) -> Result<Vec<u8>, PrintError> {
    let doc = prepare(doc)?;
    let w = Writer {
        layout,
        doc: &doc,
        text_width: twips_of_pt(text_width_pt(&doc, layout)),
    };
    let mut body = String::new();
    w.header(&doc.header).write(&mut body);
    Para::new(Jc::Center)
        .spacing(twips_of_mm(8.0), 0)
        .run(Run::new(&doc.title).bold(true).size(layout.title_pt))
        .write(&mut body);
    if let Some(subject) = &doc.subject {
        Para::new(Jc::Center)
            .run(Run::new(subject).bold(true).size(layout.body_pt))
            .write(&mut body);
        w.short_rule().write(&mut body);
    }
    w.body_and_closing(&mut body);
    w.section(&mut body);

    let footer = doc.check_code.as_ref().map(|code| {
        let mut out = String::new();
        Para::new(Jc::Right)
            .run(
                Run::new(format!("{CHECK_CODE_LABEL}: {code}"))
                    .italic(true)
                    .size(layout.small_pt),
            )
            .write(&mut out);
        out
    });
    let mut header = String::new();
    let _ = write!(
        header,
        r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:fldSimple w:instr=" PAGE "><w:r><w:rPr><w:sz w:val="{0}"/><w:szCs w:val="{0}"/></w:rPr><w:t>2</w:t></w:r></w:fldSimple></w:p>"#,
        (layout.header_pt * 2.0).round() as i32
    );
    package(&Parts {
        body,
        header,
        footer,
        body_half_points: (layout.body_pt * 2.0).round() as i32,
        title: &properties.title,
        author: &properties.author,
        created: properties.created,
    })
}

struct Writer<'a> {
    layout: &'a Layout,
    doc: &'a Document,
    /// The width between the margins, in twips.
    text_width: i32,
}

impl Writer<'_> {
    /// A paragraph of the body: justified, first-line indent, 6 pt after.
    fn body_paragraph(&self) -> Para {
        Para {
            first_line: twips_of_mm(INDENT_MM),
            ..Para::new(Jc::Both).spacing(0, AFTER)
        }
    }

    fn body_run(&self, text: &str, bold: bool, italic: bool) -> Run {
        Run::new(text).bold(bold).italic(italic)
    }

    /// The short rule under the subject: a bottom border on an empty
    /// paragraph indented to 30 mm wide.
    fn short_rule(&self) -> Para {
        let side = (self.text_width - twips_of_mm(30.0)) / 2;
        Para {
            indent_left: side,
            indent_right: side,
            rule_below: true,
            mark_pt: Some(4.0),
            ..Para::new(Jc::Center).spacing(0, 240)
        }
    }

    /// The two-column header. The right column is as wide as its widest line
    /// (the Party's name or the date), the left one gets the rest, as in the
    /// PDF.
    fn header(&self, h: &Header) -> Tbl {
        let l = self.layout;
        let right_text = (width(PARTY_NAME, Style::Bold) * l.party_pt)
            .max(width(&h.place_date, Style::Italic) * l.header_pt);
        let right =
            twips_of_pt(right_text * 1.03 + 2.0 * INSET_X_PT + 2.0).min(self.text_width * 7 / 10);
        let line = |text: &str, bold: bool, italic: bool| {
            Cell::of(&[Para::new(Jc::Center)
                .run(Run::new(text).bold(bold).italic(italic).size(l.header_pt))])
        };
        let party =
            Cell::of(&[Para::new(Jc::Center)
                .run(Run::new(PARTY_NAME).bold(true).underline().size(l.party_pt))]);
        let row = |a: Cell, b: Cell| Row {
            cells: vec![a, b],
            header: false,
        };
        Tbl {
            widths: vec![self.text_width - right, right],
            ruled: false,
            margin_x: twips_of_pt(INSET_X_PT),
            margin_y: 0,
            rows: vec![
                row(line(&h.superior, false, false), party),
                row(line(&h.issuer, true, false), Cell::default()),
                row(line("*", false, false), Cell::default()),
                row(
                    line(h.number.as_deref().unwrap_or(""), false, false),
                    line(&h.place_date, false, true),
                ),
            ],
        }
    }

    /// A heading: at the margin, bold, kept with the paragraph after it.
    fn heading(&self, level: u8, text: &str) -> Para {
        Para::new(Jc::Both)
            .spacing(AFTER, 80)
            .keep_next(true)
            .run(self.body_run(text, true, level > 2))
    }

    /// The paragraphs of a block other than a table.
    fn paragraphs(&self, block: &Block) -> Vec<Para> {
        match block {
            Block::Heading { level, text } => vec![self.heading(*level, text)],
            Block::Paragraph { spans } if spans.is_empty() => vec![],
            Block::Paragraph { spans } => vec![
                spans
                    .iter()
                    .fold(self.body_paragraph(), |p, Span { text, bold, italic }| {
                        p.run(self.body_run(text, *bold, *italic))
                    }),
            ],
            Block::Bullets { items } => items
                .iter()
                .map(|item| {
                    self.body_paragraph()
                        .run(self.body_run(&format!("- {item}"), false, false))
                })
                .collect(),
            Block::VoteLine { text } => {
                vec![self.body_paragraph().run(self.body_run(text, true, true))]
            }
            Block::Table(_) => vec![],
        }
    }

    /// A data table with the fitted columns and its header row repeated on
    /// each page; `rows` picks the rows, `header` whether the header row
    /// comes first.
    fn table(&self, t: &Table, rows: std::ops::Range<usize>, header: bool) -> Tbl {
        let fit = fit_table(t, self.doc, self.layout);
        let size = fit.size;
        let cell = |text: &str, align: Jc, bold: bool| {
            Cell::of(&[Para::new(align).run(Run::new(text).bold(bold).size(size))]).centred()
        };
        let head = Row {
            cells: fit
                .titles
                .iter()
                .map(|title| cell(title, Jc::Center, true))
                .collect(),
            header: true,
        };
        let body = fit.rows[rows].iter().map(|cells| Row {
            cells: cells
                .iter()
                .zip(&t.columns)
                .map(|(text, c)| cell(text, alignment(c.align), false))
                .collect(),
            header: false,
        });
        // Whole twips, rounded down: the columns never add up to more than
        // the text width.
        let widths = fit
            .widths
            .iter()
            .map(|w| (w * 20.0).floor() as i32)
            .collect();
        Tbl {
            widths,
            ruled: true,
            margin_x: twips_of_pt(INSET_X_PT),
            margin_y: CELL_MARGIN_Y,
            rows: header.then_some(head).into_iter().chain(body).collect(),
        }
    }

    /// Space after a table (Word also needs a paragraph between two tables).
    fn after_table(&self) -> Para {
        Para {
            mark_pt: Some(6.0),
            ..Para::new(Jc::Left).spacing(0, AFTER / 2)
        }
    }

    /// The body, then the signatures and "Nơi nhận", kept on one page with
    /// the last paragraph or table rows of the body.
    fn body_and_closing(&self, out: &mut String) {
        let doc = self.doc;
        let closes = !doc.signatures.is_empty() || !doc.recipients.is_empty();
        let body: Vec<&Block> = doc
            .body
            .iter()
            .filter(|b| !matches!(b, Block::Paragraph { spans } if spans.is_empty()))
            .collect();
        let (last, before) = match body.split_last() {
            Some((last, before)) if closes => (Some(*last), before),
            _ => (None, body.as_slice()),
        };
        for block in before {
            self.block(out, block);
        }
        match last {
            // The last rows of a table and the closing are nested in one
            // last row of the table that may not break across pages: Word
            // and LibreOffice both keep such a row whole (LibreOffice ignores
            // "keep with next" on table rows), and repeat the header row
            // above it when it opens a page.
            Some(Block::Table(t)) => {
                let rows = t.rows.len();
                let split = rows.saturating_sub(TAIL_ROWS);
                let mut kept = String::new();
                self.table(t, split..rows, false).write(&mut kept);
                self.after_table().write(&mut kept);
                self.closing(&mut kept);
                let mut table = self.table(t, 0..split, true);
                table.rows.push(Row {
                    cells: vec![Cell {
                        xml: kept,
                        frame: true,
                        ..Cell::default()
                    }],
                    header: false,
                });
                table.write(out);
            }
            // The last paragraph is kept with the closing after it.
            Some(block) => {
                let paras = self.paragraphs(block);
                let n = paras.len();
                for (i, p) in paras.into_iter().enumerate() {
                    p.keep_next(i + 1 == n).write(out);
                }
                self.closing(out);
            }
            None if closes => self.closing(out),
            None => {}
        }
        // The body ends with a paragraph, as Word expects: one point high,
        // so that it does not open a page of its own after a full one.
        Para {
            mark_pt: Some(1.0),
            exact_line: Some(20),
            ..Para::default()
        }
        .write(out);
    }

    fn block(&self, out: &mut String, block: &Block) {
        if let Block::Table(t) = block {
            self.table(t, 0..t.rows.len(), true).write(out);
            self.after_table().write(out);
        } else {
            self.paragraphs(block).iter().for_each(|p| p.write(out));
        }
    }

    fn signature(&self, s: &Signature) -> Cell {
        let line = |text: &str| {
            Para::new(Jc::Center)
                .keep_next(true)
                .run(self.body_run(text, true, false))
        };
        let mut paras = vec![];
        if let Some(on_behalf) = &s.on_behalf {
            paras.push(line(on_behalf));
        }
        paras.push(line(&s.role));
        paras.push(
            Para::new(Jc::Center)
                .spacing(twips_of_mm(SIGNATURE_ROOM_MM), 0)
                .run(self.body_run(&s.name, true, false)),
        );
        Cell::of(&paras)
    }

    fn recipients(&self) -> Vec<Para> {
        let size = self.layout.small_pt;
        let lines = &self.doc.recipients;
        std::iter::once(
            Para::new(Jc::Left).keep_next(true).run(
                Run::new(RECIPIENTS_LABEL)
                    .bold(true)
                    .italic(true)
                    .underline()
                    .size(size),
            ),
        )
        .chain(lines.iter().enumerate().map(|(i, l)| {
            Para::new(Jc::Left)
                .keep_next(i + 1 < lines.len())
                .run(Run::new(l).size(size))
        }))
        .collect()
    }

    /// Signatures and "Nơi nhận", as a borderless table like the PDF's grid.
    fn closing(&self, out: &mut String) {
        let doc = self.doc;
        Para::new(Jc::Left)
            .spacing(0, AFTER)
            .keep_next(true)
            .write(out);
        let borderless = |widths: Vec<i32>, cells: Vec<Cell>| Tbl {
            widths,
            ruled: false,
            margin_x: twips_of_pt(INSET_X_PT),
            margin_y: 0,
            rows: vec![Row {
                cells,
                header: false,
            }],
        };
        match doc.signatures.as_slice() {
            [] => self.recipients().iter().for_each(|p| p.write(out)),
            [one] => {
                // One signer: "Nơi nhận" at the left, the signature at the
                // right, in the right half or wider when the name needs it
                // (it stays on one line), as in the PDF.
                let size = self.layout.body_pt;
                let widest = [one.on_behalf.as_deref(), Some(&one.role), Some(&one.name)]
                    .into_iter()
                    .flatten()
                    .map(|l| width(l, Style::Bold) * size * 1.03)
                    .fold(0.0, f32::max);
                let right = twips_of_pt(widest + 2.0 * INSET_X_PT + 6.0)
                    .max(self.text_width / 2)
                    .min(self.text_width * 7 / 10);
                let mut recipients = self.recipients();
                if doc.recipients.is_empty() {
                    recipients.clear();
                } else {
                    recipients[0].before = twips_of_pt(self.layout.body_pt * 1.2);
                }
                borderless(
                    vec![self.text_width - right, right],
                    vec![Cell::of(&recipients), self.signature(one)],
                )
                .write(out);
            }
            many => {
                let width = self.text_width / many.len() as i32;
                borderless(
                    vec![width; many.len()],
                    many.iter().map(|s| self.signature(s)).collect(),
                )
                .write(out);
                if !doc.recipients.is_empty() {
                    Para::new(Jc::Left).spacing(0, AFTER).write(out);
                    self.recipients().iter().for_each(|p| p.write(out));
                }
            }
        }
    }

    /// Page size, margins, headers and footers; page numbers from page 2.
    fn section(&self, out: &mut String) {
        let l = self.layout;
        let (w, h) = match self.doc.orientation {
            Orientation::Portrait => (11906, 16838),
            Orientation::Landscape => (16838, 11906),
        };
        let orient = match self.doc.orientation {
            Orientation::Portrait => "",
            Orientation::Landscape => r#" w:orient="landscape""#,
        };
        let _ = write!(
            out,
            r#"<w:sectPr><w:headerReference w:type="default" r:id="{HEADER_ID}"/><w:headerReference w:type="first" r:id="{FIRST_HEADER_ID}"/>"#
        );
        if self.doc.check_code.is_some() {
            let _ = write!(
                out,
                r#"<w:footerReference w:type="default" r:id="{FOOTER_ID}"/><w:footerReference w:type="first" r:id="{FIRST_FOOTER_ID}"/>"#
            );
        }
        let _ = write!(
            out,
            r#"<w:pgSz w:w="{w}" w:h="{h}"{orient}/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="{}" w:footer="{}" w:gutter="0"/><w:titlePg/></w:sectPr>"#,
            twips_of_mm(l.margin_top_mm),
            twips_of_mm(l.margin_right_mm),
            twips_of_mm(l.margin_bottom_mm),
            twips_of_mm(l.margin_left_mm),
            twips_of_mm(l.margin_top_mm / 2.0),
            twips_of_mm(l.margin_bottom_mm / 2.0),
        );
    }
}

fn alignment(align: Align) -> Jc {
    match align {
        Align::Left => Jc::Left,
        Align::Center => Jc::Center,
        Align::Right => Jc::Right,
    }
}
