//! Residents' concerns carried up and answered (nắm bắt tâm tư, nguyện vọng
//! của nhân dân): three doors in (the cell's public page, a member, the
//! secretary's batch after a residents' meeting), the committee's list with
//! what is due or late, forwarding and the answer, the month's list for the
//! meeting's "dư luận nhân dân" item, the alerts of late items and the
//! figures of the reports upward.
//!
//! Deadlines are the pack's `resident_concern_*_working_days` (no central
//! rule: a đảng ủy's local pack sets them). A resident's contact is read
//! only by the committee, and each read is logged as a member record's is.

use super::orgs::unit_for;
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, today};
use crate::model::{
    CheckedConcern, CloseReason, ConcernAct, ConcernDraft, ConcernState, Door, Due, ForwardBody,
    OrgCode, Problem, Problems, due_on, format_date, looks_like_spam, normal_code, note_text,
    paragraphs, tracking_code,
};
use crate::store::access::{Access, AccessKind};
use crate::store::concerns::{self as db, Change, NewConcern};
pub use crate::store::concerns::{ConcernRow, Tracked};
use crate::store::tasks::{self as tasks_db, TaskRow};
use crate::store::{self, Reader, Tx, orgs::OrgRow};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::RngCore;
use serde_json::json;
use std::collections::BTreeMap;

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
    /// The tasks a resolution assigned from it, oldest deadline first.
    pub tasks: Vec<ConcernTask>,
}

/// A task assigned from a concern, as the concern shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConcernTask {
    pub task_id: i64,
    pub title: String,
    pub lead_name: String,
    pub deadline: NaiveDate,
    /// chua_bat_dau | dang_thuc_hien | hoan_thanh | qua_han | chuyen_ky_sau | da_dong
    pub shown: String,
    pub resolution_number: Option<String>,
    /// The day it was finished (or closed by a meeting): from then the
    /// concern can be answered from it.
    pub done_on: Option<NaiveDate>,
}

impl ConcernTask {
    fn new(t: &TaskRow, on: NaiveDate) -> Self {
        Self {
            task_id: t.id,
            title: t.title.clone(),
            lead_name: t.lead_name.clone(),
            deadline: t.deadline,
            shown: super::tasks::times(t).shown_on(on).as_str().to_string(),
            resolution_number: t.resolution_number.clone(),
            done_on: t.completed_on.or(t.closed_on),
        }
    }
}

impl ConcernItem {
    pub fn late(&self) -> bool {
        self.due == Some(Due::Late)
    }
}

/// The committee's list of a cell's concerns over a month, or over the
/// days since the last meeting for a meeting's item.
pub struct ConcernList {
    pub cell: OrgRow,
    pub month: NaiveDate,
    /// The days counted: the month's, or since the last meeting.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub items: Vec<ConcernItem>,
    /// Counts over the month: received, forwarded, answered; and open, late.
    pub counts: ConcernCounts,
    /// The actor runs the cell (sees the list); otherwise only the form.
    pub may_manage: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
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

/// What the committee does to an item, as a form (or the API) sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActForm {
    /// forward | answer | done | duplicate | spam
    pub act: String,
    /// For a forward: thon | ubnd_xa | mttq | cap_uy | khac (khac when empty).
    pub body: String,
    /// The body forwarded to, the answer, or the reason for closing. For an
    /// answer from a task, the task's result when empty.
    pub text: String,
    /// dd/mm/yyyy; today when empty (for an answer from a task, the day
    /// the task was finished).
    pub date: String,
    /// For an answer: the finished task (assigned from this concern) it
    /// reports.
    pub task: Option<i64>,
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

/// A cell's concerns received or acted on in `[from, to]`, with the open
/// ones from before, oldest first, each with what is due on `on`: what the
/// month's list, the meeting's item and the reports upward all count.
async fn items_between(
    r: &mut Reader,
    cell_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    on: NaiveDate,
) -> Result<Vec<ConcernItem>> {
    let tasks = concern_tasks(r, cell_id).await?;
    Ok(db::of_cell(r, cell_id, from, to)
        .await?
        .into_iter()
        .map(|row| item(row, &tasks, on))
        .collect())
}

/// A cell's tasks assigned from concerns, in one query.
async fn concern_tasks(r: &mut Reader, cell_id: i64) -> Result<Vec<TaskRow>> {
    let f = tasks_db::Filter {
        from_concerns: true,
        ..tasks_db::Filter::default()
    };
    Ok(tasks_db::of_cell(r, cell_id, &f).await?)
}

/// A concern with what is due on `on` and its tasks among `tasks`.
fn item(row: ConcernRow, tasks: &[TaskRow], on: NaiveDate) -> ConcernItem {
    let state = ConcernState::parse(&row.state).unwrap_or(ConcernState::Received);
    ConcernItem {
        due: due_on(state, row.forward_due, row.answer_due, on),
        tasks: tasks
            .iter()
            .filter(|t| t.concern_id == Some(row.id))
            .map(|t| ConcernTask::new(t, on))
            .collect(),
        row,
    }
}

/// The residents' section of a report upward: the counts over the period
/// and the items forwarded to the upper Party committee in it.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct ConcernFigures {
    pub received: usize,
    pub forwarded: usize,
    pub answered: usize,
    /// Still open, and of those past a deadline, on the day counted.
    pub open: usize,
    pub late: usize,
    pub to_upper: Vec<ForwardedItem>,
    /// Tasks the cell's resolutions assigned from concerns in the period
    /// (reports drafted before 0024 have none).
    #[serde(default)]
    pub tasks: Vec<ConcernTaskLine>,
}

