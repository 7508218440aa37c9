//! Templates of the dashboards and reports, and the charts they draw.

use super::chart::{self, Bar, Stack};
use super::view::{Chrome, urlencode};
use crate::model::{Period, PeriodKind, Shown};
use crate::service::dashboard::{CellDashboard, CellLine, CellTable, percent};
use crate::service::orgs::OrgRow;
use crate::service::reports::Report;
use crate::service::reports::ReportRow;
use crate::service::tasks::TaskItem;
use askama::Template;
use askama_web::WebTemplate;
use chibo_print::Block;
use chrono_tz::Asia::Ho_Chi_Minh;

/// A printed block as the page shows it.
pub struct HtmlBlock {
    /// h2 | h3 | p | ul | table
    pub kind: &'static str,
    pub text: String,
    pub items: Vec<String>,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn html_blocks(blocks: &[Block]) -> Vec<HtmlBlock> {
    let plain = |kind, text: String| HtmlBlock {
        kind,
        text,
        items: vec![],
        head: vec![],
        rows: vec![],
    };
    blocks
        .iter()
        .map(|b| match b {
            Block::Heading { level: 1, text } => plain("h2", text.clone()),
            Block::Heading { text, .. } => plain("h3", text.clone()),
            Block::Paragraph { spans } => {
                plain("p", spans.iter().map(|s| s.text.as_str()).collect())
            }
            Block::VoteLine { text } => plain("p", text.clone()),
            Block::Bullets { items } => HtmlBlock {
                items: items.clone(),
                ..plain("ul", String::new())
            },
            Block::Table(t) => HtmlBlock {
                head: t.columns.iter().map(|c| c.title.clone()).collect(),
                rows: t.rows.clone(),
                ..plain("table", String::new())
            },
        })
        .collect()
}

/// The period picker's state and choices.
pub struct PeriodPick {
    pub kind: &'static str,
    pub year: i32,
    pub index: u32,
    pub label: String,
    /// Query string naming the period, `period=quy&year=2026&index=3`.
    pub query: String,
}

impl PeriodPick {
    pub fn of(p: &Period, c: &Chrome) -> Self {
        Self {
            kind: p.kind.as_str(),
            year: p.year,
            index: p.index,
            label: match c.tr.lang {
                super::i18n::Lang::Vi => p.label_vi(),
                super::i18n::Lang::En => p.label_en(),
            },
            query: format!(
                "period={}&year={}&index={}",
                p.kind.as_str(),
                p.year,
                p.index
            ),
        }
    }

    pub fn kinds(&self, c: &Chrome) -> Vec<(&'static str, String)> {
        PeriodKind::ALL
            .iter()
            .map(|k| (k.as_str(), c.t(&format!("dash-period-{}", k.as_str()))))
            .collect()
    }
}

/// The charts of the secretary's dashboard, drawn from its figures.
pub struct CellCharts {
    pub attendance: String,
    pub members: String,
    pub statuses: String,
    pub owners: String,
    pub resolutions: String,
}

impl CellCharts {
    pub fn of(d: &CellDashboard, c: &Chrome) -> Self {
        let unit = d.cell.id;
        let attendance = chart::line(
            &c.t("dash-chart-attendance"),
            &d.meetings
                .iter()
                .map(|m| {
                    (
                        m.starts_at
                            .with_timezone(&Ho_Chi_Minh)
                            .format("%d/%m")
                            .to_string(),
                        percent(m.presence.present, m.presence.marked),
                    )
                })
                .collect::<Vec<_>>(),
        );
        let members = chart::bars(
            &c.t("dash-chart-members"),
            &d.members
                .iter()
                .map(|m| Bar {
                    label: m.full_name.clone(),
                    value: percent(m.presence.present, m.presence.marked).unwrap_or(0),
                    text: format!("{}/{}", m.presence.present, m.presence.marked),
                    href: Some(format!("/members/{}", m.member_id)),
                })
                .collect::<Vec<_>>(),
            Some(100),
            chart::COLOURS[0],
        );
        let statuses = chart::bars(
            &c.t("dash-chart-tasks"),
            &d.task_status
                .iter()
                .map(|s| Bar {
                    label: c.t(&format!("dash-shown-{}", s.status)),
                    value: s.count,
                    text: s.count.to_string(),
                    href: Some(format!("/dashboard?unit={unit}&tasks={}#tasks", s.status)),
                })
                .collect::<Vec<_>>(),
            None,
            chart::COLOURS[1],
        );
        let owners = chart::bars(
            &c.t("dash-chart-owners"),
            &d.overdue_by_owner
                .iter()
                .map(|o| Bar {
                    label: o.full_name.clone(),
                    value: o.overdue,
                    text: o.overdue.to_string(),
                    href: Some(format!(
                        "/dashboard?unit={unit}&tasks=qua_han&owner={}#tasks",
                        o.member_id
                    )),
                })
                .collect::<Vec<_>>(),
            None,
            chart::COLOURS[3],
        );
        let resolutions = chart::stacked(
            &c.t("dash-chart-resolutions"),
            &[
                c.t("dash-shown-hoan_thanh"),
                c.t("dash-shown-qua_han"),
                c.t("dash-res-other"),
            ],
            &d.resolutions
                .iter()
                .map(|r| Stack {
                    label: r.number_text.clone().unwrap_or_else(|| r.subject.clone()),
                    parts: vec![r.done, r.overdue, r.tasks - r.done - r.overdue],
                    href: Some(format!("/meetings/{}/resolution", r.meeting_id)),
                })
                .collect::<Vec<_>>(),
        );
        Self {
            attendance,
            members,
            statuses,
            owners,
            resolutions,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub c: Chrome,
    pub d: CellDashboard,
    pub charts: CellCharts,
    /// The task list below, narrowed as a count's link asked.
    pub tasks: Vec<TaskItem>,
    pub task_filter: Option<String>,
    pub owner_filter: Option<i64>,
}

impl DashboardPage {
    pub fn rate(&self, present: &i64, marked: &i64) -> String {
        percent(*present, *marked)
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "—".into())
    }

    pub fn shown(&self, s: &str) -> String {
        self.c.t(&format!("dash-shown-{s}"))
    }

    /// The cell's open cases past a deadline, as the upper committee's
    /// table counts them.
    pub fn late_cases(&self) -> usize {
        self.d
            .cases
            .iter()
            .filter(|k| k.late_by().is_some())
            .count()
    }
}

/// Charts comparing the cells of one page of the upper table.
pub const CHART_CELLS: usize = 30;

#[derive(Template, WebTemplate)]
#[template(path = "dashboard_upper.html")]
pub struct UpperPage {
    pub c: Chrome,
    pub t: CellTable,
    pub period: PeriodPick,
    pub chart_attendance: String,
    pub chart_tasks: String,
    pub sort: String,
    pub dir: String,
    pub q: String,
    pub late: bool,
    pub overdue: bool,
    /// The filter and period as a query string, without sort and page.
    pub base_query: String,
}

impl UpperPage {
    pub fn charts(lines: &[CellLine], c: &Chrome, period: &str) -> (String, String) {
        let shown = &lines[..lines.len().min(CHART_CELLS)];
        let attendance = chart::bars(
            &c.t("dash-chart-cell-attendance"),
            &shown
                .iter()
                .map(|l| Bar {
                    label: l.name.clone(),
                    value: l.attendance.unwrap_or(0),
                    text: l
                        .attendance
                        .map(|p| format!("{p}%"))
                        .unwrap_or_else(|| "—".into()),
                    href: Some(format!("/dashboard?unit={}&{period}", l.id)),
                })
                .collect::<Vec<_>>(),
            Some(100),
            chart::COLOURS[0],
        );
        let tasks = chart::stacked(
            &c.t("dash-chart-cell-tasks"),
            &[
                c.t("dash-shown-hoan_thanh"),
                c.t("dash-shown-qua_han"),
                c.t("dash-res-other"),
            ],
            &shown
                .iter()
                .map(|l| Stack {
                    label: l.name.clone(),
                    parts: vec![
                        l.tasks.done,
                        l.tasks.overdue,
                        l.tasks.total - l.tasks.done - l.tasks.overdue,
                    ],
                    href: Some(format!("/dashboard?unit={}#tasks", l.id)),
                })
                .collect::<Vec<_>>(),
        );
        (attendance, tasks)
    }

