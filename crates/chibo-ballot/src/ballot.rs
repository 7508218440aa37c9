//! Encrypted ballots with validity proofs.
//!
//! Every option (candidate) is an ElGamal ciphertext of 0 or 1 under the joint key, with a range
//! proof of elastic-elgamal (`RangeProof` over `0..2`). The constraint linking the options is
//! proved on Pedersen commitments: each ciphertext comes with a commitment P = v·G + β·H and
//! elastic-elgamal's `CommitmentEquivalenceProof` that both hold the same v. The prover picks the
//! blinding of one "closing" variable so that the constraint is an equation between public
//! commitments, which the verifier checks directly:
//!
//! - single choice: Σ Pᵢ = G (exactly one option is 1);
//! - strike-out, one seat: Σ Pᵢ + P_B = G (one name kept, or none and the all-struck flag B);
//! - strike-out, s ≥ 2 seats: a further ciphertext T with a range proof over `0..s` and
//!   Σ Pᵢ + s·P_B − G − P_T = 0, i.e. Σcᵢ + s·B ∈ [1, s] as the design asks.
//!
//! All proofs of a ballot run on Merlin transcripts bound to the manifest hash, the voter's
//! credential pk_c and the variable's index, so no proof can be copied into another ballot. The
//! ballot body is then signed by a proof of possession of sk_c, so whoever relays a ballot cannot
//! alter it. Why this instead of patching elastic-elgamal: its `EncryptedChoice` takes no
//! transcript (its proofs could be copied between ballots) and `CiphertextWithValue` exposes no
//! arithmetic, so a range proof on Σcᵢ + s·B needs a patch; commitments give the same statement
//! with the crate's public API only.

use std::sync::OnceLock;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use elastic_elgamal::group::ElementOps;
use elastic_elgamal::{
    Ciphertext, CommitmentEquivalenceProof, PreparedRange, ProofOfPossession, PublicKey,
    RangeProof, SecretKey,
};
use merlin::Transcript;
use rand_core::CryptoRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha512};

use crate::codec;
use crate::ids::{Channel, Digest, Tracker};
use crate::manifest::{BallotSpec, FORMAT_VERSION, VoteContext};
use crate::token::{Token, Voter};
use crate::{BallotError, G};

/// Largest canonical ballot accepted (64 options make about 45 KB).
pub const MAX_BALLOT_BYTES: usize = 128 * 1024;

/// What the voter chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Vote {
    /// The option at this index (single choice).
    Choice {
        /// 0-based, in ballot order.
        option: usize,
    },
    /// The candidates kept (not struck), by 0-based index; empty = every name struck.
    Keep {
        /// Kept candidates.
        candidates: Vec<usize>,
    },
}

/// One 0/1 (or 0..s) variable: ciphertext, commitment and their proofs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variable {
    pub(crate) ciphertext: Ciphertext<G>,
    #[serde(with = "element")]
    pub(crate) commitment: RistrettoPoint,
    pub(crate) range: RangeProof<G>,
    pub(crate) equivalence: CommitmentEquivalenceProof<G>,
}

/// Everything the proof of possession signs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BallotBody {
    pub(crate) version: u32,
    pub(crate) manifest: Digest,
    pub(crate) channel: Channel,
    pub(crate) credential: PublicKey<G>,
    pub(crate) token: Token,
    pub(crate) options: Vec<Variable>,
    pub(crate) all_struck: Option<Variable>,
    pub(crate) kept_total: Option<Variable>,
}

/// A cast ballot. Its canonical bytes are what the phone sends, the server stores
/// (`sv_ballot.body`) and the board publishes; its tracker is their SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ballot {
    pub(crate) body: BallotBody,
    pub(crate) possession: ProofOfPossession<G>,
}

/// Why a ballot is not valid (the cast check maps these to [`crate::CastError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Version,
    OtherManifest,
    Shape,
    Token,
    Range(usize),
    Equivalence(usize),
    Constraint,
    Possession,
}

impl Ballot {
    /// Encrypts `vote` with its proofs, for the voter's token.
    pub fn cast<R: CryptoRng>(
        ctx: &VoteContext,
        voter: &Voter,
        vote: &Vote,
        rng: &mut R,
    ) -> Result<Ballot, BallotError> {
        if voter.vote_id != ctx.manifest.vote_id {
            return Err(BallotError::OtherVote);
        }
        let plan = Plan::of(ctx, vote)?;
        Ok(prove(ctx, voter, &plan, &|i, _| ctx_range(ctx, i), rng))
    }

