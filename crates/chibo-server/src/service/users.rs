//! The accounts of a unit: who holds which role in it and below it.

use super::orgs::unit_for;
use super::{Actor, Result, ServiceError, Services};
use crate::model::Role;
use crate::store::{self, Reader};

pub use crate::store::accounts::{AccountRow, GrantRow};
use crate::store::orgs::OrgRow;

/// The accounts screen of a unit.
pub struct UnitAccounts {
    pub unit: OrgRow,
    /// Each account with a role here or below, with that role.
    pub rows: Vec<(AccountRow, GrantRow)>,
    /// The unit and those directly under it, where a new account may be given a role.
    pub units: Vec<OrgRow>,
    /// The roles the actor may give on the unit (what the form offers).
    pub roles: Vec<Role>,
}

/// The accounts under a unit, for its committee or one above it.
async fn accounts_under(
    r: &mut Reader,
    actor: &Actor,
    unit: &OrgRow,
) -> Result<Vec<(AccountRow, GrantRow)>> {
    if !actor.can_manage(unit) && actor.role_at(&unit.path) < Some(Role::Upper) {
        return Err(ServiceError::Forbidden);
    }
    Ok(store::accounts::under(r, &unit.path).await?)
}

impl Services {
    /// The accounts holding a role in the unit or below it.
    pub async fn unit_accounts(
        &self,
        actor: &Actor,
        unit_id: i64,
    ) -> Result<Vec<(AccountRow, GrantRow)>> {
        self.db
            .read(async |r| {
                let unit = super::org(r, unit_id).await?;
                accounts_under(r, actor, &unit).await
            })
            .await
    }

    /// The accounts screen of the actor's own unit.
    pub async fn accounts_page(&self, actor: &Actor) -> Result<UnitAccounts> {
        self.db
            .read(async |r| {
                let unit = unit_for(r, actor, None).await?;
                let rows = accounts_under(r, actor, &unit).await?;
                let mut units = vec![unit.clone()];
                units.extend(store::orgs::children(r, unit.id).await?);
                let roles = self.grantable_roles(actor, &unit);
                Ok(UnitAccounts {
                    unit,
                    rows,
                    units,
                    roles,
                })
            })
            .await
    }
}
