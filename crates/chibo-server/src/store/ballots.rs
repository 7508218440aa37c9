//! Secret ballots (`sv*` tables, migration 0014). No query here reads or
//! writes a member next to a ballot: `sv_issued` knows who received one,
//! `sv_ballot` only the ballots, inserted once in tracker order.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SvRow {
    pub id: i64,
    pub meeting_id: i64,
    pub cell_id: i64,
    pub kind: String,
    pub title: String,
    /// The ballot (candidates and seats, or options), JSON.
    pub spec: String,
    /// The roll as counts by standing and attendance, JSON.
    pub roll: String,
    /// Member ids entitled to a ballot, JSON.
    pub eligible: String,
    pub vote_id: String,
    pub k: i64,
    pub n: i64,
    pub status: String,
    #[serde(skip)]
    pub manifest: Option<Vec<u8>>,
    pub fingerprint: Option<String>,
    pub paper_invalid: Option<i64>,
    pub paper_entered_by: Option<i64>,
    pub paper_confirmed_by: Option<i64>,
    pub board_sha256: Option<String>,
    pub record_sha256: Option<String>,
    pub outcome: Option<String>,
    pub explanation: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

const SV: &str = "id, meeting_id, cell_id, kind, title, spec, roll, eligible, vote_id, k, n, status, \
     manifest, fingerprint, paper_invalid, paper_entered_by, paper_confirmed_by, board_sha256, \
     record_sha256, outcome, explanation, opened_at, closed_at";

pub struct NewSv<'a> {
    pub meeting_id: i64,
    pub cell_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub spec: &'a str,
    pub roll: &'a str,
    pub eligible: &'a str,
    pub vote_id: &'a str,
    pub k: i64,
    /// The committee, in trustee order (the first is its head).
    pub trustees: &'a [i64],
}

pub async fn open(tx: &mut Tx, v: &NewSv<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id: i64 = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO sv (meeting_id, cell_id, kind, title, spec, roll, eligible, vote_id, k, n, status, opened_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'keygen', $11) RETURNING id",
        )
        .bind(v.meeting_id)
        .bind(v.cell_id)
        .bind(v.kind)
        .bind(v.title)
        .bind(v.spec)
        .bind(v.roll)
        .bind(v.eligible)
        .bind(v.vote_id)
        .bind(v.k)
        .bind(v.trustees.len() as i64)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    for (idx, member) in v.trustees.iter().enumerate() {
        in_tx!(tx, |c| sqlx::query(
            "INSERT INTO sv_trustee (sv_id, idx, member_id) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(idx as i64)
        .bind(*member)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(id)
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<SvRow>> {
    super::row_by(r, "sv", SV, "id", id).await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<SvRow>> {
    super::row_by_in(tx, "sv", SV, "id", id).await
}

pub async fn of_meeting(r: &mut Reader, meeting_id: i64) -> Result<Vec<SvRow>> {
    let sql = format!("SELECT {SV} FROM sv WHERE meeting_id = $1 ORDER BY id");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(meeting_id)
        .fetch_all(c)
        .await)?)
}

/// A committee member: trustee index, member and name.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TrusteeRow {
    pub idx: i64,
    pub member_id: i64,
    pub full_name: String,
}

pub async fn trustees(r: &mut Reader, sv_id: i64) -> Result<Vec<TrusteeRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT t.idx, t.member_id, m.full_name FROM sv_trustee t JOIN member m ON m.id = t.member_id \
         WHERE t.sv_id = $1 ORDER BY t.idx"
    )
    .bind(sv_id)
    .fetch_all(c)
    .await
    })?)
}

/// Stores one relayed key-generation message; false if that phone already
/// sent it.
pub async fn put_dkg(
    tx: &mut Tx,
    sv_id: i64,
    round: i64,
    from: i64,
    to: i64,
    body: &str,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO sv_dkg_msg (sv_id, round, from_idx, to_idx, body) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT DO NOTHING"
    )
    .bind(sv_id)
    .bind(round)
    .bind(from)
    .bind(to)
    .bind(body)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The messages of a round addressed to `to` (or to every phone: -1), in
/// sender order.
pub async fn dkg(r: &mut Reader, sv_id: i64, round: i64, to: i64) -> Result<Vec<String>> {
    Ok(read!(r, |c| {
        sqlx::query_scalar(
        "SELECT body FROM sv_dkg_msg WHERE sv_id = $1 AND round = $2 AND to_idx = $3 ORDER BY from_idx"
    )
    .bind(sv_id)
    .bind(round)
    .bind(to)
    .fetch_all(c)
    .await
    })?)
}

