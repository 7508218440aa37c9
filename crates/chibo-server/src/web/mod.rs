//! HTTP: server-rendered pages (Vietnamese first) and the JSON API.

mod api;
mod assets;
mod auth;
mod chart;
mod error;
pub mod i18n;
pub mod import_preview;
mod pages;
mod task_view;
mod view;
mod view_dash;

use crate::config::Config;
use crate::service::Services;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi_json;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub cfg: Arc<Config>,
    /// Wakes the mail sender when notices were queued.
    pub mail: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn mail_kick(&self) {
        self.mail.notify_one();
    }
}

pub fn router(services: Services, cfg: Config, mail: Arc<tokio::sync::Notify>) -> Router {
    let upload_limit = cfg.max_upload_bytes;
    let state = AppState {
        services,
        cfg: Arc::new(cfg),
        mail,
    };
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .route("/api/openapi.json", get(api::openapi))
        .route("/assets/{name}", get(assets::serve))
        .route(
            "/assets/ballot/{version}/{*file}",
            get(assets::serve_ballot),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        // The upload handler reports oversize files itself; this is the hard stop.
        .layer(DefaultBodyLimit::max(upload_limit + 64 * 1024))
        .layer(middleware::from_fn(headers_and_language))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
        // After the layers: casting a secret ballot is neither traced nor
        // tied to a session.
        .merge(api::cast_routes())
        .with_state(state)
}

async fn readyz(State(s): State<AppState>) -> Response {
    match s.services.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!("readyz: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Sets the request's language for error pages and the security headers
/// every response carries.
async fn headers_and_language(req: Request, next: Next) -> Response {
    let lang = auth::lang_of(req.headers());
    let mut res = error::LANG.scope(lang, next.run(req)).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    res
}
