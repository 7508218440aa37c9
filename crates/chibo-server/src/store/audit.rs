//! The audit trail: one hash chain per chain id (a cell, an upper committee,
//! or 0 for installation-wide changes). Each entry is written in the
//! transaction of the change it records, and its hash covers the previous
//! entry's, so an edited or deleted row breaks the chain at that point.

use super::bulk::Rows;
use super::images::{self, Part};
use super::{Db, Reader, Result, Tx, in_tx, pooled, read};
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

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

/// The fields an entry's hash covers, in order.
pub struct Fields<'a> {
    pub chain_id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub account_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub summary: &'a str,
    /// The images of the records the entry left; entries written before
    /// images existed have none, and hash as they always did.
    pub state: Option<&'a str>,
    pub prev_hash: &'a str,
}

/// The hash of one entry, over every stored field and the previous hash.
pub fn entry_hash(e: &Fields<'_>) -> String {
    let mut h = Sha256::new();
    let at = e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let (chain, seq) = (e.chain_id.to_string(), e.seq.to_string());
    let account = e.account_id.map(|a| a.to_string()).unwrap_or_default();
    let entity_id = e.entity_id.map(|a| a.to_string()).unwrap_or_default();
    let mut fields = vec![
        chain.as_str(),
        seq.as_str(),
        at.as_str(),
        account.as_str(),
        e.actor,
        e.action,
        e.entity,
        entity_id.as_str(),
        e.summary,
    ];
    if let Some(state) = e.state {
        fields.push(state);
    }
    fields.push(e.prev_hash);
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

/// Appends an entry to its chain with the images of its subject's records.
pub async fn append(tx: &mut Tx, e: &NewEntry<'_>, now: DateTime<Utc>) -> Result<i64> {
    append_with(tx, e, &[], now).await
}

/// Appends an entry to its chain, imaging its subject's records and `more`
/// (the records of a meeting its act changed). The one place entries are
/// appended one at a time: the `UPDATE … RETURNING` on the chain head takes
/// the row lock that orders concurrent writers on PostgreSQL; SQLite has a
/// single writer anyway.
pub async fn append_with(
    tx: &mut Tx,
    e: &NewEntry<'_>,
    more: &[Part],
    now: DateTime<Utc>,
) -> Result<i64> {
    let (seq, prev_hash) = lock_head(tx, e.chain_id, 1).await?;
    let mut parts = e
        .entity_id
        .map(|id| images::parts_of(e.entity, id))
        .unwrap_or_default();
    parts.extend_from_slice(more);
    let state = images::read(tx, &parts).await?;
    let state = (!state.is_empty()).then(|| state.to_text());
    let at = now.trunc_subsecs(6);
    let summary = e.summary.to_string();
    let hash = entry_hash(&Fields {
        chain_id: e.chain_id,
        seq,
        at,
        account_id: e.account_id,
        actor: e.actor,
        action: e.action,
        entity: e.entity,
        entity_id: e.entity_id,
        summary: &summary,
        state: state.as_deref(),
        prev_hash: &prev_hash,
    });
    let id: i64 = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO audit (chain_id, seq, at, account_id, actor, action, entity, entity_id, summary, state, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(e.chain_id)
        .bind(seq)
        .bind(at)
        .bind(e.account_id)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.entity)
        .bind(e.entity_id)
        .bind(&summary)
        .bind(&state)
        .bind(&prev_hash)
        .bind(&hash)
        .fetch_one(c)
        .await
    })?;
    set_head(tx, e.chain_id, seq, &hash).await?;
    Ok(id)
}

/// Takes the head of a chain for `n` more entries (locked until the
/// transaction ends on PostgreSQL): the first new entry's number and the
/// hash it links to.
async fn lock_head(tx: &mut Tx, chain_id: i64, n: i64) -> Result<(i64, String)> {
    // One statement whether the chain is new or not: every change sends it,
    // and on PostgreSQL each statement is a round trip of the one writer.
    let (seq, prev_hash): (i64, String) = in_tx!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO audit_head (chain_id, seq, hash) VALUES ($1, $2, '') \
             ON CONFLICT (chain_id) DO UPDATE SET seq = audit_head.seq + $2 RETURNING seq, hash",
        )
        .bind(chain_id)
        .bind(n)
        .fetch_one(c)
        .await
    })?;
    Ok((seq - n + 1, prev_hash))
}

