//! From decrypted counts to the outcome, by the rules (`chibo-rules`). The record stores the
//! outcome; the verifier decides again from the record's own inputs (decision kind, day, the
//! roll as counts, the local pack verbatim) and compares, so a record cannot claim an outcome
//! the rules in force that day do not give.

use chibo_rules::{Attendance, Ballots, Code, DecisionKind, Level, Member, Rules, Status};
use serde::{Deserialize, Serialize};

use crate::manifest::{BallotSpec, DecisionSpec, Manifest};
use crate::{ManifestError, OutcomeError};

/// Role codes of a yes/no/abstain ballot.
const YES: &str = "tan_thanh";
const NO: &str = "khong_tan_thanh";
const ABSTAIN: &str = "khong_bieu_quyet";
/// Role code of "no discipline" on a discipline ballot.
const NO_DISCIPLINE: &str = "khong_ky_luat";

/// The decrypted counts, as the biên bản kiểm phiếu states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Ballots issued per channel.
    pub issued: crate::PerChannel,
    /// Ballots in the box per channel (paper: the valid ones the committee entered).
    pub cast: crate::PerChannel,
    /// Invalid paper ballots (counted by the committee, never entered).
    pub paper_invalid: u32,
    /// Ballots with every name struck (invalid; known only as this total).
    pub all_struck: u32,
    /// Valid ballots.
    pub valid: u32,
    /// Invalid ballots (all struck + invalid paper).
    pub invalid: u32,
    /// Per option (single choice) or per candidate (votes kept), in ballot order.
    pub options: Vec<u32>,
}

/// The outcome the rules give, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    /// Decision kind code.
    pub kind: String,
    /// `dat`, `khong_dat` or `khong_hop_le`.
    pub outcome: String,
    /// The base of the count.
    pub base: u32,
    /// Votes needed.
    pub needed: u32,
    /// Votes obtained (cumulative for discipline; weakest elected candidate for elections).
    pub got: u32,
    /// Discipline: the level reached.
    pub level: Option<String>,
    /// Discipline: proposed to the upper committee.
    pub proposed_upward: bool,
    /// Election: names elected, by votes.
    pub elected: Vec<String>,
    /// Election: candidates tied for the last seat (none of them elected).
    pub tied_at_last_seat: Vec<String>,
    /// A further round is needed among the tied candidates.
    pub revote: bool,
    /// The rules applied.
    pub citations: Vec<String>,
}

/// Checks that the decision inputs fit the ballot (done when a manifest is accepted).
pub(crate) fn check_spec(d: &DecisionSpec, ballot: &BallotSpec) -> Result<(), ManifestError> {
    let bad = |m: String| Err(ManifestError::Decision(m));
    let Some(kind) = DecisionKind::from_code(&d.kind) else {
        return bad(format!("loại biểu quyết không rõ: {}", d.kind));
    };
    for line in &d.roll {
        if Status::from_code(&line.status).is_none()
            || Attendance::from_code(&line.attendance).is_none()
        {
            return bad(format!(
                "dòng danh sách không hợp lệ: {} / {}",
                line.status, line.attendance
            ));
        }
    }
    let roll: u64 = d.roll.iter().map(|l| u64::from(l.count)).sum();
    if roll == 0 || roll > 100_000 {
        return bad(format!("danh sách có {roll} đảng viên"));
    }
    match (kind, ballot) {
        (DecisionKind::BauCu, BallotSpec::StrikeOut { .. }) => Ok(()),
        (DecisionKind::BauCu, _) => bad("bầu cử dùng phiếu gạch tên".into()),
        (_, BallotSpec::StrikeOut { .. }) => bad("phiếu gạch tên chỉ dùng cho bầu cử".into()),
        (DecisionKind::KyLuat, BallotSpec::SingleChoice { options }) => {
            roles_unique(options, |r| r == NO_DISCIPLINE || level(r).is_some())
        }
        (_, BallotSpec::SingleChoice { options }) => {
            roles_unique(options, |r| [YES, NO, ABSTAIN].contains(&r))?;
            if options.iter().any(|o| o.role == YES) {
                Ok(())
            } else {
                bad("thiếu phương án tán thành".into())
            }
        }
    }
}

