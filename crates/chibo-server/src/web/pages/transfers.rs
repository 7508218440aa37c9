//! Transfers and the dues ledger on phones: a unit's transfers both ways
//! (in transit, their step and deadline, members attached here), the form
//! that proposes one, the letter; the treasurer's monthly roll (one tap per
//! member, the amount prefilled) and the cell's year.

use super::form_problems;
use crate::service::dues::{DuesByCell, DuesRoll, DuesSummary, PaymentForm};
use crate::service::transfers::{TransferForm, TransfersView};
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
pub struct UnitQuery {
    unit: Option<i64>,
    ok: Option<String>,
    month: Option<String>,
    year: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "transfers.html")]
pub struct TransfersPage {
    pub c: Chrome,
    pub v: TransfersView,
    pub form: TransferForm,
    pub errors: FieldErrors,
    pub flash: Option<String>,
}

async fn transfers_page(
    s: &AppState,
    user: &User,
    unit: Option<i64>,
    form: TransferForm,
    errors: FieldErrors,
    flash: Option<String>,
) -> Result<TransfersPage, PageError> {
    let v = s
        .services
        .transfers_under(&user.actor, unit, s.services.now())
        .await?;
    Ok(TransfersPage {
        c: Chrome::for_user(user, "transfers-title", "transfers", "/transfers"),
        v,
        form,
        errors,
        flash,
    })
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<UnitQuery>,
) -> Result<TransfersPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    let flash = super::flash(user.tr, q.ok.as_deref());
    transfers_page(&s, &user, q.unit, TransferForm::default(), errors, flash).await
}

/// The form as the page posts it (the destination by menu or by number).
#[derive(Deserialize, Default)]
pub struct TransferPost {
    #[serde(default)]
    member_id: i64,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    dest_cell_id: String,
    #[serde(default)]
    dest_outside: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    return_on: String,
    #[serde(default)]
    decision_date: String,
}

pub async fn propose(
    State(s): State<AppState>,
    Query(q): Query<UnitQuery>,
    CsrfForm(user, f): CsrfForm<TransferPost>,
) -> Result<Response, PageError> {
    let form = TransferForm {
        member_id: f.member_id,
        kind: f.kind,
        dest_cell_id: f.dest_cell_id.trim().parse().ok(),
        dest_outside: f.dest_outside,
        reason: f.reason,
        return_on: f.return_on,
        decision_date: f.decision_date,
        opened_on: String::new(),
    };
    match s
        .services
        .propose_transfer(&user.actor, &form, s.services.now())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}?ok=transfer-saved")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = transfers_page(&s, &user, q.unit, form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The letter once issued: `giay-gioi-thieu.pdf` or `.docx`.
pub async fn letter(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let pdf = match file.as_str() {
        "giay-gioi-thieu.pdf" => true,
        "giay-gioi-thieu.docx" => false,
        _ => return Err(crate::service::ServiceError::NotFound.into()),
    };
    let p = s
        .services
        .transfer_letter(&user.actor, id, s.services.now())
        .await?;
    crate::web::download::printed(p, pdf).await
}

#[derive(Template, WebTemplate)]
#[template(path = "dues.html")]
pub struct DuesPage {
    pub c: Chrome,
    pub roll: DuesRoll,
    pub summary: DuesSummary,
    pub manages: bool,
    pub errors: FieldErrors,
    pub flash: Option<String>,
}

impl DuesPage {
    /// The state's words.
    pub fn state(&self, code: &str) -> String {
        self.c.t(&format!("dues-state-{code}"))
    }
}

async fn dues_page(
    s: &AppState,
    user: &User,
    q: &UnitQuery,
    errors: FieldErrors,
    flash: Option<String>,
) -> Result<DuesPage, PageError> {
    let now = s.services.now();
    let roll = s
        .services
        .dues_roll(&user.actor, q.unit, q.month.as_deref(), now)
        .await?;
    let summary = s
        .services
        .dues_summary(&user.actor, Some(roll.cell_id), q.year, now)
        .await?;
    let manages = user
        .actor
        .units
        .iter()
        .any(|u| u.id == roll.cell_id && user.actor.can_manage(u));
    Ok(DuesPage {
        c: Chrome::for_user(user, "dues-title", "dues", "/dues"),
        roll,
        summary,
        manages,
        errors,
        flash,
    })
}

pub async fn roll(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<UnitQuery>,
) -> Result<DuesPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    let flash = super::flash(user.tr, q.ok.as_deref());
    dues_page(&s, &user, &q, errors, flash).await
}

/// One tap on the roll: the month's payment, the amount prefilled.
#[derive(Deserialize, Default)]
pub struct PayPost {
    #[serde(default)]
    member_id: i64,
    #[serde(default)]
    month: String,
    #[serde(default)]
    amount_vnd: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    channel: String,
}

pub async fn pay(
    State(s): State<AppState>,
    Query(q): Query<UnitQuery>,
    CsrfForm(user, f): CsrfForm<PayPost>,
) -> Result<Response, PageError> {
    let amount = f.amount_vnd.replace(['.', ' '], "");
    let form = PaymentForm {
        member_id: f.member_id,
        month: f.month.clone(),
        amount_vnd: amount.trim().parse().ok(),
        channel: f.channel,
        reason: f.reason,
        ..PaymentForm::default()
    };
    match s
        .services
        .record_payment(&user.actor, &form, s.services.now())
        .await
    {
        Ok(_) => {
            let unit = q.unit.map(|u| format!("&unit={u}")).unwrap_or_default();
            Ok(Redirect::to(&format!(
                "/dues?month={}{unit}&ok=dues-saved#m{}",
                f.month, f.member_id
            ))
            .into_response())
        }
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let q = UnitQuery {
                month: Some(f.month),
                ..q
            };
            let page = dues_page(&s, &user, &q, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dues_cells.html")]
pub struct DuesCellsPage {
    pub c: Chrome,
    pub v: DuesByCell,
}

/// The upper committee's table: every cell's collection and remittance for
/// a month or the year.
pub async fn cells(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<UnitQuery>,
) -> Result<DuesCellsPage, PageError> {
    let v = s
        .services
        .dues_by_cell(
            &user.actor,
            q.unit,
            q.year,
            q.month.as_deref(),
            s.services.now(),
        )
        .await?;
    Ok(DuesCellsPage {
        c: Chrome::for_user(&user, "badges-dues-cells-title", "dues", "/dues/cells"),
        v,
    })
}
