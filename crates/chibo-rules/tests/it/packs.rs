use chibo_rules::{Confidence, Fraction, PARAMS, Rules, RulesError, Threshold, check_local_pack};

use crate::d;

#[test]
fn every_parameter_is_in_force_with_a_source_from_2026_on() {
    let rules = Rules::embedded();
    for date in ["2026-02-01", "2026-11-27", "2028-06-01", "2030-12-31"] {
        let view = rules.pack_at(d(date)).unwrap();
        for def in PARAMS {
            let r = view
                .resolved(def.name)
                .unwrap_or_else(|e| panic!("{date}: {e}"));
            assert!(!r.param.source.document.is_empty(), "{}", def.name);
        }
    }
}

/// The names of rules-vn.md §16 (with ASCII spellings) must all be in the catalogue.
#[test]
fn section_16_is_covered() {
    let names = [
        "min_full_members_to_form_cell",
        "full_members_threshold_for_chi_uy",
        "max_chi_uy_members",
        "pho_bi_thu_count",
        "bi_thu_max_election_rounds_before_appointment",
        "cell_term_months",
        "cell_term_pilot_months",
        "congress_date_tolerance_months",
        "congress_notice_working_days",
        "regular_meeting_frequency",
        "thematic_meeting_frequency",
        "min_meeting_minutes",
        "min_meeting_minutes_when_combined",
        "docs_upload_before_meeting_days",
        "docs_upload_after_meeting_days",
        "meeting_quorum",
        "attendance_target",
        "max_consecutive_excused_absences_per_year",
        "meeting_quality_tot_min",
        "xoa_ten_unpaid_months_per_year",
        "xoa_ten_unexcused_absences_per_year",
        "no_progress_months_for_xoa_ten",
        "nghi_quyet_threshold",
        "probationary_can_vote",
        "ket_nap_threshold",
        "cong_nhan_chinh_thuc_threshold",
        "recognition_max_failed_votes_before_escalation",
        "ky_luat_threshold",
        "de_nghi_khai_tru_threshold",
        "ky_luat_secret_ballot",
        "bau_cu_threshold",
        "election_ballot_secret_for",
        "max_candidate_surplus",
        "admission_age_min_years",
        "admission_age_max_years",
        "admission_min_education",
        "introducers_required",
        "introducer_shared_time_months",
        "party_awareness_certificate_validity_years",
        "ceremony_deadline_working_days",
        "probation_months",
        "recognition_review_deadline_working_days",
        "readmission_min_months_after_leaving",
        "evaluation_htxs_min_points",
        "htxs_quota_of_htt",
        "evaluation_period",
        "dues_rate_bhxh",
        "dues_rate_pension",
        "dues_student_vnd",
        "dues_rate_other_under_retirement",
        "dues_rate_other_retirement_age",
        "regional_min_wage_vnd_zone_1",
        "dues_exempt_party_age_years",
        "dues_reduction_options_pct",
        "dues_reduction_max_months",
        "dues_cell_retention",
        "badge_milestones_years",
        "badge_early_award_months",
        "badge_ceremony_dates",
        "transfer_procedure_deadline_working_days",
        "transfer_present_letter_deadline_working_days",
        "temp_transfer_min_months",
        "doc_margins_mm",
        "doc_font",
        "doc_number_scope",
        "doc_org_symbol_cell",
        "doc_org_symbol_upper",
        "party_card_no_length",
        "org_code_format",
        "working_day_calendar",
    ];
    for n in names {
        assert!(PARAMS.iter().any(|p| p.name == n), "{n}");
    }
}

