//! Discipline cases on phones: the list (those handling a case, the member
//! concerned, the upper committee), one case with its steps and deadlines,
//! the forms that record a step or open the secret ballot, and the decision
//! printed. Every view is a logged read (the service logs it).

use super::form_problems;
use crate::model::format_date;
use crate::service::discipline::{
    DisciplineBallotForm, DisciplineLine, DisciplineStepForm, DisciplineView, NewDisciplineForm,
};
use crate::service::{ServiceError, today};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::download;
use crate::web::error::PageError;
use crate::web::view::{Chrome, FieldErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    closed: bool,
    ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "discipline_list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub lines: Vec<DisciplineLine>,
    pub members: Vec<(i64, String)>,
    pub form: NewDisciplineForm,
    pub errors: FieldErrors,
    pub flash: Option<String>,
    pub today: String,
    pub closed: bool,
}

async fn list_page(
    s: &AppState,
    user: &User,
    closed: bool,
    form: NewDisciplineForm,
    errors: FieldErrors,
    flash: Option<String>,
) -> Result<ListPage, PageError> {
    let now = s.services.now();
    let h = s.services.discipline_home(&user.actor, closed, now).await?;
    Ok(ListPage {
        c: Chrome::for_user(user, "discipline-title", "discipline", "/discipline"),
        lines: h.lines,
        members: h.members,
        form,
        errors,
        flash,
        today: format_date(today(now)),
        closed,
    })
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    let flash = super::flash(user.tr, q.ok.as_deref());
    list_page(
        &s,
        &user,
        q.closed,
        NewDisciplineForm::default(),
        errors,
        flash,
    )
    .await
}

/// The form as posted: handlers as a multiple select.
#[derive(Deserialize, Default)]
pub struct OpenPost {
    #[serde(default)]
    member_id: i64,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    alleged_level: String,
    #[serde(default)]
    violation_kind: String,
    #[serde(default)]
    violation_on: String,
    #[serde(default)]
    opened_on: String,
}

pub async fn open(
    State(s): State<AppState>,
    CsrfForm(user, f): CsrfForm<OpenPost>,
) -> Result<Response, PageError> {
    let form = NewDisciplineForm {
        member_id: f.member_id,
        finding: f.finding,
        alleged_level: f.alleged_level,
        violation_kind: f.violation_kind,
        violation_on: f.violation_on,
        opened_on: f.opened_on,
        handlers: Vec::new(),
    };
    match s
        .services
        .open_discipline(&user.actor, &form, s.services.now())
        .await
    {
        Ok(v) => Ok(Redirect::to(&format!(
            "/discipline/{}?ok=discipline-opened",
            v.case.case.id
        ))
        .into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = list_page(&s, &user, false, form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "discipline.html")]
pub struct CasePage {
    pub c: Chrome,
    pub v: DisciplineView,
    pub meetings: Vec<(i64, String)>,
    pub members: Vec<(i64, String)>,
    pub errors: FieldErrors,
    pub flash: Option<String>,
    pub today: String,
}

impl CasePage {
    /// The steps this viewer may record now.
    pub fn recordable(&self) -> Vec<&crate::service::cases::StepLine> {
        self.v
            .case
            .steps
            .iter()
            .filter(|s| s.state == "available" && s.code != "bieu_quyet")
            .filter(|s| {
                if s.performer.is_upper() {
                    self.v.oversees
                } else if s.performer.as_str() == "dang_vien" {
                    self.v.own || self.v.handles
                } else {
                    self.v.handles
                }
            })
            .collect()
    }

    /// The vote step is available to those handling the case.
    pub fn vote_ready(&self) -> bool {
        self.v.handles
            && self
                .v
                .case
                .steps
                .iter()
                .any(|s| s.code == "bieu_quyet" && s.state == "available")
    }

    /// Levels for the upper committee's decision and the complaint's settlement.
    pub fn levels(&self) -> Vec<(&'static str, &'static str)> {
        chibo_rules::Level::ALL
            .iter()
            .map(|l| (l.as_str(), l.label_vi()))
            .collect()
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    ok: Option<String>,
}

async fn case_page(
    s: &AppState,
    user: &User,
    id: i64,
    errors: FieldErrors,
    flash: Option<String>,
) -> Result<CasePage, PageError> {
    let now = s.services.now();
    let p = s.services.discipline_page(&user.actor, id, now).await?;
    Ok(CasePage {
        c: Chrome::for_user(
            user,
            "discipline-title",
            "discipline",
            &format!("/discipline/{id}"),
        ),
        v: p.v,
        meetings: p.meetings,
        members: p.members,
        errors,
        flash,
        today: format_date(today(now)),
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Result<CasePage, PageError> {
    let errors = FieldErrors::none(user.tr);
    let flash = super::flash(user.tr, q.ok.as_deref());
    case_page(&s, &user, id, errors, flash).await
}

/// A step as the phone form posts it: forms as checkboxes, refusal as a box.
#[derive(Deserialize, Default)]
pub struct StepPost {
    #[serde(default)]
    version: i64,
    step: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    forms: Vec<String>,
    #[serde(default)]
    level: String,
    #[serde(default)]
    refused: Option<String>,
    #[serde(default)]
    late_reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    doc_number: String,
}

pub async fn record(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<StepPost>,
) -> Result<Response, PageError> {
    let form = DisciplineStepForm {
        version: f.version,
        step: f.step,
        date: f.date,
        forms: f.forms,
        level: f.level,
        refused: f.refused.is_some(),
        late_reason: f.late_reason,
        note: f.note,
        doc_number: f.doc_number,
    };
    respond(
        &s,
        &user,
        id,
        s.services
            .record_discipline_step(&user.actor, id, &form, s.services.now())
            .await
            .map(|_| ()),
        "discipline-step-saved",
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct BallotPost {
    #[serde(default)]
    meeting_id: i64,
    #[serde(default)]
    committee: Vec<i64>,
}

pub async fn ballot(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<BallotPost>,
) -> Result<Response, PageError> {
    let form = DisciplineBallotForm {
        meeting_id: f.meeting_id,
        committee: f.committee,
        committee_vote: None,
    };
    match s
        .services
        .open_discipline_ballot(&user.actor, id, &form, s.services.now())
        .await
    {
        Ok(sv) => Ok(Redirect::to(&format!("/ballots/{sv}")).into_response()),
        Err(e) => respond(&s, &user, id, Err(e), "").await,
    }
}

/// Back to the case with its flash, or the page again with the problems.
async fn respond(
    s: &AppState,
    user: &User,
    id: i64,
    done: Result<(), ServiceError>,
    ok: &str,
) -> Result<Response, PageError> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/discipline/{id}?ok={ok}")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = case_page(s, user, id, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `/discipline/{id}/docs/quyet_dinh_chi_bo.pdf` (or `.docx`).
pub async fn document(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let (step, ext) = file.rsplit_once('.').ok_or(ServiceError::NotFound)?;
    let pdf = match ext {
        "pdf" => true,
        "docx" => false,
        _ => return Err(ServiceError::NotFound.into()),
    };
    let p = s
        .services
        .discipline_document(&user.actor, id, step, s.services.now())
        .await?;
    download::printed(p, pdf).await
}
