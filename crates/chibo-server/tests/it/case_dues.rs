//! Each open case's earliest deadline (`case_file.due_on`) and each cell's
//! count of them by date (`case_due_count`), issue 18 item 5, are kept in
//! the same transaction as every write that can move them: after the demo's
//! cases, a case opened, steps recorded, a deadline extended, a case closed
//! and a recognition opened by an admission, every kept date equals the one
//! the case's own page computes through the rule packs (the path the upper
//! table counted from before), every count equals a recount of the rows, and
//! the upper table's "hồ sơ quá hạn" equals the late cases of the list as
//! the days pass. The start-up pass fills them after the migration and
//! again when the packs differ, once.

use crate::support::{Backend, TestApp};
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

/// Runs a query on the backend itself, behind chibo's back.
async fn rows<T>(app: &TestApp, b: Backend, sql: &'static str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + Send
        + Unpin,
{
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

type Dates = Vec<(i64, Option<NaiveDate>)>;
type Counts = Vec<(i64, NaiveDate, i64)>;

/// The deadlines as kept, of the cases the general lists show.
const KEPT: &str = "SELECT id, due_on FROM case_file WHERE closed_on IS NULL AND kind <> 'ky_luat' \
     ORDER BY id";
const KEPT_COUNTS: &str =
    "SELECT cell_id, due_on, cases FROM case_due_count ORDER BY cell_id, due_on";
const RECOUNT: &str = "SELECT cell_id, due_on, COUNT(*) FROM case_file \
     WHERE closed_on IS NULL AND due_on IS NOT NULL AND kind <> 'ky_luat' \
     GROUP BY cell_id, due_on ORDER BY cell_id, due_on";

async fn call(app: &TestApp, login: &str, post: Option<Value>, path: &str) -> Value {
    let c = TestApp::client();
    let req = match &post {
        Some(body) => c.post(app.url(path)).json(body),
        None => c.get(app.url(path)),
    };
    let res = req
        .bearer_auth(app.token_for(login).await)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The upper committee's unit in the demo.
async fn upper_unit(app: &TestApp) -> i64 {
    app.actor("dangbo")
        .await
        .primary()
        .and_then(|g| g.org_id)
        .expect("a unit")
}

/// The open cases as their pages compute them: id and earliest deadline.
async fn computed(app: &TestApp, unit: i64) -> (Dates, Vec<Value>) {
    let list = call(app, "dangbo", None, &format!("/api/v1/cases?unit={unit}")).await;
    let list = list.as_array().unwrap().clone();
    let mut dates: Dates = list
        .iter()
        .map(|c| {
            let due = c["next_due"]["date"]
                .as_str()
                .map(|d| d.parse::<NaiveDate>().unwrap());
            (c["id"].as_i64().unwrap(), due)
        })
        .collect();
    dates.sort();
    (dates, list)
}

async fn assert_kept(app: &TestApp, b: Backend, after: &str) -> Vec<Value> {
    let unit = upper_unit(app).await;
    let (dates, list) = computed(app, unit).await;
    let kept: Dates = rows(app, b, KEPT).await;
    assert_eq!(kept, dates, "{b:?}: after {after}");
    assert!(
        kept.iter().any(|k| k.1.is_some()),
        "{b:?}: after {after}: {kept:?}"
    );
    let counts: Counts = rows(app, b, KEPT_COUNTS).await;
    assert_eq!(
        counts,
        rows::<(i64, NaiveDate, i64)>(app, b, RECOUNT).await,
        "{b:?}: after {after}"
    );
    // The table's "hồ sơ quá hạn" is the list's late cases, cell by cell.
    let table = call(
        app,
        "dangbo",
        None,
        &format!("/api/v1/units/{unit}/cell-table"),
    )
    .await;
    for line in table["lines"].as_array().unwrap() {
        let late = list
            .iter()
            .filter(|c| c["cell_id"] == line["id"] && c["next_due"]["urgency"] == "late")
            .count();
        assert_eq!(
            line["cases_overdue"],
            json!(late),
            "{b:?}: after {after}: {line}"
        );
    }
    list
}

#[db_test]
async fn kept_deadlines_equal_the_cases_own_after_every_kind_of_write(b: Backend) {
    let app = TestApp::demo(b).await;
    app.services.generate_demo_cases(app.now()).await.unwrap();
    let list = assert_kept(&app, b, "the demo's cases").await;
    let cell = app.cell_ids().await[0];

    // A case opened, then its first steps.
    let case = call(
        &app,
        "bithu",
        Some(json!({"kind": "ket_nap", "cell_id": cell, "candidate": {
            "full_name": "Lê Thị Hồng", "date_of_birth": "12/03/1998", "sex": "nu",
            "residence": "Tổ 3, khu phố 1"}})),
        "/api/v1/cases",
    )
    .await;
    let id = case["id"].as_i64().unwrap();
    assert_kept(&app, b, "a case opened").await;
    let d = app.date_in(0);
    for (step, forms) in [
        ("bdnt", json!(["CN-NTVĐ"])),
        ("don_xin_vao_dang", json!(["1-KNĐ"])),
    ] {
        call(
            &app,
            "bithu",
            Some(json!({"step": step, "date": d, "forms": forms})),
            &format!("/api/v1/cases/{id}/steps"),
        )
        .await;
        assert_kept(&app, b, step).await;
    }

    // A deadline the upper committee extends moves the case's date.
    let waiting = list
        .iter()
        .find(|c| {
            c["steps"].as_array().unwrap().iter().any(|s| {
                ["quyet_dinh_ket_nap", "quyet_dinh_cong_nhan"]
                    .contains(&s["code"].as_str().unwrap())
                    && s["state"] != "done"
                    && s["due"].is_object()
                    && s["due"]["extended"] == false
            })
        })
        .expect("a case waiting for the upper committee's decision");
    let step = waiting["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            ["quyet_dinh_ket_nap", "quyet_dinh_cong_nhan"].contains(&s["code"].as_str().unwrap())
                && s["due"].is_object()
        })
        .unwrap();
    let before: Dates = rows(&app, b, KEPT).await;
    let wid = waiting["id"].as_i64().unwrap();
    call(
        &app,
        "dangbo",
        Some(json!({"action": "extend", "step": step["code"], "text": "Chờ xác minh lý lịch"})),
        &format!("/api/v1/cases/{wid}/decisions"),
    )
    .await;
    let after: Dates = rows(&app, b, KEPT).await;
    let moved = |d: &Dates| d.iter().find(|k| k.0 == wid).unwrap().1;
    assert!(
        moved(&after) > moved(&before),
        "{b:?}: {before:?} {after:?}"
    );
    assert_kept(&app, b, "a deadline extended").await;

    // A case closed leaves its cell's count.
    let version =
        call(&app, "bithu", None, &format!("/api/v1/cases/{id}")).await["version"].clone();
    call(
        &app,
        "bithu",
        Some(
            json!({"version": version, "outcome": "rut_ho_so", "date": "",
                    "reason": "Quần chúng xin rút hồ sơ"}),
        ),
        &format!("/api/v1/cases/{id}/close"),
    )
    .await;
    let closed: Vec<(i64, Option<NaiveDate>)> = rows(
        &app,
        b,
        "SELECT id, due_on FROM case_file WHERE closed_on IS NOT NULL ORDER BY id",
    )
    .await;
    assert!(closed.iter().any(|c| c.0 == id), "{b:?}");
    assert!(closed.iter().all(|c| c.1.is_none()), "{b:?}: {closed:?}");
    assert_kept(&app, b, "a case closed").await;

    // The days pass: the kept dates stay, the late ones are counted anew.
    let kept: Dates = rows(&app, b, KEPT).await;
    app.clock.advance(Duration::days(75));
    assert_kept(&app, b, "75 days later").await;
    assert_eq!(
        rows::<(i64, Option<NaiveDate>)>(&app, b, KEPT).await,
        kept,
        "{b:?}"
    );
}

#[db_test]
async fn the_start_up_pass_fills_the_deadlines_once_and_again_for_other_packs(b: Backend) {
    let app = TestApp::demo(b).await;
    app.services.generate_demo_cases(app.now()).await.unwrap();
    let kept: Dates = rows(&app, b, KEPT).await;
    // Nothing to do with the same packs.
    assert_eq!(app.services.keep_case_dues(app.now()).await.unwrap(), 0);
    // As right after migration 0028: no date, no count, no basis.
    app.tamper("UPDATE case_file SET due_on = NULL".into())
        .await;
    app.tamper("DELETE FROM case_due_count".into()).await;
    app.tamper("DELETE FROM kept_basis".into()).await;
    let filled = app.services.keep_case_dues(app.now()).await.unwrap();
    assert_eq!(
        filled,
        kept.iter().filter(|k| k.1.is_some()).count(),
        "{b:?}"
    );
    assert_kept(&app, b, "the start-up pass").await;
    assert_eq!(
        rows::<(i64, Option<NaiveDate>)>(&app, b, KEPT).await,
        kept,
        "{b:?}"
    );
    let audited: Vec<(String, String)> = rows(
        &app,
        b,
        "SELECT actor, summary FROM audit WHERE action = 'case.deadlines_kept'",
    )
    .await;
    assert_eq!(audited.len(), 1, "{b:?}: {audited:?}");
    assert!(
        audited[0].1.contains(&format!("\"cases\":{filled}")),
        "{audited:?}"
    );
    // Idempotent; other packs recompute every date (the same here) and say
    // which packs they were kept with.
    assert_eq!(app.services.keep_case_dues(app.now()).await.unwrap(), 0);
    app.tamper("UPDATE kept_basis SET fingerprint = 'other packs'".into())
        .await;
    assert_eq!(app.services.keep_case_dues(app.now()).await.unwrap(), 0);
    let basis: Vec<(String,)> = rows(&app, b, "SELECT fingerprint FROM kept_basis").await;
    assert_eq!(basis.len(), 1, "{b:?}");
    assert_ne!(basis[0].0, "other packs", "{b:?}");
    assert_kept(&app, b, "other packs").await;
}
