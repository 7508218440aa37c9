//! Tasks (bảng phân công công việc): their states, what a task shows on a
//! given day, the checks on a new task, and the reporting periods.

use super::meeting::code_enum;
use super::{Problem, Problems};
use chrono::{Datelike, NaiveDate};

code_enum!(
    /// The state an owner records. "Quá hạn" is not recorded: it is what an
    /// unfinished task shows once its deadline has passed (see [`Shown`]).
    TaskStatus, "status", "task.status" {
        ChuaBatDau = "chua_bat_dau",
        DangThucHien = "dang_thuc_hien",
        HoanThanh = "hoan_thanh",
        ChuyenKySau = "chuyen_ky_sau",
    }
);

code_enum!(
    /// Where the task comes from: a resolution's assignment table, or the
    /// committee's division of standing duties for the term.
    TaskSource, "source", "task.source" {
        Resolution = "resolution",
        Standing = "standing",
    }
);

code_enum!(
    /// What a meeting decides when it reviews a task.
    ReviewDecision, "decision", "task.decision" {
        Close = "dong",
        CarryOver = "chuyen_ky_sau",
    }
);

code_enum!(
    /// What a task shows on a given day.
    Shown, "status", "task.status" {
        ChuaBatDau = "chua_bat_dau",
        DangThucHien = "dang_thuc_hien",
        HoanThanh = "hoan_thanh",
        QuaHan = "qua_han",
        ChuyenKySau = "chuyen_ky_sau",
        /// Closed by a meeting without being finished.
        DaDong = "da_dong",
    }
);

/// The recorded dates that decide what a task shows.
#[derive(Debug, Clone, Copy)]
pub struct TaskTimes {
    pub status: TaskStatus,
    pub deadline: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl TaskTimes {
    pub fn completed_by(&self, on: NaiveDate) -> bool {
        self.completed_on.is_some_and(|d| d <= on)
    }

    pub fn closed_by(&self, on: NaiveDate) -> bool {
        self.closed_on.is_some_and(|d| d <= on)
    }

    /// Unfinished, not closed, and past its deadline on `on`.
    pub fn overdue_on(&self, on: NaiveDate) -> bool {
        !self.completed_by(on) && !self.closed_by(on) && self.deadline < on
    }

    /// What the task shows on `on`, from the recorded state and dates.
    pub fn shown_on(&self, on: NaiveDate) -> Shown {
        if self.completed_by(on) {
            Shown::HoanThanh
        } else if self.closed_by(on) {
            Shown::DaDong
        } else if self.deadline < on {
            Shown::QuaHan
        } else {
            match self.status {
                TaskStatus::ChuaBatDau => Shown::ChuaBatDau,
                TaskStatus::ChuyenKySau => Shown::ChuyenKySau,
                // Completed after `on`: on that day it was still under way.
                TaskStatus::DangThucHien | TaskStatus::HoanThanh => Shown::DangThucHien,
            }
        }
    }
}

/// A task as typed into an assignment row, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct TaskDraft {
    pub title: String,
    pub lead_id: Option<i64>,
    pub co_owner_ids: Vec<i64>,
    pub deadline: String,
}

/// A checked task: a title, one lead, co-owners apart from the lead, a
/// deadline not before the day it is assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTask {
    pub title: String,
    pub lead_id: i64,
    pub co_owner_ids: Vec<i64>,
    pub deadline: NaiveDate,
    /// The resident's concern it is assigned from (a resolution's row may
    /// name one); none for a task typed on its own.
    pub concern_id: Option<i64>,
}

impl TaskDraft {
    pub fn check(&self, assigned_on: NaiveDate) -> Result<CheckedTask, Problems> {
        let mut p = Problems::default();
        let title = super::nfc(self.title.trim());
        if title.is_empty() {
            p.push(Problem::new("title", "required", ""));
        }
        if self.lead_id.is_none() {
            p.push(Problem::new("lead_id", "task.no_owner", title.clone()));
        }
        let deadline = if self.deadline.trim().is_empty() {
            p.push(Problem::new("deadline", "required", ""));
            None
        } else {
            p.take(super::parse_date("deadline", &self.deadline))
        };
        if let Some(d) = deadline
            && d < assigned_on
        {
            p.push(Problem::new(
                "deadline",
                "task.deadline_before",
                super::format_date(d),
            ));
        }
        match (self.lead_id, deadline) {
            (Some(lead_id), Some(deadline)) if p.is_empty() => {
                let mut co_owner_ids: Vec<i64> = self
                    .co_owner_ids
                    .iter()
                    .copied()
                    .filter(|id| *id != lead_id)
                    .collect();
                co_owner_ids.sort_unstable();
                co_owner_ids.dedup();
                Ok(CheckedTask {
                    title,
                    lead_id,
                    co_owner_ids,
                    deadline,
                    concern_id: None,
                })
            }
            _ => Err(p),
        }
    }
}

code_enum!(
    /// Reporting periods of a cell's report upward.
    PeriodKind, "period", "report.period" {
        Month = "thang",
        Quarter = "quy",
        Half = "sau_thang",
        Year = "nam",
    }
);

