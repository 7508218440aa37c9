use chibo_rules::{
    Ballots, CaseKind, CaseOutcome, Code, DecisionKind, EvaluationGroup, Guard, LatePolicy, Level,
    Member, Performer, Rules, Side, Status, StepResult, Unit, ViolationKind, parse_code,
};

use crate::{d, roll};

fn round_trip<T: Code + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned>() {
    assert_eq!(T::ALL.len(), T::CODES.len());
    for (v, code) in T::ALL.iter().zip(T::CODES) {
        assert_eq!(v.as_str(), *code);
        assert_eq!(T::parse(code), Some(*v));
        assert_eq!(parse_code::<T>(code).unwrap(), *v);
        assert!(!v.label_vi().is_empty());
        // Codes are stable snake_case, and serde writes exactly them.
        assert!(
            code.bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()),
            "{code}"
        );
        assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{code}\""));
        assert_eq!(
            serde_json::from_str::<T>(&format!("\"{code}\"")).unwrap(),
            *v
        );
    }
    let mut codes = T::CODES.to_vec();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), T::CODES.len(), "duplicate codes");
    assert_eq!(T::parse("không_có"), None);
    let err = serde_json::from_str::<T>("\"khong_co\"")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("khong_co") && err.contains(T::CODES[0]),
        "{err}"
    );
}

#[test]
fn every_vocabulary_round_trips_through_its_codes_and_serde() {
    round_trip::<Status>();
    round_trip::<CaseKind>();
    round_trip::<Performer>();
    round_trip::<CaseOutcome>();
    round_trip::<Level>();
    round_trip::<Side>();
    round_trip::<ViolationKind>();
    round_trip::<EvaluationGroup>();
    round_trip::<Unit>();
    round_trip::<LatePolicy>();
    round_trip::<Guard>();
    round_trip::<StepResult>();
}

#[test]
fn one_status_vocabulary_covers_the_servers_and_the_engines() {
    // The server's stored statuses and the engine's roll statuses are all codes of Status.
    for code in [
        "du_bi",
        "chinh_thuc",
        "mien_sinh_hoat",
        "tam_thoi_den",
        "tam_thoi_di",
        "chuyen_di",
        "xoa_ten",
        "khai_tru",
        "tu_tran",
        "dinh_chi",
        "dang_chuyen",
    ] {
        assert!(Status::parse(code).is_some(), "{code}");
    }
    assert_eq!(Status::ALL.len(), 11);
    assert_eq!(Status::from_code("dinh_chi"), Some(Status::DinhChi));
    assert_eq!(Status::DinhChi.code(), "dinh_chi");
    let err = parse_code::<Status>("treo").unwrap_err();
    assert_eq!(err.what, "trạng thái đảng viên");
    assert!(
        err.to_string().starts_with(
            "trạng thái đảng viên không hợp lệ: \"treo\" (chỉ nhận: du_bi, chinh_thuc,"
        )
    );
    assert_eq!("tu_tran".parse::<Status>(), Ok(Status::TuTran));
    assert_eq!(Status::TuTran.to_string(), "tu_tran");
    // On the list: what a roll-call shows; the others have left it.
    let on: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| s.on_list())
        .collect();
    assert_eq!(
        on,
        [
            Status::DuBi,
            Status::ChinhThuc,
            Status::MienSinhHoat,
            Status::TamThoiDen,
            Status::TamThoiDi,
            Status::DinhChi
        ]
    );
    // Transfers.
    let transfers: Vec<CaseKind> = CaseKind::ALL
        .iter()
        .copied()
        .filter(|k| k.is_transfer())
        .collect();
    assert_eq!(transfers, CaseKind::TRANSFERS);
    assert!(!CaseKind::KyLuat.is_transfer());
    // Levels keep the order of the cumulative count.
    assert_eq!(
        Level::ALL,
        [
            Level::KhaiTru,
            Level::CachChuc,
            Level::CanhCao,
            Level::KhienTrach
        ]
    );
    assert!(Level::KhaiTru < Level::KhienTrach);
}

/// Members who have left the list, are in transit or are attached here temporarily count in
/// no base and vote nowhere; a suspended member is convened but out of the base.
#[test]
fn every_status_counts_as_the_rules_say_at_a_vote() {
    let rules = Rules::embedded();
    let on = d("2026-03-10");
    let mut r = roll("6ct 1dc 1db");
    for s in [
        Status::TamThoiDen,
        Status::DangChuyen,
        Status::ChuyenDi,
        Status::XoaTen,
        Status::KhaiTru,
        Status::TuTran,
    ] {
        r.push(Member::new(s, chibo_rules::Attendance::CoMat));
    }
    let dec = rules
        .decide(DecisionKind::NghiQuyet, &r, &Ballots::counts(4, 2, 0), on)
        .unwrap();
    assert_eq!(dec.tally.convened, 7);
    assert_eq!(dec.tally.suspended, 1);
    assert_eq!(dec.tally.voters_present, 6);
    assert_eq!(dec.tally.probationary_present, 1);
    assert_eq!(dec.base, 6);
    // all_full_members counts the suspended member (pack: all_full_members_statuses).
    let k = rules
        .decide(DecisionKind::KetNap, &r, &Ballots::counts(5, 1, 0), on)
        .unwrap();
    assert_eq!((k.base, k.needed), (7, 5));
    // Seven ballots from six voters present are refused, whatever the others' statuses.
    assert!(
        rules
            .decide(DecisionKind::NghiQuyet, &r, &Ballots::counts(7, 0, 0), on)
            .is_err()
    );
}
