//! The decision engine: who may vote, the base of the count, the threshold, and the outcome
//! of a cell vote, with an explanation that cites the rules it applied.

use chrono::NaiveDate;

use crate::fraction::{Fraction, Threshold};
use crate::vocab::{Level, Status};
use crate::{Lang, PackView, Rules, RulesError};

/// What the cell votes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionKind {
    /// Ordinary resolution (nghị quyết).
    NghiQuyet,
    /// Election (chi ủy, bí thư, phó bí thư, delegates).
    BauCu,
    /// Admission of a new member (kết nạp).
    KetNap,
    /// Recognition of a probationary member as full member.
    CongNhanChinhThuc,
    /// Removal of a probationary member (xóa tên đảng viên dự bị).
    XoaTenDuBi,
    /// Discipline, with cumulative counting from the most severe level.
    KyLuat,
    /// Removal from the list (xóa tên).
    XoaTen,
    /// Proposal to expel (đề nghị khai trừ).
    DeNghiKhaiTru,
}

impl DecisionKind {
    /// Every kind, in the order of the JSON contract.
    pub const ALL: [DecisionKind; 8] = [
        DecisionKind::NghiQuyet,
        DecisionKind::BauCu,
        DecisionKind::KetNap,
        DecisionKind::CongNhanChinhThuc,
        DecisionKind::XoaTenDuBi,
        DecisionKind::KyLuat,
        DecisionKind::XoaTen,
        DecisionKind::DeNghiKhaiTru,
    ];

    /// The code used in packs and JSON, e.g. `"ket_nap"`.
    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::NghiQuyet => "nghi_quyet",
            DecisionKind::BauCu => "bau_cu",
            DecisionKind::KetNap => "ket_nap",
            DecisionKind::CongNhanChinhThuc => "cong_nhan_chinh_thuc",
            DecisionKind::XoaTenDuBi => "xoa_ten_du_bi",
            DecisionKind::KyLuat => "ky_luat",
            DecisionKind::XoaTen => "xoa_ten",
            DecisionKind::DeNghiKhaiTru => "de_nghi_khai_tru",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<DecisionKind> {
        DecisionKind::ALL.into_iter().find(|k| k.code() == code)
    }

    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (DecisionKind::NghiQuyet, Lang::Vi) => "nghị quyết",
            (DecisionKind::NghiQuyet, Lang::En) => "resolution",
            (DecisionKind::BauCu, Lang::Vi) => "bầu cử",
            (DecisionKind::BauCu, Lang::En) => "election",
            (DecisionKind::KetNap, Lang::Vi) => "kết nạp đảng viên",
            (DecisionKind::KetNap, Lang::En) => "admission",
            (DecisionKind::CongNhanChinhThuc, Lang::Vi) => "công nhận đảng viên chính thức",
            (DecisionKind::CongNhanChinhThuc, Lang::En) => "recognition as full member",
            (DecisionKind::XoaTenDuBi, Lang::Vi) => "xóa tên đảng viên dự bị",
            (DecisionKind::XoaTenDuBi, Lang::En) => "removal of a probationary member",
            (DecisionKind::KyLuat, Lang::Vi) => "kỷ luật",
            (DecisionKind::KyLuat, Lang::En) => "discipline",
            (DecisionKind::XoaTen, Lang::Vi) => "xóa tên",
            (DecisionKind::XoaTen, Lang::En) => "removal from the list",
            (DecisionKind::DeNghiKhaiTru, Lang::Vi) => "đề nghị khai trừ",
            (DecisionKind::DeNghiKhaiTru, Lang::En) => "proposal to expel",
        }
    }
}

/// Attendance at the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attendance {
    /// Present.
    CoMat,
    /// Absent for the whole meeting with a reason approved by the convener.
    VangCoLyDo,
    /// Absent without reason.
    VangKhongLyDo,
}

impl Attendance {
    /// The code used in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Attendance::CoMat => "co_mat",
            Attendance::VangCoLyDo => "vang_co_ly_do",
            Attendance::VangKhongLyDo => "vang_khong_ly_do",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Attendance> {
        [
            Attendance::CoMat,
            Attendance::VangCoLyDo,
            Attendance::VangKhongLyDo,
        ]
        .into_iter()
        .find(|a| a.code() == code)
    }
}

/// One line of the roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// Standing.
    pub status: Status,
    /// Attendance.
    pub attendance: Attendance,
}

impl Member {
    /// A roll line.
    pub fn new(status: Status, attendance: Attendance) -> Member {
        Member { status, attendance }
    }
}

