use crate::smtp::Sink;
use crate::support::{Backend, TestApp, docx_text, pdf_text, redirect_id, text};
use chibo_rules::DecisionKind;
use chibo_server::model::{Presence, Role, Status, VoteMode};
use chibo_server::service::Actor;
use chibo_server::service::accounts::NewAccount;
use chibo_server::service::audit::Scope;
use chibo_server::service::meetings::MeetingForm;
use chibo_server::store;
use chibo_server::store::orgs::OrgRow;
use chibo_test_macros::db_test;
use reqwest::{Client, StatusCode};

pub(crate) async fn plan(c: &Client, app: &TestApp, csrf: &str, cell: i64, days: i64) -> i64 {
    let date = app.date_in(days);
    let res = app
        .post(
            c,
            &format!("/meetings/new?cell={cell}"),
            &[
                ("csrf", csrf),
                ("kind", "thuong_ky"),
                ("date", &date),
                ("time", "19:30"),
                ("place", "Nhà văn hóa khu phố 1"),
                ("guest", "Lê Văn Tám"),
            ],
        )
        .await;
    redirect_id(&res, "/meetings/")
}

#[db_test]
async fn a_monthly_meeting_from_notice_to_sealed_resolution(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let list = app.page(&c, "/meetings").await;
    assert!(
        list.contains("Sinh hoạt thường kỳ phải tổ chức trước ngày"),
        "{b:?}: {list}"
    );

    // Plan: the agenda follows HD 42 for a residential cell.
    let id = plan(&c, &app, &csrf, cell, 1).await;
    let page = app.page(&c, &format!("/meetings/{id}")).await;
    assert!(
        page.contains("Kiểm điểm kết quả thực hiện nghị quyết tháng trước")
            && page.contains("dân vận"),
        "{b:?}: {page}"
    );
    assert!(
        page.contains("Gửi thông báo triệu tập"),
        "{b:?}: the next step is shown"
    );
    // The home page names the meeting due and its step.
    let home = app.html(&c, "/").await;
    assert!(
        home.contains(&format!(
            "<a class=\"button\" href=\"/meetings/{id}\">Gửi thông báo triệu tập</a>"
        )),
        "{b:?}: {home}"
    );

    // The draft resolution is posted for members to read before the meeting.
    let draft = "Dự thảo nghị quyết tháng 12".as_bytes().to_vec();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(draft.clone()).file_name("Dự thảo NQ.txt"),
        );
    let res = c
        .post(app.url(&format!("/meetings/{id}/files")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let page = app.follow(&c, res).await;
    assert!(
        page.contains("Đã đăng tài liệu") && page.contains("Dự thảo NQ.txt"),
        "{b:?}: {page}"
    );
    let files = app
        .services
        .db
        .read(async |r| store::meetings::files(r, id).await)
        .await
        .unwrap();
    let (member, _) = app.login("dangvien").await;
    let got = member
        .get(app.url(&format!("/meetings/{id}/files/{}", files[0].id)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.to_vec(), draft, "{b:?}: members read what was posted");

    // Notice: every member on the roll gets it in the app.
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/notice"),
                &[("csrf", csrf.as_str())],
            )
            .await,
        )
        .await;
    assert!(
        page.contains("Đã gửi thông báo triệu tập")
            && page.contains("Đã thông báo trong ứng dụng: 12"),
        "{b:?}: {page}"
    );
    let home = app.page(&member, "/").await;
    assert!(
        home.contains("Buổi sinh hoạt sắp tới") && home.contains("Thông báo triệu tập sinh hoạt"),
        "{b:?}: {home}"
    );

    // The evening of the meeting. Roll-call: everyone present but two.
    let starts = app
        .services
        .db
        .read(async |rd| store::meetings::get(rd, id).await)
        .await
        .unwrap()
        .unwrap()
        .starts_at;
    app.clock.set(starts);
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/open"),
            &[("csrf", csrf.as_str())],
        )
        .await,
    )
    .await;
    let roll = app
        .services
        .db
        .read(async |r| store::meetings::roll(r, id).await)
        .await
        .unwrap();
    assert_eq!(roll.len(), 12);
    let dangvien = app
        .services
        .db
        .read(async |r| store::accounts::by_login(r, "dangvien").await)
        .await
        .unwrap()
        .unwrap()
        .member_id
        .unwrap();
    let absent: Vec<i64> = roll
        .iter()
        .filter(|r| r.member_status == "chinh_thuc" && r.member_id != dangvien)
        .map(|r| r.member_id)
        .take(2)
        .collect();
    for r in &roll {
        let (presence, reason) = if r.member_id == absent[0] {
            ("vang_co_ly_do", "Ốm")
        } else if r.member_id == absent[1] {
            ("vang_khong_ly_do", "")
        } else {
            ("co_mat", "")
        };
        let res = c
            .post(app.url(&format!("/meetings/{id}/roll/{}", r.member_id)))
            .header("hx-request", "true")
            .form(&[
                ("csrf", csrf.as_str()),
                ("presence", presence),
                ("reason", reason),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{b:?}");
        let frag = res.text().await.unwrap();
        assert!(
            frag.contains(&format!("id=\"m{}\"", r.member_id)) && frag.contains("hx-swap-oob"),
            "{b:?}: the row and the panel come back"
        );
    }
    let roll_page = app.page(&c, &format!("/meetings/{id}/roll")).await;
    // 11 full members + 1 probationary on the roll; one full member excused → base 10, more than half needs 6.
    assert!(
        roll_page.contains("10 Cơ sở tính biểu quyết") && roll_page.contains("6 Cần để thông qua"),
        "{b:?}: {roll_page}"
    );
    assert!(roll_page.contains("Đủ số lượng"), "{b:?}");

    // Minutes autosave, and a conflicting save.
    let items = app
        .services
        .db
        .read(async |r| store::meetings::items(r, id).await)
        .await
        .unwrap();
    let review = items.iter().find(|i| i.kind == "review").unwrap().id;
    let save = |version: &'static str, text: &'static str| {
        c.post(app.url(&format!("/meetings/{id}/minutes/{review}")))
            .header("hx-request", "true")
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", version),
                ("text", text),
            ])
            .send()
    };
    let res = save(
        "0",
        "Hoàn thành 5/6 nhiệm vụ tháng trước; vệ sinh môi trường chưa đạt.",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{b:?}");
    assert!(res.text().await.unwrap().contains("Đã lưu lúc"));
    assert_eq!(
        save("0", "bản cũ").await.unwrap().status(),
        StatusCode::CONFLICT,
        "{b:?}: no silent overwrite"
    );

    // A vote that must be secret is refused in the open form.
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/votes"),
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "ky_luat"),
                    ("subject", "Kỷ luật"),
                    ("mode", "counts"),
                ],
            )
            .await,
        )
        .await;
    assert!(page.contains("phải bỏ phiếu kín"), "{b:?}: {page}");

    // Show of hands on the resolution: too many ballots, then the real count.
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/votes"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "nghi_quyet"),
                ("subject", "Thông qua Nghị quyết tháng"),
                ("mode", "counts"),
            ],
        )
        .await,
    )
    .await;
    let votes = app
        .services
        .db
        .read(async |r| store::meetings::votes(r, id).await)
        .await
        .unwrap();
    let vote = votes[0].id;
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/votes/{vote}/counts"),
                &[
                    ("csrf", csrf.as_str()),
                    ("tan_thanh", "9"),
                    ("khong_tan_thanh", "1"),
                    ("khong_bieu_quyet", "0"),
                ],
            )
            .await,
        )
        .await;
    assert!(
        page.contains("Tổng số phiếu nhiều hơn số đảng viên có quyền biểu quyết có mặt"),
        "{b:?}: 9 present full members: {page}"
    );
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/votes/{vote}/counts"),
                &[
                    ("csrf", csrf.as_str()),
                    ("tan_thanh", "8"),
                    ("khong_tan_thanh", "1"),
                    ("khong_bieu_quyet", "0"),
                ],
            )
            .await,
        )
        .await;
    assert!(
        page.contains("Đạt") && page.contains("Điều lệ Đảng"),
        "{b:?}: {page}"
    );

    // A named vote cast by a member on their phone, once.
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/votes"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "nghi_quyet"),
                ("subject", "Phân công trực tổ dân phố"),
                ("mode", "named"),
            ],
        )
        .await,
    )
    .await;
    let named = app
        .services
        .db
        .read(async |r| store::meetings::votes(r, id).await)
        .await
        .unwrap()[1]
        .id;
    let member_csrf = crate::support::csrf_of(&app.html(&member, "/").await);
    let home = app.page(&member, "/").await;
    assert!(home.contains("Biểu quyết đang chờ bạn"), "{b:?}: {home}");
    let page = app
        .follow(
            &member,
            app.post(
                &member,
                &format!("/meetings/{id}/votes/{named}/cast"),
                &[("csrf", member_csrf.as_str()), ("choice", "tan_thanh")],
            )
            .await,
        )
        .await;
    assert!(
        page.contains("Đã ghi nhận biểu quyết của bạn"),
        "{b:?}: {page}"
    );
    let page = app
        .follow(
            &member,
            app.post(
                &member,
                &format!("/meetings/{id}/votes/{named}/cast"),
                &[
                    ("csrf", member_csrf.as_str()),
                    ("choice", "khong_tan_thanh"),
                ],
            )
            .await,
        )
        .await;
    assert!(
        page.contains("đã biểu quyết nội dung này rồi"),
        "{b:?}: {page}"
    );
    // A full member marked absent is on the vote's frozen roll but does not
    // vote: the cast is refused, saying why, and nothing is recorded.
    let bithu = app.actor("bithu").await;
    let absent_account = app
        .services
        .create_account(
            &bithu,
            &NewAccount {
                login: "vangmat",
                display_name: "Đảng viên vắng mặt",
                password: crate::ballots::PHONE_PASSWORD,
                role: Role::Member,
                org_id: Some(cell),
                member_id: Some(absent[0]),
            },
            app.now(),
        )
        .await
        .unwrap();
    let token = app
        .services
        .issue_api_token(absent_account, "test", app.now())
        .await
        .unwrap();
    let refused = TestApp::client()
        .post(app.url(&format!("/api/v1/meetings/{id}/votes/{named}/cast")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"choice": "tan_thanh"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT, "{b:?}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        body["problems"][0]["code"], "vote.not_eligible",
        "{b:?}: {body}"
    );
    let casts = app
        .services
        .db
        .read(async |r| store::meetings::casts(r, named).await)
        .await
        .unwrap();
    assert_eq!(casts.len(), 1, "{b:?}: only the present member's cast");
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/votes/{named}/close"),
                &[("csrf", csrf.as_str())],
            )
            .await,
        )
        .await;
    assert!(
        page.contains("Không đạt"),
        "{b:?}: one yes of ten is not more than half: {page}"
    );

    // The resolution: draft, adopt, numbered and sealed. A task without a
    // lead is refused at adoption, saying which; with one it becomes a task.
    let draft_form = |lead: &str, version: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.to_string()),
            ("subject", "về nhiệm vụ tháng 12 năm 2026".to_string()),
            ("results", "Hoàn thành 5/6 nhiệm vụ.".to_string()),
            ("tasks", "Ra quân vệ sinh môi trường.".to_string()),
            ("what", "Vận động đóng góp quỹ vì người nghèo".to_string()),
            ("lead_id", lead.to_string()),
            ("deadline", app.date_in(17)),
            ("what", String::new()),
            ("lead_id", String::new()),
            ("deadline", String::new()),
        ]
    };
    let res = app
        .post(
            &c,
            &format!("/meetings/{id}/resolution"),
            &draft_form("", "0"),
        )
        .await;
    let page = app.follow(&c, res).await;
    assert!(page.contains("Đã lưu"), "{b:?}: {page}");
    let draft = app
        .services
        .db
        .read(async |r| store::meetings::resolution(r, id).await)
        .await
        .unwrap()
        .unwrap();
    assert!(
        draft
            .assignments
            .contains("Vận động đóng góp quỹ vì người nghèo")
            && !draft.assignments.contains("\"what\":\"\""),
        "{b:?}: blank rows are dropped: {}",
        draft.assignments
    );
    let vote_s = vote.to_string();
    let res = app
        .post(
            &c,
            &format!("/meetings/{id}/resolution/adopt"),
            &[("csrf", csrf.as_str()), ("vote_id", &vote_s)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    let refused = text(&res.text().await.unwrap());
    assert!(
        refused.contains("Vận động đóng góp quỹ vì người nghèo")
            && refused.contains("chưa có người phụ trách"),
        "{b:?}: {refused}"
    );
    let lead = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.status == "chinh_thuc")
        .unwrap();
    let res = app
        .post(
            &c,
            &format!("/meetings/{id}/resolution"),
            &draft_form(&lead.id.to_string(), "1"),
        )
        .await;
    app.follow(&c, res).await;
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/resolution/adopt"),
                &[("csrf", csrf.as_str()), ("vote_id", &vote_s)],
            )
            .await,
        )
        .await;
    assert!(
        page.contains("Số 01-NQ/CB") && page.contains("Mã kiểm tra"),
        "{b:?}: {page}"
    );
    let tasks = app
        .services
        .db
        .read(async |r| store::tasks::of_cell(r, cell, &Default::default()).await)
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1, "{b:?}: the assignment became a task");
    assert_eq!(tasks[0].lead_id, lead.id);
    assert_eq!(tasks[0].resolution_number.as_deref(), Some("Số 01-NQ/CB"));
    // Adopted while the meeting is open: the next step is to close it,
    // not the roll-call; the home page says the same.
    let meeting_page = app.html(&c, &format!("/meetings/{id}")).await;
    assert!(
        meeting_page.contains("data-step=\"close\"")
            && meeting_page.contains(&format!(
                "<a class=\"button secondary\" href=\"/meetings/{id}/roll\">"
            )),
        "{b:?}: {meeting_page}"
    );
    let home = app.html(&c, "/").await;
    assert!(
        home.contains(&format!(
            "<a class=\"button\" href=\"/meetings/{id}\">Kết thúc buổi sinh hoạt</a>"
        )),
        "{b:?}: {home}"
    );

    // Close after two hours, lock the minutes; edits are refused afterwards.
    app.clock.advance(chrono::Duration::minutes(125));
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/close"),
            &[("csrf", csrf.as_str())],
        )
        .await,
    )
    .await;
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/finalize"),
            &[("csrf", csrf.as_str())],
        )
        .await,
    )
    .await;
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/minutes/{review}"),
                &[
                    ("csrf", csrf.as_str()),
                    ("version", "1"),
                    ("text", "sửa lén"),
                ],
            )
            .await,
        )
        .await;
    assert!(page.contains("Biên bản đã khóa"), "{b:?}: {page}");

    // Documents: the dossier PDF and the resolution in Word, read as text.
    let pdf = c
        .get(app.url(&format!("/meetings/{id}/docs/ho-so.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().await.unwrap();
    let (res_code, min_code) = {
        let db = &app.services.db;
        let r = db
            .read(async |rd| store::meetings::resolution(rd, id).await)
            .await
            .unwrap()
            .unwrap();
        let code = |t: &'static str, d: i64| async move {
            db.read(async |rd| store::meetings::versions(rd, t, d).await)
                .await
                .unwrap()
                .pop()
                .unwrap()
                .check_code
        };
        (code("resolution", r.id).await, code("minutes", id).await)
    };
    if let Some(text) = pdf_text(&pdf) {
        for want in [
            "THÔNG BÁO",
            "DANH SÁCH ĐIỂM DANH",
            "BIÊN BẢN",
            "NGHỊ QUYẾT",
            "Số 01-NQ/CB",
            "về nhiệm vụ tháng 12 năm 2026",
            "Vận động đóng góp quỹ vì người nghèo",
            lead.full_name.as_str(),
            "thời lượng 125 phút",
            res_code.as_str(),
            min_code.as_str(),
        ] {
            assert!(
                text.contains(want),
                "{b:?}: «{want}» not in the dossier: {text}"
            );
        }
    }
    let docx = c
        .get(app.url(&format!("/meetings/{id}/docs/nghi-quyet.docx")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let words = docx_text(&docx);
    assert!(
        words.contains("Số 01-NQ/CB")
            && words.contains("về nhiệm vụ tháng 12 năm 2026")
            && words.contains(&res_code),
        "{b:?}: {words}"
    );

    // Every seal still matches its entry, every record its image, and the
    // chains are intact; the code printed on the resolution names it alone.
    let v = app.services.verify(&Default::default()).await.unwrap();
    assert!(v.ok(), "{b:?}: {v:?}");
    assert!(
        v.documents >= 2,
        "{b:?}: the resolution and the minutes: {v:?}"
    );
    let one = app
        .services
        .verify(&Scope {
            code: Some(res_code.to_lowercase()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(one.ok() && one.documents == 1, "{b:?}: {one:?}");
}

#[db_test]
async fn a_meeting_in_the_past_cannot_be_notified_and_closed_meetings_refuse_votes(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let id = plan(&c, &app, &csrf, cell, -2).await;
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/notice"),
                &[("csrf", csrf.as_str())],
            )
            .await,
        )
        .await;
    assert!(page.contains("Buổi sinh hoạt đã qua"), "{page}");
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/open"),
            &[("csrf", csrf.as_str())],
        )
        .await,
    )
    .await;
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/close"),
            &[("csrf", csrf.as_str()), ("reason", "Mất điện")],
        )
        .await,
    )
    .await;
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/votes"),
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "nghi_quyet"),
                    ("subject", "x"),
                    ("mode", "counts"),
                ],
            )
            .await,
        )
        .await;
    assert!(page.contains("chưa bắt đầu hoặc đã kết thúc"), "{page}");
}

