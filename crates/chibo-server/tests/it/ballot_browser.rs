//! A whole election on phones in headless Chromium (390×844): the counting
//! committee's three phones make the key, the head's phone issues the
//! tokens and enters the one paper ballot, members cast from their phones,
//! the committee decrypts, the secretary counts and records the new
//! committee, and each voter finds their tracker on the board — with no
//! error in any phone's console. Members without a browser session here
//! vote through the same API with chibo-ballot (the bundle's crate); their
//! tokens are still signed by the head's phone in the browser.

use crate::ballots::{Api, PHONE_PASSWORD, Phone, meeting_with_phones};
use crate::browser::{driver, shot, text_with};
use crate::support::{Backend, TestApp};
use chibo_ballot::{Ballot, BlindedToken, Channel, Credential, Manifest, Vote, VoteContext};
use chibo_rules::DecisionKind;
use chibo_server::model::VoteMode;
use chibo_server::service::demo::DEMO_PASSWORD;
use chibo_server::store;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// A phone: Chromium at 390×844 keeping its console log.
async fn phone(d: &crate::browser::Driver, app: &TestApp, login: &str, password: &str) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=390,844", "--lang=vi"],
            "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 1}}
        }),
    );
    caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("connect to chromedriver");
    c.goto(&app.url("/login")).await.unwrap();
    for (id, value) in [("login", login), ("password", password)] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click(&c, "main form button[type=submit]").await;
    text_with(&c, "Xin chào").await;
    c
}

/// chromedriver's console log of a session (`/se/log`, type `browser`).
#[derive(Debug)]
struct ConsoleLog;

