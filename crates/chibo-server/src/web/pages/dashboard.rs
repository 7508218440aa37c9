//! The secretary's dashboard of a cell, and the upper committee's table of
//! the cells under it: one address, `/dashboard?unit=ID`.

use crate::service::dashboard::{CellDashboard, Dashboard, PeriodQuery, TableQuery};
use crate::web::AppState;
use crate::web::auth::User;
use crate::web::error::PageError;
use crate::web::view::{Chrome, urlencode};
use crate::web::view_dash::{CellCharts, DashboardPage, PeriodPick, UpperPage, narrow};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashQuery {
    unit: Option<i64>,
    /// The cell dashboard's task list: a shown status and a lead.
    tasks: Option<String>,
    owner: Option<i64>,
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<DashQuery>,
    // Separate extractors: serde's flatten reads every value as text.
    Query(period): Query<PeriodQuery>,
    Query(table): Query<TableQuery>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let dashboard = s
        .services
        .dashboard(&user.actor, q.unit, &period, &table, now)
        .await?;
    let (t, period) = match dashboard {
        Dashboard::Cell(d) => return Ok(cell_page(&user, *d, q).into_response()),
        Dashboard::Upper(t, period) => (*t, period),
    };
    let path = format!("/dashboard?unit={}", t.unit.id);
    let c = Chrome::for_user(&user, "dash-upper-title", "dashboard", &path);
    let pick = PeriodPick::of(&period, &c);
    let (chart_attendance, chart_tasks) = UpperPage::charts(&t.lines, &c, &pick.query);
    let q_text = table.q.clone().unwrap_or_default();
    let late = table.late == Some(true);
    let overdue = table.overdue == Some(true);
    let mut base_query = format!("unit={}&{}", t.unit.id, pick.query);
    if !q_text.is_empty() {
        base_query.push_str(&format!("&q={}", urlencode(&q_text)));
    }
    if late {
        base_query.push_str("&late=true");
    }
    if overdue {
        base_query.push_str("&overdue=true");
    }
    Ok(UpperPage {
        c,
        t,
        period: pick,
        chart_attendance,
        chart_tasks,
        sort: table.sort.unwrap_or_default(),
        dir: table.dir.unwrap_or_default(),
        q: q_text,
        late,
        overdue,
        base_query,
    }
    .into_response())
}

/// A cell's own dashboard, its task list narrowed as asked.
fn cell_page(user: &User, d: CellDashboard, q: DashQuery) -> DashboardPage {
    let path = format!("/dashboard?unit={}", d.cell.id);
    let c = Chrome::for_user(user, "dash-title", "dashboard", &path);
    let task_filter = q.tasks.filter(|t| !t.is_empty());
    let tasks = narrow(&d.tasks, task_filter.as_deref(), q.owner);
    DashboardPage {
        charts: CellCharts::of(&d, &c),
        c,
        d,
        tasks,
        task_filter,
        owner_filter: q.owner,
    }
}
