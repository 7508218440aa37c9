//! The published record (biên bản kiểm phiếu in machine form) and its verifier.

use elastic_elgamal::Ciphertext;
use serde::{Deserialize, Serialize};

use crate::board::{Board, CheckedBoard, MAX_BOARD_BYTES};
use crate::codec;
use crate::ids::{Digest, Tracker};
use crate::manifest::{BallotSpec, FORMAT_VERSION};
use crate::outcome::{self, Counts, OutcomeRecord};
use crate::tally::{self, DecryptionShare};
use crate::{G, OutcomeError, ShareError, VerifyError};

/// The record: the closed board, its hash, the aggregate, the shares with proofs, and the
/// result. Canonical JSON, versioned; its SHA-256 is printed on the biên bản and enters the
/// audit chain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub(crate) version: u32,
    pub(crate) board: Board,
    pub(crate) board_hash: Digest,
    pub(crate) aggregate: Vec<Ciphertext<G>>,
    pub(crate) shares: Vec<DecryptionShare>,
    pub(crate) result: TallyResult,
}

/// Decrypted, or not enough trustees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TallyResult {
    /// k shares or more: the counts and the outcome.
    Decrypted {
        /// Counts.
        counts: Counts,
        /// Outcome by the rules.
        outcome: Box<OutcomeRecord>,
    },
    /// Fewer than k valid shares: the electronic vote failed; the rules' paper re-vote follows.
    Failed {
        /// Valid shares received.
        shares: u32,
        /// Shares needed (k).
        needed: u32,
    },
}

/// What a verified record says.
#[derive(Debug, Clone)]
pub struct VerifiedResult {
    /// SHA-256 of the record bytes.
    pub record_hash: Digest,
    /// SHA-256 of the board.
    pub board_hash: Digest,
    /// Trackers on the board, in order (each voter looks for theirs).
    pub trackers: Vec<Tracker>,
    /// The result.
    pub result: TallyResult,
    /// The rules' full decision (for the biên bản's explanation), when decrypted.
    pub decision: Option<chibo_rules::Decision>,
}

/// Why a record could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    /// A share does not check.
    #[error(transparent)]
    Share(#[from] ShareError),
    /// The totals are off the table (cannot happen with a verified board).
    #[error("không giải mã được tổng số phiếu")]
    Decrypt,
    /// The rules cannot decide from these counts.
    #[error(transparent)]
    Outcome(#[from] OutcomeError),
}

impl TallyError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TallyError::Share(e) => e.code(),
            TallyError::Decrypt => "tally_decrypt",
            TallyError::Outcome(_) => "tally_outcome",
        }
    }
}

impl Record {
    /// Builds the record from a verified board and the shares received (every one must check).
    /// With k shares or more it decrypts and applies the rules; with fewer it records the
    /// failure (V3: the vote goes to a paper re-vote).
    pub fn build(
        board: Board,
        checked: &CheckedBoard,
        shares: &[DecryptionShare],
    ) -> Result<(Record, VerifiedResult), TallyError> {
        let shares = tally::check_shares(checked, shares)?;
        let (result, decision) = match tally::decrypt_totals(checked, &shares) {
            None => (
                TallyResult::Failed {
                    shares: shares.len() as u32,
                    needed: checked.ctx.key_set.params().threshold as u32,
                },
                None,
            ),
            Some(totals) => {
                let counts = counts(&board, checked, totals.ok_or(TallyError::Decrypt)?);
                let (decision, outcome) = outcome::decide(&board.manifest, &counts)?;
                (
                    TallyResult::Decrypted {
                        counts,
                        outcome: Box::new(outcome),
                    },
                    Some(decision),
                )
            }
        };
        let record = Record {
            version: FORMAT_VERSION,
            board_hash: checked.hash,
            aggregate: tally::aggregate(checked).to_vec(),
            board,
            shares,
            result,
        };
        let verified = VerifiedResult {
            record_hash: record.hash(),
            board_hash: checked.hash,
            trackers: checked.trackers.clone(),
            result: record.result.clone(),
            decision,
        };
        Ok((record, verified))
    }

    /// The canonical bytes (published at `/api/v1/ballots/{id}/record`).
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::to_canonical(self)
    }

    /// SHA-256 of the canonical bytes.
    pub fn hash(&self) -> Digest {
        Digest::of(&self.to_bytes())
    }

    /// The result.
    pub fn result(&self) -> &TallyResult {
        &self.result
    }
}

fn counts(board: &Board, checked: &CheckedBoard, mut totals: Vec<u32>) -> Counts {
    let all_struck = match board.manifest.ballot {
        BallotSpec::StrikeOut { .. } => totals.pop().unwrap_or(0),
        BallotSpec::SingleChoice { .. } => 0,
    };
    let cast = checked.cast;
    Counts {
        issued: board.issued,
        cast,
        paper_invalid: board.paper_invalid,
        all_struck,
        valid: (cast.phone + cast.paper).saturating_sub(all_struck),
        invalid: all_struck + board.paper_invalid,
        options: totals,
    }
}

/// Verifies a published record: canonical bytes; the board (manifest, every ballot's token and
/// proofs, credential uniqueness, tracker order, cast ≤ issued per channel); the board hash; the
/// aggregate; every share's proof; the counts the shares decrypt to; and the outcome by the
/// rules in force on the vote's day. Any single changed byte makes it fail.
pub fn verify_record(bytes: &[u8]) -> Result<VerifiedResult, VerifyError> {
    let record: Record =
        codec::from_canonical(bytes, 2 * MAX_BOARD_BYTES).map_err(VerifyError::Malformed)?;
    if record.version != FORMAT_VERSION {
        return Err(VerifyError::Version);
    }
    let checked = record.board.check()?;
    if checked.hash != record.board_hash {
        return Err(VerifyError::BoardHash);
    }
    if !same_ciphertexts(&checked.aggregate, &record.aggregate) {
        return Err(VerifyError::Aggregate);
    }
    let shares = tally::check_shares(&checked, &record.shares)?;
    // Shares are listed in index order, so the record has a single form.
    if shares
        .iter()
        .map(|s| s.index)
        .ne(record.shares.iter().map(|s| s.index))
    {
        return Err(VerifyError::Share(ShareError::Index(0)));
    }
    let needed = checked.ctx.key_set.params().threshold;
    let decision = match (tally::decrypt_totals(&checked, &shares), &record.result) {
        (
            None,
            TallyResult::Failed {
                shares: s,
                needed: k,
            },
        ) if *s as usize == shares.len() && *k as usize == needed => None,
        (
            Some(totals),
            TallyResult::Decrypted {
                counts: c,
                outcome: o,
            },
        ) => {
            let totals = totals.ok_or(VerifyError::Counts)?;
            if counts(&record.board, &checked, totals) != *c {
                return Err(VerifyError::Counts);
            }
            let (decision, expected) = outcome::decide(&record.board.manifest, c)
                .map_err(|e| VerifyError::Outcome(e.0))?;
            if expected != **o {
                return Err(VerifyError::Outcome(format!(
                    "quy định cho kết quả \"{}\", biên bản ghi \"{}\"",
                    expected.outcome, o.outcome
                )));
            }
            Some(decision)
        }
        _ => {
            return Err(VerifyError::Status {
                shares: shares.len(),
                needed,
            });
        }
    };
    Ok(VerifiedResult {
        record_hash: Digest::of(bytes),
        board_hash: checked.hash,
        trackers: checked.trackers,
        result: record.result,
        decision,
    })
}

fn same_ciphertexts(a: &[Ciphertext<G>], b: &[Ciphertext<G>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bytes() == y.to_bytes())
}
