//! The meetings' roll-call counts (`meeting_roll_count`, issue 18 item 5)
//! are kept in the same transaction as every write to the attendance rows:
//! after the demo's bulk history, an import, a roll drawn up at the notice
//! and again at the opening (members who joined the cell in between join
//! the roll), a member leaving the cell, marks made, changed, "everyone
//! present" and a member leaving early, the counts equal a recount of the
//! rows, and the upper committee's table shows what the rows say.

use crate::import::{confirm, review, secretary_sheet, upload};
use crate::support::{Backend, TestApp};
use chibo_server::model::Status;
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Per meeting or per cell: the key, marked, present, excused, unexcused.
type Counts = Vec<(i64, i64, i64, i64, i64)>;

/// The counts as kept.
const KEPT: &str = "SELECT meeting_id, marked, present, excused, unexcused FROM meeting_roll_count \
     ORDER BY meeting_id";

/// The counts recounted from the attendance rows, the way the table read
/// them before the aggregate: every meeting with a roll.
const RECOUNT: &str = "SELECT meeting_id, COUNT(presence), \
     COALESCE(SUM(CASE WHEN presence = 'co_mat' THEN 1 ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN presence = 'vang_co_ly_do' THEN 1 ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN presence = 'vang_khong_ly_do' THEN 1 ELSE 0 END), 0) \
     FROM attendance GROUP BY meeting_id ORDER BY meeting_id";

/// Each cell's roll-calls at its closed meetings, from the attendance rows.
const BY_CELL: &str = "SELECT m.cell_id, COUNT(a.presence), \
     COALESCE(SUM(CASE WHEN a.presence = 'co_mat' THEN 1 ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN a.presence = 'vang_co_ly_do' THEN 1 ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN a.presence = 'vang_khong_ly_do' THEN 1 ELSE 0 END), 0) \
     FROM attendance a JOIN meeting m ON m.id = a.meeting_id WHERE m.status = 'closed' \
     GROUP BY m.cell_id ORDER BY m.cell_id";

