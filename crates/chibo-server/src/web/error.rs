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

pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Forbidden => StatusCode::FORBIDDEN,
        ServiceError::Invalid(_) | ServiceError::Sheet(_) | ServiceError::Ballot(..) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::Stale => StatusCode::CONFLICT,
        ServiceError::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::BadCredentials => StatusCode::UNAUTHORIZED,
        ServiceError::Store(e) if e.is_disk_full() => StatusCode::INSUFFICIENT_STORAGE,
        ServiceError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn code_of(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::NotFound => "not_found",
        ServiceError::Forbidden => "forbidden",
        ServiceError::Invalid(_) => "invalid",
        ServiceError::Stale => "stale",
        ServiceError::Throttled => "throttled",
        ServiceError::BadCredentials => "bad_credentials",
        ServiceError::Busy => "busy",
        ServiceError::Sheet(s) => s.code(),
        ServiceError::Ballot(code, _) => code,
        ServiceError::Store(e) if e.is_disk_full() => "storage_full",
        ServiceError::Store(_) => "internal",
    }
}

fn log(e: &ServiceError) {
    if let ServiceError::Store(inner) = e {
        tracing::error!("internal error: {inner}");
    }
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
        (status, ErrorPage::new(tr, message)).into_response()
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
        };
        (status, Json(body)).into_response()
    }
}
