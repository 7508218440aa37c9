use chibo_rules::{MeetingKind, Rules, RulesError, Timer, TransferKind};

use crate::d;

/// (name, timer, from, expected deadline)
const DEADLINES: &[(&str, Timer, &str, &str)] = &[
    (
        "ceremony, no holiday",
        Timer::CeremonyAfterDecision,
        "2026-03-10",
        "2026-04-21",
    ),
    (
        "ceremony across Tết Bính Ngọ",
        Timer::CeremonyAfterDecision,
        "2026-01-20",
        "2026-03-10",
    ),
    (
        "ceremony across Tết Ất Tỵ",
        Timer::CeremonyAfterDecision,
        "2025-01-15",
        "2025-03-05",
    ),
    (
        "ceremony from a Saturday",
        Timer::CeremonyAfterDecision,
        "2026-03-14",
        "2026-04-24",
    ),
    (
        "probation is 12 calendar months",
        Timer::ProbationEnd,
        "2025-03-10",
        "2026-03-10",
    ),
    (
        "probation from 29/2 ends 28/2",
        Timer::ProbationEnd,
        "2024-02-29",
        "2025-02-28",
    ),
    (
        "recognition across 2/9",
        Timer::RecognitionReview,
        "2026-08-20",
        "2026-10-05",
    ),
    (
        "recognition across Giỗ Tổ and 30/4",
        Timer::RecognitionReview,
        "2026-04-01",
        "2026-05-18",
    ),
    (
        "transfer procedure 60 working days",
        Timer::TransferProcedure,
        "2026-03-02",
        "2026-05-28",
    ),
    (
        "transfer letter 30 working days",
        Timer::TransferPresentLetter,
        "2026-06-01",
        "2026-07-13",
    ),
    (
        "congress notice counts back",
        Timer::CongressNotice,
        "2026-10-15",
        "2026-09-03",
    ),
    (
        "meeting notice 1 day before",
        Timer::MeetingNotice,
        "2026-03-10",
        "2026-03-09",
    ),
    (
        "documents 1 day before",
        Timer::DocsUploadBeforeMeeting,
        "2026-03-10",
        "2026-03-09",
    ),
    (
        "documents 2 days after",
        Timer::DocsUploadAfterMeeting,
        "2026-03-10",
        "2026-03-12",
    ),
    (
        "cell term 30 months",
        Timer::CellTermEnd,
        "2025-09-15",
        "2028-03-15",
    ),
    (
        "pilot term 60 months",
        Timer::CellTermPilotEnd,
        "2025-09-15",
        "2030-09-15",
    ),
    (
        "no progress 12 months",
        Timer::NoProgressReview,
        "2026-01-31",
        "2027-01-31",
    ),
    (
        "re-admission after 36 months",
        Timer::ReadmissionEarliest,
        "2026-05-01",
        "2029-05-01",
    ),
    (
        "dues reduction up to 12 months",
        Timer::DuesReductionEnd,
        "2026-02-01",
        "2027-02-01",
    ),
    (
        "awareness certificate 5 years",
        Timer::AwarenessCertificateExpiry,
        "2026-06-30",
        "2031-06-30",
    ),
    (
        "make-up Saturday 26/4/2025 is a working day",
        Timer::CeremonyAfterDecision,
        "2025-04-24",
        "2025-06-09",
    ),
    (
        "a resident's concern forwarded in 5 working days, across Tết",
        Timer::ResidentConcernForward,
        "2026-02-12",
        "2026-02-26",
    ),
    (
        "a resident's concern answered in 30 working days",
        Timer::ResidentConcernAnswer,
        "2026-03-02",
        "2026-04-13",
    ),
];

#[test]
fn deadlines() {
    let rules = Rules::embedded();
    for &(name, timer, from, expected) in DEADLINES {
        let dl = rules
            .deadline(timer, d(from))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(dl.date, d(expected), "{name}: {}", dl.explanation);
        assert!(!dl.citation.is_empty(), "{name}");
    }
}

#[test]
fn deadline_across_tet_explains_the_days_off() {
    let dl = Rules::embedded()
        .deadline(Timer::CeremonyAfterDecision, d("2026-01-20"))
        .unwrap();
    assert_eq!(dl.days_off.len(), 5);
    assert!(dl.days_off.iter().all(|(_, n)| n == "Tết Nguyên đán"));
    assert_eq!(
        dl.explanation,
        "Hạn tổ chức lễ kết nạp: 10/03/2026 (30 ngày làm việc kể từ 20/01/2026), không tính 5 ngày \
         nghỉ: Tết Nguyên đán — QĐ 24-QĐ/TW, mục 4.1"
    );
    assert!(
        dl.explain(chibo_rules::Lang::En)
            .contains("skipping 5 days off")
    );
}

