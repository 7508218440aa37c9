//! Workbooks (XLSX, XLSB, ODS, XLS) through calamine.

use std::io::{Cursor, Read, Seek};

use calamine::{
    CellType, Data, DataRef, Ods, OdsError, Range, Reader, ReaderRef, SheetType, SheetVisible,
    Sheets, Xls, XlsError, Xlsb, Xlsx, XlsxError,
};

use super::header::{Layout, Matcher, Missing, RawRow, SCAN_ROWS};
use super::{Row, SheetError, SheetFormat, Table, cell};

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
    // XLSX and XLSB can lend their shared strings instead of copying them
    // for every cell; calamine offers that for no other format.
    let lends = matches!(book, Sheets::Xlsx(_) | Sheets::Xlsb(_));
    let corrupt = |e: calamine::Error| SheetError::Corrupt(e.to_string());
    let mut nearest: Option<Missing> = None;
    for name in names {
        let found = if lends {
            let range = book.worksheet_range_ref(&name).map_err(corrupt)?;
            sheet(&range, cell::value, matcher)
        } else {
            let range = book.worksheet_range(&name).map_err(corrupt)?;
            sheet(&range, |c| cell::value(&lent(c)), matcher)
        };
        match found {
            Some(Ok((layout, rows))) => {
                return Ok(Table {
                    format,
                    sheet_name: Some(name),
                    header_row: layout.header_row,
                    columns: layout.columns,
                    ignored_headers: layout.ignored,
                    rows,
                });
            }
            Some(Err(missing)) if nearest.as_ref().is_none_or(|n| missing.score > n.score) => {
                nearest = Some(missing);
            }
            Some(Err(_)) | None => {}
        }
    }
    match nearest {
        Some(missing) => Err(SheetError::MissingColumns(missing.labels)),
        None => Err(SheetError::Empty),
    }
}

/// The header and data rows of one worksheet; `None` if it is blank.
fn sheet<T: CellType>(
    range: &Range<T>,
    value: impl Fn(&T) -> Option<String>,
    matcher: &Matcher,
) -> Option<Result<(Layout, Vec<Row>), Missing>> {
    let (first_row, first_col) = range.start()?;
    let (first_row, first_col) = (first_row as usize, first_col as usize);
    let head: Vec<RawRow> = range
        .rows()
        .take(SCAN_ROWS)
        .enumerate()
        .map(|(i, cells)| RawRow {
            number: first_row + i + 1,
            cells: cells.iter().map(&value).collect(),
        })
        .filter(|row| row.cells.iter().any(Option::is_some))
        .collect();
    if head.is_empty() {
        return None;
    }
    let layout = match matcher.locate(&head, first_col) {
        Ok(layout) => layout,
        Err(missing) => return Some(Err(missing)),
    };
    let rows = range
        .rows()
        .enumerate()
        .skip(layout.header_row - first_row)
        .filter_map(|(i, cells)| {
            let picked = layout
                .picks()
                .iter()
                .map(|&p| cells.get(p).and_then(&value))
                .collect();
            layout.row(first_row + i + 1, picked)
        })
        .collect();
    Some(Ok((layout, rows)))
}

/// An owned cell seen as a lent one, so one conversion serves all formats.
fn lent(cell: &Data) -> DataRef<'_> {
    match cell {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) | Data::DurationIso(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}
