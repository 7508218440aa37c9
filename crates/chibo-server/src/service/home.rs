//! The home page: what the person's unit looks like today, and — for a
//! member — their next meeting, votes waiting, tasks, notices and calendar.

use super::cases::ProbationLine;
use super::meetings::{NextStep, next_step};
use super::orgs::unit_for;
use super::tasks::{TaskItem, by_urgency, my_tasks};
use super::{Actor, Result, Services};
use crate::model::{Role, Status};
use crate::store::meetings::{MeetingRow, NoticeRow};
use crate::store::orgs::{CellStat, OrgRow};
use crate::store::personal::SentDoc;
use crate::store::{self, Reader};
use chrono::{DateTime, NaiveDate, Utc};

/// The home page of one person.
#[derive(Default)]
pub struct Home {
    /// Their unit (none for an account without a grant).
    pub unit: Option<OrgRow>,
    pub may_manage: bool,
    pub active_members: i64,
    pub probationary: i64,
    /// The cells under an upper committee, with their counts.
    pub cells: Vec<CellStat>,
    /// Their own corner, if they are a member.
    pub mine: Option<MemberHome>,
    /// For whoever runs the cell: the meeting that needs them now, and
    /// its next step (none: the next meeting is to be planned).
    pub due: Option<(MeetingRow, NextStep)>,
}

/// What a member sees first.
#[derive(Default)]
pub struct MemberHome {
    pub next_meeting: Option<MeetingRow>,
    /// The member is on the next meeting's roll (the notice went out).
    pub on_roll: bool,
    /// Their answer to the notice, with the reason if excused.
    pub rsvp: Option<(String, String)>,
    /// Most urgent first.
    pub tasks: Vec<TaskItem>,
    pub documents: Vec<SentDoc>,
    pub digest: bool,
    /// (vote, meeting, subject)
    pub votes: Vec<(i64, i64, String)>,
    pub notices: Vec<NoticeRow>,
    /// The secret of their calendar feed (`/calendar/{token}.ics`).
    pub feed_token: String,
    /// The member is probationary (their recognition is read only then).
    pub probationary: bool,
    /// A probationary member's recognition: its date and what is due.
    pub probation: Option<ProbationLine>,
    /// Their transfer in progress (chuyển sinh hoạt đảng), if any.
    pub transfer: Option<super::transfers::TransferLine>,
    /// Their dues: paid through (MM/YYYY), months in arrears, amount in arrears.
    pub dues: Option<(String, usize, i64)>,
    /// Their evaluation of the round under way: (id, year, self-review due,
    /// submitted).
    pub evaluation: Option<(i64, i64, NaiveDate, bool)>,
    /// Their next Party badge (this year or next), if any.
    pub badge: Option<super::badges::BadgeLine>,
    /// Their record, read once for the lines computed from it.
    record: Option<crate::store::members::MemberRow>,
}

