//! Consistent online backups.

use super::{Result, ServiceError, Services};
use crate::store::{Db, StoreError, pooled};
use std::path::Path;

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
            Db::Postgres(_) => {
                let url = database_url.unwrap_or_default();
                let status = tokio::process::Command::new("pg_dump")
                    .args(["--format=custom", "--no-owner", "--file"])
                    .arg(out)
                    .arg(url)
                    .status()
                    .await
                    .map_err(StoreError::Io)?;
                if !status.success() {
                    return Err(ServiceError::Store(StoreError::Io(std::io::Error::other(
                        format!("pg_dump failed: {status}"),
                    ))));
                }
            }
        }
        Ok(())
    }
}
