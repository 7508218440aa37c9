//! Tasks, their owners, progress notes and meeting reviews; the figures the
//! dashboards and reports count from them.

use super::{Arg, Backend, Reader, Result, Tx, bind_all, in_tx, read};
use crate::model::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: i64,
    pub cell_id: i64,
    pub resolution_id: Option<i64>,
    pub item_no: i64,
    pub source: String,
    pub title: String,
    pub lead_id: i64,
    pub lead_name: String,
    /// The lead's membership status today: a lead who left must be replaced.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub lead_status: Status,
    pub assigned_on: NaiveDate,
    pub deadline: NaiveDate,
    pub report_meeting_id: Option<i64>,
    pub status: String,
    pub progress: i64,
    pub completed_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub closed_meeting_id: Option<i64>,
    pub closing_note: Option<String>,
    pub version: i64,
    pub resolution_number: Option<String>,
    /// The resident's concern the task was assigned from.
    pub concern_id: Option<i64>,
}

const TASK: &str = "t.id, t.cell_id, t.resolution_id, t.item_no, t.source, t.title, t.lead_id, m.full_name AS lead_name, \
     m.status AS lead_status, t.assigned_on, t.deadline, t.report_meeting_id, t.status, t.progress, t.completed_on, \
     t.closed_on, t.closed_meeting_id, t.closing_note, t.version, r.number_text AS resolution_number, t.concern_id";
/// A task with its lead and its resolution's number, as [`TASK`] reads them.
const TASK_FROM: &str =
    "task t JOIN member m ON m.id = t.lead_id LEFT JOIN resolution r ON r.id = t.resolution_id";

pub struct NewTask<'a> {
    pub cell_id: i64,
    pub resolution_id: Option<i64>,
    pub item_no: i64,
    pub source: &'a str,
    pub title: &'a str,
    pub lead_id: i64,
    pub assigned_on: NaiveDate,
    pub deadline: NaiveDate,
    pub concern_id: Option<i64>,
}

pub async fn insert(tx: &mut Tx, t: &NewTask<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO task (cell_id, resolution_id, item_no, source, title, lead_id, assigned_on, deadline, status, \
             created_at, updated_at, concern_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'chua_bat_dau', $9, $9, $10) \
             RETURNING id",
        )
        .bind(t.cell_id)
        .bind(t.resolution_id)
        .bind(t.item_no)
        .bind(t.source)
        .bind(t.title)
        .bind(t.lead_id)
        .bind(t.assigned_on)
        .bind(t.deadline)
        .bind(now)
        .bind(t.concern_id)
        .fetch_one(c)
        .await
    })?;
    keep_counts(tx, id, id).await?;
    Ok(id)
}

