//! Cases (hồ sơ) on the procedure model: admission (`ket_nap`) and
//! recognition (`cong_nhan_chinh_thuc`); later kinds join the same path.

use super::errors::ApiJson;
use crate::service::cases::CandidateRow;
use crate::service::cases::{CaseDecision, CaseDetail, CloseForm, NewCase, StepForm};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct CaseParams {
    /// The unit: a cell, or a đảng bộ for every cell under it.
    unit: i64,
    /// Closed cases too.
    #[serde(default)]
    closed: bool,
}

/// The cases of the cells under a unit, each with its steps and next deadline.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseParams),
    responses((status = 200, body = Vec<CaseDetail>), (status = 403, body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<CaseParams>,
) -> Result<Json<Vec<CaseDetail>>, ApiError> {
    let (_, cases) = s
        .services
        .cases_under(&actor, p.unit, p.closed, s.services.now())
        .await?;
    Ok(Json(cases))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct QueueParams {
    /// The upper committee's unit.
    unit: i64,
}

/// Cases waiting for the upper committee's decision, the earliest deadline first.
#[utoipa::path(get, path = "/api/v1/cases/queue", tag = "cases", params(QueueParams),
    responses((status = 200, body = Vec<CaseDetail>), (status = 403, body = ApiErrorBody)))]
pub async fn queue(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<QueueParams>,
) -> Result<Json<Vec<CaseDetail>>, ApiError> {
    let (_, cases) = s
        .services
        .approval_queue(&actor, p.unit, s.services.now())
        .await?;
    Ok(Json(cases))
}

/// Opens a case: proposes a candidate (`ket_nap`), or opens the recognition
/// of a probationary member admitted before chibo kept cases.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = CaseDetail), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewCase>,
) -> Result<(StatusCode, Json<CaseDetail>), ApiError> {
    let d = s.services.open_case(&actor, &b, s.services.now()).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    responses((status = 200, body = CaseDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_case(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(
        s.services.case_detail(&actor, id, s.services.now()).await?,
    ))
}

/// A candidate's personal data (each read is logged).
#[utoipa::path(get, path = "/api/v1/candidates/{id}", tag = "cases",
    responses((status = 200, body = CandidateRow), (status = 403, body = ApiErrorBody)))]
pub async fn get_candidate(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CandidateRow>, ApiError> {
    Ok(Json(
        s.services
            .read_candidate(&actor, id, s.services.now())
            .await?,
    ))
}

/// Records a step. Every rule is checked first; a refusal answers 422 with
/// each rule broken (its code and the rule cited) and writes nothing.
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", request_body = StepForm,
    responses((status = 200, body = CaseDetail), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<StepForm>,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(
        s.services
            .record_step(&actor, id, &f, s.services.now())
            .await?,
    ))
}

/// Closes a case with an outcome other than completion, with its reason.
#[utoipa::path(post, path = "/api/v1/cases/{id}/close", tag = "cases", request_body = CloseForm,
    responses((status = 200, body = CaseDetail), (status = 422, body = ApiErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<CloseForm>,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(
        s.services
            .close_case(&actor, id, &f, s.services.now())
            .await?,
    ))
}

/// The upper committee's acts other than recording its steps: extend a
/// deadline, approve a candidate over the age limit, ask the cell for more.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decisions", tag = "cases", request_body = CaseDecision,
    responses((status = 200, body = CaseDetail), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(d): ApiJson<CaseDecision>,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(
        s.services
            .decide_case(&actor, id, &d, s.services.now())
            .await?,
    ))
}
