//! Cases (hồ sơ) on phones: the list of a cell's candidates and
//! probationers by step with the next deadline, the upper committee's queue,
//! one case with its steps, and the forms that record a step or close it.

use super::form_problems;
use crate::model::format_date;
use crate::service::cases::{CandidateForm, CaseDetail, CloseForm, IntroducerForm, StepForm};
use crate::service::members::MemberRow;
use crate::service::orgs::OrgRow;
use crate::service::today;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
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
    unit: Option<i64>,
    ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "cases.html")]
pub struct CasesPage {
    pub c: Chrome,
    pub unit: OrgRow,
    pub cases: Vec<CaseDetail>,
    /// Waiting for the upper committee's decision (its own view).
    pub queue: Vec<CaseDetail>,
    pub manages: bool,
    pub oversees: bool,
    pub form: CandidateForm,
    pub errors: FieldErrors,
    pub flash: Option<String>,
    pub today: String,
}

async fn list_page(
    s: &AppState,
    user: &User,
    unit: Option<i64>,
    form: CandidateForm,
    errors: FieldErrors,
    flash: Option<String>,
) -> Result<CasesPage, PageError> {
    let now = s.services.now();
    let v = s.services.cases_page(&user.actor, unit, now).await?;
    Ok(CasesPage {
        c: Chrome::for_user(user, "cases-title", "cases", "/cases"),
        manages: v.manages,
        oversees: v.oversees,
        unit: v.unit,
        cases: v.cases,
        queue: v.queue,
        form,
        errors,
        flash,
        today: format_date(today(now)),
    })
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<CasesPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    let flash = super::flash(user.tr, q.ok.as_deref());
    list_page(&s, &user, q.unit, CandidateForm::default(), errors, flash).await
}

/// The cell proposes a candidate (the admission case opens).
pub async fn propose(
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
    CsrfForm(user, f): CsrfForm<CandidateForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .propose_candidate(&user.actor, q.unit, &f, s.services.now())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}?ok=case-saved")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = list_page(&s, &user, q.unit, f, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    pub c: Chrome,
    pub d: CaseDetail,
    /// Full members of the cell (introducers, helpers).
    pub members: Vec<MemberRow>,
    /// Votes of the cell's meetings on this kind, closed and not yet used.
    pub votes: Vec<(i64, String)>,
    pub manages: bool,
    pub oversees: bool,
    /// The codes of the steps this viewer may record now (the service's say).
    pub may_record: Vec<String>,
    pub errors: FieldErrors,
    pub flash: Option<String>,
    pub today: String,
    /// The step the form is for.
    pub chosen: String,
}

impl CasePage {
    /// The steps this viewer may record now.
    pub fn recordable(&self) -> Vec<&crate::service::cases::StepLine> {
        self.d
            .steps
            .iter()
            .filter(|s| self.may_record.contains(&s.code))
            .collect()
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    ok: Option<String>,
    step: Option<String>,
}

async fn case_page(
    s: &AppState,
    user: &User,
    id: i64,
    chosen: Option<String>,
    errors: FieldErrors,
    flash: Option<String>,
) -> Result<CasePage, PageError> {
    let now = s.services.now();
    let v = s.services.case_page(&user.actor, id, now).await?;
    let d = v.d;
    let chosen = chosen
        .filter(|c| d.steps.iter().any(|s| &s.code == c))
        .or_else(|| {
            d.next
                .iter()
                .find(|n| v.recordable.contains(n))
                .or(d.next.first())
                .cloned()
        })
        .unwrap_or_default();
    Ok(CasePage {
        c: Chrome::for_user(user, "cases-title", "cases", &format!("/cases/{id}")),
        oversees: v.oversees,
        manages: v.manages,
        members: v.members,
        votes: v.votes,
        may_record: v.recordable,
        errors,
        flash,
        today: format_date(today(now)),
        chosen,
        d,
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
    case_page(&s, &user, id, q.step, errors, flash).await
}

/// A step as the phone form posts it: forms as checkboxes, people as selects.
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
    vote_id: String,
    #[serde(default)]
    introducer: Vec<i64>,
    #[serde(default)]
    known_since: String,
    #[serde(default)]
    mentors: Vec<i64>,
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
    let form = StepForm {
        version: f.version,
        step: f.step.clone(),
        date: f.date,
        forms: f.forms,
        vote_id: f.vote_id.trim().parse().ok(),
        introducers: f
            .introducer
            .iter()
            .map(|m| IntroducerForm {
                member_id: *m,
                known_since: f.known_since.clone(),
            })
            .collect(),
        mentors: f.mentors,
        late_reason: f.late_reason,
        note: f.note,
        doc_number: f.doc_number,
    };
    match s
        .services
        .record_step(&user.actor, id, &form, s.services.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?ok=case-step-saved")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = case_page(&s, &user, id, Some(f.step), errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn close(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CloseForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .close_case(&user.actor, id, &f, s.services.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?ok=case-closed")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = case_page(&s, &user, id, None, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct RequestPost {
    text: String,
}

/// The upper committee asks the cell for more.
pub async fn request(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<RequestPost>,
) -> Result<Response, PageError> {
    match s
        .services
        .request_more(&user.actor, id, &f.text, s.services.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?ok=case-requested")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = case_page(&s, &user, id, None, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
