//! The meeting week's operations, in the cells [`crate::week`] put in
//! session: the secretary's roll-call, minutes autosave and dashboard, a
//! member's named vote and a member's progress report on the task they
//! lead. Writes go only to cells this worker owns, so minutes and task
//! versions and the open vote never race.

use crate::{Auth, Body, Ctx, Role};
use rand::Rng;
use rand::seq::IndexedRandom;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A section of minutes as a secretary types it during the meeting.
const MINUTES: &str = "Đồng chí Bí thư quán triệt nội dung nghị quyết của cấp trên; \
    các đồng chí đảng viên phát biểu, thống nhất giao các tổ đảng nắm tình hình \
    tư tưởng, dư luận trong khu dân cư và báo cáo tại kỳ sinh hoạt sau.";

/// One of this worker's cells that `has` what the operation needs.
fn owned_cell(c: &mut Ctx, has: impl Fn(&crate::week::CellWeek) -> bool) -> Option<usize> {
    let cells: Vec<usize> = (0..c.week.len()).filter(|&k| has(&c.week[k])).collect();
    cells.choose(&mut c.rng).copied()
}

/// A number from a JSON answer.
fn field(reply: &crate::Reply, key: &str) -> Option<i64> {
    let (_, body) = reply.as_ref().ok()?;
    serde_json::from_slice::<serde_json::Value>(body).ok()?[key].as_i64()
}

/// The secretary's dashboard of their cell (charts, tasks, attendance).
pub(super) async fn dashboard_secretary(c: &mut Ctx) {
    let world = c.world.clone();
    let Some(s) = super::pick(c, Role::Secretary) else {
        return;
    };
    let session = &world.sessions[s];
    let _ = c
        .send(
            "dashboard_secretary",
            Method::GET,
            &format!("/dashboard?unit={}", session.unit),
            Auth::Session(session),
            None,
            StatusCode::OK,
        )
        .await;
}

/// One tap of the roll-call: present, or excused with a reason.
pub(super) async fn roll_call(c: &mut Ctx) {
    let Some(k) = owned_cell(c, |w| !w.roll.is_empty()) else {
        return;
    };
    let w = &c.week[k];
    let (meeting, secretary) = (w.meeting, w.secretary);
    let Some(&member) = w.roll.choose(&mut c.rng) else {
        return;
    };
    let body = if c.rng.random_bool(0.8) {
        json!({"presence": "co_mat"})
    } else {
        json!({"presence": "vang_co_ly_do", "reason": "Đi công tác"})
    };
    let world = c.world.clone();
    let _ = c
        .send(
            "roll_call",
            Method::PUT,
            &format!("/api/v1/meetings/{meeting}/attendance/{member}"),
            Auth::Session(&world.sessions[secretary]),
            Some(Body::Json(body)),
            StatusCode::OK,
        )
        .await;
}

/// An autosave of one agenda item's minutes, from the version last saved.
pub(super) async fn minutes_autosave(c: &mut Ctx) {
    let Some(k) = owned_cell(c, |w| !w.items.is_empty()) else {
        return;
    };
    let j = c.rng.random_range(0..c.week[k].items.len());
    let (item, version) = c.week[k].items[j];
    let (meeting, secretary) = (c.week[k].meeting, c.week[k].secretary);
    // Different each time: the server keeps the version of unchanged text.
    let text = format!(
        "{MINUTES} (bản lưu {}, {})",
        c.counter,
        chrono::Utc::now().timestamp_micros()
    );
    let world = c.world.clone();
    let r = c
        .send(
            "minutes_autosave",
            Method::PUT,
            &format!("/api/v1/meetings/{meeting}/minutes/{item}"),
            Auth::Session(&world.sessions[secretary]),
            Some(Body::Json(json!({"text": text, "version": version}))),
            StatusCode::OK,
        )
        .await;
    match field(&r, "version") {
        Some(v) => c.week[k].items[j].1 = v,
        // A refused save would refuse every later one: leave the item alone
        // (the error is counted).
        None => {
            c.week[k].items.remove(j);
        }
    }
}

/// A member's own vote in their cell's open named vote. When every voter of
/// the cell has cast, the secretary closes it and opens the next one first
/// (`vote_close`, `vote_open`): a member votes once per vote.
pub(super) async fn vote_cast(c: &mut Ctx) {
    let Some(k) = owned_cell(c, |w| !w.voters.is_empty()) else {
        return;
    };
    let w = &mut c.week[k];
    if w.vote.is_none() || w.cast.len() >= w.voters.len() {
        let (meeting, secretary, old) = (w.meeting, w.secretary, w.vote.take());
        w.cast.clear();
        c.week[k].vote = next_vote(c, meeting, secretary, old).await;
    }
    let w = &mut c.week[k];
    let Some(vote) = w.vote else { return };
    let Some(&voter) = w.voters.iter().find(|v| !w.cast.contains(v)) else {
        return;
    };
    w.cast.push(voter);
    let meeting = w.meeting;
    let choice = if c.rng.random_bool(0.9) {
        "tan_thanh"
    } else {
        "khong_tan_thanh"
    };
    let world = c.world.clone();
    let _ = c
        .send(
            "vote_cast",
            Method::POST,
            &format!("/api/v1/meetings/{meeting}/votes/{vote}/cast"),
            Auth::Session(&world.sessions[voter]),
            Some(Body::Json(json!({"choice": choice}))),
            StatusCode::NO_CONTENT,
        )
        .await;
}

/// Closes `old` (if any) and opens the meeting's next named vote, as its
/// secretary (`vote_close`, `vote_open`); the new vote, unless refused.
pub(crate) async fn next_vote(
    c: &mut Ctx,
    meeting: i64,
    secretary: usize,
    old: Option<i64>,
) -> Option<i64> {
    let world = c.world.clone();
    let s = Auth::Session(&world.sessions[secretary]);
    if let Some(old) = old {
        let _ = c
            .send(
                "vote_close",
                Method::POST,
                &format!("/api/v1/meetings/{meeting}/votes/{old}/close"),
                s,
                None,
                StatusCode::NO_CONTENT,
            )
            .await;
    }
    let body = json!({
        "kind": "nghi_quyet",
        "mode": "named",
        "subject": format!("Thông qua nghị quyết (lần {})", c.counter),
    });
    let r = c
        .send(
            "vote_open",
            Method::POST,
            &format!("/api/v1/meetings/{meeting}/votes"),
            s,
            Some(Body::Json(body)),
            StatusCode::CREATED,
        )
        .await;
    field(&r, "id")
}

/// A member's progress report on the task they lead, from its version.
pub(super) async fn task_progress(c: &mut Ctx) {
    let Some(k) = owned_cell(c, |w| !w.tasks.is_empty()) else {
        return;
    };
    let j = c.rng.random_range(0..c.week[k].tasks.len());
    let t = c.week[k].tasks[j].clone();
    let pct = c.rng.random_range(10..=90);
    let body = json!({
        "version": t.version,
        "status": "dang_thuc_hien",
        "progress": pct,
        "note": format!("Đã triển khai, đạt khoảng {pct}% (báo cáo {})", c.counter),
    });
    let world = c.world.clone();
    let r = c
        .send(
            "task_progress",
            Method::POST,
            &format!("/api/v1/tasks/{}/progress", t.id),
            Auth::Session(&world.sessions[t.session]),
            Some(Body::Json(body)),
            StatusCode::OK,
        )
        .await;
    match field(&r, "version") {
        Some(v) => c.week[k].tasks[j].version = v,
        // As with the minutes: a stale version stays stale.
        None => {
            c.week[k].tasks.remove(j);
        }
    }
}
