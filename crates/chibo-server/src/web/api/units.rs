use super::errors::ApiJson;
use crate::service::orgs::{CellStat, OrgFields, OrgRow};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// One organisation unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units",
    responses((status = 200, body = OrgRow), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_unit(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OrgRow>, ApiError> {
    Ok(Json(s.services.unit_for(&actor, Some(id)).await?))
}

/// The units directly under a unit, with member counts.
#[utoipa::path(get, path = "/api/v1/units/{id}/children", tag = "units",
    responses((status = 200, body = Vec<CellStat>), (status = 403, body = ApiErrorBody)))]
pub async fn children(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<CellStat>>, ApiError> {
    Ok(Json(s.services.unit_children(&actor, id).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    /// `dang_bo`, `chi_bo` or `to_dang`.
    kind: String,
    #[serde(default)]
    code: String,
    name: String,
    /// For a chi bộ: thon_to_dan_pho, co_quan, doanh_nghiep, truong_hoc, luc_luong_vu_trang, khac.
    #[serde(default)]
    cell_type: String,
    #[serde(default)]
    place: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Creates a unit under this one.
#[utoipa::path(post, path = "/api/v1/units/{id}/children", tag = "units", request_body = NewUnit,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn create_child(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NewUnit>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let f = OrgFields {
        kind: b.kind,
        code: b.code,
        name: b.name,
        cell_type: b.cell_type,
        place: b.place,
    };
    let id = s
        .services
        .create_org(&actor, Some(id), &f, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
