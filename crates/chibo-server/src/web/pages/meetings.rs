//! The meeting screens: plan, notice, roll-call, minutes, votes,
//! resolution and documents — phone first, every step one screen.

use super::{flash, form_problems};
use crate::model::{Choice, Presence, VoteMode, format_date};
use crate::service::dashboard::Due;
use crate::service::documents::DocKind;
use crate::service::meetings::{Assignment, Draft, MeetingForm};
use crate::service::{ServiceError, today};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::download::{self, Show};
use crate::web::error::PageError;
use crate::web::i18n::Lang;
use crate::web::view::{self, Chrome, FieldErrors};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chibo_rules::DecisionKind;
use chrono::Duration;
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::Deserialize;

fn is_htmx(h: &HeaderMap) -> bool {
    h.contains_key("hx-request")
}

fn lang(u: &User) -> chibo_rules::Lang {
    if u.tr.lang == Lang::En {
        chibo_rules::Lang::En
    } else {
        chibo_rules::Lang::Vi
    }
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    unit: Option<i64>,
    ok: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<UnitQuery>,
) -> Result<view::MeetingsPage, PageError> {
    let l = s
        .services
        .meeting_list(&user.actor, q.unit, s.services.now())
        .await?;
    let due = |d: Option<Due>| {
        d.map(|d| {
            (
                format_date(d.due_by),
                d.overdue,
                d.citation,
                d.last_held.map(format_date),
            )
        })
    };
    Ok(view::MeetingsPage {
        c: Chrome::for_user(&user, "meetings-title", "meetings", "/meetings"),
        flash: flash(user.tr, q.ok.as_deref()),
        manages: l.may_manage,
        cell: l.cell,
        meetings: l.meetings,
        regular: due(l.regular),
        thematic: due(l.thematic),
    })
}

/// The planning form, filled with `f` (a new plan starts from the last
/// meeting's place and people).
async fn form_page(
    s: &AppState,
    user: &User,
    cell_id: i64,
    f: Option<MeetingForm>,
    errors: FieldErrors,
) -> Result<view::MeetingFormPage, PageError> {
    let p = s.services.plan_form(&user.actor, cell_id).await?;
    let f = f.unwrap_or_else(|| {
        // Default: the regular meeting, a week from today at 19:30, where
        // the last one was held.
        let last = p.last.as_ref();
        MeetingForm {
            kind: "thuong_ky".into(),
            date: format_date(today(s.services.now()) + Duration::days(7)),
            time: "19:30".into(),
            place: last.map(|m| m.place.clone()).unwrap_or_default(),
            chair_id: last.and_then(|m| m.chair_id),
            secretary_id: last.and_then(|m| m.secretary_id),
            guest: last.and_then(|m| m.guest.clone()).unwrap_or_default(),
            ..Default::default()
        }
    });
    Ok(view::MeetingFormPage {
        c: Chrome::for_user(user, "meeting-plan", "meetings", "/meetings/new"),
        cell: p.cell,
        f,
        members: p.members,
        errors,
    })
}

#[derive(Deserialize)]
pub struct CellQuery {
    cell: i64,
}

pub async fn new_form(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<CellQuery>,
) -> Result<view::MeetingFormPage, PageError> {
    form_page(&s, &user, q.cell, None, FieldErrors::none(user.tr)).await
}

pub async fn create(
    State(s): State<AppState>,
    Query(q): Query<CellQuery>,
    CsrfForm(user, f): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .plan_meeting(&user.actor, q.cell, &f, s.services.now())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}?ok=meeting-planned")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = form_page(&s, &user, q.cell, Some(f), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
    err: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<view::MeetingPage, PageError> {
    meeting_page(
        &s,
        &user,
        id,
        flash(user.tr, q.ok.as_deref()),
        q.err.filter(|e| user.tr.has(e)).map(|e| user.tr.t(&e)),
        FieldErrors::none(user.tr),
    )
    .await
}

