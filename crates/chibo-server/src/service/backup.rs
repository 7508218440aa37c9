//! Consistent online backups, made on demand (`chibo backup`) or on a
//! schedule inside the server (`backup_dir`, `backup_every_secs`,
//! `backup_keep`).

use super::{Result, ServiceError, Services};
use crate::store::{Db, StoreError, pooled};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// Scheduled backups are named `chibo-<UTC time>.<ext>`; only such files
/// are counted and removed by the retention.
const PREFIX: &str = "chibo-";

impl Services {
    /// SQLite: `VACUUM INTO` writes a consistent, compacted copy while the
    /// server keeps running. PostgreSQL: `pg_dump` in its custom format
    /// (restore with `pg_restore`).
    pub async fn backup(&self, out: &Path, database_url: Option<&str>) -> Result<()> {
        if out.exists() {
            return Err(ServiceError::Store(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists", out.display()),
            ))));
        }
        match &self.db {
            Db::Sqlite { .. } => {
                let target = out.to_string_lossy().to_string();
                pooled!(&self.db, |c| sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
            }
            Db::Postgres { .. } => {
                // The password goes to pg_dump in its environment, not on its
                // command line where any local user could read it.
                let (url, password) = split_password(database_url.unwrap_or_default());
                let mut cmd = tokio::process::Command::new("pg_dump");
                cmd.args(["--format=custom", "--no-owner", "--file"])
                    .arg(out)
                    .arg(&url);
                if let Some(p) = password {
                    cmd.env("PGPASSWORD", p);
                }
                let done = cmd
                    .stderr(std::process::Stdio::piped())
                    .output()
                    .await
                    .map_err(|e| {
                        StoreError::Io(std::io::Error::new(e.kind(), format!("pg_dump: {e}")))
                    })?;
                if !done.status.success() {
                    let _ = std::fs::remove_file(out);
                    return Err(ServiceError::Store(StoreError::Io(std::io::Error::other(
                        format!(
                            "pg_dump failed ({}): {}",
                            done.status,
                            String::from_utf8_lossy(&done.stderr).trim()
                        ),
                    ))));
                }
            }
        }
        Ok(())
    }

    /// One scheduled backup into `dir`, then the oldest beyond `keep` are
    /// removed. Written under a temporary name and renamed when complete, so
    /// a backup cut short is never mistaken for one.
    pub async fn scheduled_backup(
        &self,
        dir: &Path,
        keep: usize,
        database_url: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<PathBuf> {
        let io = |e: std::io::Error| ServiceError::Store(StoreError::Io(e));
        std::fs::create_dir_all(dir).map_err(io)?;
        let ext = match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres { .. } => "dump",
        };
        let name = format!("{PREFIX}{}.{ext}", now.format("%Y%m%dT%H%M%SZ"));
        let done = dir.join(&name);
        let partial = dir.join(format!(".{name}.partial"));
        let _ = std::fs::remove_file(&partial);
        self.backup(&partial, database_url).await?;
        std::fs::rename(&partial, &done).map_err(io)?;
        for old in expired(dir, keep).map_err(io)? {
            if let Err(e) = std::fs::remove_file(&old) {
                tracing::warn!(file = %old.display(), "old backup not removed: {e}");
            }
        }
        Ok(done)
    }
}

/// The scheduled backups in `dir` beyond the newest `keep` (their names sort
/// by time).
fn expired(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(PREFIX) && (n.ends_with(".sqlite") || n.ends_with(".dump"))
            })
        })
        .collect();
    found.sort();
    let n = found.len().saturating_sub(keep.max(1));
    found.truncate(n);
    Ok(found)
}

/// A URL without its password, and the password (percent-decoded).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..end].rfind('@') else {
        return (url.to_string(), None);
    };
    match rest[..at].split_once(':') {
        Some((user, password)) => (
            format!("{scheme}://{user}{}", &rest[at..]),
            Some(percent_decode(password)),
        ),
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://chibo:p%40ss@db1,db2/chibo?sslmode=require"),
            (
                "postgres://chibo@db1,db2/chibo?sslmode=require".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://chibo@db/chibo"),
            ("postgres://chibo@db/chibo".to_string(), None)
        );
    }

    #[test]
    fn retention_keeps_the_newest_scheduled_backups_only() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            "chibo-20261201T000000Z.sqlite",
            "chibo-20261202T000000Z.sqlite",
            "chibo-20261203T000000Z.sqlite",
            "ghi-chu.txt",
            ".chibo-20261204T000000Z.sqlite.partial",
        ] {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        let gone: Vec<String> = expired(dir.path(), 2)
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(gone, vec!["chibo-20261201T000000Z.sqlite".to_string()]);
    }
}
