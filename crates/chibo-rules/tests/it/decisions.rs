use chibo_rules::{Ballots, DecideError, DecisionKind as K, Lang, Level, Outcome, Rules};

use crate::{d, roll};

const ON: &str = "2026-03-10";

fn counts(y: u32, n: u32, a: u32) -> Ballots {
    Ballots::counts(y, n, a)
}

/// (name, kind, roll, yes, no, abstain, outcome, needed, got, base)
#[allow(clippy::type_complexity)]
const COUNT_CASES: &[(&str, K, &str, u32, u32, u32, Outcome, u32, u32, u32)] = &[
    (
        "issue example: 7/12 passes",
        K::NghiQuyet,
        "12ct 2ct-ld 1msh-ld",
        7,
        3,
        2,
        Outcome::Dat,
        7,
        7,
        12,
    ),
    (
        "6/12 is not more than half",
        K::NghiQuyet,
        "12ct 2ct-ld 1msh-ld",
        6,
        4,
        2,
        Outcome::KhongDat,
        7,
        6,
        12,
    ),
    (
        "exactly half of 10 fails",
        K::NghiQuyet,
        "10ct",
        5,
        5,
        0,
        Outcome::KhongDat,
        6,
        5,
        10,
    ),
    (
        "everyone abstains",
        K::NghiQuyet,
        "10ct",
        0,
        0,
        10,
        Outcome::KhongDat,
        6,
        0,
        10,
    ),
    (
        "nobody votes at all",
        K::NghiQuyet,
        "10ct",
        0,
        0,
        0,
        Outcome::KhongDat,
        6,
        0,
        10,
    ),
    (
        "unexcused absentees stay in the base",
        K::NghiQuyet,
        "8ct 2ct-kld",
        6,
        2,
        0,
        Outcome::Dat,
        6,
        6,
        10,
    ),
    (
        "quorum of 2/3 not met",
        K::NghiQuyet,
        "5ct 5ct-kld",
        5,
        0,
        0,
        Outcome::KhongHopLe,
        6,
        5,
        10,
    ),
    (
        "quorum met exactly (7 of 10)",
        K::NghiQuyet,
        "7ct 3ct-kld",
        6,
        1,
        0,
        Outcome::Dat,
        6,
        6,
        10,
    ),
    (
        "exempt member present counts",
        K::NghiQuyet,
        "9ct 1msh",
        6,
        4,
        0,
        Outcome::Dat,
        6,
        6,
        10,
    ),
    (
        "exempt member present: 5 of 10 fails",
        K::NghiQuyet,
        "9ct 1msh",
        5,
        5,
        0,
        Outcome::KhongDat,
        6,
        5,
        10,
    ),
    (
        "exempt member absent is excluded",
        K::NghiQuyet,
        "9ct 1msh-ld",
        5,
        4,
        0,
        Outcome::Dat,
        5,
        5,
        9,
    ),
    (
        "exempt member absent without reason is excluded",
        K::NghiQuyet,
        "9ct 1msh-kld",
        5,
        4,
        0,
        Outcome::Dat,
        5,
        5,
        9,
    ),
    (
        "temporarily away members are excluded",
        K::NghiQuyet,
        "9ct 2ttd",
        5,
        4,
        0,
        Outcome::Dat,
        5,
        5,
        9,
    ),
    (
        "suspended member is excluded",
        K::NghiQuyet,
        "9ct 1dc",
        5,
        4,
        0,
        Outcome::Dat,
        5,
        5,
        9,
    ),
    (
        "probationary members are not in the base",
        K::NghiQuyet,
        "9ct 3db",
        5,
        4,
        0,
        Outcome::Dat,
        5,
        5,
        9,
    ),
    (
        "2/3 of 6 needs 4 (admission)",
        K::KetNap,
        "6ct",
        4,
        2,
        0,
        Outcome::Dat,
        4,
        4,
        6,
    ),
    (
        "2/3 of 6: 3 fails",
        K::KetNap,
        "6ct",
        3,
        3,
        0,
        Outcome::KhongDat,
        4,
        3,
        6,
    ),
    (
        "2/3 of 7 needs 5",
        K::KetNap,
        "7ct",
        5,
        2,
        0,
        Outcome::Dat,
        5,
        5,
        7,
    ),
    (
        "2/3 of 7: 4 fails",
        K::KetNap,
        "7ct",
        4,
        3,
        0,
        Outcome::KhongDat,
        5,
        4,
        7,
    ),
    (
        "2/3 of 9 needs 6",
        K::KetNap,
        "9ct",
        6,
        3,
        0,
        Outcome::Dat,
        6,
        6,
        9,
    ),
    (
        "2/3 of 9: 5 fails",
        K::KetNap,
        "9ct",
        5,
        4,
        0,
        Outcome::KhongDat,
        6,
        5,
        9,
    ),
    (
        "admission counts all full members, absent too",
        K::KetNap,
        "9ct 3ct-ld",
        8,
        1,
        0,
        Outcome::Dat,
        8,
        8,
        12,
    ),
    (
        "admission: 7 of 12 full members is not 2/3",
        K::KetNap,
        "9ct 3ct-ld",
        7,
        2,
        0,
        Outcome::KhongDat,
        8,
        7,
        12,
    ),
    (
        "admission counts exempt absent members",
        K::KetNap,
        "8ct 1msh-ld",
        6,
        2,
        0,
        Outcome::Dat,
        6,
        6,
        9,
    ),
    (
        "admission ignores probationary members",
        K::KetNap,
        "6ct 2db",
        4,
        2,
        0,
        Outcome::Dat,
        4,
        4,
        6,
    ),
    (
        "recognition 2/3 of 9",
        K::CongNhanChinhThuc,
        "9ct",
        6,
        3,
        0,
        Outcome::Dat,
        6,
        6,
        9,
    ),
    (
        "recognition 5 of 9 fails",
        K::CongNhanChinhThuc,
        "9ct",
        5,
        4,
        0,
        Outcome::KhongDat,
        6,
        5,
        9,
    ),
    (
        "removing a probationary member: 2/3 of 7",
        K::XoaTenDuBi,
        "7ct 1db",
        5,
        2,
        0,
        Outcome::Dat,
        5,
        5,
        7,
    ),
    (
        "removing a probationary member: 4 of 7 fails",
        K::XoaTenDuBi,
        "7ct 1db",
        4,
        3,
        0,
        Outcome::KhongDat,
        5,
        4,
        7,
    ),
    (
        "xóa tên: more than half of 11",
        K::XoaTen,
        "11ct",
        6,
        5,
        0,
        Outcome::Dat,
        6,
        6,
        11,
    ),
    (
        "xóa tên: 5 of 11 fails",
        K::XoaTen,
        "11ct",
        5,
        6,
        0,
        Outcome::KhongDat,
        6,
        5,
        11,
    ),
    (
        "expulsion proposal: 2/3 of 9",
        K::DeNghiKhaiTru,
        "9ct",
        6,
        3,
        0,
        Outcome::Dat,
        6,
        6,
        9,
    ),
    (
        "expulsion proposal: 5 of 9 fails",
        K::DeNghiKhaiTru,
        "9ct",
        5,
        4,
        0,
        Outcome::KhongDat,
        6,
        5,
        9,
    ),
    (
        "expulsion proposal: excused absentees excluded",
        K::DeNghiKhaiTru,
        "9ct 3ct-ld",
        6,
        3,
        0,
        Outcome::Dat,
        6,
        6,
        9,
    ),
    (
        "empty roll is invalid",
        K::NghiQuyet,
        "",
        0,
        0,
        0,
        Outcome::KhongHopLe,
        1,
        0,
        0,
    ),
    (
        // The cell's full members exist (base 3) but none is convened to vote: invalid,
        // not merely "not passed".
        "admission with every full member excused: invalid",
        K::KetNap,
        "3ct-ld",
        0,
        0,
        0,
        Outcome::KhongHopLe,
        2,
        0,
        3,
    ),
    (
        "only suspended members: invalid",
        K::NghiQuyet,
        "3dc",
        0,
        0,
        0,
        Outcome::KhongHopLe,
        1,
        0,
        0,
    ),
];

