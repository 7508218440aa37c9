//! Building and running the server. `App::build` binds the listener (port 0
//! is fine), so tests start exactly what production starts.
//!
//! The listener answers from the first moment: `/healthz` at once,
//! `/readyz` with 503 while the database is opened and migrated, and the
//! application once it is ready. On SIGTERM (or Ctrl-C) the server drains:
//! `/readyz` turns 503, the listener closes after `drain_delay_secs`,
//! requests in flight get `drain_timeout_secs` to finish, the background jobs
//! stop, and SQLite's writer commits what it holds before the process exits 0.

use crate::config::Config;
use crate::lifecycle::{Life, Phase};
use crate::service::Services;
use crate::store::{Db, pg::PoolSize, replica::Replica};
use crate::web::{self, observe};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// Background tasks stop within this once asked (a sweep in progress ends
/// its transaction; one that takes longer is cut and rolled back).
const JOBS_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A server that listens and answers health checks, its database not yet open.
pub struct Starting {
    cfg: Config,
    pub addr: SocketAddr,
    pub metrics_addr: Option<SocketAddr>,
    life: Life,
    front: observe::Front,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
}

pub struct App {
    pub services: Services,
    pub addr: SocketAddr,
    pub metrics_addr: Option<SocketAddr>,
    life: Life,
    cfg: Config,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
    jobs: Vec<JoinHandle<()>>,
}

/// Opens the configured database (running migrations) with the rule packs.
pub async fn open(cfg: &Config) -> anyhow::Result<Services> {
    let db = connect(cfg).await?;
    db.migrate().await?;
    services(db, cfg).await
}

/// The services over an open database, with the configured rule packs,
/// clock, audit signing key and import limits; the audit baseline of a
/// database written before entries imaged their records.
async fn services(db: Db, cfg: &Config) -> anyhow::Result<Services> {
    let anchor =
        crate::service::anchor::Anchor::open(&cfg.audit_key_path(), cfg.checkpoint_log_path())
            .map_err(|e| anyhow::anyhow!("audit signing key: {e}"))?;
    let mut services = Services::new(db, load_rules(cfg)?, cfg.clock.clone(), anchor)
        .with_imports(cfg.import_gate());
    services.token_lifetime = chrono::Duration::days(
        cfg.api_token_days
            .clamp(1, crate::service::accounts::MAX_TOKEN_DAYS),
    );
    // A database written before audit entries imaged their records gets its
    // baseline once, after checking the chains it already has.
    if crate::store::audit::needs_baseline(&services.db).await? {
        let before = services.verify(&Default::default()).await?;
        for f in before
            .findings
            .iter()
            .filter(|f| !matches!(f, crate::service::audit::Finding::Record { .. }))
        {
            tracing::warn!("before the audit baseline: {}", f.describe());
        }
        let n = services.baseline_images(services.now()).await?;
        tracing::info!("audit baseline: {n} records imaged");
    }
    // Each open case's earliest deadline is kept on its row for the upper
    // committee's table; computed here for every open case after migration
    // 0028 or when the rule packs loaded differ from the ones it was kept
    // with. A failure (another server doing the same) does not stop this
    // one: the next start retries.
    match services.keep_case_dues(services.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("case deadlines kept anew: {n}"),
        Err(e) => tracing::warn!("case deadlines not kept anew: {e}"),
    }
    // The evaluation rounds opened before cells were rated get their cells'
    // ratings. A failure (another server starting on the same database
    // opened them first) does not stop this one: the next start retries.
    match services.open_missing_cell_ratings(services.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("cell ratings of earlier rounds opened: {n}"),
        Err(e) => tracing::warn!("cell ratings of earlier rounds not opened: {e}"),
    }
    Ok(services)
}

async fn connect(cfg: &Config) -> anyhow::Result<Db> {
    Ok(match &cfg.database_url {
        Some(url) => {
            let size = PoolSize {
                max_connections: cfg.db_max_connections,
                acquire_timeout: Duration::from_secs(cfg.db_acquire_timeout_secs),
            };
            Db::connect_postgres(url, size).await?
        }
        None => Db::connect_sqlite(&cfg.data_dir).await?,
    })
}