async fn meeting_page(
    s: &AppState,
    user: &User,
    id: i64,
    flash_msg: Option<String>,
    error: Option<String>,
    errors: FieldErrors,
) -> Result<view::MeetingPage, PageError> {
    let p = s.services.meeting_page(&user.actor, id).await?;
    let local = p.view.meeting.starts_at.with_timezone(&Ho_Chi_Minh);
    let m = &p.view.meeting;
    let f = MeetingForm {
        kind: m.kind.clone(),
        topic: m.topic.clone().unwrap_or_default(),
        date: format_date(local.date_naive()),
        time: local.format("%H:%M").to_string(),
        place: m.place.clone(),
        chair_id: m.chair_id,
        secretary_id: m.secretary_id,
        preparer_id: m.preparer_id,
        guest: m.guest.clone().unwrap_or_default(),
    };
    Ok(view::MeetingPage {
        next: p.next.as_str(),
        open_early: p.open_early,
        close_early: p.close_early,
        c: Chrome::for_user(
            user,
            "meeting-title",
            "meetings",
            &format!("/meetings/{id}"),
        ),
        manages: p.view.may_manage,
        emails_queued: p.delivery.emails_queued,
        emails_sent: p.delivery.emails_sent,
        emails_failed: p.delivery.emails_failed,
        app_notices: p.delivery.in_app,
        last_error: p.delivery.last_error,
        min_minutes: p.min_minutes,
        files: p.files,
        review: p.review.items,
        flash: flash_msg,
        error,
        errors,
        f,
        view: p.view,
    })
}

