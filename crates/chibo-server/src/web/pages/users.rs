//! Account management for a unit, and a person's own account.

use super::flash;
use crate::model::{Problems, Role};
use crate::service::{ServiceError, accounts::NewAccount};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::{AccountPage, Chrome, FieldErrors, UsersPage};
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
        .create_account(Some(&user.actor), &a, s.services.now())
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

pub async fn account(user: User, Query(q): Query<OkQuery>) -> AccountPage {
    AccountPage {
        c: Chrome::for_user(&user, "account-title", "account", "/account"),
        flash: flash(user.tr, q.ok.as_deref()),
        errors: FieldErrors::none(user.tr),
    }
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
            let page = AccountPage {
                c: Chrome::for_user(&user, "account-title", "account", "/account"),
                flash: None,
                errors: FieldErrors {
                    problems,
                    tr: user.tr,
                },
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
