//! The audit trail: one hash chain per chain id (a cell, an upper committee,
//! or 0 for installation-wide changes). Each entry is written in the
//! transaction of the change it records, and its hash covers the previous
//! entry's, so an edited or deleted row breaks the chain at that point.

use super::bulk::Rows;
use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub struct NewEntry<'a> {
    pub chain_id: i64,
    pub account_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub summary: &'a serde_json::Value,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct EntryRow {
    pub id: i64,
    pub chain_id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub account_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of one entry, over every stored field and the previous hash.
pub fn entry_hash(e: &EntryRow) -> String {
    let mut h = Sha256::new();
    let fields = [
        e.chain_id.to_string(),
        e.seq.to_string(),
        e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        e.account_id.map(|a| a.to_string()).unwrap_or_default(),
        e.actor.clone(),
        e.action.clone(),
        e.entity.clone(),
        e.entity_id.map(|a| a.to_string()).unwrap_or_default(),
        e.summary.clone(),
        e.prev_hash.clone(),
    ];
    for f in fields {
        // Length-prefixed so that moving text between fields changes the hash.
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry to its chain. The `UPDATE … RETURNING` on the chain head
/// takes the row lock that orders concurrent writers on PostgreSQL; SQLite
/// has a single writer anyway.
pub async fn append(tx: &mut Tx, e: &NewEntry<'_>, now: DateTime<Utc>) -> Result<i64> {
    in_tx!(tx, |c| {
        sqlx::query("INSERT INTO audit_head (chain_id, seq, hash) VALUES ($1, 0, '') ON CONFLICT (chain_id) DO NOTHING")
            .bind(e.chain_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let (seq, prev_hash): (i64, String) = in_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE audit_head SET seq = seq + 1 WHERE chain_id = $1 RETURNING seq, hash",
        )
        .bind(e.chain_id)
        .fetch_one(c)
        .await
    })?;
    let mut row = EntryRow {
        id: 0,
        chain_id: e.chain_id,
        seq,
        at: now.trunc_subsecs(6),
        account_id: e.account_id,
        actor: e.actor.to_string(),
        action: e.action.to_string(),
        entity: e.entity.to_string(),
        entity_id: e.entity_id,
        summary: e.summary.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    let id: i64 = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO audit (chain_id, seq, at, account_id, actor, action, entity, entity_id, summary, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(row.chain_id)
        .bind(row.seq)
        .bind(row.at)
        .bind(row.account_id)
        .bind(&row.actor)
        .bind(&row.action)
        .bind(&row.entity)
        .bind(row.entity_id)
        .bind(&row.summary)
        .bind(&row.prev_hash)
        .bind(&row.hash)
        .fetch_one(c)
        .await
    })?;
    in_tx!(tx, |c| {
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE chain_id = $2")
            .bind(&row.hash)
            .bind(e.chain_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// Entries appended to one chain in memory and bulk-written (large imports):
/// the same rows, hashes and head as [`append`] would leave, in a few
/// statements instead of four per entry.
pub struct ChainWriter {
    chain_id: i64,
    seq: i64,
    prev_hash: String,
    rows: Rows,
}

impl ChainWriter {
    /// Continues the chain from its head, which it keeps locked (on
    /// PostgreSQL) until the transaction ends, as `append` does.
    pub async fn open(tx: &mut Tx, chain_id: i64) -> Result<Self> {
        in_tx!(tx, |c| {
            sqlx::query("INSERT INTO audit_head (chain_id, seq, hash) VALUES ($1, 0, '') ON CONFLICT (chain_id) DO NOTHING")
                .bind(chain_id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        let (seq, prev_hash): (i64, String) = in_tx!(tx, |c| {
            sqlx::query_as(
                "UPDATE audit_head SET seq = seq WHERE chain_id = $1 RETURNING seq, hash",
            )
            .bind(chain_id)
            .fetch_one(c)
            .await
        })?;
        Ok(Self {
            chain_id,
            seq,
            prev_hash,
            rows: Rows::new(
                "audit",
                &[
                    "chain_id",
                    "seq",
                    "at",
                    "account_id",
                    "actor",
                    "action",
                    "entity",
                    "entity_id",
                    "summary",
                    "prev_hash",
                    "hash",
                ],
            ),
        })
    }

    /// Hashes the next entry onto the chain (written by [`Self::finish`]).
    pub fn push(&mut self, e: &NewEntry<'_>, now: DateTime<Utc>) {
        debug_assert_eq!(e.chain_id, self.chain_id);
        self.seq += 1;
        let mut row = EntryRow {
            id: 0,
            chain_id: self.chain_id,
            seq: self.seq,
            at: now.trunc_subsecs(6),
            account_id: e.account_id,
            actor: e.actor.to_string(),
            action: e.action.to_string(),
            entity: e.entity.to_string(),
            entity_id: e.entity_id,
            summary: e.summary.to_string(),
            prev_hash: std::mem::take(&mut self.prev_hash),
            hash: String::new(),
        };
        row.hash = entry_hash(&row);
        self.prev_hash = row.hash.clone();
        self.rows.push([
            row.chain_id.into(),
            row.seq.into(),
            row.at.into(),
            row.account_id.into(),
            row.actor.into(),
            row.action.into(),
            row.entity.into(),
            row.entity_id.into(),
            row.summary.into(),
            row.prev_hash.into(),
            row.hash.into(),
        ]);
    }

    /// Writes the entries and moves the head past them.
    pub async fn finish(mut self, tx: &mut Tx) -> Result<()> {
        self.rows.flush(tx).await?;
        in_tx!(tx, |c| {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE chain_id = $3")
                .bind(self.seq)
                .bind(&self.prev_hash)
                .bind(self.chain_id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}

const COLUMNS: &str =
    "id, chain_id, seq, at, account_id, actor, action, entity, entity_id, summary, prev_hash, hash";

/// The history of one record, newest first.
pub async fn for_entity(r: &mut Reader, entity: &str, entity_id: i64) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit WHERE entity = $1 AND entity_id = $2 ORDER BY at DESC, id DESC"
    );
    Ok(read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(entity)
            .bind(entity_id)
            .fetch_all(c)
            .await
    })?)
}

/// A page of all entries in chain order, for verification.
pub async fn page_after(
    r: &mut Reader,
    chain_id: i64,
    seq: i64,
    limit: i64,
) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit WHERE chain_id > $1 OR (chain_id = $1 AND seq > $2) \
         ORDER BY chain_id, seq LIMIT $3"
    );
    Ok(read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(chain_id)
            .bind(seq)
            .bind(limit)
            .fetch_all(c)
            .await
    })?)
}

pub async fn heads(r: &mut Reader) -> Result<Vec<(i64, i64, String)>> {
    Ok(read!(r, |c| {
        sqlx::query_as("SELECT chain_id, seq, hash FROM audit_head ORDER BY chain_id")
            .fetch_all(c)
            .await
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> EntryRow {
        EntryRow {
            id: 1,
            chain_id: 7,
            seq: 1,
            at: DateTime::parse_from_rfc3339("2026-11-27T10:00:00.123456Z")
                .unwrap()
                .to_utc(),
            account_id: Some(3),
            actor: "bithu".into(),
            action: "member.create".into(),
            entity: "member".into(),
            entity_id: Some(9),
            summary: "{}".into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn any_field_changes_the_hash() {
        let base = entry_hash(&entry());
        let mut e = entry();
        e.summary = "{\"x\":1}".into();
        assert_ne!(entry_hash(&e), base);
        let mut e = entry();
        e.actor = "bithu2".into();
        assert_ne!(entry_hash(&e), base);
        assert_eq!(entry_hash(&entry()), base);
    }
}