    /// A column header's link: sort by it, flipping the direction if it is
    /// the current order.
    pub fn sort_link(&self, col: &str) -> String {
        let dir = if self.sort == col && self.dir != "desc" {
            "desc"
        } else {
            "asc"
        };
        format!("/dashboard?{}&sort={col}&dir={dir}", self.base_query)
    }

    pub fn page_link(&self, page: usize) -> String {
        format!(
            "/dashboard?{}&sort={}&dir={}&page={page}",
            self.base_query,
            urlencode(&self.sort),
            urlencode(&self.dir)
        )
    }

    pub fn pct(&self, p: &Option<i64>) -> String {
        p.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
    }

    pub fn prev(&self) -> usize {
        self.t.page - 1
    }

    pub fn next(&self) -> usize {
        self.t.page + 1
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub c: Chrome,
    pub unit: OrgRow,
    pub reports: Vec<ReportRow>,
    pub period: PeriodPick,
    pub may_draft: bool,
    pub error: Option<String>,
}

impl ReportsPage {
    pub fn status(&self, s: &str) -> String {
        self.c.t(&format!("report-status-{s}"))
    }

    pub fn label(&self, r: &ReportRow) -> String {
        let p = PeriodKind::parse(&r.period)
            .map(|k| Period::containing(k, r.period_start))
            .ok();
        match (p, self.c.tr.lang) {
            (Some(p), super::i18n::Lang::Vi) => p.label_vi(),
            (Some(p), super::i18n::Lang::En) => p.label_en(),
            (None, _) => r.period.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub c: Chrome,
    pub r: Report,
    pub figures: Vec<HtmlBlock>,
    pub may_edit: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl ReportPage {
    pub fn is_draft(&self) -> bool {
        self.r.row.status == "draft"
    }

    /// The committee's sections of an issued report, with their titles.
    pub fn sections(&self) -> Vec<(String, String)> {
        let s = &self.r.content.sections;
        vec![
            (self.c.t("report-assessment"), s.assessment.clone()),
            (self.c.t("report-limits"), s.limits.clone()),
            (self.c.t("report-next"), s.next.clone()),
        ]
    }
}

/// A dashboard's task list narrowed by status and lead.
pub fn narrow(tasks: &[TaskItem], status: Option<&str>, owner: Option<i64>) -> Vec<TaskItem> {
    tasks
        .iter()
        .filter(|t| status.is_none_or(|s| Shown::parse(s).is_ok_and(|s| t.shown() == s)))
        .filter(|t| owner.is_none_or(|o| t.task.lead_id == o))
        .cloned()
        .collect()
}
