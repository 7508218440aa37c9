use chibo_server::app::App;
use chibo_server::config::Config;
use chibo_server::service::clock::Clock;
use chibo_server::service::demo::{DEMO_PASSWORD, DemoSize};
use chibo_server::service::{Actor, Services};
use chrono::Utc;
use reqwest::{Client, Response, StatusCode, redirect};
use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Whether the PostgreSQL test of a `#[db_test]` can run: a server is named
/// by `CHIBO_TEST_DATABASE_URL`. Without one the test says so and passes,
/// unless `CHIBO_REQUIRE_POSTGRES` is set (as CI does): then it fails, so a
/// missing server can never pass for a green PostgreSQL half.
pub fn postgres_available() -> bool {
    if std::env::var("CHIBO_TEST_DATABASE_URL").is_ok() {
        return true;
    }
    assert!(
        std::env::var("CHIBO_REQUIRE_POSTGRES").is_err(),
        "CHIBO_REQUIRE_POSTGRES is set but CHIBO_TEST_DATABASE_URL is not"
    );
    eprintln!("CHIBO_TEST_DATABASE_URL not set: PostgreSQL test skipped");
    false
}

/// The instant every test app starts at (09:30 in Hà Nội on a Thursday).
/// Tests move the app's clock from here; nothing reads the wall clock.
pub fn epoch() -> chrono::DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(2026, 12, 3, 2, 30, 0)
        .single()
        .expect("a valid instant")
}

pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub database_url: Option<String>,
    /// The app's clock: set or advance it to move the server through time.
    pub clock: Clock,
    dir: tempfile::TempDir,
}

impl Drop for TestApp {
    /// Drops the test's PostgreSQL database (its connections too), so test
    /// runs do not leave databases behind.
    fn drop(&mut self) {
        let Some(url) = self.database_url.take() else {
            return;
        };
        let Some((_, name)) = url.split('?').next().and_then(|u| u.rsplit_once('/')) else {
            return;
        };
        let name = name.to_string();
        let admin = std::env::var("CHIBO_TEST_DATABASE_URL").expect("set for a PostgreSQL test");
        // Drop runs inside the test's runtime, which cannot be blocked on:
        // the drop gets a thread and a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&admin).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut c)
                .await
                .map(|_| ())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("test database not dropped: {dropped:?}");
        }
    }
}

/// A fresh PostgreSQL database for one test, named at random.
async fn fresh_pg_database() -> String {
    let admin = std::env::var("CHIBO_TEST_DATABASE_URL").expect("checked by backends()");
    let name = format!(
        "chibo_t_{}",
        &chibo_server::service::accounts::random_token()
            .to_lowercase()
            .replace(['-', '_'], "")[..16]
    );
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to CHIBO_TEST_DATABASE_URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .expect("create test database");
    let (prefix, _) = admin.rsplit_once('/').expect("URL has a database name");
    let query = admin
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{prefix}/{name}{query}")
}

impl TestApp {
    /// An empty installation.
    pub async fn empty(backend: Backend) -> Self {
        Self::configured(backend, |_| {}).await
    }

