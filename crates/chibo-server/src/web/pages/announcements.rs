//! Announcements: what a member received (unread first marked), what the
//! unit sent with how many read it, the form to send one, and one opened.

use super::{flash, form_problems};
use crate::model::AnnouncementDraft;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::study_view::{AnnouncementPage, AnnouncementsPage};
use crate::web::view::{Chrome, FieldErrors};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    unit: Option<i64>,
    ok: Option<String>,
}

async fn list_page(
    s: &AppState,
    user: &User,
    q: &ListQuery,
    errors: FieldErrors,
    draft: AnnouncementDraft,
) -> Result<AnnouncementsPage, PageError> {
    let board = s.services.announcements(&user.actor, q.unit).await?;
    Ok(AnnouncementsPage {
        c: Chrome::for_user(user, "announce-title", "announcements", "/announcements"),
        board,
        flash: flash(user.tr, q.ok.as_deref()),
        errors,
        title: draft.title,
        body: draft.body,
    })
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<AnnouncementsPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    list_page(&s, &user, &q, errors, AnnouncementDraft::default()).await
}

#[derive(Deserialize, Default)]
pub struct SendForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

pub async fn send(
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
    CsrfForm(user, f): CsrfForm<SendForm>,
) -> Result<Response, PageError> {
    let draft = AnnouncementDraft {
        title: f.title,
        body: f.body,
    };
    match s
        .services
        .send_announcement(&user.actor, q.unit, &draft, s.services.now())
        .await
    {
        Ok(_) => {
            let unit = q.unit.map(|u| format!("unit={u}&")).unwrap_or_default();
            Ok(Redirect::to(&format!("/announcements?{unit}ok=announce-sent-ok")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = list_page(&s, &user, &q, errors, draft).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// One announcement; opening it marks it read.
pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<AnnouncementPage, PageError> {
    let a = s
        .services
        .open_announcement(&user.actor, id, true, s.services.now())
        .await?;
    let mut c = Chrome::for_user(&user, "announce-title", "announcements", "/announcements");
    c.title.clone_from(&a.row.title);
    Ok(AnnouncementPage { c, a })
}
