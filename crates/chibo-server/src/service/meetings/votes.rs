//! Votes by show of hands (counts entered) or named from members' phones;
//! the outcome comes from the rule pack, on the roll frozen at the opening.

use super::{attendance_of, invalid, managed_meeting, meeting, rule_status};
use crate::model::{Choice, VoteMode, nfc};
use crate::service::{Actor, Result, ServiceError, Services, Subject, audit_entry_with, today};
use crate::store::images::Part;
use crate::store::meetings::{self as db, MeetingRow, VoteRow};
use crate::store::{Reader, orgs::OrgRow};
use chibo_rules::{Ballots, DecisionKind, Lang, Member};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One of the meeting's votes, if the actor may see the meeting.
async fn vote_of(
    r: &mut Reader,
    actor: &Actor,
    meeting_id: i64,
    vote_id: i64,
) -> Result<(MeetingRow, OrgRow, VoteRow)> {
    let (m, cell) = meeting(r, actor, meeting_id).await?;
    let v = db::vote(r, vote_id)
        .await?
        .filter(|v| v.meeting_id == meeting_id)
        .ok_or(ServiceError::NotFound)?;
    Ok((m, cell, v))
}

/// An open vote that the actor, managing the meeting's cell, may close.
async fn vote_to_close(
    r: &mut Reader,
    actor: &Actor,
    meeting_id: i64,
    vote_id: i64,
) -> Result<(MeetingRow, VoteRow)> {
    let (m, cell, v) = vote_of(r, actor, meeting_id, vote_id).await?;
    if !actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden);
    }
    if v.status != "open" {
        return Err(invalid("vote", "vote.closed", ""));
    }
    Ok((m, v))
}

#[derive(Serialize, Deserialize)]
struct Frozen {
    member_id: i64,
    status: String,
    attendance: String,
}

