//! Residents' concerns, study and announcements (issue 17), for programs and
//! phones: the same service calls as the pages.

use super::errors::ApiJson;
use crate::model::{AnnouncementDraft, AssignmentDraft, ConcernDraft, DocumentDraft};
use crate::service::announcements::{AnnouncementBoard, AnnouncementView};
use crate::service::concerns::{
    ActForm, ConcernCounts, ConcernItem, ConcernRow, ConcernTask, Tracked,
};
use crate::service::study::{Reading, StudyBoard};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, ApiErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;

/// The one shape of this module's reads: a single service call, its answer
/// as JSON, its error as the API's.
async fn answer<T>(
    call: impl Future<Output = crate::service::Result<T>>,
) -> Result<Json<T>, ApiError> {
    Ok(Json(call.await?))
}

/// A concern with what it shows today.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ConcernOut {
    #[serde(flatten)]
    row: ConcernRow,
    /// Still open (a deadline is running).
    open: bool,
    /// Past its forwarding or answer deadline.
    late: bool,
    /// The tasks a resolution assigned from it, with their state.
    tasks: Vec<ConcernTask>,
}

impl From<ConcernItem> for ConcernOut {
    fn from(i: ConcernItem) -> Self {
        Self {
            open: i.due.is_some(),
            late: i.late(),
            row: i.row,
            tasks: i.tasks,
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ConcernListOut {
    cell_id: i64,
    /// The first day of the month listed.
    month: NaiveDate,
    counts: ConcernCounts,
    items: Vec<ConcernOut>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ConcernParams {
    /// The cell (the caller's own by default).
    unit: Option<i64>,
    /// Any day of the month to list (yyyy-mm-dd); this month by default.
    month: Option<NaiveDate>,
}

/// A cell's concerns of a month, with the open ones from before and the
/// month's counts (empty for a member who does not run the cell).
#[utoipa::path(get, path = "/api/v1/concerns", tag = "residents", params(ConcernParams),
    responses((status = 200, body = ConcernListOut), (status = 403, body = ApiErrorBody)))]
pub async fn list_concerns(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<ConcernParams>,
) -> Result<Json<ConcernListOut>, ApiError> {
    let l = s
        .services
        .concern_list(&actor, p.unit, p.month, s.services.now())
        .await?;
    Ok(Json(ConcernListOut {
        cell_id: l.cell.id,
        month: l.month,
        counts: l.counts,
        items: l.items.into_iter().map(ConcernOut::from).collect(),
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewConcern {
    /// The cell (the caller's own by default).
    unit: Option<i64>,
    area: String,
    body: String,
    /// A phone number, when the resident left one.
    #[serde(default)]
    contact: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CodeOut {
    /// The tracking code the resident follows the item with.
    code: String,
}

/// What a resident told a member (the member's door).
#[utoipa::path(post, path = "/api/v1/concerns", tag = "residents", request_body = NewConcern,
    responses((status = 201, body = CodeOut), (status = 422, body = ApiErrorBody)))]
pub async fn record_concern(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewConcern>,
) -> Result<(StatusCode, Json<CodeOut>), ApiError> {
    let draft = ConcernDraft {
        area: b.area,
        body: b.body,
        contact: b.contact,
    };
    let code = s
        .services
        .record_concern(&actor, b.unit, &draft, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(CodeOut { code })))
}

/// One concern, for the committee (a read of a contact is logged).
#[utoipa::path(get, path = "/api/v1/concerns/{id}", tag = "residents",
    responses((status = 200, body = ConcernOut), (status = 403, body = ApiErrorBody)))]
pub async fn get_concern(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ConcernOut>, ApiError> {
    let i = s.services.concern(&actor, id, s.services.now()).await?;
    Ok(Json(i.into()))
}

/// Forward (with the body's kind), answer, or close as done, duplicate or
/// spam; the item as it is after.
#[utoipa::path(post, path = "/api/v1/concerns/{id}/act", tag = "residents", request_body = ActForm,
    responses((status = 200, body = ConcernOut), (status = 422, body = ApiErrorBody)))]
pub async fn act(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ActForm>,
) -> Result<Json<ConcernOut>, ApiError> {
    let i = s
        .services
        .act_on_concern_item(&actor, id, &f, s.services.now())
        .await?;
    Ok(Json(i.into()))
}

/// The state of a concern by its tracking code (never its text or contact).
#[utoipa::path(get, path = "/api/v1/concerns/track/{code}", tag = "residents",
    responses((status = 200, body = Tracked), (status = 404, body = ApiErrorBody)))]
