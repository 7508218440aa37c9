//! Cases on the procedure model over the JSON API: a candidate from proposal
//! to full member across fourteen months, every deadline on the holiday
//! calendar; the failure paths; the bad input of issue 13, each refused with
//! the rule cited and nothing written.

use crate::support::{Backend, TestApp};
use chibo_rules::DecisionKind;
use chibo_server::model::{Presence, VoteMode};
use chibo_server::service::meetings::MeetingForm;
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Sets the app's clock to 09:30 in Hà Nội on `date`.
fn set_day(app: &TestApp, y: i32, m: u32, d: u32) {
    app.clock.set(
        Utc.with_ymd_and_hms(y, m, d, 2, 30, 0)
            .single()
            .expect("valid"),
    );
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// API calls as one login. The token is issued on each call, at the test
/// clock's time: a token lives for weeks, the cases here for months.
struct Api<'a> {
    app: &'a TestApp,
    login: &'static str,
}

impl Api<'_> {
    async fn send(&self, post: Option<&Value>, path: &str) -> (StatusCode, Value) {
        let c = TestApp::client();
        let req = match post {
            Some(body) => c.post(self.app.url(path)).json(body),
            None => c.get(self.app.url(path)),
        };
        let token = self.app.token_for(self.login).await;
        let res = req.bearer_auth(&token).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (s, v) = self.send(None, path).await;
        assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
        v
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Some(&body), path).await
    }

    /// Records a step that must be accepted.
    async fn step(&self, case: i64, body: Value) -> Value {
        let (s, v) = self
            .post(&format!("/api/v1/cases/{case}/steps"), body.clone())
            .await;
        assert_eq!(s, StatusCode::OK, "{body}: {v}");
        v
    }

    /// Records a step that must be refused with `code`; returns the messages.
    async fn refused(&self, case: i64, body: Value, code: &str) -> String {
        let before = self.get(&format!("/api/v1/cases/{case}")).await;
        let (s, v) = self
            .post(&format!("/api/v1/cases/{case}/steps"), body.clone())
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        let problems = v["problems"].as_array().cloned().unwrap_or_default();
        assert!(
            problems.iter().any(|p| p["code"] == code),
            "{code} expected for {body}: {v}"
        );
        let after = self.get(&format!("/api/v1/cases/{case}")).await;
        assert_eq!(before, after, "nothing written by a refused step");
        problems
            .iter()
            .map(|p| p["message"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// A vote of the cell's meeting held today, on `kind`, passed or not.
pub(crate) async fn cell_vote(app: &TestApp, cell_id: i64, kind: DecisionKind, pass: bool) -> i64 {
    let s = &app.services;
    let bithu = app.actor("bithu").await;
    let form = MeetingForm {
        kind: "thuong_ky".into(),
        date: app.date_in(0),
        time: "19:30".into(),
        place: "Nhà văn hóa khu phố 1".into(),
        ..MeetingForm::default()
    };
    let id = s
        .plan_meeting(&bithu, cell_id, &form, app.now())
        .await
        .unwrap();
    s.open_meeting(&bithu, id, Some("Họp sớm theo lịch của đảng ủy"), app.now())
        .await
        .unwrap();
    for r in
        s.db.read(async |r| store::meetings::roll(r, id).await)
            .await
            .unwrap()
    {
        s.mark_attendance(&bithu, id, r.member_id, Presence::CoMat, None, app.now())
            .await
            .unwrap();
    }
    let vote = s
        .open_vote(&bithu, id, kind, "Biểu quyết", VoteMode::Counts, app.now())
        .await
        .unwrap();
    let (m, _) = s.meeting(&bithu, id).await.unwrap();
    let v =
        s.db.read(async |r| store::meetings::vote(r, vote).await)
            .await
            .unwrap()
            .unwrap();
    let voters = s.vote_voters(&m, &v).len() as u32;
    let counts = if pass {
        (voters, 0, 0)
    } else {
        (1, voters - 1, 0)
    };
    s.enter_counts(&bithu, id, vote, counts, app.now())
        .await
        .unwrap();
    vote
}

/// Two full members of the cell admitted long ago, and its probationary member.
async fn registry(app: &TestApp, cell: i64) -> (Vec<i64>, i64) {
    let members = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let full: Vec<i64> = members
        .iter()
        .filter(|m| m.status == "chinh_thuc")
        .map(|m| m.id)
        .take(3)
        .collect();
    let probationary = members
        .iter()
        .find(|m| m.status == "du_bi")
        .expect("the demo has a probationary member")
        .id;
    (full, probationary)
}

fn step_of<'a>(case: &'a Value, code: &str) -> &'a Value {
    case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("no step {code}"))
}

