//! The demo's keeping of members in its first cell: a dues category for each
//! member and a ledger of this year's months with a few members in arrears
//! and one paying ahead, and transfers in several states (in transit, letter
//! issued, temporary, refused). Everything goes through the services as the
//! secretary, the treasurer and the đảng ủy would record it.

use super::super::dues::{CategoryForm, PaymentForm, month_code};
use super::super::transfers::TransferForm;
use super::super::{Actor, Result, Services};
use crate::model::Status;
use crate::store;
use chrono::{DateTime, Datelike, Utc};

async fn actor(s: &Services, login: &str) -> Result<Option<Actor>> {
    let Some(a) =
        s.db.read(async |r| store::accounts::by_login(r, login).await)
            .await?
    else {
        return Ok(None);
    };
    Ok(Some(Actor::load(&s.db, a.id).await?))
}

impl Services {
    /// Fills the first cell's dues ledger and opens its demo transfers.
    /// Returns (dues entries, transfers).
    pub async fn generate_demo_keeping(&self, now: DateTime<Utc>) -> Result<(usize, usize)> {
        let (Some(bithu), Some(upper)) = (
            actor(self, &super::secretary_login(1)).await?,
            actor(self, &super::upper_login(1)).await?,
        ) else {
            return Ok((0, 0));
        };
        let dest = actor(self, &super::secretary_login(2)).await?;
        let Some(cell) = bithu.units.first().cloned() else {
            return Ok((0, 0));
        };
        let today = super::super::today(now);
        let current = (today.year(), today.month());
        // Twelve months back, never before QĐ 01-QĐ/TW (the rates it sets).
        let mut start = (today.year() - 1, today.month());
        start = start.max((2026, 3));
        let members: Vec<_> = self
            .db
            .read(async |r| store::members::of_cell(r, cell.id).await)
            .await?
            .into_iter()
            .filter(|m| m.status.on_list())
            .collect();
        let mut entries = 0;
        for (i, m) in members.iter().enumerate() {
            let (category, base) = match i % 4 {
                0 => ("bhxh", Some(6_000_000 + 500_000 * i as i64)),
                1 => ("pension", Some(5_200_000)),
                2 => ("other_under_retirement", None),
                _ => ("student", None),
            };
            let f = CategoryForm {
                member_id: m.id,
                from_month: month_code(start),
                category: category.into(),
                base_vnd: base,
                zone: base.is_none().then_some(1),
                ..CategoryForm::default()
            };
            if self.set_dues_category(&bithu, &f, now).await.is_err() {
                continue;
            }
            // One member in five stops paying three months before this one.
            let stop = if i % 5 == 4 { 3 } else { 0 };
            let mut month = start;
            let mut left = months_between(start, current) + 1 - stop;
            while left > 0 {
                let p = PaymentForm {
                    member_id: m.id,
                    month: month_code(month),
                    ..PaymentForm::default()
                };
                if self.record_payment(&bithu, &p, now).await.is_ok() {
                    entries += 1;
                }
                month = if month.1 == 12 {
                    (month.0 + 1, 1)
                } else {
                    (month.0, month.1 + 1)
                };
                left -= 1;
            }
            if i == 0 {
                let ahead = PaymentForm {
                    member_id: m.id,
                    month: month_code(month),
                    receipt_no: "PT-TRUOC-01".into(),
                    ..PaymentForm::default()
                };
                if self.record_payment(&bithu, &ahead, now).await.is_ok() {
                    entries += 1;
                }
            }
        }
        // Transfers: from the youngest full members, paid up this month.
        let movers: Vec<_> = members
            .iter()
            .filter(|m| m.status == Status::ChinhThuc.as_str())
            .rev()
            .take(4)
            .collect();
        let dest_cell = dest.as_ref().and_then(|d| d.units.first().map(|u| u.id));
        let mut transfers = 0;
        let plans: [(&str, Option<i64>, &str, &str); 4] = [
            (
                "chuyen_noi_bo",
                dest_cell,
                "",
                "Chuyển về ở cùng gia đình con",
            ),
            (
                "chuyen_noi_bo",
                dest_cell,
                "",
                "Chuyển nơi cư trú trong phường",
            ),
            (
                "chuyen_tam_thoi",
                None,
                "Đảng bộ Trường Đại học Bách khoa",
                "Đi học thạc sĩ tập trung",
            ),
            ("chuyen_noi_bo", dest_cell, "", "Chuyển nơi cư trú"),
        ];
        for (n, (m, (kind, to, outside, reason))) in movers.iter().zip(plans).enumerate() {
            if to.is_none() && outside.is_empty() {
                continue;
            }
            let back = today
                .checked_add_months(chrono::Months::new(6))
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default();
            let f = TransferForm {
                member_id: m.id,
                kind: kind.into(),
                dest_cell_id: to,
                dest_outside: outside.into(),
                reason: reason.into(),
                return_on: if kind == "chuyen_tam_thoi" {
                    back
                } else {
                    String::new()
                },
                ..TransferForm::default()
            };
            let Ok(id) = self.propose_transfer(&bithu, &f, now).await else {
                continue;
            };
            transfers += 1;
            let step = |code: &str, forms: &[&str]| super::super::cases::StepForm {
                step: code.into(),
                forms: forms.iter().map(|x| (*x).to_string()).collect(),
                ..super::super::cases::StepForm::default()
            };
            if n >= 1 {
                let _ = self
                    .record_step(&bithu, id, &step("de_nghi", &[]), now)
                    .await;
            }
            if n == 1 || n == 3 {
                let _ = self
                    .record_step(&upper, id, &step("cap_giay_gioi_thieu", &["GGT-NB"]), now)
                    .await;
            }
            if let (3, Some(d)) = (n, &dest) {
                let close = super::super::cases::CloseForm {
                    outcome: "tu_choi".into(),
                    reason: "Đảng viên chưa đến xuất trình giấy giới thiệu".into(),
                    ..super::super::cases::CloseForm::default()
                };
                let _ = self.close_case(d, id, &close, now).await;
            }
        }
        Ok((entries, transfers))
    }
}

fn months_between(a: (i32, u32), b: (i32, u32)) -> u32 {
    ((b.0 - a.0) * 12 + b.1 as i32 - a.1 as i32).max(0) as u32
}
