//! The guards: rules a step must meet that need registry data, each with its citation.

use chibo_rules::{
    BadgeCandidate, CaseKind, Discipline, Guard, Interruption, Introducer, Level, Rules, Status,
    ViolationKind,
};

use crate::d;

fn codes<T: std::fmt::Debug>(r: Result<T, Vec<chibo_rules::Violation>>) -> Vec<&'static str> {
    r.expect_err("should be refused")
        .iter()
        .map(|v| v.code)
        .collect()
}

#[test]
fn candidate_age_on_the_day_the_cell_considers_the_case() {
    let rules = Rules::embedded();
    // Eighteen in full months: not the day before the birthday, the birthday itself yes.
    let e = rules
        .check_admission_age(d("2008-03-15"), d("2026-03-14"), false)
        .unwrap_err();
    assert_eq!(e[0].guard, Guard::TuoiKetNap);
    assert_eq!(
        e[0].to_string(),
        "người vào Đảng sinh ngày 15/03/2008 chưa đủ 18 tuổi (tính theo tháng) vào ngày 14/03/2026 — QĐ 232-QĐ/TW, mục 1.1"
    );
    // No exception below the minimum.
    assert_eq!(
        codes(rules.check_admission_age(d("2008-03-15"), d("2026-03-14"), true)),
        ["tuoi_ket_nap.under_min"]
    );
    assert!(
        !rules
            .check_admission_age(d("2008-03-15"), d("2026-03-15"), false)
            .unwrap()
            .exception_used
    );
    assert_eq!(
        codes(rules.check_admission_age(d("2027-01-01"), d("2026-03-15"), false)),
        ["tuoi_ket_nap.under_min"]
    );
    // Sixty counted in months: through the month after the 60th birthday, then the competent
    // committee's approval is needed (recorded as the exception).
    assert!(
        rules
            .check_admission_age(d("1966-03-15"), d("2026-04-14"), false)
            .is_ok()
    );
    let e = rules
        .check_admission_age(d("1966-03-15"), d("2026-04-15"), false)
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "người vào Đảng sinh ngày 15/03/1966 đã quá 60 tuổi vào ngày 15/04/2026: cần cấp ủy có thẩm quyền đồng ý trước khi chi bộ xét — QĐ 232-QĐ/TW, mục 1.1"
    );
    assert!(
        rules
            .check_admission_age(d("1966-03-15"), d("2026-04-15"), true)
            .unwrap()
            .exception_used
    );
    // From 26/7/2026 the citation is QĐ 208's.
    let e = rules
        .check_admission_age(d("1966-03-15"), d("2026-08-15"), false)
        .unwrap_err();
    assert!(e[0].citation.starts_with("QĐ 208-QĐ/TW"));
    // The older yes/no answer agrees.
    assert!(
        !rules
            .admission_age_ok(d("1966-03-15"), d("2026-04-15"))
            .unwrap()
    );
    assert!(
        rules
            .admission_age_ok(d("1966-03-15"), d("2026-04-14"))
            .unwrap()
    );
    assert!(
        rules
            .admission_age_ok(d("2000-01-01"), d("2019-01-01"))
            .is_err()
    );
}

#[test]
fn awareness_certificate_is_valid_five_years() {
    let rules = Rules::embedded();
    assert_eq!(
        rules
            .check_awareness_certificate(d("2021-09-10"), d("2026-09-09"))
            .unwrap(),
        d("2026-09-09")
    );
    let e = rules
        .check_awareness_certificate(d("2021-09-10"), d("2026-09-10"))
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "giấy chứng nhận bồi dưỡng nhận thức về Đảng cấp ngày 10/09/2021 chỉ có giá trị 5 năm, đến hết ngày 09/09/2026 — Hướng dẫn của cấp ủy, nhà trường"
    );
    // Issued the day the cell considers the case: valid.
    assert_eq!(
        rules
            .check_awareness_certificate(d("2026-02-27"), d("2026-02-27"))
            .unwrap(),
        d("2031-02-26")
    );
    // Issued before the first pack: the validity in force on the day of the check counts.
    assert!(
        rules
            .check_awareness_certificate(d("2021-03-01"), d("2026-02-27"))
            .is_ok()
    );
    assert_eq!(
        codes(rules.check_awareness_certificate(d("2026-03-01"), d("2026-02-27"))),
        ["giay_chung_nhan.not_yet"]
    );
}

