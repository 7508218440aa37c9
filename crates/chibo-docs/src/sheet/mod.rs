//! Member tables in and out of spreadsheets.
//!
//! [`read_rows`] takes a secretary's own file (XLSX, XLS, ODS or CSV, with
//! title rows above a header of one or two rows, headers spelled in many
//! ways, a signature block under the table) and hands the recognised
//! columns to a [`Sink`] as normalised text, row by row, with the
//! spreadsheet's own row numbers for messages; it never holds the whole
//! table, and an untrusted file is bounded by [`Limits`] before and while it
//! is read. [`read_table`] collects the rows. [`write_xlsx`] and
//! [`write_csv`] write the same layout back, so export → import round-trips;
//! [`write_table`] writes typed tables (counts, dates, totals) for offices.

mod assemble;
mod cell;
mod delimited;
mod error;
mod fold;
mod footer;
mod header;
mod limits;
mod numfmt;
mod workbook;
mod write;

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use error::SheetError;
pub use fold::fold;
pub use limits::Limits;
pub use write::{Export, ExportColumn, Kind, Total, Value, write_csv, write_table, write_xlsx};

/// A field the caller wants from the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Stable name used by the caller, e.g. `"ho_ten"`.
    pub key: &'static str,
    /// Canonical Vietnamese header, written on export and named in messages.
    pub label: &'static str,
    /// Other headers meaning the same. Matching ignores case, diacritics,
    /// spacing and punctuation, and a parenthesised remark such as "(*)".
    pub aliases: &'static [&'static str],
}

/// The file format a table was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

/// A recognised column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundColumn {
    pub key: &'static str,
    /// The header as written in the file.
    pub header_text: String,
    /// Spreadsheet column, e.g. "C".
    pub column_letter: String,
}

/// A header that matched no spec (or a second column for the same field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredColumn {
    pub header_text: String,
    pub column_letter: String,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based row number in the spreadsheet ("dòng 17").
    pub number: usize,
    /// Trimmed NFC text, or `None` for an empty cell; one per
    /// [`Table::columns`], in the same order.
    pub cells: Vec<Option<String>>,
    keys: Arc<[&'static str]>,
}

impl Row {
    /// The cell of the column with this key; `None` when it is empty or the
    /// sheet has no such column.
    pub fn get(&self, key: &str) -> Option<&str> {
        let i = self.keys.iter().position(|k| *k == key)?;
        self.cells[i].as_deref()
    }
}

/// Where a table is and what its header says, known before its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub format: SheetFormat,
    /// Worksheet the table came from (`None` for CSV).
    pub sheet_name: Option<String>,
    /// 1-based row number of the header (its top row, if it has two).
    pub header_row: usize,
    /// The first row below the header.
    pub data_from: usize,
    /// Recognised columns, left to right.
    pub columns: Vec<FoundColumn>,
    /// Headers that were not recognised, left to right.
    pub ignored_headers: Vec<IgnoredColumn>,
}

impl Header {
    /// The column with this key, e.g. for "dòng 17, cột C".
    pub fn column(&self, key: &str) -> Option<&FoundColumn> {
        self.columns.iter().find(|c| c.key == key)
    }
}

/// The block under the table (count, date, signatures), never read as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    /// Its first row.
    pub row: usize,
    /// Its first lines, cells joined by " · ".
    pub lines: Vec<String>,
    /// The count it states ("Tổng số: 4 đảng viên").
    pub stated_total: Option<usize>,
}

/// What reading a table found, besides its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    pub header: Header,
    pub footer: Option<Footer>,
    /// Data rows handed on.
    pub rows: usize,
}

/// Receives a table as it is read.
pub trait Sink {
    /// The header, before any row; `false` stops the reading.
    fn header(&mut self, header: &Header) -> bool;
    /// One data row; `false` stops the reading.
    fn row(&mut self, row: Row) -> bool;
}

/// The recognised part of a sheet, collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub format: SheetFormat,
    /// Worksheet the table came from (`None` for CSV).
    pub sheet_name: Option<String>,
    /// 1-based row number of the header.
    pub header_row: usize,
    /// Recognised columns, left to right.
    pub columns: Vec<FoundColumn>,
    /// Headers that were not recognised, left to right.
    pub ignored_headers: Vec<IgnoredColumn>,
    /// Data rows below the header, without entirely blank rows.
    pub rows: Vec<Row>,
    pub footer: Option<Footer>,
}

impl Table {
    /// The column with this key, e.g. for "dòng 17, cột C".
    pub fn column(&self, key: &str) -> Option<&FoundColumn> {
        self.columns.iter().find(|c| c.key == key)
    }
}

/// Reads the table in a spreadsheet file, handing its rows to `sink`.
///
/// The format comes from the content (zip or OLE container, else text); the
/// file name only rules out text posing as a workbook. In workbooks, the
/// first visible worksheet whose first 20 rows hold a header naming every
/// `required` key is read; in CSV the delimiter (`,` `;` or tab) is the one
/// under which the header is found. The header is the row (or pair of rows)
/// naming the most `columns`. The table ends at its footer.
pub fn read_rows(
    bytes: &[u8],
    file_name: &str,
    columns: &[ColumnSpec],
    required: &[&str],
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Outline, SheetError> {
    limits::check_file(bytes, limits)?;
    let matcher = header::Matcher::new(columns, required);
    match Container::of(bytes) {
        Container::Zip => workbook::read_zip(bytes, &matcher, limits, sink),
        Container::Ole => workbook::read_ole(bytes, &matcher, limits, sink),
        Container::Other if claims_binary_format(file_name) => {
            if is_blank(bytes) {
                Err(SheetError::Empty)
            } else {
                Err(SheetError::NotASpreadsheet)
            }
        }
        Container::Other => delimited::read(bytes, &matcher, limits, sink),
    }
}

/// Reads the whole table into memory, within the default [`Limits`].
pub fn read_table(
    bytes: &[u8],
    file_name: &str,
    columns: &[ColumnSpec],
    required: &[&str],
) -> Result<Table, SheetError> {
    struct Collect(Vec<Row>);
    impl Sink for Collect {
        fn header(&mut self, _: &Header) -> bool {
            true
        }
        fn row(&mut self, row: Row) -> bool {
            self.0.push(row);
            true
        }
    }
    let mut rows = Collect(Vec::new());
    let outline = read_rows(
        bytes,
        file_name,
        columns,
        required,
        &Limits::default(),
        &mut rows,
    )?;
    let h = outline.header;
    Ok(Table {
        format: h.format,
        sheet_name: h.sheet_name,
        header_row: h.header_row,
        columns: h.columns,
        ignored_headers: h.ignored_headers,
        rows: rows.0,
        footer: outline.footer,
    })
}

enum Container {
    Zip,
    Ole,
    Other,
}

impl Container {
    fn of(bytes: &[u8]) -> Self {
        if bytes.starts_with(b"PK\x03\x04") {
            Container::Zip
        } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            Container::Ole
        } else {
            Container::Other
        }
    }
}

/// Nothing but whitespace (and perhaps a byte-order mark).
fn is_blank(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// A name whose extension promises a binary format; such a file that is
/// neither zip nor OLE is not a spreadsheet, even if it is text (web pages
/// saved as ".xls", for one).
fn claims_binary_format(file_name: &str) -> bool {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some(
            "xlsx"
                | "xlsm"
                | "xls"
                | "ods"
                | "xlsb"
                | "pdf"
                | "docx"
                | "doc"
                | "png"
                | "jpg"
                | "jpeg"
        )
    )
}
