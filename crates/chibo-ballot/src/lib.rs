//! # chibo-ballot: secret ballots that are really secret and verifiable
//!
//! (The API overview is below.)

mod ballot;
mod board;
mod codec;
mod dkg;
mod error;
mod ids;
mod manifest;
mod outcome;
mod record;
mod tally;
mod token;

#[cfg(test)]
mod tests;

/// The group: Ristretto255.
pub type G = elastic_elgamal::group::Ristretto;

pub use ballot::{Ballot, MAX_BALLOT_BYTES, Vote};
pub use board::{BallotBox, Board, Cast, CheckedBoard, MAX_BOARD_BYTES};
pub use codec::CodecError;
pub use dkg::{
    DkgOutcome, DkgRound1, DkgRound2, DkgRound3, Round1Msg, Round2Msg, SealedShare, Trustee,
    fingerprint,
};
pub use error::{
    BallotError, BoardError, CastError, DkgError, ManifestError, OutcomeError, ShareError,
    ShareRefusal, TokenError, VerifyError,
};
pub use ids::{Channel, Digest, PerChannel, Tracker, VoteId};
pub use manifest::{
    BallotSpec, ChoiceOption, DecisionSpec, FORMAT_VERSION, MAX_OPTIONS, MAX_TRUSTEES, Manifest,
    RollLine, TokenKeys, TrusteeKeys, Trustees, VoteContext,
};
pub use outcome::{Counts, OutcomeRecord};
pub use record::{Record, TallyError, TallyResult, VerifiedResult, verify_record};
pub use tally::{DecryptionShare, SharePart, check_share};
pub use token::{
    BlindedToken, Credential, PendingToken, TOKEN_KEY_BITS, Token, TokenIssuer, TokenIssuerState,
    TokenRequest, Voter,
};
