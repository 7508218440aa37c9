//! A member's own actions: answering a meeting's notice and choosing how
//! reminders arrive.

use super::{Actor, Result, ServiceError, Services, Subject, audit_entry};
use crate::model::{Presence, Problem, nfc};
use crate::store::{personal, reminders};
use chrono::{DateTime, Utc};
use serde_json::json;

impl Services {
    /// "I will attend" or "excused, because…", before the meeting opens.
    pub async fn answer_notice(
        &self,
        actor: &Actor,
        meeting_id: i64,
        answer: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _) = self.meeting(actor, meeting_id).await?;
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        let answer = Presence::parse(answer).map_err(ServiceError::invalid)?;
        if answer == Presence::VangKhongLyDo {
            return Err(ServiceError::invalid(Problem::new(
                "answer",
                "presence.unknown",
                answer.as_str(),
            )));
        }
        let reason = nfc(reason.trim());
        if answer == Presence::VangCoLyDo && reason.is_empty() {
            return Err(ServiceError::invalid(Problem::new(
                "reason", "required", "",
            )));
        }
        if !matches!(m.status.as_str(), "draft" | "notified") {
            return Err(ServiceError::invalid(Problem::new(
                "answer",
                "meeting.closed",
                "",
            )));
        }
        let mut tx = self.db.begin().await?;
        let reason = (!reason.is_empty()).then_some(reason);
        if !personal::set_rsvp(
            &mut tx,
            meeting_id,
            me,
            answer.as_str(),
            reason.as_deref(),
            now,
        )
        .await?
        {
            return Err(ServiceError::Forbidden);
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "meeting.rsvp",
            json!({"member_id": me, "answer": answer.as_str(), "reason": reason}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One e-mail a day instead of one per reminder.
    pub async fn choose_digest(
        &self,
        actor: &Actor,
        daily: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        let member = self
            .db
            .read(async |r| crate::store::members::get(r, me).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut tx = self.db.begin().await?;
        reminders::set_digest(&mut tx, me, daily).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::member(member.cell_id, me),
            "member.reminder_digest",
            json!({"daily_digest": daily}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
