//! Reports upward: the list of a unit's reports with the period picker, a
//! draft to edit, issuing, the printed files, and the upper committee's
//! roll-up of its cells (PDF, DOCX, XLSX).

use super::flash;
use crate::service::ServiceError;
use crate::service::dashboard::{PeriodQuery, TableQuery};
use crate::service::reports::Sections;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::download::{self, Show};
use crate::web::error::PageError;
use crate::web::view::Chrome;
use crate::web::view_dash::{PeriodPick, ReportPage, ReportsPage, html_blocks};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    unit: Option<i64>,
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
    // A separate extractor: serde's flatten reads every value as text.
    Query(p): Query<PeriodQuery>,
) -> Result<ReportsPage, PageError> {
    let l = s
        .services
        .report_list(&user.actor, q.unit, &p, s.services.now())
        .await?;
    let c = Chrome::for_user(&user, "report-list-title", "dashboard", "/reports");
    Ok(ReportsPage {
        period: PeriodPick::of(&l.period, &c),
        may_draft: l.may_draft,
        c,
        unit: l.unit,
        reports: l.reports,
        error: None,
    })
}

pub async fn create(
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
    Query(p): Query<PeriodQuery>,
    CsrfForm(user, _): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    match s.services.create_report(&user.actor, q.unit, &p, now).await {
        Ok(id) => Ok(Redirect::to(&format!("/reports/{id}?ok=report-drafted")).into_response()),
        Err(e @ ServiceError::Invalid(_)) => {
            let l = s.services.report_list(&user.actor, q.unit, &p, now).await?;
            let c = Chrome::for_user(&user, "report-list-title", "dashboard", "/reports");
            Ok(ReportsPage {
                period: PeriodPick::of(&l.period, &c),
                may_draft: true,
                error: Some(c.tr.service_error(&e)),
                c,
                unit: l.unit,
                reports: l.reports,
            }
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<ReportPage, PageError> {
    let (r, may_edit) = s
        .services
        .report_page(&user.actor, id, s.services.now())
        .await?;
    let c = Chrome::for_user(
        &user,
        "report-list-title",
        "dashboard",
        &format!("/reports/{id}"),
    );
    Ok(ReportPage {
        figures: html_blocks(&crate::service::reports::figure_blocks(&r.content.figures)),
        may_edit,
        flash: flash(c.tr, q.ok.as_deref()),
        error: None,
        c,
        r,
    })
}

#[derive(Deserialize)]
pub struct SectionsForm {
    version: i64,
    #[serde(flatten)]
    sections: Sections,
}

pub async fn save(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<SectionsForm>,
) -> Result<Response, PageError> {
    s.services
        .save_report(&user.actor, id, f.version, &f.sections, s.services.now())
        .await?;
    Ok(Redirect::to(&format!("/reports/{id}?ok=report-saved")).into_response())
}

#[derive(Deserialize)]
pub struct VersionForm {
    version: i64,
}

pub async fn issue(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<VersionForm>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    match s
        .services
        .issue_report(&user.actor, id, f.version, now)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}?ok=report-issued")).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Stale)) => {
            let r = s.services.report(&user.actor, id, now).await?;
            let c = Chrome::for_user(
                &user,
                "report-list-title",
                "dashboard",
                &format!("/reports/{id}"),
            );
            Ok(ReportPage {
                figures: html_blocks(&crate::service::reports::figure_blocks(&r.content.figures)),
                may_edit: true,
                flash: None,
                error: Some(c.tr.service_error(&e)),
                c,
                r,
            }
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn document(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let pdf = match file.as_str() {
        "bao-cao.pdf" => true,
        "bao-cao.docx" => false,
        _ => return Err(ServiceError::NotFound.into()),
    };
    let p = s
        .services
        .report_document(&user.actor, id, s.services.now())
        .await?;
    download::printed(p, pdf).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RollupQuery {
    unit: Option<i64>,
}

/// The roll-up of the cells under a unit, as the table shows them (filter
/// and order kept, every page): `tong-hop.pdf`, `.docx`, `.xlsx`, saved as
/// `tong-hop-quy-4-2026-…`.
pub async fn rollup(
    State(s): State<AppState>,
    user: User,
    Path(file): Path<String>,
    Query(q): Query<RollupQuery>,
    Query(p): Query<PeriodQuery>,
    Query(table): Query<TableQuery>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let r = s
        .services
        .rollup(&user.actor, q.unit, &p, &table, now)
        .await?;
    match file.as_str() {
        "tong-hop.xlsx" => {
            let bytes = r.xlsx()?;
            let name = r.file_name(None);
            Ok(download::file(
                download::XLSX,
                Show::Attachment,
                &name,
                "xlsx",
                bytes,
            ))
        }
        "tong-hop.pdf" | "tong-hop.docx" => {
            let p = s.services.rollup_document(&user.actor, &r, now).await?;
            download::printed(p, file.ends_with(".pdf")).await
        }
        _ => Err(ServiceError::NotFound.into()),
    }
}
