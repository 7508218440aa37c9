use crate::support::{Backend, TestApp};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[db_test]
async fn members_through_the_api_with_a_bearer_token(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = app.token_for("bithu").await;
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
    let token = app.token_for("dangvien").await;
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

/// The keys of a JSON object in the order sent, repeats included (a
/// `serde_json::Value` would keep only the last of two equal keys).
struct Keys(Vec<String>);

impl<'de> serde::Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Keys, A::Error> {
                let mut keys = vec![];
                while let Some((k, _)) = m.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(k);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(V)
    }
}

/// A request (method, URL, documented path, content type and body) and the
/// status and code it must answer.
type Case<'a> = (
    reqwest::Method,
    String,
    &'a str,
    Option<(&'a str, String)>,
    StatusCode,
    &'a str,
);

/// Whether the OpenAPI document lists `status` for this operation.
fn documented(doc: &Value, method: &str, path: &str, status: StatusCode) -> bool {
    doc["paths"][path][method]["responses"]
        .get(status.as_str())
        .is_some()
}

/// Every refusal of the API is JSON with a stable code, whatever refused it
/// (the router, the body parser, a handler), and its status is in the
/// document for that operation; no object repeats a key; a request that
/// keeps to the document's schema is not refused for its form.
#[db_test]
async fn the_api_answers_as_its_document_says(b: Backend) {
    let app = TestApp::demo(b).await;
    let doc: Value = serde_json::from_str(&chibo_server::web::openapi_json()).unwrap();
    let token = app.token_for("bithu").await;
    let c = TestApp::client();
    let cell = app.cell_ids().await[0];
    let cases: Vec<Case> = vec![
        (
            reqwest::Method::GET,
            "/api/v1/no-such-thing".into(),
            "",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            reqwest::Method::GET,
            "/api/v1/members/abc".into(),
            "/api/v1/members/{id}",
            None,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            reqwest::Method::GET,
            "/api/v1/members/999999".into(),
            "/api/v1/members/{id}",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            reqwest::Method::GET,
            "/api/v1/members?unit=x".into(),
            "/api/v1/members",
            None,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/members".into(),
            "/api/v1/members",
            Some(("text/plain", "{}".into())),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/members".into(),
            "/api/v1/members",
            Some(("application/json", "{".into())),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/members".into(),
            "/api/v1/members",
            Some(("application/json", r#"{"cell_id": "x"}"#.into())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/members".into(),
            "/api/v1/members",
            Some((
                "application/json",
                json!({"cell_id": cell, "full_name": "Lê Văn Mới", "card_no": "12"}).to_string(),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ];
    for (method, url, path, body, want, code) in cases {
        let mut req = c.request(method.clone(), app.url(&url)).bearer_auth(&token);
        if let Some((ct, text)) = body {
            req = req.header("content-type", ct).body(text);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), want, "{b:?}: {method} {url}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{b:?}: {method} {url}"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], code, "{b:?}: {method} {url}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        if !path.is_empty() {
            assert!(
                documented(&doc, &method.as_str().to_lowercase(), path, want),
                "{b:?}: {want} of {method} {path} is not in the document"
            );
        }
    }
    // A wrong method keeps its Allow header and answers JSON too.
    let res = c
        .delete(app.url("/api/v1/members"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{b:?}");
    assert!(res.headers().contains_key("allow"), "{b:?}");
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "method_not_allowed"
    );

    // A schema-valid body with a whole number written as 2.0 is read as 2.
    let member = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()[0]
        .id;
    let res = c
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"cell_id": {cell}.0, "title": "Rà soát hồ sơ", "lead_id": {member}, "deadline": "{}"}}"#,
            (app.today() + chrono::Duration::days(30)).format("%Y-%m-%d")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{b:?}: {}",
        res.text().await.unwrap()
    );
    let task: Value = res.json().await.unwrap();

    // One `progress` key: the percentage; the reports are `updates`.
    let raw = c
        .get(app.url(&format!("/api/v1/tasks/{}", task["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let Keys(keys) = serde_json::from_str(&raw).unwrap();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "{b:?}: a key repeats in {keys:?}");
    assert!(keys.contains(&"progress".to_string()) && keys.contains(&"updates".to_string()));
}
