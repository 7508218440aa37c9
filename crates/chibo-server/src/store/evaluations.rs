//! Evaluation rounds and each member's evaluation in them (issue 16): the
//! self-review, the tier the cell proposed and the one decided above.

use super::{Reader, Result, Tx, in_tx, prefix_range, read};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RoundRow {
    pub id: i64,
    pub unit_id: i64,
    pub year: i64,
    /// nam | quy_1 … quy_4
    pub period: String,
    pub self_review_due: NaiveDate,
    pub round_due: NaiveDate,
    pub opened_on: NaiveDate,
}

const ROUND: &str = "id, unit_id, year, period, self_review_due, round_due, opened_on";

/// One member's evaluation in a round.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct EvaluationRow {
    pub id: i64,
    pub round_id: i64,
    pub cell_id: i64,
    pub member_id: i64,
    pub full_name: String,
    pub case_id: Option<i64>,
    /// Exempt from party work: not rated.
    pub exempt: bool,
    pub form: String,
    /// Points per criterion, `{code: points}` (JSON).
    pub scores: String,
    pub self_points: Option<i64>,
    pub self_tier: Option<String>,
    pub self_text: Option<String>,
    pub tasks_exceeding: i64,
    /// The records shown with the self-review (JSON). Not serialized: the
    /// view carries them decoded under the same name.
    #[serde(skip)]
    pub evidence: String,
    pub submitted_on: Option<NaiveDate>,
    pub late_permission: Option<String>,
    pub opinions: Option<String>,
    pub proposed_tier: Option<String>,
    pub vote_id: Option<i64>,
    pub final_tier: Option<String>,
    pub final_reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub version: i64,
}

const EVALUATION: &str = "e.id, e.round_id, e.cell_id, e.member_id, m.full_name, e.case_id, e.exempt, e.form, \
     e.scores, e.self_points, e.self_tier, e.self_text, e.tasks_exceeding, e.evidence, e.submitted_on, \
     e.late_permission, e.opinions, e.proposed_tier, e.vote_id, e.final_tier, e.final_reason, e.decided_on, e.version";
const EVALUATION_FROM: &str = "evaluation e JOIN member m ON m.id = e.member_id";

pub struct NewRound {
    pub unit_id: i64,
    pub year: i64,
    pub period: &'static str,
    pub self_review_due: NaiveDate,
    pub round_due: NaiveDate,
    pub opened_on: NaiveDate,
}

/// A new round, or `None` when the unit already opened one for the period.
pub async fn insert_round(tx: &mut Tx, n: &NewRound, now: DateTime<Utc>) -> Result<Option<i64>> {
    let r = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO evaluation_round (unit_id, year, period, self_review_due, round_due, opened_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(n.unit_id)
        .bind(n.year)
        .bind(n.period)
        .bind(n.self_review_due)
        .bind(n.round_due)
        .bind(n.opened_on)
        .bind(now)
        .fetch_one(c)
        .await
    });
    match r {
        Ok(id) => Ok(Some(id)),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct NewEvaluation<'a> {
    pub round_id: i64,
    pub cell_id: i64,
    pub member_id: i64,
    pub case_id: Option<i64>,
    pub exempt: bool,
    pub form: &'a str,
}

