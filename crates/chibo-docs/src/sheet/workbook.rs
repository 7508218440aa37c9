//! Workbooks (XLSX, XLSB, ODS, XLS) through calamine.

use std::io::{Cursor, Read, Seek};

use calamine::{
    Ods, OdsError, Reader, ReaderRef, SheetType, SheetVisible, Sheets, Xls, XlsError, Xlsb, Xlsx,
    XlsxError,
};

use super::header::{Matcher, Missing, RawRow, SCAN_ROWS};
use super::{SheetError, SheetFormat, Table, cell};

/// A zip container: XLSX, XLSB or ODS (or something else zipped, such as
/// a Word document, which is not a spreadsheet).
pub(super) fn read_zip(bytes: &[u8], matcher: &Matcher) -> Result<Table, SheetError> {
    let data = Cursor::new(bytes);
    if let Ok(book) = Xlsx::new(data.clone()) {
        return read(Sheets::Xlsx(book), SheetFormat::Xlsx, matcher);
    }
    if let Ok(book) = Xlsb::new(data.clone()) {
        return read(Sheets::Xlsb(book), SheetFormat::Xlsb, matcher);
    }
    match Ods::new(data) {
        Ok(book) => read(Sheets::Ods(book), SheetFormat::Ods, matcher),
        Err(OdsError::Password) => Err(SheetError::Encrypted),
        Err(_) => Err(SheetError::NotASpreadsheet),
    }
}

/// An OLE container: a legacy XLS, or an XLSX that Excel encrypted with a
/// password (or another Office document).
pub(super) fn read_ole(bytes: &[u8], matcher: &Matcher) -> Result<Table, SheetError> {
    let data = Cursor::new(bytes);
    match Xls::new(data.clone()) {
        Ok(book) => read(Sheets::Xls(book), SheetFormat::Xls, matcher),
        Err(XlsError::Password) => Err(SheetError::Encrypted),
        Err(_) => match Xlsx::new(data) {
            Err(XlsxError::Password) => Err(SheetError::Encrypted),
            _ => Err(SheetError::NotASpreadsheet),
        },
    }
}

/// Reads the first visible worksheet whose header names every required
/// column: workbooks often open with an instructions sheet.
fn read<RS: Read + Seek>(
    mut book: Sheets<RS>,
    format: SheetFormat,
    matcher: &Matcher,
) -> Result<Table, SheetError> {
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut nearest: Option<Missing> = None;
    for name in names {
        let range = book
            .worksheet_range_ref(&name)
            .map_err(|e| SheetError::Corrupt(e.to_string()))?;
        let Some((first_row, first_col)) = range.start() else {
            continue;
        };
        let (first_row, first_col) = (first_row as usize, first_col as usize);
        let head: Vec<RawRow> = range
            .rows()
            .take(SCAN_ROWS)
            .enumerate()
            .map(|(i, cells)| RawRow {
                number: first_row + i + 1,
                cells: cells.iter().map(cell::value).collect(),
            })
            .filter(|row| row.cells.iter().any(Option::is_some))
            .collect();
        if head.is_empty() {
            continue;
        }
        let layout = match matcher.locate(&head, first_col) {
            Ok(layout) => layout,
            Err(missing) => {
                if nearest.as_ref().is_none_or(|n| missing.score > n.score) {
                    nearest = Some(missing);
                }
                continue;
            }
        };
        let rows = range
            .rows()
            .enumerate()
            .skip(layout.header_row - first_row)
            .filter_map(|(i, cells)| {
                let picked = layout
                    .picks()
                    .iter()
                    .map(|&p| cells.get(p).and_then(cell::value))
                    .collect();
                layout.row(first_row + i + 1, picked)
            })
            .collect();
        return Ok(Table {
            format,
            sheet_name: Some(name),
            header_row: layout.header_row,
            columns: layout.columns,
            ignored_headers: layout.ignored,
            rows,
        });
    }
    match nearest {
        Some(missing) => Err(SheetError::MissingColumns(missing.labels)),
        None => Err(SheetError::Empty),
    }
}
