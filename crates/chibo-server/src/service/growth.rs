//! The member lifecycle's figures, counted from the case records: members
//! admitted and recognised as full members (by the date of the competent
//! committee's decision). The upper committee's table, its roll-up and the
//! cells' reports upward all count through this function, so no two screens
//! disagree. (Open cases past a deadline are counted from the kept
//! deadlines, `service::case_dues`.)

use super::Result;
use super::cases::{ADMISSION_DECISION, RECOGNITION_DECISION};
use crate::store::{Reader, cases as db};
use chibo_rules::CaseKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Admissions and recognitions decided in a span of days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Growth {
    /// Candidates admitted (kết nạp): the decision dated in the span.
    pub admitted: i64,
    /// Probationers recognised as full members (công nhận chính thức).
    pub recognised: i64,
}

/// Per cell under `path`, the admissions and recognitions whose decision is
/// dated between `from` and `to` (both included).
pub(crate) async fn growth_by_cell(
    r: &mut Reader,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i64, Growth>> {
    let mut out: HashMap<i64, Growth> = HashMap::new();
    for (cell, n) in
        db::decided_by_cell(r, path, CaseKind::KetNap, ADMISSION_DECISION, (from, to)).await?
    {
        out.entry(cell).or_default().admitted = n;
    }
    let recognitions = db::decided_by_cell(
        r,
        path,
        CaseKind::CongNhanChinhThuc,
        RECOGNITION_DECISION,
        (from, to),
    )
    .await?;
    for (cell, n) in recognitions {
        out.entry(cell).or_default().recognised = n;
    }
    Ok(out)
}
