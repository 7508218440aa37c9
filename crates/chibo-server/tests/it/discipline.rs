//! Discipline cases over HTTP on both backends (issue 16, items 2-3): a case
//! from the report to the lapse with a complaint, every deadline on the
//! holiday calendar (Tết 2027), the secret ballot counted cumulatively to
//! cảnh cáo where no level has a majority alone; who may see a case (each
//! read logged); and the bad input, each refused with its rule and nothing
//! written.

use crate::ballots::{Api, Phone, keygen, meeting_with_phones, token};
use crate::support::{Backend, TestApp};
use chibo_ballot::{Ballot, Digest, Manifest, TokenIssuer, Vote, VoteContext, VoteId};
use chibo_rules::{Discipline, Level};
use chibo_server::model::Role;
use chibo_server::service::accounts::NewAccount;
use chibo_server::service::meetings::MeetingForm;
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{NaiveDate, TimeZone, Utc};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
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

/// A request as `login`, with a token issued at the test clock's time.
async fn send(app: &TestApp, login: &str, post: Option<&Value>, path: &str) -> (StatusCode, Value) {
    let c = TestApp::client();
    let req = match post {
        Some(body) => c.post(app.url(path)).json(body),
        None => c.get(app.url(path)),
    };
    let token = app.token_for(login).await;
    let res = req.bearer_auth(&token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, login: &str, path: &str) -> Value {
    let (s, v) = send(app, login, None, path).await;
    assert_eq!(s, StatusCode::OK, "GET {path} as {login}: {v}");
    v
}

async fn post(app: &TestApp, login: &str, path: &str, body: Value) -> (StatusCode, Value) {
    send(app, login, Some(&body), path).await
}

async fn step(app: &TestApp, login: &str, case: i64, body: Value) -> Value {
    let (s, v) = post(
        app,
        login,
        &format!("/api/v1/discipline/{case}/steps"),
        body.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
    v
}

/// The problems' codes of a refusal.
fn codes(v: &Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| p["code"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn messages(v: &Value) -> String {
    v.to_string()
}

/// The step's line in a case view.
fn step_of<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["case"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("step {code}"))
}

async fn member_of(app: &TestApp, login: &str) -> i64 {
    app.services
        .db
        .read(async |r| store::accounts::by_login(r, login).await)
        .await
        .unwrap()
        .unwrap()
        .member_id
        .unwrap()
}

/// A new account of the first cell with `role`, for `member_id`.
async fn account(app: &TestApp, login: &str, role: Role, member_id: Option<i64>) {
    let bithu = app.actor("bithu").await;
    let cell = app.cell_ids().await[0];
    app.services
        .create_account(
            &bithu,
            &NewAccount {
                login,
                display_name: login,
                password: chibo_server::service::demo::DEMO_PASSWORD,
                role,
                org_id: Some(cell),
                member_id,
            },
            app.now(),
        )
        .await
        .unwrap();
}

/// Opens a case on `member` as the secretary.
async fn open_case(
    app: &TestApp,
    member: i64,
    violation: &str,
    level: &str,
) -> (StatusCode, Value) {
    post(
        app,
        "bithu",
        "/api/v1/discipline",
        json!({"member_id": member, "finding": "Vi phạm quy định về những điều đảng viên không được làm",
               "alleged_level": level, "violation_on": violation}),
    )
    .await
}

/// The secret ballot of a case in the open meeting: the first three phones
/// are the counting committee; the voters cast the option at each index
/// (the levels from the most severe, then "no discipline"); two of three
/// trustees decrypt; the secretary counts.
async fn run_ballot(
    api: &Api<'_>,
    case: i64,
    meeting: i64,
    secretary: &str,
    phones: &[Phone],
    choices: &[usize],
    rng: &mut ChaCha20Rng,
) -> i64 {
    let committee: Vec<&Phone> = phones[..3].iter().collect();
    let opened = api
        .post_ok(
            secretary,
            &format!("/api/v1/discipline/{case}/ballot"),
            &json!({"meeting_id": meeting, "committee": committee.iter().map(|p| p.member_id).collect::<Vec<_>>()}),
        )
        .await;
    let id = opened["id"].as_i64().unwrap();
    let view = api.json(secretary, &format!("/api/v1/ballots/{id}")).await;
    assert_eq!(view["sv"]["kind"], "ky_luat");
    let k = view["sv"]["k"].as_u64().unwrap() as usize;
    let vid = VoteId(
        Digest::from_hex(view["sv"]["vote_id"].as_str().unwrap())
            .unwrap()
            .0,
    );
    let outcomes = keygen(api, id, &committee, vid, k, rng).await;
    let (issuer, token_keys) = TokenIssuer::generate(rng).unwrap();
    api.post_ok(
        &committee[0].token,
        &format!("/api/v1/ballots/{id}/keys"),
        &json!({"trustees": outcomes[0].trustees, "token_keys": token_keys}),
    )
    .await;
    let (_, bytes) = api
        .get(secretary, &format!("/api/v1/ballots/{id}/manifest"))
        .await;
    let manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
    let ctx = VoteContext::new(manifest.clone()).unwrap();
    for (p, option) in phones.iter().zip(choices) {
        let voter = token(api, id, p, committee[0], &issuer, &manifest, rng).await;
        let b = Ballot::cast(&ctx, &voter, &Vote::Choice { option: *option }, rng).unwrap();
        let (s, v) = api.cast(id, &b.to_bytes()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let closed = api
        .post_ok(
            secretary,
            &format!("/api/v1/ballots/{id}/close"),
            &json!({}),
        )
        .await;
    let shown = Digest::from_hex(closed["sha256"].as_str().unwrap()).unwrap();
    let (_, board) = api
        .get(secretary, &format!("/api/v1/ballots/{id}/board"))
        .await;
    for i in 0..k {
        let share = outcomes[i]
            .trustee
            .decryption_share(&board, &shown, rng)
            .unwrap();
        api.post_ok(
            &committee[i].token,
            &format!("/api/v1/ballots/{id}/shares"),
            &share,
        )
        .await;
    }
    api.post_ok(
        secretary,
        &format!("/api/v1/ballots/{id}/tally"),
        &json!({}),
    )
    .await;
    id
}

/// The steps before the vote, all on today: self-review, committee, hearing.
async fn up_to_hearing(app: &TestApp, case: i64) {
    step(
        app,
        "bithu",
        case,
        json!({"step": "tu_kiem_diem", "forms": ["BKĐ-KL"]}),
    )
    .await;
    step(app, "bithu", case, json!({"step": "chi_uy_xem_xet"})).await;
    step(app, "bithu", case, json!({"step": "nghe_trinh_bay"})).await;
}

/// The case's row version (nothing written by a refusal).
async fn version(app: &TestApp, case: i64) -> i64 {
    app.services
        .db
        .read(async |r| store::cases::get(r, case).await)
        .await
        .unwrap()
        .unwrap()
        .version
}

#[db_test]
async fn a_discipline_case_from_report_to_lapse(b: Backend) {
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(1616);
    let cell = app.cell_ids().await[0];
    let subject = member_of(&app, "dangvien").await;
    let cal = app.services.rules.calendar();

    // Past its limitation period (khiển trách: 5 years): refused with the rule, nothing written.
    let (s, v) = open_case(&app, subject, "01/06/2021", "khien_trach").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(codes(&v), ["thoi_hieu.expired"]);
    assert!(messages(&v).contains("QĐ 69-QĐ/TW, Điều 4"), "{v}");
    let listed = get(&app, "bithu", "/api/v1/discipline?closed=true").await;
    assert_eq!(listed.as_array().unwrap().len(), 0);

    // The report (3/12/2026) on a violation of 20/11/2026.
    let (s, v) = open_case(&app, subject, "20/11/2026", "canh_cao").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["case"]["id"].as_i64().unwrap();
    assert_eq!(v["case"]["kind"], "ky_luat");
    assert_eq!(step_of(&v, "phat_hien")["state"], "done");

    // The vote before the self-review: refused, naming the steps missing.
    let bithu = app.actor("bithu").await;
    let plan = |d: &str| MeetingForm {
        kind: "thuong_ky".into(),
        date: d.into(),
        time: "19:30".into(),
        place: "Nhà văn hóa khu phố 1".into(),
        ..MeetingForm::default()
    };
    let early = app
        .services
        .plan_meeting(&bithu, cell, &plan(&app.date_in(0)), app.now())
        .await
        .unwrap();
    let before = version(&app, id).await;
    let (s, v) = post(
        &app,
        "bithu",
        &format!("/api/v1/discipline/{id}/ballot"),
        json!({"meeting_id": early, "committee": [subject]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let text = messages(&v);
    assert!(text.contains("Đảng viên vi phạm kiểm điểm"), "{text}");
    assert!(
        text.contains("Hội nghị chi bộ nghe đảng viên vi phạm trình bày ý kiến"),
        "{text}"
    );
    assert!(text.contains("QĐ 22-QĐ/TW, Điều 15"), "{text}");
    assert_eq!(version(&app, id).await, before);
    assert!(
        app.services
            .db
            .read(async |r| store::ballots::of_meeting(r, early).await)
            .await
            .unwrap()
            .is_empty(),
        "no ballot opened"
    );

    // The member writes the self-review on their own account.
    set_day(&app, 2026, 12, 7);
    let mine = step(
        &app,
        "dangvien",
        id,
        json!({"step": "tu_kiem_diem", "forms": ["BKĐ-KL"]}),
    )
    .await;
    assert!(mine["own"].as_bool().unwrap());
    // The member may not record the committee's steps.
    let (s, _) = post(
        &app,
        "dangvien",
        &format!("/api/v1/discipline/{id}/steps"),
        json!({"step": "chi_uy_xem_xet"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    set_day(&app, 2026, 12, 10);
    step(&app, "bithu", id, json!({"step": "chi_uy_xem_xet"})).await;
    // Still not heard: the vote is refused with that step.
    let (s, v) = post(
        &app,
        "bithu",
        &format!("/api/v1/discipline/{id}/ballot"),
        json!({"meeting_id": early, "committee": [subject]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(messages(&v).contains("Hội nghị chi bộ nghe đảng viên vi phạm trình bày ý kiến"));
    assert!(
        codes(&v).contains(&"step.missing_prerequisite".to_string()),
        "{v}"
    );

    // The meeting of 2/2/2027 hears the member and votes by secret ballot.
    set_day(&app, 2027, 2, 2);
    step(&app, "bithu", id, json!({"step": "nghe_trinh_bay"})).await;
    let (meeting, secretary, phones) = meeting_with_phones(&app, 0).await;
    // Every full member present votes: the cascade must reach cảnh cáo with no level alone.
    let n = phones.len();
    let need = n / 2 + 1;
    let mut choices = vec![0, 1];
    choices.extend(std::iter::repeat_n(2, need - 2));
    choices.extend(std::iter::repeat_n(3, n - need));
    assert!(need - 2 < need && n - need < need);
    let sv = run_ballot(&api, id, meeting, &secretary, &phones, &choices, &mut rng).await;
    let v = step(&app, "bithu", id, json!({"step": "bieu_quyet"})).await;
    assert_eq!(v["discipline"]["sv_id"], sv);
    assert_eq!(v["discipline"]["voted_level"], "canh_cao");
    let explained = v["vote_explanation"].as_str().unwrap();
    assert!(
        explained.contains("khi cộng dồn từ mức cao nhất"),
        "{explained}"
    );
    assert_eq!(step_of(&v, "bieu_quyet")["done_on"], "2027-02-02");

    // The cell's own decision (cảnh cáo is within its authority), numbered in its register.
    let v = step(
        &app,
        "bithu",
        id,
        json!({"step": "quyet_dinh_chi_bo", "forms": ["QĐ-KL"]}),
    )
    .await;
    assert_eq!(v["discipline"]["level"], "canh_cao");
    assert_eq!(v["discipline"]["decided_by"], "chi_bo");
    let decision = v["case"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["step"] == "quyet_dinh_chi_bo")
        .unwrap();
    assert!(
        decision["doc_number"].as_str().unwrap().contains("QĐ"),
        "{decision}"
    );
    // The path is taken: no proposal upward as well.
    let (s, v) = post(
        &app,
        "bithu",
        &format!("/api/v1/discipline/{id}/steps"),
        json!({"step": "de_nghi_cap_tren"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), ["discipline.path_taken"]);

    // Hand-over within 10 days (calendar days: 12/02/2027, across Tết), shown in working days.
    set_day(&app, 2027, 2, 4);
    let v = get(&app, "bithu", &format!("/api/v1/discipline/{id}")).await;
    let handover = &step_of(&v, "giao_quyet_dinh")["due"];
    assert_eq!(handover["date"], "2027-02-12");
    let left = cal
        .working_days_between(day(2027, 2, 4), day(2027, 2, 12))
        .unwrap();
    assert_eq!(handover["text"], format!("còn {left} ngày làm việc"));
    assert!(left < 6, "Tết's days off are not working days ({left})");
    // The state-discipline proposal: 30 working days from the decision, Tết skipped.
    let proposal = &step_of(&v, "de_nghi_xu_ly_chinh_quyen")["due"];
    let expected = cal.add_working_days(day(2027, 2, 2), 30).unwrap();
    assert_eq!(proposal["date"], expected.to_string());
    assert!(
        expected > day(2027, 3, 16),
        "six weeks of weekdays would end on 16/03: {expected}"
    );
    // The PDF of the decision.
    let (c, _) = app.login("bithu").await;
    let pdf = c
        .get(app.url(&format!("/discipline/{id}/docs/quyet_dinh_chi_bo.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let pdf = pdf.bytes().await.unwrap();
    let text = crate::support::pdf_text(&pdf).unwrap_or_default();
    if !text.is_empty() {
        assert!(text.contains("cảnh cáo"), "{text}");
    }
    let docx = c
        .get(app.url(&format!("/discipline/{id}/docs/quyet_dinh_chi_bo.docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(docx.status(), StatusCode::OK);
    let docx = crate::support::docx_text(&docx.bytes().await.unwrap());
    assert!(
        docx.contains("Thi hành kỷ luật bằng hình thức cảnh cáo"),
        "{docx}"
    );

    // Handed over on the last day; the member refused to take it: minuted, in force.
    set_day(&app, 2027, 2, 12);
    let v = step(
        &app,
        "bithu",
        id,
        json!({"step": "giao_quyet_dinh", "forms": ["BB-CBKL"], "refused": true}),
    )
    .await;
    assert_eq!(v["discipline"]["effective_on"], "2027-02-12");
    assert_eq!(v["discipline"]["handover_refused"], true);
    assert_eq!(v["discipline"]["lapses_on"], "2028-02-12");
    assert_eq!(step_of(&v, "khieu_nai")["due"]["date"], "2027-03-12");
    // Open until the complaint period ends: the transfer guard still sees it.
    assert!(v["case"]["closed_on"].is_null());
    // The badge engine's input and the evaluation cap.
    let blocks = app
        .services
        .discipline_blocks(subject, day(2027, 3, 1))
        .await
        .unwrap();
    assert_eq!(
        blocks,
        [Discipline {
            level: Level::CanhCao,
            effective: day(2027, 2, 12)
        }]
    );
    assert!(
        app.services
            .discipline_blocks(subject, day(2027, 2, 11))
            .await
            .unwrap()
            .is_empty()
    );

    // The member complains within the month, on their own account.
    set_day(&app, 2027, 3, 1);
    let v = step(&app, "dangvien", id, json!({"step": "khieu_nai"})).await;
    assert_eq!(v["discipline"]["complained_on"], "2027-03-01");
    assert!(
        v["discipline"]["lapses_on"].is_null(),
        "a complaint stops the lapse"
    );
    // The sweep does not close a case with a complaint pending.
    set_day(&app, 2027, 3, 20);
    app.services.sweep_discipline(app.now()).await.unwrap();
    let v = get(&app, "dangvien", &format!("/api/v1/discipline/{id}")).await;
    assert!(v["case"]["closed_on"].is_null());

    // The competent committee settles it: cảnh cáo kept; the year counts from the settlement.
    set_day(&app, 2027, 4, 15);
    let upper = chibo_server::service::demo::upper_login(1);
    let v = step(
        &app,
        &upper,
        id,
        json!({"step": "giai_quyet_khieu_nai", "level": "canh_cao"}),
    )
    .await;
    assert_eq!(v["discipline"]["level"], "canh_cao");
    assert_eq!(v["discipline"]["lapses_on"], "2028-04-15");
    assert_eq!(v["case"]["outcome"], "hoan_thanh");

    // The day before: nothing lapses. On the day: the sweep lapses it, with its audit entry.
    set_day(&app, 2028, 4, 14);
    assert_eq!(app.services.sweep_discipline(app.now()).await.unwrap(), 0);
    let v = get(
        &app,
        "bithu",
        &format!("/api/v1/discipline/{id}?closed=true"),
    )
    .await;
    assert!(v["discipline"]["lapsed_on"].is_null());
    set_day(&app, 2028, 4, 15);
    assert_eq!(app.services.sweep_discipline(app.now()).await.unwrap(), 1);
    assert_eq!(app.services.sweep_discipline(app.now()).await.unwrap(), 0);
    let v = get(&app, "dangvien", &format!("/api/v1/discipline/{id}")).await;
    assert_eq!(v["discipline"]["lapsed_on"], "2028-04-15");
    let entries = app
        .services
        .db
        .read(async |r| store::audit::for_entity(r, "case", id).await)
        .await
        .unwrap();
    assert!(
        entries.iter().any(|e| e.action == "discipline.lapse"),
        "the lapse is audited"
    );
}

#[db_test]
async fn a_discipline_case_is_seen_only_by_those_handling_it(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let subject = member_of(&app, "dangvien").await;
    let (s, v) = open_case(&app, subject, "20/11/2026", "khien_trach").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["case"]["id"].as_i64().unwrap();

    // Another member of the cell, and a committee member not handling it.
    let roll = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let secretary = app.actor("bithu").await.member_id;
    let others: Vec<i64> = roll
        .iter()
        .filter(|m| m.id != subject && Some(m.id) != secretary)
        .map(|m| m.id)
        .take(2)
        .collect();
    account(&app, "thanhvien", Role::Member, Some(others[0])).await;
    account(&app, "chiuyvien", Role::ChiUy, Some(others[1])).await;
    for login in ["thanhvien", "chiuyvien"] {
        let (s, _) = send(&app, login, None, &format!("/api/v1/discipline/{id}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{login}");
        let listed = get(&app, login, "/api/v1/discipline").await;
        assert_eq!(listed.as_array().unwrap().len(), 0, "{login}");
        let (s, _) = post(
            &app,
            login,
            &format!("/api/v1/discipline/{id}/steps"),
            json!({"step": "chi_uy_xem_xet"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{login}");
    }
    // Not in the general case lists, pages or dashboards.
    let (s, _) = send(&app, "bithu", None, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let all = get(
        &app,
        "bithu",
        &format!("/api/v1/cases?unit={cell}&closed=true"),
    )
    .await;
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] != "ky_luat")
    );
    let (c, _) = app.login("chiuyvien").await;
    let page = app.html(&c, "/cases").await;
    assert!(!page.contains(&format!("/cases/{id}\"")));
    let page = c
        .get(app.url(&format!("/discipline/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);

    // Those who may: the handler, the member (their deadlines), the upper committee.
    let v = get(&app, "bithu", &format!("/api/v1/discipline/{id}")).await;
    assert!(v["handles"].as_bool().unwrap());
    let mine = get(&app, "dangvien", &format!("/api/v1/discipline/{id}")).await;
    assert!(mine["own"].as_bool().unwrap());
    assert_eq!(step_of(&mine, "tu_kiem_diem")["state"], "available");
    let upper = chibo_server::service::demo::upper_login(1);
    let v = get(&app, &upper, &format!("/api/v1/discipline/{id}")).await;
    assert!(v["oversees"].as_bool().unwrap());
    let (c, _) = app.login("dangvien").await;
    let page = app.html(&c, &format!("/discipline/{id}")).await;
    assert!(
        page.contains("Đảng viên vi phạm kiểm điểm"),
        "the member sees their steps"
    );

    // Every read logged, granted or refused.
    let log = app
        .services
        .db
        .read(async |r| store::members::access_log(r, subject, 100).await)
        .await
        .unwrap();
    let reads: Vec<_> = log
        .iter()
        .filter(|a| a.detail.as_deref() == Some(&format!("discipline:{id}")))
        .collect();
    assert!(
        reads.iter().filter(|a| !a.granted).count() >= 3,
        "{reads:?}"
    );
    assert!(reads.iter().filter(|a| a.granted).count() >= 4, "{reads:?}");
}

#[db_test]
async fn penalties_beyond_the_cell_or_a_probationer_are_refused(b: Backend) {
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(1617);
    set_day(&app, 2027, 2, 2);
    let (meeting, secretary, phones) = meeting_with_phones(&app, 0).await;
    let roll = app
        .services
        .db
        .read(async |r| store::meetings::roll(r, meeting).await)
        .await
        .unwrap();
    let full = phones.last().unwrap().member_id;
    let probationer = roll
        .iter()
        .find(|r| r.member_status == "du_bi")
        .expect("the demo cell has a probationary member")
        .member_id;
    let n = phones.len();
    let need = n / 2 + 1;
    // A majority for cách chức.
    let mut choices = vec![1; need];
    choices.extend(std::iter::repeat_n(4, n - need));
    // The violation three weeks and two days before the test's day.
    let violation = app.date_in(-23);
    for (member, probationary) in [(full, false), (probationer, true)] {
        let (s, v) = open_case(&app, member, &violation, "cach_chuc").await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["case"]["id"].as_i64().unwrap();
        up_to_hearing(&app, id).await;
        run_ballot(&api, id, meeting, &secretary, &phones, &choices, &mut rng).await;
        let v = step(&app, "bithu", id, json!({"step": "bieu_quyet"})).await;
        assert_eq!(v["discipline"]["voted_level"], "cach_chuc");
        assert!(
            v["vote_explanation"]
                .as_str()
                .unwrap()
                .contains("vượt thẩm quyền của chi bộ")
        );
        // The cell may not impose it itself: refused, with the rule; nothing written.
        let before = version(&app, id).await;
        let (s, v) = post(
            &app,
            "bithu",
            &format!("/api/v1/discipline/{id}/steps"),
            json!({"step": "quyet_dinh_chi_bo", "forms": ["QĐ-KL"]}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let mut expected = vec!["tham_quyen_ky_luat.beyond_cell"];
        if probationary {
            expected.insert(0, "tham_quyen_ky_luat.probationary");
        }
        assert_eq!(codes(&v), expected);
        assert!(messages(&v).contains("Điều lệ Đảng, Điều 36"), "{v}");
        assert_eq!(version(&app, id).await, before);
        let (s, v) = post(
            &app,
            "bithu",
            &format!("/api/v1/discipline/{id}/steps"),
            json!({"step": "de_nghi_cap_tren"}),
        )
        .await;
        if probationary {
            // Not even upward: a probationer gets khiển trách or cảnh cáo at most.
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            assert_eq!(codes(&v), ["tham_quyen_ky_luat.probationary"]);
            assert_eq!(version(&app, id).await, before);
        } else {
            // Proposed upward instead; the competent committee decides and announces it.
            assert_eq!(s, StatusCode::OK, "{v}");
            let upper = chibo_server::service::demo::upper_login(1);
            let v = step(
                &app,
                &upper,
                id,
                json!({"step": "cap_tren_quyet_dinh", "level": "cach_chuc", "forms": ["QĐ-KL"]}),
            )
            .await;
            assert_eq!(v["discipline"]["decided_by"], "cap_tren");
            let v = step(
                &app,
                &upper,
                id,
                json!({"step": "cong_bo", "forms": ["BB-CBKL"]}),
            )
            .await;
            assert_eq!(v["discipline"]["effective_on"], "2027-02-02");
        }
    }
}
