//! The reminder sweep at a cost that follows its batch, not the instance
//! (issue 18): the `review:` reminders walk the notified meetings by key from
//! the last pair of the batch before, and a case is worked through the rule
//! packs only when its kept next reminder day has come. The same reminders
//! go out as when every pass worked every pending pair and every open case:
//! each owed reminder once, to the same people, across batch boundaries, for
//! a task two notified meetings review, and for a deadline moved after its
//! reminder.

use crate::support::{Backend, TestApp};
use chibo_server::store;
use chibo_test_macros::db_test;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn call(app: &TestApp, login: &str, post: Option<Value>, path: &str) -> Value {
    let c = TestApp::client();
    let req = match &post {
        Some(body) => c.post(app.url(path)).json(body),
        None => c.get(app.url(path)),
    };
    let res = req
        .bearer_auth(app.token_for(login).await)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The keys of the case reminders the cases' own pages say are owed today:
/// every open step due soon or late (the list the upper committee reads).
async fn owed_today(app: &TestApp, unit: i64) -> BTreeSet<String> {
    let list = call(app, "dangbo", None, &format!("/api/v1/cases?unit={unit}")).await;
    let mut owed = BTreeSet::new();
    for c in list.as_array().unwrap() {
        for s in c["steps"].as_array().unwrap() {
            let open = s["state"] == "available" || s["state"] == "blocked";
            let urgency = s["due"]["urgency"].as_str().unwrap_or_default();
            if open && (urgency == "due_soon" || urgency == "late") {
                owed.insert(format!(
                    "case:{}:{}:{urgency}:{}",
                    c["id"],
                    s["code"].as_str().unwrap(),
                    s["due"]["date"].as_str().unwrap()
                ));
            }
        }
    }
    owed
}

/// The case reminders sent so far: (member, key), each once.
async fn sent_cases(app: &TestApp) -> Vec<(Option<i64>, String)> {
    let sent = app
        .services
        .db
        .read(async |r| store::reminders::keyed(r, "case:").await)
        .await
        .unwrap();
    sent.into_iter().map(|k| (k.member_id, k.key)).collect()
}

#[db_test]
async fn case_reminders_follow_the_deadlines_day_by_day_and_are_not_worked_again(b: Backend) {
    let app = TestApp::demo(b).await;
    app.services.generate_demo_cases(app.now()).await.unwrap();
    let unit = app
        .actor("dangbo")
        .await
        .primary()
        .and_then(|g| g.org_id)
        .expect("a unit");
    let start = app.now();
    let mut extended = None;
    let mut ever_owed = BTreeSet::new();
    // Ninety days, a pass a day (two on some), small batches: every reminder
    // the pages show owed is sent that day, and nothing else.
    for day in 0..90 {
        app.clock.set(start + Duration::days(day));
        let swept = app.services.run_reminders_by(app.now(), 2).await.unwrap();
        let owed = owed_today(&app, unit).await;
        ever_owed.extend(owed.iter().cloned());
        let sent: BTreeSet<String> = sent_cases(&app).await.into_iter().map(|s| s.1).collect();
        let missing: Vec<_> = owed.difference(&sent).collect();
        assert!(missing.is_empty(), "{b:?} day {day}: not sent {missing:?}");
        // Reminders of the end of a probation are owed by dates, not steps.
        let unexpected: Vec<_> = sent
            .iter()
            .filter(|k| !ever_owed.contains(*k) && !k.contains(":het_du_bi:"))
            .collect();
        assert!(unexpected.is_empty(), "{b:?} day {day}: {unexpected:?}");
        if day % 7 == 3 {
            let again = app.services.run_reminders_by(app.now(), 2).await.unwrap();
            assert_eq!(again.reminders, 0, "{b:?} day {day}: once only ({swept:?})");
        }
        // The upper committee extends a deadline already reminded: the case
        // is reminded again for its new date when that comes.
        if extended.is_none()
            && let Some((id, code)) = reminded_decision(&app, unit, &sent).await
        {
            call(
                &app,
                "dangbo",
                Some(json!({"action": "extend", "step": code, "text": "Chờ xác minh lý lịch"})),
                &format!("/api/v1/cases/{id}/decisions"),
            )
            .await;
            extended = Some((id, code));
        }
    }
    let (id, code) = extended.expect("a reminded deadline was extended");
    let keys: Vec<String> = sent_cases(&app)
        .await
        .into_iter()
        .map(|s| s.1)
        .filter(|k| k.starts_with(&format!("case:{id}:{code}:")))
        .collect();
    let dates: BTreeSet<&str> = keys.iter().filter_map(|k| k.rsplit(':').next()).collect();
    assert!(
        dates.len() >= 2,
        "{b:?}: reminded for the new deadline too: {keys:?}"
    );

    // A pass does not work again a case it reminded, until its day: the
    // notices taken away behind chibo's back are not sent again (a pass
    // that worked every open case would send every one of them).
    let before = sent_cases(&app).await.len();
    assert!(before > 0);
    app.tamper("DELETE FROM notice WHERE case_id IS NOT NULL".into())
        .await;
    let swept = app.services.run_reminders(app.now()).await.unwrap();
    assert_eq!(swept.reminders, 0, "{b:?}: no case worked again");
    assert!(sent_cases(&app).await.is_empty(), "{b:?}");
    // A write of a case sets its day back: the next pass works it again.
    app.tamper(format!(
        "UPDATE case_file SET remind_on = opened_on WHERE id = {id}"
    ))
    .await;
    app.services.run_reminders(app.now()).await.unwrap();
    let owed: BTreeSet<String> = owed_today(&app, unit)
        .await
        .into_iter()
        .filter(|k| k.starts_with(&format!("case:{id}:")))
        .collect();
    let sent: BTreeSet<String> = sent_cases(&app).await.into_iter().map(|s| s.1).collect();
    assert_eq!(sent, owed, "{b:?}");
}

/// An open deadline of the upper committee's decision whose reminder went
/// out, not extended yet: (case, step).
async fn reminded_decision(
    app: &TestApp,
    unit: i64,
    sent: &BTreeSet<String>,
) -> Option<(i64, String)> {
    let list = call(app, "dangbo", None, &format!("/api/v1/cases?unit={unit}")).await;
    list.as_array().unwrap().iter().find_map(|c| {
        c["steps"].as_array().unwrap().iter().find_map(|s| {
            let code = s["code"].as_str()?;
            let open = s["state"] == "available" || s["state"] == "blocked";
            let reminded = sent
                .iter()
                .any(|k| k.starts_with(&format!("case:{}:{code}:", c["id"])));
            (["quyet_dinh_ket_nap", "quyet_dinh_cong_nhan"].contains(&code)
                && open
                && reminded
                && s["due"]["extended"] == false)
                .then(|| (c["id"].as_i64().unwrap(), code.to_string()))
        })
    })
}

#[db_test]
async fn review_reminders_cross_batches_once_each_for_every_meeting(b: Backend) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let members: Vec<i64> = db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.status == "chinh_thuc")
        .map(|m| m.id)
        .collect();
    // Only the tasks of this test are open.
    app.tamper("UPDATE task SET closed_on = assigned_on".into())
        .await;
    let (sec, csrf) = app.login("bithu").await;
    let mut tasks = Vec::new();
    for (i, title) in [
        "Vận động quỹ khuyến học",
        "Sửa nhà văn hóa",
        "Dọn vệ sinh khu phố",
    ]
    .iter()
    .enumerate()
    {
        let lead = members[i].to_string();
        let co = members[i + 3].to_string();
        let res = app
            .post(
                &sec,
                &format!("/tasks?unit={cell}"),
                &[
                    ("csrf", csrf.as_str()),
                    ("title", title),
                    ("lead_id", lead.as_str()),
                    ("co_owner_ids", co.as_str()),
                    ("deadline", &app.date_in(40)),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
        tasks.push((
            crate::support::redirect_id(&res, "/tasks/"),
            members[i],
            members[i + 3],
        ));
    }
    // Two notified meetings ahead: each task is reviewed by both.
    let mut meetings = Vec::new();
    for days in [10, 17] {
        let api = |path: &str, body: Value| {
            sec.post(app.url(path))
                .header("x-csrf-token", &csrf)
                .json(&body)
                .send()
        };
        let res = api(
            "/api/v1/meetings",
            json!({"cell_id": cell, "kind": "thuong_ky", "date": app.date_in(days),
                   "time": "19:30", "place": "Nhà văn hóa"}),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let res = api(
            &format!("/api/v1/meetings/{id}/steps"),
            json!({"action": "notice"}),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        meetings.push(id);
    }
    let later = app.now() + Duration::days(1);
    // A batch starts after the last pair of the one before, whatever is
    // still pending before it.
    let (m0, t0) = (meetings[0], tasks[0].0);
    let after = db
        .read(async |r| store::reminders::to_review(r, later, (m0, t0), 500).await)
        .await
        .unwrap();
    // (The demo's own meetings left aside.)
    let pairs: Vec<(i64, i64)> = after
        .iter()
        .map(|t| (t.meeting_id, t.task_id))
        .filter(|p| meetings.contains(&p.0))
        .collect();
    let mut expected: Vec<(i64, i64)> = meetings
        .iter()
        .flat_map(|m| tasks.iter().map(move |t| (*m, t.0)))
        .filter(|p| *p > (m0, t0))
        .collect();
    expected.sort_unstable();
    assert_eq!(pairs, expected, "{b:?}");

    // Six pairs, two a batch: every lead and co-owner hears of each pair once.
    app.services.run_reminders_by(later, 2).await.unwrap();
    let sent = db
        .read(async |r| store::reminders::keyed(r, "review:").await)
        .await
        .unwrap();
    let got: BTreeSet<(i64, String)> = sent
        .iter()
        .filter(|k| {
            k.channel == "app" && meetings.iter().any(|m| k.key.ends_with(&format!(":{m}")))
        })
        .map(|k| (k.member_id.unwrap(), k.key.clone()))
        .collect();
    let want: BTreeSet<(i64, String)> = meetings
        .iter()
        .flat_map(|m| {
            tasks.iter().flat_map(move |(t, lead, co)| {
                [*lead, *co].map(|who| (who, format!("review:{t}:{m}")))
            })
        })
        .collect();
    assert_eq!(got, want, "{b:?}");
    assert_eq!(
        app.services
            .run_reminders_by(later, 2)
            .await
            .unwrap()
            .reminders,
        0,
        "{b:?}: once only"
    );
}
