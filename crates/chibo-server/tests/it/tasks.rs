//! Tasks over HTTP: standing duties, progress from a member's phone with
//! evidence, bad input, a lead who leaves, reminders once each, the API.

use crate::support::{Backend, TestApp, redirect_id, text};
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::Duration;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

#[db_test]
async fn a_standing_duty_from_assignment_to_a_members_report(b: Backend) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let member = db
        .read(async |r| store::accounts::by_login(r, "dangvien").await)
        .await
        .unwrap()
        .unwrap();
    let me = member.member_id.expect("dangvien is a member");
    // The member has an address, so the e-mail half of the reminders is tested too.
    app.tamper(format!(
        "UPDATE member SET email = 'dangvien@example.vn' WHERE id = {me}"
    ))
    .await;
    let others: Vec<_> = db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.id != me && m.status == "chinh_thuc")
        .collect();
    let (sec, csrf) = app.login("bithu").await;

    // Bad input: no lead, a deadline before today; the page says what and keeps the text.
    let res = app
        .post(
            &sec,
            &format!("/tasks?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Vận động hội viên đóng quỹ khuyến học"),
                ("lead_id", ""),
                ("deadline", &app.date_in(-1)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    let body = text(&res.text().await.unwrap());
    assert!(body.contains("chưa có người phụ trách"), "{body}");
    assert!(body.contains("trước ngày giao nhiệm vụ"), "{body}");
    assert_eq!(
        db.read(async |r| store::tasks::of_cell(r, cell, &Default::default()).await)
            .await
            .unwrap()
            .len(),
        0,
        "nothing stored"
    );

    // A good one: the member leads, another member shares it.
    let co = others[0].id.to_string();
    let lead = me.to_string();
    let deadline = app.date_in(2);
    let res = app
        .post(
            &sec,
            &format!("/tasks?unit={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Vận động hội viên đóng quỹ khuyến học"),
                ("lead_id", lead.as_str()),
                ("co_owner_ids", co.as_str()),
                ("deadline", deadline.as_str()),
            ],
        )
        .await;
    let task = redirect_id(&res, "/tasks/");
    let table = app.page(&sec, &format!("/tasks?unit={cell}")).await;
    assert!(table.contains("Vận động hội viên đóng quỹ khuyến học"));
    assert!(table.contains(&others[0].full_name));
    assert!(table.contains("Chưa bắt đầu"));

    // Printed in the Party format and exported as a spreadsheet.
    let pdf = sec
        .get(app.url(&format!("/tasks/print?unit={cell}&open=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let xlsx = sec
        .get(app.url(&format!("/tasks/export?unit={cell}")))
        .send()
        .await
        .unwrap();
    assert!(
        xlsx.bytes().await.unwrap().starts_with(b"PK"),
        "an XLSX file"
    );

    // The member sees it on their own page and reports from the phone with a photo.
    let (mem, mcsrf) = app.login("dangvien").await;
    let home = app.page(&mem, "/").await;
    assert!(home.contains("Nhiệm vụ của tôi"), "{home}");
    assert!(home.contains("Vận động hội viên đóng quỹ khuyến học"));
    assert!(
        home.contains("Được giao nhiệm vụ"),
        "assignment notice in the app"
    );
    let form = Form::new()
        .text("csrf", mcsrf.clone())
        .text("version", "1")
        .text("status", "dang_thuc_hien")
        .text("progress", "40")
        .text("note", "Đã vận động được 12 hộ")
        .text("date", "")
        .text("link", "")
        .part(
            "file",
            Part::bytes(b"\x89PNG fake".to_vec())
                .file_name("anh-bien-nhan.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let res = mem
        .post(app.url(&format!("/tasks/{task}/progress")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let detail = app.page(&mem, &format!("/tasks/{task}")).await;
    assert!(detail.contains("Đã vận động được 12 hộ"), "{detail}");
    assert!(detail.contains("anh-bien-nhan.png"));
    assert!(detail.contains("40%"));
    let p = db
        .read(async |r| store::tasks::progress_of(r, task).await)
        .await
        .unwrap();
    let ev = mem
        .get(app.url(&format!("/tasks/{task}/evidence/{}", p[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(ev.headers()["content-type"], "image/png");
    assert_eq!(ev.bytes().await.unwrap().as_ref(), b"\x89PNG fake");

    // A stale version is refused with a message, not overwritten.
    let stale = Form::new()
        .text("csrf", mcsrf.clone())
        .text("version", "1")
        .text("status", "hoan_thanh")
        .text("progress", "100")
        .text("note", "Xong");
    let res = mem
        .post(app.url(&format!("/tasks/{task}/progress")))
        .multipart(stale)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(text(&res.text().await.unwrap()).contains("vừa được người khác cập nhật"));

    // Someone else's task is not theirs to report on.
    let other_task = app
        .services
        .add_standing_duty(
            &app.actor("bithu").await,
            Some(cell),
            &chibo_server::model::TaskDraft {
                title: "Rà soát hồ sơ đảng viên".into(),
                lead_id: Some(others[1].id),
                co_owner_ids: vec![],
                deadline: app.date_in(10),
            },
            app.now(),
        )
        .await
        .unwrap();
    let res = mem
        .post(app.url(&format!("/tasks/{other_task}/progress")))
        .multipart(
            Form::new()
                .text("csrf", mcsrf.clone())
                .text("version", "1")
                .text("status", "dang_thuc_hien")
                .text("progress", "10")
                .text("note", "x"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The member chooses one e-mail a day.
    let res = app
        .post(
            &mem,
            "/me/digest",
            &[("csrf", mcsrf.as_str()), ("daily", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        app.page(&mem, "/")
            .await
            .contains("gộp thành một thư mỗi sáng")
    );

    // Reminders: due soon goes out once, in the app and by e-mail to those with an address.
    let swept = app.services.run_reminders(app.now()).await.unwrap();
    assert!(swept.reminders >= 2, "lead and co-owner: {swept:?}");
    let again = app.services.run_reminders(app.now()).await.unwrap();
    assert_eq!(again.reminders, 0, "once only");
    let home = app.page(&mem, "/").await;
    assert!(home.contains("Nhiệm vụ sắp đến hạn"), "{home}");
    // Who chose the digest gets the e-mails folded into one the next morning
    // (local time), not the same evening, and only once.
    let local_day = |days: i64, h: u32, m: u32| {
        (app.today() + Duration::days(days))
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_local_timezone(chrono_tz::Asia::Ho_Chi_Minh)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let evening = local_day(0, 23, 0);
    let digests = app.services.run_reminders(evening).await.unwrap().digests;
    assert_eq!(digests, 0, "{b:?}: the digest waits for the morning");
    let morning = local_day(1, 6, 30);
    let digests = app.services.run_reminders(morning).await.unwrap().digests;
    assert_eq!(
        digests, 1,
        "{b:?}: one digest for the member with an address"
    );
    let digests = app.services.run_reminders(morning).await.unwrap().digests;
    assert_eq!(digests, 0, "{b:?}: once only");
    // Three days after the deadline it is overdue, reminded once more.
    let later = app.now() + Duration::days(3);
    let swept = app.services.run_reminders(later).await.unwrap();
    assert!(swept.reminders >= 2, "{swept:?}");
    assert_eq!(
        app.services.run_reminders(later).await.unwrap().reminders,
        0
    );
    // Once the next meeting's notice is out, the owners hear their task
    // is on its agenda — once.
    let api = |path: &str, body: serde_json::Value| {
        sec.post(app.url(path))
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
    };
    let res = api(
        "/api/v1/meetings",
        serde_json::json!({"cell_id": cell, "kind": "thuong_ky", "date": app.date_in(10),
                           "time": "19:30", "place": "Nhà văn hóa"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let meeting = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = api(
        &format!("/api/v1/meetings/{meeting}/steps"),
        serde_json::json!({"action": "notice"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let swept = app.services.run_reminders(later).await.unwrap();
    assert!(swept.reminders >= 2, "lead and co-owner: {swept:?}");
    assert_eq!(
        app.services.run_reminders(later).await.unwrap().reminders,
        0
    );
    let home = app.page(&mem, "/").await;
    assert!(
        home.contains("Báo cáo nhiệm vụ tại buổi sinh hoạt"),
        "{home}"
    );

    // The lead leaves the cell: the screen says the task must be reassigned.
    let res = app
        .post(
            &sec,
            &format!("/members/{me}/status"),
            &[
                ("csrf", csrf.as_str()),
                ("status", "chuyen_di"),
                ("start_date", &app.date_in(0)),
                ("note", "Chuyển sinh hoạt về phường khác"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let detail = app.page(&sec, &format!("/tasks/{task}")).await;
    assert!(detail.contains("không còn sinh hoạt ở chi bộ"), "{detail}");
    let table = app.page(&sec, &format!("/tasks?unit={cell}")).await;
    assert!(table.contains("Cần giao lại"));
    // Giving it back to the one who left is refused; to the co-owner works.
    let t = db
        .read(async |r| store::tasks::get(r, task).await)
        .await
        .unwrap()
        .unwrap();
    let version = t.version.to_string();
    let res = app
        .post(
            &sec,
            &format!("/tasks/{task}/lead"),
            &[
                ("csrf", csrf.as_str()),
                ("version", &version),
                ("lead_id", &lead),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &sec,
            &format!("/tasks/{task}/lead"),
            &[
                ("csrf", csrf.as_str()),
                ("version", &version),
                ("lead_id", &co),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t = db
        .read(async |r| store::tasks::get(r, task).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.lead_id, others[0].id);
    assert!(
        db.read(async |r| store::tasks::owners(r, task).await)
            .await
            .unwrap()
            .is_empty(),
        "the new lead is no longer a co-owner"
    );
    let history = db
        .read(async |r| store::audit::for_entity(r, "task", task).await)
        .await
        .unwrap();
    let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["task.reassign", "task.progress", "task.assign"],
        "newest first"
    );

    // The JSON API lists and updates the same data.
    let (tok_client, _) = app.login("bithu").await;
    let list: serde_json::Value = tok_client
        .get(app.url(&format!("/api/v1/tasks?cell={cell}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles.len(), 2, "{list}");
    assert!(list[0]["shown"].is_string());
}
