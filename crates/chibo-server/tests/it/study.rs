//! Issue 17 continued, over HTTP on both backends: a study campaign from the
//! library to who studied it (reminders by hand and by the sweep, a late
//! reflection, the session's attendance, the completion figures the board,
//! the API and the quarterly report share); a concern forwarded to the upper
//! committee in the quarterly report; late concerns alerting the committee;
//! a PDF that is not one or too large; announcements with read state; the
//! public page's weight without htmx.

use crate::support::{Backend, TestApp, hidden, redirect_of, text};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The demo's first cell and its 14-digit code.
async fn cell(app: &TestApp) -> (i64, String) {
    let id = app.cell_ids().await[0];
    let code = app
        .services
        .db
        .read(async |r| store::orgs::get(r, id).await)
        .await
        .unwrap()
        .unwrap()
        .code
        .expect("the demo cell has a code");
    (id, code.replace('.', ""))
}

async fn api(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
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

/// The in-app notices sent under a key prefix: (member, key).
async fn notices(app: &TestApp, prefix: &str) -> Vec<(i64, String)> {
    app.services
        .db
        .read(async |r| store::reminders::keyed(r, prefix).await)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.channel == "app")
        .filter_map(|n| Some((n.member_id?, n.key)))
        .collect()
}

#[db_test]
async fn a_study_campaign_reminds_and_counts_who_studied(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    let (sec, csrf) = app.login("bithu").await;
    let text_body = (1..=12)
        .map(|i| {
            format!(
                "Điều {i}. {}",
                "Nội dung nghị quyết về khoa học, công nghệ. ".repeat(12)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    // A group with no member is refused; nothing is written.
    let res = app
        .post(
            &sec,
            &format!("/study?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "nghi_quyet"),
                ("number", "57-NQ/TW"),
                ("issued_on", "22/12/2024"),
                ("issuer", "Bộ Chính trị"),
                (
                    "title",
                    "Nghị quyết về đột phá phát triển khoa học, công nghệ",
                ),
                ("body", text_body.as_str()),
                ("deadline", app.date_in(5).as_str()),
                ("audience", "group"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&res.text().await.unwrap()).contains("ít nhất một đảng viên"));
    let res = app
        .post(
            &sec,
            &format!("/study?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "nghi_quyet"),
                ("number", "57-NQ/TW"),
                ("issued_on", "22/12/2024"),
                ("issuer", "Bộ Chính trị"),
                (
                    "title",
                    "Nghị quyết về đột phá phát triển khoa học, công nghệ",
                ),
                ("body", text_body.as_str()),
                ("deadline", app.date_in(5).as_str()),
                ("audience", "all"),
                ("place", "meeting"),
                ("reflection", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let assignments = app
        .services
        .db
        .read(async |r| store::study::assignments_of_cell(r, cell).await)
        .await
        .unwrap();
    assert_eq!(assignments.len(), 1);
    let (a, doc) = (assignments[0].id, assignments[0].document_id);

    // The library finds it without diacritics.
    let found = app
        .page(&sec, &format!("/study?unit={cell}&q=dot+pha+khoa+hoc"))
        .await;
    assert!(found.contains("57-NQ/TW, Bộ Chính trị"), "{found}");
    let none = app
        .page(&sec, &format!("/study?unit={cell}&q=chi+thi+xyz"))
        .await;
    assert!(!none.contains("57-NQ/TW, Bộ Chính trị"), "{none}");

    // A member reads it a page at a time, marks it, writes the reflection.
    let (member, mcsrf) = app.login("dangvien").await;
    let first = app.page(&member, &format!("/study/docs/{doc}")).await;
    assert!(first.contains("Trang 1/"), "{first}");
    let second = app
        .page(&member, &format!("/study/docs/{doc}?page=2"))
        .await;
    assert!(
        second.contains("Trang 2/") && second.contains("Điều"),
        "{second}"
    );
    let res = app
        .post(
            &member,
            &format!("/study/{a}/studied?back=doc"),
            &[("csrf", mcsrf.as_str())],
        )
        .await;
    assert_eq!(
        redirect_of(&res),
        format!("/study/docs/{doc}?ok=study-marked")
    );
    let empty = app
        .post(
            &member,
            &format!("/study/{a}/reflection"),
            &[
                ("csrf", mcsrf.as_str()),
                ("body", "  "),
                ("doc", &doc.to_string()),
            ],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &member,
            &format!("/study/{a}/reflection"),
            &[
                ("csrf", mcsrf.as_str()),
                ("body", "Nhận thức của bản thân:\nCần tự học công nghệ số."),
                ("doc", &doc.to_string()),
            ],
        )
        .await;
    assert_eq!(
        redirect_of(&res),
        format!("/study/docs/{doc}?ok=study-reflection-saved")
    );

    // The secretary sees who has and has not, and reminds the rest.
    let board = app.page(&sec, &format!("/study?unit={cell}")).await;
    let not_yet = text(&board)
        .split("Chưa học: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("the count of who has not");
    assert!(board.contains("Đã học: 1"), "{board}");
    let res = app
        .post(
            &sec,
            &format!("/study/{a}/remind"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert!(redirect_of(&res).contains("ok=study-reminded"));
    let reminded = notices(&app, &format!("study:{a}:")).await;
    assert_eq!(reminded.len(), not_yet, "everyone who has not, once");
    // Again the same day: no one twice.
    app.post(
        &sec,
        &format!("/study/{a}/remind"),
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(notices(&app, &format!("study:{a}:")).await.len(), not_yet);

    // The sweep reminds of what is due soon, once.
    app.services.run_reminders(app.now()).await.unwrap();
    let soon = notices(&app, &format!("study:{a}:soon")).await;
    assert_eq!(soon.len(), not_yet, "{soon:?}");
    app.services.run_reminders(app.now()).await.unwrap();
    assert_eq!(
        notices(&app, &format!("study:{a}:soon")).await.len(),
        not_yet
    );

    // The session's attendance.
    let token = app.token_for("bithu").await;
    let (_, board) = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/study?unit={cell}"),
        None,
    )
    .await;
    let line = &board["assignments"][0];
    // Three who had not studied attend the session (not the secretary).
    let me = app.actor("bithu").await.member_id;
    let members: Vec<i64> = line["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["studied_on"].is_null())
        .map(|m| m["member_id"].as_i64().unwrap())
        .filter(|m| Some(*m) != me)
        .collect();
    let (status, _) = api(
        &app,
        &token,
        reqwest::Method::POST,
        &format!("/api/v1/study/assignments/{a}/attendance"),
        Some(json!({"present": &members[..3]})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // After the deadline: a late reflection is kept and marked late.
    app.clock.advance(chrono::Duration::days(7));
    let other = app.token_for("bithu").await;
    let (status, out) = api(
        &app,
        &other,
        reqwest::Method::POST,
        &format!("/api/v1/study/assignments/{a}/reflection"),
        Some(json!({"body": "Bài thu hoạch nộp muộn."})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["late"], json!(true));

    // The completion figures: the API's board and the quarterly report agree.
    let (_, board) = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/study?unit={cell}"),
        None,
    )
    .await;
    let p = &board["assignments"][0]["progress"];
    // The member, the three at the session, the secretary's late reflection.
    assert_eq!(p["studied"], json!(5), "{p}");
    assert_eq!(p["reflections"], json!(2));
    assert_eq!(p["late_reflections"], json!(1));
    assert_eq!(p["attended"], json!(3));
    let assigned = p["assigned"].as_u64().unwrap();
    assert_eq!(assigned as usize, not_yet + 1);
    let share = (200 * 5 + assigned) / (2 * assigned);
    assert_eq!(p["share"], json!(share));
    let (status, created) = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/reports",
        Some(json!({"unit_id": cell, "period": "quy", "year": 2026, "index": 4})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, report) = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/reports/{}", created["id"]),
        None,
    )
    .await;
    let study = &report["content"]["figures"]["study"][0];
    assert_eq!(study["number"], json!("57-NQ/TW"));
    assert_eq!(
        (study["studied"].clone(), study["share"].clone()),
        (json!(5), json!(share))
    );
}

#[db_test]
async fn a_concern_forwarded_upward_is_in_the_quarterly_report_and_late_ones_alert(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, code) = cell(&app).await;
    let resident = TestApp::client();
    let page = app.html(&resident, &format!("/y-kien/{code}")).await;
    // The public page loads no htmx; its weight, for the note.
    assert!(!page.contains("htmx"), "{page}");
    let css = resident.get(app.url("/assets/app.css")).send().await;
    println!(
        "public concern page: {} bytes of HTML (stylesheet {} bytes)",
        page.len(),
        css.map(|r| r.content_length().unwrap_or(0)).unwrap_or(0)
    );
    let csrf = hidden(&page, "csrf");
    for body in [
        "Đèn đường ngõ 5 hỏng đã lâu.",
        "Đề nghị sửa cống thoát nước tổ 3.",
    ] {
        let res = app
            .post(
                &resident,
                &format!("/y-kien/{code}"),
                &[("csrf", csrf.as_str()), ("area", "Tổ 3"), ("body", body)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let rows = app
        .services
        .db
        .read(async |r| store::concerns::of_cell(r, cell, app.today(), app.today()).await)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let token = app.token_for("bithu").await;
    let (status, item) = api(
        &app,
        &token,
        reqwest::Method::POST,
        &format!("/api/v1/concerns/{}/act", rows[0].id),
        Some(json!({"act": "forward", "body": "cap_uy", "text": "Ban Thường vụ Đảng ủy xã"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["forwarded_kind"], json!("cap_uy"));
    let (status, _) = api(
        &app,
        &token,
        reqwest::Method::POST,
        &format!("/api/v1/concerns/{}/act", rows[0].id),
        Some(json!({"act": "answer", "text": "Đảng ủy đã chỉ đạo UBND xã sửa đèn trong tháng."})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, bad) = api(
        &app,
        &token,
        reqwest::Method::POST,
        &format!("/api/v1/concerns/{}/act", rows[1].id),
        Some(json!({"act": "forward", "body": "toa_an", "text": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    // The second, left alone past its deadlines, alerts the committee once.
    app.clock.advance(chrono::Duration::days(30));
    app.services.run_reminders(app.now()).await.unwrap();
    let alerts = notices(&app, &format!("concern:{}:", rows[1].id)).await;
    assert!(!alerts.is_empty(), "the committee is alerted");
    let committee: std::collections::HashSet<i64> = alerts.iter().map(|a| a.0).collect();
    assert_eq!(committee.len(), alerts.len(), "once each");
    app.services.run_reminders(app.now()).await.unwrap();
    assert_eq!(
        notices(&app, &format!("concern:{}:", rows[1].id))
            .await
            .len(),
        alerts.len()
    );
    assert!(
        notices(&app, &format!("concern:{}:", rows[0].id))
            .await
            .is_empty()
    );

    // The quarterly report counts them and lists the one sent upward.
    let (status, created) = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/reports",
        Some(json!({"unit_id": cell, "period": "quy", "year": 2026, "index": 4})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (_, report) = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/reports/{id}"),
        None,
    )
    .await;
    let r = &report["content"]["figures"]["residents"];
    assert_eq!(
        (
            r["received"].clone(),
            r["forwarded"].clone(),
            r["answered"].clone()
        ),
        (json!(2), json!(1), json!(1)),
        "{r}"
    );
    assert_eq!(r["late"], json!(1));
    assert_eq!(r["to_upper"].as_array().unwrap().len(), 1);
    assert_eq!(r["to_upper"][0]["code"], json!(rows[0].code));
    let (sec, _) = app.login("bithu").await;
    let pdf = sec
        .get(app.url(&format!("/reports/{id}/bao-cao.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let printed = crate::support::pdf_text(&pdf.bytes().await.unwrap()).unwrap_or_default();
    assert!(
        printed.contains("DƯ LUẬN") && printed.contains(&rows[0].code),
        "{printed}"
    );
}

#[db_test]
async fn a_study_pdf_must_be_a_pdf_within_the_bound(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    let token = app.token_for("bithu").await;
    let (status, ids) = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/study/documents",
        Some(
            json!({"unit": cell, "issued_on": "2025-01-10", "issuer": "Ban Tuyên giáo",
                    "title": "Hướng dẫn học tập", "kind": "huong_dan"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ids}");
    let doc = ids["document_id"].as_i64().unwrap();
    let (sec, csrf) = app.login("bithu").await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        sec.post(app.url(&format!("/study/docs/{doc}/pdf")))
            .multipart(form)
            .send()
    };
    let res = upload(b"<html>not a pdf</html>".to_vec(), "tai-lieu.pdf")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&res.text().await.unwrap()).contains("không phải PDF"));
    // Over the bound (2 MB in tests): a size message, nothing stored.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(3 * 1024 * 1024, b'0');
    let res = upload(big, "lon.pdf").await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text(&res.text().await.unwrap()).contains("vượt quá 2 MB"));
    let stored = app
        .services
        .db
        .read(async |r| store::study::document(r, doc).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.pdf_size, None);
    let res = upload(b"%PDF-1.4\n%%EOF\n".to_vec(), "huong-dan.pdf")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (member, _) = app.login("dangvien").await;
    let got = member
        .get(app.url(&format!("/study/docs/{doc}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert!(got.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
}

#[db_test]
async fn an_announcement_reaches_members_who_read_it(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    let token = app.token_for("bithu").await;
    let (status, bad) = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/announcements",
        Some(json!({"unit": cell, "title": "", "body": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    // One member of the cell has an e-mail address.
    let member = app.actor("dangvien").await.member_id.unwrap();
    app.tamper(format!(
        "UPDATE member SET email = 'dangvien@example.vn' WHERE id = {member}"
    ))
    .await;
    let (status, sent) = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/announcements",
        Some(json!({"unit": cell, "title": "Lịch sinh hoạt tháng 12",
                    "body": "Chi bộ sinh hoạt lúc 19 giờ ngày 10/12."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let id = sent["id"].as_i64().unwrap();
    let recipients = sent["recipients"].as_u64().unwrap();
    assert!(recipients > 1);
    // Sent by e-mail through the outbox to those with an address.
    let emails = notices_email(&app, &format!("announcement:{id}")).await;
    assert_eq!(emails, 1);

    let (member, _) = app.login("dangvien").await;
    let list = app.page(&member, "/announcements").await;
    assert!(list.contains("Chưa đọc: 1"), "{list}");
    let one = app.page(&member, &format!("/announcements/{id}")).await;
    assert!(one.contains("19 giờ"));
    let list = app.page(&member, "/announcements").await;
    assert!(!list.contains("Chưa đọc"), "{list}");
    let (_, view) = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/announcements/{id}"),
        None,
    )
    .await;
    assert_eq!(view["read"], json!(1), "{view}");
    assert_eq!(view["recipients"].as_u64(), Some(recipients));
    // Another cell's member does not see it.
    let stranger = app.token_for("dangvien.2").await;
    let (status, _) = api(
        &app,
        &stranger,
        reqwest::Method::GET,
        &format!("/api/v1/announcements/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn notices_email(app: &TestApp, key: &str) -> usize {
    app.services
        .db
        .read(async |r| store::reminders::keyed(r, key).await)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.channel == "email")
        .count()
}

#[db_test]
async fn the_demo_has_a_year_of_concerns_in_every_state_and_two_campaigns(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    let (concerns, campaigns) = app
        .services
        .generate_demo_residents(app.now())
        .await
        .unwrap();
    assert_eq!((concerns, campaigns), (36, 2));
    let rows = app
        .services
        .db
        .read(async |r| {
            store::concerns::of_cell(
                r,
                cell,
                app.today() - chrono::Duration::days(400),
                app.today(),
            )
            .await
        })
        .await
        .unwrap();
    let states: std::collections::BTreeSet<(String, Option<String>)> = rows
        .iter()
        .map(|r| (r.state.clone(), r.close_reason.clone()))
        .collect();
    for want in [
        ("received", None),
        ("forwarded", None),
        ("answered", None),
        ("closed", Some("done")),
        ("closed", Some("duplicate")),
        ("closed", Some("spam")),
    ] {
        assert!(
            states.contains(&(want.0.to_string(), want.1.map(String::from))),
            "{want:?} in {states:?}"
        );
    }
    let token = app.token_for("bithu").await;
    let (_, board) = api(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/study?unit={cell}"),
        None,
    )
    .await;
    let shares: Vec<u64> = board["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["progress"]["share"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(shares.len(), 2);
    assert!(
        shares.iter().any(|s| *s > 50) && shares.iter().any(|s| *s < 50),
        "{shares:?}"
    );
}
