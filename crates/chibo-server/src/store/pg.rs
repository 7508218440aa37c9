//! PostgreSQL connections for a primary that can move.
//!
//! sqlx 0.9 parses one host per URL and has no `target_session_attrs`, so
//! the libpq forms an operator already uses with `psql` and `pg_dump` are
//! read here: `postgres://user@db1:5432,db2:5432/chibo?target_session_attrs=read-write`.
//! Each host becomes its own sqlx options (the other parameters, TLS
//! included, are shared). The pool connects to the first host that accepts
//! writes; every new connection is checked to accept writes (a standby's
//! answer is refused, so the pool retries instead of handing it out); and a
//! watcher keeps one small connection to the current host, asking it each
//! second whether it is still the primary. When it is not, or is gone, the
//! watcher looks for the host that now is and points the pool at it: the
//! connections to the old one fail their ping and are replaced, and the
//! server carries on without a restart.

use super::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long one probe of a host may take (connect, then one query).
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the watcher asks the current host whether it is still the primary.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Which servers a URL accepts, as libpq's `target_session_attrs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// `read-write`: only a primary.
    ReadWrite,
    /// `any` (libpq's default).
    Any,
}

/// A parsed connection URL: one set of options per host, in the listed order.
#[derive(Debug, Clone)]
pub struct Target {
    pub hosts: Vec<PgConnectOptions>,
    pub wanted: Wanted,
}

impl Target {
    /// Reads a libpq-style URL with one or more comma-separated hosts.
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| StoreError::Config(format!("database URL: {why}"));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected postgres://…"))?;
        if scheme != "postgres" && scheme != "postgresql" {
            return Err(bad("expected postgres://…"));
        }
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (path, query) = match tail.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (tail, None),
        };
        let mut wanted = Wanted::Any;
        let mut kept = Vec::new();
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some(("target_session_attrs", v)) => {
                    wanted = match v {
                        "read-write" | "primary" => Wanted::ReadWrite,
                        "any" => Wanted::Any,
                        other => {
                            return Err(bad(&format!(
                                "target_session_attrs={other} is not supported (read-write or any)"
                            )));
                        }
                    }
                }
                // libpq's connect timeout: the probes have their own bound.
                Some(("connect_timeout", _)) => {}
                _ => kept.push(pair),
            }
        }
        let query = if kept.is_empty() {
            String::new()
        } else {
            format!("?{}", kept.join("&"))
        };
        let user = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
        let hosts = hosts
            .split(',')
            .map(|h| {
                let one = format!("{scheme}://{user}{h}{path}{query}");
                // Records are imaged as the server prints them (`CAST(… AS
                // TEXT)`): the same zone and date style on every connection,
                // whatever the server's defaults.
                PgConnectOptions::from_str(&one)
                    .map(|o| {
                        o.application_name("chibo")
                            .options([("TimeZone", "UTC"), ("DateStyle", "ISO, YMD")])
                    })
                    .map_err(|e| bad(&e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { hosts, wanted })
    }

    /// `host:port` of each host, for messages (never the password).
    pub fn label(&self, i: usize) -> String {
        let o = &self.hosts[i];
        format!("{}:{}", o.get_host(), o.get_port())
    }

    /// The first host, in order, that answers as wanted; its index and a
    /// connection to it. Errors name every host tried.
    async fn find(&self) -> Result<(usize, PgConnection)> {
        let mut why = Vec::new();
        for (i, o) in self.hosts.iter().enumerate() {
            match probe(o, self.wanted).await {
                Ok(c) => return Ok((i, c)),
                Err(e) => why.push(format!("{}: {e}", self.label(i))),
            }
        }
        Err(StoreError::Connect(why.join("; ")))
    }
}

/// Why a host was passed over.
#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error("{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("a read-only standby, not the primary")]
    Standby,
}

/// Connects to one host and checks it is what is wanted.
async fn probe(o: &PgConnectOptions, wanted: Wanted) -> Result<PgConnection, Refused> {
    let attempt = async {
        let mut c = o.connect().await?;
        if wanted == Wanted::ReadWrite && read_only(&mut c).await? {
            return Err(Refused::Standby);
        }
        Ok(c)
    };
    tokio::time::timeout(PROBE_TIMEOUT, attempt)
        .await
        .unwrap_or(Err(Refused::Timeout(PROBE_TIMEOUT)))
}

