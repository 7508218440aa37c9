//! Residents' concerns and the public page's submissions (for its rate limit).

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ConcernRow {
    pub id: i64,
    pub cell_id: i64,
    pub code: String,
    pub door: String,
    pub area: String,
    pub body: String,
    pub contact: Option<String>,
    pub received_on: NaiveDate,
    pub recorded_by: Option<String>,
    pub state: String,
    pub forward_due: NaiveDate,
    pub answer_due: NaiveDate,
    pub forwarded_to: Option<String>,
    pub forwarded_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub close_note: Option<String>,
    /// thon | ubnd_xa | mttq | cap_uy | khac (none before 0019 or unforwarded).
    pub forwarded_kind: Option<String>,
}

const CONCERN: &str = "id, cell_id, code, door, area, body, contact, received_on, recorded_by, state, \
     forward_due, answer_due, forwarded_to, forwarded_on, answer, answered_on, closed_on, close_reason, close_note, forwarded_kind";

/// What a resident sees by the tracking code: the state and the answer,
/// never the text or contact of anyone.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Tracked {
    pub code: String,
    pub cell_name: String,
    pub received_on: NaiveDate,
    pub state: String,
    pub forwarded_to: Option<String>,
    pub forwarded_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
}

pub struct NewConcern<'a> {
    pub cell_id: i64,
    pub code: &'a str,
    pub door: &'a str,
    pub area: &'a str,
    pub body: &'a str,
    pub contact: Option<&'a str>,
    pub received_on: NaiveDate,
    pub recorded_by: Option<&'a str>,
    pub forward_due: NaiveDate,
    pub answer_due: NaiveDate,
}

pub async fn insert(tx: &mut Tx, n: &NewConcern<'_>, now: DateTime<Utc>) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO concern (cell_id, code, door, area, body, contact, received_on, recorded_by, state, \
             forward_due, answer_due, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $10, $11, $11) RETURNING id",
        )
        .bind(n.cell_id)
        .bind(n.code)
        .bind(n.door)
        .bind(n.area)
        .bind(n.body)
        .bind(n.contact)
        .bind(n.received_on)
        .bind(n.recorded_by)
        .bind(n.forward_due)
        .bind(n.answer_due)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<ConcernRow>> {
    super::row_by(r, "concern", CONCERN, "id", id).await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<ConcernRow>> {
    super::row_by_in(tx, "concern", CONCERN, "id", id).await
}

/// A cell's concerns received in `[from, to]`, or every one still open, or
/// acted on (forwarded, answered, closed) in that range: oldest first.
pub async fn of_cell(
    r: &mut Reader,
    cell_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ConcernRow>> {
    let sql = format!(
        "SELECT {CONCERN} FROM concern WHERE cell_id = $1 AND (state IN ('received', 'forwarded') \
         OR (received_on >= $2 AND received_on <= $3) OR (forwarded_on >= $2 AND forwarded_on <= $3) \
         OR (answered_on >= $2 AND answered_on <= $3) OR (closed_on >= $2 AND closed_on <= $3)) \
         ORDER BY received_on, id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await)?)
}

pub async fn track(r: &mut Reader, code: &str) -> Result<Option<Tracked>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT k.code, o.name AS cell_name, k.received_on, k.state, k.forwarded_to, k.forwarded_on, \
         k.answer, k.answered_on, k.closed_on, k.close_reason \
         FROM concern k JOIN org_unit o ON o.id = k.cell_id WHERE k.code = $1"
    )
    .bind(code)
    .fetch_optional(c)
    .await
    })?)
}

/// The recorded result of an act on a concern.
pub struct Change<'a> {
    pub state: &'a str,
    pub forwarded_to: Option<&'a str>,
    pub forwarded_kind: Option<&'a str>,
    pub forwarded_on: Option<NaiveDate>,
    pub answer: Option<&'a str>,
    pub answered_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<&'a str>,
    pub close_note: Option<&'a str>,
}

/// Writes `ch` over the row if it is still in `from` (two secretaries acting
/// at once: the second finds it moved). Fields `ch` leaves None keep theirs.
pub async fn change(
    tx: &mut Tx,
    id: i64,
    from: &str,
    ch: &Change<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| sqlx::query(
        "UPDATE concern SET state = $1, forwarded_to = COALESCE($2, forwarded_to), \
         forwarded_on = COALESCE($3, forwarded_on), answer = COALESCE($4, answer), \
         answered_on = COALESCE($5, answered_on), closed_on = COALESCE($6, closed_on), \
         close_reason = COALESCE($7, close_reason), close_note = COALESCE($8, close_note), \
         forwarded_kind = COALESCE($12, forwarded_kind), \
         version = version + 1, updated_at = $9 WHERE id = $10 AND state = $11"
    )
    .bind(ch.state)
    .bind(ch.forwarded_to)
    .bind(ch.forwarded_on)
    .bind(ch.answer)
    .bind(ch.answered_on)
    .bind(ch.closed_on)
    .bind(ch.close_reason)
    .bind(ch.close_note)
    .bind(now)
    .bind(id)
    .bind(from)
    .bind(ch.forwarded_kind)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Reserves one submission of the public page unless the address or the
/// cell already reached its limit since `since`; the count and the insert
/// cannot interleave with another reservation (as login attempts).
pub async fn reserve_submission(
    tx: &mut Tx,
    cell_id: i64,
    address: &str,
    since: DateTime<Utc>,
    limits: (i64, i64),
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("LOCK TABLE concern_submission IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **t)
            .await?;
    }
    let (by_address, by_cell): (i64, i64) = in_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN address = $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN cell_id = $2 THEN 1 ELSE 0 END), 0) \
             FROM concern_submission WHERE (address = $1 OR cell_id = $2) AND at > $3",
        )
        .bind(address)
        .bind(cell_id)
        .bind(since)
        .fetch_one(c)
        .await
    })?;
    if by_address >= limits.0 || by_cell >= limits.1 {
        return Ok(false);
    }
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM concern_submission WHERE at <= $1"
    )
    .bind(since)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    in_tx!(tx, |c| sqlx::query(
        "INSERT INTO concern_submission (cell_id, address, at) VALUES ($1, $2, $3)"
    )
    .bind(cell_id)
    .bind(address)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(true)
}

/// Open concerns past a deadline on `on` (forwarding or answer), every cell.
pub async fn overdue(r: &mut Reader, on: NaiveDate) -> Result<Vec<ConcernRow>> {
    let sql = format!(
        "SELECT {CONCERN} FROM concern WHERE (state = 'received' AND forward_due < $1) \
         OR (state IN ('received', 'forwarded') AND answer_due < $1) ORDER BY cell_id, id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(on)
        .fetch_all(c)
        .await)?)
}

/// The id of the concern with this tracking code.
pub async fn by_code(r: &mut Reader, code: &str) -> Result<Option<i64>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT id FROM concern WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(c)
    .await)?)
}
