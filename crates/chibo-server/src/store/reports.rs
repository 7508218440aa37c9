//! Reports upward (Báo cáo): drafts, then issued with a number and a seal.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub id: i64,
    pub org_id: i64,
    /// thang | quy | sau_thang | nam
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The figures and the text sections, as JSON.
    pub body: String,
    /// draft | issued
    pub status: String,
    pub number_text: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub hash: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, org_id, period, period_start, period_end, body, status, number_text, issued_at, hash, \
     version, created_at";

pub struct NewReport<'a> {
    pub org_id: i64,
    pub period: &'a str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub body: &'a str,
}

pub async fn insert(tx: &mut Tx, r: &NewReport<'_>, now: DateTime<Utc>) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO report (org_id, period, period_start, period_end, body, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6) RETURNING id",
        )
        .bind(r.org_id)
        .bind(r.period)
        .bind(r.start)
        .bind(r.end)
        .bind(r.body)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<ReportRow>> {
    let sql = format!("SELECT {COLUMNS} FROM report WHERE id = $1");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// A unit's reports, newest period first.
pub async fn of_org(r: &mut Reader, org_id: i64) -> Result<Vec<ReportRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM report WHERE org_id = $1 ORDER BY period_start DESC, period_end, id DESC"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .fetch_all(c)
        .await)?)
}

/// Saves a draft's body if nobody changed it meanwhile.
pub async fn save_draft(tx: &mut Tx, id: i64, version: i64, body: &str) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE report SET body = $1, version = version + 1 WHERE id = $2 AND version = $3 AND status = 'draft'",
        )
        .bind(body)
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub struct Issue<'a> {
    pub id: i64,
    pub version: i64,
    pub body: &'a str,
    pub number: i64,
    pub number_text: &'a str,
    pub hash: &'a str,
}

/// Issues a draft with its final body, number and seal.
pub async fn issue(tx: &mut Tx, i: &Issue<'_>, now: DateTime<Utc>) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE report SET body = $1, status = 'issued', number = $2, number_text = $3, hash = $4, \
             issued_at = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'draft'",
        )
        .bind(i.body)
        .bind(i.number)
        .bind(i.number_text)
        .bind(i.hash)
        .bind(now)
        .bind(i.id)
        .bind(i.version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
