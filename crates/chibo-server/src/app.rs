//! Building and running the server. `App::build` binds the listener (port 0
//! is fine), so tests start exactly what production starts.

use crate::config::Config;
use crate::service::Services;
use crate::store::Db;
use crate::web;
use std::net::SocketAddr;
use tokio::net::TcpListener;

pub struct App {
    listener: TcpListener,
    router: axum::Router,
    pub services: Services,
    pub addr: SocketAddr,
}

/// Opens the configured database (running migrations) with the rule packs.
pub async fn open(cfg: &Config) -> anyhow::Result<Services> {
    let db = match &cfg.database_url {
        Some(url) => Db::open_postgres(url).await?,
        None => Db::open_sqlite(&cfg.data_dir).await?,
    };
    let anchor =
        crate::service::anchor::Anchor::open(&cfg.audit_key_path(), cfg.checkpoint_log_path())
            .map_err(|e| anyhow::anyhow!("audit signing key: {e}"))?;
    Ok(
        Services::new(db, load_rules(cfg)?, cfg.clock.clone(), anchor)
            .with_imports(cfg.import_gate()),
    )
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

impl App {
    pub async fn build(cfg: Config) -> anyhow::Result<Self> {
        let services = open(&cfg).await?;
        let listener = TcpListener::bind(cfg.listen).await?;
        let addr = listener.local_addr()?;
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
        let kick = std::sync::Arc::new(tokio::sync::Notify::new());
        if let Some(url) = &cfg.smtp_url {
            crate::service::mail::Mailer::new(url, &cfg.mail_from, cfg.base_url())?
                .spawn(services.clone(), kick.clone());
        }
        if cfg.remind_every_secs > 0 {
            spawn_reminders(services.clone(), kick.clone(), cfg.remind_every_secs);
        }
        if cfg.anchor_every_secs > 0 {
            spawn_anchor(services.clone(), cfg.anchor_every_secs);
        }
        let router = web::router(services.clone(), cfg, kick);
        Ok(Self {
            listener,
            router,
            services,
            addr,
        })
    }

    pub async fn run(self) -> anyhow::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        self.services.db.close().await;
        Ok(())
    }
}

/// Sweeps task reminders for the life of the server, waking the mail sender
/// when it queued any.
fn spawn_reminders(services: Services, kick: std::sync::Arc<tokio::sync::Notify>, every: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every));
        loop {
            tick.tick().await;
            match services.run_reminders(services.now()).await {
                Ok(s) if s.reminders + s.digests > 0 => kick.notify_one(),
                Ok(_) => {}
                Err(e) => tracing::error!("task reminders: {e}"),
            }
            if let Err(e) = services.purge_abandoned_uploads(services.now()).await {
                tracing::error!("abandoned uploads: {e}");
            }
        }
    });
}

/// Signs the chain heads that moved into the checkpoint log, for the life of
/// the server: a rewrite of anything older than the last sweep is caught.
fn spawn_anchor(services: Services, every: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every));
        loop {
            tick.tick().await;
            if let Err(e) = services.checkpoint(None, services.now()).await {
                tracing::error!("audit checkpoints: {e}");
            }
        }
    });
}
