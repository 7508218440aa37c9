//! The slow writes of issue 18 (item 3) answer what their caller needs: a
//! progress report the report as stored and the task's new state (the whole
//! task with its history only on request, `?view=full`), a roll-call tap the
//! live figures and the member's line counted from the roll it read before
//! the mark, without reading the meeting and its roll again after it.

use crate::support::{Backend, TestApp, queries_of};
use chibo_test_macros::db_test;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Statements of a progress report answering only what it changed, and of a
/// roll-call tap (the token's lookup and the audit append counted): more is
/// a regression. Before issue 18 item 3 they were 21 and 13 (the report
/// read the task's whole history before and after its write, the tap the
/// meeting and its roll again after its commit); one less each since the
/// audit head is taken in one statement.
const REPORT: u32 = 12;
const TAP: u32 = 10;

/// One API call as a bearer: status, statements, answer.
async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, u32, Value) {
    let mut req = TestApp::client()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let n = queries_of(&res);
    let text = res.text().await.expect("body");
    (
        status,
        n,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn report(version: &Value, progress: i64, note: &str) -> Option<Value> {
    Some(
        json!({"version": version, "status": "dang_thuc_hien", "progress": progress, "note": note}),
    )
}

#[db_test]
async fn a_progress_report_answers_what_it_changed_and_the_whole_task_on_request(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let token = app.token_for("bithu").await;
    let lead = app.actor("dangvien").await.member_id.expect("a member");
    let (st, _, task) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/tasks",
        Some(
            json!({"cell_id": cell, "title": "Vận động các hộ đóng góp quỹ khuyến học",
                    "lead_id": lead, "deadline": app.date_in(30)}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{b:?}: {task}");
    let id = task["id"].as_i64().expect("an id");
    let v = task["version"].as_i64().expect("a version");
    let path = format!("/api/v1/tasks/{id}/progress");

    // By default: the report as stored and the task's state after it.
    let note = "Đã họp tổ, phân công đến từng hộ";
    let (st, short, saved) = call(
        &app,
        &token,
        Method::POST,
        &path,
        report(&json!(v), 40, note),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b:?}: {saved}");
    assert_eq!(saved["task_id"], id, "{b:?}: {saved}");
    assert_eq!(saved["version"], v + 1, "{b:?}: {saved}");
    assert_eq!(saved["status"], "dang_thuc_hien", "{b:?}");
    assert_eq!(saved["progress"], 40, "{b:?}");
    assert_eq!(saved["shown"], "dang_thuc_hien", "{b:?}");
    assert_eq!(saved["update"]["note"], note, "{b:?}");
    assert!(
        saved.get("updates").is_none() && saved.get("title").is_none(),
        "{b:?}: no history in the short answer: {saved}"
    );
    // What it answered is what is stored.
    let (_, _, stored) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/tasks/{id}"),
        None,
    )
    .await;
    assert_eq!(stored["version"], saved["version"], "{b:?}");
    assert_eq!(stored["progress"], 40, "{b:?}");
    assert_eq!(stored["updates"][0], saved["update"], "{b:?}");

    // `?view=full`: the whole task with its history, as before.
    let (st, long, full) = call(
        &app,
        &token,
        Method::POST,
        &format!("{path}?view=full"),
        report(&saved["version"], 60, "Đã thu được hai phần ba số hộ"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b:?}: {full}");
    assert_eq!(full["version"], v + 2, "{b:?}");
    assert_eq!(full["title"], task["title"], "{b:?}");
    assert_eq!(full["updates"].as_array().map(Vec::len), Some(2), "{b:?}");
    assert!(full["reviews"].is_array(), "{b:?}: {full}");

    // The short answer does not grow with the history, nor its statements.
    let (st, again, saved) = call(
        &app,
        &token,
        Method::POST,
        &path,
        report(&full["version"], 70, "Còn ba hộ chưa đóng góp"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b:?}: {saved}");
    assert_eq!(saved["version"], v + 3, "{b:?}");
    assert!(saved.get("updates").is_none(), "{b:?}: {saved}");
    assert_eq!(again, short, "{b:?}: statements of the short answer");
    eprintln!("{b:?}: progress report: {short} statements, {long} with ?view=full");
    assert!(short < long, "{b:?}: {short} ≥ {long}");
    assert!(short <= REPORT, "{b:?}: {short} statements > {REPORT}");

    // An unknown view is refused before anything is written.
    let (st, _, refused) = call(
        &app,
        &token,
        Method::POST,
        &format!("{path}?view=everything"),
        report(&saved["version"], 80, "Gần xong"),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b:?}: {refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("everything")),
        "{b:?}: {refused}"
    );
    let (_, _, stored) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/tasks/{id}"),
        None,
    )
    .await;
    assert_eq!(stored["version"], v + 3, "{b:?}: nothing stored");
    assert_eq!(stored["updates"].as_array().map(Vec::len), Some(3), "{b:?}");
}

/// The part of a page from `start` to the first `end` after it.
fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"));
    let to = html[from..].find(end).expect("its end") + from + end.len();
    &html[from..to]
}

#[db_test]
async fn a_roll_call_tap_answers_the_figures_without_reading_the_roll_again(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let token = app.token_for("bithu").await;
    let api = |method: Method, path: String, body: Value| {
        let (app, token) = (&app, token.clone());
        async move {
            let (st, n, v) = call(app, &token, method.clone(), &path, Some(body)).await;
            assert!(st.is_success(), "{b:?}: {method} {path}: {st} {v}");
            (n, v)
        }
    };
    let (_, meeting) = api(
        Method::POST,
        "/api/v1/meetings".into(),
        json!({"cell_id": cell, "kind": "thuong_ky", "date": app.date_in(7), "time": "19:30",
               "place": "Nhà văn hóa khu phố 1"}),
    )
    .await;
    let id = meeting["id"].as_i64().expect("an id");
    for step in [
        json!({"action": "notice"}),
        json!({"action": "open", "reason": "Họp sớm theo chỉ đạo"}),
    ] {
        api(Method::POST, format!("/api/v1/meetings/{id}/steps"), step).await;
    }
    let (_, detail) = api(Method::GET, format!("/api/v1/meetings/{id}"), Value::Null).await;
    let roll: Vec<i64> = detail["roll"]
        .as_array()
        .expect("a roll")
        .iter()
        .filter(|r| r["member_status"] == "chinh_thuc")
        .filter_map(|r| r["member_id"].as_i64())
        .collect();
    let on_roll = detail["roll"].as_array().map_or(0, Vec::len);
    let (x, y, z) = (roll[0], roll[1], roll[2]);

    // The API: the live figures with the mark counted.
    let (tap, panel) = api(
        Method::PUT,
        format!("/api/v1/meetings/{id}/attendance/{x}"),
        json!({"presence": "vang_co_ly_do", "reason": "Ốm"}),
    )
    .await;
    assert_eq!(
        (&panel["excused"], &panel["present"], &panel["unmarked"]),
        (&json!(1), &json!(0), &json!(on_roll - 1)),
        "{b:?}: {panel}"
    );
    let (again, panel) = api(
        Method::PUT,
        format!("/api/v1/meetings/{id}/attendance/{y}"),
        json!({"presence": "co_mat"}),
    )
    .await;
    assert_eq!(
        (&panel["excused"], &panel["present"], &panel["unmarked"]),
        (&json!(1), &json!(1), &json!(on_roll - 2)),
        "{b:?}: {panel}"
    );
    assert_eq!(panel["voters_present"], 1, "{b:?}: {panel}");
    eprintln!("{b:?}: roll-call tap: {tap} statements");
    assert_eq!(again, tap, "{b:?}");
    assert!(tap <= TAP, "{b:?}: {tap} statements > {TAP}");

    // The phone's tap (htmx): the member's line and the figures, the same
    // as the roll page then shows them (the arrival time included).
    let (c, csrf) = app.login("bithu").await;
    let res = c
        .post(app.url(&format!("/meetings/{id}/roll/{z}")))
        .header("hx-request", "true")
        .form(&[
            ("csrf", csrf.as_str()),
            ("presence", "co_mat"),
            ("reason", ""),
        ])
        .send()
        .await
        .expect("tap");
    assert_eq!(res.status(), StatusCode::OK, "{b:?}");
    let fragment = res.text().await.expect("fragment");
    let page = app.html(&c, &format!("/meetings/{id}/roll")).await;
    // The heading of those not expected in the room is translated.
    assert!(
        !page.contains("roll-apart") && page.contains("không tính vào số phải có mặt"),
        "{b:?}: {page}"
    );
    let line = format!("<li id=\"m{z}\"");
    assert!(
        part(&fragment, &line, "</li>").contains("Đến lúc"),
        "{b:?}: {fragment}"
    );
    assert_eq!(
        part(&fragment, &line, "</li>"),
        part(&page, &line, "</li>"),
        "{b:?}"
    );
    assert_eq!(
        part(&fragment, "<section id=\"panel\"", "</section>").replace(" hx-swap-oob=\"true\"", ""),
        part(&page, "<section id=\"panel\"", "</section>"),
        "{b:?}"
    );
}
