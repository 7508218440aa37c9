//! HTTP: server-rendered pages (Vietnamese first) and the JSON API.

mod api;
mod assets;
mod auth;
mod chart;
mod concern_view;
mod download;
mod error;
pub mod i18n;
pub mod import_preview;
mod input;
pub mod observe;
mod offline;
mod pages;
mod study_view;
mod task_view;
mod view;
mod view_dash;

use crate::config::Config;
use crate::service::Services;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use api::openapi_json;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub cfg: Arc<Config>,
    /// Wakes the mail sender when notices were queued.
    pub mail: Arc<tokio::sync::Notify>,
    /// A streaming replica some pages may read from.
    pub replica: Option<crate::store::replica::Replica>,
}

impl AppState {
    pub fn mail_kick(&self) {
        self.mail.notify_one();
    }
}

/// The application's routes, with the state they share (the front door,
/// [`observe::front`], serves them once the database is open).
pub fn router(
    services: Services,
    cfg: Config,
    mail: Arc<tokio::sync::Notify>,
    replica: Option<crate::store::replica::Replica>,
) -> (Router, AppState) {
    let upload_limit = cfg.max_upload_bytes;
    let state = AppState {
        services,
        cfg: Arc::new(cfg),
        mail,
        replica,
    };
    let router = Router::new()
        .merge(pages::routes().layer(middleware::from_fn(input::page_queries)))
        .nest("/api/v1", api::routes())
        .route("/api/openapi.json", get(api::openapi))
        .route("/assets/{name}", get(assets::serve))
        .route(
            "/assets/ballot/{version}/{*file}",
            get(assets::serve_ballot),
        )
        .route("/sw.js", get(offline::service_worker))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            observe::route_layer,
        ))
        // The upload handler reports oversize files itself; this is the hard stop.
        .layer(DefaultBodyLimit::max(upload_limit + 64 * 1024))
        .layer(middleware::from_fn_with_state(state.clone(), log_refusals))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            offline::replay,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers_and_language,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        // After the layers: casting a secret ballot is tied to no session
        // (and the front door does not log it: `observe`).
        .merge(api::cast_routes())
        .with_state(state.clone());
    (router, state)
}

/// The path of a secret ballot's cast (`/api/v1/ballots/{id}/cast`).
pub(crate) fn is_cast(path: &str) -> bool {
    path.strip_prefix("/api/v1/ballots/")
        .and_then(|rest| rest.strip_suffix("/cast"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// Logs every refused request (403) of a known account, page or API, read
/// or write, with what was asked; the answer waits for the log's commit.
/// (A refused read of a member record is also logged by the service, on
/// the record.)
async fn log_refusals(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let caller = Arc::new(AtomicI64::new(0));
    let what = format!("{} {}", req.method(), req.uri().path());
    let res = auth::CALLER.scope(caller.clone(), next.run(req)).await;
    let account_id = caller.load(Ordering::Relaxed);
    if res.status() == StatusCode::FORBIDDEN
        && account_id != 0
        && let Err(e) = s
            .services
            .log_refusal(account_id, &what, s.services.now())
            .await
    {
        tracing::error!("refusal not logged: {e}");
    }
    res
}

/// Sets the request's language for error pages and the security headers
/// every response carries (HSTS when served over TLS, `--secure-cookies`),
/// and counts the statements the request sends.
async fn headers_and_language(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let lang = auth::lang_of(req.headers());
    let (mut res, queries) = s
        .services
        .serve(error::LANG.scope(lang, next.run(req)))
        .await;
    let h = res.headers_mut();
    if s.cfg.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if s.cfg.count_queries {
        h.insert("x-chibo-queries", HeaderValue::from(queries));
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    // A page may set its own (the ballot page adds 'wasm-unsafe-eval').
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    res
}