#[test]
fn count_cases() {
    let rules = Rules::embedded();
    for &(name, kind, r, y, n, a, outcome, needed, got, base) in COUNT_CASES {
        let dec = rules
            .decide(kind, &roll(r), &counts(y, n, a), d(ON))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (dec.outcome, dec.needed, dec.got, dec.base),
            (outcome, needed, got, base),
            "{name}: {}",
            dec.explain(Lang::Vi)
        );
    }
}

#[test]
fn issue_example_explanation() {
    let dec = Rules::embedded()
        .decide(
            K::NghiQuyet,
            &roll("12ct 2ct-ld 1msh-ld"),
            &counts(7, 3, 2),
            d(ON),
        )
        .unwrap();
    assert_eq!(
        dec.explain(Lang::Vi),
        "Đạt (nghị quyết): 7/12 tán thành (cần hơn 1/2 của 12 đảng viên (15 đảng viên chính thức \
         được triệu tập, trừ 2 vắng có lý do và 1 miễn sinh hoạt vắng mặt), tức ít nhất 7) — \
         Điều lệ Đảng, Điều 9(5); QĐ 24-QĐ/TW, mục 9.3.2"
    );
    assert!(
        dec.explain(Lang::En)
            .starts_with("Passed (resolution): 7/12 in favour (needs more than 1/2")
    );
    assert_eq!(
        dec.citations,
        ["Điều lệ Đảng, Điều 9(5)", "QĐ 24-QĐ/TW, mục 9.3.2"]
    );
    assert!(!dec.secret_ballot_required);
}

