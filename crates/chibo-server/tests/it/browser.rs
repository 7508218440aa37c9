//! The main flow in headless Chromium (Debian's chromium + chromium-driver),
//! on a phone-sized window. Skipped when no driver is installed, unless
//! `CHIBO_REQUIRE_BROWSER` is set (CI sets it).

use crate::support::{Backend, TestApp};
use chibo_server::store;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Driver {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn driver() -> Option<Driver> {
    let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(path) = path else {
        assert!(
            std::env::var("CHIBO_REQUIRE_BROWSER").is_err(),
            "chromedriver is required but missing"
        );
        eprintln!("chromedriver not installed: browser test skipped");
        return None;
    };
    // Port 0: chromedriver takes a free port itself and says which, so no
    // port is picked here, released, and raced for by another test.
    let mut child = Command::new(path)
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let stdout = child.stdout.take().expect("piped stdout");
    // Dropping the guard kills the driver on every path, the panic included.
    let mut driver = Driver { child, port: 0 };
    let port = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let port = lines.by_ref().map_while(Result::ok).find_map(|l| {
            l.split("started successfully on port ")
                .nth(1)
                .and_then(|p| p.trim_end_matches('.').parse::<u16>().ok())
        });
        // Keep draining, so chromedriver never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        port
    })
    .await
    .expect("read chromedriver's output");
    driver.port = port.expect("chromedriver did not start");
    Some(driver)
}

pub(crate) async fn browser(d: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=390,844", "--lang=vi"],
            // A desktop window is never narrower than 500 px: emulate the
            // phone's own viewport, so what is measured is what it shows.
            "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 1}}
        }),
    );
    // The console is read back: a page must log no error (tests/it/phone.rs).
    caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("connect to chromedriver")
}