/// A task assigned from a concern, as the report upward lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ConcernTaskLine {
    /// The concern's tracking code and area.
    pub code: String,
    pub area: String,
    #[serde(flatten)]
    pub task: ConcernTask,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ForwardedItem {
    pub code: String,
    pub area: String,
    pub received_on: NaiveDate,
    pub forwarded_on: NaiveDate,
    pub forwarded_to: String,
    /// forwarded | answered | closed
    pub state: String,
    pub answered_on: Option<NaiveDate>,
}

/// The residents' figures of a cell's period, as the records stood on `on`.
pub(crate) async fn concern_figures(
    r: &mut Reader,
    cell_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    on: NaiveDate,
) -> Result<ConcernFigures> {
    let items = items_between(r, cell_id, from, to, on).await?;
    let c = counts(&items, from, to);
    let to_upper = items
        .iter()
        .filter(|i| i.row.forwarded_kind.as_deref() == Some(ForwardBody::CapUy.as_str()))
        .filter_map(|i| {
            let f = i.row.forwarded_on.filter(|d| *d >= from && *d <= to)?;
            Some(ForwardedItem {
                code: i.row.code.clone(),
                area: i.row.area.clone(),
                received_on: i.row.received_on,
                forwarded_on: f,
                forwarded_to: i.row.forwarded_to.clone().unwrap_or_default(),
                state: i.row.state.clone(),
                answered_on: i.row.answered_on,
            })
        })
        .collect();
    let mut tasks = Vec::new();
    for t in concern_tasks(r, cell_id)
        .await?
        .iter()
        .filter(|t| t.assigned_on >= from && t.assigned_on <= to)
    {
        let Some(k) = t.concern_id else { continue };
        // Its concern is among the period's items unless it was settled
        // before the period began.
        let (code, area) = match items.iter().find(|i| i.row.id == k) {
            Some(i) => (i.row.code.clone(), i.row.area.clone()),
            None => match db::get(r, k).await? {
                Some(row) => (row.code, row.area),
                None => continue,
            },
        };
        tasks.push(ConcernTaskLine {
            code,
            area,
            task: ConcernTask::new(t, on),
        });
    }
    Ok(ConcernFigures {
        received: c.received,
        forwarded: c.forwarded,
        answered: c.answered,
        open: c.open,
        late: c.late,
        to_upper,
        tasks,
    })
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
    period_list(r, cell, from, to, on).await
}

async fn period_list(
    r: &mut Reader,
    cell: OrgRow,
    from: NaiveDate,
    to: NaiveDate,
    on: NaiveDate,
) -> Result<ConcernList> {
    let items = items_between(r, cell.id, from, to, on).await?;
    Ok(ConcernList {
        counts: counts(&items, from, to),
        may_manage: true,
        cell,
        month: first_of_month(from),
        from,
        to,
        items,
    })
}

