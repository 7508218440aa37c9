//! The write paths of access control (issue 11, item 7): another cell's
//! secretary and a plain member calling a secretary's actions, and a
//! non-administrator deactivating an account, are refused with 403 and
//! leave every record as it was.

use crate::support::{Backend, TestApp, redirect_id};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::{Client, StatusCode};

/// Everything the refused requests could have changed, as JSON to compare.
async fn snapshot(app: &TestApp, cell: i64, member: i64, meeting: i64) -> serde_json::Value {
    app.services
        .db
        .read(async |r| {
            let m = store::members::get(r, member).await?;
            let roll = store::members::of_cell(r, cell).await?.len();
            let mt = store::meetings::get(r, meeting).await?;
            let meetings = store::meetings::of_cell(r, cell, 1000).await?.len();
            let items = store::meetings::items(r, meeting).await?.len();
            let acc = store::accounts::by_login(r, "dangvien").await?;
            Ok::<_, store::StoreError>(serde_json::json!({
                "member": serde_json::to_value(m).unwrap(),
                "roll": roll,
                "meeting": serde_json::to_value(mt).unwrap(),
                "meetings": meetings,
                "items": items,
                "dangvien_active": acc.map(|a| a.active),
            }))
        })
        .await
        .unwrap()
}

/// Each secretary's write this client may not make, and the status it gets.
async fn refused(
    app: &TestApp,
    c: &Client,
    csrf: &str,
    cell: i64,
    member: i64,
    meeting: i64,
) -> Vec<(String, StatusCode)> {
    let date = app.date_in(3);
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/members/{member}"),
            vec![
                ("csrf", csrf),
                ("full_name", "Tên Bị Đổi"),
                ("sex", "Nữ"),
                ("date_of_birth", "12/03/1980"),
                ("card_no", "079123456789"),
                ("national_id", "079180001234"),
                ("admission_date", "03/02/2010"),
                ("ceremony_date", "19/05/2010"),
                ("official_date", "19/05/2011"),
                ("phone", "0912 345 678"),
            ],
        ),
        (
            format!("/members/new?cell={cell}"),
            vec![
                ("csrf", csrf),
                ("full_name", "Người Được Thêm"),
                ("sex", "Nam"),
                ("date_of_birth", "12/03/1980"),
                ("admission_date", "03/02/2010"),
                ("ceremony_date", "19/05/2010"),
                ("official_date", "19/05/2011"),
            ],
        ),
        (
            format!("/meetings/new?cell={cell}"),
            vec![
                ("csrf", csrf),
                ("kind", "thuong_ky"),
                ("date", &date),
                ("time", "19:30"),
                ("place", "Nhà văn hóa"),
            ],
        ),
        (
            format!("/meetings/{meeting}/agenda"),
            vec![("csrf", csrf), ("title", "Mục chen vào")],
        ),
        (format!("/meetings/{meeting}/notice"), vec![("csrf", csrf)]),
        (
            format!("/meetings/{meeting}/open"),
            vec![("csrf", csrf), ("reason", "Họp sớm")],
        ),
        (
            format!("/meetings/{meeting}/resolution/adopt"),
            vec![("csrf", csrf), ("vote_id", "1")],
        ),
    ];
    let mut out = vec![];
    for (path, form) in posts {
        let res = c.post(app.url(&path)).form(&form).send().await.unwrap();
        out.push((path, res.status()));
    }
    let file = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                "Họ và tên;Ngày sinh\nNguyễn Văn Chen;01/01/1980\n"
                    .as_bytes()
                    .to_vec(),
            )
            .file_name("ds.csv"),
        );
    let res = c
        .post(app.url(&format!("/import?cell={cell}")))
        .multipart(file)
        .send()
        .await
        .unwrap();
    out.push((format!("/import?cell={cell}"), res.status()));
    out
}

#[db_test]
async fn another_cells_secretary_and_a_plain_member_cannot_write(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let (sec, csrf) = app.login("bithu").await;
    let res = app
        .post(
            &sec,
            &format!("/meetings/new?cell={cell}"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "thuong_ky"),
                ("date", &app.date_in(1)),
                ("time", "19:30"),
                ("place", "Nhà văn hóa khu phố 1"),
            ],
        )
        .await;
    let meeting = redirect_id(&res, "/meetings/");
    let member = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()[0]
        .id;
    let before = snapshot(&app, cell, member, meeting).await;

    for login in ["bithu.2", "dangvien"] {
        let (c, csrf) = app.login(login).await;
        for (path, status) in refused(&app, &c, &csrf, cell, member, meeting).await {
            assert_eq!(status, StatusCode::FORBIDDEN, "{b:?}: {login} POST {path}");
        }
    }
    assert_eq!(
        snapshot(&app, cell, member, meeting).await,
        before,
        "{b:?}: nothing was written"
    );
}

/// Deactivating an account takes a secretary's power over every unit the
/// account holds a role in, and at least that role: a plain member,
/// another cell's secretary, or a secretary reaching for the upper
/// committee or the administrator is refused.
#[db_test]
async fn only_who_holds_more_deactivates_an_account(b: Backend) {
    let app = TestApp::demo(b).await;
    let id = async |login: &str| {
        app.services
            .db
            .read(async |r| store::accounts::by_login(r, login).await)
            .await
            .unwrap()
            .unwrap()
    };
    let refused = [
        ("dangvien", "bithu"),
        ("bithu.2", "dangvien"),
        ("bithu", "quantri"),
        ("bithu", "dangbo"),
    ];
    for (who, whom) in refused {
        let target = id(whom).await;
        let (c, csrf) = app.login(who).await;
        let res = app
            .post(
                &c,
                &format!("/users/{}/active", target.id),
                &[("csrf", csrf.as_str()), ("active", "0")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}: {who} → {whom}");
        assert!(id(whom).await.active, "{b:?}: {whom} is still active");
    }
    // The cell's own secretary may, and the member's sessions end with it.
    let (member, _) = app.login("dangvien").await;
    let (sec, csrf) = app.login("bithu").await;
    let res = app
        .post(
            &sec,
            &format!("/users/{}/active", id("dangvien").await.id),
            &[("csrf", csrf.as_str()), ("active", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    assert!(!id("dangvien").await.active, "{b:?}");
    let res = member.get(app.url("/account")).send().await.unwrap();
    assert_ne!(res.status(), StatusCode::OK, "{b:?}: the session ended");
}