pub async fn track(
    State(s): State<AppState>,
    ApiUser(_caller): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Tracked>, ApiError> {
    answer(s.services.track_concern(&code)).await
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct StudyParams {
    /// The cell or committee (the caller's own by default).
    unit: Option<i64>,
    /// Words searched in the library, diacritics optional.
    #[serde(default)]
    q: String,
}

/// The cell's assignments with who has and has not studied (the committee)
/// or one's own line (a member), and the library.
#[utoipa::path(get, path = "/api/v1/study", tag = "residents", params(StudyParams),
    responses((status = 200, body = StudyBoard), (status = 403, body = ApiErrorBody)))]
pub async fn study(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<StudyParams>,
) -> Result<Json<StudyBoard>, ApiError> {
    answer(
        s.services
            .study_board(&actor, p.unit, &p.q, s.services.now()),
    )
    .await
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
#[serde(default)]
pub struct NewAssignment {
    /// all | group | committee
    audience: String,
    /// The group's members (for `group`).
    members: Vec<i64>,
    /// dd/mm/yyyy or yyyy-mm-dd
    deadline: String,
    /// home | meeting
    place: String,
    /// A written reflection is required.
    reflection: bool,
    /// The cell's meeting (not yet held, by the deadline) it is studied at;
    /// the place is then `meeting`.
    meeting_id: Option<i64>,
}

impl NewAssignment {
    fn draft(self) -> AssignmentDraft {
        AssignmentDraft {
            audience: self.audience,
            members: self.members,
            deadline: self.deadline,
            place: self.place,
            reflection: self.reflection,
            meeting_id: self.meeting_id,
        }
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewDocument {
    /// The library's unit: a cell, or an upper committee (the caller's own by default).
    unit: Option<i64>,
    /// nghi_quyet | chi_thi | ket_luan | huong_dan | khac
    #[serde(default)]
    kind: String,
    #[serde(default)]
    number: String,
    /// dd/mm/yyyy or yyyy-mm-dd
    issued_on: String,
    issuer: String,
    title: String,
    /// The text read on the phone.
    #[serde(default)]
    body: String,
    /// Assign it to the cell's members at once (cells only).
    assignment: Option<NewAssignment>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StudyIds {
    document_id: i64,
    assignment_id: Option<i64>,
}

/// A document into a library, with its assignment when one is given.
#[utoipa::path(post, path = "/api/v1/study/documents", tag = "residents", request_body = NewDocument,
    responses((status = 201, body = StudyIds), (status = 422, body = ApiErrorBody)))]
pub async fn add_document(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewDocument>,
) -> Result<(StatusCode, Json<StudyIds>), ApiError> {
    let doc = DocumentDraft {
        kind: b.kind,
        number: b.number,
        issued_on: b.issued_on,
        issuer: b.issuer,
        title: b.title,
        body: b.body,
    };
    let assign = b.assignment.map(NewAssignment::draft);
    let (document_id, assignment_id) = s
        .services
        .add_study(&actor, b.unit, &doc, assign.as_ref(), s.services.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(StudyIds {
            document_id,
            assignment_id,
        }),
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// The page of the text (1 by default).
    page: Option<usize>,
}

/// A document, one page of its text, with the caller's assignments of it.
#[utoipa::path(get, path = "/api/v1/study/documents/{id}", tag = "residents", params(PageParams),
    responses((status = 200, body = Reading), (status = 403, body = ApiErrorBody)))]
pub async fn read_document(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    Query(p): Query<PageParams>,
) -> Result<Json<Reading>, ApiError> {
    let page = p.page.unwrap_or(1);
    answer(s.services.read_study(&actor, id, page, s.services.now())).await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct AssignBody {
    /// The cell (the caller's own by default).
    unit: Option<i64>,
    document_id: i64,
    #[serde(flatten)]
    assignment: NewAssignment,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AssignmentId {
    assignment_id: i64,
}

/// Assigns a library document (the cell's or one from above) to the cell.
#[utoipa::path(post, path = "/api/v1/study/assignments", tag = "residents", request_body = AssignBody,
    responses((status = 201, body = AssignmentId), (status = 422, body = ApiErrorBody)))]
pub async fn assign(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<AssignBody>,
) -> Result<(StatusCode, Json<AssignmentId>), ApiError> {
    let id = s
        .services
        .assign_study(
            &actor,
            b.unit,
            b.document_id,
            &b.assignment.draft(),
            s.services.now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(AssignmentId { assignment_id: id }),
    ))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Studied {
    document_id: i64,
}

/// "Đã học" for the caller.
#[utoipa::path(post, path = "/api/v1/study/assignments/{id}/studied", tag = "residents",
    responses((status = 200, body = Studied)))]
