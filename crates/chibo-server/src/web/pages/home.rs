//! The home page: what the person's unit looks like today.

use super::unit_for;
use crate::model::Role;
use crate::store;
use crate::web::AppState;
use crate::web::auth::User;
use crate::web::error::PageError;
use crate::web::view::{Chrome, HomePage, MemberHome};
use axum::extract::State;

pub async fn show(State(s): State<AppState>, user: User) -> Result<HomePage, PageError> {
    let c = Chrome::for_user(&user, "home-title", "home", "/");
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
        Some(id) => Some(own(&s, id).await?),
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
    })
}

/// What a member sees first: their next meeting, votes waiting, notices, and
/// their personal calendar feed.
async fn own(s: &AppState, member_id: i64) -> Result<MemberHome, PageError> {
    let db = &s.services.db;
    let Some(member) = store::members::get(db, member_id).await? else {
        return Ok(MemberHome::default());
    };
    let now = chrono::Utc::now();
    let next_meeting = store::meetings::of_cell(db, member.cell_id, 10)
        .await?
        .into_iter()
        .filter(|m| m.status != "closed" && m.starts_at + chrono::Duration::hours(4) > now)
        .min_by_key(|m| m.starts_at);
    let votes = store::meetings::open_votes_for(db, member_id).await?;
    let notices = store::meetings::notices_for_member(db, member_id, 5).await?;
    let mut tx = db.begin().await?;
    let token = store::meetings::feed_token(
        &mut tx,
        member_id,
        &crate::service::accounts::random_token(),
    )
    .await?;
    tx.commit().await?;
    Ok(MemberHome {
        next_meeting,
        votes,
        notices,
        feed: format!("{}/calendar/{token}.ics", s.cfg.base_url()),
    })
}
