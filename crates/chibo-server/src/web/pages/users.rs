//! Account management for a unit, and a person's own account.

use super::flash;
use crate::model::{Problem, Problems, Role};
use crate::service::{ServiceError, accounts::NewAccount};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::{AccountPage, Chrome, FieldErrors, TokenList, UserTokensPage, UsersPage};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn users_page(
    s: &AppState,
    user: &User,
    errors: Problems,
    flash_msg: Option<String>,
    login: String,
    name: String,
) -> Result<UsersPage, PageError> {
    let p = s.services.accounts_page(&user.actor).await?;
    Ok(UsersPage {
        c: Chrome::for_user(user, "users-title", "users", "/users"),
        roles: p.roles,
        unit: p.unit,
        rows: p.rows,
        units: p.units,
        errors: FieldErrors {
            problems: errors,
            tr: user.tr,
        },
        flash: flash_msg,
        login,
        name,
    })
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<OkQuery>,
) -> Result<UsersPage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    users_page(
        &s,
        &user,
        Problems::default(),
        f,
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    login: String,
    display_name: String,
    password: String,
    role: String,
    org_id: i64,
}

pub async fn create(
    State(s): State<AppState>,
    CsrfForm(user, f): CsrfForm<NewUserForm>,
) -> Result<Response, PageError> {
    let role = Role::parse(&f.role).ok_or(PageError::BadRequest)?;
    let a = NewAccount {
        login: &f.login,
        display_name: &f.display_name,
        password: &f.password,
        role,
        org_id: Some(f.org_id),
        member_id: None,
    };
    match s
        .services
        .create_account(&user.actor, &a, s.services.now())
        .await
    {
        Ok(_) => Ok(Redirect::to("/users?ok=users-created").into_response()),
        Err(ServiceError::Invalid(p)) => {
            let page = users_page(&s, &user, p, None, f.login, f.display_name).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ActiveForm>,
) -> Result<Response, PageError> {
    s.services
        .set_account_active(&user.actor, id, f.active == "1", s.services.now())
        .await?;
    Ok(Redirect::to("/users").into_response())
}

pub async fn account(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<OkQuery>,
) -> Result<AccountPage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    account_page(&s, &user, f, FieldErrors::none(user.tr)).await
}

async fn account_page(
    s: &AppState,
    user: &User,
    flash_msg: Option<String>,
    errors: FieldErrors,
) -> Result<AccountPage, PageError> {
    let (_, rows) = s
        .services
        .api_tokens(&user.actor, user.actor.account_id)
        .await?;
    Ok(AccountPage {
        c: Chrome::for_user(user, "account-title", "account", "/account"),
        flash: flash_msg,
        errors,
        tokens: TokenList {
            rows,
            now: s.services.now(),
        },
        new_token: None,
        label: String::new(),
        days: String::new(),
        default_days: s.services.token_lifetime.num_days(),
    })
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    days: String,
}

/// A new API token for oneself: the page shows its secret this once (so it
/// is answered directly, not redirected to).
pub async fn create_token(
    State(s): State<AppState>,
    CsrfForm(user, f): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let days = match f.days.trim() {
        "" => Ok(None),
        d => d
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ServiceError::invalid(Problem::new("days", "token.days", d.to_string()))),
    };
    let created = match days {
        Ok(days) => {
            s.services
                .create_api_token(&user.actor, false, &f.label, days, s.services.now())
                .await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(t) => {
            let mut page = account_page(&s, &user, None, FieldErrors::none(user.tr)).await?;
            page.new_token = Some(t);
            Ok(page.into_response())
        }
        Err(ServiceError::Invalid(problems)) => {
            let errors = FieldErrors {
                problems,
                tr: user.tr,
            };
            let mut page = account_page(&s, &user, None, errors).await?;
            page.label = f.label;
            page.days = f.days;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Revokes a token: one's own (back to the account page) or, for an admin,
/// another account's (back to its tokens).
pub async fn revoke_token(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<super::session::Empty>,
) -> Result<Response, PageError> {
    let t = s
        .services
        .revoke_api_token(&user.actor, id, s.services.now())
        .await?;
    let to = if t.account_id == user.actor.account_id {
        "/account?ok=account-token-revoked-flash".to_string()
    } else {
        format!(
            "/users/{}/tokens?ok=account-token-revoked-flash",
            t.account_id
        )
    };
    Ok(Redirect::to(&to).into_response())
}

/// Another account's tokens, for an admin.
pub async fn user_tokens(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<UserTokensPage, PageError> {
    let (account, rows) = s.services.api_tokens(&user.actor, id).await?;
    Ok(UserTokensPage {
        c: Chrome::for_user(
            &user,
            "users-tokens",
            "users",
            &format!("/users/{id}/tokens"),
        ),
        account,
        tokens: TokenList {
            rows,
            now: s.services.now(),
        },
        flash: flash(user.tr, q.ok.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    old_password: String,
    new_password: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    CsrfForm(user, f): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .change_password(
            &user.actor,
            &f.old_password,
            &f.new_password,
            s.services.now(),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/login").into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let errors = FieldErrors {
                problems,
                tr: user.tr,
            };
            let page = account_page(&s, &user, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
