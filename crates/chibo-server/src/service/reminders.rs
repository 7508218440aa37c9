//! The reminder sweep: tasks due soon (working days from the rule pack),
//! overdue tasks, and the tasks a notified meeting will review; then the
//! daily digest for members who chose it. Every reminder is a notice row, so
//! each delivery is logged and none goes out twice.

use super::{Result, Services, today};
use crate::model::Status;
use crate::store::{self, reminders as db, tasks};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// How many tasks one pass reads per kind; the next pass takes the rest.
const BATCH: i64 = 500;

/// Local hour after which the day's digest e-mail is composed. Operational,
/// not a Party rule: early enough to be read before the day's work.
pub const DIGEST_HOUR: u32 = 6;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reminders: usize,
    pub digests: usize,
}

impl Services {
    pub async fn run_reminders(&self, now: DateTime<Utc>) -> Result<Swept> {
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
        for (prefix, from, to) in [("due_soon", on, until), ("overdue", far_past, yesterday)] {
            for d in db::due(&self.db, prefix, from, to, BATCH).await? {
                let (subject, body) = if prefix == "overdue" {
                    (
                        format!("Nhiệm vụ quá hạn: {}", d.title),
                        format!(
                            "Nhiệm vụ \"{}\" đã quá hạn ngày {}. Đề nghị đồng chí cập nhật tiến độ.",
                            d.title,
                            d.deadline.format("%d/%m/%Y")
                        ),
                    )
                } else {
                    (
                        format!("Nhiệm vụ sắp đến hạn: {}", d.title),
                        format!(
                            "Nhiệm vụ \"{}\" đến hạn ngày {}.",
                            d.title,
                            d.deadline.format("%d/%m/%Y")
                        ),
                    )
                };
                let key = format!("{prefix}:{}:{}", d.task_id, d.deadline);
                swept.reminders += self
                    .remind_owners(d.task_id, d.cell_id, d.lead_id, &key, &subject, &body, now)
                    .await?;
            }
        }
        for (meeting_id, cell_id, starts_at) in db::notified_meetings(&self.db, now).await? {
            let when = starts_at
                .with_timezone(&Ho_Chi_Minh)
                .format("%H:%M ngày %d/%m/%Y");
            let open = tasks::of_cell(
                &self.db,
                cell_id,
                &tasks::Filter {
                    open_only: true,
                    ..Default::default()
                },
            )
            .await?;
            for t in open.iter().filter(|t| t.assigned_on < today(starts_at)) {
                let subject = format!("Báo cáo nhiệm vụ tại buổi sinh hoạt {when}");
                let body = format!(
                    "Buổi sinh hoạt chi bộ lúc {when} sẽ kiểm điểm nhiệm vụ \"{}\". Đề nghị đồng chí cập nhật tiến độ trước buổi sinh hoạt.",
                    t.title
                );
                let key = format!("review:{}:{meeting_id}", t.id);
                swept.reminders += self
                    .remind_owners(t.id, cell_id, t.lead_id, &key, &subject, &body, now)
                    .await?;
            }
        }
        swept.digests = self.send_digests(now).await?;
        Ok(swept)
    }

    #[allow(clippy::too_many_arguments)]
    async fn remind_owners(
        &self,
        task_id: i64,
        cell_id: i64,
        lead_id: i64,
        key: &str,
        subject: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let owners = tasks::owners(&self.db, task_id).await?;
        let mut ids: Vec<i64> = std::iter::once(lead_id)
            .chain(owners.iter().map(|o| o.member_id))
            .collect();
        ids.dedup();
        let mut tx = self.db.begin().await?;
        let mut sent = 0;
        for id in ids {
            let Some(m) = store::members::get_in(&mut tx, id).await? else {
                continue;
            };
            if m.cell_id != cell_id || !Status::is_active_str(&m.status) {
                continue;
            }
            if self
                .remind(&mut tx, &m, task_id, key, subject, body, now)
                .await?
            {
                sent += 1;
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
        for member_id in db::digest_waiting(&self.db, cut).await? {
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
