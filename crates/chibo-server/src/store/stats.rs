//! The figures of the dashboards and reports, aggregated in SQL.
//!
//! Every query covers the cells under one unit (its `org_unit.path` range,
//! so one cell or a province is the same query) and groups by cell: a page
//! costs a handful of queries however many cells it shows. Meetings count
//! once closed, in the window of their start; tasks by the dates the cell
//! recorded, as they stood on `as_of`. The joins name `o.kind = 'chi_bo'`:
//! without it PostgreSQL counts the party groups in the range too and scans
//! whole tables for a committee of 100 cells instead of using the cells'
//! indexes (measured on the 15,000-cell demo: 140 ms → 10 ms).

use super::{Reader, Result, prefix_range, read};
use crate::model::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A window of meeting starts, `[from, to)`, and the day tasks are read on.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The first day of the period (tasks assigned or finished within it).
    pub start: NaiveDate,
    /// The day tasks are read on: the period's last day, or today if sooner.
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CellName {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    pub parent_name: Option<String>,
}

/// The cells under a unit (the unit itself if it is a cell).
pub async fn cells(r: &mut Reader, path: &str) -> Result<Vec<CellName>> {
    let (lo, hi) = prefix_range(path);
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT o.id, o.code, o.name, p.name AS parent_name FROM org_unit o \
         LEFT JOIN org_unit p ON p.id = o.parent_id \
         WHERE o.path >= $1 AND o.path < $2 AND o.kind = 'chi_bo' ORDER BY o.code, o.name, o.id"
    )
    .bind(&lo)
    .bind(&hi)
    .fetch_all(c)
    .await)?)
}

/// Per cell: meetings held and resolutions adopted in the window, their
/// roll-calls, and the last regular meeting held before its end.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CellMeetings {
    pub cell_id: i64,
    pub held: i64,
    pub adopted: i64,
    #[sqlx(flatten)]
    pub presence: Presence,
    pub last_regular: Option<DateTime<Utc>>,
}

/// One row a cell, reading only the window's meetings (by `meeting_cell`)
/// and their kept roll-call counts (`meeting_roll_count`, kept with every
/// attendance write), and for the last regular meeting one lookup a cell in
/// `meeting_regular`: the cost follows the period, not the cells' history
/// (a province's year had 180,000 meetings to read for it).
/// (PostgreSQL sums BIGINTs as NUMERIC: cast back.)
pub async fn cell_meetings(r: &mut Reader, path: &str, w: &Window) -> Result<Vec<CellMeetings>> {
    let (lo, hi) = prefix_range(path);
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT o.id AS cell_id, COUNT(m.id) AS held, \
         COALESCE(SUM(CASE WHEN r.id IS NOT NULL THEN 1 ELSE 0 END), 0) AS adopted, \
         COALESCE(CAST(SUM(k.marked) AS BIGINT), 0) AS marked, COALESCE(CAST(SUM(k.present) AS BIGINT), 0) AS present, \
         COALESCE(CAST(SUM(k.excused) AS BIGINT), 0) AS excused, COALESCE(CAST(SUM(k.unexcused) AS BIGINT), 0) AS unexcused, \
         (SELECT MAX(x.starts_at) FROM meeting x WHERE x.cell_id = o.id AND x.status = 'closed' \
           AND x.kind IN ('thuong_ky', 'ket_hop') AND x.starts_at < $4) AS last_regular \
         FROM org_unit o \
         LEFT JOIN meeting m ON m.cell_id = o.id AND m.status = 'closed' AND m.starts_at >= $1 AND m.starts_at < $4 \
         LEFT JOIN resolution r ON r.meeting_id = m.id AND r.status = 'adopted' \
         LEFT JOIN meeting_roll_count k ON k.meeting_id = m.id \
         WHERE o.path >= $2 AND o.path < $3 AND o.kind = 'chi_bo' \
         GROUP BY o.id"
    )
    .bind(w.from)
    .bind(&lo)
    .bind(&hi)
    .bind(w.to)
    .fetch_all(c)
    .await
    })?)
}

/// Per cell: the roll-call of its meetings held in the window.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Presence {
    /// Members marked on the roll.
    pub marked: i64,
    pub present: i64,
    pub excused: i64,
    pub unexcused: i64,
}

