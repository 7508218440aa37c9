//! One reader per request: every read a request makes goes through one
//! [`Reader`], on one connection, inside one read transaction, so what a page
//! shows comes from one consistent snapshot of the database — never half
//! before and half after a commit — and the request pays for its connection
//! once instead of once per query.
//!
//! The service layer opens it with [`Db::read`] and hands it down to the
//! store's read functions, which all take `&mut Reader`:
//!
//! ```ignore
//! self.db.read(async |r| {
//!     let m = store::members::get(r, id).await?.ok_or(ServiceError::NotFound)?;
//!     let history = store::members::status_history(r, id).await?;
//!     Ok(MemberView { m, history })
//! }).await
//! ```
//!
//! The closure does reads only: no writes (those take a [`super::Tx`]), no
//! waiting on other tasks (mail, the access log), no long computation. How
//! the reads reach the database is the store's business: the backends differ
//! here (on PostgreSQL the snapshot is a `REPEATABLE READ READ ONLY`
//! transaction, on SQLite a deferred one, which takes its snapshot at the
//! first read), and nothing above the store depends on how.

use super::{Backend, Db, Result, StoreError};
use sqlx::{Postgres, Sqlite, Transaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The reads of one request, on one connection and one snapshot.
pub struct Reader {
    pub(super) conn: Conn,
    /// The request's statement counter ([`super::count`]), taken when the
    /// reader was opened.
    counter: Option<Arc<AtomicU32>>,
}

pub(super) enum Conn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Reader {
    /// Which database this reader reads (for the few statements spelt
    /// differently on each).
    pub fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// One statement sent through this reader.
    pub(super) fn note(&self) {
        if let Some(c) = &self.counter {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Ends the read transaction (nothing was written: committing it only
    /// lets go of the snapshot).
    async fn end(self) -> Result<()> {
        match self.conn {
            Conn::Sqlite(t) => t.commit().await?,
            Conn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Db {
    /// Runs a request's reads on one connection and one snapshot; see the
    /// module's documentation for the pattern.
    pub async fn read<T, E>(&self, f: impl AsyncFnOnce(&mut Reader) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let conn = match self {
            Self::Sqlite { read, .. } => {
                Conn::Sqlite(read.begin().await.map_err(StoreError::from)?)
            }
            // The replica, where this request may read from one (see replica).
            Self::Postgres { pool: p, .. } => Conn::Postgres(
                super::replica::pick(p)
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await
                    .map_err(StoreError::from)?,
            ),
        };
        let mut r = Reader {
            conn,
            counter: super::count::current(),
        };
        let out = f(&mut r).await;
        let ended = r.end().await;
        let value = out?;
        ended?;
        Ok(value)
    }
}

/// Runs `$body` with `$c` bound to the connection of a [`Reader`], counting
/// the statement.
macro_rules! read {
    ($r:expr, |$c:ident| $body:expr) => {{
        let r: &mut $crate::store::Reader = $r;
        r.note();
        match &mut r.conn {
            $crate::store::reader::Conn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::reader::Conn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    }};
}

pub(crate) use read;