/// Runs a query on the backend itself, behind chibo's back.
async fn counts(app: &TestApp, b: Backend, sql: &'static str) -> Counts {
    use sqlx::Connection;
    match b {
        Backend::Postgres => {
            let url = app.database_url.clone().expect("a PostgreSQL URL");
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
        Backend::Sqlite => {
            let store::Db::Sqlite { read, .. } = &app.services.db else {
                panic!("sqlite");
            };
            sqlx::query_as(sql).fetch_all(read).await.unwrap()
        }
    }
}

async fn assert_kept(app: &TestApp, b: Backend, after: &str) {
    let kept = counts(app, b, KEPT).await;
    assert_eq!(kept, counts(app, b, RECOUNT).await, "{b:?}: after {after}");
    assert!(!kept.is_empty(), "{b:?}: after {after}");
}

async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let res = TestApp::client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[db_test]
async fn roll_counts_equal_a_recount_after_every_kind_of_write(b: Backend) {
    let app = TestApp::with_history(b, 3).await;
    assert_kept(&app, b, "the demo's history").await;

    let cell = app.cell_ids().await[0];
    let token = app.token_for("bithu").await;
    let post = |path: String, body: Value| {
        let (app, token) = (&app, token.clone());
        async move { call(app, &token, reqwest::Method::POST, &path, body).await }
    };
    let put = |path: String, body: Value| {
        let (app, token) = (&app, token.clone());
        async move { call(app, &token, reqwest::Method::PUT, &path, body).await }
    };
    let day = (app.today() + Duration::days(7))
        .format("%d/%m/%Y")
        .to_string();
    let id = post(
        "/api/v1/meetings".into(),
        json!({"cell_id": cell, "kind": "thuong_ky", "date": day, "time": "19:30",
               "place": "Nhà văn hóa khu phố 1"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The notice draws up the roll.
    post(
        format!("/api/v1/meetings/{id}/steps"),
        json!({"action": "notice"}),
    )
    .await;
    assert_kept(&app, b, "the notice").await;
    let roll = |app: &TestApp| {
        let db = app.services.db.clone();
        async move {
            db.read(async |r| store::meetings::roll(r, id).await)
                .await
                .unwrap()
        }
    };
    let first = roll(&app).await;

    // Three members imported into the cell join the roll at the opening;
    // one on it leaves the cell (their row stays, as it was drawn up).
    let (c, csrf) = app.login("bithu").await;
    let (status, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "danh-sach.xlsx",
        secretary_sheet(false),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b:?}");
    let (_, page) = review(&app, &c, &csrf, &page, &[("confirm_status", "1")]).await;
    let res = confirm(&app, &c, &page).await;
    assert!(res.status().is_redirection(), "{b:?}: {}", res.status());
    assert_kept(&app, b, "the import").await;
    let bithu = app.actor("bithu").await;
    let leaving = first.last().unwrap().member_id;
    app.services
        .add_status(
            &bithu,
            leaving,
            Status::ChuyenDi,
            app.today(),
            None,
            app.now(),
        )
        .await
        .unwrap();
    post(
        format!("/api/v1/meetings/{id}/steps"),
        json!({"action": "open", "reason": "Họp sớm theo chỉ đạo"}),
    )
    .await;
    let all = roll(&app).await;
    assert_eq!(all.len(), first.len() + 3, "{b:?}: the imported joined");
    assert_kept(&app, b, "the opening").await;

    // Marks, a changed mark, everyone present, a member leaving early.
    let (x, y, z) = (all[0].member_id, all[1].member_id, all[2].member_id);
    for (m, presence) in [(x, "vang_co_ly_do"), (y, "vang_khong_ly_do"), (z, "co_mat")] {
        put(
            format!("/api/v1/meetings/{id}/attendance/{m}"),
            json!({"presence": presence, "reason": "Ốm"}),
        )
        .await;
    }
    assert_kept(&app, b, "three marks").await;
    put(
        format!("/api/v1/meetings/{id}/attendance/{y}"),
        json!({"presence": "co_mat"}),
    )
    .await;
    assert_kept(&app, b, "a changed mark").await;
    let marked = app
        .services
        .mark_all_present(&bithu, id, app.now())
        .await
        .unwrap();
    assert!(marked > 0, "{b:?}");
    app.services
        .mark_left(&bithu, id, z, app.now())
        .await
        .unwrap();
    assert_kept(&app, b, "everyone present and a member leaving").await;
    post(
        format!("/api/v1/meetings/{id}/steps"),
        json!({"action": "close", "reason": "Ghi lại sau buổi sinh hoạt"}),
    )
    .await;
    assert_kept(&app, b, "the closing").await;
    let kept = counts(&app, b, KEPT).await;
    let mine = kept
        .iter()
        .find(|k| k.0 == id)
        .expect("the meeting's counts");
    // Everyone expected in the room is marked (x, y and z by hand too).
    let expected = all
        .iter()
        .filter(|e| !e.apart() || [x, y, z].contains(&e.member_id))
        .count();
    assert_eq!(mine.1, i64::try_from(expected).unwrap(), "{b:?}: {mine:?}");
    assert_eq!((mine.3, mine.4), (1, 0), "{b:?}: {mine:?}");

    // The upper committee's table shows each cell's roll-calls as the rows say.
    let upper = app.actor("dangbo").await;
    let unit = upper.primary().and_then(|g| g.org_id).expect("a unit");
    let table = call(
        &app,
        &app.token_for("dangbo").await,
        reqwest::Method::GET,
        &format!("/api/v1/units/{unit}/cell-table?period=nam&year=2026"),
        Value::Null,
    )
    .await;
    let mut shown: Counts = table["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["presence"]["marked"].as_i64() > Some(0))
        .map(|l| {
            let p = &l["presence"];
            let n = |k: &str| p[k].as_i64().unwrap();
            (
                l["id"].as_i64().unwrap(),
                n("marked"),
                n("present"),
                n("excused"),
                n("unexcused"),
            )
        })
        .collect();
    shown.sort();
    let rows = counts(&app, b, BY_CELL).await;
    assert_eq!(shown, rows, "{b:?}");
    assert_eq!(rows.len(), 3, "{b:?}: every cell held meetings");
}
