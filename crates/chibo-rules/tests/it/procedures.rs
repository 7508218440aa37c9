//! The procedures of the packs and the case engine: what can be done next, each step's due date
//! on the working-day calendar (Tết included), and every refusal with its rule.

use chibo_rules::{
    Case, CaseKind, CaseOutcome, Code, DateCode, FormCode, LatePolicy, Performer, Refusal, Rules,
    StepCode, StepRecord, StepResult, StepState, Urgency,
};
use chrono::NaiveDate;

use crate::d;

pub fn sc(s: &str) -> StepCode {
    StepCode::new(s).unwrap()
}

pub fn fc(s: &str) -> FormCode {
    FormCode::new(s).unwrap()
}

pub fn dc(s: &str) -> DateCode {
    DateCode::new(s).unwrap()
}

/// Records a step after the rules accept it (checked on its own date).
pub fn record(rules: &Rules, case: &mut Case, step: &str, date: &str, forms: &[&str]) {
    let r = StepRecord::done(sc(step), d(date), forms.iter().map(|f| fc(f)).collect());
    if let Err(e) = rules.check_step(case, &r, d(date)) {
        panic!("{step} on {date}: {e:?}");
    }
    case.records.push(r);
}

/// The refusals of a step, as codes.
pub fn refused(rules: &Rules, case: &Case, r: &StepRecord, today: &str) -> Vec<&'static str> {
    rules
        .check_step(case, r, d(today))
        .expect_err("should be refused")
        .iter()
        .map(Refusal::code)
        .collect()
}

fn next(rules: &Rules, case: &Case, today: &str) -> Vec<String> {
    rules
        .case_view(case, d(today))
        .unwrap()
        .next
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn due(rules: &Rules, case: &Case, step: &str, today: &str) -> NaiveDate {
    rules
        .case_view(case, d(today))
        .unwrap()
        .step(&sc(step))
        .unwrap()
        .due
        .as_ref()
        .unwrap_or_else(|| panic!("{step} has no deadline"))
        .date
}

/// An admission case up to the cell's vote on 20/01/2026.
fn admission_until_vote(rules: &Rules) -> Case {
    let mut c = Case::new(CaseKind::KetNap, d("2025-11-03"));
    record(rules, &mut c, "bdnt", "2025-11-03", &["CN-NTVĐ"]);
    record(rules, &mut c, "don_xin_vao_dang", "2025-11-10", &["1-KNĐ"]);
    record(rules, &mut c, "ly_lich", "2025-11-12", &["2-KNĐ"]);
    record(rules, &mut c, "tham_tra_ly_lich", "2025-12-15", &[]);
    record(
        rules,
        &mut c,
        "gioi_thieu",
        "2025-12-16",
        &["3-KNĐ", "4-KNĐ"],
    );
    record(
        rules,
        &mut c,
        "lay_y_kien",
        "2025-12-20",
        &["5-KNĐ", "5B-KNĐ", "5C-KNĐ"],
    );
    record(rules, &mut c, "chi_uy_xem_xet", "2026-01-06", &[]);
    record(rules, &mut c, "chi_bo_xet", "2026-01-20", &["6-KNĐ"]);
    c
}

#[test]
fn every_kind_has_a_procedure_once_its_text_is_in_force() {
    let rules = Rules::embedded();
    for date in [
        "2025-12-12",
        "2026-02-01",
        "2026-11-27",
        "2028-06-01",
        "2030-12-31",
    ] {
        for kind in CaseKind::ALL {
            let p = rules.procedure(*kind, d(date)).unwrap();
            assert_eq!(p.kind, *kind);
            assert!(!p.steps.is_empty());
            assert!(p.outcome(CaseOutcome::HoanThanh).is_some());
            // Every form a step files is in the catalogue in force.
            let view = rules.pack_at(d(date)).unwrap();
            for f in p.forms() {
                view.form(f).unwrap();
            }
            // Every period resolves to an integer in force.
            for s in &p.steps {
                if let Some(dl) = &s.deadline {
                    if let Some(per) = &dl.period {
                        rules.param::<u32>(&per.param, d(date)).unwrap();
                    }
                    if let Some(e) = &dl.extension {
                        rules.param::<u32>(e, d(date)).unwrap();
                    }
                }
                if let Some(a) = &s.attempts_param {
                    rules.param::<u32>(a, d(date)).unwrap();
                }
            }
        }
    }
    // Before the texts: discipline from QĐ 296's pack (07/2025), the member procedures from
    // HD 38 (29/9/2025), the evaluation from HD 43 (31/10/2025).
    assert!(rules.procedure(CaseKind::KyLuat, d("2025-07-01")).is_ok());
    let e = rules
        .procedure(CaseKind::KetNap, d("2025-09-28"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "chưa có quy trình \"Kết nạp đảng viên\" có hiệu lực vào ngày 28/09/2025"
    );
    assert!(rules.procedure(CaseKind::KetNap, d("2025-09-29")).is_ok());
    assert!(
        rules
            .procedure(CaseKind::DanhGiaDangVien, d("2025-10-30"))
            .is_err()
    );
    assert!(
        rules
            .procedure(CaseKind::DanhGiaDangVien, d("2025-10-31"))
            .is_ok()
    );
}

#[test]
fn the_admission_procedure_as_the_pack_defines_it() {
    let rules = Rules::embedded();
    let p = rules.procedure(CaseKind::KetNap, d("2026-03-01")).unwrap();
    assert_eq!(p.pack_id, "vn-2025-09");
    let codes: Vec<&str> = p.steps.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "bdnt",
            "don_xin_vao_dang",
            "ly_lich",
            "tham_tra_ly_lich",
            "gioi_thieu",
            "lay_y_kien",
            "chi_uy_xem_xet",
            "chi_bo_xet",
            "tham_dinh_dang_uy_bo_phan",
            "nghi_quyet_dang_uy",
            "quyet_dinh_ket_nap",
            "le_ket_nap"
        ]
    );
    let vote = p.step(&sc("chi_bo_xet")).unwrap();
    assert_eq!(vote.decision, Some(chibo_rules::DecisionKind::KetNap));
    assert_eq!(vote.performer, Performer::ChiBo);
    assert_eq!(vote.documents[0].signer, Performer::BiThu);
    assert_eq!(
        vote.guards,
        [
            chibo_rules::Guard::TuoiKetNap,
            chibo_rules::Guard::GiayChungNhan
        ]
    );
    let intro = p.step(&sc("gioi_thieu")).unwrap();
    assert_eq!(intro.documents[0].forms, [fc("3-KNĐ"), fc("3A-KNĐ")]);
    assert!(intro.documents[1].optional && intro.documents[2].optional);
    let decision = p.step(&sc("quyet_dinh_ket_nap")).unwrap();
    assert_eq!(decision.performer, Performer::BanThuongVu);
    assert_eq!(decision.citation(), "QĐ 232-QĐ/TW, mục 4.3.1");
    let ceremony = p.step(&sc("le_ket_nap")).unwrap();
    assert_eq!(ceremony.deadline.as_ref().unwrap().late, LatePolicy::Reason);
    // The title of each form, from the catalogue.
    let view = rules.pack_at(d("2026-03-01")).unwrap();
    assert_eq!(
        view.form(&fc("16-KNĐ")).unwrap().title,
        "Quyết định công nhận đảng viên chính thức"
    );
    assert!(view.form(&fc("17-KNĐ")).is_err());
}

