//! Decryption shares and their combination.
//!
//! A trustee's phone decrypts nothing but the aggregate of a closed board whose hash the
//! committee was shown: it takes the whole board, checks its hash, verifies every ballot, sums
//! them itself and only then makes Chaum–Pedersen decryption shares of that sum. A server that
//! asks for a subset of the box (Helios issue #170), a single ballot or any other ciphertext gets
//! a refusal. With fewer than k shares nothing can be decrypted.

use elastic_elgamal::sharing::PublicKeySet;
use elastic_elgamal::{CandidateDecryption, Ciphertext, DiscreteLogTable, LogEqualityProof};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::board::{Board, CheckedBoard};
use crate::codec;
use crate::dkg::Trustee;
use crate::ids::Digest;
use crate::{G, ShareError, ShareRefusal};

/// One trustee's decryption shares of a board's aggregate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecryptionShare {
    /// The trustee's index.
    pub index: u32,
    /// The board decrypted.
    pub board: Digest,
    /// One part per aggregate ciphertext, in order.
    pub parts: Vec<SharePart>,
}

/// A share of one ciphertext with its Chaum–Pedersen proof.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SharePart {
    pub(crate) share: CandidateDecryption<G>,
    pub(crate) proof: LogEqualityProof<G>,
}

impl Trustee {
    /// Makes this trustee's shares for the board whose canonical bytes are `board` and whose
    /// hash the committee was shown as `shown`; refuses anything else.
    pub fn decryption_share<R: CryptoRng>(
        &self,
        board: &[u8],
        shown: &Digest,
        rng: &mut R,
    ) -> Result<DecryptionShare, ShareRefusal> {
        let actual = Digest(codec::sha256(board));
        if actual != *shown {
            return Err(ShareRefusal::BoardHash {
                shown: shown.to_hex(),
                actual: actual.to_hex(),
            });
        }
        let checked = Board::from_bytes(board)?.check()?;
        if checked.ctx.manifest.vote_id != self.vote_id {
            return Err(ShareRefusal::OtherVote);
        }
        if !same_keys(&checked.ctx.key_set, self.participant.key_set()) {
            return Err(ShareRefusal::OtherKey);
        }
        let parts = checked
            .aggregate
            .iter()
            .map(|ct| {
                let (share, proof) = self.participant.decrypt_share(*ct, rng);
                SharePart {
                    share: share.into(),
                    proof,
                }
            })
            .collect();
        Ok(DecryptionShare {
            index: self.index() as u32,
            board: actual,
            parts,
        })
    }
}

fn same_keys(a: &PublicKeySet<G>, b: &PublicKeySet<G>) -> bool {
    a.params() == b.params() && a.participant_keys() == b.participant_keys()
}

/// Checks shares against a verified board: right board, indexes in range and distinct, every
/// proof valid. Returns them in index order.
pub(crate) fn check_shares(
    board: &CheckedBoard,
    shares: &[DecryptionShare],
) -> Result<Vec<DecryptionShare>, ShareError> {
    let n = board.ctx.key_set.params().shares;
    let mut seen = vec![false; n];
    let mut sorted = shares.to_vec();
    sorted.sort_by_key(|s| s.index);
    for s in &sorted {
        let i = s.index as usize;
        if i >= n || seen[i] {
            return Err(ShareError::Index(i));
        }
        seen[i] = true;
        check_share(board, s)?;
    }
    Ok(sorted)
}

/// Checks one trustee's share (the server runs this as each share arrives).
pub fn check_share(board: &CheckedBoard, share: &DecryptionShare) -> Result<(), ShareError> {
    let i = share.index as usize;
    if i >= board.ctx.key_set.params().shares {
        return Err(ShareError::Index(i));
    }
    if share.board != board.hash {
        return Err(ShareError::OtherBoard(i));
    }
    if share.parts.len() != board.aggregate.len() {
        return Err(ShareError::Length(i));
    }
    for (part, ct) in share.parts.iter().zip(&board.aggregate) {
        board
            .ctx
            .key_set
            .verify_share(part.share, *ct, i, &part.proof)
            .map_err(|_| ShareError::Proof(i))?;
    }
    Ok(())
}

/// Combines the first k checked shares and reads each total off a table of 0..=ballots.
/// `None` when fewer than k shares are given; `Some(None)` if a total is off the table (cannot
/// happen for a verified board, whose every variable is proved 0 or 1).
pub(crate) fn decrypt_totals(
    board: &CheckedBoard,
    shares: &[DecryptionShare],
) -> Option<Option<Vec<u32>>> {
    let params = board.ctx.key_set.params();
    if shares.len() < params.threshold {
        return None;
    }
    let table = DiscreteLogTable::<G>::new(0..=board.cast.total());
    let totals = board
        .aggregate
        .iter()
        .enumerate()
        .map(|(j, ct)| {
            let parts = shares
                .iter()
                .map(|s| (s.index as usize, s.parts[j].share.into_unchecked()));
            let value = params.combine_shares(parts)?.decrypt(*ct, &table)?;
            u32::try_from(value).ok()
        })
        .collect();
    Some(totals)
}

/// The aggregate ciphertexts of a checked board (one per option, then the all-struck flag).
pub(crate) fn aggregate(board: &CheckedBoard) -> &[Ciphertext<G>] {
    &board.aggregate
}
