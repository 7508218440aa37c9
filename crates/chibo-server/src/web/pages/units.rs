//! An organisation unit: its details, units under it, and committee posts.

use super::flash;
use crate::model::{CommitteeRole, Problem, format_date, parse_date};
use crate::service::{ServiceError, orgs::OrgFields, today};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::{Chrome, FieldErrors, UnitPage};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    ok: Option<String>,
}

async fn page(
    s: &AppState,
    user: &User,
    id: i64,
    flash_msg: Option<String>,
    errors: FieldErrors,
) -> Result<UnitPage, PageError> {
    let p = s.services.unit_page(&user.actor, id).await?;
    Ok(UnitPage {
        c: Chrome::for_user(user, "unit-title", "unit", &format!("/units/{id}")),
        unit: p.unit,
        lineage: p.lineage,
        children: p.children,
        groups: p.groups,
        committee: p.committee,
        members: p.members,
        manages: p.may_manage,
        flash: flash_msg,
        errors,
        today: format_date(today(s.services.now())),
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<UnitPage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    page(&s, &user, id, f, FieldErrors::none(user.tr)).await
}

/// Redirects on success; shows the page with the problems otherwise.
async fn done(
    s: &AppState,
    user: &User,
    id: i64,
    r: Result<(), ServiceError>,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/units/{id}?ok=unit-saved")).into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let p = page(
                s,
                user,
                id,
                None,
                FieldErrors {
                    problems,
                    tr: user.tr,
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<OrgFields>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .update_org(&user.actor, id, &f, s.services.now())
        .await;
    done(&s, &user, id, r).await
}

pub async fn add_child(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<OrgFields>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .create_org(&user.actor, Some(id), &f, s.services.now())
        .await
        .map(|_| ());
    done(&s, &user, id, r).await
}

#[derive(Deserialize)]
pub struct PostForm {
    role: String,
    member_id: i64,
    start_date: String,
}

pub async fn add_post(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<PostForm>,
) -> Result<Response, PageError> {
    let r = match (
        CommitteeRole::parse(&f.role),
        parse_date("start_date", &f.start_date),
    ) {
        (Some(role), Ok(start)) => s
            .services
            .assign_post(&user.actor, id, f.member_id, role, start, s.services.now())
            .await
            .map(|_| ()),
        (None, _) => Err(ServiceError::invalid(Problem::new(
            "role",
            "required",
            f.role.clone(),
        ))),
        (_, Err(p)) => Err(ServiceError::invalid(p)),
    };
    done(&s, &user, id, r).await
}

#[derive(Deserialize)]
pub struct EndForm {
    end_date: String,
}

pub async fn end_post(
    State(s): State<AppState>,
    Path((id, post)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let r = match parse_date("end_date", &f.end_date) {
        Ok(end) => {
            s.services
                .end_post(&user.actor, id, post, end, s.services.now())
                .await
        }
        Err(p) => Err(ServiceError::invalid(p)),
    };
    done(&s, &user, id, r).await
}
