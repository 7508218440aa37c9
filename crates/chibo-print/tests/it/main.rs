//! One integration-test binary for chibo-print.

mod docx;
mod glyphs;
mod golden;
mod injection;
mod stress;

use chibo_print::{Document, Layout, Properties};
use unicode_normalization::UnicodeNormalization;

/// The document as a PDF, with the default layout and its own properties.
pub fn pdf(doc: &Document) -> Vec<u8> {
    chibo_print::render_pdf(doc, &Properties::of(doc), &Layout::default()).expect("renders")
}

/// The document as a DOCX, with the default layout and its own properties.
pub fn docx(doc: &Document) -> Vec<u8> {
    chibo_print::render_docx(doc, &Properties::of(doc), &Layout::default()).expect("renders")
}

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
