//! One integration-test binary for chibo-print.

mod docx;
mod glyphs;
mod golden;
mod injection;
mod pdf_text;

use unicode_normalization::UnicodeNormalization;

/// The text with every run of whitespace (line breaks of justified text
/// included) collapsed into one space.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that `needles` occur in `haystack` in this order, each after the
/// previous one.
#[track_caller]
pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match haystack[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => {
                panic!("{needle:?} missing after byte {from} (or out of order) in:\n{haystack}")
            }
        }
    }
}

#[track_caller]
pub fn assert_nfc(text: &str) {
    assert!(text.nfc().eq(text.chars()), "text is not in NFC: {text}");
}