impl Services {
    pub async fn home(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Home> {
        if actor.grants.is_empty() {
            return Ok(Home::default());
        }
        let (mut home, feed_missing) = self
            .db
            .read(async |r| {
                let (mut home, missing) = unit_home(r, actor, now).await?;
                if let (Some(mine), Some(me)) = (&mut home.mine, actor.member_id)
                    && mine.probationary
                {
                    mine.probation = self.probation_of(r, me, super::today(now)).await?;
                }
                if let (Some(mine), Some(me)) = (&mut home.mine, actor.member_id) {
                    let (moving, paying) = store::transfers::keeping_of(r, me).await?;
                    if moving {
                        mine.transfer = self.my_transfer(r, me, super::today(now)).await?;
                    }
                    if paying {
                        mine.dues = self.my_dues(r, me, super::today(now)).await?;
                    }
                    if let Some(m) = mine.record.take() {
                        mine.badge = self.my_badge(r, &m, super::today(now)).await?;
                    }
                }
                Ok::<_, super::ServiceError>((home, missing))
            })
            .await?;
        if let (Some(mine), Some(me)) = (&mut home.mine, actor.member_id.filter(|_| feed_missing)) {
            mine.feed_token = self.new_feed_token(me).await?;
        }
        Ok(home)
    }

    /// The member's calendar feed secret, made on their first visit; later
    /// visits only read it, so a home page does not queue behind SQLite's
    /// single writer.
    async fn new_feed_token(&self, member_id: i64) -> Result<String> {
        let mut tx = self.db.begin().await?;
        let t = store::meetings::feed_token(&mut tx, member_id, &super::accounts::random_token())
            .await?;
        tx.commit().await?;
        Ok(t)
    }
}

/// The home page, and whether the member's calendar feed has yet to be made.
async fn unit_home(r: &mut Reader, actor: &Actor, now: DateTime<Utc>) -> Result<(Home, bool)> {
    let unit = unit_for(r, actor, None).await?;
    let (cells, active_members, probationary) = if unit.kind == "chi_bo" {
        let (members, probationary) = store::orgs::cell_counts(r, unit.id).await?;
        (vec![], members, probationary)
    } else {
        let cells = store::orgs::cells_with_counts(r, unit.id).await?;
        let (a, p) = cells
            .iter()
            .fold((0, 0), |(a, p), c| (a + c.members, p + c.probationary));
        (cells, a, p)
    };
    let (mine, feed_missing) = match actor.member_id {
        Some(id) => {
            let (mine, missing) = member_home(r, actor, id, now).await?;
            (Some(mine), missing)
        }
        None => (None, false),
    };
    let may_manage = actor.role_at(&unit.path).is_some_and(Role::manages_cell);
    let due = if may_manage && unit.kind == "chi_bo" {
        due_meeting(r, unit.id, now).await?
    } else {
        None
    };
    let home = Home {
        due,
        may_manage,
        unit: Some(unit),
        active_members,
        probationary,
        cells,
        mine,
    };
    Ok((home, feed_missing))
}

/// The cell's meeting that needs its secretary: the earliest one not yet
/// closed, else the latest closed one with its resolution or minutes
/// still to finish; with its next step.
async fn due_meeting(
    r: &mut Reader,
    cell: i64,
    now: DateTime<Utc>,
) -> Result<Option<(MeetingRow, NextStep)>> {
    let meetings = store::meetings::of_cell(r, cell, 10).await?;
    let candidate = meetings
        .iter()
        .filter(|m| m.status != "closed")
        .min_by_key(|m| m.starts_at)
        .or_else(|| {
            meetings
                .iter()
                .filter(|m| m.status == "closed")
                .max_by_key(|m| m.starts_at)
        });
    let Some(m) = candidate.cloned() else {
        return Ok(None);
    };
    let roll = store::meetings::roll(r, m.id).await?;
    let votes = store::meetings::votes(r, m.id).await?;
    let resolution = store::meetings::resolution(r, m.id).await?;
    let step = next_step(&m, &roll, &votes, resolution.as_ref(), m.starts_at > now);
    Ok((step != NextStep::Done).then_some((m, step)))
}

async fn member_home(
    r: &mut Reader,
    actor: &Actor,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<(MemberHome, bool)> {
    let Some(member) = store::members::get(r, member_id).await? else {
        return Ok((MemberHome::default(), false));
    };
    let next_meeting = store::meetings::of_cell(r, member.cell_id, 10)
        .await?
        .into_iter()
        .filter(|m| m.status != "closed" && m.starts_at + chrono::Duration::hours(4) > now)
        .min_by_key(|m| m.starts_at);
    let rsvp = match &next_meeting {
        Some(m) => store::personal::rsvp(r, m.id, member_id).await?,
        None => None,
    };
    let feed = store::meetings::feed_token_of(r, member_id).await?;
    let home = MemberHome {
        on_roll: rsvp.is_some(),
        rsvp: rsvp.and_then(|(a, why)| a.map(|a| (a, why.unwrap_or_default()))),
        next_meeting,
        tasks: by_urgency(my_tasks(r, actor, now).await?),
        documents: store::personal::documents_for_cell(r, member.cell_id, 8).await?,
        digest: store::reminders::digest_of(r, member_id).await?,
        votes: store::meetings::open_votes_for(r, member_id).await?,
        notices: store::meetings::notices_for_member(r, member_id, 5).await?,
        feed_token: feed.clone().unwrap_or_default(),
        probationary: member.status == Status::DuBi,
        probation: None,
        transfer: None,
        dues: None,
        evaluation: store::evaluations::of_member(r, member_id)
            .await?
            .into_iter()
            .find(|(_, e)| !e.exempt && e.final_tier.is_none())
            .map(|(round, e)| {
                (
                    e.id,
                    round.year,
                    round.self_review_due,
                    e.submitted_on.is_some(),
                )
            }),
        badge: None,
        record: Some(member),
    };
    Ok((home, feed.is_none()))
}
