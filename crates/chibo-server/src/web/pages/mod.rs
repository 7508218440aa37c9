//! The HTML pages, one module per resource.

mod announcements;
mod badges;
mod ballots;
mod case_documents;
mod cases;
mod cell_ratings;
mod concerns;
mod dashboard;
mod discipline;
mod dues;
mod evaluations;
mod home;
mod import;
mod meetings;
mod members;
mod offline;
mod reports;
pub(crate) mod rules;
mod session;
mod study;
pub(crate) mod tasks;
mod transfers;
mod units;
mod users;

use super::AppState;
use super::error::PageError;
use super::view::FieldErrors;
use crate::service::ServiceError;
use axum::Router;
use axum::http::HeaderValue;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/logout-all", post(session::logout_all))
        .route("/setup", get(session::setup_form).post(session::setup))
        .route("/prefs", get(session::prefs))
        .route("/account", get(users::account))
        .route("/account/password", post(users::change_password))
        .route("/account/tokens", post(users::create_token))
        .route("/tokens/{id}/revoke", post(users::revoke_token))
        .route("/members", get(members::list))
        .route("/members/new", get(members::new_form).post(members::create))
        .route("/members/{id}", get(members::show).post(members::update))
        .route("/members/{id}/edit", get(members::edit_form))
        .route("/members/{id}/status", post(members::add_status))
        .route("/import", get(import::form).post(import::upload))
        .route("/import/{id}/review", post(import::review))
        .route("/import/{id}/confirm", post(import::confirm))
        .route("/import/{id}/cancel", post(import::cancel))
        .route("/export", get(import::export))
        .route("/units/{id}", get(units::show).post(units::update))
        .route("/units/{id}/children", post(units::add_child))
        .route("/units/{id}/posts", post(units::add_post))
        .route("/units/{id}/posts/{post}/end", post(units::end_post))
        .route("/meetings", get(meetings::list))
        .route(
            "/meetings/new",
            get(meetings::new_form).post(meetings::create),
        )
        .route("/meetings/{id}", get(meetings::show).post(meetings::update))
        .route("/meetings/{id}/agenda", post(meetings::add_item))
        .route("/meetings/{id}/agenda/{item}", post(meetings::change_item))
        .route("/meetings/{id}/notice", post(meetings::notice))
        .route("/meetings/{id}/open", post(meetings::open))
        .route("/meetings/{id}/close", post(meetings::close))
        .route("/meetings/{id}/finalize", post(meetings::finalize))
        .route("/meetings/{id}/unlock", post(meetings::unlock))
        .route("/meetings/{id}/roll", get(meetings::roll))
        .route("/meetings/{id}/roll/all", post(meetings::mark_all))
        .route("/meetings/{id}/roll/{member}", post(meetings::mark))
        .route("/meetings/{id}/roll/{member}/left", post(meetings::left))
        .route("/meetings/{id}/minutes", get(meetings::minutes))
        .route(
            "/meetings/{id}/minutes/{item}",
            post(meetings::save_minutes),
        )
        .route("/meetings/{id}/speeches", post(meetings::speech))
        .route(
            "/meetings/{id}/votes",
            get(meetings::votes).post(meetings::open_vote),
        )
        .route("/meetings/{id}/votes/{vote}/counts", post(meetings::counts))
        .route("/meetings/{id}/votes/{vote}/cast", post(meetings::cast))
        .route(
            "/meetings/{id}/votes/{vote}/close",
            post(meetings::close_vote),
        )
        .route(
            "/meetings/{id}/resolution",
            get(meetings::resolution).post(meetings::save_resolution),
        )
        .route("/meetings/{id}/resolution/adopt", post(meetings::adopt))
        .route("/meetings/{id}/docs/{file}", get(meetings::document))
        .route("/ballots/{id}/{file}", get(meetings::ballot_count_record))
        .route("/meetings/{id}/invite.ics", get(meetings::invite))
        .route("/meetings/{id}/files", post(meetings::upload))
        .route("/meetings/{id}/files/{file}", get(meetings::download))
        .route("/calendar/{file}", get(meetings::feed))
        .route("/meetings/{id}/rsvp", post(home::rsvp))
        .route("/me/digest", post(home::digest))
        .route("/cases", get(cases::list).post(cases::propose))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/steps", post(cases::record))
        .route("/cases/{id}/close", post(cases::close))
        .route("/cases/{id}/request", post(cases::request))
        .route("/tasks", get(tasks::table).post(tasks::add_duty))
        .route("/tasks/export", get(tasks::export))
        .route("/tasks/print", get(tasks::print))
        .route("/tasks/{id}", get(tasks::show))
        .route("/tasks/{id}/progress", post(tasks::progress))
        .route("/tasks/{id}/lead", post(tasks::reassign))
        .route("/tasks/{id}/evidence/{progress}", get(tasks::evidence))
        .route("/meetings/{id}/review", get(tasks::review))
        .route("/meetings/{id}/review/{task}", post(tasks::decide))
        .route("/rules", get(rules::show))
        .route("/rules/vote", get(rules::vote))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}/active", post(users::set_active))
        .route("/users/{id}/tokens", get(users::user_tokens))
        .route("/dashboard", get(dashboard::show))
        .route("/reports", get(reports::list).post(reports::create))
        .route("/reports/{id}", get(reports::show).post(reports::save))
        .route("/reports/{id}/issue", post(reports::issue))
        .route("/reports/{id}/{file}", get(reports::document))
        .route("/rollup/{file}", get(reports::rollup))
        .route("/y-kien/tra-cuu", get(concerns::track))
        .route(
            "/y-kien/{code}",
            get(concerns::public_form).post(concerns::public_submit),
        )
        .route("/concerns", get(concerns::list).post(concerns::record))
        .route("/concerns/{id}", get(concerns::show).post(concerns::act))
        .route("/meetings/{id}/concerns", get(concerns::of_meeting))
        .route("/study", get(study::board).post(study::add))
        .route("/study/assign", post(study::assign))
        .route("/study/docs/{id}", get(study::read))
        .route("/study/docs/{id}/pdf", get(study::pdf).post(study::upload))
        .route("/study/{id}/studied", post(study::studied))
        .route("/study/{id}/reflection", post(study::reflect))
        .route("/study/{id}/remind", post(study::remind))
        .route("/study/{id}/attendance", post(study::attendance))
        .route("/study/{id}/reflections/{member}", get(study::reflection))
        .route(
            "/announcements",
            get(announcements::list).post(announcements::send),
        )
        .route("/announcements/{id}", get(announcements::show))
        .route("/meetings/{id}/votes/counted", post(offline::counted_vote))
        .route("/transfers", get(transfers::list).post(transfers::propose))
        .route("/transfers/{id}/{file}", get(transfers::letter))
        .route("/dues", get(transfers::roll))
        .route("/dues/pay", post(transfers::pay))
        .route("/dues/cells", get(transfers::cells))
        .route("/dues/cells/{file}", get(dues::cells_file))
        .route("/dues/statement/{file}", get(dues::statement_file))
        .route("/dues/mine", get(dues::mine))
        .route("/dues/members/{id}", get(dues::member))
        .route("/dues/members/{id}/{file}", get(dues::receipt))
        .route("/badges", get(badges::list).post(badges::propose))
        .route("/badges/{id}/{file}", get(badges::document))
        .route("/cases/{id}/docs/{file}", get(case_documents::document))
        .route("/discipline", get(discipline::list).post(discipline::open))
        .route("/discipline/{id}", get(discipline::show))
        .route("/discipline/{id}/steps", post(discipline::record))
        .route("/discipline/{id}/ballot", post(discipline::ballot))
        .route("/discipline/{id}/docs/{file}", get(discipline::document))
        .route(
            "/evaluations/{id}",
            get(evaluations::show).post(evaluations::submit),
        )
        .route("/evaluations/rounds/{id}", get(evaluations::round))
        .route("/evaluations/rounds/{id}/export", get(evaluations::export))
        .route("/evaluations/rounds/{id}/print", get(evaluations::print))
        .route(
            "/evaluations/rounds/{id}/cells",
            get(cell_ratings::queue).post(cell_ratings::decide),
        )
        .route(
            "/evaluations/rounds/{id}/cell-announcement",
            post(cell_ratings::announce),
        )
        .route(
            "/evaluations/rounds/{id}/cells/{cell}",
            get(cell_ratings::show).post(cell_ratings::submit),
        )
        .route(
            "/evaluations/rounds/{id}/cells/{cell}/proposal",
            post(cell_ratings::propose),
        )
        .route(
            "/evaluations/rounds/{id}/cells/{cell}/print",
            get(cell_ratings::print),
        )
        .route(
            "/meetings/{id}/ballots",
            get(ballots::of_meeting).post(ballots::open),
        )
        .route("/ballots/{id}", get(ballots::show))
        .route("/ballots/{id}/paper/{member}", post(ballots::issue_paper))
        .route("/ballots/{id}/paper-invalid", post(ballots::paper_invalid))
        .route("/ballots/{id}/close", post(ballots::close))
        .route("/ballots/{id}/tally", post(ballots::tally))
        .route("/ballots/{id}/elected", post(ballots::elected))
}

