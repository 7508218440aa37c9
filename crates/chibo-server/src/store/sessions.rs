//! Browser sessions and login throttling. Tokens are stored only as hashes.
//!
//! A `login_failure` row is written *before* a password is checked (the
//! attempt's reservation) and deleted again if the password was right, so
//! attempts still being checked count against the limits like failures.

use super::{Result, Tx, in_tx};
use chrono::{DateTime, Utc};

pub async fn insert(
    tx: &mut Tx,
    token_hash: &str,
    account_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO session (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(csrf)
        .bind(now)
        .bind(expires)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query("DELETE FROM session WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// "Log out everywhere", and what a password change does.
pub async fn delete_all(tx: &mut Tx, account_id: i64) -> Result<u64> {
    let done = in_tx!(tx, |c| {
        sqlx::query("DELETE FROM session WHERE account_id = $1")
            .bind(account_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(done)
}

pub async fn purge_expired(tx: &mut Tx, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM session WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reserves one login attempt unless the failures (and attempts in
/// flight) since `since` already reach a limit: counts and inserts in one
/// transaction that no other reservation can interleave with (SQLite has one
/// writer; on PostgreSQL the table is locked against other reservations,
/// across servers too). Returns the reservation's id, or None when refused.
pub async fn reserve_attempt(
    tx: &mut Tx,
    login: &str,
    address: &str,
    since: DateTime<Utc>,
    limits: (i64, i64),
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    if let Tx::Postgres(t) = tx {
        // Conflicts with itself, not with plain reads.
        sqlx::query("LOCK TABLE login_failure IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **t)
            .await?;
    }
    let (by_login, by_address): (i64, i64) = in_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN login = $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN address = $2 THEN 1 ELSE 0 END), 0) \
             FROM login_failure WHERE (login = $1 OR address = $2) AND at > $3",
        )
        .bind(login)
        .bind(address)
        .bind(since)
        .fetch_one(c)
        .await
    })?;
    if by_login >= limits.0 || by_address >= limits.1 {
        return Ok(None);
    }
    Ok(Some(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO login_failure (login, address, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(login)
        .bind(address)
        .bind(now)
        .fetch_one(c)
        .await
    })?))
}

/// The password was right: the attempt is not a failure.
pub async fn release_attempt(tx: &mut Tx, id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM login_failure WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
