//! Writing tables in the layout [`read_table`](super::read_table) reads.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::{ColumnSpec, SheetError};

/// Excel's limits per worksheet.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;

/// Writes an XLSX workbook of one sheet: an optional bold title (with a
/// blank row under it, as on paper), a bold frozen header of the columns'
/// labels with a filter, then one row per entry of `rows`, whose cells
/// follow `columns` (missing cells are empty; cells past the last column
/// are not written).
///
/// Every cell is text, and so is each column's format: card numbers and IDs
/// keep their leading zeros and dates stay dd/mm/yyyy, also in rows the
/// secretary adds later in Excel.
pub fn write_xlsx(
    title: Option<&str>,
    columns: &[ColumnSpec],
    rows: &[Vec<Option<String>>],
) -> Result<Vec<u8>, SheetError> {
    let header_row: usize = if title.is_some() { 2 } else { 0 };
    if header_row + 1 + rows.len() > MAX_ROWS || columns.len() > MAX_COLUMNS {
        return Err(SheetError::TooLarge);
    }
    let text = Format::new().set_num_format("@");
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_num_format("@");

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách").map_err(failed)?;
    for (c, width) in widths(columns, rows).into_iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, width).map_err(failed)?;
        sheet.set_column_format(c, &text).map_err(failed)?;
    }
    if let Some(title) = title {
        let bold = Format::new().set_bold().set_font_size(14);
        sheet
            .write_string_with_format(0, 0, title, &bold)
            .map_err(failed)?;
    }
    let header_row = header_row as u32;
    for (c, column) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, c as u16, column.label, &head)
            .map_err(failed)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = header_row + 1 + r as u32;
        for (c, value) in row.iter().take(columns.len()).enumerate() {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                sheet
                    .write_string_with_format(r, c as u16, value, &text)
                    .map_err(failed)?;
            }
        }
    }
    if !columns.is_empty() {
        let last_row = header_row + rows.len() as u32;
        sheet.set_freeze_panes(header_row + 1, 0).map_err(failed)?;
        sheet
            .autofilter(header_row, 0, last_row, columns.len() as u16 - 1)
            .map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// Writes CSV: UTF-8 with a byte-order mark (without it Excel reads the
/// Vietnamese letters in the Windows code page), `,` between fields, CRLF
/// line ends, the columns' labels as the header.
pub fn write_csv(columns: &[ColumnSpec], rows: &[Vec<Option<String>>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    // Writing to memory cannot fail.
    let written = "CSV into a Vec";
    writer
        .write_record(columns.iter().map(|c| c.label))
        .expect(written);
    for row in rows {
        let cells = (0..columns.len()).map(|c| row.get(c).and_then(Option::as_deref).unwrap_or(""));
        writer.write_record(cells).expect(written);
    }
    writer.flush().expect(written);
    drop(writer);
    out
}

/// Column widths (in characters) that fit the header and the longest value,
/// within reason.
fn widths(columns: &[ColumnSpec], rows: &[Vec<Option<String>>]) -> Vec<f64> {
    let mut widest: Vec<usize> = columns.iter().map(|c| c.label.chars().count()).collect();
    for row in rows {
        for (w, value) in widest.iter_mut().zip(row) {
            if let Some(value) = value {
                *w = (*w).max(value.chars().count());
            }
        }
    }
    widest
        .into_iter()
        .map(|w| (w + 2).clamp(8, 50) as f64)
        .collect()
}

fn failed(e: XlsxError) -> SheetError {
    match e {
        XlsxError::RowColumnLimitError | XlsxError::MaxStringLengthExceeded => SheetError::TooLarge,
        e => SheetError::Write(e.to_string()),
    }
}
