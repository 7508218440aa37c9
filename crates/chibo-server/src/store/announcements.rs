//! Announcements to members, each recipient's row keeping when they read it.

use super::{Reader, Result, Tx, in_tx, prefix_range, read, status_list};
use crate::model::Status;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AnnouncementRow {
    pub id: i64,
    /// The unit that sent it: a cell, or an upper committee.
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub body: String,
    pub sent_by: String,
    pub created_at: DateTime<Utc>,
    /// How many members it went to, and how many have read it.
    pub recipients: i64,
    pub read: i64,
    /// When the member asking read it (in a member's list).
    pub read_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "a.id, a.unit_id, u.name AS unit_name, a.title, a.body, a.sent_by, a.created_at, \
     (SELECT COUNT(*) FROM announcement_recipient x WHERE x.announcement_id = a.id) AS recipients, \
     (SELECT COUNT(*) FROM announcement_recipient x WHERE x.announcement_id = a.id AND x.read_at IS NOT NULL) AS read";

pub async fn insert(
    tx: &mut Tx,
    unit_id: i64,
    title: &str,
    body: &str,
    sent_by: &str,
    account_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO announcement (unit_id, title, body, sent_by, account_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(unit_id)
    .bind(title)
    .bind(body)
    .bind(sent_by)
    .bind(account_id)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

/// Addresses the announcement to every active member of the units under
/// `path` (the sender's own included); their ids and e-mail addresses.
pub async fn address_all(tx: &mut Tx, id: i64, path: &str) -> Result<Vec<(i64, Option<String>)>> {
    let (lo, hi) = prefix_range(path);
    let active = status_list(&Status::ON_LIST);
    let insert = format!(
        "INSERT INTO announcement_recipient (announcement_id, member_id) \
         SELECT $1, m.id FROM member m JOIN org_unit u ON u.id = m.cell_id \
         WHERE u.path >= $2 AND u.path < $3 AND m.status IN {active}"
    );
    in_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(insert))
        .bind(id)
        .bind(&lo)
        .bind(&hi)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(in_tx!(tx, |c| sqlx::query_as(
        "SELECT m.id, m.email FROM announcement_recipient r JOIN member m ON m.id = r.member_id \
         WHERE r.announcement_id = $1 ORDER BY m.id"
    )
    .bind(id)
    .fetch_all(c)
    .await)?)
}

/// What a unit sent, newest first.
pub async fn of_unit(r: &mut Reader, unit_id: i64, limit: i64) -> Result<Vec<AnnouncementRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, CAST(NULL AS TIMESTAMPTZ) AS read_at FROM announcement a JOIN org_unit u ON u.id = a.unit_id \
         WHERE a.unit_id = $1 ORDER BY a.id DESC LIMIT $2"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(unit_id)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// What a member received, newest first, with when they read each.
pub async fn of_member(r: &mut Reader, member_id: i64, limit: i64) -> Result<Vec<AnnouncementRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, me.read_at FROM announcement_recipient me \
         JOIN announcement a ON a.id = me.announcement_id JOIN org_unit u ON u.id = a.unit_id \
         WHERE me.member_id = $1 ORDER BY a.id DESC LIMIT $2"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<AnnouncementRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, CAST(NULL AS TIMESTAMPTZ) AS read_at FROM announcement a JOIN org_unit u ON u.id = a.unit_id \
         WHERE a.id = $1"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Whether the member is a recipient, and when they read it.
pub async fn receipt(
    r: &mut Reader,
    id: i64,
    member_id: i64,
) -> Result<Option<Option<DateTime<Utc>>>> {
    let row: Option<(Option<DateTime<Utc>>,)> = read!(r, |c| {
        sqlx::query_as(
        "SELECT read_at FROM announcement_recipient WHERE announcement_id = $1 AND member_id = $2"
    )
    .bind(id)
    .bind(member_id)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|(t,)| t))
}

/// The names of the recipients and when each read it (for the sender).
pub async fn receipts(r: &mut Reader, id: i64) -> Result<Vec<(String, Option<DateTime<Utc>>)>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT m.full_name, r.read_at FROM announcement_recipient r JOIN member m ON m.id = r.member_id \
         WHERE r.announcement_id = $1 ORDER BY r.read_at IS NULL DESC, m.name_fold"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?)
}

/// Marks it read the first time; false when it already was.
pub async fn mark_read(tx: &mut Tx, id: i64, member_id: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE announcement_recipient SET read_at = $1 WHERE announcement_id = $2 AND member_id = $3 \
         AND read_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .bind(member_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// How many a member has not read.
pub async fn unread(r: &mut Reader, member_id: i64) -> Result<i64> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM announcement_recipient WHERE member_id = $1 AND read_at IS NULL"
    )
    .bind(member_id)
    .fetch_one(c)
    .await)?)
}
