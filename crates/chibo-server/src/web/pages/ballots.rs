//! The secret-ballot screens on phones (issue 15): the meeting's ballots and
//! the opening form, and one ballot's page, which shows each phone what it
//! does at the current stage. The steps needing the cryptography (key
//! generation, tokens, casting, paper entry, decryption shares) run in the
//! page's script (`assets/ballot.js`) with the WebAssembly bundle, loaded on
//! this page only; the others are plain forms.

use super::flash;
use crate::service::ServiceError;
use crate::service::ballots::SvForm;
use crate::service::elections::{BallotPage, BallotsOfMeeting, Nominee};
use crate::web::AppState;
use crate::web::assets;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::Chrome;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chibo_ballot::TallyResult;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    ok: Option<String>,
    err: Option<String>,
    v: Option<String>,
    tracker: Option<String>,
}

/// The refusal a redirect carries back (`?err=code&v=value`), worded.
fn refusal(user: &User, q: &PageQuery) -> Option<String> {
    let code = q.err.as_deref()?;
    let key = format!("problem-{}", code.replace('.', "-"));
    if !code
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
        || !user.tr.has(&key)
    {
        return None;
    }
    Some(user.tr.t1(&key, "value", q.v.clone().unwrap_or_default()))
}

/// Back to `to` with the flash `ok`, or with the first problem found.
fn step<T>(to: &str, ok: &str, r: Result<T, ServiceError>) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("{to}?ok={ok}")).into_response()),
        Err(ServiceError::Invalid(ps)) => {
            let (code, value) =
                ps.0.first()
                    .map(|p| (p.code.to_string(), p.value.clone().unwrap_or_default()))
                    .unwrap_or_default();
            let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
            Ok(Redirect::to(&format!("{to}?err={code}&v={value}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ballots.html")]
pub struct BallotsView {
    pub c: Chrome,
    pub b: BallotsOfMeeting,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl BallotsView {
    fn csrf(&self) -> &str {
        self.c.nav.as_ref().map_or("", |n| n.csrf.as_str())
    }
}

pub async fn of_meeting(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let b = s.services.ballots_of_meeting(&user.actor, id).await?;
    let page = BallotsView {
        c: Chrome::for_user(
            &user,
            "ballots-title",
            "meetings",
            &format!("/meetings/{id}/ballots"),
        ),
        flash: flash(user.tr, q.ok.as_deref()),
        error: refusal(&user, &q),
        b,
    };
    html(page, false)
}

/// The opening form: a candidate line per cell member (`m` with its `nom`),
/// the committee ticked among those present.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenForm {
    kind: String,
    title: String,
    post: String,
    seats: Option<u32>,
    m: Vec<i64>,
    nom: Vec<String>,
    committee: Vec<i64>,
    /// The committee's head (its phone issues the tokens).
    head: Option<i64>,
    committee_vote: Option<i64>,
}

pub async fn open(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<OpenForm>,
) -> Result<Response, PageError> {
    let nominees =
        f.m.iter()
            .zip(&f.nom)
            .filter(|(_, how)| !how.is_empty())
            .map(|(&member_id, how)| {
                let (nomination, withdrawn) = match how.strip_suffix(":rut") {
                    Some(h) => (h.to_string(), true),
                    None => (how.clone(), false),
                };
                Nominee {
                    member_id,
                    nomination,
                    withdrawn,
                }
            })
            .collect();
    let mut committee: Vec<i64> = f.head.into_iter().collect();
    committee.extend(f.committee.iter().filter(|m| Some(**m) != f.head));
    let form = SvForm {
        kind: f.kind,
        title: f.title,
        candidates: Vec::new(),
        seats: f.seats.unwrap_or(0),
        committee,
        nominees,
        post: f.post,
        committee_vote: f.committee_vote,
    };
    match s
        .services
        .open_secret_ballot(&user.actor, id, &form, s.services.now())
        .await
    {
        Ok(b) => Ok(Redirect::to(&format!("/ballots/{b}?ok=ballot-opened")).into_response()),
        r => step(&format!("/meetings/{id}/ballots"), "", r),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ballot.html")]
pub struct BallotView {
    pub c: Chrome,
    pub p: BallotPage,
    pub result: Option<TallyResult>,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// A tracker looked up on the board, and whether it is there.
    pub lookup: Option<(String, bool)>,
    pub bundle: String,
    pub script: String,
}

impl BallotView {
    fn csrf(&self) -> &str {
        self.c.nav.as_ref().map_or("", |n| n.csrf.as_str())
    }

    fn status(&self) -> &str {
        &self.p.view.sv.status
    }

    fn is_head(&self) -> bool {
        self.p.view.my_trustee_index == Some(0)
    }

    fn is_trustee(&self) -> bool {
        self.p.view.my_trustee_index.is_some()
    }

    fn me_entitled(&self) -> bool {
        self.p
            .entitled
            .iter()
            .any(|(m, _, _)| Some(*m) == self.me())
    }

    fn me(&self) -> Option<i64> {
        self.p.me
    }

    fn issued(&self) -> u32 {
        self.p.view.issued_phone + self.p.view.issued_paper
    }

    fn kind_label(&self) -> String {
        self.c.t(&format!("ballot-kind-{}", self.p.view.sv.kind))
    }

    fn post_label(&self, post: &str) -> String {
        self.c.t(&format!("ballot-post-{post}"))
    }

    fn nomination_label(&self, how: &str) -> String {
        self.c.t(&format!("ballot-nomination-{how}"))
    }

    /// The option's count in a decrypted result.
    fn count_of(&self, i: &usize) -> u32 {
        match &self.result {
            Some(TallyResult::Decrypted { counts, .. }) => {
                counts.options.get(*i).copied().unwrap_or(0)
            }
            _ => 0,
        }
    }

    fn waiting_paper(&self) -> bool {
        self.p.view.issued_paper > 0
    }
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let p = s.services.ballot_page(&user.actor, id).await?;
    let result = p
        .view
        .result
        .clone()
        .and_then(|v| serde_json::from_value(v).ok());
    let lookup = q
        .tracker
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let t = t.to_ascii_lowercase();
            let found = p.trackers.contains(&t);
            (t, found)
        });
    let page = BallotView {
        c: Chrome::for_user(&user, "ballot-title", "meetings", &format!("/ballots/{id}")),
        flash: flash(user.tr, q.ok.as_deref()),
        error: refusal(&user, &q),
        bundle: assets::ballot_module_url(),
        script: assets::url("ballot.js"),
        result,
        lookup,
        p,
    };
    html(page, true)
}

/// A rendered page; the ballot page may compile the WebAssembly bundle
/// (`'wasm-unsafe-eval'`, which allows no JavaScript eval).
fn html(page: impl IntoResponse, wasm: bool) -> Result<Response, PageError> {
    let mut res = page.into_response();
    if wasm {
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'; form-action 'self'",
            ),
        );
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn issue_paper(
    State(s): State<AppState>,
    Path((id, member)): Path<(i64, i64)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .issue_paper(&user.actor, id, member, s.services.now())
        .await;
    step(&format!("/ballots/{id}"), "ballot-paper-issued", r)
}

#[derive(Deserialize)]
pub struct CountForm {
    count: u32,
}

pub async fn paper_invalid(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<CountForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .enter_paper_invalid(&user.actor, id, f.count, s.services.now())
        .await;
    let ok = match r {
        Ok(true) => "ballot-paper-confirmed",
        _ => "ballot-paper-entered",
    };
    step(&format!("/ballots/{id}"), ok, r)
}

pub async fn close(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .close_secret_ballot(&user.actor, id, s.services.now())
        .await;
    step(&format!("/ballots/{id}"), "ballot-closed", r)
}

pub async fn tally(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .tally_secret_ballot(&user.actor, id, s.services.now())
        .await;
    step(&format!("/ballots/{id}"), "ballot-tallied", r)
}

pub async fn elected(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .record_elected(&user.actor, id, s.services.now())
        .await;
    step(&format!("/ballots/{id}"), "ballot-elected-recorded", r)
}
