//! The home page: what the person's unit looks like today.

use super::unit_for;
use crate::model::Role;
use crate::service::Actor;
use crate::store;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::{Chrome, HomePage, MemberHome};
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
    let c = Chrome::for_user(&user, "home-title", "home", "/");
    let flash = super::flash(user.tr, q.ok.as_deref());
    if user.actor.grants.is_empty() {
        return Ok(HomePage {
            c,
            mine: None,
            unit: None,
            active_members: 0,
            probationary: 0,
            cells: vec![],
            own_member_id: user.actor.member_id,
            manages: false,
            flash,
        });
    }
    let unit = unit_for(&s, &user, None).await?;
    let role = user.actor.role_at(&unit.path);
    let (cells, active, probationary) = if unit.kind == "chi_bo" {
        let (members, probationary) = store::orgs::cell_counts(&s.services.db, unit.id).await?;
        (vec![], members, probationary)
    } else {
        let cells = store::orgs::cells_with_counts(&s.services.db, unit.id).await?;
        let (a, p) = cells
            .iter()
            .fold((0, 0), |(a, p), c| (a + c.members, p + c.probationary));
        (cells, a, p)
    };
    let mine = match user.actor.member_id {
        Some(id) => Some(own(&s, &user.actor, id).await?),
        None => None,
    };
    Ok(HomePage {
        c,
        mine,
        manages: role.is_some_and(Role::manages_cell),
        unit: Some(unit),
        active_members: active,
        probationary,
        cells,
        own_member_id: user.actor.member_id,
        flash,
    })
}

/// What a member sees first: their next meeting, votes waiting, notices, and
/// their personal calendar feed.
async fn own(s: &AppState, actor: &Actor, member_id: i64) -> Result<MemberHome, PageError> {
    let db = &s.services.db;
    let Some(member) = store::members::get(db, member_id).await? else {
        return Ok(MemberHome::default());
    };
    let now = s.services.now();
    let next_meeting = store::meetings::of_cell(db, member.cell_id, 10)
        .await?
        .into_iter()
        .filter(|m| m.status != "closed" && m.starts_at + chrono::Duration::hours(4) > now)
        .min_by_key(|m| m.starts_at);
    let rsvp = match &next_meeting {
        Some(m) => store::personal::rsvp(db, m.id, member_id).await?,
        None => None,
    };
    let tasks = super::tasks::by_urgency(s.services.my_tasks(actor, now).await?);
    let documents = store::personal::documents_for_cell(db, member.cell_id, 8).await?;
    let digest = store::reminders::digest_of(db, member_id).await?;
    let votes = store::meetings::open_votes_for(db, member_id).await?;
    let notices = store::meetings::notices_for_member(db, member_id, 5).await?;
    // The token is made once; later visits only read it, so a home page
    // does not queue behind SQLite's single writer.
    let token = match store::meetings::feed_token_of(db, member_id).await? {
        Some(t) => t,
        None => {
            let mut tx = db.begin().await?;
            let t = store::meetings::feed_token(
                &mut tx,
                member_id,
                &crate::service::accounts::random_token(),
            )
            .await?;
            tx.commit().await?;
            t
        }
    };
    Ok(MemberHome {
        on_roll: rsvp.is_some(),
        rsvp: rsvp.and_then(|(a, r)| a.map(|a| (a, r.unwrap_or_default()))),
        next_meeting,
        tasks,
        documents,
        digest,
        votes,
        notices,
        feed: format!("{}/calendar/{token}.ics", s.cfg.base_url()),
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
