//! The dues ledger (issue 14) over the JSON API on both backends: a year of
//! dues with a category change, advances, a late payment and a correction,
//! the summary equal to the sum of entries; bad input refused with the rule
//! cited and nothing written; two treasurers marking the same month at once
//! store one payment.

use crate::support::{Backend, TestApp};
use chibo_server::model::Role;
use chibo_server::service::accounts::NewAccount;
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

async fn pay(app: &TestApp, body: Value) -> Value {
    let (s, v) = call(app, "bithu", "/api/v1/dues/payments", Some(body.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{body}: {v}");
    v
}

/// Refused with `code`, the member's ledger unchanged.
async fn refused(app: &TestApp, member: i64, path: &str, body: Value, code: &str) -> String {
    let ledger = format!("/api/v1/dues/members/{member}");
    let (_, before) = call(app, "bithu", &ledger, None).await;
    let (s, v) = call(app, "bithu", path, Some(body.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
    let problems = v["problems"].as_array().cloned().unwrap_or_default();
    assert!(problems.iter().any(|p| p["code"] == code), "{code}: {v}");
    let (_, after) = call(app, "bithu", &ledger, None).await;
    assert_eq!(before, after, "nothing written");
    problems
        .iter()
        .map(|p| p["message"].as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A full member of the first cell below 50 years of party age.
async fn member(app: &TestApp) -> (i64, i64) {
    let cell = app.cell_ids().await[0];
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
                && m.admission_date
                    .is_some_and(|d| chrono::Datelike::year(&d) > 1980)
        })
        .expect("a full member");
    (cell, m.id)
}

fn month<'a>(ledger: &'a Value, code: &str) -> &'a Value {
    ledger["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == code)
        .unwrap_or_else(|| panic!("no month {code}: {ledger}"))
}

#[db_test]
async fn a_year_of_dues_adds_up_to_its_entries(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, m) = member(&app).await;

    // 10/01/2027: in social insurance, 8 000 000 đ: 1 % = 80 000 đ a month.
    set_day(&app, 2027, 1, 10);
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/categories",
        Some(json!({"member_id": m, "from_month": "2027-01", "category": "bhxh", "base_vnd": 8_000_000})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // January as due (one tap: the amount prefilled), February and March in advance.
    let v = pay(&app, json!({"member_id": m, "month": "2027-01"})).await;
    assert_eq!(month(&v, "2027-01")["due_vnd"], 80_000);
    assert_eq!(month(&v, "2027-01")["paid_vnd"], 80_000);
    assert!(
        month(&v, "2027-01")["explanation"]
            .as_str()
            .unwrap()
            .contains("01-QĐ/TW")
    );
    pay(
        &app,
        json!({"member_id": m, "month": "2027-02", "channel": "portal"}),
    )
    .await;
    let v = pay(
        &app,
        json!({"member_id": m, "month": "03/2027", "receipt_no": "PT-0003"}),
    )
    .await;
    assert_eq!(month(&v, "2027-03")["state"], "advance");
    assert_eq!(v["paid_through"], "2027-03");

    // Bad input: each refused with its rule, nothing written.
    refused(
        &app,
        m,
        "/api/v1/dues/payments",
        json!({"member_id": m, "month": "2027-02"}),
        "dues.already_paid",
    )
    .await;
    refused(
        &app,
        m,
        "/api/v1/dues/payments",
        json!({"member_id": m, "month": "2027-04", "amount_vnd": -5000}),
        "dues.amount",
    )
    .await;
    let msg = refused(
        &app,
        m,
        "/api/v1/dues/payments",
        json!({"member_id": m, "month": "2027-04", "amount_vnd": 50_000}),
        "dues.reason_required",
    )
    .await;
    assert!(msg.contains("80000"), "{msg}");
    refused(
        &app,
        m,
        "/api/v1/dues/payments",
        json!({"member_id": m, "month": "1980-01"}),
        "dues.before_joining",
    )
    .await;
    let (s, _) = call(
        &app,
        "bithu",
        "/api/v1/dues/payments",
        Some(json!({"member_id": m, "month": "2027-04", "amount_vnd": 1.5})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a non-integer amount");

    // 10/02/2027: January is closed; a category back-dated before it is refused.
    set_day(&app, 2027, 2, 10);
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/close",
        Some(json!({"month": "2027-01"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["months"][0]["closed"], true);
    assert_eq!(v["months"][0]["collected_vnd"], 80_000);
    refused(
        &app,
        m,
        "/api/v1/dues/categories",
        json!({"member_id": m, "from_month": "2027-01", "category": "student"}),
        "dues.month_closed",
    )
    .await;

    // 10/05/2027: April is in arrears; paid late.
    set_day(&app, 2027, 5, 10);
    let (_, v) = call(&app, "bithu", &format!("/api/v1/dues/members/{m}"), None).await;
    assert_eq!(v["arrears_months"], json!(["2027-04"]));
    assert_eq!(v["arrears_vnd"], 80_000);
    pay(&app, json!({"member_id": m, "month": "2027-04"})).await;
    // May: 90 000 đ by mistake, corrected by a new entry of −10 000 đ.
    let v = pay(&app, json!({"member_id": m, "month": "2027-05", "amount_vnd": 90_000, "reason": "Đồng chí nộp thêm"})).await;
    let may = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["month"] == "2027-05")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    refused(
        &app,
        m,
        "/api/v1/dues/payments",
        json!({"member_id": m, "month": "2027-05", "amount_vnd": -10_000, "corrects_id": may}),
        "dues.reason_required",
    )
    .await;
    let v = pay(&app, json!({"member_id": m, "month": "2027-05", "amount_vnd": -10_000, "corrects_id": may, "reason": "Ghi nhầm số tiền"})).await;
    assert_eq!(month(&v, "2027-05")["paid_vnd"], 80_000);
    assert_eq!(
        v["entries"].as_array().unwrap().len(),
        6,
        "the correction is a new entry"
    );

    // From July a pensioner, 6 000 000 đ: 0.5 % = 30 000 đ.
    set_day(&app, 2027, 6, 15);
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/categories",
        Some(json!({"member_id": m, "from_month": "2027-07", "category": "pension", "base_vnd": 6_000_000, "reason": "Nghỉ hưu"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    pay(&app, json!({"member_id": m, "month": "2027-06"})).await;
    set_day(&app, 2027, 12, 20);
    for mo in 7..=12 {
        let v = pay(
            &app,
            json!({"member_id": m, "month": format!("2027-{mo:02}")}),
        )
        .await;
        assert_eq!(month(&v, &format!("2027-{mo:02}"))["due_vnd"], 30_000);
    }

    // The year: every đồng of the summary is an entry.
    set_day(&app, 2028, 1, 5);
    let (s, sum) = call(
        &app,
        "bithu",
        &format!("/api/v1/dues/summary?unit={cell}&year=2027"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    let entries = app
        .services
        .db
        .read(async |r| store::dues::entries_of_cell(r, cell, "2027-01", "2027-12").await)
        .await
        .unwrap();
    let total: i64 = entries.iter().map(|e| e.amount_vnd).sum();
    assert_eq!(total, 6 * 80_000 + 6 * 30_000);
    assert_eq!(sum["collected_vnd"], total);
    let by_month: i64 = sum["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["collected_vnd"].as_i64().unwrap())
        .sum();
    assert_eq!(by_month, total);
    assert_eq!(
        sum["retained_vnd"].as_i64().unwrap() + sum["remitted_vnd"].as_i64().unwrap(),
        total
    );
    let (_, v) = call(&app, "bithu", &format!("/api/v1/dues/members/{m}"), None).await;
    assert_eq!(v["arrears_vnd"], 0);
    assert_eq!(v["paid_through"], "2027-12");
}

#[db_test]
async fn two_treasurers_marking_the_same_month_store_one_payment(b: Backend) {
    let app = TestApp::demo(b).await;
    let (cell, m) = member(&app).await;
    let bithu = app.actor("bithu").await;
    app.services
        .create_account(
            &bithu,
            &NewAccount {
                login: "thuquy",
                display_name: "Thủ quỹ",
                password: "mat-khau-dai-du-12",
                role: Role::ChiUy,
                org_id: Some(cell),
                member_id: None,
            },
            app.now(),
        )
        .await
        .unwrap();
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/categories",
        Some(json!({"member_id": m, "from_month": "2026-03", "category": "student"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let body = json!({"member_id": m, "month": "2026-12"});
    let (a, b) = tokio::join!(
        call(&app, "bithu", "/api/v1/dues/payments", Some(body.clone())),
        call(&app, "thuquy", "/api/v1/dues/payments", Some(body.clone())),
    );
    let mut codes = [a.0, b.0];
    codes.sort();
    assert_eq!(
        codes,
        [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY],
        "{a:?} {b:?}"
    );
    let refusal = if a.0 == StatusCode::CREATED {
        &b.1
    } else {
        &a.1
    };
    assert_eq!(
        refusal["problems"][0]["code"], "dues.already_paid",
        "{refusal}"
    );
    let entries = app
        .services
        .db
        .read(async |r| store::dues::entries_of(r, m).await)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "one payment stored");
    assert_eq!(entries[0].amount_vnd, 5000);
}

/// The treasurer's monthly roll on a phone (390×844): one tap per member,
/// the amount prefilled, nothing wider than the screen.
#[tokio::test]
async fn the_treasurer_marks_the_month_on_a_phone() {
    use crate::browser::{browser, driver, log_in, shot, text_with};
    use fantoccini::Locator;
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let (_, m) = member(&app).await;
    let (s, v) = call(
        &app,
        "bithu",
        "/api/v1/dues/categories",
        Some(json!({"member_id": m, "from_month": "2026-03", "category": "student"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let c = browser(&d).await;
    log_in(&c, &app, "bithu").await;
    c.goto(&app.url("/dues")).await.unwrap();
    let page = text_with(&c, "Tổng hợp năm").await;
    assert!(page.contains("Chưa đóng"), "{page}");
    let wide = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(wide, json!(false), "the roll fits the phone");
    shot(&c, "d1-dues-roll").await;
    c.find(Locator::Id(&format!("pay{m}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Đã ghi sổ đảng phí.").await;
    assert!(page.contains("5.000 / 5.000 đ"), "{page}");
    shot(&c, "d2-dues-paid").await;
    let entries = app
        .services
        .db
        .read(async |r| store::dues::entries_of(r, m).await)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].amount_vnd, 5000);
    assert_eq!(entries[0].month, "2026-12");
    c.close().await.unwrap();
}

/// The upper committee's table by cell: each cell's collection is the sum of
/// its own entries (corrections included), the table's totals the sums of
/// its lines, for the year and for one month.
#[db_test]
async fn the_upper_committees_table_sums_each_cells_entries(b: Backend) {
    let app = TestApp::demo(b).await;
    let cells = app.cell_ids().await;
    // The demo keeps the first cell's ledger; the second cell records some.
    let second = cells[1];
    let members = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, second).await)
        .await
        .unwrap();
    let m = members
        .iter()
        .find(|m| m.status == "chinh_thuc")
        .expect("a full member")
        .id;
    let (s, v) = call(
        &app,
        "bithu.2",
        "/api/v1/dues/categories",
        Some(json!({"member_id": m, "from_month": "2026-10", "category": "student"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut first = 0;
    for month in ["2026-10", "2026-11"] {
        let (s, v) = call(
            &app,
            "bithu.2",
            "/api/v1/dues/payments",
            Some(
                json!({"member_id": m, "month": month, "amount_vnd": 20000, "reason": "Đóng thêm"}),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        if first == 0 {
            first = v["entries"][0]["id"].as_i64().unwrap();
        }
    }
    // A correction of October's entry: a new entry of the difference.
    let (s, v) = call(
        &app,
        "bithu.2",
        "/api/v1/dues/payments",
        Some(json!({"member_id": m, "month": "2026-10", "amount_vnd": -15000, "corrects_id": first, "reason": "Ghi nhầm"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    let sum_of = |cell: i64, from: &'static str, to: &'static str| {
        let app = &app;
        async move {
            app.services
                .db
                .read(async |r| store::dues::entries_of_cell(r, cell, from, to).await)
                .await
                .unwrap()
                .iter()
                .map(|e| e.amount_vnd)
                .sum::<i64>()
        }
    };
    for (query, from, to) in [
        ("year=2026", "2026-01", "2026-12"),
        ("month=2026-10", "2026-10", "2026-10"),
    ] {
        let t = get_json(&app, "dangbo", &format!("/api/v1/dues/cells?{query}")).await;
        let lines = t["cells"].as_array().unwrap();
        assert_eq!(lines.len(), cells.len(), "{t}");
        let mut total = 0;
        for cell in &cells {
            let line = lines
                .iter()
                .find(|l| l["cell_id"] == *cell)
                .unwrap_or_else(|| panic!("cell {cell} in {t}"));
            let entries = sum_of(*cell, from, to).await;
            assert_eq!(line["collected_vnd"], entries, "{query}: {line}");
            assert_eq!(
                line["retained_vnd"].as_i64().unwrap() + line["remitted_vnd"].as_i64().unwrap(),
                entries,
                "{line}"
            );
            total += entries;
        }
        assert!(total > 0, "{t}");
        assert_eq!(t["collected_vnd"], total, "{t}");
        for k in ["retained_vnd", "remitted_vnd", "arrears_vnd"] {
            let sum: i64 = lines.iter().map(|l| l[k].as_i64().unwrap()).sum();
            assert_eq!(t[k], sum, "{k}: {t}");
        }
    }
    // The second cell's October: 20 000 − 15 000.
    let t = get_json(&app, "dangbo", "/api/v1/dues/cells?month=2026-10").await;
    let line = t["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["cell_id"] == second)
        .unwrap();
    assert_eq!(line["collected_vnd"], 5000, "{line}");
    // The same figure as the cell's own summary.
    let own = get_json(&app, "bithu.2", "/api/v1/dues/summary?year=2026").await;
    assert_eq!(own["months"][9]["collected_vnd"], 5000, "{own}");
    // The report upward counts the same figures for October.
    let (s, r) = call(
        &app,
        "bithu.2",
        "/api/v1/reports",
        Some(json!({"unit_id": second, "period": "thang", "year": 2026, "index": 10})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let r = get_json(&app, "bithu.2", &format!("/api/v1/reports/{}", r["id"])).await;
    let f = &r["content"]["figures"]["dues"];
    assert_eq!(f["collected_vnd"], 5000, "{f}");
    assert_eq!(
        f["retained_vnd"].as_i64().unwrap() + f["remitted_vnd"].as_i64().unwrap(),
        5000,
        "{f}"
    );
    // A cell's secretary sees only their cell.
    let t = get_json(&app, "bithu.2", "/api/v1/dues/cells?year=2026").await;
    assert_eq!(t["cells"].as_array().unwrap().len(), 1, "{t}");
    // The upper committee's page.
    let (c, _) = app.login("dangbo").await;
    let html = app.html(&c, "/dues/cells?month=2026-10").await;
    assert!(html.contains("id=\"dues-cells\""), "{html}");
}

async fn get_json(app: &TestApp, login: &str, path: &str) -> Value {
    let (s, v) = call(app, login, path, None).await;
    assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
    v
}

/// The upper committee's table reads every cell at once (issue 18): each of
/// its lines equals the cell's own summary, which reads the cell alone (the
/// computation the table made per cell before), on a demo whose cells have
/// a ledger with members in arrears and a closed month.
#[db_test]
async fn the_cells_table_equals_each_cells_own_summary(b: Backend) {
    use chibo_server::service::demo::DemoSize;
    let app = TestApp::empty(b).await;
    app.services
        .generate_demo_with_history(
            DemoSize {
                cells: 4,
                members_per_cell: 12,
            },
            2,
            app.now(),
        )
        .await
        .expect("demo data");
    app.services
        .generate_demo_keeping(app.now())
        .await
        .expect("the first cell's ledger");
    let (s, v) = call(
        &app,
        "bithu.3",
        "/api/v1/dues/close",
        Some(json!({"month": "2026-10"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let cells = app.cell_ids().await;
    assert_eq!(cells.len(), 4);
    let mut owing = 0;
    for query in ["year=2026", "month=2026-10", "month=2026-11"] {
        let t = get_json(&app, "dangbo", &format!("/api/v1/dues/cells?{query}")).await;
        let lines = t["cells"].as_array().unwrap();
        assert_eq!(lines.len(), cells.len(), "{t}");
        for cell in &cells {
            let line = lines.iter().find(|l| l["cell_id"] == *cell).unwrap();
            let own = get_json(
                &app,
                "dangbo",
                &format!("/api/v1/dues/summary?unit={cell}&year=2026"),
            )
            .await;
            let months: Vec<&Value> = own["months"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| match query.strip_prefix("month=") {
                    Some(code) => m["month"] == code,
                    None => true,
                })
                .collect();
            for k in ["collected_vnd", "retained_vnd", "remitted_vnd"] {
                let sum: i64 = months.iter().map(|m| m[k].as_i64().unwrap()).sum();
                assert_eq!(line[k], sum, "{query} {k}: {line} / {own}");
            }
            let closed = months.iter().all(|m| m["closed"] == true);
            assert_eq!(line["closed"], closed, "{query}: {line}");
            assert_eq!(line["arrears_vnd"], own["arrears_vnd"], "{line} / {own}");
            assert_eq!(
                line["members_in_arrears"], own["members_in_arrears"],
                "{line} / {own}"
            );
            owing += own["members_in_arrears"].as_i64().unwrap();
        }
    }
    // The figures are not trivially equal: the demo's ledgers have arrears.
    assert!(owing > 0, "members in arrears");
}
