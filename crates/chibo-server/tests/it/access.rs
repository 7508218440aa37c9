//! Who may do what, and what is logged: one test per finding of the field
//! test's access review (issue 11, item 5).

use crate::support::{Backend, TestApp, csrf_of, hidden, text};
use chibo_server::service::demo::DEMO_PASSWORD;
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn account_id(app: &TestApp, login: &str) -> i64 {
    app.services
        .db
        .read(async |r| store::accounts::by_login(r, login).await)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A client that has opened the login page (and holds its pre-session
/// cookie), with the form's token.
async fn at_login_page(app: &TestApp) -> (Client, String) {
    let c = TestApp::client();
    let page = app.html(&c, "/login").await;
    let csrf = hidden(&page, "csrf");
    (c, csrf)
}

/// Parallel guesses are counted before any of them is checked: of 40 wrong
/// passwords sent at once, only the five the limit allows are evaluated, and
/// the right password afterwards is refused as well.
#[db_test]
async fn parallel_wrong_passwords_are_throttled_before_they_are_checked(b: Backend) {
    let app = TestApp::demo(b).await;
    let mut ready = vec![];
    for _ in 0..40 {
        ready.push(at_login_page(&app).await);
    }
    let guesses = ready.into_iter().enumerate().map(|(i, (c, csrf))| {
        let url = app.url("/login");
        tokio::spawn(async move {
            let password = format!("doan-sai-{i}");
            c.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("login", "dangvien"),
                    ("password", password.as_str()),
                    ("next", "/"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| *s.as_ref().unwrap() == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| *s.as_ref().unwrap() == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked, 5, "{b:?}: only the allowed attempts are checked");
    assert_eq!(throttled, 35, "{b:?}");
    let (c, _) = at_login_page(&app).await;
    assert_eq!(
        app.try_login(&c, "dangvien", DEMO_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "{b:?}: the right password is refused too"
    );
    // Once the window has passed, the right password works, and a success
    // leaves no failure behind.
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        app.try_login(&c, "dangvien", DEMO_PASSWORD).await,
        StatusCode::SEE_OTHER,
        "{b:?}"
    );
    for _ in 0..5 {
        let (c, _) = at_login_page(&app).await;
        assert_eq!(
            app.try_login(&c, "dangvien", DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "{b:?}: successes are not counted as failures"
        );
    }
}

/// Eight uses of the one-time setup link at once create one administrator.
#[db_test]
async fn the_setup_link_creates_one_admin_however_often_it_is_used_at_once(b: Backend) {
    let app = TestApp::empty(b).await;
    let token = app
        .services
        .setup_link_token(app.now())
        .await
        .unwrap()
        .expect("empty installation");
    let mut ready = vec![];
    for _ in 0..8 {
        let c = TestApp::client();
        let page = app.html(&c, &format!("/setup?token={token}")).await;
        ready.push((c, hidden(&page, "csrf")));
    }
    let uses = ready.into_iter().enumerate().map(|(i, (c, csrf))| {
        let (url, token) = (app.url("/setup"), token.clone());
        tokio::spawn(async move {
            let login = format!("quantri{i}");
            c.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("token", token.as_str()),
                    ("login", login.as_str()),
                    ("display_name", "Quản trị"),
                    ("password", "mật khẩu đủ dài"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(uses)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        1,
        "{b:?}: {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::FORBIDDEN),
        "{b:?}: {statuses:?}"
    );
    assert_eq!(
        app.services
            .db
            .read(async |r| store::accounts::count(r).await)
            .await
            .unwrap(),
        1,
        "{b:?}: one administrator"
    );
}

/// `next=` and `back=` only lead to paths on this site, whatever the
/// encoding.
#[db_test]
async fn redirects_stay_on_this_site(b: Backend) {
    let app = TestApp::demo(b).await;
    let c = TestApp::client();
    // As typed in the address bar (percent-encoded in the query string).
    for back in [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "//evil.example",
        "/%2F/evil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "/%252F/evil.example",
        "/%255C/evil.example",
        "/%20/evil.example",
        "https://evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
    ] {
        let res = c
            .get(app.url(&format!("/prefs?lang=vi&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?} {back}");
        assert_eq!(res.headers()["location"], "/", "{b:?}: back={back}");
    }
    let res = c
        .get(app.url("/prefs?lang=vi&back=/members%3Fq%3Dabc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/members?q=abc", "{b:?}");

    // The login form's `next`, as the form sends it.
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/%2f/evil.example",
        "/%5c/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
    ] {
        let (c, csrf) = at_login_page(&app).await;
        let res = app
            .post(
                &c,
                "/login",
                &[
                    ("csrf", csrf.as_str()),
                    ("login", "bithu"),
                    ("password", DEMO_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?} {next:?}");
        assert_eq!(res.headers()["location"], "/", "{b:?}: next={next:?}");
    }
    let (c, csrf) = at_login_page(&app).await;
    let res = app
        .post(
            &c,
            "/login",
            &[
                ("csrf", csrf.as_str()),
                ("login", "bithu"),
                ("password", DEMO_PASSWORD),
                ("next", "/members?unit=3"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/members?unit=3", "{b:?}");
}

/// An ordinary member sees the others' basics only, cannot search by an
/// identifier, and the attempt is logged; the committee's identifier
/// searches are logged with who, when and whom they found.
#[db_test]
async fn members_see_basics_and_identifier_searches_are_logged(b: Backend) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cell = app.cell_ids().await[0];
    let members = db
        .read(async |r| store::members::of_cell(r, cell).await)
        .await
        .unwrap();
    let other = members
        .iter()
        .find(|m| m.card_no.is_some() && m.national_id.is_some() && m.phone.is_some())
        .expect("a member with identifiers");
    let card = other.card_no.clone().unwrap();
    let dob = other.date_of_birth.unwrap().format("%d/%m/%Y").to_string();

    // The member's list: names, no card numbers, no dates of birth.
    let (c, _) = app.login("dangvien").await;
    let page = app.page(&c, "/members").await;
    assert!(page.contains(&other.full_name), "{b:?}: {page}");
    assert!(
        !page.contains(&card) && !page.contains(&dob),
        "{b:?}: {page}"
    );
    let token = app.token_for("dangvien").await;
    let api = Client::new();
    let list: Value = api
        .get(app.url(&format!("/api/v1/members?unit={cell}&per_page=200")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = list["members"].as_array().unwrap();
    assert_eq!(rows.len(), members.len(), "{b:?}");
    assert!(
        rows.iter()
            .all(|r| r["card_no"].is_null() && r["date_of_birth"].is_null()),
        "{b:?}: {list}"
    );
    assert!(rows.iter().any(|r| r["post"] == "bi_thu"), "{b:?}: {list}");

    // Searching by an identifier is for the committee: refused, and logged.
    let me = account_id(&app, "dangvien").await;
    for q in [
        card.clone(),
        other.national_id.clone().unwrap(),
        other.phone.clone().unwrap(),
    ] {
        let res = api
            .get(app.url(&format!("/api/v1/members?unit={cell}&q={q}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}: q={q}");
        // The search as asked, and the refused request.
        let log = db
            .read(async |r| store::access::of_account(r, me, 2).await)
            .await
            .unwrap();
        assert!(
            log.iter().any(|r| r.kind == "search"
                && !r.granted
                && r.detail.as_deref() == Some(q.as_str())),
            "{b:?}: {log:?}"
        );
    }
    assert_eq!(
        c.get(app.url(&format!("/members?q={card}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN,
        "{b:?}"
    );

    // The secretary finds the member by national ID and by phone; each
    // search is on the member's record with who made it and when.
    let (sec, _) = app.login("bithu").await;
    let nid = other.national_id.clone().unwrap();
    let phone = other.phone.clone().unwrap();
    for q in [&nid, &phone] {
        let page = app.page(&sec, &format!("/members?q={q}")).await;
        assert!(page.contains(&other.full_name), "{b:?}: {page}");
        assert!(
            page.contains(&card),
            "{b:?}: the committee sees card numbers"
        );
    }
    let bithu = account_id(&app, "bithu").await;
    let log = db
        .read(async |r| store::members::access_log(r, other.id, 10).await)
        .await
        .unwrap();
    let searches: Vec<_> = log.iter().filter(|r| r.kind == "search").collect();
    assert_eq!(searches.len(), 2, "{b:?}: {log:?}");
    assert!(
        searches.iter().all(|r| r.granted
            && r.at == app.now()
            && r.who.as_deref().is_some_and(|w| !w.is_empty())
            && r.account_id == bithu),
        "{b:?}: {log:?}"
    );
    assert_eq!(searches[0].detail.as_deref(), Some(phone.as_str()));
    assert_eq!(searches[1].detail.as_deref(), Some(nid.as_str()));
    // A search by name is not an identifier search and is not logged.
    let before = db
        .read(async |r| store::access::of_account(r, bithu, 100).await)
        .await
        .unwrap()
        .len();
    app.page(&sec, "/members?q=nguyen").await;
    let after = db
        .read(async |r| store::access::of_account(r, bithu, 100).await)
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "{b:?}");
}

/// No one grants more than they hold, nor outside their own units.
#[db_test]
async fn no_one_grants_more_than_they_hold(b: Backend) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cells = app.cell_ids().await;
    let upper_unit = db
        .read(async |r| store::orgs::get(r, cells[0]).await)
        .await
        .unwrap()
        .unwrap()
        .parent_id
        .unwrap();
    let api = Client::new();
    let try_create = |token: String, role: &'static str, org: i64, login: &'static str| {
        let (api, url) = (api.clone(), app.url("/api/v1/users"));
        async move {
            api.post(url)
                .bearer_auth(token)
                .json(&json!({"login": login, "display_name": "Người mới", "password": "mật khẩu đủ dài",
                              "role": role, "org_id": org}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let upper = app.token_for("dangbo").await;
    // The finding: an upper committee's account made an administrator.
    assert_eq!(
        try_create(upper.clone(), "admin", upper_unit, "quantri2").await,
        StatusCode::FORBIDDEN,
        "{b:?}"
    );
    assert_eq!(
        try_create(upper.clone(), "admin", cells[0], "quantri3").await,
        StatusCode::FORBIDDEN,
        "{b:?}"
    );
    // What it holds, it may give within its units.
    assert_eq!(
        try_create(upper.clone(), "upper", upper_unit, "dangbo.moi").await,
        StatusCode::CREATED,
        "{b:?}"
    );
    assert_eq!(
        try_create(upper, "bi_thu", cells[1], "bithu.moi").await,
        StatusCode::CREATED,
        "{b:?}"
    );
    let secretary = app.token_for("bithu").await;
    for (role, org, login) in [
        ("upper", cells[0], "x.upper"),
        ("bi_thu", upper_unit, "x.above"),
        ("member", cells[1], "x.other"),
        ("admin", cells[0], "x.admin"),
    ] {
        assert_eq!(
            try_create(secretary.clone(), role, org, login).await,
            StatusCode::FORBIDDEN,
            "{b:?}: bi_thu gives {role} on {org}"
        );
    }
    assert_eq!(
        try_create(secretary, "member", cells[0], "dangvien.moi").await,
        StatusCode::CREATED,
        "{b:?}"
    );
    let member = app.token_for("dangvien").await;
    assert_eq!(
        try_create(member, "member", cells[0], "y.member").await,
        StatusCode::FORBIDDEN,
        "{b:?}"
    );
    for login in ["quantri2", "quantri3", "x.upper", "x.admin", "y.member"] {
        assert!(
            db.read(async |r| store::accounts::by_login(r, login).await)
                .await
                .unwrap()
                .is_none(),
            "{b:?}: {login}"
        );
    }
    // The form offers only what may be given.
    let (c, _) = app.login("dangbo").await;
    let page = app.html(&c, "/users").await;
    assert!(
        page.contains("value=\"upper\"") && !page.contains("value=\"admin\""),
        "{b:?}"
    );
}

/// An admin's account (on no unit) linked to a member that does not exist:
/// schemathesis found PostgreSQL answering 500 (the foreign key refused it
/// inside the write). It is a missing reference, 404, and nothing is written.
#[db_test]
async fn an_account_linked_to_a_member_that_does_not_exist_is_refused(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = app.token_for("quantri").await;
    let res = Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(token)
        .json(
            &json!({"login": "quantri.moi", "display_name": "Quản trị mới",
                      "password": "mật khẩu đủ dài", "role": "admin", "member_id": 987_654}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "{b:?}");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["problems"][0]["field"], "member_id", "{v}");
    assert!(
        app.services
            .db
            .read(async |r| store::accounts::by_login(r, "quantri.moi").await)
            .await
            .unwrap()
            .is_none(),
        "{b:?}"
    );
}

/// Tokens expire (by default after the configured days), are listed and
/// revoked by their owner and an admin, in the API and on the account page.
#[db_test]
async fn api_tokens_expire_and_can_be_listed_and_revoked(b: Backend) {
    let app = TestApp::configured(b, |c| c.api_token_days = 30).await;
    app.services
        .generate_demo(
            chibo_server::service::demo::DemoSize {
                cells: 2,
                members_per_cell: 12,
            },
            app.now(),
        )
        .await
        .unwrap();
    let api = Client::new();
    let me = |t: &str| {
        let (api, url, t) = (api.clone(), app.url("/api/v1/me"), t.to_string());
        async move { api.get(url).bearer_auth(t).send().await.unwrap().status() }
    };
    // The default lifetime is the configured one.
    let t1 = app.token_for("bithu").await;
    assert_eq!(me(&t1).await, StatusCode::OK, "{b:?}");
    app.clock
        .advance(chrono::Duration::days(30) - chrono::Duration::minutes(1));
    assert_eq!(me(&t1).await, StatusCode::OK, "{b:?}");
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(me(&t1).await, StatusCode::UNAUTHORIZED, "{b:?}: expired");

    // A browser session creates one (with its CSRF header), for 7 days.
    let (c, csrf) = app.login("bithu").await;
    let created = c
        .post(app.url("/api/v1/me/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"label": "Bảng tính của chi bộ", "days": 7}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED, "{b:?}");
    let created: Value = created.json().await.unwrap();
    let t2 = created["token"].as_str().unwrap().to_string();
    assert_eq!(me(&t2).await, StatusCode::OK, "{b:?}");
    // A token cannot mint tokens.
    let minted = api
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&t2)
        .json(&json!({"label": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), StatusCode::FORBIDDEN, "{b:?}");
    // Listed, without secrets.
    let list: Value = api
        .get(app.url("/api/v1/me/tokens"))
        .bearer_auth(&t2)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "{b:?}: {list}");
    assert_eq!(list[0]["label"], "Bảng tính của chi bộ");
    assert!(!list.to_string().contains(&t2), "{b:?}");
    let id = created["id"].as_i64().unwrap();

    // Someone else may neither list nor revoke it; an admin may.
    let other = app.token_for("bithu.2").await;
    let bithu = account_id(&app, "bithu").await;
    assert_eq!(
        api.get(app.url(&format!("/api/v1/users/{bithu}/tokens")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN,
        "{b:?}"
    );
    assert_eq!(
        api.delete(app.url(&format!("/api/v1/tokens/{id}")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN,
        "{b:?}"
    );
    assert_eq!(me(&t2).await, StatusCode::OK, "{b:?}");
    let admin = app.token_for("quantri").await;
    let seen: Value = api
        .get(app.url(&format!("/api/v1/users/{bithu}/tokens")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen.as_array().unwrap().len(), 2, "{b:?}");
    let revoked = api
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK, "{b:?}");
    assert!(revoked.json::<Value>().await.unwrap()["revoked_at"].is_string());
    assert_eq!(me(&t2).await, StatusCode::UNAUTHORIZED, "{b:?}: revoked");

    // The account page: create one (shown once), then revoke it.
    let page = app.html(&c, "/account").await;
    let csrf = csrf_of(&page);
    let res = app
        .post(
            &c,
            "/account/tokens",
            &[
                ("csrf", csrf.as_str()),
                ("label", "Điện thoại"),
                ("days", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{b:?}");
    let html = res.text().await.unwrap();
    let marker = "<code id=\"new-token\">";
    let start = html.find(marker).expect("the new token is shown") + marker.len();
    let t3 = html[start..].split('<').next().unwrap().to_string();
    assert_eq!(me(&t3).await, StatusCode::OK, "{b:?}");
    assert!(
        !app.html(&c, "/account").await.contains(&t3),
        "{b:?}: shown once"
    );
    let list: Value = api
        .get(app.url("/api/v1/me/tokens"))
        .bearer_auth(&t3)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t3_id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["label"], "Điện thoại");
    let bad = app
        .post(
            &c,
            "/account/tokens",
            &[("csrf", csrf.as_str()), ("label", "x"), ("days", "9999")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert!(text(&bad.text().await.unwrap()).contains("từ 1 đến 366"));
    let res = app
        .post(
            &c,
            &format!("/tokens/{t3_id}/revoke"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{b:?}");
    assert_eq!(me(&t3).await, StatusCode::UNAUTHORIZED, "{b:?}");
    let page = app.page(&c, "/account").await;
    assert!(
        page.contains("đã thu hồi") && page.contains("đã hết hạn"),
        "{b:?}"
    );
}

/// Refused reads and writes of anything, not only member records, are
/// logged with who asked and what.
#[db_test]
async fn refused_requests_are_logged(b: Backend) {
    let app = TestApp::demo(b).await;
    let db = &app.services.db;
    let cells = app.cell_ids().await;
    let bithu = account_id(&app, "bithu").await;
    let (c, _) = app.login("bithu").await;
    // A read: another cell's unit page.
    let res = c
        .get(app.url(&format!("/units/{}", cells[1])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}");
    let log = db
        .read(async |r| store::access::of_account(r, bithu, 1).await)
        .await
        .unwrap();
    assert!(
        log[0].kind == "refused"
            && !log[0].granted
            && log[0].detail.as_deref() == Some(format!("GET /units/{}", cells[1]).as_str()),
        "{b:?}: {log:?}"
    );
    // A write through the API: a member in another cell.
    let token = app.token_for("bithu").await;
    let res = Client::new()
        .post(app.url("/api/v1/members"))
        .bearer_auth(&token)
        .json(&json!({"cell_id": cells[1], "full_name": "Nguyễn Văn Lạ"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}");
    let log = db
        .read(async |r| store::access::of_account(r, bithu, 1).await)
        .await
        .unwrap();
    assert_eq!(
        log[0].detail.as_deref(),
        Some("POST /api/v1/members"),
        "{b:?}: {log:?}"
    );
    assert_eq!(log[0].kind, "refused");
    // A write refused for its CSRF token.
    let res = app
        .post(&c, "/logout-all", &[("csrf", "not-the-token")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}");
    let log = db
        .read(async |r| store::access::of_account(r, bithu, 1).await)
        .await
        .unwrap();
    assert_eq!(log[0].detail.as_deref(), Some("POST /logout-all"), "{b:?}");
}

/// While the database cannot be reached, requests get 503 with a message
/// (JSON for the API, a page for people), not a bare 500.
#[db_test]
async fn a_database_outage_answers_503(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = app.token_for("bithu").await;
    let (c, _) = app.login("bithu").await;
    app.services.db.close().await;
    let res = Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{b:?}");
    assert!(res.headers().contains_key("retry-after"), "{b:?}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "unavailable", "{b:?}: {body}");
    let res = c.get(app.url("/members")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{b:?}");
    assert!(
        text(&res.text().await.unwrap()).contains("tạm thời không truy cập được"),
        "{b:?}"
    );
}

/// Served over TLS (`--secure-cookies`), every answer tells browsers to use
/// HTTPS from now on; over plain HTTP it would be meaningless and is not sent.
#[db_test]
async fn hsts_with_secure_cookies(b: Backend) {
    let app = TestApp::configured(b, |c| c.secure_cookies = true).await;
    let res = TestApp::client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000",
        "{b:?}"
    );
    let plain = TestApp::empty(b).await;
    let res = TestApp::client()
        .get(plain.url("/login"))
        .send()
        .await
        .unwrap();
    assert!(!res.headers().contains_key("strict-transport-security"));
}
