//! The manifest: what is voted on and with which keys. It is frozen before the first token is
//! issued; every ballot, the board and the record carry its hash.

use chrono::NaiveDate;
use elastic_elgamal::sharing::{Params, PublicKeySet};
use elastic_elgamal::{PreparedRange, PublicKey, RangeDecomposition};
use serde::{Deserialize, Serialize};

use crate::codec::{self, b64_vec};
use crate::ids::{Channel, Digest, VoteId};
use crate::token::TokenPublicKey;
use crate::{G, ManifestError};

/// Format version of the manifest, ballots, board and record.
pub const FORMAT_VERSION: u32 = 1;
/// Most options (or candidates) a ballot may list.
pub const MAX_OPTIONS: usize = 64;
/// Most trustees (counting-committee phones).
pub const MAX_TRUSTEES: usize = 32;
/// Longest label (question, option, candidate name) in bytes.
pub const MAX_LABEL: usize = 500;

/// What is voted on, with the keys of the vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// Chosen at open.
    pub vote_id: VoteId,
    /// The question as printed on the ballot.
    pub title: String,
    /// The ballot's shape.
    pub ballot: BallotSpec,
    /// What the rules need to decide the outcome.
    pub decision: DecisionSpec,
    /// The counting committee's keys.
    pub trustees: Trustees,
    /// The eligibility-token keys (RFC 9474, made on the head's phone).
    pub token_keys: TokenKeys,
}

/// The ballot's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BallotSpec {
    /// Exactly one option: yes / no / abstain, or one discipline level.
    SingleChoice {
        /// Options in ballot order.
        options: Vec<ChoiceOption>,
    },
    /// A candidate list from which the voter strikes names, keeping at most `seats`; a ballot
    /// with every name struck is invalid (counted in aggregate only).
    StrikeOut {
        /// Candidates in ballot order.
        candidates: Vec<String>,
        /// Seats to fill.
        seats: u32,
    },
}

/// One option of a single-choice ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    /// As printed.
    pub label: String,
    /// What the option counts as for the rules: `tan_thanh`, `khong_tan_thanh`,
    /// `khong_bieu_quyet`, a discipline level code (`khai_tru`, `cach_chuc`, `canh_cao`,
    /// `khien_trach`) or `khong_ky_luat`.
    pub role: String,
}

/// The inputs of the rules' decision besides the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionSpec {
    /// The decision kind code of `chibo-rules` (`bau_cu`, `ky_luat`, `nghi_quyet`, …).
    pub kind: String,
    /// The day of the vote: the rules in force that day apply.
    pub on: NaiveDate,
    /// The roll, as counts of members by standing and attendance (no names).
    pub roll: Vec<RollLine>,
    /// The đảng ủy's local pack in force, verbatim, if any.
    pub local_pack: Option<String>,
}

/// `count` members of one standing with one attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollLine {
    /// `chibo_rules::Status` code.
    pub status: String,
    /// `chibo_rules::Attendance` code.
    pub attendance: String,
    /// How many.
    pub count: u32,
}

/// The counting committee's keys after key generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trustees {
    /// Shares needed to decrypt (k).
    pub threshold: u32,
    /// The joint key ballots are encrypted for (determined by the key shares; checked).
    pub joint_key: PublicKey<G>,
    /// Each trustee in index order (n of them).
    pub members: Vec<TrusteeKeys>,
}

/// One trustee's public keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrusteeKeys {
    /// The phone's key for sealed key-generation messages.
    pub transport_key: PublicKey<G>,
    /// The trustee's share of the joint key.
    pub key_share: PublicKey<G>,
}

/// The RFC 9474 public keys, DER (SubjectPublicKeyInfo), one per channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenKeys {
    /// Signs the phones' tokens.
    #[serde(with = "b64_vec")]
    pub phone: Vec<u8>,
    /// Signs the paper ballots' tokens.
    #[serde(with = "b64_vec")]
    pub paper: Vec<u8>,
}

impl Manifest {
    /// The canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::to_canonical(self)
    }

    /// SHA-256 of the canonical bytes; ballots are bound to it.
    pub fn hash(&self) -> Digest {
        Digest::of(&self.to_bytes())
    }

    /// The joint-key fingerprint the committee reads aloud (see [`crate::fingerprint`]).
    pub fn fingerprint(&self) -> String {
        crate::dkg::fingerprint(&self.vote_id, &self.trustees)
    }
}