#[test]
fn admission_from_application_to_ceremony_across_tet() {
    let rules = Rules::embedded();
    let mut c = Case::new(CaseKind::KetNap, d("2025-11-03"));
    // At first: the course, the application (and nothing that needs them).
    assert_eq!(next(&rules, &c, "2025-11-03"), ["bdnt", "don_xin_vao_dang"]);
    record(&rules, &mut c, "bdnt", "2025-11-03", &["CN-NTVĐ"]);
    record(&rules, &mut c, "don_xin_vao_dang", "2025-11-10", &["1-KNĐ"]);
    assert_eq!(
        next(&rules, &c, "2025-11-10"),
        ["ly_lich", "gioi_thieu", "lay_y_kien"]
    );
    let c = admission_until_vote(&rules);
    let view = rules.case_view(&c, d("2026-01-21")).unwrap();
    assert_eq!(
        view.next,
        [sc("tham_dinh_dang_uy_bo_phan"), sc("nghi_quyet_dang_uy")]
    );
    // The competent committee decides within 60 working days of the cell's resolution
    // (20/01/2026): Tết Bính Ngọ (16–20/02) is skipped, so 21/04/2026, not 14/04.
    let decision = view.step(&sc("quyet_dinh_ket_nap")).unwrap();
    let due = decision.due.as_ref().unwrap();
    assert_eq!(due.date, d("2026-04-21"));
    assert_eq!(due.anchor, d("2026-01-20"));
    assert!(!due.extended);
    assert_eq!(
        due.explanation,
        "Hạn \"Cấp ủy có thẩm quyền ra quyết định kết nạp\": 21/04/2026 (60 ngày làm việc kể từ 20/01/2026), không tính 5 ngày nghỉ: Tết Nguyên đán — QĐ 232-QĐ/TW, mục 4.3.1"
    );
    assert!(matches!(decision.state, StepState::Blocked(_)));
    assert_eq!(
        decision.urgency,
        Some(Urgency::OnTrack {
            working_days_left: 59
        })
    );
    // Due soon three working days before, on time, late after.
    let urgency = |today: &str| {
        rules
            .case_view(&c, d(today))
            .unwrap()
            .step(&sc("quyet_dinh_ket_nap"))
            .unwrap()
            .urgency
    };
    assert_eq!(
        urgency("2026-04-15"),
        Some(Urgency::OnTrack {
            working_days_left: 4
        })
    );
    assert_eq!(
        urgency("2026-04-16"),
        Some(Urgency::DueSoon {
            working_days_left: 3
        })
    );
    assert_eq!(
        urgency("2026-04-21"),
        Some(Urgency::DueSoon {
            working_days_left: 0
        })
    );
    assert_eq!(
        urgency("2026-04-24"),
        Some(Urgency::Late {
            working_days_late: 3
        })
    );
    // An extension of 30 working days skips Giỗ Tổ (27/04), 30/04 and 01/05: 05/06/2026.
    let ext = rules
        .check_extension(&c, &sc("quyet_dinh_ket_nap"))
        .unwrap();
    assert_eq!(ext.date, d("2026-06-05"));
    assert!(ext.extended);
    assert!(
        ext.explanation
            .contains(", gia hạn thêm 30 ngày làm việc: đến 05/06/2026")
    );
    assert!(
        ext.citation
            .contains("QĐ 232-QĐ/TW, mục 4.3.1; QĐ 232-QĐ/TW, mục 4.3.1")
    );
    let mut extended = c.clone();
    extended.extensions.insert(sc("quyet_dinh_ket_nap"));
    assert_eq!(
        due_of(&rules, &extended, "quyet_dinh_ket_nap"),
        d("2026-06-05")
    );
    assert_eq!(
        codes(rules.check_extension(&extended, &sc("quyet_dinh_ket_nap"))),
        ["extension.already"]
    );
    assert_eq!(
        codes(rules.check_extension(&c, &sc("le_ket_nap"))),
        ["extension.none"]
    );
    assert_eq!(
        codes(rules.check_extension(&c, &sc("chi_bo_xet"))),
        ["step.already_done"]
    );
    assert_eq!(
        codes(rules.check_extension(&c, &sc("khong_co"))),
        ["step.unknown"]
    );

    // The decision, then the ceremony within 30 working days of it.
    let mut c = c;
    record(
        &rules,
        &mut c,
        "nghi_quyet_dang_uy",
        "2026-01-27",
        &["8-KNĐ"],
    );
    record(
        &rules,
        &mut c,
        "quyet_dinh_ket_nap",
        "2026-02-02",
        &["9-KNĐ"],
    );
    // 30 working days from Monday 02/02/2026, Tết skipped: Monday 23/03/2026.
    assert_eq!(due_of(&rules, &c, "le_ket_nap"), d("2026-03-23"));
    let v = rules.case_view(&c, d("2026-03-20")).unwrap();
    assert_eq!(v.next, [sc("tham_dinh_dang_uy_bo_phan"), sc("le_ket_nap")]);
    assert_eq!(
        v.step(&sc("le_ket_nap")).unwrap().urgency,
        Some(Urgency::DueSoon {
            working_days_left: 1
        })
    );
    assert_eq!(
        v.outcomes,
        [
            CaseOutcome::TuChoi,
            CaseOutcome::RutHoSo,
            CaseOutcome::TuTran
        ]
    );
    // Late: only with the reason recorded, and shown late.
    let late = StepRecord::done(sc("le_ket_nap"), d("2026-03-25"), vec![]);
    assert_eq!(
        refused(&rules, &c, &late, "2026-03-25"),
        ["step.late_without_reason"]
    );
    let msg = rules.check_step(&c, &late, d("2026-03-25")).unwrap_err()[0].to_string();
    assert_eq!(
        msg,
        "\"Tổ chức lễ kết nạp đảng viên\" quá hạn 2 ngày làm việc (hạn 23/03/2026): phải ghi rõ lý do — QĐ 24-QĐ/TW, mục 4.1"
    );
    let mut blank = late.clone();
    blank.late_reason = Some("  ".into());
    assert_eq!(
        refused(&rules, &c, &blank, "2026-03-25"),
        ["step.late_without_reason"]
    );
    let mut with_reason = late.clone();
    with_reason.late_reason = Some("Người được kết nạp ốm, cấp ủy cấp trên đồng ý".into());
    let check = rules.check_step(&c, &with_reason, d("2026-03-25")).unwrap();
    assert_eq!(check.late_by, Some(2));
    assert_eq!(check.due.unwrap().date, d("2026-03-23"));
    c.records.push(with_reason);
    let v = rules.case_view(&c, d("2026-03-26")).unwrap();
    assert_eq!(
        v.step(&sc("le_ket_nap")).unwrap().state,
        StepState::Done {
            date: d("2026-03-25"),
            late_by: Some(2)
        }
    );
    assert_eq!(v.step(&sc("le_ket_nap")).unwrap().urgency, None);
    // Done in time shows no lateness.
    assert_eq!(
        v.step(&sc("quyet_dinh_ket_nap")).unwrap().state,
        StepState::Done {
            date: d("2026-02-02"),
            late_by: None
        }
    );
    // The case may now end as completed.
    assert_eq!(v.outcomes[0], CaseOutcome::HoanThanh);
    rules
        .check_close(&c, CaseOutcome::HoanThanh, d("2026-03-25"), d("2026-03-26"))
        .unwrap();
    c.closed = Some((CaseOutcome::HoanThanh, d("2026-03-25")));
    let v = rules.case_view(&c, d("2026-03-26")).unwrap();
    assert!(v.next.is_empty() && v.outcomes.is_empty());
    assert_eq!(
        v.step(&sc("tham_dinh_dang_uy_bo_phan")).unwrap().state,
        StepState::Closed
    );
    let after = StepRecord::done(
        sc("tham_dinh_dang_uy_bo_phan"),
        d("2026-03-26"),
        vec![fc("7-KNĐ")],
    );
    assert_eq!(refused(&rules, &c, &after, "2026-03-26"), ["case.closed"]);
    assert_eq!(
        codes(rules.check_close(&c, CaseOutcome::TuChoi, d("2026-03-26"), d("2026-03-26"))),
        ["case.closed"]
    );
    assert_eq!(
        codes(rules.check_extension(&c, &sc("le_ket_nap"))),
        ["case.closed"]
    );
}

