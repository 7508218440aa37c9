//! Who is behind a credential: the account, its grants and the granted units
//! in one query. Every request starts here, so a session costs one round
//! trip instead of four (session, account, grants, the home unit).

use super::accounts::GrantRow;
use super::orgs::OrgRow;
use super::{Reader, Result, read};
use chrono::{DateTime, Utc};

/// An active account with its grants, oldest first, and the units they are on.
#[derive(Debug, Clone)]
pub struct Found {
    /// The session's id and CSRF token; `None` for an API token.
    pub session: Option<(i64, String)>,
    /// When the session or API token expires (`None` for [`by_account`]):
    /// a cached credential is refused from then on, as the query would.
    pub expires_at: Option<DateTime<Utc>>,
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub member_id: Option<i64>,
    pub grants: Vec<GrantRow>,
    /// The unit of each grant on a unit (not of installation-wide ones).
    pub units: Vec<OrgRow>,
}

/// One row per grant (or one row for an account without any).
#[derive(sqlx::FromRow)]
struct Row {
    session_id: Option<i64>,
    csrf: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    account_id: i64,
    login: String,
    display_name: String,
    member_id: Option<i64>,
    grant_id: Option<i64>,
    role: Option<String>,
    org_id: Option<i64>,
    parent_id: Option<i64>,
    kind: Option<String>,
    code: Option<String>,
    name: Option<String>,
    short_name: Option<String>,
    cell_type: Option<String>,
    place: Option<String>,
    path: Option<String>,
}

const SELECT: &str = "SELECT a.id AS account_id, a.login, a.display_name, a.member_id, \
     g.id AS grant_id, g.role, o.id AS org_id, o.parent_id, o.kind, o.code, o.name, o.short_name, \
     o.cell_type, o.place, o.path";
const GRANTS: &str =
    "LEFT JOIN role_grant g ON g.account_id = a.id LEFT JOIN org_unit o ON o.id = g.org_id";

/// The live session for a cookie's token hash (expired sessions and
/// deactivated accounts find nothing).
pub async fn by_session(
    r: &mut Reader,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Found>> {
    let sql = format!(
        "{SELECT}, s.id AS session_id, s.csrf, s.expires_at FROM session s JOIN account a ON a.id = s.account_id {GRANTS} \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = $3 ORDER BY g.id"
    );
    let rows: Vec<Row> = read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(token_hash)
            .bind(now)
            .bind(true)
            .fetch_all(c)
            .await
    })?;
    Ok(fold(rows))
}

/// The account behind an API token's hash, if the token is neither expired
/// nor revoked and the account is active.
pub async fn by_api_token(
    r: &mut Reader,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Found>> {
    let sql = format!(
        "{SELECT}, CAST(NULL AS BIGINT) AS session_id, CAST(NULL AS TEXT) AS csrf, t.expires_at FROM api_token t JOIN account a ON a.id = t.account_id {GRANTS} \
         WHERE t.token_hash = $1 AND t.expires_at > $2 AND t.revoked_at IS NULL AND a.active = $3 ORDER BY g.id"
    );
    let rows: Vec<Row> = read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(token_hash)
            .bind(now)
            .bind(true)
            .fetch_all(c)
            .await
    })?;
    Ok(fold(rows))
}

/// An account by id, active or not (the console, tests).
pub async fn by_account(r: &mut Reader, account_id: i64) -> Result<Option<Found>> {
    let sql = format!(
        "{SELECT}, CAST(NULL AS BIGINT) AS session_id, CAST(NULL AS TEXT) AS csrf, \
         CAST(NULL AS TIMESTAMPTZ) AS expires_at FROM account a {GRANTS} \
         WHERE a.id = $1 ORDER BY g.id"
    );
    let rows: Vec<Row> = read!(r, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(account_id)
            .fetch_all(c)
            .await
    })?;
    Ok(fold(rows))
}

fn fold(rows: Vec<Row>) -> Option<Found> {
    let first = rows.first()?;
    let mut found = Found {
        session: first.session_id.zip(first.csrf.clone()),
        expires_at: first.expires_at,
        account_id: first.account_id,
        login: first.login.clone(),
        display_name: first.display_name.clone(),
        member_id: first.member_id,
        grants: Vec::with_capacity(rows.len()),
        units: Vec::with_capacity(rows.len()),
    };
    for r in rows {
        let (Some(grant_id), Some(role)) = (r.grant_id, r.role) else {
            continue;
        };
        found.grants.push(GrantRow {
            id: grant_id,
            account_id: r.account_id,
            org_id: r.org_id,
            role,
            path: r.path.clone().unwrap_or_else(|| "/".into()),
            org_name: r.name.clone(),
        });
        if let (Some(id), Some(kind), Some(name), Some(path)) = (r.org_id, r.kind, r.name, r.path) {
            found.units.push(OrgRow {
                id,
                parent_id: r.parent_id,
                kind,
                code: r.code,
                name,
                short_name: r.short_name,
                cell_type: r.cell_type,
                place: r.place,
                path,
            });
        }
    }
    Some(found)
}