pub fn load_rules(cfg: &Config) -> anyhow::Result<chibo_rules::Rules> {
    Ok(match &cfg.rules_pack {
        Some(p) => {
            let text = std::fs::read_to_string(p)?;
            chibo_rules::Rules::with_local_pack(&text).map_err(|errors| {
                let lines: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}:{}: {}", p.display(), e.line, e.message))
                    .collect();
                anyhow::anyhow!("{}", lines.join("\n"))
            })?
        }
        None => chibo_rules::Rules::embedded(),
    })
}

/// Serves `router` on `listener` until `stop` turns true, then lets the
/// requests in flight finish.
fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
    })
}

impl App {
    /// Binds the listeners and starts answering health checks.
    pub async fn start(cfg: Config) -> anyhow::Result<Starting> {
        let life = Life::default();
        let front = observe::Front::new(life.clone(), cfg.metrics_token.clone());
        let (stop, _) = watch::channel(false);
        let listener = TcpListener::bind(cfg.listen).await?;
        let addr = listener.local_addr()?;
        let mut servers = vec![serve(
            listener,
            observe::front(front.clone()),
            stop.subscribe(),
        )];
        let mut metrics_addr = None;
        if let Some(at) = cfg.metrics_listen {
            let listener = TcpListener::bind(at).await?;
            metrics_addr = Some(listener.local_addr()?);
            servers.push(serve(
                listener,
                observe::metrics_only(front.clone()),
                stop.subscribe(),
            ));
        }
        Ok(Starting {
            cfg,
            addr,
            metrics_addr,
            life,
            front,
            stop,
            servers,
        })
    }

    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        Self::start(cfg).await?.open().await
    }

    /// Runs until SIGTERM or Ctrl-C, then drains.
    pub async fn run(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        self.drain().await
    }

    /// Stops taking traffic, lets what is in flight finish (bounded), stops
    /// the background jobs and closes the database.
    pub async fn drain(self) -> anyhow::Result<()> {
        tracing::info!("draining: /readyz answers 503");
        self.life.set(Phase::Draining);
        crate::lifecycle::notify_systemd("STOPPING=1");
        tokio::time::sleep(Duration::from_secs(self.cfg.drain_delay_secs)).await;
        let _ = self.stop.send(true);
        let limit = Duration::from_secs(self.cfg.drain_timeout_secs);
        for server in self.servers {
            let abort = server.abort_handle();
            match tokio::time::timeout(limit, server).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => tracing::error!("listener: {e}"),
                Ok(Err(e)) => tracing::error!("listener task: {e}"),
                Err(_) => {
                    tracing::warn!(
                        "requests still running after {limit:?}: cut off (their transactions roll back)"
                    );
                    abort.abort();
                }
            }
        }
        for job in self.jobs {
            let abort = job.abort_handle();
            if tokio::time::timeout(JOBS_STOP_TIMEOUT, job).await.is_err() {
                abort.abort();
            }
        }
        // Commits what SQLite's writer holds; the access log's rows were
        // committed before their requests were answered.
        self.services.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