fn introducer() -> Introducer {
    Introducer {
        status: Status::ChinhThuc,
        admission: d("2010-01-01"),
        interruptions: vec![],
        known_since: d("2024-01-01"),
        same_cell: true,
        same_dang_bo: true,
    }
}

#[test]
fn introducers_must_be_eligible_full_members() {
    let rules = Rules::embedded();
    let on = d("2026-03-10");
    rules.check_introducer(&introducer(), on).unwrap();
    // A probationary member.
    let e = rules
        .check_introducer(
            &Introducer {
                status: Status::DuBi,
                ..introducer()
            },
            on,
        )
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "người giới thiệu đang là \"Dự bị\": chỉ đảng viên chính thức được giới thiệu — QĐ 24-QĐ/TW, mục 3.2.1 (\"đảng viên chính thức\")"
    );
    // Exempted members are full members but not introducers under the national pack.
    assert_eq!(
        codes(rules.check_introducer(
            &Introducer {
                status: Status::MienSinhHoat,
                ..introducer()
            },
            on
        )),
        ["nguoi_gioi_thieu.status"]
    );
    // Too young in the Party (a registry saying "full" after six months), interruptions count.
    let young = Introducer {
        admission: d("2025-09-01"),
        ..introducer()
    };
    let e = rules.check_introducer(&young, on).unwrap_err();
    assert_eq!(e[0].code, "nguoi_gioi_thieu.party_age");
    assert!(
        e[0].message
            .contains("tuổi đảng 0 năm 6 tháng, cần ít nhất 12 tháng")
    );
    let interrupted = Introducer {
        admission: d("2025-02-15"),
        interruptions: vec![Interruption {
            from: d("2025-03-01"),
            to: d("2025-03-31"),
        }],
        ..introducer()
    };
    assert_eq!(
        codes(rules.check_introducer(&interrupted, on)),
        ["nguoi_gioi_thieu.party_age"]
    );
    let enough = Introducer {
        admission: d("2025-02-15"),
        ..introducer()
    };
    rules.check_introducer(&enough, on).unwrap();
    // One year and two months: years and months both count.
    let more = Introducer {
        admission: d("2025-01-01"),
        ..introducer()
    };
    rules.check_introducer(&more, on).unwrap();
    // Known to the candidate for 9 months only.
    let e = rules
        .check_introducer(
            &Introducer {
                known_since: d("2025-06-01"),
                ..introducer()
            },
            on,
        )
        .unwrap_err();
    assert_eq!(
        e[0].message,
        "người giới thiệu mới cùng công tác, học tập hoặc cư trú với người vào Đảng 9 tháng (từ 01/06/2025), cần ít nhất 12 tháng"
    );
    rules
        .check_introducer(
            &Introducer {
                known_since: d("2025-03-10"),
                ..introducer()
            },
            on,
        )
        .unwrap();
    assert_eq!(
        codes(rules.check_introducer(
            &Introducer {
                known_since: d("2026-04-01"),
                ..introducer()
            },
            on
        )),
        ["nguoi_gioi_thieu.shared_time"]
    );
    // Another cell of the same đảng bộ cơ sở is allowed; another đảng bộ is not.
    let other_cell = Introducer {
        same_cell: false,
        ..introducer()
    };
    rules.check_introducer(&other_cell, on).unwrap();
    let e = rules
        .check_introducer(
            &Introducer {
                same_cell: false,
                same_dang_bo: false,
                ..introducer()
            },
            on,
        )
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "người giới thiệu phải thuộc cùng đảng bộ, chi bộ cơ sở với người vào Đảng — QĐ 24-QĐ/TW, mục 3.2.1 (\"trong một đơn vị trực thuộc đảng bộ, chi bộ cơ sở\")"
    );
    // A đảng ủy whose quy chế wants introducers from the same cell.
    let local = Rules::with_local_pack(
        "id = \"dang-uy-x\"\n[params]\nintroducer_scope = { value = \"chi_bo\", source = { document = \"Quy chế\", number = \"01-QC/ĐU\" }, confidence = \"V\" }\n",
    )
    .unwrap();
    let e = local.check_introducer(&other_cell, on).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "người giới thiệu phải sinh hoạt cùng chi bộ với người vào Đảng — Quy chế 01-QC/ĐU"
    );
    // Every problem at once.
    let all_wrong = Introducer {
        status: Status::DuBi,
        admission: d("2025-12-01"),
        interruptions: vec![],
        known_since: d("2026-01-01"),
        same_cell: false,
        same_dang_bo: false,
    };
    assert_eq!(
        codes(rules.check_introducer(&all_wrong, on)),
        [
            "nguoi_gioi_thieu.status",
            "nguoi_gioi_thieu.party_age",
            "nguoi_gioi_thieu.shared_time",
            "nguoi_gioi_thieu.organisation"
        ]
    );
}

