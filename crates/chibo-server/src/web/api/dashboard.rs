//! The dashboards' figures and the reports upward, as JSON.

use super::errors::ApiJson;
use super::units::Created;
use crate::service::dashboard::{CellDashboard, CellTable, PeriodQuery, TableQuery};
use crate::service::reports::{Report, ReportRow, Sections};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

/// The secretary's dashboard of a cell: this month, the year's meetings,
/// attendance per meeting and member, tasks, resolutions, members' deadlines.
#[utoipa::path(get, path = "/api/v1/units/{id}/dashboard", tag = "dashboards",
    responses((status = 200, body = CellDashboard), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn cell(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CellDashboard>, ApiError> {
    Ok(Json(
        s.services
            .cell_dashboard(&actor, id, s.services.now())
            .await?,
    ))
}

/// The upper committee's table of every cell under the unit for a period
/// (the current quarter by default), filtered, sorted, one page.
#[utoipa::path(get, path = "/api/v1/units/{id}/cell-table", tag = "dashboards",
    params(PeriodQuery, TableQuery),
    responses((status = 200, body = CellTable), (status = 403, body = ApiErrorBody)))]
pub async fn cell_table(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<PeriodQuery>,
    Query(t): Query<TableQuery>,
) -> Result<Json<CellTable>, ApiError> {
    Ok(Json(
        s.services
            .cell_table(&actor, id, &p, &t, s.services.now())
            .await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct UnitParam {
    unit: i64,
}

/// A unit's reports, newest period first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(UnitParam),
    responses((status = 200, body = Vec<ReportRow>), (status = 403, body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<UnitParam>,
) -> Result<Json<Vec<ReportRow>>, ApiError> {
    Ok(Json(s.services.reports_of(&actor, p.unit).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewReport {
    unit_id: i64,
    #[serde(flatten)]
    period: PeriodQuery,
}

/// Drafts a cell's report for a period from its records.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = NewReport,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewReport>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = s
        .services
        .create_report(&actor, Some(b.unit_id), &b.period, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A report: a draft with today's figures, or an issued one as sealed.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports",
    responses((status = 200, body = Report), (status = 404, body = ApiErrorBody)))]
pub async fn get_report(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(s.services.report(&actor, id, s.services.now()).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct SaveReport {
    version: i64,
    sections: Sections,
}

/// Saves the committee's sections of a draft.
#[utoipa::path(put, path = "/api/v1/reports/{id}", tag = "reports", request_body = SaveReport,
    responses((status = 204), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn save(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SaveReport>,
) -> Result<StatusCode, ApiError> {
    s.services
        .save_report(&actor, id, b.version, &b.sections, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct IssueReport {
    version: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Issued {
    /// "Số 01-BC/CB"
    number: String,
}

/// Issues a draft: numbered, locked and sealed.
#[utoipa::path(post, path = "/api/v1/reports/{id}/issue", tag = "reports", request_body = IssueReport,
    responses((status = 200, body = Issued), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn issue(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<IssueReport>,
) -> Result<Json<Issued>, ApiError> {
    let number = s
        .services
        .issue_report(&actor, id, b.version, s.services.now())
        .await?;
    Ok(Json(Issued { number }))
}
