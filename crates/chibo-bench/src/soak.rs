//! The soak run (`chibo-bench --soak MINUTES --server-pid PID`): the mixed
//! workload for that long on the same sessions and connections, printing
//! each minute its requests/s, p50 and p99 and the server's resident memory
//! (`VmRSS` of `/proc/PID/status`), then the drift: the first minute beside
//! the last, and the worst. What it watches for is what a 30-second run
//! cannot show: memory that grows with the requests served (a cache without
//! a bound, a leak) and latency that creeps up as tables and logs grow.

use crate::{Config, OpStats, figures, figures_head, mixed_ops, ms, setup, windowed};
use hdrhistogram::Histogram;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The run's windows (minutes): each request counted in the window it
/// ended in, so a window is complete as soon as it is over.
pub struct Windows {
    start: Instant,
    len: Duration,
    slots: Mutex<Vec<Slot>>,
}

#[derive(Clone)]
struct Slot {
    hist: Histogram<u64>,
    errors: u64,
}

impl Windows {
    fn new(start: Instant, len: Duration, n: usize) -> Self {
        let slot = Slot {
            hist: Histogram::new_with_bounds(1, 60_000_000, 3).expect("bounds"),
            errors: 0,
        };
        Self {
            start,
            len,
            slots: Mutex::new(vec![slot; n]),
        }
    }

    /// A request that just ended: its time in µs, or `None` for an error.
    pub(crate) fn record(&self, us: Option<u64>) {
        let Some(since) = Instant::now().checked_duration_since(self.start) else {
            return;
        };
        let k = (since.as_nanos() / self.len.as_nanos().max(1)) as usize;
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = slots.get_mut(k) else { return };
        match us {
            Some(us) => {
                let _ = slot.hist.record(us);
            }
            None => slot.errors += 1,
        }
    }

    fn slot(&self, k: usize) -> Option<Slot> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.get(k).cloned()
    }
}

/// One window's figures.
#[derive(Debug, Clone, Copy)]
pub struct Minute {
    pub index: usize,
    pub requests: u64,
    pub rps: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub errors: u64,
    /// The server's resident set, kB (`None` without a pid or once it is gone).
    pub rss_kb: Option<u64>,
}

/// The resident set of a process, kB.
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn mb(kb: Option<u64>) -> String {
    kb.map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0))
}

impl Minute {
    fn line(&self) -> String {
        format!(
            "{:>6} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>7} {:>8}",
            self.index + 1,
            self.requests,
            self.rps,
            ms(self.p50_us),
            ms(self.p99_us),
            self.errors,
            mb(self.rss_kb)
        )
    }

    fn head() -> String {
        format!(
            "{:>6} {:>9} {:>9} {:>8} {:>8} {:>7} {:>8}",
            "minute", "requests", "req/s", "p50 ms", "p99 ms", "errors", "RSS MB"
        )
    }
}

/// A soak run's figures.
pub struct SoakReport {
    pub minutes: Vec<Minute>,
    pub total: crate::Phase,
}

impl SoakReport {
    pub fn total_errors(&self) -> u64 {
        self.total.total_errors()
    }

