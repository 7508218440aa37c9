//! The few WordprocessingML elements chibo's documents are made of, written
//! as text in the order the schema requires (Word refuses files whose
//! property elements are out of order).

use std::fmt::Write;

/// Twentieths of a point, Word's unit of length.
pub fn twips_of_pt(pt: f32) -> i32 {
    (pt * 20.0).round() as i32
}

pub fn twips_of_mm(mm: f32) -> i32 {
    twips_of_pt(mm * 72.0 / 25.4)
}

/// Word sizes text in half-points.
fn half_points(pt: f32) -> i32 {
    (pt * 2.0).round() as i32
}

/// Text as XML character data: markup escaped, and the control characters
/// XML 1.0 cannot carry dropped (Word refuses a file holding one).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A run of text; a newline in it becomes a line break.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    /// `None`: the document's default size.
    pub size_pt: Option<f32>,
}

impl Run {
    pub fn new(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }

    pub fn bold(mut self, on: bool) -> Self {
        self.bold = on;
        self
    }

    pub fn italic(mut self, on: bool) -> Self {
        self.italic = on;
        self
    }

    pub fn underline(mut self) -> Self {
        self.underline = true;
        self
    }

    pub fn size(mut self, pt: f32) -> Self {
        self.size_pt = Some(pt);
        self
    }

    fn write(&self, out: &mut String) {
        out.push_str("<w:r>");
        let props = run_properties(self.bold, self.italic, self.underline, self.size_pt);
        out.push_str(&props);
        for (i, line) in self.text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<w:br/>");
            }
            if !line.is_empty() {
                let _ = write!(out, r#"<w:t xml:space="preserve">{}</w:t>"#, esc(line));
            }
        }
        out.push_str("</w:r>");
    }
}

