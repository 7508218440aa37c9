//! What nearly every request reads and only rare writes change, kept in
//! memory: the actor behind a session cookie or an API token (the account,
//! its grants and their units), and the units of the organisation tree that
//! requests read (a member's cell, a page's unit and its ancestors, a
//! cell's groups: [`store::orgs::Kept`]).
//!
//! The rule packs are compiled in and parsed once at start (`Services::rules`),
//! calendar included: no request reads them from the database.
//!
//! Every write that changes such a record names the [`Change`] and commits
//! through [`Services::commit_changing`], which drops what the change makes
//! stale once the transaction committed, so the very next request reads it
//! afresh. Several server processes may share one PostgreSQL database
//! (docs/OPERATIONS.md, "Scale out"): the change is also announced inside
//! the transaction ([`store::notify`]), delivered at commit to every
//! process's listener, which drops the same entries there. While a process
//! does not hear the others (before its listener is up, after its
//! connection is lost) it keeps nothing, and it drops everything when it
//! starts hearing again, since a change may have gone by unheard.
//!
//! Entries are also guarded against a read that overlaps a change: a value
//! read before a change but offered after it is refused ([`Caches::mark`]),
//! and nothing read from a replica is kept (it may not have replayed a
//! change yet).
//!
//! Sessions expire at a fixed instant set at login (there is no idle
//! timeout and no "last seen" written per request): a cached session
//! carries that instant and is refused from then on, as the query would.

use super::{Result, Services};
use crate::store::{self, Tx, actors::Found};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How many credentials are kept (sessions and API tokens together); past
/// it the oldest kept goes first. A few thousand people use one instance;
/// each entry is a few hundred bytes.
pub const CAPACITY: usize = 20_000;

/// What a write changed, for the caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// One session ended (logout).
    Session(i64),
    /// An account's password, state, grants, sessions or tokens.
    Account(i64),
    /// A unit created, renamed, moved or closed: actors carry their
    /// grants' units.
    Units,
    /// Anything (bulk loads).
    All,
}

impl Change {
    fn encode(self) -> String {
        match self {
            Self::Session(id) => format!("session:{id}"),
            Self::Account(id) => format!("account:{id}"),
            Self::Units => "units".into(),
            Self::All => "all".into(),
        }
    }

    /// What another process announced; anything unreadable drops it all.
    fn decode(s: &str) -> Self {
        let id = |v: &str| v.parse::<i64>().ok();
        match s.split_once(':') {
            Some(("session", v)) => id(v).map_or(Self::All, Self::Session),
            Some(("account", v)) => id(v).map_or(Self::All, Self::Account),
            None if s == "units" => Self::Units,
            _ => Self::All,
        }
    }
}

/// Which credential an entry was found by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Session,
    Token,
}

/// The in-memory caches of one server process.
pub struct Caches {
    actors: Mutex<Actors>,
    /// The units requests read, kept by the store.
    pub orgs: Arc<store::orgs::Kept>,
    /// Bumped by every change: a value read before it is not kept.
    generation: AtomicU64,
    /// Whether entries may be kept: always on SQLite (one database file,
    /// changes made through this process); on PostgreSQL only while the
    /// listener hears the other processes' changes.
    on: AtomicBool,
    capacity: usize,
}

#[derive(Default)]
struct Actors {
    found: HashMap<(Kind, String), Arc<Found>>,
    /// Keys in the order they were kept, for eviction (may name keys
    /// already dropped).
    order: VecDeque<(Kind, String)>,
}

/// A generation read before a lookup, to keep its result only if nothing
/// changed meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Mark(u64);

impl Caches {
    fn new(on: bool, capacity: usize) -> Self {
        Self {
            actors: Mutex::default(),
            orgs: Arc::new(store::orgs::Kept::new(on)),
            generation: AtomicU64::new(0),
            on: AtomicBool::new(on),
            capacity,
        }
    }

    fn actors(&self) -> MutexGuard<'_, Actors> {
        self.actors.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Taken before reading what may be kept.
    pub fn mark(&self) -> Mark {
        Mark(self.generation.load(Ordering::Acquire))
    }