#[test]
fn projected_years_are_flagged() {
    let dl = Rules::embedded()
        .deadline(Timer::CeremonyAfterDecision, d("2027-01-20"))
        .unwrap();
    assert!(
        dl.explanation.contains("lịch nghỉ năm 2027 là dự kiến"),
        "{}",
        dl.explanation
    );
}

#[test]
fn a_pack_change_moves_the_citation() {
    let rules = Rules::embedded();
    let before = rules
        .deadline(Timer::TransferProcedure, d("2025-06-30"))
        .unwrap();
    let after = rules
        .deadline(Timer::TransferProcedure, d("2025-07-01"))
        .unwrap();
    assert_eq!(before.citation, "QĐ 24-QĐ/TW, mục 6.3.1");
    assert_eq!(after.citation, "QĐ 294-QĐ/TW, mục 6.3.1");
}

#[test]
fn working_day_counts() {
    let rules = Rules::embedded();
    let cal = rules.calendar();
    assert!(!cal.is_working_day(d("2026-02-16")).unwrap(), "Tết");
    assert!(
        !cal.is_working_day(d("2026-04-27")).unwrap(),
        "nghỉ bù Giỗ Tổ"
    );
    assert!(!cal.is_working_day(d("2026-03-14")).unwrap(), "Saturday");
    assert!(
        cal.is_working_day(d("2025-04-26")).unwrap(),
        "make-up Saturday"
    );
    assert!(
        !cal.is_working_day(d("2025-05-02")).unwrap(),
        "swapped day off"
    );
    assert!(
        !cal.is_working_day(d("2030-02-04")).unwrap(),
        "projected Tết 2030"
    );
    assert_eq!(
        cal.holiday(d("2025-09-01")),
        Some("Quốc khánh (ngày liền kề)")
    );
    assert_eq!(
        rules
            .working_days_between(d("2026-02-13"), d("2026-02-23"))
            .unwrap(),
        1
    );
    assert_eq!(
        rules
            .working_days_between(d("2026-02-23"), d("2026-02-13"))
            .unwrap(),
        -1
    );
    assert_eq!(
        rules
            .working_days_between(d("2026-03-02"), d("2026-03-02"))
            .unwrap(),
        0
    );
    assert_eq!(
        rules
            .working_days_between(d("2026-01-01"), d("2026-12-31"))
            .unwrap(),
        250
    );
    assert!(matches!(
        cal.is_working_day(d("2031-01-02")),
        Err(RulesError::OutsideCalendar {
            first: 2020,
            last: 2030,
            ..
        })
    ));
    assert!(
        rules
            .deadline(Timer::CeremonyAfterDecision, d("2030-12-10"))
            .is_err()
    );
}

#[test]
fn due_soon_is_three_working_days() {
    let rules = Rules::embedded();
    // Deadline Wed 11/3/2026: due soon from Fri 6/3 (Mon 9, Tue 10, Wed 11 = 3).
    assert!(rules.is_due_soon(d("2026-03-11"), d("2026-03-06")).unwrap());
    assert!(!rules.is_due_soon(d("2026-03-11"), d("2026-03-05")).unwrap());
    assert!(rules.is_due_soon(d("2026-03-11"), d("2026-03-11")).unwrap());
    assert!(
        !rules.is_due_soon(d("2026-03-11"), d("2026-03-12")).unwrap(),
        "past is overdue, not due soon"
    );
}

#[test]
fn meetings_due() {
    let rules = Rules::embedded();
    let m = rules
        .meeting_due(MeetingKind::Regular, Some(d("2026-03-05")), d("2026-03-20"))
        .unwrap();
    assert_eq!((m.due_by, m.overdue), (d("2026-04-30"), false));
    let m = rules
        .meeting_due(MeetingKind::Regular, Some(d("2026-02-25")), d("2026-03-20"))
        .unwrap();
    assert_eq!((m.due_by, m.overdue), (d("2026-03-31"), false));
    let m = rules
        .meeting_due(MeetingKind::Regular, Some(d("2026-01-25")), d("2026-03-20"))
        .unwrap();
    assert_eq!((m.due_by, m.overdue), (d("2026-03-31"), true));
    let m = rules
        .meeting_due(
            MeetingKind::Thematic,
            Some(d("2026-01-15")),
            d("2026-03-20"),
        )
        .unwrap();
    assert_eq!((m.due_by, m.overdue), (d("2026-06-30"), false));
    let m = rules
        .meeting_due(
            MeetingKind::Thematic,
            Some(d("2025-12-15")),
            d("2026-03-20"),
        )
        .unwrap();
    assert_eq!((m.due_by, m.overdue), (d("2026-03-31"), false));
    let m = rules
        .meeting_due(
            MeetingKind::Thematic,
            Some(d("2025-12-15")),
            d("2026-11-20"),
        )
        .unwrap();
    assert_eq!((m.due_by, m.overdue), (d("2026-12-31"), true));
    let m = rules
        .meeting_due(MeetingKind::Thematic, None, d("2026-11-20"))
        .unwrap();
    assert!(m.overdue);
    assert_eq!(
        rules.min_meeting_minutes(false, d("2026-03-10")).unwrap(),
        90
    );
    assert_eq!(
        rules.min_meeting_minutes(true, d("2026-03-10")).unwrap(),
        120
    );
    // Before HD 42 no minimum length was set.
    assert!(matches!(
        rules.min_meeting_minutes(false, d("2025-09-01")),
        Err(RulesError::NotInForce { .. })
    ));
}

