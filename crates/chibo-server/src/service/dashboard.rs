//! The secretary's dashboard of a cell and the upper committee's table of
//! its cells: figures aggregated from the records, deadlines from the rule
//! packs, every count traceable to the rows it counts.

use super::cell_ratings::{CellRatingBrief, YearRating, decided_by_cell, latest_by_cell};
use super::growth::growth_by_cell;
use super::orgs::unit_for;
use super::tasks::{TaskItem, cell_tasks};
use super::{Actor, Result, ServiceError, Services, org_for, today};
use crate::model::{Period, PeriodKind, Problem, Shown, fold};
use crate::store::stats::{
    self, CellName, MeetingStat, MemberPresence, Presence, ResolutionStat, TaskCounts, Window,
};
use crate::store::{Reader, orgs::OrgRow, tasks::Filter};
use chibo_rules::{MeetingKind, Timer};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// `num` of `den` as a whole percentage, rounded half up; none of nothing.
pub fn percent(num: i64, den: i64) -> Option<i64> {
    (den > 0).then(|| (num * 200 + den) / (den * 2))
}

/// The UTC instant local midnight of `d` falls on (Asia/Ho_Chi_Minh).
fn local_midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(Ho_Chi_Minh)
        .single()
        .expect("no DST in Vietnam")
        .with_timezone(&Utc)
}

/// The meetings held and tasks recorded within a period, read on its last
/// day or today, whichever comes first.
pub fn window(p: &Period, on: NaiveDate) -> Window {
    Window {
        from: local_midnight(p.start),
        to: local_midnight(p.end.succ_opt().expect("not the last day")),
        start: p.start,
        as_of: p.end.min(on),
    }
}

/// The period asked for in a query string, else the one containing `on`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
#[serde(default)]
pub struct PeriodQuery {
    /// thang | quy | sau_thang | nam
    pub period: Option<String>,
    pub year: Option<i32>,
    /// Month 1–12, quarter 1–4, half 1–2; 1 for a year.
    pub index: Option<u32>,
}

impl PeriodQuery {
    pub fn resolve(&self, default: PeriodKind, on: NaiveDate) -> Result<Period> {
        let kind = match self.period.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => PeriodKind::parse(p).map_err(ServiceError::invalid)?,
            None => default,
        };
        let here = Period::containing(kind, on);
        Period::new(
            kind,
            self.year.unwrap_or(here.year),
            self.index.unwrap_or(here.index),
        )
        .map_err(ServiceError::invalid)
    }
}

/// When the next regular meeting is due, by the rule pack, with its source.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Due {
    pub due_by: NaiveDate,
    pub overdue: bool,
    pub last_held: Option<NaiveDate>,
    pub citation: String,
}

/// A task count of one kind shown today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    /// chua_bat_dau | dang_thuc_hien | hoan_thanh | qua_han | chuyen_ky_sau | da_dong
    pub status: String,
    pub count: i64,
}

/// The overdue tasks a member leads.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnerOverdue {
    pub member_id: i64,
    pub full_name: String,
    pub overdue: i64,
}

/// A probationary member and the end of their probation (pack timer).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProbationDue {
    pub member_id: i64,
    pub full_name: String,
    /// None when the ceremony date was not recorded.
    pub ends_on: Option<NaiveDate>,
    pub days_left: Option<i64>,
    pub explanation: String,
}

/// A member's unexcused absences this year against the pack's limit for a
/// removal review (xóa tên).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AbsenceWatch {
    pub member_id: i64,
    pub full_name: String,
    pub unexcused: i64,
    pub limit: i64,
    /// The limit is reached: the cell must consider the review.
    pub flagged: bool,
    pub citation: String,
}

