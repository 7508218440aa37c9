use chibo_rules::{
    BadgeCandidate, Discipline, DuesCategory, DuesInput, EvaluationInput, Interruption, Level,
    MeetingScores, Rules, RulesError, Status, Tier, Zone, format_date_line, format_doc_number,
    party_age,
};

use crate::d;

#[test]
fn party_age_minus_interruptions() {
    let a = party_age(d("1996-02-03"), &[], d("2026-02-03"));
    assert_eq!((a.years, a.months, a.days_interrupted), (30, 0, 0));
    let a = party_age(d("1996-02-03"), &[], d("2026-02-02"));
    assert_eq!((a.years, a.months), (29, 11));
    // 10 days out of activity push the 30 years by 10 days.
    let gap = Interruption {
        from: d("2000-01-01"),
        to: d("2000-01-10"),
    };
    let a = party_age(d("1996-02-03"), &[gap], d("2026-02-12"));
    assert_eq!(
        (a.years, a.days_interrupted, a.effective_start),
        (29, 10, d("1996-02-13"))
    );
    let a = party_age(d("1996-02-03"), &[gap], d("2026-02-13"));
    assert_eq!(a.years, 30);
    // Overlapping interruptions count once; days after the date do not count yet.
    let g2 = Interruption {
        from: d("2000-01-05"),
        to: d("2000-01-20"),
    };
    assert_eq!(
        party_age(d("1996-02-03"), &[gap, g2], d("2026-06-01")).days_interrupted,
        20
    );
    // Before the admission decision, no party age at all.
    let a = party_age(d("1996-02-03"), &[], d("1996-01-01"));
    assert_eq!((a.years, a.months, a.days_interrupted), (0, 0, 0));
    // Two separate breaks count their own days, never the time between them.
    let g3 = Interruption {
        from: d("2001-03-01"),
        to: d("2001-03-05"),
    };
    assert_eq!(
        party_age(d("1996-02-03"), &[g3, gap], d("2026-06-01")).days_interrupted,
        15
    );
    // A break that ends the day before the next begins is still two breaks of their own days.
    let g4 = Interruption {
        from: d("2000-01-11"),
        to: d("2000-01-11"),
    };
    assert_eq!(
        party_age(d("1996-02-03"), &[gap, g4], d("2026-06-01")).days_interrupted,
        11
    );
    // A break inside another adds nothing.
    let inner = Interruption {
        from: d("2000-01-03"),
        to: d("2000-01-04"),
    };
    assert_eq!(
        party_age(d("1996-02-03"), &[gap, inner], d("2026-06-01")).days_interrupted,
        10
    );
    let future = Interruption {
        from: d("2026-05-25"),
        to: d("2026-12-31"),
    };
    assert_eq!(
        party_age(d("1996-02-03"), &[future], d("2026-06-01")).days_interrupted,
        8
    );
}

fn candidate(id: &str, admission: &str) -> BadgeCandidate {
    BadgeCandidate {
        id: id.into(),
        admission: d(admission),
        interruptions: vec![],
        awarded: vec![],
        seriously_ill: false,
        deceased: false,
        disciplines: vec![],
    }
}

