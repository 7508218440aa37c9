//! Residents' concerns over HTTP: the public page without an account, the
//! tracking page (a code shows its own item's state and nothing of anyone
//! else's), bad input refused in Vietnamese with nothing written, the rate
//! limit, a member's door and the secretary's batch, forwarding and the
//! answer, the meeting's month list; and the study documents.

use crate::support::{Backend, TestApp, hidden, redirect_of, text};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::StatusCode;

/// The demo's first cell: its id and its 14-digit code.
pub(crate) async fn cell(app: &TestApp) -> (i64, String) {
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
    // The public address carries the 14 digits without the register's dots.
    (id, code.replace('.', ""))
}

/// Every concern of a cell, whatever its date.
pub(crate) async fn stored(app: &TestApp, cell: i64) -> Vec<store::concerns::ConcernRow> {
    let (from, to) = (app.today() - chrono::Duration::days(400), app.today());
    app.services
        .db
        .read(async |r| store::concerns::of_cell(r, cell, from, to).await)
        .await
        .unwrap()
}

/// Sends the public form as a resident's phone does (the page first, for
/// its CSRF cookie); the answer's status and text.
pub(crate) async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    code: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let page = app.html(c, &format!("/y-kien/{code}")).await;
    let csrf = hidden(&page, "csrf");
    let mut f = vec![("csrf", csrf.as_str())];
    f.extend_from_slice(form);
    let res = app.post(c, &format!("/y-kien/{code}"), &f).await;
    let status = res.status();
    (status, res.text().await.unwrap())
}

/// The tracking code a successful submission shows.
pub(crate) fn code_in(html: &str) -> String {
    let t = text(html);
    let at = t.find("Mã tra cứu của bạn:").expect("a tracking code") + "Mã tra cứu của bạn:".len();
    t[at..].split_whitespace().next().unwrap().to_string()
}

