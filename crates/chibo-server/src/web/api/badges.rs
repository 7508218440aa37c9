//! Party badges (Huy hiệu Đảng): the members due under a unit, one member's
//! party age and badges, the cell's proposal (a `huy_hieu` case, whose steps
//! go through `/api/v1/cases/{id}/steps` and whose refusal through
//! `/cases/{id}/close`), and a proposal's papers.

use super::errors::ApiJson;
use crate::service::ServiceError;
use crate::service::badges::{BadgeForm, BadgeList, BadgeProposalForm, MemberBadges};
use crate::service::cases::CaseDetail;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct BadgeParams {
    /// A cell, or an upper committee (every cell under it); the actor's own when absent.
    unit: Option<i64>,
    /// The year (this year when absent): due from today to its end, and the year after.
    year: Option<i32>,
}

/// The members due for a badge this year and next, with the ceremony each
/// is presented at, and the proposals under way.
#[utoipa::path(get, path = "/api/v1/badges", tag = "badges", params(BadgeParams),
    responses((status = 200, body = BadgeList), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<BadgeParams>,
) -> Result<Json<BadgeList>, ApiError> {
    Ok(Json(
        s.services
            .badge_list(&actor, p.unit, p.year, s.services.now())
            .await?,
    ))
}

/// The cell proposes a member for the badge of a ceremony (the next one due
/// when none is given): refused with the rule cited unless the milestone is
/// reached and no discipline blocks it.
#[utoipa::path(post, path = "/api/v1/badges", tag = "badges", request_body = BadgeProposalForm,
    responses((status = 201, body = CaseDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(f): ApiJson<BadgeProposalForm>,
) -> Result<(StatusCode, Json<CaseDetail>), ApiError> {
    let now = s.services.now();
    Ok((
        StatusCode::CREATED,
        Json(s.services.open_badge_case(&actor, &f, now).await?),
    ))
}

/// A member's party age (less interruptions), badges received and next badge.
#[utoipa::path(get, path = "/api/v1/badges/members/{id}", tag = "badges",
    responses((status = 200, body = MemberBadges), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn member(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MemberBadges>, ApiError> {
    Ok(Json(
        s.services
            .member_badges(&actor, id, s.services.now())
            .await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct DocParams {
    /// `docx` for Word; a PDF otherwise.
    format: Option<String>,
}

/// A proposal's paper: `6-HHĐ` (the member's declaration), `4-HHĐ` (the
/// committee's list for the ceremony) or `2-HSĐV` (the member's data sheet).
#[utoipa::path(get, path = "/api/v1/badges/{id}/documents/{form}", tag = "badges", params(DocParams),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn document(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, form)): Path<(i64, String)>,
    Query(p): Query<DocParams>,
) -> Result<Response, ApiError> {
    let form = BadgeForm::parse(&form).ok_or(ServiceError::NotFound)?;
    let doc = s
        .services
        .badge_document(&actor, id, form, s.services.now())
        .await?;
    crate::web::download::printed(doc, p.format.as_deref() != Some("docx"))
        .await
        .map_err(|_| ApiError::from(ServiceError::NotFound))
}