/// A one-cell demo whose five members have e-mail addresses, sending mail to
/// `smtp_url`, with a meeting planned and its notice sent.
async fn notified_by_email(b: Backend, smtp_url: String) -> (TestApp, Client, i64) {
    let app = TestApp::configured(b, |cfg| cfg.smtp_url = Some(smtp_url)).await;
    app.services
        .generate_demo(
            chibo_server::service::demo::DemoSize {
                cells: 1,
                members_per_cell: 5,
            },
            app.now(),
        )
        .await
        .unwrap();
    app.tamper("UPDATE member SET email = 'dv' || id || '@example.vn'".into())
        .await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let id = plan(&c, &app, &csrf, cell, 3).await;
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/notice"),
            &[("csrf", csrf.as_str())],
        )
        .await,
    )
    .await;
    (app, c, id)
}

#[db_test]
async fn notices_go_out_by_email_with_an_invitation_and_survive_a_dead_server(b: Backend) {
    let (sink, url) = Sink::start().await;
    let (_app, _c, _id) = notified_by_email(b, url).await;
    for _ in 0..100 {
        if sink.count() == 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(sink.count(), 5);
    let first = sink.messages.lock().unwrap()[0].clone();
    assert!(
        first.contains("BEGIN:VCALENDAR") || first.contains("text/calendar"),
        "{first}"
    );

    // Now with no server listening: the notices stay queued with the error shown.
    let (app, c, id) = notified_by_email(b, crate::smtp::hang_up_server().await).await;
    let mut page = String::new();
    for _ in 0..100 {
        page = app.page(&c, &format!("/meetings/{id}")).await;
        if page.contains("Lỗi gửi thư gần nhất") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        page.contains("đang chờ gửi (sẽ tự gửi lại)") && page.contains("Lỗi gửi thư gần nhất"),
        "{page}"
    );
    let mut emails = vec![];
    for _ in 0..100 {
        emails = app
            .services
            .db
            .read(async |r| store::meetings::notices_of_meeting(r, id).await)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.channel == "email")
            .collect();
        if emails.iter().all(|n| n.last_error.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(emails.len(), 5);
    assert!(
        emails
            .iter()
            .all(|n| n.status == "queued" && n.attempts == 1 && n.last_error.is_some()),
        "nothing is lost: {emails:?}"
    );
}

/// A meeting of `cell` planned for `date` (dd/mm/yyyy, 19:30) and held
/// through the services at the app's clock: opened (with a reason, used if
/// it is early), everyone present, a show-of-hands vote on the resolution
/// passed by every voter, and a draft that assigns no task. Returns the
/// meeting and the vote.
pub(crate) async fn held(app: &TestApp, bithu: &Actor, cell: &OrgRow, date: &str) -> (i64, i64) {
    let s = &app.services;
    let form = MeetingForm {
        kind: "thuong_ky".into(),
        date: date.into(),
        time: "19:30".into(),
        place: "Nhà văn hóa khu phố 1".into(),
        ..MeetingForm::default()
    };
    let id = s
        .plan_meeting(bithu, cell.id, &form, app.now())
        .await
        .unwrap();
    s.open_meeting(bithu, id, Some("Tổ chức theo lịch của đảng ủy"), app.now())
        .await
        .unwrap();
    for r in
        s.db.read(async |rd| store::meetings::roll(rd, id).await)
            .await
            .unwrap()
    {
        s.mark_attendance(bithu, id, r.member_id, Presence::CoMat, None, app.now())
            .await
            .unwrap();
    }
    let vote = s
        .open_vote(
            bithu,
            id,
            DecisionKind::NghiQuyet,
            "Thông qua nghị quyết",
            VoteMode::Counts,
            app.now(),
        )
        .await
        .unwrap();
    let (m, _) = s.meeting(bithu, id).await.unwrap();
    let v =
        s.db.read(async |rd| store::meetings::vote(rd, vote).await)
            .await
            .unwrap()
            .unwrap();
    let voters = s.vote_voters(&m, &v).len() as u32;
    s.enter_counts(bithu, id, vote, (voters, 0, 0), app.now())
        .await
        .unwrap();
    let draft = store::meetings::Draft {
        subject: "về nhiệm vụ tháng tới",
        results: "Hoàn thành các nhiệm vụ.",
        tasks: "Tiếp tục các nhiệm vụ thường xuyên.",
        assignments: "[]",
        no_tasks: true,
    };
    s.save_resolution(bithu, id, 0, &draft, app.now())
        .await
        .unwrap();
    (id, vote)
}

async fn bithu_and_cell(app: &TestApp) -> (Actor, OrgRow) {
    let bithu = app.actor("bithu").await;
    let cell = app.services.org(app.cell_ids().await[0]).await.unwrap();
    (bithu, cell)
}

#[db_test]
async fn a_meeting_held_before_its_planned_day_prints_the_day_and_times_it_was_held(b: Backend) {
    // Meeting 12 of the field test: planned for 06/12, held on 03/12 and
    // closed after 45 minutes, against the pack's 90-minute minimum.
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    assert_eq!(app.today().format("%d/%m/%Y").to_string(), "03/12/2026");
    let id = plan(&c, &app, &csrf, cell, 3).await;
    let step = |what: &'static str, reason: &'static str| {
        let (c, csrf, app) = (&c, csrf.clone(), &app);
        async move {
            app.post(
                c,
                &format!("/meetings/{id}/{what}"),
                &[("csrf", csrf.as_str()), ("reason", reason)],
            )
            .await
        }
    };
    let open = |reason| step("open", reason);
    let page = app.follow(&c, open("").await).await;
    assert!(
        page.contains("bắt đầu sớm hơn ngày dự kiến: phải ghi lý do"),
        "{b:?}: {page}"
    );
    let overview = app.page(&c, &format!("/meetings/{id}")).await;
    assert!(
        overview.contains("Lý do sinh hoạt sớm hơn ngày dự kiến"),
        "{b:?}: the form asks why: {overview}"
    );
    let page = app
        .follow(&c, open("Đồng chí Bí thư đi công tác từ ngày 05/12").await)
        .await;
    assert!(page.contains("Bắt đầu sinh hoạt"), "{b:?}: {page}");

    app.clock.advance(chrono::Duration::minutes(45));
    let close = |reason| step("close", reason);
    let page = app.follow(&c, close("").await).await;
    assert!(
        page.contains("chưa đủ thời lượng tối thiểu theo quy định"),
        "{b:?}: {page}"
    );
    let m = app
        .services
        .db
        .read(async |rd| store::meetings::get(rd, id).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, "open", "{b:?}: still open");
    app.follow(&c, close("Mất điện khu vực").await).await;
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/finalize"),
            &[("csrf", csrf.as_str())],
        )
        .await,
    )
    .await;

    let pdf = c
        .get(app.url(&format!("/meetings/{id}/docs/bien-ban.pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    if let Some(text) = pdf_text(&pdf) {
        for want in [
            "ngày 03 tháng 12 năm 2026",
            "Vào lúc 09 giờ 30 ngày 03/12/2026",
            "kết thúc lúc 10 giờ 15 cùng ngày (thời lượng 45 phút)",
            "dự kiến ngày 06/12/2026, tổ chức sớm hơn, lý do: Đồng chí Bí thư đi công tác từ ngày 05/12",
            "trước thời lượng tối thiểu, lý do: Mất điện khu vực",
        ] {
            assert!(text.contains(want), "{b:?}: «{want}» not in {text}");
        }
        assert!(
            !text.contains("ngày 06 tháng 12"),
            "{b:?}: dated the planned day: {text}"
        );
    }
    // The audit trail records both reasons.
    let history = app
        .services
        .db
        .read(async |rd| store::audit::for_entity(rd, "meeting", id).await)
        .await
        .unwrap();
    let said = |action: &str| {
        history
            .iter()
            .find(|e| e.action == action)
            .map(|e| e.summary.clone())
            .unwrap_or_default()
    };
    assert!(said("meeting.open").contains("công tác"), "{b:?}");
    assert!(said("meeting.close").contains("Mất điện"), "{b:?}");
}

#[db_test]
async fn one_count_for_the_roll_call_the_vote_form_the_vote_and_the_documents(b: Backend) {
    // The field test saw 21 full members present on the roll-call and 20 on
    // the vote form, 22 present on the roll-call and 23 in the PDF. Here the
    // roll holds an exempted member, one attached elsewhere, one attached
    // here and a probationary member, all present.
    let app = TestApp::demo(b).await;
    let s = &app.services;
    let (bithu, cell) = bithu_and_cell(&app).await;
    let members =
        s.db.read(async |rd| store::members::of_cell(rd, cell.id).await)
            .await
            .unwrap();
    assert_eq!(
        members.iter().filter(|m| m.status == "du_bi").count(),
        1,
        "{b:?}: one probationary member in the demo cell"
    );
    let full: Vec<i64> = members
        .iter()
        .filter(|m| m.status == "chinh_thuc")
        .map(|m| m.id)
        .rev()
        .take(4)
        .collect();
    for (id, status) in
        full.iter()
            .zip([Status::MienSinhHoat, Status::TamThoiDi, Status::TamThoiDen])
    {
        s.add_status(&bithu, *id, status, app.today(), None, app.now())
            .await
            .unwrap();
    }
    let excused = full[3];
    let form = MeetingForm {
        kind: "thuong_ky".into(),
        date: app.date_in(0),
        time: "19:30".into(),
        place: "Nhà văn hóa khu phố 1".into(),
        ..MeetingForm::default()
    };
    let id = s
        .plan_meeting(&bithu, cell.id, &form, app.now())
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::hours(10));
    s.open_meeting(&bithu, id, None, app.now()).await.unwrap();
    for r in
        s.db.read(async |rd| store::meetings::roll(rd, id).await)
            .await
            .unwrap()
    {
        let p = if r.member_id == excused {
            Presence::VangCoLyDo
        } else {
            Presence::CoMat
        };
        s.mark_attendance(&bithu, id, r.member_id, p, Some("Ốm"), app.now())
            .await
            .unwrap();
    }
    // 12 on the roll, 11 present: 7 full members and the exempted one vote,
    // 1 probationary, 2 attached; the base is the 8 full members less the
    // excused one and the one away, plus the exempted one who came.
    let (present, voters, base) = (11, 8, 8);
    let (c, csrf) = app.login("bithu").await;
    let roll = app.page(&c, &format!("/meetings/{id}/roll")).await;
    for want in [
        format!("{present} Có mặt"),
        format!("{voters} đảng viên có quyền biểu quyết có mặt"),
        format!("{base} Cơ sở tính biểu quyết"),
        "Sinh hoạt tạm thời có mặt (không biểu quyết tại chi bộ): 2".to_string(),
        "Dự bị có mặt (không biểu quyết): 1".to_string(),
    ] {
        assert!(
            roll.contains(&want),
            "{b:?}: «{want}» not on the roll-call: {roll}"
        );
    }
    app.follow(
        &c,
        app.post(
            &c,
            &format!("/meetings/{id}/votes"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "nghi_quyet"),
                ("subject", "Thông qua nghị quyết"),
                ("mode", "counts"),
            ],
        )
        .await,
    )
    .await;
    let votes = app.page(&c, &format!("/meetings/{id}/votes")).await;
    assert!(
        votes.contains(&format!("Đảng viên có quyền biểu quyết có mặt: {voters}")),
        "{b:?}: the vote form counts as the roll-call: {votes}"
    );
    // Every voter's hand is counted: the exempted member's too.
    let vote =
        s.db.read(async |rd| store::meetings::votes(rd, id).await)
            .await
            .unwrap()[0]
            .id;
    let page = app
        .follow(
            &c,
            app.post(
                &c,
                &format!("/meetings/{id}/votes/{vote}/counts"),
                &[
                    ("csrf", csrf.as_str()),
                    ("tan_thanh", &voters.to_string()),
                    ("khong_tan_thanh", "0"),
                    ("khong_bieu_quyet", "0"),
                ],
            )
            .await,
        )
        .await;
    assert!(page.contains("Đạt"), "{b:?}: {page}");
    let v =
        s.db.read(async |rd| store::meetings::vote(rd, vote).await)
            .await
            .unwrap()
            .unwrap();
    assert_eq!((v.tan_thanh, v.base), (voters, Some(base)), "{b:?}");

    // The documents print the same figures.
    let sentence = format!(
        "có mặt: {present} đồng chí (trong đó {voters} đảng viên có quyền biểu quyết, 1 đảng viên dự bị, 2 đảng viên sinh hoạt tạm thời); vắng có lý do: 1 đồng chí"
    );
    for doc in ["diem-danh", "bien-ban"] {
        let pdf = c
            .get(app.url(&format!("/meetings/{id}/docs/{doc}.pdf")))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        if let Some(text) = pdf_text(&pdf) {
            assert!(text.contains(&sentence), "{b:?}: {doc}: {text}");
        }
    }
    let panel = s.panel(
        &s.db
            .read(async |rd| store::meetings::roll(rd, id).await)
            .await
            .unwrap(),
        app.today(),
        chibo_rules::Lang::Vi,
    );
    assert_eq!(
        (panel.present, panel.voters_present, panel.base),
        (present, voters as u32, base as u32),
        "{b:?}"
    );
}

