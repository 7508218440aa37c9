//! Residents' concerns: the cell's public page and the tracking page (no
//! account), the member's and the secretary's doors, the committee's list
//! and one item's forwarding and answer.

use super::{cookie, flash, form_problems};
use crate::model::{ConcernDraft, MAX_BODY_CHARS, format_date};
use crate::service::accounts::random_token;
use crate::service::concerns::{ActForm, ConcernThrottle};
use crate::service::{ServiceError, today};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, PRE_COOKIE, PreForm, User, lang_of};
use crate::web::concern_view::{ConcernPage, ConcernsPage, PublicPage, TrackPage};
use crate::web::error::PageError;
use crate::web::i18n::Tr;
use crate::web::view::{Chrome, FieldErrors};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use std::net::SocketAddr;

fn tr_of(headers: &HeaderMap) -> Tr {
    Tr {
        lang: lang_of(headers),
    }
}

#[derive(Deserialize, Default)]
pub struct PublicForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    contact: String,
    /// The trap: hidden from people, filled by robots.
    #[serde(default)]
    website: String,
}

fn public_page(tr: Tr, cell_code: &str, cell_name: String, csrf: String) -> PublicPage {
    PublicPage {
        c: Chrome::new(tr, tr.t("concern-public-title")),
        cell_code: cell_code.to_string(),
        cell_name,
        csrf,
        area: String::new(),
        body: String::new(),
        contact: String::new(),
        errors: FieldErrors::none(tr),
        refusal: None,
        sent: None,
        max_body: MAX_BODY_CHARS,
    }
}

/// The public page of a cell: no account, a short form.
pub async fn public_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let tr = tr_of(&headers);
    let cell = s.services.public_cell(&code).await?;
    let csrf = random_token();
    let set = cookie(PRE_COOKIE, &csrf, 3600, true, s.cfg.secure_cookies);
    Ok((
        [(header::SET_COOKIE, set)],
        public_page(tr, &code, cell.name, csrf),
    )
        .into_response())
}