fn due_of(rules: &Rules, case: &Case, step: &str) -> NaiveDate {
    due(rules, case, step, "2026-01-21")
}

fn codes<T: std::fmt::Debug>(r: Result<T, Vec<Refusal>>) -> Vec<&'static str> {
    r.expect_err("should be refused")
        .iter()
        .map(Refusal::code)
        .collect()
}

#[test]
fn admission_refusals_cite_the_rule() {
    let rules = Rules::embedded();
    let mut c = Case::new(CaseKind::KetNap, d("2025-11-03"));
    record(&rules, &mut c, "don_xin_vao_dang", "2025-11-10", &["1-KNĐ"]);
    // The vote before the dossier: every missing step named, with the rule.
    let vote = StepRecord::done(sc("chi_bo_xet"), d("2025-11-20"), vec![fc("6-KNĐ")]);
    let e = rules.check_step(&c, &vote, d("2025-11-20")).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code(), "step.missing_prerequisite");
    assert_eq!(
        e[0].to_string(),
        "chưa thể \"Chi bộ xét, biểu quyết đề nghị kết nạp\": còn thiếu Chi ủy xem xét hồ sơ, đề nghị chi bộ xét kết nạp — Điều lệ Đảng, Điều 4(3); QĐ 232-QĐ/TW mục 1.1 (tuổi tại thời điểm chi bộ xét)"
    );
    let e = rules
        .check_step(
            &c,
            &StepRecord::done(sc("chi_uy_xem_xet"), d("2025-11-20"), vec![]),
            d("2025-11-20"),
        )
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "chưa thể \"Chi ủy xem xét hồ sơ, đề nghị chi bộ xét kết nạp\": còn thiếu Học lớp bồi dưỡng nhận thức về Đảng; Chi ủy thẩm tra, kết luận lý lịch; Đảng viên chính thức giới thiệu (hoặc nghị quyết giới thiệu của Đoàn, Công đoàn); Chi ủy lấy ý kiến nhận xét của chi ủy nơi cư trú và các đoàn thể — QĐ 232-QĐ/TW, mục 3, mục 4 (thủ tục kết nạp); HD 38-HD/BTCTW (biểu mẫu)"
    );
    // A document missing; an optional one is not required; any of the alternatives will do.
    let r = StepRecord::done(
        sc("lay_y_kien"),
        d("2025-11-20"),
        vec![fc("5-KNĐ"), fc("5C-KNĐ")],
    );
    let e = rules.check_step(&c, &r, d("2025-11-20")).unwrap_err();
    assert_eq!(e[0].code(), "step.missing_document");
    assert_eq!(
        e[0].to_string(),
        "\"Chi ủy lấy ý kiến nhận xét của chi ủy nơi cư trú và các đoàn thể\" cần nộp: 5B-KNĐ (Chi ủy nơi cư trú ký) — QĐ 232-QĐ/TW, mục 3, mục 4 (thủ tục kết nạp); HD 38-HD/BTCTW (biểu mẫu)"
    );
    let intro = StepRecord::done(sc("gioi_thieu"), d("2025-11-20"), vec![fc("3A-KNĐ")]);
    rules.check_step(&c, &intro, d("2025-11-20")).unwrap();
    let none = StepRecord::done(sc("gioi_thieu"), d("2025-11-20"), vec![fc("4-KNĐ")]);
    let e = rules.check_step(&c, &none, d("2025-11-20")).unwrap_err();
    assert!(
        e[0].to_string()
            .contains("3-KNĐ hoặc 3A-KNĐ (Đảng viên giới thiệu ký)")
    );
    // Unknown forms, dates in the future or before the case, a vote that "fails" where there is
    // no vote, a step done twice, a step that does not exist.
    let odd = StepRecord::done(
        sc("ly_lich"),
        d("2025-11-20"),
        vec![fc("2-KNĐ"), fc("99-KNĐ")],
    );
    assert_eq!(refused(&rules, &c, &odd, "2025-11-20"), ["form.unknown"]);
    let future = StepRecord::done(sc("ly_lich"), d("2025-11-21"), vec![fc("2-KNĐ")]);
    assert_eq!(refused(&rules, &c, &future, "2025-11-20"), ["date.future"]);
    let early = StepRecord::done(sc("bdnt"), d("2025-11-02"), vec![fc("CN-NTVĐ")]);
    assert_eq!(
        refused(&rules, &c, &early, "2025-11-20"),
        ["date.before_opening"]
    );
    let failed = StepRecord::failed(sc("ly_lich"), d("2025-11-20"));
    assert_eq!(
        refused(&rules, &c, &failed, "2025-11-20"),
        ["step.not_a_vote"]
    );
    let again = StepRecord::done(sc("don_xin_vao_dang"), d("2025-11-20"), vec![fc("1-KNĐ")]);
    assert_eq!(
        refused(&rules, &c, &again, "2025-11-20"),
        ["step.already_done"]
    );
    let unknown = StepRecord::done(sc("khong_co"), d("2025-11-20"), vec![]);
    assert_eq!(
        refused(&rules, &c, &unknown, "2025-11-20"),
        ["step.unknown"]
    );
    // Dated before the step it depends on.
    let before = StepRecord::done(sc("ly_lich"), d("2025-11-09"), vec![fc("2-KNĐ")]);
    let e = rules.check_step(&c, &before, d("2025-11-20")).unwrap_err();
    assert_eq!(e[0].code(), "date.before_prerequisite");
    assert!(e[0].to_string().starts_with(
        "\"Khai lý lịch của người xin vào Đảng\" không thể ghi ngày trước \"Viết đơn xin vào Đảng\" (10/11/2025)"
    ));
}

