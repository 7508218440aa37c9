//! SQLite's one writer connection, with group commit.
//!
//! In WAL mode with `synchronous=FULL` SQLite syncs its log on every commit:
//! ≈ 6 ms on the project's machine, so one commit per change capped every
//! change the server makes at ≈ 170 a second. Here a change runs in a
//! savepoint of one outer transaction; when it is done it releases its
//! savepoint and waits, and the committer commits the outer transaction
//! for every change released since the last commit. A change is
//! acknowledged only once that commit is on disk. While a commit syncs, the
//! next changes gather behind the lock, so a batch grows with the load and
//! a lone change waits for nothing but its own commit. A change that fails
//! rolls back to its savepoint and leaves the others alone; if SQLite itself
//! abandoned the outer transaction, every change in it is told so. Changes
//! queued before the committer run before the commit, so a long one (an
//! import) would hold up the answers of those released just before it: it
//! begins with [`Writer::begin_long`], which commits them first.

use super::{Result, StoreError};
use sqlx::{Connection, Executor, SqliteConnection};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, watch};

type Outcome = Option<std::result::Result<(), Arc<StoreError>>>;

struct Slot {
    /// `None` once the writer is closed.
    conn: Option<SqliteConnection>,
    /// The outer transaction, open while released changes wait for its commit.
    batch: Option<watch::Sender<Outcome>>,
}

impl Slot {
    fn conn(&mut self) -> Result<&mut SqliteConnection> {
        self.conn.as_mut().ok_or(StoreError::WriterGone)
    }

    async fn run(&mut self, sql: &'static str) -> Result<()> {
        self.conn()?.execute(sql).await?;
        Ok(())
    }

    /// Commits the outer transaction, if one is open, and tells its changes.
    async fn commit_batch(&mut self) {
        if let Some(batch) = self.batch.take() {
            let outcome = self.run("COMMIT").await.map_err(Arc::new);
            if let Err(e) = &outcome {
                tracing::error!(error = %e, "group commit failed");
                // A failed COMMIT (SQLITE_BUSY…) can leave the transaction
                // open; the next batch must start from a clean connection.
                // Nothing may be left to roll back, so its error is moot.
                let _ = self.run("ROLLBACK").await;
            }
            batch.send_replace(Some(outcome));
        }
    }

    /// The outer transaction is gone (SQLite rolled it back after an I/O
    /// error, a full disk…): every change waiting in it failed.
    fn abandon_batch(&mut self, e: StoreError) {
        tracing::error!(error = %e, "group transaction abandoned");
        if let Some(batch) = self.batch.take() {
            batch.send_replace(Some(Err(Arc::new(e))));
        }
    }
}

/// The handle to the writer; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    slot: Arc<Mutex<Slot>>,
    kick: Arc<Notify>,
    /// Changes waiting for the connection (a metric of the writer's load).
    waiting: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Takes the connection and starts the committer on the current runtime.
    pub fn start(conn: SqliteConnection) -> Self {
        let w = Self {
            slot: Arc::new(Mutex::new(Slot {
                conn: Some(conn),
                batch: None,
            })),
            kick: Arc::new(Notify::new()),
            waiting: Arc::new(AtomicUsize::new(0)),
        };
        tokio::spawn(committer(Arc::downgrade(&w.slot), w.kick.clone()));
        w
    }

    /// Begins a change: waits for the connection, then opens a savepoint in
    /// the current batch (or a new one).
    pub async fn begin(&self) -> Result<SqliteTx> {
        self.open(false).await
    }

    /// Begins a change that holds the writer for long (an import): the
    /// changes already released are committed first, so that their answers
    /// do not wait for it.
    pub async fn begin_long(&self) -> Result<SqliteTx> {
        self.open(true).await
    }

    /// How many changes wait for the connection now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    async fn open(&self, alone: bool) -> Result<SqliteTx> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let mut slot = self.slot.clone().lock_owned().await;
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        if alone {
            slot.commit_batch().await;
        }
        if slot.batch.is_none() {
            slot.run("BEGIN IMMEDIATE").await?;
            slot.batch = Some(watch::Sender::new(None));
        }
        if let Err(e) = slot.run("SAVEPOINT change").await {
            // Nothing of this change was written; let the batch commit.
            drop(slot);
            self.kick.notify_one();
            return Err(e);
        }
        Ok(SqliteTx {
            slot: Some(slot),
            kick: self.kick.clone(),
        })
    }

    /// Commits what is waiting and closes the connection.
    pub async fn close(&self) {
        let mut slot = self.slot.lock().await;
        slot.commit_batch().await;
        if let Some(conn) = slot.conn.take()
            && let Err(e) = conn.close().await
        {
            tracing::warn!(error = %e, "closing the writer connection");
        }
    }
}

/// Commits each batch once the changes queued before it have released
/// their savepoints (the lock is fair, so they run first).
async fn committer(slot: std::sync::Weak<Mutex<Slot>>, kick: Arc<Notify>) {
    loop {
        kick.notified().await;
        let Some(slot) = slot.upgrade() else { return };
        slot.lock().await.commit_batch().await;
    }
}

