//! chibo's load harness. It drives a running chibo over real HTTP the way
//! people do: each simulated person logs in through the login form, keeps
//! their session cookie and CSRF token, and reads or writes what their role
//! allows. Many distinct accounts (cell secretaries, members, upper-committee
//! offices) share a fixed number of keep-alive connections, one per worker.
//!
//! A run has two phases on the same connections: the **ceiling** (`/healthz`,
//! what the server and this machine can do with no work behind a request)
//! and the **mixed** workload of [`ops::OPERATIONS`], in a meeting week
//! ([`week`]: the secretaries' cells have their meeting in session). Figures
//! are reported per operation (requests/s, p50/p95/p99, errors) and as a
//! share of the ceiling, which holds better than raw numbers on a noisy
//! machine. `--peer` instead measures the operations peer systems publish
//! figures for, each alone ([`peer`]).
//!
//! The harness refuses any address but loopback and every phase is bounded
//! in time.

mod fixture;
pub mod lifecycle;
pub mod ops;
pub mod peer;
pub mod soak;
pub mod week;

use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, Method, StatusCode, header};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The demo's password (`chibo demo`).
pub const DEMO_PASSWORD: &str = "chibo-demo-2026";

#[derive(Debug, Clone)]
pub struct Config {
    /// `http://127.0.0.1:PORT` of a running chibo filled by `chibo demo`.
    pub url: String,
    /// Cells in the demo dataset (`chibo demo --cells`, 15,000 for a province).
    pub cells: u32,
    /// Cells under one upper committee in the demo (100).
    pub cells_per_upper: u32,
    /// Concurrent connections (one worker each).
    pub connections: usize,
    /// Distinct accounts to log in (split between secretaries, members and
    /// upper-committee offices).
    pub users: usize,
    pub warmup: Duration,
    pub ceiling: Duration,
    pub mixed: Duration,
    /// Only these operations (all when empty).
    pub only: Vec<String>,
    /// Bearer tokens (`chibo user token LOGIN`) for the JSON API operations.
    pub tokens: Vec<String>,
    pub seed: u64,
    /// Each worker first runs every operation once, measured whatever the
    /// warm-up (so a short smoke run sees every operation).
    pub sweep: bool,
    /// Members of the cell `--peer` builds (each casts in every round).
    pub peer_members: usize,
    /// Connections each peer-comparable operation is measured at.
    pub peer_connections: Vec<usize>,
    /// How long each of them is measured (after the warm-up).
    pub peer: Duration,
    /// The window a soak run reports each of (a minute).
    pub soak_window: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:8080".into(),
            cells: 15_000,
            cells_per_upper: 100,
            connections: 64,
            users: 600,
            warmup: Duration::from_secs(2),
            ceiling: Duration::from_secs(10),
            mixed: Duration::from_secs(30),
            only: vec![],
            tokens: vec![],
            seed: 2026,
            sweep: false,
            peer_members: 200,
            peer_connections: vec![1, 32],
            peer: Duration::from_secs(5),
            soak_window: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Secretary,
    Member,
    Upper,
}

/// A member of a secretary's cell, as the harness last saw it.
#[derive(Debug, Clone)]
pub struct CellMember {
    pub id: i64,
    pub status: String,
}

/// A logged-in person.
#[derive(Debug, Clone)]
pub struct Session {
    pub login: String,
    pub role: Role,
    /// `chibo_session=…`
    pub cookie: String,
    pub csrf: String,
    /// The unit of the person's grant (their cell, or their committee).
    pub unit: i64,
    pub member_id: Option<i64>,
    /// Secretaries: their cell's members (first page, up to 200).
    pub members: Vec<CellMember>,
}

/// A bearer token and the unit its account works in.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub token: String,
    pub unit: i64,
}

/// Everything the workers share, read-only (but for the peer vote's round).
pub struct World {
    pub base: String,
    pub sessions: Vec<Session>,
    pub bearers: Vec<Bearer>,
    /// The secretaries' cells in their meeting week, as the setup left them.
    pub week: Vec<week::CellWeek>,
    /// The cell built for the peer-comparable operations (`--peer` only).
    pub peer: Option<peer::Fixture>,
    /// What the lifecycle reads read.
    pub lifecycle: lifecycle::Lifecycle,
}

