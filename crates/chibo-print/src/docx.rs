//! DOCX through docx-rs, from the same model, for secretaries who edit in Word.
//! The layout follows the PDF: A4, the same margins and sizes, the header as a
//! borderless two-column table, justified body, signatures, "Nơi nhận".

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header as DocxHeader, LineSpacing, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts,
    SpecialIndentType, Table as DocxTable, TableCell, TableRow, WidthType,
};

use crate::PrintError;
use crate::fonts::DOCX_FAMILY;
use crate::model::{
    Align, Block, CHECK_CODE_LABEL, Document, Header, Layout, PARTY_NAME, RECIPIENTS_LABEL,
    Signature, Span, Table,
};
use crate::prepare::prepare;

/// A4 in twentieths of a point.
const A4_WIDTH: u32 = 11906;
const A4_HEIGHT: u32 = 16838;
/// The first-line indent of body paragraphs, as in the PDF (10 mm).
const INDENT_MM: f32 = 10.0;
/// Room for the handwritten signature, as in the PDF.
const SIGNATURE_ROOM_MM: f32 = 26.0;
/// Share of the text width given to the header's left column: the right one
/// keeps the ~80 mm a 14 pt date line needs, the left gets the rest (the PDF
/// sizes its columns the same way, from the content).
const HEADER_LEFT_SHARE: f32 = 0.48;

fn twips(mm: f32) -> i32 {
    (mm * 1440.0 / 25.4).round() as i32
}

/// Word sizes are in half-points.
fn half_points(pt: f32) -> usize {
    (pt * 2.0).round() as usize
}

/// One document as a .docx file.
pub fn render_docx(doc: &Document, layout: &Layout) -> Result<Vec<u8>, PrintError> {
    let doc = prepare(doc)?;
    let w = Writer {
        layout,
        text_width: twips(210.0 - layout.margin_left_mm - layout.margin_right_mm),
    };
    let fonts = RunFonts::new()
        .ascii(DOCX_FAMILY)
        .hi_ansi(DOCX_FAMILY)
        .cs(DOCX_FAMILY)
        .east_asia(DOCX_FAMILY);
    let mut docx = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(twips(layout.margin_top_mm))
                .bottom(twips(layout.margin_bottom_mm))
                .left(twips(layout.margin_left_mm))
                .right(twips(layout.margin_right_mm))
                .header(twips(layout.margin_top_mm / 2.0))
                .footer(twips(layout.margin_bottom_mm / 2.0)),
        )
        .default_fonts(fonts)
        .default_size(half_points(layout.body_pt))
        // Page numbers from page 2, top centre: the first page has its own,
        // empty header.
        .title_pg()
        .first_header(DocxHeader::new())
        .header(
            DocxHeader::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .size(half_points(layout.header_pt))
                    .add_page_num(PageNum::new()),
            ),
        );
    if let Some(code) = &doc.check_code {
        let footer = Footer::new().add_paragraph(
            Paragraph::new().align(AlignmentType::Right).add_run(w.run(
                &format!("{CHECK_CODE_LABEL}: {code}"),
                false,
                true,
                layout.small_pt,
            )),
        );
        docx = docx.first_footer(footer.clone()).footer(footer);
    }

    docx = docx.add_table(w.header(&doc.header));
    docx = docx.add_paragraph(
        w.centred()
            .line_spacing(LineSpacing::new().before(twips(8.0) as u32))
            .add_run(w.run(&doc.title, true, false, layout.title_pt)),
    );
    if let Some(subject) = &doc.subject {
        docx = docx
            .add_paragraph(
                w.centred()
                    .add_run(w.run(subject, true, false, layout.body_pt)),
            )
            .add_paragraph(w.short_rule());
    }
    docx = doc
        .body
        .iter()
        .fold(docx, |docx, block| w.block(docx, block));
    docx = w.closing(docx, &doc);

    let mut out = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| PrintError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

struct Writer<'a> {
    layout: &'a Layout,
    /// The width between the margins, in twips.
    text_width: i32,
}

