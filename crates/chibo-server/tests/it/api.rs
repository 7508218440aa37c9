use crate::support::{Backend, TestApp};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn token_for(app: &TestApp, login: &str) -> String {
    let a = app
        .services
        .db
        .read(async |r| store::accounts::by_login(r, login).await)
        .await
        .unwrap()
        .unwrap();
    app.services
        .issue_api_token(a.id, "test", app.now())
        .await
        .unwrap()
}

#[db_test]
async fn members_through_the_api_with_a_bearer_token(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = token_for(&app, "bithu").await;
    let c = TestApp::client();
    let cell = app.cell_ids().await[0];

    let anon = c.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anon.json::<Value>().await.unwrap()["code"], "unauthorized");

    let me: Value = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["login"], "bithu", "{b:?}");

    let bad = c
        .post(app.url("/api/v1/members"))
        .bearer_auth(&token)
        .json(&json!({"cell_id": cell, "full_name": "Võ Thị Sáu", "card_no": "12345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "invalid");
    assert_eq!(body["problems"][0]["field"], "card_no");
    assert!(
        body["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("12 chữ số")
    );

    let created = c
        .post(app.url("/api/v1/members"))
        .bearer_auth(&token)
        .json(&json!({"cell_id": cell, "full_name": "Võ Thị Sáu", "card_no": "079000999001", "date_of_birth": "1952-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED, "{b:?}");
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();

    let found: Value = c
        .get(app.url(&format!("/api/v1/members?unit={cell}&q=vo thi sau")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1, "{b:?}: {found}");
    assert_eq!(found["members"][0]["id"], id);

    let record: Value = c
        .get(app.url(&format!("/api/v1/members/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(record["member"]["full_name"], "Võ Thị Sáu");
    let version = record["member"]["version"].as_i64().unwrap();
    let put = c
        .put(app.url(&format!("/api/v1/members/{id}")))
        .bearer_auth(&token)
        .json(&json!({"version": version, "full_name": "Võ Thị Sáu", "card_no": "079000999001", "phone": "0912000111"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT, "{b:?}");
    let stale = c
        .put(app.url(&format!("/api/v1/members/{id}")))
        .bearer_auth(&token)
        .json(&json!({"version": version, "full_name": "Võ Thị Sáu"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT, "{b:?}");

    // Another cell's unit is out of a secretary's reach.
    let other = app.cell_ids().await[1];
    let res = c
        .get(app.url(&format!("/api/v1/members?unit={other}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}");
}

#[db_test]
async fn a_browser_session_needs_its_csrf_header_to_write(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let body = json!({"cell_id": cell, "full_name": "Lý Tự Trọng"});
    let res = c
        .post(app.url("/api/v1/members"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = c
        .post(app.url("/api/v1/members"))
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let doc = chibo_server::web::openapi_json();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &doc).unwrap();
    }
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        saved == doc,
        "the API changed: review it, then run with UPDATE_SNAPSHOTS=1 to accept"
    );
    let app = TestApp::empty(Backend::Sqlite).await;
    let served: Value = TestApp::client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, serde_json::from_str::<Value>(&doc).unwrap());
    assert!(served["paths"]["/api/v1/members"]["get"].is_object());
}

/// The one-query credential lookup still refuses a deactivated account, by
/// session and by API token alike, and still carries the caller's grants.
#[db_test]
async fn a_deactivated_account_loses_its_sessions_and_tokens(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = token_for(&app, "dangvien").await;
    let (c, _) = app.login("dangvien").await;
    let api = reqwest::Client::new();
    let me = api
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK, "{b:?}");
    let me: Value = me.json().await.unwrap();
    assert!(me.to_string().contains("dangvien"), "{b:?}: {me}");
    assert_eq!(
        c.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );

    let (admin, csrf) = app.login("quantri").await;
    let id = app
        .services
        .db
        .read(async |r| store::accounts::by_login(r, "dangvien").await)
        .await
        .unwrap()
        .unwrap()
        .id;
    let res = admin
        .post(app.url(&format!("/users/{id}/active")))
        .form(&[("csrf", csrf.as_str()), ("active", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");

    assert_eq!(
        api.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED,
        "{b:?}: token refused"
    );
    assert_eq!(
        c.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "{b:?}: session ended"
    );
}