#[test]
fn a_decision_cannot_be_dated_before_the_cells_resolution() {
    let rules = Rules::embedded();
    let mut c = admission_until_vote(&rules);
    record(
        &rules,
        &mut c,
        "nghi_quyet_dang_uy",
        "2026-01-27",
        &["8-KNĐ"],
    );
    // A decision dated before the đảng ủy's resolution (which follows the cell's).
    let r = StepRecord::done(sc("quyet_dinh_ket_nap"), d("2026-01-26"), vec![fc("9-KNĐ")]);
    let e = rules.check_step(&c, &r, d("2026-02-02")).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].to_string(),
        "\"Cấp ủy có thẩm quyền ra quyết định kết nạp\" không thể ghi ngày trước \"Đảng ủy cơ sở xét, ra nghị quyết đề nghị kết nạp\" (27/01/2026) — QĐ 232-QĐ/TW, mục 4.3.1"
    );
    // On the same day is fine; late is allowed (shown late) for the committee's decision.
    let same = StepRecord::done(sc("quyet_dinh_ket_nap"), d("2026-01-27"), vec![fc("9-KNĐ")]);
    assert_eq!(
        rules
            .check_step(&c, &same, d("2026-02-02"))
            .unwrap()
            .late_by,
        None
    );
    let late = StepRecord::done(sc("quyet_dinh_ket_nap"), d("2026-04-24"), vec![fc("9-KNĐ")]);
    assert_eq!(
        rules
            .check_step(&c, &late, d("2026-04-24"))
            .unwrap()
            .late_by,
        Some(3)
    );
    // Closing: before the last step's date, or with an outcome the procedure does not know.
    assert_eq!(
        codes(rules.check_close(&c, CaseOutcome::TuChoi, d("2026-01-26"), d("2026-02-02"))),
        ["date.before_prerequisite"]
    );
    assert_eq!(
        codes(rules.check_close(
            &c,
            CaseOutcome::KhongKyLuat,
            d("2026-02-02"),
            d("2026-02-02")
        )),
        ["outcome.not_allowed"]
    );
    let e = rules
        .check_close(&c, CaseOutcome::HoanThanh, d("2026-02-02"), d("2026-02-02"))
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "chưa thể kết thúc \"Hoàn thành\": còn thiếu Tổ chức lễ kết nạp đảng viên"
    );
    assert_eq!(
        codes(rules.check_close(&c, CaseOutcome::TuChoi, d("2026-02-03"), d("2026-02-02"))),
        ["date.future"]
    );
    assert_eq!(
        codes(rules.check_close(&c, CaseOutcome::TuChoi, d("2025-11-02"), d("2026-02-02"))),
        ["date.before_opening", "date.before_prerequisite"]
    );
    rules
        .check_close(&c, CaseOutcome::TuChoi, d("2026-02-02"), d("2026-02-02"))
        .unwrap();
}