/// A checked manifest with everything verification needs prepared once.
#[derive(Debug, Clone)]
pub struct VoteContext {
    pub(crate) manifest: Manifest,
    pub(crate) hash: Digest,
    pub(crate) key_set: PublicKeySet<G>,
    pub(crate) phone_key: TokenPublicKey,
    pub(crate) paper_key: TokenPublicKey,
    pub(crate) bit: PreparedRange<G>,
    pub(crate) total: Option<PreparedRange<G>>,
}

impl VoteContext {
    /// Checks the manifest and prepares it.
    pub fn new(manifest: Manifest) -> Result<VoteContext, ManifestError> {
        if manifest.version != FORMAT_VERSION {
            return Err(ManifestError::Version(manifest.version));
        }
        label(&manifest.title, "câu hỏi")?;
        let total = match &manifest.ballot {
            BallotSpec::SingleChoice { options } => {
                if options.len() < 2 || options.len() > MAX_OPTIONS {
                    return Err(ManifestError::Options(options.len()));
                }
                for o in options {
                    label(&o.label, "phương án")?;
                }
                None
            }
            BallotSpec::StrikeOut { candidates, seats } => {
                if candidates.is_empty() || candidates.len() > MAX_OPTIONS {
                    return Err(ManifestError::Options(candidates.len()));
                }
                for c in candidates {
                    label(c, "ứng cử viên")?;
                }
                let mut seen = std::collections::HashSet::new();
                if let Some(dup) = candidates.iter().find(|c| !seen.insert(c.trim())) {
                    return Err(ManifestError::Label(format!(
                        "tên ứng cử viên trùng: {dup}"
                    )));
                }
                if *seats == 0 || *seats as usize > candidates.len() {
                    return Err(ManifestError::Seats {
                        seats: *seats,
                        candidates: candidates.len(),
                    });
                }
                // With one seat the constraint is an equation and needs no range proof.
                (*seats >= 2).then(|| RangeDecomposition::optimal(u64::from(*seats)).into())
            }
        };
        crate::outcome::check_spec(&manifest.decision, &manifest.ballot)?;
        let n = manifest.trustees.members.len();
        let k = manifest.trustees.threshold as usize;
        if n == 0 || n > MAX_TRUSTEES || k == 0 || k > n {
            return Err(ManifestError::Threshold { k, n });
        }
        let keys = manifest
            .trustees
            .members
            .iter()
            .map(|m| m.key_share.clone())
            .collect();
        let key_set = PublicKeySet::from_participants(Params::new(n, k), keys)
            .map_err(|_| ManifestError::JointKey)?;
        if *key_set.shared_key() != manifest.trustees.joint_key {
            return Err(ManifestError::JointKey);
        }
        let phone_key = TokenPublicKey::from_der(&manifest.token_keys.phone)
            .map_err(|_| ManifestError::TokenKey(Channel::Phone))?;
        let paper_key = TokenPublicKey::from_der(&manifest.token_keys.paper)
            .map_err(|_| ManifestError::TokenKey(Channel::Paper))?;
        if manifest.token_keys.phone == manifest.token_keys.paper {
            return Err(ManifestError::SameTokenKeys);
        }
        Ok(VoteContext {
            hash: manifest.hash(),
            manifest,
            key_set,
            phone_key,
            paper_key,
            bit: RangeDecomposition::optimal(2).into(),
            total,
        })
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Its hash.
    pub fn hash(&self) -> Digest {
        self.hash
    }

    /// The joint public key ballots are encrypted for.
    pub fn joint_key(&self) -> &PublicKey<G> {
        self.key_set.shared_key()
    }

    /// Options (single choice) or candidates (strike-out).
    pub fn option_count(&self) -> usize {
        match &self.manifest.ballot {
            BallotSpec::SingleChoice { options } => options.len(),
            BallotSpec::StrikeOut { candidates, .. } => candidates.len(),
        }
    }

    pub(crate) fn token_key(&self, channel: Channel) -> &TokenPublicKey {
        match channel {
            Channel::Phone => &self.phone_key,
            Channel::Paper => &self.paper_key,
        }
    }
}

fn label(text: &str, what: &str) -> Result<(), ManifestError> {
    if text.trim().is_empty() || text.len() > MAX_LABEL {
        return Err(ManifestError::Label(format!(
            "{what} trống hoặc dài quá {MAX_LABEL} byte"
        )));
    }
    Ok(())
}
