//! The dues ledger's papers: the cell's statement and the upper committee's
//! table printed (PDF, DOCX) and exported (XLSX); a member's dues history
//! with the receipts they (or the treasurer) print from it.

use crate::service::ServiceError;
use crate::service::dues::MemberDues;
use crate::service::dues_statement::{self as statement};
use crate::web::AppState;
use crate::web::auth::User;
use crate::web::download::{self, Show};
use crate::web::error::PageError;
use crate::web::view::Chrome;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    unit: Option<i64>,
    year: Option<i32>,
    month: Option<String>,
}

/// What a file name asks for.
enum Format {
    Pdf,
    Docx,
    Xlsx,
}

fn format_of(file: &str, stem: &str) -> Result<Format, PageError> {
    match file.strip_prefix(stem) {
        Some(".pdf") => Ok(Format::Pdf),
        Some(".docx") => Ok(Format::Docx),
        Some(".xlsx") => Ok(Format::Xlsx),
        _ => Err(ServiceError::NotFound.into()),
    }
}

/// The cell's statement for a month or the year: `bang-tong-hop.pdf`,
/// `.docx` or `.xlsx`.
pub async fn statement_file(
    State(s): State<AppState>,
    user: User,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let month = q.month.as_deref();
    match format_of(&file, "bang-tong-hop")? {
        Format::Xlsx => {
            let st = s
                .services
                .dues_statement(&user.actor, q.unit, q.year, month, now)
                .await?;
            let bytes = statement::statement_xlsx(&st).map_err(ServiceError::from)?;
            Ok(download::file(
                download::XLSX,
                Show::Attachment,
                &statement::statement_file_name(&st),
                "xlsx",
                bytes,
            ))
        }
        f => {
            let p = s
                .services
                .dues_statement_document(&user.actor, q.unit, q.year, month, now)
                .await?;
            download::printed(p, matches!(f, Format::Pdf)).await
        }
    }
}

/// The upper committee's table: `thu-nop-cac-chi-bo.pdf`, `.docx` or `.xlsx`.
pub async fn cells_file(
    State(s): State<AppState>,
    user: User,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let month = q.month.as_deref();
    match format_of(&file, "thu-nop-cac-chi-bo")? {
        Format::Xlsx => {
            let t = s
                .services
                .dues_by_cell(&user.actor, q.unit, q.year, month, now)
                .await?;
            let bytes = statement::cells_xlsx(&t, crate::service::today(now))
                .map_err(ServiceError::from)?;
            Ok(download::file(
                download::XLSX,
                Show::Attachment,
                &statement::cells_file_name(&t),
                "xlsx",
                bytes,
            ))
        }
        f => {
            let p = s
                .services
                .dues_cells_document(&user.actor, q.unit, q.year, month, now)
                .await?;
            download::printed(p, matches!(f, Format::Pdf)).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dues_member.html")]
pub struct MemberDuesPage {
    pub c: Chrome,
    pub d: MemberDues,
}

impl MemberDuesPage {
    /// The state's words.
    pub fn state(&self, code: &str) -> String {
        self.c.t(&format!("dues-state-{code}"))
    }
}

/// A member's dues history: months, entries, receipts.
pub async fn member(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<MemberDuesPage, PageError> {
    let d = s
        .services
        .member_dues(&user.actor, id, s.services.now())
        .await?;
    Ok(MemberDuesPage {
        c: Chrome::for_user(
            &user,
            "dues-history-title",
            "home",
            &format!("/dues/members/{id}"),
        ),
        d,
    })
}

/// The signed-in member's own history.
pub async fn mine(user: User) -> Result<Response, PageError> {
    let id = user.actor.member_id.ok_or(ServiceError::NotFound)?;
    Ok(Redirect::to(&format!("/dues/members/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct ReceiptQuery {
    #[serde(default)]
    from: String,
    to: Option<String>,
}

/// A receipt for the months `from..=to`: `bien-lai.pdf` or `.docx`.
pub async fn receipt(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, PageError> {
    let pdf = match format_of(&file, "bien-lai")? {
        Format::Pdf => true,
        Format::Docx => false,
        Format::Xlsx => return Err(ServiceError::NotFound.into()),
    };
    let p = s
        .services
        .dues_receipt(&user.actor, id, &q.from, q.to.as_deref(), s.services.now())
        .await?;
    download::printed(p, pdf).await
}