impl Presence {
    pub fn add(&mut self, other: &Presence) {
        self.marked += other.marked;
        self.present += other.present;
        self.excused += other.excused;
        self.unexcused += other.unexcused;
    }
}

const PRESENCE: &str = "COUNT(a.presence) AS marked, \
     COALESCE(SUM(CASE WHEN a.presence = 'co_mat' THEN 1 ELSE 0 END), 0) AS present, \
     COALESCE(SUM(CASE WHEN a.presence = 'vang_co_ly_do' THEN 1 ELSE 0 END), 0) AS excused, \
     COALESCE(SUM(CASE WHEN a.presence = 'vang_khong_ly_do' THEN 1 ELSE 0 END), 0) AS unexcused";

/// Tasks as they stood on `as_of`: assigned by then, and within the period
/// assigned, finished, overdue at its end, still open, carried over.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskCounts {
    /// Assigned on or before `as_of`.
    pub total: i64,
    pub assigned: i64,
    /// Finished on or before `as_of`.
    pub done: i64,
    /// Finished within the period.
    pub done_in_period: i64,
    /// Unfinished, not closed, past the deadline on `as_of`.
    pub overdue: i64,
    /// Unfinished and not closed on `as_of`.
    pub open: i64,
}

#[derive(Debug, Clone)]
pub struct CellTasks {
    pub cell_id: i64,
    pub t: TaskCounts,
}

/// A cell's kept task counters, its period's own counts by index range, and
/// the tasks dated after the reading day D that the counters hold as they
/// stand today: three disjoint ranges, empty when D is today.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
struct KeptTasks {
    cell_id: i64,
    /// `cell_task_count`: every task, those completed, those ended
    /// (completed or closed), whatever their dates.
    kept: i64,
    kept_completed: i64,
    kept_ended: i64,
    /// Assigned within the period up to D; completed within it (and
    /// assigned by D).
    assigned: i64,
    done_in_period: i64,
    /// Open today and past their deadline on D.
    open_late: i64,
    /// Assigned after D: none of them counts on D.
    later: i64,
    later_completed: i64,
    later_ended: i64,
    later_open_late: i64,
    /// Assigned by D, completed after it: not done on D, and open on D
    /// unless closed by then.
    done_later: i64,
    done_later_open: i64,
    done_later_late: i64,
    /// Assigned by D, never completed, closed after it: open on D.
    closed_later: i64,
    closed_later_late: i64,
}

impl KeptTasks {
    /// The figures as of D, equal to counting every task the cell ever had
    /// (see [`TaskCounts`]): the counters minus what the tasks dated after
    /// D add to them today, plus what those tasks count on D.
    fn counts(&self) -> TaskCounts {
        let total = self.kept - self.later;
        let ended = self.kept_ended - self.later_ended - self.done_later_open - self.closed_later;
        TaskCounts {
            total,
            assigned: self.assigned,
            done: self.kept_completed - self.later_completed - self.done_later,
            done_in_period: self.done_in_period,
            overdue: self.open_late - self.later_open_late
                + self.done_later_late
                + self.closed_later_late,
            open: total - ended,
        }
    }
}

/// The tasks of the unit's cells, joined with `x` as the task.
const UNDER: &str = "task x JOIN org_unit u ON u.id = x.cell_id \
     WHERE u.path >= $3 AND u.path < $4 AND u.kind = 'chi_bo'";

