//! Tasks and their progress, for programs and the phone's offline queue.

use super::errors::ApiJson;
use crate::model::TaskDraft;
use crate::service::tasks::{Filter, ProgressRow, TaskReview};
use crate::service::tasks::{ProgressForm, ProgressSaved, TaskItem};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct TaskParams {
    /// The cell whose assignment table to list.
    cell: i64,
    resolution: Option<i64>,
    /// Led or co-owned by this member.
    member: Option<i64>,
    /// Only tasks not yet closed by a meeting.
    #[serde(default)]
    open: bool,
}

/// A cell's assignment table, by deadline.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskParams),
    responses((status = 200, body = Vec<TaskItem>), (status = 403, body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<TaskParams>,
) -> Result<Json<Vec<TaskItem>>, ApiError> {
    let f = Filter {
        resolution_id: p.resolution,
        member_id: p.member,
        open_only: p.open,
        ..Default::default()
    };
    let (_, items) = s
        .services
        .cell_tasks(&actor, Some(p.cell), &f, s.services.now())
        .await?;
    Ok(Json(items))
}

/// The caller's own open tasks.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "tasks",
    responses((status = 200, body = Vec<TaskItem>)))]
pub async fn mine(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<TaskItem>>, ApiError> {
    Ok(Json(s.services.my_tasks(&actor, s.services.now()).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TaskFull {
    #[serde(flatten)]
    item: TaskItem,
    /// The owners' progress reports, oldest first (`progress` is the task's
    /// current percentage).
    updates: Vec<ProgressRow>,
    reviews: Vec<TaskReview>,
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks",
    responses((status = 200, body = TaskFull), (status = 404, body = ApiErrorBody)))]
pub async fn get_task(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<TaskFull>, ApiError> {
    let d = s.services.task_detail(&actor, id, s.services.now()).await?;
    Ok(Json(TaskFull {
        item: d.item,
        updates: d.progress,
        reviews: d.reviews,
    }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ProgressParams {
    /// `saved` (default): what the report changed; `full`: the whole task
    /// with its history, as `GET /api/v1/tasks/{id}` answers it.
    #[serde(default)]
    #[param(inline)]
    view: ProgressView,
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProgressView {
    #[default]
    Saved,
    Full,
}

/// The answer to a progress report: what it changed, or (`?view=full`) the
/// whole task.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ProgressAnswer {
    Saved(ProgressSaved),
    Full(TaskFull),
}

/// An owner's progress report (status, percent, note, date, link). Closed
/// tasks refuse it; a stale `version` answers 409. Answers the report as
/// stored and the task's new version, status and progress; the whole task
/// with every earlier report only with `?view=full` (it grows with the
/// history, and a phone sending its report does not need it).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/progress", tag = "tasks", request_body = ProgressForm,
    params(ProgressParams),
    responses((status = 200, body = ProgressAnswer), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn progress(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<ProgressParams>,
    ApiJson(f): ApiJson<ProgressForm>,
) -> Result<Json<ProgressAnswer>, ApiError> {
    let saved = s
        .services
        .update_progress(&actor, id, &f, None, s.services.now())
        .await?;
    Ok(Json(match p.view {
        ProgressView::Saved => ProgressAnswer::Saved(saved),
        ProgressView::Full => {
            let Json(full) = get_task(State(s), ApiUser(actor), Path(id)).await?;
            ProgressAnswer::Full(full)
        }
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewDuty {
    cell_id: i64,
    title: String,
    lead_id: Option<i64>,
    #[serde(default)]
    co_owner_ids: Vec<i64>,
    /// dd/mm/yyyy or yyyy-mm-dd
    deadline: String,
}

/// A standing duty of the committee's division of work.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = NewDuty,
    responses((status = 201, body = TaskFull), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewDuty>,
) -> Result<(StatusCode, Json<TaskFull>), ApiError> {
    let draft = TaskDraft {
        title: b.title,
        lead_id: b.lead_id,
        co_owner_ids: b.co_owner_ids,
        deadline: b.deadline,
    };
    let id = s
        .services
        .add_standing_duty(&actor, Some(b.cell_id), &draft, s.services.now())
        .await?;
    let full = get_task(State(s), ApiUser(actor), Path(id)).await?;
    Ok((StatusCode::CREATED, full))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Decision {
    /// dong (close) | chuyen_ky_sau (carry over)
    decision: String,
    #[serde(default)]
    new_deadline: String,
    #[serde(default)]
    note: String,
}

/// A meeting's decision on one task of its review item.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/review/{task_id}", tag = "tasks", request_body = Decision,
    responses((status = 200, body = TaskFull), (status = 422, body = ApiErrorBody)))]
pub async fn review(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, task_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<Decision>,
) -> Result<Json<TaskFull>, ApiError> {
    s.services
        .review_task(
            &actor,
            id,
            task_id,
            &b.decision,
            &b.new_deadline,
            &b.note,
            s.services.now(),
        )
        .await?;
    get_task(State(s), ApiUser(actor), Path(task_id)).await
}
