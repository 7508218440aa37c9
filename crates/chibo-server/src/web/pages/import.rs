//! The import wizard (upload → preview, with the user's choices → confirm)
//! and the export download.

use crate::service::import::{Column, Confirmed, ImportOptions, Plan, Uploaded};
use crate::service::orgs::OrgRow;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::{PageError, status_of};
use crate::web::import_preview;
use crate::web::view::{Chrome, ImportPage, ImportPreviewPage};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CellQuery {
    cell: i64,
}

fn import_page(user: &User, cell: OrgRow, error: Option<String>, max: usize) -> ImportPage {
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
    let cell = s.services.managed_unit(&user.actor, q.cell).await?;
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
    let max = s.cfg.max_upload_bytes;
    let super::Upload {
        csrf,
        file,
        too_large,
    } = super::read_upload(&mut mp, max).await?;
    if too_large {
        let cell = s.services.unit_for(&user.actor, Some(q.cell)).await?;
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
        .upload_import(&user.actor, q.cell, &name, data.into(), now)
        .await?
    {
        Uploaded::Previewed { cell, id, plan } => {
            Ok(preview(&user, cell, id, *plan).into_response())
        }
        Uploaded::Refused { cell, why } => {
            let msg = user.tr.service_error(&why);
            Ok((status_of(&why), import_page(&user, cell, Some(msg), max)).into_response())
        }
    }
}

fn preview(user: &User, cell: OrgRow, upload_id: i64, plan: Plan) -> ImportPreviewPage {
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
    let (cell, plan) = s
        .services
        .review_import(&user.actor, id, &choices.options()?, now)
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
    let options = choices.options()?;
    match s
        .services
        .confirm_import(&user.actor, id, &options, &choices.digest, now)
        .await?
    {
        Confirmed::Done { cell, written } => Ok(Redirect::to(&format!(
            "/members?unit={}&ok=import-done&created={}&updated={}",
            cell.id, written.created, written.updated
        ))
        .into_response()),
        // Show the file as it reads now, with what stands in the way.
        Confirmed::Refused { cell, plan, why } => {
            let mut page = preview(&user, cell, id, *plan);
            page.sections.insert(
                0,
                import_preview::Section {
                    id: "refused",
                    title: user.tr.service_error(&why),
                    lines: Vec::new(),
                    more: None,
                    alert: true,
                },
            );
            Ok((status_of(&why), page).into_response())
        }
    }
}

pub async fn cancel(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Choices>,
) -> Result<Response, PageError> {
    let cell = s.services.cancel_import(&user.actor, id).await?;
    Ok(Redirect::to(&format!("/members?unit={cell}")).into_response())
}

pub async fn export(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<CellQuery>,
) -> Result<Response, PageError> {
    let (cell, bytes) = s.services.export_members(&user.actor, q.cell).await?;
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
