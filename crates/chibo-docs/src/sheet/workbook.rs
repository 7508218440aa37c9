//! Workbooks (XLSX, XLSB, ODS, XLS) through calamine. XLSX and XLSB are
//! read cell by cell as the sheet's XML inflates: the rectangle a sheet
//! declares (or spans, from A1 to XFD1048576) is never allocated. XLS and
//! ODS, which calamine only lays out whole, are measured first
//! ([`super::limits`]).

use std::io::{Cursor, Read, Seek};

use calamine::{
    Data, DataRef, Ods, OdsError, Range, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsb,
    Xlsx, XlsxError,
};

use super::assemble::{Assembler, Finished, Step};
use super::header::{Matcher, Missing, RawRow};
use super::{Limits, Outline, SheetError, SheetFormat, Sink, cell, limits, numfmt};

/// A zip container: XLSX, XLSB or ODS (or something else zipped, such as
/// a Word document, which is not a spreadsheet).
pub(super) fn read_zip(
    bytes: &[u8],
    matcher: &Matcher,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Outline, SheetError> {
    limits::check_zip(bytes, limits)?;
    let data = Cursor::new(bytes);
    if let Ok(mut book) = Xlsx::new(data.clone()) {
        let names = visible(book.sheets_metadata());
        return sheets(
            names,
            matcher,
            limits,
            sink,
            SheetFormat::Xlsx,
            |name, asm, sink| xlsx_sheet(&mut book, name, asm, sink),
        );
    }
    if let Ok(mut book) = Xlsb::new(data.clone()) {
        let names = visible(book.sheets_metadata());
        return sheets(
            names,
            matcher,
            limits,
            sink,
            SheetFormat::Xlsb,
            |name, asm, sink| xlsb_sheet(&mut book, name, asm, sink),
        );
    }
    match Ods::new(data) {
        Ok(mut book) => {
            let names = visible(book.sheets_metadata());
            sheets(
                names,
                matcher,
                limits,
                sink,
                SheetFormat::Ods,
                |name, asm, sink| {
                    let range = book.worksheet_range(name).map_err(corrupt)?;
                    range_sheet(&range, asm, sink)
                },
            )
        }
        Err(OdsError::Password) => Err(SheetError::Encrypted),
        Err(OdsError::CellLimitExceeded { max, .. }) => Err(SheetError::TooManyCells {
            sheet: String::new(),
            limit: max as u64,
        }),
        Err(_) => Err(SheetError::NotASpreadsheet),
    }
}

/// An OLE container: a legacy XLS, or an XLSX that Excel encrypted with a
/// password (or another Office document).
pub(super) fn read_ole(
    bytes: &[u8],
    matcher: &Matcher,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Outline, SheetError> {
    limits::check_xls(bytes, limits)?;
    let data = Cursor::new(bytes);
    match Xls::new(data.clone()) {
        Ok(mut book) => {
            let names = visible(book.sheets_metadata());
            sheets(
                names,
                matcher,
                limits,
                sink,
                SheetFormat::Xls,
                |name, asm, sink| {
                    let range = book.worksheet_range(name).map_err(corrupt)?;
                    range_sheet(&range, asm, sink)
                },
            )
        }
        Err(XlsError::Password) => Err(SheetError::Encrypted),
        Err(_) => match Xlsx::new(data) {
            Err(XlsxError::Password) => Err(SheetError::Encrypted),
            _ => Err(SheetError::NotASpreadsheet),
        },
    }
}

fn corrupt(e: impl std::fmt::Display) -> SheetError {
    SheetError::Corrupt(e.to_string())
}

fn visible(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

/// Reads the first visible worksheet whose header names every required
/// column: workbooks often open with an instructions sheet.
fn sheets(
    names: Vec<String>,
    matcher: &Matcher,
    limits: &Limits,
    sink: &mut dyn Sink,
    format: SheetFormat,
    mut read: impl FnMut(&str, &mut Assembler, &mut dyn Sink) -> Result<(), SheetError>,
) -> Result<Outline, SheetError> {
    let mut nearest: Option<Missing> = None;
    for name in names {
        let mut asm = Assembler::new(matcher, limits, format, Some(name.clone()));
        read(&name, &mut asm, sink)?;
        match asm.finish(sink)? {
            Finished::Table(outline) => return Ok(outline),
            Finished::Missing(missing)
                if nearest.as_ref().is_none_or(|n| missing.score > n.score) =>
            {
                nearest = Some(missing);
            }
            Finished::Missing(_) | Finished::Blank => {}
        }
    }
    match nearest {
        Some(missing) => Err(SheetError::MissingColumns(missing.labels)),
        None => Err(SheetError::Empty),
    }
}

/// Gathers cells, which come row by row, into rows for the assembler.
struct Rows<'s> {
    current: Option<RawRow>,
    max_columns: usize,
    sink: &'s mut dyn Sink,
}

impl<'s> Rows<'s> {
    fn new(max_columns: usize, sink: &'s mut dyn Sink) -> Self {
        Self {
            current: None,
            max_columns,
            sink,
        }
    }

    /// A cell at 0-based (row, column); `Step::Stop` once the assembler
    /// has had enough.
    fn cell(
        &mut self,
        asm: &mut Assembler,
        row: usize,
        column: usize,
        text: Option<String>,
    ) -> Result<Step, SheetError> {
        let (Some(text), true) = (text, column < self.max_columns) else {
            return Ok(Step::More);
        };
        let number = row + 1;
        let mut step = Step::More;
        if self.current.as_ref().is_some_and(|r| r.number != number) {
            step = self.flush(asm)?;
        }
        let current = self.current.get_or_insert_with(|| RawRow {
            number,
            cells: Vec::new(),
        });
        if current.cells.len() <= column {
            current.cells.resize(column + 1, None);
        }
        current.cells[column] = Some(text);
        Ok(step)
    }

    fn flush(&mut self, asm: &mut Assembler) -> Result<Step, SheetError> {
        match self.current.take() {
            Some(row) => asm.push(row, self.sink),
            None => Ok(Step::More),
        }
    }
}

fn xlsx_sheet<RS: Read + Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
    asm: &mut Assembler,
    sink: &mut dyn Sink,
) -> Result<(), SheetError> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(()),
        Err(e) => return Err(corrupt(e)),
    };
    let mut rows = Rows::new(asm.max_columns(), sink);
    while let Some((c, style)) = reader.next_cell_with_style_id().map_err(corrupt)? {
        let (r, col) = c.get_position();
        if col as usize >= rows.max_columns {
            continue;
        }
        let format = reader
            .styles()
            .get(style)
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str());
        let text = shown(c.get_value(), format);
        if rows.cell(asm, r as usize, col as usize, text)? == Step::Stop {
            return Ok(());
        }
    }
    rows.flush(asm)?;
    Ok(())
}

