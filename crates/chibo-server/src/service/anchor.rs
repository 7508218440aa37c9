//! Anchoring the audit chains outside the database. Anyone who can write the
//! database can rewrite a chain and recompute every hash after the change;
//! they cannot sign the new head. A checkpoint is a chain's head (number and
//! hash) at a moment, signed with an Ed25519 key kept in a file beside the
//! data (never in the database). Checkpoints are appended to a log the
//! operator ships off the machine, and issued reports carry their cell's, so
//! the upper committee holds them on paper too. `chibo audit verify` holds
//! each chain against every checkpoint it finds.

use super::{Result, Services};
use crate::store::audit;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A chain's head at a moment, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub chain: i64,
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
    /// The signer's public key (hex).
    pub key: String,
    /// The Ed25519 signature of the fields above (hex).
    pub sig: String,
}

impl Checkpoint {
    /// What is signed: every field but the signature, unambiguously.
    fn message(chain: i64, seq: i64, hash: &str, at: DateTime<Utc>) -> Vec<u8> {
        format!(
            "chibo-checkpoint-1\n{chain}\n{seq}\n{hash}\n{}",
            at.to_rfc3339_opts(SecondsFormat::Micros, true)
        )
        .into_bytes()
    }

    /// Whether `trusted` signed it.
    pub fn signed_by(&self, trusted: &VerifyingKey) -> bool {
        let Some(sig) = unhex::<64>(&self.sig) else {
            return false;
        };
        self.key == audit::hex(trusted.as_bytes())
            && trusted
                .verify(
                    &Self::message(self.chain, self.seq, &self.hash, self.at),
                    &Signature::from_bytes(&sig),
                )
                .is_ok()
    }

    /// One line of the log.
    pub fn line(&self) -> String {
        serde_json::to_string(self).expect("plain data serialises")
    }
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// A line of a checkpoint log that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub text: String,
}

/// A checkpoint log as read: its checkpoints with their line numbers, and
/// the lines that are not checkpoints.
pub type Log = (Vec<(usize, Checkpoint)>, Vec<BadLine>);

/// Reads a checkpoint log. A missing log has no lines.
pub fn read_log(path: &Path) -> std::io::Result<Log> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let (mut good, mut bad) = (vec![], vec![]);
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Checkpoint>(l) {
            Ok(c) => good.push((i + 1, c)),
            Err(_) => bad.push(BadLine {
                line: i + 1,
                text: l.chars().take(80).collect(),
            }),
        }
    }
    Ok((good, bad))
}

/// The installation's signing key and checkpoint log.
pub struct Anchor {
    key: SigningKey,
    log: PathBuf,
    /// The head last written to the log, per chain.
    last: Mutex<HashMap<i64, (i64, String)>>,
}

impl std::fmt::Debug for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anchor")
            .field("public", &self.public_hex())
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

