//! Task reminders in the notice outbox: each keyed so it goes out once, and
//! members' choice of a daily digest.

use super::meetings::{NewNotice, NoticeRow};
use super::{Db, Result, Tx, in_tx, read};
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

pub async fn digest_of(db: &Db, member_id: i64) -> Result<bool> {
    let v: Option<(bool,)> =
        super::row_by(db, "member_pref", "daily_digest", "member_id", member_id).await?;
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
pub async fn of_task(db: &Db, task_id: i64) -> Result<Vec<NoticeRow>> {
    let sql = format!("SELECT {NOTICE} FROM notice WHERE task_id = $1 ORDER BY id");
    Ok(read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(task_id)
        .fetch_all(c)
        .await)?)
}

/// A task that may need a reminder, with who must hear of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub task_id: i64,
    pub cell_id: i64,
    pub title: String,
    pub deadline: NaiveDate,
    pub lead_id: i64,
}

/// Unfinished open tasks due by `until` whose reminder `prefix:id:deadline`
/// has not gone to their lead yet.
pub async fn due(
    db: &Db,
    prefix: &str,
    from: NaiveDate,
    until: NaiveDate,
    limit: i64,
) -> Result<Vec<Due>> {
    let key = match db {
        Db::Sqlite { .. } => "$1 || ':' || t.id || ':' || t.deadline",
        Db::Postgres(_) => "$1 || ':' || t.id || ':' || to_char(t.deadline, 'YYYY-MM-DD')",
    };
    let sql = format!(
        "SELECT t.id AS task_id, t.cell_id, t.title, t.deadline, t.lead_id FROM task t \
         WHERE t.closed_on IS NULL AND t.completed_on IS NULL AND t.deadline >= $2 AND t.deadline <= $3 \
         AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.task_id = t.id AND n.member_id = t.lead_id \
         AND n.channel = 'app' AND n.reminder_key = {key}) ORDER BY t.deadline, t.id LIMIT $4"
    );
    Ok(read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(prefix)
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Meetings whose notice went out and that are still ahead: their cells'
/// open tasks are to be reported on.
pub async fn notified_meetings(
    db: &Db,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64, DateTime<Utc>)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT id, cell_id, starts_at FROM meeting WHERE status = 'notified' AND starts_at > $1 ORDER BY id"
    )
    .bind(now)
    .fetch_all(c)
    .await
    })?)
}

/// Members with digest e-mails waiting, created before `before`.
pub async fn digest_waiting(db: &Db, before: DateTime<Utc>) -> Result<Vec<i64>> {
    Ok(read!(db, |c| {
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
