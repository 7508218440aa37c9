//! What a member's own page reads and writes: their answer to a meeting's
//! notice, and the documents sent to their cell.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, Utc};

/// Records a member's answer on the roll; false when they are not on it.
pub async fn set_rsvp(
    tx: &mut Tx,
    meeting_id: i64,
    member_id: i64,
    answer: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE attendance SET rsvp = $1, rsvp_reason = $2, rsvp_at = $3 WHERE meeting_id = $4 AND member_id = $5",
        )
        .bind(answer)
        .bind(reason)
        .bind(now)
        .bind(meeting_id)
        .bind(member_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// A member's answer to a meeting's notice: (on the roll, answer, reason).
pub async fn rsvp(
    r: &mut Reader,
    meeting_id: i64,
    member_id: i64,
) -> Result<Option<(Option<String>, Option<String>)>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT rsvp, rsvp_reason FROM attendance WHERE meeting_id = $1 AND member_id = $2"
    )
    .bind(meeting_id)
    .bind(member_id)
    .fetch_optional(c)
    .await)?)
}

/// A document sent to a cell's members: a meeting's posted file or an
/// adopted resolution.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SentDoc {
    pub meeting_id: i64,
    /// The posted file's id; `None` for a resolution.
    pub file_id: Option<i64>,
    pub title: String,
    pub at: DateTime<Utc>,
}

pub async fn documents_for_cell(r: &mut Reader, cell_id: i64, limit: i64) -> Result<Vec<SentDoc>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT meeting_id, file_id, title, at FROM (\
           SELECT f.meeting_id, f.id AS file_id, f.file_name AS title, f.created_at AS at FROM meeting_file f \
             JOIN meeting m ON m.id = f.meeting_id WHERE m.cell_id = $1 \
           UNION ALL \
           SELECT r.meeting_id, NULL AS file_id, COALESCE(r.number_text, '') || ' ' || r.subject AS title, r.adopted_at AS at \
             FROM resolution r WHERE r.cell_id = $1 AND r.status = 'adopted') d ORDER BY at DESC LIMIT $2"
    )
    .bind(cell_id)
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}