impl Services {
    /// Opens a vote and freezes its roll. Kinds the rules reserve for secret
    /// ballots are refused here.
    pub async fn open_vote(
        &self,
        actor: &Actor,
        id: i64,
        kind: DecisionKind,
        subject: &str,
        mode: VoteMode,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, roll) = self
            .db
            .read(async |r| {
                let (m, _) = managed_meeting(r, actor, id).await?;
                if m.status != "open" {
                    return Err(invalid("kind", "meeting.not_open", ""));
                }
                Ok((m, db::roll(r, id).await?))
            })
            .await?;
        let on = today(now);
        let secret: bool = self
            .rules
            .param(&format!("{}_secret_ballot", kind.code()), on)
            .map_err(|_| invalid("kind", "vote.kind", kind.code()))?;
        if secret {
            return Err(invalid("kind", "vote.secret_required", kind.code()));
        }
        let subject = nfc(subject);
        if subject.is_empty() {
            return Err(invalid("subject", "required", ""));
        }
        let frozen: Vec<Frozen> = roll
            .iter()
            .filter(|r| rule_status(r.member_status.as_str()).is_some())
            .map(|r| Frozen {
                member_id: r.member_id,
                status: r.member_status.as_str().to_owned(),
                attendance: r
                    .presence
                    .clone()
                    .unwrap_or_else(|| "vang_khong_ly_do".into()),
            })
            .collect();
        let frozen = serde_json::to_string(&frozen).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        let vid = db::open_vote(
            &mut tx,
            id,
            kind.code(),
            &subject,
            mode.as_str(),
            &frozen,
            now,
        )
        .await?;
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("vote", vec![id, vid])],
            "vote.open",
            json!({"vote_id": vid, "kind": kind.code(), "subject": subject, "mode": mode.as_str()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(vid)
    }

    /// The members entitled to vote on a vote's frozen roll, counted as
    /// the roll-call panel counts voters.
    pub fn vote_voters(&self, m: &MeetingRow, v: &VoteRow) -> Vec<i64> {
        let on = today(m.starts_at);
        let roll: Vec<Frozen> = serde_json::from_str(&v.roll).unwrap_or_default();
        // The rule pack is asked once per standing and presence, not once
        // per member: a roll of 200 has a handful of each.
        let mut asked: Vec<(&str, &str, bool)> = Vec::new();
        let mut voters = Vec::new();
        for f in &roll {
            let votes = match asked
                .iter()
                .find(|(s, a, _)| *s == f.status && *a == f.attendance)
            {
                Some(&(_, _, votes)) => votes,
                None => {
                    let votes = self.votes(&f.status, Some(&f.attendance), on);
                    asked.push((&f.status, &f.attendance, votes));
                    votes
                }
            };
            if votes {
                voters.push(f.member_id);
            }
        }
        voters
    }

    /// Whether `member` is entitled to vote on a vote's frozen roll: the
    /// rule pack asked for that member alone, as a cast needs.
    fn may_vote(&self, m: &MeetingRow, v: &VoteRow, member: i64) -> bool {
        serde_json::from_str::<Vec<Frozen>>(&v.roll)
            .unwrap_or_default()
            .into_iter()
            .find(|f| f.member_id == member)
            .is_some_and(|f| self.votes(&f.status, Some(&f.attendance), today(m.starts_at)))
    }

    fn frozen_roll(v: &VoteRow) -> Vec<(i64, Member)> {
        serde_json::from_str::<Vec<Frozen>>(&v.roll)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| {
                Some((
                    f.member_id,
                    Member::new(rule_status(&f.status)?, attendance_of(Some(&f.attendance))),
                ))
            })
            .collect()
    }

    /// One of the meeting's votes, if the actor may see the meeting.
    pub async fn vote_of(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
    ) -> Result<(MeetingRow, OrgRow, VoteRow)> {
        self.db
            .read(async |r| vote_of(r, actor, meeting_id, vote_id).await)
            .await
    }

    /// Closes a vote with counts the secretary entered (show of hands).
    pub async fn enter_counts(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
        counts: (u32, u32, u32),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, v) = self
            .db
            .read(async |r| vote_to_close(r, actor, meeting_id, vote_id).await)
            .await?;
        if v.mode != VoteMode::Counts.as_str() {
            return Err(invalid("vote", "vote.mode", v.mode.clone()));
        }
        self.decide_and_close(actor, &m, &v, counts, now).await
    }

    async fn decide_and_close(
        &self,
        actor: &Actor,
        m: &MeetingRow,
        v: &VoteRow,
        (yes, no, abstain): (u32, u32, u32),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let kind = DecisionKind::from_code(&v.kind).ok_or(ServiceError::NotFound)?;
        let roll: Vec<Member> = Self::frozen_roll(v).into_iter().map(|(_, m)| m).collect();
        // The rules count the voters, as the roll-call panel and the vote
        // form do: more ballots than voters is refused there.
        let d = self
            .rules
            .decide(
                kind,
                &roll,
                &Ballots::counts(yes, no, abstain),
                today(m.starts_at),
            )
            .map_err(|e| match e {
                chibo_rules::DecideError::TooManyBallots {
                    ballots, voters, ..
                } => invalid(
                    "tan_thanh",
                    "vote.too_many",
                    format!("{ballots} > {voters}"),
                ),
                e => invalid("tan_thanh", "vote.rules", e.to_string()),
            })?;
        let explanation = d.explain(Lang::Vi);
        let citations = serde_json::to_string(&d.citations).unwrap_or_default();
        let r = db::VoteResult {
            tan_thanh: yes.into(),
            khong_tan_thanh: no.into(),
            khong_bieu_quyet: abstain.into(),
            outcome: d.outcome.code(),
            needed: d.needed.into(),
            got: d.got.into(),
            base: d.base.into(),
            explanation: &explanation,
            citations: &citations,
        };
        let mut tx = self.db.begin().await?;
        if !db::close_vote(&mut tx, v.id, &r, now).await? {
            return Err(invalid("vote", "vote.closed", ""));
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(m),
            &[Part::Row("vote", vec![m.id, v.id])],
            "vote.close",
            json!({"vote_id": v.id, "counts": [yes, no, abstain], "outcome": d.outcome.code(), "explanation": explanation}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A member's own vote, from their phone.
    pub async fn cast_vote(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
        choice: Choice,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, _, v) = self.vote_of(actor, meeting_id, vote_id).await?;
        if v.status != "open" || v.mode != VoteMode::Named.as_str() {
            return Err(invalid("choice", "vote.closed", ""));
        }
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        if !self.may_vote(&m, &v, me) {
            return Err(invalid("choice", "vote.not_eligible", ""));
        }
        let mut tx = self.db.begin().await?;
        if !db::cast(&mut tx, vote_id, me, choice.as_str(), now).await? {
            return Err(invalid("choice", "vote.already", ""));
        }
        audit_entry_with(
            &mut tx,
            actor,
            Subject::meeting(&m),
            &[Part::Row("vote_cast", vec![vote_id, me])],
            "vote.cast",
            json!({"vote_id": vote_id, "choice": choice.as_str()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a named vote: eligible members who did not vote count as not voting.
    pub async fn close_named_vote(
        &self,
        actor: &Actor,
        meeting_id: i64,
        vote_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, v, casts) = self
            .db
            .read(async |r| {
                let (m, v) = vote_to_close(r, actor, meeting_id, vote_id).await?;
                Ok::<_, ServiceError>((m, v, db::casts(r, vote_id).await?))
            })
            .await?;
        let count = |c: Choice| casts.iter().filter(|(_, x)| x == c.as_str()).count() as u32;
        self.decide_and_close(
            actor,
            &m,
            &v,
            (
                count(Choice::TanThanh),
                count(Choice::KhongTanThanh),
                count(Choice::KhongBieuQuyet),
            ),
            now,
        )
        .await
    }
}
