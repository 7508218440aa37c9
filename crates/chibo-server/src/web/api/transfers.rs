//! Transfers (chuyển sinh hoạt đảng) and the dues ledger (đảng phí). A
//! transfer's steps are recorded through `/api/v1/cases/{id}/steps` and it is
//! refused (the member returned to the origin) through `/cases/{id}/close`.

use super::errors::ApiJson;
use crate::service::dues::{
    CategoryForm, DuesByCell, DuesRoll, DuesSummary, MemberDues, PaymentForm,
};
use crate::service::transfers::{
    IncomingForm, LetterForm, TransferDetail, TransferForm, TransferLine,
};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct UnitParams {
    /// A cell, or an upper committee (every transfer of its cells).
    unit: Option<i64>,
}

/// The open transfers leaving or reaching the cells under a unit, each with
/// its step and next deadline.
#[utoipa::path(get, path = "/api/v1/transfers", tag = "transfers", params(UnitParams),
    responses((status = 200, body = Vec<TransferLine>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<UnitParams>,
) -> Result<Json<Vec<TransferLine>>, ApiError> {
    let v = s
        .services
        .transfers_under(&actor, p.unit, s.services.now())
        .await?;
    Ok(Json(v.open))
}

/// Proposes a transfer (the origin cell's committee): the member is "đang
/// chuyển" — on neither roll — until the destination receives them.
#[utoipa::path(post, path = "/api/v1/transfers", tag = "transfers", request_body = TransferForm,
    responses((status = 201, body = TransferDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(f): ApiJson<TransferForm>,
) -> Result<(StatusCode, Json<TransferDetail>), ApiError> {
    let now = s.services.now();
    let id = s.services.propose_transfer(&actor, &f, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(s.services.transfer_detail(&actor, id, now).await?),
    ))
}

/// A member arriving with a letter from outside this instance: the member
/// record, with the letter's reference kept on its transfer.
#[utoipa::path(post, path = "/api/v1/transfers/incoming", tag = "transfers", request_body = IncomingForm,
    responses((status = 201, body = TransferDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn incoming(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(f): ApiJson<IncomingForm>,
) -> Result<(StatusCode, Json<TransferDetail>), ApiError> {
    let now = s.services.now();
    let id = s.services.receive_by_letter(&actor, &f, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(s.services.transfer_detail(&actor, id, now).await?),
    ))
}

/// A transfer as both sides (and the committees above them) see it.
#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "transfers",
    responses((status = 200, body = TransferDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get_transfer(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<TransferDetail>, ApiError> {
    Ok(Json(
        s.services
            .transfer_detail(&actor, id, s.services.now())
            .await?,
    ))
}

/// Records the letter's numbers and the national portal's reference.
#[utoipa::path(put, path = "/api/v1/transfers/{id}/letter", tag = "transfers", request_body = LetterForm,
    responses((status = 200, body = TransferDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn letter(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<LetterForm>,
) -> Result<Json<TransferDetail>, ApiError> {
    let now = s.services.now();
    s.services.set_transfer_letter(&actor, id, &f, now).await?;
    Ok(Json(s.services.transfer_detail(&actor, id, now).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct LetterParams {
    /// `docx` for Word; a PDF otherwise.
    format: Option<String>,
}

/// The letter (giấy giới thiệu sinh hoạt đảng) once issued, as PDF or DOCX.
#[utoipa::path(get, path = "/api/v1/transfers/{id}/letter", tag = "transfers", params(LetterParams),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn letter_file(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<LetterParams>,
) -> Result<Response, ApiError> {
    let doc = s
        .services
        .transfer_letter(&actor, id, s.services.now())
        .await?;
    crate::web::download::printed(doc, p.format.as_deref() != Some("docx"))
        .await
        .map_err(|_| ApiError::from(crate::service::ServiceError::NotFound))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct RollParams {
    /// The cell (the actor's own when absent).
    unit: Option<i64>,
    /// YYYY-MM (this month when absent).
    month: Option<String>,
}

/// The cell's monthly roll: each member's amount due, paid, arrears.
#[utoipa::path(get, path = "/api/v1/dues/roll", tag = "dues", params(RollParams),
    responses((status = 200, body = DuesRoll), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn roll(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<RollParams>,
) -> Result<Json<DuesRoll>, ApiError> {
    Ok(Json(
        s.services
            .dues_roll(&actor, p.unit, p.month.as_deref(), s.services.now())
            .await?,
    ))
}

/// Records a payment (the amount due when none is given; another amount
/// needs a reason) or a correction of an entry (the signed difference).
#[utoipa::path(post, path = "/api/v1/dues/payments", tag = "dues", request_body = PaymentForm,
    responses((status = 201, body = MemberDues), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn pay(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(f): ApiJson<PaymentForm>,
) -> Result<(StatusCode, Json<MemberDues>), ApiError> {
    let now = s.services.now();
    s.services.record_payment(&actor, &f, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(s.services.member_dues(&actor, f.member_id, now).await?),
    ))
}

/// Sets a member's dues category from a month on.
#[utoipa::path(post, path = "/api/v1/dues/categories", tag = "dues", request_body = CategoryForm,
    responses((status = 201, body = MemberDues), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn category(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(f): ApiJson<CategoryForm>,
) -> Result<(StatusCode, Json<MemberDues>), ApiError> {
    let now = s.services.now();
    s.services.set_dues_category(&actor, &f, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(s.services.member_dues(&actor, f.member_id, now).await?),
    ))
}

/// A member's ledger: months due and paid, paid through, arrears.
#[utoipa::path(get, path = "/api/v1/dues/members/{id}", tag = "dues",
    responses((status = 200, body = MemberDues), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn member(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MemberDues>, ApiError> {
    Ok(Json(
        s.services.member_dues(&actor, id, s.services.now()).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct SummaryParams {
    unit: Option<i64>,
    year: Option<i32>,
}

/// The cell's year: collected month by month (the sum of entries), retained
/// and remitted, arrears.
#[utoipa::path(get, path = "/api/v1/dues/summary", tag = "dues", params(SummaryParams),
    responses((status = 200, body = DuesSummary), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<SummaryParams>,
) -> Result<Json<DuesSummary>, ApiError> {
    Ok(Json(
        s.services
            .dues_summary(&actor, p.unit, p.year, s.services.now())
            .await?,
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct CloseMonth {
    unit: Option<i64>,
    /// YYYY-MM, a past month.
    month: String,
}

/// Closes a past month: collection, retained share and remittance written
/// down; the month takes no correction or category change any more.
#[utoipa::path(post, path = "/api/v1/dues/close", tag = "dues", request_body = CloseMonth,
    responses((status = 200, body = DuesSummary), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<CloseMonth>,
) -> Result<Json<DuesSummary>, ApiError> {
    let now = s.services.now();
    s.services
        .close_dues_month(&actor, b.unit, &b.month, now)
        .await?;
    let year = crate::service::dues::parse_month(&b.month).map(|m| m.0);
    Ok(Json(
        s.services.dues_summary(&actor, b.unit, year, now).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct CellsParams {
    /// An upper committee (every cell under it) or a cell.
    unit: Option<i64>,
    year: Option<i32>,
    /// YYYY-MM: one month instead of the year.
    month: Option<String>,
}

/// Every cell's collection, retained share, remittance and arrears under an
/// upper committee, for a month or the year: each line from the cell's own
/// summary, the totals their sums.
#[utoipa::path(get, path = "/api/v1/dues/cells", tag = "dues", params(CellsParams),
    responses((status = 200, body = DuesByCell), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn cells(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<CellsParams>,
) -> Result<Json<DuesByCell>, ApiError> {
    Ok(Json(
        s.services
            .dues_by_cell(&actor, p.unit, p.year, p.month.as_deref(), s.services.now())
            .await?,
    ))
}
