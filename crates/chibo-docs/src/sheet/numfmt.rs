//! A whole number as its cell's number format shows it, for the formats
//! that make digits into identifiers and dates: `000000000000` keeps the
//! leading zeros of a CCCD typed as a number (Excel shows 12 digits, the
//! value has 10), and `00"/"00"/"0000` shows 30041975 as 30/04/1975.
//!
//! Only formats made of digit placeholders (`0`, `#`) and literal text are
//! applied; anything with decimals, grouping, scaling, colours or
//! conditions is left to the plain number.

/// The number as `code` displays it, or `None` when the format is not one
/// of these (or the value is not a whole, non-negative number).
pub(super) fn display(value: f64, code: &str) -> Option<String> {
    if !(0.0..1e15).contains(&value) || value.fract() != 0.0 {
        return None;
    }
    // A positive number takes the first section.
    let section = code.split(';').next()?;
    let parts = parse(section)?;
    let slots = parts.iter().filter(|p| matches!(p, Part::Digit(_))).count();
    if slots == 0 {
        return None;
    }
    let digits = format!("{}", value as u64);
    let digits = digits.as_bytes();
    // Digits beyond the placeholders go to the first one, as Excel does.
    let extra = digits.len().saturating_sub(slots);
    let mut out = String::new();
    let mut slot = 0;
    // Which digit of the value each placeholder shows, from the right.
    let value_at = |slot: usize| {
        let from_right = slots - 1 - slot;
        (from_right < digits.len()).then(|| digits[digits.len() - 1 - from_right] as char)
    };
    for part in &parts {
        match part {
            Part::Literal(s) => out.push_str(s),
            Part::Digit(zero) => {
                if slot == 0 && extra > 0 {
                    out.push_str(std::str::from_utf8(&digits[..extra]).ok()?);
                }
                match value_at(slot) {
                    Some(d) => out.push(d),
                    None if *zero => out.push('0'),
                    None => {}
                }
                slot += 1;
            }
        }
    }
    Some(out)
}

enum Part {
    /// `0` (shows a zero when there is no digit) or `#` (shows nothing).
    Digit(bool),
    Literal(String),
}

fn parse(code: &str) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '0' => parts.push(Part::Digit(true)),
            '#' => parts.push(Part::Digit(false)),
            '"' => {
                let text: String = chars.by_ref().take_while(|&c| c != '"').collect();
                parts.push(Part::Literal(text));
            }
            '\\' => parts.push(Part::Literal(chars.next()?.to_string())),
            ' ' | '-' | '/' | '(' | ')' | ':' | '+' => parts.push(Part::Literal(c.to_string())),
            // Decimals, grouping, percent, exponents, text, colours and
            // conditions, dates, padding: not a plain digit pattern.
            _ => return None,
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_of_identifiers() {
        assert_eq!(
            display(1_075_012_345.0, "000000000000").as_deref(),
            Some("001075012345")
        );
        assert_eq!(
            display(12.0, "000000000000").as_deref(),
            Some("000000000012")
        );
        assert_eq!(
            display(123_456_789_012.0, "000000000000").as_deref(),
            Some("123456789012")
        );
        // More digits than placeholders: none is lost.
        assert_eq!(display(1234.0, "00").as_deref(), Some("1234"));
        assert_eq!(display(5.0, "#0").as_deref(), Some("5"));
    }

    #[test]
    fn dates_typed_as_numbers() {
        assert_eq!(
            display(30_041_975.0, "00\"/\"00\"/\"0000").as_deref(),
            Some("30/04/1975")
        );
        assert_eq!(
            display(5_021_990.0, "00\\/00\\/0000").as_deref(),
            Some("05/02/1990")
        );
        assert_eq!(
            display(903_123_456.0, "0000 000 000").as_deref(),
            Some("0903 123 456")
        );
    }

    #[test]
    fn other_formats_are_left_alone() {
        for code in [
            "General",
            "0.00",
            "#,##0",
            "0%",
            "0.0E+00",
            "@",
            "[Red]0",
            "dd/mm/yyyy",
        ] {
            assert_eq!(display(12.0, code), None, "{code}");
        }
        assert_eq!(display(1.5, "000"), None);
        assert_eq!(display(-1.0, "000"), None);
        // Only the section for positive numbers is used.
        assert_eq!(display(7.0, "000;(000)").as_deref(), Some("007"));
    }
}
