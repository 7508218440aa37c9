//! Writing tables: spreadsheets an office can sum, sort and print as they
//! come, and the member layout [`read_table`](super::read_table) reads back.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use super::{ColumnSpec, SheetError};

/// Excel's limits per worksheet.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;
/// The office's typeface (Word and Excel documents of the Party use it).
const FONT: &str = "Times New Roman";
const FONT_PT: f64 = 12.0;
/// Excel's paper code for A4.
const A4: u8 = 9;
/// How a date shows: the Vietnamese order.
const DATE_FORMAT: &str = "dd/mm/yyyy";

/// What a column holds, which decides its cells' type and format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Words: names, statuses.
    Text,
    /// An identifier written with digits (card number, CCCD, unit code):
    /// text, so that leading zeros stay and nobody sums it.
    Id,
    /// A count: a number, summable.
    Count,
    /// A whole percentage ("87" for 87 %): a number.
    Percent,
    /// A real date, shown dd/mm/yyyy, sorting by date.
    Date,
}

#[derive(Debug, Clone, Copy)]
pub struct ExportColumn<'a> {
    pub label: &'a str,
    pub kind: Kind,
}

/// One cell. A value that does not suit its column's kind is written as what
/// it is (a count in a text column is still a number).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(i64),
    Date(NaiveDate),
}

/// A cell of the total row.
#[derive(Debug, Clone, PartialEq)]
pub enum Total {
    /// `=SUM(…)` over the column's data, its value computed too (shown by
    /// readers that do not recalculate).
    Sum,
    Value(Value),
}

/// A table to export.
#[derive(Debug, Clone)]
pub struct Export<'a> {
    /// The worksheet's name (31 characters at most).
    pub sheet: &'a str,
    /// Lines above the table, the first in larger bold type (the issuing
    /// unit, the title, the date of the figures).
    pub title: Vec<String>,
    pub columns: Vec<ExportColumn<'a>>,
    pub rows: Vec<Vec<Value>>,
    /// A last row of totals ("Cộng"), one cell per column.
    pub totals: Option<Vec<Total>>,
}

/// Writes an XLSX workbook of one sheet: the title lines, a blank row, a
/// bold header row (frozen, with a filter, repeated on every printed page),
/// the rows, then the totals. Counts and percentages are numbers, dates are
/// dates (dd/mm/yyyy), identifiers and words are text. The sheet prints on
/// A4 landscape, one page wide, in Times New Roman with ruled cells.
pub fn write_table(export: &Export) -> Result<Vec<u8>, SheetError> {
    let columns = &export.columns;
    let header_row = if export.title.is_empty() {
        0
    } else {
        export.title.len() + 1
    };
    let rows_needed = header_row + 2 + export.rows.len();
    if rows_needed > MAX_ROWS || columns.len() > MAX_COLUMNS {
        return Err(SheetError::TooLarge);
    }
    let base = || Format::new().set_font_name(FONT).set_font_size(FONT_PT);
    let ruled = || base().set_border(FormatBorder::Thin);
    let format_of = |kind: Kind| match kind {
        Kind::Text | Kind::Id => ruled().set_num_format("@").set_text_wrap(),
        Kind::Count | Kind::Percent => ruled().set_num_format("#,##0"),
        Kind::Date => ruled()
            .set_num_format(DATE_FORMAT)
            .set_align(FormatAlign::Center),
    };
    let formats: Vec<Format> = columns.iter().map(|c| format_of(c.kind)).collect();
    let head = ruled()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(export.sheet).map_err(failed)?;
    for (c, width) in widths(export).into_iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, width).map_err(failed)?;
        // Rows added later in Excel take the column's format too.
        let plain = match columns[c as usize].kind {
            Kind::Text | Kind::Id => base().set_num_format("@"),
            Kind::Count | Kind::Percent => base().set_num_format("#,##0"),
            Kind::Date => base().set_num_format(DATE_FORMAT),
        };
        sheet.set_column_format(c, &plain).map_err(failed)?;
    }
    for (r, line) in export.title.iter().enumerate() {
        let format = if r == 0 {
            base().set_bold().set_font_size(14)
        } else {
            base().set_bold()
        };
        sheet
            .write_string_with_format(r as u32, 0, line, &format)
            .map_err(failed)?;
    }
    let header_row = header_row as u32;
    for (c, column) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, c as u16, column.label, &head)
            .map_err(failed)?;
    }
    let first_data = header_row + 1;
    for (r, row) in export.rows.iter().enumerate() {
        let r = first_data + r as u32;
        for (c, value) in row.iter().take(columns.len()).enumerate() {
            write_value(sheet, r, c as u16, value, &formats[c])?;
        }
    }
    let last_data = first_data + export.rows.len() as u32;
    if let Some(totals) = &export.totals {
        for (c, total) in totals.iter().take(columns.len()).enumerate() {
            let c16 = c as u16;
            let format = formats[c].clone().set_bold();
            match total {
                Total::Sum => {
                    let letter = column_letter(c16);
                    let sum: i64 = export
                        .rows
                        .iter()
                        .filter_map(|row| match row.get(c) {
                            Some(Value::Number(n)) => Some(*n),
                            _ => None,
                        })
                        .sum();
                    let formula = Formula::new(format!(
                        "=SUM({letter}{}:{letter}{})",
                        first_data + 1,
                        last_data
                    ))
                    .set_result(sum.to_string());
                    sheet
                        .write_formula_with_format(last_data, c16, formula, &format)
                        .map_err(failed)?;
                }
                Total::Value(value) => write_value(sheet, last_data, c16, value, &format)?,
            }
        }
    }
    if !columns.is_empty() {
        sheet.set_freeze_panes(first_data, 0).map_err(failed)?;
        let last_row = first_data + export.rows.len().max(1) as u32 - 1;
        sheet
            .autofilter(header_row, 0, last_row, columns.len() as u16 - 1)
            .map_err(failed)?;
        sheet
            .set_repeat_rows(header_row, header_row)
            .map_err(failed)?;
    }
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3)
        .set_footer("&C&\"Times New Roman\"&10Trang &P/&N");
    book.save_to_buffer().map_err(failed)
}