    fn get(&self, kind: Kind, hash: &str, now: DateTime<Utc>) -> Option<Arc<Found>> {
        let mut a = self.actors();
        let key = (kind, hash.to_string());
        let f = a.found.get(&key)?.clone();
        if f.expires_at.is_some_and(|e| e <= now) {
            a.found.remove(&key);
            return None;
        }
        Some(f)
    }

    fn keep(&self, kind: Kind, hash: &str, found: Arc<Found>, mark: Mark) {
        if !self.on.load(Ordering::Acquire) || store::replica::in_use() {
            return;
        }
        let mut a = self.actors();
        // Under the lock, so that a change cannot slip in between.
        if self.generation.load(Ordering::Acquire) != mark.0 {
            return;
        }
        let key = (kind, hash.to_string());
        if a.found.insert(key.clone(), found).is_none() {
            a.order.push_back(key);
        }
        while a.found.len() > self.capacity {
            let Some(oldest) = a.order.pop_front() else {
                break;
            };
            a.found.remove(&oldest);
        }
        // Keys dropped by changes linger in `order`; keep it bounded too.
        if a.order.len() > 2 * self.capacity {
            let Actors { found, order } = &mut *a;
            order.retain(|k| found.contains_key(k));
        }
    }

    /// Drops what `change` makes stale.
    pub fn apply(&self, change: Change) {
        let mut a = self.actors();
        self.generation.fetch_add(1, Ordering::AcqRel);
        match change {
            Change::Session(id) => a
                .found
                .retain(|_, f| f.session.as_ref().is_none_or(|(s, _)| *s != id)),
            Change::Account(id) => a.found.retain(|_, f| f.account_id != id),
            Change::Units | Change::All => {
                a.found.clear();
                a.order.clear();
                self.orgs.clear();
            }
        }
    }

    /// The listener stopped or started hearing the other processes: either
    /// way what is kept may have missed a change.
    fn hearing(&self, on: bool) {
        self.on.store(on, Ordering::Release);
        self.orgs.set_on(on);
        self.apply(Change::All);
    }

