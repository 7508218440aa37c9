//! Offline verification of the audit chains.

pub use crate::store::audit::EntryRow;

use super::{Result, Services};
use crate::store::Reader;
use crate::store::audit::{self, entry_hash};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's own hash does not match its fields: it was edited.
    Altered,
    /// The entry does not point at the one before it: one was removed or reordered.
    Unlinked,
    /// A sequence number is missing.
    Gap,
    /// The chain head says more entries exist than were found.
    Truncated,
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub entries: u64,
    pub chains: u64,
    /// The first broken entry (chain, seq, row id) and why.
    pub first_break: Option<(i64, i64, i64, Break)>,
}

impl Services {
    /// Checks every chain on one snapshot, so writes made meanwhile can
    /// neither break nor hide a link.
    pub async fn verify_audit(&self) -> Result<Verdict> {
        self.db.read(async |r| verify(r).await).await
    }
}

async fn verify(r: &mut Reader) -> Result<Verdict> {
    const PAGE: i64 = 5_000;
    let mut last: HashMap<i64, (i64, String)> = HashMap::new();
    let (mut chain, mut seq) = (i64::MIN, 0);
    let mut entries = 0;
    loop {
        let page = audit::page_after(r, chain, seq, PAGE).await?;
        let Some(tail) = page.last() else { break };
        (chain, seq) = (tail.chain_id, tail.seq);
        for e in &page {
            entries += 1;
            let (prev_seq, prev_hash) =
                last.get(&e.chain_id).cloned().unwrap_or((0, String::new()));
            let broken = if e.seq != prev_seq + 1 {
                Some(Break::Gap)
            } else if e.prev_hash != prev_hash {
                Some(Break::Unlinked)
            } else if entry_hash(e) != e.hash {
                Some(Break::Altered)
            } else {
                None
            };
            if let Some(b) = broken {
                return Ok(Verdict {
                    entries,
                    chains: last.len() as u64,
                    first_break: Some((e.chain_id, e.seq, e.id, b)),
                });
            }
            last.insert(e.chain_id, (e.seq, e.hash.clone()));
        }
    }
    for (chain_id, head_seq, head_hash) in audit::heads(r).await? {
        let found = last.get(&chain_id).cloned().unwrap_or((0, String::new()));
        if found.0 != head_seq || found.1 != head_hash {
            return Ok(Verdict {
                entries,
                chains: last.len() as u64,
                first_break: Some((chain_id, found.0 + 1, 0, Break::Truncated)),
            });
        }
    }
    Ok(Verdict {
        entries,
        chains: last.len() as u64,
        first_break: None,
    })
}
