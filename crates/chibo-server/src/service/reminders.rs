//! The reminder sweep: tasks due soon (working days from the rule pack),
//! overdue tasks, and the tasks a notified meeting will review; then the
//! daily digest for members who chose it. Every reminder is a notice row, so
//! each delivery is logged and none goes out twice.

use super::{Result, Services, today};
use crate::store::{self, reminders as db};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// How many tasks (and cases) one transaction reminds of; a sweep goes on
/// until none is left.
pub const BATCH: i64 = 500;

/// Local hour after which the day's digest e-mail is composed. Operational,
/// not a Party rule: early enough to be read before the day's work.
pub const DIGEST_HOUR: u32 = 6;

/// What a sweep reminds of: tasks due between two days (under a key
/// prefix), or the tasks a notified meeting will review, after the last
/// (meeting, task) pair of the batch before.
enum Pass {
    Due(&'static str, NaiveDate, NaiveDate),
    Review(i64, i64),
}

/// One reminder about one task, to its lead and co-owners.
struct Reminder {
    task_id: i64,
    key: String,
    subject: String,
    body: String,
}

impl Reminder {
    fn of_due(prefix: &str, d: &db::Due) -> Self {
        let deadline = d.deadline.format("%d/%m/%Y");
        let (subject, body) = if prefix == "overdue" {
            (
                format!("Nhiệm vụ quá hạn: {}", d.title),
                format!(
                    "Nhiệm vụ \"{}\" đã quá hạn ngày {deadline}. Đề nghị đồng chí cập nhật tiến độ.",
                    d.title
                ),
            )
        } else {
            (
                format!("Nhiệm vụ sắp đến hạn: {}", d.title),
                format!("Nhiệm vụ \"{}\" đến hạn ngày {deadline}.", d.title),
            )
        };
        Self {
            task_id: d.task_id,
            key: format!("{prefix}:{}:{}", d.task_id, d.deadline),
            subject,
            body,
        }
    }

