//! Task reminders in the notice outbox: each keyed so it goes out once, and
//! members' choice of a daily digest.

use super::meetings::{NewNotice, NoticeRow};
use super::{Backend, Reader, Result, Tx, in_tx, read, status_list};
use crate::model::Status;
use chrono::{DateTime, NaiveDate, Utc};

/// Queues one reminder; false when this member already had it on this channel.
pub async fn queue(
    tx: &mut Tx,
    n: &NewNotice<'_>,
    task_id: i64,
    key: &str,
    status: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool> {
    // In-app notices are delivered by being stored; a digest e-mail waits for
    // the day's digest.
    let status = status.unwrap_or(if n.channel == "app" { "sent" } else { "queued" });
    let added = in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO notice (meeting_id, member_id, channel, address, subject, body, status, next_attempt_at, \
             created_at, task_id, reminder_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10) \
             ON CONFLICT DO NOTHING",
        )
        .bind(n.meeting_id)
        .bind(n.member_id)
        .bind(n.channel)
        .bind(n.address)
        .bind(n.subject)
        .bind(n.body)
        .bind(status)
        .bind(now)
        .bind(task_id)
        .bind(key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(added == 1)
}

pub async fn wants_digest(tx: &mut Tx, member_id: i64) -> Result<bool> {
    let v: Option<(bool,)> =
        super::row_by_in(tx, "member_pref", "daily_digest", "member_id", member_id).await?;
    Ok(v.is_some_and(|(on,)| on))
}

pub async fn digest_of(r: &mut Reader, member_id: i64) -> Result<bool> {
    let v: Option<(bool,)> =
        super::row_by(r, "member_pref", "daily_digest", "member_id", member_id).await?;
    Ok(v.is_some_and(|(on,)| on))
}

pub async fn set_digest(tx: &mut Tx, member_id: i64, on: bool) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO member_pref (member_id, daily_digest) VALUES ($1, $2) \
             ON CONFLICT (member_id) DO UPDATE SET daily_digest = excluded.daily_digest",
        )
        .bind(member_id)
        .bind(on)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

const NOTICE: &str = "id, meeting_id, member_id, channel, address, subject, body, status, attempts, last_error, created_at";

/// Every reminder of a task, for the committee to see what went out.
pub async fn of_task(r: &mut Reader, task_id: i64) -> Result<Vec<NoticeRow>> {
    let sql = format!("SELECT {NOTICE} FROM notice WHERE task_id = $1 ORDER BY id");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(task_id)
        .fetch_all(c)
        .await)?)
}

/// A task that may need a reminder.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub task_id: i64,
    pub cell_id: i64,
    pub title: String,
    pub deadline: NaiveDate,
    pub lead_id: i64,
}

/// The lead of task `t` is still on its cell's roll: only then is a task
/// reminded. Its reminder to the lead is what marks it done, so a task
/// whose lead left (it must be reassigned) would otherwise come back in
/// every sweep.
fn lead_on_roll() -> String {
    format!(
        "JOIN member l ON l.id = t.lead_id AND l.cell_id = t.cell_id AND l.status IN {}",
        status_list(&Status::ON_LIST)
    )
}

