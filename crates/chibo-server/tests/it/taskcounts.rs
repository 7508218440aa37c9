//! The cells' kept task counters (`cell_task_count`, issue 18 item 5) are
//! recounted in the same transaction as every write of a task: after the
//! demo's bulk history, tasks assigned by a resolution and as a standing
//! duty, progress reported done and taken back, a task closed and another
//! carried over at a meeting, the counters equal a recount of the rows, and
//! the upper committee's figures derived from them (counters minus the
//! tasks dated after the reading day) equal counting every task, on every
//! reading day around those writes.

use crate::quarter::{Api, close, hold, report, resolve, review};
use crate::support::{Backend, TestApp, epoch};
use chibo_server::store;
use chibo_server::store::stats::Window;
use chibo_test_macros::db_test;
use chrono::NaiveDate;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Per cell: tasks, completed, ended.
type Kept = Vec<(i64, i64, i64, i64)>;

const KEPT: &str = "SELECT cell_id, tasks, completed, ended FROM cell_task_count ORDER BY cell_id";

const RECOUNT: &str = "SELECT cell_id, COUNT(*), COUNT(completed_on), \
     COUNT(CASE WHEN completed_on IS NOT NULL OR closed_on IS NOT NULL THEN 1 END) \
     FROM task GROUP BY cell_id ORDER BY cell_id";

/// The figures as the table counted them before the counters: every task
/// the cells ever had, as it stood on `$2`.
const EVERY_TASK: &str = "SELECT t.cell_id, COUNT(t.id) AS total, \
     COALESCE(SUM(CASE WHEN t.assigned_on >= $1 THEN 1 ELSE 0 END), 0) AS assigned, \
     COALESCE(SUM(CASE WHEN t.completed_on <= $2 THEN 1 ELSE 0 END), 0) AS done, \
     COALESCE(SUM(CASE WHEN t.completed_on >= $1 AND t.completed_on <= $2 THEN 1 ELSE 0 END), 0) AS done_in_period, \
     COALESCE(SUM(CASE WHEN (t.completed_on IS NULL OR t.completed_on > $2) AND (t.closed_on IS NULL OR t.closed_on > $2) \
       AND t.deadline < $2 THEN 1 ELSE 0 END), 0) AS overdue, \
     COALESCE(SUM(CASE WHEN (t.completed_on IS NULL OR t.completed_on > $2) AND (t.closed_on IS NULL OR t.closed_on > $2) \
       THEN 1 ELSE 0 END), 0) AS open \
     FROM task t WHERE t.assigned_on <= $2 GROUP BY t.cell_id ORDER BY t.cell_id";

type Figures = Vec<(i64, i64, i64, i64, i64, i64, i64)>;

