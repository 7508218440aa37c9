//! Configuration: defaults, then a TOML file, then `CHIBO_*` variables, then
//! command-line flags.
//!
//! Every key of the file is also a variable, `CHIBO_` and the key in capitals
//! (`smtp_url` → `CHIBO_SMTP_URL`): both are read from one list
//! ([`FileConfig`]), so neither can lack a key the other has.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// Where log lines go and how they look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// JSON when standard error is not a terminal (a service), text when it is.
    #[default]
    Auto,
    /// One JSON object per line, with the request's id and route.
    Json,
    Text,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "json" => Ok(Self::Json),
            "text" => Ok(Self::Text),
            _ => Err("auto, json or text".into()),
        }
    }
}

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// `postgres://…`; None selects the embedded SQLite file in `data_dir`.
    /// Several hosts with `target_session_attrs=read-write` follow the primary.
    pub database_url: Option<String>,
    /// A streaming replica for the pages where a slightly old read is harmless.
    pub database_replica_url: Option<String>,
    /// The replica is used only if it was caught up at most this long ago.
    pub replica_max_lag_secs: u64,
    pub db_max_connections: u32,
    /// How long a request waits for a database connection (a failover included).
    pub db_acquire_timeout_secs: u64,
    /// Set when served over TLS (directly or behind a proxy): cookies get `Secure`.
    pub secure_cookies: bool,
    pub session_days: i64,
    pub max_upload_bytes: usize,
    pub login_window_minutes: i64,
    pub login_failures_per_account: i64,
    pub login_failures_per_address: i64,
    /// Lifetime of a new API token unless its owner chooses a shorter one.
    pub api_token_days: i64,
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
    /// `/metrics` on the main listener needs `Authorization: Bearer <token>`;
    /// without a token it is only on `metrics_listen`.
    pub metrics_token: Option<String>,
    /// A separate listener for `/metrics` (and the health checks), unauthenticated:
    /// bind it to an address only the monitoring network reaches.
    pub metrics_listen: Option<SocketAddr>,
    pub log_format: LogFormat,
    /// After SIGTERM, `/readyz` answers 503 for this long before the
    /// listener closes, so a load balancer stops sending new requests.
    pub drain_delay_secs: u64,
    /// How long requests in flight may take to finish after that.
    pub drain_timeout_secs: u64,
    /// Scheduled backups: the folder, how often (0: never), how many to keep.
    pub backup_dir: Option<PathBuf>,
    pub backup_every_secs: u64,
    pub backup_keep: usize,
    /// Where "now" comes from: the system clock, or a test's clock.
    pub clock: crate::service::clock::Clock,
    /// Every response says in `X-Chibo-Queries` how many statements its
    /// request sent to the database (tests and benchmark runs).
    pub count_queries: bool,
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
            database_replica_url: None,
            replica_max_lag_secs: 5,
            db_max_connections: 16,
            db_acquire_timeout_secs: 10,
            secure_cookies: false,
            session_days: 14,
            max_upload_bytes: 20 * 1024 * 1024,
            login_window_minutes: 15,
            login_failures_per_account: 5,
            login_failures_per_address: 30,
            api_token_days: crate::service::DEFAULT_TOKEN_DAYS,
            rules_pack: None,
            public_url: None,
            smtp_url: None,
            mail_from: "chibo <chibo@localhost>".into(),
            remind_every_secs: 300,
            metrics_token: None,
            metrics_listen: None,
            log_format: LogFormat::Auto,
            drain_delay_secs: 0,
            drain_timeout_secs: 30,
            backup_dir: None,
            backup_every_secs: 0,
            backup_keep: 7,
            clock: crate::service::clock::Clock::system(),
            count_queries: false,
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
        f.write_str(&self.to_file().redacted().to_toml())
    }
}

/// A value read from a variable.
trait EnvValue: Sized {
    fn parse_env(s: &str) -> Result<Self, String>;
}

macro_rules! env_from_str {
    ($($t:ty),*) => {$(
        impl EnvValue for $t {
            fn parse_env(s: &str) -> Result<Self, String> {
                s.parse().map_err(|e| format!("{e}"))
            }
        }
    )*};
}
env_from_str!(PathBuf, SocketAddr, String, i64, u64, u32, usize, LogFormat);

