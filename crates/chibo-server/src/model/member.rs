use super::{
    CardNo, Email, NationalId, PersonName, Phone, Problem, Problems, date::parse_date, text::nfc,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Nam,
    Nu,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nam => "nam",
            Self::Nu => "nu",
        }
    }

    /// Accepts the codes and the words people type ("Nam", "Nữ", "nu", "F").
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        match super::fold(raw).as_str() {
            "nam" | "m" | "male" => Ok(Self::Nam),
            "nu" | "f" | "female" => Ok(Self::Nu),
            _ => Err(Problem::new("sex", "sex.unknown", raw.trim())),
        }
    }
}

/// A period of a member's standing: chibo-rules' one vocabulary (the store, the
/// services, the packs and the decision engine read the same codes). The
/// current status is the latest period that has begun; it is derived from this
/// history, never edited directly.
pub use chibo_rules::Status;

/// Reads a status from its code or the words people type ("Chính thức",
/// "dự bị", "dinh_chi").
pub fn parse_status(raw: &str) -> Result<Status, Problem> {
    let key = super::fold(raw).replace([' ', '-'], "_");
    Status::ALL
        .iter()
        .copied()
        .find(|s| s.as_str() == key || super::fold(s.label_vi()).replace([' ', '-'], "_") == key)
        .ok_or_else(|| Problem::new("status", "status.unknown", raw.trim()))
}

/// The raw text of a member's fields, as a form or a spreadsheet row gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberFields {
    pub full_name: String,
    pub other_name: String,
    pub sex: String,
    pub date_of_birth: String,
    pub ethnicity: String,
    pub religion: String,
    pub national_id: String,
    pub card_no: String,
    pub admission_date: String,
    pub ceremony_date: String,
    pub official_date: String,
    pub group_name: String,
    pub phone: String,
    pub email: String,
    pub residence: String,
    pub notes: String,
}

/// A member record that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDraft {
    pub full_name: PersonName,
    pub other_name: Option<String>,
    pub sex: Option<Sex>,
    pub date_of_birth: Option<NaiveDate>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub national_id: Option<NationalId>,
    pub card_no: Option<CardNo>,
    pub admission_date: Option<NaiveDate>,
    pub ceremony_date: Option<NaiveDate>,
    pub official_date: Option<NaiveDate>,
    pub group_name: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub residence: Option<String>,
    pub notes: Option<String>,
}

fn opt_text(s: &str) -> Option<String> {
    let t = nfc(s);
    (!t.is_empty()).then_some(t)
}

fn opt<T>(raw: &str, parse: impl FnOnce(&str) -> Result<T, Problem>) -> Result<Option<T>, Problem> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