#[test]
fn recognition_not_before_twelve_months_and_escalation_after_three_failures() {
    let rules = Rules::embedded();
    let mut c = Case::new(CaseKind::CongNhanChinhThuc, d("2025-10-01"));
    // Without the ceremony date the vote cannot be placed in time.
    let v = rules.case_view(&c, d("2025-10-01")).unwrap();
    let vote = v.step(&sc("chi_bo_xet")).unwrap();
    assert!(vote.due.is_none());
    match &vote.state {
        StepState::Blocked(b) => assert!(b.iter().any(|r| r.code() == "case.missing_date"
            && r.to_string() == "hồ sơ chưa có \"Ngày tổ chức lễ kết nạp\" (ngay_ket_nap)")),
        s => panic!("{s:?}"),
    }
    c.dates.insert(dc("ngay_ket_nap"), d("2025-06-10"));
    let v = rules.case_view(&c, d("2025-10-01")).unwrap();
    // The member is full from 10/06/2026, whatever the cell's or the committee's delays.
    assert_eq!(v.dates[&dc("het_du_bi")], d("2026-06-10"));
    assert_eq!(
        v.next,
        [
            sc("phan_cong_giup_do"),
            sc("tu_kiem_diem"),
            sc("lay_y_kien")
        ]
    );
    record(&rules, &mut c, "phan_cong_giup_do", "2025-10-01", &[]);
    record(&rules, &mut c, "tu_kiem_diem", "2026-05-20", &["10-KNĐ"]);
    record(
        &rules,
        &mut c,
        "nhan_xet_giup_do",
        "2026-05-22",
        &["11-KNĐ"],
    );
    record(&rules, &mut c, "lay_y_kien", "2026-05-25", &["12-KNĐ"]);
    // The vote is due 30 working days after the end of probation: 22/07/2026.
    assert_eq!(due(&rules, &c, "chi_bo_xet", "2026-06-01"), d("2026-07-22"));
    // Before the 12 months end: refused, and not offered.
    let early = StepRecord::done(
        sc("chi_bo_xet"),
        d("2026-06-09"),
        vec![fc("13-KNĐ"), fc("CN-ĐVM")],
    );
    let e = rules.check_step(&c, &early, d("2026-06-09")).unwrap_err();
    assert_eq!(
        e.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        [
            "\"Chi bộ xét, biểu quyết đề nghị công nhận đảng viên chính thức\" chỉ được thực hiện từ ngày 10/06/2026 — QĐ 232-QĐ/TW, mục 4.2; Điều lệ Đảng Điều 5(2)"
        ]
    );
    assert!(!next(&rules, &c, "2026-06-09").contains(&"chi_bo_xet".to_string()));
    assert!(next(&rules, &c, "2026-06-10").contains(&"chi_bo_xet".to_string()));
    // Three failed votes; the third sends the case to the upper committee.
    assert_eq!(
        refused(
            &rules,
            &c,
            &StepRecord::done(sc("cap_tren_xem_xet"), d("2026-06-15"), vec![]),
            "2026-06-15"
        ),
        ["step.not_escalated"]
    );
    for day in ["2026-06-15", "2026-06-22", "2026-06-29"] {
        let f = StepRecord::failed(sc("chi_bo_xet"), d(day));
        rules.check_step(&c, &f, d(day)).unwrap();
        c.records.push(f);
    }
    let v = rules.case_view(&c, d("2026-06-30")).unwrap();
    let vote = v.step(&sc("chi_bo_xet")).unwrap();
    assert_eq!(vote.failed_attempts, 3);
    assert!(v.next.contains(&sc("cap_tren_xem_xet")));
    assert!(!v.next.contains(&sc("chi_bo_xet")));
    let fourth = StepRecord::done(
        sc("chi_bo_xet"),
        d("2026-07-06"),
        vec![fc("13-KNĐ"), fc("CN-ĐVM")],
    );
    let e = rules.check_step(&c, &fourth, d("2026-07-06")).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "\"Chi bộ xét, biểu quyết đề nghị công nhận đảng viên chính thức\" đã 3 lần không đạt: báo cáo cấp ủy cấp trên xem xét, quyết định — QĐ 24-QĐ/TW, mục 4.2"
    );
    // The upper committee's review cannot predate the last failed vote.
    let r = StepRecord::done(sc("cap_tren_xem_xet"), d("2026-06-26"), vec![]);
    assert_eq!(
        refused(&rules, &c, &r, "2026-07-06"),
        ["date.before_prerequisite"]
    );
    record(&rules, &mut c, "cap_tren_xem_xet", "2026-07-06", &[]);
    // The đảng ủy's resolution follows the review (one of its two alternatives).
    assert!(next(&rules, &c, "2026-07-06").contains(&"nghi_quyet_dang_uy".to_string()));
    record(
        &rules,
        &mut c,
        "nghi_quyet_dang_uy",
        "2026-07-08",
        &["15-KNĐ"],
    );
    // The cell's vote was never passed, so the decision's 30-day clock never started.
    let v = rules.case_view(&c, d("2026-07-08")).unwrap();
    assert!(v.step(&sc("quyet_dinh_cong_nhan")).unwrap().due.is_none());
    record(
        &rules,
        &mut c,
        "quyet_dinh_cong_nhan",
        "2026-07-10",
        &["16-KNĐ"],
    );
    rules
        .check_close(&c, CaseOutcome::HoanThanh, d("2026-07-10"), d("2026-07-10"))
        .unwrap();
}

#[test]
fn recognition_passed_on_the_second_vote_and_decided_in_time() {
    let rules = Rules::embedded();
    let mut c = Case::new(CaseKind::CongNhanChinhThuc, d("2025-10-01"));
    c.dates.insert(dc("ngay_ket_nap"), d("2025-06-10"));
    record(&rules, &mut c, "phan_cong_giup_do", "2025-10-01", &[]);
    record(&rules, &mut c, "tu_kiem_diem", "2026-05-20", &["10-KNĐ"]);
    record(
        &rules,
        &mut c,
        "nhan_xet_giup_do",
        "2026-05-22",
        &["11-KNĐ"],
    );
    record(&rules, &mut c, "lay_y_kien", "2026-05-25", &["12-KNĐ"]);
    c.records
        .push(StepRecord::failed(sc("chi_bo_xet"), d("2026-06-11")));
    // The second vote passes: the forms are required for a passed vote, not a failed one.
    let no_forms = StepRecord::done(sc("chi_bo_xet"), d("2026-06-15"), vec![fc("13-KNĐ")]);
    assert_eq!(
        refused(&rules, &c, &no_forms, "2026-06-15"),
        ["step.missing_document"]
    );
    record(
        &rules,
        &mut c,
        "chi_bo_xet",
        "2026-06-15",
        &["13-KNĐ", "CN-ĐVM"],
    );
    let v = rules.case_view(&c, d("2026-06-16")).unwrap();
    assert_eq!(v.step(&sc("chi_bo_xet")).unwrap().failed_attempts, 1);
    assert!(!v.next.contains(&sc("cap_tren_xem_xet")));
    // The decision within 30 working days of the resolution (15/06 → 27/07/2026),
    // extendable by 30 more (→ 09/09/2026, past 1–2/9).
    assert_eq!(
        due(&rules, &c, "quyet_dinh_cong_nhan", "2026-06-16"),
        d("2026-07-27")
    );
    let ext = rules
        .check_extension(&c, &sc("quyet_dinh_cong_nhan"))
        .unwrap();
    assert_eq!(ext.date, d("2026-09-09"));
    assert!(
        ext.explanation
            .contains("Quốc khánh (ngày liền kề), Quốc khánh")
    );
}

