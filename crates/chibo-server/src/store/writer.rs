//! The one writer of each backend, with group commit.
//!
//! A durable commit waits for the log to reach the disk: ≈ 6 ms on the
//! project's machine, so one commit per change capped every change the
//! server makes at ≈ 170 a second. Here a change runs in a savepoint of one
//! outer transaction; when it is done it releases its savepoint and waits,
//! and the committer commits the outer transaction for every change
//! released since the last commit. A change is acknowledged only once that
//! commit is on disk. While a commit syncs, the next changes gather behind
//! the lock, so a batch grows with the load and a lone change waits for
//! nothing but its own commit. A change that fails rolls back to its
//! savepoint and leaves the others alone; if the database itself abandoned
//! the outer transaction, every change in it is told so. Changes queued
//! before the committer run before the commit, so a long one (an import)
//! would hold up the answers of those released just before it: it begins
//! with [`Writer::begin_long`], which commits them first.
//!
//! SQLite has a single writer anyway, and here it is one connection kept
//! for the life of the server. PostgreSQL could run changes side by side,
//! but every change appends to its chain of the audit trail, whose head row
//! stays locked until the change commits: the changes of one cell took
//! turns, one WAL flush each (250–275 a second). Through this writer they
//! share the flush. Its connection comes from the pool for each batch and
//! goes back after the commit, so a failover or a restarted server is
//! handled by the pool's own checks, and a broken connection is closed.

use super::{Result, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Executor, PgConnection, PgPool, Postgres, SqliteConnection};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, watch};

type Outcome = Option<std::result::Result<(), Arc<StoreError>>>;

/// SQLite's page cache for the writer (`cache_size`: KiB when negative).
macro_rules! cache_size {
    () => {
        "-8000"
    };
}
pub(super) const CACHE_SIZE: &str = cache_size!();
/// A long change (an import, a data migration) touches the pages of every
/// index at random: with the usual cache they are spilled to the log and
/// read back again and again. It gets a larger one while it runs, given back
/// when it ends (pages past the limit are freed as they are next touched).
const LONG_CACHE: &str = "PRAGMA cache_size = -65536";
const USUAL_CACHE: &str = concat!("PRAGMA cache_size = ", cache_size!());

/// The connection changes are written on.
enum Link {
    /// The one connection; `None` once the writer is closed.
    Sqlite(Option<SqliteConnection>),
    Postgres {
        pool: PgPool,
        /// Held while a batch is open.
        conn: Option<PoolConnection<Postgres>>,
        closed: bool,
    },
}

struct Slot {
    link: Link,
    /// The outer transaction, open while released changes wait for its commit.
    batch: Option<watch::Sender<Outcome>>,
    /// Changes released into the open batch.
    released: u64,
    /// A long change holds the connection with the larger page cache.
    long: bool,
    tally: Arc<Tally>,
}

/// What the writer has committed since the server started.
#[derive(Default)]
struct Tally {
    commits: AtomicU64,
    changes: AtomicU64,
}

impl Slot {
    async fn run(&mut self, sql: &'static str) -> Result<()> {
        match &mut self.link {
            Link::Sqlite(c) => {
                c.as_mut()
                    .ok_or(StoreError::WriterGone)?
                    .execute(sql)
                    .await?;
            }
            Link::Postgres { conn, .. } => {
                let c: &mut PgConnection = conn.as_mut().ok_or(StoreError::WriterGone)?;
                c.execute(sql).await?;
            }
        }
        Ok(())
    }

    /// A long change begins: SQLite's larger page cache.
    async fn widen(&mut self) -> Result<()> {
        if matches!(self.link, Link::Sqlite(_)) {
            self.run(LONG_CACHE).await?;
            self.long = true;
        }
        Ok(())
    }

    /// A long change ended: the usual cache again.
    async fn narrow(&mut self) {
        if std::mem::take(&mut self.long)
            && let Err(e) = self.run(USUAL_CACHE).await
        {
            tracing::warn!(error = %e, "restoring the writer's page cache");
        }
    }

