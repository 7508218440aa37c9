//! The cell's own rating (issue 16, QĐ 366-QĐ/TW Art. 11, form 01-HD KĐ.ĐG)
//! over the JSON API and the pages: the collective self-review prefilled
//! with the figures of the records, a condition binding (a late task keeps
//! the cell from HTT, explained with the rule), the conference's vote, the
//! upper committee's queue deciding with a reason, the announcement; the
//! bad input refused with nothing written; form 01 and the summary list
//! carrying the cell's rating.

use crate::support::{Backend, TestApp, docx_text, pdf_text};
use chibo_rules::DecisionKind;
use chibo_server::model::{Presence, Role, TaskDraft, VoteMode};
use chibo_server::service::Actor;
use chibo_server::service::accounts::NewAccount;
use chibo_server::service::demo::DemoSize;
use chibo_server::service::meetings::MeetingForm;
use chibo_server::service::orgs::OrgFields;
use chibo_server::service::tasks::ProgressForm;
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn set_december(app: &TestApp, d: u32) {
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 12, d, 2, 30, 0)
            .single()
            .expect("valid"),
    );
}

async fn api(app: &TestApp, login: &str, post: Option<Value>, path: &str) -> (StatusCode, Value) {
    let c = TestApp::client();
    let req = match post {
        Some(body) => c.post(app.url(path)).json(&body),
        None => c.get(app.url(path)),
    };
    let res = req
        .bearer_auth(app.token_for(login).await)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn codes(v: &Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn messages(v: &Value) -> String {
    v["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| p["message"].as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A second đảng bộ with its own upper committee account, outside the first.
async fn other_upper(app: &TestApp) {
    let s = &app.services;
    let admin = app.actor("quantri").await;
    let unit = s
        .create_org(
            &admin,
            None,
            &OrgFields {
                kind: "dang_bo".into(),
                name: "Đảng bộ phường Tân Định".into(),
                code: "79.999.998.000.000".into(),
                ..OrgFields::default()
            },
            app.now(),
        )
        .await
        .unwrap();
    s.create_account(
        &admin,
        &NewAccount {
            login: "dangbo.khac",
            display_name: "Văn phòng Đảng ủy phường Tân Định",
            password: "mat-khau-dai-du-12",
            role: Role::Upper,
            org_id: Some(unit),
            member_id: None,
        },
        app.now(),
    )
    .await
    .unwrap();
}

/// A closed vote of the cell's conference (chuyên đề) on its proposal,
/// every member present and for: what the proposal is recorded with.
pub(crate) async fn closed_vote(app: &TestApp, by: &Actor, cell: i64) -> i64 {
    let s = &app.services;
    let meeting = s
        .plan_meeting(
            by,
            cell,
            &MeetingForm {
                kind: "chuyen_de".into(),
                topic: "Kiểm điểm tập thể chi bộ năm 2026".into(),
                date: app.date_in(0),
                time: "19:30".into(),
                place: "Nhà văn hóa khu phố".into(),
                ..MeetingForm::default()
            },
            app.now(),
        )
        .await
        .unwrap();
    s.open_meeting(by, meeting, Some("Theo lịch của đảng ủy"), app.now())
        .await
        .unwrap();
    for r in
        s.db.read(async |r| store::meetings::roll(r, meeting).await)
            .await
            .unwrap()
    {
        s.mark_attendance(by, meeting, r.member_id, Presence::CoMat, None, app.now())
            .await
            .unwrap();
    }
    let vote = s
        .open_vote(
            by,
            meeting,
            DecisionKind::NghiQuyet,
            "Đề xuất xếp loại chi bộ năm 2026",
            VoteMode::Counts,
            app.now(),
        )
        .await
        .unwrap();
    let (mt, _) = s.meeting(by, meeting).await.unwrap();
    let row =
        s.db.read(async |r| store::meetings::vote(r, vote).await)
            .await
            .unwrap()
            .unwrap();
    let n = s.vote_voters(&mt, &row).len() as u32;
    s.enter_counts(by, meeting, vote, (n, 0, 0), app.now())
        .await
        .unwrap();
    vote
}

#[db_test]
async fn a_cell_is_rated_from_its_report_to_the_upper_committees_decision(b: Backend) {
    let app = TestApp::empty(b).await;
    let s = &app.services;
    s.generate_demo(
        DemoSize {
            cells: 1,
            members_per_cell: 10,
        },
        app.now(),
    )
    .await
    .unwrap();
    let cell = app.cell_ids().await[0];
    let upper = s.org(cell).await.unwrap().parent_id.unwrap();
    let bithu = app.actor("bithu").await;
    other_upper(&app).await;

    // The cell's tasks of the year: five, four finished on time, one late.
    let mut tasks = Vec::new();
    for i in 0..5 {
        let id = s
            .add_standing_duty(
                &bithu,
                Some(cell),
                &TaskDraft {
                    title: format!("Vận động tổ dân phố {} thực hiện nếp sống văn minh", i + 1),
                    lead_id: bithu.member_id,
                    co_owner_ids: vec![],
                    deadline: app.date_in(2),
                },
                app.now(),
            )
            .await
            .unwrap();
        tasks.push(id);
    }
    let finish = async |t: i64| {
        let version =
            s.db.read(async |r| store::tasks::get(r, t).await)
                .await
                .unwrap()
                .unwrap()
                .version;
        s.update_progress(
            &bithu,
            t,
            &ProgressForm {
                version,
                status: "hoan_thanh".into(),
                progress: 100,
                ..ProgressForm::default()
            },
            None,
            app.now(),
        )
        .await
        .unwrap();
    };
    set_december(&app, 4);
    for t in &tasks[..4] {
        finish(*t).await;
    }
    // 04/12: the round opens: a case per member and one for the cell.
    let (st, v) = api(
        &app,
        "dangbo",
        Some(json!({"unit_id": upper, "year": 2026, "period": "nam",
                     "self_review_due": app.date_in(6), "round_due": app.date_in(24)})),
        "/api/v1/evaluations/rounds",
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let round = v["round"]["id"].as_i64().unwrap();
    let members = v["totals"].clone();
    let (st, queue) = api(
        &app,
        "dangbo",
        None,
        &format!("/api/v1/evaluations/rounds/{round}/cells?unit={upper}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{queue}");
    assert_eq!(queue["lines"].as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue["lines"][0]["stage"], "self_review");
    let (_, cases) = api(&app, "bithu", None, &format!("/api/v1/cases?unit={cell}")).await;
    assert_eq!(
        cases
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "danh_gia_chi_bo")
            .count(),
        1,
        "{cases}"
    );

    // Rating before the cell's report: refused, nothing written.
    let decide = format!("/api/v1/evaluations/rounds/{round}/cell-decisions?unit={upper}");
    let (st, e) = api(
        &app,
        "dangbo",
        Some(json!({"items": [{"cell_id": cell}]})),
        &decide,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["cell_rating.no_self_review"]);

    // 08/12: the fifth task is finished, past its deadline.
    set_december(&app, 8);
    finish(tasks[4]).await;
    let path = format!("/api/v1/evaluations/rounds/{round}/cells/{cell}");
    let (st, view) = api(&app, "bithu", None, &path).await;
    assert_eq!(st, StatusCode::OK, "{view}");
    assert_eq!(view["form"], "01-HD KĐ.ĐG");
    // The figures are the records'.
    let f = &view["figures"];
    assert_eq!(
        (
            &f["tasks_assigned"],
            &f["tasks_done"],
            &f["tasks_on_time"],
            &f["tasks_overdue"]
        ),
        (&json!(5), &json!(5), &json!(4), &json!(0)),
        "{f}"
    );
    for k in ["total", "exempt", "pending"] {
        assert_eq!(f["members"][k], members[k], "members' {k}: {f}");
    }
    let o = s.org(cell).await.unwrap();
    let held =
        s.db.read(async |r| {
            let w = store::stats::Window {
                from: Utc.with_ymd_and_hms(2025, 12, 31, 17, 0, 0).unwrap(),
                to: Utc.with_ymd_and_hms(2026, 12, 31, 17, 0, 0).unwrap(),
                start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                as_of: app.today(),
            };
            store::stats::meetings(r, o.id, &w).await
        })
        .await
        .unwrap();
    assert_eq!(
        f["regular_held"],
        held.iter()
            .filter(|m| m.kind == "thuong_ky" || m.kind == "ket_hop")
            .count()
    );
    assert_eq!(f["regular_due"], 11, "January to November: {f}");
    assert_eq!(f["disciplined"], 0);
    assert_eq!(f["concerns_received"], 0);

    // The report claims HTT: one task of five was late, so not every task
    // on time: refused with the rule, nothing written.
    let review = format!("{path}/self-review");
    let body = |tier: &str| {
        json!({"points": 92, "tasks_exceeding": 2, "self_tier": tier,
               "report": "Chi bộ lãnh đạo thực hiện tốt nghị quyết năm 2026; sinh hoạt đều đặn."})
    };
    let (st, e) = api(&app, "bithu", Some(body("htt")), &review).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["tier.above_band"]);
    let m = messages(&e);
    assert!(
        m.contains("366-QĐ/TW") && m.contains("Hoàn thành nhiệm vụ"),
        "{m}"
    );
    let (_, unchanged) = api(&app, "bithu", None, &path).await;
    assert_eq!(unchanged["submitted_on"], Value::Null);
    // An ordinary member cannot submit the cell's report.
    let (st, _) = api(&app, "dangvien", Some(body("ht")), &review).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, done) = api(&app, "bithu", Some(body("ht")), &review).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["stage"], "cell");
    assert_eq!(done["allowed"], "ht");
    assert_eq!(done["self_points"], 92);

    // 10/12: the cell's conference (chuyên đề) votes the proposal.
    set_december(&app, 10);
    let vote = closed_vote(&app, &bithu, cell).await;
    let proposal = format!("{path}/proposal");
    let (st, e) = api(
        &app,
        "bithu",
        Some(json!({"tier": "htt", "opinions": "Thống nhất", "vote_id": vote})),
        &proposal,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["tier.above_band"]);
    let (st, proposed) = api(
        &app,
        "bithu",
        Some(
            json!({"tier": "ht", "opinions": "Thống nhất với báo cáo kiểm điểm", "vote_id": vote}),
        ),
        &proposal,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["stage"], "upper");

    // 20/12: the upper committee's queue. Outside it: refused. A tier the
    // figures forbid, or a change without its reason: refused. Nothing written.
    set_december(&app, 20);
    let (st, _) = api(
        &app,
        "dangbo.khac",
        Some(json!({"items": [{"cell_id": cell}]})),
        &decide,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = api(
        &app,
        "bithu",
        Some(json!({"items": [{"cell_id": cell}]})),
        &decide,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, e) = api(
        &app,
        "dangbo",
        Some(json!({"items": [{"cell_id": cell, "tier": "htt", "reason": "Nâng mức"}]})),
        &decide,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["tier.above_band"]);
    let (st, e) = api(
        &app,
        "dangbo",
        Some(json!({"items": [{"cell_id": cell, "tier": "kht"}]})),
        &decide,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["evaluation.reason_required"]);
    let (_, still) = api(&app, "dangbo", None, &path).await;
    assert_eq!(still["final_tier"], Value::Null, "{still}");
    // Changed, with its reason, on the queue page.
    let (c, csrf) = app.login("dangbo").await;
    let page = app
        .html(
            &c,
            &format!("/evaluations/rounds/{round}/cells?unit={upper}"),
        )
        .await;
    assert!(page.contains("Hoàn thành nhiệm vụ"), "{page}");
    let res = app
        .post(
            &c,
            &format!("/evaluations/rounds/{round}/cells?unit={upper}"),
            &[
                ("csrf".to_string(), csrf),
                (format!("tier.{cell}"), "kht".to_string()),
                (
                    format!("reason.{cell}"),
                    "Chưa lãnh đạo giải quyết dứt điểm kiến nghị của nhân dân".to_string(),
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, decided) = api(&app, "dangbo", None, &path).await;
    assert_eq!(decided["final_tier"], "kht", "{decided}");
    assert_eq!(decided["stage"], "decided");
    let (st, list) = api(
        &app,
        "dangbo",
        Some(json!({})),
        &format!("/api/v1/evaluations/rounds/{round}/cell-announcement?unit={upper}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["lines"][0]["stage"], "announced");
    assert_eq!(list["totals"]["kht"], 1);
    let (_, closed) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/cases?unit={cell}&closed=true"),
    )
    .await;
    assert!(
        closed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "danh_gia_chi_bo" && c["outcome"] == "hoan_thanh"),
        "{closed}"
    );

    // The report upward of the year counts it.
    let (st, created) = api(
        &app,
        "bithu",
        Some(json!({"unit_id": cell, "period": "nam", "year": 2026})),
        "/api/v1/reports",
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let (_, report) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/reports/{}", created["id"]),
    )
    .await;
    let rating = &report["content"]["figures"]["rating"];
    assert_eq!(rating["cell"]["final_tier"], "kht", "{report}");
    assert_eq!(rating["members"]["total"], members["total"], "{rating}");

    // The cell's dashboard shows it; form 01 and the summary list carry it.
    let (cb, _) = app.login("bithu").await;
    let dash = app.html(&cb, "/dashboard").await;
    assert!(dash.contains("Không hoàn thành nhiệm vụ"), "{dash}");
    let get = async |path: String| {
        let res = cb.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.bytes().await.unwrap().to_vec()
    };
    let docx = docx_text(
        &get(format!(
            "/evaluations/rounds/{round}/cells/{cell}/print?format=docx"
        ))
        .await,
    );
    let pdf = pdf_text(&get(format!("/evaluations/rounds/{round}/cells/{cell}/print")).await);
    let mut texts = vec![("docx", docx)];
    if let Some(p) = pdf {
        texts.push(("pdf", p));
    }
    for (kind, text) in texts {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "01-HD KĐ.ĐG",
            "Số công việc được giao: 5",
            "hoàn thành đúng hạn: 4",
            "Tự chấm điểm: 92",
            "Chi bộ đề xuất: Hoàn thành nhiệm vụ",
            "Không hoàn thành nhiệm vụ",
            "Chưa lãnh đạo giải quyết dứt điểm",
        ] {
            assert!(flat.contains(needle), "{kind}: «{needle}» in {flat}");
        }
    }
    let summary = docx_text(
        &get(format!(
            "/evaluations/rounds/{round}/print?unit={cell}&format=docx"
        ))
        .await,
    );
    let flat = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("XẾP LOẠI CHẤT LƯỢNG CHI BỘ"), "{flat}");
    assert!(
        flat.contains("Chi bộ không hoàn thành nhiệm vụ: 1"),
        "{flat}"
    );
}

/// Two demo cells under one committee and the year's round, opened on 04/12.
async fn round_of_two_cells(app: &TestApp) -> (i64, i64, Vec<i64>) {
    app.services
        .generate_demo(
            DemoSize {
                cells: 2,
                members_per_cell: 8,
            },
            app.now(),
        )
        .await
        .unwrap();
    let cells = app.cell_ids().await;
    let upper = app.services.org(cells[0]).await.unwrap().parent_id.unwrap();
    set_december(app, 4);
    let (st, v) = api(
        app,
        "dangbo",
        Some(json!({"unit_id": upper, "year": 2026, "period": "nam",
                     "self_review_due": app.date_in(6), "round_due": app.date_in(24)})),
        "/api/v1/evaluations/rounds",
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    (v["round"]["id"].as_i64().unwrap(), upper, cells)
}

/// The row of a cell in the upper table's HTML.
fn table_row(page: &str, cell: i64) -> &str {
    let start = page
        .find(&format!("<a href=\"/dashboard?unit={cell}\">"))
        .unwrap_or_else(|| panic!("no row for cell {cell}"));
    let end = page[start..].find("</tr>").unwrap() + start;
    &page[start..end]
}

/// The upper committee's roll-up carries each cell's own rating of the
/// period's year: the decided tier on the table, in its XLSX and its PDF;
/// "—" for a cell without a decision, a proposal included (a proposal is
/// not a rating).
#[db_test]
async fn the_rollup_carries_each_cells_decided_rating(b: Backend) {
    use calamine::{Reader, Xlsx};
    let app = TestApp::empty(b).await;
    let (round, upper, cells) = round_of_two_cells(&app).await;
    let (rated, other) = (cells[0], cells[1]);
    let bithu = app.actor("bithu").await;
    let path = format!("/api/v1/evaluations/rounds/{round}/cells/{rated}");
    let (st, v) = api(
        &app,
        "bithu",
        Some(json!({"points": 85, "self_tier": "htt",
                     "report": "Chi bộ hoàn thành tốt các nhiệm vụ năm 2026."})),
        &format!("{path}/self-review"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    set_december(&app, 10);
    let vote = closed_vote(&app, &bithu, rated).await;
    let (st, v) = api(
        &app,
        "bithu",
        Some(json!({"tier": "htt", "opinions": "Thống nhất", "vote_id": vote})),
        &format!("{path}/proposal"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    let (c, _) = app.login("dangbo").await;
    let year = format!("unit={upper}&period=nam&year=2026");
    // Proposed, not decided: no rating yet.
    let page = app.html(&c, &format!("/dashboard?{year}")).await;
    for cell in [rated, other] {
        let row = table_row(&page, cell);
        assert!(
            row.contains(">—</td>") && !row.contains("Hoàn thành"),
            "cell {cell}: {row}"
        );
    }
    let (st, v) = api(
        &app,
        "dangbo",
        Some(json!({"items": [{"cell_id": rated}]})),
        &format!("/api/v1/evaluations/rounds/{round}/cell-decisions?unit={upper}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    // The table: the decided tier, linked to the rating; the other "—".
    let page = app.html(&c, &format!("/dashboard?{year}")).await;
    let row = table_row(&page, rated);
    assert!(
        row.contains(&format!(
            "<a href=\"/evaluations/rounds/{round}/cells/{rated}\">Hoàn thành tốt nhiệm vụ</a>"
        )),
        "{row}"
    );
    assert!(table_row(&page, other).contains(">—</td>"));
    let (_, t) = api(
        &app,
        "dangbo",
        None,
        &format!("/api/v1/units/{upper}/cell-table?period=nam&year=2026"),
    )
    .await;
    let line = |id: i64| {
        t["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(line(rated)["rating"]["tier"], "htt", "{t}");
    assert_eq!(line(other)["rating"], Value::Null, "{t}");
    // The year before has no rating.
    let (_, before) = api(
        &app,
        "dangbo",
        None,
        &format!("/api/v1/units/{upper}/cell-table?period=nam&year=2025"),
    )
    .await;
    assert!(
        before["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["rating"].is_null()),
        "{before}"
    );

    // The XLSX: the column, the tier, "—", and the count on the total line.
    let get = async |file: &str| {
        let res = c
            .get(app.url(&format!("/rollup/{file}?{year}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{file}");
        res.bytes().await.unwrap().to_vec()
    };
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(get("tong-hop.xlsx").await))
            .expect("an XLSX");
    let range = book.worksheet_range("Tổng hợp").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.iter().any(|c| c == "Chi bộ"))
        .expect("the header");
    let col = rows[header]
        .iter()
        .position(|c| c == "Xếp loại chi bộ")
        .expect("the rating's column");
    let name = |id: i64| {
        let names: Vec<String> = t["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["id"] == id)
            .map(|l| l["name"].as_str().unwrap().to_string())
            .collect();
        names[0].clone()
    };
    let of = |id: i64| {
        rows.iter()
            .find(|r| r.get(1) == Some(&name(id)))
            .unwrap_or_else(|| panic!("no line for {}", name(id)))[col]
            .clone()
    };
    assert_eq!(of(rated), "Hoàn thành tốt nhiệm vụ");
    assert_eq!(of(other), "—");
    assert_eq!(rows[header + 3][col], "1 đã xếp loại", "{rows:?}");

    // The PDF, as printed.
    if let Some(text) = pdf_text(&get("tong-hop.pdf").await) {
        assert!(
            text.contains("Xếp loại chi bộ") && text.contains("Hoàn thành tốt nhiệm vụ"),
            "{text}"
        );
        assert!(text.contains("1 đã xếp loại"), "{text}");
    }
}

/// A round opened before cells were rated (migration 0025) has its
/// members' evaluations but no cell rating: the next start opens them as
/// the round's opening does (the cell's case, dated from the round, by the
/// system, audited); a start with nothing missing writes nothing.
#[db_test]
async fn an_earlier_round_gets_its_cell_ratings_at_the_next_start(b: Backend) {
    let app = TestApp::empty(b).await;
    let (round, upper, cells) = round_of_two_cells(&app).await;
    let s = &app.services;
    let read = async |services: &chibo_server::service::Services| {
        services
            .db
            .read(async |r| {
                let mut out = Vec::new();
                for cell in &cells {
                    if let Some(e) = store::cell_ratings::of_cell(r, round, *cell).await? {
                        let case = store::cases::get(r, e.case_id).await?.unwrap();
                        out.push((e, case));
                    }
                }
                Ok::<_, store::StoreError>(out)
            })
            .await
            .unwrap()
    };
    let opened = read(s).await;
    assert_eq!(opened.len(), 2);
    let upper_path = s.org(upper).await.unwrap().path;
    let members =
        s.db.read(async |r| store::evaluations::of_round(r, round, &upper_path).await)
            .await
            .unwrap()
            .len();
    assert!(members > 0);
    // An instance of before 0025: no cell rating, no cell case.
    app.tamper(
        "DELETE FROM cell_evaluation; DELETE FROM case_file WHERE kind = 'danh_gia_chi_bo'".into(),
    )
    .await;
    assert!(read(s).await.is_empty());

    // The next start, on a later day, on the same database.
    set_december(&app, 6);
    let data_dir = app.sqlite_path().parent().unwrap().to_path_buf();
    let restart = async || {
        let dir = data_dir.clone();
        crate::ops::Peer::of(&app, |cfg| {
            if b == Backend::Sqlite {
                cfg.data_dir = dir;
            }
        })
        .await
    };
    let peer = restart().await;
    let back = read(&peer.services).await;
    assert_eq!(back.len(), 2, "{back:?}");
    for ((e, case), (_, before)) in back.iter().zip(&opened) {
        assert_eq!(e.submitted_on, None);
        assert_eq!(case.kind, chibo_rules::CaseKind::DanhGiaChiBo);
        assert_eq!(case.cell_id, e.cell_id);
        // Dated from the round, as its opening dated them, not the start's day.
        assert_eq!(case.opened_on, before.opened_on);
        assert_eq!(case.input_dates, before.input_dates);
        assert_eq!(case.closed_on, None);
        let entries =
            s.db.read(async |r| store::audit::for_entity(r, "case", case.id).await)
                .await
                .unwrap();
        let entry = entries
            .iter()
            .find(|x| x.action == "cell_rating.open")
            .expect("the opening is audited");
        assert_eq!(entry.actor, "Hệ thống (system)");
        assert!(
            entry.summary.contains(&format!("\"round_id\":{round}")),
            "{}",
            entry.summary
        );
    }
    // The cell's page works again: its figures, its report to write.
    let (st, v) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/evaluations/rounds/{round}/cells/{}", cells[0]),
    )
    .await;
    assert_eq!(
        (st, &v["stage"]),
        (StatusCode::OK, &json!("self_review")),
        "{v}"
    );

    // Another start: nothing missing, nothing written.
    let heads = async || {
        s.db.read(async |r| store::audit::heads(r).await)
            .await
            .unwrap()
    };
    let chains = heads().await;
    let again = restart().await;
    let same = read(&again.services).await;
    assert_eq!(
        same.iter().map(|(e, _)| e.id).collect::<Vec<_>>(),
        back.iter().map(|(e, _)| e.id).collect::<Vec<_>>()
    );
    assert_eq!(
        heads().await,
        chains,
        "no audit entry at a start with nothing to do"
    );
}
