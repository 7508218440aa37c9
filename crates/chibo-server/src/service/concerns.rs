//! Residents' concerns carried up and answered (nắm bắt tâm tư, nguyện vọng
//! của nhân dân): three doors in (the cell's public page, a member, the
//! secretary's batch after a residents' meeting), the committee's list with
//! what is due or late, forwarding and the answer, the month's list for the
//! meeting's "dư luận nhân dân" item; and the documents members must study.
//!
//! Deadlines are the pack's `resident_concern_*_working_days` (no central
//! rule: a đảng ủy's local pack sets them). A resident's contact is read
//! only by the committee, and each read is logged as a member record's is.

use super::orgs::unit_for;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, today};
use crate::model::{
    CheckedConcern, CloseReason, ConcernAct, ConcernDraft, ConcernState, Door, Due, OrgCode,
    Problem, Problems, StudyDraft, due_on, format_date, looks_like_spam, normal_code, note_text,
    paragraphs, tracking_code,
};
use crate::store::access::{Access, AccessKind};
use crate::store::concerns::{self as db, Change, NewConcern};
pub use crate::store::concerns::{ConcernRow, StudyRow, Tracked};
use crate::store::{self, Reader, Tx, orgs::OrgRow};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::RngCore;
use serde_json::json;

/// How many public submissions are let through in a window, per sender's
/// address and per cell.
#[derive(Debug, Clone, Copy)]
pub struct ConcernThrottle {
    pub window: Duration,
    pub per_address: i64,
    pub per_cell: i64,
}

/// The label of the public page in audit entries (it has no account).
const PUBLIC_ACTOR: &str = "Người dân (trang ý kiến công khai)";

/// A concern with what it shows today.
#[derive(Debug, Clone)]
pub struct ConcernItem {
    pub row: ConcernRow,
    pub due: Option<Due>,
}

impl ConcernItem {
    pub fn late(&self) -> bool {
        self.due == Some(Due::Late)
    }
}