/// A cookie for this site; `secure` once served over TLS.
fn cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are URL-safe")
}

/// A flash message passed in the redirect's query string (`?ok=key`).
fn flash(tr: super::i18n::Tr, key: Option<&str>) -> Option<String> {
    key.filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') && tr.has(k))
        .map(|k| tr.t(k))
}

/// The problems the service found in a form, to show it again with them;
/// any other refusal goes on as the error it is.
fn form_problems(e: ServiceError, tr: super::i18n::Tr) -> Result<FieldErrors, PageError> {
    match e {
        ServiceError::Invalid(problems) => Ok(FieldErrors { problems, tr }),
        e => Err(e.into()),
    }
}

/// A multipart form with one file and the CSRF token.
pub(crate) struct Upload {
    pub csrf: String,
    pub file: Option<(String, Vec<u8>)>,
    /// The file went past `max` bytes; reading stopped there.
    pub too_large: bool,
}

/// Reads an upload, stopping at `max` bytes so an oversized file gets a
/// message that says so rather than a bare 413.
pub(crate) async fn read_upload(
    mp: &mut axum::extract::Multipart,
    max: usize,
) -> Result<Upload, PageError> {
    let mut up = Upload {
        csrf: String::new(),
        file: None,
        too_large: false,
    };
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                up.too_large = true;
                break;
            }
        };
        match field.name() {
            Some("csrf") => up.csrf = field.text().await.map_err(|_| PageError::BadRequest)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let mut data = Vec::new();
                while let Ok(Some(chunk)) = field.chunk().await {
                    data.extend_from_slice(&chunk);
                    if data.len() > max {
                        up.too_large = true;
                        break;
                    }
                }
                up.file = Some((name, data));
                if up.too_large {
                    break;
                }
            }
            _ => {}
        }
    }
    Ok(up)
}
