//! What members must study: the cell's board (assignments, who has and has
//! not, the library searched without diacritics), a document read a page at
//! a time on the phone, "đã học", the reflection, the secretary's reminders,
//! the study session's attendance, and a document's PDF.

use super::{flash, form_problems};
use crate::model::{AssignmentDraft, DocumentDraft, Problem, Problems};
use crate::service::ServiceError;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::study_view::{ReadingPage, ReflectionPage, StudyFormValues, StudyPage};
use crate::web::view::{Chrome, FieldErrors};
use crate::web::{download, view};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    unit: Option<i64>,
    #[serde(default)]
    q: String,
    ok: Option<String>,
}

async fn board_page(
    s: &AppState,
    user: &User,
    q: &BoardQuery,
    errors: FieldErrors,
    form: StudyFormValues,
) -> Result<StudyPage, PageError> {
    let board = s
        .services
        .study_board(&user.actor, q.unit, &q.q, s.services.now())
        .await?;
    Ok(StudyPage {
        c: Chrome::for_user(user, "study-title", "study", "/study"),
        board,
        flash: flash(user.tr, q.ok.as_deref()),
        errors,
        form,
    })
}

pub async fn board(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<BoardQuery>,
) -> Result<StudyPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    board_page(&s, &user, &q, errors, StudyFormValues::default()).await
}

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    members: Vec<i64>,
    #[serde(default)]
    place: String,
    #[serde(default)]
    reflection: Option<String>,
    /// The meeting it is studied at, or empty.
    #[serde(default)]
    meeting_id: String,
}

fn unit_query(unit: Option<i64>) -> String {
    unit.map(|u| format!("unit={u}&")).unwrap_or_default()
}

/// A document into the library, and (a cell, with a deadline) its
/// assignment.
pub async fn add(
    State(s): State<AppState>,
    Query(q): Query<BoardQuery>,
    CsrfForm(user, f): CsrfForm<AddForm>,
) -> Result<Response, PageError> {
    let doc = DocumentDraft {
        kind: f.kind.clone(),
        number: f.number.clone(),
        issued_on: f.issued_on.clone(),
        issuer: f.issuer.clone(),
        title: f.title.clone(),
        body: f.body.clone(),
    };
    let assign = (!f.deadline.trim().is_empty()).then(|| AssignmentDraft {
        audience: f.audience.clone(),
        members: f.members.clone(),
        deadline: f.deadline.clone(),
        place: f.place.clone(),
        reflection: f.reflection.is_some(),
        meeting_id: f.meeting_id.trim().parse().ok(),
    });
    match s
        .services
        .add_study(&user.actor, q.unit, &doc, assign.as_ref(), s.services.now())
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/study?{}ok=study-saved", unit_query(q.unit))).into_response(),
        ),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let form = StudyFormValues {
                kind: f.kind,
                number: f.number,
                issued_on: f.issued_on,
                issuer: f.issuer,
                title: f.title,
                body: f.body,
                deadline: f.deadline,
                audience: f.audience,
                members: f.members,
                place: f.place,
                reflection: f.reflection.is_some(),
                meeting_id: f.meeting_id.trim().parse().ok(),
            };
            let page = board_page(&s, &user, &q, errors, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    document_id: i64,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    members: Vec<i64>,
    #[serde(default)]
    place: String,
    #[serde(default)]
    reflection: Option<String>,
    /// The meeting it is studied at, or empty.
    #[serde(default)]
    meeting_id: String,
}

/// Assigns a library document (one from above, typically) to the cell.
pub async fn assign(
    State(s): State<AppState>,
    Query(q): Query<BoardQuery>,
    CsrfForm(user, f): CsrfForm<AssignForm>,
) -> Result<Response, PageError> {
    let draft = AssignmentDraft {
        audience: f.audience,
        members: f.members,
        deadline: f.deadline,
        place: f.place,
        reflection: f.reflection.is_some(),
        meeting_id: f.meeting_id.trim().parse().ok(),
    };
    match s
        .services
        .assign_study(&user.actor, q.unit, f.document_id, &draft, s.services.now())
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/study?{}ok=study-assigned", unit_query(q.unit)))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = board_page(&s, &user, &q, errors, StudyFormValues::default()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ReadQuery {
    page: Option<usize>,
    ok: Option<String>,
}

async fn reading_page(
    s: &AppState,
    user: &User,
    id: i64,
    q: &ReadQuery,
    errors: FieldErrors,
    typed: Option<String>,
) -> Result<ReadingPage, PageError> {
    let r = s
        .services
        .read_study(&user.actor, id, q.page.unwrap_or(1), s.services.now())
        .await?;
    let mut c = Chrome::for_user(user, "study-title", "study", &format!("/study/docs/{id}"));
    c.title.clone_from(&r.doc.title);
    let may_upload = r.may_upload;
    Ok(ReadingPage {
        c,
        flash: flash(user.tr, q.ok.as_deref()),
        errors,
        reflection: typed.or_else(|| r.reflection.clone()).unwrap_or_default(),
        may_upload,
        max_mb: s.cfg.max_upload_bytes / 1024 / 1024,
        r,
    })
}