impl Level {
    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Level::KhaiTru, Lang::Vi) => "khai trừ",
            (Level::KhaiTru, Lang::En) => "expulsion",
            (Level::CachChuc, Lang::Vi) => "cách chức",
            (Level::CachChuc, Lang::En) => "removal from post",
            (Level::CanhCao, Lang::Vi) => "cảnh cáo",
            (Level::CanhCao, Lang::En) => "warning",
            (Level::KhienTrach, Lang::Vi) => "khiển trách",
            (Level::KhienTrach, Lang::En) => "reprimand",
        }
    }
}

/// The ballots or counts of a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ballots {
    /// Yes / no / not voting.
    Counts {
        /// In favour.
        tan_thanh: u32,
        /// Against.
        khong_tan_thanh: u32,
        /// Did not vote / abstained.
        khong_bieu_quyet: u32,
    },
    /// A discipline ballot: votes per level (index as [`Level::ALL`]) and for no discipline.
    Levels {
        /// Votes for each level, most severe first.
        levels: [u32; 4],
        /// Votes for no discipline.
        khong_ky_luat: u32,
    },
    /// An election: votes per candidate, and seats to fill.
    Election {
        /// (name, votes) in ballot order.
        candidates: Vec<(String, u32)>,
        /// Seats to fill.
        seats: u32,
    },
}

impl Ballots {
    /// Shorthand for [`Ballots::Counts`].
    pub fn counts(tan_thanh: u32, khong_tan_thanh: u32, khong_bieu_quyet: u32) -> Ballots {
        Ballots::Counts {
            tan_thanh,
            khong_tan_thanh,
            khong_bieu_quyet,
        }
    }

    fn total(&self) -> u64 {
        match self {
            Ballots::Counts {
                tan_thanh,
                khong_tan_thanh,
                khong_bieu_quyet,
            } => u64::from(*tan_thanh) + u64::from(*khong_tan_thanh) + u64::from(*khong_bieu_quyet),
            Ballots::Levels {
                levels,
                khong_ky_luat,
            } => levels.iter().map(|&n| u64::from(n)).sum::<u64>() + u64::from(*khong_ky_luat),
            Ballots::Election { .. } => 0,
        }
    }
}

/// Passed, not passed, or the procedure is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Đạt.
    Dat,
    /// Không đạt.
    KhongDat,
    /// Không hợp lệ (e.g. quorum not met, nobody to count).
    KhongHopLe,
}

impl Outcome {
    /// `"dat"`, `"khong_dat"` or `"khong_hop_le"`.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Dat => "dat",
            Outcome::KhongDat => "khong_dat",
            Outcome::KhongHopLe => "khong_hop_le",
        }
    }
}

/// One candidate's result in an election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateResult {
    /// Name as entered.
    pub name: String,
    /// Votes received.
    pub votes: u32,
    /// Above the threshold.
    pub above_threshold: bool,
    /// Elected (above the threshold and within the seats).
    pub elected: bool,
}

/// Errors in the input of a decision (the messages are shown to cell secretaries).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecideError {
    /// The input is not valid JSON or misses a field.
    #[error("dữ liệu vào không hợp lệ: {0}")]
    Input(String),
    /// Unknown decision kind.
    #[error(
        "loại biểu quyết không hợp lệ: \"{0}\" (chỉ nhận nghi_quyet, bau_cu, ket_nap, cong_nhan_chinh_thuc, xoa_ten_du_bi, ky_luat, xoa_ten, de_nghi_khai_tru)"
    )]
    UnknownKind(String),
    /// The ballots do not fit the kind (e.g. counts for a discipline vote).
    #[error("kiểu phiếu không phù hợp với loại biểu quyết {0}")]
    WrongBallots(&'static str),
    /// More ballots than members entitled to vote who are present.
    #[error("số phiếu ({ballots}) nhiều hơn số đảng viên có quyền biểu quyết có mặt ({voters}){}", if *.probationary_present > 0 { format!("; {} đảng viên dự bị có mặt không được biểu quyết", .probationary_present) } else { String::new() })]
    TooManyBallots {
        /// Ballots counted.
        ballots: u64,
        /// Voters present.
        voters: u32,
        /// Probationary members present (whose ballots do not count).
        probationary_present: u32,
    },
    /// A candidate has more votes than voters present.
    #[error(
        "ứng cử viên \"{name}\" có {votes} phiếu, nhiều hơn số đảng viên có quyền bầu cử có mặt ({voters})"
    )]
    TooManyVotes {
        /// Candidate.
        name: String,
        /// Votes entered.
        votes: u32,
        /// Voters present.
        voters: u32,
    },
    /// An election without seats or candidates, or with a repeated name.
    #[error("danh sách bầu cử không hợp lệ: {0}")]
    BadElection(String),
    /// The rules could not answer.
    #[error(transparent)]
    Rules(#[from] RulesError),
}