#[db_test]
async fn a_concern_from_the_public_page_is_forwarded_answered_and_tracked(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, code) = cell(&app).await;
    let resident = TestApp::client();

    // The page asks only what it needs, in Vietnamese, and says how the data is used.
    let page = text(&app.html(&resident, &format!("/y-kien/{code}")).await);
    assert!(page.contains("Gửi ý kiến, kiến nghị tới chi bộ"), "{page}");
    assert!(page.contains("không công khai"), "{page}");
    // An unknown cell code is not found.
    let res = resident
        .get(app.url("/y-kien/99999999999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let (status, html) = send(
        &app,
        &resident,
        &code,
        &[
            ("area", "Tổ 5"),
            (
                "body",
                "Đèn đường <b>hỏng</b> ở ngõ 12 đã hai tuần <script>alert(1)</script>",
            ),
            ("contact", "0912 345 678"),
            ("website", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b:?}: {html}");
    let mine = code_in(&html);
    assert_eq!(mine.len(), 14, "{mine}");

    // Another resident's concern: their code never shows the first one's data.
    let other = TestApp::client();
    let (_, html) = send(
        &app,
        &other,
        &code,
        &[
            ("area", "Tổ 2"),
            ("body", "Rác thải tồn đọng ở chợ"),
            ("contact", ""),
        ],
    )
    .await;
    let theirs = code_in(&html);
    let seen = app
        .page(&other, &format!("/y-kien/tra-cuu?ma={theirs}"))
        .await;
    assert!(seen.contains("Đã tiếp nhận"), "{seen}");
    for private in ["Đèn đường", "0912345678", "Tổ 5", "Rác thải", &mine] {
        assert!(!seen.contains(private), "{private} shown by a code: {seen}");
    }
    // A wrong or guessed code is not found, and says so.
    for wrong in ["0000-0000-0000", "xyz", &mine.replace('-', "")[..11]] {
        let res = other
            .get(app.url(&format!("/y-kien/tra-cuu?ma={wrong}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{wrong}");
        assert!(text(&res.text().await.unwrap()).contains("Không tìm thấy"));
    }

    // The secretary's list: both items, oldest first, markup shown as text.
    let (sec, csrf) = app.login("bithu").await;
    let list = app.html(&sec, &format!("/concerns?unit={cell}")).await;
    assert!(
        list.contains("&#60;script&#62;") || list.contains("&lt;script&gt;"),
        "markup shown as text"
    );
    assert!(!list.contains("<script>alert"), "no live markup");
    let rows = stored(&app, cell).await;
    assert_eq!(rows.len(), 2);
    let first = rows.iter().find(|r| r.code == mine).unwrap();
    assert_eq!(first.contact.as_deref(), Some("0912345678"));
    assert_eq!(first.door, "public");

    // Reading the contact is logged as a member record's read is.
    let detail = app.page(&sec, &format!("/concerns/{}", first.id)).await;
    assert!(detail.contains("0912345678"), "{detail}");
    let secretary = app.actor("bithu").await.account_id;
    let logged = app
        .services
        .db
        .read(async |r| store::access::of_account(r, secretary, 100).await)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.detail.as_deref() == Some(&format!("concern:{}", first.id)))
        .count();
    assert_eq!(logged, 1);

    // Forward to the commune, then the answer relayed back.
    let res = app
        .post(
            &sec,
            &format!("/concerns/{}", first.id),
            &[
                ("csrf", csrf.as_str()),
                ("act", "forward"),
                ("text", "UBND phường"),
                ("date", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    // Forwarding twice is refused in Vietnamese, nothing changes.
    let res = app
        .post(
            &sec,
            &format!("/concerns/{}", first.id),
            &[
                ("csrf", csrf.as_str()),
                ("act", "forward"),
                ("text", "Mặt trận"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&res.text().await.unwrap()).contains("không làm được việc này"));
    let res = app
        .post(
            &sec,
            &format!("/concerns/{}", first.id),
            &[
                ("csrf", csrf.as_str()),
                ("act", "answer"),
                ("text", "Phường đã thay bóng đèn ngày 10."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let seen = app
        .page(
            &resident,
            &format!("/y-kien/tra-cuu?ma={}", mine.to_lowercase()),
        )
        .await;
    assert!(seen.contains("Đã trả lời"), "{seen}");
    assert!(seen.contains("UBND phường"), "{seen}");
    assert!(seen.contains("Phường đã thay bóng đèn"), "{seen}");
    assert!(!seen.contains("0912345678"), "{seen}");

    // Each change has its audit entry.
    let mut actions: Vec<String> = app
        .services
        .db
        .read(async |r| store::audit::for_entity(r, "concern", first.id).await)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.reverse();
    assert_eq!(
        actions,
        ["concern.receive", "concern.forward", "concern.answer"]
    );

    // The month's list for the meeting's "dư luận nhân dân" item counts them.
    let after = app.page(&sec, &format!("/concerns?unit={cell}")).await;
    assert!(after.contains("Tiếp nhận: 2"), "{after}");
    assert!(after.contains("Đã chuyển: 1"), "{after}");
    assert!(after.contains("Đã trả lời: 1"), "{after}");

    // The meeting's "dư luận nhân dân" item lists what came in since the
    // last meeting, up to its day.
    let meeting = crate::meetings::plan(&sec, &app, &csrf, cell, 1).await;
    let item = app
        .page(&sec, &format!("/meetings/{meeting}/concerns"))
        .await;
    assert!(
        item.contains("Dư luận nhân dân từ buổi sinh hoạt trước"),
        "{item}"
    );
    let day = app.date_in(1);
    assert!(item.contains(&format!("đến ngày {day}")), "{item}");
    assert!(item.contains("Đèn đường"), "{item}");

    // A plain member cannot open a resident's item.
    let (member, _) = app.login("dangvien").await;
    let res = member
        .get(app.url(&format!("/concerns/{}", first.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[db_test]
async fn bad_input_on_the_public_page_is_refused_in_vietnamese_with_nothing_written(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, code) = cell(&app).await;
    let c = TestApp::client();
    let long = "a".repeat(20_000);
    for (form, says) in [
        (vec![("area", "Tổ 1"), ("body", "")], "Không được để trống"),
        (
            vec![("area", "Tổ 1"), ("body", "   \n  ")],
            "Không được để trống",
        ),
        (
            vec![("area", ""), ("body", "Đường ngập")],
            "Không được để trống",
        ),
        (
            vec![("area", "Tổ 1"), ("body", long.as_str())],
            "quá dài (20000/2000",
        ),
        (
            vec![
                ("area", "Tổ 1"),
                ("body", "Đường ngập"),
                ("contact", "gọi tôi"),
            ],
            "Số điện thoại không hợp lệ",
        ),
        (
            vec![("area", "Tổ 1"), ("body", "Đường\u{0}ngập")],
            "ký tự điều khiển",
        ),
    ] {
        let (status, html) = send(&app, &c, &code, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}: {html}");
        assert!(text(&html).contains(says), "{says}: {}", text(&html));
    }
    assert!(stored(&app, cell).await.is_empty(), "nothing written");

    // Without the page's cookie (a script posting directly) nothing is taken.
    let res = TestApp::client()
        .post(app.url(&format!("/y-kien/{code}")))
        .form(&[("csrf", "x"), ("area", "Tổ 1"), ("body", "Đường ngập")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A robot filling the hidden field is answered as anyone, and its item
    // is kept closed as spam, never deleted.
    let (status, html) = send(
        &app,
        &c,
        &code,
        &[
            ("area", "Tổ 1"),
            ("body", "Mua ngay"),
            ("website", "http://spam.example"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let robot = code_in(&html);
    let rows = stored(&app, cell).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].code, robot);
    assert_eq!(
        (rows[0].state.as_str(), rows[0].close_reason.as_deref()),
        ("closed", Some("spam"))
    );
}

#[db_test]
async fn the_public_page_is_rate_limited_per_address(b: Backend) {
    let app = TestApp::configured_demo(b, |c| c.concern_per_address = 5).await;
    let (cell, code) = cell(&app).await;
    let c = TestApp::client();
    for i in 0..5 {
        let body = format!("Ý kiến số {i}");
        let (status, _) = send(&app, &c, &code, &[("area", "Tổ 3"), ("body", &body)]).await;
        assert_eq!(status, StatusCode::OK, "{i}");
    }
    let (status, html) = send(&app, &c, &code, &[("area", "Tổ 3"), ("body", "Thêm nữa")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let t = text(&html);
    assert!(t.contains("chưa được lưu"), "{t}");
    // The refused text is still in the form, and the first five are all kept.
    assert!(html.contains("Thêm nữa"));
    assert_eq!(stored(&app, cell).await.len(), 5);
    // After the window, the address may send again.
    app.clock.advance(chrono::Duration::minutes(61));
    let (status, _) = send(&app, &c, &code, &[("area", "Tổ 3"), ("body", "Hôm sau")]).await;
    assert_eq!(status, StatusCode::OK);
}

#[db_test]
async fn a_member_records_a_concern_and_the_secretary_a_batch(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;

    // A member at the market: the form is there, the list is not.
    let (member, mcsrf) = app.login("dangvien").await;
    let page = app.page(&member, "/concerns").await;
    assert!(page.contains("Ghi nhận ý kiến của người dân"), "{page}");
    let res = app
        .post(
            &member,
            "/concerns",
            &[
                ("csrf", mcsrf.as_str()),
                ("area", "Chợ phường"),
                ("body", "Bà con đề nghị lắp thêm camera ở cổng chợ"),
                ("contact", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    assert!(redirect_of(&res).contains("codes="));
    let rows = stored(&app, cell).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].door, "member");

    // The secretary after a residents' meeting: one item per paragraph.
    let (sec, csrf) = app.login("bithu").await;
    let held = app.date_in(-2);
    let batch = "Đề nghị sửa đường vào tổ 7.\n\nĐề nghị tổ chức khám sức khỏe cho người cao tuổi.\n\nPhản ánh tiếng ồn quán karaoke.";
    // A bad paragraph refuses the whole batch: nothing written.
    let bad = format!("{batch}\n\n{}", "x".repeat(2001));
    let res = app
        .post(
            &sec,
            &format!("/concerns?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("area", "Tổ 7"),
                ("body", bad.as_str()),
                ("batch", "1"),
                ("held_on", held.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&res.text().await.unwrap()).contains("quá dài"));
    assert_eq!(stored(&app, cell).await.len(), 1);
    let res = app
        .post(
            &sec,
            &format!("/concerns?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("area", "Tổ 7"),
                ("body", batch),
                ("batch", "1"),
                ("held_on", held.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let landed = app.follow(&sec, res).await;
    assert!(landed.contains("Đã ghi nhận ý kiến"), "{landed}");
    let rows = stored(&app, cell).await;
    let from_meeting: Vec<_> = rows.iter().filter(|r| r.door == "meeting").collect();
    assert_eq!(from_meeting.len(), 3);
    assert!(from_meeting.iter().all(|r| r.received_on.to_string() == {
        let d = chrono::NaiveDate::parse_from_str(&held, "%d/%m/%Y").unwrap();
        d.to_string()
    }));
    // Deadlines come from the pack's working days, after the day received.
    assert!(
        from_meeting
            .iter()
            .all(|r| r.forward_due > r.received_on && r.answer_due > r.forward_due)
    );
}

#[db_test]
async fn study_documents_show_who_has_not_studied(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, _) = cell(&app).await;
    let (sec, csrf) = app.login("bithu").await;
    // A deadline in the past is refused, nothing written.
    let res = app
        .post(
            &sec,
            &format!("/study?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Nghị quyết 57-NQ/TW"),
                ("issuer", "Bộ Chính trị"),
                ("issued_on", "22/12/2024"),
                ("deadline", app.date_in(-1).as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&res.text().await.unwrap()).contains("đã qua"));
    let res = app
        .post(
            &sec,
            &format!("/study?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Nghị quyết 57-NQ/TW về khoa học, công nghệ"),
                ("issuer", "Bộ Chính trị"),
                ("number", "57-NQ/TW"),
                ("issued_on", "22/12/2024"),
                ("deadline", app.date_in(20).as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let docs = app
        .services
        .db
        .read(async |r| store::study::assignments_of_cell(r, cell).await)
        .await
        .unwrap();
    let doc = docs[0].id;
    let before = app.page(&sec, &format!("/study?unit={cell}")).await;
    let on_roll = before
        .split("Chưa học: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("the count of who has not");
    assert!(on_roll > 1, "{before}");

    let (member, mcsrf) = app.login("dangvien").await;
    let res = app
        .post(
            &member,
            &format!("/study/{doc}/studied"),
            &[("csrf", mcsrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A second mark changes nothing.
    app.post(
        &member,
        &format!("/study/{doc}/studied"),
        &[("csrf", mcsrf.as_str())],
    )
    .await;
    let mine = app.page(&member, "/study").await;
    assert!(mine.contains("Đã học ngày"), "{mine}");
    let after = app.page(&sec, &format!("/study?unit={cell}")).await;
    assert!(after.contains("Đã học: 1"), "{after}");
    assert!(
        after.contains(&format!("Chưa học: {}", on_roll - 1)),
        "{after}"
    );
}