/// The "dư luận nhân dân" item of a meeting: what was received, forwarded
/// and answered since the cell's last meeting held before it (from the day
/// after it; the month's first day when there was none), with every item
/// still open, as it stood on the meeting's day. A concern received later
/// on the last meeting's day is still listed while it is open.
pub(crate) async fn meeting_list(
    r: &mut Reader,
    actor: &Actor,
    meeting_id: i64,
) -> Result<ConcernList> {
    let (m, cell) = super::meetings::meeting(r, actor, meeting_id).await?;
    if !actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden);
    }
    let on = today(m.starts_at);
    let from = match store::meetings::held_before(r, cell.id, m.starts_at).await? {
        Some(last) => today(last).succ_opt().unwrap_or(on).min(on),
        None => first_of_month(on),
    };
    period_list(r, cell, from, on, on).await
}

/// The title of the task of settling a concern, when a resolution's row
/// names the concern and no title: its area and the start of its text.
pub(crate) fn task_title(k: &ConcernRow) -> String {
    let text: String = k.body.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = text.chars().take(TITLE_CHARS).collect();
    let more = if short.len() < text.len() { "…" } else { "" };
    format!("Giải quyết ý kiến của nhân dân ({}): {short}{more}", k.area)
}

/// How much of a concern's text a task's title carries.
const TITLE_CHARS: usize = 120;

/// The task a concern is answered from: assigned from this concern and
/// finished (or closed by a meeting); with the answer it gives, its last
/// report (or its closing note, or its title when neither says more).
async fn answer_task(r: &mut Reader, row: &ConcernRow, task_id: i64) -> Result<(TaskRow, String)> {
    let t = tasks_db::get(r, task_id)
        .await?
        .filter(|t| t.concern_id == Some(row.id))
        .ok_or_else(|| {
            ServiceError::invalid(Problem::new(
                "task",
                "residents.task_not_linked",
                task_id.to_string(),
            ))
        })?;
    if t.completed_on.is_none() && t.closed_on.is_none() {
        return Err(ServiceError::invalid(Problem::new(
            "task",
            "residents.task_not_done",
            t.title.clone(),
        )));
    }
    // Newest first.
    let last = tasks_db::progress_of(r, t.id)
        .await?
        .into_iter()
        .map(|p| p.note)
        .find(|n| !n.trim().is_empty());
    let result = last
        .or_else(|| t.closing_note.clone().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| t.title.clone());
    let answer = format!(
        "Chi bộ đã giao nhiệm vụ \"{}\" cho đồng chí {}; kết quả: {}",
        t.title, t.lead_name, result
    );
    Ok((t, answer))
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
                        from: first_of_month(on),
                        to: last_of_month(on),
                        items: Vec::new(),
                        counts: ConcernCounts::default(),
                        may_manage: false,
                    })
                }
            })
            .await
    }

    /// The "dư luận nhân dân" item of a meeting: see [`meeting_list`].
    pub async fn meeting_concerns(&self, actor: &Actor, meeting_id: i64) -> Result<ConcernList> {
        self.db
            .read(async |r| meeting_list(r, actor, meeting_id).await)
            .await
    }

    /// One concern for the committee; a read of a resident's contact is
    /// logged before it is shown.
    pub async fn concern(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<ConcernItem> {
        let (row, cell, tasks) = self
            .db
            .read(async |r| {
                let (row, cell) = concern_and_cell(r, actor, id).await?;
                let tasks = if actor.can_manage(&cell) {
                    concern_tasks(r, cell.id).await?
                } else {
                    Vec::new()
                };
                Ok::<_, ServiceError>((row, cell, tasks))
            })
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
        Ok(item(row, &tasks, today(now)))
    }

    /// [`Self::act_on_concern`], then the item as it is after.
    pub async fn act_on_concern_item(
        &self,
        actor: &Actor,
        id: i64,
        f: &ActForm,
        now: DateTime<Utc>,
    ) -> Result<ConcernItem> {
        self.act_on_concern(actor, id, f, now).await?;
        self.concern(actor, id, now).await
    }

    /// Forward, answer or close a concern, with its audit entry.
    pub async fn act_on_concern(
        &self,
        actor: &Actor,
        id: i64,
        f: &ActForm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (row, cell, task) = self
            .db
            .read(async |r| {
                let (row, cell) = concern_and_cell(r, actor, id).await?;
                let task = match f.task {
                    Some(t) if f.act == "answer" => Some(answer_task(r, &row, t).await?),
                    _ => None,
                };
                Ok::<_, ServiceError>((row, cell, task))
            })
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
        let typed = paragraphs(&f.text);
        let text = match (&task, typed.trim().is_empty()) {
            (Some((_, result)), true) => Some(result.clone()),
            _ => note_text(&mut problems, typed),
        };
        let on = if let (Some((t, _)), true) = (&task, f.date.trim().is_empty()) {
            t.completed_on.or(t.closed_on).map(|d| d.min(today(now)))
        } else if f.date.trim().is_empty() {
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
        let kind = match (act, f.body.trim()) {
            (ConcernAct::Forward, "") => Some(ForwardBody::Khac),
            (ConcernAct::Forward, b) => problems.take(ForwardBody::parse(b)),
            _ => None,
        };
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
                forwarded_kind: kind.map(ForwardBody::as_str),
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
            json!({"from": from.as_str(), "to": to.as_str(), "date": on, "text": text,
                   "body": kind.map(ForwardBody::as_str),
                   "task_id": task.as_ref().map(|(t, _)| t.id)}),
            now,
        )
        .await?;
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
            forwarded_kind: None,
            forwarded_on: None,
            answer: None,
            answered_on: None,
            closed_on: None,
            close_reason: None,
            close_note: None,
        }
    }
}

