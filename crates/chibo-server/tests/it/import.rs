use crate::support::{Backend, TestApp, text};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A secretary's own sheet: a title above the header, headers without
/// diacritics or in other words, a date typed as an Excel date, card numbers
/// as text with a leading zero, and a name in NFD (as typed on a Mac).
fn secretary_sheet(bad_date_row: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_string(0, 0, "DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 3")
        .unwrap();
    let headers = [
        "STT",
        "Ho ten",
        "Ngay sinh",
        "Giới tính",
        "Số thẻ",
        "Ngày vào Đảng",
        "Ngày chính thức",
        "Tổ đảng",
        "Điện thoại",
    ];
    for (i, h) in headers.iter().enumerate() {
        ws.write_string(2, i as u16, *h).unwrap();
    }
    let rows = [
        [
            "1",
            "Nguye\u{0302}\u{0303}n Va\u{0306}n Bi\u{0300}nh",
            "",
            "Nam",
            "012345678901",
            "05/02/1990",
            "05/02/1991",
            "Tổ 1",
            "0903123456",
        ],
        [
            "2",
            "Lê Thị Hoa",
            "20/10/1975",
            "Nữ",
            "012345678902",
            "19/05/2000",
            "19/05/2001",
            "Tổ 2",
            "",
        ],
        [
            "3",
            "Phạm Quốc Đạt",
            if bad_date_row {
                "31/02/1970"
            } else {
                "01/01/1970"
            },
            "Nam",
            "012345678903",
            "02/09/1995",
            "",
            "Tổ 1",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(3 + r as u32, c as u16, *v).unwrap();
            }
        }
    }
    ws.write_datetime_with_format(3, 2, ExcelDateTime::from_ymd(1968, 7, 14).unwrap(), &date)
        .unwrap();
    wb.save_to_buffer().unwrap()
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    cell: i64,
    name: &str,
    data: Vec<u8>,
) -> (StatusCode, String) {
    let form = Form::new()
        .text("csrf", csrf.to_string())
        .part("file", Part::bytes(data).file_name(name.to_string()));
    let res = c
        .post(app.url(&format!("/import?cell={cell}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

fn upload_id(page: &str) -> i64 {
    let start = page.find("/import/").expect("preview has actions") + "/import/".len();
    page[start..].split('/').next().unwrap().parse().unwrap()
}

#[db_test]
async fn preview_confirm_then_reimport_changes_nothing(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = store::members::of_cell(&app.services.db, cell)
        .await
        .unwrap()
        .len();
    let (status, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "danh-sach.xlsx",
        secretary_sheet(false),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b:?}: {}", text(&page));
    let t = text(&page);
    assert!(t.contains("Dòng tiêu đề: 3"), "{b:?}: {t}");
    assert!(
        t.contains("3 Sẽ thêm mới") && t.contains("0 Bị từ chối"),
        "{b:?}: {t}"
    );
    assert!(t.contains("Tổ 1"), "{b:?}: new groups are announced");
    let id = upload_id(&page);
    // Nothing is written before the confirmation.
    assert_eq!(
        store::members::of_cell(&app.services.db, cell)
            .await
            .unwrap()
            .len(),
        before
    );
    let res = app
        .post(
            &c,
            &format!("/import/{id}/confirm"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    let list = app.follow(&c, res).await;
    assert!(
        list.contains("Đã nhập: 3 đảng viên mới, 0 cập nhật"),
        "{b:?}: {list}"
    );
    let members = store::members::of_cell(&app.services.db, cell)
        .await
        .unwrap();
    assert_eq!(members.len(), before + 3);
    // Bulk-written, yet each with its entry on the cell's intact chain.
    let verdict = app.services.verify_audit().await.unwrap();
    assert!(verdict.first_break.is_none(), "{b:?}: {verdict:?}");
    let binh = members
        .iter()
        .find(|m| m.card_no.as_deref() == Some("012345678901"))
        .expect("imported");
    assert_eq!(binh.full_name, "Nguyễn Văn Bình", "{b:?}: stored in NFC");
    assert_eq!(
        binh.date_of_birth,
        chrono::NaiveDate::from_ymd_opt(1968, 7, 14),
        "{b:?}: Excel date cell"
    );
    assert_eq!(binh.phone.as_deref(), Some("0903123456"));
    let dat = members
        .iter()
        .find(|m| m.card_no.as_deref() == Some("012345678903"))
        .unwrap();
    assert_eq!(
        dat.status, "du_bi",
        "{b:?}: no official date → probationary"
    );

    // The same file again: nothing to do.
    let (_, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "danh-sach.xlsx",
        secretary_sheet(false),
    )
    .await;
    let t = text(&page);
    assert!(
        t.contains("0 Sẽ thêm mới")
            && t.contains("0 Sẽ cập nhật")
            && t.contains("3 Không thay đổi"),
        "{b:?}: {t}"
    );
    assert!(!page.contains("id=\"confirm\""), "{b:?}");

    // Export → import round-trips without a change.
    let xlsx = c
        .get(app.url(&format!("/export?cell={cell}")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let (_, page) = upload(&app, &c, &csrf, cell, "export.xlsx", xlsx).await;
    let t = text(&page);
    assert!(
        t.contains("0 Sẽ thêm mới") && t.contains("0 Sẽ cập nhật") && t.contains("0 Bị từ chối"),
        "{b:?}: {t}"
    );
    let audit_before = store::audit::for_entity(&app.services.db, "member", binh.id)
        .await
        .unwrap()
        .len();
    assert_eq!(audit_before, 1, "{b:?}: only the creation");
    assert_eq!(
        store::members::status_history(&app.services.db, binh.id)
            .await
            .unwrap()
            .len(),
        1,
        "{b:?}: its first status period"
    );
    assert_eq!(binh.version, 2, "{b:?}: as the form would leave it");
}

#[db_test]
async fn a_bad_row_blocks_the_whole_file(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = store::members::of_cell(&app.services.db, cell)
        .await
        .unwrap()
        .len();
    let (status, page) = upload(&app, &c, &csrf, cell, "loi.xlsx", secretary_sheet(true)).await;
    assert_eq!(status, StatusCode::OK);
    let t = text(&page);
    assert!(
        t.contains("Dòng 6, cột C (Ngày sinh): Ngày không hợp lệ: “31/02/1970”"),
        "{b:?}: {t}"
    );
    assert!(!page.contains("id=\"confirm\""));
    let id = upload_id(&page);
    let res = app
        .post(
            &c,
            &format!("/import/{id}/confirm"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert_eq!(
        store::members::of_cell(&app.services.db, cell)
            .await
            .unwrap()
            .len(),
        before,
        "{b:?}: all or nothing"
    );
}

#[db_test]
async fn files_that_are_not_member_lists_are_refused_with_a_reason(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    let (status, page) = upload(&app, &c, &csrf, cell, "anh.xlsx", png).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&page).contains("không phải bảng tính"),
        "{}",
        text(&page)
    );
    let (status, page) = upload(&app, &c, &csrf, cell, "rong.csv", vec![]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&page).to_lowercase().contains("trống"),
        "{}",
        text(&page)
    );
    let (status, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "khong-ten.csv",
        "Số thẻ;Ngày sinh\n012345678901;01/01/1970\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&page).contains("Họ và tên"), "{}", text(&page));
}

#[db_test]
async fn oversized_uploads_get_a_size_message(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    // The test server allows 2 MB; production defaults to 20 MB.
    let (status, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "lon.xlsx",
        vec![b'x'; 3 * 1024 * 1024],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        text(&page).contains("Tệp quá lớn: tối đa 2 MB"),
        "{}",
        text(&page)
    );
}