#[db_test]
async fn resolutions_are_numbered_01_02_03_and_a_new_term_starts_again(b: Backend) {
    let app = TestApp::demo(b).await;
    let s = &app.services;
    let (bithu, cell) = bithu_and_cell(&app).await;
    let mut numbers = vec![];
    for days in [-20, -10, -1] {
        let (id, vote) = held(&app, &bithu, &cell, &app.date_in(days)).await;
        numbers.push(
            s.adopt_resolution(&bithu, id, vote, app.now())
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        numbers,
        ["Số 01-NQ/CB", "Số 02-NQ/CB", "Số 03-NQ/CB"],
        "{b:?}"
    );
    // A congress opens a new term today: numbers start again (the pack
    // numbers per type within a term).
    s.start_term(
        &bithu,
        &cell,
        app.today(),
        Some("Đại hội chi bộ"),
        app.now(),
    )
    .await
    .unwrap();
    let (id, vote) = held(&app, &bithu, &cell, &app.date_in(0)).await;
    assert_eq!(
        s.adopt_resolution(&bithu, id, vote, app.now())
            .await
            .unwrap(),
        "Số 01-NQ/CB",
        "{b:?}"
    );
    let v = s.verify(&Default::default()).await.unwrap();
    assert!(v.ok(), "{b:?}: {v:?}");
}

#[db_test]
async fn two_adoptions_at_once_get_distinct_consecutive_numbers(b: Backend) {
    let app = TestApp::demo(b).await;
    let s = &app.services;
    let (bithu, cell) = bithu_and_cell(&app).await;
    let (m1, v1) = held(&app, &bithu, &cell, &app.date_in(-2)).await;
    let (m2, v2) = held(&app, &bithu, &cell, &app.date_in(-1)).await;
    let (a, b2) = tokio::join!(
        s.adopt_resolution(&bithu, m1, v1, app.now()),
        s.adopt_resolution(&bithu, m2, v2, app.now())
    );
    let mut got = vec![a.unwrap(), b2.unwrap()];
    got.sort();
    assert_eq!(got, ["Số 01-NQ/CB", "Số 02-NQ/CB"], "{b:?}");

    // One draft adopted twice at once: once; the other is refused and its
    // number goes back, so the next resolution is 04, not 05.
    let (m3, v3) = held(&app, &bithu, &cell, &app.date_in(0)).await;
    let (x, y) = tokio::join!(
        s.adopt_resolution(&bithu, m3, v3, app.now()),
        s.adopt_resolution(&bithu, m3, v3, app.now())
    );
    let ok: Vec<String> = [x, y].into_iter().filter_map(Result::ok).collect();
    assert_eq!(ok, ["Số 03-NQ/CB"], "{b:?}");
    let (m4, v4) = held(&app, &bithu, &cell, &app.date_in(0)).await;
    assert_eq!(
        s.adopt_resolution(&bithu, m4, v4, app.now()).await.unwrap(),
        "Số 04-NQ/CB",
        "{b:?}"
    );
    let v = s.verify(&Default::default()).await.unwrap();
    assert!(v.ok(), "{b:?}: {v:?}");
}

/// Times are taken as Vietnamese write them and kept as HH:MM; anything
/// else is refused next to the field, in Vietnamese, with nothing planned.
#[db_test]
async fn the_meeting_form_takes_times_as_vietnamese_write_them(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let date = app.date_in(3);
    for (typed, shown) in [
        ("19h30", "19:30"),
        ("7h30", "07:30"),
        ("19h", "19:00"),
        ("19.30", "19:30"),
        ("1930", "19:30"),
        ("7g30", "07:30"),
    ] {
        let form = [
            ("csrf", csrf.as_str()),
            ("kind", "thuong_ky"),
            ("date", &date),
            ("time", typed),
            ("place", "Nhà văn hóa khu phố 1"),
        ];
        let res = app
            .post(&c, &format!("/meetings/new?cell={cell}"), &form)
            .await;
        let id = redirect_id(&res, "/meetings/");
        let edit = app.html(&c, &format!("/meetings/{id}")).await;
        assert!(
            edit.contains(&format!("name=\"time\" value=\"{shown}\"")),
            "{b:?}: {typed} is kept as {shown}: {edit}"
        );
    }
    let planned = async || {
        app.services
            .db
            .read(async |r| store::meetings::of_cell(r, cell, 1000).await)
            .await
            .unwrap()
            .len()
    };
    let before = planned().await;
    let res = app
        .post(
            &c,
            &format!("/meetings/new?cell={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "thuong_ky"),
                ("date", &date),
                ("time", "25h"),
                ("place", "Nhà văn hóa khu phố 1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Giờ không hợp lệ: “25h”") && html.contains("aria-invalid=\"true\""),
        "{b:?}: {html}"
    );
    assert_eq!(before, planned().await, "{b:?}: nothing is planned");
}
