//! Accounts, passwords, sessions, API tokens and the first-admin setup link.

use super::caches::Change;
use super::{Actor, Result, ServiceError, Services};
use crate::model::{Problem, Problems, Role, nfc};
use crate::store::accounts::AccountRow;
pub use crate::store::accounts::ApiTokenRow;
use crate::store::{self, Reader, audit, orgs::OrgRow};
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Shortest password accepted (NIST SP 800-63B's floor for user-chosen secrets).
const MIN_PASSWORD_CHARS: usize = 8;

/// Longest label of an API token.
const MAX_TOKEN_LABEL: usize = 100;
/// Longest lifetime an owner may give a token (a year and a day).
pub const MAX_TOKEN_DAYS: i64 = 366;

/// A token as issued: the secret is shown this once.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub id: i64,
    /// The bearer token; only its hash is kept.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Limits against password guessing, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub window: Duration,
    pub per_login: i64,
    pub per_address: i64,
}

pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires: DateTime<Utc>,
}

/// A fresh random secret, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Secrets are stored only as this hash.
pub fn token_hash(token: &str) -> String {
    audit::hex(&Sha256::digest(token.as_bytes()))
}

/// What `Argon2::default().hash_password` does (Argon2id, default
/// parameters, a random 16-byte salt), with working memory from the pool.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| ServiceError::Forbidden)?;
    let mut salt_buf = [0u8; 64];
    let raw_salt = salt
        .as_salt()
        .decode_b64(&mut salt_buf)
        .map_err(|_| ServiceError::Forbidden)?;
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_pooled_memory(params.block_count(), |memory| {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, memory)
    })
    .map_err(|_| ServiceError::Forbidden)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|_| ServiceError::Forbidden)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|_| ServiceError::Forbidden)?),
    };
    Ok(hash.to_string())
}

/// Runs `f` on Argon2 working memory of `blocks` blocks from the pool, then
/// puts it back (as many buffers as Argon2 ever ran at once: `ARGON2_RUNS`,
/// and once more for the startup's dummy hash).
fn with_pooled_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let mut memory = ARGON2_MEMORY
        .lock()
        .map(|mut pool| pool.pop())
        .unwrap_or_default()
        .unwrap_or_default();
    memory.resize(blocks, Block::default());
    let result = f(&mut memory[..]);
    if let Ok(mut pool) = ARGON2_MEMORY.lock() {
        pool.push(memory);
    }
    result
}

/// Argon2 runs (password checks and new hashes) at once. Each holds Argon2's 19 MiB for tens of
/// milliseconds of one core: more at a time only queue for the two cores
/// while holding their memory, and a burst of logins left the server at
/// 200–400 MB (glibc keeps freed blocks of that size in per-thread arenas).
const ARGON2_RUNS: usize = 2;
static ARGON2_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(ARGON2_RUNS);
/// Argon2 working memory, reused from one check to the next (at most
/// `ARGON2_RUNS` buffers ever exist).
static ARGON2_MEMORY: std::sync::Mutex<Vec<Vec<Block>>> = std::sync::Mutex::new(Vec::new());

/// Checks a password off the request threads, `ARGON2_RUNS` at a time.
async fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(_permit) = ARGON2_PERMITS.acquire().await else {
        return false;
    };
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_with_reused_memory(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Hashes a new password off the request threads, under the same permits
/// as the checks (creating accounts in a burst otherwise stalled the server).
async fn hash_new_password(password: &str) -> Result<String> {
    let Ok(_permit) = ARGON2_PERMITS.acquire().await else {
        return Err(ServiceError::Forbidden);
    };
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| ServiceError::Forbidden)?
}

/// What `Argon2::verify_password` does, with working memory from the pool
/// instead of a fresh allocation.
fn verify_with_reused_memory(password: &str, hash: &str) -> bool {
    let Ok(h) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (h.salt, h.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (Params::try_from(&h), Algorithm::try_from(h.algorithm))
    else {
        return false;
    };
    let Ok(version) = h.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = with_pooled_memory(params.block_count(), |memory| {
        Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            memory,
        )
    });
    // `Output`'s equality is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

/// A login: lower-case letters, digits, dot, dash, underscore.
fn parse_login(raw: &str) -> std::result::Result<String, Problem> {
    let s = raw.trim().to_lowercase();
    let ok = (3..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        });
    if ok {
        Ok(s)
    } else {
        Err(Problem::new("login", "login.format", raw.trim()))
    }
}