#[derive(Default)]
pub struct OpStats {
    pub hist: Option<Histogram<u64>>,
    pub errors: u64,
    pub first_error: Option<String>,
    /// Statements the server says the answered requests sent (its
    /// `X-Chibo-Queries` header, `chibo serve --count-queries`), and how
    /// many of those responses carried the header.
    pub queries: u64,
    pub counted: u64,
}

impl OpStats {
    fn hist(&mut self) -> &mut Histogram<u64> {
        self.hist
            .get_or_insert_with(|| Histogram::new_with_bounds(1, 60_000_000, 3).expect("bounds"))
    }

    fn merge(&mut self, other: OpStats) {
        if let Some(h) = other.hist {
            let _ = self.hist().add(h);
        }
        self.errors += other.errors;
        self.queries += other.queries;
        self.counted += other.counted;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    pub fn count(&self) -> u64 {
        self.hist.as_ref().map_or(0, Histogram::len)
    }

    /// Statements per counted request; `None` when no response said.
    pub fn queries_per_request(&self) -> Option<f64> {
        (self.counted > 0).then(|| self.queries as f64 / self.counted as f64)
    }
}

/// One worker: one connection, its own random stream, the secretaries whose
/// writes it alone makes (so optimistic-lock versions never race).
pub struct Ctx {
    pub world: Arc<World>,
    pub client: Client,
    pub rng: StdRng,
    /// Indexes into `world.sessions` of the secretaries this worker writes as,
    /// with its own view of their members' versions and statuses.
    pub owned: Vec<usize>,
    pub owned_members: BTreeMap<i64, OwnedMember>,
    /// The meeting weeks of the owned secretaries' cells, with this worker's
    /// view of their minutes and task versions and of the open vote.
    pub week: Vec<week::CellWeek>,
    stats: BTreeMap<&'static str, OpStats>,
    measure_from: Instant,
    pub counter: u64,
    /// A soak run's minutes, each request counted in the one it ended in.
    windows: Option<Arc<soak::Windows>>,
}

/// A member record this worker edits: its last known version and status.
#[derive(Debug, Clone)]
pub struct OwnedMember {
    pub version: i64,
    pub status: String,
    pub record: serde_json::Value,
}

/// How a request is authenticated.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    Session(&'a Session),
    Bearer(&'a Bearer),
}

/// A response's status and body, or why there is none.
pub type Reply = Result<(StatusCode, Vec<u8>), String>;

impl Ctx {
    /// A random session of a role; `None` when the run has none.
    pub fn session(&mut self, role: Role) -> Option<&Session> {
        let world = Arc::clone(&self.world);
        let n = world.sessions.iter().filter(|s| s.role == role).count();
        if n == 0 {
            return None;
        }
        let k = self.rng.random_range(0..n);
        let i = world
            .sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.role == role)
            .nth(k)
            .map(|(i, _)| i)?;
        Some(&self.world.sessions[i])
    }

    /// Sends one request, times it and records it under `op`; a status other
    /// than `expect` counts as an error.
    pub async fn send(
        &mut self,
        op: &'static str,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<Body>,
        expect: StatusCode,
    ) -> Reply {
        let url = format!("{}{path}", self.world.base);
        // reqwest asks for gzip and decodes it, as a browser would.
        let mut rb = self.client.request(method, &url);
        match auth {
            Auth::None => {}
            Auth::Session(s) => {
                rb = rb
                    .header(header::COOKIE, &s.cookie)
                    .header("x-csrf-token", &s.csrf);
            }
            Auth::Bearer(b) => rb = rb.bearer_auth(&b.token),
        }
        rb = match body {
            None => rb,
            Some(Body::Form(f)) => rb
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(f),
            Some(Body::Json(j)) => rb.json(&j),
        };
        let started = Instant::now();
        let mut queries = None;
        let result = match rb.send().await {
            Ok(r) => {
                let status = r.status();
                queries = r
                    .headers()
                    .get("x-chibo-queries")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                match r.bytes().await {
                    Ok(b) => Ok((status, b.to_vec())),
                    Err(e) => Err(format!("{op}: body: {e}")),
                }
            }
            Err(e) => Err(format!("{op}: {e}")),
        };
        let elapsed = started.elapsed();
        let result = match result {
            Ok((status, _)) if status != expect => {
                Err(format!("{op} {path}: HTTP {status}, expected {expect}"))
            }
            other => other,
        };
        if started >= self.measure_from {
            let us = u64::try_from(elapsed.as_micros())
                .unwrap_or(u64::MAX)
                .max(1);
            if let Some(w) = &self.windows {
                w.record(result.is_ok().then_some(us));
            }
            let s = self.stats.entry(op).or_default();
            match &result {
                Ok(_) => {
                    let _ = s.hist().record(us);
                    if let Some(q) = queries {
                        s.queries += q;
                        s.counted += 1;
                    }
                }
                Err(e) => {
                    s.errors += 1;
                    if s.first_error.is_none() {
                        s.first_error = Some(e.clone());
                    }
                }
            }
        }
        result
    }
}

