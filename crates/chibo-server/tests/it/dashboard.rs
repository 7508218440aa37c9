//! The dashboards and reports against recorded data: a quarter of monthly
//! meetings (through the JSON API) with tasks that complete, go overdue and
//! carry over, then the cell's dashboard, the upper committee's table, the
//! quarterly report and the roll-up must show exactly those figures.

use crate::support::{Backend, TestApp, text};
use chibo_server::model::{Period, PeriodKind, TaskDraft};
use chibo_server::service::tasks::ProgressForm;
use chibo_server::service::today;
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Api<'a> {
    app: &'a TestApp,
    c: Client,
    token: String,
}

impl Api<'_> {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .c
            .request(method.clone(), self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }
}

/// A 19:30 meeting on `day`, its roll-call (everyone present but the
/// absences given), closed; with a resolution adopted if asked.
async fn hold(
    api: &Api<'_>,
    cell: i64,
    day: NaiveDate,
    excused: &[i64],
    unexcused: &[i64],
    resolution: Option<(&str, Value)>,
) -> (i64, Option<i64>) {
    let id = api
        .post(
            "/api/v1/meetings",
            json!({"cell_id": cell, "kind": "thuong_ky", "date": day.format("%d/%m/%Y").to_string(),
                   "time": "19:30", "place": "Nhà văn hóa khu phố 1"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    api.post(
        &format!("/api/v1/meetings/{id}/steps"),
        json!({"action": "open"}),
    )
    .await;
    let roll = api
        .app
        .services
        .db
        .read(async |r| store::meetings::roll(r, id).await)
        .await
        .unwrap();
    for r in &roll {
        let presence = if excused.contains(&r.member_id) {
            "vang_co_ly_do"
        } else if unexcused.contains(&r.member_id) {
            "vang_khong_ly_do"
        } else {
            "co_mat"
        };
        api.put(
            &format!("/api/v1/meetings/{id}/attendance/{}", r.member_id),
            json!({"presence": presence, "reason": "Ốm"}),
        )
        .await;
    }
    let mut resolution_id = None;
    if let Some((subject, assignments)) = resolution {
        let no_tasks = assignments.as_array().is_none_or(Vec::is_empty);
        api.put(
            &format!("/api/v1/meetings/{id}/resolution"),
            json!({"subject": subject, "results": "Hoàn thành nhiệm vụ tháng.", "tasks": "Vận động hội viên.",
                   "assignments": assignments, "no_tasks": no_tasks, "version": 0}),
        )
        .await;
        let vote = api
            .post(
                &format!("/api/v1/meetings/{id}/votes"),
                json!({"kind": "nghi_quyet", "subject": "Thông qua nghị quyết", "mode": "counts"}),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let full_present = roll
            .iter()
            .filter(|r| {
                r.member_status == "chinh_thuc"
                    && !excused.contains(&r.member_id)
                    && !unexcused.contains(&r.member_id)
            })
            .count();
        api.post(
            &format!("/api/v1/meetings/{id}/votes/{vote}/counts"),
            json!({"tan_thanh": full_present, "khong_tan_thanh": 0, "khong_bieu_quyet": 0}),
        )
        .await;
        api.post(
            &format!("/api/v1/meetings/{id}/resolution/adopt"),
            json!({"vote_id": vote}),
        )
        .await;
        resolution_id = api
            .app
            .services
            .db
            .read(async |r| store::meetings::resolution(r, id).await)
            .await
            .unwrap()
            .map(|r| r.id);
    }
    api.post(
        &format!("/api/v1/meetings/{id}/steps"),
        json!({"action": "close", "reason": "Ghi lại sau buổi sinh hoạt"}),
    )
    .await;
    (id, resolution_id)
}

/// Noon of a local day, as the `now` of a service call made that day.
fn at(d: NaiveDate) -> chrono::DateTime<Utc> {
    d.and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(Ho_Chi_Minh)
        .unwrap()
        .with_timezone(&Utc)
}

fn quarter_before(on: NaiveDate) -> Period {
    let q = Period::containing(PeriodKind::Quarter, on);
    Period::containing(PeriodKind::Quarter, q.start - Duration::days(1))
}

#[db_test]
async fn dashboards_and_the_quarterly_report_show_the_recorded_figures(b: Backend) {
    let app = TestApp::demo(b).await;
    let cells = app.cell_ids().await;
    let (cell, other) = (cells[0], cells[1]);
    let api = Api {
        app: &app,
        c: TestApp::client(),
        token: app.token_for("bithu").await,
    };
    let secretary = app.actor("bithu").await;
    let now = app.now();
    let on = today(now);
    let q = quarter_before(on);
    let s = q.start;
    let roll_members: Vec<i64> = {
        let ms = app
            .services
            .db
            .read(async |r| store::members::of_cell(r, cell).await)
            .await
            .unwrap();
        ms.iter()
            .filter(|m| m.status == "chinh_thuc")
            .map(|m| m.id)
            .collect()
    };
    let (a, bm) = (roll_members[0], roll_members[1]);

    // Three monthly meetings; the first adopts a resolution with two tasks.
    let due = |days: i64| (s + Duration::days(days)).format("%d/%m/%Y").to_string();
    let (m1, r1) = hold(
        &api,
        cell,
        s + Duration::days(10),
        &[a],
        &[],
        Some((
            "Nghị quyết tháng thứ nhất",
            json!([{"what": "Vận động đoàn viên", "deadline": due(30), "lead_id": a},
                   {"what": "Rà soát hộ nghèo", "deadline": due(35), "lead_id": a}]),
        )),
    )
    .await;
    hold(&api, cell, s + Duration::days(40), &[], &[a, bm], None).await;
    let (m3, _) = hold(&api, cell, s + Duration::days(70), &[], &[], None).await;
    let r1 = r1.unwrap();

    // Five tasks: two finished, one overdue, one carried over, one open.
    let from_resolution = app
        .services
        .db
        .read(async |r| {
            store::tasks::of_cell(
                r,
                cell,
                &store::tasks::Filter {
                    resolution_id: Some(r1),
                    ..Default::default()
                },
            )
            .await
        })
        .await
        .unwrap();
    let t1 = from_resolution[0].id;
    assert_eq!(from_resolution[1].title, "Rà soát hộ nghèo");
    let add = |title: &'static str, assigned: i64, deadline: NaiveDate| {
        let (svc, who) = (app.services.clone(), secretary.clone());
        async move {
            svc.add_standing_duty(
                &who,
                Some(cell),
                &TaskDraft {
                    title: title.into(),
                    lead_id: Some(a),
                    co_owner_ids: vec![],
                    deadline: deadline.format("%d/%m/%Y").to_string(),
                },
                at(s + Duration::days(assigned)),
            )
            .await
            .unwrap()
        }
    };
    let t3 = add("Sửa nhà văn hóa", 40, s + Duration::days(80)).await;
    add("Chuẩn bị đại hội", 40, q.end + Duration::days(30)).await;
    let t5 = add("Thu đảng phí", 70, s + Duration::days(74)).await;
    for (t, day) in [(t1, 25), (t5, 73)] {
        let v = app
            .services
            .db
            .read(async |r| store::tasks::get(r, t).await)
            .await
            .unwrap()
            .unwrap()
            .version;
        app.services
            .update_progress(
                &secretary,
                t,
                &ProgressForm {
                    version: v,
                    status: "hoan_thanh".into(),
                    progress: 100,
                    note: "Xong".into(),
                    date: String::new(),
                    link: String::new(),
                },
                None,
                at(s + Duration::days(day)),
            )
            .await
            .unwrap();
    }
    app.services
        .review_task(
            &secretary,
            m3,
            t3,
            "chuyen_ky_sau",
            &(q.end + Duration::days(20)).format("%d/%m/%Y").to_string(),
            "Chờ kinh phí",
            at(s + Duration::days(70)),
        )
        .await
        .unwrap();

    // The quarterly report: every figure as recorded.
    let id = api
        .post(
            "/api/v1/reports",
            json!({"unit_id": cell, "period": "quy", "year": q.year, "index": q.index}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let r = api.get(&format!("/api/v1/reports/{id}")).await;
    let f = &r["content"]["figures"];
    assert_eq!(f["label"], q.label_vi(), "{b:?}");
    assert_eq!(f["meetings"].as_array().unwrap().len(), 3, "{b:?}: {f}");
    let on_roll = app
        .services
        .db
        .read(async |r| store::meetings::roll(r, m1).await)
        .await
        .unwrap()
        .len() as i64;
    assert_eq!(
        f["presence"],
        json!({"marked": 3 * on_roll, "present": 3 * on_roll - 3, "excused": 1, "unexcused": 2}),
        "{b:?}"
    );
    let res = &f["resolutions"].as_array().unwrap();
    assert_eq!(res.len(), 1, "{b:?}");
    assert_eq!(res[0]["number_text"], "Số 01-NQ/CB");
    assert_eq!(
        (&res[0]["tasks"], &res[0]["done"], &res[0]["overdue"]),
        (&json!(2), &json!(1), &json!(1)),
        "{b:?}: the resolution's two tasks"
    );
    assert_eq!(
        f["tasks"],
        json!({"total": 5, "assigned": 5, "done": 2, "done_in_period": 2, "overdue": 1, "open": 3}),
        "{b:?}"
    );
    assert_eq!(f["carried_over"], 1, "{b:?}");
    let mut changes = 0;
    for m in app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
    {
        changes += app
            .services
            .db
            .read(async |r| store::members::status_history(r, m.id).await)
            .await
            .unwrap()
            .iter()
            .filter(|h| q.start <= h.start_date && h.start_date <= q.end)
            .count();
    }
    assert_eq!(f["changes"].as_array().unwrap().len(), changes, "{b:?}");
    assert!(
        r["content"]["sections"]["assessment"]
            .as_str()
            .unwrap()
            .contains("chi bộ tổ chức 3 buổi sinh hoạt"),
        "{b:?}: {r}"
    );

    // A month without meetings says so and shows no numbers for them.
    let before = Period::containing(PeriodKind::Month, q.start - Duration::days(1));
    let empty = api
        .post(
            "/api/v1/reports",
            json!({"unit_id": cell, "period": "thang", "year": before.year, "index": before.index}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let e = api.get(&format!("/api/v1/reports/{empty}")).await;
    assert!(
        e["content"]["figures"]["meetings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        e["content"]["sections"]["assessment"]
            .as_str()
            .unwrap()
            .contains("không có buổi sinh hoạt nào được ghi nhận"),
        "{b:?}: {e}"
    );
    let (c, _) = app.login("bithu").await;
    let page = app.page(&c, &format!("/reports/{empty}")).await;
    assert!(
        page.contains("chi bộ không tổ chức buổi sinh hoạt nào")
            && !page.contains("Tổng số lượt đảng viên"),
        "{b:?}: {page}"
    );
    // The same period twice is refused: a conflict with the report that
    // exists, not a malformed request.
    let again = api
        .c
        .post(app.url("/api/v1/reports"))
        .bearer_auth(&api.token)
        .json(&json!({"unit_id": cell, "period": "thang", "year": before.year, "index": before.index}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Edit, issue: numbered by the cell's sequence, sealed, verifiable.
    api.put(
        &format!("/api/v1/reports/{id}"),
        json!({"version": r["version"], "sections": {"assessment": "Chi bộ duy trì sinh hoạt đều.",
               "limits": "Còn một việc quá hạn.", "next": "Hoàn thành rà soát hộ nghèo."}}),
    )
    .await;
    let version = api.get(&format!("/api/v1/reports/{id}")).await["version"].clone();
    let issued = api
        .post(
            &format!("/api/v1/reports/{id}/issue"),
            json!({"version": version}),
        )
        .await;
    assert_eq!(issued["number"], "Số 01-BC/CB", "{b:?}");
    let r = api.get(&format!("/api/v1/reports/{id}")).await;
    assert_eq!(r["status"], "issued");
    assert!(r["check_code"].is_string());
    assert_eq!(
        r["content"]["figures"]["tasks"]["overdue"], 1,
        "{b:?}: sealed as recorded"
    );
    let code = r["check_code"].as_str().unwrap();
    let checks = app
        .services
        .verify(&chibo_server::service::audit::Scope {
            code: Some(code.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(checks.ok() && checks.documents == 1, "{b:?}: {checks:?}");
    let all = app.services.verify(&Default::default()).await.unwrap();
    assert!(all.ok(), "{b:?}: {all:?}");
    let stale = api
        .c
        .put(app.url(&format!("/api/v1/reports/{id}")))
        .bearer_auth(&api.token)
        .json(&json!({"version": r["version"], "sections": {"assessment": "Sửa sau khi ban hành"}}))
        .send()
        .await
        .unwrap();
    // An issued report is not edited: a conflict with its state.
    assert_eq!(stale.status(), StatusCode::CONFLICT, "{b:?}");
    for (file, magic) in [("bao-cao.pdf", &b"%PDF"[..]), ("bao-cao.docx", b"PK")] {
        let bytes = c
            .get(app.url(&format!("/reports/{id}/{file}")))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(bytes.starts_with(magic), "{b:?}: {file}");
    }

    // The upper committee's table: the cell's quarter, the other cell empty.
    let upper = app
        .services
        .db
        .read(async |r| store::orgs::get(r, cell).await)
        .await
        .unwrap()
        .unwrap()
        .parent_id
        .unwrap();
    let boss = Api {
        app: &app,
        c: TestApp::client(),
        token: app.token_for("dangbo").await,
    };
    let t = boss
        .get(&format!(
            "/api/v1/units/{upper}/cell-table?period=quy&year={}&index={}&sort=attendance&dir=desc",
            q.year, q.index
        ))
        .await;
    let lines = t["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{b:?}: {t}");
    let mine = &lines[0];
    assert_eq!(mine["id"], cell);
    assert_eq!(
        (&mine["held"], &mine["adopted"]),
        (&json!(3), &json!(1)),
        "{b:?}"
    );
    assert_eq!(mine["presence"]["present"], 3 * on_roll - 3);
    assert_eq!(
        mine["last_meeting"],
        (s + Duration::days(70)).to_string(),
        "{b:?}"
    );
    assert_eq!(
        (
            &mine["tasks"]["done"],
            &mine["tasks"]["total"],
            &mine["tasks"]["overdue"]
        ),
        (&json!(2), &json!(5), &json!(1)),
        "{b:?}"
    );
    assert_eq!(lines[1]["id"], other);
    assert_eq!(
        (&lines[1]["held"], &lines[1]["on_time"]),
        (&json!(0), &json!(false))
    );
    assert_eq!(t["totals"]["held"], 3);
    let late = boss
        .get(&format!(
            "/api/v1/units/{upper}/cell-table?period=quy&year={}&index={}&late=true",
            q.year, q.index
        ))
        .await;
    assert!(
        late["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["on_time"] == false),
        "{b:?}"
    );
    let (bc, _) = app.login("dangbo").await;
    let page = app
        .html(
            &bc,
            &format!(
                "/dashboard?unit={upper}&period=quy&year={}&index={}",
                q.year, q.index
            ),
        )
        .await;
    assert!(
        page.matches("<svg").count() >= 2,
        "{b:?}: charts {}",
        text(&page)
    );
    assert!(
        page.contains(&format!("/dashboard?unit={cell}")),
        "{b:?}: drill-down"
    );
    // The page's own download buttons, as a person taps them (they once
    // sent `unit` twice and every one answered 400).
    for (file, magic) in [
        ("tong-hop.xlsx", &b"PK"[..]),
        ("tong-hop.pdf", b"%PDF"),
        ("tong-hop.docx", b"PK"),
    ] {
        let start = page
            .find(&format!("/rollup/{file}?"))
            .unwrap_or_else(|| panic!("{b:?}: no {file} button"));
        let href = page[start..page[start..].find('"').unwrap() + start]
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        let res = bc.get(app.url(&href)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{b:?}: {href}");
        assert!(res.bytes().await.unwrap().starts_with(magic), "{b:?}");
    }

    // The secretary's dashboard: this year's meetings, members, tasks.
    let d = api.get(&format!("/api/v1/units/{cell}/dashboard")).await;
    // The dashboard counts this year: the test's clock stands where the
    // quarter before is in the same year, so none of this is skipped.
    assert_eq!(
        q.year,
        on.year(),
        "the test clock's quarter before is this year"
    );
    assert_eq!(d["meetings"].as_array().unwrap().len(), 3, "{b:?}");
    let member_a = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member_id"] == a)
        .unwrap()
        .clone();
    assert_eq!(
        (
            &member_a["present"],
            &member_a["excused"],
            &member_a["unexcused"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "{b:?}"
    );
    let watch: Vec<i64> = d["absences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["member_id"].as_i64().unwrap())
        .collect();
    assert!(watch.contains(&a) && watch.contains(&bm), "{b:?}: {d}");
    assert_eq!(d["resolutions"][0]["done"], 1);
    let count = |s: &str| {
        d["task_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["status"] == s)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    let late_today = [
        s + Duration::days(35),
        q.end + Duration::days(20),
        q.end + Duration::days(30),
    ]
    .iter()
    .filter(|d| **d < on)
    .count() as i64;
    assert_eq!(count("hoan_thanh"), 2, "{b:?}");
    assert_eq!(count("qua_han"), late_today, "{b:?}");
    let page = app
        .html(&c, &format!("/dashboard?unit={cell}&tasks=qua_han"))
        .await;
    assert!(
        page.matches("<svg").count() >= 4,
        "{b:?}: charts {}",
        text(&page)
    );
    assert!(page.contains("Rà soát hộ nghèo"), "{b:?}: the overdue list");
    assert!(!page.contains("Thu đảng phí"), "{b:?}: only the overdue");
}

/// Chromium with a 390×844 phone screen: its desktop window cannot be made
/// narrower than 500 px, so the phone is emulated.
async fn phone(d: &crate::browser::Driver) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=vi"],
            "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0}}
        }),
    );
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("connect to chromedriver")
}

#[tokio::test]
async fn the_secretary_reads_the_dashboard_on_a_phone() {
    let Some(d) = crate::browser::driver().await else {
        return;
    };
    let app = TestApp::demo(Backend::Sqlite).await;
    let cell = app.cell_ids().await[0];
    let api = Api {
        app: &app,
        c: TestApp::client(),
        token: app.token_for("bithu").await,
    };
    let on = app.today();
    let month = Period::containing(PeriodKind::Month, on);
    hold(
        &api,
        cell,
        month.start,
        &[],
        &[],
        Some(("Nghị quyết tháng", json!([]))),
    )
    .await;
    let c = phone(&d).await;
    crate::browser::log_in(&c, &app, "bithu").await;
    c.goto(&app.url(&format!("/dashboard?unit={cell}")))
        .await
        .unwrap();
    let main = crate::browser::text_with(&c, "Tỷ lệ dự họp").await;
    assert!(main.contains("Nghị quyết và mức hoàn thành"), "{main}");
    let charts = c
        .find_all(fantoccini::Locator::Css("svg.chart"))
        .await
        .unwrap();
    assert!(charts.len() >= 4, "{} charts", charts.len());
    // Every chart fits the 390 px phone: no sideways scrolling.
    for ch in &charts {
        let (_, _, w, h) = ch.rectangle().await.unwrap();
        assert!(w > 200.0 && w <= 390.0 && h > 0.0, "chart {w}×{h}");
    }
    let scroll = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(scroll, json!(true), "the page fits the phone's width");
    let width = c
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(width, json!(390));
    crate::browser::shot(&c, "dashboard-phone").await;
    c.close().await.unwrap();
}