async fn set_head(tx: &mut Tx, chain_id: i64, seq: i64, hash: &str) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE chain_id = $3")
            .bind(seq)
            .bind(hash)
            .bind(chain_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// An entry waiting in a [`Journal`].
struct Pending {
    chain_id: i64,
    account_id: Option<i64>,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    summary: String,
    parts: Vec<Part>,
    at: DateTime<Utc>,
}

/// Entries of any number of chains gathered in memory and written in bulk
/// (the demo, an import): the same rows, images, hashes and heads as
/// [`append`] would leave, in a few statements. The records must be written
/// before [`Journal::finish`], which images them.
#[derive(Default)]
pub struct Journal {
    entries: Vec<Pending>,
}

impl Journal {
    /// Adds an entry imaging its subject's records and `more`.
    pub fn push(&mut self, e: &NewEntry<'_>, more: Vec<Part>, now: DateTime<Utc>) {
        let mut parts = e
            .entity_id
            .map(|id| images::parts_of(e.entity, id))
            .unwrap_or_default();
        parts.extend(more);
        self.entries.push(Pending {
            chain_id: e.chain_id,
            account_id: e.account_id,
            actor: e.actor.to_string(),
            action: e.action.to_string(),
            entity: e.entity.to_string(),
            entity_id: e.entity_id,
            summary: e.summary.to_string(),
            parts,
            at: now.trunc_subsecs(6),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Images the records, hashes the entries onto their chains (in the
    /// order pushed) and writes them with the new heads.
    pub async fn finish(self, tx: &mut Tx) -> Result<()> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
        for e in &self.entries {
            *counts.entry(e.chain_id).or_default() += 1;
        }
        let mut heads: BTreeMap<i64, (i64, String)> = BTreeMap::new();
        for (chain, n) in counts {
            let (first, prev) = lock_head(tx, chain, n).await?;
            heads.insert(chain, (first - 1, prev));
        }
        let all: Vec<Part> = self
            .entries
            .iter()
            .flat_map(|e| e.parts.iter().cloned())
            .collect();
        let images = images::read(tx, &all).await?;
        let mut rows = Rows::new(
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
                "state",
                "prev_hash",
                "hash",
            ],
        );
        for e in self.entries {
            let state = images.subset(&e.parts);
            let state = (!state.is_empty()).then(|| state.to_text());
            let head = heads.get_mut(&e.chain_id).expect("counted above");
            let seq = head.0 + 1;
            let hash = entry_hash(&Fields {
                chain_id: e.chain_id,
                seq,
                at: e.at,
                account_id: e.account_id,
                actor: &e.actor,
                action: &e.action,
                entity: &e.entity,
                entity_id: e.entity_id,
                summary: &e.summary,
                state: state.as_deref(),
                prev_hash: &head.1,
            });
            rows.push([
                e.chain_id.into(),
                seq.into(),
                e.at.into(),
                e.account_id.into(),
                e.actor.into(),
                e.action.into(),
                e.entity.into(),
                e.entity_id.into(),
                e.summary.into(),
                state.into(),
                std::mem::replace(&mut head.1, hash.clone()).into(),
                hash.into(),
            ]);
            head.0 = seq;
        }
        rows.flush(tx).await?;
        for (chain, (seq, hash)) in heads {
            set_head(tx, chain, seq, &hash).await?;
        }
        Ok(())
    }
}

/// Entries of one chain appended in bulk (a large import): a [`Journal`]
/// whose chain head is taken when it opens, as `append` would.
pub struct ChainWriter {
    chain_id: i64,
    journal: Journal,
}

impl ChainWriter {
    /// Continues the chain from its head, which it keeps locked (on
    /// PostgreSQL) until the transaction ends, as `append` does.
    pub async fn open(tx: &mut Tx, chain_id: i64) -> Result<Self> {
        lock_head(tx, chain_id, 0).await?;
        Ok(Self {
            chain_id,
            journal: Journal::default(),
        })
    }

    /// Adds the next entry (written by [`Self::finish`]).
    pub fn push(&mut self, e: &NewEntry<'_>, now: DateTime<Utc>) {
        debug_assert_eq!(e.chain_id, self.chain_id);
        self.journal.push(e, vec![], now);
    }

    /// Writes the entries, with the images of their records, and moves the
    /// head past them.
    pub async fn finish(self, tx: &mut Tx) -> Result<()> {
        self.journal.finish(tx).await
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

/// An entry as stored, for verification: its time as the database holds
/// it (an unparsable one is named, not fatal), and the images it carries.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEntry {
    pub id: i64,
    pub chain_id: i64,
    pub seq: i64,
    pub at: String,
    pub account_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub state: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEntry {
    /// The stored time, as either backend writes it.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        let raw = self.at.trim();
        DateTime::parse_from_rfc3339(raw)
            .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f%#z"))
            .ok()
            .map(|t| t.to_utc())
    }

    /// The hash its fields give, if its time can be read.
    pub fn recomputed(&self) -> Option<String> {
        Some(entry_hash(&Fields {
            chain_id: self.chain_id,
            seq: self.seq,
            at: self.time()?,
            account_id: self.account_id,
            actor: &self.actor,
            action: &self.action,
            entity: &self.entity,
            entity_id: self.entity_id,
            summary: &self.summary,
            state: self.state.as_deref(),
            prev_hash: &self.prev_hash,
        }))
    }
}

const STORED: &str = "id, chain_id, seq, CAST(at AS TEXT) AS at, account_id, actor, action, entity, entity_id, \
     summary, state, prev_hash, hash";

/// A page of entries in chain order after (`chain_id`, `seq`), of every
/// chain or of one.
pub async fn page_after(
    r: &mut Reader,
    only: Option<i64>,
    chain_id: i64,
    seq: i64,
    limit: i64,
) -> Result<Vec<StoredEntry>> {
    let sql = match only {
        Some(_) => format!(
            "SELECT {STORED} FROM audit WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        ),
        None => format!(
            "SELECT {STORED} FROM audit WHERE chain_id > $1 OR (chain_id = $1 AND seq > $2) \
             ORDER BY chain_id, seq LIMIT $3"
        ),
    };
    Ok(read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(only.unwrap_or(chain_id))
            .bind(seq)
            .bind(limit)
            .fetch_all(c)
            .await
    })?)
}

/// The images one entry carries.
pub async fn state_of(r: &mut Reader, id: i64) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = read!(r, |c| {
        sqlx::query_as("SELECT state FROM audit WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    Ok(row.and_then(|r| r.0))
}

/// The entries that sealed a document (their summary names its hash).
pub async fn seals_of(r: &mut Reader, entity: &str, entity_id: i64) -> Result<Vec<StoredEntry>> {
    let sql = format!(
        "SELECT {STORED} FROM audit WHERE entity = $1 AND entity_id = $2 \
         AND action IN ('resolution.adopt', 'minutes.lock', 'report.issue') ORDER BY id"
    );
    Ok(read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(entity)
            .bind(entity_id)
            .fetch_all(c)
            .await
    })?)
}

/// Whether the trail has entries and none carries images: a database
/// written before entries imaged their records.
pub async fn needs_baseline(db: &Db) -> Result<bool> {
    let (any, imaged): (i64, i64) = pooled!(db, |c| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM audit LIMIT 1) a), \
             (SELECT COUNT(*) FROM (SELECT 1 FROM audit WHERE state IS NOT NULL LIMIT 1) b)",
        )
        .fetch_one(c)
        .await
    })?;
    Ok(any > 0 && imaged == 0)
}