    /// An empty installation with configuration changes (SMTP…).
    pub async fn configured(backend: Backend, change: impl FnOnce(&mut Config)) -> Self {
        let clock = Clock::fixed(epoch());
        // Server-side errors show in the output of a failing test.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(std::env::var("CHIBO_TEST_LOG").unwrap_or("chibo_server=warn".into()))
            .try_init();
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_pg_database().await),
        };
        let mut cfg = Config {
            data_dir: dir.path().join("data"),
            listen: "127.0.0.1:0".parse().expect("addr"),
            database_url: database_url.clone(),
            max_upload_bytes: 2 * 1024 * 1024,
            remind_every_secs: 0,
            // Checkpoints are signed when a test asks (and at each seal).
            anchor_every_secs: 0,
            clock: clock.clone(),
            count_queries: true,
            ..Config::default()
        };
        change(&mut cfg);
        let app = App::build(cfg).await.expect("app builds");
        let base = format!("http://{}", app.addr);
        let services = app.services.clone();
        tokio::spawn(app.run());
        Self {
            base,
            services,
            database_url,
            clock,
            dir,
        }
    }

    /// The app's "now".
    pub fn now(&self) -> chrono::DateTime<Utc> {
        self.clock.now()
    }

    /// The app's today (Vietnam).
    pub fn today(&self) -> chrono::NaiveDate {
        chibo_server::service::today(self.now())
    }

    /// A day `days` from the app's today, as the forms write it.
    pub fn date_in(&self, days: i64) -> String {
        (self.today() + chrono::Duration::days(days))
            .format("%d/%m/%Y")
            .to_string()
    }

    /// The same installation seen through another server's address (its
    /// drop leaves the database to this one).
    pub fn view_at(&self, base: &str) -> Self {
        Self {
            base: base.to_string(),
            services: self.services.clone(),
            database_url: None,
            clock: self.clock.clone(),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// An installation with the demo data: 2 cells of 12 members.
    /// Three cells of twelve members with `months` of meetings, tasks and
    /// attendance behind today: enough history for the kept figures' tests.
    pub async fn with_history(backend: Backend, months: u32) -> Self {
        let app = Self::empty(backend).await;
        app.services
            .generate_demo_with_history(
                chibo_server::service::demo::DemoSize {
                    cells: 3,
                    members_per_cell: 12,
                },
                months,
                app.now(),
            )
            .await
            .expect("demo data");
        app
    }

    pub async fn demo(backend: Backend) -> Self {
        Self::configured_demo(backend, |_| {}).await
    }

    /// The demo installation with configuration changes.
    pub async fn configured_demo(backend: Backend, change: impl FnOnce(&mut Config)) -> Self {
        let app = Self::configured(backend, change).await;
        app.services
            .generate_demo(
                DemoSize {
                    cells: 2,
                    members_per_cell: 12,
                },
                app.now(),
            )
            .await
            .expect("demo data");
        app
    }

    /// Runs SQL behind chibo's back (to play the attacker who edits the file).
    pub async fn tamper(&self, sql: String) {
        match &self.database_url {
            Some(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .expect("tamper");
            }
            None => {
                let path = self.sqlite_path();
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .expect("connect");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .expect("tamper");
            }
        }
    }

    /// The SQLite file of an app on SQLite.
    pub fn sqlite_path(&self) -> std::path::PathBuf {
        self.dir.path().join("data").join("chibo.sqlite")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client (cookies, no automatic redirects).
    pub fn client() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Logs in with the demo password and returns the client and its CSRF token.
    pub async fn login(&self, login: &str) -> (Client, String) {
        let c = Self::client();
        let status = self.try_login(&c, login, DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "login as {login}");
        let home = c
            .get(self.url("/"))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("body");
        (c, csrf_of(&home))
    }

    pub async fn try_login(&self, c: &Client, login: &str, password: &str) -> StatusCode {
        let page = c
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        let csrf = hidden(&page, "csrf");
        c.post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("login", login),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("post login")
            .status()
    }

    /// A new API token for a login (the default lifetime).
    pub async fn token_for(&self, login: &str) -> String {
        let a = self
            .services
            .db
            .read(async |r| chibo_server::store::accounts::by_login(r, login).await)
            .await
            .expect("account")
            .unwrap_or_else(|| panic!("no login {login}"));
        self.services
            .issue_api_token(a.id, "test", self.now())
            .await
            .expect("token")
    }

    /// The actor behind a login, to prepare data through the services.
    pub async fn actor(&self, login: &str) -> Actor {
        let db = &self.services.db;
        let account = db
            .read(async |r| chibo_server::store::accounts::by_login(r, login).await)
            .await
            .expect("account")
            .unwrap_or_else(|| panic!("no login {login}"));
        Actor::load(db, account.id).await.expect("actor")
    }

    /// Posts a form as the browser does; the form carries its own `csrf` (or
    /// leaves it out, to be refused). Redirects are not followed.
    pub async fn post<F: serde::Serialize + ?Sized>(
        &self,
        c: &Client,
        path: &str,
        form: &F,
    ) -> Response {
        c.post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("post form")
    }

    /// Follows a form's redirect and returns the text of the page it lands on.
    pub async fn follow(&self, c: &Client, res: Response) -> String {
        let to = redirect_of(&res);
        let page = c.get(self.url(&to)).send().await.expect("follow");
        text(&page.text().await.expect("body"))
    }

    /// The HTML of a page that must answer 200.
    pub async fn html(&self, c: &Client, path: &str) -> String {
        let res = c.get(self.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.text().await.unwrap()
    }

    /// What a person reads on a page that must answer 200 (its text, no tags).
    pub async fn page(&self, c: &Client, path: &str) -> String {
        text(&self.html(c, path).await)
    }

    pub async fn cell_ids(&self) -> Vec<i64> {
        let db = &self.services.db;
        let mut out = vec![];
        for root in db
            .read(async |r| chibo_server::store::orgs::roots(r).await)
            .await
            .expect("roots")
        {
            for c in db
                .read(async |r| chibo_server::store::orgs::children(r, root.id).await)
                .await
                .expect("children")
            {
                if c.kind == "chi_bo" {
                    out.push(c.id);
                }
            }
        }
        out
    }
}

/// How many statements the request behind `res` sent to the database (the
/// server's own count: every test app sends it).
pub fn queries_of(res: &Response) -> u32 {
    res.headers()["x-chibo-queries"]
        .to_str()
        .ok()
        .and_then(|n| n.parse().ok())
        .expect("a query count")
}

/// Where a form's answer sends the browser: it must be a 303.
pub fn redirect_of(res: &Response) -> String {
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "a form redirects: {}",
        res.url()
    );
    res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string()
}

/// The id of the record a form's redirect names: `{prefix}{id}?…` or `#…`.
pub fn redirect_id(res: &Response, prefix: &str) -> i64 {
    redirect_of(res)
        .trim_start_matches(prefix)
        .split(['?', '#'])
        .next()
        .and_then(|id| id.parse().ok())
        .expect("an id in the redirect")
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in page"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The session's CSRF token, from the page's meta tag.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let start = html.find(marker).expect("csrf meta") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Text of a page without tags, for assertions on what a person reads.
pub fn text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#x2f;", "/")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a person reads on a printed PDF: its text as `pdftotext` (Debian's
/// poppler-utils) extracts it, in NFC with whitespace collapsed. `None` when
/// the tool is missing, which fails the test when `CHIBO_REQUIRE_OFFICE` is
/// set (as CI sets it): a check that cannot run must not pass in CI.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    use std::io::Write;
    let mut child = match std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("CHIBO_REQUIRE_OFFICE").is_err(),
                "CHIBO_REQUIRE_OFFICE is set but pdftotext cannot run: {e}"
            );
            eprintln!("pdftotext not available ({e}): PDF text not checked");
            return None;
        }
    };
    let mut stdin = child.stdin.take().expect("stdin");
    let bytes = pdf.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().expect("pdftotext runs");
    writer.join().expect("writer").expect("pdf written");
    assert!(
        out.status.success(),
        "pdftotext failed on a PDF chibo printed"
    );
    Some(normalised(&String::from_utf8_lossy(&out.stdout)))
}