/// Unfinished open tasks due between `from` and `until` whose reminder
/// `prefix:id:deadline` has not gone to their lead yet.
pub async fn due(
    r: &mut Reader,
    prefix: &str,
    from: NaiveDate,
    until: NaiveDate,
    limit: i64,
) -> Result<Vec<Due>> {
    let key = match r.backend() {
        Backend::Sqlite => "$1 || ':' || t.id || ':' || t.deadline",
        Backend::Postgres => "$1 || ':' || t.id || ':' || to_char(t.deadline, 'YYYY-MM-DD')",
    };
    let sql = format!(
        "SELECT t.id AS task_id, t.cell_id, t.title, t.deadline, t.lead_id FROM task t {} \
         WHERE t.closed_on IS NULL AND t.completed_on IS NULL AND t.deadline >= $2 AND t.deadline <= $3 \
         AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.member_id = t.lead_id \
         AND n.channel = 'app' AND n.reminder_key = {key}) ORDER BY t.deadline, t.id LIMIT $4",
        lead_on_roll()
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(prefix)
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// An open task that a notified meeting, still ahead, will review.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ToReview {
    pub task_id: i64,
    pub cell_id: i64,
    pub title: String,
    pub lead_id: i64,
    pub meeting_id: i64,
    pub starts_at: DateTime<Utc>,
}

/// Open tasks assigned before the day of a notified meeting of their cell
/// that is still ahead, whose `review:task:meeting` reminder has not gone
/// to their lead yet: the first `limit` (meeting, task) pairs after `after`.
/// The sweep walks the notified meetings by id from the last pair of its
/// previous batch (`meeting_notified_id`), so a batch reads its own pairs,
/// not every pending pair of the instance sorted to keep 500.
pub async fn to_review(
    r: &mut Reader,
    now: DateTime<Utc>,
    (after_meeting, after_task): (i64, i64),
    limit: i64,
) -> Result<Vec<ToReview>> {
    // The meeting's day in Vietnam (UTC+7 all year, no daylight saving).
    let meeting_day = match r.backend() {
        Backend::Sqlite => "date(mt.starts_at, '+7 hours')",
        Backend::Postgres => "CAST(mt.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE)",
    };
    let sql = format!(
        "SELECT t.id AS task_id, t.cell_id, t.title, t.lead_id, mt.id AS meeting_id, mt.starts_at \
         FROM meeting mt JOIN task t ON t.cell_id = mt.cell_id {} \
         WHERE mt.status = 'notified' AND mt.starts_at > $1 AND mt.id >= $2 AND (mt.id > $2 OR t.id > $3) \
         AND t.closed_on IS NULL AND t.assigned_on < {meeting_day} \
         AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.member_id = t.lead_id AND n.channel = 'app' \
         AND n.reminder_key = 'review:' || t.id || ':' || mt.id) ORDER BY mt.id, t.id LIMIT $4",
        lead_on_roll()
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(after_meeting)
        .bind(after_task)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Who hears of a task's reminder: its lead and co-owners on its cell's roll.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub task_id: i64,
    pub member_id: i64,
    pub email: Option<String>,
}

/// The recipients of reminders about `task_ids`, in one query.
pub async fn recipients(tx: &mut Tx, task_ids: &[i64]) -> Result<Vec<Recipient>> {
    if task_ids.is_empty() {
        return Ok(vec![]);
    }
    // Integers written into the text, not bound: a batch can exceed SQLite's
    // parameter limit, and they cannot carry SQL.
    let ids = task_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT x.task_id, m.id AS member_id, m.email FROM \
         (SELECT id AS task_id, cell_id, lead_id AS member_id FROM task WHERE id IN ({ids}) \
          UNION SELECT o.task_id, t.cell_id, o.member_id FROM task_owner o JOIN task t ON t.id = o.task_id \
          WHERE o.task_id IN ({ids})) x \
         JOIN member m ON m.id = x.member_id AND m.cell_id = x.cell_id AND m.status IN {} \
         ORDER BY x.task_id, m.id",
        status_list(&Status::ON_LIST)
    );
    Ok(in_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(c)
        .await)?)
}

/// Members with digest e-mails waiting, created before `before`.
pub async fn digest_waiting(r: &mut Reader, before: DateTime<Utc>) -> Result<Vec<i64>> {
    Ok(read!(r, |c| {
        sqlx::query_scalar(
        "SELECT DISTINCT member_id FROM notice WHERE channel = 'email' AND status = 'digest' AND created_at < $1"
    )
    .bind(before)
    .fetch_all(c)
    .await
    })?)
}

/// Takes a member's waiting digest lines, marking them folded into one e-mail.
pub async fn take_digest(
    tx: &mut Tx,
    member_id: i64,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<NoticeRow>> {
    let sql = format!(
        "UPDATE notice SET status = 'digested', sent_at = $1 WHERE member_id = $2 AND channel = 'email' \
         AND status = 'digest' AND created_at < $3 RETURNING {NOTICE}"
    );
    Ok(in_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(member_id)
        .bind(before)
        .fetch_all(c)
        .await)?)
}

/// Queues one in-app notice under a key, and its e-mail when there is an
/// address (folded into the member's daily digest when they chose one);
/// false when this member already had it.
pub async fn queue_keyed(
    tx: &mut Tx,
    member_id: i64,
    email: Option<&str>,
    key: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let fresh = queue_one(
        tx,
        member_id,
        ("app", None, "sent"),
        key,
        subject,
        body,
        now,
    )
    .await?;
    if fresh && let Some(email) = email {
        let status = if wants_digest(tx, member_id).await? {
            "digest"
        } else {
            "queued"
        };
        queue_one(
            tx,
            member_id,
            ("email", Some(email), status),
            key,
            subject,
            body,
            now,
        )
        .await?;
    }
    Ok(fresh)
}

async fn queue_one(
    tx: &mut Tx,
    member_id: i64,
    (channel, address, status): (&str, Option<&str>, &str),
    key: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO notice (member_id, channel, address, subject, body, status, next_attempt_at, created_at, \
         reminder_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT DO NOTHING"
    )
    .bind(member_id)
    .bind(channel)
    .bind(address)
    .bind(subject)
    .bind(body)
    .bind(status)
    .bind(now)
    .bind(key)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// A notice sent under a key: to whom, on which channel, and its delivery
/// status (queued, sent, or waiting for the member's digest).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Keyed {
    pub member_id: Option<i64>,
    pub channel: String,
    pub key: String,
    pub status: String,
}

/// The notices sent under a key prefix, for the committee to see who was
/// reminded or alerted, and how.
pub async fn keyed(r: &mut Reader, prefix: &str) -> Result<Vec<Keyed>> {
    let (lo, hi) = super::prefix_range(prefix);
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT member_id, channel, reminder_key AS key, status FROM notice \
         WHERE reminder_key >= $1 AND reminder_key < $2 ORDER BY id",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await
    })?)
}
