//! The operator's side of HTTP: the front door that is up from the first
//! second to the last (health, readiness, metrics), a request id on every
//! log line of a request and on its answer, the request counters, and the
//! choice of the replica for the pages that may read from it.

use super::AppState;
use crate::lifecycle::{Life, Phase};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tower::ServiceExt;
use tracing::Instrument;

tokio::task_local! {
    /// The id of the request being answered.
    static REQUEST_ID: Arc<str>;
}

/// The id of the request being answered, for error pages.
pub fn request_id() -> Option<Arc<str>> {
    REQUEST_ID.try_with(Arc::clone).ok()
}

/// The header that carries the id both ways.
const REQUEST_ID_HEADER: &str = "x-request-id";
/// The cookie that holds the primary's WAL position after a person's last write.
const LSN_COOKIE: &str = "chibo_lsn";

/// Pages that may be read from a replica: aggregates over many cells and
/// feeds that calendar apps poll. A page shown right after its reader's own
/// write is read from the primary all the same (see [`route_layer`]).
const REPLICA_ROUTES: &[&str] = &[
    "/dashboard",
    "/rollup/{file}",
    "/calendar/{file}",
    "/api/v1/units/{id}/dashboard",
    "/api/v1/units/{id}/cell-table",
];

/// The route template an answer came from, for the counters.
#[derive(Clone)]
struct Route(Arc<str>);

/// What the front door needs: the phase, and the application once it is open.
#[derive(Clone)]
pub struct Front {
    pub life: Life,
    pub app: Arc<OnceLock<(Router, AppState)>>,
    /// `/metrics` on the main listener needs this bearer token (None: not there).
    pub metrics_token: Option<Arc<str>>,
}

impl Front {
    pub fn new(life: Life, metrics_token: Option<String>) -> Self {
        Self {
            life,
            app: Arc::default(),
            metrics_token: metrics_token.map(Arc::from),
        }
    }

    fn state(&self) -> Option<&AppState> {
        self.app.get().map(|(_, s)| s)
    }
}

/// The main listener's router: health and readiness always, metrics behind
/// the token, and the application once it is open (503 before).
pub fn front(f: Front) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_with_token))
        .fallback(application)
        .layer(middleware::from_fn_with_state(f.clone(), observe))
        .with_state(f)
}

/// The separate metrics listener: no token (bind it where only the
/// monitoring network reaches).
pub fn metrics_only(f: Front) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(f)
}

async fn application(State(f): State<Front>, req: Request) -> Response {
    match f.app.get() {
        Some((router, _)) => match router.clone().oneshot(req).await {
            Ok(res) => res,
            Err(never) => match never {},
        },
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "chibo is starting / chibo đang khởi động",
        )
            .into_response(),
    }
}

async fn readyz(State(f): State<Front>) -> Response {
    let phase = f.life.get();
    if phase != Phase::Ready {
        return (StatusCode::SERVICE_UNAVAILABLE, phase.as_str()).into_response();
    }
    let Some(s) = f.state() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "starting").into_response();
    };
    match s.services.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!("readyz: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics_with_token(State(f): State<Front>, headers: HeaderMap) -> Response {
    let Some(token) = &f.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    metrics(State(f)).await
}

async fn metrics(State(f): State<Front>) -> Response {
    let Some(s) = f.state() else {
        return (StatusCode::SERVICE_UNAVAILABLE, f.life.get().as_str()).into_response();
    };
    let body = s
        .services
        .metrics
        .render(&s.services, f.life.get() == Phase::Ready)
        .await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Compares secrets in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The id a load balancer or proxy gave the request, if it is a sane one;
/// else a new one, short enough for a secretary to read out.
fn request_id_of(headers: &HeaderMap) -> Arc<str> {
    let given = headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    match given {
        Some(v) => Arc::from(v),
        None => {
            let n: u64 = rand::random();
            Arc::from(format!("{:012x}", n >> 16))
        }
    }
}

/// Every request: its id (task-local, on its log lines and its answer),
/// one log line when it ends, and its counters.
async fn observe(State(f): State<Front>, req: Request, next: Next) -> Response {
    // A secret ballot's cast leaves no log line, counter or timing that
    // could be set beside who was issued a ballot when (design test S3).
    if crate::web::is_cast(req.uri().path()) {
        return next.run(req).await;
    }
    let id = request_id_of(req.headers());
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.uri().path());
    let started = Instant::now();
    let mut res = REQUEST_ID
        .scope(id.clone(), next.run(req))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let route = match res.extensions().get::<Route>() {
        Some(r) => r.0.clone(),
        None if res.status() == StatusCode::NOT_FOUND => Arc::from("unmatched"),
        // The front door's own routes, and 503 while starting.
        None => Arc::from("front"),
    };
    let status = res.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            route = %route,
            status,
            ms = elapsed.as_secs_f64() * 1000.0,
            "answered"
        );
    });
    if let Some(s) = f.state() {
        let m = &s.services.metrics;
        m.requests
            .get_or_create(&crate::metrics::RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        m.latency
            .get_or_create(&crate::metrics::RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(elapsed.as_secs_f64());
        if status == StatusCode::TOO_MANY_REQUESTS.as_u16() && route.as_ref() == "/login" {
            m.login_throttled.inc();
        }
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    res
}

/// Added to the application's routes (where the route template is known):
/// records the template for [`observe`], runs the pages that may read from
/// the replica there, and after a write remembers where the primary stood.
pub async fn route_layer(
    State(s): State<AppState>,
    path: Option<MatchedPath>,
    req: Request,
    next: Next,
) -> Response {
    let route: Arc<str> = Arc::from(path.as_ref().map_or("unmatched", MatchedPath::as_str));
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD);
    let mut res = match replica_for(&s, &route, &req) {
        Some(pool) => {
            s.services.metrics.replica_reads.inc();
            crate::store::replica::reading_from(pool, next.run(req)).await
        }
        None => next.run(req).await,
    };
    if writes && s.replica.is_some() {
        match s.services.db.primary_lsn().await {
            Ok(Some(lsn)) => {
                let secure = if s.cfg.secure_cookies { "; Secure" } else { "" };
                let cookie = format!(
                    "{LSN_COOKIE}={lsn}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax{secure}"
                );
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("primary WAL position: {e}"),
        }
    }
    res.extensions_mut().insert(Route(route));
    res
}

/// The replica's pool, if this request may read there: a page of
/// [`REPLICA_ROUTES`], read by a browser (API clients carry no write
/// position), and a replica that has replayed the reader's last write.
fn replica_for(s: &AppState, route: &str, req: &Request) -> Option<sqlx::PgPool> {
    let replica = s.replica.as_ref()?;
    if req.method() != Method::GET
        || !REPLICA_ROUTES.contains(&route)
        || req.headers().contains_key(header::AUTHORIZATION)
    {
        return None;
    }
    let after = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == LSN_COOKIE)
        .and_then(|(_, v)| v.parse::<i64>().ok());
    replica.serves(after).then(|| replica.pool.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_incoming_id_is_kept_and_anything_else_replaced() {
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID_HEADER, HeaderValue::from_static("lb-7f3a.12"));
        assert_eq!(&*request_id_of(&h), "lb-7f3a.12");
        h.insert(
            REQUEST_ID_HEADER,
            HeaderValue::from_static("<script>alert(1)</script>"),
        );
        let new = request_id_of(&h);
        assert_eq!(new.len(), 12);
        assert!(new.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