/// Sets the kept counters (`cell_task_count`: tasks, completed, ended) of
/// the cells of tasks `first..=last` to what their tasks say, in the
/// caller's transaction: every write that adds a task or changes its
/// `completed_on` or `closed_on` ends here (one task, or a batch of the
/// demo's history), so the upper committee's table reads one row a cell
/// instead of every task the cell ever had. A recount rather than a delta:
/// it reads the cell's tasks by `task_assigned` (a few dozen a year) and
/// cannot drift from the rows it counts.
pub async fn keep_counts(tx: &mut Tx, first: i64, last: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO cell_task_count (cell_id, tasks, completed, ended) \
             SELECT t.cell_id, COUNT(*), COUNT(t.completed_on), \
             COUNT(CASE WHEN t.completed_on IS NOT NULL OR t.closed_on IS NOT NULL THEN 1 END) \
             FROM task t WHERE t.cell_id IN (SELECT x.cell_id FROM task x WHERE x.id >= $1 AND x.id <= $2) \
             GROUP BY t.cell_id \
             ON CONFLICT (cell_id) DO UPDATE SET tasks = excluded.tasks, completed = excluded.completed, \
             ended = excluded.ended",
        )
        .bind(first)
        .bind(last)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn add_owner(tx: &mut Tx, task_id: i64, member_id: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO task_owner (task_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(task_id)
        .bind(member_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(r: &mut Reader, id: i64) -> Result<Option<TaskRow>> {
    super::row_by(r, TASK_FROM, TASK, "t.id", id).await
}

/// Which of a cell's tasks to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub resolution_id: Option<i64>,
    /// Led or co-owned by this member.
    pub member_id: Option<i64>,
    /// Due within these dates.
    pub due: Option<(NaiveDate, NaiveDate)>,
    pub open_only: bool,
    pub source: Option<String>,
    /// Only those assigned from a resident's concern.
    pub from_concerns: bool,
}

pub async fn of_cell(r: &mut Reader, cell_id: i64, f: &Filter) -> Result<Vec<TaskRow>> {
    let mut sql = format!("SELECT {TASK} FROM {TASK_FROM} WHERE t.cell_id = $1");
    let mut args = vec![Arg::Int(cell_id)];
    let next = |a: Arg, args: &mut Vec<Arg>| {
        args.push(a);
        args.len()
    };
    if let Some(r) = f.resolution_id {
        let n = next(Arg::Int(r), &mut args);
        sql.push_str(&format!(" AND t.resolution_id = ${n}"));
    }
    if let Some(m) = f.member_id {
        let n = next(Arg::Int(m), &mut args);
        sql.push_str(&format!(
            " AND (t.lead_id = ${n} OR EXISTS (SELECT 1 FROM task_owner o WHERE o.task_id = t.id AND o.member_id = ${n}))"
        ));
    }
    if let Some((from, to)) = f.due {
        let a = next(Arg::Text(from.to_string()), &mut args);
        let b = next(Arg::Text(to.to_string()), &mut args);
        sql.push_str(&format!(
            " AND t.deadline >= {} AND t.deadline <= {}",
            date_arg(r, a),
            date_arg(r, b)
        ));
    }
    if f.open_only {
        sql.push_str(" AND t.closed_on IS NULL");
    }
    if f.from_concerns {
        sql.push_str(" AND t.concern_id IS NOT NULL");
    }
    if let Some(s) = &f.source {
        let n = next(Arg::Text(s.clone()), &mut args);
        sql.push_str(&format!(" AND t.source = ${n}"));
    }
    sql.push_str(" ORDER BY t.deadline, t.resolution_id, t.item_no, t.id");
    Ok(read!(r, |c| bind_all(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        &args
    )
    .fetch_all(c)
    .await)?)
}

/// A text parameter compared with a DATE column (PostgreSQL needs the cast).
fn date_arg(r: &Reader, n: usize) -> String {
    match r.backend() {
        Backend::Sqlite => format!("${n}"),
        Backend::Postgres => format!("CAST(${n} AS DATE)"),
    }
}

/// The ids of every task member `$1` leads or shares. Two index lookups:
/// `lead_id = $1 OR EXISTS (…)` in one WHERE made both backends scan every
/// task (0.3–0.5 s on a province's 450,000 tasks, on each home page).
const MEMBER_TASK_IDS: &str = "(SELECT id FROM task WHERE lead_id = $1 UNION ALL SELECT task_id FROM task_owner WHERE member_id = $1)";

/// Open tasks a member leads or shares, across cells.
pub async fn of_member(r: &mut Reader, member_id: i64) -> Result<Vec<TaskRow>> {
    let sql = format!(
        "SELECT {TASK} FROM {TASK_FROM} WHERE t.closed_on IS NULL AND t.id IN {MEMBER_TASK_IDS} \
         ORDER BY t.deadline, t.id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Owner {
    pub task_id: i64,
    pub member_id: i64,
    pub full_name: String,
}

/// The co-owners of a cell's tasks.
pub async fn owners_in_cell(r: &mut Reader, cell_id: i64) -> Result<Vec<Owner>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT o.task_id, o.member_id, m.full_name FROM task_owner o JOIN task t ON t.id = o.task_id \
         JOIN member m ON m.id = o.member_id WHERE t.cell_id = $1 ORDER BY o.task_id, m.full_name"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await
    })?)
}

