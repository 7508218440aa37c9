//! The meeting screens' one addition for a room with no connection: a
//! show-of-hands vote recorded with its counts in one step, which a phone
//! can queue and send later (opening a vote and counting it are two steps
//! online, and the second needs the id the first gives).

use super::meetings::step;
use crate::model::Problem;
use crate::service::ServiceError;
use crate::web::AppState;
use crate::web::auth::CsrfForm;
use crate::web::error::PageError;
use axum::extract::{Path, State};
use axum::response::Response;
use chibo_rules::DecisionKind;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CountedForm {
    kind: String,
    subject: String,
    tan_thanh: u32,
    khong_tan_thanh: u32,
    khong_bieu_quyet: u32,
}

pub async fn counted_vote(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CountedForm>,
) -> Result<Response, PageError> {
    let r = match DecisionKind::from_code(&f.kind) {
        Some(kind) => {
            s.services
                .record_counted_vote(
                    &user.actor,
                    id,
                    kind,
                    &f.subject,
                    (f.tan_thanh, f.khong_tan_thanh, f.khong_bieu_quyet),
                    s.services.now(),
                )
                .await
        }
        None => Err(ServiceError::invalid(Problem::new(
            "kind",
            "vote.kind",
            f.kind.clone(),
        ))),
    };
    step(id, "/votes", "vote-closed", r)
}
