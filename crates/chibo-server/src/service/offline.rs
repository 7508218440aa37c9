//! Changes made on a phone with no connection (issue 12), sent when the
//! connection returns. Each carries a key the phone drew when the change was
//! made; the write it leads to keeps that key's receipt in its own
//! transaction (next to its audit entry), so a change sent twice — the
//! answer was lost and the phone sent it again, or two tabs sent the same
//! queue — is applied once. Apart from that, a change sent later is the
//! same request as online and meets the same rules: a minutes edit made from
//! an older version is refused as a conflict, never written over the other.

use super::{Actor, Result, ServiceError, Services};
use crate::model::VoteMode;
use crate::store;
use chibo_rules::DecisionKind;
use chrono::{DateTime, Utc};
use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    /// The key of the change the current request applies, until the first
    /// write of the request has kept its receipt.
    static CHANGE: Cell<Option<ChangeKey>>;
}

/// The key of one change, as the phone drew it: 16 to 64 ASCII letters,
/// digits and '-' (a UUID, or random hexadecimal where `crypto.randomUUID`
/// is missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeKey(String);

impl ChangeKey {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (16..=64).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Runs one request that applies change `key`, and says whether one of its
/// writes kept the key's receipt (false: it wrote nothing, or a copy of the
/// change sent at the same time had kept it first).
pub async fn as_change<F: Future>(key: ChangeKey, request: F) -> (F::Output, bool) {
    CHANGE
        .scope(Cell::new(Some(key)), async {
            let out = request.await;
            let kept = CHANGE.with(|k| {
                let left = k.take();
                let kept = left.is_none();
                k.set(left);
                kept
            });
            (out, kept)
        })
        .await
}

/// Keeps the receipt of the change the current request applies, in the
/// transaction of its first write (called with every audit entry). A copy
/// of the change already received makes the write fail as stale, so its
/// transaction is dropped and nothing is applied twice.
pub(crate) async fn keep_receipt(
    tx: &mut store::Tx,
    actor: &Actor,
    action: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(key) = CHANGE.try_with(Cell::take).ok().flatten() else {
        return Ok(());
    };
    if store::receipts::keep(tx, key.as_str(), actor.account_id, action, now).await? {
        Ok(())
    } else {
        // Taken back: this request kept no receipt.
        let _ = CHANGE.try_with(|k| k.set(Some(key)));
        Err(ServiceError::Stale)
    }
}

impl Services {
    /// Whether change `key` was already received (and so applied).
    pub async fn change_received(&self, key: &ChangeKey) -> Result<bool> {
        self.db
            .read(async |r| store::receipts::received(r, key.as_str()).await)
            .await
            .map_err(Into::into)
    }

    /// A show-of-hands vote taken and counted in the room, recorded in one
    /// step: opened on the roll as it stands, then closed with its counts
    /// (what a secretary with no connection enters; online it saves opening
    /// the vote first). Counts the rules refuse leave the vote open, to be
    /// counted again on its page.
    pub async fn record_counted_vote(
        &self,
        actor: &Actor,
        id: i64,
        kind: DecisionKind,
        subject: &str,
        counts: (u32, u32, u32),
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let vote = self
            .open_vote(actor, id, kind, subject, VoteMode::Counts, now)
            .await?;
        self.enter_counts(actor, id, vote, counts, now).await?;
        Ok(vote)
    }
}