/// Everything the secretary's dashboard shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellDashboard {
    pub cell: OrgRow,
    pub today: NaiveDate,
    /// The month at a glance.
    pub month_start: NaiveDate,
    pub month_end: NaiveDate,
    pub month_held: i64,
    pub month_presence: Presence,
    pub due: Option<Due>,
    /// The calendar year so far.
    pub year: i32,
    pub meetings: Vec<MeetingStat>,
    pub members: Vec<MemberPresence>,
    pub resolutions: Vec<ResolutionStat>,
    pub task_status: Vec<StatusCount>,
    pub overdue_by_owner: Vec<OwnerOverdue>,
    pub tasks: Vec<TaskItem>,
    pub probation: Vec<ProbationDue>,
    pub absences: Vec<AbsenceWatch>,
    /// Candidates and probationers by step, with the next deadline.
    pub cases: Vec<super::cases::CaseLine>,
    /// Transfers in transit from or to the cell, with their deadlines.
    pub transfers: Vec<super::transfers::TransferLine>,
    /// Dues in arrears (derived from the ledger): amount and members.
    pub dues_arrears_vnd: i64,
    pub dues_members_in_arrears: usize,
    /// Members due for a Party badge within a year, the earliest ceremony first.
    pub badges: Vec<super::badges::BadgeLine>,
    /// The cell's own rating in the newest evaluation round.
    pub rating: Option<CellRatingBrief>,
}

/// One cell in the upper committee's table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellLine {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    /// The committee directly above the cell.
    pub committee: Option<String>,
    /// The last regular meeting held up to the period's end.
    pub last_meeting: Option<NaiveDate>,
    /// By the pack's meeting frequency on the day the table is read.
    pub on_time: bool,
    pub held: i64,
    pub presence: Presence,
    /// Present ÷ marked on the roll, %.
    pub attendance: Option<i64>,
    pub adopted: i64,
    pub tasks: TaskCounts,
    /// Done ÷ assigned, %.
    pub completion: Option<i64>,
    /// Members admitted this year: admission decisions dated from 1 January
    /// of the period's year to the table's day (kết nạp trong năm).
    pub admitted: i64,
    /// Open lifecycle cases past their step's deadline today (hồ sơ quá hạn).
    pub cases_overdue: i64,
    /// The cell's own rating of the period's year (decided tiers only).
    pub rating: Option<YearRating>,
}

impl CellLine {
    /// The cell's rating as the upper table shows it and the roll-up prints
    /// it: the decided tier's name, "—" when none.
    pub fn rating_name(&self) -> &str {
        self.rating.as_ref().map_or("—", |r| r.name.as_str())
    }
}

/// How to order and narrow the upper table (query string).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
#[serde(default)]
pub struct TableQuery {
    /// code | name | last | attendance | adopted | completion | overdue |
    /// admitted | cases_overdue
    pub sort: Option<String>,
    /// `desc` for descending.
    pub dir: Option<String>,
    /// Part of the cell's or its committee's name or code, diacritics ignored.
    pub q: Option<String>,
    /// Only cells whose regular meeting is late.
    pub late: Option<bool>,
    /// Only cells with overdue tasks.
    pub overdue: Option<bool>,
    /// 1-based.
    pub page: Option<usize>,
}

/// The upper committee's table of its cells for a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellTable {
    pub unit: OrgRow,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub as_of: NaiveDate,
    pub citation: String,
    /// Cells under the unit, and those matching the filter.
    pub cells: usize,
    pub matching: usize,
    pub late: usize,
    /// Sums over the matching cells.
    pub totals: CellLine,
    /// One page of the matching cells, in order.
    pub lines: Vec<CellLine>,
    pub page: usize,
    pub pages: usize,
}

/// Rows per page of the upper table.
pub const PAGE_ROWS: usize = 100;

/// Orders and narrows the lines as asked.
pub fn arrange(mut lines: Vec<CellLine>, q: &TableQuery) -> Vec<CellLine> {
    if let Some(text) = q.q.as_deref().map(fold).filter(|t| !t.is_empty()) {
        lines.retain(|l| {
            fold(&l.name).contains(&text)
                || l.code.as_deref().is_some_and(|c| c.contains(&text))
                || l.committee
                    .as_deref()
                    .is_some_and(|c| fold(c).contains(&text))
        });
    }
    if q.late == Some(true) {
        lines.retain(|l| !l.on_time);
    }
    if q.overdue == Some(true) {
        lines.retain(|l| l.tasks.overdue > 0);
    }
    // Missing figures sort as lowest.
    let key = |l: &CellLine| -> (i64, i64) {
        match q.sort.as_deref() {
            Some("last") => (
                l.last_meeting
                    .map_or(i64::MIN, |d| d.num_days_from_ce().into()),
                0,
            ),
            Some("attendance") => (l.attendance.unwrap_or(-1), l.presence.marked),
            Some("adopted") => (l.adopted, 0),
            Some("completion") => (l.completion.unwrap_or(-1), l.tasks.total),
            Some("overdue") => (l.tasks.overdue, 0),
            Some("admitted") => (l.admitted, 0),
            Some("cases_overdue") => (l.cases_overdue, 0),
            _ => (0, 0),
        }
    };
    match q.sort.as_deref() {
        Some("name") => lines.sort_by_cached_key(|l| fold(&l.name)),
        Some(
            "last" | "attendance" | "adopted" | "completion" | "overdue" | "admitted"
            | "cases_overdue",
        ) => lines.sort_by_key(key),
        _ => {}
    }
    if q.dir.as_deref() == Some("desc") {
        lines.reverse();
    }
    lines
}

