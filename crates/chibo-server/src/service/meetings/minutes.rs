//! The minutes: autosaved sections and speeches, then locked (sealed) and,
//! for a correction, unlocked again.

use super::seal::{Locking, lock_document};
use super::{MeetingView, invalid, managed_meeting, meeting_view};
use crate::model::nfc;
use crate::service::{
    Actor, Result, ServiceError, Services, Subject, audit_entry, audit_entry_with,
};
use crate::store::Reader;
use crate::store::images::Part;
use crate::store::meetings::{self as db, AgendaItem};
use chrono::{DateTime, Utc};
use serde_json::json;

/// One item of the meeting's agenda.
async fn item_of(r: &mut Reader, id: i64, item_id: i64) -> Result<AgendaItem> {
    db::items(r, id)
        .await?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(ServiceError::NotFound)
}

impl Services {
    /// Autosave of one section of the minutes. Conflicting saves are refused
    /// (Stale) so nobody's text silently replaces another's.
    pub async fn save_minutes(
        &self,
        actor: &Actor,
        id: i64,
        item_id: i64,
        version: i64,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, item) = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                if m.minutes_locked_at.is_some() {
                    return Err(invalid("minutes", "minutes.locked", ""));
                }
                Ok((m, item_of(r, id, item_id).await?))
            })
            .await?;
        let text = text.replace("\r\n", "\n");
        let text =
            unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect::<String>();
        if text == item.minutes {
            return Ok(item.minutes_version);
        }
        let mut tx = self.db.begin().await?;
        let Some(v) = db::save_minutes(&mut tx, item_id, version, &text, now).await? else {
            return Err(ServiceError::Stale);
        };
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("agenda_item", vec![id, item_id])],
            "meeting.minutes",
            json!({"item": item.title, "chars": text.chars().count(), "version": v}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn add_speech(
        &self,
        actor: &Actor,
        id: i64,
        item_id: i64,
        member_id: Option<i64>,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let body = nfc(body);
        let (m, item, speaker) = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                if m.minutes_locked_at.is_some() {
                    return Err(invalid("body", "minutes.locked", ""));
                }
                if body.is_empty() {
                    return Err(invalid("body", "required", ""));
                }
                let item = item_of(r, id, item_id).await?;
                let speaker = match member_id {
                    Some(mid) => db::roll(r, id)
                        .await?
                        .into_iter()
                        .find(|e| e.member_id == mid)
                        .map(|e| e.full_name)
                        .ok_or(ServiceError::NotFound)?,
                    None => m.guest.clone().unwrap_or_else(|| "Đại biểu".into()),
                };
                Ok((m, item, speaker))
            })
            .await?;
        let mut tx = self.db.begin().await?;
        db::add_speech(&mut tx, item.id, member_id, &speaker, &body, now).await?;
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Under("speech", item.id)],
            "meeting.speech",
            json!({"item": item.title, "speaker": speaker}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Locks the minutes of a closed meeting; later corrections are versions.
    pub async fn finalize_minutes(
        &self,
        actor: &Actor,
        id: i64,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (m, view, printed) = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                if m.status != "closed" {
                    return Err(invalid("status", "meeting.not_closed", ""));
                }
                let view = meeting_view(r, actor, id).await?;
                let printed = self.printed_minutes(r, &view).await?;
                Ok((m, view, printed))
            })
            .await?;
        let facts = minutes_facts(&view);
        let mut tx = self.db.begin().await?;
        let reason = reason.map(nfc).filter(|r| !r.is_empty());
        let code = lock_document(
            &mut tx,
            actor,
            Subject::meeting(&m),
            Locking {
                doc_type: "minutes",
                doc_id: id,
                facts,
                printed,
                reason: reason.as_deref(),
                action: "minutes.lock",
                summary: json!({"reason": reason}),
                parts: vec![],
            },
            async |tx, hash| Ok(db::lock_minutes(tx, id, hash, now).await?),
            now,
        )
        .await?;
        tx.commit().await?;
        self.anchor_after_seal(m.cell_id).await;
        Ok(code)
    }

    /// Reopens locked minutes for a correction (who and why are recorded);
    /// locking again makes a new version.
    pub async fn unlock_minutes(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _) = self.managed_meeting(actor, id).await?;
        let reason = nfc(reason);
        if reason.is_empty() {
            return Err(invalid("reason", "required", ""));
        }
        let mut tx = self.db.begin().await?;
        db::unlock_minutes(&mut tx, id).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "minutes.unlock",
            json!({"reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The facts sealed with the minutes: what the meeting recorded, beside the
/// minutes as printed.
pub fn minutes_facts(v: &MeetingView) -> serde_json::Value {
    json!({
        "meeting": {"id": v.meeting.id, "kind": v.meeting.kind, "topic": v.meeting.topic, "starts_at": v.meeting.starts_at,
                    "opened_at": v.meeting.opened_at, "closed_at": v.meeting.closed_at, "place": v.meeting.place,
                    "open_reason": v.meeting.open_reason, "close_reason": v.meeting.close_reason,
                    "chair_id": v.meeting.chair_id, "secretary_id": v.meeting.secretary_id, "guest": v.meeting.guest},
        "roll": v.roll.iter().map(|r| json!({"member_id": r.member_id, "name": r.full_name, "status": r.member_status, "presence": r.presence, "reason": r.reason})).collect::<Vec<_>>(),
        "items": v.items.iter().map(|i| json!({"title": i.title, "minutes": i.minutes,
            "speeches": v.speeches.iter().filter(|s| s.agenda_item_id == i.id).map(|s| json!({"speaker": s.speaker, "body": s.body})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "votes": v.votes.iter().map(|x| json!({"subject": x.subject, "kind": x.kind, "counts": [x.tan_thanh, x.khong_tan_thanh, x.khong_bieu_quyet], "outcome": x.outcome, "explanation": x.explanation})).collect::<Vec<_>>(),
    })
}
