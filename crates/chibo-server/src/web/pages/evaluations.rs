//! The evaluation pages: a member's self-review on the phone, and a round's
//! summary list with its downloads (XLSX, PDF, DOCX).

use super::{flash, form_problems};
use crate::service::evaluation_print;
use crate::service::evaluations::{EvaluationView, RoundSummary, SelfReviewForm, tier_name};
use crate::service::{ServiceError, today};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::download::{self, Show};
use crate::web::error::PageError;
use crate::web::view::{Chrome, FieldErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chibo_rules::Tier;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template, WebTemplate)]
#[template(path = "evaluation.html")]
pub struct EvaluationPage {
    pub c: Chrome,
    pub v: EvaluationView,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    /// The form as posted (shown again with its problems).
    pub form: SelfReviewForm,
}

impl EvaluationPage {
    pub fn tier(&self, code: &str) -> &'static str {
        tier_name(code)
    }

    /// (code, name) of every tier, best first.
    pub fn tiers(&self) -> Vec<(&'static str, &'static str)> {
        Tier::ALL.iter().map(|t| (t.code(), t.name())).collect()
    }

    /// The points the form shows for a criterion.
    pub fn points(&self, code: &str) -> String {
        self.form
            .scores
            .get(code)
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn page(
    s: &AppState,
    user: &User,
    id: i64,
    flash: Option<String>,
    errors: FieldErrors,
    form: Option<SelfReviewForm>,
) -> Result<EvaluationPage, PageError> {
    let v = s
        .services
        .evaluation(&user.actor, id, s.services.now())
        .await?;
    let form = form.unwrap_or_else(|| SelfReviewForm {
        version: v.evaluation.version,
        ..SelfReviewForm::default()
    });
    Ok(EvaluationPage {
        c: Chrome::for_user(
            user,
            "evaluation-title",
            "home",
            &format!("/evaluations/{id}"),
        ),
        v,
        flash,
        errors,
        form,
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<EvaluationPage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    let errors = FieldErrors::none(user.tr);
    page(&s, &user, id, f, errors, None).await
}

/// The self-review posted from the phone: `score.<criterion>` fields, the
/// tier, the tasks exceeding the requirement, the text.
pub async fn submit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = SelfReviewForm {
        version: f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0),
        self_tier: f.get("self_tier").cloned().unwrap_or_default(),
        tasks_exceeding: f
            .get("tasks_exceeding")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        text: f.get("text").cloned().unwrap_or_default(),
        ..SelfReviewForm::default()
    };
    let mut unreadable = Vec::new();
    for (k, v) in &f {
        if let Some(code) = k.strip_prefix("score.") {
            match v.trim().parse::<u32>() {
                Ok(p) => {
                    form.scores.insert(code.to_string(), p);
                }
                Err(_) if v.trim().is_empty() => {}
                Err(_) => unreadable.push(v.clone()),
            }
        }
    }
    let r = if let Some(v) = unreadable.first() {
        Err(ServiceError::invalid(crate::model::Problem::new(
            "scores",
            "evaluation.score_above",
            v.clone(),
        )))
    } else {
        s.services
            .submit_self_review(&user.actor, id, &form, s.services.now())
            .await
    };
    match r {
        Ok(()) => {
            Ok(Redirect::to(&format!("/evaluations/{id}?ok=evaluation-submitted")).into_response())
        }
        Err(ServiceError::Stale) => Ok(Redirect::to(&format!("/evaluations/{id}")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = page(&s, &user, id, None, errors, Some(form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation_round.html")]
pub struct RoundPage {
    pub c: Chrome,
    pub s: RoundSummary,
    pub period: String,
}

impl RoundPage {
    pub fn tier(&self, code: &Option<String>) -> &'static str {
        code.as_deref().map_or("", tier_name)
    }
}

#[derive(Deserialize)]
pub struct UnitQuery {
    unit: i64,
    #[serde(default)]
    format: Option<String>,
}

pub async fn round(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> Result<RoundPage, PageError> {
    let summary = s.services.round_summary(&user.actor, id, q.unit).await?;
    Ok(RoundPage {
        c: Chrome::for_user(
            &user,
            "evaluation-round-title",
            "dashboard",
            &format!("/evaluations/rounds/{id}?unit={}", q.unit),
        ),
        period: crate::service::evaluations::period_label(&summary.round),
        s: summary,
    })
}

/// The summary list as a spreadsheet.
pub async fn export(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let summary = s.services.round_summary(&user.actor, id, q.unit).await?;
    let bytes = evaluation_print::xlsx(&summary, today(now)).map_err(ServiceError::from)?;
    Ok(download::file(
        download::XLSX,
        Show::Attachment,
        &evaluation_print::file_name(&summary),
        "xlsx",
        bytes,
    ))
}

/// The summary list printed: a PDF, or DOCX with `format=docx`.
pub async fn print(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> Result<Response, PageError> {
    let p = s
        .services
        .round_summary_document(&user.actor, id, q.unit, s.services.now())
        .await?;
    download::printed(p, q.format.as_deref() != Some("docx")).await
}