fn roles_unique(
    options: &[crate::ChoiceOption],
    allowed: impl Fn(&str) -> bool,
) -> Result<(), ManifestError> {
    let mut seen = std::collections::HashSet::new();
    for o in options {
        if !allowed(&o.role) || !seen.insert(o.role.as_str()) {
            return Err(ManifestError::Decision(format!(
                "vai trò phương án không hợp lệ hoặc lặp: {}",
                o.role
            )));
        }
    }
    Ok(())
}

fn level(code: &str) -> Option<Level> {
    Level::parse(code)
}

/// Applies the rules to the counts.
pub(crate) fn decide(
    m: &Manifest,
    counts: &Counts,
) -> Result<(chibo_rules::Decision, OutcomeRecord), OutcomeError> {
    let d = &m.decision;
    let err = |e: &dyn std::fmt::Display| OutcomeError(e.to_string());
    let rules = match &d.local_pack {
        None => Rules::embedded(),
        Some(text) => Rules::with_local_pack(text).map_err(|errs| {
            OutcomeError(
                errs.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?,
    };
    let kind = DecisionKind::from_code(&d.kind).ok_or_else(|| err(&d.kind))?;
    let mut roll = Vec::new();
    for line in &d.roll {
        let status = Status::from_code(&line.status).ok_or_else(|| err(&line.status))?;
        let att = Attendance::from_code(&line.attendance).ok_or_else(|| err(&line.attendance))?;
        roll.extend(std::iter::repeat_n(
            Member::new(status, att),
            line.count as usize,
        ));
    }
    let ballots = match &m.ballot {
        BallotSpec::StrikeOut { candidates, seats } => Ballots::Election {
            candidates: candidates
                .iter()
                .cloned()
                .zip(counts.options.iter().copied())
                .collect(),
            seats: *seats,
        },
        BallotSpec::SingleChoice { options } if kind == DecisionKind::KyLuat => {
            let mut levels = [0u32; 4];
            let mut none = 0;
            for (o, &n) in options.iter().zip(&counts.options) {
                match level(&o.role) {
                    Some(l) => levels[l as usize] = n,
                    None => none = n,
                }
            }
            Ballots::Levels {
                levels,
                khong_ky_luat: none,
            }
        }
        BallotSpec::SingleChoice { options } => {
            let of = |role: &str| {
                options
                    .iter()
                    .zip(&counts.options)
                    .find(|(o, _)| o.role == role)
                    .map_or(0, |(_, &n)| n)
            };
            Ballots::counts(of(YES), of(NO), of(ABSTAIN))
        }
    };
    let decision = rules
        .decide(kind, &roll, &ballots, d.on)
        .map_err(|e| err(&e))?;
    // Ballots go only to members entitled to vote who are present.
    let voters = decision.tally.voters_present;
    if counts.issued.total() > u64::from(voters) {
        return Err(OutcomeError(format!(
            "số phiếu phát ra ({}) nhiều hơn số đảng viên có quyền biểu quyết có mặt ({voters})",
            counts.issued.total()
        )));
    }
    let record = OutcomeRecord {
        kind: kind.code().into(),
        outcome: decision.outcome.code().into(),
        base: decision.base,
        needed: decision.needed,
        got: decision.got,
        level: decision.level.map(|l| l.as_str().into()),
        proposed_upward: decision.proposed_upward,
        elected: decision.elected.clone(),
        tied_at_last_seat: decision.tied_at_last_seat.clone(),
        revote: !decision.tied_at_last_seat.is_empty(),
        citations: decision.citations.clone(),
    };
    Ok((decision, record))
}