impl Starting {
    /// Opens and migrates the database, starts the background jobs and the
    /// application; `/readyz` turns 200.
    pub async fn open(self) -> anyhow::Result<App> {
        let Self {
            cfg,
            addr,
            metrics_addr,
            life,
            front,
            stop,
            servers,
        } = self;
        let db = connect(&cfg).await?;
        life.set(Phase::Migrating);
        db.migrate().await?;
        let services = services(db, &cfg).await?;
        let replica = match (&cfg.database_replica_url, &services.db) {
            (Some(url), Db::Postgres { pool: primary, .. }) => Some(
                Replica::start(
                    url,
                    primary.clone(),
                    Duration::from_secs(cfg.replica_max_lag_secs),
                )
                .await?,
            ),
            (Some(_), Db::Sqlite { .. }) => {
                anyhow::bail!("database_replica_url needs database_url (PostgreSQL)")
            }
            _ => None,
        };
        if let Some(token) = services.setup_link_token(services.now()).await? {
            let base = cfg
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}"));
            println!(
                "Chưa có tài khoản nào. Mở liên kết sau (một lần, 24 giờ) để tạo quản trị viên đầu tiên:"
            );
            println!(
                "No account yet. Open this one-time link (valid 24 h) to create the first administrator:"
            );
            println!("  {base}/setup?token={token}");
        }
        let holder = holder_name(addr);
        let kick = Arc::new(Notify::new());
        let mut jobs = Vec::new();
        if let Some(url) = &cfg.smtp_url {
            let mailer = crate::service::mail::Mailer::new(url, &cfg.mail_from, cfg.base_url())?;
            jobs.push(mailer.spawn(services.clone(), kick.clone(), stop.subscribe()));
        }
        if cfg.remind_every_secs > 0 {
            jobs.push(spawn_reminders(
                services.clone(),
                kick.clone(),
                cfg.remind_every_secs,
                holder.clone(),
                stop.subscribe(),
            ));
        }
        if let (Some(dir), true) = (&cfg.backup_dir, cfg.backup_every_secs > 0) {
            jobs.push(spawn_backups(
                services.clone(),
                cfg.clone(),
                dir.clone(),
                holder,
                stop.subscribe(),
            ));
        }
        if cfg.anchor_every_secs > 0 {
            jobs.push(spawn_anchor(
                services.clone(),
                cfg.anchor_every_secs,
                stop.subscribe(),
            ));
        }
        let app = web::router(services.clone(), cfg.clone(), kick, replica);
        if front.app.set(app).is_err() {
            anyhow::bail!("the application was opened twice");
        }
        life.set(Phase::Ready);
        crate::lifecycle::notify_systemd("READY=1");
        Ok(App {
            services,
            addr,
            metrics_addr,
            life,
            cfg,
            stop,
            servers,
            jobs,
        })
    }
}

/// SIGTERM (systemd, a container runtime) or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How this process names itself in `job_lease.holder`: where it listens,
/// its pid, and a random part (two hosts may share both).
fn holder_name(addr: SocketAddr) -> String {
    let tag: u32 = rand::random();
    format!("{addr} pid {} {tag:08x}", std::process::id())
}

/// Runs the reminder sweep once per tick across all servers, waking the mail
/// sender when it queued any.
fn spawn_reminders(
    services: Services,
    kick: Arc<Notify>,
    every: u64,
    holder: String,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let swept = services
                .once_per_tick(crate::service::jobs::REMINDERS, every, &holder, |now| {
                    services.run_reminders(now)
                })
                .await;
            match swept {
                Ok(Some(s)) if s.reminders + s.digests > 0 => kick.notify_one(),
                Ok(_) => {}
                Err(e) => tracing::error!("task reminders: {e}"),
            }
            if let Err(e) = services.purge_abandoned_uploads(services.now()).await {
                tracing::error!("abandoned uploads: {e}");
            }
        }
    })
}

/// Signs the chain heads that moved into the checkpoint log, for the life of
/// the server: a rewrite of anything older than the last sweep is caught.
fn spawn_anchor(services: Services, every: u64, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            if let Err(e) = services.checkpoint(None, services.now()).await {
                tracing::error!("audit checkpoints: {e}");
            }
        }
    })
}

/// Makes the scheduled backup once per period across all servers, keeping
/// the newest `backup_keep`.
fn spawn_backups(
    services: Services,
    cfg: Config,
    dir: std::path::PathBuf,
    holder: String,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let every = cfg.backup_every_secs;
        // Checked often, run once per period: a restart does not skip one.
        let mut tick = tokio::time::interval(Duration::from_secs(every.clamp(1, 60)));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let made = services
                .once_per_tick(crate::service::jobs::BACKUP, every, &holder, |now| {
                    services.scheduled_backup(
                        &dir,
                        cfg.backup_keep,
                        cfg.database_url.as_deref(),
                        now,
                    )
                })
                .await;
            match made {
                Ok(Some(path)) => tracing::info!(file = %path.display(), "backup made"),
                Ok(None) => {}
                Err(e) => tracing::error!("scheduled backup: {e}"),
            }
        }
    })
}