/// The co-owners of the open tasks a member leads or shares (those
/// [`of_member`] lists), in one query.
pub async fn owners_of_member_tasks(r: &mut Reader, member_id: i64) -> Result<Vec<Owner>> {
    let sql = format!(
        "SELECT o.task_id, o.member_id, m.full_name FROM task_owner o JOIN member m ON m.id = o.member_id \
         WHERE o.task_id IN (SELECT t.id FROM task t WHERE t.closed_on IS NULL AND t.id IN {MEMBER_TASK_IDS}) \
         ORDER BY o.task_id, m.full_name"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .fetch_all(c)
        .await)?)
}

pub async fn owners(r: &mut Reader, task_id: i64) -> Result<Vec<Owner>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT o.task_id, o.member_id, m.full_name FROM task_owner o JOIN member m ON m.id = o.member_id \
         WHERE o.task_id = $1 ORDER BY m.full_name"
    )
    .bind(task_id)
    .fetch_all(c)
    .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    pub id: i64,
    pub task_id: i64,
    pub author: String,
    pub on_date: NaiveDate,
    pub status: String,
    pub progress: i64,
    pub note: String,
    pub link: Option<String>,
    pub file_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn progress_of(r: &mut Reader, task_id: i64) -> Result<Vec<ProgressRow>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT id, task_id, author, on_date, status, progress, note, link, file_name, created_at \
         FROM task_progress WHERE task_id = $1 ORDER BY on_date DESC, id DESC"
    )
    .bind(task_id)
    .fetch_all(c)
    .await)?)
}

pub struct NewProgress<'a> {
    pub task_id: i64,
    pub account_id: Option<i64>,
    pub author: &'a str,
    pub on_date: NaiveDate,
    pub status: &'a str,
    pub progress: i64,
    pub note: &'a str,
    pub link: Option<&'a str>,
    pub file: Option<(&'a str, &'a str, &'a [u8])>,
}

pub async fn add_progress(tx: &mut Tx, p: &NewProgress<'_>, now: DateTime<Utc>) -> Result<i64> {
    let (name, mime, data) = match p.file {
        Some((n, m, d)) => (Some(n), Some(m), Some(d)),
        None => (None, None, None),
    };
    Ok(in_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO task_progress (task_id, account_id, author, on_date, status, progress, note, link, \
             file_name, file_mime, file_data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             RETURNING id",
        )
        .bind(p.task_id)
        .bind(p.account_id)
        .bind(p.author)
        .bind(p.on_date)
        .bind(p.status)
        .bind(p.progress)
        .bind(p.note)
        .bind(p.link)
        .bind(name)
        .bind(mime)
        .bind(data)
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvidenceFile {
    pub file_name: String,
    pub file_mime: String,
    pub file_data: Vec<u8>,
}

/// The evidence file of a progress note.
pub async fn evidence(
    r: &mut Reader,
    task_id: i64,
    progress_id: i64,
) -> Result<Option<EvidenceFile>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT file_name, file_mime, file_data FROM task_progress WHERE task_id = $1 AND id = $2 \
         AND file_data IS NOT NULL"
    )
    .bind(task_id)
    .bind(progress_id)
    .fetch_optional(c)
    .await)?)
}

/// Records the owner's new state if nobody changed the task meanwhile.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    progress: i64,
    completed_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE task SET status = $1, progress = $2, completed_on = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6 AND closed_on IS NULL",
        )
        .bind(status)
        .bind(progress)
        .bind(completed_on)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 1 {
        keep_counts(tx, id, id).await?;
    }
    Ok(n == 1)
}

