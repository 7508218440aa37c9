//! Sealing: a locked document's hash and check code, the version kept of
//! it, and checking those versions later.

use crate::service::{Actor, Result, Services, Subject, audit_entry};
use crate::store::Tx;
use crate::store::audit;
use crate::store::meetings as db;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The hash of a locked document and the short code printed on its pages.
pub fn seal(body: &str) -> (String, String) {
    seal_bytes(body.as_bytes())
}

pub(super) fn seal_bytes(body: &[u8]) -> (String, String) {
    let hash = audit::hex(&Sha256::digest(body));
    let code = format!("{}-{}", &hash[..4], &hash[4..8]).to_uppercase();
    (hash, code)
}

/// A document being locked, and the audit entry that records it.
pub(crate) struct Locking<'a> {
    pub doc_type: &'static str,
    pub doc_id: i64,
    pub body: &'a str,
    /// Why a corrected version was locked again.
    pub reason: Option<&'a str>,
    pub action: &'static str,
    /// What the audit entry says besides the hash and check code.
    pub summary: serde_json::Value,
}

/// Seals a document, lets `lock` mark it locked with the hash, keeps the
/// sealed body as a new version and records the seal in its subject's audit
/// chain (a meeting for minutes and resolutions, a report), all in the
/// caller's transaction: a document is never locked
/// without the version its check code is verified against. Returns the
/// check code.
pub(crate) async fn lock_document(
    tx: &mut Tx,
    actor: &Actor,
    subject: Subject,
    doc: Locking<'_>,
    lock: impl AsyncFnOnce(&mut Tx, &str) -> Result<()>,
    now: DateTime<Utc>,
) -> Result<String> {
    let (hash, code) = seal(doc.body);
    lock(tx, &hash).await?;
    db::add_version(
        tx,
        &db::NewVersion {
            doc_type: doc.doc_type,
            doc_id: doc.doc_id,
            body: doc.body,
            hash: &hash,
            check_code: &code,
            reason: doc.reason,
            account_id: Some(actor.account_id),
        },
        now,
    )
    .await?;
    let mut summary = doc.summary;
    if let Some(fields) = summary.as_object_mut() {
        fields.insert("hash".into(), hash.into());
        fields.insert("check_code".into(), code.clone().into());
    }
    audit_entry(tx, actor, subject, doc.action, summary, now).await?;
    Ok(code)
}

impl Services {
    /// Checks locked documents against their seals; with a code, only those.
    pub async fn verify_documents(
        &self,
        code: Option<&str>,
    ) -> Result<Vec<(db::DocVersion, bool)>> {
        let versions = self
            .db
            .read(async |r| match code {
                Some(c) => db::version_by_code(r, &c.trim().to_uppercase()).await,
                None => db::all_versions(r).await,
            })
            .await?;
        Ok(versions
            .into_iter()
            .map(|v| {
                let (hash, code) = seal(&v.body);
                let ok = hash == v.hash && code == v.check_code;
                (v, ok)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_are_stable_and_short() {
        let (h, c) = seal("{\"a\":1}");
        assert_eq!(h.len(), 64);
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        assert_eq!(seal("{\"a\":1}"), (h.clone(), c));
        assert_ne!(seal("{\"a\":2}").0, h);
    }
}