/// How the roll counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Full members convened (every status except probationary).
    pub convened: u32,
    /// Full members absent with an approved reason.
    pub excused_absent: u32,
    /// Exempted members who are absent.
    pub exempt_absent: u32,
    /// Members temporarily attached elsewhere.
    pub temp_away: u32,
    /// Suspended members.
    pub suspended: u32,
    /// Members entitled to vote who are present.
    pub voters_present: u32,
    /// Probationary members present.
    pub probationary_present: u32,
    /// Full members of the cell as the pack counts them for admission and recognition.
    pub all_full: u32,
}

impl Tally {
    fn of(roll: &[Member], view: &PackView<'_>) -> Result<Tally, RulesError> {
        let all_full_statuses: Vec<String> = view.get("all_full_members_statuses")?;
        let probationary_vote: bool = view.get("probationary_can_vote")?;
        let mut t = Tally::default();
        for m in roll {
            let present = m.attendance == Attendance::CoMat;
            if all_full_statuses.iter().any(|s| s == m.status.code()) {
                t.all_full += 1;
            }
            match m.status {
                Status::DuBi => {
                    if present {
                        t.probationary_present += 1;
                        t.voters_present += u32::from(probationary_vote);
                    }
                    continue;
                }
                Status::ChinhThuc if m.attendance == Attendance::VangCoLyDo => {
                    t.excused_absent += 1
                }
                Status::MienSinhHoat if !present => t.exempt_absent += 1,
                Status::TamThoiDi => t.temp_away += 1,
                Status::DinhChi => t.suspended += 1,
                Status::ChinhThuc | Status::MienSinhHoat => {
                    t.voters_present += u32::from(present);
                }
                // Attached here temporarily (QĐ 24 item 6.3: not counted in the host's
                // membership), in transit, or no longer on the list: neither base nor voter.
                Status::TamThoiDen
                | Status::DangChuyen
                | Status::ChuyenDi
                | Status::XoaTen
                | Status::KhaiTru
                | Status::TuTran => continue,
            }
            t.convened += 1;
        }
        Ok(t)
    }

    /// The base of QĐ 24 item 9.3.2: convened minus those it excludes.
    pub fn convened_base(&self) -> u32 {
        self.convened - self.excused_absent - self.exempt_absent - self.temp_away - self.suspended
    }
}

/// Which members a threshold counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseRule {
    /// Convened full members minus the exclusions of QĐ 24 item 9.3.2.
    ConvenedMinusExclusions,
    /// All full members of the cell.
    AllFullMembers,
}

/// Why a vote is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Nobody counts in the base.
    EmptyBase,
    /// Fewer voters present than the quorum.
    Quorum {
        /// The pack's quorum.
        quorum: Fraction,
        /// Voters needed present.
        needed: u32,
    },
}

/// The result of a vote, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What was voted on.
    pub kind: DecisionKind,
    /// Passed / not passed / invalid.
    pub outcome: Outcome,
    /// Votes needed.
    pub needed: u32,
    /// Votes obtained (cumulative for discipline; weakest elected candidate for elections).
    pub got: u32,
    /// The base of the count.
    pub base: u32,
    /// The pass rule applied.
    pub threshold: Threshold,
    /// Which members the base counts.
    pub base_rule: BaseRule,
    /// Whether the rules require a secret ballot for this kind.
    pub secret_ballot_required: bool,
    /// How the roll counted.
    pub tally: Tally,
    /// Why the vote is invalid, if it is.
    pub invalid: Option<Invalid>,
    /// Discipline: the level reached (`None` = no discipline).
    pub level: Option<Level>,
    /// Discipline: whether the level was reached only by adding votes of more severe levels.
    pub cascaded: bool,
    /// Discipline: the level is beyond what the cell may impose; it proposes it upward.
    pub proposed_upward: bool,
    /// Election: every candidate's result, by votes (descending).
    pub candidates: Vec<CandidateResult>,
    /// Election: names elected.
    pub elected: Vec<String>,
    /// Election: candidates tied for the last seat (none of them elected).
    pub tied_at_last_seat: Vec<String>,
    /// Election: seats to fill.
    pub seats: u32,
    /// Recognition: failed attempts so far including this one, when it failed.
    pub failed_attempts: u32,
    /// Recognition: the case goes to the upper committee.
    pub escalate: bool,
    /// Sources of every rule applied.
    pub citations: Vec<String>,
}