impl Anchor {
    /// Opens the key at `key_path`, creating it (readable by its owner only)
    /// on first start, with its public half beside it (`….pub`).
    pub fn open(key_path: &Path, log: PathBuf) -> std::io::Result<Self> {
        let key = match std::fs::read_to_string(key_path) {
            Ok(text) => SigningKey::from_bytes(&unhex::<32>(&text).ok_or_else(|| {
                std::io::Error::other(format!(
                    "{}: not an audit signing key (64 hex digits)",
                    key_path.display()
                ))
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                rand::Rng::fill(&mut rand::rng(), &mut seed);
                let key = SigningKey::from_bytes(&seed);
                write_new(key_path, &format!("{}\n", audit::hex(&seed)), 0o600)?;
                let mut public = key_path.as_os_str().to_owned();
                public.push(".pub");
                std::fs::write(
                    PathBuf::from(public),
                    format!("{}\n", audit::hex(key.verifying_key().as_bytes())),
                )?;
                key
            }
            Err(e) => return Err(e),
        };
        let mut last = HashMap::new();
        let public = audit::hex(key.verifying_key().as_bytes());
        for (_, c) in read_log(&log)?.0 {
            if c.key == public {
                let newer = last
                    .get(&c.chain)
                    .is_none_or(|(seq, _): &(i64, String)| *seq <= c.seq);
                if newer {
                    last.insert(c.chain, (c.seq, c.hash));
                }
            }
        }
        Ok(Self {
            key,
            log,
            last: Mutex::new(last),
        })
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn public_hex(&self) -> String {
        audit::hex(self.verifying_key().as_bytes())
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    pub fn sign(&self, chain: i64, seq: i64, hash: &str, at: DateTime<Utc>) -> Checkpoint {
        let at = chrono::SubsecRound::trunc_subsecs(at, 6);
        let sig = self.key.sign(&Checkpoint::message(chain, seq, hash, at));
        Checkpoint {
            chain,
            seq,
            hash: hash.to_string(),
            at,
            key: self.public_hex(),
            sig: audit::hex(&sig.to_bytes()),
        }
    }

    /// Appends checkpoints to the log, on disk before it returns.
    pub fn record(&self, cps: &[Checkpoint]) -> std::io::Result<()> {
        if cps.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for c in cps {
            text.push_str(&c.line());
            text.push('\n');
        }
        if let Some(dir) = self.log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        f.write_all(text.as_bytes())?;
        f.sync_data()?;
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        for c in cps {
            last.insert(c.chain, (c.seq, c.hash.clone()));
        }
        Ok(())
    }

    /// Whether the log already holds this head.
    fn is_recorded(&self, chain: i64, seq: i64, hash: &str) -> bool {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&chain)
            .is_some_and(|(s, h)| *s == seq && h == hash)
    }
}

/// Creates a file that must not exist yet, with `mode` on Unix.
fn write_new(path: &Path, text: &str, mode: u32) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

impl Services {
    /// Signs the head of every chain that moved since its last checkpoint
    /// (or only of `chains`) and appends them to the log.
    pub async fn checkpoint(
        &self,
        chains: Option<&[i64]>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Checkpoint>> {
        let heads = self
            .db
            .read(async |r| crate::store::audit::heads(r).await)
            .await?;
        let cps: Vec<Checkpoint> = heads
            .into_iter()
            .filter(|(c, seq, _)| *seq > 0 && chains.is_none_or(|only| only.contains(c)))
            .filter(|(c, seq, h)| !self.anchor.is_recorded(*c, *seq, h))
            .map(|(c, seq, h)| self.anchor.sign(c, seq, &h, now))
            .collect();
        self.anchor
            .record(&cps)
            .map_err(|e| super::ServiceError::Store(e.into()))?;
        Ok(cps)
    }

    /// The heads of `chains` signed now (those not in the log yet are
    /// appended to it): what a report to the upper committee carries.
    pub async fn anchors(&self, chains: &[i64], now: DateTime<Utc>) -> Result<Vec<Checkpoint>> {
        let cps: Vec<Checkpoint> = self
            .db
            .read(async |r| crate::store::audit::heads(r).await)
            .await?
            .into_iter()
            .filter(|(c, seq, _)| *seq > 0 && chains.contains(c))
            .map(|(c, seq, h)| self.anchor.sign(c, seq, &h, now))
            .collect();
        let new: Vec<Checkpoint> = cps
            .iter()
            .filter(|c| !self.anchor.is_recorded(c.chain, c.seq, &c.hash))
            .cloned()
            .collect();
        self.anchor
            .record(&new)
            .map_err(|e| super::ServiceError::Store(e.into()))?;
        Ok(cps)
    }

    /// After a seal is committed: its chain is anchored at once, so the
    /// sealed record cannot be rewritten unseen even before the next sweep.
    /// A log that cannot be written is logged, not fatal: the seal stands
    /// and the sweep tries again.
    pub(crate) async fn anchor_after_seal(&self, chain: i64) {
        if let Err(e) = self.checkpoint(Some(&[chain]), self.now()).await {
            tracing::error!("checkpoint of chain {chain}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_only_as_signed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let a = Anchor::open(&dir.join("k"), dir.join("log")).unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-03T02:30:00.5Z")
            .unwrap()
            .to_utc();
        let c = a.sign(7, 12, "ab", at);
        assert!(c.signed_by(&a.verifying_key()));
        for forged in [
            Checkpoint {
                seq: 13,
                ..c.clone()
            },
            Checkpoint {
                hash: "ac".into(),
                ..c.clone()
            },
            Checkpoint {
                chain: 8,
                ..c.clone()
            },
            Checkpoint {
                at: at + chrono::Duration::seconds(1),
                ..c.clone()
            },
        ] {
            assert!(!forged.signed_by(&a.verifying_key()), "{forged:?}");
        }
        // Another installation's key does not vouch for it.
        let b = Anchor::open(&dir.join("k2"), dir.join("log2")).unwrap();
        assert!(!c.signed_by(&b.verifying_key()));
        // The key survives a restart; the log is read back.
        a.record(std::slice::from_ref(&c)).unwrap();
        let again = Anchor::open(&dir.join("k"), dir.join("log")).unwrap();
        assert_eq!(again.public_hex(), a.public_hex());
        assert!(again.is_recorded(7, 12, "ab"));
        let (read, bad) = read_log(&dir.join("log")).unwrap();
        assert_eq!((read, bad), (vec![(1, c)], vec![]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("k"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is its owner's alone");
        }
    }
}
