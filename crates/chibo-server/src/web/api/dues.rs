//! The dues ledger's papers: the cell's statement (JSON, PDF, DOCX, XLSX),
//! the upper committee's table as files, and a member's receipt.

use crate::service::ServiceError;
use crate::service::dues_statement::{self as statement, DuesStatement};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::download::{self, Show};
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct PeriodParams {
    /// The cell (the actor's own when absent); for `/dues/cells/file`, an
    /// upper committee.
    unit: Option<i64>,
    /// The year (this year when absent).
    year: Option<i32>,
    /// YYYY-MM: one month instead of the year.
    month: Option<String>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct FileParams {
    unit: Option<i64>,
    year: Option<i32>,
    month: Option<String>,
    /// `pdf` (when absent), `docx` or `xlsx`.
    format: Option<String>,
}

/// A file the caller asked for, or 404 for a format that does not exist.
fn wants(format: Option<&str>) -> Result<&'static str, ApiError> {
    match format.unwrap_or("pdf") {
        "pdf" => Ok("pdf"),
        "docx" => Ok("docx"),
        "xlsx" => Ok("xlsx"),
        _ => Err(ServiceError::NotFound.into()),
    }
}

async fn printed(p: crate::service::documents::Printable, pdf: bool) -> Result<Response, ApiError> {
    download::printed(p, pdf)
        .await
        .map_err(|_| ApiError::from(ServiceError::NotFound))
}

/// The cell's statement for a month or the year: each member's category,
/// base, amount due, paid and arrears; collected (the sum of entries),
/// retained and remitted.
#[utoipa::path(get, path = "/api/v1/dues/statement", tag = "dues", params(PeriodParams),
    responses((status = 200, body = DuesStatement), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn get_statement(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<PeriodParams>,
) -> Result<Json<DuesStatement>, ApiError> {
    Ok(Json(
        s.services
            .dues_statement(&actor, p.unit, p.year, p.month.as_deref(), s.services.now())
            .await?,
    ))
}

/// The statement printed (PDF, DOCX) or exported (XLSX), with the figures
/// of `/api/v1/dues/statement`.
#[utoipa::path(get, path = "/api/v1/dues/statement/file", tag = "dues", params(FileParams),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn statement_file(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<FileParams>,
) -> Result<Response, ApiError> {
    let now = s.services.now();
    let month = p.month.as_deref();
    match wants(p.format.as_deref())? {
        "xlsx" => {
            let st = s
                .services
                .dues_statement(&actor, p.unit, p.year, month, now)
                .await?;
            let bytes = statement::statement_xlsx(&st).map_err(ServiceError::from)?;
            Ok(download::file(
                download::XLSX,
                Show::Attachment,
                &statement::statement_file_name(&st),
                "xlsx",
                bytes,
            ))
        }
        f => {
            let doc = s
                .services
                .dues_statement_document(&actor, p.unit, p.year, month, now)
                .await?;
            printed(doc, f == "pdf").await
        }
    }
}

/// Every cell's collection under an upper committee printed (PDF, DOCX) or
/// exported (XLSX), with the figures of `/api/v1/dues/cells`.
#[utoipa::path(get, path = "/api/v1/dues/cells/file", tag = "dues", params(FileParams),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn cells_file(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<FileParams>,
) -> Result<Response, ApiError> {
    let now = s.services.now();
    let month = p.month.as_deref();
    match wants(p.format.as_deref())? {
        "xlsx" => {
            let t = s
                .services
                .dues_by_cell(&actor, p.unit, p.year, month, now)
                .await?;
            let bytes = statement::cells_xlsx(&t, crate::service::today(now))
                .map_err(ServiceError::from)?;
            Ok(download::file(
                download::XLSX,
                Show::Attachment,
                &statement::cells_file_name(&t),
                "xlsx",
                bytes,
            ))
        }
        f => {
            let doc = s
                .services
                .dues_cells_document(&actor, p.unit, p.year, month, now)
                .await?;
            printed(doc, f == "pdf").await
        }
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ReceiptParams {
    /// The first month (YYYY-MM).
    from: String,
    /// The last month (YYYY-MM; `from` when absent).
    to: Option<String>,
    /// `docx` for Word; a PDF otherwise.
    format: Option<String>,
}

/// A member's receipt (biên lai thu đảng phí) for the months `from..=to`:
/// numbered in the cell's register of the year the first time it is
/// printed, the same number every time after; for the member or someone who
/// reads their cell.
#[utoipa::path(get, path = "/api/v1/dues/members/{id}/receipt", tag = "dues", params(ReceiptParams),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn receipt(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<ReceiptParams>,
) -> Result<Response, ApiError> {
    let doc = s
        .services
        .dues_receipt(&actor, id, &p.from, p.to.as_deref(), s.services.now())
        .await?;
    printed(doc, p.format.as_deref() != Some("docx")).await
}