impl EnvValue for bool {
    fn parse_env(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            _ => Err("expected true or false".into()),
        }
    }
}

/// The variable that sets `key`.
pub fn env_name(key: &str) -> String {
    format!("CHIBO_{}", key.to_ascii_uppercase())
}

/// Variables that are not keys of the file but are read all the same.
const OTHER_VARIABLES: &[&str] = &[
    "CHIBO_CONFIG",
    "CHIBO_LOG",
    // `--data`'s own name, kept beside CHIBO_DATA_DIR.
    "CHIBO_DATA",
    // The test suite's.
    "CHIBO_TEST_DATABASE_URL",
    "CHIBO_REQUIRE_POSTGRES",
    "CHIBO_REQUIRE_BROWSER",
    "CHIBO_REQUIRE_OFFICE",
    "CHIBO_REQUIRE_FAILOVER",
    "CHIBO_REQUIRE_MOUNT",
];

/// The keys holding secrets: redacted wherever a configuration is shown.
pub const SECRET_KEYS: &[&str] = &[
    "database_url",
    "database_replica_url",
    "smtp_url",
    "metrics_token",
];

macro_rules! file_config {
    ($($k:ident: $t:ty),* $(,)?) => {
        /// The TOML file, and the `CHIBO_*` variables: every key optional,
        /// names as in [`Config`].
        #[derive(Debug, Default, Clone, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct FileConfig {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $k: Option<$t>,
            )*
        }

        impl FileConfig {
            pub const KEYS: &[&str] = &[$(stringify!($k)),*];

            /// The keys set by `CHIBO_*` variables (read through `get`).
            pub fn from_env(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
                let mut f = Self::default();
                $(
                    let name = env_name(stringify!($k));
                    if let Some(v) = get(&name) {
                        f.$k = Some(<$t as EnvValue>::parse_env(&v)
                            .map_err(|e| anyhow::anyhow!("{name}={v:?}: {e}"))?);
                    }
                )*
                Ok(f)
            }

            /// The keys this layer sets.
            pub fn set_keys(&self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $( if self.$k.is_some() { out.push(stringify!($k)); } )*
                out
            }
        }

        impl Config {
            /// Lays a file's (or the variables') keys over this configuration.
            pub fn with_file(mut self, f: FileConfig) -> Self {
                $( if let Some(v) = f.$k { self.$k.set(v); } )*
                self
            }

            /// Every key with its value.
            pub fn to_file(&self) -> FileConfig {
                FileConfig { $( $k: self.$k.get(), )* }
            }
        }
    };
}

file_config! {
    data_dir: PathBuf,
    listen: SocketAddr,
    database_url: String,
    database_replica_url: String,
    replica_max_lag_secs: u64,
    db_max_connections: u32,
    db_acquire_timeout_secs: u64,
    secure_cookies: bool,
    session_days: i64,
    max_upload_bytes: usize,
    login_window_minutes: i64,
    login_failures_per_account: i64,
    login_failures_per_address: i64,
    api_token_days: i64,
    rules_pack: PathBuf,
    public_url: String,
    smtp_url: String,
    mail_from: String,
    remind_every_secs: u64,
    count_queries: bool,
    metrics_token: String,
    metrics_listen: SocketAddr,
    log_format: LogFormat,
    drain_delay_secs: u64,
    drain_timeout_secs: u64,
    backup_dir: PathBuf,
    backup_every_secs: u64,
    backup_keep: usize,
    import_max_rows: usize,
    import_concurrency: usize,
    import_keep_minutes: i64,
    audit_key: PathBuf,
    checkpoint_log: PathBuf,
    anchor_every_secs: u64,
}

/// A field of [`Config`], optional or not, set from a layer's value.
trait Slot<T> {
    fn set(&mut self, v: T);
    fn get(&self) -> Option<T>;
}

impl<T: Clone> Slot<T> for T {
    fn set(&mut self, v: T) {
        *self = v;
    }
    fn get(&self) -> Option<T> {
        Some(self.clone())
    }
}