#[test]
fn two_introducers_or_one_and_a_union_resolution() {
    let rules = Rules::embedded();
    let on = d("2026-03-10");
    rules
        .check_introducers(&[introducer(), introducer()], false, on)
        .unwrap();
    rules.check_introducers(&[introducer()], true, on).unwrap();
    let e = rules
        .check_introducers(&[introducer()], false, on)
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "cần 2 đảng viên chính thức giới thiệu (hoặc 1 và nghị quyết giới thiệu của Đoàn/Công đoàn), mới có 1 — QĐ 24-QĐ/TW, mục 3.2"
    );
    let e = rules.check_introducers(&[], true, on).unwrap_err();
    assert_eq!(
        e[0].message,
        "có nghị quyết giới thiệu của Đoàn/Công đoàn, còn cần 1 đảng viên chính thức giới thiệu (mới có 0)"
    );
    // Each introducer is checked too.
    let probationary = Introducer {
        status: Status::DuBi,
        ..introducer()
    };
    assert_eq!(
        codes(rules.check_introducers(&[introducer(), probationary], false, on)),
        ["nguoi_gioi_thieu.status"]
    );
}

#[test]
fn transfer_guards_open_cases_and_dues() {
    let rules = Rules::embedded();
    let on = d("2026-03-10");
    rules.check_no_blocking_case(&[], false, on).unwrap();
    rules
        .check_no_blocking_case(&[CaseKind::HuyHieu, CaseKind::DanhGiaDangVien], false, on)
        .unwrap();
    let e = rules
        .check_no_blocking_case(&[CaseKind::KyLuat], false, on)
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "đảng viên đang có hồ sơ \"Thi hành kỷ luật đảng viên\" chưa giải quyết xong: chưa chuyển sinh hoạt đảng — QĐ 232-QĐ/TW, mục 6 (như QĐ 29-QĐ/TW, theo bản tóm tắt)"
    );
    assert_eq!(
        codes(rules.check_no_blocking_case(&[CaseKind::KyLuat], true, on)),
        ["ho_so_mo.case", "ho_so_mo.pending"]
    );
    // Dues paid up to the month of the letter.
    rules
        .check_dues_paid_through(d("2026-03-10"), Some((2026, 3)))
        .unwrap();
    rules
        .check_dues_paid_through(d("2026-03-10"), Some((2026, 6)))
        .unwrap();
    rules
        .check_dues_paid_through(d("2026-12-31"), Some((2027, 1)))
        .unwrap();
    let e = rules
        .check_dues_paid_through(d("2026-03-10"), Some((2026, 2)))
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "giấy giới thiệu ghi \"đã đóng đảng phí hết tháng 03/2026\" nhưng đảng viên mới đóng đến tháng 02/2026 — Hướng dẫn 38-HD/BTCTW, ghi giấy giới thiệu sinh hoạt đảng (như HD 12-HD/BTCTW 2022, mục II.4.2)"
    );
    assert_eq!(
        codes(rules.check_dues_paid_through(d("2026-03-10"), Some((2025, 12)))),
        ["dang_phi.not_paid"]
    );
    assert!(
        rules
            .check_dues_paid_through(d("2026-03-10"), None)
            .unwrap_err()[0]
            .message
            .contains("chưa đóng tháng nào")
    );
    // A đảng ủy that does not require it (local pack) lets the letter go.
    let local = Rules::with_local_pack(
        "id = \"x\"\n[params]\ntransfer_requires_dues_paid_through_letter_month = { value = false, source = { document = \"Quy chế\" }, confidence = \"U\" }\n",
    )
    .unwrap();
    local
        .check_dues_paid_through(d("2026-03-10"), None)
        .unwrap();
}