/// One row a cell from its kept counters and index ranges (`task_assigned`,
/// `task_completed`, `task_closed`, `task_open`): the cost follows the
/// period and the tasks still open, not the cells' history (the province's
/// 417,581 tasks were read for every table).
pub async fn cell_tasks(r: &mut Reader, path: &str, w: &Window) -> Result<Vec<CellTasks>> {
    let (lo, hi) = prefix_range(path);
    let sql = format!(
        "SELECT o.id AS cell_id, COALESCE(k.tasks, 0) AS kept, COALESCE(k.completed, 0) AS kept_completed, \
         COALESCE(k.ended, 0) AS kept_ended, COALESCE(p.n, 0) AS assigned, COALESCE(d.n, 0) AS done_in_period, \
         COALESCE(l.n, 0) AS open_late, COALESCE(a.n, 0) AS later, COALESCE(a.completed, 0) AS later_completed, \
         COALESCE(a.ended, 0) AS later_ended, COALESCE(a.open_late, 0) AS later_open_late, \
         COALESCE(b.n, 0) AS done_later, COALESCE(b.open, 0) AS done_later_open, COALESCE(b.late, 0) AS done_later_late, \
         COALESCE(c.n, 0) AS closed_later, COALESCE(c.late, 0) AS closed_later_late \
         FROM org_unit o \
         LEFT JOIN cell_task_count k ON k.cell_id = o.id \
         LEFT JOIN (SELECT x.cell_id, COUNT(*) AS n FROM {UNDER} \
           AND x.assigned_on >= $1 AND x.assigned_on <= $2 GROUP BY x.cell_id) p ON p.cell_id = o.id \
         LEFT JOIN (SELECT x.cell_id, COUNT(*) AS n FROM {UNDER} \
           AND x.completed_on >= $1 AND x.completed_on <= $2 AND x.assigned_on <= $2 GROUP BY x.cell_id) d ON d.cell_id = o.id \
         LEFT JOIN (SELECT x.cell_id, COUNT(*) AS n FROM {UNDER} \
           AND x.completed_on IS NULL AND x.closed_on IS NULL AND x.deadline < $2 GROUP BY x.cell_id) l ON l.cell_id = o.id \
         LEFT JOIN (SELECT x.cell_id, COUNT(*) AS n, COUNT(x.completed_on) AS completed, \
           COUNT(CASE WHEN x.completed_on IS NOT NULL OR x.closed_on IS NOT NULL THEN 1 END) AS ended, \
           COUNT(CASE WHEN x.completed_on IS NULL AND x.closed_on IS NULL AND x.deadline < $2 THEN 1 END) AS open_late \
           FROM {UNDER} AND x.assigned_on > $2 GROUP BY x.cell_id) a ON a.cell_id = o.id \
         LEFT JOIN (SELECT x.cell_id, COUNT(*) AS n, \
           COUNT(CASE WHEN x.closed_on IS NULL OR x.closed_on > $2 THEN 1 END) AS open, \
           COUNT(CASE WHEN (x.closed_on IS NULL OR x.closed_on > $2) AND x.deadline < $2 THEN 1 END) AS late \
           FROM {UNDER} AND x.completed_on > $2 AND x.assigned_on <= $2 GROUP BY x.cell_id) b ON b.cell_id = o.id \
         LEFT JOIN (SELECT x.cell_id, COUNT(*) AS n, COUNT(CASE WHEN x.deadline < $2 THEN 1 END) AS late \
           FROM {UNDER} AND x.closed_on > $2 AND x.completed_on IS NULL AND x.assigned_on <= $2 \
           GROUP BY x.cell_id) c ON c.cell_id = o.id \
         WHERE o.path >= $3 AND o.path < $4 AND o.kind = 'chi_bo'"
    );
    let rows: Vec<KeptTasks> = read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(w.start)
        .bind(w.as_of)
        .bind(&lo)
        .bind(&hi)
        .fetch_all(c)
        .await)?;
    Ok(rows
        .iter()
        .map(|k| CellTasks {
            cell_id: k.cell_id,
            t: k.counts(),
        })
        .collect())
}

/// Tasks a meeting held in the window carried over to the next period.
pub async fn carried_over(r: &mut Reader, cell_id: i64, w: &Window) -> Result<i64> {
    Ok(read!(r, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(DISTINCT v.task_id) FROM task_review v JOIN meeting m ON m.id = v.meeting_id \
         WHERE m.cell_id = $1 AND v.decision = 'chuyen_ky_sau' AND m.starts_at >= $2 AND m.starts_at < $3"
    )
    .bind(cell_id)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(c)
    .await
    })?)
}

/// One meeting of a cell held in the window, its roll-call and resolution.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingStat {
    pub id: i64,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub presence: Presence,
    pub resolution_id: Option<i64>,
    pub resolution_number: Option<String>,
}

pub async fn meetings(r: &mut Reader, cell_id: i64, w: &Window) -> Result<Vec<MeetingStat>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT m.id, m.kind, m.starts_at, COALESCE(k.marked, 0) AS marked, COALESCE(k.present, 0) AS present, \
         COALESCE(k.excused, 0) AS excused, COALESCE(k.unexcused, 0) AS unexcused, \
         r.id AS resolution_id, r.number_text AS resolution_number \
         FROM meeting m LEFT JOIN meeting_roll_count k ON k.meeting_id = m.id \
         LEFT JOIN resolution r ON r.meeting_id = m.id AND r.status = 'adopted' \
         WHERE m.cell_id = $1 AND m.status = 'closed' AND m.starts_at >= $2 AND m.starts_at < $3 \
         ORDER BY m.starts_at, m.id"
    )
    .bind(cell_id)
        .bind(w.from)
        .bind(w.to)
        .fetch_all(c)
        .await
    })?)
}

