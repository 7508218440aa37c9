//! Tasks from resolutions and the committee's standing duties: assignment,
//! progress from the owners' phones, reassignment when an owner leaves, and
//! each meeting's review until a recorded decision closes them (HD 42).

use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org_for, today};
use crate::model::{
    CheckedTask, Problem, Problems, ReviewDecision, Shown, TaskDraft, TaskSource, TaskStatus,
    TaskTimes, nfc,
};
use crate::store::meetings::{self as meetings, MeetingRow, NewNotice};
pub use crate::store::tasks::{
    EvidenceFile, Filter, Owner, ProgressRow, ReviewRow, TaskReview, TaskRow,
};

use super::orgs::unit_for;
use crate::store::orgs::CommitteePost;
use crate::store::tasks as db;
use crate::store::{self, Reader, Tx, members::MemberRow, orgs::OrgRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A task with its co-owners and what it shows today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskItem {
    #[serde(flatten)]
    pub task: TaskRow,
    pub owners: Vec<Owner>,
    /// chua_bat_dau | dang_thuc_hien | hoan_thanh | qua_han | chuyen_ky_sau | da_dong
    pub shown: String,
    /// The lead has left the cell: the task must be given to someone else.
    pub needs_reassign: bool,
}

impl TaskItem {
    fn new(task: TaskRow, owners: Vec<Owner>, on: NaiveDate) -> Self {
        let shown = times(&task).shown_on(on).as_str().to_string();
        let needs_reassign = task.closed_on.is_none() && !task.lead_status.on_list();
        Self {
            task,
            owners,
            shown,
            needs_reassign,
        }
    }

    pub fn shown(&self) -> Shown {
        Shown::parse(&self.shown).unwrap_or(Shown::ChuaBatDau)
    }
}

pub fn times(t: &TaskRow) -> TaskTimes {
    TaskTimes {
        status: TaskStatus::parse(&t.status).unwrap_or(TaskStatus::ChuaBatDau),
        deadline: t.deadline,
        completed_on: t.completed_on,
        closed_on: t.closed_on,
    }
}

/// A unit's assignment table.
pub struct TaskTable {
    pub cell: OrgRow,
    pub items: Vec<TaskItem>,
    /// The cell's members on the roll (for those who may read them).
    pub members: Vec<MemberRow>,
    /// The committee's current posts.
    pub committee: Vec<CommitteePost>,
    /// (id, number, subject) of the adopted resolutions.
    pub resolutions: Vec<(i64, String, String)>,
    pub may_manage: bool,
}

/// Members on the roll today.
fn on_roll(members: Vec<MemberRow>) -> Vec<MemberRow> {
    members.into_iter().filter(|m| m.status.on_list()).collect()
}

pub struct TaskDetail {
    pub item: TaskItem,
    pub cell: OrgRow,
    pub progress: Vec<ProgressRow>,
    pub reviews: Vec<db::TaskReview>,
    pub reminders: Vec<meetings::NoticeRow>,
    /// The actor leads or shares it, or runs the cell.
    pub may_update: bool,
    pub may_manage: bool,
}

/// What an owner reports.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProgressForm {
    pub version: i64,
    /// chua_bat_dau | dang_thuc_hien | hoan_thanh
    pub status: String,
    /// 0–100
    pub progress: i64,
    pub note: String,
    /// dd/mm/yyyy; today when empty.
    pub date: String,
    pub link: String,
}

/// What a progress report changed: the note as stored and the task's state
/// after it, what a phone needs to update its line and send the next report
/// (`GET /api/v1/tasks/{id}` has the whole history).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressSaved {
    pub task_id: i64,
    /// The task's version now: send it with the next report.
    pub version: i64,
    /// chua_bat_dau | dang_thuc_hien | hoan_thanh
    pub status: String,
    /// 0–100 (100 once done).
    pub progress: i64,
    pub completed_on: Option<NaiveDate>,
    /// What the task shows today: chua_bat_dau | dang_thuc_hien | hoan_thanh | qua_han
    pub shown: String,
    /// The report as stored.
    pub update: ProgressRow,
}

