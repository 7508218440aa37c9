//! Elections over JSON: the candidate list, the post and term, the elected
//! (the ballot's record is at `/api/v1/ballots/{id}/record`), and recording
//! the elected as the cell's committee.

use crate::service::elections::ElectionDetail;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, State};

/// An election (a secret ballot with a candidate list by member).
#[utoipa::path(get, path = "/api/v1/elections/{id}", tag = "ballots",
    responses((status = 200, body = ElectionDetail), (status = 404, body = ApiErrorBody)))]
pub async fn get_election(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ElectionDetail>, ApiError> {
    Ok(Json(s.services.election_detail(&actor, id).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Recorded {
    /// Members now holding the post.
    recorded: usize,
}

/// Records the elected as the cell's committee (the post, from the meeting's day, with the term).
#[utoipa::path(post, path = "/api/v1/elections/{id}/elected", tag = "ballots",
    responses((status = 200, body = Recorded), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn record_elected(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Recorded>, ApiError> {
    let recorded = s
        .services
        .record_elected(&actor, id, s.services.now())
        .await?;
    Ok(Json(Recorded { recorded }))
}
