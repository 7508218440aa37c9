//! The home page: what the person's unit looks like today.

use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::{Chrome, HomePage};
use axum::extract::{Query, State};
use axum::response::Redirect;

#[derive(serde::Deserialize, Default)]
pub struct HomeQuery {
    ok: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<HomeQuery>,
) -> Result<HomePage, PageError> {
    let home = s.services.home(&user.actor, s.services.now()).await?;
    Ok(HomePage {
        c: Chrome::for_user(&user, "home-title", "home", "/"),
        flash: super::flash(user.tr, q.ok.as_deref()),
        mine: home.mine,
        base_url: s.cfg.base_url(),
        manages: home.may_manage,
        unit: home.unit,
        active_members: home.active_members,
        probationary: home.probationary,
        cells: home.cells,
        own_member_id: user.actor.member_id,
    })
}

#[derive(serde::Deserialize)]
pub struct RsvpForm {
    answer: String,
    #[serde(default)]
    reason: String,
}

/// A member answers the notice from their home page.
pub async fn rsvp(
    State(s): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    CsrfForm(user, f): CsrfForm<RsvpForm>,
) -> Result<Redirect, PageError> {
    let r = s
        .services
        .answer_notice(&user.actor, id, &f.answer, &f.reason, s.services.now())
        .await;
    Ok(Redirect::to(match r {
        Ok(()) => "/?ok=rsvp-saved#next-meeting",
        Err(crate::service::ServiceError::Invalid(_)) => "/?ok=rsvp-reason-needed#next-meeting",
        Err(e) => return Err(e.into()),
    }))
}

#[derive(serde::Deserialize)]
pub struct DigestForm {
    #[serde(default)]
    daily: String,
}

pub async fn digest(
    State(s): State<AppState>,
    CsrfForm(user, f): CsrfForm<DigestForm>,
) -> Result<Redirect, PageError> {
    s.services
        .choose_digest(&user.actor, f.daily == "1", s.services.now())
        .await?;
    Ok(Redirect::to("/?ok=digest-saved#reminders"))
}
