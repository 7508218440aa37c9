//! Transfers (chuyển sinh hoạt đảng): the two sides of a transfer case, the
//! letter's fields, and the member's move between cells.

use super::{Reader, Result, Tx, in_tx, prefix_range, read};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TransferRow {
    pub case_id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub kind: String,
    pub origin_cell_id: Option<i64>,
    pub origin_name: String,
    pub dest_cell_id: Option<i64>,
    pub dest_name: String,
    pub reason: String,
    /// A temporary transfer: the planned return.
    pub return_on: Option<NaiveDate>,
    /// The standing restored on reception, refusal or return.
    pub prior_status: String,
    pub portal_ref: Option<String>,
    /// Số GTSHĐ: the number in the đảng bộ's transfer register.
    pub letter_no: Option<String>,
    /// Số LL: the personal-history number.
    pub history_no: Option<String>,
    /// Số SĐV: the position in the cell's member register.
    pub register_no: Option<String>,
    pub letter_on: Option<NaiveDate>,
    /// "Đã đóng đảng phí hết tháng" (YYYY-MM), written when the letter is issued.
    pub dues_paid_through: Option<String>,
    /// A temporary member received by the host cell.
    pub attached: bool,
    pub refusal: Option<String>,
    pub opened_on: NaiveDate,
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

const COLS: &str = "t.case_id, t.member_id, m.full_name AS member_name, k.kind, t.origin_cell_id, \
     COALESCE(o.name, t.origin_outside, '') AS origin_name, t.dest_cell_id, \
     COALESCE(d.name, t.dest_outside, '') AS dest_name, t.reason, t.return_on, t.prior_status, \
     t.portal_ref, t.letter_no, t.history_no, t.register_no, t.letter_on, t.dues_paid_through, \
     t.attached, t.refusal, k.opened_on, k.outcome, k.closed_on";
const FROM: &str = "transfer t JOIN case_file k ON k.id = t.case_id JOIN member m ON m.id = t.member_id \
     LEFT JOIN org_unit o ON o.id = t.origin_cell_id LEFT JOIN org_unit d ON d.id = t.dest_cell_id";

pub struct NewTransfer<'a> {
    pub case_id: i64,
    pub member_id: i64,
    pub origin_cell_id: Option<i64>,
    pub origin_outside: Option<&'a str>,
    pub dest_cell_id: Option<i64>,
    pub dest_outside: Option<&'a str>,
    pub reason: &'a str,
    pub return_on: Option<NaiveDate>,
    pub prior_status: &'a str,
    pub portal_ref: Option<&'a str>,
    pub letter_no: Option<&'a str>,
    pub letter_on: Option<NaiveDate>,
}

pub async fn insert(tx: &mut Tx, t: &NewTransfer<'_>, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO transfer (case_id, member_id, origin_cell_id, origin_outside, dest_cell_id, dest_outside, \
             reason, return_on, prior_status, portal_ref, letter_no, letter_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(t.case_id)
        .bind(t.member_id)
        .bind(t.origin_cell_id)
        .bind(t.origin_outside)
        .bind(t.dest_cell_id)
        .bind(t.dest_outside)
        .bind(t.reason)
        .bind(t.return_on)
        .bind(t.prior_status)
        .bind(t.portal_ref)
        .bind(t.letter_no)
        .bind(t.letter_on)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(r: &mut Reader, case_id: i64) -> Result<Option<TransferRow>> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE t.case_id = $1");
    Ok(read!(r, |c| sqlx::query_as(AssertSqlSafe(sql))
        .bind(case_id)
        .fetch_optional(c)
        .await)?)
}

/// [`get`] inside a write transaction.
pub async fn get_in(tx: &mut Tx, case_id: i64) -> Result<Option<TransferRow>> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE t.case_id = $1");
    Ok(in_tx!(tx, |c| sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(case_id)
        .fetch_optional(c)
        .await)?)
}

/// The transfers leaving or reaching the cells under a path ("/1/7/"),
/// open ones unless `closed`, the latest first.
pub async fn under(r: &mut Reader, path: &str, closed: bool) -> Result<Vec<TransferRow>> {
    let (from, to) = prefix_range(path);
    let open = if closed {
        ""
    } else {
        " AND k.closed_on IS NULL"
    };
    let sql = format!(
        "SELECT {COLS} FROM {FROM} WHERE ((o.path >= $1 AND o.path < $2) OR (d.path >= $1 AND d.path < $2)){open} \
         ORDER BY k.opened_on DESC, t.case_id DESC LIMIT 500"
    );
    Ok(read!(r, |c| sqlx::query_as(AssertSqlSafe(sql))
        .bind(&from)
        .bind(&to)
        .fetch_all(c)
        .await)?)
}

