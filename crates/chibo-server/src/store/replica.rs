//! Reads from a PostgreSQL streaming replica, for the pages where a read a
//! few seconds old is harmless, and never for a person whose own last write
//! the replica has not replayed yet.
//!
//! The web layer decides per request (which pages, whose writes) and runs
//! the request inside [`reading_from`]; every read of the store (the
//! `read!` macro) then takes the replica's pool. Writes always go to the
//! primary. A poller keeps the replica's replayed WAL position: a request may
//! read there only if that position has reached the position the primary
//! had after the person's last write, and the replica was fully caught up
//! with the primary at most `max_lag` ago (so what others wrote is at most
//! that old).

use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

tokio::task_local! {
    static REPLICA: PgPool;
}

/// The pool a read takes: the request's replica, or the primary's pool.
pub fn pick(primary: &PgPool) -> PgPool {
    REPLICA
        .try_with(PgPool::clone)
        .unwrap_or_else(|_| primary.clone())
}

/// Whether this request reads from a replica (what it reads there may be
/// older than a change already committed, so it is not cached).
pub fn in_use() -> bool {
    REPLICA.try_with(|_| ()).is_ok()
}

/// Runs `f` with its reads on `pool`.
pub async fn reading_from<F: Future>(pool: PgPool, f: F) -> F::Output {
    REPLICA.scope(pool, f).await
}

/// How often the replica's position is asked.
const POLL: Duration = Duration::from_millis(200);

/// A replica and what it has replayed.
#[derive(Clone, Debug)]
pub struct Replica {
    pub pool: PgPool,
    /// Replayed WAL position in bytes; -1 while unknown or not a standby.
    replayed: Arc<AtomicI64>,
    /// When the replica had last replayed all the primary had written.
    caught_up: Arc<std::sync::Mutex<Option<Instant>>>,
    max_lag: Duration,
    primary: PgPool,
}

impl Replica {
    /// Connects (without failing the start if the replica is down) and
    /// starts the poller.
    pub async fn start(url: &str, primary: PgPool, max_lag: Duration) -> super::Result<Self> {
        let target = super::pg::Target::parse(url)?;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy_with(target.hosts[0].clone());
        let r = Self {
            pool,
            replayed: Arc::new(AtomicI64::new(-1)),
            caught_up: Arc::default(),
            max_lag,
            primary,
        };
        tokio::spawn(r.clone().poll());
        Ok(r)
    }

    async fn poll(self) {
        loop {
            // The primary's position first: a replica that has replayed it
            // a moment later was caught up at that moment.
            let written: Option<i64> =
                sqlx::query_scalar("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
                    .fetch_one(&self.primary)
                    .await
                    .ok();
            let pos: Result<Option<i64>, _> =
                sqlx::query_scalar("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
                    .fetch_one(&self.pool)
                    .await;
            match pos {
                Ok(Some(p)) => {
                    self.replayed.store(p, Ordering::Relaxed);
                    if written.is_some_and(|w| p >= w) {
                        *self.caught_up.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(Instant::now());
                    }
                }
                // Not a standby (promoted, or misconfigured): not a replica.
                Ok(None) => self.replayed.store(-1, Ordering::Relaxed),
                Err(e) => {
                    self.replayed.store(-1, Ordering::Relaxed);
                    tracing::debug!("replica position: {e}");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                () = self.pool.close_event() => return,
            }
        }
    }

    /// Whether a reader whose last write left the primary at `after` (None:
    /// no write of theirs is known) may read here now.
    pub fn serves(&self, after: Option<i64>) -> bool {
        let fresh = self
            .caught_up
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|t| t.elapsed() <= self.max_lag);
        let replayed = self.replayed.load(Ordering::Relaxed);
        fresh && replayed >= 0 && after.is_none_or(|a| replayed >= a)
    }
}
