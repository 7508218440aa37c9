//! Who is asking: session cookies for people, bearer tokens for programs,
//! and CSRF checks on every state-changing form.

use super::AppState;
use super::error::{ApiError, PageError};
use super::i18n::{Lang, Tr};
use crate::service::{Actor, ServiceError};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, Method, header, request::Parts};
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "chibo_session";
/// Double-submit token for the forms shown before a session exists (login, setup).
pub const PRE_COOKIE: &str = "chibo_pre";
pub const LANG_COOKIE: &str = "lang";
pub const LARGE_COOKIE: &str = "large";

tokio::task_local! {
    /// The account a request was made by, once its credentials were read
    /// (0 until then), so that a refusal can be logged with who was refused.
    pub static CALLER: std::sync::Arc<std::sync::atomic::AtomicI64>;
}

fn note_caller(account_id: i64) {
    let _ = CALLER.try_with(|c| c.store(account_id, std::sync::atomic::Ordering::Relaxed));
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::Vi)
}

/// Where a `next=` or `back=` parameter may send the browser: a path on this
/// site, else `/`. Browsers forgive a lot (they drop tabs and newlines, read
/// `\` as `/`), and a proxy may decode `%2f` once more, so only a plain path
/// is accepted: visible ASCII without backslashes and one leading `/`; and
/// once percent-decoded, however many times, still one leading `/`, with no
/// backslash and no control character.
pub fn local_path(p: &str) -> &str {
    let one_slash = |s: &[u8]| s.first() == Some(&b'/') && !matches!(s.get(1), Some(b'/' | b'\\'));
    let raw = p.as_bytes();
    if !one_slash(raw) || !raw.iter().all(|b| b.is_ascii_graphic() && *b != b'\\') {
        return "/";
    }
    let mut level = percent_decode(raw);
    while level != raw {
        if !one_slash(&level) || level.iter().any(|b| *b == b'\\' || b.is_ascii_control()) {
            return "/";
        }
        let next = percent_decode(&level);
        if next == level {
            break;
        }
        level = next;
    }
    p
}

/// `%XX` escapes decoded once; anything else kept as it is.
fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && let (Some(h), Some(l)) = (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// Equal in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A logged-in person.
#[derive(Debug, Clone)]
pub struct User {
    pub actor: Actor,
    pub session_id: i64,
    pub csrf: String,
    pub tr: Tr,
    pub large: bool,
}

impl User {
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        if same(token, &self.csrf) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }
}

async fn session_user(parts: &Parts, state: &AppState) -> Result<Option<User>, ServiceError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((actor, session_id, csrf)) = state
        .services
        .session_actor(token, state.services.now())
        .await?
    else {
        return Ok(None);
    };
    note_caller(actor.account_id);
    Ok(Some(User {
        actor,
        session_id,
        csrf,
        tr: Tr {
            lang: lang_of(&parts.headers),
        },
        large: cookie(&parts.headers, LARGE_COOKIE) == Some("1"),
    }))
}

impl FromRequestParts<AppState> for User {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match session_user(parts, state).await? {
            Some(u) => Ok(u),
            None => Err(PageError::Login {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/".into(), |p| p.to_string()),
            }),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for User {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(session_user(parts, state).await?)
    }
}

/// A form posted by a logged-in person, accepted only with their CSRF token.
pub struct CsrfForm<T>(pub User, pub T);

#[derive(serde::Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

async fn form_bytes(req: Request) -> Result<(Parts, axum::body::Bytes), PageError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|_| PageError::BadRequest)?;
    Ok((parts, bytes))
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, bytes) = form_bytes(req).await?;
        let user =
            <User as FromRequestParts<AppState>>::from_request_parts(&mut parts, state).await?;
        let t: Token = serde_html_form::from_bytes(&bytes).map_err(|_| PageError::BadRequest)?;
        user.check_csrf(&t.csrf)?;
        refuse_controls(&bytes)?;
        // serde_html_form: repeated keys (one per table row) become lists.
        let value = serde_html_form::from_bytes(&bytes).map_err(|_| PageError::BadRequest)?;
        Ok(Self(user, value))
    }
}

fn refuse_controls(bytes: &[u8]) -> Result<(), PageError> {
    match super::input::in_form(bytes) {
        Some(found) => Err(PageError::Service(found.refusal())),
        None => Ok(()),
    }
}

/// A form posted before login, checked against the pre-session cookie.
pub struct PreForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PreForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, bytes) = form_bytes(req).await?;
        let t: Token = serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::BadRequest)?;
        let expected = cookie(&parts.headers, PRE_COOKIE).unwrap_or_default();
        if expected.is_empty() || !same(&t.csrf, expected) {
            return Err(PageError::Csrf);
        }
        refuse_controls(&bytes)?;
        Ok(Self(
            serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::BadRequest)?,
        ))
    }
}

/// A caller of the JSON API: a bearer token, or a browser session (which must
/// then send its CSRF token in `X-CSRF-Token` for anything but reads).
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        {
            let token = auth.strip_prefix("Bearer ").ok_or(ApiError::Unauthorized)?;
            let actor = state
                .services
                .token_actor(token.trim(), state.services.now())
                .await?
                .ok_or(ApiError::Unauthorized)?;
            note_caller(actor.account_id);
            return Ok(Self(actor));
        }
        let user = session_user(parts, state)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !same(sent, &user.csrf) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(Self(user.actor))
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_redirected_to() {
        for ok in [
            "/",
            "/members?unit=3&q=nguy%E1%BB%85n",
            "/members/5#history",
            "/a%20b",
        ] {
            assert_eq!(local_path(ok), ok);
        }
        for bad in [
            "",
            "members",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/%09/evil.example",
            "/%2f/evil.example",
            "/%2F%2Fevil.example",
            "/%252f/evil.example",
            "/%5cevil.example",
            "/%255cevil.example",
            "/%0d%0aSet-Cookie:x=1",
            "https://evil.example",
            "javascript:alert(1)",
            "\\\\evil.example",
            "/thành-viên",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}
