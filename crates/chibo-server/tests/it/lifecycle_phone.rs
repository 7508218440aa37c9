//! The member lifecycle on a phone at 390×844 (issue 13): the secretary
//! records the cell's vote on a candidate and sees the upper committee's
//! deadline that follows; a probationary member hands in their self-review
//! from their own phone, and the secretary sees it in the case. And the cell
//! dashboard on a phone (issue 12): what needs action first, the rest folded,
//! the page a few screens long.

use crate::browser::{browser, driver, log_in, place_of, shot, text_with};
use crate::cases::cell_vote;
use crate::support::{Backend, TestApp};
use chibo_rules::DecisionKind;
use chibo_server::model::{Role, Status};
use chibo_server::service::accounts::NewAccount;
use chibo_server::service::demo::{DEMO_PASSWORD, DemoSize};
use chibo_server::store;
use fantoccini::{Client, Locator};

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

/// How wide the page lays out: a phone page never scrolls sideways (a
/// wider page makes the phone zoom out, and taps land beside their target).
async fn page_width(c: &Client) -> f64 {
    c.execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap()
}

/// The open case of the demo's first cell about this person.
async fn case_of(app: &TestApp, name: &str) -> i64 {
    let cell = app.cell_ids().await[0];
    let bithu = app.actor("bithu").await;
    let (_, cases) = app
        .services
        .cases_under(&bithu, cell, false, app.now())
        .await
        .unwrap();
    cases
        .iter()
        .find(|c| c.case.person_name == name)
        .unwrap_or_else(|| panic!("no open case of {name}"))
        .case
        .id
}