    /// How many credentials are kept (tests, metrics).
    pub fn len(&self) -> usize {
        self.actors().found.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The caches of a process over `db`; on PostgreSQL, starts the listener
/// (needs a Tokio runtime), which ends when the pool is closed.
pub fn start(db: &store::Db) -> Arc<Caches> {
    match db.backend() {
        store::Backend::Sqlite => Arc::new(Caches::new(true, CAPACITY)),
        // The listener holds one connection of the pool: a pool of one
        // is left to the requests, and nothing is kept.
        store::Backend::Postgres if db.pool_state().2 < 2 => Arc::new(Caches::new(false, CAPACITY)),
        store::Backend::Postgres => {
            let caches = Arc::new(Caches::new(false, CAPACITY));
            tokio::spawn(listen(db.clone(), caches.clone()));
            caches
        }
    }
}

/// How long to wait before listening again after a failure.
const RETRY: Duration = Duration::from_secs(1);

async fn listen(db: store::Db, caches: Arc<Caches>) {
    loop {
        match store::notify::listen(&db).await {
            Some(Ok(mut l)) => {
                caches.hearing(true);
                loop {
                    match l.try_recv().await {
                        Ok(Some(n)) => caches.apply(Change::decode(n.payload())),
                        // The connection was lost: changes may go unheard.
                        Ok(None) => break,
                        Err(sqlx::Error::PoolClosed) => return,
                        Err(e) => {
                            tracing::warn!("cache listener: {e}");
                            break;
                        }
                    }
                }
                caches.hearing(false);
            }
            Some(Err(sqlx_closed)) if is_closed(&sqlx_closed) => return,
            Some(Err(e)) => tracing::warn!("cache listener: {e}"),
            None => return,
        }
        tokio::time::sleep(RETRY).await;
    }
}

fn is_closed(e: &store::StoreError) -> bool {
    matches!(e, store::StoreError::Sqlx(sqlx::Error::PoolClosed))
}

impl Services {
    /// Runs one request: counts the statements it sends
    /// ([`super::counted`]), its reads of units consulting those kept.
    pub async fn serve<F: Future>(&self, f: F) -> (F::Output, u32) {
        super::counted(store::orgs::keeping(self.caches.orgs.clone(), f)).await
    }

    /// Commits `tx` after announcing `change` in it, then drops what it made
    /// stale here (the other processes drop theirs when they hear it).
    pub(crate) async fn commit_changing(&self, mut tx: Tx, change: Change) -> Result<()> {
        store::notify::announce(&mut tx, &change.encode()).await?;
        tx.commit().await?;
        self.caches.apply(change);
        Ok(())
    }

    /// The actor found by a session cookie's token hash, kept or read.
    pub(crate) async fn actor_by_session(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Found>>> {
        self.actor_by(Kind::Session, hash, now).await
    }

    /// The actor found by an API token's hash, kept or read.
    pub(crate) async fn actor_by_token(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Found>>> {
        self.actor_by(Kind::Token, hash, now).await
    }

    async fn actor_by(
        &self,
        kind: Kind,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Found>>> {
        if let Some(f) = self.caches.get(kind, hash, now) {
            return Ok(Some(f));
        }
        let mark = self.caches.mark();
        let found = self
            .db
            .read(async |r| match kind {
                Kind::Session => store::actors::by_session(r, hash, now).await,
                Kind::Token => store::actors::by_api_token(r, hash, now).await,
            })
            .await?
            .map(Arc::new);
        if let Some(f) = &found {
            self.caches.keep(kind, hash, f.clone(), mark);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instant for the tests (the wall clock is read by service::clock only).
    fn instant() -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000, 0).expect("an instant")
    }

    fn found(session: i64, account: i64, expires: Option<DateTime<Utc>>) -> Arc<Found> {
        Arc::new(Found {
            session: Some((session, "csrf".into())),
            expires_at: expires,
            account_id: account,
            login: "a".into(),
            display_name: "A".into(),
            member_id: None,
            grants: Vec::new(),
            units: Vec::new(),
        })
    }

    #[test]
    fn changes_drop_what_they_name_and_nothing_else() {
        let c = Caches::new(true, 10);
        for (s, a) in [(1, 10), (2, 10), (3, 11)] {
            c.keep(Kind::Session, &format!("h{s}"), found(s, a, None), c.mark());
        }
        let now = instant();
        c.apply(Change::Session(1));
        assert!(c.get(Kind::Session, "h1", now).is_none());
        assert!(c.get(Kind::Session, "h2", now).is_some());
        c.apply(Change::Account(10));
        assert!(c.get(Kind::Session, "h2", now).is_none());
        assert!(c.get(Kind::Session, "h3", now).is_some());
        c.apply(Change::Units);
        assert!(c.is_empty());
    }

    #[test]
    fn a_value_read_before_a_change_is_not_kept() {
        let c = Caches::new(true, 10);
        let mark = c.mark();
        c.apply(Change::Account(10));
        c.keep(Kind::Session, "h", found(1, 10, None), mark);
        assert!(c.is_empty());
    }

    #[test]
    fn an_expired_credential_is_not_served() {
        let c = Caches::new(true, 10);
        let now = instant();
        c.keep(
            Kind::Session,
            "h",
            found(1, 10, Some(now + chrono::Duration::seconds(1))),
            c.mark(),
        );
        assert!(c.get(Kind::Session, "h", now).is_some());
        assert!(
            c.get(Kind::Session, "h", now + chrono::Duration::seconds(1))
                .is_none()
        );
    }

    #[test]
    fn the_oldest_goes_past_the_capacity() {
        let c = Caches::new(true, 3);
        for s in 0..5 {
            c.keep(Kind::Token, &format!("h{s}"), found(s, s, None), c.mark());
        }
        assert_eq!(c.len(), 3);
        assert!(c.get(Kind::Token, "h0", instant()).is_none());
        assert!(c.get(Kind::Token, "h4", instant()).is_some());
    }

    #[test]
    fn nothing_is_kept_while_the_other_processes_are_not_heard() {
        let c = Caches::new(false, 3);
        c.keep(Kind::Token, "h", found(1, 1, None), c.mark());
        assert!(c.is_empty());
    }

    #[test]
    fn changes_read_back_as_written() {
        for c in [
            Change::Session(4),
            Change::Account(7),
            Change::Units,
            Change::All,
        ] {
            assert_eq!(Change::decode(&c.encode()), c);
        }
        assert_eq!(Change::decode("account:x"), Change::All);
    }
}
