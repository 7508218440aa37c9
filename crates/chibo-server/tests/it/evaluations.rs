//! The annual evaluation (issue 16) over the JSON API and the pages: a cell
//! of twenty from the round's opening to the announcement, the HTXS quota
//! binding, one tier changed by the upper committee, the summary list's
//! figures (page, API, XLSX, PDF, DOCX) equal to the records; the late
//! self-review and the bad input, each refused with nothing written.

use crate::support::{Backend, TestApp, docx_text, pdf_text};
use chibo_rules::DecisionKind;
use chibo_server::model::{Presence, TaskDraft, VoteMode};
use chibo_server::service::Actor;
use chibo_server::service::demo::DemoSize;
use chibo_server::service::evaluations::{ProposalForm, SelfReviewForm};
use chibo_server::service::meetings::MeetingForm;
use chibo_server::service::tasks::ProgressForm;
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Sets the app's clock to 09:30 in Hà Nội on a day of December 2026.
fn set_december(app: &TestApp, d: u32) {
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 12, d, 2, 30, 0)
            .single()
            .expect("valid"),
    );
}

/// A demo of one cell of twenty members.
async fn cell_of_twenty(b: Backend) -> (TestApp, i64, i64) {
    let app = TestApp::empty(b).await;
    app.services
        .generate_demo(
            DemoSize {
                cells: 1,
                members_per_cell: 20,
            },
            app.now(),
        )
        .await
        .expect("demo");
    let cell = app.cell_ids().await[0];
    let upper = app.services.org(cell).await.unwrap().parent_id.unwrap();
    (app, cell, upper)
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

/// The member's own account: the demo member's grant on the cell, as each
/// member's account holds one.
fn as_member(template: &Actor, member_id: i64) -> Actor {
    Actor {
        member_id: Some(member_id),
        login: format!("dv{member_id}"),
        ..template.clone()
    }
}

fn scores(points: [u32; 4]) -> BTreeMap<String, u32> {
    [
        "chinh_tri_tu_tuong",
        "dao_duc_loi_song",
        "y_thuc_to_chuc_ky_luat",
        "ket_qua_nhiem_vu",
    ]
    .into_iter()
    .map(String::from)
    .zip(points)
    .collect()
}

/// The evaluations table as stored: (member, tier decided).
async fn stored(app: &TestApp, round: i64, cell: i64) -> Vec<(i64, Option<String>, bool)> {
    let o = app.services.org(cell).await.unwrap();
    app.services
        .db
        .read(async |r| store::evaluations::of_round(r, round, &o.path).await)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.member_id, e.final_tier, e.exempt))
        .collect()
}

/// Every text of a workbook's sheets and shared strings.
fn xlsx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap_or_default().to_string();
        if name.starts_with("xl/") && name.ends_with(".xml") {
            let mut xml = String::new();
            f.read_to_string(&mut xml).unwrap();
            let mut inside = false;
            for ch in xml.chars() {
                match ch {
                    '<' => {
                        inside = true;
                        out.push(' ');
                    }
                    '>' => inside = false,
                    c if !inside => out.push(c),
                    _ => {}
                }
            }
        }
    }
    out
}