#[test]
fn probationary_ballots_are_rejected() {
    let err = Rules::embedded()
        .decide(K::NghiQuyet, &roll("5ct 2db"), &counts(7, 0, 0), d(ON))
        .unwrap_err();
    assert_eq!(
        err,
        DecideError::TooManyBallots {
            ballots: 7,
            voters: 5,
            probationary_present: 2
        }
    );
    assert!(err.to_string().contains("đảng viên dự bị"));
}

#[test]
fn ballots_must_fit_the_kind() {
    let rules = Rules::embedded();
    let levels = Ballots::Levels {
        levels: [0, 0, 1, 0],
        khong_ky_luat: 0,
    };
    assert!(matches!(
        rules.decide(K::NghiQuyet, &roll("5ct"), &levels, d(ON)),
        Err(DecideError::WrongBallots("nghi_quyet"))
    ));
    assert!(matches!(
        rules.decide(K::KyLuat, &roll("5ct"), &counts(3, 0, 0), d(ON)),
        Err(DecideError::WrongBallots("ky_luat"))
    ));
    assert!(matches!(
        rules.decide(K::BauCu, &roll("5ct"), &counts(3, 0, 0), d(ON)),
        Err(DecideError::WrongBallots("bau_cu"))
    ));
}

#[test]
fn secret_ballot_flags() {
    let rules = Rules::embedded();
    let secret = |k: K| {
        let b = match k {
            K::KyLuat => Ballots::Levels {
                levels: [0; 4],
                khong_ky_luat: 0,
            },
            K::BauCu => Ballots::Election {
                candidates: vec![("A".into(), 0)],
                seats: 1,
            },
            _ => counts(0, 0, 0),
        };
        rules
            .decide(k, &roll("5ct"), &b, d(ON))
            .unwrap()
            .secret_ballot_required
    };
    assert!(secret(K::BauCu));
    assert!(secret(K::KyLuat));
    assert!(secret(K::DeNghiKhaiTru));
    assert!(!secret(K::NghiQuyet));
    assert!(!secret(K::KetNap));
}

