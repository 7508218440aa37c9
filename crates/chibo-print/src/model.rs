//! The document model: plain data that both the PDF and the DOCX writers read.
//!
//! Every string here is printed literally. The caller formats numbers and dates
//! with the rule pack ("Số 05-NQ/CB", "Bến Nghé, ngày 05 tháng 02 năm 2026");
//! this crate only lays them out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The right-hand title of every Party document's header.
pub const PARTY_NAME: &str = "ĐẢNG CỘNG SẢN VIỆT NAM";

/// The label of the check code printed at the foot of every page.
pub const CHECK_CODE_LABEL: &str = "Mã kiểm tra";

/// The label of the recipients list at the bottom left.
pub const RECIPIENTS_LABEL: &str = "Nơi nhận:";

/// One official document: a notice, minutes, a resolution, a report, an
/// attendance sheet, a vote record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub header: Header,
    /// Portrait, or landscape for a document built around a wide table (the
    /// upper committee's roll-up).
    #[serde(default)]
    pub orientation: Orientation,
    /// The document type in capitals, e.g. "NGHỊ QUYẾT", "BIÊN BẢN".
    pub title: String,
    /// The subject (trích yếu), printed bold under the title with a short rule
    /// below it, e.g. "về nhiệm vụ tháng 02 năm 2026".
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Vec<Block>,
    /// One signature is printed in the right column (beside "Nơi nhận"); two
    /// are printed side by side, the first on the left (minutes: the
    /// minute-taker left, the chair right).
    #[serde(default)]
    pub signatures: Vec<Signature>,
    /// The lines under "Nơi nhận:", e.g. "- Đảng ủy phường (để báo cáo),".
    /// Empty: no recipients block.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// A short code printed on every page, e.g. "3F9A-21C7": a prefix of the
    /// locked document's hash that `chibo audit verify` can match.
    #[serde(default)]
    pub check_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

impl Orientation {
    /// The page's width and height in millimetres (A4).
    pub fn page_mm(self) -> (f32, f32) {
        match self {
            Orientation::Portrait => (210.0, 297.0),
            Orientation::Landscape => (297.0, 210.0),
        }
    }
}

/// What a file says about itself (PDF document information, DOCX core
/// properties), beside what it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Properties {
    /// E.g. "Nghị quyết số 05-NQ/CB về nhiệm vụ tháng 02 năm 2026", or the
    /// dossier's own title.
    pub title: String,
    /// The unit that issues the file, or the person who produced it.
    pub author: String,
    /// When the file was produced; `None` leaves the date out (and keeps the
    /// output byte-for-byte reproducible).
    pub created: Option<DateTime<Utc>>,
}

impl Properties {
    /// The document's own title ("NGHỊ QUYẾT về …") and its issuer as the
    /// author, without a date.
    pub fn of(doc: &Document) -> Self {
        let title = match &doc.subject {
            Some(subject) => format!("{} {subject}", doc.title),
            None => doc.title.clone(),
        };
        Properties {
            title,
            author: doc.header.issuer.clone(),
            created: None,
        }
    }
}

/// The two-column header: issuing organisation on the left, the Party's name
/// and the place and date on the right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The superior organisation in capitals, e.g. "ĐẢNG BỘ PHƯỜNG BẾN NGHÉ".
    pub superior: String,
    /// The issuing organisation in capitals (printed bold), e.g. "CHI BỘ KHU PHỐ 3".
    pub issuer: String,
    /// The number and symbol, e.g. "Số 05-NQ/CB". `None` for papers without one.
    #[serde(default)]
    pub number: Option<String>,
    /// The place and date, printed in italics, e.g.
    /// "Bến Nghé, ngày 05 tháng 02 năm 2026".
    pub place_date: String,
}

/// A piece of the body, in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A heading with its numbering written by the caller: level 1 for
    /// "I. KẾT QUẢ …" (bold), level 2 for "1. Công tác …" (bold), deeper
    /// levels bold italic.
    Heading {
        level: u8,
        text: String,
    },
    /// A justified paragraph with a first-line indent, made of styled spans.
    Paragraph {
        spans: Vec<Span>,
    },
    /// A dash list ("- …"), as Party documents write them.
    Bullets {
        items: Vec<String>,
    },
    Table(Table),
    /// The voting result of the document, e.g. "Nghị quyết được 18/20 đồng chí
    /// có mặt tán thành, đạt 90%.", set apart in bold italics.
    VoteLine {
        text: String,
    },
}

