//! The JSON API under `/api/v1`, described by an OpenAPI document at
//! `/api/openapi.json`. Authenticated by a bearer token (`chibo user token`)
//! or a browser session with `X-CSRF-Token`.

mod badges;
mod ballots;
mod cases;
mod cell_ratings;
mod constraints;
mod dashboard;
mod discipline;
mod dues;
mod elections;
mod errors;
mod evaluations;
mod meetings;
mod members;
mod residents;
mod tasks;
mod transfers;
mod units;
mod users;

use super::AppState;
use super::error::{ApiErrorBody, ApiProblem};
use axum::Json;
use axum::Router;
use axum::middleware;
use axum::routing::{delete, get, post};
use constraints::Constraints;
use errors::CommonResponses;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "chibo API", version = "1", description = "Chi bộ: tổ chức, đảng viên, tài khoản / Party cell: organisation, members, accounts"),
    paths(
        users::me, users::list, users::create,
        users::my_tokens, users::create_token, users::tokens_of, users::revoke_token,
        units::get_unit, units::children, units::create_child,
        members::search, members::create, members::get_member, members::update, members::add_status,
        meetings::list, meetings::create, meetings::get_meeting, meetings::agenda, meetings::add_item, meetings::step,
        meetings::mark, meetings::minutes, meetings::open_vote, meetings::get_vote, meetings::counts, meetings::cast,
        meetings::close_vote, meetings::save_resolution, meetings::adopt,
        tasks::list, tasks::mine, tasks::get_task, tasks::progress, tasks::create, tasks::review,
        dashboard::cell, dashboard::cell_table,
        cases::list, cases::queue, cases::create, cases::get_case, cases::get_candidate, cases::step,
        cases::close, cases::decide,
        dashboard::list, dashboard::create, dashboard::get_report, dashboard::save, dashboard::issue,
        ballots::open, ballots::of_meeting, ballots::get_ballot, ballots::post_keygen, ballots::get_keygen,
        ballots::keys, ballots::manifest, ballots::request_token, ballots::pending_tokens, ballots::sign_token,
        ballots::my_token, ballots::issue_paper, ballots::paper_ballot, ballots::paper_invalid, ballots::close,
        ballots::board, ballots::share, ballots::tally, ballots::record, ballots::cast,
        residents::list_concerns, residents::record_concern, residents::get_concern, residents::act,
        residents::track, residents::study, residents::add_document, residents::read_document,
        residents::assign, residents::studied, residents::reflection, residents::remind,
        residents::attendance, residents::announcements, residents::announce,
        residents::announcement, residents::read,
        transfers::list, transfers::create, transfers::incoming, transfers::get_transfer, transfers::letter,
        transfers::letter_file, transfers::roll, transfers::pay, transfers::category, transfers::member,
        transfers::summary, transfers::close, transfers::cells,
        dues::get_statement, dues::statement_file, dues::cells_file, dues::receipt,
        badges::list, badges::create, badges::member, badges::document,
        evaluations::open_round, evaluations::rounds, evaluations::summary, evaluations::decide,
        evaluations::announce, evaluations::get_evaluation, evaluations::self_review,
        evaluations::late_permission, evaluations::proposal, evaluations::history,
        cell_ratings::list, cell_ratings::get_rating, cell_ratings::self_review,
        cell_ratings::proposal, cell_ratings::decide, cell_ratings::announce,
        elections::get_election, elections::record_elected,
        discipline::list, discipline::create, discipline::get_case, discipline::step,
        discipline::ballot, discipline::close,
    ),
    components(schemas(ApiErrorBody, ApiProblem)),
    modifiers(&BearerAuth, &CommonResponses, &Constraints),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The OpenAPI document, pretty-printed (snapshot-tested).
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(users::me))
        .route("/users", get(users::list).post(users::create))
        .route("/units/{id}", get(units::get_unit))
        .route(
            "/units/{id}/children",
            get(units::children).post(units::create_child),
        )
        .route("/members", get(members::search).post(members::create))
        .route(
            "/members/{id}",
            get(members::get_member).put(members::update),
        )
        .route("/members/{id}/status", post(members::add_status))
        .route("/meetings", get(meetings::list).post(meetings::create))
        .route("/meetings/{id}", get(meetings::get_meeting))
        .route(
            "/meetings/{id}/agenda",
            get(meetings::agenda).post(meetings::add_item),
        )
        .route("/meetings/{id}/steps", post(meetings::step))
        .route(
            "/meetings/{id}/attendance/{member_id}",
            axum::routing::put(meetings::mark),
        )
        .route(
            "/meetings/{id}/minutes/{item_id}",
            axum::routing::put(meetings::minutes),
        )
        .route("/meetings/{id}/votes", post(meetings::open_vote))
        .route("/meetings/{id}/votes/{vote_id}", get(meetings::get_vote))
        .route(
            "/meetings/{id}/votes/{vote_id}/counts",
            post(meetings::counts),
        )
        .route("/meetings/{id}/votes/{vote_id}/cast", post(meetings::cast))
        .route(
            "/meetings/{id}/votes/{vote_id}/close",
            post(meetings::close_vote),
        )
        .route(
            "/meetings/{id}/resolution",
            axum::routing::put(meetings::save_resolution),
        )
        .route("/meetings/{id}/resolution/adopt", post(meetings::adopt))
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/{id}", get(tasks::get_task))
        .route("/tasks/{id}/progress", post(tasks::progress))
        .route("/me/tasks", get(tasks::mine))
        .route("/meetings/{id}/review/{task_id}", post(tasks::review))
        .route("/units/{id}/dashboard", get(dashboard::cell))
        .route("/units/{id}/cell-table", get(dashboard::cell_table))
        .route("/reports", get(dashboard::list).post(dashboard::create))
        .route(
            "/reports/{id}",
            get(dashboard::get_report).put(dashboard::save),
        )
        .route("/reports/{id}/issue", post(dashboard::issue))
        .route(
            "/meetings/{id}/ballots",
            get(ballots::of_meeting).post(ballots::open),
        )
        .route("/ballots/{id}", get(ballots::get_ballot))
        .route(
            "/ballots/{id}/keygen/{round}",
            get(ballots::get_keygen).post(ballots::post_keygen),
        )
        .route("/ballots/{id}/keys", post(ballots::keys))
        .route("/ballots/{id}/manifest", get(ballots::manifest))
        .route(
            "/ballots/{id}/tokens",
            get(ballots::pending_tokens).post(ballots::request_token),
        )
        .route("/ballots/{id}/tokens/mine", get(ballots::my_token))
        .route(
            "/ballots/{id}/tokens/{member_id}",
            post(ballots::sign_token),
        )
        .route(
            "/ballots/{id}/paper/{member_id}",
            post(ballots::issue_paper),
        )
        .route("/ballots/{id}/paper-ballots", post(ballots::paper_ballot))
        .route("/ballots/{id}/paper-invalid", post(ballots::paper_invalid))
        .route("/ballots/{id}/close", post(ballots::close))
        .route("/ballots/{id}/board", get(ballots::board))
        .route("/ballots/{id}/shares", post(ballots::share))
        .route("/ballots/{id}/tally", post(ballots::tally))
        .route("/ballots/{id}/record", get(ballots::record))
        .route(
            "/me/tokens",
            get(users::my_tokens).post(users::create_token),
        )
        .route("/users/{id}/tokens", get(users::tokens_of))
        .route("/tokens/{id}", delete(users::revoke_token))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/queue", get(cases::queue))
        .route("/cases/{id}", get(cases::get_case))
        .route("/cases/{id}/steps", post(cases::step))
        .route("/cases/{id}/close", post(cases::close))
        .route("/cases/{id}/decisions", post(cases::decide))
        .route("/candidates/{id}", get(cases::get_candidate))
        .route(
            "/discipline",
            get(discipline::list).post(discipline::create),
        )
        .route("/discipline/{id}", get(discipline::get_case))
        .route("/discipline/{id}/steps", post(discipline::step))
        .route("/discipline/{id}/ballot", post(discipline::ballot))
        .route("/discipline/{id}/close", post(discipline::close))
        .route(
            "/concerns",
            get(residents::list_concerns).post(residents::record_concern),
        )
        .route("/concerns/track/{code}", get(residents::track))
        .route("/concerns/{id}", get(residents::get_concern))
        .route("/concerns/{id}/act", post(residents::act))
        .route("/study", get(residents::study))
        .route("/study/documents", post(residents::add_document))
        .route("/study/documents/{id}", get(residents::read_document))
        .route("/study/assignments", post(residents::assign))
        .route("/study/assignments/{id}/studied", post(residents::studied))
        .route(
            "/study/assignments/{id}/reflection",
            post(residents::reflection),
        )
        .route("/study/assignments/{id}/remind", post(residents::remind))
        .route(
            "/study/assignments/{id}/attendance",
            post(residents::attendance),
        )
        .route(
            "/announcements",
            get(residents::announcements).post(residents::announce),
        )
        .route("/announcements/{id}", get(residents::announcement))
        .route("/announcements/{id}/read", post(residents::read))
        .route("/transfers", get(transfers::list).post(transfers::create))
        .route("/transfers/incoming", post(transfers::incoming))
        .route("/transfers/{id}", get(transfers::get_transfer))
        .route(
            "/transfers/{id}/letter",
            get(transfers::letter_file).put(transfers::letter),
        )
        .route("/dues/roll", get(transfers::roll))
        .route("/dues/payments", post(transfers::pay))
        .route("/dues/categories", post(transfers::category))
        .route("/dues/members/{id}", get(transfers::member))
        .route("/dues/summary", get(transfers::summary))
        .route("/dues/close", post(transfers::close))
        .route("/dues/cells", get(transfers::cells))
        .route("/dues/cells/file", get(dues::cells_file))
        .route("/dues/statement", get(dues::get_statement))
        .route("/dues/statement/file", get(dues::statement_file))
        .route("/dues/members/{id}/receipt", get(dues::receipt))
        .route("/badges", get(badges::list).post(badges::create))
        .route("/badges/members/{id}", get(badges::member))
        .route("/badges/{id}/documents/{form}", get(badges::document))
        .route(
            "/evaluations/rounds",
            get(evaluations::rounds).post(evaluations::open_round),
        )
        .route("/evaluations/rounds/{id}", get(evaluations::summary))
        .route(
            "/evaluations/rounds/{id}/decisions",
            post(evaluations::decide),
        )
        .route(
            "/evaluations/rounds/{id}/announce",
            post(evaluations::announce),
        )
        .route("/evaluations/{id}", get(evaluations::get_evaluation))
        .route(
            "/evaluations/{id}/self-review",
            post(evaluations::self_review),
        )
        .route(
            "/evaluations/{id}/late-permission",
            post(evaluations::late_permission),
        )
        .route("/evaluations/{id}/proposal", post(evaluations::proposal))
        .route("/members/{id}/evaluations", get(evaluations::history))
        .route("/evaluations/rounds/{id}/cells", get(cell_ratings::list))
        .route(
            "/evaluations/rounds/{id}/cells/{cell}",
            get(cell_ratings::get_rating),
        )
        .route(
            "/evaluations/rounds/{id}/cells/{cell}/self-review",
            post(cell_ratings::self_review),
        )
        .route(
            "/evaluations/rounds/{id}/cells/{cell}/proposal",
            post(cell_ratings::proposal),
        )
        .route(
            "/evaluations/rounds/{id}/cell-decisions",
            post(cell_ratings::decide),
        )
        .route(
            "/evaluations/rounds/{id}/cell-announcement",
            post(cell_ratings::announce),
        )
        .route("/elections/{id}", get(elections::get_election))
        .route("/elections/{id}/elected", post(elections::record_elected))
        .fallback(errors::not_found)
        .layer(middleware::from_fn(crate::web::input::api_queries))
        .layer(middleware::from_fn(errors::json_errors))
}

/// The cast endpoint, kept apart from the session, language and trace
/// layers: it reads no cookie and leaves no log line (design test S3).
pub fn cast_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ballots/{id}/cast", post(ballots::cast))
        .layer(axum::extract::DefaultBodyLimit::max(
            chibo_ballot::MAX_BALLOT_BYTES,
        ))
        .layer(middleware::from_fn(errors::json_errors))
}