pub async fn public_submit(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(code): Path<String>,
    PreForm(f): PreForm<PublicForm>,
) -> Result<Response, PageError> {
    let tr = tr_of(&headers);
    let throttle = ConcernThrottle {
        window: Duration::minutes(s.cfg.concern_window_minutes),
        per_address: s.cfg.concern_per_address,
        per_cell: s.cfg.concern_per_cell,
    };
    let draft = ConcernDraft {
        area: f.area.clone(),
        body: f.body.clone(),
        contact: f.contact.clone(),
    };
    let result = s
        .services
        .submit_public_concern(
            &code,
            &draft,
            &f.website,
            &addr.ip().to_string(),
            throttle,
            s.services.now(),
        )
        .await;
    let mut page = public_page(tr, &code, String::new(), f.csrf.clone());
    match result {
        Ok(tracking) => {
            page.sent = Some(tracking);
            Ok(page.into_response())
        }
        Err(ServiceError::Throttled) => {
            page.refusal = Some(tr.t("concern-throttled"));
            page.area = f.area;
            page.body = f.body;
            page.contact = f.contact;
            Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response())
        }
        Err(e) => {
            page.errors = form_problems(e, tr)?;
            page.area = f.area;
            page.body = f.body;
            page.contact = f.contact;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TrackQuery {
    #[serde(default)]
    ma: String,
}

/// The tracking page: a code in, its state out; a wrong code is "not found"
/// (404) whatever it is.
pub async fn track(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TrackQuery>,
) -> Result<Response, PageError> {
    let tr = tr_of(&headers);
    let mut page = TrackPage {
        c: Chrome::new(tr, tr.t("concern-track-title")),
        code: q.ma.trim().chars().take(40).collect(),
        found: None,
        missing: false,
    };
    if q.ma.trim().is_empty() {
        return Ok(page.into_response());
    }
    match s.services.track_concern(&q.ma).await {
        Ok(t) => {
            page.found = Some(t);
            Ok(page.into_response())
        }
        Err(ServiceError::NotFound) => {
            page.missing = true;
            Ok((StatusCode::NOT_FOUND, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    unit: Option<i64>,
    /// yyyy-mm
    month: Option<String>,
    ok: Option<String>,
    /// Codes just recorded, comma-separated.
    codes: Option<String>,
}

fn month_of(m: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", m?.trim()), "%Y-%m-%d").ok()
}

struct Typed {
    area: String,
    body: String,
    contact: String,
}

async fn list_page(
    s: &AppState,
    user: &User,
    q: &ListQuery,
    errors: FieldErrors,
    typed: Typed,
) -> Result<ConcernsPage, PageError> {
    let now = s.services.now();
    let list = s
        .services
        .concern_list(&user.actor, q.unit, month_of(q.month.as_deref()), now)
        .await?;
    Ok(ConcernsPage {
        c: Chrome::for_user(user, "concerns-title", "concerns", "/concerns"),
        month: list.month.format("%Y-%m").to_string(),
        list,
        meeting: None,
        flash: flash(user.tr, q.ok.as_deref()),
        codes: q
            .codes
            .as_deref()
            .map(|c| c.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        errors,
        area: typed.area,
        body: typed.body,
        contact: typed.contact,
        today: format_date(today(now)),
    })
}

fn untyped() -> Typed {
    Typed {
        area: String::new(),
        body: String::new(),
        contact: String::new(),
    }
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<ConcernsPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    list_page(&s, &user, &q, errors, untyped()).await
}

#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    area: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    contact: String,
    /// The secretary's batch: one concern per paragraph, this day.
    #[serde(default)]
    batch: String,
    #[serde(default)]
    held_on: String,
}

/// A member's door (one concern) or the secretary's batch.
pub async fn record(
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
    CsrfForm(user, f): CsrfForm<RecordForm>,
) -> Result<Response, PageError> {
    let now = s.services.now();
    let result = if f.batch == "1" {
        s.services
            .record_concern_batch(&user.actor, q.unit, &f.area, &f.body, &f.held_on, now)
            .await
    } else {
        let draft = ConcernDraft {
            area: f.area.clone(),
            body: f.body.clone(),
            contact: f.contact.clone(),
        };
        s.services
            .record_concern(&user.actor, q.unit, &draft, now)
            .await
            .map(|c| vec![c])
    };
    match result {
        Ok(codes) => {
            let unit = q.unit.map(|u| format!("unit={u}&")).unwrap_or_default();
            Ok(Redirect::to(&format!(
                "/concerns?{unit}ok=concern-recorded&codes={}",
                codes.join(",")
            ))
            .into_response())
        }
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let typed = Typed {
                area: f.area,
                body: f.body,
                contact: f.contact,
            };
            let page = list_page(&s, &user, &q, errors, typed).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The "dư luận nhân dân" item of a meeting: its month's concerns.
pub async fn of_meeting(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<ConcernsPage, PageError> {
    let list = s.services.meeting_concerns(&user.actor, id).await?;
    Ok(ConcernsPage {
        c: Chrome::for_user(&user, "concerns-meeting-title", "meetings", "/meetings"),
        month: list.month.format("%Y-%m").to_string(),
        list,
        meeting: Some(id),
        flash: None,
        codes: Vec::new(),
        errors: FieldErrors::none(user.tr),
        area: String::new(),
        body: String::new(),
        contact: String::new(),
        today: format_date(today(s.services.now())),
    })
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn item_page(
    s: &AppState,
    user: &User,
    id: i64,
    flash_key: Option<&str>,
    errors: FieldErrors,
) -> Result<ConcernPage, PageError> {
    let now = s.services.now();
    let item = s.services.concern(&user.actor, id, now).await?;
    Ok(ConcernPage {
        c: Chrome::for_user(
            user,
            "concern-title",
            "concerns",
            &format!("/concerns/{id}"),
        ),
        item,
        flash: flash(user.tr, flash_key),
        errors,
        today: format_date(today(now)),
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<ConcernPage, PageError> {
    let errors = FieldErrors::none(user.tr);
    item_page(&s, &user, id, q.ok.as_deref(), errors).await
}

#[derive(Deserialize)]
pub struct ActBody {
    #[serde(default)]
    act: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    date: String,
    /// The body forwarded to.
    #[serde(default)]
    body: String,
    /// For an answer: the finished task it reports.
    #[serde(default)]
    task: String,
}

/// Forward, answer, or close.
pub async fn act(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ActBody>,
) -> Result<Response, PageError> {
    let form = ActForm {
        act: f.act,
        text: f.text,
        date: f.date,
        body: f.body,
        task: f.task.trim().parse().ok(),
    };
    match s
        .services
        .act_on_concern(&user.actor, id, &form, s.services.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/concerns/{id}?ok=concern-saved")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = item_page(&s, &user, id, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
