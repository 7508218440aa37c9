//! Uploaded spreadsheets waiting between preview and confirmation. Kept in the
//! database so any server process can confirm what another previewed.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Upload {
    pub id: i64,
    pub account_id: i64,
    pub cell_id: i64,
    pub file_name: String,
    pub data: Vec<u8>,
}

pub async fn insert(
    tx: &mut Tx,
    account_id: i64,
    cell_id: i64,
    file_name: &str,
    data: &[u8],
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO import_upload (account_id, cell_id, file_name, data, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(account_id)
        .bind(cell_id)
        .bind(file_name)
        .bind(data)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<Upload>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT id, account_id, cell_id, file_name, data FROM import_upload WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })?)
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<()> {
    in_tx!(tx, |c| sqlx::query(
        "DELETE FROM import_upload WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
