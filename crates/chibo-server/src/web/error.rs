//! Errors at the edge: the service's typed errors become HTTP statuses, a
//! translated page for people and `{code, message}` JSON for programs.
//! Internal errors are logged, never shown.

use super::i18n::{Lang, Tr};
use super::view::ErrorPage;
use crate::service::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

tokio::task_local! {
    /// The language of the request being answered (set by middleware).
    pub static LANG: Lang;
}

pub fn current_tr() -> Tr {
    Tr {
        lang: LANG.try_with(|l| *l).unwrap_or(Lang::Vi),
    }
}

#[derive(Debug)]
pub enum PageError {
    Service(ServiceError),
    /// Not logged in: go to the login page and come back.
    Login {
        next: String,
    },
    Csrf,
    BadRequest,
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

/// Problem codes that refuse a well-formed request because of the record's
/// current state (a closed meeting, a taken login): 409 Conflict, not 422,
/// since the same request may be right another time or on another record.
const STATE_CONFLICTS: &[&str] = &[
    "card_no.duplicate",
    "national_id.duplicate",
    "login.taken",
    "org_code.duplicate",
    "post.overlap",
    "org_kind.placement",
    "post.member_elsewhere",
    "status.transition",
    "status.before_last",
    "meeting.closed",
    "meeting.not_open",
    "meeting.not_closed",
    "meeting.vote_open",
    "minutes.locked",
    "vote.closed",
    "vote.already",
    "vote.not_eligible",
    "resolution.missing",
    "resolution.vote_not_passed",
    "resolution.adopted",
    "task.closed",
    "task.stale",
    "member.stale",
    "report.exists",
    "report.issued",
    "report.future",
    "meeting.in_past",
];

/// Problem codes that name a record which does not exist where the request
/// says (a unit that is not a cell, a group of another cell): 404.
const MISSING_REFERENCES: &[&str] = &["dashboard.not_cell", "group.unknown", "member.unknown"];

fn is_missing(ps: &crate::model::Problems) -> bool {
    ps.0.iter().any(|p| MISSING_REFERENCES.contains(&p.code))
}

/// Whether every problem is about the record's state, not the request.
fn is_conflict(ps: &crate::model::Problems) -> bool {
    !ps.is_empty() && ps.0.iter().all(|p| STATE_CONFLICTS.contains(&p.code))
}

pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Forbidden => StatusCode::FORBIDDEN,
        ServiceError::Invalid(ps) if is_missing(ps) => StatusCode::NOT_FOUND,
        ServiceError::Invalid(ps) if is_conflict(ps) => StatusCode::CONFLICT,
        ServiceError::Invalid(_) | ServiceError::Sheet(_) | ServiceError::Ballot(..) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::Stale => StatusCode::CONFLICT,
        ServiceError::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::BadCredentials => StatusCode::UNAUTHORIZED,
        ServiceError::Store(e) if e.is_disk_full() => StatusCode::INSUFFICIENT_STORAGE,
        ServiceError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::Store(s) if s.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn code_of(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::NotFound => "not_found",
        ServiceError::Forbidden => "forbidden",
        ServiceError::Invalid(ps) if is_missing(ps) => "not_found",
        ServiceError::Invalid(ps) if is_conflict(ps) => "conflict",
        ServiceError::Invalid(_) => "invalid",
        ServiceError::Stale => "stale",
        ServiceError::Throttled => "throttled",
        ServiceError::BadCredentials => "bad_credentials",
        ServiceError::Busy => "busy",
        ServiceError::Sheet(s) => s.code(),
        ServiceError::Ballot(code, _) => code,
        ServiceError::Store(e) if e.is_disk_full() => "storage_full",
        ServiceError::Store(s) if s.is_unavailable() => "unavailable",
        ServiceError::Store(_) => "internal",
    }
}

/// How long a client should wait before retrying a request the database
/// could not serve.
const RETRY_AFTER_SECS: &str = "30";