    /// Parses canonical bytes (bounded); does not verify (see [`crate::BallotBox::cast`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Ballot, crate::CodecError> {
        codec::from_canonical(bytes, MAX_BALLOT_BYTES)
    }

    /// The canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::to_canonical(self)
    }

    /// SHA-256 of the canonical bytes.
    pub fn tracker(&self) -> Tracker {
        Tracker(codec::sha256(&self.to_bytes()))
    }

    /// The channel whose token the ballot carries.
    pub fn channel(&self) -> Channel {
        self.body.channel
    }

    /// The credential pk_c (each may cast once).
    pub fn credential(&self) -> &PublicKey<G> {
        &self.body.credential
    }

    /// The ciphertexts that enter the tally: one per option, then the all-struck flag if any.
    pub(crate) fn tallied(&self) -> impl Iterator<Item = Ciphertext<G>> + '_ {
        self.body
            .options
            .iter()
            .chain(self.body.all_struck.iter())
            .map(|v| v.ciphertext)
    }

    /// Checks version, manifest, shape, token, every proof and the possession proof.
    pub(crate) fn verify(&self, ctx: &VoteContext) -> Result<(), Fault> {
        let b = &self.body;
        if b.version != FORMAT_VERSION {
            return Err(Fault::Version);
        }
        if b.manifest != ctx.hash {
            return Err(Fault::OtherManifest);
        }
        let (flag, total) = shape(ctx);
        if b.options.len() != ctx.option_count()
            || b.all_struck.is_some() != flag
            || b.kept_total.is_some() != total.is_some()
        {
            return Err(Fault::Shape);
        }
        if !b.token.verify(
            ctx.token_key(b.channel),
            &ctx.manifest.vote_id,
            &b.credential,
        ) {
            return Err(Fault::Token);
        }
        let pop = possession_transcript(&codec::to_canonical(b));
        self.possession
            .verify(std::iter::once(&b.credential), &mut pop.clone())
            .map_err(|_| Fault::Possession)?;
        let joint = ctx.joint_key();
        let h = blinding_base();
        for (i, v) in self.variables().enumerate() {
            let mut t = variable_transcript(ctx, &b.credential, i);
            v.range
                .verify(joint, ctx_range(ctx, i), v.ciphertext, &mut t)
                .map_err(|_| Fault::Range(i))?;
            v.equivalence
                .verify(&v.ciphertext, joint, v.commitment, h, &mut t)
                .map_err(|_| Fault::Equivalence(i))?;
        }
        let coeffs = coefficients(ctx);
        let sum = self
            .variables()
            .zip(&coeffs)
            .fold(RistrettoPoint::identity(), |acc, (v, c)| {
                acc + v.commitment * c
            });
        if sum != G::generator() {
            return Err(Fault::Constraint);
        }
        Ok(())
    }

    fn variables(&self) -> impl Iterator<Item = &Variable> {
        let b = &self.body;
        b.options
            .iter()
            .chain(b.all_struck.iter())
            .chain(b.kept_total.iter())
    }
}

/// The plain values of a ballot's variables, in order: options, flag, total.
pub(crate) struct Plan {
    pub(crate) values: Vec<u64>,
}

impl Plan {
    fn of(ctx: &VoteContext, vote: &Vote) -> Result<Plan, BallotError> {
        let n = ctx.option_count();
        match (&ctx.manifest.ballot, vote) {
            (BallotSpec::SingleChoice { .. }, Vote::Choice { option }) => {
                if *option >= n {
                    return Err(BallotError::NoSuchOption(*option));
                }
                Ok(Plan {
                    values: (0..n).map(|i| u64::from(i == *option)).collect(),
                })
            }
            (BallotSpec::StrikeOut { seats, .. }, Vote::Keep { candidates }) => {
                let mut kept = vec![0u64; n];
                for &c in candidates {
                    if c >= n {
                        return Err(BallotError::NoSuchOption(c));
                    }
                    if kept[c] == 1 {
                        return Err(BallotError::Repeated(c));
                    }
                    kept[c] = 1;
                }
                let count = candidates.len() as u64;
                if count > u64::from(*seats) {
                    return Err(BallotError::TooManyKept {
                        kept: candidates.len(),
                        seats: *seats,
                    });
                }
                let flag = u64::from(count == 0);
                let mut values = kept;
                values.push(flag);
                if *seats >= 2 {
                    values.push(count + u64::from(*seats) * flag - 1);
                }
                Ok(Plan { values })
            }
            _ => Err(BallotError::WrongKind),
        }
    }
}

/// Whether the ballot has the all-struck flag, and the range of the kept total if it has one.
fn shape(ctx: &VoteContext) -> (bool, Option<&PreparedRange<G>>) {
    match &ctx.manifest.ballot {
        BallotSpec::SingleChoice { .. } => (false, None),
        BallotSpec::StrikeOut { .. } => (true, ctx.total.as_ref()),
    }
}

/// The range of variable `i`: 0..2, except the kept total (last variable of a strike-out ballot
/// with two seats or more): 0..s.
fn ctx_range(ctx: &VoteContext, i: usize) -> &PreparedRange<G> {
    match (&ctx.total, i == ctx.option_count() + 1) {
        (Some(total), true) => total,
        _ => &ctx.bit,
    }
}