#[test]
fn badges_due_at_the_next_ceremony() {
    let rules = Rules::embedded();
    assert_eq!(
        rules.next_badge_ceremony(d("2026-02-04")).unwrap(),
        d("2026-05-19")
    );
    assert_eq!(
        rules.next_badge_ceremony(d("2026-05-19")).unwrap(),
        d("2026-05-19")
    );
    assert_eq!(
        rules.next_badge_ceremony(d("2026-11-08")).unwrap(),
        d("2027-02-03")
    );

    let ceremony = d("2026-05-19");
    let mut ill = candidate("ill-70", "1956-12-01");
    ill.seriously_ill = true;
    ill.awarded = vec![30, 40, 45, 50, 55, 60, 65];
    let mut ill_short = candidate("ill-40", "1986-07-01");
    ill_short.seriously_ill = true;
    ill_short.awarded = vec![30];
    let mut dead = candidate("posthumous-50", "1977-03-01");
    dead.deceased = true;
    dead.awarded = vec![30, 40, 45];
    let mut has = candidate("already", "1996-05-01");
    has.awarded = vec![30];
    // The long window (24 months) is for 70 years and more, the short one (12) below: a
    // 70-year badge 20 months away is due, a 30-year badge 18 months away is not.
    let mut ill_70_far = candidate("ill-70-far", "1958-01-10");
    ill_70_far.seriously_ill = true;
    ill_70_far.awarded = vec![30, 40, 45, 50, 55, 60, 65];
    let mut ill_30_far = candidate("ill-30-far", "1997-11-19");
    ill_30_far.seriously_ill = true;
    let list = [
        candidate("30-exactly", "1996-05-19"),
        candidate("30-tomorrow", "1996-05-20"),
        candidate("new-to-list-40", "1986-01-01"),
        ill,
        ill_short,
        dead,
        has,
        ill_70_far,
        ill_30_far,
    ];
    let due = rules.badges_due(&list, ceremony).unwrap();
    let got: Vec<(&str, u32, bool)> = due
        .iter()
        .map(|b| (b.id.as_str(), b.milestone, b.early))
        .collect();
    assert_eq!(
        got,
        [
            ("30-exactly", 30, false),
            ("new-to-list-40", 40, false),
            ("ill-70", 70, true),
            ("ill-40", 40, true),
            ("posthumous-50", 50, true),
            ("ill-70-far", 70, true),
        ]
    );
}

fn dues(cat: DuesCategory, month: &str) -> Result<u64, RulesError> {
    let input = DuesInput {
        category: cat,
        party_age_years: 10,
        exempt: false,
        reduction_pct: None,
    };
    Rules::embedded()
        .dues(&input, d(month))
        .map(|x| x.amount_vnd)
}

#[test]
fn dues_per_category() {
    let cases: &[(&str, DuesCategory, &str, u64)] = &[
        (
            "1% of 8,450,000",
            DuesCategory::Bhxh {
                salary_vnd: 8_450_000,
            },
            "2026-03-01",
            85_000,
        ),
        (
            "1% of 8,449,000 rounds down",
            DuesCategory::Bhxh {
                salary_vnd: 8_449_000,
            },
            "2026-03-01",
            84_000,
        ),
        (
            "0.5% of 6,300,000",
            DuesCategory::Pension {
                pension_vnd: 6_300_000,
            },
            "2026-03-01",
            32_000,
        ),
        ("student", DuesCategory::Student, "2026-03-01", 5_000),
        (
            "0.3% zone I",
            DuesCategory::OtherUnderRetirement { zone: Zone::I },
            "2026-03-01",
            16_000,
        ),
        (
            "0.3% zone IV",
            DuesCategory::OtherUnderRetirement { zone: Zone::IV },
            "2026-03-01",
            11_000,
        ),
        (
            "0.2% zone IV",
            DuesCategory::OtherRetirementAge { zone: Zone::IV },
            "2026-03-01",
            7_000,
        ),
        (
            "0.5% zone IV from 2028",
            DuesCategory::OtherUnderRetirement { zone: Zone::IV },
            "2028-01-01",
            19_000,
        ),
        (
            "0.3% zone II from 2028",
            DuesCategory::OtherRetirementAge { zone: Zone::II },
            "2028-03-01",
            14_000,
        ),
        (
            "before QĐ 01: 1% (QĐ 342)",
            DuesCategory::Bhxh {
                salary_vnd: 5_000_000,
            },
            "2026-01-15",
            50_000,
        ),
    ];
    for (name, cat, month, expected) in cases {
        assert_eq!(dues(*cat, month).unwrap(), *expected, "{name}");
    }
    // No rule for students before QĐ 01-QĐ/TW in the packs.
    assert!(matches!(
        dues(DuesCategory::Student, "2026-01-15"),
        Err(RulesError::NotInForce { .. })
    ));
}

