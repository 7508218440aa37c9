//! Login, logout, the first-admin setup link, and display preferences.

use super::cookie;
use crate::service::{ServiceError, accounts::Throttle, accounts::random_token};
use crate::web::AppState;
use crate::web::auth::{
    CsrfForm, LANG_COOKIE, LARGE_COOKIE, PRE_COOKIE, PreForm, SESSION_COOKIE, lang_of, local_path,
};
use crate::web::error::PageError;
use crate::web::i18n::Tr;
use crate::web::view::{Chrome, FieldErrors, LoginPage, SetupPage};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

fn login_page(
    tr: Tr,
    csrf: String,
    next: String,
    login: String,
    error: Option<String>,
) -> LoginPage {
    LoginPage {
        c: Chrome::new(tr, tr.t("login-title")),
        csrf,
        next,
        login,
        error,
    }
}

pub async fn login_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let tr = Tr {
        lang: lang_of(&headers),
    };
    let csrf = random_token();
    let set = cookie(PRE_COOKIE, &csrf, 3600, true, s.cfg.secure_cookies);
    (
        [(header::SET_COOKIE, set)],
        login_page(tr, csrf, q.next, String::new(), None),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    #[serde(default)]
    next: String,
    login: String,
    password: String,
}

pub async fn login(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PreForm(f): PreForm<LoginForm>,
) -> Response {
    let tr = Tr {
        lang: lang_of(&headers),
    };
    let throttle = Throttle {
        window: Duration::minutes(s.cfg.login_window_minutes),
        per_login: s.cfg.login_failures_per_account,
        per_address: s.cfg.login_failures_per_address,
    };
    let now = s.services.now();
    match s
        .services
        .login(
            &f.login,
            &f.password,
            &addr.ip().to_string(),
            throttle,
            s.cfg.session_days,
            now,
        )
        .await
    {
        Ok(session) => {
            let max_age = (session.expires - now).num_seconds();
            let set = cookie(
                SESSION_COOKIE,
                &session.token,
                max_age,
                true,
                s.cfg.secure_cookies,
            );
            let clear = cookie(PRE_COOKIE, "", 0, true, s.cfg.secure_cookies);
            let mut res = Redirect::to(local_path(&f.next)).into_response();
            res.headers_mut().append(header::SET_COOKIE, set);
            res.headers_mut().append(header::SET_COOKIE, clear);
            res
        }
        Err(e @ (ServiceError::BadCredentials | ServiceError::Throttled)) => {
            let status = if matches!(e, ServiceError::Throttled) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            (
                status,
                login_page(tr, f.csrf, f.next, f.login, Some(tr.service_error(&e))),
            )
                .into_response()
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

fn clear_session(secure: bool) -> [(header::HeaderName, axum::http::HeaderValue); 1] {
    [(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, "", 0, true, secure),
    )]
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(s): State<AppState>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    s.services.logout(user.session_id).await?;
    Ok((clear_session(s.cfg.secure_cookies), Redirect::to("/login")).into_response())
}

pub async fn logout_all(
    State(s): State<AppState>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    s.services
        .logout_everywhere(&user.actor, s.services.now())
        .await?;
    Ok((clear_session(s.cfg.secure_cookies), Redirect::to("/login")).into_response())
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn setup_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: lang_of(&headers),
    };
    let valid = s
        .services
        .setup_token_valid(&q.token, s.services.now())
        .await?;
    let csrf = random_token();
    let set = cookie(PRE_COOKIE, &csrf, 3600, true, s.cfg.secure_cookies);
    let page = SetupPage {
        c: Chrome::new(tr, tr.t("setup-title")),
        csrf,
        token: q.token,
        valid,
        login: String::new(),
        name: String::new(),
        errors: FieldErrors::none(tr),
    };
    Ok(([(header::SET_COOKIE, set)], page).into_response())
}

#[derive(Deserialize)]
pub struct SetupForm {
    csrf: String,
    token: String,
    login: String,
    display_name: String,
    password: String,
}

pub async fn setup(
    State(s): State<AppState>,
    headers: HeaderMap,
    PreForm(f): PreForm<SetupForm>,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: lang_of(&headers),
    };
    match s
        .services
        .complete_setup(
            &f.token,
            &f.login,
            &f.display_name,
            &f.password,
            s.services.now(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/login").into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let page = SetupPage {
                c: Chrome::new(tr, tr.t("setup-title")),
                csrf: f.csrf,
                token: f.token,
                valid: true,
                login: f.login,
                name: f.display_name,
                errors: FieldErrors { problems, tr },
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PrefsQuery {
    lang: Option<String>,
    large: Option<String>,
    #[serde(default)]
    back: String,
}

/// Language and text size live in cookies, so they work before login too.
pub async fn prefs(State(s): State<AppState>, Query(q): Query<PrefsQuery>) -> Response {
    let year = 365 * 24 * 3600;
    let mut res = Redirect::to(local_path(&q.back)).into_response();
    if let Some(l) = q.lang.as_deref().filter(|l| matches!(*l, "vi" | "en")) {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie(LANG_COOKIE, l, year, false, s.cfg.secure_cookies),
        );
    }
    if let Some(v) = q.large.as_deref().filter(|v| matches!(*v, "0" | "1")) {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie(LARGE_COOKIE, v, year, false, s.cfg.secure_cookies),
        );
    }
    res
}
