//! Offline verification of the records: the audit chains, their signed
//! checkpoints, the sealed documents against the entries that sealed them,
//! and every live record against the last image the trail holds of it.
//! What this proves, and what it cannot, is in the README ("Kiểm tra hồ sơ").

pub use crate::store::audit::EntryRow;

use super::anchor::{self, Checkpoint};
use super::{Result, Services};
use crate::store::Reader;
use crate::store::audit::{self, StoredEntry};
use crate::store::images::{self, Image, State, TABLES};
use crate::store::meetings as docs;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Why a sealed document fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealBreak {
    /// The stored text does not give the hash or check code stored with it.
    Body,
    /// No audit entry recorded this seal: the version was made or re-sealed
    /// behind chibo's back.
    NotRecorded,
    /// An entry recorded this seal and no version carries it any more.
    Missing,
}

/// How a live record differs from the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordBreak {
    /// Its columns are not those of its last image.
    Changed,
    /// No entry ever imaged it: it was added behind chibo's back.
    Unrecorded,
    /// Its last image says it exists and it does not.
    Removed,
}

/// One thing verification found wrong, naming where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Chain {
        chain: i64,
        seq: i64,
        entry: i64,
        why: Break,
    },
    /// An entry whose stored time cannot be read (so neither can its hash).
    Time {
        chain: i64,
        seq: i64,
        entry: i64,
        raw: String,
    },
    /// A signed checkpoint and the chain disagree: the chain was rewritten
    /// (`found` is what the chain holds there) or cut short (`None`).
    Checkpoint {
        chain: i64,
        seq: i64,
        signed: String,
        found: Option<String>,
        at: chrono::DateTime<chrono::Utc>,
        from: String,
    },
    /// A checkpoint this installation's key did not sign, or a line of a
    /// log that is not a checkpoint.
    Signature { from: String, line: usize },
    Seal {
        doc_type: String,
        doc_id: i64,
        version: i64,
        check_code: String,
        why: SealBreak,
        /// The entry that recorded the seal, when there is one.
        entry: Option<(i64, i64, i64)>,
    },
    Record {
        key: String,
        why: RecordBreak,
        /// The entry holding its last image (chain, seq, id).
        entry: Option<(i64, i64, i64)>,
        /// Column, value in the trail, value now.
        columns: Vec<(String, String, String)>,
    },
}

impl Finding {
    /// One line for the operator, Vietnamese then English.
    pub fn describe(&self) -> String {
        let at = |e: &Option<(i64, i64, i64)>| {
            e.map(|(c, s, id)| format!(" (mục nhật ký: chuỗi {c}, số {s}, id {id})"))
                .unwrap_or_default()
        };
        match self {
            Finding::Chain {
                chain,
                seq,
                entry,
                why,
            } => {
                let what = match why {
                    Break::Altered => "mục bị sửa / entry altered",
                    Break::Unlinked => "mục không nối với mục trước / entry unlinked",
                    Break::Gap => "thiếu mục / entry missing",
                    Break::Truncated => "chuỗi bị cắt / chain truncated",
                };
                format!("chuỗi {chain}, mục số {seq} (id {entry}): {what}")
            }
            Finding::Time {
                chain,
                seq,
                entry,
                raw,
            } => format!(
                "chuỗi {chain}, mục số {seq} (id {entry}): thời điểm không đọc được «{raw}» / unreadable time"
            ),
            Finding::Checkpoint {
                chain,
                seq,
                signed,
                found,
                at,
                from,
            } => match found {
                Some(f) => format!(
                    "chuỗi {chain}, mục số {seq}: đã bị viết lại sau điểm neo ký ngày {} ({from}): ký {}…, nay {}… / chain rewritten after a signed checkpoint",
                    at.format("%d/%m/%Y %H:%M UTC"),
                    &signed[..signed.len().min(16)],
                    &f[..f.len().min(16)]
                ),
                None => format!(
                    "chuỗi {chain}: điểm neo ký ngày {} ({from}) ghi đến mục số {seq}, chuỗi nay ngắn hơn / chain cut short after a signed checkpoint",
                    at.format("%d/%m/%Y %H:%M UTC")
                ),
            },
            Finding::Signature { from, line } => format!(
                "{from}, dòng {line}: không phải điểm neo do khóa của cài đặt này ký / not a checkpoint signed by this installation's key"
            ),
            Finding::Seal {
                doc_type,
                doc_id,
                version,
                check_code,
                why,
                entry,
            } => {
                let what = match why {
                    SealBreak::Body => "nội dung không khớp mã băm / text does not match its hash",
                    SealBreak::NotRecorded => {
                        "niêm phong không có trong nhật ký / seal not recorded in the audit trail"
                    }
                    SealBreak::Missing => {
                        "nhật ký ghi niêm phong này nhưng không còn văn bản / sealed version missing"
                    }
                };
                format!(
                    "văn bản {doc_type} #{doc_id} phiên bản {version} (mã {check_code}): {what}{}",
                    at(entry)
                )
            }
            Finding::Record {
                key,
                why,
                entry,
                columns,
            } => {
                let what = match why {
                    RecordBreak::Changed => {
                        "khác trạng thái đã ghi / differs from its audited state"
                    }
                    RecordBreak::Unrecorded => {
                        "không có trong nhật ký (thêm ngoài chibo) / never audited"
                    }
                    RecordBreak::Removed => "đã bị xóa ngoài chibo / deleted behind chibo",
                };
                let cols: Vec<String> = columns
                    .iter()
                    .map(|(c, was, is)| format!("{c}: «{was}» → «{is}»"))
                    .collect();
                let cols = if cols.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", cols.join("; "))
                };
                format!("bản ghi {key}: {what}{}{cols}", at(entry))
            }
        }
    }
}

