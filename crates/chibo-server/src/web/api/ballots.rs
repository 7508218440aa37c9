//! Secret ballots over JSON: the secretary opens and closes, the counting
//! committee's phones make the key, issue tokens and decrypt, members'
//! phones get their token. Casting is [`cast`], outside the API's session
//! and trace layers (see `web::router`).

use super::units::Created;
use crate::service::ballots::{PendingToken, SvForm, SvRow, SvView};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chibo_ballot::{BlindedToken, DecryptionShare, TokenKeys, TokenRequest, Trustees};

/// Opens a secret ballot in an open meeting (election, discipline, expulsion proposal).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/ballots", tag = "ballots", request_body = SvForm,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody)))]
pub async fn open(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Json(form): Json<SvForm>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = s
        .services
        .open_secret_ballot(&actor, id, &form, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A meeting's secret ballots.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/ballots", tag = "ballots",
    responses((status = 200, body = Vec<SvRow>), (status = 404, body = ApiErrorBody)))]
pub async fn of_meeting(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<SvRow>>, ApiError> {
    Ok(Json(s.services.secret_ballots_of(&actor, id).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BallotDetail {
    #[serde(flatten)]
    view: SvView,
    /// The phones' WebAssembly bundle (an ES module; cached for good).
    bundle: String,
}

/// One secret ballot: stage, committee, "đã phát N/M", the result once decrypted.
#[utoipa::path(get, path = "/api/v1/ballots/{id}", tag = "ballots",
    responses((status = 200, body = BallotDetail), (status = 404, body = ApiErrorBody)))]
pub async fn get_ballot(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<BallotDetail>, ApiError> {
    Ok(Json(BallotDetail {
        view: s.services.secret_ballot_view(&actor, id).await?,
        bundle: crate::web::assets::ballot_module_url(),
    }))
}

/// A committee phone's key-generation message for a round (1, 2 or 3).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/keygen/{round}", tag = "ballots",
    request_body = Object, responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn post_keygen(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, round)): Path<(i64, i64)>,
    Json(body): Json<serde_json::Value>,
) -> Result<StatusCode, ApiError> {
    s.services.post_keygen(&actor, id, round, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The key-generation messages of a round for the caller's phone.
#[utoipa::path(get, path = "/api/v1/ballots/{id}/keygen/{round}", tag = "ballots",
    responses((status = 200, body = Vec<Object>), (status = 403, body = ApiErrorBody)))]
pub async fn get_keygen(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, round)): Path<(i64, i64)>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    Ok(Json(s.services.keygen_messages(&actor, id, round).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Keys {
    #[schema(value_type = Object)]
    trustees: Trustees,
    #[schema(value_type = Object)]
    token_keys: TokenKeys,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct KeysSet {
    /// The joint key's fingerprint, read aloud by the committee.
    fingerprint: String,
}

/// The head's phone sets the vote's keys (joint key, key shares, token keys).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/keys", tag = "ballots", request_body = Keys,
    responses((status = 200, body = KeysSet), (status = 422, body = ApiErrorBody)))]
pub async fn keys(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<Keys>,
) -> Result<Json<KeysSet>, ApiError> {
    let fingerprint = s
        .services
        .set_ballot_keys(&actor, id, b.trustees, b.token_keys, s.services.now())
        .await?;
    Ok(Json(KeysSet { fingerprint }))
}

fn canonical(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// The vote's manifest, canonical bytes.
#[utoipa::path(get, path = "/api/v1/ballots/{id}/manifest", tag = "ballots",
    responses((status = 200, body = Object), (status = 422, body = ApiErrorBody)))]
pub async fn manifest(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(canonical(s.services.ballot_manifest(&actor, id).await?))
}

/// A member's phone asks for its token (a blinded request).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/tokens", tag = "ballots", request_body = Object,
    responses((status = 202), (status = 422, body = ApiErrorBody)))]
pub async fn request_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Json(request): Json<TokenRequest>,
) -> Result<StatusCode, ApiError> {
    s.services.request_token(&actor, id, request).await?;
    Ok(StatusCode::ACCEPTED)
}

/// The requests waiting for the head's phone.
#[utoipa::path(get, path = "/api/v1/ballots/{id}/tokens", tag = "ballots",
    responses((status = 200, body = Vec<PendingToken>), (status = 403, body = ApiErrorBody)))]