/// One change in progress on the writer connection. Dropped without
/// [`SqliteTx::commit`], it is rolled back (its savepoint only).
pub struct SqliteTx {
    slot: Option<OwnedMutexGuard<Slot>>,
    kick: Arc<Notify>,
}

impl SqliteTx {
    /// Returns once the change is on disk with its batch.
    pub async fn commit(mut self) -> Result<()> {
        let Some(mut slot) = self.slot.take() else {
            return Err(StoreError::WriterGone);
        };
        if let Err(e) = slot.run("RELEASE change").await {
            rollback(slot, &self.kick).await;
            return Err(e);
        }
        let mut done = match &slot.batch {
            Some(batch) => batch.subscribe(),
            None => return Err(StoreError::WriterGone),
        };
        drop(slot);
        self.kick.notify_one();
        let outcome = done
            .wait_for(Option::is_some)
            .await
            .map_err(|_| StoreError::WriterGone)?;
        match outcome.as_ref() {
            Some(Err(e)) => Err(StoreError::GroupCommit(e.clone())),
            _ => Ok(()),
        }
    }
}

/// Undoes one change; if even that fails, its batch is lost.
async fn rollback(mut slot: OwnedMutexGuard<Slot>, kick: &Notify) {
    let undone = match slot.run("ROLLBACK TO change").await {
        Ok(()) => slot.run("RELEASE change").await,
        Err(e) => Err(e),
    };
    if let Err(e) = undone {
        // Whatever is left of the outer transaction goes with it, so that
        // the next change starts a fresh one.
        let _ = slot.run("ROLLBACK").await;
        slot.abandon_batch(e);
    }
    drop(slot);
    // An outer transaction left holding only undone changes still holds
    // the database's write lock: let the committer close it.
    kick.notify_one();
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            let kick = self.kick.clone();
            // Without a runtime the process is ending: the open transaction
            // dies with the connection, uncommitted.
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move { rollback(slot, &kick).await });
            }
        }
    }
}

impl Deref for SqliteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.slot
            .as_ref()
            .and_then(|s| s.conn.as_ref())
            .expect("a change holds the open connection until it ends")
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.slot
            .as_mut()
            .and_then(|s| s.conn.as_mut())
            .expect("a change holds the open connection until it ends")
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Db, Tx, in_tx, pooled};

    async fn insert(db: &Db, n: i64, fail: bool) -> crate::store::Result<()> {
        let mut tx: Tx = db.begin().await?;
        in_tx!(&mut tx, |c| sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        if fail {
            // A second row with the same key: this change fails and is undone.
            in_tx!(&mut tx, |c| sqlx::query("INSERT INTO t (n) VALUES ($1)")
                .bind(n)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        tx.commit().await
    }

    /// A fresh database with one table `t (n INTEGER PRIMARY KEY)`.
    async fn table_t() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(dir.path()).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        in_tx!(&mut tx, |c| sqlx::query(
            "CREATE TABLE t (n INTEGER PRIMARY KEY)"
        )
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        tx.commit().await.unwrap();
        (dir, db)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_changes_commit_together_and_a_failed_one_alone_is_undone() {
        let (dir, db) = table_t().await;

        let changes: Vec<_> = (0..64)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move { insert(&db, n, n % 10 == 3).await })
            })
            .collect();
        for (n, change) in changes.into_iter().enumerate() {
            let result = change.await.unwrap();
            assert_eq!(result.is_ok(), n % 10 != 3, "change {n}: {result:?}");
        }
        // Every acknowledged change is visible to the readers; none of the failed.
        let rows: Vec<i64> = pooled!(&db, |c| sqlx::query_scalar("SELECT n FROM t ORDER BY n")
            .fetch_all(c)
            .await)
        .unwrap();
        let expected: Vec<i64> = (0..64).filter(|n| n % 10 != 3).collect();
        assert_eq!(rows, expected);

        // A change dropped unfinished leaves nothing and holds no lock.
        let mut tx = db.begin().await.unwrap();
        in_tx!(&mut tx, |c| sqlx::query("INSERT INTO t (n) VALUES (1000)")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
        drop(tx);
        insert(&db, 1001, false).await.unwrap();
        db.close().await;
        let db = Db::open_sqlite(dir.path()).await.unwrap();
        let last: Vec<i64> = pooled!(&db, |c| sqlx::query_scalar(
            "SELECT n FROM t WHERE n >= 1000"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        assert_eq!(last, vec![1001]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_change_lets_the_changes_before_it_be_answered_first() {
        let (_dir, db) = table_t().await;

        // A change holds the writer; another queues behind it, then a long one.
        let first = db.begin().await.unwrap();
        let queued = tokio::spawn({
            let db = db.clone();
            async move { insert(&db, 1, false).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let long = tokio::spawn({
            let db = db.clone();
            async move { db.begin_long().await.unwrap() }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let first = tokio::spawn(first.commit());
        // The long change has the writer, and the queued one is already answered.
        let long = long.await.unwrap();
        let answered = tokio::time::timeout(std::time::Duration::from_secs(5), queued).await;
        assert!(matches!(answered, Ok(Ok(Ok(())))), "{answered:?}");
        first.await.unwrap().unwrap();
        long.commit().await.unwrap();
    }
}