impl Services {
    /// The sweep's part: every open concern past its forwarding or answer
    /// deadline alerts the cell's committee in office, once per deadline.
    pub async fn remind_concerns(&self, now: DateTime<Utc>) -> Result<usize> {
        let on = today(now);
        let late = self
            .db
            .read(async |r| {
                let rows = db::overdue(r, on).await?;
                let mut committees: BTreeMap<i64, Vec<(i64, Option<String>)>> = BTreeMap::new();
                for row in &rows {
                    if committees.contains_key(&row.cell_id) {
                        continue;
                    }
                    let mut to = Vec::new();
                    for p in store::orgs::committee(r, row.cell_id).await? {
                        if p.end_date.is_none()
                            && !to
                                .iter()
                                .any(|x: &(i64, Option<String>)| x.0 == p.member_id)
                        {
                            let email = store::members::get(r, p.member_id)
                                .await?
                                .and_then(|m| m.email);
                            to.push((p.member_id, email));
                        }
                    }
                    committees.insert(row.cell_id, to);
                }
                Ok::<_, ServiceError>((rows, committees))
            })
            .await?;
        let (rows, committees) = late;
        let mut sent = 0;
        for row in rows {
            let state = ConcernState::parse(&row.state).unwrap_or(ConcernState::Received);
            let (what, due) = if state == ConcernState::Received && row.forward_due < on {
                ("chuyển hoặc trả lời", row.forward_due)
            } else {
                ("trả lời", row.answer_due)
            };
            let key = format!("concern:{}:{due}", row.id);
            let subject = format!("Ý kiến của nhân dân quá hạn {what}: mã {}", row.code);
            let body = format!(
                "Ý kiến nhận ngày {} ({}) đã quá hạn {what} ngày {}. Đề nghị chi ủy xử lý tại mục Ý kiến nhân dân.",
                format_date(row.received_on),
                row.area,
                format_date(due)
            );
            let Some(to) = committees.get(&row.cell_id) else {
                continue;
            };
            let mut tx = self.db.begin().await?;
            for (m, email) in to {
                sent += usize::from(
                    store::reminders::queue_keyed(
                        &mut tx,
                        *m,
                        email.as_deref(),
                        &key,
                        &subject,
                        &body,
                        now,
                    )
                    .await?,
                );
            }
            tx.commit().await?;
        }
        Ok(sent)
    }
}
