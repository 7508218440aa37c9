//! The demo's cases in its first cell: candidates stopped at different steps
//! of the admission, and the recognition of each probationary member, with
//! helpers assigned and self-reports where the probation is well along. Every
//! case goes through the services, as the secretary would record it: each
//! step checked by the rules in force on its day, with its audit entry.

use super::super::cases::{CandidateForm, IntroducerForm, StepForm};
use super::super::{Actor, Result, Services};
use crate::model::Status;
use crate::store;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A candidate of the demo: name, birth date, days since the cell proposed
/// them, and how many steps of the dossier are done.
const CANDIDATES: [(&str, &str, i64, usize); 3] = [
    ("Nguyễn Thị Thu Hà", "14/03/1999", 2, 0),
    ("Trần Minh Khôi", "02/09/2001", 75, 3),
    ("Lê Hoàng Yến", "21/11/1996", 160, 7),
];

/// The dossier's steps in their order, with the forms each files.
const DOSSIER: [(&str, &[&str]); 7] = [
    ("bdnt", &["CN-NTVĐ"]),
    ("don_xin_vao_dang", &["1-KNĐ"]),
    ("ly_lich", &["2-KNĐ"]),
    ("tham_tra_ly_lich", &[]),
    ("gioi_thieu", &["3-KNĐ"]),
    ("lay_y_kien", &["5-KNĐ", "5B-KNĐ", "5C-KNĐ"]),
    ("chi_uy_xem_xet", &[]),
];

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Services {
    /// Opens the demo's cases in the first cell, as its secretary (`bithu`).
    /// Returns how many cases were opened.
    pub async fn generate_demo_cases(&self, now: DateTime<Utc>) -> Result<usize> {
        let login = super::secretary_login(1);
        let Some(account) = self
            .db
            .read(async |r| store::accounts::by_login(r, &login).await)
            .await?
        else {
            return Ok(0);
        };
        let actor = Actor::load(&self.db, account.id).await?;
        let Some(cell) = actor.units.first().map(|u| u.id) else {
            return Ok(0);
        };
        let members = self
            .db
            .read(async |r| store::members::of_cell(r, cell).await)
            .await?;
        let today = super::super::today(now);
        // The longest in the Party introduce and help: their party age and
        // shared time pass every pack's minimum.
        let mut full: Vec<_> = members
            .iter()
            .filter(|m| m.status == Status::ChinhThuc && m.admission_date.is_some())
            .collect();
        full.sort_by_key(|m| m.admission_date);
        let mut opened = 0;
        for (name, born, days_ago, done) in CANDIDATES {
            let start = today - Duration::days(days_ago);
            let form = CandidateForm {
                full_name: name.into(),
                date_of_birth: born.into(),
                residence: "Tổ 3, khu phố 1".into(),
                opened_on: dmy(start),
                ..CandidateForm::default()
            };
            let case = self
                .propose_candidate(&actor, Some(cell), &form, now)
                .await?;
            opened += 1;
            for (k, (step, forms)) in DOSSIER.iter().take(done).enumerate() {
                let on = start + Duration::days(7 * i64::try_from(k).unwrap_or(0));
                let introducers = if *step == "gioi_thieu" {
                    full.iter()
                        .take(2)
                        .map(|m| IntroducerForm {
                            member_id: m.id,
                            known_since: dmy(on - Duration::days(3 * 365)),
                        })
                        .collect()
                } else {
                    vec![]
                };
                let f = StepForm {
                    step: (*step).into(),
                    date: dmy(on.min(today)),
                    forms: forms.iter().map(|f| (*f).into()).collect(),
                    introducers,
                    ..StepForm::default()
                };
                self.record_step(&actor, case, &f, now).await?;
            }
        }
        // Each probationary member's recognition, opened today (they were
        // admitted before the demo's cases, so nothing is dated earlier);
        // past three months of probation their helpers are named today, past
        // nine they have handed in their self-review.
        for m in members.iter().filter(|m| m.status == Status::DuBi) {
            let Some(ceremony) = m.ceremony_date else {
                continue;
            };
            let case = self.open_recognition(&actor, m.id, now).await?;
            opened += 1;
            let months = (today - ceremony).num_days() / 30;
            if months >= 3 {
                let f = StepForm {
                    step: "phan_cong_giup_do".into(),
                    date: dmy(today),
                    mentors: full.iter().skip(2).take(2).map(|m| m.id).collect(),
                    ..StepForm::default()
                };
                self.record_step(&actor, case, &f, now).await?;
            }
            if months >= 9 {
                let f = StepForm {
                    step: "tu_kiem_diem".into(),
                    date: dmy(today),
                    forms: vec!["10-KNĐ".into()],
                    ..StepForm::default()
                };
                self.record_step(&actor, case, &f, now).await?;
            }
        }
        Ok(opened)
    }
}