impl Block {
    /// A plain paragraph of one unstyled span.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Block::Paragraph {
            spans: vec![Span::plain(text)],
        }
    }

    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Block::Heading {
            level,
            text: text.into(),
        }
    }

    pub fn bullets<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        Block::Bullets {
            items: items.into_iter().map(Into::into).collect(),
        }
    }

    pub fn vote_line(text: impl Into<String>) -> Self {
        Block::VoteLine { text: text.into() }
    }
}

/// A run of text inside a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub italic: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            ..Span::default()
        }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            bold: true,
            italic: false,
        }
    }

    pub fn italic(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            bold: false,
            italic: true,
        }
    }
}

/// A ruled table with a bold header row (repeated on each page). Its columns
/// are as wide as their content needs: no text crosses a border, whatever
/// the data (see `fit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<Column>,
    /// One cell per column in each row; a short row is padded with blanks.
    /// A newline in a cell breaks the line.
    #[serde(default)]
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub title: String,
    #[serde(default)]
    pub align: Align,
    /// Each cell stays on one line: codes ("79.001.000.000.001"), dates,
    /// figures, document numbers ("Số 01-NQ/CB"). Other columns wrap between
    /// words.
    #[serde(default)]
    pub one_line: bool,
    /// At least this wide, in millimetres, whatever it holds: room for
    /// handwriting (the attendance list's signatures).
    #[serde(default)]
    pub room_mm: f32,
}

impl Column {
    /// A column whose cells wrap between words.
    pub fn new(title: impl Into<String>, align: Align) -> Self {
        Column {
            title: title.into(),
            align,
            one_line: false,
            room_mm: 0.0,
        }
    }

    /// A column left at least `mm` wide for handwriting.
    pub fn with_room_mm(mut self, mm: f32) -> Self {
        self.room_mm = mm;
        self
    }

    /// A column whose cells each stay on one line.
    pub fn one_line(title: impl Into<String>, align: Align) -> Self {
        Column {
            one_line: true,
            ..Column::new(title, align)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// A signature block: "T/M CHI BỘ" over "BÍ THƯ", room for the handwritten
/// signature, then the full name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// "T/M CHI BỘ", "T/M CHI ỦY"; `None` when one signs in one's own name
    /// (minutes: "NGƯỜI GHI BIÊN BẢN").
    #[serde(default)]
    pub on_behalf: Option<String>,
    /// "BÍ THƯ", "PHÓ BÍ THƯ", "CHỦ TRÌ", "NGƯỜI GHI BIÊN BẢN".
    pub role: String,
    /// The full name, without academic titles.
    pub name: String,
}

/// Page geometry and type sizes, from the rule pack. `Layout::default()`
/// follows rules-vn §8 (HD 05-HD/VPTW as implemented in 2026).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
    /// Body text, subject line, headings, tables, signatures.
    pub body_pt: f32,
    /// The document type ("NGHỊ QUYẾT").
    pub title_pt: f32,
    /// Superior and issuing organisation, number, place and date.
    pub header_pt: f32,
    /// "ĐẢNG CỘNG SẢN VIỆT NAM".
    pub party_pt: f32,
    /// "Nơi nhận" and its lines, the check code, page numbers.
    pub small_pt: f32,
    /// Tables start at the body size and shrink, half a point at a time,
    /// down to this size when their columns do not fit the page otherwise.
    pub table_min_pt: f32,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            margin_top_mm: 20.0,
            margin_bottom_mm: 20.0,
            margin_left_mm: 30.0,
            margin_right_mm: 15.0,
            body_pt: 14.0,
            title_pt: 16.0,
            header_pt: 14.0,
            party_pt: 15.0,
            small_pt: 12.0,
            table_min_pt: 10.0,
        }
    }
}
