//! The import wizard (upload → preview → confirm) and the export download.

use super::unit_for;
use crate::service::ServiceError;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::{Chrome, ImportPage, ImportPreviewPage};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CellQuery {
    cell: i64,
}

fn import_page(
    user: &User,
    cell: crate::store::orgs::OrgRow,
    error: Option<String>,
    max: usize,
) -> ImportPage {
    ImportPage {
        c: Chrome::for_user(user, "import-title", "members", "/import"),
        cell,
        error,
        max_mb: max / (1024 * 1024),
    }
}

pub async fn form(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<CellQuery>,
) -> Result<ImportPage, PageError> {
    let cell = unit_for(&s, &user, Some(q.cell)).await?;
    if !user.actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden.into());
    }
    Ok(import_page(&user, cell, None, s.cfg.max_upload_bytes))
}

/// Reads the upload, refusing it past the size limit with a message that
/// says so (rather than a bare 413).
pub async fn upload(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<CellQuery>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let cell = unit_for(&s, &user, Some(q.cell)).await?;
    let max = s.cfg.max_upload_bytes;
    let super::Upload {
        csrf,
        file,
        too_large,
    } = super::read_upload(&mut mp, max).await?;
    if too_large {
        let msg = user.tr.t1("import-too-large", "mb", max / (1024 * 1024));
        return Ok((
            StatusCode::PAYLOAD_TOO_LARGE,
            import_page(&user, cell, Some(msg), max),
        )
            .into_response());
    }
    user.check_csrf(&csrf)?;
    let Some((name, data)) = file else {
        return Err(PageError::BadRequest);
    };
    let now = s.services.now();
    match s
        .services
        .plan_import(&user.actor, &cell, &data, &name, now)
        .await
    {
        Ok(plan) => {
            let id = s
                .services
                .stash_upload(&user.actor, &cell, &name, &data, now)
                .await?;
            Ok(preview(&user, cell, id, name, plan).into_response())
        }
        Err(e @ ServiceError::Sheet(_)) => {
            let msg = user.tr.service_error(&e);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                import_page(&user, cell, Some(msg), max),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn preview(
    user: &User,
    cell: crate::store::orgs::OrgRow,
    upload_id: i64,
    file_name: String,
    plan: crate::service::import::Plan,
) -> ImportPreviewPage {
    let rejected = plan
        .rejected
        .iter()
        .map(|r| user.tr.row_problem(r))
        .collect();
    ImportPreviewPage {
        c: Chrome::for_user(user, "import-preview", "members", "/import"),
        cell,
        upload_id,
        file_name,
        plan,
        rejected,
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// Re-reads the stored file and applies it, all or nothing.
pub async fn confirm(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let upload = s.services.stashed_upload(&user.actor, id).await?;
    let cell = s.services.org(upload.cell_id).await?;
    let now = s.services.now();
    let plan = s
        .services
        .plan_import(&user.actor, &cell, &upload.data, &upload.file_name, now)
        .await?;
    if !plan.rejected.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            preview(&user, cell, id, upload.file_name, plan),
        )
            .into_response());
    }
    let (created, updated) = s
        .services
        .commit_import(&user.actor, &cell, plan, now)
        .await?;
    s.services.drop_upload(id).await?;
    Ok(Redirect::to(&format!(
        "/members?unit={}&ok=import-done&created={created}&updated={updated}",
        cell.id
    ))
    .into_response())
}

pub async fn cancel(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let upload = s.services.stashed_upload(&user.actor, id).await?;
    s.services.drop_upload(id).await?;
    Ok(Redirect::to(&format!("/members?unit={}", upload.cell_id)).into_response())
}

pub async fn export(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<CellQuery>,
) -> Result<Response, PageError> {
    let cell = unit_for(&s, &user, Some(q.cell)).await?;
    let bytes = s.services.export_members(&user.actor, &cell).await?;
    let file = format!(
        "danh-sach-dang-vien-{}.xlsx",
        cell.code.as_deref().unwrap_or("chi-bo").replace('.', "")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
