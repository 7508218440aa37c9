use super::units::Created;
use crate::model::{Problem, Role};
use crate::service::users::GrantRow;
use crate::service::{ServiceError, accounts::NewAccount};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;

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
    responses((status = 200, body = Vec<AccountInfo>), (status = 403, body = ApiErrorBody)))]
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

/// Creates an account with one role.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Json(b): Json<NewUser>,
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
        .create_account(Some(&actor), &a, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
