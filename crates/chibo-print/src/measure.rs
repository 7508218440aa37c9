//! Widths of text as typst sets it: shaped by rustybuzz (the shaper typst
//! uses) with the embedded faces, kerning included.

use std::sync::LazyLock;

use rustybuzz::{Face, UnicodeBuffer};

use crate::fonts::FACES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular = 0,
    Bold = 1,
    Italic = 2,
}

static SHAPERS: LazyLock<Vec<Face<'static>>> = LazyLock::new(|| {
    FACES[..3]
        .iter()
        .map(|(name, bytes)| {
            Face::from_slice(bytes, 0).unwrap_or_else(|| panic!("embedded face {name} parses"))
        })
        .collect()
});

/// The advance of `text` on one line, in points, at 1 pt.
pub fn width(text: &str, style: Style) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    let face = &SHAPERS[style as usize];
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    let shaped = rustybuzz::shape(face, &[], buffer);
    let units: i64 = shaped
        .glyph_positions()
        .iter()
        .map(|p| i64::from(p.x_advance))
        .sum();
    units as f32 / face.units_per_em() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_grow_with_the_text_and_bold_is_wider() {
        let date = width("25/11/2026", Style::Regular);
        // Liberation Serif's digits and slash are half an em: 10 × 0.5 pt
        // less a kerned pair or two.
        assert!((4.5..=5.01).contains(&date), "{date}");
        assert!(
            width("Nguyễn Thị Hồng Nhung", Style::Bold)
                > width("Nguyễn Thị Hồng Nhung", Style::Regular)
        );
        assert_eq!(width("", Style::Regular), 0.0);
    }
}
