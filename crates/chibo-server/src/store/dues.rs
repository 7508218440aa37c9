//! The dues ledger (đảng phí): members' dated categories, the append-only
//! entries (payments and corrections) and the months a cell closed.

use super::{Reader, Result, Tx, in_tx, prefix_range, read};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CategoryRow {
    pub id: i64,
    pub member_id: i64,
    /// YYYY-MM: in force from this month.
    pub from_month: String,
    /// bhxh | pension | student | other_under_retirement | other_retirement_age | exempt
    pub category: String,
    /// The salary or pension the rate applies to, in đồng.
    pub base_vnd: Option<i64>,
    /// Regional minimum-wage zone (1–4).
    pub zone: Option<i64>,
    pub reduction_pct: Option<i64>,
    pub reason: Option<String>,
    pub actor: String,
}

const CATEGORY: &str =
    "id, member_id, from_month, category, base_vnd, zone, reduction_pct, reason, actor";

pub struct NewCategory<'a> {
    pub member_id: i64,
    pub from_month: &'a str,
    pub category: &'a str,
    pub base_vnd: Option<i64>,
    pub zone: Option<i64>,
    pub reduction_pct: Option<i64>,
    pub reason: Option<&'a str>,
    pub actor: &'a str,
}

/// Adds a dated category; false when one already starts that month.
pub async fn insert_category(tx: &mut Tx, c: &NewCategory<'_>, now: DateTime<Utc>) -> Result<bool> {
    let r = in_tx!(tx, |x| {
        sqlx::query(
            "INSERT INTO dues_category (member_id, from_month, category, base_vnd, zone, reduction_pct, reason, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.member_id)
        .bind(c.from_month)
        .bind(c.category)
        .bind(c.base_vnd)
        .bind(c.zone)
        .bind(c.reduction_pct)
        .bind(c.reason)
        .bind(c.actor)
        .bind(now)
        .execute(x)
        .await
        .map(|r| r.rows_affected())
    });
    match r {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// A member's categories, the earliest first.
pub async fn categories(r: &mut Reader, member_id: i64) -> Result<Vec<CategoryRow>> {
    let sql = format!(
        "SELECT {CATEGORY} FROM dues_category WHERE member_id = $1 ORDER BY from_month, id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?)
}

/// The categories of every member now in a cell, by member then month.
pub async fn categories_of_cell(r: &mut Reader, cell_id: i64) -> Result<Vec<CategoryRow>> {
    let sql = format!(
        "SELECT {CATEGORY} FROM dues_category WHERE member_id IN (SELECT id FROM member WHERE cell_id = $1) \
         ORDER BY member_id, from_month, id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct EntryRow {
    pub id: i64,
    pub member_id: i64,
    pub cell_id: i64,
    /// YYYY-MM: the month the dues are for.
    pub month: String,
    /// In đồng; a correction's is the signed difference.
    pub amount_vnd: i64,
    /// What the pack computed for the month.
    pub due_vnd: i64,
    pub paid_on: NaiveDate,
    /// cash | portal
    pub channel: String,
    /// The entry this one corrects.
    pub corrects_id: Option<i64>,
    pub reason: Option<String>,
    pub receipt_no: Option<String>,
    pub actor: String,
}

const ENTRY: &str = "id, member_id, cell_id, month, amount_vnd, due_vnd, paid_on, channel, corrects_id, reason, receipt_no, actor";

pub struct NewEntry<'a> {
    pub member_id: i64,
    pub cell_id: i64,
    pub month: &'a str,
    pub amount_vnd: i64,
    pub due_vnd: i64,
    pub paid_on: NaiveDate,
    pub channel: &'a str,
    pub corrects_id: Option<i64>,
    pub reason: Option<&'a str>,
    pub receipt_no: Option<&'a str>,
    pub actor: &'a str,
}

/// Appends an entry; `None` when the month already has its payment (the
/// unique index refused a second one).
pub async fn insert_entry(
    tx: &mut Tx,
    e: &NewEntry<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let r = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO dues_entry (member_id, cell_id, month, amount_vnd, due_vnd, paid_on, channel, corrects_id, reason, \
             receipt_no, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(e.member_id)
        .bind(e.cell_id)
        .bind(e.month)
        .bind(e.amount_vnd)
        .bind(e.due_vnd)
        .bind(e.paid_on)
        .bind(e.channel)
        .bind(e.corrects_id)
        .bind(e.reason)
        .bind(e.receipt_no)
        .bind(e.actor)
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

/// A member's entries, by month then order of entry.
pub async fn entries_of(r: &mut Reader, member_id: i64) -> Result<Vec<EntryRow>> {
    let sql = format!("SELECT {ENTRY} FROM dues_entry WHERE member_id = $1 ORDER BY month, id");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?)
}

/// One entry.
pub async fn entry(r: &mut Reader, id: i64) -> Result<Option<EntryRow>> {
    super::row_by(r, "dues_entry", ENTRY, "id", id).await
}

/// The entries a cell recorded for months in `from..=to` (YYYY-MM).
pub async fn entries_of_cell(
    r: &mut Reader,
    cell_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "SELECT {ENTRY} FROM dues_entry WHERE cell_id = $1 AND month >= $2 AND month <= $3 ORDER BY month, member_id, id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await)?)
}

/// The entries of every member now in a cell (arrears of its roll).
pub async fn entries_of_members(r: &mut Reader, cell_id: i64) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "SELECT {ENTRY} FROM dues_entry WHERE member_id IN (SELECT id FROM member WHERE cell_id = $1) \
         ORDER BY member_id, month, id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .fetch_all(c)
        .await)?)
}

/// The latest month the cell closed (YYYY-MM).
pub async fn last_closed(r: &mut Reader, cell_id: i64) -> Result<Option<String>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT MAX(month) FROM dues_close WHERE cell_id = $1"
    )
    .bind(cell_id)
    .fetch_one(c)
    .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CloseRow {
    pub cell_id: i64,
    pub month: String,
    pub closed_on: NaiveDate,
    pub collected_vnd: i64,
    pub retained_vnd: i64,
    pub remitted_vnd: i64,
    pub actor: String,
}

pub async fn closes(r: &mut Reader, cell_id: i64) -> Result<Vec<CloseRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT cell_id, month, closed_on, collected_vnd, retained_vnd, remitted_vnd, actor FROM dues_close \
         WHERE cell_id = $1 ORDER BY month"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await
    })?)
}