/// A file sent as evidence with a progress note.
pub struct Evidence {
    pub name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// The review item of a meeting: every task still open in the cell, and what
/// this meeting decided on each.
pub struct ReviewBoard {
    pub meeting: MeetingRow,
    pub items: Vec<(TaskItem, Option<ReviewRow>)>,
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

/// The members a task may be given to: on the cell's roll today.
fn assignable(members: &[MemberRow], id: i64) -> Option<&MemberRow> {
    members.iter().find(|m| m.id == id && m.status.on_list())
}

/// The cell, if the actor sees it.
async fn visible_cell(r: &mut Reader, actor: &Actor, cell_id: i64) -> Result<OrgRow> {
    let cell = org_for(r, actor, cell_id).await?;
    if !actor.can_see(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok(cell)
}

/// A cell's tasks with their co-owners, as they show on `on`.
async fn items(
    r: &mut Reader,
    rows: Vec<TaskRow>,
    cell_id: i64,
    on: NaiveDate,
) -> Result<Vec<TaskItem>> {
    let owners = db::owners_in_cell(r, cell_id).await?;
    Ok(with_owners(rows, &owners, on))
}

/// A unit's tasks (the actor's own unit by default), filtered.
pub(crate) async fn unit_tasks(
    r: &mut Reader,
    actor: &Actor,
    unit: Option<i64>,
    f: &Filter,
    now: DateTime<Utc>,
) -> Result<(OrgRow, Vec<TaskItem>)> {
    let cell = unit_for(r, actor, unit).await?;
    let rows = db::of_cell(r, cell.id, f).await?;
    let items = items(r, rows, cell.id, today(now)).await?;
    Ok((cell, items))
}

/// A cell's tasks, filtered.
pub(crate) async fn cell_tasks(
    r: &mut Reader,
    actor: &Actor,
    cell_id: i64,
    f: &Filter,
    now: DateTime<Utc>,
) -> Result<(OrgRow, Vec<TaskItem>)> {
    let cell = visible_cell(r, actor, cell_id).await?;
    let rows = db::of_cell(r, cell_id, f).await?;
    let items = items(r, rows, cell_id, today(now)).await?;
    Ok((cell, items))
}

/// One task with its history, if the actor sees its cell.
pub(crate) async fn task_detail(
    r: &mut Reader,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<TaskDetail> {
    let a = task_access(r, actor, id).await?;
    Ok(TaskDetail {
        progress: db::progress_of(r, id).await?,
        reviews: db::reviews_of_task(r, id).await?,
        reminders: if a.may_manage {
            store::reminders::of_task(r, id).await?
        } else {
            Vec::new()
        },
        item: TaskItem::new(a.task, a.owners, today(now)),
        cell: a.cell,
        may_update: a.may_update,
        may_manage: a.may_manage,
    })
}

/// A task, its cell and owners, and what the actor may do with it.
struct TaskAccess {
    task: TaskRow,
    cell: OrgRow,
    owners: Vec<Owner>,
    may_manage: bool,
    /// The actor leads or shares it, or runs the cell.
    may_update: bool,
}

/// What a write on a task must know first: not its history (a progress
/// report used to read every earlier note, review and reminder only to check
/// who may write).
async fn task_access(r: &mut Reader, actor: &Actor, id: i64) -> Result<TaskAccess> {
    let task = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
    let cell = visible_cell(r, actor, task.cell_id).await?;
    let owners = db::owners(r, id).await?;
    let may_manage = actor.can_manage(&cell);
    let may_update = may_manage
        || actor
            .member_id
            .is_some_and(|me| me == task.lead_id || owners.iter().any(|o| o.member_id == me));
    Ok(TaskAccess {
        task,
        cell,
        owners,
        may_manage,
        may_update,
    })
}

/// The review item of a meeting: the cell's tasks still open when the
/// meeting is held, and those this meeting already closed.
pub(crate) async fn review_board(
    r: &mut Reader,
    actor: &Actor,
    meeting_id: i64,
) -> Result<ReviewBoard> {
    let (meeting, cell) = super::meetings::meeting(r, actor, meeting_id).await?;
    let on = today(meeting.starts_at);
    let reviews = db::reviews_of_meeting(r, meeting_id).await?;
    let rows = db::of_cell(r, cell.id, &Filter::default()).await?;
    let rows = rows
        .into_iter()
        .filter(|t| {
            t.assigned_on < on && (t.closed_on.is_none() || t.closed_meeting_id == Some(meeting_id))
        })
        .collect();
    let items = items(r, rows, cell.id, on)
        .await?
        .into_iter()
        .map(|i| {
            let rv = reviews.iter().find(|rv| rv.task_id == i.task.id).cloned();
            (i, rv)
        })
        .collect();
    Ok(ReviewBoard { meeting, items })
}

/// The tasks the actor leads or shares, still open.
pub(crate) async fn my_tasks(
    r: &mut Reader,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<TaskItem>> {
    let Some(me) = actor.member_id else {
        return Ok(Vec::new());
    };
    let rows = db::of_member(r, me).await?;
    let owners = db::owners_of_member_tasks(r, me).await?;
    Ok(with_owners(rows, &owners, today(now)))
}

impl Services {
    /// A unit's tasks (the actor's own unit by default), filtered.
    pub async fn cell_tasks(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        f: &Filter,
        now: DateTime<Utc>,
    ) -> Result<(OrgRow, Vec<TaskItem>)> {
        self.db
            .read(async |r| unit_tasks(r, actor, unit, f, now).await)
            .await
    }

    /// The assignment table of a unit (the actor's own by default): its
    /// tasks, and for the form the members on the roll (to those who may
    /// read them), the committee and the adopted resolutions.
    pub async fn task_table(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        f: &Filter,
        now: DateTime<Utc>,
    ) -> Result<TaskTable> {
        self.db
            .read(async |r| {
                let (cell, items) = unit_tasks(r, actor, unit, f, now).await?;
                let may_manage = actor.can_manage(&cell);
                let members = if actor.can_read_members(&cell) || may_manage {
                    on_roll(store::members::of_cell(r, cell.id).await?)
                } else {
                    Vec::new()
                };
                let committee = store::orgs::committee(r, cell.id)
                    .await?
                    .into_iter()
                    .filter(|p| p.end_date.is_none())
                    .collect();
                let resolutions = db::adopted_resolutions(r, cell.id).await?;
                Ok(TaskTable {
                    cell,
                    items,
                    members,
                    committee,
                    resolutions,
                    may_manage,
                })
            })
            .await
    }

    /// A task's page: the task, and the members it may be given to (for
    /// those who run the cell).
    pub async fn task_page(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(TaskDetail, Vec<MemberRow>)> {
        self.db
            .read(async |r| {
                let d = task_detail(r, actor, id, now).await?;
                let members = if d.may_manage {
                    on_roll(store::members::of_cell(r, d.cell.id).await?)
                } else {
                    Vec::new()
                };
                Ok((d, members))
            })
            .await
    }

    /// The evidence file of a progress note: seeing the task is the
    /// permission to see it.
    pub async fn task_evidence(
        &self,
        actor: &Actor,
        id: i64,
        progress_id: i64,
        now: DateTime<Utc>,
    ) -> Result<EvidenceFile> {
        self.db
            .read(async |r| {
                task_detail(r, actor, id, now).await?;
                db::evidence(r, id, progress_id)
                    .await?
                    .ok_or(ServiceError::NotFound)
            })
            .await
    }

    /// A meeting's review screen: the meeting and its task-by-task board.
    pub async fn review_page(
        &self,
        actor: &Actor,
        meeting_id: i64,
    ) -> Result<(super::meetings::MeetingView, ReviewBoard)> {
        self.db
            .read(async |r| {
                let view = super::meetings::meeting_view(r, actor, meeting_id).await?;
                let board = review_board(r, actor, meeting_id).await?;
                Ok((view, board))
            })
            .await
    }

    pub async fn task_detail(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<TaskDetail> {
        self.db
            .read(async |r| task_detail(r, actor, id, now).await)
            .await
    }

    /// Checks and stores tasks inside the caller's transaction (a resolution's
    /// adoption, or a standing duty), with their audit entries and the
    /// assignment reminders. `members` is the cell's roll, read by the caller.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn assign_tasks(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        cell: &OrgRow,
        members: &[MemberRow],
        resolution_id: Option<i64>,
        source: TaskSource,
        assigned_on: NaiveDate,
        tasks: &[CheckedTask],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut problems = Problems::default();
        for t in tasks {
            for id in std::iter::once(&t.lead_id).chain(&t.co_owner_ids) {
                if assignable(members, *id).is_none() {
                    let name = members
                        .iter()
                        .find(|m| m.id == *id)
                        .map(|m| m.full_name.clone());
                    problems.push(Problem::new(
                        "lead_id",
                        "task.owner_not_on_roll",
                        name.unwrap_or_else(|| id.to_string()),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let first = match resolution_id {
            Some(r) => db::max_item_no(tx, r).await? + 1,
            None => 1,
        };
        let mut ids = Vec::with_capacity(tasks.len());
        for (i, t) in tasks.iter().enumerate() {
            let id = db::insert(
                tx,
                &db::NewTask {
                    cell_id: cell.id,
                    resolution_id,
                    item_no: first + i64::try_from(i).unwrap_or(0),
                    source: source.as_str(),
                    title: &t.title,
                    lead_id: t.lead_id,
                    assigned_on,
                    deadline: t.deadline,
                    concern_id: t.concern_id,
                },
                now,
            )
            .await?;
            for o in &t.co_owner_ids {
                db::add_owner(tx, id, *o).await?;
            }
            audit_entry(
                tx,
                actor,
                Subject::task(cell.id, id),
                "task.assign",
                json!({"title": t.title, "lead_id": t.lead_id, "co_owners": t.co_owner_ids,
                       "deadline": t.deadline, "resolution_id": resolution_id,
                       "concern_id": t.concern_id}),
                now,
            )
            .await?;
            if let Some(k) = t.concern_id {
                // The concern's own history shows the task given from it.
                audit_entry(
                    tx,
                    actor,
                    Subject::concern(cell.id, k),
                    "concern.task",
                    json!({"task_id": id, "title": t.title, "lead_id": t.lead_id,
                           "deadline": t.deadline, "resolution_id": resolution_id}),
                    now,
                )
                .await?;
            }
            let subject = format!("Được giao nhiệm vụ: {}", t.title);
            let body = format!(
                "Chi bộ {} giao đồng chí nhiệm vụ: {}\nThời hạn: {}",
                cell.name,
                t.title,
                t.deadline.format("%d/%m/%Y")
            );
            for m in std::iter::once(&t.lead_id)
                .chain(&t.co_owner_ids)
                .filter_map(|mid| assignable(members, *mid))
            {
                let key = format!("assign:{id}");
                self.remind(tx, m.id, m.email.as_deref(), id, &key, &subject, &body, now)
                    .await?;
            }
            ids.push(id);
        }
        Ok(ids)
    }
    /// One reminder to one member, in the app and by e-mail (or in their
    /// daily digest); a key already used is not sent again.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn remind(
        &self,
        tx: &mut Tx,
        member_id: i64,
        email: Option<&str>,
        task_id: i64,
        key: &str,
        subject: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n = NewNotice {
            meeting_id: None,
            member_id: Some(member_id),
            channel: "app",
            address: None,
            subject,
            body,
        };
        let fresh = store::reminders::queue(tx, &n, task_id, key, None, now).await?;
        if fresh && let Some(email) = email {
            let digest = store::reminders::wants_digest(tx, member_id).await?;
            let e = NewNotice {
                channel: "email",
                address: Some(email),
                ..n
            };
            store::reminders::queue(tx, &e, task_id, key, digest.then_some("digest"), now).await?;
        }
        Ok(fresh)
    }

    /// A standing duty of the committee's division of work for the term.
    pub async fn add_standing_duty(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        draft: &TaskDraft,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (cell, members) = self
            .db
            .read(async |r| {
                let cell = unit_for(r, actor, unit).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                let members = store::members::of_cell(r, cell.id).await?;
                Ok((cell, members))
            })
            .await?;
        let on = today(now);
        let t = draft.check(on).map_err(ServiceError::Invalid)?;
        let mut tx = self.db.begin().await?;
        let ids = self
            .assign_tasks(
                &mut tx,
                actor,
                &cell,
                &members,
                None,
                TaskSource::Standing,
                on,
                &[t],
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(ids[0])
    }
    /// An owner's (or the committee's) report on a task; answers the note
    /// as stored and the task's state after it, without reading the task's
    /// history again.
    pub async fn update_progress(
        &self,
        actor: &Actor,
        id: i64,
        f: &ProgressForm,
        file: Option<Evidence>,
        now: DateTime<Utc>,
    ) -> Result<ProgressSaved> {
        let a = self
            .db
            .read(async |r| task_access(r, actor, id).await)
            .await?;
        if !a.may_update {
            return Err(ServiceError::Forbidden);
        }
        let t = &a.task;
        if t.closed_on.is_some() {
            return Err(invalid("status", "task.closed", t.title.clone()));
        }
        let mut p = Problems::default();
        let status = p.take(TaskStatus::parse(&f.status));
        if status == Some(TaskStatus::ChuyenKySau) {
            // Only a meeting carries a task over.
            p.push(Problem::new("status", "task.status", f.status.clone()));
        }
        if !(0..=100).contains(&f.progress) {
            p.push(Problem::new(
                "progress",
                "task.progress",
                f.progress.to_string(),
            ));
        }
        let on = if f.date.trim().is_empty() {
            Some(today(now))
        } else {
            p.take(crate::model::parse_date("date", &f.date))
        };
        if let Some(on) = on {
            if on > today(now) {
                p.push(Problem::new("date", "date.future", f.date.clone()));
            } else if on < t.assigned_on {
                p.push(Problem::new("date", "task.before_assigned", f.date.clone()));
            }
        }
        let note = nfc(f.note.trim());
        if note.is_empty() && status != Some(TaskStatus::HoanThanh) {
            p.push(Problem::new("note", "required", ""));
        }
        let link = f.link.trim();
        if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
            p.push(Problem::new("link", "task.link", link));
        }
        let (Some(status), Some(on)) = (status, on) else {
            return Err(ServiceError::Invalid(p));
        };
        if !p.is_empty() {
            return Err(ServiceError::Invalid(p));
        }
        let progress = if status == TaskStatus::HoanThanh {
            100
        } else {
            f.progress
        };
        let completed_on = (status == TaskStatus::HoanThanh).then_some(on);
        let mut tx = self.db.begin().await?;
        if !db::set_state(
            &mut tx,
            id,
            f.version,
            status.as_str(),
            progress,
            completed_on,
            now,
        )
        .await?
        {
            return Err(ServiceError::Stale);
        }
        let file_ref = file
            .as_ref()
            .map(|e| (e.name.as_str(), e.mime.as_str(), e.data.as_slice()));
        let pid = db::add_progress(
            &mut tx,
            &db::NewProgress {
                task_id: id,
                account_id: Some(actor.account_id),
                author: &actor.display_name,
                on_date: on,
                status: status.as_str(),
                progress,
                note: &note,
                link: (!link.is_empty()).then_some(link),
                file: file_ref,
            },
            now,
        )
        .await?;
        audit_entry(
            &mut tx,
            actor,
            Subject::task(t.cell_id, id),
            "task.progress",
            json!({"status": status.as_str(), "progress": progress, "on": on, "note": note,
                   "progress_id": pid, "file": file.as_ref().map(|e| &e.name)}),
            now,
        )
        .await?;
        tx.commit().await?;
        // The task as the update above left it (its version counted up once).
        let task = TaskRow {
            status: status.as_str().to_string(),
            progress,
            completed_on,
            version: f.version + 1,
            ..a.task
        };
        Ok(ProgressSaved {
            task_id: id,
            version: task.version,
            shown: times(&task).shown_on(today(now)).as_str().to_string(),
            status: task.status,
            progress,
            completed_on,
            update: ProgressRow {
                id: pid,
                task_id: id,
                author: actor.display_name.clone(),
                on_date: on,
                status: status.as_str().to_string(),
                progress,
                note,
                link: (!link.is_empty()).then(|| link.to_string()),
                file_name: file.map(|e| e.name),
                created_at: now,
            },
        })
    }

    /// Gives a task to another member (its lead left, or the committee
    /// decided so).
    pub async fn reassign_task(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        lead_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (d, members) = self
            .db
            .read(async |r| {
                let d = task_access(r, actor, id).await?;
                if !d.may_manage {
                    return Err(ServiceError::Forbidden);
                }
                let members = store::members::of_cell(r, d.task.cell_id).await?;
                Ok((d, members))
            })
            .await?;
        let t = &d.task;
        if t.closed_on.is_some() {
            return Err(invalid("lead_id", "task.closed", t.title.clone()));
        }
        let Some(lead) = assignable(&members, lead_id) else {
            return Err(invalid(
                "lead_id",
                "task.owner_not_on_roll",
                lead_id.to_string(),
            ));
        };
        let mut tx = self.db.begin().await?;
        if !db::set_lead(&mut tx, id, version, lead_id, now).await? {
            return Err(ServiceError::Stale);
        }
        db::remove_owner(&mut tx, id, lead_id).await?;
        audit_entry(&mut tx, actor, Subject::task(t.cell_id, id), "task.reassign",
            json!({"from": t.lead_id, "from_name": t.lead_name, "to": lead_id, "to_name": lead.full_name}),
            now,
        )
        .await?;
        let subject = format!("Được giao nhiệm vụ: {}", t.title);
        let body = format!(
            "Chi bộ {} giao đồng chí phụ trách nhiệm vụ: {} (thay đồng chí {}).\nThời hạn: {}",
            d.cell.name,
            t.title,
            t.lead_name,
            t.deadline.format("%d/%m/%Y")
        );
        self.remind(
            &mut tx,
            lead.id,
            lead.email.as_deref(),
            id,
            &format!("assign:{id}:{lead_id}"),
            &subject,
            &body,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A meeting's decision on one task: close it, or carry it over (with a
    /// new deadline if the meeting set one).
    #[allow(clippy::too_many_arguments)]
    pub async fn review_task(
        &self,
        actor: &Actor,
        meeting_id: i64,
        task_id: i64,
        decision: &str,
        new_deadline: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (m, cell, t) = self
            .db
            .read(async |r| {
                let (m, cell) = super::meetings::meeting(r, actor, meeting_id).await?;
                if !actor.can_manage(&cell) {
                    return Err(ServiceError::Forbidden);
                }
                // Decisions are the meeting's: taken while it sits, or written up
                // afterwards until its minutes are locked.
                if !matches!(m.status.as_str(), "open" | "closed") {
                    return Err(invalid("decision", "meeting.not_open", ""));
                }
                if m.minutes_locked_at.is_some() {
                    return Err(invalid("decision", "minutes.locked", ""));
                }
                let t = db::get(r, task_id).await?.ok_or(ServiceError::NotFound)?;
                if t.cell_id != cell.id {
                    return Err(ServiceError::NotFound);
                }
                Ok((m, cell, t))
            })
            .await?;
        let on = today(m.starts_at);
        if t.closed_on.is_some() && t.closed_meeting_id != Some(meeting_id) {
            return Err(invalid("decision", "task.closed", t.title));
        }
        let mut p = Problems::default();
        let decision = p.take(ReviewDecision::parse(decision));
        let new_deadline = if new_deadline.trim().is_empty() {
            None
        } else {
            p.take(crate::model::parse_date("new_deadline", new_deadline))
        };
        if let Some(d) = new_deadline
            && d < on
        {
            p.push(Problem::new(
                "new_deadline",
                "task.deadline_before",
                crate::model::format_date(d),
            ));
        }
        let Some(decision) = decision else {
            return Err(ServiceError::Invalid(p));
        };
        if !p.is_empty() {
            return Err(ServiceError::Invalid(p));
        }
        let note = nfc(note.trim());
        let shown = times(&t).shown_on(on);
        let mut tx = self.db.begin().await?;
        db::record_review(
            &mut tx,
            &db::Review {
                task_id,
                meeting_id,
                status: shown.as_str(),
                decision: decision.as_str(),
                new_deadline,
                note: &note,
            },
            now,
        )
        .await?;
        let close = (decision == ReviewDecision::Close).then_some((on, meeting_id, note.as_str()));
        db::apply_review(&mut tx, task_id, close, new_deadline, now).await?;
        audit_entry(&mut tx, actor, Subject::task(cell.id, task_id), "task.review",
            json!({"meeting_id": meeting_id, "decision": decision.as_str(), "status": shown.as_str(),
                   "new_deadline": new_deadline, "note": note}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The review item of a meeting.
    pub async fn review_board(&self, actor: &Actor, meeting_id: i64) -> Result<ReviewBoard> {
        self.db
            .read(async |r| review_board(r, actor, meeting_id).await)
            .await
    }

    /// The tasks the actor leads or shares, still open.
    pub async fn my_tasks(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<TaskItem>> {
        self.db.read(async |r| my_tasks(r, actor, now).await).await
    }
}

/// Items as a member sees them on their own page, most urgent first.
pub fn by_urgency(mut items: Vec<TaskItem>) -> Vec<TaskItem> {
    items.sort_by_key(|i| (i.shown() != Shown::QuaHan, i.task.deadline));
    items
}

/// Tasks with their co-owners picked from one list read for all of them.
fn with_owners(rows: Vec<TaskRow>, owners: &[Owner], on: NaiveDate) -> Vec<TaskItem> {
    rows.into_iter()
        .map(|t| {
            let mine = owners
                .iter()
                .filter(|o| o.task_id == t.id)
                .cloned()
                .collect();
            TaskItem::new(t, mine, on)
        })
        .collect()
}

/// The "results of last month" of a new resolution, written from the
/// review of the tasks: counts, then one line per task with its outcome.
pub fn review_summary(board: &ReviewBoard) -> String {
    if board.items.is_empty() {
        return String::new();
    }
    let count = |code: &str| {
        board
            .items
            .iter()
            .filter(|(i, r)| r.as_ref().map_or(i.shown.as_str(), |r| r.status.as_str()) == code)
            .count()
    };
    let mut out = format!(
        "Kiểm điểm {} nhiệm vụ: hoàn thành {}, đang thực hiện {}, quá hạn {}, chưa bắt đầu {}.",
        board.items.len(),
        count("hoan_thanh"),
        count("dang_thuc_hien") + count("chuyen_ky_sau"),
        count("qua_han"),
        count("chua_bat_dau"),
    );
    for (n, (i, r)) in board.items.iter().enumerate() {
        let t = &i.task;
        let status = r.as_ref().map_or(i.shown.as_str(), |r| r.status.as_str());
        let outcome = match (status, r.as_ref().map(|r| r.decision.as_str())) {
            ("hoan_thanh", _) => format!(
                "hoàn thành{}",
                t.completed_on
                    .map(|d| format!(" ngày {}", d.format("%d/%m/%Y")))
                    .unwrap_or_default()
            ),
            (_, Some("chuyen_ky_sau")) => format!(
                "chưa xong ({} %), chuyển kỳ sau{}",
                t.progress,
                r.as_ref()
                    .and_then(|r| r.new_deadline)
                    .map(|d| format!(", hạn mới {}", d.format("%d/%m/%Y")))
                    .unwrap_or_default()
            ),
            (_, Some(_)) => "chi bộ quyết định đóng".to_string(),
            ("qua_han", None) => format!("quá hạn ({} %)", t.progress),
            (_, None) => format!("đang thực hiện ({} %)", t.progress),
        };
        out.push_str(&format!(
            "\n{}. {} (đồng chí {} phụ trách): {}.",
            n + 1,
            t.title,
            t.lead_name,
            outcome
        ));
    }
    out
}

/// Checks a resolution's assignment rows as tasks assigned on `on`; every
/// row's problems are reported, naming the row.
pub fn check_assignments(
    rows: &[super::meetings::Assignment],
    on: NaiveDate,
) -> Result<Vec<CheckedTask>, Problems> {
    let mut out = Vec::with_capacity(rows.len());
    let mut problems = Problems::default();
    for a in rows.iter().filter(|a| !a.what.trim().is_empty()) {
        let draft = TaskDraft {
            title: a.what.clone(),
            lead_id: a.lead_id,
            co_owner_ids: a.co_owner_ids.clone(),
            deadline: a.deadline.clone(),
        };
        match draft.check(on) {
            Ok(t) => out.push(CheckedTask {
                concern_id: a.concern_id,
                ..t
            }),
            Err(p) => problems.0.extend(p.0),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