#[test]
fn dues_exemptions_and_reductions() {
    let rules = Rules::embedded();
    let on = d("2026-03-01");
    let base = DuesInput {
        category: DuesCategory::Bhxh {
            salary_vnd: 10_000_000,
        },
        party_age_years: 50,
        exempt: false,
        reduction_pct: None,
    };
    let x = rules.dues(&base, on).unwrap();
    assert_eq!(x.amount_vnd, 0);
    assert!(x.explanation.starts_with("Miễn đóng: tuổi đảng 50 năm"));
    let young = DuesInput {
        party_age_years: 49,
        ..base
    };
    assert_eq!(rules.dues(&young, on).unwrap().amount_vnd, 100_000);
    let exempt = DuesInput {
        exempt: true,
        ..young
    };
    assert_eq!(rules.dues(&exempt, on).unwrap().amount_vnd, 0);
    let reduced = DuesInput {
        reduction_pct: Some(30),
        ..young
    };
    assert_eq!(rules.dues(&reduced, on).unwrap().amount_vnd, 70_000);
    let reduced = DuesInput {
        reduction_pct: Some(70),
        ..young
    };
    assert_eq!(rules.dues(&reduced, on).unwrap().amount_vnd, 30_000);
    let bad = DuesInput {
        reduction_pct: Some(40),
        ..young
    };
    assert!(matches!(rules.dues(&bad, on), Err(RulesError::Invalid(_))));
}

#[test]
fn evaluation_tiers() {
    let rules = Rules::embedded();
    let on = d("2026-12-10");
    let full = EvaluationInput {
        points: 92,
        tasks_total: 10,
        tasks_done: 10,
        tasks_on_time: 10,
        tasks_exceeding: 3,
        ..Default::default()
    };
    let cases: &[(&str, EvaluationInput, Tier)] = &[
        ("HTXS", full, Tier::Htxs),
        (
            // No task assigned: nothing exceeded, so never HTXS whatever the points.
            "no tasks, 95 points",
            EvaluationInput {
                points: 95,
                ..Default::default()
            },
            Tier::Htt,
        ),
        (
            // The 20 % late allowance is the collectives' rule: a member with half the tasks
            // late but all done is still HT.
            "member, half late",
            EvaluationInput {
                points: 60,
                tasks_total: 2,
                tasks_done: 2,
                tasks_on_time: 1,
                ..Default::default()
            },
            Tier::Ht,
        ),
        (
            "collective, half late",
            EvaluationInput {
                points: 60,
                tasks_total: 2,
                tasks_done: 2,
                tasks_on_time: 1,
                collective: true,
                ..Default::default()
            },
            Tier::Kht,
        ),
        (
            "collective, one in five late",
            EvaluationInput {
                points: 60,
                tasks_total: 5,
                tasks_done: 5,
                tasks_on_time: 4,
                collective: true,
                ..Default::default()
            },
            Tier::Ht,
        ),
        (
            "90 points is enough",
            EvaluationInput { points: 90, ..full },
            Tier::Htxs,
        ),
        (
            "too few exceeding tasks",
            EvaluationInput {
                tasks_exceeding: 2,
                ..full
            },
            Tier::Htt,
        ),
        (
            "one task late",
            EvaluationInput {
                tasks_on_time: 9,
                ..full
            },
            Tier::Ht,
        ),
        (
            "89 points",
            EvaluationInput { points: 89, ..full },
            Tier::Htt,
        ),
        (
            "70 points",
            EvaluationInput { points: 70, ..full },
            Tier::Htt,
        ),
        (
            "69 points",
            EvaluationInput { points: 69, ..full },
            Tier::Ht,
        ),
        (
            "50 points",
            EvaluationInput { points: 50, ..full },
            Tier::Ht,
        ),
        (
            "49 points",
            EvaluationInput { points: 49, ..full },
            Tier::Kht,
        ),
        (
            "a task not done",
            EvaluationInput {
                points: 60,
                tasks_done: 9,
                tasks_on_time: 9,
                ..full
            },
            Tier::Kht,
        ),
        (
            "disqualified",
            EvaluationInput {
                disqualified: true,
                ..full
            },
            Tier::Kht,
        ),
        (
            "collective: 3 of 10 late is over 20%",
            EvaluationInput {
                points: 60,
                tasks_on_time: 7,
                collective: true,
                ..full
            },
            Tier::Kht,
        ),
        (
            "collective: 2 of 10 late is allowed",
            EvaluationInput {
                points: 60,
                tasks_on_time: 8,
                collective: true,
                ..full
            },
            Tier::Ht,
        ),
    ];
    for (name, input, tier) in cases {
        let e = rules.evaluate(input, on).unwrap();
        assert_eq!(e.tier, *tier, "{name}: {}", e.explanation);
    }
    assert!(
        rules
            .evaluate(&full, on)
            .unwrap()
            .explanation
            .contains("366-QĐ/TW")
    );
    assert_eq!(
        rules.evaluate(&full, on).unwrap().explanation,
        "Hoàn thành xuất sắc nhiệm vụ: 92 điểm (≥ 90), 100% nhiệm vụ đúng hạn, ≥ 30% vượt yêu cầu — QĐ 366-QĐ/TW, Điều 11"
    );
    // QĐ 366 came into force on 30/8/2025.
    assert!(rules.evaluate(&full, d("2025-08-29")).is_err());
    // The edges of consistent input are accepted: 100 points, every task exceeding.
    let top = EvaluationInput {
        points: 100,
        tasks_exceeding: 10,
        ..full
    };
    assert_eq!(rules.evaluate(&top, on).unwrap().tier, Tier::Htxs);
    // Inconsistent input is refused, each way it can be.
    for bad in [
        EvaluationInput {
            points: 101,
            ..full
        },
        EvaluationInput {
            tasks_exceeding: 11,
            ..full
        },
        EvaluationInput {
            tasks_done: 11,
            tasks_on_time: 10,
            ..full
        },
        EvaluationInput {
            tasks_on_time: 10,
            tasks_done: 9,
            ..full
        },
    ] {
        assert!(
            matches!(rules.evaluate(&bad, on), Err(RulesError::Invalid(_))),
            "{bad:?}"
        );
    }

    let q = rules.htxs_quota(2, 10, on).unwrap();
    assert_eq!((q.max_htxs, q.ok), (2, true));
    let q = rules.htxs_quota(3, 14, on).unwrap();
    assert_eq!((q.max_htxs, q.ok), (2, false));
    assert_eq!(rules.htxs_quota(0, 4, on).unwrap().max_htxs, 0);
}