/// (name, roll, [khai_tru, cach_chuc, canh_cao, khien_trach], none, outcome, level, cascaded, upward, needed, got)
#[allow(clippy::type_complexity)]
const DISCIPLINE_CASES: &[(
    &str,
    &str,
    [u32; 4],
    u32,
    Outcome,
    Option<Level>,
    bool,
    bool,
    u32,
    u32,
)] = &[
    (
        "warning with a plain majority",
        "10ct",
        [0, 0, 6, 2],
        2,
        Outcome::Dat,
        Some(Level::CanhCao),
        false,
        false,
        6,
        6,
    ),
    (
        "reprimand only after cascading",
        "10ct",
        [2, 1, 2, 3],
        2,
        Outcome::Dat,
        Some(Level::KhienTrach),
        true,
        false,
        6,
        8,
    ),
    (
        "warning after cascading from expulsion",
        "10ct",
        [3, 1, 2, 2],
        2,
        Outcome::Dat,
        Some(Level::CanhCao),
        true,
        false,
        6,
        6,
    ),
    (
        "expulsion with 2/3: proposed upward",
        "10ct",
        [7, 0, 0, 0],
        3,
        Outcome::Dat,
        Some(Level::KhaiTru),
        false,
        true,
        7,
        7,
    ),
    (
        "expulsion short of 2/3 cascades to removal from post",
        "10ct",
        [6, 0, 0, 0],
        4,
        Outcome::Dat,
        Some(Level::CachChuc),
        true,
        true,
        6,
        6,
    ),
    (
        "no level reaches a majority: no discipline",
        "10ct",
        [0, 0, 0, 3],
        7,
        Outcome::KhongDat,
        None,
        false,
        false,
        6,
        3,
    ),
    (
        "all for no discipline",
        "9ct",
        [0, 0, 0, 0],
        9,
        Outcome::KhongDat,
        None,
        false,
        false,
        5,
        0,
    ),
    (
        "excused absentee lowers the base",
        "9ct 1ct-ld",
        [0, 0, 0, 5],
        4,
        Outcome::Dat,
        Some(Level::KhienTrach),
        false,
        false,
        5,
        5,
    ),
];

#[test]
fn discipline_cascade() {
    let rules = Rules::embedded();
    for &(name, r, levels, none, outcome, level, cascaded, upward, needed, got) in DISCIPLINE_CASES
    {
        let b = Ballots::Levels {
            levels,
            khong_ky_luat: none,
        };
        let dec = rules.decide(K::KyLuat, &roll(r), &b, d(ON)).unwrap();
        assert_eq!(
            (
                dec.outcome,
                dec.level,
                dec.cascaded,
                dec.proposed_upward,
                dec.needed,
                dec.got
            ),
            (outcome, level, cascaded, upward, needed, got),
            "{name}: {}",
            dec.explain(Lang::Vi)
        );
    }
}

#[test]
fn discipline_explanation_mentions_cascade_and_upward_proposal() {
    let b = Ballots::Levels {
        levels: [6, 0, 0, 0],
        khong_ky_luat: 4,
    };
    let dec = Rules::embedded()
        .decide(K::KyLuat, &roll("10ct"), &b, d(ON))
        .unwrap();
    let vi = dec.explain(Lang::Vi);
    assert!(
        vi.contains("hình thức cách chức, 6/10 phiếu khi cộng dồn"),
        "{vi}"
    );
    assert!(
        vi.contains("chi bộ đề nghị cấp ủy có thẩm quyền quyết định"),
        "{vi}"
    );
    assert!(vi.contains("phiếu kín"), "{vi}");
    assert!(dec.citations.iter().any(|c| c.contains("22-QĐ/TW")));
}

fn election(
    r: &str,
    cands: &[(&str, u32)],
    seats: u32,
) -> Result<chibo_rules::Decision, DecideError> {
    let b = Ballots::Election {
        candidates: cands.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
        seats,
    };
    Rules::embedded().decide(K::BauCu, &roll(r), &b, d(ON))
}

