//! Templates of the task screens.

use super::pages::tasks::TableQuery;
use super::view::{Chrome, FieldErrors};
use crate::model::TaskDraft;
use crate::service::meetings::MeetingView;
use crate::service::members::MemberRow;
use crate::service::orgs::{CommitteePost, OrgRow};
use crate::service::tasks::{ProgressForm, ReviewBoard, TaskDetail, TaskItem};
use askama::Template;
use askama_web::WebTemplate;

/// Status words and the badge class of what a task shows.
pub trait TaskWords {
    fn chrome(&self) -> &Chrome;

    fn shown(&self, code: &str) -> String {
        self.chrome().t(&format!("task-shown-{code}"))
    }

    fn decision(&self, code: &str) -> String {
        self.chrome().t(&format!("task-decision-{code}"))
    }
}

/// The badge colour of a shown status.
pub fn tone(code: &str) -> &'static str {
    match code {
        "hoan_thanh" => "good",
        "qua_han" => "bad",
        "chuyen_ky_sau" => "warn",
        _ => "",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    pub c: Chrome,
    pub cell: OrgRow,
    pub items: Vec<TaskItem>,
    pub members: Vec<MemberRow>,
    pub committee: Vec<CommitteePost>,
    /// (id, number, subject)
    pub resolutions: Vec<(i64, String, String)>,
    pub manages: bool,
    pub q: TableQuery,
    pub links: String,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub draft: TaskDraft,
    pub today: String,
    /// The day the deadlines are counted from.
    pub on: chrono::NaiveDate,
}

impl TaskWords for TasksPage {
    fn chrome(&self) -> &Chrome {
        &self.c
    }
}

impl TasksPage {
    pub fn tone(&self, code: &str) -> &'static str {
        tone(code)
    }

    pub fn is_member(&self, id: &i64) -> bool {
        self.q.member == Some(*id)
    }

    pub fn is_resolution(&self, id: &i64) -> bool {
        self.q.resolution == Some(*id)
    }

    pub fn is_lead(&self, id: &i64) -> bool {
        self.draft.lead_id == Some(*id)
    }

    /// The rows, the tasks still open first (each part by deadline, as read).
    pub fn rows(&self) -> Vec<&TaskItem> {
        let (open, closed): (Vec<&TaskItem>, Vec<&TaskItem>) =
            self.items.iter().partition(|t| t.task.closed_on.is_none());
        open.into_iter().chain(closed).collect()
    }

    /// "còn 3 ngày", "hạn hôm nay", "quá hạn 2 ngày" for a task not done yet.
    pub fn days(&self, t: &TaskItem) -> Option<(String, &'static str)> {
        if t.task.closed_on.is_some() || t.task.completed_on.is_some() {
            return None;
        }
        let n = (t.task.deadline - self.on).num_days();
        let tr = self.c.tr;
        Some(match n {
            0 => (tr.t("task-due-today"), "warn"),
            n if n > 0 => (tr.t1("task-days-left", "n", n), ""),
            n => (tr.t1("task-days-late", "n", -n), "bad"),
        })
    }

    pub fn month(&self) -> &str {
        self.q.month.as_deref().unwrap_or("")
    }

    pub fn open_only(&self) -> bool {
        self.q.open.as_deref() == Some("1")
    }

    /// Whether a filter other than the default (open tasks) is chosen.
    pub fn filtered(&self) -> bool {
        self.q.resolution.is_some()
            || self.q.member.is_some()
            || self.q.month.as_deref().is_some_and(|m| !m.is_empty())
            || self.q.source.as_deref().is_some_and(|s| !s.is_empty())
            || !self.open_only()
    }

    pub fn standing(&self) -> bool {
        self.q.source.as_deref() == Some("standing")
    }

    pub fn owners(&self, t: &TaskItem) -> String {
        t.owners
            .iter()
            .map(|o| o.full_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// How many tasks show each status, in a fixed order.
    pub fn counts(&self) -> Vec<(String, usize, &'static str)> {
        [
            "chua_bat_dau",
            "dang_thuc_hien",
            "hoan_thanh",
            "qua_han",
            "chuyen_ky_sau",
            "da_dong",
        ]
        .iter()
        .map(|code| {
            let n = self.items.iter().filter(|i| i.shown == *code).count();
            (self.shown(code), n, tone(code))
        })
        .filter(|(_, n, _)| *n > 0)
        .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "task.html")]
pub struct TaskPage {
    pub c: Chrome,
    pub d: TaskDetail,
    pub members: Vec<MemberRow>,
    pub form: ProgressForm,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    pub today: String,
}

impl TaskWords for TaskPage {
    fn chrome(&self) -> &Chrome {
        &self.c
    }
}

impl TaskPage {
    pub fn tone(&self, code: &str) -> &'static str {
        tone(code)
    }

    pub fn status_choices(&self) -> Vec<(&'static str, String)> {
        ["chua_bat_dau", "dang_thuc_hien", "hoan_thanh"]
            .iter()
            .map(|s| (*s, self.shown(s)))
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub c: Chrome,
    pub view: MeetingView,
    pub board: ReviewBoard,
    pub manages: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl TaskWords for ReviewPage {
    fn chrome(&self) -> &Chrome {
        &self.c
    }
}

impl ReviewPage {
    pub fn tone(&self, code: &str) -> &'static str {
        tone(code)
    }

    /// Tasks still to be decided on by this meeting.
    pub fn undecided(&self) -> usize {
        self.board.items.iter().filter(|(_, r)| r.is_none()).count()
    }
}
