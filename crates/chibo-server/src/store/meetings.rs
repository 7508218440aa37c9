//! Meetings, their agenda and minutes, attendance, votes, resolutions,
//! document numbers and locked versions, and the notice outbox.

use super::{Reader, Result, Tx, in_tx, read};
use crate::model::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingRow {
    pub id: i64,
    pub cell_id: i64,
    pub kind: String,
    pub topic: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub chair_id: Option<i64>,
    pub secretary_id: Option<i64>,
    pub preparer_id: Option<i64>,
    pub guest: Option<String>,
    pub status: String,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub minutes_locked_at: Option<DateTime<Utc>>,
    pub minutes_hash: Option<String>,
    pub version: i64,
    /// Why it was opened before its planned day.
    pub open_reason: Option<String>,
    /// Why it was closed before the rule pack's minimum length.
    pub close_reason: Option<String>,
}

const MEETING: &str = "id, cell_id, kind, topic, starts_at, place, chair_id, secretary_id, preparer_id, guest, status, \
     opened_at, closed_at, minutes_locked_at, minutes_hash, version, open_reason, close_reason";

/// The details a secretary sets when planning a meeting.
#[derive(Debug, Clone)]
pub struct MeetingPlan {
    pub kind: String,
    pub topic: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub chair_id: Option<i64>,
    pub secretary_id: Option<i64>,
    pub preparer_id: Option<i64>,
    pub guest: Option<String>,
}

pub async fn insert(tx: &mut Tx, cell_id: i64, p: &MeetingPlan, now: DateTime<Utc>) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO meeting (cell_id, kind, topic, starts_at, place, chair_id, secretary_id, preparer_id, guest, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10) RETURNING id",
        )
        .bind(cell_id)
        .bind(&p.kind)
        .bind(&p.topic)
        .bind(p.starts_at)
        .bind(&p.place)
        .bind(p.chair_id)
        .bind(p.secretary_id)
        .bind(p.preparer_id)
        .bind(&p.guest)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn update_plan(tx: &mut Tx, id: i64, p: &MeetingPlan) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE meeting SET kind = $1, topic = $2, starts_at = $3, place = $4, chair_id = $5, secretary_id = $6, \
             preparer_id = $7, guest = $8, version = version + 1 WHERE id = $9",
        )
        .bind(&p.kind)
        .bind(&p.topic)
        .bind(p.starts_at)
        .bind(&p.place)
        .bind(p.chair_id)
        .bind(p.secretary_id)
        .bind(p.preparer_id)
        .bind(&p.guest)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<MeetingRow>> {
    super::row_by(r, "meeting", MEETING, "id", id).await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<MeetingRow>> {
    super::row_by_in(tx, "meeting", MEETING, "id", id).await
}

/// A cell's meetings, newest first.
pub async fn of_cell(r: &mut Reader, cell_id: i64, limit: i64) -> Result<Vec<MeetingRow>> {
    let sql = format!(
        "SELECT {MEETING} FROM meeting WHERE cell_id = $1 ORDER BY starts_at DESC, id DESC LIMIT $2"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// When a meeting of one of these kinds was last held (closed).
pub async fn last_held(
    r: &mut Reader,
    cell_id: i64,
    kinds: &[&str],
) -> Result<Option<DateTime<Utc>>> {
    let marks: Vec<String> = (2..kinds.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT MAX(starts_at) FROM meeting WHERE cell_id = $1 AND status = 'closed' AND kind IN ({})",
        marks.join(", ")
    );
    let mut args = vec![super::Arg::Int(cell_id)];
    args.extend(kinds.iter().map(|k| super::Arg::Text((*k).to_string())));
    let row: (Option<DateTime<Utc>>,) = read!(r, |c| {
        super::bind_all(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args)
            .fetch_one(c)
            .await
    })?;
    Ok(row.0)
}

/// When the cell last held (closed) a meeting that started before `before`.
pub async fn held_before(
    r: &mut Reader,
    cell_id: i64,
    before: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let row: (Option<DateTime<Utc>>,) = read!(r, |c| {
        sqlx::query_as(
            "SELECT MAX(starts_at) FROM meeting WHERE cell_id = $1 AND status = 'closed' AND starts_at < $2",
        )
        .bind(cell_id)
        .bind(before)
        .fetch_one(c)
        .await
    })?;
    Ok(row.0)
}

/// Moves a meeting to a status other than open or closed.
pub async fn set_status(tx: &mut Tx, id: i64, status: &str) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE meeting SET status = $1, version = version + 1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Opens a meeting at `now` (the moment it really began), with the reason
/// for opening before the planned day if it was.
pub async fn open(tx: &mut Tx, id: i64, reason: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE meeting SET status = 'open', opened_at = $1, open_reason = $2, version = version + 1 WHERE id = $3",
        )
        .bind(now)
        .bind(reason)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Closes a meeting at `now`, with the reason for ending before the
/// minimum length if it did.
pub async fn close(tx: &mut Tx, id: i64, reason: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE meeting SET status = 'closed', closed_at = $1, close_reason = $2, version = version + 1 WHERE id = $3",
        )
        .bind(now)
        .bind(reason)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn lock_minutes(tx: &mut Tx, id: i64, hash: &str, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE meeting SET minutes_locked_at = $1, minutes_hash = $2, version = version + 1 WHERE id = $3")
            .bind(now)
            .bind(hash)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Reopens locked minutes for a correction; the hash of the last seal stays
/// until they are locked again.
pub async fn unlock_minutes(tx: &mut Tx, id: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE meeting SET minutes_locked_at = NULL, version = version + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AgendaItem {
    pub id: i64,
    pub meeting_id: i64,
    pub position: i64,
    pub kind: String,
    pub title: String,
    pub minutes: String,
    pub minutes_version: i64,
}

pub async fn add_item(tx: &mut Tx, meeting_id: i64, kind: &str, title: &str) -> Result<i64> {
    // Two items added at once on PostgreSQL would both read the same largest
    // position: the meeting's row lock makes them take turns. SQLite's one
    // writer already does.
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT 1 FROM meeting WHERE id = $1 FOR UPDATE")
            .bind(meeting_id)
            .execute(&mut **t)
            .await?;
    }
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO agenda_item (meeting_id, position, kind, title) \
             VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_item WHERE meeting_id = $1), $2, $3) RETURNING id",
        )
        .bind(meeting_id)
        .bind(kind)
        .bind(title)
        .fetch_one(c)
        .await
    })?)
}