impl Rules {
    /// Decides a vote of `kind` held on `on` with the given roll and ballots.
    pub fn decide(
        &self,
        kind: DecisionKind,
        roll: &[Member],
        ballots: &Ballots,
        on: NaiveDate,
    ) -> Result<Decision, DecideError> {
        let view = self.pack_at(on)?;
        let tally = Tally::of(roll, &view)?;
        let p = |suffix: &str| format!("{}_{suffix}", kind.code());
        let threshold: Threshold = view.get(&p("threshold"))?;
        let base_rule = match view.get::<String>(&p("base"))?.as_str() {
            "all_full_members" => BaseRule::AllFullMembers,
            _ => BaseRule::ConvenedMinusExclusions,
        };
        let base = match base_rule {
            BaseRule::AllFullMembers => tally.all_full,
            BaseRule::ConvenedMinusExclusions => tally.convened_base(),
        };
        let secret: bool = view.get(&p("secret_ballot"))?;
        let mut citations = vec![view.cite(&p("threshold"))?, view.cite(&p("base"))?];

        match (kind, ballots) {
            (DecisionKind::KyLuat, Ballots::Levels { .. })
            | (DecisionKind::BauCu, Ballots::Election { .. }) => {}
            (DecisionKind::KyLuat, _) => return Err(DecideError::WrongBallots("ky_luat")),
            (DecisionKind::BauCu, _) => return Err(DecideError::WrongBallots("bau_cu")),
            (_, Ballots::Counts { .. }) => {}
            (k, _) => return Err(DecideError::WrongBallots(k.code())),
        }
        if ballots.total() > u64::from(tally.voters_present) {
            return Err(DecideError::TooManyBallots {
                ballots: ballots.total(),
                voters: tally.voters_present,
                probationary_present: tally.probationary_present,
            });
        }

        let mut d = Decision {
            kind,
            outcome: Outcome::KhongDat,
            needed: threshold.needed(base),
            got: 0,
            base,
            threshold,
            base_rule,
            secret_ballot_required: secret,
            tally,
            invalid: None,
            level: None,
            cascaded: false,
            proposed_upward: false,
            candidates: Vec::new(),
            elected: Vec::new(),
            tied_at_last_seat: Vec::new(),
            seats: 0,
            failed_attempts: 0,
            escalate: false,
            citations: Vec::new(),
        };

        let quorum: Option<Fraction> = view.get("meeting_quorum")?;
        let convened_base = tally.convened_base();
        if base == 0 || convened_base == 0 {
            d.invalid = Some(Invalid::EmptyBase);
        } else if let Some(q) = quorum
            && q.cmp_ratio(u64::from(tally.voters_present), u64::from(convened_base))
                .is_lt()
        {
            d.invalid = Some(Invalid::Quorum {
                quorum: q,
                needed: u32::try_from(q.ceil_of(u64::from(convened_base))).unwrap_or(u32::MAX),
            });
            citations.push(view.cite("meeting_quorum")?);
        }

        match ballots {
            Ballots::Counts { tan_thanh, .. } => {
                d.got = *tan_thanh;
                d.outcome = if threshold.met(d.got, base) {
                    Outcome::Dat
                } else {
                    Outcome::KhongDat
                };
            }
            Ballots::Levels { levels, .. } => {
                discipline(&mut d, &view, levels, &mut citations)?;
            }
            Ballots::Election { candidates, seats } => {
                election(&mut d, candidates, *seats)?;
            }
        }
        if d.invalid.is_some() {
            d.outcome = Outcome::KhongHopLe;
        }
        if secret {
            citations.push(view.cite(&p("secret_ballot"))?);
        }
        citations.dedup();
        let mut seen = std::collections::HashSet::new();
        citations.retain(|c| seen.insert(c.clone()));
        d.citations = citations;
        Ok(d)
    }

    /// Decides a recognition vote, knowing how many earlier votes on the same person failed
    /// (to recognise or to remove). When this one fails too and the failures reach the pack's
    /// limit, [`Decision::escalate`] is set: the case goes to the upper committee.
    pub fn decide_recognition(
        &self,
        roll: &[Member],
        ballots: &Ballots,
        previous_failed_attempts: u32,
        on: NaiveDate,
    ) -> Result<Decision, DecideError> {
        let mut d = self.decide(DecisionKind::CongNhanChinhThuc, roll, ballots, on)?;
        if d.outcome != Outcome::Dat {
            let view = self.pack_at(on)?;
            let limit: u32 = view.get("recognition_max_failed_votes_before_escalation")?;
            d.failed_attempts = previous_failed_attempts + 1;
            if d.failed_attempts >= limit {
                d.escalate = true;
                d.citations
                    .push(view.cite("recognition_max_failed_votes_before_escalation")?);
            }
        }
        Ok(d)
    }
}