/// A request body.
pub enum Body {
    Form(String),
    Json(serde_json::Value),
}

/// Refuses any target but this machine.
pub(crate) fn check_loopback(url: &str) -> anyhow::Result<String> {
    let u = reqwest::Url::parse(url).context("--url")?;
    if u.scheme() != "http" {
        bail!("only plain http to loopback is supported");
    }
    let loopback = match u.host_str() {
        Some("localhost") => true,
        Some(h) => h
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback()),
        None => false,
    };
    if !loopback {
        bail!("the harness only targets loopback addresses (127.0.0.0/8, ::1, localhost)");
    }
    Ok(url.trim_end_matches('/').to_string())
}

pub(crate) fn client() -> anyhow::Result<Client> {
    Ok(Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .http1_only()
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// The value of a hidden input in a page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// Logs in through the login form like a browser and reads the CSRF token
/// of the session from the home page.
pub(crate) async fn login(
    c: &Client,
    base: &str,
    login: &str,
    role: Role,
) -> anyhow::Result<Session> {
    let r = c.get(format!("{base}/login")).send().await?;
    let pre = set_cookie(&r, "chibo_pre").context("no pre-session cookie")?;
    let page = r.text().await?;
    let csrf = hidden(&page, "csrf").context("no csrf on the login page")?;
    let r = c
        .post(format!("{base}/login"))
        .header(header::COOKIE, format!("chibo_pre={pre}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", login),
            ("password", DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await?;
    if r.status() != StatusCode::SEE_OTHER {
        bail!("login as {login}: HTTP {}", r.status());
    }
    let token = set_cookie(&r, "chibo_session").context("no session cookie")?;
    let cookie = format!("chibo_session={token}");
    let home = c
        .get(format!("{base}/"))
        .header(header::COOKIE, &cookie)
        .send()
        .await?
        .text()
        .await?;
    let csrf = hidden(&home, "csrf").context("no csrf on the home page")?;
    let me: serde_json::Value = c
        .get(format!("{base}/api/v1/me"))
        .header(header::COOKIE, &cookie)
        .send()
        .await?
        .json()
        .await?;
    let unit = me["grants"][0]["org_id"]
        .as_i64()
        .with_context(|| format!("{login} has no unit"))?;
    let mut s = Session {
        login: login.into(),
        role,
        cookie,
        csrf,
        unit,
        member_id: me["member_id"].as_i64(),
        members: vec![],
    };
    if role == Role::Secretary {
        let page: serde_json::Value = c
            .get(format!("{base}/api/v1/members?unit={unit}&per_page=200"))
            .header(header::COOKIE, &s.cookie)
            .send()
            .await?
            .json()
            .await?;
        s.members = page["members"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .filter_map(|m| {
                        Some(CellMember {
                            id: m["id"].as_i64()?,
                            status: m["status"].as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
    Ok(s)
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// The demo's logins (see `chibo_server::service::demo`): the first cell's
/// and committee's are the short ones.
fn numbered(base: &str, n: u32) -> String {
    if n <= 1 {
        base.into()
    } else {
        format!("{base}.{n}")
    }
}

/// Which accounts to log in: spread evenly over the province.
fn plan_users(cfg: &Config) -> Vec<(String, Role)> {
    let uppers = cfg.cells.div_ceil(cfg.cells_per_upper).max(1);
    let n_upper = (cfg.users / 8).clamp(1, uppers as usize);
    let n_member = (cfg.users * 3 / 8).clamp(1, cfg.cells as usize);
    let n_secretary = cfg
        .users
        .saturating_sub(n_upper + n_member)
        .clamp(1, cfg.cells as usize);
    let spread = |k: usize, n: usize, total: u32| -> u32 {
        1 + u32::try_from(k * total as usize / n).unwrap_or(0)
    };
    let cells: Vec<u32> = (0..n_secretary)
        .map(|k| spread(k, n_secretary, cfg.cells))
        .collect();
    let mut out = vec![];
    for &n in &cells {
        out.push((numbered("bithu", n), Role::Secretary));
    }
    for k in 0..n_member {
        // Members of the sampled secretaries' cells: they vote in the meeting
        // their secretary runs (see `week`).
        let n = cells[k * n_secretary / n_member];
        out.push((numbered("dangvien", n), Role::Member));
    }
    for k in 0..n_upper {
        out.push((numbered("dangbo", spread(k, n_upper, uppers)), Role::Upper));
    }
    out.sort();
    out.dedup();
    out
}

/// Logs these accounts in, a few at a time: each login is an Argon2 check.
pub(crate) async fn log_in_all(
    c: &Client,
    base: &str,
    users: Vec<(String, Role)>,
) -> anyhow::Result<Vec<Session>> {
    fixture::bounded(4, users, |(l, role)| async move {
        login(c, base, &l, role).await
    })
    .await
}

/// Logs everyone in, then puts the secretaries' cells in their meeting week.
pub async fn setup(cfg: &Config) -> anyhow::Result<World> {
    let base = check_loopback(&cfg.url)?;
    let c = client()?;
    let sessions = log_in_all(&c, &base, plan_users(cfg)).await?;
    let mut bearers = vec![];
    for token in &cfg.tokens {
        let me: serde_json::Value = c
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if let Some(unit) = me["grants"][0]["org_id"].as_i64() {
            bearers.push(Bearer {
                token: token.clone(),
                unit,
            });
        }
    }
    let week = week::prepare(&c, &base, &sessions).await?;
    let lifecycle = lifecycle::prepare(&c, &base, &sessions).await?;
    Ok(World {
        base,
        sessions,
        bearers,
        week,
        peer: None,
        lifecycle,
    })
}

/// The figures of one phase.
pub struct Phase {
    pub name: String,
    pub seconds: f64,
    pub ops: BTreeMap<&'static str, OpStats>,
}

impl Phase {
    pub fn total_ok(&self) -> u64 {
        self.ops.values().map(OpStats::count).sum()
    }

    pub fn total_errors(&self) -> u64 {
        self.ops.values().map(|s| s.errors).sum()
    }

    pub fn rps(&self) -> f64 {
        self.total_ok() as f64 / self.seconds
    }

    /// Latency over every request of the phase.
    pub fn all(&self) -> OpStats {
        let mut all = OpStats::default();
        for s in self.ops.values() {
            if let Some(h) = &s.hist {
                let _ = all.hist().add(h);
            }
            all.queries += s.queries;
            all.counted += s.counted;
        }
        all
    }
}

/// Runs `ops` (weighted) on `connections` workers for `duration` after a warm-up.
pub async fn phase(
    world: &Arc<World>,
    cfg: &Config,
    name: &str,
    ops: &[ops::Operation],
    duration: Duration,
) -> anyhow::Result<Phase> {
    windowed(world, cfg, name, ops, duration, None).await
}

/// [`phase`], each request also counted in `windows` (a soak run).
pub(crate) async fn windowed(
    world: &Arc<World>,
    cfg: &Config,
    name: &str,
    ops: &[ops::Operation],
    duration: Duration,
    windows: Option<Arc<soak::Windows>>,
) -> anyhow::Result<Phase> {
    let total_weight: u32 = ops.iter().map(|o| o.weight).sum();
    if total_weight == 0 {
        bail!("no operation to run");
    }
    let start = Instant::now();
    let measure_from = start + cfg.warmup;
    let stop = measure_from + duration;
    let secretaries: Vec<usize> = world
        .sessions
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role == Role::Secretary)
        .map(|(i, _)| i)
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..cfg.connections {
        let owned: Vec<usize> = secretaries
            .iter()
            .copied()
            .skip(w)
            .step_by(cfg.connections)
            .collect();
        let mut ctx = Ctx {
            world: Arc::clone(world),
            client: client()?,
            rng: StdRng::seed_from_u64(cfg.seed ^ (w as u64).wrapping_mul(0x9E37_79B9)),
            week: world
                .week
                .iter()
                .filter(|w| owned.contains(&w.secretary))
                .cloned()
                .collect(),
            owned,
            owned_members: BTreeMap::new(),
            stats: BTreeMap::new(),
            measure_from,
            counter: 0,
            windows: windows.clone(),
        };
        let ops = ops.to_vec();
        let sweep = cfg.sweep;
        tasks.spawn(async move {
            if sweep {
                ctx.measure_from = start;
                for op in &ops {
                    (op.run)(&mut ctx).await;
                }
                ctx.measure_from = measure_from;
            }
            while Instant::now() < stop {
                let mut pick = ctx.rng.random_range(0..total_weight);
                let op = ops
                    .iter()
                    .find(|o| {
                        if pick < o.weight {
                            true
                        } else {
                            pick -= o.weight;
                            false
                        }
                    })
                    .expect("weights add up");
                ctx.counter += 1;
                (op.run)(&mut ctx).await;
            }
            ctx.stats
        });
    }
    let mut merged: BTreeMap<&'static str, OpStats> = BTreeMap::new();
    while let Some(r) = tasks.join_next().await {
        for (k, v) in r? {
            merged.entry(k).or_default().merge(v);
        }
    }
    let seconds = (Instant::now().min(stop + Duration::from_secs(30)) - measure_from)
        .as_secs_f64()
        .max(0.001);
    Ok(Phase {
        name: name.into(),
        seconds,
        ops: merged,
    })
}

/// A run: the ceiling, then the mixed workload, on the same connections.
pub struct Report {
    pub connections: usize,
    pub users: usize,
    pub ceiling: Phase,
    pub mixed: Phase,
}

pub async fn run(cfg: &Config) -> anyhow::Result<Report> {
    let world = Arc::new(setup(cfg).await?);
    let ceiling = phase(&world, cfg, "ceiling", &[ops::HEALTHZ], cfg.ceiling).await?;
    let mixed = phase(&world, cfg, "mixed", &mixed_ops(cfg), cfg.mixed).await?;
    Ok(Report {
        connections: cfg.connections,
        users: world.sessions.len(),
        ceiling,
        mixed,
    })
}

/// The mixed workload's operations, or those of `--only`.
pub(crate) fn mixed_ops(cfg: &Config) -> Vec<ops::Operation> {
    ops::OPERATIONS
        .iter()
        .filter(|o| cfg.only.is_empty() || cfg.only.iter().any(|n| n == o.name))
        .copied()
        .collect()
}

pub(crate) fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// The column heads of [`figures`].
pub(crate) fn figures_head() -> String {
    format!(
        "{:>9} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    )
}

/// Requests, requests/s and latencies of one row of a table.
pub(crate) fn figures(s: &OpStats, secs: f64) -> String {
    let (p50, p95, p99, max) = s.hist.as_ref().map_or((0, 0, 0, 0), |h| {
        (
            h.value_at_quantile(0.50),
            h.value_at_quantile(0.95),
            h.value_at_quantile(0.99),
            h.max(),
        )
    });
    format!(
        "{:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>8.1}",
        s.count(),
        s.count() as f64 / secs,
        ms(p50),
        ms(p95),
        ms(p99),
        ms(max),
    )
}

impl Report {
    /// The table `chibo-bench` prints.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} connections, {} distinct logged-in users, {:.0} s measured",
            self.connections, self.users, self.mixed.seconds
        );
        // With `chibo serve --count-queries`, a last column: statements
        // per request, as the server counted them.
        let counted = self.mixed.ops.values().any(|s| s.counted > 0);
        let _ = writeln!(
            out,
            "{:<22} {} {:>7}{}",
            "operation",
            figures_head(),
            "errors",
            if counted { " stmts/req" } else { "" }
        );
        let mut row = |name: &str, s: &OpStats, secs: f64| {
            let stmts = match (counted, s.queries_per_request()) {
                (false, _) => String::new(),
                (true, None) => format!(" {:>9}", "-"),
                (true, Some(q)) => format!(" {q:>9.2}"),
            };
            let _ = writeln!(
                out,
                "{name:<22} {} {:>7}{stmts}",
                figures(s, secs),
                s.errors
            );
        };
        for (name, s) in &self.mixed.ops {
            row(name, s, self.mixed.seconds);
        }
        let all = self.mixed.all();
        let all = OpStats {
            errors: self.mixed.total_errors(),
            ..all
        };
        row("MIXED (all)", &all, self.mixed.seconds);
        let ceil = self.ceiling.all();
        let ceil = OpStats {
            errors: self.ceiling.total_errors(),
            ..ceil
        };
        row("ceiling /healthz", &ceil, self.ceiling.seconds);
        let _ = writeln!(
            out,
            "mixed / ceiling: {:.1} %",
            100.0 * self.mixed.rps() / self.ceiling.rps().max(1e-9)
        );
        for (name, s) in self.mixed.ops.iter().chain(&self.ceiling.ops) {
            if let Some(e) = &s.first_error {
                let _ = writeln!(out, "first error of {name}: {e}");
            }
        }
        out
    }
}

/// Compressed size of each core page with the assets it loads (first visit,
/// nothing cached), as a browser asking for gzip receives them.
pub async fn page_sizes(cfg: &Config) -> anyhow::Result<String> {
    let base = check_loopback(&cfg.url)?;
    let c = client()?;
    let raw = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .build()?;
    let secretary = login(&c, &base, "bithu", Role::Secretary).await?;
    let member = login(&c, &base, "dangvien", Role::Member).await?;
    let upper = login(&c, &base, "dangbo", Role::Upper).await?;
    let some_member = secretary.members.first().map_or(1, |m| m.id);
    let (sec, mem, upp) = (Some(&secretary), Some(&member), Some(&upper));
    let mut pages: Vec<(&str, Option<&Session>, String)> = vec![
        ("home (secretary)", sec, "/".into()),
        ("home (member)", mem, "/".into()),
        ("home (upper: cell table)", upp, "/".into()),
        ("member list (cell)", sec, "/members".into()),
        ("member list (upper)", upp, "/members".into()),
        ("member search", sec, "/members?q=nguyen".into()),
        ("member detail", sec, format!("/members/{some_member}")),
        (
            "member edit form",
            sec,
            format!("/members/{some_member}/edit"),
        ),
        ("rules in force", mem, "/rules".into()),
        ("case list (cell)", sec, "/cases".into()),
        ("dues roll (cell)", sec, "/dues".into()),
        ("dues by cell (upper)", upp, "/dues/cells".into()),
        ("concerns (cell)", sec, "/concerns".into()),
    ];
    // The lifecycle pages of things the demo made (its first cell's cases
    // and study, the committee's evaluation round).
    let three = [secretary.clone(), member.clone(), upper.clone()];
    let found = lifecycle::prepare(&c, &base, &three).await?;
    if let Some(&(_, id)) = found.cases.first() {
        pages.push(("admission case", sec, format!("/cases/{id}")));
    }
    if let Some(&(_, id)) = found.rounds.first() {
        let path = format!("/evaluations/rounds/{id}?unit={}", upper.unit);
        pages.push(("evaluation round (upper)", upp, path));
    }
    if let Some(code) = found.cell_codes.first() {
        pages.push(("residents' public page", None, format!("/y-kien/{code}")));
    }
    if let Some(&(_, id)) = found.documents.first() {
        pages.push(("study document", mem, format!("/study/docs/{id}")));
    }
    let gz = |path: String, cookie: Option<String>| {
        let rb = raw
            .get(format!("{base}{path}"))
            .header(header::ACCEPT_ENCODING, "gzip");
        let rb = match cookie {
            Some(ck) => rb.header(header::COOKIE, ck),
            None => rb,
        };
        async move {
            let r = rb.send().await?;
            let status = r.status();
            let bytes = r.bytes().await?;
            anyhow::Ok((status, bytes.len()))
        }
    };
    let mut out = format!(
        "{:<26} {:>10} {:>12} {:>10}\n",
        "page", "html (gz)", "assets (gz)", "total"
    );
    for (name, s, path) in pages {
        let cookie = s.map(|s| s.cookie.clone());
        let mut rb = c.get(format!("{base}{path}"));
        if let Some(ck) = &cookie {
            rb = rb.header(header::COOKIE, ck);
        }
        let html = rb.send().await?.text().await?;
        let (status, html_gz) = gz(path.clone(), cookie).await?;
        if status != StatusCode::OK {
            bail!("{path}: HTTP {status}");
        }
        let mut assets = 0;
        for piece in html.split("/assets/").skip(1) {
            let name: String = piece
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ')' | ' '))
                .collect();
            let (st, n) = gz(format!("/assets/{name}"), None).await?;
            if st == StatusCode::OK {
                assets += n;
            }
        }
        let _ = writeln!(
            out,
            "{name:<26} {:>10} {:>12} {:>10}",
            html_gz,
            assets,
            html_gz + assets
        );
    }
    Ok(out)
}
