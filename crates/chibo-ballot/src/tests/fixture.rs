//! A vote set up as the phones would set it up: key generation among n trustees through the
//! public round functions, token keys on the "head's phone", tokens issued blind.

use std::sync::OnceLock;

use chrono::NaiveDate;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::*;

pub(crate) fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// RSA key generation is the slow step; the keys are made once per test binary, from a seed.
pub(crate) fn issuer() -> &'static (TokenIssuer, TokenKeys) {
    static ISSUER: OnceLock<(TokenIssuer, TokenKeys)> = OnceLock::new();
    ISSUER.get_or_init(|| TokenIssuer::generate(&mut rng(9474)).expect("token keys"))
}

/// Runs the four key-generation rounds among `n` phones, relaying every message as the server
/// would. Returns each phone's outcome.
pub(crate) fn keygen(
    vote_id: VoteId,
    n: usize,
    k: usize,
    rng: &mut ChaCha20Rng,
) -> Vec<DkgOutcome> {
    let (states, msgs1): (Vec<_>, Vec<_>) = (0..n)
        .map(|i| DkgRound1::start(vote_id, n, k, i, rng).unwrap())
        .unzip();
    let (states, msgs2): (Vec<_>, Vec<_>) = states
        .into_iter()
        .map(|s| s.round2(&msgs1).unwrap())
        .unzip();
    let (states, sealed): (Vec<_>, Vec<Vec<SealedShare>>) = states
        .into_iter()
        .map(|s| s.round3(&msgs2, rng).unwrap())
        .unzip();
    let all: Vec<SealedShare> = sealed.into_iter().flatten().collect();
    states
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mine: Vec<SealedShare> =
                all.iter().filter(|m| m.to as usize == i).cloned().collect();
            s.finish(&mine).unwrap()
        })
        .collect()
}

/// A vote under way: its context, the trustees' phones and a seeded generator.
pub(crate) struct Poll {
    pub ctx: VoteContext,
    pub trustees: Vec<Trustee>,
    pub rng: ChaCha20Rng,
}

pub(crate) fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

/// `present` full members present and `excused` absent with a reason.
pub(crate) fn roll(present: u32, excused: u32) -> Vec<RollLine> {
    let mut r = vec![RollLine {
        status: "chinh_thuc".into(),
        attendance: "co_mat".into(),
        count: present,
    }];
    if excused > 0 {
        r.push(RollLine {
            status: "chinh_thuc".into(),
            attendance: "vang_co_ly_do".into(),
            count: excused,
        });
    }
    r
}

pub(crate) fn poll(
    ballot: BallotSpec,
    kind: &str,
    roll: Vec<RollLine>,
    n: usize,
    k: usize,
    seed: u64,
) -> Poll {
    let mut rng = rng(seed);
    let mut id = [0u8; 32];
    rand_core::Rng::fill_bytes(&mut rng, &mut id);
    let vote_id = VoteId(id);
    let outcomes = keygen(vote_id, n, k, &mut rng);
    let (_, token_keys) = issuer();
    let manifest = Manifest {
        version: FORMAT_VERSION,
        vote_id,
        title: "Bầu Ban Chấp hành Chi bộ nhiệm kỳ 2026–2028".into(),
        ballot,
        decision: DecisionSpec {
            kind: kind.into(),
            on: day(),
            roll,
            local_pack: None,
        },
        trustees: outcomes[0].trustees.clone(),
        token_keys: token_keys.clone(),
    };
    Poll {
        ctx: VoteContext::new(manifest).unwrap(),
        trustees: outcomes.into_iter().map(|o| o.trustee).collect(),
        rng,
    }
}

pub(crate) const NAMES: [&str; 7] = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Phương",
    "Đặng Văn Giang",
];

/// A strike-out election among the first `candidates` names for `seats` seats.
pub(crate) fn election(candidates: usize, seats: u32, roll: Vec<RollLine>, seed: u64) -> Poll {
    let spec = BallotSpec::StrikeOut {
        candidates: NAMES[..candidates].iter().map(|s| s.to_string()).collect(),
        seats,
    };
    poll(spec, "bau_cu", roll, 3, 2, seed)
}

/// A discipline ballot: the four levels, most severe first, then "no discipline".
pub(crate) fn discipline(roll: Vec<RollLine>, seed: u64) -> Poll {
    let opt = |label: &str, role: &str| ChoiceOption {
        label: label.into(),
        role: role.into(),
    };
    let spec = BallotSpec::SingleChoice {
        options: vec![
            opt("Khai trừ", "khai_tru"),
            opt("Cách chức", "cach_chuc"),
            opt("Cảnh cáo", "canh_cao"),
            opt("Khiển trách", "khien_trach"),
            opt("Không kỷ luật", "khong_ky_luat"),
        ],
    };
    poll(spec, "ky_luat", roll, 3, 2, seed)
}

pub(crate) fn keep(c: &[usize]) -> Vote {
    Vote::Keep {
        candidates: c.to_vec(),
    }
}

pub(crate) fn choice(option: usize) -> Vote {
    Vote::Choice { option }
}

impl Poll {
    /// A member's phone gets a token through the head's phone (blind).
    pub fn voter(&mut self, channel: Channel) -> Voter {
        let (issuer, _) = issuer();
        let m = &self.ctx.manifest;
        let key = match channel {
            Channel::Phone => &m.token_keys.phone,
            Channel::Paper => &m.token_keys.paper,
        };
        let credential = Credential::generate(&mut self.rng);
        let (request, pending) = credential
            .request_token(&m.vote_id, channel, key, &mut self.rng)
            .unwrap();
        let signed = issuer.sign(channel, &request, &mut self.rng).unwrap();
        pending.finish(&signed).unwrap()
    }

    pub fn ballot(&mut self, channel: Channel, vote: &Vote) -> Ballot {
        let voter = self.voter(channel);
        Ballot::cast(&self.ctx, &voter, vote, &mut self.rng).unwrap()
    }

    /// Casts every ballot through a box and closes it.
    pub fn board(
        &mut self,
        votes: &[(Channel, Vote)],
        issued: PerChannel,
        paper_invalid: u32,
    ) -> Board {
        let mut bx = BallotBox::new(self.ctx.clone());
        for (channel, vote) in votes {
            let b = self.ballot(*channel, vote);
            assert!(matches!(bx.cast(&b.to_bytes()).unwrap(), Cast::Accepted(_)));
        }
        bx.close(issued, paper_invalid).unwrap().0
    }

    /// Shares of the trustees at `which`, for the board as shown.
    pub fn shares(&mut self, board: &Board, which: &[usize]) -> Vec<DecryptionShare> {
        let bytes = board.to_bytes();
        let shown = board.hash();
        which
            .iter()
            .map(|&i| {
                self.trustees[i]
                    .decryption_share(&bytes, &shown, &mut self.rng)
                    .unwrap()
            })
            .collect()
    }

    pub fn record(&mut self, board: Board, which: &[usize]) -> (Record, VerifiedResult) {
        let shares = self.shares(&board, which);
        let checked = board.check().unwrap();
        Record::build(board, &checked, &shares).unwrap()
    }
}
