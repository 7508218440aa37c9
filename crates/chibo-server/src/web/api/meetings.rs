use super::errors::ApiJson;
use super::units::Created;
use crate::model::{Choice, Presence, VoteMode};
use crate::service::ServiceError;
use crate::service::meetings::{AgendaItem, MeetingRow, ResolutionRow, RollEntry, VoteRow};
use crate::service::meetings::{MeetingForm, Panel};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chibo_rules::DecisionKind;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct CellParam {
    cell: i64,
}

/// A cell's meetings, newest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(CellParam),
    responses((status = 200, body = Vec<MeetingRow>), (status = 403, body = ApiErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<CellParam>,
) -> Result<Json<Vec<MeetingRow>>, ApiError> {
    Ok(Json(s.services.meetings_of(&actor, p.cell).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewMeeting {
    cell_id: i64,
    #[serde(flatten)]
    form: MeetingForm,
}

/// Plans a meeting; its agenda starts from the HD 42 order for the cell's type.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = NewMeeting,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewMeeting>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = s
        .services
        .plan_meeting(&actor, b.cell_id, &b.form, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MeetingDetail {
    meeting: MeetingRow,
    agenda: Vec<AgendaItem>,
    roll: Vec<RollEntry>,
    votes: Vec<VoteRow>,
    resolution: Option<ResolutionRow>,
    panel: Panel,
}

/// Everything about one meeting.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    responses((status = 200, body = MeetingDetail), (status = 404, body = ApiErrorBody)))]
pub async fn get_meeting(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MeetingDetail>, ApiError> {
    let (v, panel) = s
        .services
        .roll_page(&actor, id, chibo_rules::Lang::Vi)
        .await?;
    Ok(Json(MeetingDetail {
        meeting: v.meeting,
        agenda: v.items,
        roll: v.roll,
        votes: v.votes,
        resolution: v.resolution,
        panel,
    }))
}

/// The agenda items of a meeting, in order.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/agenda", tag = "meetings",
    responses((status = 200, body = Vec<AgendaItem>), (status = 404, body = ApiErrorBody)))]
pub async fn agenda(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AgendaItem>>, ApiError> {
    Ok(Json(s.services.agenda(&actor, id).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewItem {
    title: String,
}

/// Adds an agenda item at the end.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda", tag = "meetings", request_body = NewItem,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody)))]
pub async fn add_item(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NewItem>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let item = s
        .services
        .add_agenda_item(&actor, id, &b.title, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: item })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Step {
    /// `notice`, `open`, `close` or `lock_minutes`.
    action: String,
    /// Why the meeting opens before its planned day, or closes before the
    /// rule pack's minimum length (required then).
    #[serde(default)]
    reason: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StepDone {
    status: String,
    /// The check code, when the minutes were locked.
    check_code: Option<String>,
}

/// Moves the meeting on: send the notice, open, close, lock the minutes.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/steps", tag = "meetings", request_body = Step,
    responses((status = 200, body = StepDone), (status = 422, body = ApiErrorBody)))]
pub async fn step(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Step>,
) -> Result<Json<StepDone>, ApiError> {
    let now = s.services.now();
    let mut check_code = None;
    match b.action.as_str() {
        "notice" => {
            s.services.send_notice(&actor, id, now).await?;
            s.mail_kick();
        }
        "open" => {
            s.services
                .open_meeting(&actor, id, b.reason.as_deref(), now)
                .await?
        }
        "close" => {
            s.services
                .close_meeting(&actor, id, b.reason.as_deref(), now)
                .await?
        }
        "lock_minutes" => {
            check_code = Some(s.services.finalize_minutes(&actor, id, None, now).await?)
        }
        other => {
            return Err(ServiceError::invalid(crate::model::Problem::new(
                "action", "required", other,
            ))
            .into());
        }
    }
    let (m, _) = s.services.meeting(&actor, id).await?;
    Ok(Json(StepDone {
        status: m.status,
        check_code,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Mark {
    /// co_mat, vang_co_ly_do, vang_khong_ly_do
    presence: String,
    reason: Option<String>,
}

/// One roll-call mark; returns the live panel.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance/{member_id}", tag = "meetings", request_body = Mark,
    responses((status = 200, body = Panel), (status = 422, body = ApiErrorBody)))]
pub async fn mark(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, member)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<Mark>,
) -> Result<Json<Panel>, ApiError> {
    let presence = Presence::parse(&b.presence).map_err(ServiceError::invalid)?;
    let (_, panel) = s
        .services
        .mark_attendance_line(
            &actor,
            id,
            member,
            presence,
            b.reason.as_deref(),
            chibo_rules::Lang::Vi,
            s.services.now(),
        )
        .await?;
    Ok(Json(panel))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct MinutesText {
    text: String,
    /// The version this text was edited from; a newer one gives 409.
    version: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Version {
    version: i64,
}

/// Autosaves one section of the minutes.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/minutes/{item_id}", tag = "meetings", request_body = MinutesText,
    responses((status = 200, body = Version), (status = 409, body = ApiErrorBody)))]
pub async fn minutes(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, item)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<MinutesText>,
) -> Result<Json<Version>, ApiError> {
    let version = s
        .services
        .save_minutes(&actor, id, item, b.version, &b.text, s.services.now())
        .await?;
    Ok(Json(Version { version }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewVote {
    /// nghi_quyet, ket_nap, cong_nhan_chinh_thuc, xoa_ten_du_bi, xoa_ten (open votes only)
    kind: String,
    subject: String,
    /// counts or named
    mode: String,
}

/// Opens a vote and freezes its roll.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/votes", tag = "votes", request_body = NewVote,
    responses((status = 201, body = Created), (status = 422, body = ApiErrorBody)))]
pub async fn open_vote(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NewVote>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let kind = DecisionKind::from_code(&b.kind).ok_or_else(|| {
        ServiceError::invalid(crate::model::Problem::new(
            "kind",
            "vote.kind",
            b.kind.clone(),
        ))
    })?;
    let mode = VoteMode::parse(&b.mode).map_err(ServiceError::invalid)?;
    let vid = s
        .services
        .open_vote(&actor, id, kind, &b.subject, mode, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: vid })))
}

/// One vote and its result.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/votes/{vote_id}", tag = "votes",
    responses((status = 200, body = VoteRow), (status = 404, body = ApiErrorBody)))]
pub async fn get_vote(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, vote)): Path<(i64, i64)>,
) -> Result<Json<VoteRow>, ApiError> {
    let (_, _, v) = s.services.vote_of(&actor, id, vote).await?;
    Ok(Json(v))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Counts {
    tan_thanh: u32,
    khong_tan_thanh: u32,
    khong_bieu_quyet: u32,
}

/// Records a show of hands and closes the vote with the engine's result.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/votes/{vote_id}/counts", tag = "votes", request_body = Counts,
    responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn counts(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, vote)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<Counts>,
) -> Result<StatusCode, ApiError> {
    s.services
        .enter_counts(
            &actor,
            id,
            vote,
            (b.tan_thanh, b.khong_tan_thanh, b.khong_bieu_quyet),
            s.services.now(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Cast {
    /// tan_thanh, khong_tan_thanh, khong_bieu_quyet
    choice: String,
}

/// The caller's own named vote (full members present only, once).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/votes/{vote_id}/cast", tag = "votes", request_body = Cast,
    responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn cast(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, vote)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<Cast>,
) -> Result<StatusCode, ApiError> {
    let choice = Choice::parse(&b.choice).map_err(ServiceError::invalid)?;
    s.services
        .cast_vote(&actor, id, vote, choice, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes a named vote and decides it.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/votes/{vote_id}/close", tag = "votes",
    responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn close_vote(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, vote)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    s.services
        .close_named_vote(&actor, id, vote, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Draft {
    subject: String,
    #[serde(default)]
    results: String,
    #[serde(default)]
    tasks: String,
    #[serde(default)]
    assignments: Vec<crate::service::meetings::Assignment>,
    /// The resolution assigns no task, explicitly (adoption needs tasks or this).
    #[serde(default)]
    no_tasks: bool,
    /// 0 for a new draft, else the version read.
    #[serde(default)]
    version: i64,
}

/// Creates or replaces the draft resolution.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/resolution", tag = "resolutions", request_body = Draft,
    responses((status = 204), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn save_resolution(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Draft>,
) -> Result<StatusCode, ApiError> {
    let assignments = serde_json::to_string(&b.assignments).unwrap_or_default();
    let d = crate::service::meetings::Draft {
        subject: &b.subject,
        results: &b.results,
        tasks: &b.tasks,
        assignments: &assignments,
        no_tasks: b.no_tasks,
    };
    s.services
        .save_resolution(&actor, id, b.version, &d, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Adopt {
    vote_id: i64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Adopted {
    /// e.g. "Số 05-NQ/CB"
    number: String,
}

/// Adopts the draft with a passed vote: numbered, locked, sealed.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/resolution/adopt", tag = "resolutions", request_body = Adopt,
    responses((status = 200, body = Adopted), (status = 422, body = ApiErrorBody)))]
pub async fn adopt(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Adopt>,
) -> Result<Json<Adopted>, ApiError> {
    let number = s
        .services
        .adopt_resolution(&actor, id, b.vote_id, s.services.now())
        .await?;
    Ok(Json(Adopted { number }))
}
