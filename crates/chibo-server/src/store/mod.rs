//! Storage: one `Db` over SQLite (embedded default) or PostgreSQL.
//!
//! Each query is written once with `$n` placeholders and compiled for both
//! backends by the [`read!`] and [`write!`] macros; hand-written arms exist only
//! where the SQL really differs. Changes on both backends go through one
//! writer that commits them in groups ([`writer`]): on SQLite one connection
//! (writes are serialised in-process instead of failing with SQLITE_BUSY)
//! beside a pool of readers, both in WAL mode with `synchronous=FULL`; on
//! PostgreSQL a connection of the pool per batch. A commit that returned is
//! on disk.
//!
//! SQLite numbers named parameters in order of first appearance, so every
//! query must use `$1, $2, …` in ascending order of first use.

pub mod access;
pub mod accounts;
pub mod actors;
pub mod announcements;
pub mod audit;
pub mod badges;
pub mod ballots;
pub mod bulk;
pub mod cases;
pub mod cell_ratings;
pub mod concerns;
pub mod count;
pub mod discipline;
pub mod dues;
pub mod elections;
pub mod evaluations;
pub mod images;
pub mod imports;
pub mod leases;
pub mod meetings;
pub mod members;
pub mod migrate;
pub mod notify;
pub mod orgs;
pub mod personal;
pub mod pg;
pub mod reader;
pub mod receipts;
pub mod register;
pub mod reminders;
pub mod replica;
pub mod reports;
pub mod sessions;
pub mod stats;
pub mod study;
pub mod tasks;
pub mod transfers;
pub mod writer;

pub use reader::Reader;
pub(crate) use reader::read;

use crate::model::Status;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, SqlitePool};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration {0}: {1}")]
    Migration(String, sqlx::Error),
    #[error("the database was changed by a newer chibo (migration {0} is unknown here)")]
    TooNew(i64),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// The group commit this write was part of failed (every row in it).
    #[error("group commit: {0}")]
    GroupCommit(std::sync::Arc<StoreError>),
    #[error("the writer task has stopped")]
    WriterGone,
    #[error("{0}")]
    Config(String),
    /// No host of the database URL could be used (each one's reason).
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(String),
}

impl StoreError {
    /// The database cannot be reached or cannot work right now (server down,
    /// connections exhausted, disk full, file locked): a retry later may
    /// succeed, and nothing was written.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Sqlx(e) => sqlx_unavailable(e),
            Self::GroupCommit(inner) => inner.is_unavailable(),
            Self::WriterGone | Self::Io(_) | Self::Connect(_) => true,
            Self::Migration(..) | Self::TooNew(_) | Self::Config(_) => false,
        }
    }

    /// The disk under the database is full (SQLite's SQLITE_FULL, or
    /// PostgreSQL's disk_full): nothing was written, and reads still work.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Self::Sqlx(e) => e.as_database_error().is_some_and(|d| {
                matches!(d.code().as_deref(), Some("13" | "53100"))
                    || d.message().contains("database or disk is full")
            }),
            Self::GroupCommit(e) => e.is_disk_full(),
            Self::Io(e) => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    /// A UNIQUE constraint refused the write (duplicate card number…).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Self::Sqlx(e) => e
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation()),
            _ => false,
        }
    }
}

fn sqlx_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            if d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                // Connection exceptions, out of disk or memory, too many
                // connections, shutting down or starting up; a deadlock or
                // serialisation failure with another server's writer (the
                // change was rolled back and may simply be sent again).
                code.starts_with("08")
                    || matches!(
                        code.as_ref(),
                        "53100"
                            | "53200"
                            | "53300"
                            | "57P01"
                            | "57P02"
                            | "57P03"
                            | "40001"
                            | "40P01"
                    )
            } else {
                // SQLite's extended codes keep the primary one in the low
                // byte: busy, locked, I/O error, disk full, cannot open.
                code.parse::<u32>()
                    .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13 | 14))
            }
        }
        _ => false,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: writer::Writer,
    },
    Postgres {
        pool: PgPool,
        write: writer::Writer,
    },
}

/// A write transaction. Every change is made inside one, with its audit entry.
pub enum Tx {
    Sqlite(writer::SqliteTx),
    Postgres(writer::PgTx),
}

/// Runs `$body` with `$c` bound to the reading pool of either backend.
macro_rules! pooled {
    ($db:expr, |$c:ident| $body:expr) => {{
        $crate::store::count::note();
        match $db {
            $crate::store::Db::Sqlite { read: $c, .. } => $body,
            $crate::store::Db::Postgres { pool: p, .. } => {
                // The replica, where this request may read from one.
                let pool = $crate::store::replica::pick(p);
                let $c = &pool;
                $body
            }
        }
    }};
}

/// Runs `$body` with `$c` bound to the connection of a write transaction.
macro_rules! in_tx {
    ($tx:expr, |$c:ident| $body:expr) => {{
        $crate::store::count::note();
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    }};
}

pub(crate) use {in_tx, pooled};

/// A row type that both backends can read.
pub(crate) trait Row:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
{
}

impl<T> Row for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

