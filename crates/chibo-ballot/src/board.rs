//! The ballot box during casting, and the closed board.

use std::collections::{BTreeMap, HashMap, HashSet};

use elastic_elgamal::Ciphertext;
use serde::{Deserialize, Serialize};

use crate::ballot::Ballot;
use crate::codec;
use crate::ids::{Channel, Digest, PerChannel, Tracker};
use crate::manifest::{BallotSpec, FORMAT_VERSION, Manifest, VoteContext};
use crate::{BoardError, CastError, G};

/// Largest board or record accepted (about 1,400 ballots of 64 options).
pub const MAX_BOARD_BYTES: usize = 64 * 1024 * 1024;

/// What a cast did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cast {
    /// A new ballot, now in the box.
    Accepted(Tracker),
    /// The very same ballot was already in the box (a phone resubmitting, e.g. after a server
    /// restart): nothing changes.
    AlreadyCast(Tracker),
}

impl Cast {
    /// The ballot's tracker.
    pub fn tracker(&self) -> Tracker {
        match self {
            Cast::Accepted(t) | Cast::AlreadyCast(t) => *t,
        }
    }
}

/// The box while casting is open: held in memory by the server, written once at close.
#[derive(Debug)]
pub struct BallotBox {
    ctx: VoteContext,
    ballots: BTreeMap<Tracker, Ballot>,
    credentials: HashMap<Vec<u8>, Tracker>,
    cast: PerChannel,
}

impl BallotBox {
    /// An empty box for the vote.
    pub fn new(ctx: VoteContext) -> BallotBox {
        BallotBox {
            ctx,
            ballots: BTreeMap::new(),
            credentials: HashMap::new(),
            cast: PerChannel::default(),
        }
    }

    /// The cast-time check: the bytes are one canonical ballot for this vote, its token is valid
    /// for this vote and its channel, its credential unused, every proof valid. Resubmitting the
    /// same bytes is idempotent.
    pub fn cast(&mut self, bytes: &[u8]) -> Result<Cast, CastError> {
        let ballot = Ballot::from_bytes(bytes).map_err(CastError::Malformed)?;
        let tracker = Tracker(codec::sha256(bytes));
        if self.ballots.contains_key(&tracker) {
            return Ok(Cast::AlreadyCast(tracker));
        }
        ballot.verify(&self.ctx).map_err(CastError::from_fault)?;
        let key = ballot.credential().as_bytes().to_vec();
        if self.credentials.contains_key(&key) {
            return Err(CastError::CredentialUsed);
        }
        self.credentials.insert(key, tracker);
        self.cast.bump(ballot.channel());
        self.ballots.insert(tracker, ballot);
        Ok(Cast::Accepted(tracker))
    }

    /// Ballots in the box per channel.
    pub fn cast_count(&self) -> PerChannel {
        self.cast
    }

    /// The ballots in tracker order, as `(tracker, channel, canonical bytes)`: the rows of
    /// `sv_ballot`, to be inserted in this order in one transaction.
    pub fn rows(&self) -> Vec<(Tracker, Channel, Vec<u8>)> {
        self.ballots
            .iter()
            .map(|(t, b)| (*t, b.channel(), b.to_bytes()))
            .collect()
    }

    /// Closes the box into a board (see [`Board::assemble`]).
    pub fn close(
        self,
        issued: PerChannel,
        paper_invalid: u32,
    ) -> Result<(Board, CheckedBoard), BoardError> {
        Board::assemble(&self.ctx, self.ballots.into_values(), issued, paper_invalid)
    }
}

/// The closed board: the manifest, the issued counts, the count of invalid paper ballots and
/// every ballot in tracker order. Its hash is what the trustees check before decrypting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Board {
    pub(crate) version: u32,
    pub(crate) manifest: Manifest,
    pub(crate) issued: PerChannel,
    pub(crate) paper_invalid: u32,
    pub(crate) ballots: Vec<Ballot>,
}

/// A board that verified, with what it yields.
#[derive(Debug, Clone)]
pub struct CheckedBoard {
    pub(crate) ctx: VoteContext,
    pub(crate) hash: Digest,
    pub(crate) cast: PerChannel,
    pub(crate) aggregate: Vec<Ciphertext<G>>,
    pub(crate) trackers: Vec<Tracker>,
}

