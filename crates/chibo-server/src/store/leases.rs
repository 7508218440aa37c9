//! Jobs shared by every server process on one database (`job_lease`): a
//! tick of a job runs in exactly one process, and the outbox's figures for
//! the operator.

use super::{Db, Result, in_tx, pooled};
use chrono::{DateTime, Utc};

/// Claims tick `slot` of `job` for `holder` until `until`: true for exactly
/// one caller per tick, and never while another holder's lease is live.
///
/// One conditional UPDATE decides it: on PostgreSQL a second process waits
/// for the first one's row lock, then finds `slot` already moved and updates
/// nothing; SQLite has one writer anyway.
pub async fn claim(
    db: &Db,
    job: &str,
    slot: i64,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    in_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO job_lease (name, slot) VALUES ($1, -1) ON CONFLICT (name) DO NOTHING"
    )
    .bind(job)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let won = in_tx!(&mut tx, |c| sqlx::query(
        "UPDATE job_lease SET slot = $1, holder = $2, lease_until = $3, started_at = $4 \
         WHERE name = $5 AND slot < $1 AND (lease_until IS NULL OR lease_until < $4)"
    )
    .bind(slot)
    .bind(holder)
    .bind(until)
    .bind(now)
    .bind(job)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(won == 1)
}

/// Ends `holder`'s run of `job`: the lease is released, and a run that
/// succeeded is counted with its time.
pub async fn release(
    db: &Db,
    job: &str,
    holder: &str,
    succeeded: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    if succeeded {
        in_tx!(&mut tx, |c| sqlx::query(
            "UPDATE job_lease SET lease_until = NULL, done_at = $1, runs = runs + 1 \
             WHERE name = $2 AND holder = $3"
        )
        .bind(now)
        .bind(job)
        .bind(holder)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    } else {
        in_tx!(&mut tx, |c| sqlx::query(
            "UPDATE job_lease SET lease_until = NULL WHERE name = $1 AND holder = $2"
        )
        .bind(job)
        .bind(holder)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(())
}

/// A job's record: how many runs succeeded, and when the last one ended.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub slot: i64,
    pub runs: i64,
    pub done_at: Option<DateTime<Utc>>,
}

pub async fn job(db: &Db, name: &str) -> Result<Option<JobRow>> {
    Ok(pooled!(db, |c| sqlx::query_as(
        "SELECT slot, runs, done_at FROM job_lease WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(c)
    .await)?)
}

/// The e-mail outbox seen by an operator.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Outbox {
    /// Waiting to be sent or being sent.
    pub pending: i64,
    /// Given up after the last retry.
    pub failed: i64,
    /// When the oldest pending one was queued.
    pub oldest: Option<DateTime<Utc>>,
}

pub async fn outbox(db: &Db) -> Result<Outbox> {
    Ok(pooled!(db, |c| {
        sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status IN ('queued', 'sending') THEN 1 ELSE 0 END), 0) AS pending, \
         COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed, \
         MIN(CASE WHEN status IN ('queued', 'sending') THEN created_at END) AS oldest \
         FROM notice WHERE status IN ('queued', 'sending', 'failed') AND channel = 'email'"
    )
    .fetch_one(c)
    .await
    })?)
}