#[test]
fn typed_parameters() {
    let rules = Rules::embedded();
    let on = d("2026-11-27");
    assert_eq!(rules.param::<u32>("probation_months", on).unwrap(), 12);
    assert_eq!(
        rules.param::<Threshold>("ket_nap_threshold", on).unwrap(),
        Threshold {
            strict: false,
            fraction: Fraction::new(2, 3).unwrap()
        }
    );
    assert_eq!(
        rules.param::<Fraction>("dues_rate_pension", on).unwrap(),
        Fraction::new(1, 200).unwrap()
    );
    assert_eq!(
        rules
            .param::<Option<Fraction>>("dues_cell_retention", on)
            .unwrap(),
        None
    );
    assert_eq!(
        rules
            .param::<Vec<(u32, u32)>>("badge_ceremony_dates", on)
            .unwrap()[1],
        (5, 19)
    );
    assert!(matches!(
        rules.param::<bool>("probation_months", on),
        Err(RulesError::WrongType { .. })
    ));
    assert!(matches!(
        rules.param::<u32>("no_such_rule", on),
        Err(RulesError::UnknownParam(_))
    ));
    let view = rules.pack_at(on).unwrap();
    assert_eq!(
        view.pack_ids().first().map(String::as_str),
        Some("vn-2021-07")
    );
    assert_eq!(
        view.resolved("meeting_quorum").unwrap().param.confidence,
        Confidence::U
    );
}

#[test]
fn a_pack_change_between_two_dates() {
    let rules = Rules::embedded();
    let cases: &[(&str, &str, &str, &str)] = &[
        ("attendance_target", "2025-10-27", "2025-10-28", "85% → 90%"),
        (
            "dues_rate_other_under_retirement",
            "2027-12-31",
            "2028-01-01",
            "0.3% → 0.5%",
        ),
        (
            "doc_margins_mm",
            "2026-05-26",
            "2026-05-27",
            "25/25/35/15 → 20/20/30/15",
        ),
    ];
    for (name, before, after, what) in cases {
        let a = rules
            .pack_at(d(before))
            .unwrap()
            .resolved(name)
            .unwrap()
            .param
            .clone();
        let b = rules
            .pack_at(d(after))
            .unwrap()
            .resolved(name)
            .unwrap()
            .param
            .clone();
        assert_ne!(a.value, b.value, "{name}: {what}");
    }
    assert_eq!(
        rules
            .param::<Fraction>("dues_rate_other_under_retirement", d("2028-01-01"))
            .unwrap(),
        Fraction::parse("0.5%").unwrap()
    );
    assert!(matches!(
        rules.pack_at(d("2021-07-29")),
        Err(RulesError::NoPackInForce(_))
    ));
    assert_eq!(
        rules.pack_at(d("2021-07-29")).unwrap_err().to_string(),
        "không có bộ quy tắc nào có hiệu lực vào ngày 29/07/2021"
    );
    assert!(rules.pack_at(d("2021-07-30")).is_ok());
    assert_eq!(rules.first_day(), Some(d("2021-07-30")));
}

#[test]
fn local_pack_overrides_named_parameters_only() {
    let text = r#"
id = "dang-uy-an-phu"
valid_from = 2026-01-01
valid_to = 2026-12-31

[params]
meeting_weight_conduct = { value = 40, source = { document = "Khung chấm điểm", number = "05-HD/ĐU" }, confidence = "V" }
meeting_weight_results = { value = 20, source = { document = "Khung chấm điểm", number = "05-HD/ĐU" }, confidence = "V" }
dues_cell_retention = { value = "30%", source = { document = "Quy chế", number = "02-QC/ĐU", article = "Điều 7" }, confidence = "V" }
"#;
    let rules = Rules::with_local_pack(text).unwrap();
    let view = rules.pack_at(d("2026-06-01")).unwrap();
    assert_eq!(view.get::<u32>("meeting_weight_conduct").unwrap(), 40);
    assert_eq!(
        view.resolved("meeting_weight_conduct").unwrap().pack_id,
        "dang-uy-an-phu"
    );
    assert_eq!(
        view.get::<u32>("meeting_weight_time").unwrap(),
        5,
        "untouched"
    );
    assert_eq!(
        view.get::<Option<Fraction>>("dues_cell_retention").unwrap(),
        Fraction::new(3, 10)
    );
    assert_eq!(
        view.pack_ids().last().map(String::as_str),
        Some("dang-uy-an-phu")
    );
    // Outside its dates the national value applies again.
    assert_eq!(
        rules
            .param::<u32>("meeting_weight_conduct", d("2027-01-01"))
            .unwrap(),
        30
    );
    assert_eq!(
        rules
            .param::<u32>("meeting_weight_conduct", d("2025-12-31"))
            .unwrap(),
        30
    );
}