fn check_password(p: &str) -> std::result::Result<(), Problem> {
    if p.chars().count() < MIN_PASSWORD_CHARS {
        Err(Problem::new("password", "password.short", ""))
    } else {
        Ok(())
    }
}

/// What creating an account needs.
pub struct NewAccount<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub org_id: Option<i64>,
    pub member_id: Option<i64>,
}

impl Services {
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        address: &str,
        throttle: Throttle,
        session_days: i64,
        now: DateTime<Utc>,
    ) -> Result<NewSession> {
        let login = login.trim().to_lowercase();
        // The attempt is reserved before the password is checked, so that
        // parallel guesses cannot all pass a count taken before any of them
        // failed.
        let mut tx = self.db.begin().await?;
        let attempt = store::sessions::reserve_attempt(
            &mut tx,
            &login,
            address,
            now - throttle.window,
            (throttle.per_login, throttle.per_address),
            now,
        )
        .await?;
        tx.commit().await?;
        let Some(attempt) = attempt else {
            return Err(ServiceError::Throttled);
        };
        let account = self
            .db
            .read(async |r| store::accounts::by_login(r, &login).await)
            .await?;
        let ok = match &account {
            Some(a) => a.active && verify_password(password, &a.password_hash).await,
            None => {
                // Same work for unknown logins, so timing does not reveal them.
                verify_password(
                    password,
                    DUMMY_HASH.get_or_init(|| hash_password("x").unwrap_or_default()),
                )
                .await;
                false
            }
        };
        // A wrong password leaves its reservation as the failure it is.
        let Some(account) = account.filter(|_| ok) else {
            return Err(ServiceError::BadCredentials);
        };
        let mut tx = self.db.begin().await?;
        store::sessions::release_attempt(&mut tx, attempt).await?;
        let s = NewSession {
            token: random_token(),
            csrf: random_token(),
            expires: now + Duration::days(session_days),
        };
        store::sessions::purge_expired(&mut tx, now).await?;
        store::sessions::insert(
            &mut tx,
            &token_hash(&s.token),
            account.id,
            &s.csrf,
            now,
            s.expires,
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn logout(&self, session_id: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        store::sessions::delete(&mut tx, session_id).await?;
        self.commit_changing(tx, Change::Session(session_id)).await
    }

    pub async fn logout_everywhere(&self, actor: &Actor, now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let n = store::sessions::delete_all(&mut tx, actor.account_id).await?;
        append(
            &mut tx,
            actor,
            "account.logout_all",
            actor.account_id,
            json!({"sessions": n}),
            now,
        )
        .await?;
        self.commit_changing(tx, Change::Account(actor.account_id))
            .await?;
        Ok(n)
    }

    /// Creates an account with one role (the first admin is created by
    /// [`Services::complete_setup`] instead).
    pub async fn create_account(
        &self,
        actor: &Actor,
        a: &NewAccount<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.db
            .read(async |r| {
                let org = match a.org_id {
                    Some(id) => Some(super::org_for(r, actor, id).await?),
                    None => None,
                };
                if !may_grant(actor, a.role, org.as_ref()) {
                    return Err(ServiceError::Forbidden);
                }
                if let Some(member) = a.member_id {
                    member_under(r, member, org.as_ref()).await?;
                }
                Ok(())
            })
            .await?;
        let new = self.checked_account(a).await?;
        let mut tx = self.db.begin().await?;
        let id = insert_account(&mut tx, Some(actor), &new, a, now).await?;
        // Its grant: nothing is kept for a new account yet, but a grant is
        // what actors are made of.
        self.commit_changing(tx, Change::Account(id)).await?;
        Ok(id)
    }

    /// Checks a new account's fields and hashes its password (before any
    /// transaction: the hash takes tens of milliseconds).
    async fn checked_account(&self, a: &NewAccount<'_>) -> Result<CheckedAccount> {
        let mut problems = Problems::default();
        let login = problems.take(parse_login(a.login));
        let taken = match &login {
            Some(l) => self
                .db
                .read(async |r| store::accounts::by_login(r, l).await)
                .await?
                .is_some(),
            None => false,
        };
        problems.take(check_password(a.password));
        let name = nfc(a.display_name);
        if name.is_empty() {
            problems.push(Problem::new("display_name", "required", ""));
        }
        if a.role != Role::Admin && a.org_id.is_none() {
            problems.push(Problem::new("org_id", "required", ""));
        }
        if let Some(l) = login.as_ref().filter(|_| taken) {
            problems.push(Problem::new("login", "login.taken", l.clone()));
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        Ok(CheckedAccount {
            login: login.expect("checked"),
            name,
            hash: hash_new_password(a.password).await?,
        })
    }

    pub async fn change_password(
        &self,
        actor: &Actor,
        old: &str,
        new: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let a = self
            .db
            .read(async |r| store::accounts::get(r, actor.account_id).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !verify_password(old, &a.password_hash).await {
            return Err(ServiceError::invalid(Problem::new(
                "old_password",
                "password.wrong",
                "",
            )));
        }
        check_password(new).map_err(ServiceError::invalid)?;
        let hash = hash_new_password(new).await?;
        let mut tx = self.db.begin().await?;
        store::accounts::set_password(&mut tx, a.id, &hash).await?;
        store::sessions::delete_all(&mut tx, a.id).await?;
        append(&mut tx, actor, "account.password", a.id, json!({}), now).await?;
        self.commit_changing(tx, Change::Account(a.id)).await?;
        Ok(())
    }

    /// Locks or unlocks an account. Only someone holding at least a
    /// secretary's role, and at least the account's own role, over every unit
    /// the account has a role in may do it; an account without any role
    /// (and an admin's) only an admin; never one's own.
    pub async fn set_account_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let grants = self
            .db
            .read(async |r| {
                store::accounts::get(r, id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                Ok::<_, ServiceError>(store::accounts::grants(r, id).await?)
            })
            .await?;
        let allowed = grants.iter().all(|g| {
            let role = Role::parse(&g.role).unwrap_or(Role::Admin);
            actor
                .role_at(&g.path)
                .is_some_and(|r| r >= Role::BiThu && r >= role)
        });
        if !allowed || grants.is_empty() && !actor.is_admin() || id == actor.account_id {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        store::accounts::set_active(&mut tx, id, active).await?;
        if !active {
            store::sessions::delete_all(&mut tx, id).await?;
        }
        append(
            &mut tx,
            actor,
            "account.active",
            id,
            json!({"active": active}),
            now,
        )
        .await?;
        self.commit_changing(tx, Change::Account(id)).await?;
        Ok(())
    }

    /// Issues a bearer token for `/api/v1` with the default lifetime; only
    /// its hash is kept.
    pub async fn issue_api_token(
        &self,
        account_id: i64,
        issued_by: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let t = self
            .issue_console_token(account_id, issued_by, None, now)
            .await?;
        Ok(t.token)
    }

    /// A token issued on the server itself (`chibo user token`), with the
    /// default lifetime unless `days` is given.
    pub async fn issue_console_token(
        &self,
        account_id: i64,
        issued_by: &str,
        days: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken> {
        if let Some(d) = days
            && !(1..=MAX_TOKEN_DAYS).contains(&d)
        {
            return Err(ServiceError::invalid(Problem::new(
                "days",
                "token.days",
                d.to_string(),
            )));
        }
        self.issue_token(account_id, None, issued_by, issued_by, days, now)
            .await
    }

    /// The caller's own new token, from the account page or the API. A
    /// token cannot mint tokens (a leaked one could otherwise outlive its
    /// expiry), so only a browser session may ask.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        by_token: bool,
        label: &str,
        days: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken> {
        if by_token {
            return Err(ServiceError::Forbidden);
        }
        let label = nfc(label.trim());
        if label.chars().count() > MAX_TOKEN_LABEL {
            return Err(ServiceError::invalid(Problem::new(
                "label",
                "token.label",
                "",
            )));
        }
        if let Some(d) = days
            && !(1..=MAX_TOKEN_DAYS).contains(&d)
        {
            return Err(ServiceError::invalid(Problem::new(
                "days",
                "token.days",
                d.to_string(),
            )));
        }
        self.issue_token(
            actor.account_id,
            Some(actor.account_id),
            &actor.audit_name(),
            &label,
            days,
            now,
        )
        .await
    }

    async fn issue_token(
        &self,
        account_id: i64,
        by_account: Option<i64>,
        issued_by: &str,
        label: &str,
        days: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken> {
        let token = format!("chibo_{}", random_token());
        let expires_at = now + days.map_or(self.token_lifetime, Duration::days);
        let mut tx = self.db.begin().await?;
        let id = store::accounts::add_api_token(
            &mut tx,
            account_id,
            &token_hash(&token),
            label,
            now,
            expires_at,
        )
        .await?;
        audit::append(
            &mut tx,
            &audit::NewEntry {
                chain_id: 0,
                account_id: by_account,
                actor: issued_by,
                action: "account.api_token",
                entity: "account",
                entity_id: Some(account_id),
                summary: &json!({"token_id": id, "label": label, "expires_at": expires_at}),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedToken {
            id,
            token,
            expires_at,
        })
    }

    /// An account and its tokens, newest first: for the account itself and
    /// for an admin.
    pub async fn api_tokens(
        &self,
        actor: &Actor,
        account_id: i64,
    ) -> Result<(AccountRow, Vec<ApiTokenRow>)> {
        if actor.account_id != account_id && !actor.is_admin() {
            return Err(ServiceError::Forbidden);
        }
        self.db
            .read(async |r| {
                let account = store::accounts::get(r, account_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                Ok((account, store::accounts::api_tokens(r, account_id).await?))
            })
            .await
    }

    /// The roles `actor` may give on `unit` (what the account form offers).
    pub fn grantable_roles(&self, actor: &Actor, unit: &OrgRow) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| may_grant(actor, *r, Some(unit)))
            .collect()
    }

    /// Revokes a token at once: by its owner or an admin. Revoking one
    /// already revoked changes nothing.
    pub async fn revoke_api_token(
        &self,
        actor: &Actor,
        token_id: i64,
        now: DateTime<Utc>,
    ) -> Result<ApiTokenRow> {
        let t = self
            .db
            .read(async |r| store::accounts::api_token(r, token_id).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if actor.account_id != t.account_id && !actor.is_admin() {
            return Err(ServiceError::Forbidden);
        }
        if t.revoked_at.is_some() {
            return Ok(t);
        }
        let mut tx = self.db.begin().await?;
        store::accounts::revoke_api_token(&mut tx, token_id, now).await?;
        append(
            &mut tx,
            actor,
            "account.api_token_revoke",
            t.account_id,
            json!({"token_id": token_id, "label": t.label}),
            now,
        )
        .await?;
        self.commit_changing(tx, Change::Account(t.account_id))
            .await?;
        Ok(ApiTokenRow {
            revoked_at: Some(now),
            ..t
        })
    }

    /// Logs a refused request (`what`: its method and path) in the access
    /// log, durably.
    pub async fn log_refusal(&self, account_id: i64, what: &str, now: DateTime<Utc>) -> Result<()> {
        tracing::warn!(account = account_id, request = what, "refused");
        self.access
            .log(store::access::Access {
                at: now,
                account_id,
                member_id: None,
                granted: false,
                kind: store::access::AccessKind::Refused,
                detail: Some(what.chars().take(500).collect()),
            })
            .await?;
        Ok(())
    }

    /// On an empty installation: a one-time link to create the first admin.
    pub async fn setup_link_token(&self, now: DateTime<Utc>) -> Result<Option<String>> {
        if self
            .db
            .read(async |r| store::accounts::count(r).await)
            .await?
            > 0
        {
            return Ok(None);
        }
        let token = random_token();
        let mut tx = self.db.begin().await?;
        store::accounts::put_setup_token(&mut tx, &token_hash(&token), now + Duration::hours(24))
            .await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    pub async fn setup_token_valid(&self, token: &str, now: DateTime<Utc>) -> Result<bool> {
        self.db
            .read(async |r| {
                Ok(store::accounts::count(r).await? == 0
                    && store::accounts::setup_token_valid(r, &token_hash(token), now).await?)
            })
            .await
    }

    /// Creates the first admin with the one-time link. The link is claimed
    /// in the same transaction that creates the account, so of several uses
    /// at once exactly one creates an admin.
    pub async fn complete_setup(
        &self,
        token: &str,
        login: &str,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        // Refused before any password is hashed.
        if !self.setup_token_valid(token, now).await? {
            return Err(ServiceError::Forbidden);
        }
        let a = NewAccount {
            login,
            display_name: name,
            password,
            role: Role::Admin,
            org_id: None,
            member_id: None,
        };
        let new = self.checked_account(&a).await?;
        let mut tx = self.db.begin().await?;
        if !store::accounts::claim_setup_token(&mut tx, &token_hash(token), now).await?
            || store::accounts::count_in(&mut tx).await? > 0
        {
            return Err(ServiceError::Forbidden);
        }
        let id = insert_account(&mut tx, None, &new, &a, now).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// Whether `actor` may give `role` on `org` (an admin's role has no unit):
/// only inside the actor's own units, to someone who will hold no more than
/// the actor holds there; an admin only by an admin.
fn may_grant(actor: &Actor, role: Role, org: Option<&OrgRow>) -> bool {
    if role == Role::Admin {
        return actor.is_admin();
    }
    let Some(org) = org else { return false };
    actor
        .role_at(&org.path)
        .is_some_and(|held| held >= role && (held.manages_cell() || held >= Role::Upper))
}

/// An account may only be tied to a member of the unit it is granted on.
/// The member exists and, when the account is granted on a unit, belongs
/// to it (an account on no unit is an admin's, made by an admin, who sees
/// every member).
async fn member_under(r: &mut Reader, member_id: i64, org: Option<&OrgRow>) -> Result<()> {
    let unknown = || ServiceError::invalid(Problem::new("member_id", "member.unknown", ""));
    let m = store::members::get(r, member_id)
        .await?
        .ok_or_else(unknown)?;
    if let Some(org) = org {
        let cell = super::org(r, m.cell_id).await?;
        if !cell.path.starts_with(&org.path) {
            return Err(unknown());
        }
    }
    Ok(())
}

/// A new account's fields, checked, with its password hashed.
struct CheckedAccount {
    login: String,
    name: String,
    hash: String,
}

/// Writes a checked account, its one grant and the audit entry.
async fn insert_account(
    tx: &mut store::Tx,
    actor: Option<&Actor>,
    new: &CheckedAccount,
    a: &NewAccount<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = store::accounts::insert(tx, &new.login, &new.name, &new.hash, a.member_id, now)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                ServiceError::invalid(Problem::new("login", "login.taken", new.login.clone()))
            } else {
                e.into()
            }
        })?;
    let org = if a.role == Role::Admin {
        None
    } else {
        a.org_id
    };
    store::accounts::grant(tx, id, org, a.role.as_str()).await?;
    audit::append(
        tx,
        &audit::NewEntry {
            chain_id: 0,
            account_id: actor.map(|a| a.account_id),
            actor: &actor.map_or_else(|| "setup".to_string(), Actor::audit_name),
            action: "account.create",
            entity: "account",
            entity_id: Some(id),
            summary: &json!({"login": new.login, "role": a.role.as_str(), "org_id": org, "member_id": a.member_id}),
        },
        now,
    )
    .await?;
    Ok(id)
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn append(
    tx: &mut store::Tx,
    actor: &Actor,
    action: &str,
    account_id: i64,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::append(
        tx,
        &audit::NewEntry {
            chain_id: 0,
            account_id: Some(actor.account_id),
            actor: &actor.audit_name(),
            action,
            entity: "account",
            entity_id: Some(account_id),
            summary: &summary,
        },
        now,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_against_their_hash() {
        let h = hash_password("mật khẩu dài").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        // The standard verifier agrees with the pooled hashing.
        use argon2::PasswordVerifier;
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(
            Argon2::default()
                .verify_password("mật khẩu dài".as_bytes(), &parsed)
                .is_ok()
        );
        assert!(verify_password("mật khẩu dài", &h).await);
        assert!(!verify_password("mat khau dai", &h).await);
        assert!(!verify_password("mật khẩu dài", "not a hash").await);
    }

    #[tokio::test]
    async fn concurrent_checks_reuse_at_most_two_memory_blocks() {
        let h = hash_password("mật khẩu dài").unwrap();
        let checks = (0..6).map(|i| {
            let h = h.clone();
            tokio::spawn(async move {
                let p = if i % 2 == 0 {
                    "mật khẩu dài"
                } else {
                    "sai"
                };
                (i, verify_password(p, &h).await)
            })
        });
        for c in checks {
            let (i, ok) = c.await.unwrap();
            assert_eq!(ok, i % 2 == 0);
        }
        assert!(ARGON2_MEMORY.lock().unwrap().len() <= ARGON2_RUNS);
    }

    #[test]
    fn logins_are_plain_ascii() {
        assert_eq!(parse_login(" BiThu.KP3 ").unwrap(), "bithu.kp3");
        assert!(parse_login("bí thư").is_err());
        assert!(parse_login("ab").is_err());
    }
}
