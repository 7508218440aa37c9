//! A case's documents: `/cases/{id}/docs/chi_bo_xet.pdf` (or `.docx`), the
//! document a step issued; `/cases/{id}/docs/ho-so.pdf`, the whole dossier.

use crate::service::ServiceError;
use crate::service::case_documents::CaseFile;
use crate::web::AppState;
use crate::web::auth::User;
use crate::web::download;
use crate::web::error::PageError;
use axum::extract::{Path, State};
use axum::response::Response;

pub async fn document(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let (name, ext) = file.rsplit_once('.').ok_or(ServiceError::NotFound)?;
    let what = CaseFile::parse(name);
    let p = s
        .services
        .case_documents(&user.actor, id, &what, s.services.now())
        .await?;
    let pdf = match ext {
        "pdf" => true,
        "docx" if p.docs.len() == 1 => false,
        _ => return Err(ServiceError::NotFound.into()),
    };
    download::printed(p, pdf).await
}