pub async fn items(r: &mut Reader, meeting_id: i64) -> Result<Vec<AgendaItem>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT id, meeting_id, position, kind, title, minutes, minutes_version FROM agenda_item \
             WHERE meeting_id = $1 ORDER BY position, id",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn items_in(tx: &mut Tx, meeting_id: i64) -> Result<Vec<AgendaItem>> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, meeting_id, position, kind, title, minutes, minutes_version FROM agenda_item \
             WHERE meeting_id = $1 ORDER BY position, id",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn set_position(tx: &mut Tx, item_id: i64, position: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE agenda_item SET position = $1 WHERE id = $2")
            .bind(position)
            .bind(item_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn remove_item(tx: &mut Tx, item_id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM speech WHERE agenda_item_id = $1"
    )
    .bind(item_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    in_tx!(tx, |c| sqlx::query("DELETE FROM agenda_item WHERE id = $1")
        .bind(item_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Saves a section of the minutes if nobody saved it since `version`.
/// Returns the new version, or None on a conflict.
pub async fn save_minutes(
    tx: &mut Tx,
    item_id: i64,
    version: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let done = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE agenda_item SET minutes = $1, minutes_version = minutes_version + 1, minutes_updated_at = $2 \
             WHERE id = $3 AND minutes_version = $4",
        )
        .bind(text)
        .bind(now)
        .bind(item_id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok((done == 1).then_some(version + 1))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Speech {
    pub id: i64,
    pub agenda_item_id: i64,
    pub member_id: Option<i64>,
    pub speaker: String,
    pub body: String,
}

pub async fn add_speech(
    tx: &mut Tx,
    item_id: i64,
    member_id: Option<i64>,
    speaker: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO speech (agenda_item_id, member_id, speaker, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(item_id)
        .bind(member_id)
        .bind(speaker)
        .bind(body)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn speeches(r: &mut Reader, meeting_id: i64) -> Result<Vec<Speech>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT s.id, s.agenda_item_id, s.member_id, s.speaker, s.body FROM speech s \
             JOIN agenda_item a ON a.id = s.agenda_item_id WHERE a.meeting_id = $1 ORDER BY s.id",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RollEntry {
    pub member_id: i64,
    pub full_name: String,
    /// The member's standing when the roll was drawn up.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub member_status: Status,
    pub presence: Option<String>,
    pub reason: Option<String>,
    pub arrived_at: Option<String>,
    pub left_at: Option<String>,
}

impl RollEntry {
    /// Exempted, attached here for a while, or away for a while: on the
    /// roll but not expected in the room, so listed apart and left out of
    /// "everyone present".
    pub fn apart(&self) -> bool {
        matches!(
            self.member_status.as_str(),
            "mien_sinh_hoat" | "tam_thoi_den" | "tam_thoi_di"
        )
    }
}

/// Draws up the roll: every member on the cell's list, with their standing.
pub async fn init_roll(tx: &mut Tx, meeting_id: i64, cell_id: i64) -> Result<u64> {
    let added = in_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO attendance (meeting_id, member_id, member_status) \
             SELECT $1, id, status FROM member WHERE cell_id = $2 \
             AND status IN {} \
             ON CONFLICT (meeting_id, member_id) DO NOTHING",
            super::status_list(&Status::ON_LIST)
        )))
        .bind(meeting_id)
        .bind(cell_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    recount_roll(tx, meeting_id).await?;
    Ok(added)
}

/// Sets the meeting's roll-call counts (`meeting_roll_count`) to what its
/// attendance rows say, in the caller's transaction: every write to a
/// meeting's attendance ends here, so the upper committee's table can sum
/// one row a meeting. A recount rather than a delta: it reads one meeting's
/// roll by its key, and cannot drift from the rows it counts.
pub async fn recount_roll(tx: &mut Tx, meeting_id: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO meeting_roll_count (meeting_id, marked, present, excused, unexcused) \
             SELECT $1, COUNT(presence), \
             COALESCE(SUM(CASE WHEN presence = 'co_mat' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN presence = 'vang_co_ly_do' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN presence = 'vang_khong_ly_do' THEN 1 ELSE 0 END), 0) \
             FROM attendance WHERE meeting_id = $1 \
             ON CONFLICT (meeting_id) DO UPDATE SET marked = excluded.marked, present = excluded.present, \
             excused = excluded.excused, unexcused = excluded.unexcused",
        )
        .bind(meeting_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn roll(r: &mut Reader, meeting_id: i64) -> Result<Vec<RollEntry>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT a.member_id, m.full_name, a.member_status, a.presence, a.reason, \
             CAST(a.arrived_at AS TEXT) AS arrived_at, CAST(a.left_at AS TEXT) AS left_at \
             FROM attendance a JOIN member m ON m.id = a.member_id WHERE a.meeting_id = $1 ORDER BY m.name_fold, m.id",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await
    })?)
}

pub struct Mark<'a> {
    pub presence: &'a str,
    pub reason: Option<&'a str>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
}

/// Returns false if the member is not on this meeting's roll.
pub async fn mark(
    tx: &mut Tx,
    meeting_id: i64,
    member_id: i64,
    m: &Mark<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE attendance SET presence = $1, reason = $2, arrived_at = $3, left_at = $4, updated_at = $5 \
             WHERE meeting_id = $6 AND member_id = $7",
        )
        .bind(m.presence)
        .bind(m.reason)
        .bind(m.arrived_at)
        .bind(m.left_at)
        .bind(now)
        .bind(meeting_id)
        .bind(member_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 1 {
        recount_roll(tx, meeting_id).await?;
    }
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct VoteRow {
    pub id: i64,
    pub meeting_id: i64,
    pub kind: String,
    pub subject: String,
    pub mode: String,
    pub status: String,
    /// The frozen roll, as JSON: `[{"member_id", "status", "attendance"}]`.
    pub roll: String,
    pub tan_thanh: i64,
    pub khong_tan_thanh: i64,
    pub khong_bieu_quyet: i64,
    pub outcome: Option<String>,
    pub needed: Option<i64>,
    pub got: Option<i64>,
    pub base: Option<i64>,
    pub explanation: Option<String>,
    pub citations: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

const VOTE: &str = "id, meeting_id, kind, subject, mode, status, roll, tan_thanh, khong_tan_thanh, khong_bieu_quyet, \
     outcome, needed, got, base, explanation, citations, opened_at, closed_at";

pub async fn open_vote(
    tx: &mut Tx,
    meeting_id: i64,
    kind: &str,
    subject: &str,
    mode: &str,
    roll: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO vote (meeting_id, kind, subject, mode, status, roll, opened_at) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
        )
        .bind(meeting_id)
        .bind(kind)
        .bind(subject)
        .bind(mode)
        .bind(roll)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn vote(r: &mut Reader, id: i64) -> Result<Option<VoteRow>> {
    super::row_by(r, "vote", VOTE, "id", id).await
}

pub async fn votes(r: &mut Reader, meeting_id: i64) -> Result<Vec<VoteRow>> {
    let sql = format!("SELECT {VOTE} FROM vote WHERE meeting_id = $1 ORDER BY id");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(meeting_id)
        .fetch_all(c)
        .await)?)
}

/// The decision engine's result, written when the vote closes.
pub struct VoteResult<'a> {
    pub tan_thanh: i64,
    pub khong_tan_thanh: i64,
    pub khong_bieu_quyet: i64,
    pub outcome: &'a str,
    pub needed: i64,
    pub got: i64,
    pub base: i64,
    pub explanation: &'a str,
    pub citations: &'a str,
}

