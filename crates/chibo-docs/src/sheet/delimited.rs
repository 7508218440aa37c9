//! CSV and tab-separated text, as Excel and LibreOffice save it.

use std::borrow::Cow;

use csv::{ReaderBuilder, StringRecord};

use super::assemble::{Assembler, Finished, Step};
use super::header::{Layout, Matcher, Missing, RawRow, SCAN_ROWS};
use super::{Limits, Outline, SheetError, SheetFormat, Sink, cell};

/// Excel's "CSV UTF-8" uses `,` or, where `,` is the decimal mark, `;`;
/// its "Unicode Text" uses tabs.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

pub(super) fn read(
    bytes: &[u8],
    matcher: &Matcher,
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Result<Outline, SheetError> {
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(SheetError::Empty);
    }
    // The delimiter is the one under which the header names the most
    // columns: counting delimiters is fooled by commas in addresses of a
    // `;` file.
    let mut chosen: Option<(u8, Layout)> = None;
    let mut nearest: Option<Missing> = None;
    for delimiter in DELIMITERS {
        let mut head = Vec::new();
        each_row(&text, delimiter, |number, record| {
            let row = RawRow {
                number,
                cells: record
                    .iter()
                    .take(limits.max_columns)
                    .map(cell::text)
                    .collect(),
            };
            if row.cells.iter().any(Option::is_some) {
                head.push(row);
            }
            head.len() <= SCAN_ROWS
        })?;
        match matcher.locate(&head) {
            Ok(layout) => {
                let width = |l: &Layout| (l.score(), l.columns.len() + l.ignored.len());
                if chosen
                    .as_ref()
                    .is_none_or(|(_, c)| width(&layout) > width(c))
                {
                    chosen = Some((delimiter, layout));
                }
            }
            Err(missing) => {
                if nearest.as_ref().is_none_or(|n| missing.score > n.score) {
                    nearest = Some(missing);
                }
            }
        }
    }
    let Some((delimiter, _)) = chosen else {
        let labels = nearest.map(|n| n.labels).unwrap_or_default();
        return Err(SheetError::MissingColumns(labels));
    };
    let mut asm = Assembler::new(matcher, limits, SheetFormat::Csv, None);
    let mut failed = None;
    each_row(&text, delimiter, |number, record| {
        let row = RawRow {
            number,
            cells: record
                .iter()
                .take(limits.max_columns)
                .map(cell::text)
                .collect(),
        };
        match asm.push(row, sink) {
            Ok(step) => step == Step::More,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    match asm.finish(sink)? {
        Finished::Table(outline) => Ok(outline),
        Finished::Missing(m) => Err(SheetError::MissingColumns(m.labels)),
        Finished::Blank => Err(SheetError::Empty),
    }
}

/// Calls `f` with each record and the row number a spreadsheet program
/// would show for it, until `f` returns false. The csv reader skips blank
/// lines unseen and a quoted field may span lines, so the number is the
/// count of line breaks before the record's first byte, less those inside
/// earlier fields.
fn each_row(
    text: &str,
    delimiter: u8,
    mut f: impl FnMut(usize, &StringRecord) -> bool,
) -> Result<(), SheetError> {
    let bytes = text.as_bytes();
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut record = StringRecord::new();
    let (mut scanned, mut breaks, mut inner_breaks) = (0usize, 0usize, 0usize);
    while reader
        .read_record(&mut record)
        .map_err(|e| SheetError::Corrupt(e.to_string()))?
    {
        // Where the reader stood before this record: the previous line end
        // or the blank lines it skipped are still ahead of it.
        let mut start = record.position().map_or(scanned, |p| p.byte() as usize);
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        breaks += bytes[scanned..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        scanned = start;
        let number = breaks - inner_breaks + 1;
        inner_breaks += record
            .iter()
            .map(|field| field.matches('\n').count())
            .sum::<usize>();
        if !f(number, &record) {
            break;
        }
    }
    Ok(())
}

/// The text of a CSV file: UTF-8 with or without a byte-order mark, or
/// UTF-16 with one (Excel's "Unicode Text").
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, SheetError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|_| SheetError::NotUtf8);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    if looks_binary(bytes) {
        return Err(SheetError::NotASpreadsheet);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| SheetError::NotUtf8)?;
    // A web page or XML (such as "XML Spreadsheet 2003") is not a table
    // this reader understands.
    if text.trim_start().starts_with('<') {
        return Err(SheetError::NotASpreadsheet);
    }
    Ok(Cow::Borrowed(text))
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<Cow<'static, str>, SheetError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(SheetError::NotUtf8);
    }
    let units = bytes.chunks_exact(2).map(|b| unit([b[0], b[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map(Cow::Owned)
        .map_err(|_| SheetError::NotUtf8)
}

/// Control characters other than tabs and line breaks do not occur in text
/// files (an encoding mistake still leaves them out), but abound in images,
/// archives and executables. PDF is checked by its signature, as it may
/// start with plain text.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF")
        || bytes
            .iter()
            .take(8192)
            .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, delimiter: u8) -> Vec<(usize, Vec<String>)> {
        let mut out = Vec::new();
        each_row(text, delimiter, |n, r| {
            out.push((n, r.iter().map(str::to_owned).collect()));
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn row_numbers_count_blank_lines_and_breaks_inside_fields() {
        let text = "a,b\r\n\r\nc,\"two\nlines\"\n\nd,e\n";
        let got = rows(text, b',');
        let numbers: Vec<_> = got.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [1, 3, 5]);
        assert_eq!(got[1].1, ["c", "two\nlines"]);
    }

    #[test]
    fn decodes_utf8_and_utf16_with_bom() {
        assert_eq!(decode("\u{feff}Họ tên".as_bytes()).unwrap(), "Họ tên");
        assert_eq!(decode("Họ tên".as_bytes()).unwrap(), "Họ tên");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Họ\ttên".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), "Họ\ttên");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Đảng".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).unwrap(), "Đảng");
    }

    #[test]
    fn refuses_what_is_not_utf8_text() {
        // "Họ tên" in Windows-1258: H, o + combining dot below (0xF2), ...
        assert_eq!(
            decode(b"H\x6F\xF2 t\xEAn;Ng\xE0y"),
            Err(SheetError::NotUtf8)
        );
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0"),
            Err(SheetError::NotASpreadsheet)
        );
        assert_eq!(decode(b"%PDF-1.7\n"), Err(SheetError::NotASpreadsheet));
        assert_eq!(decode(b"<html><table>"), Err(SheetError::NotASpreadsheet));
    }
}