/// A document read on the phone, a page at a time.
pub async fn read(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<ReadQuery>,
) -> Result<ReadingPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    reading_page(&s, &user, id, &q, errors, None).await
}

pub async fn pdf(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (name, data) = s.services.study_pdf(&user.actor, id).await?;
    let ascii: String = crate::model::fold(&name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, download::PDF.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    view::urlencode(&name)
                ),
            ),
        ],
        data,
    )
        .into_response())
}

/// A document's PDF: refused with the bound in the message when it is too
/// large or not a PDF; nothing is stored then.
pub async fn upload(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let max = s.cfg.max_upload_bytes;
    let up = super::read_upload(&mut mp, max).await?;
    let r = if up.too_large {
        Err(ServiceError::Invalid(Problems(vec![Problem::new(
            "file",
            "study.pdf_too_large",
            (max / 1024 / 1024).to_string(),
        )])))
    } else {
        user.check_csrf(&up.csrf)?;
        match up.file {
            Some((name, data)) if !data.is_empty() => {
                s.services
                    .attach_study_pdf(&user.actor, id, &name, &data, s.services.now())
                    .await
            }
            _ => Err(ServiceError::invalid(Problem::new("file", "required", ""))),
        }
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/study/docs/{id}?ok=study-pdf-saved")).into_response()),
        Err(e) => {
            let status = if up.too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = form_problems(e, user.tr)?;
            let page = reading_page(&s, &user, id, &ReadQuery::default(), errors, None).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct Nothing {}

#[derive(Deserialize, Default)]
pub struct BackQuery {
    back: Option<String>,
}

/// "Đã học".
pub async fn studied(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<BackQuery>,
    CsrfForm(user, _): CsrfForm<Nothing>,
) -> Result<Response, PageError> {
    let doc = s
        .services
        .mark_studied(&user.actor, id, s.services.now())
        .await?;
    Ok(match q.back.as_deref() {
        Some("doc") => Redirect::to(&format!("/study/docs/{doc}?ok=study-marked")),
        _ => Redirect::to("/study?ok=study-marked"),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct ReflectionForm {
    #[serde(default)]
    body: String,
    /// The document the form is on, to show it again with the problem.
    #[serde(default)]
    doc: i64,
}

/// The written reflection; a late one is kept and marked late.
pub async fn reflect(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ReflectionForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .submit_reflection(&user.actor, id, &f.body, s.services.now())
        .await
    {
        Ok((doc, late)) => {
            let ok = if late {
                "study-reflection-saved-late"
            } else {
                "study-reflection-saved"
            };
            Ok(Redirect::to(&format!("/study/docs/{doc}?ok={ok}")).into_response())
        }
        Err(ServiceError::Invalid(p)) => {
            let doc = f.doc;
            let errors = FieldErrors {
                problems: p,
                tr: user.tr,
            };
            let page =
                reading_page(&s, &user, doc, &ReadQuery::default(), errors, Some(f.body)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The secretary reminds whoever has not studied.
pub async fn remind(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Nothing>,
) -> Result<Response, PageError> {
    let (cell, n) = s
        .services
        .remind_study(&user.actor, id, s.services.now())
        .await?;
    let ok = if n == 0 {
        "study-reminded-none"
    } else {
        "study-reminded"
    };
    Ok(Redirect::to(&format!("/study?unit={cell}&ok={ok}#study-{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct AttendanceForm {
    #[serde(default)]
    present: Vec<i64>,
    #[serde(default)]
    held_on: String,
}

/// Who attended the study session.
pub async fn attendance(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<AttendanceForm>,
) -> Result<Response, PageError> {
    let cell = s
        .services
        .record_study_attendance(&user.actor, id, &f.present, &f.held_on, s.services.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/study?unit={cell}&ok=study-attendance-saved#study-{id}"
    ))
    .into_response())
}

/// A member's reflection, for the committee.
pub async fn reflection(
    State(s): State<AppState>,
    user: User,
    Path((id, member)): Path<(i64, i64)>,
) -> Result<ReflectionPage, PageError> {
    let (a, body, on, late) = s.services.study_reflection(&user.actor, id, member).await?;
    Ok(ReflectionPage {
        c: Chrome::for_user(&user, "study-reflection", "study", "/study"),
        title: a.title,
        body,
        on,
        late,
    })
}