/// One member's roll-calls at the cell's meetings held in the window.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MemberPresence {
    pub member_id: i64,
    pub full_name: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: Status,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub presence: Presence,
}

pub async fn members(r: &mut Reader, cell_id: i64, w: &Window) -> Result<Vec<MemberPresence>> {
    let sql = format!(
        "SELECT a.member_id, b.full_name, b.status, {PRESENCE} FROM attendance a \
         JOIN meeting m ON m.id = a.meeting_id JOIN member b ON b.id = a.member_id \
         WHERE m.cell_id = $1 AND m.status = 'closed' AND m.starts_at >= $2 AND m.starts_at < $3 \
         GROUP BY a.member_id, b.full_name, b.status, b.name_fold ORDER BY b.name_fold, a.member_id"
    );
    Ok(read!(r, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(cell_id)
        .bind(w.from)
        .bind(w.to)
        .fetch_all(c)
        .await)?)
}

/// A resolution adopted at a meeting held in the window, and how far its
/// tasks got by `as_of`.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResolutionStat {
    pub id: i64,
    pub meeting_id: i64,
    pub number_text: Option<String>,
    pub subject: String,
    pub meeting_at: DateTime<Utc>,
    pub tasks: i64,
    pub done: i64,
    pub overdue: i64,
    /// The resolution said it assigns no task.
    pub no_tasks: bool,
}

pub async fn resolutions(r: &mut Reader, cell_id: i64, w: &Window) -> Result<Vec<ResolutionStat>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT r.id, r.meeting_id, r.number_text, r.subject, m.starts_at AS meeting_at, COUNT(t.id) AS tasks, \
         COALESCE(SUM(CASE WHEN t.completed_on <= $1 THEN 1 ELSE 0 END), 0) AS done, \
         COALESCE(SUM(CASE WHEN (t.completed_on IS NULL OR t.completed_on > $1) \
           AND (t.closed_on IS NULL OR t.closed_on > $1) AND t.deadline < $1 THEN 1 ELSE 0 END), 0) AS overdue, \
         r.no_tasks \
         FROM resolution r JOIN meeting m ON m.id = r.meeting_id LEFT JOIN task t ON t.resolution_id = r.id \
         WHERE r.cell_id = $2 AND r.status = 'adopted' AND m.starts_at >= $3 AND m.starts_at < $4 \
         GROUP BY r.id, r.meeting_id, r.number_text, r.subject, m.starts_at, r.no_tasks ORDER BY m.starts_at, r.id"
    )
    .bind(w.as_of)
    .bind(cell_id)
    .bind(w.from)
    .bind(w.to)
    .fetch_all(c)
    .await
    })?)
}

/// A change of a member's status recorded within the dates.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub member_id: i64,
    pub full_name: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub status: Status,
    pub start_date: NaiveDate,
}

pub async fn status_changes(
    r: &mut Reader,
    cell_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StatusChange>> {
    Ok(read!(r, |c| {
        sqlx::query_as(
        "SELECT s.member_id, b.full_name, s.status, s.start_date FROM member_status s \
         JOIN member b ON b.id = s.member_id \
         WHERE b.cell_id = $1 AND s.start_date >= $2 AND s.start_date <= $3 ORDER BY s.start_date, s.id"
    )
    .bind(cell_id)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?)
}

/// A probationary member and the day their probation began.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Probationer {
    pub id: i64,
    pub full_name: String,
    pub ceremony_date: Option<NaiveDate>,
}

pub async fn probationers(r: &mut Reader, cell_id: i64) -> Result<Vec<Probationer>> {
    Ok(read!(r, |c| sqlx::query_as(
        "SELECT id, full_name, ceremony_date FROM member WHERE cell_id = $1 AND status = 'du_bi' \
         ORDER BY ceremony_date, name_fold"
    )
    .bind(cell_id)
    .fetch_all(c)
    .await)?)
}
