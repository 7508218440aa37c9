use crate::support::{Backend, TestApp, redirect_id, text};
use chibo_server::store;
use chibo_server::store::access::{Access, AccessKind};
use chibo_test_macros::db_test;
use reqwest::StatusCode;

fn form<'a>(extra: &[(&'a str, &'a str)], csrf: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("full_name", "Trần Thị Bích Ngọc"),
        ("sex", "Nữ"),
        ("date_of_birth", "12/03/1980"),
        ("card_no", "079123456789"),
        ("national_id", "079180001234"),
        ("admission_date", "03/02/2010"),
        ("ceremony_date", "19/05/2010"),
        ("official_date", "19/05/2011"),
        ("phone", "0912 345 678"),
    ];
    for (k, v) in extra {
        f.retain(|(fk, _)| fk != k);
        f.push((k, v));
    }
    f
}

#[db_test]
async fn search_ignores_diacritics_and_case(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, _) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let members = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let target = &members[3];
    let plain = chibo_server::model::fold(&target.full_name);
    let page = app
        .html(&c, &format!("/members?q={}", plain.to_uppercase()))
        .await;
    assert!(
        text(&page).contains(&target.full_name),
        "{b:?}: {plain} finds {}",
        target.full_name
    );
    // By card number prefix too.
    let card = target.card_no.clone().unwrap();
    let page = app.html(&c, &format!("/members?q={}", &card[..9])).await;
    assert!(
        text(&page).contains(&target.full_name),
        "{b:?}: card prefix"
    );
    // Filters: probationary members only.
    let probationary: Vec<_> = members.iter().filter(|m| m.status == "du_bi").collect();
    assert!(!probationary.is_empty());
    let html = app.html(&c, "/members?status=du_bi").await;
    let page = text(&html);
    assert!(
        page.contains(&format!("{} đảng viên", probationary.len())),
        "{b:?}: {page}"
    );
    assert!(probationary.iter().all(|m| page.contains(&m.full_name)));
    assert_eq!(
        html.matches("class=\"badge du_bi\"").count(),
        probationary.len(),
        "{b:?}"
    );
    assert!(
        !html.contains("class=\"badge chinh_thuc\""),
        "{b:?}: only probationary members listed"
    );
}