async fn kept(app: &TestApp, b: Backend, sql: &'static str) -> Kept {
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

/// Counts every task behind chibo's back, for the period `start..=as_of`.
async fn every_task(app: &TestApp, b: Backend, start: NaiveDate, as_of: NaiveDate) -> Figures {
    use sqlx::Connection;
    match b {
        Backend::Postgres => {
            let url = app.database_url.clone().expect("a PostgreSQL URL");
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query_as(EVERY_TASK)
                .bind(start)
                .bind(as_of)
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
        Backend::Sqlite => {
            let store::Db::Sqlite { read, .. } = &app.services.db else {
                panic!("sqlite");
            };
            sqlx::query_as(EVERY_TASK)
                .bind(start)
                .bind(as_of)
                .fetch_all(read)
                .await
                .unwrap()
        }
    }
}

/// The table's figures for every cell (the paths under "/"), as chibo
/// derives them from the counters.
async fn derived(app: &TestApp, start: NaiveDate, as_of: NaiveDate) -> Figures {
    let w = Window {
        from: epoch(),
        to: epoch(),
        start,
        as_of,
    };
    let mut rows = app
        .services
        .db
        .read(async |r| store::stats::cell_tasks(r, "/", &w).await)
        .await
        .unwrap();
    rows.sort_by_key(|c| c.cell_id);
    rows.into_iter()
        // A cell with nothing assigned by the day was no line of the count.
        .filter(|c| c.t.total > 0)
        .map(|c| {
            let t = c.t;
            (
                c.cell_id,
                t.total,
                t.assigned,
                t.done,
                t.done_in_period,
                t.overdue,
                t.open,
            )
        })
        .collect()
}

/// After a write: the counters equal a recount, and on every reading day
/// around the writes the derived figures equal counting every task.
async fn assert_kept(app: &TestApp, b: Backend, after: &str) {
    let k = kept(app, b, KEPT).await;
    assert_eq!(k, kept(app, b, RECOUNT).await, "{b:?}: after {after}");
    assert!(!k.is_empty(), "{b:?}: after {after}");
    // Days from the app's today (3 December), around the writes below.
    let starts = [-155, -63, -32, -2];
    let days = [-141, -64, -24, -23, -14, -13, -8, -3, 0];
    let day = |d: i64| app.today() + chrono::Duration::days(d);
    for s in starts.map(day) {
        for d in days.map(day).into_iter().filter(|d| *d >= s) {
            assert_eq!(
                derived(app, s, d).await,
                every_task(app, b, s, d).await,
                "{b:?}: after {after}, period {s}..={d}"
            );
        }
    }
}

#[db_test]
async fn task_counters_equal_a_recount_after_every_kind_of_write(b: Backend) {
    let app = TestApp::with_history(b, 5).await;
    assert_kept(&app, b, "the demo's history").await;

    let cell = app.cell_ids().await[0];
    let api = Api {
        app: &app,
        token: app.token_for("bithu").await,
        http: Client::new(),
    };
    // Days as the forms write them, from the app's clock (today is 3 December).
    let on = |d: i64| app.date_in(d);
    let iso = |d: i64| (app.today() + chrono::Duration::days(d)).to_string();
    let full: Vec<i64> = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.status == "chinh_thuc")
        .map(|m| m.id)
        .collect();

    // A resolution assigns three tasks on 10 November; a standing duty today.
    let first = hold(&api, cell, &on(-23), &full, &[]).await;
    let t = resolve(
        &api,
        cell,
        first,
        full.len(),
        &[
            ("Vận động đoàn viên", full[0], on(-13).as_str()),
            ("Rà soát hộ nghèo", full[1], on(-9).as_str()),
            ("Sửa nhà văn hóa", full[2], on(-3).as_str()),
        ],
    )
    .await;
    assert_eq!(t.len(), 3, "{b:?}");
    close(&api, first).await;
    assert_kept(&app, b, "a resolution's tasks").await;
    let duty = api
        .call(
            reqwest::Method::POST,
            "/api/v1/tasks",
            Some(
                json!({"cell_id": cell, "title": "Thu đảng phí", "lead_id": full[3],
                        "deadline": &on(17)}),
            ),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    assert_kept(&app, b, "a standing duty").await;

    // Done on the 19th, taken back, done again on the 20th.
    report(&api, t[0], "hoan_thanh", 100, &on(-14)).await;
    assert_kept(&app, b, "a task done").await;
    report(&api, t[0], "dang_thuc_hien", 80, &on(-14)).await;
    assert_kept(&app, b, "a task taken back").await;
    report(&api, t[0], "hoan_thanh", 100, &on(-13)).await;
    report(&api, duty, "hoan_thanh", 100, &on(0)).await;
    assert_kept(&app, b, "tasks done").await;

    // The next meeting closes one task unfinished and carries one over.
    let second = hold(&api, cell, &on(-8), &full, &[]).await;
    review(&api, second, t[1], "dong", "").await;
    assert_kept(&app, b, "a task closed").await;
    review(&api, second, t[2], "chuyen_ky_sau", &on(12)).await;
    close(&api, second).await;
    assert_kept(&app, b, "a task carried over").await;

    let task = |id: i64| {
        let api = &api;
        async move {
            api.call(
                reqwest::Method::GET,
                &format!("/api/v1/tasks/{id}"),
                None,
                StatusCode::OK,
            )
            .await
        }
    };
    let state = |v: Value| (v["completed_on"].clone(), v["closed_on"].clone());
    assert_eq!(state(task(t[0]).await), (json!(iso(-13)), Value::Null));
    assert_eq!(state(task(t[1]).await), (Value::Null, json!(iso(-8))));
    assert_eq!(state(task(t[2]).await), (Value::Null, Value::Null));
}
