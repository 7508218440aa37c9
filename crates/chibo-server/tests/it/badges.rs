//! Party badges (issue 14), over the JSON API on both backends: the list of
//! members due this year and next, with party age less an interruption; a
//! proposal refused with the rule cited and nothing written; the case from
//! the cell through the upper committee to the award recorded on the
//! member, with its papers; a proposal the upper committee refuses.

use crate::support::{Backend, TestApp, docx_text, pdf_text};
use chibo_server::model::{MemberFields, Status};
use chibo_test_macros::db_test;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn send(app: &TestApp, login: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let c = TestApp::client();
    let token = app.token_for(login).await;
    let req = match body {
        Some(b) => c.post(app.url(path)).json(&b),
        None => c.get(app.url(path)),
    };
    let res = req.bearer_auth(&token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, login: &str, path: &str) -> Value {
    let (s, v) = send(app, login, path, None).await;
    assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
    v
}

async fn bytes(app: &TestApp, login: &str, path: &str) -> Vec<u8> {
    let token = app.token_for(login).await;
    let res = TestApp::client()
        .get(app.url(path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.bytes().await.unwrap().to_vec()
}

async fn step(app: &TestApp, login: &str, case: i64, body: Value) -> Value {
    let (s, v) = send(
        app,
        login,
        &format!("/api/v1/cases/{case}/steps"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{login}: {body}: {v}");
    v
}

/// A member of the cell admitted on `admission` (a full member since a year later).
async fn member(app: &TestApp, cell: i64, name: &str, admission: &str) -> i64 {
    let admin = app.actor("quantri").await;
    let d = day(admission);
    let f = MemberFields {
        full_name: name.into(),
        date_of_birth: "01/01/1950".into(),
        admission_date: d.format("%d/%m/%Y").to_string(),
        official_date: (d + chrono::Months::new(12)).format("%d/%m/%Y").to_string(),
        residence: "Khu phố 3".into(),
        ..MemberFields::default()
    };
    app.services
        .create_member(&admin, cell, &f, None, app.now())
        .await
        .unwrap()
}

fn line_of(lines: &Value, member: i64) -> Option<&Value> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["member_id"] == member)
}

fn problem_codes(v: &Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[db_test]
async fn a_badge_from_the_cells_proposal_to_the_award_on_the_member(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let admin = app.actor("quantri").await;
    // Admitted 10/01/1996, removed from 01/03/2000 and admitted again on
    // 01/03/2001: 365 days left out, so 30 years on 09/01/2027, not 10/01/2026.
    let interrupted = member(&app, cell, "Trần Văn Ba Mươi", "1996-01-10").await;
    for (status, since) in [
        (Status::XoaTen, "2000-03-01"),
        (Status::DuBi, "2001-03-01"),
        (Status::ChinhThuc, "2002-03-01"),
    ] {
        app.services
            .add_status(&admin, interrupted, status, day(since), None, app.now())
            .await
            .unwrap();
    }
    let young = member(&app, cell, "Lê Thị Hai Sáu", "2000-01-01").await;
    let plain = member(&app, cell, "Ngô Văn Đủ", "1996-06-01").await;

    // 03/12/2026: nothing is left this year (the last ceremony was 7/11);
    // next year both 30-year members are due at 3/2/2027.
    let list = get(&app, "bithu", &format!("/api/v1/badges?unit={cell}")).await;
    assert!(line_of(&list["this_year"], interrupted).is_none(), "{list}");
    // A year no list can be for is refused, saying which (the fuzzer's
    // 55986 gave ceremonies on "+55986-02-03", not an ISO date).
    let (status, refused) = send(&app, "bithu", "/api/v1/badges?year=55986", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["problems"][0]["code"], "badge.year", "{refused}");
    assert_eq!(refused["problems"][0]["field"], "year", "{refused}");
    let l = line_of(&list["next_year"], interrupted).expect("due next year");
    assert_eq!(l["milestone"], 30);
    assert_eq!(l["reached_on"], "2027-01-09");
    assert_eq!(l["ceremony_on"], "2027-02-03");
    assert_eq!(l["days_interrupted"], 365);
    let l = line_of(&list["next_year"], plain).expect("due next year");
    assert_eq!(l["reached_on"], "2026-06-01");
    assert!(line_of(&list["next_year"], young).is_none());
    // The member's own record: party age less the interruption.
    let mine = get(
        &app,
        "bithu",
        &format!("/api/v1/badges/members/{interrupted}"),
    )
    .await;
    assert_eq!(mine["party_age_years"], 29, "{mine}");
    assert_eq!(mine["days_interrupted"], 365);
    assert_eq!(mine["interruptions"][0]["from"], "2000-03-01");
    assert_eq!(mine["interruptions"][0]["to"], "2001-02-28");

    // Bad input, refused with the rule cited and nothing written: a member
    // who has not reached a milestone; a day that is no ceremony.
    let cases_before = get(&app, "bithu", &format!("/api/v1/cases?unit={cell}")).await;
    let (s, v) = send(
        &app,
        "bithu",
        "/api/v1/badges",
        Some(json!({"member_id": young})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(problem_codes(&v), ["huy_hieu.not_reached"]);
    let msg = v["problems"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("Lê Thị Hai Sáu") && msg.contains("01-HD/TW"),
        "{msg}"
    );
    let (s, v) = send(
        &app,
        "bithu",
        "/api/v1/badges",
        // Not one of the pack's ceremony days.
        Some(json!({"member_id": interrupted, "ceremony_on": app.date_in(22)})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(problem_codes(&v), ["badge.not_a_ceremony"]);
    let cases_after = get(&app, "bithu", &format!("/api/v1/cases?unit={cell}")).await;
    assert_eq!(cases_before, cases_after, "nothing written by a refusal");
    // The upper committee does not propose for the cell.
    let (s, _) = send(
        &app,
        "dangbo",
        "/api/v1/badges",
        Some(json!({"member_id": interrupted})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The cell proposes: the next ceremony at which it is due.
    let (s, d) = send(
        &app,
        "bithu",
        "/api/v1/badges",
        Some(json!({"member_id": interrupted})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["kind"], "huy_hieu");
    let id = d["id"].as_i64().unwrap();
    let (s, v) = send(
        &app,
        "bithu",
        "/api/v1/badges",
        Some(json!({"member_id": interrupted})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(problem_codes(&v), ["case.already_open"]);

    // The upper committee sees the proposal across its cells and in its queue.
    let upper = get(&app, "dangbo", "/api/v1/badges").await;
    let p = upper["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["case_id"] == id)
        .expect("the proposal upstairs");
    assert_eq!(p["milestone"], 30);
    assert_eq!(p["ceremony_on"], "2027-02-03");

    // The cell's steps, each with its guard; then the upper committee's.
    step(
        &app,
        "bithu",
        id,
        json!({"step": "to_khai", "forms": ["6-HHĐ"]}),
    )
    .await;
    step(
        &app,
        "bithu",
        id,
        json!({"step": "chi_uy_de_nghi", "forms": ["2-HSĐV"]}),
    )
    .await;
    let upper_id = upper["unit_id"].as_i64().unwrap();
    let queue = get(
        &app,
        "dangbo",
        &format!("/api/v1/cases/queue?unit={upper_id}"),
    )
    .await;
    assert!(
        queue.as_array().unwrap().iter().any(|c| c["id"] == id),
        "{queue}"
    );
    let (s, _) = send(
        &app,
        "bithu",
        &format!("/api/v1/cases/{id}/steps"),
        Some(json!({"step": "dang_uy_de_nghi", "forms": ["4-HHĐ"]})),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the cell does not act for the đảng ủy"
    );
    step(
        &app,
        "dangbo",
        id,
        json!({"step": "dang_uy_de_nghi", "forms": ["4-HHĐ"]}),
    )
    .await;
    step(
        &app,
        "dangbo",
        id,
        json!({"step": "quyet_dinh", "doc_number": "1234-QĐ/TU"}),
    )
    .await;

    // The papers, prefilled from the registry.
    let text = pdf_text(
        &bytes(
            &app,
            "bithu",
            &format!("/api/v1/badges/{id}/documents/6-HHĐ"),
        )
        .await,
    );
    if let Some(text) = text {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("TỜ KHAI ĐỀ NGHỊ TẶNG HUY HIỆU ĐẢNG"),
            "{flat}"
        );
        assert!(flat.contains("Trần Văn Ba Mươi"), "{flat}");
        assert!(flat.contains("Huy hiệu 30 năm tuổi Đảng"), "{flat}");
        // The next 3 February (a ceremony day of the pack) after the test's day.
        let today = app.today();
        let this_year = NaiveDate::from_ymd_opt(today.year(), 2, 3).unwrap();
        let ceremony = if this_year >= today {
            this_year
        } else {
            NaiveDate::from_ymd_opt(today.year() + 1, 2, 3).unwrap()
        };
        assert!(
            flat.contains(&ceremony.format("%d/%m/%Y").to_string()),
            "{flat}"
        );
    }
    if let Some(text) = pdf_text(
        &bytes(
            &app,
            "bithu",
            &format!("/api/v1/badges/{id}/documents/2-hsdv"),
        )
        .await,
    ) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("PHIẾU ĐẢNG VIÊN"), "{flat}");
        assert!(flat.contains("từ 01/03/2000 đến 28/02/2001"), "{flat}");
    }
    let list_docx = docx_text(
        &bytes(
            &app,
            "dangbo",
            &format!("/api/v1/badges/{id}/documents/4-HHĐ?format=docx"),
        )
        .await,
    );
    assert!(list_docx.contains("DANH SÁCH ĐỀ NGHỊ"), "{list_docx}");
    assert!(list_docx.contains("Trần Văn Ba Mươi"), "{list_docx}");

    // 03/02/2027: the badge presented, the award recorded on the member.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 2, 3, 2, 30, 0).single().unwrap());
    let done = step(&app, "dangbo", id, json!({"step": "trao_tang"})).await;
    assert_eq!(done["outcome"], "hoan_thanh", "{done}");
    let mine = get(
        &app,
        "bithu",
        &format!("/api/v1/badges/members/{interrupted}"),
    )
    .await;
    let awards = mine["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 1, "{mine}");
    assert_eq!(awards[0]["milestone"], 30);
    assert_eq!(awards[0]["awarded_on"], "2027-02-03");
    assert_eq!(awards[0]["decision_no"], "1234-QĐ/TU");
    assert_eq!(awards[0]["case_id"], id);
    assert!(mine["proposal"].is_null());
    // Off the list; the next badge (40 years) is beyond next year.
    let list = get(&app, "bithu", &format!("/api/v1/badges?unit={cell}")).await;
    for part in ["this_year", "next_year"] {
        assert!(line_of(&list[part], interrupted).is_none(), "{list}");
    }
    // The member page shows it.
    let (c, _) = app.login("bithu").await;
    let html = app.html(&c, &format!("/members/{interrupted}")).await;
    assert!(html.contains("id=\"member-badges\""), "{html}");
    let page = app.page(&c, &format!("/members/{interrupted}")).await;
    assert!(
        page.contains("Tuổi Đảng: 30 năm 0 tháng (đã trừ số ngày không sinh hoạt đảng: 365)"),
        "{page}"
    );
    assert!(
        page.contains("Huy hiệu Đảng đã được tặng: 30 năm tuổi Đảng (03/02/2027, 1234-QĐ/TU)"),
        "{page}"
    );

    // A second proposal the upper committee refuses, with its reason: no
    // award, the member due again.
    let (s, d) = send(
        &app,
        "bithu",
        "/api/v1/badges",
        Some(json!({"member_id": plain})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let other = d["id"].as_i64().unwrap();
    let (s, v) = send(
        &app,
        "dangbo",
        &format!("/api/v1/cases/{other}/close"),
        Some(json!({"outcome": "tu_choi", "reason": "Hồ sơ thiếu tờ khai của đảng viên"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "tu_choi");
    assert_eq!(v["close_reason"], "Hồ sơ thiếu tờ khai của đảng viên");
    let mine = get(&app, "bithu", &format!("/api/v1/badges/members/{plain}")).await;
    assert!(mine["awards"].as_array().unwrap().is_empty());
    assert_eq!(mine["next"]["ceremony_on"], "2027-02-03", "{mine}");

    // The secretary's dashboard counts the badges due.
    let dash = get(&app, "bithu", &format!("/api/v1/units/{cell}/dashboard")).await;
    assert!(
        line_of(&dash["badges"], plain).is_some(),
        "{}",
        dash["badges"]
    );
    let html = app.html(&c, "/dashboard").await;
    assert!(html.contains("id=\"badges-due\""), "{html}");
    let html = app.page(&c, &format!("/badges?unit={cell}")).await;
    assert!(html.contains("Ngô Văn Đủ"), "{html}");
}