impl<T: Clone> Slot<T> for Option<T> {
    fn set(&mut self, v: T) {
        *self = Some(v);
    }
    fn get(&self) -> Option<T> {
        self.clone()
    }
}

impl FileConfig {
    /// The same keys with every secret hidden; a URL keeps its host and
    /// user (what an operator checks) and loses its password.
    pub fn redacted(mut self) -> Self {
        for url in [
            &mut self.database_url,
            &mut self.database_replica_url,
            &mut self.smtp_url,
        ]
        .into_iter()
        .flatten()
        {
            *url = redact_url(url);
        }
        if let Some(t) = self.metrics_token.as_mut() {
            *t = "<redacted>".into();
        }
        self
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# {e}"))
    }
}

/// `scheme://user:secret@host…` → `scheme://user:<redacted>@host…`; the
/// password may also be a `password=` parameter.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            let userinfo = &rest[..at];
            if let Some((user, _)) = userinfo.split_once(':') {
                out = format!("{scheme}://{user}:<redacted>{}", &rest[at..]);
            }
        }
    }
    if let Some((head, query)) = out.clone().split_once('?') {
        let pairs: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k == "password" || k == "sslpassword" => format!("{k}=<redacted>"),
                _ => p.to_string(),
            })
            .collect();
        out = format!("{head}?{}", pairs.join("&"));
    }
    out
}

/// Where each key's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Default,
    File,
    Env,
    Flag,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::File => "file",
            Self::Env => "environment",
            Self::Flag => "command line",
        }
    }
}

/// A configuration with the layer each key came from.
pub struct Loaded {
    pub cfg: Config,
    pub sources: std::collections::BTreeMap<&'static str, Source>,
    /// `CHIBO_*` variables that no key or command reads (a typo?).
    pub unknown_variables: Vec<String>,
}