impl Writer<'_> {
    /// A run; a newline in the text becomes a line break.
    fn run(&self, text: &str, bold: bool, italic: bool, size_pt: f32) -> Run {
        let mut run = Run::new().size(half_points(size_pt));
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                run = run.add_break(BreakType::TextWrapping);
            }
            run = run.add_text(line);
        }
        if bold {
            run = run.bold();
        }
        if italic {
            run = run.italic();
        }
        run
    }

    fn body_run(&self, text: &str, bold: bool, italic: bool) -> Run {
        self.run(text, bold, italic, self.layout.body_pt)
    }

    /// A paragraph of the body: justified, first-line indent, 6 pt after.
    fn body_paragraph(&self) -> Paragraph {
        Paragraph::new()
            .align(AlignmentType::Both)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(twips(INDENT_MM))),
                None,
                None,
            )
            .line_spacing(LineSpacing::new().after(120))
    }

    /// A centred paragraph without spacing (header, title, signatures).
    fn centred(&self) -> Paragraph {
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(0).after(0))
    }

    /// The short rule under the subject: a bottom border on an empty paragraph
    /// indented to 30 mm wide.
    fn short_rule(&self) -> Paragraph {
        let side = (self.text_width - twips(30.0)) / 2;
        let mut p = Paragraph::new()
            .indent(Some(side), None, Some(side), None)
            .line_spacing(LineSpacing::new().before(0).after(240))
            .size(half_points(4.0));
        p.property = p.property.set_borders(
            ParagraphBorders::with_empty()
                .set(ParagraphBorder::new(ParagraphBorderPosition::Bottom).size(6)),
        );
        p
    }

    fn header(&self, h: &Header) -> DocxTable {
        let size = self.layout.header_pt;
        let left = (self.text_width as f32 * HEADER_LEFT_SHARE) as usize;
        let right = self.text_width as usize - left;
        let cell = |width: usize, p: Paragraph| {
            TableCell::new()
                .width(width, WidthType::Dxa)
                .add_paragraph(p)
        };
        let row = |l: Paragraph, r: Paragraph| TableRow::new(vec![cell(left, l), cell(right, r)]);
        let line = |text: &str, bold: bool, italic: bool| {
            self.centred().add_run(self.run(text, bold, italic, size))
        };
        let party = self.centred().add_run(
            self.run(PARTY_NAME, true, false, self.layout.party_pt)
                .underline("single"),
        );
        DocxTable::without_borders(vec![
            row(line(&h.superior, false, false), party),
            row(line(&h.issuer, true, false), self.centred()),
            row(line("*", false, false), self.centred()),
            row(
                line(h.number.as_deref().unwrap_or(""), false, false),
                line(&h.place_date, false, true),
            ),
        ])
        .set_grid(vec![left, right])
        .width(self.text_width as usize, WidthType::Dxa)
    }

    fn block(&self, docx: Docx, block: &Block) -> Docx {
        match block {
            Block::Heading { level, text } => {
                docx.add_paragraph(self.body_paragraph().keep_next(true).add_run(self.body_run(
                    text,
                    true,
                    *level > 2,
                )))
            }
            Block::Paragraph { spans } => docx.add_paragraph(
                spans
                    .iter()
                    .fold(self.body_paragraph(), |p, Span { text, bold, italic }| {
                        p.add_run(self.body_run(text, *bold, *italic))
                    }),
            ),
            Block::Bullets { items } => items.iter().fold(docx, |docx, item| {
                docx.add_paragraph(self.body_paragraph().add_run(self.body_run(
                    &format!("- {item}"),
                    false,
                    false,
                )))
            }),
            Block::Table(table) => docx.add_table(self.table(table)),
            Block::VoteLine { text } => docx.add_paragraph(
                self.body_paragraph()
                    .add_run(self.body_run(text, true, true)),
            ),
        }
    }

    fn table(&self, t: &Table) -> DocxTable {
        let total: usize = t.columns.iter().map(|c| usize::from(c.width)).sum();
        let widths: Vec<usize> = t
            .columns
            .iter()
            .map(|c| self.text_width as usize * usize::from(c.width) / total.max(1))
            .collect();
        let cell = |text: &str, width: usize, align: AlignmentType, bold: bool| {
            TableCell::new().width(width, WidthType::Dxa).add_paragraph(
                Paragraph::new()
                    .align(align)
                    .line_spacing(LineSpacing::new().before(40).after(40))
                    .add_run(self.body_run(text, bold, false)),
            )
        };
        let head = TableRow::new(
            t.columns
                .iter()
                .zip(&widths)
                .map(|(c, w)| cell(&c.title, *w, AlignmentType::Center, true))
                .collect(),
        );
        let rows = t.rows.iter().map(|cells| {
            TableRow::new(
                cells
                    .iter()
                    .zip(&t.columns)
                    .zip(&widths)
                    .map(|((text, c), w)| cell(text, *w, alignment(c.align), false))
                    .collect(),
            )
        });
        DocxTable::new(std::iter::once(head).chain(rows).collect())
            .set_grid(widths.clone())
            .width(self.text_width as usize, WidthType::Dxa)
    }

    fn signature(&self, s: &Signature, width: usize) -> TableCell {
        let mut cell = TableCell::new().width(width, WidthType::Dxa);
        if let Some(on_behalf) = &s.on_behalf {
            cell = cell.add_paragraph(
                self.centred()
                    .add_run(self.body_run(on_behalf, true, false)),
            );
        }
        cell.add_paragraph(self.centred().add_run(self.body_run(&s.role, true, false)))
            .add_paragraph(
                self.centred()
                    .line_spacing(LineSpacing::new().before(twips(SIGNATURE_ROOM_MM) as u32))
                    .add_run(self.body_run(&s.name, true, false)),
            )
    }

    fn recipients(&self, lines: &[String]) -> Vec<Paragraph> {
        let size = self.layout.small_pt;
        let plain = || Paragraph::new().line_spacing(LineSpacing::new().before(0).after(0));
        std::iter::once(
            plain().add_run(
                self.run(RECIPIENTS_LABEL, true, true, size)
                    .underline("single"),
            ),
        )
        .chain(
            lines
                .iter()
                .map(|l| plain().add_run(self.run(l, false, false, size))),
        )
        .collect()
    }

    /// Signatures and "Nơi nhận", as a borderless table like the PDF's grid.
    fn closing(&self, docx: Docx, doc: &Document) -> Docx {
        let gap = Paragraph::new().line_spacing(LineSpacing::new().before(0).after(120));
        let docx = docx.add_paragraph(gap);
        let recipients = self.recipients(&doc.recipients);
        match doc.signatures.as_slice() {
            [] if doc.recipients.is_empty() => docx,
            [] => recipients.into_iter().fold(docx, Docx::add_paragraph),
            [one] => {
                // One signer: "Nơi nhận" at the left, the signature at the right.
                let half = self.text_width as usize / 2;
                let left = if doc.recipients.is_empty() {
                    TableCell::new().add_paragraph(Paragraph::new())
                } else {
                    recipients
                        .into_iter()
                        .fold(TableCell::new(), TableCell::add_paragraph)
                };
                docx.add_table(
                    DocxTable::without_borders(vec![
                        TableRow::new(vec![
                            left.width(half, WidthType::Dxa),
                            self.signature(one, half),
                        ])
                        .cant_split(),
                    ])
                    .set_grid(vec![half, half]),
                )
            }
            many => {
                let width = self.text_width as usize / many.len();
                let docx = docx.add_table(
                    DocxTable::without_borders(vec![
                        TableRow::new(many.iter().map(|s| self.signature(s, width)).collect())
                            .cant_split(),
                    ])
                    .set_grid(vec![width; many.len()]),
                );
                if doc.recipients.is_empty() {
                    docx
                } else {
                    recipients.into_iter().fold(docx, Docx::add_paragraph)
                }
            }
        }
    }
}

fn alignment(align: Align) -> AlignmentType {
    match align {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    }
}