fn xlsb_sheet<RS: Read + Seek>(
    book: &mut Xlsb<RS>,
    name: &str,
    asm: &mut Assembler,
    sink: &mut dyn Sink,
) -> Result<(), SheetError> {
    let mut reader = book.worksheet_cells_reader(name).map_err(corrupt)?;
    let mut rows = Rows::new(asm.max_columns(), sink);
    while let Some(c) = reader.next_cell().map_err(corrupt)? {
        let (r, col) = c.get_position();
        let text = cell::value(c.get_value());
        if rows.cell(asm, r as usize, col as usize, text)? == Step::Stop {
            return Ok(());
        }
    }
    rows.flush(asm)?;
    Ok(())
}

/// A number as its format shows it (leading zeros, digits laid out as a
/// date), else as [`cell::value`] writes any cell.
fn shown(value: &DataRef<'_>, format: Option<&str>) -> Option<String> {
    let number = match value {
        DataRef::Float(f) => Some(*f),
        DataRef::Int(i) => Some(*i as f64),
        _ => None,
    };
    number
        .zip(format)
        .and_then(|(n, code)| numfmt::display(n, code))
        .or_else(|| cell::value(value))
}

/// A sheet calamine laid out whole (already bounded), row by row.
fn range_sheet(
    range: &Range<Data>,
    asm: &mut Assembler,
    sink: &mut dyn Sink,
) -> Result<(), SheetError> {
    let Some((first_row, first_col)) = range.start() else {
        return Ok(());
    };
    let (first_row, first_col) = (first_row as usize, first_col as usize);
    let max_columns = asm.max_columns();
    for (i, cells) in range.rows().enumerate() {
        let mut raw = RawRow {
            number: first_row + i + 1,
            cells: vec![None; first_col.min(max_columns)],
        };
        raw.cells.extend(
            cells
                .iter()
                .take(max_columns.saturating_sub(first_col))
                .map(|c| cell::value(&lent(c))),
        );
        if asm.push(raw, sink)? == Step::Stop {
            break;
        }
    }
    Ok(())
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
