//! The demo's Party badges in its first cell: of the members the rules find
//! due this year and next, one proposed (the case at the đảng ủy) and one
//! awarded through every step of the procedure; the others listed as due.
//! Everything goes through the services as the secretary and the đảng ủy
//! would record it.

use super::super::badges::BadgeProposalForm;
use super::super::cases::StepForm;
use super::super::{Actor, Result, Services};
use crate::store;
use chrono::{DateTime, Utc};

async fn actor(s: &Services, login: &str) -> Result<Option<Actor>> {
    let Some(a) =
        s.db.read(async |r| store::accounts::by_login(r, login).await)
            .await?
    else {
        return Ok(None);
    };
    Ok(Some(Actor::load(&s.db, a.id).await?))
}

/// The procedure's steps, each with the form it files and who records it
/// (the cell, or the đảng ủy for the bodies above).
const STEPS: [(&str, &str, bool); 5] = [
    ("to_khai", "6-HHĐ", false),
    ("chi_uy_de_nghi", "2-HSĐV", false),
    ("dang_uy_de_nghi", "4-HHĐ", true),
    ("quyet_dinh", "", true),
    ("trao_tang", "", true),
];

impl Services {
    /// Proposes and awards the demo's badges. Returns (members due, proposals
    /// open, awards).
    pub async fn generate_demo_badges(&self, now: DateTime<Utc>) -> Result<(usize, usize, usize)> {
        let (Some(bithu), Some(upper)) = (
            actor(self, &super::secretary_login(1)).await?,
            actor(self, &super::upper_login(1)).await?,
        ) else {
            return Ok((0, 0, 0));
        };
        let Some(cell) = bithu.units.first().cloned() else {
            return Ok((0, 0, 0));
        };
        let list = self.badge_list(&bithu, Some(cell.id), None, now).await?;
        let due: Vec<_> = list.this_year.iter().chain(&list.next_year).collect();
        let (mut proposed, mut awarded) = (0, 0);
        for (n, line) in due.iter().take(2).enumerate() {
            let f = BadgeProposalForm {
                member_id: line.member_id,
                ceremony_on: line.ceremony_on.format("%d/%m/%Y").to_string(),
            };
            let Ok(id) = self.propose_badge(&bithu, &f, now).await else {
                continue;
            };
            if n == 1 {
                proposed += 1;
                continue;
            }
            // The first one goes the whole way: the province's decision and
            // the badge presented (on an occasion the committee chose).
            for (step, form, up) in STEPS {
                let f = StepForm {
                    step: step.into(),
                    forms: if form.is_empty() {
                        Vec::new()
                    } else {
                        vec![form.into()]
                    },
                    doc_number: if step == "quyet_dinh" {
                        "1024-QĐ/TU".into()
                    } else {
                        String::new()
                    },
                    ..StepForm::default()
                };
                let who = if up { &upper } else { &bithu };
                self.record_step(who, id, &f, now).await?;
            }
            awarded += 1;
        }
        Ok((due.len(), proposed, awarded))
    }
}