impl MemberDraft {
    /// Checks every field and the order of the membership dates; `today`
    /// bounds dates that cannot lie in the future.
    pub fn parse(f: &MemberFields, today: NaiveDate) -> Result<Self, Problems> {
        let mut p = Problems::default();
        let full_name = p.take(PersonName::parse("full_name", &f.full_name));
        let sex = p.take(opt(&f.sex, Sex::parse));
        let date = |field: &'static str, raw: &str| opt(raw, |s| parse_date(field, s));
        let date_of_birth = p.take(date("date_of_birth", &f.date_of_birth));
        let admission_date = p.take(date("admission_date", &f.admission_date));
        let ceremony_date = p.take(date("ceremony_date", &f.ceremony_date));
        let official_date = p.take(date("official_date", &f.official_date));
        let national_id = p.take(opt(&f.national_id, NationalId::parse));
        let card_no = p.take(opt(&f.card_no, CardNo::parse));
        let phone = p.take(opt(&f.phone, Phone::parse));
        let email = p.take(opt(&f.email, Email::parse));

        let future = [
            ("date_of_birth", date_of_birth.flatten()),
            ("admission_date", admission_date.flatten()),
            ("ceremony_date", ceremony_date.flatten()),
        ];
        for (field, d) in future {
            if let Some(d) = d.filter(|d| *d > today) {
                p.push(Problem::new(field, "date.future", super::format_date(d)));
            }
        }
        let order = [
            (
                "admission_date",
                "admission_date.before_birth",
                date_of_birth,
                admission_date,
            ),
            (
                "ceremony_date",
                "ceremony_date.before_admission",
                admission_date,
                ceremony_date,
            ),
            (
                "official_date",
                "official_date.before_admission",
                admission_date,
                official_date,
            ),
            (
                "official_date",
                "official_date.before_ceremony",
                ceremony_date,
                official_date,
            ),
        ];
        for (field, code, earlier, later) in order {
            if let (Some(Some(a)), Some(Some(b))) = (earlier, later)
                && b < a
            {
                p.push(Problem::new(field, code, super::format_date(b)));
            }
        }
        if !p.is_empty() {
            return Err(p);
        }
        Ok(Self {
            full_name: full_name.expect("checked"),
            other_name: opt_text(&f.other_name),
            sex: sex.flatten(),
            date_of_birth: date_of_birth.flatten(),
            ethnicity: opt_text(&f.ethnicity),
            religion: opt_text(&f.religion),
            national_id: national_id.flatten(),
            card_no: card_no.flatten(),
            admission_date: admission_date.flatten(),
            ceremony_date: ceremony_date.flatten(),
            official_date: official_date.flatten(),
            group_name: opt_text(&f.group_name),
            phone: phone.flatten(),
            email: email.flatten(),
            residence: opt_text(&f.residence),
            notes: opt_text(&f.notes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn fields() -> MemberFields {
        MemberFields {
            full_name: "Nguyễn Văn An".into(),
            sex: "Nam".into(),
            date_of_birth: "12/03/1970".into(),
            card_no: "001234567890".into(),
            admission_date: "03/02/1995".into(),
            ceremony_date: "10/03/1995".into(),
            official_date: "10/03/1996".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_record_parses() {
        let d = MemberDraft::parse(&fields(), today()).unwrap();
        assert_eq!(d.full_name.as_str(), "Nguyễn Văn An");
        assert_eq!(d.sex, Some(Sex::Nam));
        assert_eq!(d.card_no.unwrap().as_str(), "001234567890");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let f = MemberFields {
            card_no: "01234567890".into(),
            date_of_birth: "31/02/1970".into(),
            ..fields()
        };
        let p = MemberDraft::parse(&f, today()).unwrap_err();
        assert_eq!(p.for_field("card_no").unwrap().code, "card_no.format");
        assert_eq!(p.for_field("date_of_birth").unwrap().code, "date.invalid");
    }

    #[test]
    fn official_before_admission_is_refused() {
        let f = MemberFields {
            official_date: "01/01/1990".into(),
            ceremony_date: String::new(),
            ..fields()
        };
        let p = MemberDraft::parse(&f, today()).unwrap_err();
        assert_eq!(
            p.for_field("official_date").unwrap().code,
            "official_date.before_admission"
        );
    }

    #[test]
    fn statuses_parse_from_codes_and_words() {
        assert_eq!(parse_status("Chính thức"), Ok(Status::ChinhThuc));
        assert_eq!(parse_status("du_bi"), Ok(Status::DuBi));
        assert_eq!(parse_status("dự bị"), Ok(Status::DuBi));
        assert_eq!(parse_status("Đình chỉ sinh hoạt"), Ok(Status::DinhChi));
        assert!(parse_status("vip").is_err());
    }

    #[test]
    fn the_list_is_the_roll_and_apart_is_on_it() {
        let on_roll = |s| {
            matches!(
                s,
                Status::DuBi
                    | Status::ChinhThuc
                    | Status::MienSinhHoat
                    | Status::TamThoiDi
                    | Status::TamThoiDen
                    | Status::DinhChi
            )
        };
        for s in Status::ALL.iter().copied() {
            assert_eq!(s.on_list(), on_roll(s), "{s:?}");
        }
        assert!(Status::APART.iter().all(|s| s.on_list()));
    }

    #[test]
    fn death_ends_the_record() {
        assert!(!Status::TuTran.may_become(Status::ChinhThuc));
        assert!(Status::DuBi.may_become(Status::ChinhThuc));
        assert!(!Status::KhaiTru.may_become(Status::ChinhThuc));
    }
}
