//! Discipline cases (`ky_luat`): confidential, so under their own path and
//! never in `/api/v1/cases`. Every read is logged.

use super::errors::ApiJson;
use crate::service::cases::CloseForm;
use crate::service::discipline::{
    DisciplineBallotForm, DisciplineLine, DisciplineStepForm, DisciplineView, NewDisciplineForm,
};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Closed cases too.
    #[serde(default)]
    closed: bool,
}

/// The discipline cases the caller may see: those they handle, their own,
/// and those of the cells under the committee they belong to.
#[utoipa::path(get, path = "/api/v1/discipline", tag = "discipline", params(ListParams),
    responses((status = 200, body = Vec<DisciplineLine>)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<DisciplineLine>>, ApiError> {
    Ok(Json(
        s.services
            .discipline_cases(&actor, p.closed, s.services.now())
            .await?,
    ))
}

/// Opens a case on a report or finding; refused past the limitation period.
#[utoipa::path(post, path = "/api/v1/discipline", tag = "discipline", request_body = NewDisciplineForm,
    responses((status = 201, body = DisciplineView), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(f): ApiJson<NewDisciplineForm>,
) -> Result<(StatusCode, Json<DisciplineView>), ApiError> {
    let v = s
        .services
        .open_discipline(&actor, &f, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// One case: its steps, deadlines, the level in force and the lapse.
#[utoipa::path(get, path = "/api/v1/discipline/{id}", tag = "discipline",
    responses((status = 200, body = DisciplineView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_case(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<DisciplineView>, ApiError> {
    Ok(Json(
        s.services
            .discipline_case(&actor, id, s.services.now())
            .await?,
    ))
}

/// Records a step; the vote step takes the level from the case's counted
/// secret ballot. A refusal answers 422 with each rule broken.
#[utoipa::path(post, path = "/api/v1/discipline/{id}/steps", tag = "discipline", request_body = DisciplineStepForm,
    responses((status = 200, body = DisciplineView), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<DisciplineStepForm>,
) -> Result<Json<DisciplineView>, ApiError> {
    Ok(Json(
        s.services
            .record_discipline_step(&actor, id, &f, s.services.now())
            .await?,
    ))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Opened {
    /// The secret ballot (see `/api/v1/ballots/{id}`).
    id: i64,
}

/// Opens the case's secret ballot in the cell's open meeting, every level on
/// one ballot; refused before the self-review and the hearing.
#[utoipa::path(post, path = "/api/v1/discipline/{id}/ballot", tag = "discipline", request_body = DisciplineBallotForm,
    responses((status = 201, body = Opened), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn ballot(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<DisciplineBallotForm>,
) -> Result<(StatusCode, Json<Opened>), ApiError> {
    let id = s
        .services
        .open_discipline_ballot(&actor, id, &f, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Opened { id })))
}

/// Closes a case otherwise than by its steps (withdrawn, death, limitation).
#[utoipa::path(post, path = "/api/v1/discipline/{id}/close", tag = "discipline", request_body = CloseForm,
    responses((status = 200, body = DisciplineView), (status = 422, body = ApiErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<CloseForm>,
) -> Result<Json<DisciplineView>, ApiError> {
    Ok(Json(
        s.services
            .close_discipline(&actor, id, &f, s.services.now())
            .await?,
    ))
}