pub async fn update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .update_meeting(&user.actor, id, &f, s.services.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}?ok=member-saved")).into_response()),
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let page = meeting_page(&s, &user, id, None, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Comes back from a step to the meeting's page `to`, with its message or
/// the problem in words; what the step returned is not shown.
pub(super) fn step<T>(
    id: i64,
    to: &str,
    ok: &str,
    r: Result<T, ServiceError>,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}{to}?ok={ok}")).into_response()),
        Err(ServiceError::Invalid(ps)) => {
            let code =
                ps.0.first()
                    .map(|p| format!("problem-{}", p.code.replace('.', "-")))
                    .unwrap_or_default();
            Ok(Redirect::to(&format!("/meetings/{id}{to}?err={code}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

#[derive(Deserialize)]
pub struct TitleForm {
    title: String,
}

pub async fn add_item(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<TitleForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .add_agenda_item(&user.actor, id, &f.title, s.services.now())
        .await;
    step(id, "", "member-saved", r)
}

#[derive(Deserialize)]
pub struct ItemAction {
    action: String,
}

pub async fn change_item(
    State(s): State<AppState>,
    Path((id, item)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<ItemAction>,
) -> Result<Response, PageError> {
    let step_by = match f.action.as_str() {
        "up" => -1,
        "down" => 1,
        _ => 0,
    };
    let r = s
        .services
        .change_agenda(&user.actor, id, item, step_by, s.services.now())
        .await;
    step(id, "", "member-saved", r)
}

pub async fn notice(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .send_notice(&user.actor, id, s.services.now())
        .await;
    s.mail_kick();
    step(id, "", "meeting-notice-sent", r)
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn open(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ReasonForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .open_meeting(&user.actor, id, Some(&f.reason), s.services.now())
        .await;
    step(id, "/roll", "meeting-opened", r)
}

pub async fn close(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ReasonForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .close_meeting(&user.actor, id, Some(&f.reason), s.services.now())
        .await;
    step(id, "", "meeting-closed", r)
}

pub async fn finalize(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ReasonForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .finalize_minutes(&user.actor, id, Some(&f.reason), s.services.now())
        .await;
    step(id, "", "minutes-locked", r)
}

pub async fn unlock(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ReasonForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .unlock_minutes(&user.actor, id, &f.reason, s.services.now())
        .await;
    step(id, "/minutes", "minutes-unlocked", r)
}

pub async fn roll(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<view::RollPage, PageError> {
    let (v, panel) = s.services.roll_page(&user.actor, id, lang(&user)).await?;
    Ok(view::RollPage {
        oob: false,
        c: Chrome::for_user(
            &user,
            "roll-title",
            "meetings",
            &format!("/meetings/{id}/roll"),
        ),
        manages: v.may_manage,
        flash: flash(user.tr, q.ok.as_deref()),
        error: q.err.filter(|e| user.tr.has(e)).map(|e| user.tr.t(&e)),
        panel,
        view: v,
    })
}

#[derive(Deserialize)]
pub struct MarkForm {
    presence: String,
    #[serde(default)]
    reason: String,
}

pub async fn mark(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, member)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<MarkForm>,
) -> Result<Response, PageError> {
    let presence = Presence::parse(&f.presence).map_err(ServiceError::invalid)?;
    let (r, panel) = s
        .services
        .mark_attendance_line(
            &user.actor,
            id,
            member,
            presence,
            Some(&f.reason),
            lang(&user),
            s.services.now(),
        )
        .await?;
    if is_htmx(&headers) {
        return Ok(view::RollRowFragment {
            c: Chrome::for_user(&user, "roll-title", "meetings", ""),
            meeting_id: id,
            manages: true,
            r,
            panel,
            oob: true,
        }
        .into_response());
    }
    Ok(Redirect::to(&format!("/meetings/{id}/roll#m{member}")).into_response())
}

/// "Tất cả có mặt": everyone not marked yet is present; the exceptions follow.
pub async fn mark_all(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    s.services
        .mark_all_present(&user.actor, id, s.services.now())
        .await?;
    Ok(Redirect::to(&format!("/meetings/{id}/roll?ok=roll-all-marked")).into_response())
}

pub async fn left(
    State(s): State<AppState>,
    Path((id, member)): Path<(i64, i64)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    s.services
        .mark_left(&user.actor, id, member, s.services.now())
        .await?;
    Ok(Redirect::to(&format!("/meetings/{id}/roll#m{member}")).into_response())
}

pub async fn minutes(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<view::MinutesPage, PageError> {
    let v = s.services.meeting_view(&user.actor, id).await?;
    Ok(view::MinutesPage {
        c: Chrome::for_user(
            &user,
            "minutes-title",
            "meetings",
            &format!("/meetings/{id}/minutes"),
        ),
        manages: v.may_manage,
        flash: flash(user.tr, q.ok.as_deref()),
        error: q.err.filter(|e| user.tr.has(e)).map(|e| user.tr.t(&e)),
        view: v,
    })
}

#[derive(Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    text: String,
    version: i64,
}

pub async fn save_minutes(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, item)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<MinutesForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .save_minutes(&user.actor, id, item, f.version, &f.text, s.services.now())
        .await;
    let htmx = is_htmx(&headers);
    match r {
        Ok(version) if htmx => {
            let at = s
                .services
                .now()
                .with_timezone(&Ho_Chi_Minh)
                .format("%H:%M:%S")
                .to_string();
            Ok(view::SavedFragment {
                item,
                version,
                message: user.tr.t1("minutes-saved-at", "time", at),
                conflict: false,
            }
            .into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!(
            "/meetings/{id}/minutes?ok=member-saved#item{item}"
        ))
        .into_response()),
        Err(ServiceError::Stale) if htmx => {
            let current = s.services.minutes_version(&user.actor, id, item).await?;
            let frag = view::SavedFragment {
                item,
                version: current,
                message: user.tr.t("minutes-conflict"),
                conflict: true,
            };
            Ok((StatusCode::CONFLICT, frag).into_response())
        }
        Err(ServiceError::Stale) => Ok(Redirect::to(&format!(
            "/meetings/{id}/minutes?err=minutes-conflict#item{item}"
        ))
        .into_response()),
        Err(e) => step::<()>(id, "/minutes", "", Err(e)),
    }
}

#[derive(Deserialize)]
pub struct SpeechForm {
    item_id: i64,
    #[serde(default)]
    member_id: String,
    body: String,
}

pub async fn speech(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<SpeechForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .add_speech(
            &user.actor,
            id,
            f.item_id,
            f.member_id.parse().ok(),
            &f.body,
            s.services.now(),
        )
        .await;
    step(id, "/minutes", "member-saved", r)
}

pub async fn votes(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<view::VotesPage, PageError> {
    let p = s.services.votes_page(&user.actor, id).await?;
    let kinds = p
        .open_kinds
        .iter()
        .map(|k| (k.code(), user.tr.t(&format!("vote-kind-{}", k.code()))))
        .collect();
    Ok(view::VotesPage {
        c: Chrome::for_user(
            &user,
            "votes-title",
            "meetings",
            &format!("/meetings/{id}/votes"),
        ),
        manages: p.view.may_manage,
        me: user.actor.member_id,
        flash: flash(user.tr, q.ok.as_deref()),
        error: q.err.filter(|e| user.tr.has(e)).map(|e| user.tr.t(&e)),
        casts: p.casts,
        voters: p.voters,
        kinds,
        view: p.view,
    })
}

#[derive(Deserialize)]
pub struct OpenVoteForm {
    kind: String,
    subject: String,
    mode: String,
}

pub async fn open_vote(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<OpenVoteForm>,
) -> Result<Response, PageError> {
    let r = match (DecisionKind::from_code(&f.kind), VoteMode::parse(&f.mode)) {
        (Some(kind), Ok(mode)) => {
            s.services
                .open_vote(&user.actor, id, kind, &f.subject, mode, s.services.now())
                .await
        }
        _ => Err(ServiceError::invalid(crate::model::Problem::new(
            "kind",
            "vote.kind",
            f.kind.clone(),
        ))),
    };
    step(id, "/votes", "vote-opened", r)
}

#[derive(Deserialize)]
pub struct CountsForm {
    tan_thanh: u32,
    khong_tan_thanh: u32,
    khong_bieu_quyet: u32,
}

pub async fn counts(
    State(s): State<AppState>,
    Path((id, vote)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<CountsForm>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .enter_counts(
            &user.actor,
            id,
            vote,
            (f.tan_thanh, f.khong_tan_thanh, f.khong_bieu_quyet),
            s.services.now(),
        )
        .await;
    step(id, "/votes", "vote-closed", r)
}

#[derive(Deserialize)]
pub struct CastForm {
    choice: String,
}

pub async fn cast(
    State(s): State<AppState>,
    Path((id, vote)): Path<(i64, i64)>,
    CsrfForm(user, f): CsrfForm<CastForm>,
) -> Result<Response, PageError> {
    let choice = Choice::parse(&f.choice).map_err(ServiceError::invalid)?;
    let r = s
        .services
        .cast_vote(&user.actor, id, vote, choice, s.services.now())
        .await;
    step(id, "/votes", "vote-cast", r)
}

pub async fn close_vote(
    State(s): State<AppState>,
    Path((id, vote)): Path<(i64, i64)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let r = s
        .services
        .close_named_vote(&user.actor, id, vote, s.services.now())
        .await;
    step(id, "/votes", "vote-closed", r)
}

#[derive(Deserialize, Default)]
pub struct ResolutionQuery {
    ok: Option<String>,
    err: Option<String>,
    /// A concern picked on the meeting's "dư luận nhân dân" item.
    concern: Option<i64>,
}

pub async fn resolution(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<ResolutionQuery>,
) -> Result<view::ResolutionPage, PageError> {
    let error = q.err.filter(|e| user.tr.has(e)).map(|e| user.tr.t(&e));
    let flash = flash(user.tr, q.ok.as_deref());
    resolution_page(&s, &user, id, (flash, error), q.concern).await
}

async fn resolution_page(
    s: &AppState,
    user: &User,
    id: i64,
    (flash, error): (Option<String>, Option<String>),
    concern: Option<i64>,
) -> Result<view::ResolutionPage, PageError> {
    let p = s.services.resolution_page(&user.actor, id, concern).await?;
    Ok(view::ResolutionPage {
        c: Chrome::for_user(
            user,
            "resolution-title",
            "meetings",
            &format!("/meetings/{id}/resolution"),
        ),
        manages: p.view.may_manage,
        flash,
        error,
        passed: p.passed,
        version: p.version,
        no_tasks: p.no_tasks,
        subject: p.subject,
        results: p.results,
        tasks: p.tasks,
        assignments: p.assignments,
        members: p.members,
        code: p.code,
        concerns: p.concerns,
        view: p.view,
    })
}

#[derive(Deserialize)]
pub struct ResolutionForm {
    subject: String,
    #[serde(default)]
    results: String,
    #[serde(default)]
    tasks: String,
    #[serde(default)]
    what: Vec<String>,
    /// One per row: a member's id, or empty.
    #[serde(default)]
    lead_id: Vec<String>,
    /// "row:member_id" for each co-owner chosen in a row.
    #[serde(default)]
    co_owner: Vec<String>,
    #[serde(default)]
    deadline: Vec<String>,
    /// One per row: the concern it assigns a task from, or empty.
    #[serde(default)]
    concern_id: Vec<String>,
    #[serde(default)]
    no_tasks: Option<String>,
    #[serde(default)]
    version: i64,
}

pub async fn save_resolution(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<ResolutionForm>,
) -> Result<Response, PageError> {
    let co_owners = |row: usize| -> Vec<i64> {
        f.co_owner
            .iter()
            .filter_map(|x| x.split_once(':'))
            .filter(|(r, _)| r.parse() == Ok(row))
            .filter_map(|(_, id)| id.parse().ok())
            .collect()
    };
    let rows: Vec<Assignment> = f
        .what
        .iter()
        .enumerate()
        .map(|(i, what)| Assignment {
            what: what.clone(),
            lead_id: f.lead_id.get(i).and_then(|x| x.parse().ok()),
            co_owner_ids: co_owners(i),
            deadline: f.deadline.get(i).cloned().unwrap_or_default(),
            concern_id: f.concern_id.get(i).and_then(|x| x.parse().ok()),
            ..Assignment::default()
        })
        .collect();
    let assignments = serde_json::to_string(&rows).unwrap_or_default();
    let d = Draft {
        subject: &f.subject,
        results: &f.results,
        tasks: &f.tasks,
        assignments: &assignments,
        no_tasks: f.no_tasks.is_some(),
    };
    let r = s
        .services
        .save_resolution(&user.actor, id, f.version, &d, s.services.now())
        .await;
    match r {
        Err(ServiceError::Stale) => Ok(Redirect::to(&format!(
            "/meetings/{id}/resolution?err=minutes-conflict"
        ))
        .into_response()),
        r => step(id, "/resolution", "member-saved", r),
    }
}

#[derive(Deserialize)]
pub struct AdoptForm {
    vote_id: i64,
}

pub async fn adopt(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<AdoptForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .adopt_resolution(&user.actor, id, f.vote_id, s.services.now())
        .await
    {
        Ok(_) => step(id, "/resolution", "resolution-adopted", Ok(())),
        // Every wrong row is named, so the table can be put right at once.
        Err(e) => {
            let errors = form_problems(e, user.tr)?;
            let message = errors
                .problems
                .0
                .iter()
                .map(|p| user.tr.problem(p))
                .collect::<Vec<_>>()
                .join(" ");
            let page = resolution_page(&s, &user, id, (None, Some(message)), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `/meetings/{id}/docs/nghi-quyet.pdf`, `…/ho-so.pdf`, `…/bien-ban.docx`:
/// saved under the document's kind, number, cell and day.
pub async fn document(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let (name, ext) = file.rsplit_once('.').ok_or(ServiceError::NotFound)?;
    let kind = DocKind::parse(name).ok_or(ServiceError::NotFound)?;
    let p = s
        .services
        .meeting_documents(&user.actor, id, kind, s.services.now())
        .await?;
    let pdf = match ext {
        "pdf" => true,
        "docx" if p.docs.len() == 1 => false,
        _ => return Err(ServiceError::NotFound.into()),
    };
    download::printed(p, pdf).await
}

/// `/ballots/{id}/bien-ban-kiem-phieu.pdf` (or `.docx`): the counting record
/// of a tallied secret ballot.
pub async fn ballot_count_record(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let pdf = match file.as_str() {
        "bien-ban-kiem-phieu.pdf" => true,
        "bien-ban-kiem-phieu.docx" => false,
        _ => return Err(ServiceError::NotFound.into()),
    };
    let p = s
        .services
        .ballot_count_record(&user.actor, id, s.services.now())
        .await?;
    download::printed(p, pdf).await
}

/// The meeting as a calendar invitation.
pub async fn invite(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (name, ics) = s
        .services
        .meeting_invite(&user.actor, id, &s.cfg.base_url())
        .await?;
    Ok(download::file(
        download::ICS,
        Show::Attachment,
        &name,
        "ics",
        ics.into_bytes(),
    ))
}

/// A member's personal feed: every meeting of their cell.
pub async fn feed(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let token = file.trim_end_matches(".ics");
    let ics = s.services.member_feed(token, &s.cfg.base_url()).await?;
    Ok(([(header::CONTENT_TYPE, download::ICS)], ics).into_response())
}

/// Posts a document for the meeting.
pub async fn upload(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mut mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let max = s.cfg.max_upload_bytes;
    let up = super::read_upload(&mut mp, max).await?;
    if up.too_large {
        return Ok(
            Redirect::to(&format!("/meetings/{id}?err=problem-file-too_large")).into_response(),
        );
    }
    user.check_csrf(&up.csrf)?;
    let (name, data) = up.file.ok_or(PageError::BadRequest)?;
    let r = s
        .services
        .attach_file(&user.actor, id, &name, &data, s.services.now())
        .await;
    step(id, "", "meeting-file-added", r)
}

pub async fn download(
    State(s): State<AppState>,
    user: User,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (name, mime, data) = s.services.meeting_file(&user.actor, id, file).await?;
    let ascii: String = crate::model::fold(&name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    view::urlencode(&name)
                ),
            ),
        ],
        data,
    )
        .into_response())
}