/// The text of a DOCX: the words of the runs of its body, then of its
/// headers and footers (where the check code is).
pub fn docx_text(docx: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a DOCX is a zip");
    let mut parts: Vec<(bool, usize)> = vec![];
    for i in 0..zip.len() {
        let f = zip.by_index(i).expect("zip entry");
        let n = f.name().expect("entry name").to_string();
        if n.starts_with("word/")
            && n.ends_with(".xml")
            && (n.contains("document") || n.contains("header") || n.contains("footer"))
        {
            parts.push((!n.contains("document"), i));
        }
    }
    parts.sort();
    let mut xml = String::new();
    for (_, i) in parts {
        zip.by_index(i)
            .expect("zip entry")
            .read_to_string(&mut xml)
            .expect("utf-8");
    }
    // The runs' text (`<w:t …>…</w:t>`), a space between paragraphs.
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        rest = &rest[end..];
        if tag.starts_with("<w:t>") || tag.starts_with("<w:t ") {
            let close = rest.find("</w:t>").unwrap_or(rest.len());
            out.push_str(&rest[..close]);
            rest = &rest[close..];
        } else if tag == "</w:p>" || tag == "<w:tab/>" || tag == "<w:br/>" {
            out.push(' ');
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    normalised(&out)
}

fn normalised(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