pub async fn close_vote(
    tx: &mut Tx,
    id: i64,
    r: &VoteResult<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE vote SET status = 'closed', tan_thanh = $1, khong_tan_thanh = $2, khong_bieu_quyet = $3, outcome = $4, \
             needed = $5, got = $6, base = $7, explanation = $8, citations = $9, closed_at = $10 \
             WHERE id = $11 AND status = 'open'",
        )
        .bind(r.tan_thanh)
        .bind(r.khong_tan_thanh)
        .bind(r.khong_bieu_quyet)
        .bind(r.outcome)
        .bind(r.needed)
        .bind(r.got)
        .bind(r.base)
        .bind(r.explanation)
        .bind(r.citations)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Records a named vote; false if this member already voted.
pub async fn cast(
    tx: &mut Tx,
    vote_id: i64,
    member_id: i64,
    choice: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO vote_cast (vote_id, member_id, choice, cast_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (vote_id, member_id) DO NOTHING",
        )
        .bind(vote_id)
        .bind(member_id)
        .bind(choice)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn casts(r: &mut Reader, vote_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT member_id, choice FROM vote_cast WHERE vote_id = $1 ORDER BY member_id",
        )
        .bind(vote_id)
        .fetch_all(c)
        .await
    })?)
}

/// Every cast in a meeting's votes: (vote, member, choice).
pub async fn casts_of_meeting(r: &mut Reader, meeting_id: i64) -> Result<Vec<(i64, i64, String)>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT c.vote_id, c.member_id, c.choice FROM vote_cast c JOIN vote v ON v.id = c.vote_id \
             WHERE v.meeting_id = $1 ORDER BY c.vote_id, c.member_id",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn casts_in(tx: &mut Tx, vote_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT member_id, choice FROM vote_cast WHERE vote_id = $1 ORDER BY member_id",
        )
        .bind(vote_id)
        .fetch_all(c)
        .await
    })?)
}

