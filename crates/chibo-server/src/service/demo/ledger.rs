//! The dues ledger of every cell after the first (whose ledger `keeping`
//! records through the services) for the demo with history and the
//! province benchmark: each member on the roll gets a category and a
//! payment of the amount the pack computes for every month since the rates
//! of QĐ 01-QĐ/TW (at most a year back), one in five stopping three months
//! ago, so the cells have arrears. Rows are built in memory and
//! bulk-written with the audit entries the services write: the category's,
//! and one for the member's payments of the year (one per payment would
//! double the province's journal for the same figures).

use super::Batch;
use crate::service::dues::{DueByMonth, Month, month_code};
use crate::store::bulk::Rows;
use crate::store::dues::CategoryRow;
use crate::store::orgs::OrgRow;
use crate::store::{Result, Tx};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

/// The month QĐ 01-QĐ/TW's rates apply from: no ledger starts before it.
const FIRST: Month = (2026, 3);

pub(super) struct Ledger {
    categories: Rows,
    entries: Rows,
}

impl Ledger {
    pub fn new() -> Self {
        Self {
            categories: Rows::new(
                "dues_category",
                &[
                    "member_id",
                    "from_month",
                    "category",
                    "base_vnd",
                    "zone",
                    "reason",
                    "actor",
                    "created_at",
                ],
            ),
            entries: Rows::new(
                "dues_entry",
                &[
                    "member_id",
                    "cell_id",
                    "month",
                    "amount_vnd",
                    "due_vnd",
                    "paid_on",
                    "channel",
                    "actor",
                    "created_at",
                ],
            ),
        }
    }

    pub async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        self.categories.flush(tx).await?;
        self.entries.flush(tx).await
    }
}

fn next(m: Month) -> Month {
    if m.1 == 12 {
        (m.0 + 1, 1)
    } else {
        (m.0, m.1 + 1)
    }
}

fn back(m: Month, n: u32) -> Month {
    let i = m.0 * 12 + m.1 as i32 - 1 - n as i32;
    (i.div_euclid(12), i.rem_euclid(12) as u32 + 1)
}

impl Batch {
    /// A cell's ledger: `roll` is each member on it with their admission day.
    pub(super) fn ledger(
        &mut self,
        rules: &chibo_rules::Rules,
        cell: &OrgRow,
        treasurer: &str,
        roll: &[(i64, Option<NaiveDate>)],
        today: NaiveDate,
    ) {
        let Some(ledger) = self.ledger.as_mut() else {
            return;
        };
        let current = (today.year(), today.month());
        let start = back(current, 12).max(FIRST);
        if start > current {
            return;
        }
        let mut journal = Vec::new();
        for (i, (member_id, admission)) in roll.iter().enumerate() {
            // The categories of the first cell's ledger, in turn.
            let (category, base, zone) = match i % 4 {
                0 => ("bhxh", Some(6_000_000 + 500_000 * i as i64), None),
                1 => ("pension", Some(5_200_000), None),
                2 => ("other_under_retirement", None, Some(1)),
                _ => ("student", None, Some(1)),
            };
            let cat = CategoryRow {
                id: 0,
                member_id: *member_id,
                from_month: month_code(start),
                category: category.into(),
                base_vnd: base,
                zone,
                reduction_pct: None,
                reason: None,
                actor: treasurer.into(),
            };
            ledger.categories.push([
                (*member_id).into(),
                cat.from_month.clone().into(),
                category.into(),
                base.into(),
                zone.into(),
                None::<String>.into(),
                treasurer.into(),
                self.at.into(),
            ]);
            journal.push((
                *member_id,
                "dues.category",
                json!({"from_month": cat.from_month, "category": category, "base_vnd": base,
                       "zone": zone, "reduction_pct": null, "reason": ""}),
            ));
            let last = if i % 5 == 4 {
                back(current, 3)
            } else {
                current
            };
            let cats = [cat];
            let (mut months, mut total) = (Vec::new(), 0);
            let mut m = start;
            let mut due_by_month = DueByMonth::new(rules, &cats, *admission);
            while m <= last {
                let due = due_by_month.at(m).map_or(0, |d| d.0);
                // The payment on the 10th of its month (today at the latest).
                let paid_on = NaiveDate::from_ymd_opt(m.0, m.1, 10)
                    .unwrap_or(today)
                    .min(today);
                if due > 0 {
                    ledger.entries.push([
                        (*member_id).into(),
                        cell.id.into(),
                        month_code(m).into(),
                        due.into(),
                        due.into(),
                        paid_on.into(),
                        "cash".into(),
                        treasurer.into(),
                        self.at.into(),
                    ]);
                    months.push(month_code(m));
                    total += due;
                }
                m = next(m);
            }
            if !months.is_empty() {
                journal.push((
                    *member_id,
                    "dues.pay",
                    json!({"months": months, "amount_vnd": total, "channel": "cash"}),
                ));
            }
        }
        for (member_id, action, summary) in journal {
            self.audit(cell.id, action, "member", member_id, &summary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_back_across_years() {
        assert_eq!(back((2026, 12), 12), (2025, 12));
        assert_eq!(back((2026, 3), 3), (2025, 12));
        assert_eq!(back((2026, 5), 0), (2026, 5));
        assert_eq!(next((2026, 12)), (2027, 1));
    }
}
