//! What the operator's Prometheus scrapes at `/metrics`.
//!
//! Counters and histograms are kept in memory per process (each server is
//! scraped on its own); the figures that belong to the database (the
//! outbox, the reminder sweep's last run) are read from it at scrape time,
//! so every server reports the same. The exposition is prometheus-client's
//! (the Prometheus project's own crate): its text encoder, label escaping and
//! histogram buckets are then theirs, for three small crates.

use crate::service::Services;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route's template (`/meetings/{id}`), never the raw path, so the
    /// number of series stays bounded.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub job: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
    backend: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The metrics of one server process.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    pub login_throttled: Counter,
    /// Runs of the shared jobs that this process won, by outcome.
    pub jobs: Family<JobLabels, Counter>,
    pub mail_sent: Counter,
    pub mail_failed: Counter,
    pub replica_reads: Counter,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    writer_queue: Gauge,
    writer_commits: Gauge,
    writer_changes: Gauge,
    access_log_queue: Gauge,
    outbox_pending: Gauge,
    outbox_failed: Gauge,
    outbox_oldest_age: FloatGauge,
    reminder_age: FloatGauge,
    reminder_runs: Gauge,
    ready: Gauge,
}

impl Metrics {
    pub fn new(backend: &str) -> Self {
        let mut r = Registry::with_prefix("chibo");
        let requests = Family::<RequestLabels, Counter>::default();
        r.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // 2.5 ms … 20 s: a page is expected under 100 ms, an import may take seconds.
            Histogram::new([
                0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0,
            ])
        });
        r.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            latency.clone(),
        );
        let login_throttled = Counter::default();
        r.register(
            "login_throttled",
            "Login attempts refused because of too many failures",
            login_throttled.clone(),
        );
        let jobs = Family::<JobLabels, Counter>::default();
        r.register(
            "job_runs",
            "Runs of shared jobs (reminders, backup) made by this process",
            jobs.clone(),
        );
        let mail_sent = Counter::default();
        r.register(
            "mail_sent",
            "E-mails handed to the SMTP server",
            mail_sent.clone(),
        );
        let mail_failed = Counter::default();
        r.register(
            "mail_send_failures",
            "E-mail attempts that failed (each is retried later)",
            mail_failed.clone(),
        );
        let replica_reads = Counter::default();
        r.register(
            "replica_reads",
            "Requests whose reads were served by the replica",
            replica_reads.clone(),
        );
        let gauge = |r: &mut Registry, name: &str, help: &str| {
            let g = Gauge::default();
            r.register(name, help, g.clone());
            g
        };
        let float = |r: &mut Registry, name: &str, help: &str| {
            let g = FloatGauge::default();
            r.register(name, help, g.clone());
            g
        };
        let pool_open = gauge(
            &mut r,
            "db_pool_connections",
            "Database connections open in the pool (the readers on SQLite)",
        );
        let pool_idle = gauge(
            &mut r,
            "db_pool_idle",
            "Open database connections not in use",
        );
        let pool_max = gauge(&mut r, "db_pool_max", "The pool's connection ceiling");
        let writer_queue = gauge(
            &mut r,
            "db_writer_queue",
            "Changes waiting for the writer's connection",
        );
        let writer_commits = gauge(
            &mut r,
            "db_writer_commits",
            "Group commits of the writer since the start",
        );
        let writer_changes = gauge(
            &mut r,
            "db_writer_changes",
            "Changes the writer's group commits carried since the start",
        );
        let access_log_queue = gauge(
            &mut r,
            "access_log_queue",
            "Record views waiting to be written to the access log",
        );
        let outbox_pending = gauge(&mut r, "outbox_pending", "E-mails waiting to be sent");
        let outbox_failed = gauge(
            &mut r,
            "outbox_failed",
            "E-mails given up after their last retry",
        );
        let outbox_oldest_age = float(
            &mut r,
            "outbox_oldest_age_seconds",
            "Age of the oldest e-mail waiting to be sent (0: none)",
        );
        let reminder_age = float(
            &mut r,
            "reminder_sweep_age_seconds",
            "Time since the reminder sweep last completed on any server (-1: never)",
        );
        let reminder_runs = gauge(
            &mut r,
            "reminder_sweep_runs",
            "Completed reminder sweeps, all servers together",
        );
        let ready = gauge(
            &mut r,
            "ready",
            "1 when this server takes traffic (not starting, migrating or draining)",
        );
        r.register(
            "build",
            "The running build",
            Info::new(BuildLabels {
                version: env!("CARGO_PKG_VERSION").into(),
                backend: backend.into(),
            }),
        );
        Self {
            registry: r,
            requests,
            latency,
            login_throttled,
            jobs,
            mail_sent,
            mail_failed,
            replica_reads,
            pool_open,
            pool_idle,
            pool_max,
            writer_queue,
            writer_commits,
            writer_changes,
            access_log_queue,
            outbox_pending,
            outbox_failed,
            outbox_oldest_age,
            reminder_age,
            reminder_runs,
            ready,
        }
    }

    /// Counts one run of a shared job.
    pub fn job(&self, job: &str, ok: bool) {
        self.jobs
            .get_or_create(&JobLabels {
                job: job.into(),
                outcome: if ok { "ok" } else { "error" }.into(),
            })
            .inc();
    }

    /// Reads the database's figures and writes the exposition text.
    pub async fn render(&self, s: &Services, ready: bool) -> String {
        let (open, idle, max) = s.db.pool_state();
        self.pool_open.set(i64::from(open));
        self.pool_idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
        self.pool_max.set(i64::from(max));
        self.writer_queue
            .set(i64::try_from(s.db.writer_queue()).unwrap_or(i64::MAX));
        let (commits, changes) = s.db.writer_committed();
        self.writer_commits
            .set(i64::try_from(commits).unwrap_or(i64::MAX));
        self.writer_changes
            .set(i64::try_from(changes).unwrap_or(i64::MAX));
        self.access_log_queue
            .set(i64::try_from(s.access.queued()).unwrap_or(i64::MAX));
        self.ready.set(i64::from(ready));
        let now = s.now();
        match crate::store::leases::outbox(&s.db).await {
            Ok(o) => {
                self.outbox_pending.set(o.pending);
                self.outbox_failed.set(o.failed);
                let age = o.oldest.map_or(0.0, |t| seconds(now - t));
                self.outbox_oldest_age.set(age);
            }
            Err(e) => tracing::warn!("metrics: outbox: {e}"),
        }
        match crate::store::leases::job(&s.db, crate::service::jobs::REMINDERS).await {
            Ok(job) => {
                let done = job.as_ref().and_then(|j| j.done_at);
                self.reminder_age
                    .set(done.map_or(-1.0, |t| seconds(now - t)));
                self.reminder_runs.set(job.map_or(0, |j| j.runs));
            }
            Err(e) => tracing::warn!("metrics: reminder sweep: {e}"),
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

fn seconds(d: chrono::TimeDelta) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}