/// Open votes a member may still cast in (their home page).
pub async fn open_votes_for(r: &mut Reader, member_id: i64) -> Result<Vec<(i64, i64, String)>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT v.id, v.meeting_id, v.subject FROM vote v JOIN meeting m ON m.id = v.meeting_id \
             JOIN member me ON me.cell_id = m.cell_id \
             WHERE me.id = $1 AND v.status = 'open' AND v.mode = 'named' \
             AND NOT EXISTS (SELECT 1 FROM vote_cast c WHERE c.vote_id = v.id AND c.member_id = $1) ORDER BY v.id",
        )
        .bind(member_id)
        .fetch_all(c)
        .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ResolutionRow {
    pub id: i64,
    pub meeting_id: i64,
    pub cell_id: i64,
    pub subject: String,
    pub results: String,
    pub tasks: String,
    /// JSON list of `{what, who, deadline, lead_id, co_owner_ids}`.
    pub assignments: String,
    /// Says explicitly that it assigns no task.
    pub no_tasks: bool,
    pub status: String,
    pub vote_id: Option<i64>,
    pub number: Option<i64>,
    pub number_text: Option<String>,
    pub adopted_at: Option<DateTime<Utc>>,
    pub hash: Option<String>,
    pub version: i64,
}

const RESOLUTION: &str = "id, meeting_id, cell_id, subject, results, tasks, assignments, no_tasks, status, vote_id, number, \
     number_text, adopted_at, hash, version";

