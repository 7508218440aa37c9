//! A unit's committee terms. Each congress (đại hội) starts one; where the
//! rule pack numbers documents per term, their numbers start again with it.

use super::{Actor, Result, ServiceError, Services, today};
use crate::model::{Problem, format_date, nfc};
use crate::store::{audit, meetings, orgs::OrgRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

impl Services {
    /// Records that a new term of `org`'s committee began on `start`.
    pub async fn start_term(
        &self,
        actor: &Actor,
        org: &OrgRow,
        start: NaiveDate,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.can_organise(org) {
            return Err(ServiceError::Forbidden);
        }
        if start > today(now) {
            return Err(ServiceError::invalid(Problem::new(
                "start_date",
                "date.future",
                format_date(start),
            )));
        }
        let note = note.map(nfc).filter(|n| !n.is_empty());
        let mut tx = self.db.begin().await?;
        meetings::add_term(&mut tx, org.id, start, note.as_deref()).await?;
        audit::append(
            &mut tx,
            &audit::NewEntry {
                chain_id: super::orgs::chain_of(org),
                account_id: Some(actor.account_id),
                actor: &actor.audit_name(),
                action: "org.term",
                entity: "org",
                entity_id: Some(org.id),
                summary: &json!({"start": start, "note": note}),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
