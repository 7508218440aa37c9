//! The member list, a member's record, and the member form.

use super::flash;
use crate::model::{MemberFields, Problem, format_date, parse_date, parse_status};
use crate::service::members::{FormOf, SearchQuery};
use crate::service::{ServiceError, today};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, User};
use crate::web::error::PageError;
use crate::web::view::{Chrome, FieldErrors, MemberFormPage, MemberPage, MembersPage};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

const PER_PAGE: u32 = 25;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    unit: Option<i64>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    group: Option<i64>,
    page: Option<u32>,
    ok: Option<String>,
    created: Option<usize>,
    updated: Option<usize>,
}

/// HTML selects send "" for "any"; treat it as absent.
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.filter(|s| !s.is_empty()).and_then(|s| s.parse().ok()))
}

pub async fn list(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<MembersPage, PageError> {
    let status = parse_status(&q.status).ok().map(|s| s.as_str().to_string());
    let page = q.page.unwrap_or(1).max(1);
    let list = s
        .services
        .member_list(
            &user.actor,
            q.unit,
            SearchQuery {
                text: q.q.clone(),
                status: status.clone(),
                group_id: q.group,
                page,
                per_page: PER_PAGE,
                ..Default::default()
            },
        )
        .await?;
    let pages = u32::try_from(list.page.total.max(0))
        .unwrap_or(u32::MAX)
        .div_ceil(PER_PAGE)
        .max(1);
    Ok(MembersPage {
        c: Chrome::for_user(&user, "members-title", "members", "/members"),
        flash: match (q.ok.as_deref(), q.created, q.updated) {
            (Some("import-done"), Some(c), Some(u)) => Some(user.tr.t2(
                "import-done",
                ("created", c.into()),
                ("updated", u.into()),
            )),
            (key, _, _) => flash(user.tr, key),
        },
        manages: list.may_manage,
        unit: list.unit,
        q: q.q,
        status: status.unwrap_or_default(),
        group: q.group,
        groups: list.groups,
        rows: list.page.rows,
        total: list.page.total,
        page,
        pages,
        is_cell: list.is_cell,
        identifiers: list.page.identifiers,
    })
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    ok: Option<String>,
}

async fn member_page(
    s: &AppState,
    user: &User,
    id: i64,
    flash_msg: Option<String>,
    errors: FieldErrors,
) -> Result<MemberPage, PageError> {
    let now = s.services.now();
    let r = s.services.member_record(&user.actor, id, now).await?;
    Ok(MemberPage {
        c: Chrome::for_user(user, "member-title", "members", &format!("/members/{id}")),
        reads: r.reads,
        m: r.view.member,
        cell: r.view.cell,
        group_name: r.view.group_name,
        history: r.view.history,
        audit: r.audit,
        manages: r.may_manage,
        flash: flash_msg,
        errors,
        today: format_date(today(now)),
        ratings: r.ratings,
        badges: r.badges,
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<MemberPage, PageError> {
    let f = flash(user.tr, q.ok.as_deref());
    member_page(&s, &user, id, f, FieldErrors::none(user.tr)).await
}

#[derive(Deserialize)]
pub struct CellQuery {
    cell: i64,
}

pub async fn new_form(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<CellQuery>,
) -> Result<MemberFormPage, PageError> {
    let (cell, groups) = s
        .services
        .member_form(&user.actor, FormOf::Cell(q.cell))
        .await?;
    Ok(MemberFormPage {
        c: Chrome::for_user(&user, "member-new-title", "members", "/members/new"),
        groups,
        cell,
        member_id: None,
        version: 0,
        f: MemberFields::default(),
        group_id: None,
        errors: FieldErrors::none(user.tr),
    })
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(flatten)]
    fields: MemberFields,
    #[serde(default)]
    group_id: String,
    #[serde(default)]
    version: String,
}

impl MemberForm {
    fn group(&self) -> Option<i64> {
        self.group_id.parse().ok()
    }
}

/// Shows the form again with what was typed and the problems next to their fields.
async fn form_again(
    s: &AppState,
    user: &User,
    member_id: Option<i64>,
    of: FormOf,
    form: MemberForm,
    problems: crate::model::Problems,
) -> Result<Response, PageError> {
    let (cell, groups) = s.services.member_form(&user.actor, of).await?;
    let page = MemberFormPage {
        c: Chrome::for_user(
            user,
            if member_id.is_some() {
                "member-edit"
            } else {
                "member-new-title"
            },
            "members",
            "/members",
        ),
        groups,
        group_id: form.group(),
        version: form.version.parse().unwrap_or(0),
        cell,
        member_id,
        f: form.fields,
        errors: FieldErrors {
            problems,
            tr: user.tr,
        },
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn create(
    State(s): State<AppState>,
    Query(q): Query<CellQuery>,
    CsrfForm(user, form): CsrfForm<MemberForm>,
) -> Result<Response, PageError> {
    match s
        .services
        .create_member(
            &user.actor,
            q.cell,
            &form.fields,
            form.group(),
            s.services.now(),
        )
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/members/{id}?ok=member-created")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            form_again(&s, &user, None, FormOf::Cell(q.cell), form, p).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<MemberFormPage, PageError> {
    let (v, groups) = s
        .services
        .member_edit_form(&user.actor, id, s.services.now())
        .await?;
    Ok(MemberFormPage {
        c: Chrome::for_user(
            &user,
            "member-edit",
            "members",
            &format!("/members/{id}/edit"),
        ),
        groups,
        f: MemberFields::from_row(&v.member, v.group_name.as_deref()),
        group_id: v.member.group_id,
        version: v.member.version,
        member_id: Some(id),
        cell: v.cell,
        errors: FieldErrors::none(user.tr),
    })
}

pub async fn update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<MemberForm>,
) -> Result<Response, PageError> {
    let version = form.version.parse().unwrap_or(0);
    match s
        .services
        .update_member(
            &user.actor,
            id,
            version,
            &form.fields,
            form.group(),
            s.services.now(),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}?ok=member-saved")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            form_again(&s, &user, Some(id), FormOf::Member(id), form, p).await
        }
        Err(ServiceError::Stale) => {
            let p = crate::model::Problems(vec![Problem::new("version", "member.stale", "")]);
            let mut res = form_again(&s, &user, Some(id), FormOf::Member(id), form, p).await?;
            *res.status_mut() = StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    start_date: String,
    #[serde(default)]
    note: String,
}

pub async fn add_status(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, f): CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    let parsed =
        parse_status(&f.status).and_then(|st| Ok((st, parse_date("start_date", &f.start_date)?)));
    let result = match parsed {
        Ok((status, since)) => {
            s.services
                .add_status(
                    &user.actor,
                    id,
                    status,
                    since,
                    Some(&f.note),
                    s.services.now(),
                )
                .await
        }
        Err(p) => Err(ServiceError::invalid(p)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}?ok=member-saved")).into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let page = member_page(
                &s,
                &user,
                id,
                None,
                FieldErrors {
                    problems,
                    tr: user.tr,
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