    fn of_review(t: &db::ToReview) -> Self {
        let when = t
            .starts_at
            .with_timezone(&Ho_Chi_Minh)
            .format("%H:%M ngày %d/%m/%Y");
        Self {
            task_id: t.task_id,
            key: format!("review:{}:{}", t.task_id, t.meeting_id),
            subject: format!("Báo cáo nhiệm vụ tại buổi sinh hoạt {when}"),
            body: format!(
                "Buổi sinh hoạt chi bộ lúc {when} sẽ kiểm điểm nhiệm vụ \"{}\". Đề nghị đồng chí cập nhật tiến độ trước buổi sinh hoạt.",
                t.title
            ),
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reminders: usize,
    pub digests: usize,
}

impl Services {
    pub async fn run_reminders(&self, now: DateTime<Utc>) -> Result<Swept> {
        self.run_reminders_by(now, BATCH).await
    }

    /// The sweep, `batch` tasks or cases a transaction (a test crosses a
    /// batch's boundary with a few rows).
    pub async fn run_reminders_by(&self, now: DateTime<Utc>, batch: i64) -> Result<Swept> {
        let on = today(now);
        let mut swept = Swept::default();
        // The base pack defines every parameter, so a failure here is a broken
        // local pack: remind of what is overdue at least.
        let until = self
            .rules
            .param::<u32>("due_soon_working_days", on)
            .and_then(|n| self.rules.calendar().add_working_days(on, n))
            .inspect_err(|e| tracing::error!("due-soon reminders skipped: {e}"))
            .unwrap_or(on);
        let far_past = on - Duration::days(3650);
        let yesterday = on - Duration::days(1);
        let passes = [
            Pass::Due("due_soon", on, until),
            Pass::Due("overdue", far_past, yesterday),
            Pass::Review(0, 0),
        ];
        for mut pass in passes {
            loop {
                let (reminders, last) = self.pending(&pass, now, batch).await?;
                let sent = self.remind_batch(&reminders, now).await?;
                swept.reminders += sent;
                // A full batch that reminded no one would come back unchanged.
                if reminders.len() < usize::try_from(batch).unwrap_or(usize::MAX) || sent == 0 {
                    break;
                }
                if matches!(pass, Pass::Review(..))
                    && let Some((meeting, task)) = last
                {
                    pass = Pass::Review(meeting, task);
                }
            }
        }
        swept.reminders += self.remind_cases(now, batch).await?;
        // Discipline decisions lapse, and cases past their complaint period close.
        self.sweep_discipline(now).await?;
        swept.reminders += self.remind_concerns(now).await?;
        swept.reminders += self.remind_study_due(now, until).await?;
        swept.digests = self.send_digests(now).await?;
        Ok(swept)
    }

    /// The next batch of reminders a pass owes, with the last (meeting,
    /// task) pair of a review batch, where the next one starts.
    async fn pending(
        &self,
        pass: &Pass,
        now: DateTime<Utc>,
        batch: i64,
    ) -> Result<(Vec<Reminder>, Option<(i64, i64)>)> {
        self.db
            .read(async |r| {
                Ok(match *pass {
                    Pass::Due(prefix, from, to) => (
                        db::due(r, prefix, from, to, batch)
                            .await?
                            .iter()
                            .map(|d| Reminder::of_due(prefix, d))
                            .collect(),
                        None,
                    ),
                    Pass::Review(meeting, task) => {
                        let rows = db::to_review(r, now, (meeting, task), batch).await?;
                        let last = rows.last().map(|t| (t.meeting_id, t.task_id));
                        (rows.iter().map(Reminder::of_review).collect(), last)
                    }
                })
            })
            .await
    }

    /// A batch of reminders in one transaction: one commit, not one a task.
    async fn remind_batch(&self, batch: &[Reminder], now: DateTime<Utc>) -> Result<usize> {
        if batch.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = batch.iter().map(|r| r.task_id).collect();
        let mut tx = self.db.begin().await?;
        let to = db::recipients(&mut tx, &ids).await?;
        let mut sent = 0;
        for r in batch {
            for m in to.iter().filter(|m| m.task_id == r.task_id) {
                let fresh = self
                    .remind(
                        &mut tx,
                        m.member_id,
                        m.email.as_deref(),
                        r.task_id,
                        &r.key,
                        &r.subject,
                        &r.body,
                        now,
                    )
                    .await?;
                sent += usize::from(fresh);
            }
        }
        tx.commit().await?;
        Ok(sent)
    }

    /// One e-mail a day to each member who chose the digest, with every
    /// reminder waiting since the last one.
    async fn send_digests(&self, now: DateTime<Utc>) -> Result<usize> {
        let local = now.with_timezone(&Ho_Chi_Minh);
        let cut = Ho_Chi_Minh
            .from_local_datetime(
                &local
                    .date_naive()
                    .and_time(NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).expect("valid hour")),
            )
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        if now < cut {
            return Ok(0);
        }
        let mut sent = 0;
        let waiting = self
            .db
            .read(async |r| db::digest_waiting(r, cut).await)
            .await?;
        for member_id in waiting {
            let mut tx = self.db.begin().await?;
            let lines = db::take_digest(&mut tx, member_id, cut, now).await?;
            let Some(first) = lines.first() else {
                continue;
            };
            let body = lines
                .iter()
                .map(|n| format!("• {}\n  {}", n.subject, n.body.replace('\n', "\n  ")))
                .collect::<Vec<_>>()
                .join("\n\n");
            let subject = format!(
                "Tổng hợp nhắc việc ngày {} ({} mục)",
                local.format("%d/%m/%Y"),
                lines.len()
            );
            let n = store::meetings::NewNotice {
                meeting_id: None,
                member_id: Some(member_id),
                channel: "email",
                address: first.address.as_deref(),
                subject: &subject,
                body: &body,
            };
            store::meetings::queue_notice(&mut tx, &n, now).await?;
            tx.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }
}