#[test]
fn election_cases() {
    // rules-vn §3: 11 members, 10 present, 5 votes → not elected, 6 needed.
    let e = election("10ct 1ct-kld", &[("A", 5)], 1).unwrap();
    assert_eq!(
        (e.outcome, e.needed, e.base, e.elected.len()),
        (Outcome::KhongDat, 6, 11, 0)
    );

    let e = election("10ct", &[("A", 8), ("B", 7), ("C", 6), ("D", 3)], 2).unwrap();
    assert_eq!(e.outcome, Outcome::Dat);
    assert_eq!(e.elected, ["A", "B"]);
    assert_eq!(e.got, 7);
    assert!(e.tied_at_last_seat.is_empty());
    // The explanation names the elected as elected and the others as not.
    let vi = e.explain(Lang::Vi);
    assert!(
        vi.contains(
            "trúng cử 2/2 chỗ: A (8 phiếu), B (7 phiếu); không trúng cử: C (6 phiếu), D (3 phiếu)"
        ),
        "{vi}"
    );
    let en = e.explain(Lang::En);
    assert!(
        en.contains(
            "2/2 seats filled: A (8 votes), B (7 votes); not elected: C (6 votes), D (3 votes)"
        ),
        "{en}"
    );

    // Every member present voting for one candidate is not "too many votes".
    let e = election("5ct 2db", &[("A", 5), ("B", 0)], 1).unwrap();
    assert_eq!(
        (e.outcome, e.elected.clone()),
        (Outcome::Dat, vec!["A".to_string()])
    );

    // Tie across the last seat: neither B nor C.
    let e = election("10ct", &[("A", 8), ("B", 7), ("C", 7)], 2).unwrap();
    assert_eq!(e.outcome, Outcome::KhongDat);
    assert_eq!(e.elected, ["A"]);
    assert_eq!(e.tied_at_last_seat, ["B", "C"]);
    assert!(e.explain(Lang::Vi).contains("B và C bằng phiếu nhau"));

    // A tie inside the seats elects both.
    let e = election("10ct", &[("A", 7), ("B", 7)], 2).unwrap();
    assert_eq!((e.outcome, e.elected.len()), (Outcome::Dat, 2));

    // A tie for a single seat elects nobody.
    let e = election("10ct", &[("A", 6), ("B", 6)], 1).unwrap();
    assert_eq!(e.elected.len(), 0);
    assert_eq!(e.tied_at_last_seat, ["A", "B"]);

    // Nobody above the threshold.
    let e = election("10ct", &[("A", 5), ("B", 4)], 1).unwrap();
    assert_eq!(
        (e.outcome, e.elected.len(), e.got),
        (Outcome::KhongDat, 0, 0)
    );

    // Fewer above the threshold than seats: fill what is filled.
    let e = election("10ct", &[("A", 9), ("B", 2), ("C", 1)], 3).unwrap();
    assert_eq!(
        (e.outcome, e.elected.clone()),
        (Outcome::KhongDat, vec!["A".to_string()])
    );

    assert!(matches!(
        election("5ct 2db", &[("A", 6)], 1),
        Err(DecideError::TooManyVotes {
            votes: 6,
            voters: 5,
            ..
        })
    ));
    assert!(matches!(
        election("5ct", &[("A", 1)], 0),
        Err(DecideError::BadElection(_))
    ));
    assert!(matches!(
        election("5ct", &[], 1),
        Err(DecideError::BadElection(_))
    ));
    assert!(matches!(
        election("5ct", &[("A", 1), ("A", 2)], 1),
        Err(DecideError::BadElection(_))
    ));
}

#[test]
fn recognition_failing_three_times_escalates() {
    let rules = Rules::embedded();
    let fail = counts(5, 4, 0);
    for (previous, escalate) in [(0, false), (1, false), (2, true), (3, true)] {
        let dec = rules
            .decide_recognition(&roll("9ct"), &fail, previous, d(ON))
            .unwrap();
        assert_eq!(dec.outcome, Outcome::KhongDat);
        assert_eq!(dec.failed_attempts, previous + 1);
        assert_eq!(dec.escalate, escalate, "previous {previous}");
    }
    let third = rules
        .decide_recognition(&roll("9ct"), &fail, 2, d(ON))
        .unwrap();
    assert!(third.explain(Lang::Vi).contains("báo cáo cấp ủy cấp trên"));
    let pass = rules
        .decide_recognition(&roll("9ct"), &counts(6, 3, 0), 2, d(ON))
        .unwrap();
    assert_eq!(
        (pass.outcome, pass.escalate, pass.failed_attempts),
        (Outcome::Dat, false, 0)
    );
}