#[test]
fn local_pack_errors_have_line_numbers() {
    let text = r#"id = "x"

[params]
meeting_quorum = { value = "3/4", source = { document = "Quy chế", number = "01-QC/ĐU" }, confidence = "V" }
meeting_quorom = { value = "3/4", source = { document = "Quy chế" }, confidence = "V" }
min_meeting_minutes = { value = "ninety", source = { document = "Quy chế" }, confidence = "V" }
due_soon_working_days = { value = 5, confidence = "U" }
attendance_target = { value = 0.9, source = { document = "Quy chế" }, confidence = "V" }
nghi_quyet_threshold = { value = "2/3", source = { document = "Quy chế" }, confidence = "X" }
nghi_quyet_base = { value = "present", source = { document = "Quy chế", page = 3 }, confidence = "V" }
"#;
    let errors = check_local_pack(text).unwrap_err();
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [5, 6, 7, 8, 9, 9, 10, 10], "{errors:#?}");
    assert!(errors[0].message.contains("meeting_quorom"));
    assert!(errors[1].message.contains("sai kiểu"));
    assert!(errors[2].message.contains("thiếu source"));
    assert!(errors.iter().any(|e| e.message.contains("confidence")));
    assert_eq!(
        errors[0].to_string(),
        format!("dòng 5: {}", errors[0].message)
    );

    let syntax = check_local_pack("id = \"x\"\n[params]\nfoo = {\n").unwrap_err();
    assert_eq!(syntax.len(), 1);
    assert!(
        syntax[0].message.starts_with("TOML không hợp lệ"),
        "{:?}",
        syntax[0]
    );
    assert!(check_local_pack("title = \"no id\"\n").is_err());
    assert!(check_local_pack("id = \"x\"\nvalid_from = \"yesterday\"\n").is_err());
    assert!(check_local_pack("id = \"ok\"\n").is_ok());
}

/// Forms and procedures are the national guidance's: a đảng ủy sets parameters only.
#[test]
fn local_packs_cannot_define_forms_or_procedures() {
    let text = r#"id = "x"

[forms]
"1-KNĐ" = { title = "Đơn", source = { document = "Quy chế" }, confidence = "V" }

[procedures.ket_nap]
title = "Kết nạp"
source = { document = "Quy chế" }
confidence = "V"
outcomes = [{ outcome = "hoan_thanh", after = ["a"] }]
steps = [{ code = "a", label = "A", performer = "chi_uy" }]
"#;
    let errors = check_local_pack(text).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(
        errors[0].to_string(),
        "dòng 4: gói quy tắc địa phương chỉ được đặt tham số ([params]), không được khai báo biểu mẫu"
    );
    assert_eq!(
        errors[1].to_string(),
        "dòng 6: gói quy tắc địa phương chỉ được đặt tham số ([params]), không được khai báo quy trình"
    );
    assert!(Rules::with_local_pack(text).is_err());
    // A local pack still moves a deadline of a procedure: the steps name their parameter.
    let local = Rules::with_local_pack(
        "id = \"x\"\n[params]\nceremony_deadline_working_days = { value = 20, source = { document = \"Quy chế\", number = \"01-QC/ĐU\" }, confidence = \"V\" }\n",
    )
    .unwrap();
    let p = local
        .procedure(chibo_rules::CaseKind::KetNap, d("2026-03-01"))
        .unwrap();
    assert_eq!(p.pack_id, "vn-2025-09");
    let mut case = chibo_rules::Case::new(chibo_rules::CaseKind::KetNap, d("2026-01-05"));
    for (step, day) in [
        ("bdnt", "2026-01-05"),
        ("don_xin_vao_dang", "2026-01-05"),
        ("ly_lich", "2026-01-05"),
        ("tham_tra_ly_lich", "2026-01-05"),
        ("gioi_thieu", "2026-01-05"),
        ("lay_y_kien", "2026-01-05"),
        ("chi_uy_xem_xet", "2026-01-05"),
        ("chi_bo_xet", "2026-01-06"),
        ("nghi_quyet_dang_uy", "2026-01-07"),
        ("quyet_dinh_ket_nap", "2026-02-02"),
    ] {
        case.records.push(chibo_rules::StepRecord::done(
            chibo_rules::StepCode::new(step).unwrap(),
            d(day),
            vec![],
        ));
    }
    let view = local.case_view(&case, d("2026-02-03")).unwrap();
    let due = view
        .step(&chibo_rules::StepCode::new("le_ket_nap").unwrap())
        .unwrap()
        .due
        .clone()
        .unwrap();
    // 20 working days from 02/02/2026 across Tết: 09/03/2026, under the đảng ủy's quy chế.
    assert_eq!(due.date, d("2026-03-09"));
    assert_eq!(due.citation, "Quy chế 01-QC/ĐU");
}

