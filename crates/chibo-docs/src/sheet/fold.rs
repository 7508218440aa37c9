//! Diacritics- and case-insensitive keys for Vietnamese text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text to a search key: lowercase, without diacritics, `đ` → `d`,
/// whitespace runs collapsed to one space and trimmed.
///
/// "Nguyễn  Văn Đạt" → "nguyen van dat". Works on NFC and NFD input alike,
/// since both decompose to the same base letters and marks.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            // `đ` has no decomposition. `Ð`/`ð` (U+00D0/U+00F0, the Icelandic
            // eth) look the same and turn up in text converted from old
            // Vietnamese encodings, so they fold to `d` as well.
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The forms of a column header that identify it: the folded text with every
/// punctuation mark read as a space ("Họ và tên (*):" → "ho va ten"), and, if
/// different, the same without parenthesised remarks ("Ngày sinh
/// (dd/mm/yyyy)" → "ngay sinh"). Exact forms are tried first so that a
/// remark can still tell two columns apart.
pub(super) fn header_forms(header: &str) -> (String, Option<String>) {
    let folded = fold(header);
    let full = words(&folded);
    let mut depth = 0usize;
    let outside: String = folded
        .chars()
        .map(|c| match c {
            '(' | '[' => {
                depth += 1;
                ' '
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                ' '
            }
            _ if depth > 0 => ' ',
            c => c,
        })
        .collect();
    let bare = words(&outside);
    let bare = (bare != full && !bare.is_empty()).then_some(bare);
    (full, bare)
}

/// Alphanumeric runs joined by single spaces.
fn words(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_a_vietnamese_name() {
        assert_eq!(fold("Nguyễn Văn Đạt"), "nguyen van dat");
        assert_eq!(fold("  NGUYỄN\u{a0}\tVĂN   ĐẠT "), "nguyen van dat");
        assert_eq!(fold(""), "");
        assert_eq!(fold("   "), "");
    }

    #[test]
    fn folds_every_vowel_with_every_tone_in_both_cases() {
        // Base vowels with their modified forms; the tones are none, huyền,
        // sắc, hỏi, ngã, nặng.
        let vowels = [
            ("a", ["a", "à", "á", "ả", "ã", "ạ"]),
            ("a", ["ă", "ằ", "ắ", "ẳ", "ẵ", "ặ"]),
            ("a", ["â", "ầ", "ấ", "ẩ", "ẫ", "ậ"]),
            ("e", ["e", "è", "é", "ẻ", "ẽ", "ẹ"]),
            ("e", ["ê", "ề", "ế", "ể", "ễ", "ệ"]),
            ("i", ["i", "ì", "í", "ỉ", "ĩ", "ị"]),
            ("o", ["o", "ò", "ó", "ỏ", "õ", "ọ"]),
            ("o", ["ô", "ồ", "ố", "ổ", "ỗ", "ộ"]),
            ("o", ["ơ", "ờ", "ớ", "ở", "ỡ", "ợ"]),
            ("u", ["u", "ù", "ú", "ủ", "ũ", "ụ"]),
            ("u", ["ư", "ừ", "ứ", "ử", "ữ", "ự"]),
            ("y", ["y", "ỳ", "ý", "ỷ", "ỹ", "ỵ"]),
        ];
        let mut count = 0;
        for (base, forms) in vowels {
            for form in forms {
                let upper = form.to_uppercase();
                let nfd: String = form.nfd().collect();
                let upper_nfd: String = upper.nfd().collect();
                for input in [form, upper.as_str(), nfd.as_str(), upper_nfd.as_str()] {
                    assert_eq!(fold(input), base, "{input:?}");
                    count += 1;
                }
            }
        }
        assert_eq!(count, 12 * 6 * 4);
        for d in ["đ", "Đ", "Ð", "ð"] {
            assert_eq!(fold(d), "d");
        }
    }

    #[test]
    fn nfd_and_nfc_fold_alike() {
        let nfc = "Trần Thị Ngọc Ánh Đoàn Hưởng";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(&nfd), fold(nfc));
        assert_eq!(fold(nfc), "tran thi ngoc anh doan huong");
    }

    #[test]
    fn header_forms_drop_punctuation_and_remarks() {
        assert_eq!(header_forms("Họ và tên (*):"), ("ho va ten".into(), None));
        assert_eq!(header_forms(" HỌ VÀ TÊN: "), ("ho va ten".into(), None));
        assert_eq!(
            header_forms("Ngày sinh (dd/mm/yyyy)"),
            ("ngay sinh dd mm yyyy".into(), Some("ngay sinh".into()))
        );
        assert_eq!(header_forms("Số CCCD/CMND"), ("so cccd cmnd".into(), None));
        assert_eq!(header_forms("ho_ten"), ("ho ten".into(), None));
        assert_eq!(header_forms("(1)"), ("1".into(), None));
    }
}