impl Board {
    /// Builds the board from the ballots (any order; e.g. the rows of `sv_ballot` read back,
    /// phone and paper) and verifies it; the check is returned for [`crate::Record::build`].
    pub fn assemble(
        ctx: &VoteContext,
        ballots: impl IntoIterator<Item = Ballot>,
        issued: PerChannel,
        paper_invalid: u32,
    ) -> Result<(Board, CheckedBoard), BoardError> {
        let mut ballots: Vec<(Tracker, Ballot)> =
            ballots.into_iter().map(|b| (b.tracker(), b)).collect();
        ballots.sort_by_key(|(t, _)| *t);
        let board = Board {
            version: FORMAT_VERSION,
            manifest: ctx.manifest.clone(),
            issued,
            paper_invalid,
            ballots: ballots.into_iter().map(|(_, b)| b).collect(),
        };
        let checked = board.check()?;
        Ok((board, checked))
    }

    /// Parses canonical bytes (bounded).
    pub fn from_bytes(bytes: &[u8]) -> Result<Board, BoardError> {
        codec::from_canonical(bytes, MAX_BOARD_BYTES).map_err(BoardError::Malformed)
    }

    /// The canonical bytes (published when the box closes).
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::to_canonical(self)
    }

    /// SHA-256 of the canonical bytes: shown in the room, checked by the trustees.
    pub fn hash(&self) -> Digest {
        Digest::of(&self.to_bytes())
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Trackers in board order.
    pub fn trackers(&self) -> Vec<Tracker> {
        self.ballots.iter().map(Ballot::tracker).collect()
    }

    /// Verifies everything: manifest, order, every ballot, credential uniqueness, cast ≤ issued
    /// per channel (paper: valid entered + invalid ≤ issued); and sums the ballots.
    pub fn check(&self) -> Result<CheckedBoard, BoardError> {
        if self.version != FORMAT_VERSION {
            return Err(BoardError::Version);
        }
        let ctx = VoteContext::new(self.manifest.clone())?;
        let mut trackers = Vec::with_capacity(self.ballots.len());
        let mut credentials = HashSet::new();
        let mut cast = PerChannel::default();
        let width = ctx.option_count()
            + usize::from(matches!(ctx.manifest.ballot, BallotSpec::StrikeOut { .. }));
        let mut aggregate = vec![Ciphertext::<G>::zero(); width];
        for b in &self.ballots {
            let tracker = b.tracker();
            if trackers.last().is_some_and(|last| *last >= tracker) {
                return Err(BoardError::Order);
            }
            b.verify(&ctx).map_err(|f| BoardError::Ballot {
                tracker,
                error: CastError::from_fault(f),
            })?;
            if !credentials.insert(b.credential().as_bytes().to_vec()) {
                return Err(BoardError::DuplicateCredential(tracker));
            }
            cast.bump(b.channel());
            for (sum, ct) in aggregate.iter_mut().zip(b.tallied()) {
                *sum += ct;
            }
            trackers.push(tracker);
        }
        for (channel, used) in [
            (Channel::Phone, u64::from(cast.phone)),
            (
                Channel::Paper,
                u64::from(cast.paper) + u64::from(self.paper_invalid),
            ),
        ] {
            if used > u64::from(self.issued.get(channel)) {
                return Err(BoardError::CastOverIssued {
                    channel,
                    cast: used,
                    issued: self.issued.get(channel),
                });
            }
        }
        Ok(CheckedBoard {
            hash: self.hash(),
            ctx,
            cast,
            aggregate,
            trackers,
        })
    }
}

impl CheckedBoard {
    /// The board's hash.
    pub fn hash(&self) -> Digest {
        self.hash
    }

    /// Ballots per channel.
    pub fn cast(&self) -> PerChannel {
        self.cast
    }

    /// Trackers in board order.
    pub fn trackers(&self) -> &[Tracker] {
        &self.trackers
    }

    /// The vote's context.
    pub fn context(&self) -> &VoteContext {
        &self.ctx
    }
}