    /// The drift (first window beside the last, and the worst) and the
    /// whole run per operation.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let (Some(first), Some(last)) = (self.minutes.first(), self.minutes.last()) else {
            return out;
        };
        let worst = self
            .minutes
            .iter()
            .max_by_key(|m| m.p99_us)
            .unwrap_or(first);
        let _ = writeln!(
            out,
            "drift p99: {:.2} ms (minute 1) → {:.2} ms (minute {}), {:+.0} %; worst {:.2} ms (minute {})",
            ms(first.p99_us),
            ms(last.p99_us),
            last.index + 1,
            100.0 * (last.p99_us as f64 / first.p99_us.max(1) as f64 - 1.0),
            ms(worst.p99_us),
            worst.index + 1
        );
        let _ = writeln!(
            out,
            "drift req/s: {:.0} (minute 1) → {:.0} (minute {})",
            first.rps,
            last.rps,
            last.index + 1
        );
        if let (Some(a), Some(b)) = (first.rss_kb, last.rss_kb) {
            let max = self.minutes.iter().filter_map(|m| m.rss_kb).max();
            let _ = writeln!(
                out,
                "drift RSS: {} MB (minute 1) → {} MB (minute {}), {:+.1} MB; max {} MB",
                mb(Some(a)),
                mb(Some(b)),
                last.index + 1,
                (b as f64 - a as f64) / 1024.0,
                mb(max)
            );
        }
        let _ = writeln!(
            out,
            "{:<22} {} {:>7}",
            "operation",
            figures_head(),
            "errors"
        );
        for (name, s) in &self.total.ops {
            let _ = writeln!(
                out,
                "{name:<22} {} {:>7}",
                figures(s, self.total.seconds),
                s.errors
            );
        }
        let all = OpStats {
            errors: self.total.total_errors(),
            ..self.total.all()
        };
        let _ = writeln!(
            out,
            "{:<22} {} {:>7}",
            "SOAK (all)",
            figures(&all, self.total.seconds),
            all.errors
        );
        for (name, s) in &self.total.ops {
            if let Some(e) = &s.first_error {
                let _ = writeln!(out, "first error of {name}: {e}");
            }
        }
        out
    }
}

/// Runs the mixed workload for `windows` windows of `cfg.soak_window`
/// (minutes), printing each one as it ends; `pid` is the server's.
pub async fn run(cfg: &Config, windows: usize, pid: Option<u32>) -> anyhow::Result<SoakReport> {
    let world = Arc::new(setup(cfg).await?);
    let len = cfg.soak_window;
    let start = Instant::now() + cfg.warmup;
    let w = Arc::new(Windows::new(start, len, windows));
    let duration = len * u32::try_from(windows).unwrap_or(u32::MAX);
    println!(
        "soak: {} connections, {} distinct logged-in users, {windows} × {} s{}",
        cfg.connections,
        world.sessions.len(),
        len.as_secs_f64(),
        pid.map_or(String::new(), |p| format!(", server pid {p}"))
    );
    println!("{}", Minute::head());
    let reporter = {
        let w = Arc::clone(&w);
        async move {
            let mut minutes = Vec::with_capacity(windows);
            for k in 0..windows {
                // A window is complete once it is over: its requests are
                // counted when they end.
                let end = start + len * u32::try_from(k + 1).unwrap_or(u32::MAX);
                tokio::time::sleep_until((end + Duration::from_millis(50)).into()).await;
                let Some(slot) = w.slot(k) else { break };
                let m = Minute {
                    index: k,
                    requests: slot.hist.len(),
                    rps: slot.hist.len() as f64 / len.as_secs_f64(),
                    p50_us: slot.hist.value_at_quantile(0.50),
                    p99_us: slot.hist.value_at_quantile(0.99),
                    errors: slot.errors,
                    rss_kb: pid.and_then(rss_kb),
                };
                println!("{}", m.line());
                let _ = std::io::stdout().flush();
                minutes.push(m);
            }
            minutes
        }
    };
    let ops = mixed_ops(cfg);
    let (minutes, total) = tokio::join!(
        reporter,
        windowed(&world, cfg, "soak", &ops, duration, Some(Arc::clone(&w)))
    );
    Ok(SoakReport {
        minutes,
        total: total?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resident_set_of_this_process_is_read() {
        let kb = rss_kb(std::process::id()).expect("VmRSS");
        assert!(kb > 0);
    }

    #[test]
    fn a_request_counts_in_the_window_it_ended_in() {
        let w = Windows::new(
            Instant::now() - Duration::from_millis(1500),
            Duration::from_secs(1),
            3,
        );
        w.record(Some(1000));
        w.record(None);
        assert_eq!(w.slot(0).map(|s| s.hist.len()), Some(0));
        assert_eq!(w.slot(1).map(|s| (s.hist.len(), s.errors)), Some((1, 1)));
    }
}
