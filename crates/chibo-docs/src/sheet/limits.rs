//! Bounds on what an untrusted file may make the reader do, checked before
//! anything is inflated or laid out: a 2 KB workbook must not be able to ask
//! for gigabytes.
//!
//! XLSX, XLSB and CSV are read cell by cell, so their cost is bounded by the
//! rows read and by what a workbook keeps whole (its shared strings); the zip
//! is checked from the sizes it declares, which the zip reader then holds each
//! part to while inflating. XLS and ODS are laid out whole by calamine, over
//! the rectangle from their first to their last cell: that rectangle is
//! measured first, from the file's own records.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::SheetError;

/// What one read may cost. The defaults keep an import under 256 MB
/// whatever the file (measured in `PERFORMANCE.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file as uploaded.
    pub max_file_bytes: u64,
    /// Data rows (below the header, above a footer).
    pub max_rows: usize,
    /// Columns looked at, from A: a member table never needs more, and a
    /// cell far to the right (XFD) costs nothing.
    pub max_columns: usize,
    /// All parts of a zipped workbook, once inflated.
    pub max_unpacked_bytes: u64,
    /// How much more than its compressed size a large part may inflate to.
    pub max_ratio: u64,
    /// The shared strings part (XLSX/XLSB), which is held whole.
    pub max_strings_bytes: u64,
    /// Cells of the rectangle an XLS or ODS sheet is laid out over.
    pub max_dense_cells: u64,
}

/// Parts smaller than this may compress as well as they like: tiny XML
/// files of repeated tags reach high ratios harmlessly.
const RATIO_FLOOR: u64 = 4 * 1024 * 1024;

/// Excel's own limits, which calamine also applies to ODS.
const EXCEL_ROWS: u64 = 1_048_576;
const EXCEL_COLUMNS: u64 = 16_384;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * 1024 * 1024,
            max_rows: 100_000,
            max_columns: 256,
            max_unpacked_bytes: 512 * 1024 * 1024,
            max_ratio: 250,
            max_strings_bytes: 48 * 1024 * 1024,
            max_dense_cells: 1_000_000,
        }
    }
}

pub(super) fn check_file(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(SheetError::FileTooLarge {
            limit: limits.max_file_bytes,
        });
    }
    Ok(())
}

/// Checks every part of a zip from its central directory, before any is
/// inflated; then, for ODS, lays the sheets out on paper.
pub(super) fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| SheetError::NotASpreadsheet)?;
    let mut total: u64 = 0;
    let mut ods = false;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|_| SheetError::NotASpreadsheet)?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let size = part.size();
        let packed = part.compressed_size().max(1);
        total = total.saturating_add(size);
        if size > RATIO_FLOOR && size / packed > limits.max_ratio {
            return Err(SheetError::Bomb {
                part: name,
                ratio: limits.max_ratio,
            });
        }
        let shared = name.ends_with("sharedStrings.xml") || name.ends_with("sharedStrings.bin");
        if shared && size > limits.max_strings_bytes {
            return Err(SheetError::TooManyStrings {
                limit: limits.max_strings_bytes,
            });
        }
        ods |= name == "content.xml";
    }
    if total > limits.max_unpacked_bytes {
        return Err(SheetError::Unpacked {
            limit: limits.max_unpacked_bytes,
        });
    }
    check_shared_count(&mut zip)?;
    if ods {
        let content = zip
            .by_name("content.xml")
            .map_err(|e| SheetError::Corrupt(e.to_string()))?;
        check_ods(BufReader::new(content), limits)?;
    }
    Ok(())
}