/// What verification read and what it found.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub entries: u64,
    pub chains: u64,
    pub documents: u64,
    pub records: u64,
    /// Signed checkpoints held against the chains.
    pub checkpoints: u64,
    /// Chains with entries after their last checkpoint (chain, how many).
    pub unanchored: Vec<(i64, i64)>,
    pub findings: Vec<Finding>,
    /// Findings beyond those listed.
    pub more: u64,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    fn found(&mut self, f: Finding) {
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(f);
        } else {
            self.more += 1;
        }
    }

    /// The first break of the chains, as the trail's own check sees it.
    pub fn first_break(&self) -> Option<(i64, i64, i64, Break)> {
        self.findings.iter().find_map(|f| match f {
            Finding::Chain {
                chain,
                seq,
                entry,
                why,
            } => Some((*chain, *seq, *entry, *why)),
            _ => None,
        })
    }
}

const MAX_FINDINGS: usize = 200;
const PAGE: i64 = 5_000;

/// What to verify.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Only the document(s) printed with this check code, their chains and
    /// records; everything when `None`.
    pub code: Option<String>,
    /// Another copy of the checkpoint log (one shipped off the machine).
    pub checkpoints: Option<std::path::PathBuf>,
}

/// The record keys' last images while the chains are read.
struct Last {
    entry: (i64, i64, i64),
    /// `None`: the record was imaged absent.
    digest: Option<[u8; 32]>,
}

/// A seal an entry recorded.
#[derive(Debug, Clone)]
struct Recorded {
    entry: (i64, i64, i64),
    code: String,
    doc: Option<(String, i64)>,
}

/// The seal actions and the subject their documents belong to.
const SEAL_ACTIONS: [&str; 3] = ["resolution.adopt", "minutes.lock", "report.issue"];

