//! Sealing: a locked document's hash and check code, the version kept of it
//! (its facts and the document exactly as printed), and reading that
//! version back to print it.

use crate::model::Problem;
use crate::service::{Actor, Result, ServiceError, Subject, audit_entry_with};
use crate::store::audit;
use crate::store::images::Part;
use crate::store::meetings as db;
use crate::store::{Reader, Tx};
use chibo_print::{Document, Layout};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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

/// A document as it is printed: every word on the page and the page's
/// geometry. Sealed with the document's facts, and printed from there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Printed {
    pub document: Document,
    pub layout: Layout,
}

/// The text that is sealed: the facts (an object) with the printed form
/// under `print`. The check code is not part of it (it is its digest).
pub(crate) fn sealed_body(facts: serde_json::Value, printed: &Printed) -> String {
    let mut facts = match facts {
        serde_json::Value::Object(m) => m,
        other => {
            let mut m = serde_json::Map::new();
            m.insert("facts".into(), other);
            m
        }
    };
    let mut printed = printed.clone();
    printed.document.check_code = None;
    facts.insert(
        "print".into(),
        serde_json::to_value(&printed).expect("plain data serialises"),
    );
    serde_json::Value::Object(facts).to_string()
}

/// A document being locked, and the audit entry that records it.
pub(crate) struct Locking<'a> {
    pub doc_type: &'static str,
    pub doc_id: i64,
    /// What the document records, for reading back (numbers, review rows…).
    pub facts: serde_json::Value,
    pub printed: Printed,
    /// Why a corrected version was locked again.
    pub reason: Option<&'a str>,
    pub action: &'static str,
    /// What the audit entry says besides the seal.
    pub summary: serde_json::Value,
    /// The records the locking changed besides the subject's own.
    pub parts: Vec<Part>,
}

/// Seals a document, lets `lock` mark it locked with the hash, keeps the
/// sealed text as a new version and records the seal (hash, check code,
/// document and version) in its subject's audit chain, all in the caller's
/// transaction: a document is never locked without the version it is
/// printed from. Returns the check code.
pub(crate) async fn lock_document(
    tx: &mut Tx,
    actor: &Actor,
    subject: Subject,
    doc: Locking<'_>,
    lock: impl AsyncFnOnce(&mut Tx, &str) -> Result<()>,
    now: DateTime<Utc>,
) -> Result<String> {
    let body = sealed_body(doc.facts, &doc.printed);
    let (hash, code) = seal(&body);
    lock(tx, &hash).await?;
    let version = db::add_version(
        tx,
        &db::NewVersion {
            doc_type: doc.doc_type,
            doc_id: doc.doc_id,
            body: &body,
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
        fields.insert("doc_type".into(), doc.doc_type.into());
        fields.insert("doc_id".into(), doc.doc_id.into());
        fields.insert("version".into(), version.into());
        fields.insert("hash".into(), hash.into());
        fields.insert("check_code".into(), code.clone().into());
    }
    audit_entry_with(tx, actor, subject, &doc.parts, doc.action, summary, now).await?;
    Ok(code)
}

/// The latest sealed version of a document, checked.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub version: db::DocVersion,
    /// The sealed text's facts (and `print`).
    pub body: serde_json::Value,
}

impl Sealed {
    /// The document to print, with its check code; `None` for a version
    /// sealed before documents were sealed as printed.
    pub fn printed(&self) -> Option<Printed> {
        let mut p: Printed = serde_json::from_value(self.body.get("print")?.clone()).ok()?;
        p.document.check_code = Some(self.version.check_code.clone());
        Some(p)
    }
}

fn broken(code: &str) -> ServiceError {
    ServiceError::invalid(Problem::new("document", "seal.broken", code))
}

/// The latest sealed version of a document, refused unless its text
/// gives its hash and check code and an intact audit entry about its
/// subject recorded that seal: nothing is printed under a seal it does
/// not match. `chibo audit verify` says what else is wrong.
pub(crate) async fn sealed(r: &mut Reader, doc_type: &str, doc_id: i64) -> Result<Option<Sealed>> {
    let Some(v) = db::versions(r, doc_type, doc_id).await?.pop() else {
        return Ok(None);
    };
    if seal(&v.body) != (v.hash.clone(), v.check_code.clone()) {
        return Err(broken(&v.check_code));
    }
    let subject = match doc_type {
        "minutes" => ("meeting", doc_id),
        "report" => ("report", doc_id),
        _ => (
            "meeting",
            db::resolution_by_id(r, doc_id)
                .await?
                .map(|r| r.meeting_id)
                .ok_or(ServiceError::NotFound)?,
        ),
    };
    let recorded = audit::seals_of(r, subject.0, subject.1)
        .await?
        .into_iter()
        .any(|e| {
            e.recomputed().as_deref() == Some(e.hash.as_str())
                && serde_json::from_str::<serde_json::Value>(&e.summary).is_ok_and(|s| {
                    s["hash"] == v.hash.as_str() && s["check_code"] == v.check_code.as_str()
                })
        });
    if !recorded {
        return Err(broken(&v.check_code));
    }
    let body = serde_json::from_str(&v.body).map_err(|_| broken(&v.check_code))?;
    Ok(Some(Sealed { version: v, body }))
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

    #[test]
    fn the_sealed_text_holds_the_page_without_its_code() {
        let doc = Document {
            orientation: chibo_print::Orientation::Portrait,
            header: chibo_print::Header {
                superior: "ĐẢNG BỘ".into(),
                issuer: "CHI BỘ".into(),
                number: Some("Số 01-NQ/CB".into()),
                place_date: "ngày 03 tháng 12 năm 2026".into(),
            },
            title: "NGHỊ QUYẾT".into(),
            subject: Some("về nhiệm vụ".into()),
            body: vec![],
            signatures: vec![],
            recipients: vec![],
            check_code: Some("AAAA-BBBB".into()),
        };
        let printed = Printed {
            document: doc,
            layout: Layout::default(),
        };
        let body = sealed_body(serde_json::json!({"number": "Số 01-NQ/CB"}), &printed);
        assert!(!body.contains("AAAA-BBBB"), "{body}");
        let (hash, code) = seal(&body);
        let sealed = Sealed {
            version: db::DocVersion {
                id: 1,
                doc_type: "resolution".into(),
                doc_id: 1,
                version: 1,
                body: body.clone(),
                hash,
                check_code: code.clone(),
                reason: None,
                created_at: DateTime::<Utc>::default(),
            },
            body: serde_json::from_str(&body).unwrap(),
        };
        let back = sealed.printed().unwrap();
        assert_eq!(back.document.check_code, Some(code));
        assert_eq!(back.document.title, "NGHỊ QUYẾT");
        assert_eq!(sealed.body["number"], "Số 01-NQ/CB");
    }
}
