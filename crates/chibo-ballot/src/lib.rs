//! # chibo-ballot: secret ballots that are really secret and verifiable
//!
//! The cryptography of `shared/design/secret-ballots.md` and the verifier of its record, pure and
//! free of I/O: no clock, no file, no network, randomness passed in. The server (tables,
//! endpoints, pages) and the phones (the WebAssembly bundle in `wasm/`) call it.
//!
//! ## The flow and who calls what
//!
//! | Step | Where | Call |
//! |---|---|---|
//! | Open | server | choose a random [`VoteId`]; freeze the question, options or candidates and seats ([`BallotSpec`]), and the decision inputs ([`DecisionSpec`]: kind, day, roll as counts, local pack) |
//! | Keygen | each committee phone | [`DkgRound1::start`] → [`DkgRound1::round2`] → [`DkgRound2::round3`] → [`DkgRound3::finish`]; the server relays [`Round1Msg`], [`Round2Msg`] (public) and [`SealedShare`] (sealed to one phone; delete after keygen) |
//! | Keygen | committee | every phone shows the [`fingerprint`]; they read it aloud |
//! | Token keys | head's phone | [`TokenIssuer::generate`] → [`TokenKeys`] for the manifest (phone and paper keys) |
//! | Manifest | server | assemble [`Manifest`] (trustees from [`DkgOutcome::trustees`]), check it with [`VoteContext::new`]; store its canonical bytes |
//! | Issue | member's phone | [`Credential::generate`], [`Credential::request_token`] → [`TokenRequest`] |
//! | Issue | head's phone | [`TokenIssuer::sign`] once per roll entry → [`BlindedToken`]; the server writes `sv_issued` (member, channel) |
//! | Issue | member's phone | [`PendingToken::finish`] → [`Voter`] |
//! | Cast | member's phone | [`Ballot::cast`] → [`Ballot::to_bytes`] (send as is) and [`Ballot::tracker`] (show, keep) |
//! | Cast | server | [`BallotBox::cast`] (in memory; idempotent on resubmission; [`CastError`] with [`CastError::code`]) |
//! | Close | server | [`BallotBox::rows`] in tracker order into `sv_ballot`, one transaction; later [`Board::assemble`] from the stored bodies (phone and paper) with the issued counts and the invalid paper count → the board and its [`CheckedBoard`] |
//! | Paper | committee | [`TokenIssuer::paper_voter`] + [`Ballot::cast`] per valid paper ballot, entered through [`BallotBox::cast`] or stored and assembled with the rest |
//! | Decrypt | server → phones | publish [`Board::to_bytes`] and show [`Board::hash`] in the room |
//! | Decrypt | k trustee phones | [`Trustee::decryption_share`] (refuses any board but the one shown: [`ShareRefusal`]) |
//! | Decrypt | server | [`check_share`] as each arrives; [`Record::build`] with the board, its check and the shares (fewer than k: a [`TallyResult::Failed`] record, the paper re-vote) |
//! | Publish | server | [`Record::to_bytes`] at `/api/v1/ballots/{id}/record`, [`Record::hash`] on the biên bản and in the audit chain; [`VerifiedResult::decision`] explains the outcome (`chibo_rules::Decision::explain`) |
//! | Verify | anyone | [`verify_record`] (`chibo ballot verify RECORD`) |
//!
//! ## The record (JSON, canonical, version 1)
//!
//! Every object is compact serde JSON, fields in the order below, bytes as unpadded base64url,
//! hashes as lower-case hex; [`verify_record`] parses, re-serialises and compares, so there is one
//! byte form and any changed byte fails.
//!
//! ```text
//! record   { version, board, board_hash, aggregate: [ciphertext], shares: [share], result }
//! board    { version, manifest, issued: {phone, paper}, paper_invalid, ballots: [ballot] }   // ballots in tracker order
//! manifest { version, vote_id, title, ballot: {kind: "single_choice", options: [{label, role}]}
//!                                           | {kind: "strike_out", candidates, seats},
//!            decision: {kind, on, roll: [{status, attendance, count}], local_pack},
//!            trustees: {threshold, joint_key, members: [{transport_key, key_share}]},
//!            token_keys: {phone, paper} }                                                 // RSA SPKI DER
//! ballot   { body: { version, manifest (hash), channel, credential (pk_c), token: {randomizer, signature},
//!                    options: [variable], all_struck: variable|null, kept_total: variable|null },
//!            possession }                                                                  // tracker = SHA-256(ballot)
//! variable { ciphertext, commitment, range, equivalence }
//! share    { index, board (hash), parts: [{share, proof}] }                                // one part per aggregate ciphertext
//! result   { status: "decrypted", counts: {issued, cast, paper_invalid, all_struck, valid, invalid, options},
//!            outcome: {kind, outcome, base, needed, got, level, proposed_upward, elected, tied_at_last_seat, revote, citations} }
//!        | { status: "failed", shares, needed }
//! ```
//!
//! The aggregate has one ciphertext per option (candidate), then, for a strike-out ballot, the
//! all-struck flag B, whose total is the count of invalid all-struck ballots.
//!
//! ## Construction (and where it departs from the design)
//!
//! - **Keys**: elastic-elgamal's Pedersen DKG (hash-committed) on Ristretto255, k of n; shares
//!   sealed with ChaCha20-Poly1305 under SHA-256 of the two phones' Diffie–Hellman point. The
//!   fingerprint covers every transport key and key share, so a relay that swaps one is heard.
//! - **Tokens**: RFC 9474 RSABSSA-SHA384-PSS-Randomized (2048-bit), over
//!   SHA-256(domain ‖ vote_id ‖ pk_c); separate phone and paper keys.
//! - **Ballots**: each option is a 0/1 ElGamal ciphertext with
//!   elastic-elgamal's `RangeProof`; the constraint between options (exactly one; or
//!   Σcᵢ + s·B ∈ [1, s]) is proved on Pedersen commitments linked to the ciphertexts by
//!   `CommitmentEquivalenceProof`, the last blinding chosen so the constraint is a public
//!   equation, plus a `RangeProof` over `0..s` for Σcᵢ + s·B − 1 when s ≥ 2. **Deviation:** the
//!   design planned a patch to elastic-elgamal for a range proof on Σcᵢ + s·B; the crate's
//!   `CiphertextWithValue` has no public arithmetic, and its `EncryptedChoice` takes no
//!   transcript (its proofs could be copied into another ballot). The commitment construction
//!   proves the same statement with the public API only, every proof bound (Merlin transcript)
//!   to the manifest hash, pk_c and the variable's index; the ballot body is signed by a proof
//!   of possession of sk_c. No patch.
//! - **Tally**: Chaum–Pedersen shares (elastic-elgamal `decrypt_share` / `verify_share`),
//!   Lagrange combination, a discrete-log table over 0..=ballots.
//! - **Outcome**: decided by `chibo-rules` (`Rules::decide`) from the record's own inputs; the
//!   verifier decides again and compares.
//!
//! ## Threat table and acceptance tests → tests
//!
//! | Property | Test (in `src/tests/`, `tests/`) |
//! |---|---|
//! | Server/DB cannot decrypt (no key on the server) | `flow::keygen_gives_every_phone_the_same_key_and_fingerprint`, `flow::a_relayed_key_swap_changes_the_fingerprint` |
//! | … cannot mint ballots | `attacks::forged_token_is_refused`, `mutations::duplicate_and_forged_tokens_fail`, `mutations::cast_over_issued_fails` |
//! | … cannot drop or alter a ballot unseen | `attacks::ballot_altered_in_transit_is_refused`, `mutations::removed_ballot_fails`, trackers in `flow::mixed_phone_and_paper_election_matches_hand_counts` |
//! | … cannot link voter and ballot | `attacks::issuance_and_ballot_share_no_bytes` (blind tokens; nothing in a [`Ballot`] names a member); S1–S3 are the server's |
//! | Fewer than k trustees learn nothing (S4, V3) | `flow::k_minus_one_shares_cannot_decrypt` |
//! | k trustees + DB learn only the totals; no subset decryption (S4, HE#170) | `attacks::trustees_refuse_a_subset_of_the_box`, `attacks::trustees_refuse_invalid_or_foreign_boards` |
//! | V1 any single mutation fails | `mutations::*`, `attacks::shares_for_another_board_or_forged_are_refused_by_the_server` |
//! | V2 invalid ballots fail at cast and in the verifier | `validity::*` |
//! | V3 n − k offline still tallies; k − 1 fails → paper re-vote | `flow::tally_with_n_minus_k_trustees_offline`, `flow::k_minus_one_shares_cannot_decrypt` |
//! | V4 mixed phone and paper matches hand counts | `flow::mixed_phone_and_paper_election_matches_hand_counts`, `flow::discipline_vote_counts_down_from_the_most_severe_level` |
//! | V5 resubmission counted once (crypto side) | `flow::resubmission_is_idempotent_and_a_second_ballot_is_refused`, `flow::board_is_in_tracker_order_whatever_the_casting_order` |
//! | Phones (WebAssembly) and the Rust verifier agree | `tests/wasm_node.rs`, `tests/wasm_bundle.rs` |

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
#[cfg(target_arch = "wasm32")]
mod wasm;

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