/// The sums of a set of lines, as one line.
pub fn totals(lines: &[CellLine]) -> CellLine {
    let mut t = CellLine {
        id: 0,
        code: None,
        name: String::new(),
        committee: None,
        last_meeting: None,
        on_time: lines.iter().all(|l| l.on_time),
        held: 0,
        presence: Presence::default(),
        attendance: None,
        adopted: 0,
        tasks: TaskCounts::default(),
        completion: None,
        admitted: 0,
        cases_overdue: 0,
        rating: None,
    };
    for l in lines {
        t.held += l.held;
        t.admitted += l.admitted;
        t.cases_overdue += l.cases_overdue;
        t.adopted += l.adopted;
        t.presence.add(&l.presence);
        t.tasks.total += l.tasks.total;
        t.tasks.assigned += l.tasks.assigned;
        t.tasks.done += l.tasks.done;
        t.tasks.done_in_period += l.tasks.done_in_period;
        t.tasks.overdue += l.tasks.overdue;
        t.tasks.open += l.tasks.open;
    }
    t.attendance = percent(t.presence.present, t.presence.marked);
    t.completion = percent(t.tasks.done, t.tasks.total);
    t
}

/// A unit the actor may read the figures of: its own committee or one above.
pub(crate) async fn dashboard_unit(r: &mut Reader, actor: &Actor, unit_id: i64) -> Result<OrgRow> {
    let unit = org_for(r, actor, unit_id).await?;
    if !actor.can_organise(&unit) {
        return Err(ServiceError::Forbidden);
    }
    Ok(unit)
}

/// The dashboard of a unit: a cell's own, or the table of the cells under
/// an upper committee for a period.
pub enum Dashboard {
    Cell(Box<CellDashboard>),
    Upper(Box<CellTable>, Period),
}

