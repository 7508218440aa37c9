//! Document number and date line of Party documents (HD 36-HD/VPTW, HD 05-HD/VPTW): numbers
//! run per type over the committee term; "Số 05-NQ/CB"; "ngày 05 tháng 02 năm 2026".

use chrono::{Datelike, NaiveDate};

/// `Số 05-NQ/CB`: the number zero-padded to two digits, then the type and issuer symbols.
pub fn format_doc_number(seq: u32, doc_type: &str, org: &str) -> String {
    format!("Số {seq:02}-{doc_type}/{org}")
}

/// `Bến Nghé, ngày 05 tháng 02 năm 2026`: days below 10 and the months 1 and 2 take a leading
/// zero (so "tháng 02" is never misread as "tháng 12"), other months do not ("tháng 5").
pub fn format_date_line(place: &str, date: NaiveDate) -> String {
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        date.day(),
        date.year()
    )
}
