//! An election's candidate list and the post its elected take (migration
//! 0020), and the open vote that elected the counting committee.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Named apart in the API document: admission's candidates are `CandidateRow` too.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = ElectionCandidate)]
pub struct CandidateRow {
    pub pos: i64,
    pub member_id: i64,
    pub full_name: String,
    /// `de_cu` (nominated) or `tu_ung_cu` (self-nominated).
    pub nomination: String,
    pub withdrawn: bool,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ElectionRow {
    pub post: String,
    pub term_months: i64,
    pub recorded_at: Option<DateTime<Utc>>,
}

pub struct NewCandidate<'a> {
    pub member_id: i64,
    pub nomination: &'a str,
    pub withdrawn: bool,
}

pub async fn save(
    tx: &mut Tx,
    sv_id: i64,
    post: &str,
    term_months: i64,
    candidates: &[NewCandidate<'_>],
) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO sv_election (sv_id, post, term_months) VALUES ($1, $2, $3)"
    )
    .bind(sv_id)
    .bind(post)
    .bind(term_months)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for (pos, cand) in candidates.iter().enumerate() {
        in_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO sv_candidate (sv_id, pos, member_id, nomination, withdrawn) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(sv_id)
        .bind(pos as i64)
        .bind(cand.member_id)
        .bind(cand.nomination)
        .bind(i64::from(cand.withdrawn))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn election(r: &mut Reader, sv_id: i64) -> Result<Option<ElectionRow>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT post, term_months, recorded_at FROM sv_election WHERE sv_id = $1"
    )
    .bind(sv_id)
    .fetch_optional(c)
    .await)?)
}

pub async fn candidates(r: &mut Reader, sv_id: i64) -> Result<Vec<CandidateRow>> {
    let rows: Vec<(i64, i64, String, String, i64)> = read!(r, |c| sqlx::query_as(
        "SELECT s.pos, s.member_id, m.full_name, s.nomination, s.withdrawn FROM sv_candidate s \
         JOIN member m ON m.id = s.member_id WHERE s.sv_id = $1 ORDER BY s.pos"
    )
    .bind(sv_id)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(pos, member_id, full_name, nomination, w)| CandidateRow {
            pos,
            member_id,
            full_name,
            nomination,
            withdrawn: w != 0,
        })
        .collect())
}

/// Marks the election recorded; false if it already was.
pub async fn mark_recorded(tx: &mut Tx, sv_id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = in_tx!(tx, |c| sqlx::query(
        "UPDATE sv_election SET recorded_at = $1 WHERE sv_id = $2 AND recorded_at IS NULL"
    )
    .bind(now)
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A post held from `start`, its term in the note.
pub async fn add_post(
    tx: &mut Tx,
    org_id: i64,
    member_id: i64,
    role: &str,
    start: NaiveDate,
    note: &str,
) -> Result<i64> {
    let id = in_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO committee_role (org_id, member_id, role, start_date, note) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(org_id)
    .bind(member_id)
    .bind(role)
    .bind(start)
    .bind(note)
    .fetch_one(c)
    .await
    })?;
    // Someone new on a committee hears of its cases from the next sweep.
    super::cases::remind_cell_again(tx, org_id).await?;
    Ok(id)
}

pub async fn set_committee_vote(tx: &mut Tx, sv_id: i64, vote_id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO sv_committee_vote (sv_id, vote_id) VALUES ($1, $2)"
    )
    .bind(sv_id)
    .bind(vote_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn committee_vote(r: &mut Reader, sv_id: i64) -> Result<Option<i64>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT vote_id FROM sv_committee_vote WHERE sv_id = $1"
    )
    .bind(sv_id)
    .fetch_optional(c)
    .await)?)
}
