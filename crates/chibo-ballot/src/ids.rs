//! Identifiers and small value types shared by every stage.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codec::{self, hex_32};

/// A vote's identifier: 32 random bytes chosen when the vote is opened. Tokens are signed over
/// it, so a token of one vote is worthless in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VoteId(#[serde(with = "hex_32")] pub [u8; 32]);

/// A ballot's tracker: SHA-256 of its canonical bytes. The voter's phone shows it; the board
/// lists every ballot under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Tracker(#[serde(with = "hex_32")] pub [u8; 32]);

/// SHA-256 of a canonical object (manifest, board, record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Digest(#[serde(with = "hex_32")] pub [u8; 32]);

impl VoteId {
    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        codec::hex(&self.0)
    }
}

impl Tracker {
    /// Lower-case hex (64 digits), as stored and published.
    pub fn to_hex(&self) -> String {
        codec::hex(&self.0)
    }

    /// Parses 64 lower-case hex digits.
    pub fn from_hex(text: &str) -> Option<Tracker> {
        codec::unhex32(text).map(Tracker)
    }

    /// The short form a voter looks for on the board: the first 8 hex digits in two groups.
    pub fn short(&self) -> String {
        let h = self.to_hex();
        format!("{}-{}", &h[..4], &h[4..8])
    }
}

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(codec::sha256(bytes))
    }

    /// Lower-case hex (64 digits).
    pub fn to_hex(&self) -> String {
        codec::hex(&self.0)
    }

    /// Parses 64 lower-case hex digits.
    pub fn from_hex(text: &str) -> Option<Digest> {
        codec::unhex32(text).map(Digest)
    }
}

impl fmt::Display for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// How a ballot reached the box. Each channel has its own token key, its own "issued" count, and
/// the record checks cast ≤ issued for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Cast from a member's phone.
    Phone,
    /// A valid paper ballot entered by the counting committee.
    Paper,
}

impl Channel {
    /// `"phone"` or `"paper"` (stored in `sv_issued.channel` and `sv_ballot.channel`).
    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Paper => "paper",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Channel> {
        [Channel::Phone, Channel::Paper]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

/// A count per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerChannel {
    /// Phone channel.
    pub phone: u32,
    /// Paper channel.
    pub paper: u32,
}

impl PerChannel {
    /// The count of `channel`.
    pub fn get(&self, channel: Channel) -> u32 {
        match channel {
            Channel::Phone => self.phone,
            Channel::Paper => self.paper,
        }
    }

    /// Both channels together.
    pub fn total(&self) -> u64 {
        u64::from(self.phone) + u64::from(self.paper)
    }

    pub(crate) fn bump(&mut self, channel: Channel) {
        match channel {
            Channel::Phone => self.phone += 1,
            Channel::Paper => self.paper += 1,
        }
    }
}