impl Services {
    /// Brings the records of a database written before audit entries
    /// imaged them under the check, once: when the trail has entries and
    /// none carries images, one `audit.baseline` entry per record (a meeting
    /// with its children) images it as it stands, on its chain, all in one
    /// transaction (an interrupted baseline leaves none, and is redone at
    /// the next start). Returns how many entries were written. What was
    /// changed behind chibo's back before then cannot be told apart: verify
    /// the chains first (`app::open` logs what it finds).
    pub async fn baseline_images(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        if !audit::needs_baseline(&self.db).await? {
            return Ok(0);
        }
        let subjects = images::all_subjects(&self.db).await?;
        let summary = serde_json::json!({"reason": "records written before entries imaged them"});
        let mut tx = self.db.begin_long().await?;
        // Journals of a bounded size: the images each one reads stay small.
        for chunk in subjects.chunks(2_000) {
            let mut journal = audit::Journal::default();
            for s in chunk {
                journal.push(
                    &audit::NewEntry {
                        chain_id: s.chain,
                        account_id: None,
                        actor: "chibo",
                        action: "audit.baseline",
                        entity: s.entity,
                        entity_id: Some(s.id),
                        summary: &summary,
                    },
                    s.more.clone(),
                    now,
                );
            }
            journal.finish(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(subjects.len() as u64)
    }

    /// The whole check (see the module's comment).
    /// One snapshot throughout, so writes made meanwhile can neither break
    /// nor hide a link.
    pub async fn verify(&self, scope: &Scope) -> Result<Verdict> {
        self.db.read(async |r| self.verify_in(r, scope).await).await
    }

    async fn verify_in(&self, r: &mut Reader, scope: &Scope) -> Result<Verdict> {
        let mut v = Verdict::default();
        // Documents first when a code narrows the check: they name the chains.
        let by_code = match &scope.code {
            Some(code) => Some(docs::version_by_code(r, &code.trim().to_uppercase()).await?),
            None => None,
        };
        let only: Option<Vec<i64>> = match &by_code {
            Some(versions) => {
                let mut chains = vec![];
                for d in versions {
                    if let Some((entity, id)) =
                        self.sealed_subject(r, &d.doc_type, d.doc_id).await?
                    {
                        for e in audit::seals_of(r, entity, id).await? {
                            chains.push(e.chain_id);
                        }
                    }
                }
                chains.sort_unstable();
                chains.dedup();
                Some(chains)
            }
            None => None,
        };

        // Checkpoints: the log, another copy, and those issued reports carry.
        let mut cps: Vec<(String, usize, Checkpoint)> = vec![];
        let mut logs = vec![self.anchor.log_path().to_path_buf()];
        logs.extend(scope.checkpoints.clone());
        for path in &logs {
            let (good, bad) =
                anchor::read_log(path).map_err(|e| super::ServiceError::Store(e.into()))?;
            let from = path.display().to_string();
            for b in bad {
                v.found(Finding::Signature {
                    from: from.clone(),
                    line: b.line,
                });
            }
            cps.extend(good.into_iter().map(|(l, c)| (from.clone(), l, c)));
        }
        let trusted = self.anchor.verifying_key();
        let mut wanted: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        let mut checked = vec![];
        for (from, line, c) in cps {
            if only.as_ref().is_some_and(|o| !o.contains(&c.chain)) {
                continue;
            }
            if !c.signed_by(&trusted) {
                v.found(Finding::Signature { from, line });
                continue;
            }
            wanted
                .entry((c.chain, c.seq))
                .or_default()
                .push(checked.len());
            checked.push((from, c));
        }

        // The chains.
        let mut last: BTreeMap<i64, (i64, String)> = BTreeMap::new();
        let mut at_checkpoint: HashMap<(i64, i64), String> = HashMap::new();
        let mut recorded: HashMap<String, Vec<Recorded>> = HashMap::new();
        let mut images: BTreeMap<String, Last> = BTreeMap::new();
        let chain_list: Vec<Option<i64>> = match &only {
            Some(o) => o.iter().map(|c| Some(*c)).collect(),
            None => vec![None],
        };
        for one in chain_list {
            let (mut chain, mut seq) = (one.unwrap_or(i64::MIN), 0);
            loop {
                let page = audit::page_after(r, one, chain, seq, PAGE).await?;
                let Some(tail) = page.last() else { break };
                (chain, seq) = (tail.chain_id, tail.seq);
                for e in &page {
                    v.entries += 1;
                    self.check_entry(&mut v, &mut last, e);
                    if wanted.contains_key(&(e.chain_id, e.seq)) {
                        at_checkpoint.insert((e.chain_id, e.seq), e.hash.clone());
                    }
                    if SEAL_ACTIONS.contains(&e.action.as_str())
                        && let Ok(s) = serde_json::from_str::<Value>(&e.summary)
                        && let Some(hash) = s["hash"].as_str()
                    {
                        let doc = s["doc_type"]
                            .as_str()
                            .zip(s["doc_id"].as_i64())
                            .map(|(t, id)| (t.to_string(), id));
                        recorded
                            .entry(hash.to_string())
                            .or_default()
                            .push(Recorded {
                                entry: (e.chain_id, e.seq, e.id),
                                code: s["check_code"].as_str().unwrap_or_default().into(),
                                doc,
                            });
                    }
                    fold(&mut images, e);
                }
            }
        }
        v.chains = last.len() as u64;
        for (chain_id, head_seq, head_hash) in audit::heads(r).await? {
            if only.as_ref().is_some_and(|o| !o.contains(&chain_id)) {
                continue;
            }
            let found = last.get(&chain_id).cloned().unwrap_or((0, String::new()));
            if found.0 != head_seq || found.1 != head_hash {
                v.found(Finding::Chain {
                    chain: chain_id,
                    seq: found.0 + 1,
                    entry: 0,
                    why: Break::Truncated,
                });
            }
        }

        // The chains against their checkpoints.
        let mut anchored: HashMap<i64, i64> = HashMap::new();
        for (from, c) in &checked {
            v.checkpoints += 1;
            match at_checkpoint.get(&(c.chain, c.seq)) {
                Some(h) if *h == c.hash => {
                    let a = anchored.entry(c.chain).or_default();
                    *a = (*a).max(c.seq);
                }
                found => v.found(Finding::Checkpoint {
                    chain: c.chain,
                    seq: c.seq,
                    signed: c.hash.clone(),
                    found: found.cloned(),
                    at: c.at,
                    from: from.clone(),
                }),
            }
        }
        for (chain, (seq, _)) in &last {
            let upto = anchored.get(chain).copied().unwrap_or(0);
            if *seq > upto {
                v.unanchored.push((*chain, seq - upto));
            }
        }

        // Sealed documents against the entries that sealed them.
        self.check_documents(r, &mut v, by_code, &recorded).await?;

        // Live records against their last images.
        match &only {
            None => self.check_all_records(r, &mut v, images).await?,
            Some(_) => self.check_some_records(r, &mut v, images).await?,
        }
        Ok(v)
    }

    fn check_entry(
        &self,
        v: &mut Verdict,
        last: &mut BTreeMap<i64, (i64, String)>,
        e: &StoredEntry,
    ) {
        let (prev_seq, prev_hash) = last.get(&e.chain_id).cloned().unwrap_or((0, String::new()));
        let why = if e.seq != prev_seq + 1 {
            Some(Break::Gap)
        } else if e.prev_hash != prev_hash {
            Some(Break::Unlinked)
        } else {
            match e.recomputed() {
                None => {
                    v.found(Finding::Time {
                        chain: e.chain_id,
                        seq: e.seq,
                        entry: e.id,
                        raw: e.at.clone(),
                    });
                    None
                }
                Some(h) if h != e.hash => Some(Break::Altered),
                Some(_) => None,
            }
        };
        if let Some(why) = why {
            v.found(Finding::Chain {
                chain: e.chain_id,
                seq: e.seq,
                entry: e.id,
                why,
            });
        }
        last.insert(e.chain_id, (e.seq, e.hash.clone()));
    }

    /// The audit subject a sealed document's entries are written about.
    async fn sealed_subject(
        &self,
        r: &mut Reader,
        doc_type: &str,
        doc_id: i64,
    ) -> Result<Option<(&'static str, i64)>> {
        Ok(match doc_type {
            "minutes" => Some(("meeting", doc_id)),
            "report" => Some(("report", doc_id)),
            "resolution" => docs::resolution_by_id(r, doc_id)
                .await?
                .map(|r| ("meeting", r.meeting_id)),
            _ => None,
        })
    }

    async fn check_documents(
        &self,
        r: &mut Reader,
        v: &mut Verdict,
        by_code: Option<Vec<docs::DocVersion>>,
        recorded: &HashMap<String, Vec<Recorded>>,
    ) -> Result<()> {
        let scoped = by_code.is_some();
        let mut seen: std::collections::HashSet<String> = Default::default();
        let mut check = |v: &mut Verdict, d: &docs::DocVersion| {
            v.documents += 1;
            let (hash, code) = super::meetings::seal::seal(&d.body);
            let recs = recorded.get(&d.hash).map(Vec::as_slice).unwrap_or_default();
            seen.insert(d.hash.clone());
            let mine = recs.iter().find(|r| {
                r.code == d.check_code
                    && r.doc
                        .as_ref()
                        .is_none_or(|(t, id)| *t == d.doc_type && *id == d.doc_id)
            });
            let why = if hash != d.hash || code != d.check_code {
                Some(SealBreak::Body)
            } else if mine.is_none() {
                Some(SealBreak::NotRecorded)
            } else {
                None
            };
            if let Some(why) = why {
                v.found(Finding::Seal {
                    doc_type: d.doc_type.clone(),
                    doc_id: d.doc_id,
                    version: d.version,
                    check_code: d.check_code.clone(),
                    why,
                    entry: mine.or(recs.first()).map(|r| r.entry),
                });
            }
        };
        match by_code {
            Some(versions) => {
                for d in &versions {
                    check(v, d);
                }
            }
            None => {
                let mut after = 0;
                loop {
                    let page = docs::versions_after(r, after, 500).await?;
                    let Some(tail) = page.last() else { break };
                    after = tail.id;
                    for d in &page {
                        check(v, d);
                    }
                }
            }
        }
        if !scoped {
            // Seals the trail recorded whose version is gone or was replaced.
            let mut left: Vec<&Recorded> = recorded
                .iter()
                .filter(|(h, _)| !seen.contains(*h))
                .flat_map(|(_, r)| r)
                .collect();
            left.sort_by_key(|r| r.entry);
            for r in left {
                let (doc_type, doc_id) = r.doc.clone().unwrap_or_default();
                v.found(Finding::Seal {
                    doc_type,
                    doc_id,
                    version: 0,
                    check_code: r.code.clone(),
                    why: SealBreak::Missing,
                    entry: Some(r.entry),
                });
            }
        }
        Ok(())
    }

    /// Every record of every imaged table, against the trail's last image.
    async fn check_all_records(
        &self,
        r: &mut Reader,
        v: &mut Verdict,
        mut images: BTreeMap<String, Last>,
    ) -> Result<()> {
        for t in TABLES {
            let mut after: Option<Vec<i64>> = None;
            loop {
                let page = images::page(r, t, after.as_deref(), PAGE).await?;
                let Some((tail, _)) = page.last() else { break };
                after = Some(tail.clone());
                for (keys, image) in page {
                    v.records += 1;
                    let key = images::record_key(t.name, &keys);
                    let live = Some(image);
                    match images.remove(&key) {
                        None => v.found(Finding::Record {
                            key,
                            why: RecordBreak::Unrecorded,
                            entry: None,
                            columns: vec![],
                        }),
                        Some(l) if l.digest != Some(images::image_digest(&live)) => {
                            let f = self.changed(r, key, &l, &live).await?;
                            v.found(f);
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        for (key, l) in images {
            if l.digest.is_some() {
                v.found(Finding::Record {
                    key,
                    why: RecordBreak::Removed,
                    entry: Some(l.entry),
                    columns: vec![],
                });
            }
        }
        Ok(())
    }

    /// The records imaged in the chains read, one by one (a `--code` check).
    async fn check_some_records(
        &self,
        r: &mut Reader,
        v: &mut Verdict,
        images: BTreeMap<String, Last>,
    ) -> Result<()> {
        for (key, l) in images {
            let Some((t, keys)) = images::parse_key(&key) else {
                continue;
            };
            v.records += 1;
            let live = images::one(r, t, &keys).await?;
            if l.digest != live.as_ref().map(|_| images::image_digest(&live)) {
                let f = match (&l.digest, &live) {
                    (Some(_), None) => Finding::Record {
                        key,
                        why: RecordBreak::Removed,
                        entry: Some(l.entry),
                        columns: vec![],
                    },
                    _ => self.changed(r, key, &l, &live).await?,
                };
                v.found(f);
            }
        }
        Ok(())
    }

    /// A record that is not as imaged: which columns differ, read back
    /// from the entry that holds its last image.
    async fn changed(
        &self,
        r: &mut Reader,
        key: String,
        l: &Last,
        live: &Option<Image>,
    ) -> Result<Finding> {
        let was: Option<Image> = audit::state_of(r, l.entry.2)
            .await?
            .and_then(|s| serde_json::from_str::<State>(&s).ok())
            .and_then(|s| s.rows.get(&key).cloned())
            .flatten();
        Ok(Finding::Record {
            columns: images::differences(&was, live),
            why: if was.is_none() {
                RecordBreak::Unrecorded
            } else {
                RecordBreak::Changed
            },
            key,
            entry: Some(l.entry),
        })
    }
}

/// Takes an entry's images into the record keys' last images: a record
/// keeps the image of the latest entry (by id) that imaged it.
fn fold(images: &mut BTreeMap<String, Last>, e: &StoredEntry) {
    let Some(state) = e
        .state
        .as_deref()
        .and_then(|s| serde_json::from_str::<State>(s).ok())
    else {
        return;
    };
    let entry = (e.chain_id, e.seq, e.id);
    for prefix in &state.sets {
        let gone: Vec<String> = images
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(prefix.as_str()))
            .filter(|(k, l)| l.entry.2 < e.id && !state.rows.contains_key(*k))
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            images.insert(
                k,
                Last {
                    entry,
                    digest: None,
                },
            );
        }
    }
    for (k, image) in state.rows {
        if images.get(&k).is_none_or(|l| l.entry.2 < e.id) {
            let digest = image.as_ref().map(|_| images::image_digest(&image));
            images.insert(k, Last { entry, digest });
        }
    }
}

/// The text of a finding list, for logs and the CLI.
pub fn lines(v: &Verdict) -> Vec<String> {
    let mut out: Vec<String> = v.findings.iter().map(Finding::describe).collect();
    if v.more > 0 {
        out.push(format!("… và {} điểm khác / and {} more", v.more, v.more));
    }
    out
}
