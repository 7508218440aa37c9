use super::Problem;
use chrono::NaiveDate;

/// Parses a date as Vietnamese users write it (dd/mm/yyyy, also with `-` or
/// `.`), or as ISO `yyyy-mm-dd` (what `<input type=date>` sends).
pub fn parse_date(field: &'static str, raw: &str) -> Result<NaiveDate, Problem> {
    let s = raw.trim();
    let bad = || Problem::new(field, "date.invalid", s);
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        (num(c)?, num(b)?, num(a)?)
    } else {
        return Err(bad());
    };
    let y = i32::try_from(y).map_err(|_| bad())?;
    if !(1900..=2100).contains(&y) {
        return Err(Problem::new(field, "date.out_of_range", s));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)
}

pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_vietnamese_and_iso_forms() {
        let d = NaiveDate::from_ymd_opt(1970, 2, 5).unwrap();
        for s in [
            "05/02/1970",
            "5/2/1970",
            "05-02-1970",
            "1970-02-05",
            " 05.02.1970 ",
        ] {
            assert_eq!(parse_date("x", s), Ok(d), "{s}");
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(
            parse_date("x", "31/02/1970").unwrap_err().code,
            "date.invalid"
        );
        assert_eq!(parse_date("x", "1970").unwrap_err().code, "date.invalid");
        assert_eq!(
            parse_date("x", "01/01/1800").unwrap_err().code,
            "date.out_of_range"
        );
    }

    #[test]
    fn formats_as_dd_mm_yyyy() {
        assert_eq!(
            format_date(NaiveDate::from_ymd_opt(2026, 2, 5).unwrap()),
            "05/02/2026"
        );
    }
}
