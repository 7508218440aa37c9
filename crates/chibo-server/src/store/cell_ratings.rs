//! The cells' own ratings in an evaluation round (issue 16, form 01-HD
//! KĐ.ĐG): the collective self-review, the tier the cell's conference
//! proposed and the one the upper committee decided.

use super::{Reader, Result, Tx, in_tx, prefix_range, read};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A cell's rating in a round.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CellRatingRow {
    pub id: i64,
    pub round_id: i64,
    pub cell_id: i64,
    pub cell_name: String,
    pub case_id: i64,
    pub self_points: Option<i64>,
    pub tasks_exceeding: i64,
    pub self_tier: Option<String>,
    pub report: Option<String>,
    /// The records' figures as submitted (JSON). Not serialized: the view
    /// carries them decoded.
    #[serde(skip)]
    pub figures: String,
    pub submitted_on: Option<NaiveDate>,
    pub opinions: Option<String>,
    pub proposed_tier: Option<String>,
    pub vote_id: Option<i64>,
    pub final_tier: Option<String>,
    pub final_reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub announced_on: Option<NaiveDate>,
    pub version: i64,
}

const COLUMNS: &str = "e.id, e.round_id, e.cell_id, o.name AS cell_name, e.case_id, e.self_points, \
     e.tasks_exceeding, e.self_tier, e.report, e.figures, e.submitted_on, e.opinions, e.proposed_tier, \
     e.vote_id, e.final_tier, e.final_reason, e.decided_on, e.announced_on, e.version";
const FROM: &str = "cell_evaluation e JOIN org_unit o ON o.id = e.cell_id";

pub async fn insert(
    tx: &mut Tx,
    (round_id, cell_id, case_id): (i64, i64, i64),
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO cell_evaluation (round_id, cell_id, case_id, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(round_id)
        .bind(cell_id)
        .bind(case_id)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// The rating of a cell in a round.
pub async fn of_cell(r: &mut Reader, round_id: i64, cell_id: i64) -> Result<Option<CellRatingRow>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE e.round_id = $1 AND e.cell_id = $2");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id)
        .bind(cell_id)
        .fetch_optional(c)
        .await)?)
}

/// A round's ratings of the cells under a path, in the cells' order.
pub async fn of_round(r: &mut Reader, round_id: i64, path: &str) -> Result<Vec<CellRatingRow>> {
    let (lo, hi) = prefix_range(path);
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE e.round_id = $1 AND o.path >= $2 AND o.path < $3 \
         ORDER BY o.code, o.name, e.cell_id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(round_id)
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?)
}

/// The cells' newest ratings under a path, one per cell: the last round's.
pub async fn latest_under(r: &mut Reader, path: &str) -> Result<Vec<(i64, CellRatingRow)>> {
    let (lo, hi) = prefix_range(path);
    let sql = format!(
        "SELECT d.year, {COLUMNS} FROM {FROM} JOIN evaluation_round d ON d.id = e.round_id \
         WHERE o.path >= $1 AND o.path < $2 ORDER BY e.cell_id, d.year DESC, d.period DESC, e.id DESC"
    );
    #[derive(sqlx::FromRow)]
    struct Dated {
        year: i64,
        #[sqlx(flatten)]
        row: CellRatingRow,
    }
    let rows: Vec<Dated> = read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?;
    let mut out: Vec<(i64, CellRatingRow)> = Vec::new();
    for d in rows {
        if out.last().is_none_or(|(_, l)| l.cell_id != d.row.cell_id) {
            out.push((d.year, d.row));
        }
    }
    Ok(out)
}

/// A cell's decided rating of a year: the upper committee's tier.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecidedRow {
    pub cell_id: i64,
    pub round_id: i64,
    pub final_tier: String,
}

/// The decided ratings of `year` of the cells under a path, newest round
/// first within each cell (in the order [`latest_under`] takes as newest):
/// one statement whatever the number of cells.
pub async fn decided_under(r: &mut Reader, path: &str, year: i64) -> Result<Vec<DecidedRow>> {
    let (lo, hi) = prefix_range(path);
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT e.cell_id, e.round_id, e.final_tier FROM cell_evaluation e \
         JOIN org_unit o ON o.id = e.cell_id JOIN evaluation_round d ON d.id = e.round_id \
         WHERE o.path >= $1 AND o.path < $2 AND d.year = $3 AND e.final_tier IS NOT NULL \
         ORDER BY e.cell_id, d.period DESC, e.id DESC"
    )
    .bind(&lo)
    .bind(&hi)
    .bind(year)
    .fetch_all(c)
    .await)?)
}

/// The cells with members in a round but no rating of their own (rounds
/// opened before migration 0025), by round then cell.
pub async fn missing(r: &mut Reader) -> Result<Vec<(i64, i64)>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT DISTINCT v.round_id, v.cell_id FROM evaluation v \
         WHERE NOT EXISTS (SELECT 1 FROM cell_evaluation e \
                           WHERE e.round_id = v.round_id AND e.cell_id = v.cell_id) \
         ORDER BY v.round_id, v.cell_id"
    )
    .fetch_all(c)
    .await)?)
}

/// The collective self-review as submitted.
pub struct SelfReview<'a> {
    pub self_points: i64,
    pub tasks_exceeding: i64,
    pub self_tier: &'a str,
    pub report: &'a str,
    pub figures: &'a str,
    pub submitted_on: NaiveDate,
}

/// Each write checks the version read and bumps it: `false` when another
/// request changed the rating since.
pub async fn save_self_review(
    tx: &mut Tx,
    id: i64,
    version: i64,
    s: &SelfReview<'_>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cell_evaluation SET self_points = $1, tasks_exceeding = $2, self_tier = $3, report = $4, \
         figures = $5, submitted_on = $6, version = version + 1 WHERE id = $7 AND version = $8"
    )
    .bind(s.self_points)
    .bind(s.tasks_exceeding)
    .bind(s.self_tier)
    .bind(s.report)
    .bind(s.figures)
    .bind(s.submitted_on)
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
    (id, version): (i64, i64),
    tier: &str,
    opinions: Option<&str>,
    vote_id: i64,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cell_evaluation SET proposed_tier = $1, opinions = $2, vote_id = $3, version = version + 1 \
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
    (id, version): (i64, i64),
    tier: &str,
    reason: Option<&str>,
    on: NaiveDate,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cell_evaluation SET final_tier = $1, final_reason = $2, decided_on = $3, version = version + 1 \
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

pub async fn announce(tx: &mut Tx, (id, version): (i64, i64), on: NaiveDate) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cell_evaluation SET announced_on = $1, version = version + 1 WHERE id = $2 AND version = $3"
    )
    .bind(on)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
