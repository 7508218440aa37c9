//! Every Vietnamese letter has a glyph in every embedded face: Liberation
//! Serif 1.07 has none of them, and typst would print blanks without a word.

use chibo_print::fonts::FACES;
use unicode_normalization::UnicodeNormalization;

const VOWELS: &str = "aăâeêioôơuưy";
/// Grave (huyền), acute (sắc), hook above (hỏi), tilde (ngã), dot below (nặng).
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'];

/// Each vowel bare and with each tone, both cases, and đ Đ: 146 letters, each
/// one precomposed code point.
fn vietnamese_letters() -> Vec<char> {
    let mut lower = vec!['đ'];
    for vowel in VOWELS.chars() {
        lower.push(vowel);
        for tone in TONES {
            let composed: Vec<char> = [vowel, tone].into_iter().nfc().collect();
            assert_eq!(
                composed.len(),
                1,
                "{vowel}+{tone:?} has no precomposed form"
            );
            lower.push(composed[0]);
        }
    }
    let upper: Vec<char> = lower.iter().flat_map(|c| c.to_uppercase()).collect();
    lower.into_iter().chain(upper).collect()
}

#[test]
fn every_face_covers_every_vietnamese_letter() {
    let letters = vietnamese_letters();
    assert_eq!(letters.len(), 146);
    assert!(letters.contains(&'Ự') && letters.contains(&'ỹ') && letters.contains(&'Đ'));
    for (name, bytes) in FACES {
        let face = ttf_parser::Face::parse(bytes, 0).unwrap_or_else(|e| panic!("{name}: {e}"));
        let missing: String = letters
            .iter()
            .filter(|&&c| face.glyph_index(c).is_none())
            .collect();
        assert!(missing.is_empty(), "{name} lacks {missing}");
    }
}

#[test]
fn faces_are_liberation_serif_2() {
    for (name, bytes) in FACES {
        let face = ttf_parser::Face::parse(bytes, 0).unwrap();
        let version = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::VERSION && n.is_unicode())
            .and_then(|n| n.to_string())
            .unwrap_or_default();
        assert!(version.starts_with("Version 2."), "{name}: {version}");
    }
}
