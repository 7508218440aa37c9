//! Running chibo as infrastructure: several servers on one database,
//! migrations under a lock, readiness, the drain on SIGTERM, request ids,
//! metrics, configuration, backups and restores, a full disk.

use crate::smtp::Sink;
use crate::support::*;
use chibo_server::app::App;
use chibo_server::config::Config;
use chibo_server::service::Services;
use chibo_server::service::jobs::REMINDERS;
use chibo_server::store;
use chibo_test_macros::db_test;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;
use std::collections::BTreeSet;
use std::io::{BufRead, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A second server process on the test app's database, on the same clock.
pub struct Peer {
    pub base: String,
    pub services: Services,
    _dir: tempfile::TempDir,
}

impl Peer {
    pub async fn of(app: &TestApp, change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config {
            data_dir: dir.path().join("data"),
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: app.database_url.clone(),
            remind_every_secs: 0,
            clock: app.clock.clone(),
            ..Config::default()
        };
        change(&mut cfg);
        let a = App::build(cfg).await.expect("second server builds");
        let base = format!("http://{}", a.addr);
        let services = a.services.clone();
        tokio::spawn(a.run());
        Self {
            base,
            services,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A JSON call with a bearer token; the status and the body.
pub async fn call(
    c: &reqwest::Client,
    token: &str,
    method: &str,
    url: String,
    body: Value,
) -> (StatusCode, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let res = c
        .request(method, url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A meeting planned, opened, with its resolution drafted and voted,
/// ready to be adopted: its id and the vote's.
async fn ready_to_adopt(app: &TestApp, token: &str, cell: i64, day: i64) -> (i64, i64) {
    let c = TestApp::client();
    let (s, m) = call(
        &c,
        token,
        "POST",
        app.url("/api/v1/meetings"),
        json!({"cell_id": cell, "kind": "thuong_ky", "date": app.date_in(day), "time": "19:30", "place": "Nhà văn hóa"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().unwrap();
    let (s, v) = call(
        &c,
        token,
        "POST",
        app.url(&format!("/api/v1/meetings/{id}/steps")),
        // Opened today, before its planned day: the rules ask why.
        json!({"action": "open", "reason": "Họp sớm theo yêu cầu của cấp ủy"}),
    )
    .await;
    assert!(s.is_success(), "{s}: {v}");
    let roll = app
        .services
        .db
        .read(async |r| store::meetings::roll(r, id).await)
        .await
        .unwrap();
    for r in &roll {
        let (s, v) = call(
            &c,
            token,
            "PUT",
            app.url(&format!("/api/v1/meetings/{id}/attendance/{}", r.member_id)),
            json!({"presence": "co_mat"}),
        )
        .await;
        assert!(s.is_success(), "{s}: {v}");
    }
    let (s, v) = call(
        &c,
        token,
        "PUT",
        app.url(&format!("/api/v1/meetings/{id}/resolution")),
        json!({"subject": "Công tác tháng", "results": "Hoàn thành.", "tasks": "Vận động hội viên.",
               "assignments": [], "no_tasks": true, "version": 0}),
    )
    .await;
    assert!(s.is_success(), "{s}: {v}");
    let (s, v) = call(
        &c,
        token,
        "POST",
        app.url(&format!("/api/v1/meetings/{id}/votes")),
        json!({"kind": "nghi_quyet", "subject": "Thông qua nghị quyết", "mode": "counts"}),
    )
    .await;
    assert!(s.is_success(), "{s}: {v}");
    let vote = v["id"].as_i64().unwrap();
    let full = roll
        .iter()
        .filter(|r| r.member_status == "chinh_thuc")
        .count();
    let (s, v) = call(
        &c,
        token,
        "POST",
        app.url(&format!("/api/v1/meetings/{id}/votes/{vote}/counts")),
        json!({"tan_thanh": full, "khong_tan_thanh": 0, "khong_bieu_quyet": 0}),
    )
    .await;
    assert!(s.is_success(), "{s}: {v}");
    (id, vote)
}

/// Two servers on one PostgreSQL behave as one: a session and its CSRF
/// token made on one are good on the other, failed logins count on both,
/// concurrent writes to one meeting through both lose nothing and number
/// nothing twice, resolutions adopted at once through both get distinct
/// numbers, the audit chains stay whole, the reminder sweep runs once per
/// tick, and each queued e-mail is sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_behave_as_one() {
    if !postgres_available() {
        return;
    }
    let a = TestApp::demo(Backend::Postgres).await;
    let b = Peer::of(&a, |_| {}).await;

    // A session made on A, used on B with its CSRF token.
    let (c, csrf) = a.login("bithu").await;
    let home = c.get(b.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK, "B knows A's session");
    let res = c
        .post(b.url("/me/digest"))
        .form(&[("csrf", csrf.as_str()), ("on", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "A's CSRF token holds on B"
    );

    // Failed logins through both servers count together.
    let bases = [a.base.clone(), b.base.clone()];
    for i in 0..5 {
        let t = a.view_at(&bases[i % 2]);
        let s = t
            .try_login(&TestApp::client(), "chiuy", "sai mật khẩu")
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let on_b = a.view_at(&b.base);
    let s = on_b
        .try_login(&TestApp::client(), "chiuy", "sai mật khẩu")
        .await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the sixth, on B, is throttled"
    );

    // Forty agenda items added at once to one meeting, half through each server.
    let token = a.token_for("bithu").await;
    let cell = a.cell_ids().await[0];
    let (meeting, _) = ready_to_adopt(&a, &token, cell, 7).await;
    let before = a
        .services
        .db
        .read(async |r| store::meetings::items(r, meeting).await)
        .await
        .unwrap()
        .len();
    let mut writes = Vec::new();
    for n in 0..40 {
        let url = format!("{}/api/v1/meetings/{meeting}/agenda", bases[n % 2]);
        let token = token.clone();
        writes.push(tokio::spawn(async move {
            let c = TestApp::client();
            call(
                &c,
                &token,
                "POST",
                url,
                json!({"title": format!("Ý kiến số {n}")}),
            )
            .await
        }));
    }
    for w in writes {
        let (s, v) = w.await.unwrap();
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let items = a
        .services
        .db
        .read(async |r| store::meetings::items(r, meeting).await)
        .await
        .unwrap();
    assert_eq!(items.len(), before + 40, "no item lost");
    let titles: BTreeSet<String> = items.iter().map(|i| i.title.clone()).collect();
    for n in 0..40 {
        assert!(titles.contains(&format!("Ý kiến số {n}")), "item {n} lost");
    }
    let positions: BTreeSet<i64> = items.iter().map(|i| i.position).collect();
    assert_eq!(
        positions.len(),
        items.len(),
        "no position given twice: {items:?}"
    );

    // Six resolutions of one cell adopted at once through both servers.
    let mut pending = Vec::new();
    for k in 0..6 {
        pending.push(ready_to_adopt(&a, &token, cell, 8 + k).await);
    }
    let mut adopts = Vec::new();
    for (n, (m, vote)) in pending.iter().copied().enumerate() {
        let url = format!("{}/api/v1/meetings/{m}/resolution/adopt", bases[n % 2]);
        let token = token.clone();
        adopts.push(tokio::spawn(async move {
            let c = TestApp::client();
            call(&c, &token, "POST", url, json!({"vote_id": vote})).await
        }));
    }
    for w in adopts {
        let (s, v) = w.await.unwrap();
        assert!(s.is_success(), "{s}: {v}");
    }
    let mut numbers = BTreeSet::new();
    for (m, _) in &pending {
        let r = a
            .services
            .db
            .read(async |r| store::meetings::resolution(r, *m).await)
            .await
            .unwrap()
            .unwrap();
        assert!(
            numbers.insert(r.number.expect("numbered")),
            "number {:?} twice",
            r.number
        );
    }
    assert_eq!(numbers.len(), 6);
    let v = a.services.verify(&Default::default()).await.unwrap();
    assert!(v.ok(), "{:?}", v);

    // The reminder sweep: ten tries on each server at one instant, one run.
    let runs = |s: Services| async move {
        s.once_per_tick(REMINDERS, 300, &format!("{:p}", &s), |now| {
            s.run_reminders(now)
        })
        .await
        .unwrap()
        .is_some()
    };
    for tick in 0..3 {
        let mut tries = Vec::new();
        for i in 0..20 {
            let s = if i % 2 == 0 {
                a.services.clone()
            } else {
                b.services.clone()
            };
            tries.push(tokio::spawn(runs(s)));
        }
        let mut ran = 0;
        for t in tries {
            ran += usize::from(t.await.unwrap());
        }
        assert_eq!(ran, 1, "tick {tick}: the sweep ran {ran} times");
        a.clock.advance(chrono::Duration::seconds(300));
    }
    let job = store::leases::job(&a.services.db, REMINDERS)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.runs, 3);

    // A period changed between starts (every 20 s for a while, then every
    // 300 s again) keeps the sweep running at the new period.
    let every = |s: Services, secs: u64| async move {
        s.once_per_tick(REMINDERS, secs, "one server", |now| s.run_reminders(now))
            .await
            .unwrap()
            .is_some()
    };
    assert!(every(a.services.clone(), 20).await, "a 20 s tick");
    a.clock.advance(chrono::Duration::seconds(20));
    assert!(every(a.services.clone(), 20).await, "the next 20 s tick");
    a.clock.advance(chrono::Duration::seconds(300));
    assert!(
        every(a.services.clone(), 300).await,
        "back to 300 s: the next tick runs"
    );
    assert!(
        !every(a.services.clone(), 300).await,
        "once per tick at the new period too"
    );

    // Thirty e-mails, two senders: each sent once.
    let (sink, smtp) = Sink::start().await;
    let mut tx = a.services.db.begin().await.unwrap();
    for n in 0..30 {
        let subject = format!("Thông báo {n}");
        let notice = store::meetings::NewNotice {
            meeting_id: None,
            member_id: None,
            channel: "email",
            address: Some("dangvien@example.org"),
            subject: &subject,
            body: "Nội dung",
        };
        store::meetings::queue_notice(&mut tx, &notice, a.now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mailer = |s: Services| {
        let smtp = smtp.clone();
        async move {
            let m = chibo_server::service::mail::Mailer::new(
                &smtp,
                "chibo <chibo@localhost>",
                "http://x".into(),
            )
            .unwrap();
            let mut sent = 0;
            loop {
                let n = m.run_once(&s).await.unwrap();
                if n == 0 {
                    return sent;
                }
                sent += n;
            }
        }
    };
    let (x, y) = tokio::join!(
        tokio::spawn(mailer(a.services.clone())),
        tokio::spawn(mailer(b.services.clone()))
    );
    assert_eq!(x.unwrap() + y.unwrap(), 30, "attempts");
    assert_eq!(sink.count(), 30, "each e-mail delivered once");
}

/// Three servers start at once on an empty database while a fourth party
/// holds the migration lock: all three say "migrating" on /readyz, then the
/// schema is built once and all three become ready.
#[db_test]
async fn three_servers_starting_at_once_migrate_once(b: Backend) {
    let empty = EmptyDb::new(b).await;
    let lock = empty.hold_migration_lock().await;
    let mut starting = Vec::new();
    for _ in 0..3 {
        let s = App::start(empty.cfg.clone()).await.expect("listens");
        starting.push(s);
    }
    let c = TestApp::client();
    let addrs: Vec<_> = starting.iter().map(|s| s.addr).collect();
    let opening: Vec<_> = starting
        .into_iter()
        .map(|s| tokio::spawn(s.open()))
        .collect();
    for addr in &addrs {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = c.get(format!("http://{addr}/readyz")).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            if body == "migrating" {
                assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{addr} never said migrating: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let page = c.get(format!("http://{addr}/login")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    drop(lock);
    let mut apps = Vec::new();
    for o in opening {
        apps.push(o.await.unwrap().expect("opens"));
    }
    for a in &apps {
        let r = c
            .get(format!("http://{}/readyz", a.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let versions = apps[0].services.db.applied_migrations().await.unwrap();
    let distinct: BTreeSet<i64> = versions.iter().copied().collect();
    assert_eq!(distinct.len(), versions.len(), "{versions:?}");
    assert!(versions.contains(&12), "{versions:?}");
    for a in apps {
        a.drain().await.unwrap();
    }
    empty.drop_database().await;
}

/// An empty database (a fresh SQLite folder or PostgreSQL database) and a
/// server configuration for it.
struct EmptyDb {
    cfg: Config,
    dir: tempfile::TempDir,
}

/// What keeps the migration lock while it lives: the connection that took it.
struct Lock {
    _pg: Option<sqlx::PgConnection>,
    _sqlite: Option<sqlx::SqliteConnection>,
}

impl EmptyDb {
    async fn new(b: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match b {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_database_url().await),
        };
        let cfg = Config {
            data_dir: dir.path().join("data"),
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url,
            remind_every_secs: 0,
            clock: chibo_server::service::clock::Clock::fixed(epoch()),
            ..Config::default()
        };
        Self { cfg, dir }
    }

    /// Takes the lock the migration run waits for, as another process would.
    async fn hold_migration_lock(&self) -> Lock {
        match &self.cfg.database_url {
            Some(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(chibo_server::store::migrate::LOCK_KEY)
                    .execute(&mut c)
                    .await
                    .unwrap();
                Lock {
                    _pg: Some(c),
                    _sqlite: None,
                }
            }
            None => {
                std::fs::create_dir_all(&self.cfg.data_dir).unwrap();
                let path = self.cfg.data_dir.join("chibo.sqlite");
                let mut c = sqlx::SqliteConnection::connect(&format!(
                    "sqlite://{}?mode=rwc",
                    path.display()
                ))
                .await
                .unwrap();
                sqlx::raw_sql("PRAGMA journal_mode=WAL; BEGIN IMMEDIATE")
                    .execute(&mut c)
                    .await
                    .unwrap();
                Lock {
                    _pg: None,
                    _sqlite: Some(c),
                }
            }
        }
    }

    async fn drop_database(self) {
        if let Some(url) = &self.cfg.database_url {
            drop_database(url).await;
        }
        drop(self.dir);
    }
}

/// Every answer names its request; an error page shows the id for the
/// secretary to quote; /metrics needs its token and counts by route
/// template, with the pool, outbox, sweep and throttle figures.
#[db_test]
async fn request_ids_error_pages_and_metrics(b: Backend) {
    let app =
        TestApp::configured_demo(b, |c| c.metrics_token = Some("bi-mat-giam-sat".into())).await;
    let (c, _) = app.login("bithu").await;
    let res = c.get(app.url("/members/987654")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 12);
    let body = res.text().await.unwrap();
    assert!(
        body.contains(&format!("<code id=\"request-id\">{id}</code>")),
        "{body}"
    );
    // An id from the load balancer is kept.
    let res = c
        .get(app.url("/"))
        .header("x-request-id", "lb-0042")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "lb-0042");

    for _ in 0..6 {
        app.try_login(&TestApp::client(), "chiuy", "sai").await;
    }
    let anon = TestApp::client();
    assert_eq!(
        anon.get(app.url("/metrics")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let wrong = anon
        .get(app.url("/metrics"))
        .bearer_auth("sai")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let m = anon
        .get(app.url("/metrics"))
        .bearer_auth("bi-mat-giam-sat")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for want in [
        "chibo_http_requests_total{method=\"GET\",route=\"/members/{id}\",status=\"404\"} 1",
        "chibo_http_request_duration_seconds_bucket{",
        "chibo_login_throttled_total 1",
        "chibo_db_pool_connections ",
        "chibo_db_pool_max ",
        "chibo_db_writer_queue 0",
        "chibo_db_writer_commits ",
        "chibo_db_writer_changes ",
        "chibo_outbox_pending 0",
        "chibo_reminder_sweep_age_seconds -1",
        "chibo_ready 1",
        "chibo_build_info{version=\"",
    ] {
        assert!(m.contains(want), "{want} missing:\n{m}");
    }
    assert!(!m.contains("987654"), "raw paths never become labels");
}

pub fn chibo() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chibo"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CHIBO_") {
            c.env_remove(k);
        }
    }
    c
}

/// `chibo serve` as a child, with the address it printed.
pub struct Served {
    pub child: Child,
    pub addr: String,
    pub stderr: std::thread::JoinHandle<String>,
}

pub fn serve(args: &[&str], env: &[(&str, &str)]) -> Served {
    let mut child = chibo()
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chibo serve");
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut addr = None;
    for line in out.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("chibo: http://") {
            addr = Some(rest.split_whitespace().next().unwrap().to_string());
            break;
        }
    }
    let addr = addr.expect("chibo serve printed its address");
    Served {
        child,
        addr,
        stderr,
    }
}

pub fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig}");
}

/// SIGTERM in the middle of a request: /readyz turns 503 at once, the
/// request still gets its whole answer, the process exits 0, and its log
/// lines are JSON carrying the request's id. systemd is told READY=1 once
/// the server takes traffic and STOPPING=1 when it drains.
#[test]
fn sigterm_drains_the_request_in_flight_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // systemd's notification socket, as a Type=notify unit gets it.
    let socket = dir.path().join("notify");
    let notify = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let said = || {
        let mut buf = [0u8; 256];
        let n = notify.recv(&mut buf).expect("a notification");
        String::from_utf8_lossy(&buf[..n]).to_string()
    };
    let mut s = serve(
        &["--data", data.to_str().unwrap()],
        &[
            ("CHIBO_DRAIN_DELAY_SECS", "2"),
            ("CHIBO_REMIND_EVERY_SECS", "0"),
            ("NOTIFY_SOCKET", socket.to_str().unwrap()),
        ],
    );
    assert_eq!(said(), "READY=1");
    assert!(http_get(&s.addr, "/readyz").ends_with("ready"));
    let body = "csrf=x&login=bithu&password=sai-mat-khau&next=%2F";
    let mut slow = std::net::TcpStream::connect(&s.addr).unwrap();
    write!(
        slow,
        "POST /login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nX-Request-Id: dang-do\r\n\r\n{}",
        s.addr,
        body.len(),
        &body[..10]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    signal(&s.child, "-TERM");
    assert_eq!(said(), "STOPPING=1");
    let ready = http_get(&s.addr, "/readyz");
    assert!(ready.starts_with("HTTP/1.1 503"), "{ready}");
    assert!(ready.ends_with("draining"), "{ready}");
    slow.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 403"),
        "the request was answered whole: {answer}"
    );
    assert!(answer.contains("x-request-id: dang-do"), "{answer}");
    let started = Instant::now();
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let log = s.stderr.join().unwrap();
    let answered = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["message"] == "answered" && v["route"] == "/login")
        .unwrap_or_else(|| panic!("no JSON line for the request: {log}"));
    assert_eq!(answered["span"]["request_id"], "dang-do", "{answered}");
    assert!(log.contains("\"draining: /readyz answers 503\""), "{log}");
    assert!(log.contains("\"stopped\""), "{log}");
}

/// A plain HTTP/1.1 GET on its own connection: the whole answer.
pub fn http_get(addr: &str, path: &str) -> String {
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    write!(
        c,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut s = String::new();
    c.read_to_string(&mut s).unwrap();
    s
}

/// `chibo config check` shows the effective settings from every layer with
/// their secrets hidden, and fails on a misspelt variable.
#[test]
fn config_check_shows_every_layer_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chibo.toml");
    std::fs::write(&file, "listen = \"0.0.0.0:8080\"\nbackup_keep = 14\n").unwrap();
    let run = |extra: &[(&str, &str)]| {
        chibo()
            .args(["config", "check", "--config", file.to_str().unwrap()])
            .env("CHIBO_SMTP_URL", "smtps://chibo:mat-khau-thu@mail.example:465")
            .env("CHIBO_DATABASE_URL", "postgres://chibo:mat-khau-csdl@db1:5432,db2:5432/chibo?target_session_attrs=read-write")
            .env("CHIBO_METRICS_TOKEN", "token-giam-sat")
            .envs(extra.iter().copied())
            .output()
            .unwrap()
    };
    let o = run(&[]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for secret in ["mat-khau-thu", "mat-khau-csdl", "token-giam-sat"] {
        assert!(!out.contains(secret), "{secret} shown:\n{out}");
    }
    for line in [
        "smtp_url = \"smtps://chibo:<redacted>@mail.example:465\"  # environment",
        "database_url = \"postgres://chibo:<redacted>@db1:5432,db2:5432/chibo?target_session_attrs=read-write\"  # environment",
        "metrics_token = \"<redacted>\"  # environment",
        "listen = \"0.0.0.0:8080\"  # file",
        "backup_keep = 14  # file",
        "session_days = 14  # default",
        "# OK",
    ] {
        assert!(out.contains(line), "{line} missing:\n{out}");
    }
    let o = run(&[("CHIBO_SMPT_URL", "x")]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(!o.status.success());
    assert!(
        out.contains("# PROBLEM: CHIBO_SMPT_URL is not a chibo setting"),
        "{out}"
    );
}

/// Scheduled backups keep the newest few; a backup restored on its own
/// (a fresh SQLite folder, or a new PostgreSQL database with pg_restore)
/// passes `chibo audit verify`.
#[db_test]
async fn scheduled_backups_and_the_restore_drill(b: Backend) {
    let app = TestApp::demo(b).await;
    let dir = tempfile::tempdir().unwrap();
    let url = app.database_url.clone();
    let mut made = Vec::new();
    for _ in 0..3 {
        let f = app
            .services
            .scheduled_backup(dir.path(), 2, url.as_deref(), app.now())
            .await
            .unwrap();
        made.push(f);
        app.clock.advance(chrono::Duration::hours(24));
    }
    let left: BTreeSet<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        left,
        made[1..].iter().cloned().collect(),
        "the two newest kept"
    );
    let newest = &made[2];
    let verify = match b {
        Backend::Sqlite => {
            let restored = dir.path().join("restored");
            std::fs::create_dir_all(&restored).unwrap();
            std::fs::copy(newest, restored.join("chibo.sqlite")).unwrap();
            chibo()
                .args(["audit", "verify", "--data", restored.to_str().unwrap()])
                .output()
                .unwrap()
        }
        Backend::Postgres => {
            let target = fresh_database_url().await;
            let (plain, _) = chibo_server::service::backup::split_password(&target);
            let o = Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "-d", &plain])
                .arg(newest)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            // Its own folder for the signing key: never the working directory.
            let data = dir.path().join("restored");
            let out = chibo()
                .args(["audit", "verify", "--database-url", &target, "--data"])
                .arg(&data)
                .output()
                .unwrap();
            drop_database(&target).await;
            out
        }
    };
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && text.starts_with("OK:"),
        "{text}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

/// The server itself makes the scheduled backup, once per period.
#[db_test]
async fn the_server_makes_its_scheduled_backup(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_path_buf();
    let app = TestApp::configured(b, move |c| {
        c.backup_dir = Some(to);
        c.backup_every_secs = 86_400;
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("chibo-20261203T023000Z"))
            .collect();
        if !files.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "no backup made");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let job = store::leases::job(&app.services.db, chibo_server::service::jobs::BACKUP)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.runs, 1);
}

async fn fresh_database_url() -> String {
    let admin = std::env::var("CHIBO_TEST_DATABASE_URL").unwrap();
    let name = format!(
        "chibo_r_{}",
        &chibo_server::service::accounts::random_token()
            .to_lowercase()
            .replace(['-', '_'], "")[..16]
    );
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .unwrap();
    let (prefix, _) = admin.split('?').next().unwrap().rsplit_once('/').unwrap();
    format!("{prefix}/{name}")
}

async fn drop_database(url: &str) {
    let admin = std::env::var("CHIBO_TEST_DATABASE_URL").unwrap();
    let name = url.rsplit_once('/').unwrap().1;
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut c)
    .await
    .unwrap();
}
