//! The e-mail side of the notice outbox. Any server process may send: a
//! claim (a short lease in the database) stops two processes sending the
//! same notice, and failures are retried with growing pauses, so an SMTP
//! server that is down loses nothing.

use super::Services;
use crate::store::meetings::{self as db, NoticeRow};
use crate::store::register;
use chrono::{DateTime, Duration, Utc};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use tokio::sync::Notify;

/// Pauses between attempts; after the last one the notice is marked failed.
const BACKOFF_MINUTES: [i64; 6] = [1, 5, 15, 60, 180, 720];

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str, base_url: String) -> anyhow::Result<Self> {
        Ok(Self {
            transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build(),
            from: from.parse()?,
            base_url,
        })
    }

    async fn send(&self, s: &Services, n: &NoticeRow, now: DateTime<Utc>) -> anyhow::Result<()> {
        let to: Mailbox = n.address.as_deref().unwrap_or_default().parse()?;
        let text = SinglePart::plain(n.body.clone());
        let mut body = MultiPart::mixed().singlepart(text);
        let meeting = match n.meeting_id {
            Some(mid) => {
                s.db.read(async |r| match db::get(r, mid).await? {
                    Some(m) => {
                        let cell = crate::service::org(r, m.cell_id).await?.name;
                        let installation = register::installation_id(r).await?;
                        Ok::<_, crate::service::ServiceError>(Some((m, cell, installation)))
                    }
                    None => Ok(None),
                })
                .await?
            }
            None => None,
        };
        if let Some((m, cell, installation)) = meeting {
            let name = super::calendar::invitation_name(&m, &cell);
            let ics = s.calendar(
                &[(m, cell.clone())],
                &cell,
                &installation,
                &self.base_url,
                now,
            );
            let kind = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")?;
            body = body.singlepart(Attachment::new(format!("{}.ics", name.ascii)).body(ics, kind));
        }
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(n.subject.clone())
            .multipart(body)?;
        self.transport.send(msg).await?;
        Ok(())
    }

    /// Sends what is due; returns how many were attempted.
    pub async fn run_once(&self, s: &Services) -> anyhow::Result<usize> {
        let now = s.now();
        let mut tx = s.db.begin().await?;
        let due = db::claim_due(&mut tx, now, now + Duration::minutes(5), 20).await?;
        tx.commit().await?;
        for n in &due {
            let result = self.send(s, n, now).await;
            let mut tx = s.db.begin().await?;
            match result {
                Ok(()) => {
                    s.metrics.mail_sent.inc();
                    db::mark_sent(&mut tx, n.id, s.now()).await?;
                }
                Err(e) => {
                    s.metrics.mail_failed.inc();
                    let attempt = usize::try_from(n.attempts).unwrap_or(0);
                    let pause = BACKOFF_MINUTES.get(attempt.saturating_sub(1)).copied();
                    tracing::warn!(notice = n.id, attempt, "e-mail not sent: {e}");
                    let retry = s.now() + Duration::minutes(pause.unwrap_or(0));
                    db::mark_failed(&mut tx, n.id, &e.to_string(), retry, pause.is_none()).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(due.len())
    }

    /// Runs until `stop`: on every kick, and every 30 s.
    pub fn spawn(
        self,
        s: Services,
        kick: Arc<Notify>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            while !*stop.borrow() {
                match self.run_once(&s).await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::error!("mail outbox: {e}"),
                }
                tokio::select! {
                    () = kick.notified() => {}
                    () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {}
                    _ = stop.wait_for(|s| *s) => {}
                }
            }
        })
    }
}