#[test]
fn xoa_ten_flags_and_transfers() {
    let rules = Rules::embedded();
    let on = d("2026-06-01");
    assert!(rules.xoa_ten_review(2, 2, on).unwrap().is_empty());
    let f = rules.xoa_ten_review(3, 0, on).unwrap();
    assert_eq!((f.len(), f[0].reason, f[0].limit), (1, "unpaid_dues", 3));
    assert!(f[0].citation.contains("01-QĐ/TW"));
    let f = rules.xoa_ten_review(0, 4, on).unwrap();
    assert_eq!(f[0].reason, "unexcused_absences");
    assert_eq!(rules.xoa_ten_review(3, 3, on).unwrap().len(), 2);

    assert_eq!(
        rules.transfer_kind(2, false, on).unwrap(),
        TransferKind::None
    );
    assert_eq!(
        rules.transfer_kind(3, false, on).unwrap(),
        TransferKind::Temporary
    );
    assert_eq!(
        rules.transfer_kind(11, false, on).unwrap(),
        TransferKind::Temporary
    );
    assert_eq!(
        rules.transfer_kind(12, false, on).unwrap(),
        TransferKind::Permanent
    );
    assert_eq!(
        rules.transfer_kind(24, true, on).unwrap(),
        TransferKind::Temporary
    );
    assert_eq!(
        rules.transfer_kind(25, true, on).unwrap(),
        TransferKind::Permanent
    );

    assert!(
        rules.admission_age_ok(d("2008-06-01"), on).unwrap(),
        "18 today"
    );
    assert!(
        !rules.admission_age_ok(d("2008-06-02"), on).unwrap(),
        "18 tomorrow"
    );
    assert!(
        rules.admission_age_ok(d("1966-05-15"), on).unwrap(),
        "60 and a half month"
    );
    assert!(
        !rules.admission_age_ok(d("1966-05-01"), on).unwrap(),
        "60 and one month"
    );
}

/// Every timer explains itself in Vietnamese and in English, naming what is due.
#[test]
fn every_timer_is_named_in_both_languages() {
    let rules = Rules::embedded();
    let mut names = std::collections::HashSet::new();
    for timer in Timer::ALL {
        let dl = rules.deadline(timer, d("2026-03-02")).unwrap();
        let vi = dl.explain(chibo_rules::Lang::Vi);
        let en = dl.explain(chibo_rules::Lang::En);
        let vi_name = vi.strip_prefix("Hạn ").unwrap().split(':').next().unwrap();
        let en_name = en
            .strip_prefix("Deadline for ")
            .unwrap()
            .split(':')
            .next()
            .unwrap();
        assert!(!vi_name.is_ascii(), "{timer:?}: {vi}");
        assert!(en_name.is_ascii() && !en_name.is_empty(), "{timer:?}: {en}");
        assert!(
            names.insert(vi_name.to_owned()),
            "{timer:?}: {vi_name} twice"
        );
        assert!(
            names.insert(en_name.to_owned()),
            "{timer:?}: {en_name} twice"
        );
        assert_eq!(dl.timer, timer);
        assert!(!timer.param().is_empty());
        assert!(vi.ends_with(&dl.citation) && en.ends_with(&dl.citation));
    }
}

#[test]
fn meetings_due_in_a_period_count_its_whole_months_or_quarters() {
    let rules = Rules::embedded();
    let due = |kind, from: &str, to: &str| rules.meetings_due(kind, d(from), d(to)).unwrap().0;
    assert_eq!(due(MeetingKind::Regular, "2026-01-01", "2026-12-31"), 12);
    // December not over yet: eleven months due.
    assert_eq!(due(MeetingKind::Regular, "2026-01-01", "2026-12-15"), 11);
    // A period begun mid-month counts from the next month.
    assert_eq!(due(MeetingKind::Regular, "2026-03-10", "2026-06-30"), 3);
    assert_eq!(due(MeetingKind::Regular, "2026-03-10", "2026-03-31"), 0);
    assert_eq!(due(MeetingKind::Thematic, "2026-01-01", "2026-12-31"), 4);
    assert_eq!(due(MeetingKind::Thematic, "2026-01-01", "2026-11-30"), 3);
    let (_, citation) = rules
        .meetings_due(MeetingKind::Regular, d("2026-01-01"), d("2026-12-31"))
        .unwrap();
    assert!(citation.contains("Điều 24"), "{citation}");
}
