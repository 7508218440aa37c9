//! A quarter of monthly meetings over HTTP: resolutions assign tasks, owners
//! report from their phones, each meeting reviews the open tasks — closing,
//! carrying over, leaving overdue — and the records say exactly that.

use crate::support::{Backend, TestApp};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

pub(crate) struct Api<'a> {
    pub app: &'a TestApp,
    pub token: String,
    pub http: Client,
}

impl Api<'_> {
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        want: StatusCode,
    ) -> Value {
        let mut req = self
            .http
            .request(method.clone(), self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert_eq!(status, want, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body), StatusCode::OK)
            .await
    }

    async fn created(&self, path: &str, body: Value) -> i64 {
        self.call(reqwest::Method::POST, path, Some(body), StatusCode::CREATED)
            .await["id"]
            .as_i64()
            .unwrap()
    }
}

/// Opens one monthly meeting on `date` with everyone present but `absent`.
pub(crate) async fn hold(
    api: &Api<'_>,
    cell: i64,
    date: &str,
    roll: &[i64],
    absent: &[i64],
) -> i64 {
    let m = api
        .created(
            "/api/v1/meetings",
            json!({"cell_id": cell, "kind": "thuong_ky", "date": date, "time": "19:30", "place": "Nhà văn hóa khu phố 1"}),
        )
        .await;
    api.post(
        &format!("/api/v1/meetings/{m}/steps"),
        json!({"action": "open"}),
    )
    .await;
    for id in roll {
        let presence = if absent.contains(id) {
            "vang_co_ly_do"
        } else {
            "co_mat"
        };
        api.call(
            reqwest::Method::PUT,
            &format!("/api/v1/meetings/{m}/attendance/{id}"),
            Some(json!({"presence": presence, "reason": "Ốm"})),
            StatusCode::OK,
        )
        .await;
    }
    m
}

/// Adopts the meeting's resolution with `tasks` (what, lead, deadline) by
/// `yes` votes; returns the ids of the tasks it created.
pub(crate) async fn resolve(
    api: &Api<'_>,
    cell: i64,
    m: i64,
    yes: usize,
    tasks: &[(&str, i64, &str)],
) -> Vec<i64> {
    let rows: Vec<Value> = tasks
        .iter()
        .map(|(what, lead, deadline)| json!({"what": what, "lead_id": lead, "deadline": deadline}))
        .collect();
    api.call(
        reqwest::Method::PUT,
        &format!("/api/v1/meetings/{m}/resolution"),
        Some(json!({"subject": format!("về nhiệm vụ sau buổi sinh hoạt số {m}"), "assignments": rows})),
        StatusCode::NO_CONTENT,
    )
    .await;
    let v = api
        .created(
            &format!("/api/v1/meetings/{m}/votes"),
            json!({"kind": "nghi_quyet", "subject": "Thông qua nghị quyết", "mode": "counts"}),
        )
        .await;
    let present_full = yes;
    api.call(
        reqwest::Method::POST,
        &format!("/api/v1/meetings/{m}/votes/{v}/counts"),
        Some(json!({"tan_thanh": present_full, "khong_tan_thanh": 0, "khong_bieu_quyet": 0})),
        StatusCode::NO_CONTENT,
    )
    .await;
    api.post(
        &format!("/api/v1/meetings/{m}/resolution/adopt"),
        json!({"vote_id": v}),
    )
    .await;
    let r = api
        .app
        .services
        .db
        .read(async |r| store::meetings::resolution(r, m).await)
        .await
        .unwrap()
        .unwrap();
    api.app
        .services
        .db
        .read(async |rd| {
            store::tasks::of_cell(
                rd,
                cell,
                &store::tasks::Filter {
                    resolution_id: Some(r.id),
                    ..Default::default()
                },
            )
            .await
        })
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect()
}

