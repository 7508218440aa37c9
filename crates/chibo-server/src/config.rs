//! Configuration: defaults, then a TOML file, then `CHIBO_*` variables, then
//! command-line flags (the last two are merged by clap).

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// `postgres://…`; None selects the embedded SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Set when served over TLS (directly or behind a proxy): cookies get `Secure`.
    pub secure_cookies: bool,
    pub session_days: i64,
    pub max_upload_bytes: usize,
    pub login_window_minutes: i64,
    pub login_failures_per_account: i64,
    pub login_failures_per_address: i64,
    /// A local rule pack (the đảng ủy's own quy chế) layered over the national one.
    pub rules_pack: Option<PathBuf>,
    /// The address users reach, for links printed on the console.
    pub public_url: Option<String>,
    /// Outgoing mail: `smtp://host:25`, `smtps://user:pass@host:465`,
    /// `smtp://user:pass@host:587?tls=required`. None: notices stay in the app.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// How often task reminders are swept (seconds); 0 turns the sweep off
    /// (tests run it by hand, at the time they choose).
    pub remind_every_secs: u64,
    /// Where "now" comes from: the system clock, or a test's clock.
    pub clock: crate::service::clock::Clock,
    /// Data rows one import may hold.
    pub import_max_rows: usize,
    /// Imports read at once (each within 256 MB); more are told to wait.
    pub import_concurrency: usize,
    /// How long an upload waits for its confirmation before the sweep
    /// deletes it (it holds national ID numbers).
    pub import_keep_minutes: i64,
    /// The key that signs the audit chains' checkpoints (Ed25519), kept
    /// outside the database: `data_dir/audit-signing.key` unless set.
    /// Created on first start; servers sharing one database share it.
    pub audit_key: Option<PathBuf>,
    /// The log of signed checkpoints, to be shipped off the machine:
    /// `data_dir/audit-checkpoints.log` unless set.
    pub checkpoint_log: Option<PathBuf>,
    /// How often the chain heads that moved are signed into the log
    /// (seconds); 0 turns the sweep off (seals still sign their own).
    pub anchor_every_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("chibo-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            secure_cookies: false,
            session_days: 14,
            max_upload_bytes: 20 * 1024 * 1024,
            login_window_minutes: 15,
            login_failures_per_account: 5,
            login_failures_per_address: 30,
            rules_pack: None,
            public_url: None,
            smtp_url: None,
            mail_from: "chibo <chibo@localhost>".into(),
            remind_every_secs: 300,
            clock: crate::service::clock::Clock::system(),
            import_max_rows: chibo_docs::sheet::Limits::default().max_rows,
            import_concurrency: 2,
            import_keep_minutes: 120,
            audit_key: None,
            checkpoint_log: None,
            anchor_every_secs: 60,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("session_days", &self.session_days)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("rules_pack", &self.rules_pack)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("mail_from", &self.mail_from)
            .field("audit_key", &self.audit_key_path())
            .field("checkpoint_log", &self.checkpoint_log_path())
            .finish_non_exhaustive()
    }
}

/// The TOML file: every key optional, names as in [`Config`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub session_days: Option<i64>,
    pub max_upload_bytes: Option<usize>,
    pub login_window_minutes: Option<i64>,
    pub login_failures_per_account: Option<i64>,
    pub login_failures_per_address: Option<i64>,
    pub rules_pack: Option<PathBuf>,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub remind_every_secs: Option<u64>,
    pub import_max_rows: Option<usize>,
    pub import_concurrency: Option<usize>,
    pub import_keep_minutes: Option<i64>,
    pub audit_key: Option<PathBuf>,
    pub checkpoint_log: Option<PathBuf>,
    pub anchor_every_secs: Option<u64>,
}

impl Config {
    pub fn with_file(mut self, f: FileConfig) -> Self {
        macro_rules! take {
            ($($k:ident),*) => { $( if let Some(v) = f.$k { self.$k = v; } )* };
        }
        take!(
            data_dir,
            listen,
            secure_cookies,
            session_days,
            max_upload_bytes,
            login_window_minutes,
            login_failures_per_account,
            login_failures_per_address,
            remind_every_secs,
            import_max_rows,
            import_concurrency,
            import_keep_minutes,
            anchor_every_secs
        );
        self.audit_key = f.audit_key.or(self.audit_key);
        self.checkpoint_log = f.checkpoint_log.or(self.checkpoint_log);
        self.database_url = f.database_url.or(self.database_url);
        self.rules_pack = f.rules_pack.or(self.rules_pack);
        self.public_url = f.public_url.or(self.public_url);
        self.smtp_url = f.smtp_url.or(self.smtp_url);
        if let Some(from) = f.mail_from {
            self.mail_from = from;
        }
        self
    }

    pub fn load_file(path: &std::path::Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)?;
        Ok(toml::from_str(&text)?)
    }

    /// The import limits this configuration sets.
    pub fn import_gate(&self) -> crate::service::import::ImportGate {
        let limits = chibo_docs::sheet::Limits {
            max_rows: self.import_max_rows,
            ..chibo_docs::sheet::Limits::default()
        };
        crate::service::import::ImportGate::new(
            limits,
            self.import_concurrency.max(1),
            chrono::Duration::minutes(self.import_keep_minutes.max(1)),
        )
    }

    pub fn audit_key_path(&self) -> PathBuf {
        self.audit_key
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-signing.key"))
    }

    pub fn checkpoint_log_path(&self) -> PathBuf {
        self.checkpoint_log
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-checkpoints.log"))
    }

    pub fn base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }
}