/// The committee's list of a cell's concerns over a month.
pub struct ConcernList {
    pub cell: OrgRow,
    pub month: NaiveDate,
    pub items: Vec<ConcernItem>,
    /// Counts over the month: received, forwarded, answered; and open, late.
    pub counts: ConcernCounts,
    /// The actor runs the cell (sees the list); otherwise only the form.
    pub may_manage: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConcernCounts {
    pub received: usize,
    pub forwarded: usize,
    pub answered: usize,
    pub open: usize,
    pub late: usize,
}

/// The one count of a month's concerns that the list and the meeting's
/// item both show.
pub fn counts(items: &[ConcernItem], from: NaiveDate, to: NaiveDate) -> ConcernCounts {
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
    ConcernCounts {
        received: items
            .iter()
            .filter(|i| within(Some(i.row.received_on)))
            .count(),
        forwarded: items.iter().filter(|i| within(i.row.forwarded_on)).count(),
        answered: items.iter().filter(|i| within(i.row.answered_on)).count(),
        open: items.iter().filter(|i| i.due.is_some()).count(),
        late: items.iter().filter(|i| i.late()).count(),
    }
}

/// What the committee does to an item, as a form sends it.
#[derive(Debug, Clone, Default)]
pub struct ActForm {
    /// forward | answer | done | duplicate | spam
    pub act: String,
    /// The body forwarded to, the answer, or the reason for closing.
    pub text: String,
    /// dd/mm/yyyy; today when empty.
    pub date: String,
}

/// A study document with who studied it.
pub struct StudyItem {
    pub doc: StudyRow,
    /// (member, day studied), for the committee; only oneself for a member.
    pub studied: Vec<(String, NaiveDate)>,
    /// Members on the roll who have not marked it (committee only).
    pub not_yet: Vec<String>,
    /// The actor's own mark.
    pub mine: Option<NaiveDate>,
    pub late: bool,
}

pub struct StudyBoard {
    pub cell: OrgRow,
    pub items: Vec<StudyItem>,
    pub may_manage: bool,
    pub is_member: bool,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    first_of_month(d)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

fn new_code() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    tracking_code(bytes)
}

/// The cell a concern is recorded in: one the actor runs, or (for the
/// member's door) their own.
async fn cell_to_record(r: &mut Reader, actor: &Actor, unit: Option<i64>) -> Result<OrgRow> {
    let cell = unit_for(r, actor, unit).await?;
    if cell.kind != "chi_bo" {
        return Err(ServiceError::NotFound);
    }
    if !actor.can_manage(&cell) && !actor.can_see(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok(cell)
}

/// A concern and its cell (whether the actor may see it is the caller's).
async fn concern_and_cell(r: &mut Reader, actor: &Actor, id: i64) -> Result<(ConcernRow, OrgRow)> {
    let row = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
    let cell = super::org_for(r, actor, row.cell_id).await?;
    Ok((row, cell))
}

async fn managed_cell(r: &mut Reader, actor: &Actor, unit: Option<i64>) -> Result<OrgRow> {
    let cell = unit_for(r, actor, unit).await?;
    if !actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok(cell)
}

/// A cell's concerns in the month of `month`, oldest first, with the
/// open ones from before.
async fn month_list(
    r: &mut Reader,
    cell: OrgRow,
    month: NaiveDate,
    on: NaiveDate,
) -> Result<ConcernList> {
    let (from, to) = (first_of_month(month), last_of_month(month));
    let rows = db::of_cell(r, cell.id, from, to).await?;
    let items: Vec<ConcernItem> = rows
        .into_iter()
        .map(|row| {
            let state = ConcernState::parse(&row.state).unwrap_or(ConcernState::Received);
            ConcernItem {
                due: due_on(state, row.forward_due, row.answer_due, on),
                row,
            }
        })
        .collect();
    Ok(ConcernList {
        counts: counts(&items, from, to),
        may_manage: true,
        cell,
        month: from,
        items,
    })
}

impl Services {
    /// The days a new concern must be forwarded and answered by.
    fn concern_dues(&self, on: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
        let days = |name: &str| -> Result<NaiveDate> {
            let n = self
                .rules
                .param::<u32>(name, on)
                .map_err(|e| ServiceError::Store(store::StoreError::Config(e.to_string())))?;
            self.rules
                .calendar()
                .add_working_days(on, n)
                .map_err(|e| ServiceError::Store(store::StoreError::Config(e.to_string())))
        };
        Ok((
            days("resident_concern_forward_working_days")?,
            days("resident_concern_answer_working_days")?,
        ))
    }

    /// Stores checked concerns in one transaction with their audit entries;
    /// their tracking codes in order.
    #[allow(clippy::too_many_arguments)]
    async fn store_concerns(
        &self,
        tx: &mut Tx,
        cell: &OrgRow,
        door: Door,
        items: &[CheckedConcern],
        received_on: NaiveDate,
        actor: Option<&Actor>,
        spam: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let (forward_due, answer_due) = self.concern_dues(received_on)?;
        let recorded_by = actor.map(Actor::audit_name);
        let mut codes = Vec::with_capacity(items.len());
        for c in items {
            let code = new_code();
            let id = db::insert(
                tx,
                &NewConcern {
                    cell_id: cell.id,
                    code: &code,
                    door: door.as_str(),
                    area: &c.area,
                    body: &c.body,
                    contact: c.contact.as_deref(),
                    received_on,
                    recorded_by: recorded_by.as_deref(),
                    forward_due,
                    answer_due,
                },
                now,
            )
            .await?;
            if spam {
                db::change(
                    tx,
                    id,
                    ConcernState::Received.as_str(),
                    &Change {
                        closed_on: Some(received_on),
                        close_reason: Some(CloseReason::Spam.as_str()),
                        close_note: Some("Tự động: dấu hiệu thư rác ở trang công khai"),
                        ..Change::to(ConcernState::Closed)
                    },
                    now,
                )
                .await?;
            }
            let summary = json!({"door": door.as_str(), "area": c.area,
                                 "has_contact": c.contact.is_some(), "spam": spam});
            let subject = Subject::concern(cell.id, id);
            match actor {
                Some(a) => audit_entry(tx, a, subject, "concern.receive", summary, now).await?,
                None => {
                    store::audit::append_with(
                        tx,
                        &store::audit::NewEntry {
                            chain_id: cell.id,
                            account_id: None,
                            actor: PUBLIC_ACTOR,
                            action: "concern.receive",
                            entity: "concern",
                            entity_id: Some(id),
                            summary: &summary,
                        },
                        &[],
                        now,
                    )
                    .await?;
                }
            }
            codes.push(code);
        }
        Ok(codes)
    }

    /// The cell a public page is for, by its 14-digit code.
    pub async fn public_cell(&self, code: &str) -> Result<OrgRow> {
        // The 14 digits, with or without the dots the register writes.
        let code = OrgCode::parse(code).map_err(|_| ServiceError::NotFound)?;
        let cell = self
            .db
            .read(async |r| store::orgs::by_code(r, code.as_str()).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if cell.kind != "chi_bo" {
            return Err(ServiceError::NotFound);
        }
        Ok(cell)
    }

    /// A concern from the cell's public page: checked, then counted against
    /// the rate limit (a refused form costs nothing), kept; a filled trap or
    /// a page of links is kept closed as spam and answered as any other.
    pub async fn submit_public_concern(
        &self,
        cell_code: &str,
        draft: &ConcernDraft,
        trap: &str,
        address: &str,
        throttle: ConcernThrottle,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let cell = self.public_cell(cell_code).await?;
        let checked = draft.check().map_err(ServiceError::Invalid)?;
        let spam = looks_like_spam(trap, &checked.body);
        let mut tx = self.db.begin().await?;
        if !db::reserve_submission(
            &mut tx,
            cell.id,
            address,
            now - throttle.window,
            (throttle.per_address, throttle.per_cell),
            now,
        )
        .await?
        {
            return Err(ServiceError::Throttled);
        }
        let codes = self
            .store_concerns(
                &mut tx,
                &cell,
                Door::Public,
                &[checked],
                today(now),
                None,
                spam,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(codes.into_iter().next().unwrap_or_default())
    }

    /// A member writes down what a resident told them (at the market, at
    /// the door): any member of the cell, or its committee.
    pub async fn record_concern(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        draft: &ConcernDraft,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let cell = self
            .db
            .read(async |r| cell_to_record(r, actor, unit).await)
            .await?;
        if actor.member_id.is_none() && !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let checked = draft.check().map_err(ServiceError::Invalid)?;
        let mut tx = self.db.begin().await?;
        let codes = self
            .store_concerns(
                &mut tx,
                &cell,
                Door::Member,
                &[checked],
                today(now),
                Some(actor),
                false,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(codes.into_iter().next().unwrap_or_default())
    }

    /// The secretary's batch after a residents' meeting: one concern per
    /// paragraph of `text`, all from `area`, received on the meeting's day.
    /// Every line is checked first; one bad line writes nothing.
    pub async fn record_concern_batch(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        area: &str,
        text: &str,
        held_on: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let cell = self
            .db
            .read(async |r| managed_cell(r, actor, unit).await)
            .await?;
        let mut problems = Problems::default();
        let on = if held_on.trim().is_empty() {
            Some(today(now))
        } else {
            problems.take(crate::model::parse_date("held_on", held_on))
        };
        if let Some(d) = on
            && d > today(now)
        {
            problems.push(Problem::new("held_on", "date.future", format_date(d)));
        }
        let text = paragraphs(text);
        let mut items = Vec::new();
        for body in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
            match (ConcernDraft {
                area: area.to_string(),
                body: body.to_string(),
                contact: String::new(),
            })
            .check()
            {
                Ok(c) => items.push(c),
                Err(p) => {
                    for x in p.0 {
                        if !problems.0.contains(&x) {
                            problems.push(x);
                        }
                    }
                }
            }
        }
        if items.is_empty() && problems.is_empty() {
            problems.push(Problem::new("body", "required", ""));
        }
        let on = match on {
            Some(on) if problems.is_empty() => on,
            _ => return Err(ServiceError::Invalid(problems)),
        };
        let mut tx = self.db.begin().await?;
        let codes = self
            .store_concerns(
                &mut tx,
                &cell,
                Door::Meeting,
                &items,
                on,
                Some(actor),
                false,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// The state of one concern by its tracking code: the state, dates and
    /// answer, never the text or contact. Not found for a code that is not
    /// one, without a lookup.
    pub async fn track_concern(&self, typed: &str) -> Result<Tracked> {
        let code = normal_code(typed).ok_or(ServiceError::NotFound)?;
        self.db
            .read(async |r| db::track(r, &code).await)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// The committee's list: the month's concerns (this month by default)
    /// and every one still open, oldest first, with what is due or late.
    /// A member who does not run the cell gets the cell and no items.
    pub async fn concern_list(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        month: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<ConcernList> {
        let on = today(now);
        self.db
            .read(async |r| {
                let cell = cell_to_record(r, actor, unit).await?;
                if actor.can_manage(&cell) {
                    month_list(r, cell, month.unwrap_or(on), on).await
                } else {
                    // A member records what they heard; the list is the committee's.
                    Ok(ConcernList {
                        cell,
                        month: first_of_month(on),
                        items: Vec::new(),
                        counts: ConcernCounts::default(),
                        may_manage: false,
                    })
                }
            })
            .await
    }

    /// The "dư luận nhân dân" item of a meeting: the concerns of the
    /// meeting's month, as the list counts them on the meeting's day.
    pub async fn meeting_concerns(&self, actor: &Actor, meeting_id: i64) -> Result<ConcernList> {
        self.db
            .read(async |r| {
                let (m, cell) = super::meetings::meeting(r, actor, meeting_id).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let on = today(m.starts_at);
                month_list(r, cell, on, on).await
            })
            .await
    }

    /// One concern for the committee; a read of a resident's contact is
    /// logged before it is shown.
    pub async fn concern(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<ConcernItem> {
        let (row, cell) = self
            .db
            .read(async |r| concern_and_cell(r, actor, id).await)
            .await?;
        let granted = actor.can_manage(&cell);
        if row.contact.is_some() || !granted {
            self.access
                .log(Access {
                    at: now,
                    account_id: actor.account_id,
                    member_id: None,
                    granted,
                    kind: AccessKind::Read,
                    detail: Some(format!("concern:{id}")),
                })
                .await?;
        }
        if !granted {
            return Err(ServiceError::Forbidden);
        }
        let state = ConcernState::parse(&row.state).unwrap_or(ConcernState::Received);
        Ok(ConcernItem {
            due: due_on(state, row.forward_due, row.answer_due, today(now)),
            row,
        })
    }

    /// Forward, answer or close a concern, with its audit entry.
    pub async fn act_on_concern(
        &self,
        actor: &Actor,
        id: i64,
        f: &ActForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (row, cell) = self
            .db
            .read(async |r| concern_and_cell(r, actor, id).await)
            .await?;
        if !actor.can_manage(&cell) {
            return Err(ServiceError::Forbidden);
        }
        let act = match f.act.as_str() {
            "forward" => ConcernAct::Forward,
            "answer" => ConcernAct::Answer,
            other => ConcernAct::Close(CloseReason::parse(other).map_err(ServiceError::invalid)?),
        };
        let mut problems = Problems::default();
        let text = paragraphs(&f.text);
        let text = note_text(&mut problems, text);
        let on = if f.date.trim().is_empty() {
            Some(today(now))
        } else {
            problems.take(crate::model::parse_date("date", &f.date))
        };
        if let Some(d) = on {
            if d > today(now) {
                problems.push(Problem::new("date", "date.future", format_date(d)));
            } else if d < row.received_on {
                problems.push(Problem::new(
                    "date",
                    "concern.before_received",
                    format_date(row.received_on),
                ));
            }
        }
        let from = ConcernState::parse(&row.state).map_err(ServiceError::invalid)?;
        let to = problems.take(from.after(act));
        let (Some(text), Some(on), Some(to)) = (text, on, to) else {
            return Err(ServiceError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let ch = match act {
            ConcernAct::Forward => Change {
                forwarded_to: Some(&text),
                forwarded_on: Some(on),
                ..Change::to(to)
            },
            ConcernAct::Answer => Change {
                answer: Some(&text),
                answered_on: Some(on),
                ..Change::to(to)
            },
            ConcernAct::Close(reason) => Change {
                closed_on: Some(on),
                close_reason: Some(reason.as_str()),
                close_note: Some(&text),
                ..Change::to(to)
            },
        };
        let mut tx = self.db.begin().await?;
        if !db::change(&mut tx, id, from.as_str(), &ch, now).await? {
            return Err(ServiceError::Stale);
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::concern(cell.id, id),
            &format!("concern.{}", f.act),
            json!({"from": from.as_str(), "to": to.as_str(), "date": on, "text": text}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The documents a cell's members must study, with who has and who has
    /// not (for the committee) or one's own mark (for a member).
    pub async fn study_board(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<StudyBoard> {
        let on = today(now);
        self.db
            .read(async |r| {
                let cell = unit_for(r, actor, unit).await?;
                if !actor.can_see(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let may_manage = actor.can_manage(&cell);
                let docs = db::studies_of_cell(r, cell.id).await?;
                let marks = db::marks_of_cell(r, cell.id).await?;
                let members: Vec<_> = store::members::of_cell(r, cell.id)
                    .await?
                    .into_iter()
                    .filter(|m| m.status.on_list())
                    .collect();
                let me = actor.member_id;
                let is_member = me.is_some_and(|me| members.iter().any(|m| m.id == me));
                let items = docs
                    .into_iter()
                    .map(|doc| {
                        let of_doc: Vec<_> = marks.iter().filter(|m| m.0 == doc.id).collect();
                        let mine = of_doc.iter().find(|m| Some(m.1) == me).map(|m| m.2);
                        let (studied, not_yet) = if may_manage {
                            let mut studied = Vec::new();
                            let mut not_yet = Vec::new();
                            for m in &members {
                                match of_doc.iter().find(|x| x.1 == m.id) {
                                    Some(x) => studied.push((m.full_name.clone(), x.2)),
                                    None => not_yet.push(m.full_name.clone()),
                                }
                            }
                            (studied, not_yet)
                        } else {
                            (Vec::new(), Vec::new())
                        };
                        StudyItem {
                            late: mine.is_none() && doc.deadline < on,
                            doc,
                            studied,
                            not_yet,
                            mine,
                        }
                    })
                    .collect();
                Ok(StudyBoard {
                    cell,
                    items,
                    may_manage,
                    is_member,
                })
            })
            .await
    }

    /// A document the cell's members must study, by a deadline.
    pub async fn add_study(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        draft: &StudyDraft,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let cell = self
            .db
            .read(async |r| managed_cell(r, actor, unit).await)
            .await?;
        let s = draft.check(today(now)).map_err(ServiceError::Invalid)?;
        let mut tx = self.db.begin().await?;
        let id = db::insert_study(&mut tx, cell.id, &s.title, &s.source, s.deadline, now).await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::study(cell.id, id),
            "study.assign",
            json!({"title": s.title, "source": s.source, "deadline": s.deadline}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// "Đã học": the actor, a member of the document's cell, studied it
    /// today. A second mark changes nothing.
    pub async fn mark_studied(&self, actor: &Actor, doc_id: i64, now: DateTime<Utc>) -> Result<()> {
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        let doc = self
            .db
            .read(async |r| {
                let doc = db::study(r, doc_id).await?.ok_or(ServiceError::NotFound)?;
                let member = store::members::get(r, me).await?;
                if member.is_none_or(|m| m.cell_id != doc.cell_id || !m.status.on_list()) {
                    return Err(ServiceError::Forbidden);
                }
                Ok(doc)
            })
            .await?;
        let on = today(now);
        let mut tx = self.db.begin().await?;
        if db::mark_studied(&mut tx, doc_id, me, on).await? {
            audit_entry(
                &mut tx,
                actor,
                Subject::study(doc.cell_id, doc_id),
                "study.studied",
                json!({"member_id": me, "on": on, "late": on > doc.deadline}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl<'a> Change<'a> {
    /// A change to `state` that keeps every other field.
    fn to(state: ConcernState) -> Self {
        Self {
            state: state.as_str(),
            forwarded_to: None,
            forwarded_on: None,
            answer: None,
            answered_on: None,
            closed_on: None,
            close_reason: None,
            close_note: None,
        }
    }
}
