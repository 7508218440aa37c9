//! The block under a member table: the count ("Tổng số: 4 đảng viên"), the
//! place and date ("Phường 5, ngày 05 tháng 01 năm 2026"), the signers'
//! titles ("Người lập biểu", "T/M CHI BỘ - BÍ THƯ", "(Ký, ghi rõ họ tên)")
//! and then their names, which look exactly like members. The table ends at
//! the first row made only of such lines; everything from there on is the
//! footer, shown to the user and never imported.

use super::fold::fold;

/// Whether the row holds a footer line and nothing else but numbers (the
/// count beside "TỔNG CỘNG"). A data row has a name or a date beside any
/// such word.
pub(super) fn is_footer(cells: &[Option<String>]) -> bool {
    let mut any = false;
    for cell in cells.iter().flatten() {
        if is_footer_line(cell) {
            any = true;
        } else if !is_count(cell) {
            return false;
        }
    }
    any
}

fn is_count(text: &str) -> bool {
    text.trim()
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b','))
}

fn is_footer_line(text: &str) -> bool {
    let folded = fold(text);
    let words = words(&folded);
    let starts = |prefix: &[&str]| words.len() >= prefix.len() && words[..prefix.len()] == *prefix;
    // "Tổng số: 4 đảng viên", "Tổng cộng", "Cộng: 4" (not a name "Công …":
    // the colon or a number must follow).
    starts(&["tong", "so"])
        || starts(&["tong", "cong"])
        || (words.first() == Some(&"cong")
            && (folded.starts_with("cong:") || words.get(1).is_some_and(|w| is_number(w))))
        || starts(&["nguoi", "lap"])
        || starts(&["nguoi", "ky"])
        // "T/M CHI BỘ", "TM. CHI ỦY", "TM BAN CHI ỦY"
        || starts(&["t", "m"])
        || starts(&["tm"])
        || starts(&["kt"])
        || words == ["bi", "thu"]
        || words == ["pho", "bi", "thu"]
        || starts(&["bi", "thu", "chi", "bo"])
        || starts(&["xac", "nhan"])
        || starts(&["noi", "nhan"])
        || starts(&["ky", "ten"])
        || starts(&["ky", "ghi"])
        || starts(&["ky", "va", "ghi"])
        || (folded.starts_with('(') && words.first() == Some(&"ky"))
        || is_date_line(&words)
}

/// "…, ngày 05 tháng 01 năm 2026" or a blank "ngày … tháng … năm 20…".
fn is_date_line(words: &[&str]) -> bool {
    let Some(at) = words.iter().position(|w| *w == "ngay") else {
        return false;
    };
    let rest = &words[at + 1..];
    let thang = rest.iter().position(|w| *w == "thang");
    let nam = rest.iter().position(|w| *w == "nam");
    matches!((thang, nam), (Some(t), Some(n)) if t < n && t <= 2 && n <= t + 3)
}

/// The count a footer states ("Tổng số: 4 đảng viên" → 4).
pub(super) fn stated_total(cells: &[Option<String>]) -> Option<usize> {
    let mut counted = false;
    let mut beside = None;
    for cell in cells.iter().flatten() {
        let folded = fold(cell);
        let words = words(&folded);
        let total = words.starts_with(&["tong", "so"])
            || words.starts_with(&["tong", "cong"])
            || words.first() == Some(&"cong");
        let number = words
            .iter()
            .find(|w| is_number(w))
            .and_then(|w| w.parse().ok());
        if total {
            counted = true;
            if number.is_some() {
                return number;
            }
        } else if beside.is_none() {
            beside = number;
        }
    }
    if counted { beside } else { None }
}

fn words(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<Option<String>> {
        cells
            .iter()
            .map(|c| (!c.is_empty()).then(|| c.to_string()))
            .collect()
    }

    #[test]
    fn recognises_the_usual_footer_lines() {
        for cells in [
            &["", "Tổng số: 4 đảng viên"][..],
            &["TỔNG CỘNG", "", "4"],
            &["Cộng: 4 đồng chí"],
            &["Người lập biểu", "", "", "T/M CHI BỘ - BÍ THƯ"],
            &["", "TM. CHI ỦY"],
            &["KT. BÍ THƯ"],
            &["", "", "BÍ THƯ"],
            &["Phó Bí thư"],
            &["(Ký, ghi rõ họ tên)", "", "(Ký tên, đóng dấu)"],
            &["", "Phường Bến Nghé, ngày 05 tháng 01 năm 2026"],
            &["Hà Nội, ngày … tháng … năm 20…"],
            &["Xác nhận của Đảng ủy"],
            &["Nơi nhận:"],
        ] {
            assert!(is_footer(&row(cells)), "{cells:?}");
        }
    }

    #[test]
    fn members_are_not_footer_lines() {
        for cells in [
            &["1", "Nguyễn Văn Bình", "05/02/1970"][..],
            // A secretary's notes column beside her name.
            &["2", "Lê Thị Hoa", "", "Bí thư chi bộ"],
            // Names that start like footer words.
            &["Công Thị Hoa"],
            &["Tống Văn Số"],
            &["Ngày Văn Tháng"],
            &[""],
            &[],
        ] {
            assert!(!is_footer(&row(cells)), "{cells:?}");
        }
    }

    #[test]
    fn reads_the_stated_total() {
        assert_eq!(stated_total(&row(&["Tổng số: 4 đảng viên"])), Some(4));
        assert_eq!(stated_total(&row(&["TỔNG CỘNG", "", "12"])), Some(12));
        assert_eq!(stated_total(&row(&["Người lập biểu"])), None);
    }
}
