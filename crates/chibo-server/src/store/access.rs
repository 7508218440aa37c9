//! The access log, written by group commit: reads of member records,
//! searches by an identifier (card number, national ID, phone) and refused
//! requests.
//!
//! Every full record view must be logged durably before the page is shown,
//! and on SQLite every write goes through one connection with one fsync per
//! commit: one transaction per view made the views queue behind each other
//! (p50 ≈ 280 ms at 64 connections). Here one writer task takes every row
//! waiting when it is free, writes them in one transaction, and only after
//! the commit returns tells each request its row is on disk. While a commit
//! is in flight the next rows gather, so the batch grows with the load and a
//! lone view waits for nothing but its own commit.

use super::bulk::Rows;
use super::{Db, Result, StoreError};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// At most this many rows per transaction (one multi-row statement or COPY).
const MAX_BATCH: usize = 1024;
/// Requests waiting beyond this many block until the writer catches up.
const QUEUE: usize = 8192;

/// What an access-log row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    /// A full member record was opened (or refused).
    Read,
    /// Members were searched by an identifier; one row per member found.
    Search,
    /// A request was refused (any page or API call, read or write).
    Refused,
}

impl AccessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Search => "search",
            Self::Refused => "refused",
        }
    }
}

/// One access, granted or refused.
#[derive(Debug, Clone)]
pub struct Access {
    pub at: DateTime<Utc>,
    pub account_id: i64,
    /// The member concerned, when there is one.
    pub member_id: Option<i64>,
    pub granted: bool,
    pub kind: AccessKind,
    /// What was asked for: the identifier searched, or the refused request.
    pub detail: Option<String>,
}

type Ack = oneshot::Sender<std::result::Result<(), Arc<StoreError>>>;

/// The handle requests log through; cheap to clone.
#[derive(Clone, Debug)]
pub struct AccessLog {
    queue: mpsc::Sender<(Access, Ack)>,
}

impl AccessLog {
    /// Starts the writer task on the current Tokio runtime. It ends when the
    /// last handle is dropped, after writing what was queued.
    pub fn start(db: Db) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(db, rx));
        Self { queue }
    }

    /// Views waiting for the writer task.
    pub fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    /// Returns once the row is committed (or with the error that stopped it).
    pub async fn log(&self, a: Access) -> Result<()> {
        self.log_all(vec![a]).await
    }

    /// Logs several rows (one search that found several members); returns
    /// once all of them are committed.
    pub async fn log_all(&self, rows: Vec<Access>) -> Result<()> {
        // Their statement is shared with the other views in their batch.
        super::count::note();
        let mut waiting = Vec::with_capacity(rows.len());
        for a in rows {
            let (ack, done) = oneshot::channel();
            self.queue
                .send((a, ack))
                .await
                .map_err(|_| StoreError::WriterGone)?;
            waiting.push(done);
        }
        for done in waiting {
            match done.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(StoreError::GroupCommit(e)),
                Err(_) => return Err(StoreError::WriterGone),
            }
        }
        Ok(())
    }
}

async fn writer(db: Db, mut rx: mpsc::Receiver<(Access, Ack)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let result = write(&db, &batch).await.map_err(Arc::new);
        if let Err(e) = &result {
            tracing::error!(rows = batch.len(), error = %e, "access log commit failed");
        }
        for (_, ack) in batch.drain(..) {
            // A request that gave up waiting no longer needs its answer.
            let _ = ack.send(result.clone());
        }
    }
}

async fn write(db: &Db, batch: &[(Access, Ack)]) -> Result<()> {
    let mut rows = Rows::new(
        "access_log",
        &["at", "account_id", "member_id", "granted", "kind", "detail"],
    );
    for (a, _) in batch {
        rows.push([
            a.at.into(),
            a.account_id.into(),
            a.member_id.into(),
            a.granted.into(),
            a.kind.as_str().into(),
            a.detail.clone().into(),
        ]);
    }
    let mut tx = db.begin().await?;
    rows.flush(&mut tx).await?;
    tx.commit().await
}

/// One row of the access log as read back.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AccessEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub account_id: i64,
    pub member_id: Option<i64>,
    pub granted: bool,
    pub kind: String,
    pub detail: Option<String>,
}

/// What one account did, newest first.
pub async fn of_account(
    r: &mut super::Reader,
    account_id: i64,
    limit: i64,
) -> Result<Vec<AccessEntry>> {
    Ok(super::read!(r, |c| {
        sqlx::query_as(
            "SELECT id, at, account_id, member_id, granted, kind, detail FROM access_log \
             WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}