/// `SELECT {columns} FROM {table} WHERE {key} = $1`: the one row whose
/// `key` column (a unique id) holds `id`.
pub(crate) async fn row_by<R: Row>(
    r: &mut Reader,
    table: &str,
    columns: &str,
    key: &str,
    id: i64,
) -> Result<Option<R>> {
    let sql = format!("SELECT {columns} FROM {table} WHERE {key} = $1");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// [`row_by`] inside a write transaction, which sees its own changes.
pub(crate) async fn row_by_in<R: Row>(
    tx: &mut Tx,
    table: &str,
    columns: &str,
    key: &str,
    id: i64,
) -> Result<Option<R>> {
    let sql = format!("SELECT {columns} FROM {table} WHERE {key} = $1");
    Ok(in_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

pub enum Backend {
    Sqlite,
    Postgres,
}

impl Db {
    /// Opens (creating if missing) the SQLite file `dir/chibo.sqlite`,
    /// migrated.
    pub async fn open_sqlite(dir: &Path) -> Result<Self> {
        let db = Self::connect_sqlite(dir).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens PostgreSQL, migrated.
    pub async fn open_postgres(url: &str) -> Result<Self> {
        let db = Self::connect_postgres(url, pg::PoolSize::default()).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// The migrations recorded as applied.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>> {
        migrate::applied(self).await
    }

    /// Brings the schema up to date, under a database-wide lock.
    pub async fn migrate(&self) -> Result<migrate::Applied> {
        migrate::run(self).await
    }

    /// Opens (creating if missing) the SQLite file `dir/chibo.sqlite`.
    pub async fn connect_sqlite(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let opts = SqliteConnectOptions::new()
            .filename(dir.join("chibo.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", writer::CACHE_SIZE)
            .pragma("temp_store", "memory");
        let write = writer::Writer::sqlite(opts.connect().await?);
        // No ping before each acquire: an embedded connection cannot go stale,
        // and the ping is one more hop to the connection's thread per query.
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            // A reader's page cache is dropped whenever another connection
            // has committed since its last read, which under load is always:
            // a large one only holds memory (the OS keeps the file's pages).
            .connect_with(opts.pragma("cache_size", "-2000"))
            .await?;
        Ok(Self::Sqlite { read, write })
    }

    /// Connects to PostgreSQL: one host, or several of which the primary is
    /// used ([`pg`]).
    pub async fn connect_postgres(url: &str, size: pg::PoolSize) -> Result<Self> {
        let pool = pg::connect(url, size).await?;
        Ok(Self::Postgres {
            write: writer::Writer::postgres(pool.clone()),
            pool,
        })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite { .. } => Backend::Sqlite,
            Self::Postgres { .. } => Backend::Postgres,
        }
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Self::Sqlite { write, .. } => Tx::Sqlite(writer::SqliteTx(write.begin().await?)),
            Self::Postgres { write, .. } => Tx::Postgres(writer::PgTx(write.begin().await?)),
        })
    }

    /// A transaction that will hold the writer for long (an import of
    /// thousands of rows). On SQLite, changes waiting for their group
    /// commit are committed before it starts rather than after it ends.
    pub async fn begin_long(&self) -> Result<Tx> {
        Ok(match self {
            Self::Sqlite { write, .. } => Tx::Sqlite(writer::SqliteTx(write.begin_long().await?)),
            Self::Postgres { write, .. } => Tx::Postgres(writer::PgTx(write.begin_long().await?)),
        })
    }

    /// Liveness of the database for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        pooled!(self, |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The primary's current WAL position, after a write (for reading one's
    /// own writes from a replica); None on SQLite.
    pub async fn primary_lsn(&self) -> Result<Option<i64>> {
        Ok(match self {
            Self::Sqlite { .. } => None,
            Self::Postgres { pool: p, .. } => Some(
                sqlx::query_scalar("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
                    .fetch_one(p)
                    .await?,
            ),
        })
    }

    /// Connections open and idle, and the pool's ceiling (readers on SQLite).
    pub fn pool_state(&self) -> (u32, usize, u32) {
        match self {
            Self::Sqlite { read, .. } => (
                read.size(),
                read.num_idle(),
                read.options().get_max_connections(),
            ),
            Self::Postgres { pool: p, .. } => {
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
        }
    }

    /// Changes waiting for the writer's connection.
    pub fn writer_queue(&self) -> usize {
        match self {
            Self::Sqlite { write, .. } | Self::Postgres { write, .. } => write.waiting(),
        }
    }

    /// The writer's group commits and the changes they carried.
    pub fn writer_committed(&self) -> (u64, u64) {
        match self {
            Self::Sqlite { write, .. } | Self::Postgres { write, .. } => write.committed(),
        }
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Self::Postgres { pool, write } => {
                write.close().await;
                pool.close().await;
            }
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Self::Sqlite(t) => t.0.commit().await?,
            Self::Postgres(t) => t.0.commit().await?,
        }
        Ok(())
    }
}

/// A value bound to a query assembled at run time (search filters).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

/// Binds `args` in order; the SQL must number them `$1…$n` in that order.
pub(crate) fn bind_all<'q, DB, O>(
    mut q: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments>,
    args: &[Arg],
) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    q
}

/// Statuses as an SQL `IN` list of literals, in the order given. Literals
/// rather than bound parameters, so that a partial index declared over the
/// same list can match the query.
pub(crate) fn status_list(statuses: &[Status]) -> String {
    let quoted: Vec<String> = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("({})", quoted.join(", "))
}

/// The half-open range of strings that start with `prefix`, usable by a
/// B-tree index on both backends (unlike `LIKE 'p%'` under SQLite's
/// case-insensitive LIKE or PostgreSQL's non-C collations).
pub fn prefix_range(prefix: &str) -> (String, String) {
    let mut end = prefix.to_string();
    // Every prefix we range over ends in an ASCII character.
    if let Some(last) = end.pop() {
        end.push(char::from(last as u8 + 1));
    }
    (prefix.to_string(), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_statuses_are_written_in_a_stable_order() {
        // The text an index over the members on a list would be declared
        // with (no migration declares one yet); suspended members are on it.
        assert_eq!(
            status_list(&Status::ON_LIST),
            "('du_bi', 'chinh_thuc', 'mien_sinh_hoat', 'tam_thoi_den', 'tam_thoi_di', 'dinh_chi')"
        );
    }
}
