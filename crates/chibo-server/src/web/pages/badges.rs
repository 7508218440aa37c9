//! Party badges on phones: the members due this year and next under a unit
//! (a cell, or an upper committee's cells), the cell's proposal in one tap,
//! the proposals under way for the upper committee to approve (on the case
//! page), and a proposal's papers (6-HHĐ, 4-HHĐ, 2-HSĐV) as PDF or DOCX.

use super::form_problems;
use crate::service::ServiceError;
use crate::service::badges::{BadgeForm, BadgeLine, BadgeList, BadgeProposalForm};
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
pub struct BadgeQuery {
    unit: Option<i64>,
    year: Option<i32>,
    ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "badges.html")]
pub struct BadgesPage {
    pub c: Chrome,
    pub v: BadgeList,
    pub errors: FieldErrors,
    pub flash: Option<String>,
}

impl BadgesPage {
    /// The two lists with their headings: this year, then next year.
    pub fn sections(&self) -> Vec<(String, &Vec<BadgeLine>)> {
        vec![
            (
                format!("{} {}", self.c.t("badges-this-year"), self.v.year),
                &self.v.this_year,
            ),
            (
                format!("{} {}", self.c.t("badges-next-year"), self.v.year + 1),
                &self.v.next_year,
            ),
        ]
    }
}

async fn badges_page(
    s: &AppState,
    user: &User,
    q: &BadgeQuery,
    errors: FieldErrors,
    flash: Option<String>,
) -> Result<BadgesPage, PageError> {
    let v = s
        .services
        .badge_list(&user.actor, q.unit, q.year, s.services.now())
        .await?;
    Ok(BadgesPage {
        c: Chrome::for_user(user, "badges-title", "badges", "/badges"),
        v,
        errors,
        flash,
    })
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<BadgeQuery>,
) -> Result<BadgesPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    let flash = super::flash(user.tr, q.ok.as_deref());
    badges_page(&s, &user, &q, errors, flash).await
}

#[derive(Deserialize, Default)]
pub struct ProposePost {
    #[serde(default)]
    member_id: i64,
    #[serde(default)]
    ceremony_on: String,
}

/// The cell proposes a member due: the case opens, or the page shows why
/// not (the rule cited).
pub async fn propose(
    State(s): State<AppState>,
    Query(q): Query<BadgeQuery>,
    CsrfForm(user, f): CsrfForm<ProposePost>,
) -> Result<Response, PageError> {
    let form = BadgeProposalForm {
        member_id: f.member_id,
        ceremony_on: f.ceremony_on,
    };
    match s
        .services
        .propose_badge(&user.actor, &form, s.services.now())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}?ok=badges-proposed")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = badges_page(&s, &user, &q, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A proposal's paper: `6-hhd.pdf`, `4-hhd.docx`, `2-hsdv.pdf`…
pub async fn document(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let (form, ext) = file.rsplit_once('.').ok_or(ServiceError::NotFound)?;
    let pdf = match ext {
        "pdf" => true,
        "docx" => false,
        _ => return Err(ServiceError::NotFound.into()),
    };
    let form = BadgeForm::parse(form).ok_or(ServiceError::NotFound)?;
    let p = s
        .services
        .badge_document(&user.actor, id, form, s.services.now())
        .await?;
    crate::web::download::printed(p, pdf).await
}
