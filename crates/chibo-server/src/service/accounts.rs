//! Accounts, passwords, sessions, API tokens and the first-admin setup link.

use super::{Actor, Result, ServiceError, Services};
use crate::model::{Problem, Problems, Role, nfc};
use crate::store::{self, audit};
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Shortest password accepted (NIST SP 800-63B's floor for user-chosen secrets).
const MIN_PASSWORD_CHARS: usize = 8;

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
        let account = self
            .db
            .read(async |r| {
                let (by_login, by_address) =
                    store::sessions::failures(r, &login, address, now - throttle.window).await?;
                if by_login >= throttle.per_login || by_address >= throttle.per_address {
                    return Err(ServiceError::Throttled);
                }
                Ok(store::accounts::by_login(r, &login).await?)
            })
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
        let mut tx = self.db.begin().await?;
        let Some(account) = account.filter(|_| ok) else {
            store::sessions::record_failure(&mut tx, &login, address, now).await?;
            tx.commit().await?;
            return Err(ServiceError::BadCredentials);
        };
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
        tx.commit().await?;
        Ok(())
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
        tx.commit().await?;
        Ok(n)
    }

    /// Creates an account; `actor` is None only for the first admin (setup
    /// link or the `chibo user add` command run on the server itself).
    pub async fn create_account(
        &self,
        actor: Option<&Actor>,
        a: &NewAccount<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut problems = Problems::default();
        let login = problems.take(parse_login(a.login));
        let taken = self
            .db
            .read(async |r| {
                if let Some(actor) = actor {
                    let allowed = match a.org_id {
                        Some(org) => {
                            let org = super::org(r, org).await?;
                            actor.can_manage(&org)
                                && actor.role_at(&org.path).is_some_and(|x| x >= a.role)
                                || actor.role_at(&org.path).is_some_and(|x| x >= Role::Upper)
                        }
                        None => actor.is_admin(),
                    };
                    if !allowed {
                        return Err(ServiceError::Forbidden);
                    }
                }
                Ok(match &login {
                    Some(l) => store::accounts::by_login(r, l).await?.is_some(),
                    None => false,
                })
            })
            .await?;
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
        let login = login.expect("checked");
        let hash = hash_new_password(a.password).await?;
        let mut tx = self.db.begin().await?;
        let id = store::accounts::insert(&mut tx, &login, &name, &hash, a.member_id, now).await?;
        let org = if a.role == Role::Admin {
            None
        } else {
            a.org_id
        };
        store::accounts::grant(&mut tx, id, org, a.role.as_str()).await?;
        audit::append(
            &mut tx,
            &audit::NewEntry {
                chain_id: 0,
                account_id: actor.map(|a| a.account_id),
                actor: &actor.map_or_else(|| "setup".to_string(), Actor::audit_name),
                action: "account.create",
                entity: "account",
                entity_id: Some(id),
                summary: &json!({"login": login, "role": a.role.as_str(), "org_id": org, "member_id": a.member_id}),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
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
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_account_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let grants = self
            .db
            .read(async |r| store::accounts::grants(r, id).await)
            .await?;
        let allowed = grants
            .iter()
            .all(|g| actor.role_at(&g.path).is_some_and(|r| r >= Role::BiThu));
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
        tx.commit().await?;
        Ok(())
    }

    /// Issues a bearer token for `/api/v1`; only its hash is kept.
    pub async fn issue_api_token(
        &self,
        account_id: i64,
        issued_by: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let token = format!("chibo_{}", random_token());
        let mut tx = self.db.begin().await?;
        store::accounts::add_api_token(&mut tx, account_id, &token_hash(&token), now).await?;
        audit::append(
            &mut tx,
            &audit::NewEntry {
                chain_id: 0,
                account_id: Some(account_id),
                actor: issued_by,
                action: "account.api_token",
                entity: "account",
                entity_id: Some(account_id),
                summary: &json!({}),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
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

    pub async fn complete_setup(
        &self,
        token: &str,
        login: &str,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        if !self.setup_token_valid(token, now).await? {
            return Err(ServiceError::Forbidden);
        }
        let id = self
            .create_account(
                None,
                &NewAccount {
                    login,
                    display_name: name,
                    password,
                    role: Role::Admin,
                    org_id: None,
                    member_id: None,
                },
                now,
            )
            .await?;
        let mut tx = self.db.begin().await?;
        store::accounts::take_setup_token(&mut tx, &token_hash(token), now).await?;
        tx.commit().await?;
        Ok(id)
    }
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
