//! Announcements (thông báo) from a cell's secretary or an upper committee
//! to the members under it: shown in the app, sent by e-mail through the
//! notice outbox, each member's reading kept.

use super::orgs::unit_for;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry};
use crate::model::AnnouncementDraft;
use crate::store::announcements as db;
pub use crate::store::announcements::AnnouncementRow;
use crate::store::orgs::OrgRow;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// How many announcements a list shows.
const LIST: i64 = 100;

/// The announcements page: what the actor received, and what their unit
/// sent (with how many read it) when they may send.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnnouncementBoard {
    pub unit: OrgRow,
    pub received: Vec<AnnouncementRow>,
    pub sent: Vec<AnnouncementRow>,
    pub may_send: bool,
    pub unread: i64,
}

/// One announcement; for its sender, who has read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnnouncementView {
    #[serde(flatten)]
    pub row: AnnouncementRow,
    /// (member, when read) for the sender; empty for a recipient.
    pub receipts: Vec<(String, Option<DateTime<Utc>>)>,
}

impl Services {
    /// Sends an announcement to every active member under the unit (the
    /// actor's own by default): stored, addressed and queued for e-mail in
    /// one transaction. Its id and how many members it went to.
    pub async fn send_announcement(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        draft: &AnnouncementDraft,
        now: DateTime<Utc>,
    ) -> Result<(i64, usize)> {
        let unit = self
            .db
            .read(async |r| {
                let u = unit_for(r, actor, unit).await?;
                if !actor.can_organise(&u) {
                    return Err(ServiceError::Forbidden);
                }
                Ok(u)
            })
            .await?;
        let a = draft.check().map_err(ServiceError::Invalid)?;
        let mut tx = self.db.begin().await?;
        let id = db::insert(
            &mut tx,
            unit.id,
            &a.title,
            &a.body,
            &actor.display_name,
            Some(actor.account_id),
            now,
        )
        .await?;
        let to = db::address_all(&mut tx, id, &unit.path).await?;
        let subject = format!("Thông báo của {}: {}", unit.name, a.title);
        let key = format!("announcement:{id}");
        for (m, email) in &to {
            crate::store::reminders::queue_keyed(
                &mut tx,
                *m,
                email.as_deref(),
                &key,
                &subject,
                &a.body,
                now,
            )
            .await?;
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::announcement(unit.id, id),
            "announcement.send",
            json!({"title": a.title, "recipients": to.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((id, to.len()))
    }

    /// What the actor received, and what their unit sent.
    pub async fn announcements(
        &self,
        actor: &Actor,
        unit: Option<i64>,
    ) -> Result<AnnouncementBoard> {
        self.db
            .read(async |r| {
                let unit = unit_for(r, actor, unit).await?;
                if !actor.can_see(&unit) {
                    return Err(ServiceError::Forbidden);
                }
                let may_send = actor.can_organise(&unit);
                let (received, unread) = match actor.member_id {
                    Some(me) => (db::of_member(r, me, LIST).await?, db::unread(r, me).await?),
                    None => (Vec::new(), 0),
                };
                let sent = if may_send {
                    db::of_unit(r, unit.id, LIST).await?
                } else {
                    Vec::new()
                };
                Ok(AnnouncementBoard {
                    unit,
                    received,
                    sent,
                    may_send,
                    unread,
                })
            })
            .await
    }

    /// Opens an announcement: a recipient's first opening marks it read
    /// (when `mark`; a program may read without marking); its sender sees
    /// who has read it.
    pub async fn open_announcement(
        &self,
        actor: &Actor,
        id: i64,
        mark: bool,
        now: DateTime<Utc>,
    ) -> Result<AnnouncementView> {
        let (mut row, receipt, receipts) = self
            .db
            .read(async |r| {
                let row = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
                let unit = super::org_for(r, actor, row.unit_id).await?;
                let receipt = match actor.member_id {
                    Some(me) => db::receipt(r, id, me).await?,
                    None => None,
                };
                let sender = actor.can_organise(&unit);
                if receipt.is_none() && !sender {
                    return Err(ServiceError::NotFound);
                }
                let receipts = if sender {
                    db::receipts(r, id).await?
                } else {
                    Vec::new()
                };
                Ok((row, receipt, receipts))
            })
            .await?;
        row.read_at = receipt.flatten();
        if let (true, Some(None), Some(me)) = (mark, receipt, actor.member_id) {
            let mut tx = self.db.begin().await?;
            if db::mark_read(&mut tx, id, me, now).await? {
                row.read_at = Some(now);
                row.read += 1;
            }
            tx.commit().await?;
        }
        Ok(AnnouncementView { row, receipts })
    }
}