impl Loaded {
    /// Defaults, then the file (if any), then the variables (read through `get`).
    pub fn load(file: Option<&std::path::Path>, vars: &[(String, String)]) -> anyhow::Result<Self> {
        let get = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut sources = std::collections::BTreeMap::new();
        let mut cfg = Config::default();
        if let Some(path) = file {
            let f =
                Config::load_file(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            for k in f.set_keys() {
                sources.insert(k, Source::File);
            }
            cfg = cfg.with_file(f);
        }
        let mut env = FileConfig::from_env(get)?;
        if env.data_dir.is_none()
            && let Some(d) = get("CHIBO_DATA")
        {
            env.data_dir = Some(PathBuf::from(d));
        }
        for k in env.set_keys() {
            sources.insert(k, Source::Env);
        }
        cfg = cfg.with_file(env);
        let unknown_variables = vars
            .iter()
            .map(|(k, _)| k)
            .filter(|k| k.starts_with("CHIBO_"))
            .filter(|k| {
                !OTHER_VARIABLES.contains(&k.as_str())
                    && !FileConfig::KEYS.iter().any(|key| env_name(key) == **k)
            })
            .cloned()
            .collect();
        Ok(Self {
            cfg,
            sources,
            unknown_variables,
        })
    }

    /// Records a key set by a command-line flag.
    pub fn flag(&mut self, key: &'static str) {
        self.sources.insert(key, Source::Flag);
    }

    /// The effective configuration as TOML, secrets redacted, each line
    /// followed by where its value came from.
    pub fn describe(&self) -> String {
        let text = self.cfg.to_file().redacted().to_toml();
        text.lines()
            .map(|line| {
                let key = line.split(" = ").next().unwrap_or_default();
                match FileConfig::KEYS.iter().find(|k| **k == key) {
                    Some(k) => {
                        let source = self.sources.get(k).copied().unwrap_or(Source::Default);
                        format!("{line}  # {}", source.as_str())
                    }
                    None => line.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Config {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_key_of_the_file_is_also_a_variable_and_variables_beat_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("chibo.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\nsmtp_url = \"smtp://a:b@mail:25\"\nbackup_keep = 3\n",
        )
        .unwrap();
        let l = Loaded::load(
            Some(&file),
            &vars(&[
                ("CHIBO_SMTP_URL", "smtps://chibo:mật-khẩu@mail.example:465"),
                ("CHIBO_SECURE_COOKIES", "1"),
                ("CHIBO_DATA", "/var/lib/chibo"),
                ("CHIBO_METRICS_TOKEN", "t0ken"),
                ("CHIBO_LOG_FORMAT", "json"),
                ("CHIBO_LISTN", "typo"),
            ]),
        )
        .unwrap();
        assert_eq!(l.cfg.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(
            l.cfg.smtp_url.as_deref(),
            Some("smtps://chibo:mật-khẩu@mail.example:465")
        );
        assert!(l.cfg.secure_cookies);
        assert_eq!(l.cfg.data_dir, PathBuf::from("/var/lib/chibo"));
        assert_eq!(l.cfg.backup_keep, 3);
        assert_eq!(l.cfg.log_format, LogFormat::Json);
        assert_eq!(l.unknown_variables, vec!["CHIBO_LISTN".to_string()]);
        let shown = l.describe();
        assert!(
            !shown.contains("mật-khẩu") && !shown.contains("t0ken"),
            "{shown}"
        );
        assert!(
            shown.contains("smtps://chibo:<redacted>@mail.example:465"),
            "{shown}"
        );
        assert!(
            shown.contains("listen = \"0.0.0.0:9000\"  # file"),
            "{shown}"
        );
        assert!(shown.contains("backup_keep = 3  # file"), "{shown}");
        assert!(shown.contains("session_days = 14  # default"), "{shown}");

        // Each key, set by its variable alone, reaches the configuration.
        let every: Vec<(String, String)> = FileConfig::KEYS
            .iter()
            .map(|k| (env_name(k), sample(k).to_string()))
            .collect();
        let l = Loaded::load(None, &every).unwrap();
        assert_eq!(l.sources.len(), FileConfig::KEYS.len());
        assert!(l.unknown_variables.is_empty());
        let back = toml::to_string(&l.cfg.to_file()).unwrap();
        for k in FileConfig::KEYS {
            let line = back
                .lines()
                .find(|line| line.starts_with(&format!("{k} = ")))
                .unwrap_or_else(|| panic!("{k} missing in {back}"));
            assert!(line.contains(sample(k)), "{k}: {line}");
        }
    }

    /// A value of the right type for each key, different from its default.
    fn sample(key: &str) -> &'static str {
        match key {
            "listen" | "metrics_listen" => "127.0.0.2:9100",
            "secure_cookies" | "count_queries" => "true",
            "log_format" => "text",
            "database_url" | "database_replica_url" => "postgres://u@h/db",
            "smtp_url" => "smtp://mail:25",
            "data_dir" | "rules_pack" | "backup_dir" | "audit_key" | "checkpoint_log" => "/srv/x",
            k if k.ends_with("_secs")
                || k.ends_with("_minutes")
                || k.ends_with("_days")
                || k.ends_with("_bytes")
                || k.starts_with("login_failures")
                || k.starts_with("import_")
                || k == "backup_keep"
                || k == "db_max_connections" =>
            {
                "77"
            }
            _ => "x@y",
        }
    }

    #[test]
    fn a_bad_variable_is_named() {
        let e = Loaded::load(None, &vars(&[("CHIBO_SESSION_DAYS", "two weeks")]))
            .err()
            .unwrap();
        assert!(e.to_string().contains("CHIBO_SESSION_DAYS"), "{e}");
    }

    #[test]
    fn urls_lose_their_passwords_only() {
        assert_eq!(
            redact_url("postgres://chibo:p%40ss@db1:5432,db2:5432/chibo?sslmode=verify-full"),
            "postgres://chibo:<redacted>@db1:5432,db2:5432/chibo?sslmode=verify-full"
        );
        assert_eq!(redact_url("postgres://chibo@db/x"), "postgres://chibo@db/x");
        assert_eq!(
            redact_url("postgres://db/x?user=u&password=secret"),
            "postgres://db/x?user=u&password=<redacted>"
        );
    }
}
