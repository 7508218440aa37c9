//! The work-assignment table (bảng phân công) of a cell, one task with its
//! progress from the owners' phones, and a meeting's task-by-task review.

use super::{flash, form_problems};
use crate::model::{Problem, Problems, TaskDraft, format_date};
use crate::service::task_print;
use crate::service::tasks::{Evidence, Filter, ProgressForm};
use crate::service::{ServiceError, today};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::download::{self, Show};
use crate::web::error::PageError;
use crate::web::i18n::Tr;
use crate::web::task_view::{ReviewPage, TaskPage, TasksPage};
use crate::web::view::{Chrome, FieldErrors};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

/// The filters of the assignment table, as the query string carries them.
#[derive(Deserialize, Default, Clone)]
pub struct TableQuery {
    pub unit: Option<i64>,
    pub resolution: Option<i64>,
    pub member: Option<i64>,
    /// yyyy-mm: tasks due that month.
    pub month: Option<String>,
    /// Only tasks not yet closed by a meeting.
    pub open: Option<String>,
    pub source: Option<String>,
    pub ok: Option<String>,
}

impl TableQuery {
    fn month_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let m = self.month.as_deref()?.trim();
        let start = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok()?;
        let next = start.checked_add_months(chrono::Months::new(1))?;
        Some((start, next.pred_opt()?))
    }

    pub fn filter(&self) -> Filter {
        Filter {
            resolution_id: self.resolution,
            member_id: self.member,
            due: self.month_range(),
            open_only: self.open.as_deref() == Some("1"),
            source: self.source.clone().filter(|s| !s.is_empty()),
            from_concerns: false,
        }
    }

    /// The same filters as a query string, for the print and export links.
    pub fn query_string(&self, unit: i64) -> String {
        let mut q = format!("unit={unit}");
        for (k, v) in [
            ("resolution", self.resolution.map(|x| x.to_string())),
            ("member", self.member.map(|x| x.to_string())),
            ("month", self.month.clone()),
            ("open", self.open.clone()),
            ("source", self.source.clone()),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                q.push_str(&format!("&{k}={}", crate::web::view::urlencode(&v)));
            }
        }
        q
    }
}

async fn table_page(
    s: &AppState,
    user: &User,
    q: TableQuery,
    errors: FieldErrors,
    draft: TaskDraft,
) -> Result<TasksPage, PageError> {
    let t = s
        .services
        .task_table(&user.actor, q.unit, &q.filter(), s.services.now())
        .await?;
    Ok(TasksPage {
        c: Chrome::for_user(user, "tasks-title", "tasks", "/tasks"),
        flash: flash(user.tr, q.ok.as_deref()),
        links: q.query_string(t.cell.id),
        cell: t.cell,
        items: t.items,
        members: t.members,
        committee: t.committee,
        resolutions: t.resolutions,
        manages: t.may_manage,
        q,
        errors,
        draft,
        today: format_date(today(s.services.now())),
        on: today(s.services.now()),
    })
}

pub async fn table(
    State(s): State<AppState>,
    user: User,
    Query(mut q): Query<TableQuery>,
) -> Result<TasksPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    // What is still to do comes first: closed tasks are behind the filter.
    q.open.get_or_insert_with(|| "1".into());
    table_page(&s, &user, q, errors, TaskDraft::default()).await
}

#[derive(Deserialize)]
pub struct DutyForm {
    title: String,
    lead_id: Option<String>,
    #[serde(default)]
    co_owner_ids: Vec<i64>,
    deadline: String,
}

/// A standing duty of the committee's division of work.
pub async fn add_duty(
    State(s): State<AppState>,
    Query(q): Query<TableQuery>,
    CsrfForm(user, f): CsrfForm<DutyForm>,
) -> Result<Response, PageError> {
    let draft = TaskDraft {
        title: f.title,
        lead_id: f.lead_id.and_then(|x| x.parse().ok()),
        co_owner_ids: f.co_owner_ids,
        deadline: f.deadline,
    };
    match s
        .services
        .add_standing_duty(&user.actor, q.unit, &draft, s.services.now())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/tasks/{id}?ok=task-saved")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let q = TableQuery {
                unit: q.unit,
                source: Some("standing".into()),
                ..Default::default()
            };
            let page = table_page(&s, &user, q, errors, draft).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The assignment table as a spreadsheet, saved as
