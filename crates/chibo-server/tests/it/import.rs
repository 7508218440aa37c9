use crate::support::{Backend, TestApp, text};
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A secretary's own sheet: a title above the header, headers without
/// diacritics or in other words, a date typed as an Excel date, card numbers
/// as text with a leading zero, and a name in NFD (as typed on a Mac).
pub(crate) fn secretary_sheet(bad_date_row: bool) -> Vec<u8> {
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

pub(crate) async fn upload(
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

/// The preview again, with these choices (`clear` columns, `confirm_status`).
pub(crate) async fn review(
    app: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    page: &str,
    choices: &[(&str, &str)],
) -> (StatusCode, String) {
    let id = upload_id(page);
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(choices);
    let res = app.post(c, &format!("/import/{id}/review"), &form).await;
    (res.status(), res.text().await.unwrap())
}

/// The hidden fields of the preview's confirmation form.
fn confirm_fields(page: &str) -> Vec<(String, String)> {
    let start = page.find("/confirm\"").expect("a confirm form");
    let form = &page[start..start + page[start..].find("</form>").unwrap()];
    form.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let attr = |name: &str| {
                let marker = format!("{name}=\"");
                let at = input.find(&marker).unwrap() + marker.len();
                input[at..].split('"').next().unwrap().to_string()
            };
            (attr("name"), attr("value"))
        })
        .collect()
}

/// Presses "Xác nhận nhập" on a preview page, as the browser would.
pub(crate) async fn confirm(app: &TestApp, c: &reqwest::Client, page: &str) -> reqwest::Response {
    let id = upload_id(page);
    let fields = confirm_fields(page);
    app.post(c, &format!("/import/{id}/confirm"), &fields).await
}