fn write_value(
    sheet: &mut Worksheet,
    r: u32,
    c: u16,
    value: &Value,
    format: &Format,
) -> Result<(), SheetError> {
    match value {
        Value::Empty => sheet.write_blank(r, c, format),
        Value::Text(s) => sheet.write_string_with_format(r, c, s, format),
        Value::Number(n) => sheet.write_number_with_format(r, c, *n as f64, format),
        Value::Date(d) => {
            let date = ExcelDateTime::from_ymd(
                u16::try_from(d.year()).map_err(|_| SheetError::Write(format!("{d}")))?,
                d.month() as u8,
                d.day() as u8,
            )
            .map_err(failed)?;
            sheet.write_datetime_with_format(r, c, &date, format)
        }
    }
    .map(|_| ())
    .map_err(failed)
}

/// "A", "B", … "Z", "AA" …
fn column_letter(c: u16) -> String {
    let mut n = u32::from(c) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Writes the member table as XLSX, in the layout [`read_table`] reads back,
/// so that export → import changes nothing: an optional bold title, the
/// columns' labels as the header, one row per entry of `rows` (missing cells
/// are empty; cells past the last column are not written).
///
/// A column whose every value is a date written dd/mm/yyyy becomes a date
/// column (real dates: they sort, and read back as the same text); every
/// other value stays text, so card numbers and CCCD keep their leading
/// zeros.
///
/// [`read_table`]: super::read_table
pub fn write_xlsx(
    title: Option<&str>,
    columns: &[ColumnSpec],
    rows: &[Vec<Option<String>>],
) -> Result<Vec<u8>, SheetError> {
    let kinds: Vec<Kind> = (0..columns.len())
        .map(|c| {
            let mut values = rows
                .iter()
                .filter_map(|r| r.get(c).and_then(Option::as_deref))
                .filter(|v| !v.is_empty())
                .peekable();
            if values.peek().is_some() && values.all(|v| parse_date(v).is_some()) {
                Kind::Date
            } else {
                Kind::Text
            }
        })
        .collect();
    let export = Export {
        sheet: "Danh sách",
        title: title.map(String::from).into_iter().collect(),
        columns: columns
            .iter()
            .zip(&kinds)
            .map(|(c, &kind)| ExportColumn {
                label: c.label,
                kind,
            })
            .collect(),
        rows: rows
            .iter()
            .map(|row| {
                kinds
                    .iter()
                    .enumerate()
                    .map(|(c, kind)| match row.get(c).and_then(Option::as_deref) {
                        None | Some("") => Value::Empty,
                        Some(v) => match (kind, parse_date(v)) {
                            (Kind::Date, Some(d)) => Value::Date(d),
                            _ => Value::Text(v.to_owned()),
                        },
                    })
                    .collect()
            })
            .collect(),
        totals: None,
    };
    write_table(&export)
}

/// A date written dd/mm/yyyy, as chibo writes them.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[2] != b'/' || b[5] != b'/' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%d/%m/%Y").ok()
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
/// within reason: long text wraps in its cell instead.
fn widths(export: &Export) -> Vec<f64> {
    let mut widest: Vec<usize> = export
        .columns
        .iter()
        .map(|c| {
            // A header wraps: its longest word counts, and a third of it all.
            let words = c.label.split_whitespace().map(|w| w.chars().count());
            words.max().unwrap_or(0).max(c.label.chars().count() / 3)
        })
        .collect();
    for row in &export.rows {
        for (w, value) in widest.iter_mut().zip(row) {
            let len = match value {
                Value::Empty => 0,
                Value::Text(s) => s.chars().count(),
                Value::Number(n) => n.to_string().len() + n.to_string().len() / 3,
                Value::Date(_) => 10,
            };
            *w = (*w).max(len);
        }
    }
    widest
        .into_iter()
        .map(|w| (w + 2).clamp(6, 45) as f64)
        .collect()
}

fn failed(e: XlsxError) -> SheetError {
    match e {
        XlsxError::RowColumnLimitError | XlsxError::MaxStringLengthExceeded => SheetError::TooLarge,
        e => SheetError::Write(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use std::io::{Cursor, Read};

    fn roll_up() -> Export<'static> {
        let rows = (0..40)
            .map(|i| {
                vec![
                    Value::Text(format!("79.001.000.000.{:03}", i + 1)),
                    Value::Text(format!("Chi bộ Khu phố {}", i + 1)),
                    Value::Date(
                        NaiveDate::from_ymd_opt(2026, 10 + (i % 3) as u32, 1 + i as u32 % 28)
                            .unwrap(),
                    ),
                    Value::Number(10 + i),
                    Value::Number(12 + i),
                    Value::Number(83),
                ]
            })
            .collect();
        Export {
            sheet: "Tổng hợp",
            title: vec![
                "ĐẢNG ỦY PHƯỜNG BẾN NGHÉ".into(),
                "Tổng hợp quý IV năm 2026".into(),
            ],
            columns: vec![
                ExportColumn {
                    label: "Mã",
                    kind: Kind::Id,
                },
                ExportColumn {
                    label: "Chi bộ",
                    kind: Kind::Text,
                },
                ExportColumn {
                    label: "Sinh hoạt gần nhất",
                    kind: Kind::Date,
                },
                ExportColumn {
                    label: "Có mặt",
                    kind: Kind::Count,
                },
                ExportColumn {
                    label: "Điểm danh",
                    kind: Kind::Count,
                },
                ExportColumn {
                    label: "Tỷ lệ (%)",
                    kind: Kind::Percent,
                },
            ],
            rows,
            totals: Some(vec![
                Total::Value(Value::Empty),
                Total::Value(Value::Text("Cộng (40 chi bộ)".into())),
                Total::Value(Value::Empty),
                Total::Sum,
                Total::Sum,
                Total::Value(Value::Number(81)),
            ]),
        }
    }

    fn part(xlsx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn counts_are_numbers_dates_are_dates_and_codes_stay_text() {
        let bytes = write_table(&roll_up()).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Tổng hợp").unwrap();
        // Title, title, blank, header: the data starts on the fifth row.
        assert_eq!(range.get_value((3, 0)), Some(&Data::String("Mã".into())));
        assert_eq!(
            range.get_value((4, 0)),
            Some(&Data::String("79.001.000.000.001".into()))
        );
        match range.get_value((4, 2)) {
            Some(Data::DateTime(d)) => {
                let (year, month, day, ..) = d.to_ymd_hms_milli();
                assert_eq!((year, month, day), (2026, 10, 1));
            }
            other => panic!("a date cell, not {other:?}"),
        }
        assert_eq!(range.get_value((4, 3)), Some(&Data::Float(10.0)));
        assert_eq!(range.get_value((4, 5)), Some(&Data::Float(83.0)));
    }

    #[test]
    fn the_total_row_sums_its_columns_with_formulas() {
        let export = roll_up();
        let bytes = write_table(&export).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let values = book.worksheet_range("Tổng hợp").unwrap();
        let formulas = book.worksheet_formula("Tổng hợp").unwrap();
        let total_row = 4 + 40;
        for column in [3u32, 4] {
            let formula = formulas
                .get_value((total_row, column))
                .expect("a formula in the total row");
            let letter = column_letter(column as u16);
            assert_eq!(formula, &format!("SUM({letter}5:{letter}44)"));
            // The formula's range, read back, adds up to what it shows.
            let sum: f64 = (4..total_row)
                .map(|r| match values.get_value((r, column)) {
                    Some(Data::Float(f)) => *f,
                    other => panic!("{other:?}"),
                })
                .sum();
            let expected: i64 = export
                .rows
                .iter()
                .map(|r| match &r[column as usize] {
                    Value::Number(n) => *n,
                    _ => 0,
                })
                .sum();
            assert_eq!(sum, expected as f64);
            assert_eq!(
                values.get_value((total_row, column)),
                Some(&Data::Float(sum))
            );
        }
        assert_eq!(
            values.get_value((total_row, 1)),
            Some(&Data::String("Cộng (40 chi bộ)".into()))
        );
    }

    #[test]
    fn the_sheet_prints_landscape_one_page_wide_with_its_header_on_each_page() {
        let bytes = write_table(&roll_up()).unwrap();
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{sheet}");
        assert!(sheet.contains(r#"paperSize="9""#), "{sheet}");
        assert!(sheet.contains(r#"orientation="landscape""#), "{sheet}");
        assert!(sheet.contains(r#"fitToHeight="0""#), "{sheet}");
        let book = part(&bytes, "xl/workbook.xml");
        assert!(
            book.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">'Tổng hợp'!$4:$4</definedName>"#),
            "{book}"
        );
        assert!(
            part(&bytes, "xl/styles.xml").contains(r#"formatCode="dd/mm/yyyy""#),
            "Vietnamese date format"
        );
    }

    #[test]
    fn member_dates_become_dates_and_identifiers_keep_their_zeros() {
        let columns = [
            ColumnSpec {
                key: "name",
                label: "Họ và tên",
                aliases: &[],
            },
            ColumnSpec {
                key: "born",
                label: "Ngày sinh",
                aliases: &[],
            },
            ColumnSpec {
                key: "id",
                label: "Số CCCD",
                aliases: &[],
            },
            ColumnSpec {
                key: "note",
                label: "Ghi chú",
                aliases: &[],
            },
        ];
        let rows = vec![
            vec![
                Some("Lê Thị Ánh".into()),
                Some("05/02/1975".into()),
                Some("001175012345".into()),
                Some("12/05/2020".into()),
            ],
            vec![
                Some("Trần Văn Đức".into()),
                None,
                Some("079080001234".into()),
                Some("chuyển đến".into()),
            ],
        ];
        let bytes = write_xlsx(Some("DANH SÁCH"), &columns, &rows).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Danh sách").unwrap();
        assert!(matches!(range.get_value((3, 1)), Some(Data::DateTime(_))));
        assert_eq!(
            range.get_value((3, 2)),
            Some(&Data::String("001175012345".into()))
        );
        // A column that is not all dates stays text.
        assert_eq!(
            range.get_value((3, 3)),
            Some(&Data::String("12/05/2020".into()))
        );
    }

    #[test]
    fn column_letters_run_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
    }

    #[test]
    fn only_real_dates_in_the_written_form_are_dates() {
        assert_eq!(
            parse_date("05/02/2026"),
            NaiveDate::from_ymd_opt(2026, 2, 5)
        );
        for not in ["31/02/2026", "5/2/2026", "2026-02-05", "012345678901", ""] {
            assert_eq!(parse_date(not), None, "{not}");
        }
    }
}