/// One reporting period: its kind, number within the year and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    /// Month 1–12, quarter 1–4, half 1–2, or 1 for the year.
    pub index: u32,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn new(kind: PeriodKind, year: i32, index: u32) -> Result<Self, Problem> {
        let months = match kind {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Half => 6,
            PeriodKind::Year => 12,
        };
        let count = 12 / months;
        if !(1..=count).contains(&index) || !(1900..=2100).contains(&year) {
            return Err(Problem::new("index", "report.period", index.to_string()));
        }
        let first = (index - 1) * months + 1;
        let start = NaiveDate::from_ymd_opt(year, first, 1).expect("valid month");
        let next = if first + months > 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, first + months, 1)
        }
        .expect("valid month");
        Ok(Self {
            kind,
            year,
            index,
            start,
            end: next.pred_opt().expect("not the first day"),
        })
    }

    /// The period of this kind that contains `d`.
    pub fn containing(kind: PeriodKind, d: NaiveDate) -> Self {
        let index = match kind {
            PeriodKind::Month => d.month(),
            PeriodKind::Quarter => (d.month() - 1) / 3 + 1,
            PeriodKind::Half => (d.month() - 1) / 6 + 1,
            PeriodKind::Year => 1,
        };
        Self::new(kind, d.year(), index).expect("a date's own period")
    }

    /// "quý III năm 2026", as a report's title names it.
    pub fn label_vi(&self) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        match self.kind {
            PeriodKind::Month => format!("tháng {} năm {}", self.index, self.year),
            PeriodKind::Quarter => {
                format!("quý {} năm {}", ROMAN[self.index as usize - 1], self.year)
            }
            PeriodKind::Half if self.index == 1 => format!("6 tháng đầu năm {}", self.year),
            PeriodKind::Half => format!("6 tháng cuối năm {}", self.year),
            PeriodKind::Year => format!("năm {}", self.year),
        }
    }

    pub fn label_en(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}-{:02}", self.year, self.index),
            PeriodKind::Quarter => format!("Q{} {}", self.index, self.year),
            PeriodKind::Half => format!("H{} {}", self.index, self.year),
            PeriodKind::Year => format!("year {}", self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn times(status: TaskStatus, done: Option<NaiveDate>, closed: Option<NaiveDate>) -> TaskTimes {
        TaskTimes {
            status,
            deadline: d(2026, 5, 20),
            completed_on: done,
            closed_on: closed,
        }
    }

    #[test]
    fn a_task_shows_overdue_only_after_its_deadline_and_only_while_unfinished() {
        let t = times(TaskStatus::DangThucHien, None, None);
        assert_eq!(t.shown_on(d(2026, 5, 20)), Shown::DangThucHien);
        assert_eq!(t.shown_on(d(2026, 5, 21)), Shown::QuaHan);
        assert!(t.overdue_on(d(2026, 5, 21)));
        let done = times(TaskStatus::HoanThanh, Some(d(2026, 5, 25)), None);
        // Finished late: overdue until the day it was finished, then done.
        assert_eq!(done.shown_on(d(2026, 5, 24)), Shown::QuaHan);
        assert_eq!(done.shown_on(d(2026, 5, 25)), Shown::HoanThanh);
        assert_eq!(done.shown_on(d(2026, 5, 10)), Shown::DangThucHien);
        let closed = times(TaskStatus::ChuyenKySau, None, Some(d(2026, 6, 10)));
        assert_eq!(closed.shown_on(d(2026, 6, 9)), Shown::QuaHan);
        assert_eq!(closed.shown_on(d(2026, 6, 10)), Shown::DaDong);
        assert!(!closed.overdue_on(d(2026, 7, 1)));
        let carried = times(TaskStatus::ChuyenKySau, None, None);
        assert_eq!(carried.shown_on(d(2026, 5, 1)), Shown::ChuyenKySau);
    }

    #[test]
    fn a_task_needs_a_lead_and_a_deadline_not_before_its_resolution() {
        let on = d(2026, 4, 10);
        let p = TaskDraft {
            title: "Vận động hội viên".into(),
            lead_id: None,
            co_owner_ids: vec![],
            deadline: "09/04/2026".into(),
        }
        .check(on)
        .unwrap_err();
        let codes: Vec<_> = p.0.iter().map(|x| x.code).collect();
        assert_eq!(codes, ["task.no_owner", "task.deadline_before"]);
        let ok = TaskDraft {
            title: "Vận động hội viên".into(),
            lead_id: Some(3),
            co_owner_ids: vec![5, 3, 5, 4],
            deadline: "2026-04-10".into(),
        }
        .check(on)
        .unwrap();
        assert_eq!(ok.co_owner_ids, [4, 5]);
        assert_eq!(ok.deadline, on);
        let empty = TaskDraft::default().check(on).unwrap_err();
        assert_eq!(empty.0.len(), 3);
    }

    #[test]
    fn periods_cover_the_year_without_gaps() {
        let q3 = Period::new(PeriodKind::Quarter, 2026, 3).unwrap();
        assert_eq!((q3.start, q3.end), (d(2026, 7, 1), d(2026, 9, 30)));
        assert_eq!(q3.label_vi(), "quý III năm 2026");
        let feb = Period::new(PeriodKind::Month, 2028, 2).unwrap();
        assert_eq!(feb.end, d(2028, 2, 29));
        let h2 = Period::new(PeriodKind::Half, 2026, 2).unwrap();
        assert_eq!((h2.start, h2.end), (d(2026, 7, 1), d(2026, 12, 31)));
        assert_eq!(h2.label_vi(), "6 tháng cuối năm 2026");
        let y = Period::new(PeriodKind::Year, 2026, 1).unwrap();
        assert_eq!((y.start, y.end), (d(2026, 1, 1), d(2026, 12, 31)));
        assert!(Period::new(PeriodKind::Quarter, 2026, 5).is_err());
        assert_eq!(
            Period::containing(PeriodKind::Quarter, d(2026, 11, 27)).index,
            4
        );
        for kind in PeriodKind::ALL {
            let mut day = d(2026, 1, 1);
            while day.year() == 2026 {
                let p = Period::containing(*kind, day);
                assert!(p.start <= day && day <= p.end);
                day = p.end.succ_opt().unwrap();
            }
        }
    }
}
