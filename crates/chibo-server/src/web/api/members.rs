use super::errors::ApiJson;
use super::units::Created;
use crate::model::{MemberFields, parse_date, parse_status};
use crate::service::ServiceError;
use crate::service::members::{MemberRow, MemberSummary, SearchQuery, StatusPeriod};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// The unit whose members to search (a cell, or a committee and all its cells).
    unit: i64,
    /// Name (diacritics ignored), card number, ID number or phone.
    #[serde(default)]
    q: String,
    status: Option<String>,
    group: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MemberPage {
    total: i64,
    page: u32,
    per_page: u32,
    members: Vec<MemberSummary>,
}

/// Searches members, 50 a page by default.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(SearchParams),
    responses((status = 200, body = MemberPage), (status = 403, body = ApiErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<SearchParams>,
) -> Result<Json<MemberPage>, ApiError> {
    let status = match p.status.as_deref() {
        Some(st) => Some(
            parse_status(st)
                .map_err(ServiceError::invalid)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let (page, per_page) = (
        p.page.unwrap_or(1).max(1),
        p.per_page.unwrap_or(50).clamp(1, 200),
    );
    let r = s
        .services
        .search_members(
            &actor,
            p.unit,
            SearchQuery {
                text: p.q,
                status,
                group_id: p.group,
                page,
                per_page,
                ..Default::default()
            },
        )
        .await?;
    Ok(Json(MemberPage {
        total: r.total,
        page,
        per_page,
        members: r.rows,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewMember {
    cell_id: i64,
    group_id: Option<i64>,
    #[serde(flatten)]
    fields: MemberFields,
}

/// Adds a member to a cell. Dates are dd/mm/yyyy or yyyy-mm-dd.
#[utoipa::path(post, path = "/api/v1/members", tag = "members", request_body = NewMember,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewMember>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = s
        .services
        .create_member(&actor, b.cell_id, &b.fields, b.group_id, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MemberRecord {
    member: MemberRow,
    group_name: Option<String>,
    history: Vec<StatusPeriod>,
}

/// A full member record (every read is logged).
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members",
    responses((status = 200, body = MemberRecord), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_member(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MemberRecord>, ApiError> {
    let v = s.services.read_member(&actor, id, s.services.now()).await?;
    Ok(Json(MemberRecord {
        member: v.member,
        group_name: v.group_name,
        history: v.history,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct MemberUpdate {
    /// The `version` read with the record; a newer one on the server gives 409.
    version: i64,
    group_id: Option<i64>,
    #[serde(flatten)]
    fields: MemberFields,
}

/// Replaces a member's fields.
#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "members", request_body = MemberUpdate,
    responses((status = 204), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MemberUpdate>,
) -> Result<StatusCode, ApiError> {
    s.services
        .update_member(
            &actor,
            id,
            b.version,
            &b.fields,
            b.group_id,
            s.services.now(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewStatus {
    /// du_bi, chinh_thuc, mien_sinh_hoat, tam_thoi_den, tam_thoi_di, chuyen_di, xoa_ten, khai_tru, tu_tran
    status: String,
    /// dd/mm/yyyy or yyyy-mm-dd; not in the future.
    start_date: String,
    note: Option<String>,
}

/// Records a change of status from a date.
#[utoipa::path(post, path = "/api/v1/members/{id}/status", tag = "members", request_body = NewStatus,
    responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn add_status(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NewStatus>,
) -> Result<StatusCode, ApiError> {
    let status = parse_status(&b.status).map_err(ServiceError::invalid)?;
    let since = parse_date("start_date", &b.start_date).map_err(ServiceError::invalid)?;
    s.services
        .add_status(
            &actor,
            id,
            status,
            since,
            b.note.as_deref(),
            s.services.now(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
