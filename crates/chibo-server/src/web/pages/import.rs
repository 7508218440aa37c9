//! The import wizard (upload → preview, with the user's choices → confirm)
//! and the export download.

use super::unit_for;
use crate::service::ServiceError;
use crate::service::import::{Column, ImportOptions, Plan};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::{PageError, status_of};
use crate::web::import_preview;
use crate::web::view::{Chrome, ImportPage, ImportPreviewPage};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;

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

/// A refusal of the file itself (what it is, its size, a server too busy
/// to read it): shown on the upload form, nothing stored.
fn refused(e: &ServiceError) -> bool {
    matches!(e, ServiceError::Sheet(_) | ServiceError::Busy)
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
    let data: Arc<[u8]> = data.into();
    let options = ImportOptions::default();
    match s
        .services
        .plan_import(&user.actor, &cell, data.clone(), &name, &options, now)
        .await
    {
        Ok(plan) => {
            let id = s
                .services
                .stash_upload(&user.actor, &cell, &name, &data, now)
                .await?;
            Ok(preview(&user, cell, id, plan).into_response())
        }
        Err(e) if refused(&e) => {
            let msg = user.tr.service_error(&e);
            Ok((status_of(&e), import_page(&user, cell, Some(msg), max)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn preview(
    user: &User,
    cell: crate::store::orgs::OrgRow,
    upload_id: i64,
    plan: Plan,
) -> ImportPreviewPage {
    let sections = import_preview::sections(&plan, &user.tr);
    let clearable = plan
        .columns
        .iter()
        .filter(|c| c.column.can_clear())
        .map(|c| {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("label", user.tr.field(c.column.key()));
            args.set("letter", c.letter.clone());
            args.set("count", c.blanks_over_values);
            (
                c.column.key(),
                user.tr.args("import-clear-column", &args),
                c.clear,
            )
        })
        .collect();
    ImportPreviewPage {
        c: Chrome::for_user(user, "import-preview", "members", "/import"),
        cell,
        upload_id,
        plan,
        sections,
        clearable,
    }
}

/// The choices on the preview page, as the review and confirm forms send
/// them.
#[derive(Deserialize, Default)]
pub struct Choices {
    #[serde(default)]
    clear: Vec<String>,
    #[serde(default)]
    confirm_status: Option<String>,
    #[serde(default)]
    digest: String,
}

impl Choices {
    fn options(&self) -> Result<ImportOptions, PageError> {
        let clear = self
            .clear
            .iter()
            .map(|k| Column::parse(k).ok_or(PageError::BadRequest))
            .collect::<Result<_, _>>()?;
        Ok(ImportOptions {
            clear,
            confirm_status: self.confirm_status.is_some(),
        })
    }
}

/// The preview again, with the user's choices (columns to clear, the
/// inferred standings confirmed).
pub async fn review(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, choices): CsrfForm<Choices>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let upload = s.services.stashed_upload(&user.actor, id, now).await?;
    let cell = s.services.org(upload.cell_id).await?;
    let plan = s
        .services
        .plan_import(
            &user.actor,
            &cell,
            upload.data.into(),
            &upload.file_name,
            &choices.options()?,
            now,
        )
        .await?;
    Ok(preview(&user, cell, id, plan).into_response())
}

/// Re-reads the stored file and applies it, all or nothing, if it makes
/// exactly the changes the user was shown.
pub async fn confirm(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, choices): CsrfForm<Choices>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let upload = s.services.stashed_upload(&user.actor, id, now).await?;
    let cell = s.services.org(upload.cell_id).await?;
    let options = choices.options()?;
    let data: Arc<[u8]> = upload.data.into();
    let done = s
        .services
        .commit_import(
            &user.actor,
            &cell,
            data.clone(),
            &upload.file_name,
            &options,
            &choices.digest,
            now,
        )
        .await;
    let (_, written) = match done {
        Ok(done) => done,
        // Show the file as it reads now, with what stands in the way.
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Stale)) => {
            let plan = s
                .services
                .plan_import(&user.actor, &cell, data, &upload.file_name, &options, now)
                .await?;
            let mut page = preview(&user, cell, id, plan);
            page.sections.insert(
                0,
                import_preview::Section {
                    id: "refused",
                    title: user.tr.service_error(&e),
                    lines: Vec::new(),
                    more: None,
                    alert: true,
                },
            );
            return Ok((status_of(&e), page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    s.services.drop_upload(id).await?;
    Ok(Redirect::to(&format!(
        "/members?unit={}&ok=import-done&created={}&updated={}",
        cell.id, written.created, written.updated
    ))
    .into_response())
}

pub async fn cancel(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Choices>,
) -> Result<Response, PageError> {
    let u = crate::store::imports::get(&s.services.db, id).await?;
    // An expired upload is cancelled all the same.
    match s
        .services
        .stashed_upload(&user.actor, id, s.services.now())
        .await
    {
        Ok(_) | Err(ServiceError::Invalid(_)) => {}
        Err(e) => return Err(e.into()),
    }
    s.services.drop_upload(id).await?;
    let cell = u.map_or(0, |u| u.cell_id);
    Ok(Redirect::to(&format!("/members?unit={cell}")).into_response())
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