#[test]
fn which_transfer_a_move_is() {
    let rules = Rules::embedded();
    let on = d("2026-03-10");
    let kind = |months, study, same, abroad| {
        rules
            .transfer_case_kind(months, study, same, abroad, on)
            .unwrap()
    };
    assert_eq!(kind(2, false, false, false), None);
    assert_eq!(kind(6, false, false, false), Some(CaseKind::ChuyenTamThoi));
    assert_eq!(kind(6, false, true, false), Some(CaseKind::ChuyenTamThoi));
    assert_eq!(kind(24, false, true, false), Some(CaseKind::ChuyenNoiBo));
    assert_eq!(
        kind(24, false, false, false),
        Some(CaseKind::ChuyenChinhThuc)
    );
    assert_eq!(kind(2, false, false, true), Some(CaseKind::ChuyenNuocNgoai));
    assert_eq!(kind(24, true, false, false), Some(CaseKind::ChuyenTamThoi));
    // A pack without the internal kind makes every permanent move an official transfer.
    let local = Rules::with_local_pack(
        "id = \"x\"\n[params]\ntransfer_kinds = { value = [\"chuyen_chinh_thuc\", \"chuyen_tam_thoi\"], source = { document = \"Quy chế\" }, confidence = \"U\" }\n",
    )
    .unwrap();
    assert_eq!(
        local
            .transfer_case_kind(24, false, true, false, on)
            .unwrap(),
        Some(CaseKind::ChuyenChinhThuc)
    );
    assert_eq!(
        local.transfer_case_kind(24, false, true, true, on).unwrap(),
        Some(CaseKind::ChuyenChinhThuc)
    );
    // Before HD 38 the kinds were not in a pack.
    assert!(
        rules
            .transfer_case_kind(24, false, true, false, d("2025-09-28"))
            .is_err()
    );
}

#[test]
fn discipline_limitation_periods() {
    let rules = Rules::embedded();
    // Khiển trách: 5 years from the violation, its last day included.
    let l = rules
        .discipline_limitation(
            Level::KhienTrach,
            None,
            d("2020-08-10"),
            &[],
            d("2025-08-10"),
        )
        .unwrap();
    assert_eq!(l.expires, Some(d("2025-08-10")));
    assert_eq!(l.citation, "QĐ 69-QĐ/TW, Điều 4");
    let e = rules
        .discipline_limitation(
            Level::KhienTrach,
            None,
            d("2020-08-10"),
            &[],
            d("2025-08-11"),
        )
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "vi phạm ngày 10/08/2020 (mức khiển trách) đã hết thời hiệu xử lý kỷ luật ngày 10/08/2025 — QĐ 69-QĐ/TW, Điều 4"
    );
    // Cảnh cáo and cách chức: 10 years.
    assert_eq!(
        rules
            .discipline_limitation(Level::CanhCao, None, d("2020-08-10"), &[], d("2026-01-01"))
            .unwrap()
            .expires,
        Some(d("2030-08-10"))
    );
    assert_eq!(
        codes(rules.discipline_limitation(
            Level::CachChuc,
            None,
            d("2015-08-10"),
            &[],
            d("2025-08-11")
        )),
        ["thoi_hieu.expired"]
    );
    // A new violation within the period restarts it; one after it has run out does not.
    let l = rules
        .discipline_limitation(
            Level::KhienTrach,
            None,
            d("2020-08-10"),
            &[d("2023-06-01")],
            d("2026-01-01"),
        )
        .unwrap();
    assert_eq!(l.expires, Some(d("2028-06-01")));
    let l = rules
        .discipline_limitation(
            Level::KhienTrach,
            None,
            d("2020-08-10"),
            &[d("2027-01-01"), d("2023-06-01")],
            d("2026-01-01"),
        )
        .unwrap();
    assert_eq!(l.expires, Some(d("2032-01-01")));
    assert_eq!(
        codes(rules.discipline_limitation(
            Level::KhienTrach,
            None,
            d("2019-08-10"),
            &[d("2025-01-01")],
            d("2025-08-11")
        )),
        ["thoi_hieu.expired"]
    );
    // No limit: expulsion, and the violations the pack lists.
    assert_eq!(
        rules
            .discipline_limitation(Level::KhaiTru, None, d("2000-01-01"), &[], d("2026-01-01"))
            .unwrap()
            .expires,
        None
    );
    let l = rules
        .discipline_limitation(
            Level::KhienTrach,
            Some(ViolationKind::VanBangGia),
            d("2000-01-01"),
            &[],
            d("2026-01-01"),
        )
        .unwrap();
    assert_eq!(
        (l.expires, l.citation.as_str()),
        (None, "QĐ 69-QĐ/TW, Điều 4")
    );
    // Before QĐ 69's pack there is no rule to apply.
    assert_eq!(
        codes(rules.discipline_limitation(
            Level::KhienTrach,
            None,
            d("2020-08-10"),
            &[],
            d("2025-06-30")
        )),
        ["rules.error"]
    );
}

