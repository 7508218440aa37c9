//! The home page: what the person's unit looks like today.

use super::unit_for;
use crate::model::Role;
use crate::store;
use crate::web::AppState;
use crate::web::auth::User;
use crate::web::error::PageError;
use crate::web::view::{Chrome, HomePage};
use axum::extract::State;

pub async fn show(State(s): State<AppState>, user: User) -> Result<HomePage, PageError> {
    let c = Chrome::for_user(&user, "home-title", "home", "/");
    if user.actor.grants.is_empty() {
        return Ok(HomePage {
            c,
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
        let counts =
            store::orgs::cells_with_counts(&s.services.db, unit.parent_id.unwrap_or(0)).await?;
        let me = counts.iter().find(|c| c.id == unit.id);
        (
            vec![],
            me.map_or(0, |c| c.members),
            me.map_or(0, |c| c.probationary),
        )
    } else {
        let cells = store::orgs::cells_with_counts(&s.services.db, unit.id).await?;
        let (a, p) = cells
            .iter()
            .fold((0, 0), |(a, p), c| (a + c.members, p + c.probationary));
        (cells, a, p)
    };
    Ok(HomePage {
        c,
        manages: role.is_some_and(Role::manages_cell),
        unit: Some(unit),
        active_members: active,
        probationary,
        cells,
        own_member_id: user.actor.member_id,
    })
}