/// calamine reserves room for the count of strings a workbook announces
/// before reading them: an announced count the part cannot hold (each
/// string takes at least `<si><t/></si>`) is a lie, and a costly one.
fn check_shared_count<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
) -> Result<(), SheetError> {
    let Ok(part) = zip.by_name("xl/sharedStrings.xml") else {
        return Ok(());
    };
    let size = part.size();
    let mut head = Vec::with_capacity(4096);
    part.take(4096)
        .read_to_end(&mut head)
        .map_err(|e| SheetError::Corrupt(e.to_string()))?;
    let head = String::from_utf8_lossy(&head);
    let announced = ["uniqueCount=\"", "count=\""].iter().find_map(|attr| {
        let at = head.find(attr)? + attr.len();
        head[at..].split('"').next()?.parse::<u64>().ok()
    });
    const SMALLEST: u64 = "<si><t/></si>".len() as u64;
    match announced {
        Some(n) if n.saturating_mul(SMALLEST) > size => Err(SheetError::Corrupt(format!(
            "sharedStrings announces {n} strings in {size} bytes"
        ))),
        _ => Ok(()),
    }
}

/// The cells calamine would lay out for each table of an ODS `content.xml`:
/// the rectangle from the first to the last non-empty cell, repeated rows
/// and columns expanded (up to Excel's limits, as calamine caps them), and
/// the cells it keeps while reading each row.
fn check_ods<R: std::io::BufRead>(content: R, limits: &Limits) -> Result<(), SheetError> {
    let mut xml = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let mut table: Option<OdsTable> = None;
    let mut row: Option<OdsRow> = None;
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| SheetError::Corrupt(e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "table:table" => {
                table = Some(OdsTable::new(attr(&e, "table:name").unwrap_or_default()));
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some(t) = table.take() {
                    t.check(limits)?;
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) if e.name().as_ref() == "table:table-row" => {
                let repeats = count(e, "table:number-rows-repeated");
                let done = OdsRow::new(repeats);
                if matches!(event, Event::Empty(_)) {
                    if let Some(t) = table.as_mut() {
                        t.add(done, limits)?;
                    }
                } else {
                    row = Some(done);
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                    t.add(r, limits)?;
                }
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                if let Some(r) = row.as_mut() {
                    let repeats = count(e, "table:number-columns-repeated");
                    let valued = attr(e, "office:value-type").is_some()
                        || attr(e, "table:formula").is_some()
                        || matches!(event, Event::Start(_));
                    r.cell(repeats, valued);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

fn count(e: &BytesStart<'_>, name: &str) -> u64 {
    attr(e, name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
        .max(1)
}

struct OdsRow {
    repeats: u64,
    /// Columns up to and including the last valued cell.
    width: u64,
    /// Columns so far, valued or not.
    at: u64,
}

impl OdsRow {
    fn new(repeats: u64) -> Self {
        Self {
            repeats,
            width: 0,
            at: 0,
        }
    }

    fn cell(&mut self, repeats: u64, valued: bool) {
        self.at = self.at.saturating_add(repeats).min(EXCEL_COLUMNS);
        if valued {
            self.width = self.at;
        }
    }
}

struct OdsTable {
    name: String,
    /// Rows so far (calamine stops counting at Excel's limit).
    rows: u64,
    first: Option<u64>,
    /// Rows through the last row holding a value.
    last: u64,
    width: u64,
    /// Cells kept while reading, before the layout.
    kept: u64,
}

impl OdsTable {
    fn new(name: String) -> Self {
        Self {
            name,
            rows: 0,
            first: None,
            last: 0,
            width: 0,
            kept: 0,
        }
    }

    fn add(&mut self, row: OdsRow, limits: &Limits) -> Result<(), SheetError> {
        let repeats = row.repeats.min(EXCEL_ROWS - self.rows.min(EXCEL_ROWS));
        let start = self.rows;
        self.rows += repeats;
        self.kept = self.kept.saturating_add(row.width);
        if row.width > 0 && repeats > 0 {
            self.first.get_or_insert(start);
            self.last = self.rows;
            self.width = self.width.max(row.width);
        }
        self.check(limits)
    }

    fn check(&self, limits: &Limits) -> Result<(), SheetError> {
        let laid = self
            .first
            .map_or(0, |f| (self.last - f).saturating_mul(self.width));
        if laid.max(self.kept) > limits.max_dense_cells {
            return Err(SheetError::TooManyCells {
                sheet: self.name.clone(),
                limit: limits.max_dense_cells,
            });
        }
        Ok(())
    }
}

/// The rectangle each sheet of a legacy XLS spans, from its cell records
/// (calamine lays each one out whole when the workbook is opened).
pub(super) fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    // Not a compound file, or no workbook stream: calamine will say what
    // it is (an encrypted XLSX, another Office document…).
    let Ok(mut file) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Ok(());
    };
    let stream = ["/Workbook", "/Book"]
        .into_iter()
        .find(|name| file.is_stream(name));
    let Some(stream) = stream else {
        return Ok(());
    };
    let Ok(stream) = file.open_stream(stream) else {
        return Ok(());
    };
    let mut records = BufReader::new(stream);
    let mut names: Vec<String> = Vec::new();
    let mut sheet = 0usize;
    let mut area = Area::default();
    let mut head = [0u8; 4];
    let mut body = Vec::with_capacity(8224);
    while records.read_exact(&mut head).is_ok() {
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = u16::from_le_bytes([head[2], head[3]]) as usize;
        body.resize(len, 0);
        if records.read_exact(&mut body).is_err() {
            break;
        }
        let at = |i: usize| {
            body.get(i..i + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
        };
        match typ {
            // BOF: a new substream (the globals, then the sheets in the
            // order of their BOUNDSHEET records).
            0x0809 => {
                area.check(&names, sheet, limits)?;
                area = Area::default();
                sheet += 1;
            }
            // BOUNDSHEET: position, state, type, then the name.
            0x0085 if len >= 8 => names.push(sheet_name(&body[6..])),
            // Number, label, rich label, boolean/error, RK, shared-string
            // label, formula: one cell at (row, column).
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(r), Some(c)) = (at(0), at(2)) {
                    area.add(r, c, c);
                }
            }
            // Several RK numbers in one row: the last column ends the record.
            0x00BD if len >= 6 => {
                if let (Some(r), Some(c0), Some(c1)) = (at(0), at(2), at(len - 2)) {
                    area.add(r, c0, c1);
                }
            }
            _ => {}
        }
    }
    area.check(&names, sheet, limits)
}

/// A BIFF8 short string: length, a flag for 16-bit characters, the text.
fn sheet_name(b: &[u8]) -> String {
    let len = b[0] as usize;
    if b.get(1).is_some_and(|f| f & 1 == 1) {
        let units = b[2..]
            .chunks_exact(2)
            .take(len)
            .map(|u| u16::from_le_bytes([u[0], u[1]]));
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('?'))
            .collect()
    } else {
        b.iter().skip(2).take(len).map(|&c| char::from(c)).collect()
    }
}

#[derive(Default)]
struct Area {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Area {
    fn add(&mut self, row: u64, first: u64, last: u64) {
        let widen = |span: &mut Option<(u64, u64)>, lo: u64, hi: u64| {
            *span = Some(span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        };
        widen(&mut self.rows, row, row);
        widen(&mut self.cols, first, last.max(first));
    }

    fn check(&self, names: &[String], sheet: usize, limits: &Limits) -> Result<(), SheetError> {
        let (Some((r0, r1)), Some((c0, c1))) = (self.rows, self.cols) else {
            return Ok(());
        };
        let cells = (r1 - r0 + 1).saturating_mul(c1 - c0 + 1);
        if cells > limits.max_dense_cells {
            // The first substream is the workbook's globals.
            let sheet = sheet.saturating_sub(1);
            return Err(SheetError::TooManyCells {
                sheet: names
                    .get(sheet.saturating_sub(1))
                    .cloned()
                    .unwrap_or_else(|| sheet.to_string()),
                limit: limits.max_dense_cells,
            });
        }
        Ok(())
    }
}
