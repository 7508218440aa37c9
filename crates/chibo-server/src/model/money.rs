//! Amounts of money in Vietnamese words, as a receipt writes them under the
//! figures ("Bằng chữ: Tám mươi nghìn đồng").

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// A group of three digits. `inner`: a group after a higher one, where a
/// zero hundreds is read ("một nghìn không trăm linh năm").
fn group(n: u64, inner: bool, out: &mut Vec<&'static str>) {
    let (h, t, u) = (
        (n / 100) as usize,
        (n / 10 % 10) as usize,
        (n % 10) as usize,
    );
    if h > 0 || inner {
        out.extend([DIGITS[h], "trăm"]);
    }
    match t {
        0 if u > 0 && (h > 0 || inner) => out.push("linh"),
        0 => {}
        1 => out.push("mười"),
        _ => out.extend([DIGITS[t], "mươi"]),
    }
    match u {
        0 => {}
        1 if t >= 2 => out.push("mốt"),
        4 if t >= 2 => out.push("tư"),
        5 if t >= 1 => out.push("lăm"),
        _ => out.push(DIGITS[u]),
    }
}

/// `n` below a billion, or a count of billions read the same way.
fn below_billion(n: u64, inner: bool, out: &mut Vec<&'static str>) {
    let parts = [
        (n / 1_000_000, "triệu"),
        (n / 1_000 % 1_000, "nghìn"),
        (n % 1_000, ""),
    ];
    let mut started = inner;
    for (value, unit) in parts {
        if value == 0 {
            continue;
        }
        group(value, started, out);
        if !unit.is_empty() {
            out.push(unit);
        }
        started = true;
    }
}

fn words(n: u64, out: &mut Vec<&'static str>) {
    let (billions, rest) = (n / 1_000_000_000, n % 1_000_000_000);
    if billions > 0 {
        words(billions, out);
        out.push("tỷ");
    }
    below_billion(rest, billions > 0, out);
}

/// The amount in words with a capital first letter and the currency:
/// 1 250 000 → "Một triệu hai trăm năm mươi nghìn đồng".
pub fn amount_in_words(vnd: i64) -> String {
    let mut out = Vec::new();
    if vnd == 0 {
        out.push("không");
    } else {
        if vnd < 0 {
            out.push("âm");
        }
        words(vnd.unsigned_abs(), &mut out);
    }
    out.push("đồng");
    let text = out.join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::amount_in_words as w;

    #[test]
    fn dues_amounts_read_as_a_receipt_writes_them() {
        assert_eq!(w(5_000), "Năm nghìn đồng");
        assert_eq!(w(80_000), "Tám mươi nghìn đồng");
        assert_eq!(w(240_000), "Hai trăm bốn mươi nghìn đồng");
        assert_eq!(w(15_000), "Mười lăm nghìn đồng");
        assert_eq!(w(21_000), "Hai mươi mốt nghìn đồng");
        assert_eq!(w(24_000), "Hai mươi tư nghìn đồng");
        assert_eq!(w(25_000), "Hai mươi lăm nghìn đồng");
        assert_eq!(w(105_000), "Một trăm linh năm nghìn đồng");
        assert_eq!(w(1_250_000), "Một triệu hai trăm năm mươi nghìn đồng");
        assert_eq!(w(0), "Không đồng");
    }

    #[test]
    fn empty_groups_are_skipped_and_inner_zero_hundreds_read() {
        assert_eq!(w(1_000_000), "Một triệu đồng");
        assert_eq!(w(1_000_500), "Một triệu năm trăm đồng");
        assert_eq!(w(1_000_050), "Một triệu không trăm năm mươi đồng");
        assert_eq!(w(2_015), "Hai nghìn không trăm mười lăm đồng");
        assert_eq!(w(1_005), "Một nghìn không trăm linh năm đồng");
        assert_eq!(w(10_010), "Mười nghìn không trăm mười đồng");
        assert_eq!(w(111), "Một trăm mười một đồng");
        assert_eq!(w(11), "Mười một đồng");
        assert_eq!(w(4), "Bốn đồng");
    }

    #[test]
    fn billions_and_beyond() {
        assert_eq!(w(3_000_000_000), "Ba tỷ đồng");
        assert_eq!(w(2_000_001_000), "Hai tỷ không trăm linh một nghìn đồng");
        assert_eq!(w(1_000_000_000_000), "Một nghìn tỷ đồng");
        assert_eq!(w(-5_000), "Âm năm nghìn đồng");
        assert!(w(i64::MIN).ends_with("đồng"));
    }
}
