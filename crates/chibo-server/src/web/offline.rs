//! The meeting with no connection (issue 12), on the server's side: the
//! service worker that keeps the app shell and the meeting's pages on the
//! phone, and the door changes queued on the phone come back through.
//!
//! A queued change is the very request the page would have sent online,
//! plus the header `X-Chibo-Change` with the key the phone drew for it. It
//! goes to the same handler, so the same rules and conflicts apply; this
//! layer only makes it idempotent (see [`service::offline`]) and answers
//! the phone's queue in a few words instead of a redirect it cannot read.

use super::AppState;
use super::assets;
use super::auth::lang_of;
use super::i18n::Tr;
use crate::service::offline::{self, ChangeKey};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The header a queued change carries its key in.
const CHANGE_HEADER: &str = "x-chibo-change";

/// What became of a queued change, as the phone's queue reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Written now.
    Applied,
    /// Written before (this is a copy): nothing done.
    Seen,
    /// Made from a version that has changed since: refused, shown to the
    /// person, never written over the other.
    Conflict,
    /// Refused by the rules (the message says why); not retried.
    Refused,
    /// The session has ended: kept on the phone until the person logs in.
    LogIn,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Seen => "seen",
            Self::Conflict => "conflict",
            Self::Refused => "refused",
            Self::LogIn => "login",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::Applied | Self::Seen => StatusCode::OK,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Refused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::LogIn => StatusCode::UNAUTHORIZED,
        }
    }
}

/// What a page's answer to a change means: its redirect says `?err=CODE`
/// when the rules refused it (`minutes-conflict` for a stale edit).
fn outcome_of(res: &Response) -> (Outcome, Option<String>) {
    let status = res.status();
    if status == StatusCode::CONFLICT {
        return (Outcome::Conflict, Some("minutes-conflict".into()));
    }
    if status.is_client_error() {
        return (Outcome::Refused, None);
    }
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    if location.starts_with("/login") {
        return (Outcome::LogIn, None);
    }
    let err = location.split_once('?').and_then(|(_, q)| {
        form_urlencoded::parse(q.split('#').next().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "err")
            .map(|(_, v)| v.into_owned())
    });
    match err {
        Some(e) if e == "minutes-conflict" => (Outcome::Conflict, Some(e)),
        Some(e) => (Outcome::Refused, Some(e)),
        None => (Outcome::Applied, None),
    }
}

/// Applies a queued change once: a copy of a change already received is
/// answered "seen" without reaching its handler.
pub async fn replay(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let Some(raw) = req.headers().get(CHANGE_HEADER) else {
        return next.run(req).await;
    };
    if req.method() != Method::POST || !req.uri().path().starts_with("/meetings/") {
        return next.run(req).await;
    }
    let Some(key) = raw.to_str().ok().and_then(ChangeKey::parse) else {
        return (StatusCode::BAD_REQUEST, "X-Chibo-Change").into_response();
    };
    let tr = Tr {
        lang: lang_of(req.headers()),
    };
    let answer = |o: Outcome, code: Option<String>| {
        let message = code.filter(|c| tr.has(c)).map(|c| tr.t(&c));
        (
            o.status(),
            axum::Json(serde_json::json!({"outcome": o.code(), "message": message})),
        )
            .into_response()
    };
    match s.services.change_received(&key).await {
        Ok(true) => return answer(Outcome::Seen, None),
        Ok(false) => {}
        Err(e) => {
            tracing::error!("change receipt not read: {e}");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    let (res, kept) = offline::as_change(key.clone(), next.run(req)).await;
    if res.status().is_server_error() {
        // Not applied: the phone keeps the change and sends it again later.
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let (outcome, code) = outcome_of(&res);
    // A copy sent at the same time was applied first: this one did nothing.
    if outcome != Outcome::Applied
        && !kept
        && matches!(s.services.change_received(&key).await, Ok(true))
    {
        return answer(Outcome::Seen, None);
    }
    answer(outcome, code)
}

/// The service worker's source, with the app shell's URLs of this build.
fn worker() -> &'static str {
    static W: OnceLock<String> = OnceLock::new();
    W.get_or_init(|| {
        let shell: Vec<String> = ["app.css", "app.js", "htmx.js", "favicon.svg"]
            .into_iter()
            .map(assets::url)
            .collect();
        let shell = serde_json::to_string(&shell).unwrap_or_default();
        let source = include_str!("assets/sw.js").replace("\"__SHELL__\"", &shell);
        let version: String = Sha256::digest(source.as_bytes())
            .iter()
            .take(5)
            .map(|b| format!("{b:02x}"))
            .collect();
        source.replace("__VERSION__", &version)
    })
}

/// `/sw.js`: served from the root so its scope is the whole site; never
/// cached by HTTP, so a new build's worker replaces the old one.
pub async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        worker(),
    )
        .into_response()
}