/// A member's transfers, the latest first.
pub async fn of_member(r: &mut Reader, member_id: i64) -> Result<Vec<TransferRow>> {
    let sql = format!(
        "SELECT {COLS} FROM {FROM} WHERE t.member_id = $1 ORDER BY k.opened_on DESC, t.case_id DESC"
    );
    Ok(read!(r, |c| sqlx::query_as(AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?)
}

/// The open transfer of a member, if any (of any of the four kinds).
pub async fn open_of_member_in(tx: &mut Tx, member_id: i64) -> Result<Option<i64>> {
    Ok(in_tx!(tx, |c| sqlx::query_scalar(
        "SELECT t.case_id FROM transfer t JOIN case_file k ON k.id = t.case_id \
         WHERE t.member_id = $1 AND k.closed_on IS NULL LIMIT 1"
    )
    .bind(member_id)
    .fetch_optional(c)
    .await)?)
}

/// The letter's fields and the portal's reference, as the committee typed them.
pub struct Letter<'a> {
    pub portal_ref: Option<&'a str>,
    pub letter_no: Option<&'a str>,
    pub history_no: Option<&'a str>,
    pub register_no: Option<&'a str>,
}

pub async fn set_letter(tx: &mut Tx, case_id: i64, l: &Letter<'_>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE transfer SET portal_ref = $1, letter_no = $2, history_no = $3, register_no = $4 WHERE case_id = $5"
    )
    .bind(l.portal_ref)
    .bind(l.letter_no)
    .bind(l.history_no)
    .bind(l.register_no)
    .bind(case_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The letter issued: its date and the month dues are paid through.
pub async fn set_issued(
    tx: &mut Tx,
    case_id: i64,
    on: NaiveDate,
    paid_through: &str,
) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE transfer SET letter_on = $1, dues_paid_through = $2 WHERE case_id = $3"
    )
    .bind(on)
    .bind(paid_through)
    .bind(case_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_attached(tx: &mut Tx, case_id: i64, attached: bool) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE transfer SET attached = $1 WHERE case_id = $2"
    )
    .bind(attached)
    .bind(case_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_refusal(tx: &mut Tx, case_id: i64, reason: &str) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE transfer SET refusal = $1 WHERE case_id = $2"
    )
    .bind(reason)
    .bind(case_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The member joins another cell's registry (out of any party group of the
/// old one); the record, its status history and its cases stay.
pub async fn move_member(
    tx: &mut Tx,
    member_id: i64,
    cell_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE member SET cell_id = $1, group_id = NULL, version = version + 1, updated_at = $2 WHERE id = $3"
    )
    .bind(cell_id)
    .bind(now)
    .bind(member_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The kinds of a member's open cases (the guard on blocking cases).
pub async fn open_kinds(r: &mut Reader, member_id: i64) -> Result<Vec<String>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT kind FROM case_file WHERE member_id = $1 AND closed_on IS NULL"
    )
    .bind(member_id)
    .fetch_all(c)
    .await)?)
}

/// Whether a member has an open transfer and whether the ledger keeps their
/// dues, in one statement (the home page reads more only then).
pub async fn keeping_of(r: &mut Reader, member_id: i64) -> Result<(bool, bool)> {
    let (moving, paying): (i64, i64) = read!(r, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM transfer t JOIN case_file k ON k.id = t.case_id \
         WHERE t.member_id = $1 AND k.closed_on IS NULL), \
         (SELECT COUNT(*) FROM dues_category WHERE member_id = $1)"
    )
    .bind(member_id)
    .fetch_one(c)
    .await)?;
    Ok((moving > 0, paying > 0))
}

/// Whether a cell has transfers in progress (either way) and whether the
/// ledger keeps any of its members' dues, in one statement (the dashboard
/// reads more only then).
pub async fn cell_keeping(r: &mut Reader, cell_id: i64) -> Result<(bool, bool)> {
    let (moving, paying): (i64, i64) = read!(r, |c| {
        sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM transfer t JOIN case_file k ON k.id = t.case_id \
         WHERE (t.origin_cell_id = $1 OR t.dest_cell_id = $1) AND k.closed_on IS NULL), \
         (SELECT COUNT(*) FROM dues_category WHERE member_id IN (SELECT id FROM member WHERE cell_id = $1))"
    )
    .bind(cell_id)
    .fetch_one(c)
    .await
    })?;
    Ok((moving > 0, paying > 0))
}