/// Counts a discipline ballot: from the most severe level down, each level's votes are added to
/// the votes for the levels above it until one reaches its threshold (QĐ 22, Điều 15).
fn discipline(
    d: &mut Decision,
    view: &PackView<'_>,
    levels: &[u32; 4],
    citations: &mut Vec<String>,
) -> Result<(), DecideError> {
    let expel: Threshold = view.get("de_nghi_khai_tru_threshold")?;
    let max_level: String = view.get("cell_discipline_max_level")?;
    let mut cumulative = 0u32;
    for (level, &votes) in Level::ALL.iter().zip(levels) {
        cumulative += votes;
        let t = if *level == Level::KhaiTru {
            expel
        } else {
            d.threshold
        };
        if t.met(cumulative, d.base) {
            d.level = Some(*level);
            d.cascaded = votes < cumulative;
            d.threshold = t;
            d.needed = t.needed(d.base);
            d.got = cumulative;
            d.outcome = Outcome::Dat;
            // A level more severe than the cell may impose is proposed to the upper committee.
            d.proposed_upward = Level::ALL
                .iter()
                .position(|l| l.as_str() == max_level)
                .is_some_and(|max| (*level as usize) < max);
            if *level == Level::KhaiTru {
                citations.insert(0, view.cite("de_nghi_khai_tru_threshold")?);
            }
            if d.proposed_upward {
                citations.push(view.cite("cell_discipline_max_level")?);
            }
            return Ok(());
        }
    }
    d.got = cumulative;
    d.outcome = Outcome::KhongDat;
    Ok(())
}

/// Elected = above the threshold, then by votes up to the seats; a tie across the last seat
/// elects none of the tied candidates (a further round decides).
fn election(d: &mut Decision, candidates: &[(String, u32)], seats: u32) -> Result<(), DecideError> {
    if seats == 0 {
        return Err(DecideError::BadElection(
            "số chỗ cần bầu phải lớn hơn 0".into(),
        ));
    }
    if candidates.is_empty() {
        return Err(DecideError::BadElection("không có ứng cử viên".into()));
    }
    let mut names = std::collections::HashSet::new();
    for (name, votes) in candidates {
        if name.trim().is_empty() || !names.insert(name.trim()) {
            return Err(DecideError::BadElection(format!(
                "tên ứng cử viên trống hoặc trùng: \"{name}\""
            )));
        }
        if *votes > d.tally.voters_present {
            return Err(DecideError::TooManyVotes {
                name: name.clone(),
                votes: *votes,
                voters: d.tally.voters_present,
            });
        }
    }
    d.seats = seats;
    let mut ranked: Vec<CandidateResult> = candidates
        .iter()
        .map(|(name, votes)| CandidateResult {
            name: name.clone(),
            votes: *votes,
            above_threshold: d.threshold.met(*votes, d.base),
            elected: false,
        })
        .collect();
    ranked.sort_by_key(|c| std::cmp::Reverse(c.votes));
    let above: Vec<usize> = (0..ranked.len())
        .filter(|&i| ranked[i].above_threshold)
        .collect();
    let seats_us = seats as usize;
    let cut = if above.len() > seats_us {
        // Votes of the last seat; if the first one left out has as many, the tie is not broken.
        let last = ranked[above[seats_us - 1]].votes;
        if ranked[above[seats_us]].votes == last {
            d.tied_at_last_seat = above
                .iter()
                .filter(|&&i| ranked[i].votes == last)
                .map(|&i| ranked[i].name.clone())
                .collect();
            above.iter().filter(|&&i| ranked[i].votes > last).count()
        } else {
            seats_us
        }
    } else {
        above.len()
    };
    for &i in &above[..cut] {
        ranked[i].elected = true;
        d.elected.push(ranked[i].name.clone());
    }
    d.got = ranked
        .iter()
        .filter(|c| c.elected)
        .map(|c| c.votes)
        .min()
        .unwrap_or(0);
    d.outcome = if d.elected.len() == seats_us {
        Outcome::Dat
    } else {
        Outcome::KhongDat
    };
    d.candidates = ranked;
    Ok(())
}

impl Decision {
    /// The explanation in `lang`, ending with the citations.
    pub fn explain(&self, lang: Lang) -> String {
        crate::decision_text::explain(self, lang)
    }

    pub(crate) fn kind_name(&self, lang: Lang) -> &'static str {
        self.kind.name(lang)
    }

    pub(crate) fn level_name(level: Level, lang: Lang) -> &'static str {
        level.name(lang)
    }
}