/// Proposes a candidate and files the dossier up to the committee's review.
async fn dossier(api: &Api<'_>, cell: i64, name: &str, born: &str, introducers: &[i64]) -> i64 {
    let (s, case) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "ket_nap", "cell_id": cell, "candidate": {
                "full_name": name, "date_of_birth": born, "sex": "nu", "residence": "Tổ 3, khu phố 1"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let id = case["id"].as_i64().unwrap();
    let d = api.app.date_in(0);
    api.step(id, json!({"step": "bdnt", "date": d, "forms": ["CN-NTVĐ"]}))
        .await;
    api.step(
        id,
        json!({"step": "don_xin_vao_dang", "date": d, "forms": ["1-KNĐ"]}),
    )
    .await;
    api.step(
        id,
        json!({"step": "ly_lich", "date": d, "forms": ["2-KNĐ"]}),
    )
    .await;
    api.step(id, json!({"step": "tham_tra_ly_lich", "date": d}))
        .await;
    let intro: Vec<Value> = introducers
        .iter()
        .map(|m| json!({"member_id": m, "known_since": "01/01/2020"}))
        .collect();
    api.step(
        id,
        json!({"step": "gioi_thieu", "date": d, "forms": ["3-KNĐ"], "introducers": intro}),
    )
    .await;
    api.step(
        id,
        json!({"step": "lay_y_kien", "date": d, "forms": ["5-KNĐ", "5B-KNĐ", "5C-KNĐ"]}),
    )
    .await;
    api.step(id, json!({"step": "chi_uy_xem_xet", "date": d}))
        .await;
    id
}

#[db_test]
async fn a_candidate_becomes_a_full_member_across_fourteen_months(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let (full, _) = registry(&app, cell).await;
    let cell_api = Api {
        app: &app,
        login: "bithu",
    };
    let upper = Api {
        app: &app,
        login: "dangbo",
    };
    let upper_unit = app.services.org(cell).await.unwrap().parent_id.unwrap();

    // 03/12/2026: proposed, dossier filed, the cell votes (2/3 of all full members).
    let case = dossier(&cell_api, cell, "Nguyễn Thị Hồng", "10/05/2000", &full[..2]).await;
    let vote = cell_vote(&app, cell, DecisionKind::KetNap, true).await;
    let v = cell_api
        .step(
            case,
            json!({"step": "chi_bo_xet", "vote_id": vote, "forms": ["6-KNĐ"]}),
        )
        .await;
    assert_eq!(step_of(&v, "chi_bo_xet")["done_on"], "2026-12-03");
    // The upper committee decides within 60 working days of the cell's
    // resolution: 1/1 and Tết 2027 (5–11/02) skipped.
    let due = &step_of(&v, "quyet_dinh_ket_nap")["due"];
    assert_eq!(due["date"], "2027-03-05", "{due}");
    let explanation = due["explanation"].as_str().unwrap();
    assert!(explanation.contains("60 ngày làm việc"), "{explanation}");
    assert!(explanation.contains("Tết Nguyên đán"), "{explanation}");
    assert!(explanation.contains("232-QĐ/TW"), "{explanation}");
    assert!(
        explanation.contains("dự kiến"),
        "2027 is a projection: {explanation}"
    );
    assert_eq!(v["next_due"]["date"], "2027-03-05");
    let people = v["people"].as_array().unwrap();
    assert_eq!(people.len(), 2, "both introducers kept: {v}");

    // The candidate's personal data: read through the API, each read logged.
    let cand = v["candidate_id"].as_i64().unwrap();
    let c = cell_api.get(&format!("/api/v1/candidates/{cand}")).await;
    assert_eq!(c["date_of_birth"], "2000-05-10");
    assert_eq!(
        app.services
            .db
            .read(async |r| store::cases::candidate_accesses(r, cand).await)
            .await
            .unwrap(),
        1
    );

    // 10/12/2026: the queue of the đảng ủy shows the case; the cell may not
    // record the upper committee's steps.
    set_day(&app, 2026, 12, 10);
    let queue = upper
        .get(&format!("/api/v1/cases/queue?unit={upper_unit}"))
        .await;
    assert_eq!(queue[0]["id"], case, "{queue}");
    let (s, _) = cell_api
        .post(
            &format!("/api/v1/cases/{case}/steps"),
            json!({"step": "nghi_quyet_dang_uy", "forms": ["8-KNĐ"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let v = upper
        .step(
            case,
            json!({"step": "nghi_quyet_dang_uy", "forms": ["8-KNĐ"]}),
        )
        .await;
    assert_eq!(
        step_of(&v, "quyet_dinh_ket_nap")["due"]["text"],
        "còn 55 ngày làm việc"
    );

    // 17/12/2026: the decision; the ceremony is due within 30 working days
    // (1/1/2027 skipped).
    set_day(&app, 2026, 12, 17);
    let v = upper
        .step(
            case,
            json!({"step": "quyet_dinh_ket_nap", "forms": ["9-KNĐ"], "doc_number": "125-QĐ/ĐU"}),
        )
        .await;
    assert_eq!(step_of(&v, "le_ket_nap")["due"]["date"], "2027-01-29");
    // Reminded when due soon: three working days before, on 26/01/2027.
    set_day(&app, 2027, 1, 26);
    let v = cell_api.get(&format!("/api/v1/cases/{case}")).await;
    let due = &step_of(&v, "le_ket_nap")["due"];
    assert_eq!(due["urgency"], "due_soon", "{due}");
    assert_eq!(due["text"], "còn 3 ngày làm việc");
    // The sweep reminds the secretary once of the ceremony's deadline.
    app.services.run_reminders(app.now()).await.unwrap();
    app.services.run_reminders(app.now()).await.unwrap();
    let sent = app
        .services
        .db
        .read(async |r| store::cases::reminders(r, case).await)
        .await
        .unwrap();
    let ceremony: Vec<_> = sent
        .iter()
        .filter(|r| r.1 == format!("case:{case}:le_ket_nap:due_soon:2027-01-29"))
        .collect();
    assert_eq!(ceremony.len(), 1, "{sent:?}");
    assert!(ceremony[0].2.contains("còn 3 ngày làm việc"), "{sent:?}");
    // The secretary's dashboard lists the candidate at the ceremony, due soon.
    let (c, _) = app.login("bithu").await;
    let dash = app.page(&c, "/dashboard").await;
    assert!(
        dash.contains(
            "Nguyễn Thị Hồng : Tổ chức lễ kết nạp đảng viên — 29/01/2027 · còn 3 ngày làm việc"
        ),
        "{dash}"
    );
    let page = app.page(&c, &format!("/cases/{case}")).await;
    assert!(page.contains("còn 3 ngày làm việc"), "{page}");

    // 08/01/2027 (recorded on the 26th, dated as held): the ceremony. The
    // member record is created as probationary with both dates, and the
    // recognition case opens.
    let held = day(2027, 1, 8);
    let v = cell_api
        .step(
            case,
            json!({"step": "le_ket_nap", "date": held.format("%d/%m/%Y").to_string()}),
        )
        .await;
    assert_eq!(v["outcome"], "hoan_thanh");
    let member = v["member_id"].as_i64().expect("member created");
    let m = app
        .services
        .db
        .read(async |r| store::members::get(r, member).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, "du_bi");
    assert_eq!(
        m.admission_date,
        Some(day(2026, 12, 17)),
        "party age from the decision"
    );
    assert_eq!(
        m.ceremony_date,
        Some(day(2027, 1, 8)),
        "ngày vào Đảng = the ceremony"
    );
    let cases = cell_api.get(&format!("/api/v1/cases?unit={cell}")).await;
    let rec = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["member_id"] == member && c["kind"] == "cong_nhan_chinh_thuc")
        .expect("recognition case opened at the ceremony");
    let rec_id = rec["id"].as_i64().unwrap();
    assert_eq!(rec["dates"]["het_du_bi"], "2028-01-08");

    // Two mentors assigned; the probationer's own self-report from their account.
    set_day(&app, 2027, 1, 27);
    cell_api
        .step(
            rec_id,
            json!({"step": "phan_cong_giup_do", "mentors": [full[0], full[2]]}),
        )
        .await;
    set_day(&app, 2027, 12, 20);
    cell_api
        .step(rec_id, json!({"step": "tu_kiem_diem", "forms": ["10-KNĐ"]}))
        .await;
    cell_api
        .step(
            rec_id,
            json!({"step": "nhan_xet_giup_do", "forms": ["11-KNĐ"]}),
        )
        .await;
    cell_api
        .step(rec_id, json!({"step": "lay_y_kien", "forms": ["12-KNĐ"]}))
        .await;

    // 05/01/2028: the end of probation is three days off: the secretary and
    // the probationer are reminded; a vote before the 12 months end is refused.
    set_day(&app, 2028, 1, 5);
    app.services.run_reminders(app.now()).await.unwrap();
    let sent = app
        .services
        .db
        .read(async |r| store::cases::reminders(r, rec_id).await)
        .await
        .unwrap();
    let ending: Vec<i64> = sent
        .iter()
        .filter(|r| r.1 == format!("case:{rec_id}:het_du_bi:2028-01-08"))
        .map(|r| r.0)
        .collect();
    assert!(ending.contains(&member), "{sent:?}");
    assert_eq!(ending.len(), 2, "secretary and probationer: {sent:?}");
    let early = cell_vote(&app, cell, DecisionKind::CongNhanChinhThuc, true).await;
    let msg = cell_api
        .refused(
            rec_id,
            json!({"step": "chi_bo_xet", "vote_id": early, "forms": ["13-KNĐ", "CN-ĐVM"]}),
            "date.too_early",
        )
        .await;
    // Not before the end of probation, twelve months after the ceremony.
    let probation_end = held.with_year(held.year() + 1).unwrap();
    assert!(
        msg.contains(&probation_end.format("%d/%m/%Y").to_string()),
        "{msg}"
    );

    // 10/01/2028: the vote; the cell had 30 working days from 08/01 (Tết 2028 skipped).
    set_day(&app, 2028, 1, 10);
    let v = cell_api.get(&format!("/api/v1/cases/{rec_id}")).await;
    assert_eq!(step_of(&v, "chi_bo_xet")["due"]["date"], "2028-02-25");
    let vote = cell_vote(&app, cell, DecisionKind::CongNhanChinhThuc, true).await;
    let v = cell_api
        .step(
            rec_id,
            json!({"step": "chi_bo_xet", "vote_id": vote, "forms": ["13-KNĐ", "CN-ĐVM"]}),
        )
        .await;
    assert_eq!(
        step_of(&v, "quyet_dinh_cong_nhan")["due"]["date"],
        "2028-02-28"
    );

    // 20/01/2028: the upper committee's resolution and decision; the member
    // is full from the end of probation, 08/01/2028 (14 months after the proposal).
    set_day(&app, 2028, 1, 20);
    upper
        .step(
            rec_id,
            json!({"step": "nghi_quyet_dang_uy", "forms": ["15-KNĐ"]}),
        )
        .await;
    let v = upper
        .step(
            rec_id,
            json!({"step": "quyet_dinh_cong_nhan", "forms": ["16-KNĐ"]}),
        )
        .await;
    assert_eq!(v["outcome"], "hoan_thanh");
    let m = app
        .services
        .db
        .read(async |r| store::members::get(r, member).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, "chinh_thuc");
    assert_eq!(m.official_date, Some(day(2028, 1, 8)));
    let history = app
        .services
        .db
        .read(async |r| store::members::status_history(r, member).await)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|p| (p.status.as_str(), p.start_date))
            .collect::<Vec<_>>(),
        vec![("du_bi", day(2027, 1, 8)), ("chinh_thuc", day(2028, 1, 8))]
    );
    // Every step is on the cell's audit chain, and the chain verifies.
    let verdict = app
        .services
        .verify(&chibo_server::service::audit::Scope::default())
        .await
        .unwrap();
    assert!(verdict.findings.is_empty(), "{:?}", verdict.findings);
}

#[db_test]
async fn a_failed_recognition_vote_is_held_again_and_the_upper_committee_may_refuse(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let (full, probationary) = registry(&app, cell).await;
    let api = Api {
        app: &app,
        login: "bithu",
    };
    let upper = Api {
        app: &app,
        login: "dangbo",
    };
    let (s, v) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "cong_nhan_chinh_thuc", "member_id": probationary}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let case = v["id"].as_i64().unwrap();
    // Two open cases of one kind for one person: refused.
    let (s, again) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "cong_nhan_chinh_thuc", "member_id": probationary}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again["problems"][0]["code"], "case.already_open");

    let end: NaiveDate = v["dates"]["het_du_bi"].as_str().unwrap().parse().unwrap();
    api.step(
        case,
        json!({"step": "phan_cong_giup_do", "mentors": [full[0], full[1]]}),
    )
    .await;
    api.step(case, json!({"step": "tu_kiem_diem", "forms": ["10-KNĐ"]}))
        .await;
    api.step(
        case,
        json!({"step": "nhan_xet_giup_do", "forms": ["11-KNĐ"]}),
    )
    .await;
    api.step(case, json!({"step": "lay_y_kien", "forms": ["12-KNĐ"]}))
        .await;
    // The first vote after the end of probation fails: recorded as failed.
    let first = end + chrono::Duration::days(3);
    app.clock
        .set(Utc.from_utc_datetime(&first.and_hms_opt(2, 30, 0).unwrap()));
    let failed = cell_vote(&app, cell, DecisionKind::CongNhanChinhThuc, false).await;
    let v = api
        .step(
            case,
            json!({"step": "chi_bo_xet", "vote_id": failed, "forms": ["13-KNĐ", "CN-ĐVM"]}),
        )
        .await;
    let s = step_of(&v, "chi_bo_xet");
    assert_eq!(s["failed_attempts"], 1);
    assert_eq!(s["state"], "available", "held again: {s}");
    assert_eq!(v["records"][4]["result"], "failed");
    // A vote is recorded once.
    let msg = api
        .refused(
            case,
            json!({"step": "chi_bo_xet", "vote_id": failed, "forms": ["13-KNĐ", "CN-ĐVM"]}),
            "case.vote_used",
        )
        .await;
    assert!(!msg.is_empty());
    // The second attempt passes a week later.
    app.clock.advance(chrono::Duration::days(7));
    let second = cell_vote(&app, cell, DecisionKind::CongNhanChinhThuc, true).await;
    let v = api
        .step(
            case,
            json!({"step": "chi_bo_xet", "vote_id": second, "forms": ["13-KNĐ", "CN-ĐVM"]}),
        )
        .await;
    assert_eq!(step_of(&v, "chi_bo_xet")["state"], "done");
    upper
        .step(
            case,
            json!({"step": "nghi_quyet_dang_uy", "forms": ["15-KNĐ"]}),
        )
        .await;
    // The upper committee refuses, with its reason; the member is removed
    // from the list (xóa tên) and the history stays.
    let (s, bad) = upper
        .post(
            &format!("/api/v1/cases/{case}/close"),
            json!({"outcome": "xoa_ten", "reason": ""}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required: {bad}"
    );
    let (s, v) = upper
        .post(
            &format!("/api/v1/cases/{case}/close"),
            json!({"outcome": "xoa_ten", "reason": "Không đủ tư cách đảng viên: vi phạm tư cách trong thời gian dự bị"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "xoa_ten");
    assert!(v["close_reason"].as_str().unwrap().contains("vi phạm"));
    assert_eq!(v["records"].as_array().unwrap().len(), 7, "history kept");
    let m = app
        .services
        .db
        .read(async |r| store::members::get(r, probationary).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, "xoa_ten");
}

#[db_test]
async fn bad_input_is_refused_with_the_rule_and_nothing_written(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let (full, probationary) = registry(&app, cell).await;
    let api = Api {
        app: &app,
        login: "bithu",
    };
    let upper = Api {
        app: &app,
        login: "dangbo",
    };
    let (_, v) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "ket_nap", "cell_id": cell, "candidate": {"full_name": "Lê Văn Tám", "date_of_birth": "02/03/1998"}}),
        )
        .await;
    let case = v["id"].as_i64().unwrap();
    let d = app.date_in(0);
    api.step(
        case,
        json!({"step": "don_xin_vao_dang", "date": d, "forms": ["1-KNĐ"]}),
    )
    .await;
    // An application without its form.
    let msg = api
        .refused(
            case,
            json!({"step": "ly_lich", "date": d}),
            "step.missing_document",
        )
        .await;
    assert!(msg.contains("2-KNĐ"), "{msg}");
    // A probationary introducer, and one introducer only.
    let msg = api
        .refused(
            case,
            json!({"step": "gioi_thieu", "date": d, "forms": ["3-KNĐ"],
                   "introducers": [{"member_id": probationary, "known_since": "01/01/2020"}]}),
            "nguoi_gioi_thieu.status",
        )
        .await;
    assert!(msg.contains("chỉ đảng viên chính thức"), "{msg}");
    assert!(msg.contains("cần 2 đảng viên chính thức"), "{msg}");
    // An introducer who has known the candidate for less than 12 months.
    api.refused(
        case,
        json!({"step": "gioi_thieu", "date": d, "forms": ["3-KNĐ"],
               "introducers": [{"member_id": full[0], "known_since": "01/06/2026"},
                               {"member_id": full[1], "known_since": "01/01/2020"}]}),
        "nguoi_gioi_thieu.shared_time",
    )
    .await;
    // A vote before the required documents are in.
    let vote = cell_vote(&app, cell, DecisionKind::KetNap, true).await;
    let msg = api
        .refused(
            case,
            json!({"step": "chi_bo_xet", "vote_id": vote, "forms": ["6-KNĐ"]}),
            "step.missing_prerequisite",
        )
        .await;
    assert!(
        msg.contains("232-QĐ/TW") || msg.contains("Điều lệ"),
        "{msg}"
    );

    // A candidate under 18 on the day the cell considers the case.
    let young = dossier(&api, cell, "Trần Văn Nhỏ", "01/01/2010", &full[..2]).await;
    let msg = api
        .refused(
            young,
            json!({"step": "chi_bo_xet", "vote_id": vote, "forms": ["6-KNĐ"]}),
            "tuoi_ket_nap.under_min",
        )
        .await;
    assert!(msg.contains("18 tuổi"), "{msg}");
    // Over 60: refused until the competent committee's approval is recorded.
    let old = dossier(&api, cell, "Phạm Văn Già", "01/01/1960", &full[..2]).await;
    let msg = api
        .refused(
            old,
            json!({"step": "chi_bo_xet", "vote_id": vote, "forms": ["6-KNĐ"]}),
            "tuoi_ket_nap.over_max",
        )
        .await;
    assert!(msg.contains("cấp ủy có thẩm quyền"), "{msg}");
    let (s, _) = api
        .post(
            &format!("/api/v1/cases/{old}/decisions"),
            json!({"action": "age_exception", "text": "Ban Thường vụ Tỉnh ủy đồng ý (CV số 12)"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the upper level approves");
    let (s, _) = upper
        .post(
            &format!("/api/v1/cases/{old}/decisions"),
            json!({"action": "age_exception", "text": "Ban Thường vụ Tỉnh ủy đồng ý (CV số 12)"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let v = api
        .step(
            old,
            json!({"step": "chi_bo_xet", "vote_id": vote, "forms": ["6-KNĐ"]}),
        )
        .await;
    assert_eq!(step_of(&v, "chi_bo_xet")["state"], "done");

    // A decision dated before the resolutions it rests on (the cell's, then
    // the đảng ủy's a week later).
    app.clock.advance(chrono::Duration::days(7));
    upper
        .step(
            old,
            json!({"step": "nghi_quyet_dang_uy", "forms": ["8-KNĐ"]}),
        )
        .await;
    let msg = upper
        .refused(
            old,
            json!({"step": "quyet_dinh_ket_nap", "date": app.date_in(-8), "forms": ["9-KNĐ"]}),
            "date.before_prerequisite",
        )
        .await;
    assert!(msg.contains("không thể ghi ngày trước"), "{msg}");
    assert!(msg.contains("232-QĐ/TW"), "{msg}");
    upper
        .step(
            old,
            json!({"step": "quyet_dinh_ket_nap", "forms": ["9-KNĐ"]}),
        )
        .await;
    // A ceremony after its deadline: refused without the reason, then
    // recorded with it and shown late.
    app.clock.advance(chrono::Duration::days(60));
    let msg = api
        .refused(
            old,
            json!({"step": "le_ket_nap"}),
            "step.late_without_reason",
        )
        .await;
    assert!(msg.contains("phải ghi rõ lý do"), "{msg}");
    let v = api
        .step(
            old,
            json!({"step": "le_ket_nap", "late_reason": "Người được kết nạp điều trị dài ngày; đảng ủy đồng ý"}),
        )
        .await;
    assert!(step_of(&v, "le_ket_nap")["late_by"].as_i64().unwrap() > 0);

    // Closing without a reason, or with an outcome the procedure has not.
    let (s, _) = api
        .post(
            &format!("/api/v1/cases/{young}/close"),
            json!({"outcome": "khong_ky_luat", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = api
        .post(
            &format!("/api/v1/cases/{young}/close"),
            json!({"outcome": "rut_ho_so", "reason": "Gia đình chuyển đi nơi khác"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// `chibo demo`'s cases: candidates stopped at different steps, and the
/// recognition of every probationary member of the first cell, all recorded
/// through the rules.
#[db_test]
async fn the_demo_has_cases_at_several_steps(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let probationers = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.status == "du_bi")
        .count();
    let opened = app.services.generate_demo_cases(app.now()).await.unwrap();
    // Eight candidates, two of them admitted (their recognition opened at the
    // ceremony), and each probationary member's recognition.
    assert_eq!(opened, 8 + 2 + probationers);
    let api = Api {
        app: &app,
        login: "bithu",
    };
    let cases = api.get(&format!("/api/v1/cases?unit={cell}")).await;
    let cases = cases.as_array().unwrap();
    assert_eq!(
        cases.len(),
        opened - 2,
        "the admitted are closed: {cases:?}"
    );
    let mut done: Vec<usize> = cases
        .iter()
        .filter(|c| c["kind"] == "ket_nap")
        .map(|c| {
            c["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| !s["done_on"].is_null())
                .count()
        })
        .collect();
    done.sort_unstable();
    // Proposed, the dossier under way, at the cell's vote, at the upper
    // committee's resolution, its decision, the ceremony.
    assert_eq!(done, [0, 3, 7, 8, 9, 10], "{cases:?}");
    let recognitions: Vec<&Value> = cases
        .iter()
        .filter(|c| c["kind"] == "cong_nhan_chinh_thuc")
        .collect();
    assert_eq!(recognitions.len(), probationers + 2);
    let late: Vec<&str> = cases
        .iter()
        .filter(|c| c["next_due"]["urgency"] == "late")
        .map(|c| c["next_due"]["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        late.len(),
        4,
        "the upper committee's two decisions, a ceremony, a recognition vote: {late:?}"
    );
    for step in [
        "quyet_dinh_ket_nap",
        "le_ket_nap",
        "chi_bo_xet",
        "quyet_dinh_cong_nhan",
    ] {
        assert!(late.contains(&step), "{step} late: {late:?}");
    }
    assert!(
        recognitions.iter().all(|c| !c["next_due"].is_null()),
        "each recognition has its deadline: {recognitions:?}"
    );
}

/// A probationary member's home: the day the 12 months end (12 months
/// from the ceremony), the step their recognition is at, its deadline and
/// their helpers.
#[db_test]
async fn a_probationer_sees_their_recognition_at_home(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let (_, probationary) = registry(&app, cell).await;
    let before = {
        let mut me = app.actor("bithu").await;
        me.member_id = Some(probationary);
        me
    };
    let home = app.services.home(&before, app.now()).await.unwrap();
    assert!(home.mine.unwrap().probation.is_none(), "no case yet");
    app.services.generate_demo_cases(app.now()).await.unwrap();
    let home = app.services.home(&before, app.now()).await.unwrap();
    let p = home.mine.unwrap().probation.expect("their recognition");
    let m = app
        .services
        .db
        .read(async |r| store::members::get(r, probationary).await)
        .await
        .unwrap()
        .unwrap();
    let ceremony = m.ceremony_date.unwrap();
    assert_eq!(
        p.ends_on,
        ceremony.checked_add_months(chrono::Months::new(12)),
        "{p:?}"
    );
    assert!(!p.at.is_empty(), "{p:?}");
    let due = p.next_due.expect("the recognition vote's deadline");
    assert!(due.date > p.ends_on.unwrap(), "{due:?}");
}

/// One status vocabulary: a suspension (`dinh_chi`), which the rules know and
/// the schema accepts, is recorded through the member's page, read back as
/// the shared enum, and found by the members' status filter.
#[db_test]
async fn a_suspension_is_recorded_with_the_shared_status(b: Backend) {
    use chibo_server::model::Status;
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let (full, _) = registry(&app, cell).await;
    let id = full[0];
    let (c, csrf) = app.login("bithu").await;
    let on = app.date_in(0);
    let res = app
        .post(
            &c,
            &format!("/members/{id}/status"),
            &[
                ("csrf", csrf.as_str()),
                ("status", "dinh_chi"),
                ("start_date", on.as_str()),
                ("note", "Quyết định đình chỉ sinh hoạt"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let m = app
        .services
        .db
        .read(async |r| store::members::get(r, id).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, Status::DinhChi, "{b:?}");
    let page = app.page(&c, &format!("/members/{id}")).await;
    assert!(page.contains("Đình chỉ sinh hoạt"), "{b:?}");
    // The members' filter reads the same code.
    let list = crate::support::text(&app.html(&c, "/members?status=dinh_chi").await);
    assert!(
        list.contains("1 đảng viên") && list.contains(&m.full_name),
        "{b:?}: {list}"
    );
    assert!(Status::DinhChi.on_list() && Status::DinhChi.is_apart());
}

/// A case opened on 03/12/2026 follows the rules in force that day: the
/// newest pack is vn-2026-07 (QĐ 208), whose parameters apply, while the
/// admission steps it keeps come from HD 38 (vn-2025-09). The page said only
/// "vn-2025-09", as if the case followed the 2025 rules.
#[db_test]
async fn a_case_names_the_rules_in_force_when_it_opened(b: Backend) {
    let app = TestApp::demo(b).await;
    assert_eq!(app.today(), day(2026, 12, 3));
    let cell = app.cell_ids().await[0];
    let api = Api {
        app: &app,
        login: "bithu",
    };
    let (s, case) = api
        .post(
            "/api/v1/cases",
            json!({"kind": "ket_nap", "cell_id": cell, "candidate": {
                "full_name": "Lê Thu Trang", "date_of_birth": "02/02/2001"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    assert_eq!(case["pack"], "vn-2026-07", "{b:?}: {case}");
    assert_eq!(case["procedure_pack"], "vn-2025-09", "{b:?}");
    assert!(
        case["procedure_source"]
            .as_str()
            .unwrap()
            .contains("38-HD/BTCTW"),
        "{b:?}: {case}"
    );
    let (c, _) = app.login("bithu").await;
    let id = case["id"].as_i64().unwrap();
    let page = app.page(&c, &format!("/cases/{id}")).await;
    assert!(
        page.contains("vn-2026-07") && page.contains("38-HD/BTCTW"),
        "{b:?}"
    );
}

/// The documents of an admission: the cell's resolution (6-KNĐ), the đảng
/// ủy's resolution (8-KNĐ), the standing committee's decision (9-KNĐ) and
/// the ceremony minutes, each numbered in its unit's register when its step
/// is recorded, prefilled from the case, in PDF and DOCX; the dossier is one
/// PDF holding them all after its list of steps.
#[db_test]
async fn the_admission_documents_are_numbered_prefilled_and_bundled(b: Backend) {
    use crate::support::{docx_text, pdf_text};
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let (full, _) = registry(&app, cell).await;
    let api = Api {
        app: &app,
        login: "bithu",
    };
    let upper = Api {
        app: &app,
        login: "dangbo",
    };
    let case = dossier(&api, cell, "Phạm Minh Châu", "21/09/1999", &full[..2]).await;
    let vote = cell_vote(&app, cell, DecisionKind::KetNap, true).await;
    let v = api
        .step(
            case,
            json!({"step": "chi_bo_xet", "vote_id": vote, "forms": ["6-KNĐ"]}),
        )
        .await;
    let resolution = step_of(&v, "chi_bo_xet");
    assert_eq!(
        resolution["document"],
        "Nghị quyết của chi bộ đề nghị kết nạp đảng viên"
    );
    let number = |v: &Value, step: &str| -> String {
        v["records"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|r| r["step"] == step)
            .and_then(|r| r["doc_number"].as_str())
            .unwrap_or_else(|| panic!("{step} numbered: {v}"))
            .to_owned()
    };
    let nq = number(&v, "chi_bo_xet");
    assert!(nq.ends_with("-NQ/CB"), "{nq}");
    upper
        .step(
            case,
            json!({"step": "nghi_quyet_dang_uy", "forms": ["8-KNĐ"]}),
        )
        .await;
    set_day(&app, 2026, 12, 10);
    let v = upper
        .step(
            case,
            json!({"step": "quyet_dinh_ket_nap", "forms": ["9-KNĐ"]}),
        )
        .await;
    let qd = number(&v, "quyet_dinh_ket_nap");
    assert!(qd.ends_with("-QĐ/ĐU"), "{qd}");
    let dnq = number(&v, "nghi_quyet_dang_uy");
    assert!(dnq.ends_with("-NQ/ĐU"), "{dnq}");
    set_day(&app, 2026, 12, 18);
    api.step(case, json!({"step": "le_ket_nap"})).await;

    let (c, _) = app.login("bithu").await;
    let get = async |path: String| -> Vec<u8> {
        let res = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.bytes().await.unwrap().to_vec()
    };
    let page = app.html(&c, &format!("/cases/{case}")).await;
    assert!(
        page.contains(&format!("/cases/{case}/docs/ho-so.pdf")),
        "{b:?}"
    );
    assert!(
        page.contains(&format!("/cases/{case}/docs/chi_bo_xet.docx")),
        "{b:?}"
    );
    let docx = docx_text(&get(format!("/cases/{case}/docs/chi_bo_xet.docx")).await);
    for want in [
        "NGHỊ QUYẾT",
        "đề nghị kết nạp đảng viên",
        "Phạm Minh Châu",
        "21/09/1999",
        &nq,
        "CHI BỘ QUYẾT NGHỊ",
        "T/M CHI BỘ",
    ] {
        assert!(docx.contains(want), "{b:?}: {want} in {docx}");
    }
    let pdf = get(format!("/cases/{case}/docs/quyet_dinh_ket_nap.pdf")).await;
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(t) = pdf_text(&pdf) {
        for want in [
            "QUYẾT ĐỊNH",
            &qd,
            "Kết nạp quần chúng Phạm Minh Châu vào Đảng Cộng sản Việt Nam",
            "30 ngày làm việc",
            "T/M BAN THƯỜNG VỤ",
            &nq,
        ] {
            assert!(t.contains(want), "{b:?}: {want} in {t}");
        }
    }
    let dossier = get(format!("/cases/{case}/docs/ho-so.pdf")).await;
    if let Some(t) = pdf_text(&dossier) {
        for want in [
            "DANH MỤC HỒ SƠ",
            "vn-2026-07",
            "NGHỊ QUYẾT",
            &dnq,
            "QUYẾT ĐỊNH",
            "BIÊN BẢN",
            "Ngày vào Đảng (ngày tổ chức lễ kết nạp): 18/12/2026",
            "Tuổi đảng tính từ ngày ký quyết định kết nạp: 10/12/2026",
        ] {
            assert!(t.contains(want), "{b:?}: {want} in {t}");
        }
    }
    // A step that issues nothing has no document.
    let res = c
        .get(app.url(&format!("/cases/{case}/docs/bdnt.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// Cases whose decision step (`step`) is done between two days, by a recount
/// of the cases the API lists one by one (a case closed another way than
/// completed does not count).
fn decided(cases: &[Value], kind: &str, step: &str, from: NaiveDate, to: NaiveDate) -> i64 {
    cases
        .iter()
        .filter(|c| c["kind"] == kind)
        .filter(|c| c["outcome"].is_null() || c["outcome"] == "hoan_thanh")
        .filter(|c| {
            c["records"].as_array().unwrap().iter().any(|r| {
                let on: NaiveDate = serde_json::from_value(r["on_date"].clone()).unwrap();
                r["step"] == step && r["result"] == "done" && on >= from && on <= to
            })
        })
        .count() as i64
}

/// The upper committee's table of its cells counts each cell's admissions
/// this year and its open cases past a deadline from the case records, the
/// same figures as a recount of the cases one by one and as the secretary's
/// dashboard; the cell's report upward counts its admissions and
/// recognitions the same way. The demo's cases include overdue ones.
#[db_test]
async fn the_upper_table_and_the_report_count_admissions_and_overdue_cases(b: Backend) {
    let app = TestApp::demo(b).await;
    app.services.generate_demo_cases(app.now()).await.unwrap();
    let upper = Api {
        app: &app,
        login: "dangbo",
    };
    let secretary = Api {
        app: &app,
        login: "bithu",
    };
    let unit = app
        .actor("dangbo")
        .await
        .primary()
        .and_then(|g| g.org_id)
        .unwrap();
    let today = app.today();
    let year_start = day(today.year(), 1, 1);
    let table = upper.get(&format!("/api/v1/units/{unit}/cell-table")).await;
    let lines = table["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{table}");
    let mut sums = (0, 0);
    for line in lines {
        let cell = line["id"].as_i64().unwrap();
        let open = upper.get(&format!("/api/v1/cases?unit={cell}")).await;
        let open = open.as_array().unwrap();
        let late = open
            .iter()
            .filter(|c| c["next_due"]["urgency"] == "late")
            .count() as i64;
        let all = upper
            .get(&format!("/api/v1/cases?unit={cell}&closed=true"))
            .await;
        let admitted = decided(
            all.as_array().unwrap(),
            "ket_nap",
            "quyet_dinh_ket_nap",
            year_start,
            today,
        );
        assert_eq!(line["cases_overdue"], late, "{b:?}: {line}");
        assert_eq!(line["admitted"], admitted, "{b:?}: {line}");
        sums.0 += admitted;
        sums.1 += late;
        // The secretary's dashboard says "quá hạn" of the same cases.
        let dash = upper.get(&format!("/api/v1/units/{cell}/dashboard")).await;
        let shown = dash["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["next_due"]["urgency"] == "late")
            .count() as i64;
        assert_eq!(shown, late, "{b:?}");
    }
    assert_eq!(
        (
            &table["totals"]["admitted"],
            &table["totals"]["cases_overdue"]
        ),
        (&json!(sums.0), &json!(sums.1))
    );
    // The demo's first cell: the ceremony not held in time (decided this
    // year), the upper committee's admission and recognition decisions
    // late, and a recognition vote the cell has not taken.
    assert_eq!(sums, (1, 4), "{b:?}: {table}");
    let (c, _) = app.login("dangbo").await;
    let page = app.html(&c, &format!("/dashboard?unit={unit}")).await;
    assert!(
        page.contains(&format!(
            r#"id="cases-overdue"><b><a href="/cases?unit={unit}">4</a>"#
        )),
        "{page}"
    );
    assert!(
        page.contains(r#"data-label="Kết nạp trong năm">1</td>"#),
        "{page}"
    );

    // The report upward of the quarter of the admission decided this year.
    let cell = app.cell_ids().await[0];
    let all = secretary
        .get(&format!("/api/v1/cases?unit={cell}&closed=true"))
        .await;
    let all = all.as_array().unwrap();
    let decision: NaiveDate = all
        .iter()
        .flat_map(|c| c["records"].as_array().unwrap().iter())
        .filter(|r| r["step"] == "quyet_dinh_ket_nap")
        .map(|r| serde_json::from_value(r["on_date"].clone()).unwrap())
        .filter(|d: &NaiveDate| d.year() == today.year())
        .max()
        .expect("an admission decided this year");
    let q = (decision.month() - 1) / 3 + 1;
    let (s, created) = secretary
        .post(
            "/api/v1/reports",
            json!({"unit_id": cell, "period": "quy", "year": decision.year(), "index": q}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let report = secretary
        .get(&format!("/api/v1/reports/{}", created["id"]))
        .await;
    let f = &report["content"]["figures"];
    let from: NaiveDate = serde_json::from_value(f["start"].clone()).unwrap();
    let to: NaiveDate = serde_json::from_value(f["as_of"].clone()).unwrap();
    assert_eq!(
        f["growth"]["admitted"],
        decided(all, "ket_nap", "quyet_dinh_ket_nap", from, to),
        "{b:?}: {f}"
    );
    assert_eq!(
        f["growth"]["recognised"],
        decided(
            all,
            "cong_nhan_chinh_thuc",
            "quyet_dinh_cong_nhan",
            from,
            to
        ),
        "{b:?}: {f}"
    );
    assert_eq!(f["growth"]["admitted"], 1, "{b:?}: {f}");
}
