//! Receipts of changes sent from a phone that was offline (`change_receipt`):
//! the key a change was made with, written in the change's own transaction.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, Utc};

/// Keeps the receipt of change `key`: false when a change with that key was
/// already received (then the caller's transaction must not commit).
pub async fn keep(
    tx: &mut Tx,
    key: &str,
    account_id: i64,
    action: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let rows = in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO change_receipt (key, account_id, action, received_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(account_id)
        .bind(action)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(rows == 1)
}

/// Whether a change with `key` was received (keys are random: whose it was
/// does not matter).
pub async fn received(r: &mut Reader, key: &str) -> Result<bool> {
    let n: i64 = read!(r, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM change_receipt WHERE key = $1"
    )
    .bind(key)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}
