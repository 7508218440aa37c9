//! Telling every server process on one PostgreSQL database that records
//! they may keep in memory changed (the service layer's caches): a
//! `pg_notify` sent inside the writing transaction, which PostgreSQL
//! delivers to the listeners only if and when that transaction commits,
//! and a [`PgListener`] per process. SQLite needs neither: the caches of
//! the process that wrote are the only ones kept in step, see
//! `service::caches`.

use super::{Db, Result, Tx, in_tx};
use sqlx::postgres::PgListener;

/// The channel the caches' changes go on.
pub const CHANNEL: &str = "chibo_cache";

/// Announces `change` to the listeners when `tx` commits (nothing on SQLite).
pub async fn announce(tx: &mut Tx, change: &str) -> Result<()> {
    if matches!(tx, Tx::Postgres(_)) {
        in_tx!(tx, |c| sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(change)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A listener on [`CHANNEL`], on a connection of its own taken from the
/// primary's pool; `None` on SQLite.
pub async fn listen(db: &Db) -> Option<Result<PgListener>> {
    let Db::Postgres { pool, .. } = db else {
        return None;
    };
    Some(
        async {
            let mut l = PgListener::connect_with(pool).await?;
            l.listen(CHANNEL).await?;
            Ok(l)
        }
        .await,
    )
}
