//! Uploaded spreadsheets waiting between preview and confirmation. Kept in the
//! database so any server process can confirm what another previewed.

use super::members::MemberRow;
use super::{Backend, Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, Utc};

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
    // Each list is one JSON parameter, not a parameter per value: the text
    // of the statement stays the same (prepared once for the whole file),
    // and SQLite's driver, which looks every `$n` up by name, is not made
    // quadratic by a thousand of them (6.5 % of a 300,000-row import).
    let sql = match r.backend() {
        Backend::Sqlite => {
            "SELECT id, cell_id, group_id, full_name, other_name, sex, date_of_birth, ethnicity, religion, \
             national_id, card_no, admission_date, ceremony_date, official_date, phone, email, residence, notes, \
             status, version, created_at, updated_at FROM member \
             WHERE card_no IN (SELECT value FROM json_each($1)) \
             OR national_id IN (SELECT value FROM json_each($2))"
        }
        Backend::Postgres => {
            "SELECT id, cell_id, group_id, full_name, other_name, sex, date_of_birth, ethnicity, religion, \
             national_id, card_no, admission_date, ceremony_date, official_date, phone, email, residence, notes, \
             status, version, created_at, updated_at FROM member \
             WHERE card_no = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) \
             OR national_id = ANY(ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))"
        }
    };
    let cards = serde_json::to_string(cards).expect("strings serialise");
    let ids = serde_json::to_string(ids).expect("strings serialise");
    Ok(read!(r, |c| {
        sqlx::query_as(sql)
            .bind(cards.as_str())
            .bind(ids.as_str())
            .fetch_all(c)
            .await
    })?)
}