pub(crate) async fn review(api: &Api<'_>, m: i64, task: i64, decision: &str, new_deadline: &str) {
    api.post(
        &format!("/api/v1/meetings/{m}/review/{task}"),
        json!({"decision": decision, "new_deadline": new_deadline, "note": ""}),
    )
    .await;
}

pub(crate) async fn report(api: &Api<'_>, task: i64, status: &str, progress: i64, date: &str) {
    let t = api
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/tasks/{task}"),
            None,
            StatusCode::OK,
        )
        .await;
    api.post(
        &format!("/api/v1/tasks/{task}/progress"),
        json!({"version": t["version"], "status": status, "progress": progress, "note": "Báo cáo tiến độ", "date": date}),
    )
    .await;
}

pub(crate) async fn close(api: &Api<'_>, m: i64) {
    // The quarter is replayed in minutes, shorter than the rule pack's
    // minimum: the reason is recorded.
    api.post(
        &format!("/api/v1/meetings/{m}/steps"),
        json!({"action": "close", "reason": "Ghi lại sau buổi sinh hoạt"}),
    )
    .await;
}

#[db_test]
async fn a_quarter_of_meetings_follows_every_task_to_the_meeting_that_closed_it(b: Backend) {
    quarter(b).await;
}

async fn quarter(b: Backend) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let api = Api {
        app: &app,
        token: app.token_for("bithu").await,
        http: Client::new(),
    };
    let members = db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let full: Vec<i64> = members
        .iter()
        .filter(|m| m.status == "chinh_thuc")
        .map(|m| m.id)
        .collect();
    let (m1, m2, m3, m4) = (full[0], full[1], full[2], full[3]);

    // April: three tasks.
    let april = hold(&api, cell, "08/04/2026", &full, &[m4]).await;
    // Items added at the same moment each take their own place at the end.
    let path = format!("/api/v1/meetings/{april}/agenda");
    let adds = (1..=8).map(|n| api.created(&path, json!({"title": format!("Việc phát sinh {n}")})));
    futures_util::future::join_all(adds).await;
    let agenda = api
        .call(reqwest::Method::GET, &path, None, StatusCode::OK)
        .await;
    let mut positions: Vec<i64> = agenda
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["position"].as_i64().unwrap())
        .collect();
    let n = positions.len();
    positions.sort_unstable();
    positions.dedup();
    assert_eq!(positions.len(), n, "{agenda}");
    let t = resolve(
        &api,
        cell,
        april,
        full.len() - 1,
        &[
            ("Vận động quỹ khuyến học", m1, "30/04/2026"),
            ("Ra quân vệ sinh môi trường", m2, "20/05/2026"),
            ("Thăm gia đình chính sách", m3, "05/06/2026"),
        ],
    )
    .await;
    close(&api, april).await;
    let (a, bb, cc) = (t[0], t[1], t[2]);
    report(&api, a, "hoan_thanh", 100, "25/04/2026").await;
    report(&api, bb, "dang_thuc_hien", 50, "01/05/2026").await;

    // May: the review closes A, carries B (new deadline) and C; one new task.
    let may = hold(&api, cell, "08/05/2026", &full, &[]).await;
    let review_page = api
        .app
        .services
        .review_board(&app.actor("bithu").await, may)
        .await
        .unwrap();
    assert_eq!(
        review_page.items.len(),
        3,
        "April's three tasks are on May's review"
    );
    review(&api, may, a, "dong", "").await;
    review(&api, may, bb, "chuyen_ky_sau", "31/05/2026").await;
    review(&api, may, cc, "chuyen_ky_sau", "").await;
    let t = resolve(
        &api,
        cell,
        may,
        full.len(),
        &[("Rà soát hồ sơ đảng viên", m4, "31/05/2026")],
    )
    .await;
    close(&api, may).await;
    let d = t[0];
    report(&api, bb, "hoan_thanh", 100, "28/05/2026").await;

    // A closed task refuses progress: a conflict with its state.
    let refused = api
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/tasks/{a}/progress"),
            Some(json!({"version": 99, "status": "dang_thuc_hien", "progress": 10, "note": "x"})),
            StatusCode::CONFLICT,
        )
        .await;
    assert_eq!(refused["problems"][0]["code"], "task.closed");

    // June: B is closed; C (overdue) and D (new deadline) carry over.
    let june = hold(&api, cell, "08/06/2026", &full, &[m2, m3]).await;
    review(&api, june, bb, "dong", "").await;
    review(&api, june, cc, "chuyen_ky_sau", "").await;
    review(&api, june, d, "chuyen_ky_sau", "30/06/2026").await;
    let t = resolve(
        &api,
        cell,
        june,
        full.len() - 2,
        &[("Chuẩn bị đại hội chi bộ", m1, "30/07/2026")],
    )
    .await;
    close(&api, june).await;
    // The sealed resolution carries the meeting's review, task by task.
    let r = db
        .read(async |r| store::meetings::resolution(r, june).await)
        .await
        .unwrap()
        .unwrap();
    let sealed = db
        .read(async |rd| store::meetings::versions(rd, "resolution", r.id).await)
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&sealed.last().unwrap().body).unwrap();
    let outcomes: Vec<String> = body["review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{}:{}",
                x["status"].as_str().unwrap(),
                x["decision"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(outcomes.len(), 3, "{body}");
    assert!(
        outcomes.contains(&"hoan_thanh:dong".to_string()),
        "{outcomes:?}"
    );
    assert!(
        outcomes.contains(&"qua_han:chuyen_ky_sau".to_string()),
        "{outcomes:?}"
    );
    let e = t[0];

    // Every task can be followed from assignment to the meeting that closed it.
    let get = |id: i64| async move {
        db.read(async |r| store::tasks::get(r, id).await)
            .await
            .unwrap()
            .unwrap()
    };
    let (ta, tb, tc, td, te) = (
        get(a).await,
        get(bb).await,
        get(cc).await,
        get(d).await,
        get(e).await,
    );
    assert_eq!(ta.closed_meeting_id, Some(may));
    assert_eq!(tb.closed_meeting_id, Some(june));
    assert_eq!(tc.closed_meeting_id, None);
    assert_eq!(td.closed_meeting_id, None);
    assert_eq!(td.deadline.to_string(), "2026-06-30");
    assert_eq!(tc.status, "chuyen_ky_sau");
    assert_eq!(te.closed_meeting_id, None);
    let decisions: Vec<String> = db
        .read(async |r| store::tasks::reviews_of_task(r, cc).await)
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}", r.review.status, r.review.decision))
        .collect();
    assert_eq!(
        decisions,
        ["chua_bat_dau:chuyen_ky_sau", "qua_han:chuyen_ky_sau"]
    );

    // The page of a task tells its whole story.
    let (sec, _) = app.login("bithu").await;
    let page = app.page(&sec, &format!("/tasks/{bb}")).await;
    assert!(
        page.contains("Chuyển kỳ sau")
            && page.contains("Đóng nhiệm vụ")
            && page.contains("28/05/2026"),
        "{page}"
    );
    assert!(page.contains("Hoàn thành"), "{page}");

    // July's draft resolution starts from the review of what is still open.
    let july = api
        .created(
            "/api/v1/meetings",
            json!({"cell_id": cell, "kind": "thuong_ky", "date": "08/07/2026", "time": "19:30", "place": "Nhà văn hóa khu phố 1"}),
        )
        .await;
    let draft = app
        .page(&sec, &format!("/meetings/{july}/resolution"))
        .await;
    assert!(
        draft.contains(
            "Kiểm điểm 3 nhiệm vụ: hoàn thành 0, đang thực hiện 0, quá hạn 2, chưa bắt đầu 1."
        ),
        "{draft}"
    );
    let review = app.page(&sec, &format!("/meetings/{july}/review")).await;
    assert!(
        review.contains("Còn 3 nhiệm vụ chưa có quyết định"),
        "{review}"
    );
}