#[test]
fn a_local_pack_can_drop_the_quorum() {
    let local = r#"
id = "dang-uy-ben-nghe"
title = "Quy chế làm việc Đảng ủy phường Bến Nghé"

[params]
meeting_quorum = { value = "none", source = { document = "Quy chế làm việc", number = "01-QC/ĐU", article = "Điều 5" }, confidence = "V" }
"#;
    let rules = Rules::with_local_pack(local).unwrap();
    let dec = rules
        .decide(K::NghiQuyet, &roll("5ct 5ct-kld"), &counts(5, 0, 0), d(ON))
        .unwrap();
    assert_eq!(dec.outcome, Outcome::KhongDat);
    let dec = Rules::embedded()
        .decide(K::NghiQuyet, &roll("5ct 5ct-kld"), &counts(5, 0, 0), d(ON))
        .unwrap();
    assert_eq!(dec.outcome, Outcome::KhongHopLe);
    assert!(
        dec.explain(Lang::Vi).contains("cần ít nhất 7 (2/3 của 10)"),
        "{}",
        dec.explain(Lang::Vi)
    );
}

/// An empty base of the threshold invalidates the vote even when members are convened.
#[test]
fn an_empty_base_is_invalid_even_with_members_present() {
    let local = r#"
id = "x"
[params]
all_full_members_statuses = { value = ["mien_sinh_hoat"], source = { document = "Quy chế" }, confidence = "U" }
"#;
    let rules = Rules::with_local_pack(local).unwrap();
    let dec = rules
        .decide(K::KetNap, &roll("3ct"), &counts(3, 0, 0), d(ON))
        .unwrap();
    assert_eq!(dec.base, 0);
    assert_eq!(dec.tally.convened_base(), 3);
    assert_eq!(dec.invalid, Some(chibo_rules::Invalid::EmptyBase));
    assert_eq!(dec.outcome, Outcome::KhongHopLe);
}

/// The citations follow the level reached: an expulsion proposal cites its own threshold
/// first, a level the cell may impose does not cite it.
#[test]
fn discipline_citations_follow_the_level() {
    let rules = Rules::embedded();
    let expel = Ballots::Levels {
        levels: [7, 0, 0, 0],
        khong_ky_luat: 2,
    };
    let dec = rules
        .decide(K::KyLuat, &roll("9ct"), &expel, d(ON))
        .unwrap();
    assert_eq!(dec.level, Some(chibo_rules::Level::KhaiTru));
    assert_eq!(dec.citations[0], "QĐ 69-QĐ/TW, Điều 15");
    assert!(dec.citations.iter().any(|c| c == "Điều lệ Đảng, Điều 36"));
    let warn = Ballots::Levels {
        levels: [0, 0, 6, 0],
        khong_ky_luat: 3,
    };
    let dec = rules.decide(K::KyLuat, &roll("9ct"), &warn, d(ON)).unwrap();
    assert_eq!(dec.level, Some(chibo_rules::Level::CanhCao));
    assert!(!dec.proposed_upward);
    // Neither the expulsion threshold nor the cell's limit is cited for a warning.
    assert_eq!(dec.citations.len(), 3, "{:?}", dec.citations);
    assert!(!dec.citations.iter().any(|c| c == "Điều lệ Đảng, Điều 36"));
}

/// A đảng ủy that lets probationary members vote (a local pack): their ballots count.
#[test]
fn probationary_votes_count_where_a_pack_allows_them() {
    let local = r#"
id = "x"
[params]
probationary_can_vote = { value = true, source = { document = "Quy chế" }, confidence = "U" }
"#;
    let rules = Rules::with_local_pack(local).unwrap();
    let dec = rules
        .decide(K::NghiQuyet, &roll("4ct 2db"), &counts(6, 0, 0), d(ON))
        .unwrap();
    assert_eq!(dec.tally.voters_present, 6);
    assert_eq!(dec.tally.probationary_present, 2);
    assert_eq!(dec.outcome, Outcome::Dat);
    assert!(
        Rules::embedded()
            .decide(K::NghiQuyet, &roll("4ct 2db"), &counts(6, 0, 0), d(ON))
            .is_err()
    );
}

#[test]
fn no_rules_before_the_first_pack() {
    let err = Rules::embedded().decide(
        K::NghiQuyet,
        &roll("5ct"),
        &counts(3, 0, 0),
        d("2021-07-29"),
    );
    assert!(matches!(
        err,
        Err(DecideError::Rules(chibo_rules::RulesError::NoPackInForce(
            _
        )))
    ));
}
