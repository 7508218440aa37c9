//! The annual evaluation (QĐ 366-QĐ/TW): rounds opened by an upper
//! committee, each member's self-review, the cell's proposals, the upper
//! committee's decisions, the summary list and a member's rating history.

use super::errors::ApiJson;
use crate::service::evaluations::{
    DecisionsForm, EvaluationView, ProposalForm, RatingLine, RoundForm, RoundSummary,
    SelfReviewForm,
};
use crate::store::evaluations::RoundRow;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct UnitParams {
    /// The unit: a cell, or a committee for every cell under it.
    unit: i64,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewRound {
    /// The upper committee opening the round for its cells.
    unit_id: i64,
    #[serde(flatten)]
    round: RoundForm,
}

/// Opens a round for a year (or a quarter): a case per member of every cell
/// under the committee; exempt members are listed, not rated.
#[utoipa::path(post, path = "/api/v1/evaluations/rounds", tag = "evaluations", request_body = NewRound,
    responses((status = 201, body = RoundSummary), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn open_round(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewRound>,
) -> Result<(StatusCode, Json<RoundSummary>), ApiError> {
    let now = s.services.now();
    let id = s
        .services
        .open_evaluation_round(&actor, b.unit_id, &b.round, now)
        .await?;
    let summary = s.services.round_summary(&actor, id, b.unit_id).await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// The rounds opened by the unit or by the committees above it.
#[utoipa::path(get, path = "/api/v1/evaluations/rounds", tag = "evaluations", params(UnitParams),
    responses((status = 200, body = Vec<RoundRow>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn rounds(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<UnitParams>,
) -> Result<Json<Vec<RoundRow>>, ApiError> {
    Ok(Json(s.services.evaluation_rounds(&actor, p.unit).await?))
}

/// The summary list of a round under a unit, with the totals by tier and
/// the HTXS quota.
#[utoipa::path(get, path = "/api/v1/evaluations/rounds/{id}", tag = "evaluations", params(UnitParams),
    responses((status = 200, body = RoundSummary), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<UnitParams>,
) -> Result<Json<RoundSummary>, ApiError> {
    Ok(Json(s.services.round_summary(&actor, id, p.unit).await?))
}

/// The upper committee's decisions: each approves the cell's proposal (tier
/// empty) or changes it with a reason. All are written, or none.
#[utoipa::path(post, path = "/api/v1/evaluations/rounds/{id}/decisions", tag = "evaluations",
    request_body = DecisionsForm, params(UnitParams),
    responses((status = 200, body = RoundSummary), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<UnitParams>,
    ApiJson(f): ApiJson<DecisionsForm>,
) -> Result<Json<RoundSummary>, ApiError> {
    s.services
        .decide_tiers(&actor, id, &f, s.services.now())
        .await?;
    Ok(Json(s.services.round_summary(&actor, id, p.unit).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Announce {
    /// The cell whose decided tiers are announced.
    cell_id: i64,
}

/// The cell announces its decided tiers: each case's last step, closing it.
#[utoipa::path(post, path = "/api/v1/evaluations/rounds/{id}/announce", tag = "evaluations",
    request_body = Announce,
    responses((status = 200, body = RoundSummary), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn announce(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Announce>,
) -> Result<Json<RoundSummary>, ApiError> {
    s.services
        .announce_tiers(&actor, id, b.cell_id, s.services.now())
        .await?;
    Ok(Json(s.services.round_summary(&actor, id, b.cell_id).await?))
}

/// One member's evaluation: the form, the criteria, the evidence from
/// chibo's records, and the best tier the engine allows.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "evaluations",
    responses((status = 200, body = EvaluationView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_evaluation(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<EvaluationView>, ApiError> {
    Ok(Json(
        s.services.evaluation(&actor, id, s.services.now()).await?,
    ))
}

/// The member's self-review. Refused after the deadline unless the committee
/// recorded its permission, and for a tier above what the points allow.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/self-review", tag = "evaluations",
    request_body = SelfReviewForm,
    responses((status = 200, body = EvaluationView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn self_review(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<SelfReviewForm>,
) -> Result<Json<EvaluationView>, ApiError> {
    let now = s.services.now();
    s.services.submit_self_review(&actor, id, &f, now).await?;
    Ok(Json(s.services.evaluation(&actor, id, now).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct LatePermission {
    /// Why the committee lets the member submit late.
    reason: String,
}

/// The cell's committee lets a member submit the self-review late.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/late-permission", tag = "evaluations",
    request_body = LatePermission,
    responses((status = 200, body = EvaluationView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn late_permission(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<LatePermission>,
) -> Result<Json<EvaluationView>, ApiError> {
    let now = s.services.now();
    s.services
        .permit_late_review(&actor, id, &b.reason, now)
        .await?;
    Ok(Json(s.services.evaluation(&actor, id, now).await?))
}

/// The tier the cell's meeting proposes, with the meeting's closed vote.
/// The engine refuses a tier above the points' band or the task conditions,
/// and HTXS beyond the quota, citing the rule.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/proposal", tag = "evaluations",
    request_body = ProposalForm,
    responses((status = 200, body = EvaluationView), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn proposal(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ProposalForm>,
) -> Result<Json<EvaluationView>, ApiError> {
    let now = s.services.now();
    s.services.propose_tier(&actor, id, &f, now).await?;
    Ok(Json(s.services.evaluation(&actor, id, now).await?))
}

/// A member's ratings, the newest first.
#[utoipa::path(get, path = "/api/v1/members/{id}/evaluations", tag = "evaluations",
    responses((status = 200, body = Vec<RatingLine>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RatingLine>>, ApiError> {
    Ok(Json(s.services.rating_history(&actor, id).await?))
}