#[test]
fn fractions_are_exact() {
    let two_thirds = Threshold::parse(">= 2/3").unwrap();
    let half = Threshold::parse("> 1/2").unwrap();
    let cases = [
        (two_thirds, 6, 4),
        (two_thirds, 7, 5),
        (two_thirds, 9, 6),
        (two_thirds, 3, 2),
        (half, 12, 7),
        (half, 11, 6),
        (half, 1, 1),
        (half, 2, 2),
    ];
    for (t, base, needed) in cases {
        assert_eq!(t.needed(base), needed, "{t} of {base}");
    }
    assert!(!half.met(0, 0));
    // An empty base never meets ">= 2/3" (it needs 0 votes of 0).
    assert_eq!(two_thirds.needed(0), 0);
    assert!(!two_thirds.met(0, 0));
    assert!(two_thirds.met(2, 3) && !two_thirds.met(1, 3));
    assert_eq!(Fraction::parse("0.5%"), Fraction::new(1, 200));
    assert_eq!(Fraction::parse("20%"), Fraction::new(1, 5));
    assert_eq!(Fraction::parse("4/6"), Fraction::new(2, 3));
    assert_eq!(Fraction::parse("1/0"), None);
    assert_eq!(Fraction::parse("0.5"), None);
    assert_eq!(Threshold::parse("2/3"), None);
    assert_eq!(Fraction::new(3, 1000).unwrap().percent_string(), "0.3%");
    // Percentages: digits, a point, at most six decimals; anything else is refused.
    assert_eq!(
        Fraction::parse("0.123456%"),
        Fraction::new(123_456, 100_000_000)
    );
    for bad in [
        "%",
        ".5%",
        "a%",
        "1.a%",
        "1.2.3%",
        "0.1234567%",
        "-1%",
        "1/a",
        "a/2",
        "x",
    ] {
        assert_eq!(Fraction::parse(bad), None, "{bad}");
    }
    assert_eq!(Fraction::parse(" 1 / 2 "), Fraction::new(1, 2));
    assert_eq!(Fraction::parse("3"), Fraction::new(3, 1));
    // Rounding with a numerator other than one.
    let f = Fraction::new(2, 3).unwrap();
    assert_eq!((f.floor_of(7), f.ceil_of(7)), (4, 5));
    assert_eq!((f.floor_of(9), f.ceil_of(9)), (6, 6));
    assert_eq!((f.num(), f.den()), (2, 3));
    assert_eq!(Fraction::new(4, 6), Fraction::new(2, 3));
    assert_eq!(Fraction::new(0, 5).unwrap().den(), 1);
    assert_eq!(Fraction::new(1, 0), None);
}
