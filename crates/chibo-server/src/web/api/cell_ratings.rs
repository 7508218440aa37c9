//! The cells' own ratings in an evaluation round (form 01-HD KĐ.ĐG): the
//! collective self-review with the records' figures, the conference's
//! proposal, the upper committee's decisions and announcement.

use super::errors::ApiJson;
use crate::service::cell_ratings::{
    CellDecisionsForm, CellProposalForm, CellRatingList, CellRatingView, CellReviewForm,
};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct UnitParams {
    /// The unit: a committee for every cell under it, or one cell.
    unit: i64,
}

/// The round's cell ratings under a unit: the upper committee's queue.
#[utoipa::path(get, path = "/api/v1/evaluations/rounds/{id}/cells", tag = "evaluations", params(UnitParams),
    responses((status = 200, body = CellRatingList), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<UnitParams>,
) -> Result<Json<CellRatingList>, ApiError> {
    Ok(Json(s.services.cell_ratings(&actor, id, p.unit).await?))
}

/// A cell's rating: the figures of chibo's records (as submitted once the
/// report is in), the report, the best tier the engine allows, the
/// proposal and the decision.
#[utoipa::path(get, path = "/api/v1/evaluations/rounds/{id}/cells/{cell}", tag = "evaluations",
    responses((status = 200, body = CellRatingView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_rating(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, cell)): Path<(i64, i64)>,
) -> Result<Json<CellRatingView>, ApiError> {
    Ok(Json(
        s.services
            .cell_rating(&actor, id, cell, s.services.now())
            .await?,
    ))
}

/// The cell's collective self-review (form 01), by its committee. Refused
/// for a tier the points, the tasks or a disciplined committee member
/// forbid, citing the rule.
#[utoipa::path(post, path = "/api/v1/evaluations/rounds/{id}/cells/{cell}/self-review", tag = "evaluations",
    request_body = CellReviewForm,
    responses((status = 200, body = CellRatingView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn self_review(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, cell)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<CellReviewForm>,
) -> Result<Json<CellRatingView>, ApiError> {
    let now = s.services.now();
    s.services
        .submit_cell_review(&actor, (id, cell), &f, now)
        .await?;
    Ok(Json(s.services.cell_rating(&actor, id, cell, now).await?))
}

/// The tier the cell's conference proposes, with its closed vote.
#[utoipa::path(post, path = "/api/v1/evaluations/rounds/{id}/cells/{cell}/proposal", tag = "evaluations",
    request_body = CellProposalForm,
    responses((status = 200, body = CellRatingView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn proposal(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, cell)): Path<(i64, i64)>,
    ApiJson(f): ApiJson<CellProposalForm>,
) -> Result<Json<CellRatingView>, ApiError> {
    let now = s.services.now();
    s.services
        .propose_cell_tier(&actor, (id, cell), &f, now)
        .await?;
    Ok(Json(s.services.cell_rating(&actor, id, cell, now).await?))
}

/// The upper committee's decisions on its cells: each approves the cell's
/// proposal (tier empty) or changes it with a reason. All or none.
#[utoipa::path(post, path = "/api/v1/evaluations/rounds/{id}/cell-decisions", tag = "evaluations",
    request_body = CellDecisionsForm, params(UnitParams),
    responses((status = 200, body = CellRatingList), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<UnitParams>,
    ApiJson(f): ApiJson<CellDecisionsForm>,
) -> Result<Json<CellRatingList>, ApiError> {
    s.services
        .decide_cell_tiers(&actor, id, &f, s.services.now())
        .await?;
    Ok(Json(s.services.cell_ratings(&actor, id, p.unit).await?))
}

/// The upper committee announces the decided cell ratings under a unit,
/// closing their cases.
#[utoipa::path(post, path = "/api/v1/evaluations/rounds/{id}/cell-announcement", tag = "evaluations",
    params(UnitParams),
    responses((status = 200, body = CellRatingList), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn announce(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<UnitParams>,
) -> Result<Json<CellRatingList>, ApiError> {
    s.services
        .announce_cell_tiers(&actor, id, p.unit, s.services.now())
        .await?;
    Ok(Json(s.services.cell_ratings(&actor, id, p.unit).await?))
}