#[db_test]
async fn a_cell_of_twenty_runs_its_december_evaluation(b: Backend) {
    let (app, cell, upper) = cell_of_twenty(b).await;
    let s = &app.services;
    let bithu = app.actor("bithu").await;
    let member = app.actor("dangvien").await;
    let roll =
        s.db.read(async |r| store::members::of_cell(r, cell).await)
            .await
            .unwrap();
    assert_eq!(roll.len(), 20);
    // One member exempt from party work: listed, not rated.
    let exempt = roll
        .iter()
        .find(|m| {
            m.status == "chinh_thuc"
                && Some(m.id) != member.member_id
                && Some(m.id) != bithu.member_id
        })
        .unwrap()
        .id;
    s.add_status(
        &bithu,
        exempt,
        chibo_server::model::Status::MienSinhHoat,
        app.today(),
        Some("Tuổi cao, sức yếu"),
        app.now(),
    )
    .await
    .unwrap();

    // The tasks of the year: four members finish theirs on time (HTXS needs
    // it), one leaves theirs past its deadline.
    let already_exempt = roll.iter().filter(|m| m.status == "mien_sinh_hoat").count();
    let exempts = already_exempt + 1;
    let candidates: Vec<i64> = roll
        .iter()
        .filter(|m| (m.status == "chinh_thuc" || m.status == "du_bi") && m.id != exempt)
        .map(|m| m.id)
        .collect();
    let stars: Vec<i64> = candidates
        .iter()
        .copied()
        .filter(|id| Some(*id) != member.member_id)
        .take(4)
        .collect();
    let late = candidates
        .iter()
        .copied()
        .find(|id| !stars.contains(id) && Some(*id) != member.member_id)
        .unwrap();
    let mut tasks = Vec::new();
    for (i, lead) in stars.iter().chain([&late]).enumerate() {
        let id = s
            .add_standing_duty(
                &bithu,
                Some(cell),
                &TaskDraft {
                    title: format!("Vận động hộ gia đình tổ {} phân loại rác", i + 1),
                    lead_id: Some(*lead),
                    co_owner_ids: vec![],
                    deadline: (app.today() + chrono::Duration::days(2))
                        .format("%d/%m/%Y")
                        .to_string(),
                },
                app.now(),
            )
            .await
            .unwrap();
        tasks.push(id);
    }
    set_december(&app, 4);
    for t in &tasks[..4] {
        let version =
            s.db.read(async |r| store::tasks::get(r, *t).await)
                .await
                .unwrap()
                .unwrap()
                .version;
        s.update_progress(
            &bithu,
            *t,
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
    }

    // 04/12: the upper committee opens the 2026 round.
    let (st, v) = api(
        &app,
        "dangbo",
        Some(json!({"unit_id": upper, "year": 2026, "period": "nam",
                     "self_review_due": app.date_in(6), "round_due": app.date_in(21)})),
        "/api/v1/evaluations/rounds",
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let round = v["round"]["id"].as_i64().unwrap();
    assert_eq!(v["totals"]["total"], 20, "{v}");
    assert_eq!(v["totals"]["exempt"], exempts, "{v}");
    let rated: Vec<i64> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["exempt"] == false)
        .map(|l| l["member_id"].as_i64().unwrap())
        .collect();
    assert_eq!(v["totals"]["pending"], rated.len(), "{v}");
    assert!(rated.len() >= 15, "{v}");
    // The same round again: refused.
    let (st, again) = api(
        &app,
        "dangbo",
        Some(json!({"unit_id": upper, "year": 2026, "period": "nam",
                     "self_review_due": app.date_in(6), "round_due": app.date_in(21)})),
        "/api/v1/evaluations/rounds",
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&again), ["evaluation.round_exists"]);
    let line = |m: i64| {
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["member_id"] == m)
            .unwrap()["evaluation_id"]
            .as_i64()
            .unwrap()
    };

    // 07/12: the late member's task is overdue; the self-reviews come in.
    set_december(&app, 7);
    let mine = line(member.member_id.unwrap());
    let (st, form) = api(
        &app,
        "dangvien",
        None,
        &format!("/api/v1/evaluations/{mine}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{form}");
    assert_eq!(form["form"], "2C-HD KĐ.ĐG");
    assert_eq!(form["criteria"].as_array().unwrap().len(), 4);
    assert_eq!(form["may_submit"], true);
    // A tier above the points' band: refused with the rule, nothing written.
    let (st, e) = api(
        &app,
        "dangvien",
        Some(json!({"scores": scores([9, 9, 9, 58]), "self_tier": "htxs", "text": "Chấp hành tốt chủ trương, nghị quyết."})),
        &format!("/api/v1/evaluations/{mine}/self-review"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["tier.above_band"]);
    assert!(messages(&e).contains("366-QĐ/TW"), "{e}");
    // Points above a criterion's maximum.
    let (st, e) = api(
        &app,
        "dangvien",
        Some(json!({"scores": scores([12, 9, 9, 58]), "self_tier": "htt", "text": "Tự kiểm điểm"})),
        &format!("/api/v1/evaluations/{mine}/self-review"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["evaluation.score_above"]);
    let (st, after) = api(
        &app,
        "dangvien",
        None,
        &format!("/api/v1/evaluations/{mine}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(after["submitted_on"], Value::Null, "nothing written");
    // Another member cannot submit it.
    let (st, _) = api(
        &app,
        "bithu",
        Some(json!({"scores": scores([9, 9, 9, 58]), "self_tier": "htt", "text": "x"})),
        &format!("/api/v1/evaluations/{mine}/self-review"),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, done) = api(
        &app,
        "dangvien",
        Some(json!({"scores": scores([9, 9, 9, 58]), "self_tier": "htt", "text": "Chấp hành tốt chủ trương, nghị quyết."})),
        &format!("/api/v1/evaluations/{mine}/self-review"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["self_points"], 85);

    // The others, each from their own account.
    for m in rated
        .iter()
        .copied()
        .filter(|m| Some(*m) != member.member_id)
    {
        let who = as_member(&member, m);
        let id = line(m);
        let (points, tier, exceeding) = if stars.contains(&m) {
            ([10, 10, 10, 65], "htxs", 1)
        } else if m == late {
            ([10, 10, 10, 65], "htxs", 0)
        } else {
            ([9, 9, 8, 54], "htt", 0)
        };
        let f = SelfReviewForm {
            scores: scores(points),
            self_tier: tier.into(),
            tasks_exceeding: exceeding,
            text: "Giữ vững phẩm chất chính trị, tham gia đầy đủ sinh hoạt chi bộ.".into(),
            ..SelfReviewForm::default()
        };
        let r = s.submit_self_review(&who, id, &f, app.now()).await;
        if m == late {
            // An overdue task: not HTXS (nor any tier needing every task done).
            let e = format!("{:?}", r.unwrap_err());
            assert!(e.contains("tier.above_band") && e.contains("366"), "{e}");
            let view = s.evaluation(&who, id, app.now()).await.unwrap();
            assert_eq!(view.evidence.tasks_overdue, 1);
            let f = SelfReviewForm {
                self_tier: "kht".into(),
                ..f
            };
            s.submit_self_review(&who, id, &f, app.now()).await.unwrap();
        } else {
            r.unwrap();
        }
    }
    // The evidence shown is what the task table holds.
    let star = s
        .evaluation(&bithu, line(stars[0]), app.now())
        .await
        .unwrap();
    assert_eq!(
        (
            star.evidence.tasks_assigned,
            star.evidence.tasks_done,
            star.evidence.tasks_on_time,
            star.evidence.tasks_overdue
        ),
        (1, 1, 1, 0)
    );

    // 08/12: the cell's evaluation meeting (chuyên đề) votes each proposal.
    set_december(&app, 8);
    let meeting = s
        .plan_meeting(
            &bithu,
            cell,
            &MeetingForm {
                kind: "chuyen_de".into(),
                topic: "Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm 2026".into(),
                date: app.date_in(0),
                time: "19:30".into(),
                place: "Nhà văn hóa khu phố 1".into(),
                ..MeetingForm::default()
            },
            app.now(),
        )
        .await
        .unwrap();
    s.open_meeting(
        &bithu,
        meeting,
        Some("Họp sớm theo lịch của đảng ủy"),
        app.now(),
    )
    .await
    .unwrap();
    for r in
        s.db.read(async |r| store::meetings::roll(r, meeting).await)
            .await
            .unwrap()
    {
        s.mark_attendance(
            &bithu,
            meeting,
            r.member_id,
            Presence::CoMat,
            None,
            app.now(),
        )
        .await
        .unwrap();
    }
    let vote = async |subject: &str| {
        let v = s
            .open_vote(
                &bithu,
                meeting,
                DecisionKind::NghiQuyet,
                subject,
                VoteMode::Counts,
                app.now(),
            )
            .await
            .unwrap();
        let (m, _) = s.meeting(&bithu, meeting).await.unwrap();
        let row =
            s.db.read(async |r| store::meetings::vote(r, v).await)
                .await
                .unwrap()
                .unwrap();
        let n = s.vote_voters(&m, &row).len() as u32;
        s.enter_counts(&bithu, meeting, v, (n, 0, 0), app.now())
            .await
            .unwrap();
        v
    };
    // The HTT proposals first, then the four HTXS: the quota (20 % of HTT)
    // lets only some through, the others are refused with the rule.
    let mut order: Vec<i64> = rated
        .iter()
        .copied()
        .filter(|m| !stars.contains(m))
        .collect();
    order.extend(&stars);
    let (mut htxs, mut htt, mut refused) = (0u32, 0u32, 0);
    for m in order {
        let id = line(m);
        let tier = if stars.contains(&m) {
            "htxs"
        } else if m == late {
            "kht"
        } else {
            "htt"
        };
        let v = vote(&format!("Đề xuất xếp loại đảng viên {m}")).await;
        let f = ProposalForm {
            tier: tier.into(),
            opinions: "Thống nhất với bản tự kiểm điểm.".into(),
            vote_id: Some(v),
            ..ProposalForm::default()
        };
        match s.propose_tier(&bithu, id, &f, app.now()).await {
            Ok(()) if tier == "htxs" => htxs += 1,
            Ok(()) if tier == "htt" => htt += 1,
            Ok(()) => {}
            Err(e) => {
                let e = format!("{e:?}");
                assert!(
                    tier == "htxs" && e.contains("tier.quota") && e.contains("21-HD/BTCTW"),
                    "{e}"
                );
                refused += 1;
                // Proposed HTT instead, with a new vote.
                let v = vote(&format!("Đề xuất lại xếp loại đảng viên {m}")).await;
                s.propose_tier(
                    &bithu,
                    id,
                    &ProposalForm {
                        tier: "htt".into(),
                        vote_id: Some(v),
                        ..f
                    },
                    app.now(),
                )
                .await
                .unwrap();
                htt += 1;
            }
        }
    }
    assert!(refused > 0, "the quota binds");
    assert!(htxs <= htt / 5 && htxs > 0, "{htxs} HTXS for {htt} HTT");

    // 15/12: the upper committee approves all and changes one, with a reason.
    set_december(&app, 15);
    let (_, sum) = api(
        &app,
        "dangbo",
        None,
        &format!("/api/v1/evaluations/rounds/{round}?unit={upper}"),
    )
    .await;
    let pending: Vec<&Value> = sum["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["exempt"] == false)
        .collect();
    assert!(pending.iter().all(|l| l["stage"] == "upper"), "{sum}");
    let changed = line(member.member_id.unwrap());
    let items = |reason: &str| -> Value {
        json!({"items": pending.iter().map(|l| {
            let id = l["evaluation_id"].as_i64().unwrap();
            if id == changed { json!({"evaluation_id": id, "tier": "ht", "reason": reason}) }
            else { json!({"evaluation_id": id}) }
        }).collect::<Vec<_>>()})
    };
    // A change without its reason: refused, nothing decided.
    let path = format!("/api/v1/evaluations/rounds/{round}/decisions?unit={upper}");
    let (st, e) = api(&app, "dangbo", Some(items("")), &path).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["evaluation.reason_required"]);
    assert!(
        stored(&app, round, cell)
            .await
            .iter()
            .all(|(_, t, _)| t.is_none())
    );
    // The cell cannot decide for the upper committee.
    let (st, _) = api(&app, "bithu", Some(items("x")), &path).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, decided) = api(
        &app,
        "dangbo",
        Some(items("Chưa chủ động tham gia các phong trào của khu phố")),
        &path,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{decided}");
    let t = &decided["totals"];
    assert_eq!(t["pending"], 0, "{t}");
    assert_eq!(t["htxs"], htxs);
    assert_eq!(t["htt"], htt - 1);
    assert_eq!(t["ht"], 1);
    assert_eq!(t["kht"], 1);

    // The cell announces: every case closes.
    let (st, v) = api(
        &app,
        "bithu",
        Some(json!({"cell_id": cell})),
        &format!("/api/v1/evaluations/rounds/{round}/announce"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, cases) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/cases?unit={cell}&closed=true"),
    )
    .await;
    let evaluations: Vec<&Value> = cases
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "danh_gia_dang_vien")
        .collect();
    assert_eq!(evaluations.len(), rated.len());
    assert!(
        evaluations.iter().all(|c| c["outcome"] == "hoan_thanh"),
        "{cases}"
    );

    // The figures everywhere equal the records.
    let records = stored(&app, round, cell).await;
    let count = |tier: &str| {
        records
            .iter()
            .filter(|(_, t, _)| t.as_deref() == Some(tier))
            .count()
    };
    let (_, sum) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/evaluations/rounds/{round}?unit={cell}"),
    )
    .await;
    for (code, name) in [
        ("htxs", "Hoàn thành xuất sắc nhiệm vụ"),
        ("htt", "Hoàn thành tốt nhiệm vụ"),
        ("ht", "Hoàn thành nhiệm vụ"),
        ("kht", "Không hoàn thành nhiệm vụ"),
    ] {
        assert_eq!(
            sum["totals"][code].as_u64().unwrap() as usize,
            count(code),
            "{code}"
        );
        let _ = name;
    }
    assert_eq!(sum["totals"]["exempt"], exempts);
    let (c, _) = app.login("bithu").await;
    let page = app
        .html(&c, &format!("/evaluations/rounds/{round}?unit={cell}"))
        .await;
    assert!(
        page.contains("Chưa chủ động tham gia"),
        "the reason is listed"
    );
    let get = async |path: String| {
        let res = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.bytes().await.unwrap().to_vec()
    };
    let xlsx = xlsx_text(&get(format!("/evaluations/rounds/{round}/export?unit={cell}")).await);
    let docx = docx_text(
        &get(format!(
            "/evaluations/rounds/{round}/print?unit={cell}&format=docx"
        ))
        .await,
    );
    let pdf = pdf_text(&get(format!("/evaluations/rounds/{round}/print?unit={cell}")).await);
    let mut texts = vec![("xlsx", xlsx), ("docx", docx)];
    if let Some(p) = pdf {
        texts.push(("pdf", p));
    }
    for (kind, text) in texts {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for (label, n) in [
            ("Hoàn thành xuất sắc nhiệm vụ", count("htxs")),
            ("Hoàn thành tốt nhiệm vụ", count("htt")),
            ("Không hoàn thành nhiệm vụ", count("kht")),
            ("Miễn đánh giá, xếp loại", exempts),
            ("Tổng số đảng viên", 20),
        ] {
            assert!(
                flat.contains(&format!("{label}: {n}")),
                "{kind}: «{label}: {n}» in {flat}"
            );
        }
        assert!(
            flat.contains("Chưa chủ động tham gia"),
            "{kind}: the reason"
        );
    }

    // The member's rating history shows the tier decided.
    let (st, history) = api(
        &app,
        "dangvien",
        None,
        &format!("/api/v1/members/{}/evaluations", member.member_id.unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{history}");
    assert_eq!(history[0]["year"], 2026);
    assert_eq!(history[0]["final_tier"], "ht");
    // And their page in the registry.
    let page = app
        .html(&c, &format!("/members/{}", member.member_id.unwrap()))
        .await;
    assert!(page.contains("Kết quả xếp loại chất lượng"), "{page}");
    assert!(page.contains("Hoàn thành nhiệm vụ"), "{page}");
}

#[db_test]
async fn a_late_self_review_needs_the_committees_permission(b: Backend) {
    let (app, _cell, upper) = cell_of_twenty(b).await;
    let member = app.actor("dangvien").await.member_id.unwrap();
    let self_due = app.date_in(7);
    let (st, v) = api(
        &app,
        "dangbo",
        Some(json!({"unit_id": upper, "year": 2026, "self_review_due": self_due, "round_due": app.date_in(22)})),
        "/api/v1/evaluations/rounds",
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["member_id"] == member)
        .unwrap()["evaluation_id"]
        .as_i64()
        .unwrap();
    // 11/12 (a Friday): past the deadline.
    set_december(&app, 11);
    let body = json!({"scores": scores([8, 8, 8, 50]), "self_tier": "htt", "text": "Tự kiểm điểm năm 2026"});
    let path = format!("/api/v1/evaluations/{id}/self-review");
    let (st, e) = api(&app, "dangvien", Some(body.clone()), &path).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["evaluation.late"]);
    assert!(messages(&e).contains(&self_due), "{e}");
    // The member cannot permit themselves; the committee records it.
    let permit = format!("/api/v1/evaluations/{id}/late-permission");
    let (st, _) = api(&app, "dangvien", Some(json!({"reason": "x"})), &permit).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, e) = api(&app, "bithu", Some(json!({"reason": ""})), &permit).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (st, _) = api(
        &app,
        "bithu",
        Some(json!({"reason": "Đồng chí đi điều trị tại bệnh viện đến 10/12"})),
        &permit,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, done) = api(&app, "dangvien", Some(body), &path).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    // The case's step is late, and cites the permission.
    let (_, case) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/cases/{}", done["case_id"]),
    )
    .await;
    let step = case["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["step"] == "tu_kiem_diem")
        .unwrap()
        .clone();
    assert_eq!(
        step["late_reason"],
        "Đồng chí đi điều trị tại bệnh viện đến 10/12"
    );
    // A proposal before the meeting voted: refused with the vote missing.
    let (st, e) = api(
        &app,
        "bithu",
        Some(json!({"tier": "htt"})),
        &format!("/api/v1/evaluations/{id}/proposal"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(codes(&e), ["case.vote_required"]);
    // Only an upper committee opens a round.
    let cell = app.cell_ids().await[0];
    let (st, _) = api(
        &app,
        "bithu",
        Some(json!({"unit_id": cell, "year": 2027, "self_review_due": app.date_in(364), "round_due": app.date_in(379)})),
        "/api/v1/evaluations/rounds",
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[db_test]
async fn the_demo_holds_a_finished_evaluation_year(b: Backend) {
    let app = TestApp::demo(b).await;
    let rated = app
        .services
        .generate_demo_evaluations(app.now(), 20)
        .await
        .unwrap();
    assert!(rated >= 20, "{rated}");
    let cell = app.cell_ids().await[0];
    let (st, rounds) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/evaluations/rounds?unit={cell}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{rounds}");
    assert_eq!(rounds[0]["year"], 2025);
    let round = rounds[0]["id"].as_i64().unwrap();
    let (_, sum) = api(
        &app,
        "bithu",
        None,
        &format!("/api/v1/evaluations/rounds/{round}?unit={cell}"),
    )
    .await;
    assert_eq!(sum["totals"]["pending"], 0, "{sum}");
    let t = &sum["totals"];
    assert!(t["htt"].as_i64().unwrap() > 0, "{t}");
    assert!(
        t["htxs"].as_i64().unwrap() <= sum["max_htxs"].as_i64().unwrap(),
        "{sum}"
    );
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
            .filter(|c| c["kind"] == "danh_gia_dang_vien")
            .all(|c| c["outcome"] == "hoan_thanh"),
        "{closed}"
    );
}
