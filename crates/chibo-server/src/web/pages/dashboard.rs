//! The secretary's dashboard of a cell, and the upper committee's table of
//! the cells under it: one address, `/dashboard?unit=ID`.

use super::unit_for;
use crate::model::PeriodKind;
use crate::service::dashboard::{PeriodQuery, TableQuery};
use crate::service::today;
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
    let unit = unit_for(&s, &user, q.unit).await?;
    let unit = s.services.dashboard_unit(&user.actor, unit.id).await?;
    let now = s.services.now();
    let path = format!("/dashboard?unit={}", unit.id);
    if unit.kind == "chi_bo" {
        let c = Chrome::for_user(&user, "dash-title", "dashboard", &path);
        let d = s.services.cell_dashboard(&user.actor, unit, now).await?;
        let task_filter = q.tasks.filter(|t| !t.is_empty());
        let tasks = narrow(&d.tasks, task_filter.as_deref(), q.owner);
        return Ok(DashboardPage {
            charts: CellCharts::of(&d, &c),
            c,
            d,
            tasks,
            task_filter,
            owner_filter: q.owner,
        }
        .into_response());
    }
    let c = Chrome::for_user(&user, "dash-upper-title", "dashboard", &path);
    let period = period.resolve(PeriodKind::Quarter, today(now))?;
    let t = s.services.cell_table(unit, &period, &table, now).await?;
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