/// Closes a month; false when it was closed already.
pub async fn close_month(tx: &mut Tx, c: &CloseRow, now: DateTime<Utc>) -> Result<bool> {
    let r = in_tx!(tx, |x| {
        sqlx::query(
            "INSERT INTO dues_close (cell_id, month, closed_on, collected_vnd, retained_vnd, remitted_vnd, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(c.cell_id)
        .bind(&c.month)
        .bind(c.closed_on)
        .bind(c.collected_vnd)
        .bind(c.retained_vnd)
        .bind(c.remitted_vnd)
        .bind(&c.actor)
        .bind(now)
        .execute(x)
        .await
        .map(|r| r.rows_affected())
    });
    match r {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// The cells under a unit's path: the SQL that selects their ids.
const CELLS_UNDER: &str = "SELECT id FROM org_unit WHERE path >= $1 AND path < $2";

/// A cell's entries of one month: how many and their sum.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CellMonth {
    pub cell_id: i64,
    /// YYYY-MM
    pub month: String,
    pub entries: i64,
    pub collected_vnd: i64,
}

fn collected_sql(cells: &str, from: u8) -> String {
    format!(
        "SELECT cell_id, month, COUNT(*) AS entries, CAST(SUM(amount_vnd) AS BIGINT) AS collected_vnd \
         FROM dues_entry WHERE cell_id {cells} AND month >= ${from} AND month <= ${} \
         GROUP BY cell_id, month ORDER BY cell_id, month",
        from + 1
    )
}

/// The count and sum of a cell's entries for each month in `from..=to`
/// (YYYY-MM): what its summary collects, summed where the entries are.
pub async fn collected_of(
    r: &mut Reader,
    cell_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<CellMonth>> {
    let sql = collected_sql("= $1", 2);
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await)?)
}

/// [`collected_of`] for every cell under a unit's path, in one statement.
pub async fn collected_under(
    r: &mut Reader,
    path: &str,
    from: &str,
    to: &str,
) -> Result<Vec<CellMonth>> {
    let (lo, hi) = prefix_range(path);
    let sql = collected_sql(&format!("IN ({CELLS_UNDER})"), 3);
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&lo)
        .bind(&hi)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await)?)
}

/// A member's sums paid for each month, as "YYYY-MM:amount" pairs joined by
/// commas: one row a member, where a row an entry made a province's
/// arrears read millions of rows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaidMonths {
    pub member_id: i64,
    pub months: String,
}

fn paid_months_sql(members: &str) -> String {
    format!(
        "SELECT member_id, string_agg(month || ':' || CAST(paid AS TEXT), ',') AS months \
         FROM (SELECT member_id, month, SUM(amount_vnd) AS paid FROM dues_entry \
               WHERE member_id IN ({members}) GROUP BY member_id, month) p \
         GROUP BY member_id ORDER BY member_id"
    )
}

/// [`PaidMonths`] of the members of a cell.
pub async fn paid_months_of_cell(r: &mut Reader, cell_id: i64) -> Result<Vec<PaidMonths>> {
    let sql = paid_months_sql("SELECT id FROM member WHERE cell_id = $1");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .fetch_all(c)
        .await)?)
}

/// [`PaidMonths`] of the members of every cell under a unit's path.
pub async fn paid_months_under(r: &mut Reader, path: &str) -> Result<Vec<PaidMonths>> {
    let (lo, hi) = prefix_range(path);
    let sql = paid_months_sql(&format!(
        "SELECT id FROM member WHERE cell_id IN ({CELLS_UNDER})"
    ));
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?)
}

/// [`closes`] of every cell under a unit's path.
pub async fn closes_under(r: &mut Reader, path: &str) -> Result<Vec<CloseRow>> {
    let (lo, hi) = prefix_range(path);
    let sql = format!(
        "SELECT cell_id, month, closed_on, collected_vnd, retained_vnd, remitted_vnd, actor FROM dues_close \
         WHERE cell_id IN ({CELLS_UNDER}) ORDER BY cell_id, month"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?)
}

/// [`categories_of_cell`] for every cell under a unit's path.
pub async fn categories_under(r: &mut Reader, path: &str) -> Result<Vec<CategoryRow>> {
    let (lo, hi) = prefix_range(path);
    let sql = format!(
        "SELECT {CATEGORY} FROM dues_category WHERE member_id IN \
         (SELECT id FROM member WHERE cell_id IN ({CELLS_UNDER})) ORDER BY member_id, from_month, id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?)
}
