//! One cell's value as the text a person sees: trimmed, NFC, dates as
//! dd/mm/yyyy, numbers without a spurious ".0".

use calamine::{DataRef, ExcelDateTime};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Trimmed NFC text, or `None` when nothing is left. Besides whitespace
/// (including the no-break space pasted from web pages) this trims zero-width
/// spaces and stray byte-order marks, invisible in Excel but not to a
/// validator.
pub(super) fn text(s: &str) -> Option<String> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}');
    if t.is_empty() {
        None
    } else if is_nfc_quick(t.chars()) == IsNormalized::Yes {
        Some(t.to_owned())
    } else {
        // Text typed on macOS often arrives decomposed (NFD).
        Some(t.nfc().collect())
    }
}

pub(super) fn value(cell: &DataRef<'_>) -> Option<String> {
    match cell {
        DataRef::Empty => None,
        DataRef::String(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(i.to_string()),
        DataRef::Float(f) => Some(number(*f)),
        DataRef::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        DataRef::DateTime(d) => Some(excel_date(d)),
        DataRef::DateTimeIso(s) => iso_date(s).or_else(|| text(s)),
        DataRef::Error(e) => Some(e.to_string()),
    }
}

/// Shortest text that reads back as the same number; integral values have
/// no fraction ("12345", not "12345.0").
fn number(f: f64) -> String {
    if f == 0.0 {
        // Also turns -0 into 0.
        "0".to_owned()
    } else {
        f.to_string()
    }
}

/// A date cell as dd/mm/yyyy, dropping any time of day; a duration or a time
/// without a date as its serial number, which no date field will accept.
fn excel_date(d: &ExcelDateTime) -> String {
    if d.is_duration() || d.as_f64() < 1.0 {
        return number(d.as_f64());
    }
    let (year, month, day, ..) = d.to_ymd_hms_milli();
    format!("{day:02}/{month:02}/{year:04}")
}

/// OpenDocument dates arrive as ISO 8601 ("1975-04-30" or
/// "1975-04-30T08:00:00").
fn iso_date(s: &str) -> Option<String> {
    let date = s.get(..10)?;
    let rest = &s[10..];
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shaped = digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    (shaped && (rest.is_empty() || rest.starts_with('T')))
        .then(|| format!("{}/{}/{}", &date[8..10], &date[5..7], &date[..4]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn text_is_trimmed_nfc_or_none() {
        let nfd: String = "Nguyễn Thị Ánh".nfd().collect();
        assert_eq!(
            text(&format!("  {nfd}\u{a0}")).as_deref(),
            Some("Nguyễn Thị Ánh")
        );
        assert_eq!(
            text("\u{feff}\u{200b} 001234567890 ").as_deref(),
            Some("001234567890")
        );
        assert_eq!(text(" \t\n\u{a0}"), None);
        assert_eq!(text(""), None);
    }

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(number(12345.0), "12345");
        assert_eq!(number(123456789012.0), "123456789012");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-42.0), "-42");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(value(&DataRef::Int(7)).as_deref(), Some("7"));
    }

    #[test]
    fn dates_become_dd_mm_yyyy() {
        let date = |v| DataRef::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        // 27481 = 1975-03-28; .75 is 18:00 on the same day.
        assert_eq!(value(&date(27481.0)).as_deref(), Some("28/03/1975"));
        assert_eq!(value(&date(27481.75)).as_deref(), Some("28/03/1975"));
        assert_eq!(value(&date(0.5)).as_deref(), Some("0.5"));
        let mac = DataRef::DateTime(ExcelDateTime::new(
            26019.0,
            ExcelDateTimeType::DateTime,
            true,
        ));
        assert_eq!(value(&mac).as_deref(), Some("28/03/1975"));
        let iso = |s: &str| value(&DataRef::DateTimeIso(s.to_owned()));
        assert_eq!(iso("1975-04-30").as_deref(), Some("30/04/1975"));
        assert_eq!(iso("1975-04-30T08:00:00").as_deref(), Some("30/04/1975"));
        assert_eq!(iso("08:00:00").as_deref(), Some("08:00:00"));
    }

    #[test]
    fn other_cells_keep_their_text() {
        assert_eq!(value(&DataRef::Empty), None);
        assert_eq!(value(&DataRef::Bool(true)).as_deref(), Some("TRUE"));
        assert_eq!(
            value(&DataRef::Error(CellErrorType::NA)).as_deref(),
            Some("#N/A")
        );
        assert_eq!(
            value(&DataRef::SharedString("  Kinh ")).as_deref(),
            Some("Kinh")
        );
    }
}
