//! The operations of the mixed workload, one function each. To add one:
//! write an `async fn(&mut Ctx)` that picks a session of the right role,
//! sends its request(s) with [`Ctx::send`] under the operation's name, and
//! list it in [`OPERATIONS`] with a weight. The meeting week's operations
//! are in [`week`], the lifecycle reads in [`lifecycle`].

use crate::{Auth, Body, Ctx, OwnedMember, Role};
use rand::Rng;
use rand::seq::IndexedRandom;
use reqwest::{Method, StatusCode};
use std::future::Future;
use std::pin::Pin;

pub type OpFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// An operation and how often it comes up (relative weight).
#[derive(Clone, Copy)]
pub struct Operation {
    pub name: &'static str,
    pub weight: u32,
    pub run: for<'a> fn(&'a mut Ctx) -> OpFuture<'a>,
}

macro_rules! op {
    ($name:literal, $weight:expr, $f:path) => {
        Operation {
            name: $name,
            weight: $weight,
            run: |c| Box::pin($f(c)),
        }
    };
}

pub(crate) use op;

pub(crate) mod lifecycle;
pub(crate) mod week;

/// The ceiling: no work behind the request.
pub const HEALTHZ: Operation = op!("healthz", 1, healthz);

/// The mixed workload, weighted like a day of a meeting week in a month of
/// a province: mostly reads (about one request in seven writes).
pub const OPERATIONS: &[Operation] = &[
    op!("home_secretary", 10, home_secretary),
    op!("home_member", 10, home_member),
    op!("upper_table", 4, upper_table),
    op!("member_list", 10, member_list),
    op!("member_list_upper", 3, member_list_upper),
    op!("search_cell", 10, search_cell),
    op!("search_upper", 4, search_upper),
    op!("member_detail", 12, member_detail),
    op!("api_search", 8, api_search),
    op!("member_edit", 3, member_edit),
    op!("status_change", 2, status_change),
    op!("dashboard_secretary", 4, week::dashboard_secretary),
    op!("roll_call", 4, week::roll_call),
    op!("minutes_autosave", 3, week::minutes_autosave),
    op!("vote_cast", 3, week::vote_cast),
    op!("task_progress", 2, week::task_progress),
    op!("case_list", 3, lifecycle::case_list),
    op!("case_page", 2, lifecycle::case_page),
    op!("dues_cell", 4, lifecycle::dues_cell),
    op!("dues_by_cell", 1, lifecycle::dues_by_cell),
    op!("evaluation_round", 1, lifecycle::evaluation_round),
    op!("public_page", 2, lifecycle::public_page),
    op!("concerns_cell", 2, lifecycle::concerns_cell),
    op!("study_doc", 3, lifecycle::study_doc),
];

/// Names typed without diacritics, as people do on a phone.
const QUERIES: &[&str] = &[
    "nguyen van",
    "tran thi",
    "le",
    "pham minh",
    "hoang",
    "huong",
    "dung",
    "thi lan",
    "quang",
    "ngoc anh",
    "vu",
    "do thi",
    "hung",
    "trang",
    "bui",
    "phuc",
];

async fn healthz(c: &mut Ctx) {
    let _ = c
        .send(
            "healthz",
            Method::GET,
            "/healthz",
            Auth::None,
            None,
            StatusCode::OK,
        )
        .await;
}

async fn home(c: &mut Ctx, op: &'static str, role: Role) {
    let world = c.world.clone();
    let Some(s) = pick(c, role) else { return };
    let _ = c
        .send(
            op,
            Method::GET,
            "/",
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}

async fn home_secretary(c: &mut Ctx) {
    home(c, "home_secretary", Role::Secretary).await;
}

async fn home_member(c: &mut Ctx) {
    home(c, "home_member", Role::Member).await;
}

/// The upper committee's home page: its table of cells with their counts.
async fn upper_table(c: &mut Ctx) {
    home(c, "upper_table", Role::Upper).await;
}

fn pick(c: &mut Ctx, role: Role) -> Option<usize> {
    let world = c.world.clone();
    let of_role: Vec<usize> = world
        .sessions
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role == role)
        .map(|(i, _)| i)
        .collect();
    of_role.choose(&mut c.rng).copied()
}

fn query(c: &mut Ctx) -> String {
    QUERIES
        .choose(&mut c.rng)
        .copied()
        .unwrap_or("nguyen")
        .replace(' ', "+")
}

