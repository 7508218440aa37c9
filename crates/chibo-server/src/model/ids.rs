use super::Problem;

fn digits(
    field: &'static str,
    raw: &str,
    len: usize,
    code: &'static str,
) -> Result<String, Problem> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(Problem::new(field, code, raw.trim()))
    }
}

/// The 12-digit party card number (HD 38-HD/BTCTW). Kept apart from the
/// national ID: they are often, not always, equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardNo(String);

impl CardNo {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        digits("card_no", raw, 12, "card_no.format").map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The 12-digit personal identification number (số định danh cá nhân / CCCD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalId(String);

impl NationalId {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        digits("national_id", raw, 12, "national_id.format").map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Vietnamese phone number, stored in the national form `0xxxxxxxxx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '(' | ')'))
            .collect();
        let national = if let Some(rest) = s.strip_prefix("+84") {
            format!("0{rest}")
        } else if s.len() == 9 && !s.starts_with('0') {
            // Spreadsheets drop the leading zero of numbers typed as numbers.
            format!("0{s}")
        } else {
            s
        };
        if national.len() == 10
            && national.starts_with('0')
            && national.bytes().all(|b| b.is_ascii_digit())
        {
            Ok(Self(national))
        } else {
            Err(Problem::new("phone", "phone.format", raw.trim()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let s = raw.trim().to_lowercase();
        let ok = s.len() <= 254
            && s.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty()
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
            })
            && !s.chars().any(char::is_whitespace);
        if ok {
            Ok(Self(s))
        } else {
            Err(Problem::new("email", "email.format", raw.trim()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_have_twelve_digits() {
        assert_eq!(
            CardNo::parse("001234567890").unwrap().as_str(),
            "001234567890"
        );
        assert_eq!(
            CardNo::parse("01234567890").unwrap_err().code,
            "card_no.format"
        );
        assert_eq!(
            CardNo::parse("01234567890a").unwrap_err().code,
            "card_no.format"
        );
    }

    #[test]
    fn phones_normalise_to_national_form() {
        assert_eq!(
            Phone::parse("+84 912 345 678").unwrap().as_str(),
            "0912345678"
        );
        assert_eq!(Phone::parse("912345678").unwrap().as_str(), "0912345678");
        assert!(Phone::parse("12345").is_err());
    }

    #[test]
    fn emails_need_a_host() {
        assert!(Email::parse("a@b.vn").is_ok());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a b@c.vn").is_err());
    }
}