/// The head of one chain.
pub async fn head_in(tx: &mut Tx, chain_id: i64) -> Result<Option<(i64, String)>> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE chain_id = $1")
            .bind(chain_id)
            .fetch_optional(c)
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

    fn fields(state: Option<&'static str>) -> Fields<'static> {
        Fields {
            chain_id: 7,
            seq: 1,
            at: DateTime::parse_from_rfc3339("2026-11-27T10:00:00.123456Z")
                .unwrap()
                .to_utc(),
            account_id: Some(3),
            actor: "bithu",
            action: "member.create",
            entity: "member",
            entity_id: Some(9),
            summary: "{}",
            state,
            prev_hash: "",
        }
    }

    #[test]
    fn any_field_changes_the_hash() {
        let base = entry_hash(&fields(None));
        assert_ne!(
            entry_hash(&Fields {
                summary: "{\"x\":1}",
                ..fields(None)
            }),
            base
        );
        assert_ne!(
            entry_hash(&Fields {
                actor: "bithu2",
                ..fields(None)
            }),
            base
        );
        assert_ne!(entry_hash(&fields(Some("{}"))), base, "the images count");
        assert_eq!(entry_hash(&fields(None)), base);
        // Entries written before images existed keep the hash they were
        // written with (the fields, length-prefixed, without a state).
        assert_eq!(
            base,
            "64c8162dd3823b9e99c814d5aed5c311129ee64df5b8b9caecea1069dfca0837"
        );
    }

    #[test]
    fn stored_times_of_both_backends_are_read() {
        let mut e = StoredEntry {
            id: 1,
            chain_id: 7,
            seq: 1,
            at: "2026-11-27T10:00:00.123456+00:00".into(),
            account_id: None,
            actor: String::new(),
            action: String::new(),
            entity: String::new(),
            entity_id: None,
            summary: String::new(),
            state: None,
            prev_hash: String::new(),
            hash: String::new(),
        };
        let t = e.time().unwrap();
        e.at = "2026-11-27 10:00:00.123456+00".into();
        assert_eq!(e.time(), Some(t));
        e.at = "hôm qua".into();
        assert_eq!(e.time(), None);
        assert_eq!(e.recomputed(), None);
    }
}
