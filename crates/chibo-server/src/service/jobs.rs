//! Jobs that every server process schedules but only one may run per tick:
//! the reminder sweep and the scheduled backup. A tick is a slot of the
//! job's period on the clock, named by the second it starts at; the process
//! that moves the job's row to that slot first runs it
//! ([`crate::store::leases`]).

use super::{Result, Services};
use chrono::{DateTime, Duration, Utc};

/// The reminder sweep's row in `job_lease`.
pub const REMINDERS: &str = "reminders";
/// The scheduled backup's row in `job_lease`.
pub const BACKUP: &str = "backup";

/// A lease outlives any run it covers: a crashed holder delays the job's
/// next tick by at most this long, or two periods if they are longer.
const MIN_LEASE: Duration = Duration::minutes(15);

impl Services {
    /// Runs `job` for the current tick of its period if no other process
    /// has: `Some` with its outcome when this process ran it.
    pub async fn once_per_tick<T, F, Fut>(
        &self,
        job: &str,
        every_secs: u64,
        holder: &str,
        run: F,
    ) -> Result<Option<T>>
    where
        F: FnOnce(DateTime<Utc>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let every = i64::try_from(every_secs.max(1)).unwrap_or(i64::MAX);
        let now = self.now();
        // The slot's first second, not its number (`now / every`): numbers
        // of a shorter period are larger, so a server once started with
        // reminders every 20 s and then again every 300 s never claimed a
        // slot again. Rows still holding a number (far below any second
        // since 1970) are claimed at the next tick.
        let slot = now.timestamp().div_euclid(every).saturating_mul(every);
        let lease = MIN_LEASE.max(Duration::seconds(every.saturating_mul(2)));
        if !crate::store::leases::claim(&self.db, job, slot, holder, now, now + lease).await? {
            return Ok(None);
        }
        let outcome = run(now).await;
        self.metrics.job(job, outcome.is_ok());
        crate::store::leases::release(&self.db, job, holder, outcome.is_ok(), self.now()).await?;
        outcome.map(Some)
    }
}
