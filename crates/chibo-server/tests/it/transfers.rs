//! Transfers between cells with the two-sided handshake (issue 14), over
//! the JSON API on both backends: from proposal to reception between cells
//! of two different upper committees, every deadline; one that times out and
//! is refused; the bad input refused with the rule cited, nothing written;
//! and the dues ledger the letter reads.

use crate::support::{Backend, TestApp, pdf_text};
use chibo_rules::DecisionKind;
use chibo_server::model::{MemberFields, Presence, Role, VoteMode};
use chibo_server::service::accounts::NewAccount;
use chibo_server::service::meetings::MeetingForm;
use chibo_server::service::orgs::OrgFields;
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

struct Api<'a> {
    app: &'a TestApp,
    login: &'static str,
}

impl Api<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let c = TestApp::client();
        let url = self.app.url(path);
        let req = match (method, body) {
            ("POST", Some(b)) => c.post(url).json(b),
            ("PUT", Some(b)) => c.put(url).json(b),
            _ => c.get(url),
        };
        let token = self.app.token_for(self.login).await;
        let res = req.bearer_auth(&token).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (s, v) = self.send("GET", path, None).await;
        assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
        v
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send("POST", path, Some(&body)).await
    }

    async fn step(&self, case: i64, body: Value) -> Value {
        let (s, v) = self
            .post(&format!("/api/v1/cases/{case}/steps"), body.clone())
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {body}: {v}", self.login);
        v
    }

    /// A request that must be refused with `code`, the transfer unchanged.
    async fn refused(&self, path: &str, body: Value, code: &str, case: Option<i64>) -> String {
        let before = match case {
            Some(c) => Some(self.get(&format!("/api/v1/transfers/{c}")).await),
            None => None,
        };
        let (s, v) = self.post(path, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        let problems = v["problems"].as_array().cloned().unwrap_or_default();
        assert!(
            problems.iter().any(|p| p["code"] == code),
            "{code} expected for {body}: {v}"
        );
        if let (Some(c), Some(before)) = (case, before) {
            let after = self.get(&format!("/api/v1/transfers/{c}")).await;
            assert_eq!(before, after, "nothing written by a refusal");
        }
        problems
            .iter()
            .map(|p| p["message"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

fn step_of<'a>(d: &'a Value, code: &str) -> &'a Value {
    d["case"]["steps"]
        .as_array()
        .or_else(|| d["steps"].as_array())
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("no step {code}"))
}

/// A passed resolution of the cell's meeting held today.
async fn cell_vote(app: &TestApp, login: &str, cell_id: i64) -> i64 {
    let s = &app.services;
    let bithu = app.actor(login).await;
    let form = MeetingForm {
        kind: "thuong_ky".into(),
        date: app.date_in(0),
        time: "19:30".into(),
        place: "Hội trường".into(),
        ..MeetingForm::default()
    };
    let id = s
        .plan_meeting(&bithu, cell_id, &form, app.now())
        .await
        .unwrap();
    s.open_meeting(&bithu, id, Some("Họp tiếp nhận đảng viên"), app.now())
        .await
        .unwrap();
    for r in
        s.db.read(async |r| store::meetings::roll(r, id).await)
            .await
            .unwrap()
    {
        s.mark_attendance(&bithu, id, r.member_id, Presence::CoMat, None, app.now())
            .await
            .unwrap();
    }
    let vote = s
        .open_vote(
            &bithu,
            id,
            DecisionKind::NghiQuyet,
            "Tiếp nhận đảng viên chuyển đến",
            VoteMode::Counts,
            app.now(),
        )
        .await
        .unwrap();
    let (m, _) = s.meeting(&bithu, id).await.unwrap();
    let v =
        s.db.read(async |r| store::meetings::vote(r, vote).await)
            .await
            .unwrap()
            .unwrap();
    let voters = s.vote_voters(&m, &v).len() as u32;
    s.enter_counts(&bithu, id, vote, (voters, 0, 0), app.now())
        .await
        .unwrap();
    vote
}

/// A second đảng bộ (another upper committee) with one cell of three full
/// members, its secretary `bithu.b` and its office `dangbo.b`.
async fn other_dang_bo(app: &TestApp) -> (i64, i64) {
    let s = &app.services;
    let admin = app.actor("quantri").await;
    let org = |kind: &str, name: &str, code: &str| OrgFields {
        kind: kind.into(),
        name: name.into(),
        code: code.into(),
        cell_type: if kind == "chi_bo" {
            "thon_to_dan_pho".into()
        } else {
            String::new()
        },
        ..OrgFields::default()
    };
    let upper = s
        .create_org(
            &admin,
            None,
            &org("dang_bo", "Đảng bộ phường Tân Định", "79.999.998.000.000"),
            app.now(),
        )
        .await
        .unwrap();
    let cell = s
        .create_org(
            &admin,
            Some(upper),
            &org("chi_bo", "Chi bộ Khu phố 7", "79.999.998.000.007"),
            app.now(),
        )
        .await
        .unwrap();
    for (login, role, unit) in [
        ("bithu.b", Role::BiThu, cell),
        ("dangbo.b", Role::Upper, upper),
    ] {
        s.create_account(
            &admin,
            &NewAccount {
                login,
                display_name: login,
                password: "mat-khau-dai-du-12",
                role,
                org_id: Some(unit),
                member_id: None,
            },
            app.now(),
        )
        .await
        .unwrap();
    }
    for (i, name) in ["Lê Văn Tám", "Phạm Thị Chín", "Đỗ Văn Mười"]
        .iter()
        .enumerate()
    {
        let f = MemberFields {
            full_name: (*name).into(),
            date_of_birth: format!("0{}/01/1970", i + 1),
            admission_date: "01/01/2000".into(),
            official_date: "01/01/2001".into(),
            ..MemberFields::default()
        };
        s.create_member(&admin, cell, &f, None, app.now())
            .await
            .unwrap();
    }
    (upper, cell)
}

/// A full member of the cell who holds no post, with dues paid as a
/// student (5 000 đ, QĐ 01-QĐ/TW) from March to `through` of 2026.
async fn member_with_dues(api: &Api<'_>, cell: i64, through: u32) -> i64 {
    let members = api
        .app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let m = members
        .iter()
        .rev()
        // Below 50 years of party age (older members are exempt from dues).
        .find(|m| {
            m.status == "chinh_thuc"
                && m.admission_date
                    .is_some_and(|d| chrono::Datelike::year(&d) > 1980)
        })
        .expect("a full member")
        .id;
    let (s, v) = api
        .post(
            "/api/v1/dues/categories",
            json!({"member_id": m, "from_month": "2026-03", "category": "student"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for month in 3..=through {
        let (s, v) = api
            .post(
                "/api/v1/dues/payments",
                json!({"member_id": m, "month": format!("2026-{month:02}")}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    m
}

async fn status_of(app: &TestApp, member: i64) -> (i64, String) {
    let m = app
        .services
        .db
        .read(async |r| store::members::get(r, member).await)
        .await
        .unwrap()
        .unwrap();
    (m.cell_id, m.status.as_str().to_string())
}

#[db_test]
async fn a_member_moves_between_two_upper_committees_by_the_handshake(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell_a = app.cell_ids().await[0];
    let (upper_b, cell_b) = other_dang_bo(&app).await;
    let origin = Api {
        app: &app,
        login: "bithu",
    };
    let origin_upper = Api {
        app: &app,
        login: "dangbo",
    };
    let dest = Api {
        app: &app,
        login: "bithu.b",
    };
    let dest_upper = Api {
        app: &app,
        login: "dangbo.b",
    };
    let member = member_with_dues(&origin, cell_a, 11).await;

    // Bad input first: the same cell, refused with the rule, nothing written.
    let msg = origin
        .refused(
            "/api/v1/transfers",
            json!({"member_id": member, "kind": "chuyen_chinh_thuc", "dest_cell_id": cell_a, "reason": "Chuyển nơi cư trú"}),
            "transfer.same_cell",
            None,
        )
        .await;
    assert!(msg.contains("QĐ") || msg.contains("Quyết định"), "{msg}");
    assert_eq!(status_of(&app, member).await, (cell_a, "chinh_thuc".into()));

    // 03/12/2026: the origin proposes; the member is in transit, on neither roll.
    let (s, t) = origin
        .post(
            "/api/v1/transfers",
            json!({"member_id": member, "kind": "chuyen_chinh_thuc", "dest_cell_id": cell_b,
                   "reason": "Chuyển nơi cư trú về phường Tân Định", "decision_date": app.date_in(0)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["transfer"]["case_id"].as_i64().unwrap();
    assert_eq!(
        status_of(&app, member).await,
        (cell_a, "dang_chuyen".into())
    );
    let on_roll = |cell: i64| {
        let app = &app;
        async move {
            app.services
                .db
                .read(async |r| store::members::of_cell(r, cell).await)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.status.on_list())
                .any(|m| m.id == member)
        }
    };
    assert!(!on_roll(cell_a).await && !on_roll(cell_b).await);
    // The procedure's first deadline: 60 working days from the decision.
    let due = &step_of(&t, "cap_giay_gioi_thieu")["due"];
    assert!(
        due["explanation"]
            .as_str()
            .unwrap()
            .contains("60 ngày làm việc"),
        "{due}"
    );
    // 1/1 and Tết 2027 skipped; the rule in force cited.
    assert_eq!(due["date"], "2027-03-05", "{due}");
    assert!(
        due["explanation"]
            .as_str()
            .unwrap()
            .contains("Tết Nguyên đán"),
        "{due}"
    );
    assert!(
        due["explanation"]
            .as_str()
            .unwrap()
            .contains("QĐ 208-QĐ/TW"),
        "{due}"
    );
    // A member already in transit: refused, nothing written.
    origin
        .refused(
            "/api/v1/transfers",
            json!({"member_id": member, "kind": "chuyen_chinh_thuc", "dest_cell_id": cell_b, "reason": "Lần hai"}),
            "transfer.in_transit",
            Some(id),
        )
        .await;

    // Every state is visible to both cells and both upper committees.
    for (api, unit, dir) in [
        (&origin, cell_a, "outgoing"),
        (&dest, cell_b, "incoming"),
        (&dest_upper, upper_b, "incoming"),
    ] {
        let list = api.get(&format!("/api/v1/transfers?unit={unit}")).await;
        let line = list
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["transfer"]["case_id"] == id)
            .unwrap_or_else(|| panic!("{} sees the transfer: {list}", api.login));
        assert_eq!(line["direction"], dir);
    }
    origin_upper.get(&format!("/api/v1/transfers/{id}")).await;

    // The origin's steps, then the letter: refused while December is unpaid.
    origin
        .step(id, json!({"step": "de_nghi", "forms": ["TKĐ-CSHĐ"]}))
        .await;
    origin.step(id, json!({"step": "hop_xem_xet"})).await;
    let (s, _) = origin
        .post(
            &format!("/api/v1/cases/{id}/steps"),
            json!({"step": "cap_giay_gioi_thieu", "forms": ["GGT-CT", "2-HSĐV"]}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the cell does not issue the letter"
    );
    let msg = origin_upper
        .refused(
            &format!("/api/v1/cases/{id}/steps"),
            json!({"step": "cap_giay_gioi_thieu", "forms": ["GGT-CT", "2-HSĐV"]}),
            "dang_phi.not_paid",
            Some(id),
        )
        .await;
    assert!(msg.contains("12/2026") && msg.contains("11/2026"), "{msg}");
    let (s, v) = origin
        .post(
            "/api/v1/dues/payments",
            json!({"member_id": member, "month": "2026-12"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = origin_upper
        .send(
            "PUT",
            &format!("/api/v1/transfers/{id}/letter"),
            Some(&json!({"letter_no": "125", "history_no": "LL-0042", "register_no": "17", "portal_ref": "G22.125-261203-0001"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let v = origin_upper
        .step(id, json!({"step": "cap_giay_gioi_thieu", "forms": ["GGT-CT", "2-HSĐV"], "doc_number": "125"}))
        .await;
    assert_eq!(step_of(&v, "cap_giay_gioi_thieu")["state"], "done");
    // The member presents the letter within 30 working days of its date.
    let due = &step_of(&v, "xuat_trinh")["due"];
    assert_eq!(due["date"], "2027-01-15", "{due}");
    assert!(
        due["explanation"]
            .as_str()
            .unwrap()
            .contains("30 ngày làm việc"),
        "{due}"
    );
    let t = dest.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["transfer"]["dues_paid_through"], "2026-12");
    assert_eq!(t["transfer"]["portal_ref"], "G22.125-261203-0001");

    // The letter, in PDF and DOCX, with its fields.
    let c = TestApp::client();
    let token = app.token_for("bithu").await;
    let pdf = c
        .get(app.url(&format!("/api/v1/transfers/{id}/letter")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let bytes = pdf.bytes().await.unwrap();
    if let Some(text) = pdf_text(&bytes) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("GIỚI THIỆU SINH HOẠT ĐẢNG"), "{flat}");
        assert!(flat.contains("hết tháng 12/2026"), "{flat}");
        assert!(flat.contains("LL-0042"), "{flat}");
    }
    let docx = c
        .get(app.url(&format!("/api/v1/transfers/{id}/letter?format=docx")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(docx.status(), StatusCode::OK);
    let text = crate::support::docx_text(&docx.bytes().await.unwrap());
    assert!(text.contains("Chi bộ Khu phố 7"), "{text}");

    // 14/12/2026: the destination's side. The origin may not act for it.
    set_day(&app, 2026, 12, 14);
    let (s, _) = origin
        .post(
            &format!("/api/v1/cases/{id}/steps"),
            json!({"step": "xuat_trinh"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    dest.step(id, json!({"step": "xuat_trinh"})).await;
    dest_upper.step(id, json!({"step": "kiem_tra_ho_so"})).await;
    // Reception is the destination meeting's resolution.
    dest.refused(
        &format!("/api/v1/cases/{id}/steps"),
        json!({"step": "tiep_nhan"}),
        "case.vote_required",
        Some(id),
    )
    .await;
    let vote = cell_vote(&app, "bithu.b", cell_b).await;
    let v = dest
        .step(id, json!({"step": "tiep_nhan", "vote_id": vote}))
        .await;
    assert_eq!(v["outcome"], "hoan_thanh", "{v}");
    assert_eq!(status_of(&app, member).await, (cell_b, "chinh_thuc".into()));
    assert!(on_roll(cell_b).await && !on_roll(cell_a).await);
    // The whole history kept: the status periods and the dues ledger.
    let history = app
        .services
        .db
        .read(async |r| store::members::status_history(r, member).await)
        .await
        .unwrap();
    let codes: Vec<&str> = history.iter().map(|p| p.status.as_str()).collect();
    assert!(codes.ends_with(&["dang_chuyen", "chinh_thuc"]), "{codes:?}");
    let dues = dest.get(&format!("/api/v1/dues/members/{member}")).await;
    assert_eq!(dues["paid_through"], "2026-12");
    assert_eq!(dues["entries"].as_array().unwrap().len(), 10);
    // The reports upward of December count it on both sides.
    for (api, cell, received, sent) in [(&dest, cell_b, 1, 0), (&origin, cell_a, 0, 1)] {
        let (s, r) = api
            .post(
                "/api/v1/reports",
                json!({"unit_id": cell, "period": "thang", "year": 2026, "index": 12}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let r = api.get(&format!("/api/v1/reports/{}", r["id"])).await;
        let t = &r["content"]["figures"]["transfers"];
        assert_eq!(t["received"], received, "{t}");
        assert_eq!(t["sent"], sent, "{t}");
        assert_eq!(t["in_transit"], 0, "{t}");
    }
}

#[db_test]
async fn a_transfer_not_presented_in_time_alerts_both_sides_and_is_refused(b: Backend) {
    let app = TestApp::demo(b).await;
    let cells = app.cell_ids().await;
    let (cell_a, cell_b) = (cells[0], cells[1]);
    let origin = Api {
        app: &app,
        login: "bithu",
    };
    let upper = Api {
        app: &app,
        login: "dangbo",
    };
    let dest = Api {
        app: &app,
        login: "bithu.2",
    };
    let member = member_with_dues(&origin, cell_a, 12).await;
    let (s, t) = origin
        .post(
            "/api/v1/transfers",
            json!({"member_id": member, "kind": "chuyen_noi_bo", "dest_cell_id": cell_b, "reason": "Về ở với con"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["transfer"]["case_id"].as_i64().unwrap();
    origin.step(id, json!({"step": "de_nghi"})).await;
    let v = upper
        .step(
            id,
            json!({"step": "cap_giay_gioi_thieu", "forms": ["GGT-NB"]}),
        )
        .await;
    let due = step_of(&v, "xuat_trinh")["due"]["date"].clone();
    assert_eq!(due, "2027-01-15", "{v}");

    // 20/01/2027: not presented; the sweep alerts both secretaries, once.
    set_day(&app, 2027, 1, 20);
    let t = dest.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(step_of(&t, "xuat_trinh")["due"]["urgency"], "late");
    app.services.run_reminders(app.now()).await.unwrap();
    app.services.run_reminders(app.now()).await.unwrap();
    let sent = app
        .services
        .db
        .read(async |r| store::cases::reminders(r, id).await)
        .await
        .unwrap();
    let late: Vec<_> = sent
        .iter()
        .filter(|r| r.1 == format!("case:{id}:xuat_trinh:late:2027-01-15"))
        .collect();
    let secretaries = |cell: i64| {
        let app = &app;
        async move {
            app.services
                .db
                .read(async |r| store::orgs::committee(r, cell).await)
                .await
                .unwrap()
                .into_iter()
                .filter(|p| p.role == "bi_thu" && p.end_date.is_none())
                .map(|p| p.member_id)
                .collect::<Vec<_>>()
        }
    };
    for cell in [cell_a, cell_b] {
        for s in secretaries(cell).await {
            assert_eq!(late.iter().filter(|r| r.0 == s).count(), 1, "{sent:?}");
        }
    }
    // The destination refuses: the member returns to the origin with the reason.
    let (s, v) = dest
        .post(
            &format!("/api/v1/cases/{id}/close"),
            json!({"outcome": "tu_choi", "reason": "Đảng viên không đến xuất trình giấy giới thiệu"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(status_of(&app, member).await, (cell_a, "chinh_thuc".into()));
    let t = origin.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(
        t["transfer"]["refusal"],
        "Đảng viên không đến xuất trình giấy giới thiệu"
    );
    assert_eq!(t["transfer"]["outcome"], "tu_choi");
}

/// Full members of the cell below 50 years of party age (older ones are
/// exempt from dues), each with dues paid as a student from March to
/// December 2026: the letter's month is paid.
async fn paying_members(api: &Api<'_>, cell: i64, n: usize) -> Vec<i64> {
    let members = api
        .app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let mut out = Vec::new();
    for m in members.iter().filter(|m| {
        m.status == "chinh_thuc"
            && m.admission_date
                .is_some_and(|d| chrono::Datelike::year(&d) > 1980)
    }) {
        if out.len() == n {
            break;
        }
        // A member the demo's ledger already keeps refuses a second
        // category for March: what it lacks is paid below either way.
        api.post(
            "/api/v1/dues/categories",
            json!({"member_id": m.id, "from_month": "2026-03", "category": "student"}),
        )
        .await;
        for month in 3..=12 {
            api.post(
                "/api/v1/dues/payments",
                json!({"member_id": m.id, "month": format!("2026-{month:02}")}),
            )
            .await;
        }
        let dues = api.get(&format!("/api/v1/dues/members/{}", m.id)).await;
        if dues["paid_through"]
            .as_str()
            .is_some_and(|p| p >= "2026-12")
        {
            out.push(m.id);
        }
    }
    assert_eq!(out.len(), n, "{n} members with dues paid");
    out
}

/// The kinds the last review found untested: abroad (the letter to an
/// organisation outside chibo, PDF and DOCX), temporary (kept on the home
/// list, attached to the host, back home), and the guard on an open
/// discipline case.
#[db_test]
async fn abroad_and_temporary_transfers_and_the_open_case_guard(b: Backend) {
    let app = TestApp::demo(b).await;
    let cells = app.cell_ids().await;
    let (home, host) = (cells[0], cells[1]);
    let origin = Api {
        app: &app,
        login: "bithu",
    };
    let upper = Api {
        app: &app,
        login: "dangbo",
    };
    let hostess = Api {
        app: &app,
        login: "bithu.2",
    };
    let ids = paying_members(&origin, home, 3).await;
    let (abroad, temporary, disciplined) = (ids[0], ids[1], ids[2]);

    // Abroad: to a party organisation outside chibo, the letter issued by
    // the competent committee.
    let (s, t) = origin
        .post(
            "/api/v1/transfers",
            json!({"member_id": abroad, "kind": "chuyen_nuoc_ngoai",
                   "dest_outside": "Chi bộ Đại sứ quán Việt Nam tại Nhật Bản",
                   "reason": "Đi học tập ở nước ngoài"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["transfer"]["case_id"].as_i64().unwrap();
    assert_eq!(status_of(&app, abroad).await, (home, "dang_chuyen".into()));
    origin
        .step(id, json!({"step": "de_nghi", "forms": ["TKĐ-CSHĐ"]}))
        .await;
    let (s, v) = upper
        .send(
            "PUT",
            &format!("/api/v1/transfers/{id}/letter"),
            Some(&json!({"letter_no": "207", "history_no": "LL-0107", "register_no": "9"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    upper
        .step(
            id,
            json!({"step": "cap_giay_gioi_thieu", "forms": ["GGT-NN"], "doc_number": "207"}),
        )
        .await;
    let c = TestApp::client();
    let token = app.token_for("bithu").await;
    let pdf = c
        .get(app.url(&format!("/api/v1/transfers/{id}/letter")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let text = pdf_text(&pdf.bytes().await.unwrap()).expect("pdftotext");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "GIỚI THIỆU SINH HOẠT ĐẢNG",
        "ra nước ngoài",
        "Chi bộ Đại sứ quán Việt Nam tại Nhật Bản",
        "Đi học tập ở nước ngoài",
        "hết tháng 12/2026",
        "LL-0107",
        "Số GTSHĐ): 207",
    ] {
        assert!(flat.contains(part), "{part} in {flat}");
    }
    let docx = c
        .get(app.url(&format!("/api/v1/transfers/{id}/letter?format=docx")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(docx.status(), StatusCode::OK);
    let text = crate::support::docx_text(&docx.bytes().await.unwrap());
    assert!(
        text.contains("Chi bộ Đại sứ quán Việt Nam tại Nhật Bản") && text.contains("12/2026"),
        "{text}"
    );

    // Temporary, to a cell of the same đảng bộ for six months: on the home
    // list as "tạm thời đi", attached to the host once received.
    let return_on = app.today() + chrono::Duration::days(182);
    let (s, t) = origin
        .post(
            "/api/v1/transfers",
            json!({"member_id": temporary, "kind": "chuyen_tam_thoi", "dest_cell_id": host,
                   "reason": "Đi làm việc có thời hạn", "return_on": app.date_in(182)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let tid = t["transfer"]["case_id"].as_i64().unwrap();
    assert_eq!(
        status_of(&app, temporary).await,
        (home, "tam_thoi_di".into())
    );
    assert_eq!(t["transfer"]["return_on"], return_on.to_string());
    // Too short a stay is refused with the rule (3 months at least).
    let other = ids[2];
    origin
        .refused(
            "/api/v1/transfers",
            json!({"member_id": other, "kind": "chuyen_tam_thoi", "dest_cell_id": host,
                   "reason": "Ngắn hạn", "return_on": app.date_in(31)}),
            "transfer.temporary_length",
            None,
        )
        .await;
    origin.step(tid, json!({"step": "de_nghi"})).await;
    upper
        .step(
            tid,
            json!({"step": "cap_giay_gioi_thieu", "forms": ["GGT-TT"]}),
        )
        .await;
    let pdf = c
        .get(app.url(&format!("/api/v1/transfers/{tid}/letter")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let text = pdf_text(&pdf.bytes().await.unwrap()).expect("pdftotext");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("tạm thời đến ngày 03/06/2027"), "{flat}");
    hostess.step(tid, json!({"step": "xuat_trinh"})).await;
    let vote = cell_vote(&app, "bithu.2", host).await;
    hostess
        .step(tid, json!({"step": "tiep_nhan", "vote_id": vote}))
        .await;
    let t = hostess.get(&format!("/api/v1/transfers/{tid}")).await;
    assert_eq!(t["transfer"]["attached"], true, "{t}");
    assert_eq!(
        status_of(&app, temporary).await,
        (home, "tam_thoi_di".into())
    );
    let (hc, _) = app.login("bithu.2").await;
    let html = app.html(&hc, &format!("/transfers?unit={host}")).await;
    assert!(html.contains("id=\"attached\""), "{html}");
    // Back home: the standing before it, the case completed.
    let v = origin.step(tid, json!({"step": "tro_ve"})).await;
    assert_eq!(v["outcome"], "hoan_thanh", "{v}");
    assert_eq!(
        status_of(&app, temporary).await,
        (home, "chinh_thuc".into())
    );

    // The guard: an open discipline case (a kind the pack lists in
    // transfer_blocked_by_open_cases) blocks a transfer; nothing written.
    let s = &app.services;
    let mut tx = s.db.begin().await.unwrap();
    store::cases::insert_case(
        &mut tx,
        &store::cases::NewCase {
            cell_id: home,
            kind: chibo_rules::CaseKind::KyLuat,
            candidate_id: None,
            member_id: Some(disciplined),
            opened_on: app.today(),
            input_dates: "{}",
            due_on: None,
        },
        app.now(),
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    let msg = origin
        .refused(
            "/api/v1/transfers",
            json!({"member_id": disciplined, "kind": "chuyen_noi_bo", "dest_cell_id": host,
                   "reason": "Chuyển nơi cư trú"}),
            "ho_so_mo.case",
            None,
        )
        .await;
    assert!(msg.contains("232-QĐ/TW"), "{msg}");
    assert_eq!(
        status_of(&app, disciplined).await,
        (home, "chinh_thuc".into())
    );
}
