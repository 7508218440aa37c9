use crate::support::{Backend, TestApp, csrf_of, hidden, text};
use chibo_test_macros::db_test;
use reqwest::StatusCode;

#[db_test]
async fn login_logout_and_wrong_password(b: Backend) {
    let app = TestApp::demo(b).await;
    let c = TestApp::client();
    assert_eq!(
        app.try_login(&c, "bithu", "sai mật khẩu").await,
        StatusCode::UNAUTHORIZED,
        "{b:?}"
    );
    let res = c.get(app.url("/members")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{b:?}: members need a login"
    );
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );

    let (c, csrf) = app.login("bithu").await;
    assert_eq!(
        c.get(app.url("/members")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let out = app.post(&c, "/logout", &[("csrf", csrf.as_str())]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        c.get(app.url("/members")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "{b:?}: logged out"
    );
}

#[db_test]
async fn login_is_throttled_per_account(b: Backend) {
    let app = TestApp::demo(b).await;
    let c = TestApp::client();
    for _ in 0..5 {
        assert_eq!(
            app.try_login(&c, "dangvien", "wrong-password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused now, with a message saying why.
    assert_eq!(
        app.try_login(&c, "dangvien", chibo_server::service::demo::DEMO_PASSWORD)
            .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let page = app.html(&c, "/login").await;
    let csrf = hidden(&page, "csrf");
    let res = app
        .post(
            &c,
            "/login",
            &[
                ("csrf", csrf.as_str()),
                ("login", "dangvien"),
                ("password", "x"),
                ("next", "/"),
            ],
        )
        .await;
    assert!(text(&res.text().await.unwrap()).contains("Đăng nhập sai quá nhiều lần"));
}

#[db_test]
async fn forms_without_csrf_token_are_refused(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, _) = app.login("bithu").await;
    let cell = app.cell_ids().await[0];
    let res = app
        .post(
            &c,
            &format!("/members/new?cell={cell}"),
            &[("full_name", "Nguyễn Văn Mới")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{b:?}");
    assert!(text(&res.text().await.unwrap()).contains("biểu mẫu không hợp lệ"));
    let found = app.services.db.clone();
    let n = found
        .read(async |r| chibo_server::store::members::of_cell(r, cell).await)
        .await
        .unwrap()
        .len();
    assert_eq!(n, 12, "{b:?}: nothing was created");
    // A login form without its pre-session token is refused too.
    let fresh = TestApp::client();
    let res = app
        .post(&fresh, "/login", &[("login", "bithu"), ("password", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[db_test]
async fn first_admin_through_the_one_time_setup_link(b: Backend) {
    let app = TestApp::empty(b).await;
    // What `chibo serve` printed: a token whose hash is stored.
    let token = app
        .services
        .setup_link_token(app.now())
        .await
        .unwrap()
        .expect("empty installation");
    let c = TestApp::client();
    let page = app.html(&c, &format!("/setup?token={token}")).await;
    let csrf = hidden(&page, "csrf");
    let bad = app
        .post(
            &c,
            "/setup",
            &[
                ("csrf", csrf.as_str()),
                ("token", token.as_str()),
                ("login", "quantri"),
                ("display_name", "Quản trị"),
                ("password", "ngan"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "{b:?}");
    assert!(text(&bad.text().await.unwrap()).contains("ít nhất 8 ký tự"));
    let ok = app
        .post(
            &c,
            "/setup",
            &[
                ("csrf", csrf.as_str()),
                ("token", token.as_str()),
                ("login", "quantri"),
                ("display_name", "Quản trị"),
                ("password", "mật khẩu đủ dài"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER, "{b:?}");
    assert_eq!(
        app.try_login(&c, "quantri", "mật khẩu đủ dài").await,
        StatusCode::SEE_OTHER
    );
    // The link works once.
    let again = TestApp::client()
        .get(app.url(&format!("/setup?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text(&again).contains("không còn hiệu lực"), "{b:?}");
}

#[db_test]
async fn health_and_readiness(b: Backend) {
    let app = TestApp::empty(b).await;
    let c = TestApp::client();
    assert_eq!(app.html(&c, "/healthz").await, "ok");
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK,
        "{b:?}"
    );
}

#[db_test]
async fn language_switch_to_english(b: Backend) {
    let app = TestApp::demo(b).await;
    let (c, _) = app.login("bithu").await;
    let res = c
        .get(app.url("/prefs?lang=en&back=/members"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/members");
    let page = app.html(&c, "/members").await;
    assert!(page.contains("<html lang=\"en\""));
    assert!(text(&page).contains("Members"));
    // An open redirect is not possible.
    let res = c
        .get(app.url("/prefs?lang=vi&back=//evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
    let _ = csrf_of;
}
