use super::{Problem, nfc};
use chrono::NaiveTime;

/// Parses a time of day as Vietnamese users write it: `19:30`, `19.30`,
/// `19h30`, `19g30`, `19 giờ 30`, `19h`, `7h30`, `1930`, `730`, `19`.
/// Hours run 0–23; minutes, when written, are two digits. The API
/// document's pattern (`web::api::constraints::TIME`) says the same.
pub fn parse_time(field: &'static str, raw: &str) -> Result<NaiveTime, Problem> {
    let s = nfc(raw);
    let s = s.trim();
    if s.is_empty() {
        return Err(Problem::new(field, "required", ""));
    }
    let bad = || Problem::new(field, "time.invalid", s);
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let (hour, minute) = if digits(s) {
        // Digits alone: the hour, or the hour then two digits of minutes.
        match s.len() {
            1 | 2 => (s, "00"),
            3 | 4 => s.split_at(s.len() - 2),
            _ => return Err(bad()),
        }
    } else {
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (hour, rest) = s.split_at(split);
        let rest = rest.trim_start();
        let (minute_needed, rest) = if let Some(r) = rest.strip_prefix([':', '.']) {
            (true, r)
        } else if let Some(r) = rest
            .strip_prefix("giờ")
            .or_else(|| rest.strip_prefix(['h', 'H', 'g', 'G']))
        {
            (false, r)
        } else {
            return Err(bad());
        };
        let minute = rest.trim_start();
        match minute {
            "" if !minute_needed => (hour, "00"),
            m if m.len() == 2 && digits(m) => (hour, m),
            _ => return Err(bad()),
        }
    };
    if !(1..=2).contains(&hour.len()) || !digits(hour) {
        return Err(bad());
    }
    let h = hour.parse().map_err(|_| bad())?;
    let m = minute.parse().map_err(|_| bad())?;
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn accepts_how_vietnamese_write_times() {
        for (s, t) in [
            ("19:30", hm(19, 30)),
            ("19h30", hm(19, 30)),
            ("19H30", hm(19, 30)),
            ("19h", hm(19, 0)),
            ("7h30", hm(7, 30)),
            ("7h", hm(7, 0)),
            ("19.30", hm(19, 30)),
            ("1930", hm(19, 30)),
            ("730", hm(7, 30)),
            ("0730", hm(7, 30)),
            ("7g30", hm(7, 30)),
            ("19g30", hm(19, 30)),
            ("19 giờ 30", hm(19, 30)),
            ("19 giờ", hm(19, 0)),
            (" 19 h 30 ", hm(19, 30)),
            ("19", hm(19, 0)),
            ("0:00", hm(0, 0)),
            ("23:59", hm(23, 59)),
        ] {
            assert_eq!(parse_time("time", s), Ok(t), "{s}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_time_naming_the_field_and_value() {
        for s in [
            "24:00",
            "19:60",
            "19:5",
            "19:",
            "19.",
            "19h5",
            "19h300",
            "123h",
            "19300",
            "7:30pm",
            "abc",
            "h30",
            ":30",
            "19-30",
            "19 30",
            "١٩:٣٠",
        ] {
            let p = parse_time("time", s).unwrap_err();
            assert_eq!((p.field, p.code), ("time", "time.invalid"), "{s}");
            assert_eq!(p.value.as_deref(), Some(s), "{s}");
        }
        assert_eq!(parse_time("time", "  ").unwrap_err().code, "required");
    }
}