pub async fn studied(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Studied>, ApiError> {
    let document_id = s
        .services
        .mark_studied(&actor, id, s.services.now())
        .await?;
    Ok(Json(Studied { document_id }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ReflectionBody {
    body: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReflectionOut {
    document_id: i64,
    /// Submitted after the deadline (kept, marked late).
    late: bool,
}

/// The caller's written reflection (bài thu hoạch).
#[utoipa::path(post, path = "/api/v1/study/assignments/{id}/reflection", tag = "residents",
    request_body = ReflectionBody,
    responses((status = 200, body = ReflectionOut), (status = 422, body = ApiErrorBody)))]
pub async fn reflection(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReflectionBody>,
) -> Result<Json<ReflectionOut>, ApiError> {
    let (document_id, late) = s
        .services
        .submit_reflection(&actor, id, &b.body, s.services.now())
        .await?;
    Ok(Json(ReflectionOut { document_id, late }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Reminded {
    /// Members reminded now (a member already reminded today is not again).
    reminded: usize,
}

/// Reminds everyone who has not studied (in the app and by e-mail).
#[utoipa::path(post, path = "/api/v1/study/assignments/{id}/remind", tag = "residents",
    responses((status = 200, body = Reminded)))]
pub async fn remind(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Reminded>, ApiError> {
    let (_, reminded) = s
        .services
        .remind_study(&actor, id, s.services.now())
        .await?;
    Ok(Json(Reminded { reminded }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct AttendanceBody {
    /// The members present; the rest of the audience is recorded absent.
    present: Vec<i64>,
    /// dd/mm/yyyy; today when empty.
    #[serde(default)]
    held_on: String,
}

/// Who attended the study session.
#[utoipa::path(post, path = "/api/v1/study/assignments/{id}/attendance", tag = "residents",
    request_body = AttendanceBody,
    responses((status = 204), (status = 422, body = ApiErrorBody)))]
pub async fn attendance(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AttendanceBody>,
) -> Result<StatusCode, ApiError> {
    s.services
        .record_study_attendance(&actor, id, &b.present, &b.held_on, s.services.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct UnitParams {
    /// The unit (the caller's own by default).
    unit: Option<i64>,
}

/// What the caller received, and what their unit sent.
#[utoipa::path(get, path = "/api/v1/announcements", tag = "residents", params(UnitParams),
    responses((status = 200, body = AnnouncementBoard), (status = 403, body = ApiErrorBody)))]
pub async fn announcements(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<UnitParams>,
) -> Result<Json<AnnouncementBoard>, ApiError> {
    answer(s.services.announcements(&actor, p.unit)).await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct NewAnnouncement {
    /// The sending unit (the caller's own by default).
    unit: Option<i64>,
    title: String,
    body: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Sent {
    id: i64,
    /// Members it went to.
    recipients: usize,
}

/// Sends an announcement to every member under the unit.
#[utoipa::path(post, path = "/api/v1/announcements", tag = "residents", request_body = NewAnnouncement,
    responses((status = 201, body = Sent), (status = 422, body = ApiErrorBody)))]
pub async fn announce(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(b): ApiJson<NewAnnouncement>,
) -> Result<(StatusCode, Json<Sent>), ApiError> {
    let draft = AnnouncementDraft {
        title: b.title,
        body: b.body,
    };
    let (id, recipients) = s
        .services
        .send_announcement(&actor, b.unit, &draft, s.services.now())
        .await?;
    Ok((StatusCode::CREATED, Json(Sent { id, recipients })))
}

/// One announcement, without marking it read.
#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "residents",
    responses((status = 200, body = AnnouncementView)))]
pub async fn announcement(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AnnouncementView>, ApiError> {
    answer(
        s.services
            .open_announcement(&actor, id, false, s.services.now()),
    )
    .await
}

/// Marks an announcement read by the caller; the announcement.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/read", tag = "residents",
    responses((status = 200, body = AnnouncementView)))]
pub async fn read(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AnnouncementView>, ApiError> {
    answer(
        s.services
            .open_announcement(&actor, id, true, s.services.now()),
    )
    .await
}