#[test]
fn transfers_follow_the_procedure_in_force_when_they_opened() {
    let rules = Rules::embedded();
    // Opened under HD 38 (before QĐ 4192): no review meeting, no portal.
    let mut old = Case::new(CaseKind::ChuyenChinhThuc, d("2025-10-15"));
    old.dates.insert(dc("ngay_quyet_dinh"), d("2025-10-10"));
    let v = rules.case_view(&old, d("2026-01-05")).unwrap();
    assert_eq!(v.procedure.pack_id, "vn-2025-09");
    assert!(v.step(&sc("hop_xem_xet")).is_none());
    record(&rules, &mut old, "de_nghi", "2025-10-15", &["TKĐ-CSHĐ"]);
    let v = rules.case_view(&old, d("2025-10-16")).unwrap();
    let letter = v.step(&sc("cap_giay_gioi_thieu")).unwrap();
    assert!(!letter.portal);
    assert_eq!(
        letter.step.guards,
        [chibo_rules::Guard::HoSoMo, chibo_rules::Guard::DangPhi]
    );
    // 60 working days from Friday 10/10/2025, skipping 01/01/2026: Monday 05/01/2026.
    assert_eq!(letter.due.as_ref().unwrap().date, d("2026-01-05"));

    // Opened under QĐ 4192: the origin cell reviews first; the portal may carry the filing.
    let mut c = Case::new(CaseKind::ChuyenChinhThuc, d("2026-03-02"));
    c.dates.insert(dc("ngay_quyet_dinh"), d("2026-02-27"));
    let v = rules.case_view(&c, d("2026-03-02")).unwrap();
    assert_eq!(v.procedure.pack_id, "vn-2025-12");
    assert_eq!(v.next, [sc("de_nghi")]);
    assert!(v.step(&sc("de_nghi")).unwrap().portal);
    assert!(!v.step(&sc("hop_xem_xet")).unwrap().portal);
    assert_eq!(
        v.step(&sc("de_nghi")).unwrap().step.side,
        Some(chibo_rules::Side::NoiDi)
    );
    assert_eq!(
        v.step(&sc("tiep_nhan")).unwrap().step.side,
        Some(chibo_rules::Side::NoiDen)
    );
    record(&rules, &mut c, "de_nghi", "2026-03-02", &["TKĐ-CSHĐ"]);
    let skip = StepRecord::done(
        sc("cap_giay_gioi_thieu"),
        d("2026-03-03"),
        vec![fc("GGT-CT"), fc("2-HSĐV")],
    );
    assert_eq!(
        refused(&rules, &c, &skip, "2026-03-03"),
        ["step.missing_prerequisite"]
    );
    record(&rules, &mut c, "hop_xem_xet", "2026-03-05", &[]);
    // 60 working days from 27/02/2026 (Giỗ Tổ, 30/4, 1/5 skipped): 27/05/2026.
    assert_eq!(
        due(&rules, &c, "cap_giay_gioi_thieu", "2026-03-05"),
        d("2026-05-27")
    );
    record(
        &rules,
        &mut c,
        "cap_giay_gioi_thieu",
        "2026-03-09",
        &["GGT-CT", "2-HSĐV"],
    );
    // The member presents the letter within 30 working days of its date.
    assert_eq!(due(&rules, &c, "xuat_trinh", "2026-03-09"), d("2026-04-20"));
    let late = StepRecord::done(sc("xuat_trinh"), d("2026-04-21"), vec![]);
    assert_eq!(
        refused(&rules, &c, &late, "2026-04-21"),
        ["step.late_without_reason"]
    );
    let mut reason = late.clone();
    reason.late_reason = Some("Đảng viên nằm viện".into());
    assert_eq!(
        rules
            .check_step(&c, &reason, d("2026-04-21"))
            .unwrap()
            .late_by,
        Some(1)
    );
    c.records.push(reason);
    record(&rules, &mut c, "kiem_tra_ho_so", "2026-04-22", &[]);
    record(&rules, &mut c, "tiep_nhan", "2026-05-05", &[]);
    rules
        .check_close(&c, CaseOutcome::HoanThanh, d("2026-05-05"), d("2026-05-05"))
        .unwrap();
    // A destination that refuses closes the case with that outcome (the member goes back).
    let refused_case = Case::new(CaseKind::ChuyenNoiBo, d("2026-03-02"));
    rules
        .check_close(
            &refused_case,
            CaseOutcome::TuChoi,
            d("2026-03-02"),
            d("2026-03-02"),
        )
        .unwrap();
}

#[test]
fn temporary_and_internal_transfers() {
    let rules = Rules::embedded();
    let mut c = Case::new(CaseKind::ChuyenTamThoi, d("2026-03-02"));
    c.dates.insert(dc("ngay_tro_ve"), d("2026-09-30"));
    record(&rules, &mut c, "de_nghi", "2026-03-02", &[]);
    record(
        &rules,
        &mut c,
        "cap_giay_gioi_thieu",
        "2026-03-03",
        &["GGT-TT"],
    );
    record(&rules, &mut c, "xuat_trinh", "2026-03-10", &[]);
    record(&rules, &mut c, "tiep_nhan", "2026-03-12", &[]);
    // The return is due on the planned day (no period), shown late after it.
    let v = rules.case_view(&c, d("2026-10-02")).unwrap();
    let back = v.step(&sc("tro_ve")).unwrap();
    assert_eq!(back.due.as_ref().unwrap().date, d("2026-09-30"));
    assert_eq!(
        back.due.as_ref().unwrap().explanation,
        "Hạn \"Đảng viên trở về sinh hoạt ở chi bộ chính thức\": 30/09/2026 — QĐ 232-QĐ/TW, mục 6.3 (như QĐ 24); HD 38-HD/BTCTW"
    );
    assert_eq!(
        back.urgency,
        Some(Urgency::Late {
            working_days_late: 2
        })
    );
    // An internal transfer's letter is the đảng ủy's; presenting it has chibo's [U] default.
    let p = rules
        .procedure(CaseKind::ChuyenNoiBo, d("2026-03-02"))
        .unwrap();
    assert_eq!(
        p.step(&sc("cap_giay_gioi_thieu")).unwrap().performer,
        Performer::DangUy
    );
    let mut i = Case::new(CaseKind::ChuyenNoiBo, d("2026-03-02"));
    record(&rules, &mut i, "de_nghi", "2026-03-02", &[]);
    record(
        &rules,
        &mut i,
        "cap_giay_gioi_thieu",
        "2026-03-03",
        &["GGT-NB"],
    );
    let v = rules.case_view(&i, d("2026-03-03")).unwrap();
    let due = v.step(&sc("xuat_trinh")).unwrap().due.clone().unwrap();
    assert_eq!(due.date, d("2026-04-14"));
    assert!(due.citation.starts_with("Mặc định của chibo"));
}

