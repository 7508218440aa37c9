//! The dues ledger's papers (issue 14) on both backends: the cell's
//! statement and the upper committee's table, printed and exported, carry
//! the figures of the screens and the API, which are the sums of the
//! entries; a receipt says who paid which months, the amount in figures and
//! in words, who collected it, keeps its number, and names a correction.

use crate::support::{Backend, TestApp, pdf_text};
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn set_day(app: &TestApp, y: i32, m: u32, d: u32) {
    app.clock.set(
        Utc.with_ymd_and_hms(y, m, d, 2, 30, 0)
            .single()
            .expect("valid"),
    );
}

async fn call(app: &TestApp, login: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let c = TestApp::client();
    let token = app.token_for(login).await;
    let req = match body {
        Some(b) => c.post(app.url(path)).json(&b),
        None => c.get(app.url(path)),
    };
    let res = req.bearer_auth(&token).send().await.unwrap();
    let s = res.status();
    (s, res.json().await.unwrap_or(Value::Null))
}

async fn get_json(app: &TestApp, login: &str, path: &str) -> Value {
    let (s, v) = call(app, login, path, None).await;
    assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
    v
}

/// A file from the API: its content type and bytes.
async fn file(app: &TestApp, login: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let token = app.token_for(login).await;
    let res = TestApp::client()
        .get(app.url(path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let s = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (s, kind, res.bytes().await.unwrap().to_vec())
}

async fn pdf(app: &TestApp, login: &str, path: &str) -> String {
    let (s, kind, bytes) = file(app, login, path).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "GET {path}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(kind, "application/pdf", "{path}");
    pdf_text(&bytes).unwrap_or_default()
}

/// The first sheet's rows: text as text, numbers as integers.
fn sheet(bytes: &[u8]) -> Vec<Vec<Value>> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Int(i) => json!(i),
                    Data::Float(f) => json!(*f as i64),
                    Data::String(s) => json!(s),
                    _ => Value::Null,
                })
                .collect()
        })
        .collect()
}