#[test]
fn meeting_quality_bands() {
    let rules = Rules::embedded();
    let on = d("2026-03-10");
    let top = MeetingScores {
        time: 5,
        attendance: 5,
        preparation: 10,
        conduct: 30,
        chairing: 10,
        principles: 5,
        results: 30,
        closing: 5,
    };
    let g = rules.meeting_quality(&top, on).unwrap();
    assert_eq!((g.total, g.band), (100, "tot"));
    let g = rules
        .meeting_quality(&MeetingScores { results: 20, ..top }, on)
        .unwrap();
    assert_eq!((g.total, g.band), (90, "tot"));
    let g = rules
        .meeting_quality(&MeetingScores { results: 19, ..top }, on)
        .unwrap();
    assert_eq!(g.band, "kha");
    let g = rules
        .meeting_quality(
            &MeetingScores {
                results: 0,
                conduct: 20,
                ..top
            },
            on,
        )
        .unwrap();
    assert_eq!((g.total, g.band), (60, "trung_binh"));
    let g = rules
        .meeting_quality(&MeetingScores::default(), on)
        .unwrap();
    assert_eq!(g.band, "kem");
    assert!(
        rules
            .meeting_quality(&MeetingScores { time: 6, ..top }, on)
            .is_err()
    );
}

#[test]
fn document_numbers_and_date_lines() {
    assert_eq!(format_doc_number(5, "NQ", "CB"), "Số 05-NQ/CB");
    assert_eq!(format_doc_number(12, "BB", "CB"), "Số 12-BB/CB");
    assert_eq!(format_doc_number(127, "QĐ", "TW"), "Số 127-QĐ/TW");
    assert_eq!(
        format_date_line("Bến Nghé", d("2026-02-05")),
        "Bến Nghé, ngày 05 tháng 02 năm 2026"
    );
    assert_eq!(
        format_date_line("Bến Nghé", d("2026-01-15")),
        "Bến Nghé, ngày 15 tháng 01 năm 2026"
    );
    assert_eq!(
        format_date_line("Hà Nội", d("2026-05-09")),
        "Hà Nội, ngày 09 tháng 5 năm 2026"
    );
    assert_eq!(
        format_date_line("Hà Nội", d("2026-12-25")),
        "Hà Nội, ngày 25 tháng 12 năm 2026"
    );
}