pub async fn resolution(r: &mut Reader, meeting_id: i64) -> Result<Option<ResolutionRow>> {
    super::row_by(r, "resolution", RESOLUTION, "meeting_id", meeting_id).await
}

pub async fn resolution_by_id(r: &mut Reader, id: i64) -> Result<Option<ResolutionRow>> {
    super::row_by(r, "resolution", RESOLUTION, "id", id).await
}

pub struct Draft<'a> {
    pub subject: &'a str,
    pub results: &'a str,
    pub tasks: &'a str,
    pub assignments: &'a str,
    pub no_tasks: bool,
}

/// Creates or replaces the draft; false if the resolution is adopted or the
/// version moved on.
pub async fn save_draft(
    tx: &mut Tx,
    meeting_id: i64,
    cell_id: i64,
    version: i64,
    d: &Draft<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO resolution (meeting_id, cell_id, subject, results, tasks, assignments, no_tasks, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8) \
             ON CONFLICT (meeting_id) DO UPDATE SET subject = excluded.subject, results = excluded.results, \
             tasks = excluded.tasks, assignments = excluded.assignments, no_tasks = excluded.no_tasks, \
             version = resolution.version + 1 WHERE resolution.status = 'draft' AND resolution.version = $9",
        )
        .bind(meeting_id)
        .bind(cell_id)
        .bind(d.subject)
        .bind(d.results)
        .bind(d.tasks)
        .bind(d.assignments)
        .bind(d.no_tasks)
        .bind(now)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Adopts a draft; false if it is no longer one (adopted meanwhile).
pub async fn adopt(
    tx: &mut Tx,
    id: i64,
    vote_id: i64,
    number: i64,
    number_text: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE resolution SET status = 'adopted', vote_id = $1, number = $2, number_text = $3, hash = $4, \
             adopted_at = $5, version = version + 1 WHERE id = $6 AND status = 'draft'",
        )
        .bind(vote_id)
        .bind(number)
        .bind(number_text)
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The start of the unit's current committee term, if one was recorded.
pub async fn term_start(tx: &mut Tx, org_id: i64, on: NaiveDate) -> Result<Option<NaiveDate>> {
    let row: (Option<NaiveDate>,) = in_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT MAX(start_date) FROM org_term WHERE org_id = $1 AND start_date <= $2",
        )
        .bind(org_id)
        .bind(on)
        .fetch_one(c)
        .await
    })?;
    Ok(row.0)
}