pub async fn insert(tx: &mut Tx, n: &NewEvaluation<'_>, now: DateTime<Utc>) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO evaluation (round_id, cell_id, member_id, case_id, exempt, form, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(n.round_id)
        .bind(n.cell_id)
        .bind(n.member_id)
        .bind(n.case_id)
        .bind(n.exempt)
        .bind(n.form)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn round(r: &mut Reader, id: i64) -> Result<Option<RoundRow>> {
    super::row_by(r, "evaluation_round", ROUND, "id", id).await
}

/// The rounds opened by the unit or the committees above it, newest first.
pub async fn rounds_over(r: &mut Reader, unit_ids: &[i64]) -> Result<Vec<RoundRow>> {
    let mut out: Vec<RoundRow> = Vec::new();
    for id in unit_ids {
        let sql = format!(
            "SELECT {ROUND} FROM evaluation_round WHERE unit_id = $1 ORDER BY year DESC, period DESC, id DESC"
        );
        out.extend(read!(r, |c| sqlx::query_as::<_, RoundRow>(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(*id)
        .fetch_all(c)
        .await)?);
    }
    out.sort_by(|a, b| (b.year, &b.period, b.id).cmp(&(a.year, &a.period, a.id)));
    Ok(out)
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<EvaluationRow>> {
    super::row_by(r, EVALUATION_FROM, EVALUATION, "e.id", id).await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<EvaluationRow>> {
    super::row_by_in(tx, EVALUATION_FROM, EVALUATION, "e.id", id).await
}

/// A round's evaluations in the cells under a path, by cell and name.
pub async fn of_round(r: &mut Reader, round_id: i64, path: &str) -> Result<Vec<EvaluationRow>> {
    let (lo, hi) = prefix_range(path);
    let sql = format!(
        "SELECT {EVALUATION} FROM {EVALUATION_FROM} JOIN org_unit o ON o.id = e.cell_id \
         WHERE e.round_id = $1 AND o.path >= $2 AND o.path < $3 ORDER BY o.code, o.name, e.cell_id, m.name_fold, e.id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id)
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?)
}

/// A round's evaluations of one cell, inside a write transaction.
pub async fn of_cell_in(tx: &mut Tx, round_id: i64, cell_id: i64) -> Result<Vec<EvaluationRow>> {
    let sql = format!(
        "SELECT {EVALUATION} FROM {EVALUATION_FROM} WHERE e.round_id = $1 AND e.cell_id = $2 ORDER BY m.name_fold, e.id"
    );
    Ok(in_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id)
        .bind(cell_id)
        .fetch_all(c)
        .await)?)
}

/// A member's evaluations, the newest round first.
pub async fn of_member(r: &mut Reader, member_id: i64) -> Result<Vec<(RoundRow, EvaluationRow)>> {
    let sql = format!(
        "SELECT {EVALUATION} FROM {EVALUATION_FROM} JOIN evaluation_round d ON d.id = e.round_id \
         WHERE e.member_id = $1 ORDER BY d.year DESC, d.period DESC, e.id DESC"
    );
    let rows: Vec<EvaluationRow> = read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?;
    let mut out = Vec::new();
    for e in rows {
        if let Some(round) = round(r, e.round_id).await? {
            out.push((round, e));
        }
    }
    Ok(out)
}

/// The self-review as the member submitted it.
pub struct SelfReview<'a> {
    pub scores: &'a str,
    pub self_points: i64,
    pub self_tier: &'a str,
    pub self_text: Option<&'a str>,
    pub tasks_exceeding: i64,
    pub evidence: &'a str,
    pub submitted_on: NaiveDate,
}

/// Each write checks the version read and bumps it: `false` when another
/// request changed the evaluation since.
pub async fn save_self_review(
    tx: &mut Tx,
    id: i64,
    version: i64,
    s: &SelfReview<'_>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| sqlx::query(
        "UPDATE evaluation SET scores = $1, self_points = $2, self_tier = $3, self_text = $4, \
         tasks_exceeding = $5, evidence = $6, submitted_on = $7, version = version + 1 \
         WHERE id = $8 AND version = $9"
    )
    .bind(s.scores)
    .bind(s.self_points)
    .bind(s.self_tier)
    .bind(s.self_text)
    .bind(s.tasks_exceeding)
    .bind(s.evidence)
    .bind(s.submitted_on)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn permit_late(tx: &mut Tx, id: i64, version: i64, reason: &str) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE evaluation SET late_permission = $1, version = version + 1 WHERE id = $2 AND version = $3"
    )
    .bind(reason)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn propose(
    tx: &mut Tx,
    id: i64,
    version: i64,
    tier: &str,
    opinions: Option<&str>,
    vote_id: i64,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE evaluation SET proposed_tier = $1, opinions = $2, vote_id = $3, version = version + 1 \
         WHERE id = $4 AND version = $5"
    )
    .bind(tier)
    .bind(opinions)
    .bind(vote_id)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn decide(
    tx: &mut Tx,
    id: i64,
    version: i64,
    tier: &str,
    reason: Option<&str>,
    on: NaiveDate,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE evaluation SET final_tier = $1, final_reason = $2, decided_on = $3, version = version + 1 \
         WHERE id = $4 AND version = $5"
    )
    .bind(tier)
    .bind(reason)
    .bind(on)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