#[test]
fn discipline_steps_hand_over_and_complaint_deadlines() {
    let rules = Rules::embedded();
    let mut c = Case::new(CaseKind::KyLuat, d("2026-03-02"));
    c.dates.insert(dc("ngay_vi_pham"), d("2026-01-15"));
    record(&rules, &mut c, "phat_hien", "2026-03-02", &[]);
    // The vote before the member's self-review and hearing: refused, naming the steps.
    let vote = StepRecord::done(sc("bieu_quyet"), d("2026-03-05"), vec![]);
    let e = rules.check_step(&c, &vote, d("2026-03-05")).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "chưa thể \"Chi bộ bỏ phiếu kín quyết định hình thức kỷ luật\": còn thiếu Đảng viên vi phạm kiểm điểm, tự nhận hình thức kỷ luật; Hội nghị chi bộ nghe đảng viên vi phạm trình bày ý kiến — QĐ 22-QĐ/TW, Điều 15 (bỏ phiếu kín, cộng dồn từ hình thức cao nhất)"
    );
    record(&rules, &mut c, "tu_kiem_diem", "2026-03-05", &["BKĐ-KL"]);
    record(&rules, &mut c, "chi_uy_xem_xet", "2026-03-06", &[]);
    // "No discipline" may close the case once the committee has reviewed it.
    assert!(
        rules
            .case_view(&c, d("2026-03-06"))
            .unwrap()
            .outcomes
            .contains(&CaseOutcome::KhongKyLuat)
    );
    record(&rules, &mut c, "nghe_trinh_bay", "2026-03-10", &[]);
    record(&rules, &mut c, "bieu_quyet", "2026-03-10", &[]);
    // Both branches open: the cell's own decision, or a proposal upward (and, while the
    // case is considered, the optional suspension by the competent committee).
    let v = rules.case_view(&c, d("2026-03-10")).unwrap();
    assert_eq!(
        v.next,
        [
            sc("dinh_chi_sinh_hoat"),
            sc("quyet_dinh_chi_bo"),
            sc("de_nghi_cap_tren")
        ]
    );
    record(
        &rules,
        &mut c,
        "quyet_dinh_chi_bo",
        "2026-03-10",
        &["QĐ-KL"],
    );
    // Handed over within 10 days (calendar days): 20/03/2026.
    assert_eq!(
        due(&rules, &c, "giao_quyet_dinh", "2026-03-10"),
        d("2026-03-20")
    );
    let late = StepRecord::done(sc("giao_quyet_dinh"), d("2026-03-23"), vec![fc("BB-CBKL")]);
    let e = rules.check_step(&c, &late, d("2026-03-23")).unwrap_err();
    assert_eq!(e[0].code(), "step.late_without_reason");
    assert!(
        e[0].to_string()
            .contains("quá hạn 1 ngày làm việc (hạn 20/03/2026)")
    );
    record(
        &rules,
        &mut c,
        "giao_quyet_dinh",
        "2026-03-16",
        &["BB-CBKL"],
    );
    // A complaint within one month of the hand-over; refused after it, even with a reason.
    let v = rules.case_view(&c, d("2026-03-16")).unwrap();
    assert_eq!(
        v.step(&sc("khieu_nai")).unwrap().due.as_ref().unwrap().date,
        d("2026-04-16")
    );
    assert!(v.next.contains(&sc("khieu_nai")));
    let mut out_of_time = StepRecord::done(sc("khieu_nai"), d("2026-04-17"), vec![]);
    out_of_time.late_reason = Some("Không biết thời hạn".into());
    let e = rules
        .check_step(&c, &out_of_time, d("2026-04-17"))
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "\"Đảng viên khiếu nại quyết định kỷ luật\" đã hết hạn ngày 16/04/2026: không còn được chấp nhận — Điều lệ Đảng, Điều 39(7)"
    );
    assert!(!next(&rules, &c, "2026-04-17").contains(&"khieu_nai".to_string()));
    rules
        .check_step(
            &c,
            &StepRecord::done(sc("khieu_nai"), d("2026-04-16"), vec![]),
            d("2026-04-16"),
        )
        .unwrap();
    // The state-discipline proposal: 30 working days from the decision.
    assert_eq!(
        due(&rules, &c, "de_nghi_xu_ly_chinh_quyen", "2026-03-16"),
        d("2026-04-21")
    );
    rules
        .check_close(&c, CaseOutcome::HoanThanh, d("2026-03-16"), d("2026-03-16"))
        .unwrap();
    // The upper branch: announced within 15 days of the signature.
    let mut up = Case::new(CaseKind::KyLuat, d("2026-03-02"));
    for (s, day, f) in [
        ("phat_hien", "2026-03-02", vec![]),
        ("tu_kiem_diem", "2026-03-03", vec!["BKĐ-KL"]),
        ("chi_uy_xem_xet", "2026-03-04", vec![]),
        ("nghe_trinh_bay", "2026-03-05", vec![]),
        ("bieu_quyet", "2026-03-05", vec![]),
        ("de_nghi_cap_tren", "2026-03-06", vec![]),
        ("cap_tren_quyet_dinh", "2026-04-01", vec!["QĐ-KL"]),
    ] {
        record(&rules, &mut up, s, day, &f);
    }
    assert_eq!(due(&rules, &up, "cong_bo", "2026-04-01"), d("2026-04-16"));
    record(&rules, &mut up, "cong_bo", "2026-04-10", &["BB-CBKL"]);
    // The complaint runs from the announcement on this branch.
    assert_eq!(due(&rules, &up, "khieu_nai", "2026-04-10"), d("2026-05-10"));
}

#[test]
fn evaluation_round_deadlines_come_from_the_round() {
    let rules = Rules::embedded();
    let mut c = Case::new(CaseKind::DanhGiaDangVien, d("2026-11-20"));
    c.dates.insert(dc("han_tu_kiem_diem"), d("2026-12-05"));
    c.dates.insert(dc("han_dot"), d("2026-12-25"));
    let v = rules.case_view(&c, d("2026-12-02")).unwrap();
    let self_review = v.step(&sc("tu_kiem_diem")).unwrap();
    assert_eq!(self_review.due.as_ref().unwrap().date, d("2026-12-05"));
    // 02/12 to 05/12 (a Saturday): two working days left, within the three of "due soon".
    assert_eq!(
        self_review.urgency,
        Some(Urgency::DueSoon {
            working_days_left: 2
        })
    );
    // Any of 2A/2B/2C; after the deadline only with the committee's recorded permission.
    let r = StepRecord::done(sc("tu_kiem_diem"), d("2026-12-07"), vec![fc("2C-HD KĐ.ĐG")]);
    assert_eq!(
        refused(&rules, &c, &r, "2026-12-07"),
        ["step.late_without_reason"]
    );
    let mut ok = r.clone();
    ok.late_reason = Some("Chi ủy cho phép nộp muộn (biên bản ngày 06/12)".into());
    rules.check_step(&c, &ok, d("2026-12-07")).unwrap();
    // A case that supplies a date its procedure does not use is an error, not silence.
    let mut bad = c.clone();
    bad.dates.insert(dc("ngay_ket_nap"), d("2026-01-01"));
    assert!(rules.case_view(&bad, d("2026-12-02")).is_err());
    // A record of a step the procedure does not have is an error too.
    let mut stray = c.clone();
    stray
        .records
        .push(StepRecord::done(sc("le_ket_nap"), d("2026-12-01"), vec![]));
    assert!(rules.case_view(&stray, d("2026-12-02")).is_err());
    // The collective's report is form 01; the cell's rating by the upper standing committee.
    let p = rules
        .procedure(CaseKind::DanhGiaChiBo, d("2026-11-20"))
        .unwrap();
    assert_eq!(
        p.step(&sc("bao_cao_kiem_diem")).unwrap().documents[0].forms,
        [fc("01-HD KĐ.ĐG")]
    );
    assert_eq!(
        p.step(&sc("cap_tren_xep_loai")).unwrap().performer,
        Performer::BanThuongVu
    );
    assert_eq!(
        rules
            .evaluation_form(chibo_rules::EvaluationGroup::NgoaiHeThong, d("2026-11-20"))
            .unwrap(),
        fc("2C-HD KĐ.ĐG")
    );
    assert_eq!(
        rules
            .evaluation_form(chibo_rules::EvaluationGroup::LanhDaoQuanLy, d("2026-11-20"))
            .unwrap(),
        fc("2A-HD KĐ.ĐG")
    );
    assert_eq!(
        rules
            .evaluation_form(chibo_rules::EvaluationGroup::CanBoCongChuc, d("2026-11-20"))
            .unwrap(),
        fc("2B-HD KĐ.ĐG")
    );
    assert!(
        rules
            .evaluation_form(chibo_rules::EvaluationGroup::NgoaiHeThong, d("2025-10-01"))
            .is_err()
    );
}

