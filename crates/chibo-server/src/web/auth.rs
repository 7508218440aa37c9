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
        // serde_html_form: repeated keys (one per table row) become lists.
        let value = serde_html_form::from_bytes(&bytes).map_err(|_| PageError::BadRequest)?;
        Ok(Self(user, value))
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
                .token_actor(token.trim())
                .await?
                .ok_or(ApiError::Unauthorized)?;
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
