//! Uploaded spreadsheets waiting between preview and confirmation. Kept in the
//! database so any server process can confirm what another previewed.

use super::members::MemberRow;
use super::{Arg, Reader, Result, Tx, bind_all, in_tx, read};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Upload {
    pub id: i64,
    pub account_id: i64,
    pub cell_id: i64,
    pub file_name: String,
    pub data: Vec<u8>,
    pub created_at: DateTime<Utc>,
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
            "SELECT id, account_id, cell_id, file_name, data, created_at FROM import_upload WHERE id = $1",
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

/// Deletes the uploads stored before `cutoff` (never confirmed nor
/// cancelled); how many.
pub async fn delete_before(tx: &mut Tx, cutoff: DateTime<Utc>) -> Result<u64> {
    Ok(in_tx!(tx, |c| sqlx::query(
        "DELETE FROM import_upload WHERE created_at < $1"
    )
    .bind(cutoff)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// The members, in any cell, holding one of these card numbers or national
/// IDs: an import's matches and its duplicates, one query per chunk.
/// The members of a cell with neither a card number nor a national ID (a
/// member admitted in chibo gets the card later): an import finds them by
/// name and date of birth, so exporting and importing the list back does
/// not create them twice.
pub async fn keyless_members(r: &mut Reader, cell_id: i64) -> Result<Vec<MemberRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT id, cell_id, group_id, full_name, other_name, sex, date_of_birth, ethnicity, religion, \
         national_id, card_no, admission_date, ceremony_date, official_date, phone, email, residence, notes, \
         status, version, created_at, updated_at FROM member \
         WHERE cell_id = $1 AND card_no IS NULL AND national_id IS NULL"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await
    })?)
}

pub async fn members_by_keys(
    r: &mut Reader,
    cards: &[String],
    ids: &[String],
) -> Result<Vec<MemberRow>> {
    if cards.is_empty() && ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Vec::with_capacity(cards.len() + ids.len());
    let mut marks = |values: &[String]| {
        values
            .iter()
            .map(|v| {
                args.push(Arg::Text(v.clone()));
                format!("${}", args.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut clauses = Vec::new();
    if !cards.is_empty() {
        clauses.push(format!("card_no IN ({})", marks(cards)));
    }
    if !ids.is_empty() {
        clauses.push(format!("national_id IN ({})", marks(ids)));
    }
    let sql = format!(
        "SELECT id, cell_id, group_id, full_name, other_name, sex, date_of_birth, ethnicity, religion, \
         national_id, card_no, admission_date, ceremony_date, official_date, phone, email, residence, notes, \
         status, version, created_at, updated_at FROM member WHERE {}",
        clauses.join(" OR ")
    );
    Ok(read!(r, |c| {
        bind_all(sqlx::query_as(AssertSqlSafe(sql.clone())), &args)
            .fetch_all(c)
            .await
    })?)
}
