//! The cell's own rating pages: the collective self-review with the
//! records' figures and the conference's proposal (the cell's committee),
//! the upper committee's queue deciding every cell, and form 01 printed.

use super::{flash, form_problems};
use crate::service::ServiceError;
use crate::service::cell_ratings::{
    CellDecisionItem, CellDecisionsForm, CellProposalForm, CellRatingList, CellRatingView,
    CellReviewForm, tier_label,
};
use crate::service::evaluations::period_label;
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
use chibo_rules::Tier;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template, WebTemplate)]
#[template(path = "cell_rating.html")]
pub struct CellRatingPage {
    pub c: Chrome,
    pub v: CellRatingView,
    pub period: String,
    pub flash: Option<String>,
    pub errors: FieldErrors,
    /// The report as posted (shown again with its problems).
    pub form: CellReviewForm,
}

impl CellRatingPage {
    /// The message key of the rating's stage.
    pub fn stage_key(&self) -> String {
        format!("cell-rating-stage-{}", self.v.stage)
    }

    pub fn tier(&self, code: &Option<String>) -> &'static str {
        tier_label(code.as_deref())
    }

    /// (code, name) of every tier, best first.
    pub fn tiers(&self) -> Vec<(&'static str, &'static str)> {
        Tier::ALL.iter().map(|t| (t.code(), t.name())).collect()
    }
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn page(
    s: &AppState,
    user: &User,
    (id, cell): (i64, i64),
    flash: Option<String>,
    errors: FieldErrors,
    form: Option<CellReviewForm>,
) -> Result<CellRatingPage, PageError> {
    let v = s
        .services
        .cell_rating(&user.actor, id, cell, s.services.now())
        .await?;
    let form = form.unwrap_or_else(|| CellReviewForm {
        version: v.rating.version,
        ..CellReviewForm::default()
    });
    Ok(CellRatingPage {
        c: Chrome::for_user(
            user,
            "cell-rating-title",
            "dashboard",
            &format!("/evaluations/rounds/{id}/cells/{cell}"),
        ),
        period: period_label(&v.round),
        v,
        flash,
        errors,
        form,
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(ids): Path<(i64, i64)>,
    Query(q): Query<OkQuery>,
) -> Result<CellRatingPage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    let errors = FieldErrors::none(user.tr);
    page(&s, &user, ids, f, errors, None).await
}

/// A number typed in a form: empty is 0; anything else unreadable is kept
/// as typed so the service names it.
fn number(f: &BTreeMap<String, String>, key: &str) -> std::result::Result<u32, String> {
    let raw = f.get(key).map(|v| v.trim()).unwrap_or_default();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse().map_err(|_| raw.to_string())
}

/// The collective self-review posted by the cell's committee.
pub async fn submit(
    State(s): State<AppState>,
    Path((id, cell)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let points = number(&f, "points");
    let exceeding = number(&f, "tasks_exceeding");
    let form = CellReviewForm {
        version: text("version").parse().unwrap_or(0),
        points: *points.as_ref().unwrap_or(&0),
        tasks_exceeding: *exceeding.as_ref().unwrap_or(&0),
        self_tier: text("self_tier"),
        report: text("report"),
        late_reason: text("late_reason"),
    };
    let r = match (points, exceeding) {
        (Err(v), _) | (_, Err(v)) => Err(ServiceError::invalid(crate::model::Problem::new(
            "points",
            "cell_rating.points",
            v,
        ))),
        _ => {
            s.services
                .submit_cell_review(&user.actor, (id, cell), &form, s.services.now())
                .await
        }
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/evaluations/rounds/{id}/cells/{cell}?ok=cell-rating-submitted"
        ))
        .into_response()),
        Err(ServiceError::Stale) => {
            Ok(Redirect::to(&format!("/evaluations/rounds/{id}/cells/{cell}")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = page(&s, &user, (id, cell), None, errors, Some(form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The conference's proposal, with its closed vote.
pub async fn propose(
    State(s): State<AppState>,
    Path((id, cell)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = CellProposalForm {
        version: text("version").parse().unwrap_or(0),
        tier: text("tier"),
        opinions: text("opinions"),
        vote_id: text("vote_id").trim().parse().ok(),
    };
    match s
        .services
        .propose_cell_tier(&user.actor, (id, cell), &form, s.services.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/evaluations/rounds/{id}/cells/{cell}?ok=cell-rating-proposed"
        ))
        .into_response()),
        Err(ServiceError::Stale) => {
            Ok(Redirect::to(&format!("/evaluations/rounds/{id}/cells/{cell}")).into_response())
        }
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = page(&s, &user, (id, cell), None, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cell_ratings.html")]
pub struct QueuePage {
    pub c: Chrome,
    pub l: CellRatingList,
    pub period: String,
    pub flash: Option<String>,
    pub errors: FieldErrors,
}

impl QueuePage {
    pub fn tier(&self, code: &Option<String>) -> &'static str {
        tier_label(code.as_deref())
    }

    pub fn tiers(&self) -> Vec<(&'static str, &'static str)> {
        Tier::ALL.iter().map(|t| (t.code(), t.name())).collect()
    }
}

#[derive(Deserialize)]
pub struct UnitQuery {
    unit: i64,
    #[serde(default)]
    ok: Option<String>,
}

async fn queue_page(
    s: &AppState,
    user: &User,
    id: i64,
    unit: i64,
    flash: Option<String>,
    errors: FieldErrors,
) -> Result<QueuePage, PageError> {
    let l = s.services.cell_ratings(&user.actor, id, unit).await?;
    Ok(QueuePage {
        c: Chrome::for_user(
            user,
            "cell-rating-queue-title",
            "dashboard",
            &format!("/evaluations/rounds/{id}/cells?unit={unit}"),
        ),
        period: period_label(&l.round),
        l,
        flash,
        errors,
    })
}

pub async fn queue(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> Result<QueuePage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    let errors = FieldErrors::none(user.tr);
    queue_page(&s, &user, id, q.unit, f, errors).await
}

/// The upper committee's decisions posted from the queue: `tier.<cell>`
/// (empty: the cell's proposal) and `reason.<cell>` for each cell awaiting
/// its decision.
pub async fn decide(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
    CsrfForm(user, f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let l = s.services.cell_ratings(&user.actor, id, q.unit).await?;
    let items = l
        .lines
        .iter()
        .filter(|line| line.stage == "upper")
        .map(|line| CellDecisionItem {
            cell_id: line.cell_id,
            tier: f
                .get(&format!("tier.{}", line.cell_id))
                .cloned()
                .unwrap_or_default(),
            reason: f
                .get(&format!("reason.{}", line.cell_id))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    match s
        .services
        .decide_cell_tiers(
            &user.actor,
            id,
            &CellDecisionsForm { items },
            s.services.now(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/evaluations/rounds/{id}/cells?unit={}&ok=cell-rating-decided",
            q.unit
        ))
        .into_response()),
        Err(ServiceError::Stale) => Ok(Redirect::to(&format!(
            "/evaluations/rounds/{id}/cells?unit={}",
            q.unit
        ))
        .into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = queue_page(&s, &user, id, q.unit, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The upper committee announces the decided ratings.
pub async fn announce(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
    CsrfForm(user, _): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    match s
        .services
        .announce_cell_tiers(&user.actor, id, q.unit, s.services.now())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/evaluations/rounds/{id}/cells?unit={}&ok=cell-rating-announced",
            q.unit
        ))
        .into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = queue_page(&s, &user, id, q.unit, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct PrintQuery {
    #[serde(default)]
    format: Option<String>,
}

/// Form 01 printed: a PDF, or DOCX with `format=docx`.
pub async fn print(
    State(s): State<AppState>,
    user: User,
    Path((id, cell)): Path<(i64, i64)>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let p = s
        .services
        .cell_report_document(&user.actor, (id, cell), s.services.now())
        .await?;
    download::printed(p, q.format.as_deref() != Some("docx")).await
}