fn run_properties(bold: bool, italic: bool, underline: bool, size_pt: Option<f32>) -> String {
    let mut p = String::new();
    if bold {
        p.push_str("<w:b/><w:bCs/>");
    }
    if italic {
        p.push_str("<w:i/><w:iCs/>");
    }
    if let Some(pt) = size_pt {
        let hp = half_points(pt);
        let _ = write!(p, r#"<w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/>"#);
    }
    if underline {
        p.push_str(r#"<w:u w:val="single"/>"#);
    }
    if p.is_empty() {
        p
    } else {
        format!("<w:rPr>{p}</w:rPr>")
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Jc {
    #[default]
    Left,
    Center,
    Right,
    Both,
}

impl Jc {
    fn as_str(self) -> &'static str {
        match self {
            Jc::Left => "left",
            Jc::Center => "center",
            Jc::Right => "right",
            Jc::Both => "both",
        }
    }
}

/// A paragraph. Lengths in twips.
#[derive(Debug, Clone, Default)]
pub struct Para {
    pub jc: Jc,
    pub keep_next: bool,
    pub keep_lines: bool,
    pub before: i32,
    pub after: i32,
    pub indent_left: i32,
    pub indent_right: i32,
    pub first_line: i32,
    /// A rule under the paragraph (the short line under the subject).
    pub rule_below: bool,
    /// The size of the paragraph mark (sets the height of an empty paragraph).
    pub mark_pt: Option<f32>,
    /// An exact line height, in twips (`None`: single spacing).
    pub exact_line: Option<i32>,
    pub runs: Vec<Run>,
}

impl Para {
    pub fn new(jc: Jc) -> Self {
        Para {
            jc,
            ..Para::default()
        }
    }

    pub fn run(mut self, run: Run) -> Self {
        self.runs.push(run);
        self
    }

    pub fn spacing(mut self, before: i32, after: i32) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    pub fn keep_next(mut self, on: bool) -> Self {
        self.keep_next = on;
        self
    }

    pub fn write(&self, out: &mut String) {
        out.push_str("<w:p><w:pPr>");
        if self.keep_next {
            out.push_str("<w:keepNext/>");
        }
        if self.keep_lines {
            out.push_str("<w:keepLines/>");
        }
        if self.rule_below {
            out.push_str(
                r#"<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>"#,
            );
        }
        let _ = write!(
            out,
            r#"<w:spacing w:before="{}" w:after="{}""#,
            self.before, self.after
        );
        if let Some(line) = self.exact_line {
            let _ = write!(out, r#" w:line="{line}" w:lineRule="exact""#);
        }
        out.push_str("/>");
        if self.indent_left != 0 || self.indent_right != 0 || self.first_line != 0 {
            let _ = write!(
                out,
                r#"<w:ind w:left="{}" w:right="{}" w:firstLine="{}"/>"#,
                self.indent_left, self.indent_right, self.first_line
            );
        }
        let _ = write!(out, r#"<w:jc w:val="{}"/>"#, self.jc.as_str());
        if let Some(pt) = self.mark_pt {
            out.push_str(&run_properties(false, false, false, Some(pt)));
        }
        out.push_str("</w:pPr>");
        for run in &self.runs {
            run.write(out);
        }
        out.push_str("</w:p>");
    }
}

/// A table cell: its content (paragraphs, nested tables) as XML, vertically
/// centred or at the top.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub xml: String,
    pub centre_vertically: bool,
    /// Spans the whole row, without borders or margins of its own (a frame
    /// for nested content).
    pub frame: bool,
}

impl Cell {
    pub fn of(paras: &[Para]) -> Self {
        let mut xml = String::new();
        for p in paras {
            p.write(&mut xml);
        }
        Cell {
            xml,
            ..Cell::default()
        }
    }

    pub fn centred(mut self) -> Self {
        self.centre_vertically = true;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// Repeated at the top of each page the table runs onto.
    pub header: bool,
}

/// A table of fixed column widths (twips): Word and LibreOffice keep them
/// instead of fitting the columns to the text again.
#[derive(Debug, Clone, Default)]
pub struct Tbl {
    pub widths: Vec<i32>,
    pub ruled: bool,
    /// Cell margins: left and right, top and bottom.
    pub margin_x: i32,
    pub margin_y: i32,
    pub rows: Vec<Row>,
}

impl Tbl {
    pub fn write(&self, out: &mut String) {
        let total: i32 = self.widths.iter().sum();
        let _ = write!(
            out,
            r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:tblInd w:w="0" w:type="dxa"/>"#
        );
        if self.ruled {
            out.push_str("<w:tblBorders>");
            for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
                let _ = write!(
                    out,
                    r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#
                );
            }
            out.push_str("</w:tblBorders>");
        }
        let (x, y) = (self.margin_x, self.margin_y);
        let _ = write!(
            out,
            r#"<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="{y}" w:type="dxa"/><w:left w:w="{x}" w:type="dxa"/><w:bottom w:w="{y}" w:type="dxa"/><w:right w:w="{x}" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#
        );
        for w in &self.widths {
            let _ = write!(out, r#"<w:gridCol w:w="{w}"/>"#);
        }
        out.push_str("</w:tblGrid>");
        for row in &self.rows {
            // A row is never split across pages: a name or a date is not
            // cut in two.
            out.push_str("<w:tr><w:trPr><w:cantSplit/>");
            if row.header {
                out.push_str("<w:tblHeader/>");
            }
            out.push_str("</w:trPr>");
            for (cell, w) in row.cells.iter().zip(&self.widths) {
                if cell.frame {
                    let _ = write!(
                        out,
                        r#"<w:tc><w:tcPr><w:tcW w:w="{total}" w:type="dxa"/><w:gridSpan w:val="{}"/><w:tcBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/></w:tcBorders><w:tcMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tcMar></w:tcPr>"#,
                        self.widths.len()
                    );
                } else {
                    let _ = write!(out, r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>"#);
                    if cell.centre_vertically {
                        out.push_str(r#"<w:vAlign w:val="center"/>"#);
                    }
                    out.push_str("</w:tcPr>");
                }
                // A cell ends with a paragraph (after a nested table too).
                out.push_str(&cell.xml);
                if !cell.xml.ends_with("</w:p>") {
                    Para::default().write(out);
                }
                out.push_str("</w:tc>");
            }
            out.push_str("</w:tr>");
        }
        out.push_str("</w:tbl>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(esc("a<b>&\"c'\u{1}\u{b}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }

    #[test]
    fn properties_are_written_in_schema_order() {
        let mut out = String::new();
        Para {
            keep_next: true,
            first_line: 567,
            mark_pt: Some(4.0),
            ..Para::new(Jc::Both)
        }
        .run(
            Run::new("x\ny")
                .bold(true)
                .italic(true)
                .size(13.0)
                .underline(),
        )
        .write(&mut out);
        assert_eq!(
            out,
            concat!(
                r#"<w:p><w:pPr><w:keepNext/><w:spacing w:before="0" w:after="0"/>"#,
                r#"<w:ind w:left="0" w:right="0" w:firstLine="567"/><w:jc w:val="both"/>"#,
                r#"<w:rPr><w:sz w:val="8"/><w:szCs w:val="8"/></w:rPr></w:pPr>"#,
                r#"<w:r><w:rPr><w:b/><w:bCs/><w:i/><w:iCs/><w:sz w:val="26"/><w:szCs w:val="26"/><w:u w:val="single"/></w:rPr>"#,
                r#"<w:t xml:space="preserve">x</w:t><w:br/><w:t xml:space="preserve">y</w:t></w:r></w:p>"#
            )
        );
    }
}
