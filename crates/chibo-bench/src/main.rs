//! `chibo-bench --url http://127.0.0.1:8080 --cells 15000 -c 64`: see the
//! crate documentation and docs/PERFORMANCE.md.

use chibo_bench::{Config, run};
use clap::Parser;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "chibo-bench",
    about = "Load harness for a running chibo (loopback only)"
)]
struct Args {
    /// A running chibo filled by `chibo demo`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Cells in the demo dataset (15000 for `--scale province`).
    #[arg(long, default_value_t = 15_000)]
    cells: u32,
    /// Concurrent connections.
    #[arg(short = 'c', long, default_value_t = 64)]
    connections: usize,
    /// Distinct accounts to log in.
    #[arg(long, default_value_t = 600)]
    users: usize,
    /// Seconds of the mixed workload (after the warm-up).
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Seconds of the /healthz ceiling.
    #[arg(long, default_value_t = 10)]
    ceiling_seconds: u64,
    #[arg(long, default_value_t = 2)]
    warmup_seconds: u64,
    /// Only these operations (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// A file of bearer tokens (`chibo user token LOGIN`), one a line.
    #[arg(long)]
    tokens: Option<std::path::PathBuf>,
    /// A tiny quick run (smoke test of the harness itself).
    #[arg(long)]
    smoke: bool,
    /// Instead of a load run: the compressed size of each core page with
    /// its assets (logs in as the demo's bithu, dangvien and dangbo).
    #[arg(long)]
    pages: bool,
    /// Instead of a load run: the peer-comparable operations (agenda list,
    /// agenda item creation, named vote) on a cell the harness builds.
    #[arg(long)]
    peer: bool,
    /// Seconds each peer-comparable operation is measured, per connection count.
    #[arg(long, default_value_t = 5)]
    peer_seconds: u64,
    /// Members of the peer cell (distinct voters on one vote).
    #[arg(long, default_value_t = 200)]
    peer_members: usize,
    /// Connection counts of the peer-comparable operations.
    #[arg(long, value_delimiter = ',', default_value = "1,32")]
    peer_connections: Vec<usize>,
    /// Instead of a load run: the mixed workload for this many minutes,
    /// each minute's req/s, p50, p99 and the server's RSS, then the drift.
    #[arg(long, value_name = "MINUTES")]
    soak: Option<u32>,
    /// The server's process id, for its RSS in `--soak` (`/proc/PID/status`).
    #[arg(long)]
    server_pid: Option<u32>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let tokens = match &a.tokens {
        Some(p) => std::fs::read_to_string(p)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        None => vec![],
    };
    let mut cfg = Config {
        url: a.url,
        cells: a.cells,
        connections: a.connections,
        users: a.users,
        warmup: Duration::from_secs(a.warmup_seconds),
        ceiling: Duration::from_secs(a.ceiling_seconds),
        mixed: Duration::from_secs(a.seconds),
        only: a.only,
        tokens,
        peer_members: a.peer_members,
        peer_connections: a.peer_connections,
        peer: Duration::from_secs(a.peer_seconds),
        ..Config::default()
    };
    if a.smoke {
        cfg.connections = cfg.connections.min(4);
        cfg.users = cfg.users.min(8);
        cfg.warmup = Duration::from_millis(200);
        cfg.ceiling = Duration::from_millis(500);
        cfg.mixed = Duration::from_secs(2);
        cfg.sweep = true;
        cfg.peer_members = cfg.peer_members.min(12);
        cfg.peer = Duration::from_millis(500);
    }
    if a.pages {
        print!("{}", chibo_bench::page_sizes(&cfg).await?);
        return Ok(());
    }
    if let Some(minutes) = a.soak {
        let report = chibo_bench::soak::run(&cfg, minutes as usize, a.server_pid).await?;
        print!("{}", report.summary());
        if report.total_errors() > 0 {
            std::process::exit(1);
        }
        return Ok(());
    }
    if a.peer {
        let report = chibo_bench::peer::run(&cfg).await?;
        print!("{}", report.table());
        if report.total_errors() > 0 {
            std::process::exit(1);
        }
        return Ok(());
    }
    let report = run(&cfg).await?;
    print!("{}", report.table());
    if report.mixed.total_errors() + report.ceiling.total_errors() > 0 {
        std::process::exit(1);
    }
    Ok(())
}