pub async fn add_term(
    tx: &mut Tx,
    org_id: i64,
    start: NaiveDate,
    note: Option<&str>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("INSERT INTO org_term (org_id, start_date, note) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(start)
            .bind(note)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The next number of a document type in a term.
pub async fn next_number(
    tx: &mut Tx,
    org_id: i64,
    doc_type: &str,
    term_start: NaiveDate,
) -> Result<i64> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO doc_sequence (org_id, doc_type, term_start, last_no) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (org_id, doc_type, term_start) DO NOTHING",
        )
        .bind(org_id)
        .bind(doc_type)
        .bind(term_start)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "UPDATE doc_sequence SET last_no = last_no + 1 WHERE org_id = $1 AND doc_type = $2 AND term_start = $3 RETURNING last_no",
        )
        .bind(org_id)
        .bind(doc_type)
        .bind(term_start)
        .fetch_one(c)
        .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct DocVersion {
    pub id: i64,
    pub doc_type: String,
    pub doc_id: i64,
    pub version: i64,
    pub body: String,
    pub hash: String,
    pub check_code: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

const DOC: &str = "id, doc_type, doc_id, version, body, hash, check_code, reason, created_at";

pub struct NewVersion<'a> {
    pub doc_type: &'a str,
    pub doc_id: i64,
    pub body: &'a str,
    pub hash: &'a str,
    pub check_code: &'a str,
    pub reason: Option<&'a str>,
    pub account_id: Option<i64>,
}

pub async fn add_version(tx: &mut Tx, v: &NewVersion<'_>, now: DateTime<Utc>) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO document_version (doc_type, doc_id, version, body, hash, check_code, reason, account_id, created_at) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(version), 0) + 1 FROM document_version WHERE doc_type = $1 AND doc_id = $2), \
             $3, $4, $5, $6, $7, $8) RETURNING version",
        )
        .bind(v.doc_type)
        .bind(v.doc_id)
        .bind(v.body)
        .bind(v.hash)
        .bind(v.check_code)
        .bind(v.reason)
        .bind(v.account_id)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn versions(r: &mut Reader, doc_type: &str, doc_id: i64) -> Result<Vec<DocVersion>> {
    let sql = format!(
        "SELECT {DOC} FROM document_version WHERE doc_type = $1 AND doc_id = $2 ORDER BY version"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(doc_type)
        .bind(doc_id)
        .fetch_all(c)
        .await)?)
}

pub async fn version_by_code(r: &mut Reader, code: &str) -> Result<Vec<DocVersion>> {
    let sql = format!("SELECT {DOC} FROM document_version WHERE check_code = $1 ORDER BY id");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_all(c)
        .await)?)
}