impl Services {
    /// The dashboard of a unit (the actor's own by default); the period
    /// (the current quarter by default) is the upper committee's.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        unit: Option<i64>,
        period: &PeriodQuery,
        q: &TableQuery,
        now: DateTime<Utc>,
    ) -> Result<Dashboard> {
        self.db
            .read(async |r| {
                let unit = unit_for(r, actor, unit).await?;
                let unit = dashboard_unit(r, actor, unit.id).await?;
                if unit.kind == "chi_bo" {
                    let d = self.cell_dashboard_in(r, actor, unit, now).await?;
                    return Ok(Dashboard::Cell(Box::new(d)));
                }
                let period = period.resolve(PeriodKind::Quarter, today(now))?;
                let t = self.cell_table_in(r, unit, &period, q, now).await?;
                Ok(Dashboard::Upper(Box::new(t), period))
            })
            .await
    }

    fn regular_due(&self, last: Option<NaiveDate>, on: NaiveDate) -> Option<Due> {
        self.rules
            .meeting_due(MeetingKind::Regular, last, on)
            .ok()
            .map(|d| Due {
                due_by: d.due_by,
                overdue: d.overdue,
                last_held: last,
                citation: d.citation,
            })
    }

    /// The secretary's dashboard: this month, and the year so far.
    pub async fn cell_dashboard(
        &self,
        actor: &Actor,
        unit_id: i64,
        now: DateTime<Utc>,
    ) -> Result<CellDashboard> {
        self.db
            .read(async |r| {
                let cell = dashboard_unit(r, actor, unit_id).await?;
                if cell.kind != "chi_bo" {
                    return Err(ServiceError::invalid(Problem::new(
                        "unit",
                        "dashboard.not_cell",
                        cell.name,
                    )));
                }
                self.cell_dashboard_in(r, actor, cell, now).await
            })
            .await
    }

    async fn cell_dashboard_in(
        &self,
        r: &mut Reader,
        actor: &Actor,
        cell: OrgRow,
        now: DateTime<Utc>,
    ) -> Result<CellDashboard> {
        let on = today(now);
        let month = window(&Period::containing(PeriodKind::Month, on), on);
        let year = window(&Period::containing(PeriodKind::Year, on), on);
        let all = stats::cell_meetings(r, &cell.path, &year).await?;
        let last = all
            .iter()
            .find(|m| m.cell_id == cell.id)
            .and_then(|m| m.last_regular)
            .map(today);
        let meetings = stats::meetings(r, cell.id, &year).await?;
        let in_month: Vec<&MeetingStat> = meetings
            .iter()
            .filter(|m| m.starts_at >= month.from)
            .collect();
        let mut month_presence = Presence::default();
        for m in &in_month {
            month_presence.add(&m.presence);
        }
        let members = stats::members(r, cell.id, &year).await?;
        let (_, tasks) = cell_tasks(r, actor, cell.id, &Filter::default(), now).await?;
        let task_status = Shown::ALL
            .iter()
            .map(|s| StatusCount {
                status: s.as_str().into(),
                count: tasks.iter().filter(|t| t.shown() == *s).count() as i64,
            })
            .collect();
        let mut by_owner: Vec<OwnerOverdue> = Vec::new();
        for t in tasks.iter().filter(|t| t.shown() == Shown::QuaHan) {
            match by_owner.iter_mut().find(|o| o.member_id == t.task.lead_id) {
                Some(o) => o.overdue += 1,
                None => by_owner.push(OwnerOverdue {
                    member_id: t.task.lead_id,
                    full_name: t.task.lead_name.clone(),
                    overdue: 1,
                }),
            }
        }
        by_owner.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then(a.full_name.cmp(&b.full_name))
        });
        let probation = stats::probationers(r, cell.id)
            .await?
            .into_iter()
            .map(|p| {
                let d = p
                    .ceremony_date
                    .and_then(|c| self.rules.deadline(Timer::ProbationEnd, c).ok());
                ProbationDue {
                    member_id: p.id,
                    full_name: p.full_name,
                    ends_on: d.as_ref().map(|d| d.date),
                    days_left: d.as_ref().map(|d| (d.date - on).num_days()),
                    explanation: d.map(|d| d.explanation).unwrap_or_default(),
                }
            })
            .collect();
        let absences = self.absences(&members, on);
        let (moving, paying) = crate::store::transfers::cell_keeping(r, cell.id).await?;
        let arrears = if paying {
            self.arrears_of(r, &cell, on).await?
        } else {
            (0, 0)
        };
        let transfers = if moving {
            self.transfer_lines(r, &cell, false, on).await?
        } else {
            Vec::new()
        };
        Ok(CellDashboard {
            due: self.regular_due(last, on),
            today: on,
            month_start: month.start,
            month_end: Period::containing(PeriodKind::Month, on).end,
            month_held: in_month.len() as i64,
            month_presence,
            year: on.year(),
            resolutions: stats::resolutions(r, cell.id, &year).await?,
            meetings,
            members,
            task_status,
            overdue_by_owner: by_owner,
            tasks,
            probation,
            absences,
            cases: self.case_lines(r, &cell, on).await?,
            transfers,
            dues_arrears_vnd: arrears.0,
            dues_members_in_arrears: arrears.1,
            badges: self
                .badges_due_in(r, &cell.path, (on, on + chrono::Days::new(365)))
                .await?
                .0,
            rating: latest_by_cell(r, &cell.path).await?.remove(&cell.id),
            cell,
        })
    }

    /// Members with unexcused absences this year, against the pack's limit.
    fn absences(&self, members: &[MemberPresence], on: NaiveDate) -> Vec<AbsenceWatch> {
        let param = "xoa_ten_unexcused_absences_per_year";
        let Ok(limit) = self.rules.param::<u32>(param, on) else {
            return Vec::new();
        };
        let citation = self
            .rules
            .pack_at(on)
            .and_then(|v| v.cite(param))
            .unwrap_or_default();
        let mut out: Vec<AbsenceWatch> = members
            .iter()
            .filter(|m| m.presence.unexcused > 0)
            .map(|m| {
                let count = u32::try_from(m.presence.unexcused).unwrap_or(u32::MAX);
                let flagged = self
                    .rules
                    .xoa_ten_review(0, count, on)
                    .is_ok_and(|f| f.iter().any(|f| f.reason == "unexcused_absences"));
                AbsenceWatch {
                    member_id: m.member_id,
                    full_name: m.full_name.clone(),
                    unexcused: m.presence.unexcused,
                    limit: limit.into(),
                    flagged,
                    citation: citation.clone(),
                }
            })
            .collect();
        out.sort_by_key(|a| std::cmp::Reverse(a.unexcused));
        out
    }

    /// Every cell under the unit with its figures for the period, in a
    /// handful of grouped queries whatever the number of cells.
    pub(crate) async fn cell_lines(
        &self,
        r: &mut Reader,
        unit: &OrgRow,
        period: &Period,
        on: NaiveDate,
    ) -> Result<(Vec<CellLine>, Window)> {
        let w = window(period, on);
        let cells: Vec<CellName> = stats::cells(r, &unit.path).await?;
        let meetings: HashMap<i64, stats::CellMeetings> = stats::cell_meetings(r, &unit.path, &w)
            .await?
            .into_iter()
            .map(|m| (m.cell_id, m))
            .collect();
        let mut tasks: HashMap<i64, TaskCounts> = stats::cell_tasks(r, &unit.path, &w)
            .await?
            .into_iter()
            .map(|t| (t.cell_id, t.t))
            .collect();
        let year_start = NaiveDate::from_ymd_opt(w.as_of.year(), 1, 1).unwrap_or(w.start);
        let mut growth = growth_by_cell(r, &unit.path, year_start, w.as_of).await?;
        // Overdue as the secretary's dashboard says it, today: open cases
        // whose kept earliest deadline (`case_file.due_on`) is before it.
        let mut late: HashMap<i64, i64> = crate::store::cases::late_by_cell(r, &unit.path, on)
            .await?
            .into_iter()
            .collect();
        let mut ratings = decided_by_cell(r, &unit.path, period.year).await?;
        // "On time" is judged on the table's day by the pack then in force.
        let lines = cells
            .into_iter()
            .map(|c| {
                let m = meetings.get(&c.id);
                let last = m.and_then(|m| m.last_regular).map(today);
                let on_time = self
                    .rules
                    .meeting_due(MeetingKind::Regular, last, w.as_of)
                    .is_ok_and(|d| !d.overdue);
                let presence = m.map(|m| m.presence.clone()).unwrap_or_default();
                let tasks = tasks.remove(&c.id).unwrap_or_default();
                CellLine {
                    id: c.id,
                    code: c.code,
                    name: c.name,
                    committee: c.parent_name,
                    last_meeting: last,
                    on_time,
                    held: m.map_or(0, |m| m.held),
                    attendance: percent(presence.present, presence.marked),
                    presence,
                    adopted: m.map_or(0, |m| m.adopted),
                    completion: percent(tasks.done, tasks.total),
                    tasks,
                    admitted: growth.remove(&c.id).unwrap_or_default().admitted,
                    cases_overdue: late.remove(&c.id).unwrap_or_default(),
                    rating: ratings.remove(&c.id),
                }
            })
            .collect();
        Ok((lines, w))
    }

    /// The upper committee's table: filtered, sorted, one page.
    pub async fn cell_table(
        &self,
        actor: &Actor,
        unit_id: i64,
        period: &PeriodQuery,
        q: &TableQuery,
        now: DateTime<Utc>,
    ) -> Result<CellTable> {
        let period = period.resolve(PeriodKind::Quarter, today(now))?;
        self.db
            .read(async |r| {
                let unit = dashboard_unit(r, actor, unit_id).await?;
                self.cell_table_in(r, unit, &period, q, now).await
            })
            .await
    }

    async fn cell_table_in(
        &self,
        r: &mut Reader,
        unit: OrgRow,
        period: &Period,
        q: &TableQuery,
        now: DateTime<Utc>,
    ) -> Result<CellTable> {
        let on = today(now);
        let (lines, w) = self.cell_lines(r, &unit, period, on).await?;
        let cells = lines.len();
        let lines = arrange(lines, q);
        let pages = lines.len().div_ceil(PAGE_ROWS).max(1);
        let page = q.page.unwrap_or(1).clamp(1, pages);
        let citation = self
            .rules
            .meeting_due(MeetingKind::Regular, None, w.as_of)
            .map(|d| d.citation)
            .unwrap_or_default();
        Ok(CellTable {
            period_start: period.start,
            period_end: period.end,
            as_of: w.as_of,
            citation,
            cells,
            matching: lines.len(),
            late: lines.iter().filter(|l| !l.on_time).count(),
            totals: totals(&lines),
            lines: lines
                .into_iter()
                .skip((page - 1) * PAGE_ROWS)
                .take(PAGE_ROWS)
                .collect(),
            page,
            pages,
            unit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(
        id: i64,
        name: &str,
        on_time: bool,
        present: i64,
        marked: i64,
        overdue: i64,
    ) -> CellLine {
        CellLine {
            id,
            code: Some(format!("0{id}")),
            name: name.into(),
            committee: Some("Đảng ủy phường Bến Nghé".into()),
            last_meeting: None,
            on_time,
            held: 1,
            presence: Presence {
                marked,
                present,
                excused: marked - present,
                unexcused: 0,
            },
            attendance: percent(present, marked),
            adopted: 1,
            tasks: TaskCounts {
                total: 4,
                done: 2,
                overdue,
                ..TaskCounts::default()
            },
            completion: percent(2, 4),
            admitted: id - 1,
            cases_overdue: overdue % 2,
            rating: None,
        }
    }

    #[test]
    fn percentages_round_half_up_and_say_nothing_of_nothing() {
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 8), Some(13));
        assert_eq!(percent(0, 5), Some(0));
        assert_eq!(percent(3, 0), None);
    }

    #[test]
    fn the_table_filters_sorts_and_sums() {
        let lines = vec![
            line(1, "Chi bộ Khu phố 2", true, 9, 10, 0),
            line(2, "Chi bộ Khu phố 1", false, 5, 10, 3),
            line(3, "Chi bộ Trường học", true, 0, 0, 1),
        ];
        let q = |sort: &str, dir: &str| TableQuery {
            sort: Some(sort.into()),
            dir: Some(dir.into()),
            ..TableQuery::default()
        };
        let ids = |l: Vec<CellLine>| l.iter().map(|l| l.id).collect::<Vec<_>>();
        assert_eq!(ids(arrange(lines.clone(), &q("name", ""))), [2, 1, 3]);
        assert_eq!(
            ids(arrange(lines.clone(), &q("attendance", "desc"))),
            [1, 2, 3]
        );
        assert_eq!(
            ids(arrange(lines.clone(), &q("overdue", "desc"))),
            [2, 3, 1]
        );
        let late = TableQuery {
            late: Some(true),
            ..TableQuery::default()
        };
        assert_eq!(ids(arrange(lines.clone(), &late)), [2]);
        let text = TableQuery {
            q: Some("khu pho".into()),
            overdue: Some(true),
            ..TableQuery::default()
        };
        assert_eq!(ids(arrange(lines.clone(), &text)), [2]);
        let t = totals(&lines);
        assert_eq!((t.presence.present, t.presence.marked), (14, 20));
        assert_eq!(t.attendance, Some(70));
        assert_eq!((t.tasks.overdue, t.completion), (4, Some(50)));
        assert_eq!((t.admitted, t.cases_overdue), (3, 2));
        assert_eq!(
            ids(arrange(lines.clone(), &q("admitted", "desc"))),
            [3, 2, 1]
        );
        assert!(!t.on_time);
    }

    #[test]
    fn a_period_window_runs_from_local_midnight_and_reads_tasks_no_later_than_today() {
        let q3 = Period::new(PeriodKind::Quarter, 2026, 3).unwrap();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let w = window(&q3, d(8, 15));
        assert_eq!(w.from.to_rfc3339(), "2026-06-30T17:00:00+00:00");
        assert_eq!(w.to.to_rfc3339(), "2026-09-30T17:00:00+00:00");
        assert_eq!(w.as_of, d(8, 15));
        assert_eq!(window(&q3, d(11, 1)).as_of, d(9, 30));
    }
}