#[test]
fn badge_proposal_steps() {
    let rules = Rules::embedded();
    let p = rules.procedure(CaseKind::HuyHieu, d("2026-03-01")).unwrap();
    let codes: Vec<&str> = p.steps.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "to_khai",
            "chi_uy_de_nghi",
            "dang_uy_de_nghi",
            "quyet_dinh",
            "trao_tang"
        ]
    );
    assert_eq!(
        p.step(&sc("quyet_dinh")).unwrap().performer,
        Performer::TinhUy
    );
    assert_eq!(
        p.step(&sc("dang_uy_de_nghi")).unwrap().documents[0].forms,
        [fc("4-HHĐ")]
    );
    assert_eq!(
        p.step(&sc("to_khai")).unwrap().guards,
        [chibo_rules::Guard::HuyHieu]
    );
}

#[test]
fn step_results_round_trip() {
    assert_eq!(StepResult::parse("failed"), Some(StepResult::Failed));
    assert_eq!(StepCode::new("Chi_bo").unwrap_err().0, "Chi_bo");
    assert!(StepCode::new("9abc").is_err());
    assert!(StepCode::new(&"a".repeat(49)).is_err());
    assert!(StepCode::new(&"a".repeat(48)).is_ok());
    assert!(StepCode::new("").is_err());
    assert!(DateCode::new("het-du-bi").is_err());
    assert!(FormCode::new("").is_err());
    assert!(FormCode::new(" 1-KNĐ").is_err());
    assert!(FormCode::new("1-KNĐ\n").is_err());
    assert!(FormCode::new(&"Đ".repeat(33)).is_err());
    assert!(FormCode::new(&"Đ".repeat(32)).is_ok());
    assert_eq!(
        serde_json::to_string(&sc("chi_bo_xet")).unwrap(),
        "\"chi_bo_xet\""
    );
    assert!(serde_json::from_str::<StepCode>("\"Chi bộ\"").is_err());
    assert_eq!(
        serde_json::from_str::<FormCode>("\"1-KNĐ\"").unwrap(),
        fc("1-KNĐ")
    );
}

/// Every procedure in force, walked step by step: each step is offered exactly when what it
/// depends on is done, is accepted with the documents it requires (and refused without them),
/// gets its deadline once its start is known, and the case can end completed at the end.
#[test]
fn every_step_of_every_procedure_walks_to_completion() {
    let rules = Rules::embedded();
    for opened in ["2026-01-05", "2026-11-02"] {
        let opened = d(opened);
        for kind in CaseKind::ALL {
            let p = rules.procedure(*kind, opened).unwrap();
            let mut case = Case::new(*kind, opened);
            for input in &p.inputs {
                // Facts of the past (a violation, a ceremony, a decision) before the case;
                // deadlines the round sets after it.
                let offset = if ["ngay_vi_pham", "ngay_ket_nap", "ngay_quyet_dinh"]
                    .contains(&input.code.as_str())
                {
                    -30
                } else {
                    90
                };
                case.dates
                    .insert(input.code.clone(), opened + chrono::Duration::days(offset));
            }
            let mut day = opened;
            for step in &p.steps {
                if step.escalation_of.is_some() {
                    continue; // reached only after failed votes (tested on its own)
                }
                let view = rules.case_view(&case, day).unwrap();
                // Not before its earliest day (the end of probation…).
                if let Some(earliest) = step.not_before.iter().find_map(|r| match r {
                    chibo_rules::Ref::Date(dc) => view.dates.get(dc).copied(),
                    chibo_rules::Ref::Step(_) => None,
                }) {
                    day = day.max(earliest);
                }
                let view = rules.case_view(&case, day).unwrap();
                let sv = view.step(&step.code).unwrap();
                assert!(
                    view.next.contains(&step.code),
                    "{kind} {}: not offered on {day}: {:?}",
                    step.code,
                    sv.state
                );
                if let Some(rule) = &step.deadline {
                    let due = sv
                        .due
                        .as_ref()
                        .unwrap_or_else(|| panic!("{kind} {}: deadline not computed", step.code));
                    assert!(due.date >= due.anchor, "{kind} {}", step.code);
                    assert!(!due.citation.is_empty() && due.explanation.contains(&step.label));
                    assert_eq!(due.late, rule.late);
                }
                let forms: Vec<FormCode> = step
                    .documents
                    .iter()
                    .filter(|d| !d.optional)
                    .map(|d| d.forms[0].clone())
                    .collect();
                if !forms.is_empty() {
                    let without = StepRecord::done(step.code.clone(), day, vec![]);
                    assert!(
                        rules
                            .check_step(&case, &without, day)
                            .unwrap_err()
                            .iter()
                            .any(|r| r.code() == "step.missing_document"),
                        "{kind} {}",
                        step.code
                    );
                }
                let r = StepRecord::done(step.code.clone(), day, forms);
                if let Err(e) = rules.check_step(&case, &r, day) {
                    panic!("{kind} {} on {day}: {e:?}", step.code);
                }
                case.records.push(r);
                day = rules.calendar().add_working_days(day, 1).unwrap();
            }
            let view = rules.case_view(&case, day).unwrap();
            assert!(view.next.is_empty(), "{kind}: {:?}", view.next);
            assert!(view.outcomes.contains(&CaseOutcome::HoanThanh), "{kind}");
            rules
                .check_close(&case, CaseOutcome::HoanThanh, day, day)
                .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
            // Every step done, none late (each was done on the first working day it could be).
            for s in &view.steps {
                if s.step.escalation_of.is_none() {
                    assert!(
                        matches!(s.state, StepState::Done { late_by: None, .. }),
                        "{kind} {}: {:?}",
                        s.step.code,
                        s.state
                    );
                }
            }
        }
    }
}