async fn member_list(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(s) = pick(c, Role::Secretary) else {
        return;
    };
    let _ = c
        .send(
            "member_list",
            Method::GET,
            "/members",
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}

/// A page of the whole committee's list (2,000 members, 25 a page).
async fn member_list_upper(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(s) = pick(c, Role::Upper) else {
        return;
    };
    let page = c.rng.random_range(1..=40);
    let path = format!("/members?page={page}");
    let _ = c
        .send(
            "member_list_upper",
            Method::GET,
            &path,
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}

async fn search_cell(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(s) = pick(c, Role::Secretary) else {
        return;
    };
    let path = format!("/members?q={}", query(c));
    let _ = c
        .send(
            "search_cell",
            Method::GET,
            &path,
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}

/// A name searched across every cell of an upper committee.
async fn search_upper(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(s) = pick(c, Role::Upper) else {
        return;
    };
    let path = format!("/members?q={}", query(c));
    let _ = c
        .send(
            "search_upper",
            Method::GET,
            &path,
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await;
}

/// A full record: by the secretary (one of the cell) or by a member (their own).
/// Every such read is written to the access log.
async fn member_detail(c: &mut Ctx) {
    let world = c.world.clone();
    let role = if c.rng.random_bool(0.7) {
        Role::Secretary
    } else {
        Role::Member
    };
    let Some(s) = pick(c, role) else { return };
    let session = &world.sessions[s];
    let id = match role {
        Role::Secretary => session.members.choose(&mut c.rng).map(|m| m.id),
        _ => session.member_id,
    };
    let Some(id) = id else { return };
    let _ = c
        .send(
            "member_detail",
            Method::GET,
            &format!("/members/{id}"),
            Auth::Session(session),
            None,
            StatusCode::OK,
        )
        .await;
}

/// The JSON API's member search with a bearer token.
async fn api_search(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(b) = world.bearers.choose(&mut c.rng) else {
        return;
    };
    let path = format!("/api/v1/members?unit={}&q={}", b.unit, query(c));
    let _ = c
        .send(
            "api_search",
            Method::GET,
            &path,
            Auth::Bearer(b),
            None,
            StatusCode::OK,
        )
        .await;
}

/// A member of one of this worker's own secretaries' cells.
fn owned_member(c: &mut Ctx, wanted: &[&str]) -> Option<(usize, i64)> {
    let world = c.world.clone();
    let s = *c.owned.choose(&mut c.rng)?;
    let candidates: Vec<i64> = world.sessions[s]
        .members
        .iter()
        .filter(|m| {
            let status = c
                .owned_members
                .get(&m.id)
                .map_or(m.status.as_str(), |o| o.status.as_str());
            wanted.is_empty() || wanted.contains(&status)
        })
        .map(|m| m.id)
        .collect();
    Some((s, *candidates.choose(&mut c.rng)?))
}

/// Fetches (once) the record this worker will edit, for its fields and version.
async fn ensure_record(c: &mut Ctx, s: usize, id: i64) -> Option<()> {
    if c.owned_members.contains_key(&id) {
        return Some(());
    }
    let world = c.world.clone();
    let (_, body) = c
        .send(
            "api_member_get",
            Method::GET,
            &format!("/api/v1/members/{id}"),
            Auth::Session(&world.sessions[s]),
            None,
            StatusCode::OK,
        )
        .await
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let m = v["member"].clone();
    c.owned_members.insert(
        id,
        OwnedMember {
            version: m["version"].as_i64()?,
            status: m["status"].as_str()?.to_string(),
            record: m,
        },
    );
    Some(())
}

/// Edits a member through the JSON API (session + X-CSRF-Token, version check).
async fn member_edit(c: &mut Ctx) {
    let Some((s, id)) = owned_member(c, &[]) else {
        return;
    };
    if ensure_record(c, s, id).await.is_none() {
        return;
    }
    let n = c.counter;
    let o = &c.owned_members[&id];
    let m = &o.record;
    let text = |k: &str| m[k].as_str().unwrap_or_default().to_string();
    let body = serde_json::json!({
        "version": o.version,
        "group_id": m["group_id"],
        "full_name": text("full_name"),
        "other_name": text("other_name"),
        "sex": text("sex"),
        "date_of_birth": text("date_of_birth"),
        "ethnicity": text("ethnicity"),
        "religion": text("religion"),
        "national_id": text("national_id"),
        "card_no": text("card_no"),
        "admission_date": text("admission_date"),
        "ceremony_date": text("ceremony_date"),
        "official_date": text("official_date"),
        "phone": text("phone"),
        "email": text("email"),
        "residence": text("residence"),
        // Unique across runs on the same data: an unchanged record is not
        // written and keeps its version.
        "notes": format!("Đã rà soát lần {n} ({})", chrono::Utc::now().timestamp_micros()),
    });
    let world = c.world.clone();
    let r = c
        .send(
            "member_edit",
            Method::PUT,
            &format!("/api/v1/members/{id}"),
            Auth::Session(&world.sessions[s]),
            Some(Body::Json(body)),
            StatusCode::NO_CONTENT,
        )
        .await;
    match r {
        Ok(_) => {
            if let Some(o) = c.owned_members.get_mut(&id) {
                o.version += 1;
            }
        }
        // Re-read before the next edit.
        Err(_) => {
            c.owned_members.remove(&id);
        }
    }
}

/// Records a change of status through the member page's form (CSRF field):
/// full members leave temporarily, those away come back.
async fn status_change(c: &mut Ctx) {
    let Some((s, id)) = owned_member(c, &["chinh_thuc", "tam_thoi_di"]) else {
        return;
    };
    if ensure_record(c, s, id).await.is_none() {
        return;
    }
    let current = c.owned_members[&id].status.clone();
    let next = if current == "chinh_thuc" {
        "tam_thoi_di"
    } else {
        "chinh_thuc"
    };
    let world = c.world.clone();
    let session = &world.sessions[s];
    let form = format!(
        "csrf={}&status={next}&start_date={}&note=",
        session.csrf,
        crate::fixture::vn_date(0).replace('/', "%2F")
    );
    let r = c
        .send(
            "status_change",
            Method::POST,
            &format!("/members/{id}/status"),
            Auth::Session(session),
            Some(Body::Form(form)),
            StatusCode::SEE_OTHER,
        )
        .await;
    match r {
        Ok(_) => {
            if let Some(o) = c.owned_members.get_mut(&id) {
                o.version += 1;
                o.status = next.to_string();
            }
        }
        Err(_) => {
            c.owned_members.remove(&id);
        }
    }
}
