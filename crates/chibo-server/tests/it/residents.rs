//! Issue 17, what was left, over HTTP on both backends: a resident's concern
//! followed from the public page through the meeting's "dư luận nhân dân"
//! item (since the last meeting) to a task of the resolution, answered from
//! the task and listed in the quarterly report; a study assignment tied to a
//! coming meeting; the study record in the annual evaluation's evidence;
//! announcements and study reminders folded into a member's daily digest.

use crate::concerns::{cell, code_in, send, stored};
use crate::support::{Backend, TestApp, hidden, pdf_text, text};
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A JSON call with a bearer token: the status and the body.
async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = TestApp::client()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The active members of a cell's roll.
async fn roll(app: &TestApp, cell: i64) -> Vec<i64> {
    app.services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.status.on_list())
        .map(|m| m.id)
        .collect()
}

/// A monthly meeting on `date` at `time`, opened with everyone present.
async fn hold(app: &TestApp, token: &str, cell: i64, date: &str, time: &str) -> i64 {
    let (st, m) = call(
        app,
        token,
        Method::POST,
        "/api/v1/meetings",
        Some(
            json!({"cell_id": cell, "kind": "thuong_ky", "date": date, "time": time,
                    "place": "Nhà văn hóa khu phố 1"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{m}");
    let m = m["id"].as_i64().unwrap();
    let (st, v) = call(
        app,
        token,
        Method::POST,
        &format!("/api/v1/meetings/{m}/steps"),
        Some(json!({"action": "open"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    for id in roll(app, cell).await {
        let (st, v) = call(
            app,
            token,
            Method::PUT,
            &format!("/api/v1/meetings/{m}/attendance/{id}"),
            Some(json!({"presence": "co_mat"})),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    m
}

async fn close(app: &TestApp, token: &str, m: i64) {
    let (st, v) = call(
        app,
        token,
        Method::POST,
        &format!("/api/v1/meetings/{m}/steps"),
        Some(json!({"action": "close", "reason": "Ghi lại sau buổi sinh hoạt"})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// Passes the meeting's resolution by a show of hands of everyone present.
async fn adopt(app: &TestApp, token: &str, cell: i64, m: i64) {
    let (st, v) = call(
        app,
        token,
        Method::POST,
        &format!("/api/v1/meetings/{m}/votes"),
        Some(json!({"kind": "nghi_quyet", "subject": "Thông qua nghị quyết", "mode": "counts"})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let vote = v["id"].as_i64().unwrap();
    // Full members vote; everyone is present.
    let yes = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.status == "chinh_thuc")
        .count();
    let (st, v) = call(
        app,
        token,
        Method::POST,
        &format!("/api/v1/meetings/{m}/votes/{vote}/counts"),
        Some(json!({"tan_thanh": yes, "khong_tan_thanh": 0, "khong_bieu_quyet": 0})),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let (st, v) = call(
        app,
        token,
        Method::POST,
        &format!("/api/v1/meetings/{m}/resolution/adopt"),
        Some(json!({"vote_id": vote})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// A document of the cell's library assigned to all its members within
/// ten days, a reflection required: the assignment's id.
async fn campaign(app: &TestApp, token: &str, cell: i64) -> i64 {
    let (st, v) = call(
        app,
        token,
        Method::POST,
        "/api/v1/study/documents",
        Some(
            json!({"unit": cell, "kind": "nghi_quyet", "number": "57-NQ/TW",
                    "issued_on": "22/12/2024", "issuer": "Bộ Chính trị",
                    "title": "Nghị quyết về đột phá phát triển khoa học, công nghệ",
                    "body": "Điều 1. Nội dung.",
                    "assignment": {"audience": "all", "deadline": app.date_in(10),
                                   "reflection": true}}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["assignment_id"].as_i64().unwrap()
}

/// 09:30 in Hà Nội on a day of December 2026, plus `hours`.
fn december(d: u32, hours: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, 2, 30, 0)
        .single()
        .unwrap()
        + Duration::hours(hours)
}

#[db_test]
async fn a_concern_becomes_a_task_of_the_resolution_and_is_answered_from_it(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, code) = cell(&app).await;
    let token = app.token_for("bithu").await;
    let (sec, csrf) = app.login("bithu").await;

    // 03/12: the cell's last meeting, held in the morning.
    let before = hold(&app, &token, cell, "03/12/2026", "07:00").await;
    close(&app, &token, before).await;

    // 04/12: two residents write from the public page.
    app.clock.set(december(4, 0));
    let resident = TestApp::client();
    let mut codes = Vec::new();
    for (area, body) in [
        ("Tổ 5", "Đường vào chợ ngập nước mỗi khi mưa lớn"),
        ("Tổ 3", "Đèn đường ngõ 12 hỏng đã hai tuần"),
    ] {
        let (status, html) = send(
            &app,
            &resident,
            &code,
            &[("area", area), ("body", body), ("contact", "")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        codes.push(code_in(&html));
    }
    let rows = stored(&app, cell).await;
    let id_of = |c: &str| rows.iter().find(|r| r.code == c).unwrap().id;
    let (flood, light) = (id_of(&codes[0]), id_of(&codes[1]));

    // The first goes to the upper committee and its answer comes back.
    for (act, body, text) in [
        ("forward", "cap_uy", "Ban Thường vụ Đảng ủy phường"),
        (
            "answer",
            "",
            "Đảng ủy đã đề nghị phường nạo vét cống trong quý I.",
        ),
    ] {
        let res = app
            .post(
                &sec,
                &format!("/concerns/{flood}"),
                &[
                    ("csrf", csrf.as_str()),
                    ("act", act),
                    ("body", body),
                    ("text", text),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{act}");
    }

    // 10/12, evening: the monthly meeting. Its "dư luận nhân dân" item
    // lists what came in since the last meeting.
    app.clock.set(december(10, 11));
    let meeting = hold(&app, &token, cell, &app.date_in(0), "19:30").await;
    let item = app
        .page(&sec, &format!("/meetings/{meeting}/concerns"))
        .await;
    assert!(
        item.contains("Dư luận nhân dân từ buổi sinh hoạt trước"),
        "{item}"
    );
    assert!(
        item.contains("Từ ngày 04/12/2026 đến ngày 10/12/2026"),
        "{item}"
    );
    for shown in [
        "Tiếp nhận: 2",
        "Đã chuyển: 1",
        "Đã trả lời: 1",
        "Đường vào chợ ngập nước",
        "Đèn đường ngõ 12 hỏng",
    ] {
        assert!(item.contains(shown), "{b:?}: {shown} in {item}");
    }
    let html = app
        .html(&sec, &format!("/meetings/{meeting}/concerns"))
        .await;
    assert!(
        html.contains(&format!("/meetings/{meeting}/resolution?concern={light}")),
        "the item links each concern to the resolution's table"
    );

    // The resolution's table, opened from the item, has the concern picked.
    let form = app
        .html(
            &sec,
            &format!("/meetings/{meeting}/resolution?concern={light}"),
        )
        .await;
    assert!(
        form.contains(&format!("<option value=\"{light}\" selected>")),
        "{form}"
    );
    // A concern the cell does not have is refused, nothing saved.
    let (st, v) = call(
        &app,
        &token,
        Method::PUT,
        &format!("/api/v1/meetings/{meeting}/resolution"),
        Some(json!({"subject": "về nhiệm vụ tháng 01 năm 2027",
                    "assignments": [{"what": "x", "lead_id": 1, "deadline": app.date_in(10),
                                     "concern_id": 999_999}]})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("Không có ý kiến số 999999"), "{v}");

    let members = roll(&app, cell).await;
    let (lead, other) = (members[1], members[2]);
    let version = hidden(&form, "version");
    let res = app
        .post(
            &sec,
            &format!("/meetings/{meeting}/resolution"),
            &[
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("subject", "về nhiệm vụ tháng 01 năm 2027"),
                ("results", ""),
                ("tasks", "Giải quyết kiến nghị của nhân dân."),
                // The concern picked and no title: the task of settling it.
                ("what", ""),
                ("lead_id", &lead.to_string()),
                ("deadline", &app.date_in(10)),
                ("concern_id", &light.to_string()),
                ("what", "Theo dõi việc nạo vét cống đường vào chợ"),
                ("lead_id", &other.to_string()),
                ("deadline", &app.date_in(21)),
                ("concern_id", &flood.to_string()),
                ("what", ""),
                ("lead_id", ""),
                ("deadline", ""),
                ("concern_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    adopt(&app, &token, cell, meeting).await;

    let tasks = app
        .services
        .db
        .read(async |r| {
            store::tasks::of_cell(
                r,
                cell,
                &store::tasks::Filter {
                    from_concerns: true,
                    ..Default::default()
                },
            )
            .await
        })
        .await
        .unwrap();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    let task = tasks.iter().find(|t| t.concern_id == Some(light)).unwrap();
    assert_eq!(task.lead_id, lead);
    assert!(
        task.title
            .starts_with("Giải quyết ý kiến của nhân dân (Tổ 3): Đèn đường ngõ 12"),
        "{}",
        task.title
    );

    // The concern shows its task and the task's state.
    let page = app.page(&sec, &format!("/concerns/{light}")).await;
    assert!(page.contains("Nhiệm vụ giao từ ý kiến này"), "{page}");
    assert!(page.contains("Chưa bắt đầu"), "{page}");
    let (st, v) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/concerns/{light}"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["tasks"][0]["task_id"], task.id, "{v}");
    assert_eq!(v["tasks"][0]["shown"], "chua_bat_dau", "{v}");

    // Not answered from a task still under way.
    let answer = |t: i64| {
        let (sec, csrf) = (&sec, csrf.clone());
        let path = format!("/concerns/{light}");
        let app = &app;
        async move {
            app.post(
                sec,
                &path,
                &[
                    ("csrf", csrf.as_str()),
                    ("act", "answer"),
                    ("task", &t.to_string()),
                    ("text", ""),
                ],
            )
            .await
        }
    };
    let res = answer(task.id).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&res.text().await.unwrap()).contains("chưa hoàn thành"));

    // 15/12: the lead reports it done; the concern is answered from it.
    app.clock.set(december(15, 0));
    let (_, t) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/tasks/{}", task.id),
        None,
    )
    .await;
    let (st, v) = call(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/tasks/{}/progress", task.id),
        Some(
            json!({"version": t["version"], "status": "hoan_thanh", "progress": 100,
                    "note": "Đã thay 3 bóng đèn ở ngõ 12", "date": ""}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Another concern's task is not this one's answer.
    let flood_task = tasks.iter().find(|t| t.concern_id == Some(flood)).unwrap();
    assert_eq!(
        answer(flood_task.id).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = answer(task.id).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let after = stored(&app, cell).await;
    let k = after.iter().find(|r| r.id == light).unwrap();
    assert_eq!(k.state, "answered");
    assert_eq!(k.answered_on, Some(app.today()));
    assert!(
        k.answer
            .as_deref()
            .is_some_and(|a| a.contains("Đã thay 3 bóng đèn ở ngõ 12")),
        "{k:?}"
    );
    // The resident sees the answer by the code.
    let seen = app
        .page(&resident, &format!("/y-kien/tra-cuu?ma={}", codes[1]))
        .await;
    assert!(seen.contains("Đã thay 3 bóng đèn"), "{seen}");
    let mut actions: Vec<String> = app
        .services
        .db
        .read(async |r| store::audit::for_entity(r, "concern", light).await)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.reverse();
    assert_eq!(
        actions,
        ["concern.receive", "concern.task", "concern.answer"]
    );

    // The quarterly report lists the tasks given from concerns, and the one
    // forwarded upward.
    let (st, v) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/reports",
        Some(json!({"unit_id": cell, "period": "quy", "year": 2026, "index": 4})),
    )
    .await;
    assert!(st.is_success(), "{v}");
    let id = v["id"].as_i64().unwrap();
    let (_, r) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/reports/{id}"),
        None,
    )
    .await;
    let residents = &r["content"]["figures"]["residents"];
    let lines = residents["tasks"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{residents}");
    let done = lines.iter().find(|l| l["code"] == codes[1]).unwrap();
    assert_eq!(done["task_id"], task.id);
    assert_eq!(done["done_on"], app.today().to_string());
    assert!(
        residents["to_upper"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == codes[0]),
        "{residents}"
    );
    let page = app.page(&sec, &format!("/reports/{id}")).await;
    assert!(
        page.contains("Nhiệm vụ chi bộ giao từ ý kiến của nhân dân"),
        "{page}"
    );
    let pdf = sec
        .get(app.url(&format!("/reports/{id}/bao-cao.pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    if let Some(t) = pdf_text(&pdf) {
        assert!(t.contains(&codes[1]), "{t}");
    }
}

#[db_test]
async fn a_study_assignment_is_tied_to_a_coming_meeting(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    let (sec, csrf) = app.login("bithu").await;
    let token = app.token_for("bithu").await;
    let meeting = crate::meetings::plan(&sec, &app, &csrf, cell, 5).await;

    let board = app.html(&sec, &format!("/study?unit={cell}")).await;
    assert!(
        board.contains(&format!("<option value=\"{meeting}\"")),
        "the form offers the coming meeting: {board}"
    );
    let assignments = async || {
        app.services
            .db
            .read(async |r| store::study::assignments_of_cell(r, cell).await)
            .await
            .unwrap()
    };
    let before = assignments().await.len();
    let add = |deadline: String, meeting: String| {
        let (sec, csrf, app) = (&sec, csrf.clone(), &app);
        async move {
            app.post(
                sec,
                &format!("/study?unit={cell}"),
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "nghi_quyet"),
                    ("number", "66-NQ/TW"),
                    ("issued_on", "30/04/2025"),
                    ("issuer", "Bộ Chính trị"),
                    (
                        "title",
                        "Nghị quyết về đổi mới công tác xây dựng và thi hành pháp luật",
                    ),
                    ("body", "Điều 1. Nội dung."),
                    ("deadline", deadline.as_str()),
                    ("audience", "all"),
                    ("place", "home"),
                    ("meeting_id", meeting.as_str()),
                ],
            )
            .await
        }
    };
    // A meeting after the deadline is refused, nothing written.
    let res = add(app.date_in(3), meeting.to_string()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&res.text().await.unwrap()).contains("không muộn hơn hạn học"),
        "{b:?}"
    );
    assert_eq!(assignments().await.len(), before);
    // A meeting already held is refused too.
    let held = hold(&app, &token, cell, "01/12/2026", "19:30").await;
    close(&app, &token, held).await;
    let res = add(app.date_in(10), held.to_string()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(assignments().await.len(), before);

    // At the meeting, by the deadline: studied there, the board says when.
    let res = add(app.date_in(10), meeting.to_string()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let all = assignments().await;
    assert_eq!(all.len(), before + 1);
    let a = all.iter().find(|a| a.meeting_id == Some(meeting)).unwrap();
    assert_eq!(a.place, "meeting");
    assert!(a.meeting_at.is_some());
    let board = app.html(&sec, &format!("/study?unit={cell}")).await;
    assert!(
        board.contains(&format!("href=\"/meetings/{meeting}\"")),
        "{board}"
    );

    // The same through the API, for a library document.
    let (st, v) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/study/assignments",
        Some(
            json!({"unit": cell, "document_id": a.document_id, "deadline": app.date_in(20),
                    "audience": "committee", "meeting_id": meeting}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (_, board) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/study?unit={cell}"),
        None,
    )
    .await;
    let by_api = board["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == v["assignment_id"])
        .unwrap()
        .clone();
    assert_eq!(by_api["meeting_id"], meeting, "{by_api}");
    assert_eq!(by_api["place"], "meeting");
}

#[db_test]
async fn the_evaluation_evidence_carries_the_members_study_record(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    let upper = app.services.org(cell).await.unwrap().parent_id.unwrap();
    let member = app.token_for("dangvien").await;
    let me = app.actor("dangvien").await.member_id.unwrap();

    let (st, v) = call(
        &app,
        &app.token_for("dangbo").await,
        Method::POST,
        "/api/v1/evaluations/rounds",
        Some(json!({"unit_id": upper, "year": 2026, "period": "nam",
                    "self_review_due": app.date_in(7), "round_due": app.date_in(22)})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let mine = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["member_id"] == me)
        .unwrap()["evaluation_id"]
        .as_i64()
        .unwrap();
    let evidence = async || {
        let (st, v) = call(
            &app,
            &member,
            Method::GET,
            &format!("/api/v1/evaluations/{mine}"),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        v["evidence"]["study"].clone()
    };
    campaign(&app, &app.token_for("bithu").await, cell).await;
    // What the study page shows the member of this year is the evidence.
    let (_, board) = call(&app, &member, Method::GET, "/api/v1/study", None).await;
    let year: Vec<&Value> = board["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["mine"].is_object() && a["deadline"].as_str().unwrap() >= "2026-01-01")
        .collect();
    assert!(!year.is_empty(), "this year's campaign");
    let studied = |a: &Value| a["mine"]["studied_on"].is_string();
    let ev = evidence().await;
    assert_eq!(ev["assigned"], year.len(), "{b:?}: {ev}");
    assert_eq!(
        ev["studied"],
        year.iter().filter(|a| studied(a)).count(),
        "{ev}"
    );
    assert_eq!(
        ev["reflections"],
        year.iter()
            .filter(|a| a["mine"]["reflection_on"].is_string())
            .count(),
        "{ev}"
    );
    // The member writes the reflection of what is left; the evidence follows.
    let left = year
        .iter()
        .find(|a| !studied(a))
        .expect("one campaign still open");
    let (st, _) = call(
        &app,
        &member,
        Method::POST,
        &format!("/api/v1/study/assignments/{}/reflection", left["id"]),
        Some(json!({"body": "Bản thân sẽ học sử dụng dịch vụ công trực tuyến."})),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let after = evidence().await;
    assert_eq!(after["studied"], year.len(), "{after}");
    assert_eq!(
        after["reflections"],
        ev["reflections"].as_u64().unwrap() + 1
    );
    let (c, _) = app.login("dangvien").await;
    let page = app.page(&c, &format!("/evaluations/{mine}")).await;
    assert!(page.contains("Học tập, quán triệt nghị quyết"), "{page}");
}

#[db_test]
async fn announcements_and_study_reminders_wait_for_the_daily_digest(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    app.tamper("UPDATE member SET email = 'dv' || id || '@example.vn'".into())
        .await;
    let me = app.actor("dangvien").await.member_id.unwrap();
    let (c, mcsrf) = app.login("dangvien").await;
    let res = app
        .post(
            &c,
            "/me/digest",
            &[("csrf", mcsrf.as_str()), ("daily", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let token = app.token_for("bithu").await;
    let open = campaign(&app, &token, cell).await;
    let (st, v) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/announcements",
        Some(
            json!({"unit": cell, "title": "Lịch ra quân vệ sinh", "body": "Sáng chủ nhật, 7 giờ."}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, _) = call(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/study/assignments/{open}/remind"),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);

    let emails = async |prefix: &str| {
        app.services
            .db
            .read(async |r| store::reminders::keyed(r, prefix).await)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.channel == "email")
            .collect::<Vec<_>>()
    };
    for prefix in [
        format!("announcement:{}", v["id"]),
        format!("study:{open}:"),
    ] {
        let sent = emails(&prefix).await;
        assert!(sent.len() > 1, "{prefix}: {sent:?}");
        for n in &sent {
            let want = if n.member_id == Some(me) {
                "digest"
            } else {
                "queued"
            };
            assert_eq!(n.status, want, "{b:?}: {prefix}: {n:?}");
        }
    }
    // The next morning both go in one e-mail.
    let morning = (app.today() + Duration::days(1))
        .and_hms_opt(6, 30, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Asia::Ho_Chi_Minh)
        .unwrap()
        .with_timezone(&Utc);
    let swept = app.services.run_reminders(morning).await.unwrap();
    assert!(swept.digests >= 1, "{swept:?}");
    for prefix in [
        format!("announcement:{}", v["id"]),
        format!("study:{open}:"),
    ] {
        let mine: Vec<_> = emails(&prefix)
            .await
            .into_iter()
            .filter(|n| n.member_id == Some(me))
            .collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].status, "digested", "{mine:?}");
    }
}
