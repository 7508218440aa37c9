//! Browser sessions and login throttling. Tokens are stored only as hashes.

use super::{Reader, Result, Tx, in_tx, read};
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

pub async fn record_failure(
    tx: &mut Tx,
    login: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("INSERT INTO login_failure (login, address, at) VALUES ($1, $2, $3)")
            .bind(login)
            .bind(address)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Failed logins since `since` for this login and for this address.
pub async fn failures(
    r: &mut Reader,
    login: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let by_login: i64 = read!(r, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failure WHERE login = $1 AND at > $2")
            .bind(login)
            .bind(since)
            .fetch_one(c)
            .await
    })?;
    let by_address: i64 = read!(r, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failure WHERE address = $1 AND at > $2")
            .bind(address)
            .bind(since)
            .fetch_one(c)
            .await
    })?;
    Ok((by_login, by_address))
}
