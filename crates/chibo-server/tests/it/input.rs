//! Text with a control character (a NUL, a SUB) is refused where it enters —
//! JSON body, form, multipart form, query string — with a message naming the
//! field, and nothing is written. PostgreSQL cannot store a NUL at all: before
//! this, schemathesis found `PUT /meetings/{id}/resolution` answering 500 there.

use crate::ops::call;
use crate::support::{Backend, TestApp, text};
use chibo_test_macros::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn meeting_count(app: &TestApp, token: &str, cell: i64) -> usize {
    let res = TestApp::client()
        .get(app.url(&format!("/api/v1/meetings?cell={cell}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    v.as_array().map_or(0, Vec::len)
}

#[db_test]
async fn a_nul_in_a_json_body_is_refused_by_name_and_nothing_is_written(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = app.token_for("bithu").await;
    let c = TestApp::client();
    let cell = app.cell_ids().await[0];
    let before = meeting_count(&app, &token, cell).await;

    let (s, v) = call(
        &c,
        &token,
        "POST",
        app.url("/api/v1/meetings"),
        json!({"cell_id": cell, "kind": "thuong_ky", "date": app.date_in(5), "time": "19:30",
               "place": "Nhà văn\u{0}hóa"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b:?}: {v}");
    assert_eq!(v["code"], "invalid", "{v}");
    assert_eq!(v["problems"][0]["code"], "text.control_char", "{v}");
    let message = v["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("“place (U+0000)”") && message.contains("chưa có gì được lưu"),
        "{message}"
    );
    assert_eq!(meeting_count(&app, &token, cell).await, before, "{b:?}");

    // The very request schemathesis sent: a SUB and a NUL in the subject.
    let (s, v) = call(
        &c,
        &token,
        "PUT",
        app.url("/api/v1/meetings/1/resolution"),
        json!({"subject": "\u{1a},o\u{19}x\u{0}", "tasks": "Tiếp tục thực hiện."}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b:?}: {v}");
    assert_eq!(v["problems"][0]["code"], "text.control_char", "{v}");
}

#[db_test]
async fn a_nul_in_a_form_or_a_query_is_refused_with_a_vietnamese_message(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = app.token_for("bithu").await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = meeting_count(&app, &token, cell).await;
    let date = app.date_in(5);
    let res = app
        .post(
            &c,
            &format!("/meetings/new?cell={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "thuong_ky"),
                ("date", &date),
                ("time", "19:30"),
                ("place", "Nhà văn hóa\u{0}"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    let page = text(&res.text().await.unwrap());
    assert!(page.contains("ký tự điều khiển"), "{page}");
    assert!(page.contains("place"), "{page}");
    assert_eq!(meeting_count(&app, &token, cell).await, before, "{b:?}");

    // A form without its CSRF token is refused for that first.
    let res = app
        .post(
            &c,
            &format!("/meetings/new?cell={cell}"),
            &[("place", "x\u{0}")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}");

    let res = c.get(app.url("/members?q=nguy%00en")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert!(text(&res.text().await.unwrap()).contains("ký tự điều khiển"));

    let res = TestApp::client()
        .get(app.url("/api/v1/members?q=%00"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["problems"][0]["code"], "text.control_char", "{v}");

    // Line breaks and tabs are text, not controls: a multi-line search passes.
    let res = c
        .get(app.url("/members?q=nguy%E1%BB%85n%0A"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b:?}");
}