/// The coefficients aᵢ of the constraint Σ aᵢ·Pᵢ = G, in variable order.
fn coefficients(ctx: &VoteContext) -> Vec<Scalar> {
    let n = ctx.option_count();
    let mut c = vec![Scalar::ONE; n];
    if let BallotSpec::StrikeOut { seats, .. } = &ctx.manifest.ballot {
        if *seats >= 2 {
            c.push(Scalar::from(u64::from(*seats)));
            c.push(-Scalar::ONE);
        } else {
            c.push(Scalar::ONE);
        }
    }
    c
}

/// Builds the ballot for `plan`. `range_of(i, value)` gives the range proved for variable `i`
/// (the manifest's; the tests pass wider ranges to play a cheating phone).
pub(crate) fn prove<'a, R: CryptoRng>(
    ctx: &'a VoteContext,
    voter: &Voter,
    plan: &Plan,
    range_of: &dyn Fn(usize, u64) -> &'a PreparedRange<G>,
    rng: &mut R,
) -> Ballot {
    let credential = voter.credential.keypair.public().clone();
    let coeffs = coefficients(ctx);
    let closing = coeffs.len() - 1;
    let mut blindings: Vec<Scalar> = (0..closing)
        .map(|_| *SecretKey::<G>::generate(rng).expose_scalar())
        .collect();
    // Σ aᵢβᵢ = 0 makes the commitments' sum exactly Σ aᵢvᵢ·G; aᵢ of the closing one is ±1.
    let partial: Scalar = blindings.iter().zip(&coeffs).map(|(b, a)| b * a).sum();
    blindings.push(-partial * coeffs[closing].invert());

    let joint = ctx.joint_key();
    let h = blinding_base();
    let mut vars: Vec<Variable> = plan
        .values
        .iter()
        .zip(&blindings)
        .enumerate()
        .map(|(i, (&value, beta))| {
            let mut t = variable_transcript(ctx, &credential, i);
            let (ct, range) = RangeProof::new(joint, range_of(i, value), value, &mut t, rng);
            let ciphertext = *ct.inner();
            let beta = SecretKey::<G>::from_bytes(&beta.to_bytes()).expect("a reduced scalar");
            let (equivalence, commitment) =
                CommitmentEquivalenceProof::new(&ct.generalize(), joint, &beta, h, &mut t, rng);
            Variable {
                ciphertext,
                commitment,
                range,
                equivalence,
            }
        })
        .collect();
    let n = ctx.option_count();
    let kept_total = (vars.len() > n + 1).then(|| vars.pop()).flatten();
    let all_struck = (vars.len() > n).then(|| vars.pop()).flatten();
    let body = BallotBody {
        version: FORMAT_VERSION,
        manifest: ctx.hash,
        channel: voter.channel,
        credential,
        token: voter.token.clone(),
        options: vars,
        all_struck,
        kept_total,
    };
    let mut pop = possession_transcript(&codec::to_canonical(&body));
    let possession = ProofOfPossession::new(
        std::slice::from_ref(&voter.credential.keypair),
        &mut pop,
        rng,
    );
    Ballot { body, possession }
}

fn variable_transcript(ctx: &VoteContext, credential: &PublicKey<G>, index: usize) -> Transcript {
    let mut t = Transcript::new(b"chibo-ballot/v1/variable");
    t.append_message(b"manifest", &ctx.hash.0);
    t.append_message(b"credential", credential.as_bytes());
    t.append_u64(b"index", index as u64);
    t
}

fn possession_transcript(body: &[u8]) -> Transcript {
    let mut t = Transcript::new(b"chibo-ballot/v1/possession");
    t.append_message(b"body", &codec::sha256(body));
    t
}

/// H, the commitments' blinding base: hashed to the group, so nobody knows log_G(H).
pub(crate) fn blinding_base() -> RistrettoPoint {
    static H: OnceLock<RistrettoPoint> = OnceLock::new();
    *H.get_or_init(|| {
        let wide: [u8; 64] = Sha512::digest(b"chibo-ballot/v1/pedersen-blinding-base").into();
        RistrettoPoint::from_uniform_bytes(&wide)
    })
}

/// Serde for a group element as base64url of its 32-byte encoding.
pub(crate) mod element {
    use super::*;

    pub fn serialize<S: Serializer>(e: &RistrettoPoint, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 32];
        G::serialize_element(e, &mut buf);
        s.serialize_str(&codec::b64(&buf))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<RistrettoPoint, D::Error> {
        let bytes = codec::b64_vec::deserialize(d)?;
        if bytes.len() != 32 {
            return Err(serde::de::Error::custom("cần đúng 32 byte"));
        }
        G::deserialize_element(&bytes)
            .ok_or_else(|| serde::de::Error::custom("không phải điểm của nhóm"))
    }
}
