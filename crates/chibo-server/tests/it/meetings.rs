use crate::smtp::Sink;
use crate::support::{Backend, TestApp, redirect_id, text};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::{Client, StatusCode};

async fn plan(c: &Client, app: &TestApp, csrf: &str, cell: i64, days: i64) -> i64 {
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
    let files = store::meetings::files(&app.services.db, id).await.unwrap();
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

    // Roll-call: everyone present but two.
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
    let roll = store::meetings::roll(&app.services.db, id).await.unwrap();
    assert_eq!(roll.len(), 12);
    let dangvien = store::accounts::by_login(&app.services.db, "dangvien")
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
    let items = store::meetings::items(&app.services.db, id).await.unwrap();
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
    let votes = store::meetings::votes(&app.services.db, id).await.unwrap();
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
        page.contains("Tổng số phiếu nhiều hơn số đảng viên chính thức có mặt"),
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
    let named = store::meetings::votes(&app.services.db, id).await.unwrap()[1].id;
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
    let draft = store::meetings::resolution(&app.services.db, id)
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
    let lead = store::members::of_cell(&app.services.db, cell)
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
    let tasks = store::tasks::of_cell(&app.services.db, cell, &Default::default())
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1, "{b:?}: the assignment became a task");
    assert_eq!(tasks[0].lead_id, lead.id);
    assert_eq!(tasks[0].resolution_number.as_deref(), Some("Số 01-NQ/CB"));

    // Close, lock the minutes; edits are refused afterwards.
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

    // Documents: the dossier PDF and the resolution in Word.
    let pdf = c
        .get(app.url(&format!("/meetings/{id}/docs/ho-so.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"), "{b:?}");
    let docx = c
        .get(app.url(&format!("/meetings/{id}/docs/nghi-quyet.docx")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(docx.starts_with(b"PK"), "{b:?}");

    // Every seal still matches, and the chain is intact.
    let docs = app.services.verify_documents(None).await.unwrap();
    assert_eq!(docs.len(), 2, "{b:?}: the resolution and the minutes");
    assert!(docs.iter().all(|(_, ok)| *ok));
    let code = docs[0].0.check_code.clone();
    assert_eq!(
        app.services
            .verify_documents(Some(&code))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        app.services
            .verify_audit()
            .await
            .unwrap()
            .first_break
            .is_none(),
        "{b:?}"
    );
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
        emails = store::meetings::notices_of_meeting(&app.services.db, id)
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
