//! The meeting with no connection (issue 12), server side: changes queued
//! on a phone come back as the pages' own requests with a key, are applied
//! once however often they are sent, meet the same rules as online, and
//! the service worker is served from the root.

use crate::meetings::plan;
use crate::support::{Backend, TestApp};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// A planned meeting of the demo's first cell, opened at its hour.
async fn open_meeting(app: &TestApp, c: &Client, csrf: &str) -> i64 {
    let cell = app.cell_ids().await[0];
    let id = plan(c, app, csrf, cell, 1).await;
    let starts = app
        .services
        .db
        .read(async |r| store::meetings::get(r, id).await)
        .await
        .unwrap()
        .unwrap()
        .starts_at;
    app.clock.set(starts);
    let res = app
        .post(c, &format!("/meetings/{id}/open"), &[("csrf", csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    id
}

/// Sends one queued change as the phone does; (status, outcome, message).
async fn send(
    app: &TestApp,
    c: &Client,
    key: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, Value) {
    let res = c
        .post(app.url(path))
        .header("X-Chibo-Change", key)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let outcome = body["outcome"].as_str().unwrap_or_default().to_string();
    (status, outcome, body["message"].clone())
}

#[db_test]
async fn a_change_sent_twice_is_applied_once(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let id = open_meeting(&app, &c, &csrf).await;
    let db = &app.services.db;
    let item = db
        .read(async |r| store::meetings::items(r, id).await)
        .await
        .unwrap()[0]
        .id;
    let roll = db
        .read(async |r| store::meetings::roll(r, id).await)
        .await
        .unwrap();
    let member = roll[0].member_id;
    let speech = [
        ("csrf", csrf.as_str()),
        ("item_id", &item.to_string()),
        ("member_id", &member.to_string()),
        ("body", "Đề nghị chi bộ vận động bà con giữ vệ sinh chung."),
    ];
    let path = format!("/meetings/{id}/speeches");
    let key = "5d1b7c7e-1f43-4b7a-9d1e-2f6c0a1b2c3d";
    let first = send(&app, &c, key, &path, &speech).await;
    assert_eq!((first.0, first.1.as_str()), (StatusCode::OK, "applied"));
    // The answer was lost; the phone sends the same change again.
    let again = send(&app, &c, key, &path, &speech).await;
    assert_eq!((again.0, again.1.as_str()), (StatusCode::OK, "seen"));
    let speeches = db
        .read(async |r| store::meetings::speeches(r, id).await)
        .await
        .unwrap();
    assert_eq!(speeches.len(), 1, "{b:?}: one speech, sent twice");

    // "Everyone present", a roll-call exception and a counted vote, each
    // sent twice.
    let all = format!("/meetings/{id}/roll/all");
    for expected in ["applied", "seen"] {
        let r = send(
            &app,
            &c,
            "all-0001-0002-0003",
            &all,
            &[("csrf", csrf.as_str())],
        )
        .await;
        assert_eq!(r.1, expected, "{b:?}");
    }
    let mark = [
        ("csrf", csrf.as_str()),
        ("presence", "vang_co_ly_do"),
        ("reason", "Đi công tác"),
    ];
    let mark_path = format!("/meetings/{id}/roll/{member}");
    for expected in ["applied", "seen"] {
        let r = send(&app, &c, "roll-0001-0002-0003", &mark_path, &mark).await;
        assert_eq!(r.1, expected, "{b:?}");
    }
    let counted = [
        ("csrf", csrf.as_str()),
        ("kind", "nghi_quyet"),
        ("subject", "Thông qua nghị quyết tháng"),
        ("tan_thanh", "3"),
        ("khong_tan_thanh", "0"),
        ("khong_bieu_quyet", "0"),
    ];
    let vote_path = format!("/meetings/{id}/votes/counted");
    for expected in ["applied", "seen"] {
        let r = send(&app, &c, "vote-0001-0002-0003", &vote_path, &counted).await;
        assert_eq!(r.1, expected, "{b:?}: {:?}", r.2);
    }
    let votes = db
        .read(async |r| store::meetings::votes(r, id).await)
        .await
        .unwrap();
    assert_eq!(votes.len(), 1, "{b:?}: one vote, sent twice");
    assert_eq!(
        (votes[0].status.as_str(), votes[0].tan_thanh),
        ("closed", 3),
        "{b:?}"
    );
    let roll = db
        .read(async |r| store::meetings::roll(r, id).await)
        .await
        .unwrap();
    let marked = roll.iter().find(|r| r.member_id == member).unwrap();
    assert_eq!(
        (marked.presence.as_deref(), marked.reason.as_deref()),
        (Some("vang_co_ly_do"), Some("Đi công tác"))
    );
    // The receipt was kept with the change.
    assert!(
        db.read(async |r| store::receipts::received(r, key).await)
            .await
            .unwrap()
    );
}

#[db_test]
async fn a_minutes_edit_made_offline_from_an_older_version_is_a_conflict(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let id = open_meeting(&app, &c, &csrf).await;
    let db = &app.services.db;
    let item = db
        .read(async |r| store::meetings::items(r, id).await)
        .await
        .unwrap()[0]
        .clone();
    let path = format!("/meetings/{id}/minutes/{}", item.id);
    let version = item.minutes_version.to_string();
    // Online, someone else saves the section first.
    let res = app
        .post(
            &c,
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("text", "Bản của đồng chí Phó bí thư."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The phone's edit, made offline from the version before, comes back.
    let (status, outcome, message) = send(
        &app,
        &c,
        "minutes-0001-0002-0003",
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("text", "Bản gõ khi mất mạng."),
        ],
    )
    .await;
    assert_eq!(
        (status, outcome.as_str()),
        (StatusCode::CONFLICT, "conflict")
    );
    assert!(
        message
            .as_str()
            .unwrap_or_default()
            .contains("vừa được người khác sửa"),
        "{message}"
    );
    let now = db
        .read(async |r| store::meetings::items(r, id).await)
        .await
        .unwrap()[0]
        .minutes
        .clone();
    assert_eq!(
        now, "Bản của đồng chí Phó bí thư.",
        "{b:?}: never overwritten"
    );
    // Made from the version the server holds, it is applied.
    let current = (item.minutes_version + 1).to_string();
    let (_, outcome, _) = send(
        &app,
        &c,
        "minutes-0004-0005-0006",
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("version", current.as_str()),
            ("text", "Bản của đồng chí Phó bí thư. Bổ sung khi mất mạng."),
        ],
    )
    .await;
    assert_eq!(outcome, "applied", "{b:?}");
}

#[db_test]
async fn a_change_the_rules_refuse_says_why_and_a_bad_key_is_refused(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let id = open_meeting(&app, &c, &csrf).await;
    let counted = [
        ("csrf", csrf.as_str()),
        ("kind", "nghi_quyet"),
        ("subject", "Thông qua nghị quyết tháng"),
        ("tan_thanh", "900"),
        ("khong_tan_thanh", "0"),
        ("khong_bieu_quyet", "0"),
    ];
    let path = format!("/meetings/{id}/votes/counted");
    let (status, outcome, message) = send(&app, &c, "vote-too-many-0001", &path, &counted).await;
    assert_eq!(
        (status, outcome.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "refused")
    );
    assert!(message.as_str().is_some_and(|m| !m.is_empty()), "{message}");
    let res = c
        .post(app.url(&path))
        .header("X-Chibo-Change", "short")
        .form(&counted)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Without a session the change stays on the phone until a new login.
    let (status, outcome, _) = send(
        &app,
        &TestApp::client(),
        "nologin-0001-0002",
        &path,
        &counted,
    )
    .await;
    assert_eq!(
        (status, outcome.as_str()),
        (StatusCode::UNAUTHORIZED, "login")
    );
}

#[db_test]
async fn the_service_worker_is_served_from_the_root_with_the_shell(b: Backend) {
    let app = TestApp::empty(b).await;
    let c = TestApp::client();
    let res = c.get(app.url("/sw.js")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(h["cache-control"], "no-cache");
    let body = res.text().await.unwrap();
    let login = app.html(&c, "/login").await;
    let css = login
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|u| u.ends_with(".css")))
        .unwrap();
    assert!(
        body.contains(css),
        "the shell names this build's assets: {css}"
    );
    assert!(!body.contains("__SHELL__") && !body.contains("__VERSION__"));
}

/// The bytes a response sends, compressed as a browser asks for it.
async fn gzip_bytes(app: &TestApp, c: &Client, path: &str) -> usize {
    let res = c
        .get(app.url(path))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.bytes().await.unwrap().len()
}

/// Every core page weighs at most 50 KB on a first visit, compressed as
/// sent: the page, its stylesheet, scripts and icon, the service worker,
/// and for a meeting's pages the other pages kept for the hall with no
/// signal. Prints the figures.
#[db_test]
async fn every_core_page_weighs_at_most_50_kb_on_a_first_visit(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let id = open_meeting(&app, &c, &csrf).await;
    // A client that keeps the compressed bytes as they came.
    let c = Client::builder()
        .cookie_store(true)
        .no_gzip()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let status = app
        .try_login(&c, "bithu", chibo_server::service::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cell = app.cell_ids().await[0];
    let member = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()[0]
        .id;
    let meeting = format!("/meetings/{id}");
    let kept = [
        meeting.clone(),
        format!("{meeting}/roll"),
        format!("{meeting}/minutes"),
        format!("{meeting}/votes"),
    ];
    let pages = [
        "/".to_string(),
        format!("/meetings?unit={cell}"),
        kept[0].clone(),
        kept[1].clone(),
        kept[2].clone(),
        kept[3].clone(),
        "/tasks".into(),
        "/members".into(),
        format!("/members/{member}"),
        format!("/dashboard?unit={cell}"),
        "/cases".into(),
        "/concerns".into(),
    ];
    let html = app.html(&c, "/").await;
    let mut shell = 0;
    for asset in html.split('"').filter(|s| s.starts_with("/assets/")) {
        shell += gzip_bytes(&app, &c, asset).await;
    }
    shell += gzip_bytes(&app, &c, "/sw.js").await;
    for path in &pages {
        let page = gzip_bytes(&app, &c, path).await;
        let mut others = 0;
        if kept.contains(path) {
            for k in kept.iter().filter(|k| *k != path) {
                others += gzip_bytes(&app, &c, k).await;
            }
        }
        let total = page + shell + others;
        eprintln!(
            "{b:?} {path}: page {page} B + shell and service worker {shell} B + meeting pages kept {others} B = {total} B"
        );
        assert!(total <= 50 * 1024, "{b:?} {path}: {total} B");
    }
}