#[db_test]
async fn create_edit_and_history(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let res = app
        .post(&c, &format!("/members/new?cell={cell}"), &form(&[], &csrf))
        .await;
    let id = redirect_id(&res, "/members/");
    let t = app.follow(&c, res).await;
    assert!(
        t.contains("Trần Thị Bích Ngọc") && t.contains("Chính thức") && t.contains("0912345678"),
        "{b:?}: {t}"
    );

    let m = app
        .services
        .db
        .read(async |r| store::members::get(r, id).await)
        .await
        .unwrap()
        .unwrap();
    let version = m.version.to_string();
    let res = app
        .post(
            &c,
            &format!("/members/{id}"),
            &form(
                &[
                    ("residence", "12 Lê Lợi, phường Bến Nghé"),
                    ("version", &version),
                ],
                &csrf,
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    // A second save with the old version is refused: no silent overwrite.
    let stale = app
        .post(
            &c,
            &format!("/members/{id}"),
            &form(&[("residence", "khác"), ("version", &version)], &csrf),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT, "{b:?}");

    let res = app
        .post(
            &c,
            &format!("/members/{id}/status"),
            &[
                ("csrf", csrf.as_str()),
                ("status", "tam_thoi_di"),
                ("start_date", "01/09/2026"),
                ("note", "Đi học"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    let page = app.page(&c, &format!("/members/{id}")).await;
    assert!(
        page.contains("Sinh hoạt tạm thời đi") && page.contains("01/09/2026"),
        "{b:?}"
    );
    assert!(
        page.contains("member.update") && page.contains("12 Lê Lợi"),
        "{b:?}: the change history shows the edit"
    );
    assert!(page.contains("member.status"), "{b:?}");
}

#[db_test]
async fn bad_input_is_explained_and_nothing_changes(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let existing = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let taken = existing[0].card_no.clone().unwrap();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("card_no", "01234567890")],
            "Số thẻ đảng viên phải có đúng 12 chữ số: “01234567890”",
        ),
        (
            vec![("date_of_birth", "31/02/1970")],
            "Ngày không hợp lệ: “31/02/1970”",
        ),
        (
            vec![("official_date", "01/01/2009")],
            "Ngày chính thức “01/01/2009” trước ngày vào Đảng",
        ),
        (vec![("card_no", taken.as_str())], "đã có trong hệ thống"),
    ];
    for (extra, message) in cases {
        let res = app
            .post(
                &c,
                &format!("/members/new?cell={cell}"),
                &form(&extra, &csrf),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b:?} {extra:?}"
        );
        let page = res.text().await.unwrap();
        assert!(
            text(&page).contains(message),
            "{b:?}: expected «{message}» in {}",
            text(&page)
        );
        // What was typed is kept.
        assert!(page.contains("value=\"Trần Thị Bích Ngọc\""), "{b:?}");
        assert!(page.contains("aria-invalid=\"true\""), "{b:?}");
    }
    assert_eq!(
        app.services
            .db
            .read(async |r| store::members::of_cell(r, cell).await)
            .await
            .unwrap()
            .len(),
        existing.len(),
        "{b:?}"
    );
}

#[db_test]
async fn a_member_cannot_open_another_cells_record_and_it_is_logged(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, _) = app.login("dangvien").await;
    let cells = app.cell_ids().await;
    let other = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cells[1]).await)
        .await
        .unwrap()[0]
        .id;
    let res = c
        .get(app.url(&format!("/members/{other}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}");
    assert!(text(&res.text().await.unwrap()).contains("không có quyền"));
    // Their own cell's colleagues are not open to them either: only basics.
    let colleague = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cells[0]).await)
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        c.get(app.url(&format!("/members/{colleague}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let log = app
        .services
        .db
        .read(async |r| store::members::access_log(r, other, 10).await)
        .await
        .unwrap();
    assert_eq!(log.len(), 1, "{b:?}: the refused read is logged");
    assert!(!log[0].granted);
    // The upper committee reads across its cells; each read is logged.
    let (up, _) = app.login("dangbo").await;
    assert_eq!(
        up.get(app.url(&format!("/members/{other}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let log = app
        .services
        .db
        .read(async |r| store::members::access_log(r, other, 10).await)
        .await
        .unwrap();
    assert_eq!(log.len(), 2, "{b:?}");
    assert!(
        log[0].granted
            && log[0]
                .who
                .as_deref()
                .is_some_and(|w| w.contains("Văn phòng")),
        "{b:?}"
    );
}

/// Group commit of the access log: however many views arrive at once, each
/// returns only after its own row is committed, and a failed commit is an
/// error for every view in it, never a silent success.
#[db_test]
async fn concurrent_record_views_are_each_logged_before_they_return(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let id = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()[0]
        .id;
    let now = app.now();
    let views = (0..64).map(|i| {
        let s = app.services.clone();
        tokio::spawn(async move {
            s.access
                .log(Access {
                    at: now,
                    account_id: 1000 + i,
                    member_id: Some(id),
                    granted: i % 2 == 0,
                    kind: AccessKind::Read,
                    detail: None,
                })
                .await
                .unwrap();
            // Another connection sees the row as soon as the call returned.
            let log =
                s.db.read(async |r| store::members::access_log(r, id, 100).await)
                    .await
                    .unwrap();
            assert!(log.iter().any(|r| r.account_id == 1000 + i));
        })
    });
    for v in views.collect::<Vec<_>>() {
        v.await.unwrap();
    }
    let log = app
        .services
        .db
        .read(async |r| store::members::access_log(r, id, 100).await)
        .await
        .unwrap();
    assert_eq!(log.len(), 64, "{b:?}");
    assert_eq!(log.iter().filter(|r| r.granted).count(), 32, "{b:?}");

    // Through the page too: every concurrent view is logged by the time
    // the pages are back.
    let (up, _) = app.login("dangbo").await;
    let pages = (0..16).map(|_| {
        let (up, url) = (up.clone(), app.url(&format!("/members/{id}")));
        tokio::spawn(async move { up.get(url).send().await.unwrap().status() })
    });
    for p in pages.collect::<Vec<_>>() {
        assert_eq!(p.await.unwrap(), StatusCode::OK, "{b:?}");
    }
    let log = app
        .services
        .db
        .read(async |r| store::members::access_log(r, id, 100).await)
        .await
        .unwrap();
    assert_eq!(log.len(), 64 + 16, "{b:?}");

    app.services.db.close().await;
    let refused = app
        .services
        .access
        .log(Access {
            at: app.now(),
            account_id: 1,
            member_id: Some(id),
            granted: true,
            kind: AccessKind::Read,
            detail: None,
        })
        .await;
    assert!(refused.is_err(), "{b:?}: a write that cannot commit fails");
}