fn log(e: &ServiceError) {
    match e {
        ServiceError::Store(inner) if inner.is_unavailable() => {
            tracing::error!("database unavailable: {inner}");
        }
        ServiceError::Store(inner) => tracing::error!("internal error: {inner}"),
        _ => {}
    }
}

/// Adds `Retry-After` to an answer that says the service is unavailable.
fn with_retry_after(mut res: Response) -> Response {
    if res.status() == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    res
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let tr = current_tr();
        let (status, message) = match &self {
            Self::Service(e) => {
                log(e);
                (status_of(e), tr.service_error(e))
            }
            Self::Login { next } => {
                let to = format!("/login?next={}", super::view::urlencode(next));
                return Redirect::to(&to).into_response();
            }
            Self::Csrf => (StatusCode::FORBIDDEN, tr.t("error-csrf")),
            Self::BadRequest => (StatusCode::BAD_REQUEST, tr.t("error-invalid")),
        };
        with_retry_after((status, ErrorPage::new(tr, message)).into_response())
    }
}

/// The JSON API's error body.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// Stable machine-readable code, e.g. `invalid`, `forbidden`.
    pub code: String,
    /// Human-readable message in the request's language.
    pub message: String,
    /// Field problems, for `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ApiProblem>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub enum ApiError {
    Service(ServiceError),
    Unauthorized,
    Csrf,
    /// The request itself could not be read (its body, path or query), with
    /// what the parser said.
    Request {
        status: StatusCode,
        code: &'static str,
        detail: String,
    },
}

impl ApiError {
    /// The stable code and translated message of a request that could not be
    /// read, by its status.
    pub fn request(status: StatusCode, detail: impl Into<String>) -> Self {
        let code = match status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::REQUEST_TIMEOUT => "timeout",
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        Self::Request {
            status,
            code,
            detail: detail.into(),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let tr = current_tr();
        let (status, body) = match self {
            Self::Service(e) => {
                log(&e);
                let problems = match &e {
                    ServiceError::Invalid(ps) => {
                        ps.0.iter()
                            .map(|p| ApiProblem {
                                field: p.field.into(),
                                code: p.code.into(),
                                message: tr.problem(p),
                            })
                            .collect()
                    }
                    _ => vec![],
                };
                (
                    status_of(&e),
                    ApiErrorBody {
                        code: code_of(&e).into(),
                        message: tr.service_error(&e),
                        problems,
                    },
                )
            }
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ApiErrorBody {
                    code: "unauthorized".into(),
                    message: tr.t("error-unauthorized"),
                    problems: vec![],
                },
            ),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                ApiErrorBody {
                    code: "csrf".into(),
                    message: tr.t("error-csrf"),
                    problems: vec![],
                },
            ),
            Self::Request {
                status,
                code,
                detail,
            } => {
                let text = tr.t(&format!("error-request-{}", code.replace('_', "-")));
                let detail = detail.trim();
                (
                    status,
                    ApiErrorBody {
                        code: code.into(),
                        message: if detail.is_empty() {
                            text
                        } else {
                            format!("{text} ({detail})")
                        },
                        problems: vec![],
                    },
                )
            }
        };
        with_retry_after((status, Json(body)).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_conflict_code_is_a_known_problem() {
        for code in STATE_CONFLICTS.iter().chain(MISSING_REFERENCES) {
            let key = format!("problem-{}", code.replace('.', "-"));
            assert!(
                Tr::vi().has(&key) && (Tr { lang: Lang::En }).has(&key),
                "{code}"
            );
        }
    }

    #[test]
    fn every_request_code_has_a_message() {
        for status in [400, 404, 405, 408, 413, 415, 422, 500, 418] {
            let e = ApiError::request(StatusCode::from_u16(status).unwrap(), "");
            let ApiError::Request { code, .. } = e else {
                unreachable!()
            };
            let key = format!("error-request-{}", code.replace('_', "-"));
            assert!(
                Tr::vi().has(&key) && (Tr { lang: Lang::En }).has(&key),
                "{key}"
            );
        }
    }
}
