use super::errors::ApiJson;
use super::units::Created;
use crate::model::{Problem, Role};
use crate::service::ServiceError;
use crate::service::accounts::{ApiTokenRow, IssuedToken, NewAccount};
use crate::service::users::GrantRow;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    account_id: i64,
    login: String,
    display_name: String,
    member_id: Option<i64>,
    grants: Vec<GrantRow>,
}

/// The caller's account and roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", responses((status = 200, body = Me), (status = 401, body = ApiErrorBody)))]
pub async fn me(ApiUser(a): ApiUser) -> Json<Me> {
    Json(Me {
        account_id: a.account_id,
        login: a.login,
        display_name: a.display_name,
        member_id: a.member_id,
        grants: a.grants,
    })
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct UnitParam {
    unit: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AccountInfo {
    id: i64,
    login: String,
    display_name: String,
    active: bool,
    role: String,
    org_id: Option<i64>,
}

/// Accounts holding a role in the unit or below it.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UnitParam),
    responses((status = 200, body = Vec<AccountInfo>), (status = 403, body = ApiErrorBody),
        (status = 404, description = "No such unit.", body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<UnitParam>,
) -> Result<Json<Vec<AccountInfo>>, ApiError> {
    let rows = s.services.unit_accounts(&actor, p.unit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(a, g)| AccountInfo {
                id: a.id,
                login: a.login,
                display_name: a.display_name,
                active: a.active,
                role: g.role,
                org_id: g.org_id,
            })
            .collect(),
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    login: String,
    display_name: String,
    password: String,
    /// member, chi_uy, pho_bi_thu, bi_thu, upper, admin
    role: String,
    org_id: Option<i64>,
    member_id: Option<i64>,
}

/// Creates an account with one role: on a unit within the caller's own, and
/// no stronger than the caller's role there (an admin only by an admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 409, description = "The login is taken.", body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let role = Role::parse(&b.role)
        .ok_or_else(|| ServiceError::invalid(Problem::new("role", "required", b.role.clone())))?;
    let a = NewAccount {
        login: &b.login,
        display_name: &b.display_name,
        password: &b.password,
        role,
        org_id: b.org_id,
        member_id: b.member_id,
    };
    let id = s
        .services
        .create_account(&actor, &a, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's API tokens, newest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "users",
    responses((status = 200, body = Vec<ApiTokenRow>)))]
pub async fn my_tokens(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<ApiTokenRow>>, ApiError> {
    Ok(Json(
        s.services.api_tokens(&actor, actor.account_id).await?.1,
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    /// What the token is for (shown in the list).
    #[serde(default)]
    #[schema(max_length = 100)]
    label: String,
    /// Days until it expires; the server's default (90 unless configured)
    /// when absent.
    #[schema(minimum = 1, maximum = 366)]
    days: Option<i64>,
}

/// A new token for the caller, shown this once. Only a browser session may
/// ask (with its `X-CSRF-Token`): a token cannot mint tokens.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "users", request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_token(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let by_token = headers.contains_key(header::AUTHORIZATION);
    let t = s
        .services
        .create_api_token(&actor, by_token, &b.label, b.days, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// An account's API tokens: the account itself or an admin.
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "users",
    responses((status = 200, body = Vec<ApiTokenRow>), (status = 403, body = ApiErrorBody)))]
pub async fn tokens_of(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ApiTokenRow>>, ApiError> {
    Ok(Json(s.services.api_tokens(&actor, id).await?.1))
}

/// Revokes a token at once: its owner or an admin. Returns it as revoked.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "users",
    responses((status = 200, body = ApiTokenRow), (status = 403, body = ApiErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ApiTokenRow>, ApiError> {
    Ok(Json(
        s.services
            .revoke_api_token(&actor, id, s.services.now())
            .await?,
    ))
}
