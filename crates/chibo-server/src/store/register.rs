//! Numbers of documents printed from the records (a meeting's notice, the
//! upper committee's roll-up), and this installation's own id.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, Utc};

/// A document as it was numbered.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Registered {
    pub id: i64,
    pub number_text: String,
    pub issued_at: DateTime<Utc>,
}

/// What identifies one numbered text.
pub struct Key<'a> {
    pub org_id: i64,
    pub doc_type: &'a str,
    pub subject: &'a str,
    pub fingerprint: &'a str,
}

const COLUMNS: &str = "id, number_text, issued_at";
const WHERE: &str = "org_id = $1 AND doc_type = $2 AND subject = $3 AND fingerprint = $4";

/// The number this very text was given, if it was.
pub async fn find(r: &mut Reader, k: &Key<'_>) -> Result<Option<Registered>> {
    let sql = format!("SELECT {COLUMNS} FROM doc_register WHERE {WHERE}");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(k.org_id)
        .bind(k.doc_type)
        .bind(k.subject)
        .bind(k.fingerprint)
        .fetch_optional(c)
        .await)?)
}

/// The same, inside the transaction that may number it.
pub async fn find_in(tx: &mut Tx, k: &Key<'_>) -> Result<Option<Registered>> {
    let sql = format!("SELECT {COLUMNS} FROM doc_register WHERE {WHERE}");
    Ok(in_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(k.org_id)
    .bind(k.doc_type)
    .bind(k.subject)
    .bind(k.fingerprint)
    .fetch_optional(c)
    .await)?)
}

/// Every number given to a subject's texts of one type, the earliest first
/// (a receipt printed again after a correction is a new receipt).
pub async fn numbers_of(
    r: &mut Reader,
    org_id: i64,
    doc_type: &str,
    subject: &str,
) -> Result<Vec<Registered>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM doc_register WHERE org_id = $1 AND doc_type = $2 AND subject = $3 ORDER BY id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(doc_type)
        .bind(subject)
        .fetch_all(c)
        .await)?)
}

pub async fn insert(
    tx: &mut Tx,
    k: &Key<'_>,
    number: i64,
    number_text: &str,
    now: DateTime<Utc>,
) -> Result<Registered> {
    let sql = format!(
        "INSERT INTO doc_register (org_id, doc_type, subject, fingerprint, number, number_text, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    Ok(in_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(k.org_id)
    .bind(k.doc_type)
    .bind(k.subject)
    .bind(k.fingerprint)
    .bind(number)
    .bind(number_text)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

/// This installation's id, made by the migration that created the table.
pub async fn installation_id(r: &mut Reader) -> Result<String> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT uid FROM installation WHERE id = 1"
    )
    .fetch_one(c)
    .await)?)
}