/// The page's main text once it contains `needle`: a click that submits a
/// form returns before the next page has loaded, so read until it has (and
/// read again when the element went stale in between).
pub(crate) async fn text_with(c: &Client, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(main) = c.find(Locator::Css("main")).await
            && let Ok(t) = main.text().await
        {
            if t.contains(needle) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("«{needle}» never appeared; the page says: {last}");
}

#[tokio::test]
async fn secretary_searches_edits_and_imports() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let cell = app.cell_ids().await[0];
    let target = app
        .services
        .db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .remove(5);
    let c = browser(&d).await;

    // Log in as the demo secretary.
    log_in(&c, &app, "bithu").await;

    // Search without diacritics and open the member.
    c.goto(&app.url("/members")).await.unwrap();
    let plain = chibo_server::model::fold(&target.full_name);
    search_members(&c, &plain).await;
    c.find(Locator::LinkText(&target.full_name))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, &target.full_name).await;

    // Edit: type a Vietnamese address.
    c.find(Locator::LinkText("Sửa thông tin"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let residence = c.find(Locator::Id("residence")).await.unwrap();
    residence.clear().await.unwrap();
    residence
        .send_keys("15 Nguyễn Thị Minh Khai, phường Bến Nghé")
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Đã lưu.").await;
    assert!(
        page.contains("Đã lưu.") && page.contains("15 Nguyễn Thị Minh Khai"),
        "{page}"
    );

    // Import a spreadsheet through preview and confirm.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bo-sung.csv");
    std::fs::write(&file, "\u{feff}Họ và tên;Số thẻ đảng viên;Ngày vào Đảng;Ngày chính thức\nĐinh Thị Thu Hà;079555000111;03/02/2001;03/02/2002\n").unwrap();
    c.goto(&app.url(&format!("/import?cell={cell}")))
        .await
        .unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let preview = text_with(&c, "Sẽ thêm mới").await;
    assert!(
        preview.contains("Đinh Thị Thu Hà") && preview.contains("Sẽ thêm mới"),
        "{preview}"
    );
    // Her standing comes from the dates (the file has no "Trạng thái"):
    // confirmed on purpose, then reviewed before the confirmation.
    c.find(Locator::Id("confirm_status"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("review"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Đã xác nhận các trạng thái này").await;
    c.find(Locator::Id("confirm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Đã nhập: 1 đảng viên mới").await;

    // The change is in the list and in the member's history.
    search_members(&c, "dinh thi thu ha").await;
    c.find(Locator::LinkText("Đinh Thị Thu Hà"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let record = text_with(&c, "Lịch sử thay đổi").await;
    assert!(
        record.contains("member.create") && record.contains("Lịch sử thay đổi"),
        "{record}"
    );
    c.goto(&app.url(&format!("/members/{}", target.id)))
        .await
        .unwrap();
    let history = c
        .find(Locator::Id("audit"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("member.update") && history.contains("15 Nguyễn Thị Minh Khai"),
        "{history}"
    );
    c.close().await.unwrap();
}

/// Keeps a screenshot when `CHIBO_SCREENSHOTS` names a folder (for reviewing the phone screens).
pub(crate) async fn shot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("CHIBO_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// Logs in with the demo password.
pub(crate) async fn log_in(c: &Client, app: &TestApp, login: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Id("login"))
        .await
        .unwrap()
        .send_keys(login)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(chibo_server::service::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(c, "Xin chào").await;
}

#[tokio::test]
async fn a_whole_monthly_meeting_on_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let cell = app.cell_ids().await[0];
    let c = browser(&d).await;
    log_in(&c, &app, "bithu").await;
    shot(&c, "1-home").await;

    // Plan the meeting: the form comes filled with sensible defaults.
    plan_in_browser(&c, &app, cell).await;
    shot(&c, "2-meeting").await;
    // Held before its planned day: the page asks why, and it is recorded.
    let meeting = open_in_browser(&c).await;
    let roll = app
        .services
        .db
        .read(async |r| store::meetings::roll(r, meeting).await)
        .await
        .unwrap();
    // Roll-call: everyone is here, one tap.
    c.find(Locator::Id("all-present"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Đã ghi có mặt cho mọi người").await;
    let panel = c
        .find(Locator::Id("panel"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        panel.contains("Đủ số lượng") && panel.contains(&roll.len().to_string()),
        "{panel}"
    );
    shot(&c, "3-roll-call").await;

    // Minutes: typed in Vietnamese, saved while typing.
    c.goto(&app.url(&format!("/meetings/{meeting}/minutes")))
        .await
        .unwrap();
    let area = c.find(Locator::Css("textarea[name=text]")).await.unwrap();
    area.send_keys("Đồng chí Bí thư khai mạc, giới thiệu đại biểu; điểm danh đủ.")
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//span[contains(., 'Đã lưu lúc')]"))
        .await
        .unwrap();
    shot(&c, "4-minutes").await;
    let items = app
        .services
        .db
        .read(async |r| store::meetings::items(r, meeting).await)
        .await
        .unwrap();
    assert!(
        items[0].minutes.contains("giới thiệu đại biểu"),
        "autosaved: {:?}",
        items[0].minutes
    );

    // A show-of-hands vote on the resolution.
    c.goto(&app.url(&format!("/meetings/{meeting}/votes")))
        .await
        .unwrap();
    c.find(Locator::Id("open-vote"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Đã mở biểu quyết").await;
    let vote = app
        .services
        .db
        .read(async |r| store::meetings::votes(r, meeting).await)
        .await
        .unwrap()[0]
        .id;
    let voters = roll
        .iter()
        .filter(|r| r.member_status == "chinh_thuc")
        .count()
        .to_string();
    let yes = c.find(Locator::Id(&format!("yes{vote}"))).await.unwrap();
    yes.clear().await.unwrap();
    yes.send_keys(&voters).await.unwrap();
    c.find(Locator::Id(&format!("counts-{vote}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Đã có kết quả biểu quyết").await;
    let page = text_with(&c, "Đạt").await;
    assert!(page.contains("Điều lệ Đảng"), "{page}");
    shot(&c, "5-vote").await;

    // The resolution: save the draft, adopt it, download the PDF.
    c.goto(&app.url(&format!("/meetings/{meeting}/resolution")))
        .await
        .unwrap();
    c.find(Locator::Id("tasks"))
        .await
        .unwrap()
        .send_keys("Ra quân tổng vệ sinh khu phố.")
        .await
        .unwrap();
    c.find(Locator::Id("what1"))
        .await
        .unwrap()
        .send_keys("Vận động hộ nghèo làm hồ sơ vay vốn")
        .await
        .unwrap();
    c.find(Locator::Css("#lead1 option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("deadline1"))
        .await
        .unwrap()
        .send_keys(&app.date_in(30))
        .await
        .unwrap();
    c.find(Locator::Id("save-resolution"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Đã lưu").await;
    c.find(Locator::Id("adopt"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("adopted")).await.unwrap();
    let adopted = c
        .find(Locator::Id("adopted"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(adopted.contains("Số 01-NQ/CB"), "{adopted}");
    shot(&c, "6-resolution").await;
    let href = c
        .find(Locator::Id("resolution-pdf"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let kind = c
        .execute(
            "return fetch(arguments[0]).then(r => r.headers.get('content-type') + ' ' + r.status)",
            vec![json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(kind, json!("application/pdf 200"));
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_member_reports_on_a_task_from_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let me = db
        .read(async |r| store::accounts::by_login(r, "dangvien").await)
        .await
        .unwrap()
        .unwrap()
        .member_id
        .unwrap();
    let secretary = db
        .read(async |r| store::accounts::by_login(r, "bithu").await)
        .await
        .unwrap()
        .unwrap();
    let task = app
        .services
        .add_standing_duty(
            &chibo_server::service::Actor::load(db, secretary.id)
                .await
                .unwrap(),
            Some(cell),
            &chibo_server::model::TaskDraft {
                title: "Nắm tình hình dư luận khu phố".into(),
                lead_id: Some(me),
                co_owner_ids: vec![],
                deadline: (app.today() + chrono::Duration::days(7))
                    .format("%d/%m/%Y")
                    .to_string(),
            },
            app.now(),
        )
        .await
        .unwrap();
    let c = browser(&d).await;
    log_in(&c, &app, "dangvien").await;
    // The member's own page lists the task; one tap opens it.
    text_with(&c, "Nhiệm vụ của tôi").await;
    shot(&c, "t1-member-home").await;
    c.find(Locator::LinkText("Nắm tình hình dư luận khu phố"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Báo cáo tiến độ").await;
    // Report: done, with a note, from the phone.
    c.find(Locator::Css("input[name=status][value=hoan_thanh]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("p-note"))
        .await
        .unwrap()
        .send_keys("Đã họp tổ, tổng hợp 5 ý kiến của bà con gửi chi bộ")
        .await
        .unwrap();
    shot(&c, "t2-task-form").await;
    c.find(Locator::Id("save-progress"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Đã lưu báo cáo tiến độ").await;
    assert!(
        page.contains("Hoàn thành") && page.contains("tổng hợp 5 ý kiến"),
        "{page}"
    );
    shot(&c, "t3-task-saved").await;
    let t = db
        .read(async |r| store::tasks::get(r, task).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((t.status.as_str(), t.progress), ("hoan_thanh", 100));
    assert_eq!(t.completed_on, Some(app.today()));
    c.close().await.unwrap();
}

/// Where an element sits on the screen: (top, bottom) in CSS pixels.
pub(crate) async fn place_of(c: &Client, css: &str) -> (f64, f64) {
    let v = c
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.top, r.bottom];",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    let n = |i: usize| v[i].as_f64().unwrap_or_else(|| panic!("{css}: {v}"));
    (n(0), n(1))
}

/// On a 390×844 phone the header is one row, and the page's own title and
/// its main button are on the first screen, on the home and meeting pages.
/// The menu opens behind one button, without script.
#[tokio::test]
async fn the_first_screen_holds_the_title_and_the_main_button() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let cell = app.cell_ids().await[0];
    let c = browser(&d).await;
    log_in(&c, &app, "bithu").await;
    let screen = c
        .execute("return window.innerHeight", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert_eq!(screen, 844.0, "the phone's screen");
    let (_, header) = place_of(&c, "header.top").await;
    assert!(header <= 64.0, "the header is one row: {header}px");
    let (title, _) = place_of(&c, "main h1").await;
    let (_, button) = place_of(&c, "#home-next .button").await;
    assert!(
        title < 120.0 && button <= screen,
        "home: title at {title}px, main button ends at {button}px"
    );
    shot(&c, "first-screen-home").await;

    plan_in_browser(&c, &app, cell).await;
    let (title, _) = place_of(&c, "main h1").await;
    let (_, button) = place_of(&c, "#next-step button").await;
    assert!(
        title < 400.0 && button <= screen,
        "meeting: title at {title}px, main button ends at {button}px"
    );
    shot(&c, "first-screen-meeting").await;

    // The menu: closed, then opened by its one button, without script.
    let tasks = Locator::Css("nav.main a[href='/tasks']");
    assert!(!c.find(tasks).await.unwrap().is_displayed().await.unwrap());
    c.find(Locator::Id("menu-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(tasks).await.unwrap().click().await.unwrap();
    text_with(&c, "Bảng phân công").await;
    assert!(c.current_url().await.unwrap().path().starts_with("/tasks"));
    c.close().await.unwrap();
}

/// Plans a meeting of `cell` from the form's defaults (held in a few days).
pub(crate) async fn plan_in_browser(c: &Client, app: &TestApp, cell: i64) {
    c.goto(&app.url(&format!("/meetings/new?cell={cell}")))
        .await
        .unwrap();
    c.find(Locator::Id("place"))
        .await
        .unwrap()
        .send_keys("Nhà văn hóa khu phố 1")
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(c, "Đã tạo buổi sinh hoạt").await;
}

/// Opens the planned meeting on its page, early (with the reason asked),
/// and returns its id from the roll-call page it leads to.
pub(crate) async fn open_in_browser(c: &Client) -> i64 {
    c.find(Locator::Id("open-reason"))
        .await
        .unwrap()
        .send_keys("Họp sớm để kịp triển khai đợt ra quân")
        .await
        .unwrap();
    c.find(Locator::Id("open-meeting"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(c, "Bắt đầu sinh hoạt: điểm danh").await;
    let url = c.current_url().await.unwrap();
    url.path()
        .trim_start_matches("/meetings/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The demo secretary logged in on a phone, with a meeting planned from the
/// form's defaults and opened (early): the app, the browser, the meeting.
pub(crate) async fn secretary_opens_a_meeting(d: &Driver) -> (TestApp, Client, i64) {
    let app = TestApp::demo(Backend::Sqlite).await;
    let cell = app.cell_ids().await[0];
    let c = browser(d).await;
    log_in(&c, &app, "bithu").await;
    plan_in_browser(&c, &app, cell).await;
    let meeting = open_in_browser(&c).await;
    (app, c, meeting)
}

/// The roll the server holds after "everyone present" and two exceptions:
/// `away` absent without a reason, `excused` absent for "Ốm". Returns the
/// roll and how many are marked present.
pub(crate) async fn roll_with_two_exceptions(
    app: &TestApp,
    meeting: i64,
    away: i64,
    excused: i64,
) -> (Vec<store::meetings::RollEntry>, usize) {
    let roll = app
        .services
        .db
        .read(async |r| store::meetings::roll(r, meeting).await)
        .await
        .unwrap();
    let presence = |id: i64| {
        let r = roll.iter().find(|r| r.member_id == id).unwrap();
        (r.presence.clone(), r.reason.clone())
    };
    assert_eq!(presence(away), (Some("vang_khong_ly_do".into()), None));
    assert_eq!(
        presence(excused),
        (Some("vang_co_ly_do".into()), Some("Ốm".into()))
    );
    let present = roll
        .iter()
        .filter(|r| r.presence.as_deref() == Some("co_mat"))
        .count();
    (roll, present)
}

/// Roll-call in a few taps: "everyone present", then the two absent; a row
/// is short, the reason box shows only for an excused absence, and leaving
/// early is not a button beside "present".
#[tokio::test]
async fn roll_call_is_everyone_present_then_the_exceptions() {
    let Some(d) = driver().await else { return };
    let (app, c, meeting) = secretary_opens_a_meeting(&d).await;
    let roll = app
        .services
        .db
        .read(async |r| store::meetings::roll(r, meeting).await)
        .await
        .unwrap();
    let expected: Vec<_> = roll.iter().filter(|r| !r.apart()).collect();
    let (away, excused) = (expected[1].member_id, expected[2].member_id);
    for f in c.find_all(Locator::Css("form.reason")).await.unwrap() {
        assert!(
            !f.is_displayed().await.unwrap(),
            "no reason box before anyone is excused"
        );
    }
    for r in &expected {
        let (top, bottom) = place_of(&c, &format!("#m{}", r.member_id)).await;
        assert!(bottom - top <= 90.0, "a row is {}px tall", bottom - top);
    }
    let leave = c
        .find_all(Locator::XPath("//button[normalize-space()='Về sớm']"))
        .await
        .unwrap();
    for b in leave {
        assert!(
            !b.is_displayed().await.unwrap(),
            "leaving early is behind the name"
        );
    }

    let mut taps = 0;
    let mut tap = async |css: String| {
        taps += 1;
        c.find(Locator::Css(&css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    };
    tap("#all-present".into()).await;
    text_with(&c, "Đã ghi có mặt cho mọi người").await;
    tap(format!("#m{away} button[data-presence=vang_khong_ly_do]")).await;
    c.wait()
        .for_element(Locator::Css(&format!("#m{away}.vang_khong_ly_do")))
        .await
        .unwrap();
    tap(format!("#m{excused} button[data-presence=vang_co_ly_do]")).await;
    c.wait()
        .for_element(Locator::Css(&format!("#m{excused}.vang_co_ly_do")))
        .await
        .unwrap();
    c.find(Locator::Id(&format!("reason{excused}")))
        .await
        .unwrap()
        .send_keys("Ốm")
        .await
        .unwrap();
    tap(format!("#m{excused} form.reason button")).await;
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//li[@id='m{excused}']//summary[contains(., '(Ốm)')]"
        )))
        .await
        .unwrap();
    assert!(taps <= 5, "{taps} taps");
    shot(&c, "roll-call-exceptions").await;

    let (roll, present) = roll_with_two_exceptions(&app, meeting, away, excused).await;
    assert_eq!(present, expected.len() - 2);
    let panel = c
        .find(Locator::Id("panel"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(panel.starts_with(&present.to_string()), "{panel}");
    assert!(
        roll.iter()
            .filter(|r| r.apart())
            .all(|r| r.presence.is_none()),
        "members listed apart are not marked by 'everyone present'"
    );
    c.close().await.unwrap();
}

/// Searches the member list and waits for the results: the list before the
/// search holds the names too, and a link found there goes stale.
async fn search_members(c: &Client, words: &str) {
    let before = c.current_url().await.unwrap();
    let q = c.find(Locator::Id("q")).await.unwrap();
    q.clear().await.unwrap();
    q.send_keys(words).await.unwrap();
    c.find(Locator::Css("form.search button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if c.current_url().await.unwrap() != before {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the search for «{words}» never answered");
}

/// The secretary proposes a candidate on a phone, records the first step of
/// the dossier, and the case shows it done and offers the next one.
#[tokio::test]
async fn a_secretary_proposes_a_candidate_on_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let c = browser(&d).await;
    log_in(&c, &app, "bithu").await;
    c.goto(&app.url("/cases")).await.unwrap();
    text_with(&c, "Giới thiệu quần chúng ưu tú").await;
    for (id, value) in [("k-name", "Phạm Thị Mai"), ("k-dob", "12/04/2001")] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    c.find(Locator::Id("propose"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Đã mở hồ sơ.").await;
    assert!(page.contains("Phạm Thị Mai"), "{page}");
    shot(&c, "k1-case-opened").await;
    let first = c
        .find(Locator::Css("#s-step option:checked"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap();
    assert_eq!(
        first.as_deref(),
        Some("bdnt"),
        "the dossier starts with the awareness course"
    );
    c.find(Locator::Css("input[name=forms][value='CN-NTVĐ']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("record-step"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Đã ghi nhận bước.").await;
    assert!(page.contains("Đã xong"), "{page}");
    shot(&c, "k2-step-recorded").await;
    let next = c
        .find(Locator::Css("#s-step option:checked"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap();
    assert_ne!(next.as_deref(), Some("bdnt"), "the next step is offered");
    assert!(next.is_some());
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_resident_sends_a_concern_and_tracks_it_from_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let cell = app.cell_ids().await[0];
    let code = app
        .services
        .db
        .read(async |r| store::orgs::get(r, cell).await)
        .await
        .unwrap()
        .unwrap()
        .code
        .unwrap()
        .replace('.', "");
    let c = browser(&d).await;

    // No account: the cell's page, the form, the tracking code.
    c.goto(&app.url(&format!("/y-kien/{code}"))).await.unwrap();
    text_with(&c, "Gửi ý kiến, kiến nghị tới chi bộ").await;
    c.find(Locator::Id("area"))
        .await
        .unwrap()
        .send_keys("Tổ 4")
        .await
        .unwrap();
    c.find(Locator::Id("body"))
        .await
        .unwrap()
        .send_keys("Cống thoát nước ở ngõ 8 bị tắc, nước tràn ra đường khi mưa.")
        .await
        .unwrap();
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Mã tra cứu của bạn").await;
    let tracking = c
        .find(Locator::Id("tracking-code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The page fits the phone: nothing wider than the screen.
    let wide: bool = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    assert!(!wide, "the page scrolls sideways on a phone");

    // The tracking page, by the link and by the code typed in.
    c.find(Locator::LinkText("Tra cứu tình trạng ý kiến"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = text_with(&c, "Đã tiếp nhận").await;
    assert!(shown.contains(tracking.trim()), "{shown}");
    assert!(
        !shown.contains("Cống thoát nước"),
        "the text is not shown by a code"
    );
    c.goto(&app.url("/y-kien/tra-cuu")).await.unwrap();
    c.find(Locator::Id("ma"))
        .await
        .unwrap()
        .send_keys("0000-0000-0000")
        .await
        .unwrap();
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Không tìm thấy").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_member_reads_a_document_and_submits_a_reflection_on_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let secretary = db
        .read(async |r| store::accounts::by_login(r, "bithu").await)
        .await
        .unwrap()
        .unwrap();
    let body = (1..=10)
        .map(|i| {
            format!(
                "Điều {i}. {}",
                "Quán triệt quan điểm, mục tiêu và giải pháp đột phá. ".repeat(8)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (doc, assignment) = app
        .services
        .add_study(
            &chibo_server::service::Actor::load(db, secretary.id)
                .await
                .unwrap(),
            Some(cell),
            &chibo_server::model::DocumentDraft {
                kind: "nghi_quyet".into(),
                number: "57-NQ/TW".into(),
                issued_on: "22/12/2024".into(),
                issuer: "Bộ Chính trị".into(),
                title: "Nghị quyết về đột phá phát triển khoa học, công nghệ".into(),
                body,
            },
            Some(&chibo_server::model::AssignmentDraft {
                audience: "all".into(),
                members: vec![],
                deadline: (app.today() + chrono::Duration::days(10))
                    .format("%d/%m/%Y")
                    .to_string(),
                place: "home".into(),
                reflection: true,
                meeting_id: None,
            }),
            app.now(),
        )
        .await
        .unwrap();
    let c = browser(&d).await;
    log_in(&c, &app, "dangvien").await;
    c.goto(&app.url("/study")).await.unwrap();
    text_with(&c, "Tài liệu chi bộ giao học tập").await;
    c.find(Locator::LinkText(
        "Nghị quyết về đột phá phát triển khoa học, công nghệ",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    // The text on the phone, a page at a time, nothing wider than the screen.
    let first = text_with(&c, "Trang 1/").await;
    assert!(first.contains("Điều 1."), "{first}");
    let wide: bool = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    assert!(!wide, "the page scrolls sideways on a phone");
    shot(&c, "s1-reading").await;
    c.find(Locator::Id("next-page"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Trang 2/").await;
    c.find(Locator::Id("r-body"))
        .await
        .unwrap()
        .send_keys("Bản thân sẽ học sử dụng dịch vụ công trực tuyến và hướng dẫn bà con trong tổ.")
        .await
        .unwrap();
    c.find(Locator::Css("#reflection-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = text_with(&c, "Đã nộp bài thu hoạch.").await;
    assert!(done.contains("Đã học ngày"), "{done}");
    shot(&c, "s2-reflection-sent").await;
    let me = db
        .read(async |r| store::accounts::by_login(r, "dangvien").await)
        .await
        .unwrap()
        .unwrap()
        .member_id
        .unwrap();
    let kept = db
        .read(async |r| store::study::reflection(r, assignment.unwrap(), me).await)
        .await
        .unwrap()
        .unwrap();
    assert!(kept.0.contains("dịch vụ công") && !kept.2);
    assert!(doc > 0);
    c.close().await.unwrap();
}

/// A member fills the year's self-review on a phone: the evidence from the
/// cell's records shown, the points per criterion, the tier, the text.
#[tokio::test]
async fn a_member_fills_the_self_review_on_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let upper = app.services.org(cell).await.unwrap().parent_id.unwrap();
    let round = app
        .services
        .open_evaluation_round(
            &app.actor("dangbo").await,
            upper,
            &chibo_server::service::evaluations::RoundForm {
                year: chrono::Datelike::year(&app.today()),
                period: "nam".into(),
                self_review_due: (app.today() + chrono::Duration::days(12))
                    .format("%d/%m/%Y")
                    .to_string(),
                round_due: (app.today() + chrono::Duration::days(25))
                    .format("%d/%m/%Y")
                    .to_string(),
            },
            app.now(),
        )
        .await
        .unwrap();
    let me = app.actor("dangvien").await.member_id.unwrap();
    let c = browser(&d).await;
    log_in(&c, &app, "dangvien").await;
    // The member's page links the self-review; one tap opens it.
    text_with(&c, "Bản tự kiểm điểm").await;
    c.find(Locator::Id("my-evaluation-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Tự chấm điểm theo các tiêu chí").await;
    assert!(
        page.contains("2C-HD KĐ.ĐG") && page.contains("Dự sinh hoạt"),
        "{page}"
    );
    for (code, points) in [
        ("chinh_tri_tu_tuong", "9"),
        ("dao_duc_loi_song", "9"),
        ("y_thuc_to_chuc_ky_luat", "8"),
        ("ket_qua_nhiem_vu", "56"),
    ] {
        c.find(Locator::Id(&format!("s-{code}")))
            .await
            .unwrap()
            .send_keys(points)
            .await
            .unwrap();
    }
    c.find(Locator::Css("input[name=self_tier][value=htt]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("s-text"))
        .await
        .unwrap()
        .send_keys("Giữ vững lập trường, tham gia đầy đủ sinh hoạt; còn hạn chế trong việc nắm tình hình khu phố.")
        .await
        .unwrap();
    shot(&c, "e1-self-review").await;
    c.find(Locator::Id("submit-review"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text_with(&c, "Đã nộp bản tự kiểm điểm").await;
    assert!(
        page.contains("82") && page.contains("Hoàn thành tốt nhiệm vụ"),
        "{page}"
    );
    shot(&c, "e2-self-review-sent").await;
    let cell_path = app.services.org(cell).await.unwrap().path;
    let e = db
        .read(async |r| store::evaluations::of_round(r, round, &cell_path).await)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.member_id == me)
        .unwrap();
    assert_eq!(
        (e.self_points, e.self_tier.as_deref()),
        (Some(82), Some("htt"))
    );
    assert_eq!(e.submitted_on, Some(app.today()));
    c.close().await.unwrap();
}

/// The page's whole width, in CSS pixels: no wider than the phone's 390
/// (nothing to scroll sideways).
async fn fits_the_phone(c: &Client, page: &str) {
    let width = c
        .execute("return document.scrollingElement.scrollWidth;", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        width <= 390.0,
        "{page} is {width} px wide on a 390 px phone"
    );
}

async fn tap_id(c: &Client, id: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"));
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// The text of an element.
async fn text_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .text()
        .await
        .unwrap()
}

/// The cell's own rating (form 01) on phones: the secretary opens it from
/// the cell's dashboard, reads the figures of the records, submits the
/// collective self-review and records the conference's proposal with its
/// vote; the upper committee changes the tier with its reason in its queue;
/// the decided tier shows on the cell's dashboard and in the upper table.
/// No page scrolls sideways at 390 px.
#[tokio::test]
async fn a_cell_is_rated_on_phones_from_its_report_to_the_decision() {
    let Some(d) = driver().await else { return };
    let app = TestApp::empty(Backend::Sqlite).await;
    let s = &app.services;
    s.generate_demo(
        chibo_server::service::demo::DemoSize {
            cells: 1,
            members_per_cell: 10,
        },
        app.now(),
    )
    .await
    .unwrap();
    let cell = app.cell_ids().await[0];
    let upper = s.org(cell).await.unwrap().parent_id.unwrap();
    let due = |days| {
        (app.today() + chrono::Duration::days(days))
            .format("%d/%m/%Y")
            .to_string()
    };
    let round = s
        .open_evaluation_round(
            &app.actor("dangbo").await,
            upper,
            &chibo_server::service::evaluations::RoundForm {
                year: chrono::Datelike::year(&app.today()),
                period: "nam".into(),
                self_review_due: due(7),
                round_due: due(25),
            },
            app.now(),
        )
        .await
        .unwrap();
    let bithu = app.actor("bithu").await;
    // The cell's tasks of the year: one finished on time, one not yet due.
    for (title, done) in [
        ("Vận động tổ dân phố giữ vệ sinh môi trường", true),
        ("Rà soát hộ cận nghèo cuối năm", false),
    ] {
        let task = s
            .add_standing_duty(
                &bithu,
                Some(cell),
                &chibo_server::model::TaskDraft {
                    title: title.into(),
                    lead_id: bithu.member_id,
                    co_owner_ids: vec![],
                    deadline: due(10),
                },
                app.now(),
            )
            .await
            .unwrap();
        if done {
            let version =
                s.db.read(async |r| store::tasks::get(r, task).await)
                    .await
                    .unwrap()
                    .unwrap()
                    .version;
            s.update_progress(
                &bithu,
                task,
                &chibo_server::service::tasks::ProgressForm {
                    version,
                    status: "hoan_thanh".into(),
                    progress: 100,
                    ..Default::default()
                },
                None,
                app.now(),
            )
            .await
            .unwrap();
        }
    }
    // The conference's closed vote, which the proposal is recorded with.
    let vote = crate::cell_rating::closed_vote(&app, &bithu, cell).await;
    // What the records say, as the service reads them.
    let f = s
        .cell_rating(&bithu, round, cell, app.now())
        .await
        .unwrap()
        .figures;

    let c = browser(&d).await;
    log_in(&c, &app, "bithu").await;
    c.goto(&app.url("/dashboard")).await.unwrap();
    text_with(&c, "Chưa nộp báo cáo kiểm điểm").await;
    c.find(Locator::Css("#cell-rating a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_with(&c, "Số liệu từ hồ sơ của chi bộ trong kỳ").await;
    assert!(text_of(&c, "cr-form").await.contains("01-HD KĐ.ĐG"));
    let meetings = text_of(&c, "cr-meetings").await;
    assert!(
        meetings.contains(&format!("thường kỳ {}/{}", f.regular_held, f.regular_due))
            && meetings.contains(&format!("chuyên đề {}/{}", f.thematic_held, f.thematic_due)),
        "{meetings}"
    );
    let tasks = text_of(&c, "cr-tasks").await;
    assert!(
        tasks.contains(&format!(
            "được giao {} · hoàn thành {} (đúng hạn {}) · quá hạn {}",
            f.tasks_assigned, f.tasks_done, f.tasks_on_time, f.tasks_overdue
        )),
        "{tasks}"
    );
    assert_eq!(
        (
            f.tasks_assigned,
            f.tasks_done,
            f.tasks_on_time,
            f.tasks_not_due
        ),
        (2, 1, 1, 1)
    );
    let members = text_of(&c, "cr-members").await;
    assert!(
        members.contains(&format!("HTXS {} · HTT {}", f.members.htxs, f.members.htt))
            && members.contains(&format!("Chưa có kết quả {}", f.members.pending))
            && f.members.pending > 0,
        "{members}"
    );
    fits_the_phone(&c, "the cell's rating").await;
    shot(&c, "cr1-cell-rating").await;

    // The collective self-review: points, tier, text.
    type_into(&c, "#cr-points", "86").await;
    c.find(Locator::Css("input[name=self_tier][value=htt]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(
        &c,
        "#cr-report",
        "Chi bộ duy trì sinh hoạt đều đặn, lãnh đạo hoàn thành các nhiệm vụ năm; còn hạn chế trong nắm tình hình khu dân cư.",
    )
    .await;
    tap_id(&c, "cr-submit").await;
    let page = text_with(&c, "Đã nộp báo cáo kiểm điểm của chi bộ").await;
    assert!(page.contains("Chờ chi bộ biểu quyết đề xuất"), "{page}");
    assert_eq!(text_of(&c, "cr-total").await, "86");
    assert_eq!(text_of(&c, "cr-self-tier").await, "Hoàn thành tốt nhiệm vụ");
    fits_the_phone(&c, "the submitted report").await;
    shot(&c, "cr2-report-sent").await;

    // The conference's proposal with its vote.
    c.find(Locator::Css("input[name=tier][value=htt]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(&c, "#cr-opinions", "Thống nhất với báo cáo kiểm điểm").await;
    c.find(Locator::Id("cr-vote"))
        .await
        .unwrap()
        .select_by_value(&vote.to_string())
        .await
        .unwrap();
    tap_id(&c, "cr-propose").await;
    let page = text_with(&c, "Đã ghi mức xếp loại chi bộ đề xuất").await;
    assert!(page.contains("Chờ cấp ủy cấp trên xếp loại"), "{page}");
    assert_eq!(text_of(&c, "cr-proposed").await, "Hoàn thành tốt nhiệm vụ");
    fits_the_phone(&c, "the proposal").await;

    // The upper committee's queue: one tier lower, with the reason.
    c.delete_all_cookies().await.unwrap();
    log_in(&c, &app, "dangbo").await;
    c.goto(&app.url(&format!("/evaluations/rounds/{round}/cells?unit={upper}")))
        .await
        .unwrap();
    let page = text_with(&c, "Xếp loại chất lượng các chi bộ").await;
    assert!(page.contains("86"), "{page}");
    fits_the_phone(&c, "the upper committee's queue").await;
    shot(&c, "cr3-queue").await;
    c.find(Locator::Css(&format!("select[name='tier.{cell}']")))
        .await
        .unwrap()
        .select_by_value("ht")
        .await
        .unwrap();
    type_into(
        &c,
        &format!("input[name='reason.{cell}']"),
        "Còn kiến nghị của nhân dân chưa giải quyết dứt điểm",
    )
    .await;
    tap_id(&c, "cell-decide").await;
    let page = text_with(&c, "Đã ghi quyết định xếp loại chi bộ").await;
    assert!(
        page.contains("Hoàn thành nhiệm vụ — Còn kiến nghị của nhân dân"),
        "{page}"
    );
    fits_the_phone(&c, "the decided queue").await;
    // The upper table carries it (the roll-up's column).
    c.goto(&app.url(&format!(
        "/dashboard?unit={upper}&period=nam&year={}",
        chrono::Datelike::year(&app.today())
    )))
    .await
    .unwrap();
    let table = text_with(&c, "Tổng hợp các chi bộ trực thuộc").await;
    assert!(table.contains("Hoàn thành nhiệm vụ"), "{table}");
    fits_the_phone(&c, "the upper table").await;
    shot(&c, "cr4-upper-table").await;

    // The cell's dashboard shows the decided tier.
    c.delete_all_cookies().await.unwrap();
    log_in(&c, &app, "bithu").await;
    c.goto(&app.url("/dashboard")).await.unwrap();
    text_with(&c, "Kiểm điểm, xếp loại chất lượng chi bộ").await;
    let shown = text_of(&c, "cell-rating").await;
    assert!(
        shown.ends_with(": Hoàn thành nhiệm vụ") && !shown.contains("đề xuất"),
        "{shown}"
    );
    fits_the_phone(&c, "the cell's dashboard").await;
    shot(&c, "cr5-dashboard").await;
    let e = s
        .cell_rating(&bithu, round, cell, app.now())
        .await
        .unwrap()
        .rating;
    assert_eq!(
        (
            e.self_points,
            e.proposed_tier.as_deref(),
            e.final_tier.as_deref(),
            e.vote_id
        ),
        (Some(86), Some("htt"), Some("ht"), Some(vote))
    );
    c.close().await.unwrap();
}