#[test]
fn discipline_lapses_after_a_year() {
    let rules = Rules::embedded();
    assert_eq!(
        rules
            .discipline_lapse(Level::CanhCao, d("2026-03-16"), false)
            .unwrap(),
        Some(d("2027-03-16"))
    );
    assert_eq!(
        rules
            .discipline_lapse(Level::KhienTrach, d("2026-03-16"), true)
            .unwrap(),
        None
    );
    assert_eq!(
        rules
            .discipline_lapse(Level::KhaiTru, d("2026-03-16"), false)
            .unwrap(),
        None
    );
}

fn member(admission: &str) -> BadgeCandidate {
    BadgeCandidate {
        id: "a".into(),
        admission: d(admission),
        interruptions: vec![],
        awarded: vec![],
        seriously_ill: false,
        deceased: false,
        disciplines: vec![],
    }
}

#[test]
fn badges_blocked_after_a_warning_or_removal() {
    let rules = Rules::embedded();
    let plain = member("1996-05-19");
    assert_eq!(
        rules
            .badge_eligibility(&plain, d("2026-05-19"))
            .unwrap()
            .milestone,
        30
    );
    // Cảnh cáo on 10/01/2026: six months, so not at 19/5, again at 2/9.
    let warned = BadgeCandidate {
        disciplines: vec![Discipline {
            level: Level::CanhCao,
            effective: d("2026-01-10"),
        }],
        ..member("1996-05-19")
    };
    let e = rules
        .badge_eligibility(&warned, d("2026-05-19"))
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "đảng viên bị kỷ luật cảnh cáo: chưa xét tặng Huy hiệu Đảng trước ngày 10/07/2026 — Hướng dẫn 01-HD/TW (2021), mục 18 (theo sổ tay Đảng ủy khối Bình Thuận, dẫn QĐ 24 mục 27)"
    );
    assert!(
        rules
            .badges_due(std::slice::from_ref(&warned), d("2026-05-19"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        rules
            .badges_due(std::slice::from_ref(&warned), d("2026-09-02"))
            .unwrap()
            .len(),
        1
    );
    assert!(rules.badge_eligibility(&warned, d("2026-07-10")).is_ok());
    // Cách chức: twelve months; the later end of two blocks counts.
    let removed = BadgeCandidate {
        disciplines: vec![
            Discipline {
                level: Level::CanhCao,
                effective: d("2026-01-10"),
            },
            Discipline {
                level: Level::CachChuc,
                effective: d("2025-09-01"),
            },
        ],
        ..member("1996-05-19")
    };
    let e = rules
        .badge_eligibility(&removed, d("2026-05-19"))
        .unwrap_err();
    assert!(
        e[0].message
            .contains("cách chức: chưa xét tặng Huy hiệu Đảng trước ngày 01/09/2026")
    );
    assert!(rules.badge_eligibility(&removed, d("2026-09-02")).is_ok());
    // A reprimand does not block; a discipline after the ceremony does not either.
    let reprimanded = BadgeCandidate {
        disciplines: vec![
            Discipline {
                level: Level::KhienTrach,
                effective: d("2026-03-01"),
            },
            Discipline {
                level: Level::CanhCao,
                effective: d("2026-06-01"),
            },
        ],
        ..member("1996-05-19")
    };
    assert!(
        rules
            .badge_eligibility(&reprimanded, d("2026-05-19"))
            .is_ok()
    );
    // Not reached yet, and blocked as well: both reasons.
    let young = BadgeCandidate {
        disciplines: vec![Discipline {
            level: Level::CanhCao,
            effective: d("2026-01-10"),
        }],
        ..member("2000-01-01")
    };
    assert_eq!(
        codes(rules.badge_eligibility(&young, d("2026-05-19"))),
        ["huy_hieu.blocked", "huy_hieu.not_reached"]
    );
    let e = rules
        .badge_eligibility(&member("2000-01-01"), d("2026-05-19"))
        .unwrap_err();
    assert_eq!(
        e[0].message,
        "tuổi đảng đến ngày 19/05/2026 là 26 năm 4 tháng: chưa đến mốc Huy hiệu chưa được tặng"
    );
}

#[test]
fn discipline_level_within_the_cells_authority_and_the_probationers_limit() {
    let rules = Rules::embedded();
    let on = d("2026-03-02");
    // The cell decides up to cảnh cáo for a full member.
    for l in [Level::KhienTrach, Level::CanhCao] {
        rules
            .check_discipline_level(l, Status::ChinhThuc, true, on)
            .unwrap();
    }
    let e = rules
        .check_discipline_level(Level::CachChuc, Status::ChinhThuc, true, on)
        .unwrap_err();
    assert_eq!(e[0].guard, Guard::ThamQuyenKyLuat);
    assert_eq!(e[0].code, "tham_quyen_ky_luat.beyond_cell");
    assert_eq!(
        e[0].to_string(),
        "chi bộ chỉ được quyết định kỷ luật đến mức cảnh cáo; mức cách chức phải đề nghị cấp có thẩm quyền quyết định — Điều lệ Đảng, Điều 36"
    );
    // The competent committee may impose it.
    rules
        .check_discipline_level(Level::KhaiTru, Status::ChinhThuc, false, on)
        .unwrap();
    // A probationary member: up to cảnh cáo, whoever decides.
    rules
        .check_discipline_level(Level::CanhCao, Status::DuBi, true, on)
        .unwrap();
    assert_eq!(
        codes(rules.check_discipline_level(Level::CachChuc, Status::DuBi, false, on)),
        ["tham_quyen_ky_luat.probationary"]
    );
    assert_eq!(
        codes(rules.check_discipline_level(Level::KhaiTru, Status::DuBi, true, on)),
        [
            "tham_quyen_ky_luat.probationary",
            "tham_quyen_ky_luat.beyond_cell"
        ]
    );
    let e = rules
        .check_discipline_level(Level::KhaiTru, Status::DuBi, false, on)
        .unwrap_err();
    assert!(
        e[0].to_string()
            .ends_with("Điều lệ Đảng, Điều 36 (đảng viên dự bị chỉ bị khiển trách hoặc cảnh cáo)"),
        "{}",
        e[0]
    );
}

#[test]
fn a_discipline_in_the_period_caps_the_evaluation_tier() {
    let rules = Rules::embedded();
    let year = (d("2026-01-01"), d("2026-12-31"));
    let warned = Discipline {
        level: Level::CanhCao,
        effective: d("2026-04-10"),
    };
    let (tier, citation) = rules
        .discipline_tier_cap(&[warned], year.0, year.1)
        .unwrap()
        .unwrap();
    assert_eq!(tier, chibo_rules::Tier::Kht);
    assert!(citation.starts_with("QĐ 366-QĐ/TW"), "{citation}");
    // Last year's discipline does not cap this year's rating.
    let old = Discipline {
        level: Level::CanhCao,
        effective: d("2025-12-31"),
    };
    assert_eq!(
        rules.discipline_tier_cap(&[old], year.0, year.1).unwrap(),
        None
    );
    assert_eq!(
        rules.discipline_tier_cap(&[], year.0, year.1).unwrap(),
        None
    );
}
