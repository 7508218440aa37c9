//! The in-process caches (issue 18 item 2): the actor behind a session or a
//! token, and the units requests read, are kept in memory, and each write
//! that changes them drops them, so the very next request sees the change.
//! Each test first makes the server keep what the write will change (a
//! request that reads it), then writes, then asks again at once.

use crate::ops::Peer;
use crate::support::{Backend, TestApp, csrf_of, hidden, postgres_available, text};
use chibo_server::service::demo::DEMO_PASSWORD;
use chibo_test_macros::db_test;
use reqwest::{Client, StatusCode, header};
use std::time::{Duration, Instant};

/// A session cookie and its CSRF token, sent by hand (a cookie store would
/// forget the cookie when the logout clears it, and prove nothing).
struct Session {
    cookie: String,
    csrf: String,
}

async fn session(app: &TestApp, login: &str, password: &str) -> Session {
    let c = TestApp::client();
    let page = app.html(&c, "/login").await;
    let res = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", hidden(&page, "csrf").as_str()),
            ("login", login),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login as {login}");
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("chibo_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let cookie = format!("chibo_session={cookie}");
    let (status, home) = get(app.url("/"), &cookie).await;
    assert_eq!(status, StatusCode::OK, "home as {login}");
    Session {
        csrf: csrf_of(&home),
        cookie,
    }
}

/// A GET with only this cookie: its status and body.
async fn get(url: String, cookie: &str) -> (StatusCode, String) {
    let res = plain()
        .get(url)
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("get");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

async fn post(app: &TestApp, s: &Session, path: &str, form: &[(&str, &str)]) -> StatusCode {
    let mut fields = vec![("csrf", s.csrf.as_str())];
    fields.extend_from_slice(form);
    plain()
        .post(app.url(path))
        .header(header::COOKIE, &s.cookie)
        .form(&fields)
        .send()
        .await
        .expect("post")
        .status()
}

fn plain() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A session the server refuses: the page sends to the login form.
fn refused(status: StatusCode) -> bool {
    status == StatusCode::SEE_OTHER
}

#[db_test]
async fn a_logged_out_session_is_refused_at_once(b: Backend) {
    let app = TestApp::demo(b).await;
    let s = session(&app, "bithu", DEMO_PASSWORD).await;
    assert!(
        !app.services.caches.is_empty(),
        "{b:?}: the session is kept"
    );
    assert_eq!(post(&app, &s, "/logout", &[]).await, StatusCode::SEE_OTHER);
    let (status, _) = get(app.url("/members"), &s.cookie).await;
    assert!(refused(status), "{b:?}: {status} after logout");
}

#[db_test]
async fn a_password_change_ends_every_session_at_once(b: Backend) {
    let app = TestApp::demo(b).await;
    let other = session(&app, "bithu", DEMO_PASSWORD).await;
    let s = session(&app, "bithu", DEMO_PASSWORD).await;
    let new = "một mật khẩu mới dài";
    let status = post(
        &app,
        &s,
        "/account/password",
        &[("old_password", DEMO_PASSWORD), ("new_password", new)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{b:?}");
    let (status, _) = get(app.url("/members"), &other.cookie).await;
    assert!(
        refused(status),
        "{b:?}: {status} for the other session after the password changed"
    );
    // The new password opens a new one.
    session(&app, "bithu", new).await;
}

#[db_test]
async fn a_deactivated_account_is_refused_at_once(b: Backend) {
    let app = TestApp::demo(b).await;
    let member = session(&app, "dangvien", DEMO_PASSWORD).await;
    let token = app.token_for("dangvien").await;
    let api = |token: String| {
        let url = app.url("/api/v1/me/tasks");
        async move {
            plain()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("api")
                .status()
        }
    };
    assert_eq!(api(token.clone()).await, StatusCode::OK, "{b:?}");
    let id = app.actor("dangvien").await.account_id;
    let secretary = session(&app, "bithu", DEMO_PASSWORD).await;
    let status = post(
        &app,
        &secretary,
        &format!("/users/{id}/active"),
        &[("active", "0")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{b:?}");
    let (status, _) = get(app.url("/"), &member.cookie).await;
    assert!(refused(status), "{b:?}: {status} for a deactivated account");
    assert_eq!(
        api(token).await,
        StatusCode::UNAUTHORIZED,
        "{b:?}: the token of a deactivated account"
    );
}

/// No write changes an existing account's grants yet (a grant is written
/// with its account); what an actor is granted on is its units, and a
/// revoked token is a grant of access taken back: both go at once.
#[db_test]
async fn a_revoked_api_token_is_refused_at_once(b: Backend) {
    let app = TestApp::demo(b).await;
    let token = app.token_for("bithu").await;
    let call = || {
        plain()
            .get(app.url("/api/v1/me/tasks"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(call().await.unwrap().status(), StatusCode::OK, "{b:?}");
    let s = session(&app, "bithu", DEMO_PASSWORD).await;
    let (_, account) = get(app.url("/account"), &s.cookie).await;
    let id = account
        .split("/tokens/")
        .nth(1)
        .and_then(|t| t.split('/').next())
        .and_then(|t| t.parse::<i64>().ok())
        .expect("the token's revoke form on the account page");
    let status = post(&app, &s, &format!("/tokens/{id}/revoke"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{b:?}");
    assert_eq!(
        call().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "{b:?}: a revoked token"
    );
}

#[db_test]
async fn a_renamed_unit_shows_its_new_name_at_once(b: Backend) {
    let app = TestApp::demo(b).await;
    let cell = app.cell_ids().await[0];
    let unit = app.services.org(cell).await.expect("the cell");
    let s = session(&app, "bithu", DEMO_PASSWORD).await;
    // The cell is read and kept: as the secretary's own unit and by id.
    let (_, before) = get(app.url(&format!("/units/{cell}")), &s.cookie).await;
    assert!(text(&before).contains(&unit.name), "{b:?}");
    assert!(
        !app.services.caches.orgs.is_empty(),
        "{b:?}: units are kept"
    );
    let name = "Chi bộ Khu phố Đổi Tên";
    let status = post(
        &app,
        &s,
        &format!("/units/{cell}"),
        &[
            ("kind", unit.kind.as_str()),
            ("code", unit.code.as_deref().unwrap_or_default()),
            ("name", name),
            ("cell_type", unit.cell_type.as_deref().unwrap_or_default()),
            ("place", unit.place.as_deref().unwrap_or_default()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{b:?}");
    for page in ["/".to_string(), format!("/units/{cell}"), "/members".into()] {
        let (status, html) = get(app.url(&page), &s.cookie).await;
        assert_eq!(status, StatusCode::OK, "{b:?} {page}");
        assert!(
            text(&html).contains(name),
            "{b:?}: {page} shows the old name"
        );
    }
}

/// Two servers on one PostgreSQL database: a logout through one reaches the
/// other's cache through the notification sent at commit.
#[tokio::test]
async fn a_logout_on_one_server_reaches_the_other() {
    if !postgres_available() {
        return;
    }
    let a = TestApp::demo(Backend::Postgres).await;
    let peer = Peer::of(&a, |_| {}).await;
    let s = session(&a, "bithu", DEMO_PASSWORD).await;
    // B keeps the session once it hears the others (its listener is up).
    let start = Instant::now();
    loop {
        let (status, _) = get(peer.url("/"), &s.cookie).await;
        assert_eq!(status, StatusCode::OK, "B knows A's session");
        if !peer.services.caches.is_empty() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "B keeps nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(post(&a, &s, "/logout", &[]).await, StatusCode::SEE_OTHER);
    // Delivered at A's commit; B hears it a moment later.
    let start = Instant::now();
    while !peer.services.caches.is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "B never heard of the logout"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, _) = get(peer.url("/members"), &s.cookie).await;
    assert!(refused(status), "{status} on B after a logout on A");
}