pub async fn pending_tokens(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<PendingToken>>, ApiError> {
    Ok(Json(s.services.pending_tokens(&actor, id).await?))
}

/// The head's phone signs a member's request (blind).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/tokens/{member_id}", tag = "ballots",
    request_body = Object, responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn sign_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, member_id)): Path<(i64, i64)>,
    Json(signed): Json<BlindedToken>,
) -> Result<StatusCode, ApiError> {
    s.services
        .sign_token(&actor, id, member_id, signed, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's signed token, once the head's phone signed it (404 before).
#[utoipa::path(get, path = "/api/v1/ballots/{id}/tokens/mine", tag = "ballots",
    responses((status = 200, body = Object), (status = 404, body = ApiErrorBody)))]
pub async fn my_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<BlindedToken>, ApiError> {
    let t = s.services.my_token(&actor, id).await?;
    Ok(Json(t.ok_or(crate::service::ServiceError::NotFound)?))
}

/// The head hands a member a paper ballot.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/paper/{member_id}", tag = "ballots",
    responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn issue_paper(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, member_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    s.services
        .issue_paper(&actor, id, member_id, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Tracked {
    /// SHA-256 of the ballot, hex: the voter finds it on the board.
    tracker: String,
}

/// A committee member enters one valid paper ballot (canonical ballot bytes).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/paper-ballots", tag = "ballots",
    request_body = Object, responses((status = 201, body = Tracked), (status = 422, body = ApiErrorBody)))]
pub async fn paper_ballot(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<(StatusCode, Json<Tracked>), ApiError> {
    let tracker = s.services.enter_paper_ballot(&actor, id, &body).await?;
    Ok((StatusCode::CREATED, Json(Tracked { tracker })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct PaperInvalid {
    count: u32,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PaperState {
    /// True once a second committee member entered the same count.
    confirmed: bool,
}

/// The count of invalid paper ballots (one member enters, another confirms).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/paper-invalid", tag = "ballots",
    request_body = PaperInvalid, responses((status = 200, body = PaperState), (status = 422, body = ApiErrorBody)))]
pub async fn paper_invalid(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<PaperInvalid>,
) -> Result<Json<PaperState>, ApiError> {
    let confirmed = s
        .services
        .enter_paper_invalid(&actor, id, b.count, s.services.now())
        .await?;
    Ok(Json(PaperState { confirmed }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Hashed {
    sha256: String,
}

/// Closes the box: the ballots are written in tracker order with the board.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/close", tag = "ballots",
    responses((status = 200, body = Hashed), (status = 422, body = ApiErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Hashed>, ApiError> {
    let sha256 = s
        .services
        .close_secret_ballot(&actor, id, s.services.now())
        .await?;
    Ok(Json(Hashed { sha256 }))
}

/// The closed board, canonical bytes.
#[utoipa::path(get, path = "/api/v1/ballots/{id}/board", tag = "ballots",
    responses((status = 200, body = Object), (status = 422, body = ApiErrorBody)))]
pub async fn board(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(canonical(s.services.ballot_board(&actor, id).await?))
}

/// A committee phone's decryption share of the closed board.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/shares", tag = "ballots", request_body = Object,
    responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn share(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Json(share): Json<DecryptionShare>,
) -> Result<StatusCode, ApiError> {
    s.services
        .post_share(&actor, id, share, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Builds the record from the shares received (decrypted, or failed with fewer than k).
#[utoipa::path(post, path = "/api/v1/ballots/{id}/tally", tag = "ballots",
    responses((status = 200, body = Hashed), (status = 422, body = ApiErrorBody)))]
pub async fn tally(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Hashed>, ApiError> {
    let sha256 = s
        .services
        .tally_secret_ballot(&actor, id, s.services.now())
        .await?;
    Ok(Json(Hashed { sha256 }))
}

/// The published record (`chibo_ballot::verify_record` checks it), canonical bytes.
#[utoipa::path(get, path = "/api/v1/ballots/{id}/record", tag = "ballots",
    responses((status = 200, body = Object), (status = 422, body = ApiErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(canonical(s.services.ballot_record(&actor, id).await?))
}

/// A phone casts its ballot: canonical ballot bytes, no cookie, no
/// credentials. A request that carries a cookie or an Authorization header
/// is refused (it could tie the ballot to a session). Nothing is logged.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/cast", tag = "ballots", security(()),
    request_body = Object, responses((status = 200, description = "Already in the box (a resubmission)", body = Tracked),
        (status = 201, body = Tracked), (status = 422, body = ApiErrorBody)))]
pub async fn cast(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Tracked>), ApiError> {
    if headers.contains_key(header::COOKIE) || headers.contains_key(header::AUTHORIZATION) {
        return Err(crate::service::ServiceError::Ballot(
            "cast_identified",
            "Phiếu bầu phải gửi không kèm cookie hay thông tin đăng nhập".into(),
        )
        .into());
    }
    let (tracker, new) = s.services.cast_secret_ballot(id, &body).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(Tracked { tracker })))
}
