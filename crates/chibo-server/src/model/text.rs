use super::Problem;
use unicode_normalization::UnicodeNormalization;

pub use chibo_docs::sheet::fold;

/// Text as stored: NFC, trimmed, inner whitespace collapsed.
pub fn nfc(s: &str) -> String {
    let composed: String = s.nfc().collect();
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first control character in `s` other than tab and line breaks: a
/// NUL cannot be stored in PostgreSQL text, and none of them is something a
/// person typed or can see, so input carrying one is refused where it
/// enters rather than failing (or hiding) later.
pub fn control_char(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A person's full name in NFC, letters (any script), spaces, hyphens and
/// apostrophes only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Problem> {
        let s = nfc(raw);
        if s.is_empty() {
            return Err(Problem::new(field, "required", ""));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(Problem::new(field, "name.too_long", s));
        }
        if !s
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '.')
        {
            return Err(Problem::new(field, "name.chars", s));
        }
        if !s.chars().any(char::is_alphabetic) {
            return Err(Problem::new(field, "name.chars", s));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// 1.234.567 — the Vietnamese thousands separator.
pub fn group_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_other_than_line_breaks_are_found() {
        assert_eq!(control_char("Họp chi bộ\ttháng 12\r\n"), None);
        assert_eq!(control_char("a\u{0}b"), Some('\u{0}'));
        assert_eq!(control_char("\u{1a},o"), Some('\u{1a}'));
        assert_eq!(control_char("x\u{7f}"), Some('\u{7f}'));
        assert_eq!(control_char("x\u{85}"), Some('\u{85}'));
    }

    #[test]
    fn names_are_stored_in_nfc() {
        let nfd = "Nguye\u{0302}\u{0303}n  Va\u{0306}n A";
        let n = PersonName::parse("full_name", nfd).unwrap();
        assert_eq!(n.as_str(), "Nguyễn Văn A");
    }

    #[test]
    fn names_reject_digits_and_empty() {
        assert_eq!(
            PersonName::parse("full_name", "  ").unwrap_err().code,
            "required"
        );
        assert_eq!(
            PersonName::parse("full_name", "Nguyễn 3").unwrap_err().code,
            "name.chars"
        );
    }
}