/// `bang-phan-cong-<cell>-<date>.xlsx`.
pub async fn export(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<TableQuery>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let (cell, items) = s
        .services
        .cell_tasks(&user.actor, q.unit, &q.filter(), now)
        .await?;
    let rows = task_print::table_rows(&items, |code| user.tr.t(&format!("task-shown-{code}")));
    let on = today(now);
    let bytes = task_print::xlsx(&cell, rows, on).map_err(ServiceError::from)?;
    let name = task_print::file_name(&cell, on);
    Ok(download::file(
        download::XLSX,
        Show::Attachment,
        &name,
        "xlsx",
        bytes,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PrintQuery {
    /// `docx` for Word; a PDF otherwise.
    format: Option<String>,
}

/// The assignment table printed in the Party format (PDF, or DOCX with
/// `format=docx`).
pub async fn print(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<TableQuery>,
    Query(f): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let p = s
        .services
        .task_table_document(&user.actor, q.unit, &q.filter(), s.services.now())
        .await?;
    download::printed(p, f.format.as_deref() != Some("docx")).await
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

/// A task form turned down: its problems (422), or `task.stale` answered
/// with `stale` when the task changed since the form was read. Any other
/// refusal goes on as the error it is.
fn refused(
    e: ServiceError,
    tr: Tr,
    stale: StatusCode,
) -> Result<(StatusCode, FieldErrors), PageError> {
    match e {
        ServiceError::Stale => {
            let problems = Problems(vec![Problem::new("version", "task.stale", "")]);
            Ok((stale, FieldErrors { problems, tr }))
        }
        e => Ok((StatusCode::UNPROCESSABLE_ENTITY, form_problems(e, tr)?)),
    }
}

async fn task_page(
    s: &AppState,
    user: &User,
    id: i64,
    flash_msg: Option<String>,
    errors: FieldErrors,
    form: Option<ProgressForm>,
) -> Result<TaskPage, PageError> {
    let (d, members) = s
        .services
        .task_page(&user.actor, id, s.services.now())
        .await?;
    let form = form.unwrap_or_else(|| ProgressForm {
        version: d.item.task.version,
        status: match d.item.task.status.as_str() {
            "chua_bat_dau" | "chuyen_ky_sau" => "dang_thuc_hien".into(),
            s => s.into(),
        },
        progress: d.item.task.progress,
        ..Default::default()
    });
    Ok(TaskPage {
        c: Chrome::for_user(user, "task-title", "tasks", &format!("/tasks/{id}")),
        flash: flash_msg,
        errors,
        form,
        members,
        today: format_date(today(s.services.now())),
        d,
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<TaskPage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    let errors = FieldErrors::none(user.tr);
    task_page(&s, &user, id, f, errors, None).await
}

/// The progress form: text fields, and an optional evidence file.
async fn read_progress(
    mp: &mut Multipart,
    max: usize,
) -> Result<(String, ProgressForm, Option<Evidence>, bool), PageError> {
    let mut csrf = String::new();
    let mut f = ProgressForm::default();
    let mut file = None;
    let mut too_large = false;
    while let Ok(Some(mut field)) = mp.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mime = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let mut data = Vec::new();
            while let Ok(Some(chunk)) = field.chunk().await {
                data.extend_from_slice(&chunk);
                if data.len() > max {
                    too_large = true;
                    break;
                }
            }
            if !file_name.is_empty() && !data.is_empty() && !too_large {
                file = Some(Evidence {
                    name: file_name,
                    mime,
                    data,
                });
            }
            continue;
        }
        let value = field.text().await.map_err(|_| PageError::BadRequest)?;
        match name.as_str() {
            "csrf" => csrf = value,
            "version" => f.version = value.trim().parse().unwrap_or_default(),
            "status" => f.status = value,
            "progress" => f.progress = value.trim().parse().unwrap_or(-1),
            "note" => f.note = value,
            "date" => f.date = value,
            "link" => f.link = value,
            _ => {}
        }
    }
    Ok((csrf, f, file, too_large))
}

pub async fn progress(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let (csrf, f, file, too_large) = read_progress(&mut mp, s.cfg.max_upload_bytes).await?;
    user.check_csrf(&csrf)?;
    let texts = [
        ("status", f.status.as_str()),
        ("note", f.note.as_str()),
        ("date", f.date.as_str()),
        ("link", f.link.as_str()),
    ];
    let r = if let Some(found) = crate::web::input::in_fields(&texts) {
        Err(found.refusal())
    } else if too_large {
        Err(ServiceError::Invalid(Problems(vec![Problem::new(
            "file",
            "file.too_large",
            (s.cfg.max_upload_bytes / 1024 / 1024).to_string(),
        )])))
    } else {
        s.services
            .update_progress(&user.actor, id, &f, file, s.services.now())
            .await
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?ok=task-progress-saved")).into_response()),
        Err(e) => {
            let (status, errors) = refused(e, user.tr, StatusCode::CONFLICT)?;
            let page = task_page(&s, &user, id, None, errors, Some(f)).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct LeadForm {
    version: i64,
    lead_id: i64,
}

pub async fn reassign(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<LeadForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .reassign_task(&user.actor, id, f.version, f.lead_id, s.services.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{id}?ok=task-reassigned")).into_response()),
        Err(e) => {
            let (status, errors) = refused(e, user.tr, StatusCode::UNPROCESSABLE_ENTITY)?;
            let page = task_page(&s, &user, id, None, errors, None).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn evidence(
    State(s): State<AppState>,
    user: User,
    Path((id, pid)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let f = s
        .services
        .task_evidence(&user.actor, id, pid, s.services.now())
        .await?;
    let name: String = f
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, f.file_mime),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        f.file_data,
    )
        .into_response())
}

/// A meeting's review item: every open task, one decision each.
pub async fn review(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<ReviewPage, PageError> {
    review_page(&s, &user, id, flash(user.tr, q.ok.as_deref()), None).await
}

async fn review_page(
    s: &AppState,
    user: &User,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
) -> Result<ReviewPage, PageError> {
    let (view, board) = s.services.review_page(&user.actor, id).await?;
    Ok(ReviewPage {
        c: Chrome::for_user(
            user,
            "review-title",
            "meetings",
            &format!("/meetings/{id}/review"),
        ),
        manages: view.may_manage,
        flash,
        error,
        view,
        board,
    })
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    new_deadline: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    State(s): State<AppState>,
    Path((id, task)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .review_task(
            &user.actor,
            id,
            task,
            &f.decision,
            &f.new_deadline,
            &f.note,
            s.services.now(),
        )
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/meetings/{id}/review?ok=review-saved#task{task}"))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let error = errors.problems.0.first().map(|p| user.tr.problem(p));
            let page = review_page(&s, &user, id, None, error).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