#[test]
fn badge_over_an_interruption_and_a_discipline_block() {
    let rules = Rules::embedded();
    // Removed in 2000 and admitted again a year later: 365 days left out of the party age.
    let history = [
        (Status::DuBi, d("1996-01-20")),
        (Status::ChinhThuc, d("1997-01-20")),
        (Status::XoaTen, d("2000-03-01")),
        (Status::DuBi, d("2001-03-01")),
        (Status::ChinhThuc, d("2002-03-01")),
    ];
    let interruptions = rules
        .party_interruptions(&history, d("2026-12-01"))
        .unwrap();
    assert_eq!(
        interruptions,
        [Interruption {
            from: d("2000-03-01"),
            to: d("2001-02-28")
        }]
    );
    let plain = candidate("a", "1996-01-10");
    let span = (d("2026-01-01"), d("2027-12-31"));
    // Without the interruption: 30 years on 10/01/2026, the badge at 3/2/2026.
    let (on, due) = rules.next_badge(&plain, span.0, span.1).unwrap().unwrap();
    assert_eq!((on, due.milestone), (d("2026-02-03"), 30));
    // With it: 30 years on 09/01/2027, the badge at 3/2/2027.
    let interrupted = BadgeCandidate {
        interruptions: interruptions.clone(),
        ..candidate("a", "1996-01-10")
    };
    let (on, due) = rules
        .next_badge(&interrupted, span.0, span.1)
        .unwrap()
        .unwrap();
    assert_eq!(
        (on, due.milestone, due.reached_on),
        (d("2027-02-03"), 30, d("2027-01-09"))
    );
    assert_eq!(
        rules
            .badge_eligibility(&interrupted, d("2026-11-07"))
            .unwrap_err()[0]
            .code,
        "huy_hieu.not_reached"
    );
    // A warning on 01/12/2026 blocks it for six months: not at 3/2 nor 19/5, at 2/9/2027.
    let warned = BadgeCandidate {
        disciplines: vec![Discipline {
            level: Level::CanhCao,
            effective: d("2026-12-01"),
        }],
        ..interrupted
    };
    for ceremony in ["2027-02-03", "2027-05-19"] {
        let e = rules.badge_eligibility(&warned, d(ceremony)).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, "huy_hieu.blocked");
        assert!(e[0].message.contains("trước ngày 01/06/2027"), "{}", e[0]);
    }
    let (on, due) = rules.next_badge(&warned, span.0, span.1).unwrap().unwrap();
    assert_eq!((on, due.milestone), (d("2027-09-02"), 30));
    assert!(rules.badge_eligibility(&warned, d("2027-09-02")).is_ok());
    // Nothing in a span with no ceremony left.
    assert!(
        rules
            .next_badge(&warned, d("2027-11-08"), d("2027-12-31"))
            .unwrap()
            .is_none()
    );
    assert_eq!(
        rules
            .badge_ceremonies(d("2027-01-01"), d("2027-12-31"))
            .unwrap(),
        [
            d("2027-02-03"),
            d("2027-05-19"),
            d("2027-09-02"),
            d("2027-11-07")
        ]
    );
}