/// Whether the server refuses writes (a standby, or one set read-only):
/// what libpq asks for `target_session_attrs=read-write`.
async fn read_only(c: &mut PgConnection) -> sqlx::Result<bool> {
    let ro: String = sqlx::query_scalar("SHOW transaction_read_only")
        .fetch_one(&mut *c)
        .await?;
    Ok(ro == "on")
}

/// Pool sizes and waits.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    pub max_connections: u32,
    /// How long a request waits for a connection, a failover included.
    pub acquire_timeout: Duration,
}

impl Default for PoolSize {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// Opens a pool on the host the URL wants, and (with several hosts) a
/// watcher that follows the primary when it moves.
pub async fn connect(url: &str, size: PoolSize) -> Result<PgPool> {
    let target = Arc::new(Target::parse(url)?);
    let (current, probe_conn) = target.find().await?;
    let lost = Arc::new(Notify::new());
    let wanted = target.wanted;
    let on_connect = lost.clone();
    let pool = PgPoolOptions::new()
        .max_connections(size.max_connections)
        .acquire_timeout(size.acquire_timeout)
        // A connection that outlives a failover to a host that came back as
        // a standby must not be reused for writes: checked when made.
        .after_connect(move |c, _| {
            let lost = on_connect.clone();
            Box::pin(async move {
                if wanted == Wanted::ReadWrite && read_only(c).await? {
                    lost.notify_one();
                    return Err(sqlx::Error::Io(std::io::Error::other(
                        "the server is a read-only standby",
                    )));
                }
                Ok(())
            })
        })
        .connect_with(target.hosts[current].clone())
        .await?;
    if target.hosts.len() > 1 {
        tokio::spawn(watch(pool.clone(), target, current, probe_conn, lost));
    } else {
        let _ = probe_conn.close().await;
    }
    Ok(pool)
}

/// Follows the primary for the life of the pool.
async fn watch(
    pool: PgPool,
    target: Arc<Target>,
    mut current: usize,
    conn: PgConnection,
    lost: Arc<Notify>,
) {
    let mut conn = Some(conn);
    loop {
        tokio::select! {
            () = lost.notified() => {}
            () = tokio::time::sleep(WATCH_EVERY) => {}
            () = pool.close_event() => return,
        }
        if let Some(c) = conn.as_mut() {
            let still = tokio::time::timeout(PROBE_TIMEOUT, read_only(c)).await;
            let fine = match still {
                Ok(Ok(false)) => true,
                Ok(Ok(true)) => target.wanted == Wanted::Any,
                _ => false,
            };
            if fine {
                continue;
            }
        }
        conn = None;
        match target.find().await {
            Ok((i, c)) => {
                if i != current {
                    tracing::warn!(
                        from = %target.label(current),
                        to = %target.label(i),
                        "database primary moved; new connections go to the new primary"
                    );
                    pool.set_connect_options(target.hosts[i].clone());
                    current = i;
                }
                conn = Some(c);
            }
            Err(e) => tracing::error!("no database primary answers: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_libpq_multi_host_url_gives_one_option_set_per_host() {
        let t = Target::parse(
            "postgresql://chibo:s%40cret@db1:5433,db2/chibo?target_session_attrs=read-write&sslmode=verify-full&sslrootcert=/etc/chibo/ca.pem&connect_timeout=3",
        )
        .unwrap();
        assert_eq!(t.wanted, Wanted::ReadWrite);
        assert_eq!(
            (t.label(0), t.label(1)),
            ("db1:5433".into(), "db2:5432".into())
        );
        for h in &t.hosts {
            assert_eq!(h.get_database(), Some("chibo"));
            assert_eq!(h.get_username(), "chibo");
        }
        let one = Target::parse("postgres://u@h/db").unwrap();
        assert_eq!((one.hosts.len(), one.wanted), (1, Wanted::Any));
        assert!(Target::parse("postgres://h/db?target_session_attrs=standby").is_err());
        assert!(Target::parse("mysql://h/db").is_err());
    }
}
