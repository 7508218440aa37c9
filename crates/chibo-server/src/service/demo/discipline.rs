//! The demo's discipline case in its first cell: a report on a full member,
//! their self-review and the committee's review done, waiting for the cell's
//! meeting to hear the member and vote by secret ballot. Recorded through the
//! services as the secretary and the member would, every rule checked.

use super::super::discipline::{DisciplineStepForm, NewDisciplineForm};
use super::super::{Actor, Result, Services};
use crate::model::Status;
use crate::store;
use chrono::{DateTime, Duration, NaiveDate, Utc};

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Services {
    /// Opens the demo's discipline case; returns how many were opened (0 or 1).
    pub async fn generate_demo_discipline(&self, now: DateTime<Utc>) -> Result<usize> {
        let login = super::secretary_login(1);
        let member_login = super::member_login(1);
        let accounts = self
            .db
            .read(async |r| {
                Ok::<_, super::super::ServiceError>((
                    store::accounts::by_login(r, &login).await?,
                    store::accounts::by_login(r, &member_login).await?,
                ))
            })
            .await?;
        let (Some(secretary), member_account) = accounts else {
            return Ok(0);
        };
        let bithu = Actor::load(&self.db, secretary.id).await?;
        let Some(cell) = bithu.units.first().map(|u| u.id) else {
            return Ok(0);
        };
        let taken = [bithu.member_id, member_account.and_then(|a| a.member_id)];
        let members = self
            .db
            .read(async |r| store::members::of_cell(r, cell).await)
            .await?;
        // A full member with nothing else open (a transfer would be blocked).
        let mut subject = None;
        for m in members.iter().rev() {
            if m.status != Status::ChinhThuc || taken.contains(&Some(m.id)) {
                continue;
            }
            let open = self
                .db
                .read(async |r| store::cases::of_member(r, m.id).await)
                .await?;
            if open.is_empty() {
                subject = Some(m);
                break;
            }
        }
        let Some(m) = subject else { return Ok(0) };
        let today = super::super::today(now);
        let opened = today - Duration::days(20);
        let v = self
            .open_discipline(
                &bithu,
                &NewDisciplineForm {
                    member_id: m.id,
                    finding: "Không tham gia sinh hoạt chi bộ ba tháng liền không có lý do; \
                              không thực hiện nhiệm vụ chi bộ phân công tuyên truyền tại tổ dân phố."
                        .into(),
                    alleged_level: "khien_trach".into(),
                    violation_on: dmy(today - Duration::days(45)),
                    opened_on: dmy(opened),
                    ..NewDisciplineForm::default()
                },
                now,
            )
            .await?;
        let id = v.case.case.id;
        for (step, days, forms) in [
            ("tu_kiem_diem", 10, vec!["BKĐ-KL".to_string()]),
            ("chi_uy_xem_xet", 5, Vec::new()),
        ] {
            self.record_discipline_step(
                &bithu,
                id,
                &DisciplineStepForm {
                    step: step.into(),
                    date: dmy(today - Duration::days(days)),
                    forms,
                    ..DisciplineStepForm::default()
                },
                now,
            )
            .await?;
        }
        Ok(1)
    }
}