pub async fn set_lead(
    tx: &mut Tx,
    id: i64,
    version: i64,
    lead_id: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE task SET lead_id = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(lead_id)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn remove_owner(tx: &mut Tx, task_id: i64, member_id: i64) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query("DELETE FROM task_owner WHERE task_id = $1 AND member_id = $2")
            .bind(task_id)
            .bind(member_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The meeting a task reports to next.
pub async fn set_report_meeting(
    tx: &mut Tx,
    cell_id: i64,
    meeting_id: i64,
    before: NaiveDate,
) -> Result<u64> {
    Ok(in_tx!(tx, |c| {
        sqlx::query(
            "UPDATE task SET report_meeting_id = $1 WHERE cell_id = $2 AND closed_on IS NULL \
             AND report_meeting_id IS NULL AND assigned_on < $3",
        )
        .bind(meeting_id)
        .bind(cell_id)
        .bind(before)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?)
}

pub struct Review<'a> {
    pub task_id: i64,
    pub meeting_id: i64,
    pub status: &'a str,
    pub decision: &'a str,
    pub new_deadline: Option<NaiveDate>,
    pub note: &'a str,
}

/// Records a meeting's decision on a task, replacing an earlier one made at
/// the same meeting.
pub async fn record_review(tx: &mut Tx, r: &Review<'_>, now: DateTime<Utc>) -> Result<()> {
    in_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO task_review (task_id, meeting_id, status, decision, new_deadline, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (task_id, meeting_id) DO UPDATE SET \
             status = excluded.status, decision = excluded.decision, new_deadline = excluded.new_deadline, \
             note = excluded.note, created_at = excluded.created_at",
        )
        .bind(r.task_id)
        .bind(r.meeting_id)
        .bind(r.status)
        .bind(r.decision)
        .bind(r.new_deadline)
        .bind(r.note)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Closes a task at a meeting, or carries it over (with a new deadline).
pub async fn apply_review(
    tx: &mut Tx,
    id: i64,
    close_on: Option<(NaiveDate, i64, &str)>,
    new_deadline: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<()> {
    in_tx!(tx, |c| {
        match close_on {
        Some((on, meeting, note)) => sqlx::query(
            "UPDATE task SET closed_on = $1, closed_meeting_id = $2, closing_note = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5",
        )
        .bind(on)
        .bind(meeting)
        .bind(note)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()),
        None => sqlx::query(
            "UPDATE task SET status = CASE WHEN status = 'hoan_thanh' THEN status ELSE 'chuyen_ky_sau' END, \
             deadline = COALESCE($1, deadline), report_meeting_id = NULL, updated_at = $2, version = version + 1 \
             WHERE id = $3",
        )
        .bind(new_deadline)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()),
    }
    })?;
    // Closing ends the task; carrying it over moves only its deadline,
    // which the counters do not hold.
    if close_on.is_some() {
        keep_counts(tx, id, id).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ReviewRow {
    pub task_id: i64,
    pub meeting_id: i64,
    pub status: String,
    pub decision: String,
    pub new_deadline: Option<NaiveDate>,
    pub note: String,
}

pub async fn reviews_of_meeting(r: &mut Reader, meeting_id: i64) -> Result<Vec<ReviewRow>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT task_id, meeting_id, status, decision, new_deadline, note FROM task_review WHERE meeting_id = $1"
    )
    .bind(meeting_id)
    .fetch_all(c)
    .await
    })?)
}

/// One review of a task, with the date of the meeting that made it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskReview {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub review: ReviewRow,
    pub meeting_at: DateTime<Utc>,
}

/// Every review of one task, oldest first.
pub async fn reviews_of_task(r: &mut Reader, task_id: i64) -> Result<Vec<TaskReview>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT r.task_id, r.meeting_id, r.status, r.decision, r.new_deadline, r.note, m.starts_at AS meeting_at \
         FROM task_review r JOIN meeting m ON m.id = r.meeting_id WHERE r.task_id = $1 ORDER BY m.starts_at"
    )
    .bind(task_id)
    .fetch_all(c)
    .await
    })?)
}

/// The highest item number in a resolution's assignment table.
pub async fn max_item_no(tx: &mut Tx, resolution_id: i64) -> Result<i64> {
    let n: Option<i64> = in_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(item_no) FROM task WHERE resolution_id = $1"
    )
    .bind(resolution_id)
    .fetch_one(c)
    .await)?;
    Ok(n.unwrap_or(0))
}

/// A cell's adopted resolutions, newest first: (id, number, subject).
pub async fn adopted_resolutions(
    r: &mut Reader,
    cell_id: i64,
) -> Result<Vec<(i64, String, String)>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT id, COALESCE(number_text, ''), subject FROM resolution WHERE cell_id = $1 AND status = 'adopted' \
         ORDER BY adopted_at DESC, id DESC"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await
    })?)
}