/// A page of every locked version after `id`, for `chibo audit verify`.
pub async fn versions_after(r: &mut Reader, id: i64, limit: i64) -> Result<Vec<DocVersion>> {
    let sql = format!("SELECT {DOC} FROM document_version WHERE id > $1 ORDER BY id LIMIT $2");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct NoticeRow {
    pub id: i64,
    pub meeting_id: Option<i64>,
    pub member_id: Option<i64>,
    pub channel: String,
    pub address: Option<String>,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

const NOTICE: &str = "id, meeting_id, member_id, channel, address, subject, body, status, attempts, last_error, created_at";

pub struct NewNotice<'a> {
    pub meeting_id: Option<i64>,
    pub member_id: Option<i64>,
    pub channel: &'a str,
    pub address: Option<&'a str>,
    pub subject: &'a str,
    pub body: &'a str,
}

pub async fn queue_notice(tx: &mut Tx, n: &NewNotice<'_>, now: DateTime<Utc>) -> Result<i64> {
    // In-app notices are delivered by being stored.
    let status = if n.channel == "app" { "sent" } else { "queued" };
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO notice (meeting_id, member_id, channel, address, subject, body, status, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(n.meeting_id)
        .bind(n.member_id)
        .bind(n.channel)
        .bind(n.address)
        .bind(n.subject)
        .bind(n.body)
        .bind(status)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// Claims up to `limit` e-mails that are due, so no other process sends them
/// before `lease_until`. The conditions
/// are checked again on the row itself: on PostgreSQL a second server that
/// picked the same ids waits for the first one's row locks, then sees the
/// claimed rows no longer due and skips them, so no e-mail goes out twice.
pub async fn claim_due(
    tx: &mut Tx,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<NoticeRow>> {
    let sql = format!(
        "UPDATE notice SET status = 'sending', next_attempt_at = $1, attempts = attempts + 1 WHERE id IN \
         (SELECT id FROM notice WHERE channel = 'email' AND next_attempt_at <= $2 \
          AND (status = 'queued' OR status = 'sending') ORDER BY id LIMIT $3) \
         AND next_attempt_at <= $2 AND (status = 'queued' OR status = 'sending') RETURNING {NOTICE}"
    );
    Ok(in_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(c)
            .await
    })?)
}

pub async fn mark_sent(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE notice SET status = 'sent', sent_at = $1, last_error = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn mark_failed(
    tx: &mut Tx,
    id: i64,
    error: &str,
    retry_at: DateTime<Utc>,
    give_up: bool,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE notice SET status = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4",
        )
        .bind(if give_up { "failed" } else { "queued" })
        .bind(error)
        .bind(retry_at)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn notices_of_meeting(r: &mut Reader, meeting_id: i64) -> Result<Vec<NoticeRow>> {
    let sql = format!("SELECT {NOTICE} FROM notice WHERE meeting_id = $1 ORDER BY id");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(meeting_id)
        .fetch_all(c)
        .await)?)
}

pub async fn notices_for_member(
    r: &mut Reader,
    member_id: i64,
    limit: i64,
) -> Result<Vec<NoticeRow>> {
    let sql = format!(
        "SELECT {NOTICE} FROM notice WHERE member_id = $1 AND channel = 'app' ORDER BY id DESC LIMIT $2"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

pub async fn feed_token(tx: &mut Tx, member_id: i64, fresh: &str) -> Result<String> {
    in_tx!(tx, |c| {
        sqlx::query("INSERT INTO calendar_feed (member_id, token) VALUES ($1, $2) ON CONFLICT (member_id) DO NOTHING")
            .bind(member_id)
            .bind(fresh)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar("SELECT token FROM calendar_feed WHERE member_id = $1")
            .bind(member_id)
            .fetch_one(c)
            .await
    })?)
}

/// A member's feed token if one was made (read without the writer).
pub async fn feed_token_of(r: &mut Reader, member_id: i64) -> Result<Option<String>> {
    Ok(read!(r, |c| {
        sqlx::query_scalar("SELECT token FROM calendar_feed WHERE member_id = $1")
            .bind(member_id)
            .fetch_optional(c)
            .await
    })?)
}

pub async fn member_by_feed(r: &mut Reader, token: &str) -> Result<Option<i64>> {
    Ok(read!(r, |c| {
        sqlx::query_scalar("SELECT member_id FROM calendar_feed WHERE token = $1")
            .bind(token)
            .fetch_optional(c)
            .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct FileRow {
    pub id: i64,
    pub meeting_id: i64,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn add_file(
    tx: &mut Tx,
    meeting_id: i64,
    file_name: &str,
    mime: &str,
    data: &[u8],
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO meeting_file (meeting_id, file_name, mime, size, data, account_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(meeting_id)
        .bind(file_name)
        .bind(mime)
        .bind(data.len() as i64)
        .bind(data)
        .bind(account_id)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn files(r: &mut Reader, meeting_id: i64) -> Result<Vec<FileRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as("SELECT id, meeting_id, file_name, mime, size, created_at FROM meeting_file WHERE meeting_id = $1 ORDER BY id")
            .bind(meeting_id)
            .fetch_all(c)
            .await
    })?)
}

pub async fn file_data(
    r: &mut Reader,
    meeting_id: i64,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT file_name, mime, data FROM meeting_file WHERE meeting_id = $1 AND id = $2",
        )
        .bind(meeting_id)
        .bind(id)
        .fetch_optional(c)
        .await
    })?)
}