    /// Opens the outer transaction, on a connection from the pool on
    /// PostgreSQL.
    async fn open_batch(&mut self) -> Result<()> {
        let begin = match &mut self.link {
            Link::Sqlite(_) => "BEGIN IMMEDIATE",
            Link::Postgres { closed: true, .. } => return Err(StoreError::WriterGone),
            Link::Postgres { pool, conn, .. } => {
                if conn.is_none() {
                    *conn = Some(pool.acquire().await?);
                }
                "BEGIN"
            }
        };
        if let Err(e) = self.run(begin).await {
            self.let_go(e.is_unavailable());
            return Err(e);
        }
        self.batch = Some(watch::Sender::new(None));
        self.released = 0;
        Ok(())
    }

    /// After a batch: PostgreSQL's connection goes back to the pool, or is
    /// closed if the batch ended on an error that may have broken it.
    fn let_go(&mut self, broken: bool) {
        if let Link::Postgres { conn, .. } = &mut self.link
            && let Some(mut c) = conn.take()
            && broken
        {
            c.close_on_drop();
        }
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
            self.let_go(outcome.as_ref().is_err_and(|e| e.is_unavailable()));
            if outcome.is_ok() && self.released > 0 {
                self.tally.commits.fetch_add(1, Ordering::Relaxed);
                self.tally
                    .changes
                    .fetch_add(self.released, Ordering::Relaxed);
            }
            batch.send_replace(Some(outcome));
        }
    }

    /// The outer transaction is gone (the database rolled it back after an
    /// I/O error, a full disk…): every change waiting in it failed.
    fn abandon_batch(&mut self, e: StoreError) {
        tracing::error!(error = %e, "group transaction abandoned");
        self.let_go(e.is_unavailable());
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
    tally: Arc<Tally>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Takes SQLite's connection and starts the committer on the current
    /// runtime.
    pub fn sqlite(conn: SqliteConnection) -> Self {
        Self::start(Link::Sqlite(Some(conn)))
    }

    /// Writes through connections of `pool`, one batch at a time.
    pub fn postgres(pool: PgPool) -> Self {
        Self::start(Link::Postgres {
            pool,
            conn: None,
            closed: false,
        })
    }

    fn start(link: Link) -> Self {
        let tally = Arc::new(Tally::default());
        let w = Self {
            slot: Arc::new(Mutex::new(Slot {
                link,
                batch: None,
                released: 0,
                long: false,
                tally: tally.clone(),
            })),
            kick: Arc::new(Notify::new()),
            waiting: Arc::new(AtomicUsize::new(0)),
            tally,
        };
        tokio::spawn(committer(Arc::downgrade(&w.slot), w.kick.clone()));
        w
    }

    /// Begins a change: waits for the connection, then opens a savepoint in
    /// the current batch (or a new one).
    pub async fn begin(&self) -> Result<Change> {
        self.open(false).await
    }

    /// Begins a change that holds the writer for long (an import): the
    /// changes already released are committed first, so that their answers
    /// do not wait for it.
    pub async fn begin_long(&self) -> Result<Change> {
        self.open(true).await
    }

    /// How many changes wait for the connection now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Group commits and the changes they carried, since the start: their
    /// ratio is how many changes share a flush of the log.
    pub fn committed(&self) -> (u64, u64) {
        (
            self.tally.commits.load(Ordering::Relaxed),
            self.tally.changes.load(Ordering::Relaxed),
        )
    }

    async fn open(&self, alone: bool) -> Result<Change> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let mut slot = self.slot.clone().lock_owned().await;
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        if alone {
            slot.commit_batch().await;
        }
        if slot.batch.is_none() {
            slot.open_batch().await?;
        }
        if let Err(e) = slot.run("SAVEPOINT change").await {
            // Nothing of this change was written; let the batch commit.
            drop(slot);
            self.kick.notify_one();
            return Err(e);
        }
        if alone && let Err(e) = slot.widen().await {
            rollback(slot, &self.kick).await;
            return Err(e);
        }
        Ok(Change {
            slot: Some(slot),
            kick: self.kick.clone(),
        })
    }

    /// Commits what is waiting and closes the connection.
    pub async fn close(&self) {
        let mut slot = self.slot.lock().await;
        slot.commit_batch().await;
        match &mut slot.link {
            Link::Sqlite(c) => {
                if let Some(conn) = c.take()
                    && let Err(e) = conn.close().await
                {
                    tracing::warn!(error = %e, "closing the writer connection");
                }
            }
            Link::Postgres { closed, .. } => *closed = true,
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

/// One change in progress on the writer's connection. Dropped without
/// [`Change::commit`], it is rolled back (its savepoint only).
pub struct Change {
    slot: Option<OwnedMutexGuard<Slot>>,
    kick: Arc<Notify>,
}

impl Change {
    /// Returns once the change is on disk with its batch.
    pub async fn commit(mut self) -> Result<()> {
        let Some(mut slot) = self.slot.take() else {
            return Err(StoreError::WriterGone);
        };
        if let Err(e) = slot.run("RELEASE change").await {
            rollback(slot, &self.kick).await;
            return Err(e);
        }
        slot.narrow().await;
        slot.released += 1;
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

    fn link(&self) -> &Link {
        &self
            .slot
            .as_ref()
            .expect("a change holds the open connection until it ends")
            .link
    }

    fn link_mut(&mut self) -> &mut Link {
        &mut self
            .slot
            .as_mut()
            .expect("a change holds the open connection until it ends")
            .link
    }
}

/// Undoes one change; if even that fails, its batch is lost.
async fn rollback(mut slot: OwnedMutexGuard<Slot>, kick: &Notify) {
    let undone = match slot.run("ROLLBACK TO change").await {
        Ok(()) => slot.run("RELEASE change").await,
        Err(e) => Err(e),
    };
    slot.narrow().await;
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

impl Drop for Change {
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

/// A change on SQLite: the store's queries run on its connection.
pub struct SqliteTx(pub(super) Change);

/// A change on PostgreSQL.
pub struct PgTx(pub(super) Change);

impl Deref for SqliteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self.0.link() {
            Link::Sqlite(Some(c)) => c,
            _ => unreachable!("a SQLite change is made on SQLite's writer"),
        }
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self.0.link_mut() {
            Link::Sqlite(Some(c)) => c,
            _ => unreachable!("a SQLite change is made on SQLite's writer"),
        }
    }
}

impl Deref for PgTx {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        match self.0.link() {
            Link::Postgres { conn: Some(c), .. } => c,
            _ => unreachable!("a PostgreSQL change holds its batch's connection"),
        }
    }
}

impl DerefMut for PgTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match self.0.link_mut() {
            Link::Postgres { conn: Some(c), .. } => c,
            _ => unreachable!("a PostgreSQL change holds its batch's connection"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Db, Tx, in_tx, pg, pooled};
    use sqlx::Connection;

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

    /// A scratch database of either backend, removed when dropped.
    enum Scratch {
        Sqlite {
            /// Held for its drop, which removes the directory.
            _dir: tempfile::TempDir,
        },
        Postgres {
            admin: String,
            name: String,
        },
    }

    impl Scratch {
        /// A fresh SQLite file, and a fresh PostgreSQL database when the
        /// tests are given one (required in CI).
        async fn all() -> Vec<(Scratch, Db)> {
            let dir = tempfile::tempdir().unwrap();
            let db = Db::open_sqlite(dir.path()).await.unwrap();
            let mut all = vec![(Scratch::Sqlite { _dir: dir }, db)];
            match std::env::var("CHIBO_TEST_DATABASE_URL") {
                Ok(admin) => {
                    let token = crate::service::accounts::random_token().to_lowercase();
                    let name = format!("chibo_w_{}", token.replace(['-', '_'], ""));
                    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
                    let sql = format!("CREATE DATABASE {name}");
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut c)
                        .await
                        .unwrap();
                    let (prefix, _) = admin.rsplit_once('/').unwrap();
                    let url = format!("{prefix}/{name}");
                    let db = Db::connect_postgres(&url, pg::PoolSize::default())
                        .await
                        .unwrap();
                    all.push((Scratch::Postgres { admin, name }, db));
                }
                Err(_) => {
                    assert!(
                        std::env::var("CHIBO_REQUIRE_POSTGRES").is_err(),
                        "CHIBO_REQUIRE_POSTGRES is set but CHIBO_TEST_DATABASE_URL is not"
                    );
                    eprintln!("CHIBO_TEST_DATABASE_URL not set: PostgreSQL half skipped");
                }
            }
            for (_, db) in &all {
                let mut tx = db.begin().await.unwrap();
                in_tx!(&mut tx, |c| sqlx::query(
                    "CREATE TABLE t (n BIGINT PRIMARY KEY)"
                )
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .unwrap();
                tx.commit().await.unwrap();
            }
            all
        }

        fn name(&self) -> &'static str {
            match self {
                Scratch::Sqlite { .. } => "SQLite",
                Scratch::Postgres { .. } => "PostgreSQL",
            }
        }

        /// Closes `db` and removes the scratch database.
        async fn end(self, db: Db) {
            db.close().await;
            if let Scratch::Postgres { admin, name } = self {
                let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
                let sql = format!("DROP DATABASE IF EXISTS {name}");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
    }

    async fn rows(db: &Db, sql: &'static str) -> Vec<i64> {
        pooled!(db, |c| sqlx::query_scalar(sql).fetch_all(c).await).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_changes_commit_together_and_a_failed_one_alone_is_undone() {
        for (scratch, db) in Scratch::all().await {
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
            let expected: Vec<i64> = (0..64).filter(|n| n % 10 != 3).collect();
            assert_eq!(rows(&db, "SELECT n FROM t ORDER BY n").await, expected);

            // A change dropped unfinished leaves nothing and holds no lock.
            let mut tx = db.begin().await.unwrap();
            in_tx!(&mut tx, |c| sqlx::query("INSERT INTO t (n) VALUES (1000)")
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .unwrap();
            drop(tx);
            insert(&db, 1001, false).await.unwrap();
            assert_eq!(
                rows(&db, "SELECT n FROM t WHERE n >= 1000").await,
                vec![1001]
            );
            scratch.end(db).await;
        }
    }

    /// The page cache SQLite's writer has inside `tx`.
    async fn cache_size(tx: &mut Tx) -> i64 {
        in_tx!(tx, |c| sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(c)
            .await)
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_change_has_the_larger_page_cache_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(dir.path()).await.unwrap();
        let usual: i64 = super::CACHE_SIZE.parse().unwrap();
        let mut tx = db.begin().await.unwrap();
        assert_eq!(cache_size(&mut tx).await, usual);
        tx.commit().await.unwrap();
        // Committed or undone, the long change gives the cache back.
        for commit in [true, false] {
            let mut tx = db.begin_long().await.unwrap();
            assert_eq!(cache_size(&mut tx).await, -65536);
            if commit {
                tx.commit().await.unwrap();
            } else {
                drop(tx);
            }
            let mut tx = db.begin().await.unwrap();
            assert_eq!(cache_size(&mut tx).await, usual, "commit: {commit}");
            tx.commit().await.unwrap();
        }
        db.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_queued_behind_one_share_its_commit() {
        for (scratch, db) in Scratch::all().await {
            let (commits, changes) = db.writer_committed();
            // One change holds the writer while ten queue behind it.
            let first = db.begin().await.unwrap();
            let queued: Vec<_> = (0..10)
                .map(|n| {
                    let db = db.clone();
                    tokio::spawn(async move { insert(&db, n, false).await })
                })
                .collect();
            while db.writer_queue() < 10 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            first.commit().await.unwrap();
            for q in queued {
                q.await.unwrap().unwrap();
            }
            // The queued changes were released before the committer took the
            // connection: one flush of the log for all eleven.
            let (after_commits, after_changes) = db.writer_committed();
            assert_eq!(
                (after_commits - commits, after_changes - changes),
                (1, 11),
                "on {}",
                scratch.name()
            );
            assert_eq!(rows(&db, "SELECT COUNT(*) FROM t").await, vec![10]);
            scratch.end(db).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_change_lets_the_changes_before_it_be_answered_first() {
        for (scratch, db) in Scratch::all().await {
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
            scratch.end(db).await;
        }
    }
}