fn dots(n: i64) -> String {
    chibo_server::model::group_thousands(n)
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Refused with `code` (422), its message returned.
async fn refused(app: &TestApp, login: &str, path: &str, code: &str) -> String {
    let (s, v) = call(app, login, path, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
    let p = &v["problems"][0];
    assert_eq!(p["code"], code, "{v}");
    p["message"].as_str().unwrap_or_default().to_string()
}

#[db_test]
async fn the_statements_printed_and_exported_equal_the_ledger(b: Backend) {
    let app = TestApp::demo(b).await;
    // The demo's ledger: March to December 2026, some members in arrears.
    app.services
        .generate_demo_keeping(app.now())
        .await
        .expect("demo dues");
    let cell = app.cell_ids().await[0];
    // A correction in November so that a month holds two entries.
    let roll = get_json(&app, "bithu", "/api/v1/dues/roll?month=2026-11").await;
    let paid = roll["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["entry_id"].is_i64())
        .expect("a payment in November")
        .clone();
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/payments",
        Some(
            json!({"member_id": paid["member_id"], "month": "2026-11", "amount_vnd": 7000,
                    "corrects_id": paid["entry_id"], "reason": "Thu thiếu"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    let entries = app
        .services
        .db
        .read(async |r| store::dues::entries_of_cell(r, cell, "2026-01", "2026-12").await)
        .await
        .unwrap();
    let ledger_sum = |month: Option<&str>| -> i64 {
        entries
            .iter()
            .filter(|e| month.is_none_or(|m| e.month == m))
            .map(|e| e.amount_vnd)
            .sum()
    };
    let summary = get_json(&app, "bithu", "/api/v1/dues/summary?year=2026").await;
    for (query, month) in [("year=2026", None), ("month=2026-11", Some("2026-11"))] {
        let st = get_json(&app, "bithu", &format!("/api/v1/dues/statement?{query}")).await;
        let lines = st["lines"].as_array().unwrap();
        assert!(!lines.is_empty(), "{st}");
        // Every đồng is an entry: the lines, the collection and the ledger agree.
        let paid: i64 = lines.iter().map(|l| i(&l["paid_vnd"])).sum();
        assert!(paid > 0, "{st}");
        assert_eq!(paid, ledger_sum(month), "{query}");
        assert_eq!(i(&st["collected_vnd"]), paid, "{query}");
        assert_eq!(
            i(&st["retained_vnd"]) + i(&st["remitted_vnd"]),
            paid,
            "{st}"
        );
        let arrears: i64 = lines.iter().map(|l| i(&l["arrears_vnd"])).sum();
        assert_eq!(i(&st["arrears_vnd"]), arrears, "{st}");
        assert_eq!(st["arrears_vnd"], summary["arrears_vnd"], "{st}");
        assert!(arrears > 0, "the demo has members in arrears: {st}");
        match month {
            // The year's figures are the summary's.
            None => {
                for k in ["collected_vnd", "retained_vnd", "remitted_vnd"] {
                    assert_eq!(st[k], summary[k], "{k}");
                }
            }
            // The month's lines are the roll's.
            Some(m) => {
                let roll = get_json(&app, "bithu", &format!("/api/v1/dues/roll?month={m}")).await;
                for r in roll["lines"].as_array().unwrap() {
                    let l = lines
                        .iter()
                        .find(|l| l["member_id"] == r["member_id"])
                        .unwrap_or_else(|| panic!("{r} in {st}"));
                    assert_eq!(l["due_vnd"], r["due_vnd"], "{l} {r}");
                    assert_eq!(l["paid_vnd"], r["paid_vnd"], "{l} {r}");
                }
                // Beside the roll: who paid this month and has left the list
                // since (a member in transit).
                let off = |k: &str| -> i64 {
                    lines
                        .iter()
                        .filter(|l| l["off_list"] == true)
                        .map(|l| i(&l[k]))
                        .sum()
                };
                assert_eq!(
                    i(&st["collected_vnd"]),
                    i(&roll["collected_vnd"]) + off("paid_vnd"),
                    "{st}"
                );
                assert_eq!(
                    i(&st["due_vnd"]),
                    i(&roll["due_vnd"]) + off("due_vnd"),
                    "{st}"
                );
            }
        }

        // The spreadsheet: one row per line with its figures, summed.
        let (s, kind, bytes) = file(
            &app,
            "bithu",
            &format!("/api/v1/dues/statement/file?{query}&format=xlsx"),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let rows = sheet(&bytes);
        for l in lines {
            let row = rows
                .iter()
                .find(|r| {
                    r.get(1)
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.starts_with(l["full_name"].as_str().unwrap()))
                })
                .unwrap_or_else(|| panic!("{l} in {rows:?}"));
            assert_eq!(row[4], l["due_vnd"], "{row:?}");
            assert_eq!(row[5], l["paid_vnd"], "{row:?}");
            assert_eq!(row[6], l["arrears_vnd"], "{row:?}");
        }
        let total = rows
            .iter()
            .find(|r| r.get(1).and_then(Value::as_str) == Some("Cộng"))
            .expect("a total row");
        assert_eq!(total[5], json!(paid), "{total:?}");
        let text = format!("{rows:?}");
        assert!(
            text.contains(&format!(
                "Nộp lên cấp trên: {} đồng",
                dots(i(&st["remitted_vnd"]))
            )),
            "{text}"
        );

        // The PDF: the same names and totals.
        let printed = pdf(
            &app,
            "bithu",
            &format!("/api/v1/dues/statement/file?{query}"),
        )
        .await;
        assert!(
            printed.contains("BẢNG TỔNG HỢP THU, NỘP ĐẢNG PHÍ"),
            "{printed}"
        );
        assert!(
            printed.contains(&format!("Tổng số đã thu: {} đồng", dots(paid))),
            "{printed}"
        );
        assert!(
            printed.contains(&format!(
                "Nộp lên cấp trên: {} đồng",
                dots(i(&st["remitted_vnd"]))
            )),
            "{printed}"
        );
        for l in lines {
            assert!(
                printed.contains(l["full_name"].as_str().unwrap()),
                "{l}: {printed}"
            );
        }
    }

    // The upper committee's table: the file's lines are the screen's.
    for query in ["year=2026", "month=2026-11"] {
        let t = get_json(&app, "dangbo", &format!("/api/v1/dues/cells?{query}")).await;
        let (s, _, bytes) = file(
            &app,
            "dangbo",
            &format!("/api/v1/dues/cells/file?{query}&format=xlsx"),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let rows = sheet(&bytes);
        for l in t["cells"].as_array().unwrap() {
            let row = rows
                .iter()
                .find(|r| r.get(1).and_then(Value::as_str) == l["cell_name"].as_str())
                .unwrap_or_else(|| panic!("{l} in {rows:?}"));
            assert_eq!(row[2], l["collected_vnd"], "{row:?}");
            assert_eq!(row[3], l["retained_vnd"], "{row:?}");
            assert_eq!(row[4], l["remitted_vnd"], "{row:?}");
            assert_eq!(row[5], l["arrears_vnd"], "{row:?}");
        }
        let total = rows
            .iter()
            .find(|r| r.get(1).and_then(Value::as_str) == Some("Cộng"))
            .expect("a total row");
        assert_eq!(total[2], t["collected_vnd"], "{total:?}");
        let printed = pdf(&app, "dangbo", &format!("/api/v1/dues/cells/file?{query}")).await;
        assert!(
            printed.contains("BẢNG TỔNG HỢP THU, NỘP ĐẢNG PHÍ CỦA CÁC CHI BỘ"),
            "{printed}"
        );
        assert!(printed.contains(&dots(i(&t["collected_vnd"]))), "{printed}");
    }
    let st = get_json(&app, "bithu", "/api/v1/dues/statement?month=2026-11").await;
    assert_eq!(i(&st["collected_vnd"]), ledger_sum(Some("2026-11")));
    let t = get_json(&app, "dangbo", "/api/v1/dues/cells?month=2026-11").await;
    let line = t["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["cell_id"] == cell)
        .unwrap()
        .clone();
    assert_eq!(line["collected_vnd"], st["collected_vnd"], "{line}");

    // The pages link the files, and the links serve them.
    let (c, _) = app.login("bithu").await;
    let html = app.html(&c, "/dues?month=2026-11").await;
    for id in [
        "statement-month-pdf",
        "statement-month-xlsx",
        "statement-year-pdf",
        "statement-year-xlsx",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
    }
    let res = c
        .get(app.url(&format!(
            "/dues/statement/bang-tong-hop.xlsx?unit={cell}&month=2026-11"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let rows = sheet(&res.bytes().await.unwrap());
    assert!(
        format!("{rows:?}").contains(&format!(
            "Tổng số đã thu: {} đồng",
            dots(ledger_sum(Some("2026-11")))
        )),
        "{rows:?}"
    );
    let (c, _) = app.login("dangbo").await;
    let html = app.html(&c, "/dues/cells?year=2026").await;
    assert!(html.contains("id=\"cells-pdf\""), "{html}");
    let res = c
        .get(app.url("/dues/cells/thu-nop-cac-chi-bo.pdf?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // A member reads neither.
    let (s, _, _) = file(&app, "dangvien", "/api/v1/dues/statement/file?year=2026").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[db_test]
async fn a_receipt_states_the_months_the_amount_in_words_and_the_collector(b: Backend) {
    let app = TestApp::demo(b).await;
    // The demo's ledger: March to December 2026, some members in arrears.
    app.services
        .generate_demo_keeping(app.now())
        .await
        .expect("demo dues");
    let cells = app.cell_ids().await;
    let cell = cells[0];
    let collector = app.actor("bithu").await.display_name;
    let me = app.actor("dangvien").await.member_id.expect("a member");
    let members = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let m = members
        .iter()
        .rev()
        .find(|m| {
            m.status == "chinh_thuc"
                && m.id != me
                && m.admission_date
                    .is_some_and(|d| chrono::Datelike::year(&d) > 1980)
        })
        .expect("a full member");
    let (id, name) = (m.id, m.full_name.clone());

    // 10/01/2027: 1 % of 8 000 000 đ; January to March paid, April ahead.
    set_day(&app, 2027, 1, 10);
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/categories",
        Some(json!({"member_id": id, "from_month": "2027-01", "category": "bhxh", "base_vnd": 8_000_000})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut february = 0;
    for month in ["2027-01", "2027-02", "2027-03", "2027-04"] {
        let (s, v) = call(
            &app,
            "bithu",
            "/api/v1/dues/payments",
            Some(json!({"member_id": id, "month": month})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        if month == "2027-02" {
            february = v["entries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["month"] == "2027-02")
                .unwrap()["id"]
                .as_i64()
                .unwrap();
        }
    }
    let quarter = format!("/api/v1/dues/members/{id}/receipt?from=2027-01&to=2027-03");
    let text = pdf(&app, "bithu", &quarter).await;
    for expected in [
        "BIÊN LAI THU ĐẢNG PHÍ",
        "Số 01-BL/CB",
        &format!("Họ và tên người nộp: {name}"),
        "Nộp đảng phí tháng: 01/2027, 02/2027, 03/2027",
        "Số tiền: 240.000 đồng",
        "Bằng chữ: Hai trăm bốn mươi nghìn đồng.",
        &format!("Người thu: {collector}"),
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // The same receipt prints the same number, another one the next.
    assert!(pdf(&app, "bithu", &quarter).await.contains("Số 01-BL/CB"));
    let january = format!("/api/v1/dues/members/{id}/receipt?from=01/2027");
    let text = pdf(&app, "bithu", &january).await;
    assert!(text.contains("Số 02-BL/CB"), "{text}");
    assert!(text.contains("Tám mươi nghìn đồng"), "{text}");
    assert!(pdf(&app, "bithu", &quarter).await.contains("Số 01-BL/CB"));

    // Bad input: refused with the reason, no number taken.
    let msg = refused(
        &app,
        "bithu",
        &format!("/api/v1/dues/members/{id}/receipt?from=2027-06&to=2027-08"),
        "dues.receipt_nothing_paid",
    )
    .await;
    assert!(msg.contains(&name) && msg.contains("06/2027"), "{msg}");
    refused(
        &app,
        "bithu",
        &format!("/api/v1/dues/members/{id}/receipt?from=2027-03&to=2027-01"),
        "dues.receipt_span",
    )
    .await;
    refused(
        &app,
        "bithu",
        &format!("/api/v1/dues/members/{id}/receipt?from=2027-13"),
        "dues.month",
    )
    .await;
    // Another cell's secretary, and another member, get no receipt of his.
    let msg = refused(
        &app,
        "bithu.2",
        &format!("/api/v1/dues/members/{id}/receipt?from=2027-01"),
        "dues.receipt_other_cell",
    )
    .await;
    assert!(!msg.contains(&name), "names nobody: {msg}");
    refused(
        &app,
        "dangvien",
        &format!("/api/v1/dues/members/{id}/receipt?from=2027-01"),
        "dues.receipt_other_cell",
    )
    .await;

    // A correction of February: the quarter's receipt printed now is a new
    // one, with the corrected amount, that says so and names the first.
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/payments",
        Some(
            json!({"member_id": id, "month": "2027-02", "amount_vnd": 20_000,
                    "corrects_id": february, "reason": "Lương tháng trước tăng"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let text = pdf(&app, "bithu", &quarter).await;
    for expected in [
        "Số 03-BL/CB",
        "Điều chỉnh khoản nộp số",
        "Lương tháng trước tăng",
        "Số tiền: 260.000 đồng",
        "Bằng chữ: Hai trăm sáu mươi nghìn đồng.",
        "Khoản nộp đã được điều chỉnh",
        "thay biên lai Số 01-BL/CB",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // January's receipt did not change.
    assert!(pdf(&app, "bithu", &january).await.contains("Số 02-BL/CB"));

    // The member downloads their own from their history; numbers restart
    // with the year.
    set_day(&app, 2028, 1, 5);
    let (c, _) = app.login("dangvien").await;
    let home = app.html(&c, "/").await;
    assert!(home.contains("id=\"my-dues-history\""), "{home}");
    let res = c.get(app.url("/dues/mine")).send().await.unwrap();
    assert_eq!(
        crate::support::redirect_of(&res),
        format!("/dues/members/{me}")
    );
    let html = app.html(&c, &format!("/dues/members/{me}")).await;
    assert!(html.contains("id=\"dues-months\""), "{html}");
    assert!(html.contains("id=\"receipt2026-05\""), "{html}");
    let res = c
        .get(app.url(&format!("/dues/members/{me}/bien-lai.pdf?from=2026-05")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = pdf_text(&res.bytes().await.unwrap()).unwrap_or_default();
    let mine = app
        .services
        .db
        .read(async |r| store::members::get(r, me).await)
        .await
        .unwrap()
        .unwrap();
    assert!(text.contains("Số 01-BL/CB"), "{text}");
    assert!(text.contains(&mine.full_name), "{text}");
    assert!(text.contains("05/2026"), "{text}");
    // The treasurer's April receipt in 2028 takes the year's next number.
    let april = pdf(
        &app,
        "bithu",
        &format!("/api/v1/dues/members/{id}/receipt?from=2027-04"),
    )
    .await;
    assert!(april.contains("Số 02-BL/CB"), "{april}");
    // Every number given was audited, once.
    for (who, numbered) in [(id, 4), (me, 1)] {
        let audited = app
            .services
            .db
            .read(async |r| store::audit::for_entity(r, "member", who).await)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "dues.receipt")
            .count();
        assert_eq!(audited, numbered, "member {who}");
    }
}

/// The upper committee's table reads every cell at once: each line equals
/// the cell's own summary, and a cell more costs no statement more.
#[db_test]
async fn the_table_by_cell_reads_every_cell_at_once_with_each_cells_figures(b: Backend) {
    let app = TestApp::demo(b).await;
    app.services
        .generate_demo_keeping(app.now())
        .await
        .expect("demo dues");
    // The second cell keeps a ledger too, with a member in arrears.
    let second = app.cell_ids().await[1];
    let members = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, second).await)
        .await
        .unwrap();
    for (k, m) in members
        .iter()
        .filter(|m| m.status == "chinh_thuc")
        .take(2)
        .enumerate()
    {
        let (s, v) = call(
            &app,
            "bithu.2",
            "/api/v1/dues/categories",
            Some(json!({"member_id": m.id, "from_month": "2026-09", "category": "student"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        for month in ["2026-09", "2026-10", "2026-11"].iter().take(3 - 2 * k) {
            let (s, v) = call(
                &app,
                "bithu.2",
                "/api/v1/dues/payments",
                Some(json!({"member_id": m.id, "month": month})),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
    }
    for (query, month) in [
        ("year=2026", None),
        ("month=2026-11", Some("2026-11")),
        ("month=2026-09", Some("2026-09")),
    ] {
        let t = get_json(&app, "dangbo", &format!("/api/v1/dues/cells?{query}")).await;
        let lines = t["cells"].as_array().unwrap();
        assert_eq!(lines.len(), 2, "{t}");
        for l in lines {
            let own = get_json(
                &app,
                "dangbo",
                &format!("/api/v1/dues/summary?unit={}&year=2026", l["cell_id"]),
            )
            .await;
            let months: Vec<&Value> = own["months"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| month.is_none_or(|c| m["month"] == c))
                .collect();
            for k in ["collected_vnd", "retained_vnd", "remitted_vnd"] {
                let sum: i64 = months.iter().map(|m| i(&m[k])).sum();
                assert_eq!(i(&l[k]), sum, "{query} {k}: {l} vs {own}");
            }
            assert_eq!(l["arrears_vnd"], own["arrears_vnd"], "{l} vs {own}");
            assert_eq!(l["members_in_arrears"], own["members_in_arrears"], "{l}");
        }
        assert!(
            lines.iter().all(|l| i(&l["arrears_vnd"]) > 0),
            "both cells have arrears: {t}"
        );
    }
    // As many statements with a third cell as with two.
    let token = app.token_for("dangbo").await;
    let cost = async || {
        let res = TestApp::client()
            .get(app.url("/api/v1/dues/cells?year=2026"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let n = crate::support::queries_of(&res);
        let v: Value = res.json().await.unwrap();
        (n, v["cells"].as_array().unwrap().len())
    };
    let (two, cells) = cost().await;
    assert_eq!(cells, 2);
    let upper = app
        .actor("dangbo")
        .await
        .primary()
        .and_then(|g| g.org_id)
        .expect("a unit");
    let (s, v) = call(
        &app,
        "dangbo",
        &format!("/api/v1/units/{upper}/children"),
        Some(json!({"kind": "chi_bo", "code": "79.001.000.000.909", "name": "Chi bộ Khu phố 9", "cell_type": "thon_to_dan_pho"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (three, cells) = cost().await;
    assert_eq!(cells, 3);
    assert_eq!(three, two, "statements for three cells and for two");
    eprintln!("{b:?}: /api/v1/dues/cells costs {two} statements");
}

/// A member opens their dues history from home on a phone (390×844): the
/// months fit the screen, each paid month links its receipt.
#[tokio::test]
async fn a_member_reads_their_dues_history_on_a_phone() {
    use crate::browser::{browser, driver, log_in, shot, text_with};
    use fantoccini::Locator;
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    app.services
        .generate_demo_keeping(app.now())
        .await
        .expect("demo dues");
    let me = app.actor("dangvien").await.member_id.expect("a member");
    let c = browser(&d).await;
    log_in(&c, &app, "dangvien").await;
    c.goto(&app.url("/")).await.unwrap();
    c.find(Locator::Id("my-dues-history"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Lịch sử đóng đảng phí").await;
    assert!(page.contains("Biên lai nhiều tháng"), "{page}");
    let wide = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(wide, json!(false), "the history fits the phone");
    let href = c
        .find(Locator::Id("receipt2026-05"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        href,
        format!("/dues/members/{me}/bien-lai.pdf?from=2026-05")
    );
    shot(&c, "d3-dues-history").await;
    c.close().await.unwrap();
}
