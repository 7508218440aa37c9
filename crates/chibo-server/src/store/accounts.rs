//! Accounts, the roles granted to them, API tokens and the one-time setup link.

use super::{Reader, Result, Tx, in_tx, read};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AccountRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub member_id: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct GrantRow {
    pub id: i64,
    pub account_id: i64,
    pub org_id: Option<i64>,
    pub role: String,
    /// The unit's path; `/` for an installation-wide grant.
    pub path: String,
    pub org_name: Option<String>,
}

pub async fn count(r: &mut Reader) -> Result<i64> {
    Ok(read!(r, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM account"
    )
    .fetch_one(c)
    .await)?)
}

const COLUMNS: &str = "id, login, display_name, password_hash, member_id, active";

pub async fn by_login(r: &mut Reader, login: &str) -> Result<Option<AccountRow>> {
    let sql = format!("SELECT {COLUMNS} FROM account WHERE login = $1");
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(login)
        .fetch_optional(c)
        .await)?)
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<AccountRow>> {
    super::row_by(r, "account", COLUMNS, "id", id).await
}

/// Accounts holding a grant somewhere under `path` (user management).
pub async fn under(r: &mut Reader, path: &str) -> Result<Vec<(AccountRow, GrantRow)>> {
    let (lo, hi) = super::prefix_range(path);
    let rows: Vec<GrantRow> = read!(r, |c| {
        sqlx::query_as(
            "SELECT g.id, g.account_id, g.org_id, g.role, COALESCE(o.path, '/') AS path, o.name AS org_name \
             FROM role_grant g LEFT JOIN org_unit o ON o.id = g.org_id \
             WHERE COALESCE(o.path, '/') >= $1 AND COALESCE(o.path, '/') < $2 ORDER BY g.account_id, g.id",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(c)
        .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for g in rows {
        if let Some(a) = get(r, g.account_id).await? {
            out.push((a, g));
        }
    }
    Ok(out)
}

pub async fn insert(
    tx: &mut Tx,
    login: &str,
    display_name: &str,
    password_hash: &str,
    member_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO account (login, display_name, password_hash, member_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(login)
        .bind(display_name)
        .bind(password_hash)
        .bind(member_id)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

pub async fn set_password(tx: &mut Tx, id: i64, hash: &str) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE account SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn set_active(tx: &mut Tx, id: i64, active: bool) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE account SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn grant(tx: &mut Tx, account_id: i64, org_id: Option<i64>, role: &str) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO role_grant (account_id, org_id, role) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(account_id)
        .bind(org_id)
        .bind(role)
        .fetch_one(c)
        .await
    })?)
}

pub async fn grants(r: &mut Reader, account_id: i64) -> Result<Vec<GrantRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
            "SELECT g.id, g.account_id, g.org_id, g.role, COALESCE(o.path, '/') AS path, o.name AS org_name \
             FROM role_grant g LEFT JOIN org_unit o ON o.id = g.org_id WHERE g.account_id = $1 ORDER BY g.id",
        )
        .bind(account_id)
        .fetch_all(c)
        .await
    })?)
}

/// An API token as its owner and an admin see it (never the secret).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApiTokenRow {
    pub id: i64,
    pub account_id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const TOKEN_COLUMNS: &str = "id, account_id, label, created_at, expires_at, revoked_at";

pub async fn add_api_token(
    tx: &mut Tx,
    account_id: i64,
    token_hash: &str,
    label: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO api_token (token_hash, account_id, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(label)
        .bind(now)
        .bind(expires_at)
        .fetch_one(c)
        .await
    })?)
}

/// An account's tokens, newest first.
pub async fn api_tokens(r: &mut Reader, account_id: i64) -> Result<Vec<ApiTokenRow>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM api_token WHERE account_id = $1 ORDER BY created_at DESC, id DESC"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .fetch_all(c)
        .await)?)
}

pub async fn api_token(r: &mut Reader, id: i64) -> Result<Option<ApiTokenRow>> {
    super::row_by(r, "api_token", TOKEN_COLUMNS, "id", id).await
}

pub async fn revoke_api_token(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn put_setup_token(tx: &mut Tx, token_hash: &str, expires: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("INSERT INTO setup_token (token_hash, expires_at) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(expires)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Claims the setup link: every setup token goes, if and only if this one
/// is still valid. Two claims at once cannot both succeed: the second finds
/// the rows gone (SQLite has one writer; PostgreSQL re-checks a row deleted
/// by a concurrent transaction once that one commits).
pub async fn claim_setup_token(tx: &mut Tx, token_hash: &str, now: DateTime<Utc>) -> Result<bool> {
    let taken: Vec<String> = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "DELETE FROM setup_token WHERE expires_at > $2 AND EXISTS \
             (SELECT 1 FROM setup_token s WHERE s.token_hash = $1 AND s.expires_at > $2) \
             RETURNING token_hash",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_all(c)
        .await
    })?;
    Ok(taken.iter().any(|t| t == token_hash))
}

/// Accounts, as the transaction sees them.
pub async fn count_in(tx: &mut Tx) -> Result<i64> {
    Ok(in_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM account"
    )
    .fetch_one(c)
    .await)?)
}

pub async fn setup_token_valid(
    r: &mut Reader,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n: i64 = read!(r, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM setup_token WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_one(c)
        .await
    })?;
    Ok(n == 1)
}