#[db_test]
async fn preview_confirm_then_reimport_changes_nothing(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
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
    // The file has no "Trạng thái": the standings come from the dates and
    // wait for a confirmation; Đạt, admitted in 1995 with no official
    // date, is flagged.
    assert!(
        !page.contains("id=\"confirm\""),
        "{b:?}: not before the standings are confirmed"
    );
    assert!(
        t.contains("Dòng 6 · Phạm Quốc Đạt · Dự bị từ 02/09/1995 (chưa có ngày chính thức) — đã quá thời gian dự bị"),
        "{b:?}: {t}"
    );
    assert!(t.contains("Chính thức: 2, Dự bị: 1"), "{b:?}: {t}");
    // Nothing is written before the confirmation.
    assert_eq!(
        app.services
            .db
            .read(async |r| store::members::of_cell(r, cell).await)
            .await
            .unwrap()
            .len(),
        before
    );
    let (_, page) = review(&app, &c, &csrf, &page, &[("confirm_status", "1")]).await;
    assert!(
        text(&page).contains("Đã xác nhận các trạng thái này"),
        "{b:?}"
    );
    let res = confirm(&app, &c, &page).await;
    let list = app.follow(&c, res).await;
    assert!(
        list.contains("Đã nhập: 3 đảng viên mới, 0 cập nhật"),
        "{b:?}: {list}"
    );
    let members = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    assert_eq!(members.len(), before + 3);
    // Bulk-written, yet each with its entry (and its image) on the cell's
    // intact chain.
    let verdict = app.services.verify(&Default::default()).await.unwrap();
    assert!(verdict.ok(), "{b:?}: {verdict:?}");
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
    let audit_before = app
        .services
        .db
        .read(async |r| store::audit::for_entity(r, "member", binh.id).await)
        .await
        .unwrap()
        .len();
    assert_eq!(audit_before, 1, "{b:?}: only the creation");
    assert_eq!(
        app.services
            .db
            .read(async |r| store::members::status_history(r, binh.id).await)
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
    let before = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
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
    let t = text(&res.text().await.unwrap());
    assert!(
        t.contains("Tệp còn 1 dòng bị từ chối; chưa ghi gì."),
        "{b:?}: {t}"
    );
    assert_eq!(
        app.services
            .db
            .read(async |r| store::members::of_cell(r, cell).await)
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

/// A workbook from rows of text, the header first (empty cells left out).
fn sheet_of(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The cell's members, by card number.
async fn members_by_card(
    app: &TestApp,
    cell: i64,
) -> std::collections::HashMap<String, store::members::MemberRow> {
    app.services
        .db
        .read(async |rd| store::members::of_cell(rd, cell).await)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| Some((m.card_no.clone()?, m)))
        .collect()
}

/// Everything stored about a member but the bookkeeping.
fn fields_of(m: &store::members::MemberRow) -> serde_json::Value {
    serde_json::json!([
        m.group_id,
        m.full_name,
        m.other_name,
        m.sex,
        m.date_of_birth,
        m.ethnicity,
        m.religion,
        m.national_id,
        m.card_no,
        m.admission_date,
        m.ceremony_date,
        m.official_date,
        m.phone,
        m.email,
        m.residence,
        m.notes,
        m.status
    ])
}

/// The file a field test imported over a cell: name, card number and phone
/// only. It erased dates of birth, sex, CCCD and the membership dates.
#[db_test]
async fn a_file_without_some_columns_changes_only_what_it_has(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = members_by_card(&app, cell).await;
    let mut three: Vec<_> = before.values().take(3).cloned().collect();
    three.sort_by_key(|m| m.id);
    let phones = ["0911000001", "0911000002", "0911000003"];
    let mut rows: Vec<Vec<&str>> = vec![vec!["Họ và tên", "Số thẻ đảng viên", "Số điện thoại"]];
    for (m, phone) in three.iter().zip(phones) {
        rows.push(vec![&m.full_name, m.card_no.as_deref().unwrap(), phone]);
    }
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let (status, page) = upload(&app, &c, &csrf, cell, "sdt.xlsx", sheet_of(&rows)).await;
    assert_eq!(status, StatusCode::OK, "{b:?}");
    let t = text(&page);
    assert!(
        t.contains("3 Sẽ cập nhật") && t.contains("0 Bị từ chối"),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("Cột không có trong tệp (giữ nguyên dữ liệu đã có): Tên gọi khác, Giới tính, Ngày sinh, Dân tộc, Tôn giáo, Số định danh cá nhân, Ngày vào Đảng"),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("Số đảng viên thay đổi theo cột: Số điện thoại: 3"),
        "{b:?}: {t}"
    );
    assert!(!t.contains("Giá trị sẽ bị xóa"), "{b:?}: {t}");
    let res = confirm(&app, &c, &page).await;
    let list = app.follow(&c, res).await;
    assert!(
        list.contains("Đã nhập: 0 đảng viên mới, 3 cập nhật"),
        "{b:?}: {list}"
    );
    let after = members_by_card(&app, cell).await;
    for (m, phone) in three.iter().zip(phones) {
        let now = &after[m.card_no.as_deref().unwrap()];
        assert_eq!(now.phone.as_deref(), Some(phone), "{b:?}");
        let mut expected = m.clone();
        expected.phone = Some(phone.to_string());
        assert_eq!(
            fields_of(now),
            fields_of(&expected),
            "{b:?}: only the phone changed"
        );
        assert!(
            now.date_of_birth.is_some() && now.national_id.is_some(),
            "{b:?}"
        );
        // The audit shows exactly the one field.
        let entries = app
            .services
            .db
            .read(async |rd| store::audit::for_entity(rd, "member", m.id).await)
            .await
            .unwrap();
        let summary: serde_json::Value = serde_json::from_str(&entries[0].summary).unwrap();
        assert_eq!(entries[0].action, "member.update", "{b:?}");
        assert_eq!(
            summary,
            serde_json::json!({"phone": [m.phone, phone]}),
            "{b:?}"
        );
    }
    let untouched = before.len() - 3;
    let same = before
        .values()
        .filter(|m| fields_of(m) == fields_of(&after[m.card_no.as_deref().unwrap()]))
        .count();
    assert_eq!(same, untouched, "{b:?}: the others are as they were");
}

/// A blank cell keeps what is stored, unless the user chose to clear its
/// column; then the preview lists every value it erases, and only that.
#[db_test]
async fn blank_cells_erase_only_in_columns_chosen_to_clear(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = members_by_card(&app, cell).await;
    let mut two: Vec<_> = before.values().take(2).cloned().collect();
    two.sort_by_key(|m| m.id);
    let (x, y) = (&two[0], &two[1]);
    let rows: [&[&str]; 3] = [
        &["Họ và tên", "Số thẻ", "Số điện thoại", "Ngày sinh"],
        &[&x.full_name, x.card_no.as_deref().unwrap(), "", ""],
        &[
            &y.full_name,
            y.card_no.as_deref().unwrap(),
            "0911222333",
            "",
        ],
    ];
    let file = sheet_of(&rows);
    let (_, page) = upload(&app, &c, &csrf, cell, "trong.xlsx", file).await;
    let t = text(&page);
    assert!(
        t.contains("Ô trống: giữ nguyên giá trị đã có (không xóa gì)"),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("1 Sẽ cập nhật") && t.contains("1 Không thay đổi"),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("Số điện thoại (cột C): ô trống sẽ xóa 1 giá trị đã có"),
        "{b:?}: {t}"
    );
    // Clearing the phone column: the preview names the value it erases.
    let (status, page) = review(&app, &c, &csrf, &page, &[("clear", "phone")]).await;
    assert_eq!(status, StatusCode::OK, "{b:?}");
    let t = text(&page);
    let old_phone = x.phone.clone().unwrap();
    assert!(
        t.contains(&format!(
            "Giá trị sẽ bị xóa (1) Dòng 2 · {} · Số điện thoại: {old_phone}",
            x.full_name
        )),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("Ô trống sẽ xóa giá trị đã có ở các cột: Số điện thoại"),
        "{b:?}"
    );
    let res = confirm(&app, &c, &page).await;
    app.follow(&c, res).await;
    let after = members_by_card(&app, cell).await;
    let x_now = &after[x.card_no.as_deref().unwrap()];
    assert_eq!(x_now.phone, None, "{b:?}: cleared on purpose");
    assert_eq!(
        x_now.date_of_birth, x.date_of_birth,
        "{b:?}: not chosen, kept"
    );
    let entries = app
        .services
        .db
        .read(async |rd| store::audit::for_entity(rd, "member", x.id).await)
        .await
        .unwrap();
    let summary: serde_json::Value = serde_json::from_str(&entries[0].summary).unwrap();
    assert_eq!(
        summary,
        serde_json::json!({"phone": [old_phone, null]}),
        "{b:?}"
    );
}

/// The usual footer: a count, a date line in the birth-date column, the
/// signers' titles and names. None is a member, none an error.
#[db_test]
async fn a_footer_is_neither_a_member_nor_an_error(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = app
        .services
        .db
        .read(async |rd| store::members::of_cell(rd, cell).await)
        .await
        .unwrap()
        .len();
    let rows: [&[&str]; 14] = [
        &["DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 3"],
        &[],
        &[
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Số thẻ đảng viên",
            "Trạng thái",
        ],
        &[
            "1",
            "Nguyễn Văn An",
            "01/01/1960",
            "079100000001",
            "Chính thức",
        ],
        &[
            "2",
            "Trần Thị Bình",
            "02/02/1962",
            "079100000002",
            "Chính thức",
        ],
        &[
            "3",
            "Lê Văn Cường",
            "03/03/1964",
            "079100000003",
            "Chính thức",
        ],
        &["4", "Phạm Thị Dung", "04/04/1966", "079100000004", "Dự bị"],
        &[],
        &["", "Tổng số: 4 đảng viên"],
        &["", "", "Phường 5, ngày 05 tháng 01 năm 2026"],
        &["", "Người lập biểu", "", "T/M CHI BỘ - BÍ THƯ"],
        &["", "(Ký, ghi rõ họ tên)", "", "(Ký, ghi rõ họ tên)"],
        &[],
        &["", "Võ Thị Thu", "", "Hoàng Văn Nam"],
    ];
    let (status, page) = upload(&app, &c, &csrf, cell, "ds.xlsx", sheet_of(&rows)).await;
    assert_eq!(status, StatusCode::OK, "{b:?}");
    let t = text(&page);
    assert!(
        t.contains("4 Sẽ thêm mới") && t.contains("0 Bị từ chối"),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("Phần cuối bảng từ dòng 9 (không nhập) Tổng số: 4 đảng viên"),
        "{b:?}: {t}"
    );
    assert!(!t.contains("Tệp ghi tổng số"), "{b:?}: the count matches");
    let res = confirm(&app, &c, &page).await;
    app.follow(&c, res).await;
    let names: Vec<String> = app
        .services
        .db
        .read(async |rd| store::members::of_cell(rd, cell).await)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.full_name)
        .collect();
    assert_eq!(names.len(), before + 4, "{b:?}");
    for signer in ["Võ Thị Thu", "Hoàng Văn Nam", "Người lập biểu"] {
        assert!(!names.iter().any(|n| n == signer), "{b:?}: {signer}");
    }
}

/// "Ngày vào Đảng" over "Dự bị" and "Chính thức": both dates read, and
/// full members stay full members. Without the sub-row the official dates
/// are missing: the probationary standing that follows is shown, flagged,
/// and written only once confirmed.
#[db_test]
async fn a_two_row_header_keeps_the_official_dates(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let file = || {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let plain = Format::new();
        ws.merge_range(0, 0, 1, 0, "Họ và tên", &plain).unwrap();
        ws.merge_range(0, 1, 1, 1, "Số thẻ đảng viên", &plain)
            .unwrap();
        ws.merge_range(0, 2, 0, 3, "Ngày vào Đảng", &plain).unwrap();
        ws.write_string(1, 2, "Dự bị").unwrap();
        ws.write_string(1, 3, "Chính thức").unwrap();
        let members = [
            ("Đỗ Văn Hùng", "079200000001", "03/02/1986", "03/02/1987"),
            ("Ngô Thị Lan", "079200000002", "19/05/2008", "19/05/2009"),
        ];
        for (i, (name, card, admitted, official)) in members.iter().enumerate() {
            let r = 2 + i as u32;
            ws.write_string(r, 0, *name).unwrap();
            ws.write_string(r, 1, *card).unwrap();
            ws.write_string(r, 2, *admitted).unwrap();
            ws.write_string(r, 3, *official).unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let (status, page) = upload(&app, &c, &csrf, cell, "hai-dong.xlsx", file()).await;
    assert_eq!(status, StatusCode::OK, "{b:?}");
    let t = text(&page);
    assert!(
        t.contains("2 Sẽ thêm mới") && t.contains("0 Bị từ chối"),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("Ngày vào Đảng (C), Ngày chính thức (D)"),
        "{b:?}: both halves read: {t}"
    );
    assert!(
        t.contains("Dòng 3 · Đỗ Văn Hùng · Chính thức từ 03/02/1987 (theo ngày chính thức)"),
        "{b:?}: {t}"
    );
    let (_, page) = review(&app, &c, &csrf, &page, &[("confirm_status", "1")]).await;
    let res = confirm(&app, &c, &page).await;
    app.follow(&c, res).await;
    let now = members_by_card(&app, cell).await;
    let hung = &now["079200000001"];
    assert_eq!(hung.status, "chinh_thuc", "{b:?}");
    assert_eq!(
        hung.official_date,
        chrono::NaiveDate::from_ymd_opt(1987, 2, 3),
        "{b:?}"
    );

    // The same list without the sub-row, under other card numbers.
    let rows: [&[&str]; 3] = [
        &["Họ và tên", "Số thẻ đảng viên", "Ngày vào Đảng"],
        &["Phan Văn Tài", "079200000003", "03/02/1986"],
        &["Lý Thị Mai", "079200000004", "19/05/2008"],
    ];
    let (_, page) = upload(&app, &c, &csrf, cell, "mot-dong.xlsx", sheet_of(&rows)).await;
    let t = text(&page);
    assert!(
        t.contains("Dòng 2 · Phan Văn Tài · Dự bị từ 03/02/1986 (chưa có ngày chính thức) — đã quá thời gian dự bị"),
        "{b:?}: {t}"
    );
    assert!(t.contains("Cần xác nhận các trạng thái này"), "{b:?}: {t}");
    assert!(!page.contains("id=\"confirm\""), "{b:?}");
    // Confirming without the confirmation is refused; nothing is written.
    let id = upload_id(&page);
    let res = app
        .post(
            &c,
            &format!("/import/{id}/confirm"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert!(
        text(&res.text().await.unwrap())
            .contains("2 trạng thái suy ra từ ngày tháng chưa được xác nhận"),
        "{b:?}"
    );
    assert!(
        !members_by_card(&app, cell)
            .await
            .contains_key("079200000003"),
        "{b:?}"
    );

    // An existing member's standing is never changed by a file: the
    // difference is shown, not applied.
    let rows: [&[&str]; 2] = [
        &["Họ và tên", "Số thẻ đảng viên", "Trạng thái"],
        &["Đỗ Văn Hùng", "079200000001", "Dự bị"],
    ];
    let (_, page) = upload(&app, &c, &csrf, cell, "tt.xlsx", sheet_of(&rows)).await;
    let t = text(&page);
    assert!(
        t.contains("Dòng 2 · Đỗ Văn Hùng · Chính thức → Dự bị"),
        "{b:?}: {t}"
    );
    assert!(
        t.contains("0 Sẽ cập nhật") && t.contains("1 Không thay đổi"),
        "{b:?}: {t}"
    );
}

/// "Tổ 1", "tổ 1" and "TỔ 1" are one group; an existing group is found
/// whatever its spelling in the file.
#[db_test]
async fn group_names_are_one_group_whatever_their_case(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let existing = app
        .services
        .db
        .read(async |rd| store::orgs::children(rd, cell).await)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.kind == "to_dang")
        .expect("the demo cell has groups");
    let shouted = existing.name.to_uppercase().replace(' ', "  ");
    let rows: [&[&str]; 5] = [
        &["Họ và tên", "Số thẻ", "Tổ đảng", "Trạng thái"],
        &["Mai Văn Một", "079300000001", "Tổ 1", "Chính thức"],
        &["Mai Văn Hai", "079300000002", "tổ 1", "Chính thức"],
        &["Mai Văn Ba", "079300000003", " TỔ  1", "Chính thức"],
        &["Mai Văn Bốn", "079300000004", &shouted, "Chính thức"],
    ];
    let (_, page) = upload(&app, &c, &csrf, cell, "to.xlsx", sheet_of(&rows)).await;
    let t = text(&page);
    assert!(
        t.contains("Sẽ tạo tổ đảng mới Tổ 1 "),
        "{b:?}: one new group: {t}"
    );
    let res = confirm(&app, &c, &page).await;
    app.follow(&c, res).await;
    let groups: Vec<_> = app
        .services
        .db
        .read(async |rd| store::orgs::children(rd, cell).await)
        .await
        .unwrap()
        .into_iter()
        .filter(|g| g.kind == "to_dang")
        .collect();
    let ones: Vec<_> = groups
        .iter()
        .filter(|g| g.name.to_lowercase() == "tổ 1")
        .collect();
    assert_eq!(ones.len(), 1, "{b:?}: {groups:?}");
    let now = members_by_card(&app, cell).await;
    for card in ["079300000001", "079300000002", "079300000003"] {
        assert_eq!(now[card].group_id, Some(ones[0].id), "{b:?}");
    }
    assert_eq!(now["079300000004"].group_id, Some(existing.id), "{b:?}");
}

/// A CCCD typed as a number in a cell formatted `000000000000` (Excel
/// shows 12 digits, the cell holds 10) is the 12 digits Excel shows.
#[db_test]
async fn identifiers_read_as_excel_shows_them(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let twelve = Format::new().set_num_format("000000000000");
    for (i, h) in ["Họ và tên", "Số CCCD", "Số thẻ", "Trạng thái"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Vũ Thị Ngọc").unwrap();
    ws.write_number_with_format(1, 1, 1_075_012_345.0, &twelve)
        .unwrap();
    ws.write_number_with_format(1, 2, 79_400_000_001.0, &twelve)
        .unwrap();
    ws.write_string(1, 3, "Dự bị").unwrap();
    let (_, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "so.xlsx",
        wb.save_to_buffer().unwrap(),
    )
    .await;
    let t = text(&page);
    assert!(
        t.contains("1 Sẽ thêm mới") && t.contains("0 Bị từ chối"),
        "{b:?}: {t}"
    );
    let res = confirm(&app, &c, &page).await;
    app.follow(&c, res).await;
    let ngoc = &members_by_card(&app, cell).await["079400000001"];
    assert_eq!(ngoc.national_id.as_deref(), Some("001075012345"), "{b:?}");
}

/// Messages name the row ("dòng 6"), and "Bị từ chối" counts rows.
#[db_test]
async fn rejections_count_rows_and_name_the_other_row(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let rows: [&[&str]; 7] = [
        &["DANH SÁCH"],
        &[],
        &["Họ và tên", "Số thẻ", "Ngày sinh", "Số điện thoại"],
        &["Hồ Văn Một", "079500000001", "01/01/1970", ""],
        &["Hồ Văn Hai", "079500000002", "01/01/1971", ""],
        &["Hồ Văn Ba", "079500000001", "01/01/1972", ""],
        &["Hồ Văn Bốn", "079500000004", "31/02/1970", "12"],
    ];
    let (_, page) = upload(&app, &c, &csrf, cell, "loi.xlsx", sheet_of(&rows)).await;
    let t = text(&page);
    assert!(t.contains("2 Bị từ chối"), "{b:?}: rows, not problems: {t}");
    assert!(t.contains("Bị từ chối: 2 dòng (3 lỗi)"), "{b:?}: {t}");
    assert!(
        t.contains("Dòng 6, cột B (Số thẻ đảng viên): Trùng với một dòng khác trong tệp: 079500000001 (dòng 4)."),
        "{b:?}: {t}"
    );
}

/// The command line's dry run and the web preview are one text.
#[db_test]
async fn the_dry_run_says_what_the_web_preview_says(b: Backend) {
    use chibo_server::service::import::ImportOptions;
    use chibo_server::web::{i18n::Tr, import_preview};
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell_id = app.cell_ids().await[0];
    let cell = app.services.org(cell_id).await.unwrap();
    let actor = app.actor("bithu").await;
    let some = members_by_card(&app, cell_id).await;
    let m = some.values().next().unwrap();
    let rows: [&[&str]; 4] = [
        &["Họ và tên", "Số thẻ", "Số điện thoại", "Ngày sinh"],
        &[
            &m.full_name,
            m.card_no.as_deref().unwrap(),
            "0911555666",
            "31/02/1970",
        ],
        &["Lạc Văn Long", "079600000001", "", ""],
        &["Tổng số: 2"],
    ];
    let file = sheet_of(&rows);
    let plan = app
        .services
        .plan_import(
            &actor,
            &cell,
            file.clone().into(),
            "x.xlsx",
            &ImportOptions::default(),
            app.now(),
        )
        .await
        .unwrap();
    let (_, page) = upload(&app, &c, &csrf, cell_id, "x.xlsx", file).await;
    let page = text(&page);
    let lines = import_preview::text(&plan, &Tr::vi());
    assert!(lines.len() > 8, "{lines:?}");
    for line in lines.iter().skip(1).filter(|l| !l.is_empty()) {
        let line = line.trim_start_matches("! ").trim();
        assert!(
            page.contains(line),
            "{b:?}: {line:?} not in the page: {page}"
        );
    }
}

/// An upload holds national ID numbers: one left without a confirmation is
/// deleted by the sweep once it is older than an upload is kept.
#[db_test]
async fn abandoned_uploads_are_purged_by_the_sweep(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let (_, page) = upload(&app, &c, &csrf, cell, "ds.xlsx", secretary_sheet(false)).await;
    let id = upload_id(&page);
    let keep = app.services.imports.keep;
    app.clock.advance(keep - chrono::Duration::minutes(1));
    assert_eq!(
        app.services
            .purge_abandoned_uploads(app.now())
            .await
            .unwrap(),
        0
    );
    assert!(
        app.services
            .db
            .read(async |rd| store::imports::get(rd, id).await)
            .await
            .unwrap()
            .is_some()
    );
    app.clock.advance(chrono::Duration::minutes(2));
    // Past its time it cannot be confirmed, even before the sweep.
    let (status, page) = review(&app, &c, &csrf, &page, &[("confirm_status", "1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert!(text(&page).contains("Tệp tải lên đã quá hạn"), "{b:?}");
    assert_eq!(
        app.services
            .purge_abandoned_uploads(app.now())
            .await
            .unwrap(),
        1
    );
    assert!(
        app.services
            .db
            .read(async |rd| store::imports::get(rd, id).await)
            .await
            .unwrap()
            .is_none(),
        "{b:?}"
    );
}

/// Files that would take the server down are refused, with what and where,
/// and nothing stored changes.
#[db_test]
async fn hostile_files_are_refused_with_a_reason(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let before = members_by_card(&app, cell).await.len();

    // Cells at A1 and XFD1048576 (a 512 GiB range): read cell by cell.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Họ và tên").unwrap();
    ws.write_string(0, 1, "Trạng thái").unwrap();
    ws.write_string(1, 0, "Kha Văn Rộng").unwrap();
    ws.write_string(1, 1, "Chính thức").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let (status, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "rong.xlsx",
        wb.save_to_buffer().unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b:?}");
    assert!(text(&page).contains("1 Sẽ thêm mới"), "{b:?}");

    // A zip bomb: 96 KB inflating to 96 MB (a ratio of 1000, as the 1 MB
    // file inflating to 1 GB had), refused before inflating.
    let bomb = bomb_workbook();
    assert!(bomb.len() < 256 * 1024, "{}", bomb.len());
    let (status, page) = upload(&app, &c, &csrf, cell, "bom.xlsx", bomb).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert!(
        text(&page).contains("Phần “xl/worksheets/sheet1.xml” trong tệp nén phình ra hơn 250 lần"),
        "{b:?}: {}",
        text(&page)
    );
    assert_eq!(
        members_by_card(&app, cell).await.len(),
        before,
        "{b:?}: nothing was written"
    );
}

/// A workbook whose sheet is 96 MB of blanks, deflated to ~96 KB; built
/// part by part with the zip crate.
fn bomb_workbook() -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let parts: [(&str, &str); 3] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
    ];
    for (name, text) in parts {
        out.start_file(name, deflated).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.start_file("xl/_rels/workbook.xml.rels", deflated)
        .unwrap();
    out.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#).unwrap();
    out.start_file("xl/worksheets/sheet1.xml", deflated)
        .unwrap();
    out.write_all(b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>").unwrap();
    let blanks = vec![b' '; 1 << 20];
    for _ in 0..96 {
        out.write_all(&blanks).unwrap();
    }
    out.write_all(b"</sheetData></worksheet>").unwrap();
    out.finish().unwrap().into_inner()
}

/// Past the configured number of rows, or with every import slot taken,
/// the file is refused with a message that says so.
#[db_test]
async fn rows_and_concurrent_imports_are_bounded(b: Backend) {
    let app = TestApp::configured(b, |cfg| {
        cfg.import_max_rows = 5;
        cfg.import_concurrency = 1;
    })
    .await;
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
    let (c, csrf) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let mut csv = String::from("Họ và tên;Trạng thái\n");
    for i in 0..6 {
        csv.push_str(&format!(
            "Người Số {};Chính thức\n",
            ["Một", "Hai", "Ba", "Bốn", "Năm", "Sáu"][i]
        ));
    }
    let (status, page) = upload(&app, &c, &csrf, cell, "dai.csv", csv.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert!(
        text(&page).contains("Tệp có hơn 5 dòng dữ liệu, quá giới hạn của một lần nhập"),
        "{b:?}: {}",
        text(&page)
    );
    // Another import holds the only slot.
    let held = app.services.imports.try_permit().unwrap();
    let short: String = csv.lines().take(3).map(|l| format!("{l}\n")).collect();
    let (status, page) = upload(
        &app,
        &c,
        &csrf,
        cell,
        "ngan.csv",
        short.clone().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{b:?}");
    assert!(
        text(&page).contains("Máy chủ đang đọc các tệp nhập khác; hãy thử lại sau ít phút"),
        "{b:?}: {}",
        text(&page)
    );
    drop(held);
    let (status, _) = upload(&app, &c, &csrf, cell, "ngan.csv", short.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{b:?}");
}

/// The property behind the field test's finding: importing a file that
/// omits columns (or leaves cells blank) never changes those fields, for
/// any choice of columns and values. Cases come from proptest's
/// deterministic runner (the server runs on the test's own runtime, so the
/// async checks run outside proptest's closure, without shrinking).
#[db_test]
async fn omitted_columns_never_change_whatever_the_file(b: Backend) {
    use chibo_server::service::import::{Column, ImportOptions};
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let app = TestApp::demo(b).await;
    let cell_id = app.cell_ids().await[0];
    let cell = app.services.org(cell_id).await.unwrap();
    let actor = app.actor("bithu").await;
    // Columns a file may have or not, with values each may take.
    let optional = [
        Column::OtherName,
        Column::Sex,
        Column::DateOfBirth,
        Column::Ethnicity,
        Column::Religion,
        Column::Phone,
        Column::Email,
        Column::Residence,
        Column::Notes,
    ];
    let value = |c: Column, i: u32| -> String {
        match c {
            Column::OtherName => ["Út", "Tư", "Ba"][i as usize % 3].into(),
            Column::Sex => ["Nam", "Nữ"][i as usize % 2].into(),
            // Before any demo member's admission.
            Column::DateOfBirth => format!("{:02}/0{}/19{}", i % 28 + 1, i % 9 + 1, 30 + i % 15),
            Column::Ethnicity => ["Kinh", "Tày", "Mường"][i as usize % 3].into(),
            Column::Religion => ["Không", "Phật giáo"][i as usize % 2].into(),
            Column::Phone => format!("0912{:06}", i % 1_000_000),
            Column::Email => format!("dv{i}@example.vn"),
            Column::Residence => format!("Số {i}, đường Lê Lợi"),
            _ => format!("Ghi chú {i}"),
        }
    };
    // A case: which columns the file has, and for each member row, per
    // column, a value or a blank cell.
    let strategy = (
        proptest::collection::vec(any::<bool>(), optional.len()),
        proptest::collection::vec(
            proptest::collection::vec(proptest::option::of(0u32..1000), optional.len()),
            1..6,
        ),
    );
    let mut runner = TestRunner::deterministic();
    for case in 0..12 {
        let (has, rows) = strategy.new_tree(&mut runner).unwrap().current();
        let columns: Vec<Column> = optional
            .iter()
            .zip(&has)
            .filter(|(_, h)| **h)
            .map(|(c, _)| *c)
            .collect();
        let before = members_by_card(&app, cell_id).await;
        let mut members: Vec<_> = before.values().cloned().collect();
        members.sort_by_key(|m| m.id);
        let mut header = vec!["Họ và tên".to_string(), "Số thẻ đảng viên".to_string()];
        header.extend(columns.iter().map(|c| c.label().to_string()));
        let mut table = vec![header];
        for (m, cells) in members.iter().zip(&rows) {
            let mut row = vec![m.full_name.clone(), m.card_no.clone().unwrap()];
            for (c, v) in optional.iter().zip(cells) {
                if columns.contains(c) {
                    row.push(v.map(|i| value(*c, i)).unwrap_or_default());
                }
            }
            table.push(row);
        }
        let table: Vec<Vec<&str>> = table
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let table: Vec<&[&str]> = table.iter().map(Vec::as_slice).collect();
        let file: std::sync::Arc<[u8]> = sheet_of(&table).into();
        let options = ImportOptions::default();
        let plan = app
            .services
            .plan_import(&actor, &cell, file.clone(), "p.xlsx", &options, app.now())
            .await
            .unwrap();
        assert_eq!(
            plan.rejected_rows, 0,
            "{b:?} case {case}: {:?}",
            plan.problems
        );
        assert!(plan.erasures.is_empty(), "{b:?} case {case}");
        if plan.can_commit() {
            app.services
                .commit_import(
                    &actor,
                    &cell,
                    file,
                    "p.xlsx",
                    &options,
                    &plan.digest,
                    app.now(),
                )
                .await
                .unwrap();
        }
        let after = members_by_card(&app, cell_id).await;
        for (i, m) in members.iter().enumerate() {
            let now = &after[m.card_no.as_deref().unwrap()];
            let kept = |c: Column| {
                let in_file = rows
                    .get(i)
                    .and_then(|cells| {
                        columns
                            .contains(&c)
                            .then(|| cells[optional.iter().position(|o| *o == c).unwrap()])
                    })
                    .flatten()
                    .is_some();
                !in_file
            };
            let same = |c: Column, a: serde_json::Value, b: serde_json::Value| {
                if kept(c) {
                    assert_eq!(
                        a, b,
                        "{b:?}: case {case}, {:?} of {} changed",
                        c, m.full_name
                    );
                }
            };
            use serde_json::json;
            same(
                Column::OtherName,
                json!(m.other_name),
                json!(now.other_name),
            );
            same(Column::Sex, json!(m.sex), json!(now.sex));
            same(
                Column::DateOfBirth,
                json!(m.date_of_birth),
                json!(now.date_of_birth),
            );
            same(Column::Ethnicity, json!(m.ethnicity), json!(now.ethnicity));
            same(Column::Religion, json!(m.religion), json!(now.religion));
            same(Column::Phone, json!(m.phone), json!(now.phone));
            same(Column::Email, json!(m.email), json!(now.email));
            same(Column::Residence, json!(m.residence), json!(now.residence));
            same(Column::Notes, json!(m.notes), json!(now.notes));
            // Never in these files: always as they were.
            assert_eq!(
                json!([
                    m.national_id,
                    m.admission_date,
                    m.ceremony_date,
                    m.official_date,
                    m.group_id,
                    m.status
                ]),
                json!([
                    now.national_id,
                    now.admission_date,
                    now.ceremony_date,
                    now.official_date,
                    now.group_id,
                    now.status
                ]),
                "{b:?}: case {case}"
            );
        }
    }
}