impl WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base: &reqwest::Url,
        session: Option<&str>,
    ) -> Result<reqwest::Url, <reqwest::Url as std::str::FromStr>::Err> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (reqwest::Method, Option<String>) {
        (reqwest::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// The console's errors since the last call.
async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(ConsoleLog).await.unwrap();
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn click(c: &Client, css: &str) {
    visible(c, css).await.click().await.unwrap();
}

/// The element once shown (the page's script reveals the steps it makes possible).
async fn visible(c: &Client, css: &str) -> fantoccini::elements::Element {
    for _ in 0..600 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && e.is_displayed().await.unwrap_or(false)
        {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let state = match c.find(Locator::Id("ballot-js-state")).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    panic!("{css} never shown; the page's script says: {state}");
}

async fn text_of(c: &Client, css: &str) -> String {
    visible(c, css).await.text().await.unwrap()
}

/// Unticks the names a voter strikes, on a strike-out form (`prefix` of its checkboxes).
async fn strike(c: &Client, prefix: &str, names: &[usize]) {
    for i in names {
        click(c, &format!("#{prefix}{i}")).await;
    }
}

/// The page's script moves the page on by itself; wait for the stage.
async fn stage(c: &Client, label: &str) {
    for _ in 0..600 {
        if let Ok(e) = c.find(Locator::Id("ballot-status")).await
            && e.text().await.unwrap_or_default() == label
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the ballot never reached «{label}»");
}

/// A member without a browser here asks for a token with chibo-ballot; the
/// head's phone in the browser signs it.
async fn ask_token(
    api: &Api<'_>,
    id: i64,
    p: &Phone,
    m: &Manifest,
    rng: &mut ChaCha20Rng,
) -> chibo_ballot::PendingToken {
    let (request, pending) = Credential::generate(rng)
        .request_token(&m.vote_id, Channel::Phone, &m.token_keys.phone, rng)
        .unwrap();
    let (s, v) = api
        .post(&p.token, &format!("/api/v1/ballots/{id}/tokens"), &request)
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    pending
}

#[tokio::test]
async fn a_committee_is_elected_on_phones_with_one_paper_ballot() {
    let Some(d) = driver().await else { return };
    let app = TestApp::demo(Backend::Sqlite).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(1515);
    let (meeting, _, phones) = meeting_with_phones(&app, 0).await;
    assert!(phones.len() >= 11, "{} full members", phones.len());
    let s = &app.services;
    let bithu = app.actor("bithu").await;
    let roll =
        s.db.read(async |r| store::meetings::roll(r, meeting).await)
            .await
            .unwrap();
    let name = |p: &Phone| {
        roll.iter()
            .find(|r| r.member_id == p.member_id)
            .unwrap()
            .full_name
            .clone()
    };
    let (head, t2, t3) = (&phones[0], &phones[1], &phones[2]);
    // The counting committee, elected by show of hands.
    let subject = format!(
        "Bầu ban kiểm phiếu: {}, {}, {}",
        name(head),
        name(t2),
        name(t3)
    );
    let vote = s
        .open_vote(
            &bithu,
            meeting,
            DecisionKind::NghiQuyet,
            &subject,
            VoteMode::Counts,
            app.now(),
        )
        .await
        .unwrap();
    s.enter_counts(&bithu, meeting, vote, (11, 0, 0), app.now())
        .await
        .unwrap();

    // The secretary opens the election on her phone: seven candidates, one
    // withdrawn, five seats; the committee and its head.
    let sec = phone(&d, &app, "bithu", DEMO_PASSWORD).await;
    sec.goto(&app.url(&format!("/meetings/{meeting}/ballots")))
        .await
        .unwrap();
    text_with(&sec, "Mở bỏ phiếu kín").await;
    visible(&sec, "#btitle")
        .await
        .send_keys("Bầu chi ủy nhiệm kỳ 2026–2028")
        .await
        .unwrap();
    visible(&sec, "#bseats").await.send_keys("5").await.unwrap();
    let candidates: Vec<&Phone> = phones[..7].iter().collect();
    for (i, p) in candidates.iter().enumerate() {
        let how = match i {
            6 => "de_cu:rut",
            4 => "tu_ung_cu",
            _ => "de_cu",
        };
        click(&sec, &format!("#nom-{} option[value='{how}']", p.member_id)).await;
    }
    click(&sec, &format!("#bhead option[value='{}']", head.member_id)).await;
    for p in [t2, t3] {
        click(&sec, &format!("#com-{}", p.member_id)).await;
    }
    click(&sec, "#open-ballot-button").await;
    text_with(&sec, "Đã mở bỏ phiếu kín").await;
    let url = sec.current_url().await.unwrap();
    let id: i64 = url.path().trim_start_matches("/ballots/").parse().unwrap();
    shot(&sec, "b1-opened").await;

    // The committee's phones make the key together; the head's makes the token keys.
    let mut committee = Vec::new();
    for p in [head, t2, t3] {
        let c = phone(&d, &app, &p.login, PHONE_PASSWORD).await;
        c.goto(&app.url(&format!("/ballots/{id}"))).await.unwrap();
        committee.push(c);
    }
    for c in &committee {
        stage(c, "Đang phát và bỏ phiếu").await;
    }
    let view = api
        .json(&head.token, &format!("/api/v1/ballots/{id}"))
        .await;
    assert_eq!(view["sv"]["k"], 2);
    let fingerprint = view["sv"]["fingerprint"].as_str().unwrap().to_string();
    assert!(
        text_with(&committee[1], &fingerprint)
            .await
            .contains("Mã khóa chung")
    );
    let (_, bytes) = api
        .get(&head.token, &format!("/api/v1/ballots/{id}/manifest"))
        .await;
    let manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
    let ctx = VoteContext::new(manifest.clone()).unwrap();

    // Each committee phone asks for its ballot; the head's phone issues them.
    for c in &committee {
        click(c, "#get-ballot").await;
    }
    // Seven members without a browser here ask too.
    let others: Vec<&Phone> = phones[3..10].iter().collect();
    let mut pending = Vec::new();
    for p in &others {
        pending.push(ask_token(&api, id, p, &manifest, &mut rng).await);
    }
    let h = &committee[0];
    for _ in 0..150 {
        let v = api
            .json(&head.token, &format!("/api/v1/ballots/{id}"))
            .await;
        if v["issued_phone"] == 10 {
            break;
        }
        // The head's phone lists the requests as they come; it issues to all waiting.
        if let Ok(b) = h.find(Locator::Id("sign-all")).await
            && b.is_displayed().await.unwrap_or(false)
            && b.is_enabled().await.unwrap_or(false)
        {
            b.click().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(text_with(h, "10/11").await.contains("Đã phát"));

    // The phones cast: strike-out lists of six names (the seventh withdrew).
    // A,B,C,D,E,F are the first six candidates.
    let browser_votes: [&[usize]; 3] = [&[5], &[4], &[3, 5]];
    let mut trackers = Vec::new();
    for (c, struck) in committee.iter().zip(browser_votes) {
        visible(c, "#ballot-form").await;
        strike(c, "keep-", struck).await;
        click(c, "#cast").await;
        let t = text_of(c, "#tracker").await;
        assert_eq!(t.len(), 64, "{t}");
        trackers.push(t);
    }
    let kept: [&[usize]; 7] = [
        &[0, 1, 3, 4],
        &[0, 2, 3, 4, 5],
        &[],
        &[0, 1, 2, 3, 4],
        &[1, 2, 3, 4, 5],
        &[0, 1, 2, 3, 4],
        &[0, 5],
    ];
    for ((p, pend), keep) in others.iter().zip(pending).zip(kept) {
        let back = api
            .json(&p.token, &format!("/api/v1/ballots/{id}/tokens/mine"))
            .await;
        let signed: BlindedToken = serde_json::from_value(back).unwrap();
        let voter = pend.finish(&signed).unwrap();
        let b = Ballot::cast(
            &ctx,
            &voter,
            &Vote::Keep {
                candidates: keep.to_vec(),
            },
            &mut rng,
        )
        .unwrap();
        let (st, v) = api.cast(id, &b.to_bytes()).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }

    // The eleventh member gets a paper ballot; the head's phone enters it as read.
    let paper = &phones[10];
    click(h, "#issue details summary").await;
    click(h, &format!("#paper-{}", paper.member_id)).await;
    text_with(h, "Đã phát phiếu giấy").await;
    strike(h, "paper-keep-", &[5]).await;
    click(h, "#paper-enter").await;
    text_with(h, "Đã nhập phiếu giấy").await;
    // Two committee members enter and confirm the invalid paper count.
    for (c, said) in [
        (&committee[1], "cần thành viên thứ hai xác nhận"),
        (&committee[2], "đã được thành viên thứ hai xác nhận"),
    ] {
        c.goto(&app.url(&format!("/ballots/{id}"))).await.unwrap();
        visible(c, "#pinvalid").await.clear().await.unwrap();
        visible(c, "#pinvalid").await.send_keys("0").await.unwrap();
        click(c, "#paper-invalid").await;
        text_with(c, said).await;
    }
    shot(h, "b2-issued").await;

    // The secretary closes the box; two committee phones check the board and send shares.
    sec.goto(&app.url(&format!("/ballots/{id}"))).await.unwrap();
    click(&sec, "#close-box").await;
    sec.accept_alert().await.unwrap();
    text_with(&sec, "Đã đóng hòm phiếu").await;
    let board_hash = text_of(&sec, "#board-hash").await;
    for c in [&committee[1], &committee[2]] {
        stage(c, "Đã đóng hòm phiếu").await;
        visible(c, "#send-share").await;
        let mine = text_of(c, "#my-board-hash").await;
        assert_eq!(
            mine, board_hash,
            "the phone decrypts the board the room was shown"
        );
        // Sent once the phone hides its button (it checks the whole board first).
        for _ in 0..300 {
            match c.find(Locator::Id("send-share")).await {
                Ok(b) if b.is_displayed().await.unwrap_or(false) => {
                    if b.is_enabled().await.unwrap_or(false) {
                        b.click().await.unwrap();
                    }
                }
                _ => break,
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    for _ in 0..400 {
        let v = api
            .json(&head.token, &format!("/api/v1/ballots/{id}"))
            .await;
        if v["shares"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let v = api
        .json(&head.token, &format!("/api/v1/ballots/{id}"))
        .await;
    let mut said = Vec::new();
    for c in &committee {
        let e = c.find(Locator::Id("ballot-js-state")).await.unwrap();
        said.push(e.text().await.unwrap_or_default());
    }
    assert_eq!(v["shares"], 2, "the phones say {said:?}");
    sec.goto(&app.url(&format!("/ballots/{id}"))).await.unwrap();
    click(&sec, "#tally").await;
    let page = text_with(&sec, "Kết quả kiểm phiếu").await;
    shot(&sec, "b3-result").await;
    // Hand count: A 9, B 8, C 8, D 8, E 8, F 4; one ballot struck every name.
    assert_eq!(text_of(&sec, "#valid-count").await, "10", "{page}");
    assert_eq!(text_of(&sec, "#invalid-count").await, "1", "{page}");
    let elected: Vec<String> = candidates[..5].iter().map(|p| name(p)).collect();
    let rows = sec
        .find_all(Locator::Css("table.results tr"))
        .await
        .unwrap();
    let mut shown = Vec::new();
    for r in rows {
        shown.push(r.text().await.unwrap());
    }
    for (p, votes) in candidates[..6].iter().zip([9, 8, 8, 8, 8, 4]) {
        let row = shown
            .iter()
            .find(|r| r.starts_with(&name(p)))
            .unwrap_or_else(|| panic!("{} not in {shown:?}", name(p)));
        assert!(row.contains(&votes.to_string()), "{row}");
        assert_eq!(row.contains("Trúng cử"), votes > 4, "{row}");
    }
    assert!(text_of(&sec, "#outcome").await.contains("Đạt"));

    // The elected become the cell's committee, with their term.
    click(&sec, "#record-elected").await;
    text_with(&sec, "Đã ghi nhận người trúng cử").await;
    let cell = app.cell_ids().await[0];
    let posts =
        s.db.read(async |r| store::orgs::committee(r, cell).await)
            .await
            .unwrap();
    let mut now: Vec<String> = posts
        .iter()
        .filter(|p| p.role == "chi_uy_vien" && p.end_date.is_none())
        .map(|p| p.member_name.clone())
        .collect();
    now.sort();
    let mut want = elected.clone();
    want.sort();
    assert_eq!(now, want);

    // Every phone finds its tracker on the board.
    for (c, t) in committee.iter().zip(&trackers) {
        c.goto(&app.url(&format!("/ballots/{id}"))).await.unwrap();
        let found = text_of(c, "#my-tracker-check").await;
        assert!(
            found.contains("có trên bảng") && found.contains(t.as_str()),
            "{found}"
        );
    }
    visible(&sec, "#tracker-q")
        .await
        .send_keys(&trackers[0])
        .await
        .unwrap();
    click(&sec, "#find-tracker").await;
    assert!(
        text_of(&sec, "#lookup")
            .await
            .starts_with("Mã phiếu có trên bảng")
    );
    shot(&committee[1], "b4-tracker").await;

    // No phone's console logged an error.
    for c in committee.iter().chain([&sec]) {
        let errors = console_errors(c).await;
        assert!(errors.is_empty(), "{errors:?}");
    }
    for c in committee {
        c.close().await.unwrap();
    }
    sec.close().await.unwrap();
}