#[tokio::test]
async fn the_secretary_records_the_vote_and_sees_the_next_deadline_on_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    app.services.generate_demo_cases(app.now()).await.unwrap();
    let cell = app.cell_ids().await[0];
    // The demo's candidate whose dossier is complete; the cell voted today.
    let case = case_of(&app, "Lê Hoàng Yến").await;
    let vote = cell_vote(&app, cell, DecisionKind::KetNap, true).await;
    let c = browser(&d).await;
    log_in(&c, &app, "bithu").await;
    c.goto(&app.url(&format!("/cases/{case}"))).await.unwrap();
    text_with(&c, "Chi bộ xét, biểu quyết đề nghị kết nạp").await;
    assert!(
        page_width(&c).await <= 390.0,
        "the case page fits the phone's width"
    );
    let chosen = c
        .find(Locator::Css("#s-step option:checked"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap();
    assert_eq!(chosen.as_deref(), Some("chi_bo_xet"), "the step due next");
    click(&c, &format!("#s-vote option[value='{vote}']")).await;
    click(&c, "input[name=forms][value='6-KNĐ']").await;
    click(&c, "#record-step").await;
    text_with(&c, "Đã ghi nhận bước.").await;
    shot(&c, "lifecycle-vote-recorded").await;
    // The next deadline is the upper committee's decision, counted in
    // working days from the vote, as the case's record says.
    let bithu = app.actor("bithu").await;
    let detail = app
        .services
        .case_detail(&bithu, case, app.now())
        .await
        .unwrap();
    let due = detail.next_due.expect("the next deadline");
    assert_eq!(due.step, "quyet_dinh_ket_nap", "{due:?}");
    let shown = c
        .find(Locator::Id("next-due"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shown.contains(&due.label), "{shown}");
    assert!(
        shown.contains(&due.date.format("%d/%m/%Y").to_string()),
        "{shown} / {due:?}"
    );
    assert!(shown.contains(&due.text), "{shown} / {due:?}");
    assert!(due.text.starts_with("còn "), "{due:?}");
    let (top, _) = place_of(&c, "#next-due").await;
    assert!(
        top < 844.0,
        "the next deadline on the first screen: {top}px"
    );
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_probationer_hands_in_the_self_review_from_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let cell = app.cell_ids().await[0];
    let s = &app.services;
    let probationer =
        s.db.read(async |r| store::members::of_cell(r, cell).await)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.status == Status::DuBi)
            .expect("the demo has a probationary member");
    let bithu = app.actor("bithu").await;
    let case = s
        .open_recognition(&bithu, probationer.id, app.now())
        .await
        .unwrap();
    let admin = app.actor("quantri").await;
    s.create_account(
        &admin,
        &NewAccount {
            login: "dubi",
            display_name: &probationer.full_name,
            password: DEMO_PASSWORD,
            role: Role::Member,
            org_id: Some(cell),
            member_id: Some(probationer.id),
        },
        app.now(),
    )
    .await
    .unwrap();

    let c = browser(&d).await;
    log_in(&c, &app, "dubi").await;
    text_with(&c, "Thời gian dự bị của đồng chí").await;
    let (_, bottom) = place_of(&c, "#my-case").await;
    assert!(bottom < 844.0, "their case on the first screen: {bottom}px");
    shot(&c, "lifecycle-probationer-home").await;
    click(&c, "#my-case").await;
    text_with(&c, "Đảng viên dự bị viết bản tự kiểm điểm").await;
    assert!(
        page_width(&c).await <= 390.0,
        "the case page fits the phone's width"
    );
    // Their own step is the only one they may record.
    let offered = c.find_all(Locator::Css("#s-step option")).await.unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(
        offered[0].attr("value").await.unwrap().as_deref(),
        Some("tu_kiem_diem")
    );
    click(&c, "input[name=forms][value='10-KNĐ']").await;
    c.find(Locator::Id("s-note"))
        .await
        .unwrap()
        .send_keys("Đã hoàn thành nhiệm vụ được giao ở tổ dân phố; nộp bản tự kiểm điểm.")
        .await
        .unwrap();
    click(&c, "#record-step").await;
    let page = text_with(&c, "Đã ghi nhận bước.").await;
    assert!(page.contains("Đã xong"), "{page}");
    shot(&c, "lifecycle-self-review-recorded").await;
    let steps = s.case_detail(&bithu, case, app.now()).await.unwrap();
    let done = steps
        .records
        .iter()
        .find(|r| r.step == "tu_kiem_diem")
        .expect("the self-review recorded");
    assert!(done.forms.contains("10-KNĐ"), "{done:?}");
    assert!(done.actor.contains("(dubi)"), "{done:?}");

    // The secretary sees it in the case.
    c.delete_all_cookies().await.unwrap();
    log_in(&c, &app, "bithu").await;
    c.goto(&app.url(&format!("/cases/{case}"))).await.unwrap();
    let page = text_with(&c, "tu_kiem_diem").await;
    assert!(
        page.contains(&format!("{} (dubi)", probationer.full_name)),
        "{page}"
    );
    assert!(page.contains("Đã hoàn thành nhiệm vụ được giao"), "{page}");
    c.close().await.unwrap();
}

/// The height the dashboard draws to before the fold is a target, not a
/// limit of the page: every section stays, folded under its title.
const DASHBOARD_MAX_PX: f64 = 5000.0;

/// The cell's dashboard with a year of meetings, tasks and the demo's
/// cases, on a phone: what needs action first (overdue tasks and cases, the
/// meeting due), every other section folded under its title and count,
/// the whole page under 5,000 px; a section opens on a tap.
#[tokio::test]
async fn the_dashboard_fits_a_few_phone_screens() {
    let Some(d) = driver().await else { return };
    let app = TestApp::empty(Backend::Sqlite).await;
    app.services
        .generate_demo_with_history(
            DemoSize {
                cells: 2,
                members_per_cell: 25,
            },
            12,
            app.now(),
        )
        .await
        .unwrap();
    app.services.generate_demo_cases(app.now()).await.unwrap();
    let cell = app.cell_ids().await[0];
    let c = browser(&d).await;
    log_in(&c, &app, "bithu").await;
    c.goto(&app.url(&format!("/dashboard?unit={cell}")))
        .await
        .unwrap();
    text_with(&c, "Cần xử lý").await;
    shot(&c, "lifecycle-dashboard").await;
    let height = c
        .execute("return document.body.scrollHeight", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    eprintln!("dashboard at 390×844: {height} px");
    assert!(
        page_width(&c).await <= 390.0,
        "the dashboard fits the phone's width"
    );
    assert!(
        height < DASHBOARD_MAX_PX,
        "the dashboard is {height} px long"
    );
    // What needs action is on the first screen: the overdue counts and the
    // cases late, each a link.
    let (_, bottom) = place_of(&c, "#cases-overdue").await;
    assert!(bottom < 844.0, "overdue cases at {bottom}px");
    let late = c.find_all(Locator::Css("#late-cases li")).await.unwrap();
    assert_eq!(late.len(), 4, "the demo's overdue cases");
    // Nothing is lost: a folded section opens on a tap.
    let table = c.find(Locator::Css("#attendance table")).await.unwrap();
    assert!(!table.is_displayed().await.unwrap());
    click(&c, "#attendance > summary").await;
    assert!(table.is_displayed().await.unwrap());
    c.close().await.unwrap();
}