/// Sets the manifest once (keygen → issuing) and deletes the relayed
/// key-generation messages of rounds 1 and 2; the sealed shares (round 3)
/// stay until the close, for a committee phone still fetching its own when
/// the head's phone set the keys. False if the keys were already set.
pub async fn set_keys(tx: &mut Tx, sv_id: i64, manifest: &[u8], fingerprint: &str) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE sv SET manifest = $1, fingerprint = $2, status = 'issuing' WHERE id = $3 AND status = 'keygen'"
    )
    .bind(manifest)
    .bind(fingerprint)
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM sv_dkg_msg WHERE sv_id = $1 AND round < 3"
    )
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Records that a member received a ballot; false if they already had one.
pub async fn issue(tx: &mut Tx, sv_id: i64, member_id: i64, channel: &str) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO sv_issued (sv_id, member_id, channel) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(sv_id)
    .bind(member_id)
    .bind(channel)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Who received a ballot and how, by member id.
pub async fn issued(r: &mut Reader, sv_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT member_id, channel FROM sv_issued WHERE sv_id = $1 ORDER BY member_id"
    )
    .bind(sv_id)
    .fetch_all(c)
    .await)?)
}

pub async fn set_paper_invalid(tx: &mut Tx, sv_id: i64, count: i64, by: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE sv SET paper_invalid = $1, paper_entered_by = $2, paper_confirmed_by = NULL WHERE id = $3"
    )
    .bind(count)
    .bind(by)
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn confirm_paper_invalid(tx: &mut Tx, sv_id: i64, by: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "UPDATE sv SET paper_confirmed_by = $1 WHERE id = $2"
    )
    .bind(by)
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A ballot as stored: tracker (hex), channel, canonical bytes.
pub type BallotRow = (String, String, Vec<u8>);

/// Closes the box: every ballot inserted in the order given (tracker order),
/// in this one transaction, with the board. False if it was not open.
pub async fn close(
    tx: &mut Tx,
    sv_id: i64,
    ballots: &[BallotRow],
    board: &[u8],
    board_sha256: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| sqlx::query(
        "UPDATE sv SET status = 'closed', board = $1, board_sha256 = $2, closed_at = $3 \
         WHERE id = $4 AND status = 'issuing'"
    )
    .bind(board)
    .bind(board_sha256)
    .bind(now)
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    for (tracker, channel, body) in ballots {
        in_tx!(tx, |c| sqlx::query(
            "INSERT INTO sv_ballot (sv_id, tracker, channel, body) VALUES ($1, $2, $3, $4)"
        )
        .bind(sv_id)
        .bind(tracker)
        .bind(channel)
        .bind(body)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    // The sealed key shares: every committee phone has had the casting time to fetch its own.
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM sv_dkg_msg WHERE sv_id = $1"
    )
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(true)
}

/// The stored ballots in storage order (which is tracker order).
pub async fn ballots(r: &mut Reader, sv_id: i64) -> Result<Vec<BallotRow>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT tracker, channel, body FROM sv_ballot WHERE sv_id = $1 ORDER BY tracker"
    )
    .bind(sv_id)
    .fetch_all(c)
    .await)?)
}

pub async fn board(r: &mut Reader, sv_id: i64) -> Result<Option<Vec<u8>>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT board FROM sv WHERE id = $1"
    )
    .bind(sv_id)
    .fetch_optional(c)
    .await)?
    .flatten())
}

pub async fn record(r: &mut Reader, sv_id: i64) -> Result<Option<Vec<u8>>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT record FROM sv WHERE id = $1"
    )
    .bind(sv_id)
    .fetch_optional(c)
    .await)?
    .flatten())
}

/// Stores a trustee's decryption share; false if they already sent one.
pub async fn put_share(tx: &mut Tx, sv_id: i64, idx: i64, body: &str) -> Result<bool> {
    let n = in_tx!(tx, |c| sqlx::query(
        "INSERT INTO sv_share (sv_id, idx, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(sv_id)
    .bind(idx)
    .bind(body)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The share a trustee sent, if any.
pub async fn share(r: &mut Reader, sv_id: i64, idx: i64) -> Result<Option<String>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT body FROM sv_share WHERE sv_id = $1 AND idx = $2"
    )
    .bind(sv_id)
    .bind(idx)
    .fetch_optional(c)
    .await)?)
}

pub async fn shares(r: &mut Reader, sv_id: i64) -> Result<Vec<String>> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT body FROM sv_share WHERE sv_id = $1 ORDER BY idx"
    )
    .bind(sv_id)
    .fetch_all(c)
    .await)?)
}

pub struct Tallied<'a> {
    pub status: &'a str,
    pub record: &'a [u8],
    pub record_sha256: &'a str,
    pub outcome: Option<&'a str>,
    pub explanation: Option<&'a str>,
}

/// Stores the record (closed → decrypted or failed); false if not closed.
pub async fn finish(tx: &mut Tx, sv_id: i64, t: &Tallied<'_>) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "UPDATE sv SET status = $1, record = $2, record_sha256 = $3, outcome = $4, explanation = $5 \
         WHERE id = $6 AND status = 'closed'"
    )
    .bind(t.status)
    .bind(t.record)
    .bind(t.record_sha256)
    .bind(t.outcome)
    .bind(t.explanation)
    .bind(sv_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
