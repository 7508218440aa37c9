use chibo_rules::{Ballots, DecisionKind, Outcome, Rules};
use proptest::prelude::*;

use crate::{d, roll};

fn calendar_day() -> impl Strategy<Value = chrono::NaiveDate> {
    // 2020-01-01 .. 2029-12-31, leaving room for the deadlines to stay within the calendar.
    (0u64..3650).prop_map(|n| d("2020-01-01") + chrono::Days::new(n))
}

/// 200 cases each, or `PROPTEST_CASES` (the mutation test runs fewer).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// One more "yes" (taken from the abstentions or added) never turns dat into khong_dat.
    #[test]
    fn one_more_yes_never_hurts(
        kind in 0usize..8,
        ct in 0u32..15, ld in 0u32..4, kld in 0u32..4, msh in 0u32..3, db in 0u32..3,
        yes in 0u32..15, no in 0u32..15, from_abstain in any::<bool>(),
    ) {
        let kind = DecisionKind::ALL[kind];
        prop_assume!(kind != DecisionKind::KyLuat && kind != DecisionKind::BauCu);
        let r = roll(&format!("{ct}ct {ld}ct-ld {kld}ct-kld {msh}msh {db}db"));
        let voters = ct + msh;
        let yes = yes.min(voters);
        let no = no.min(voters - yes);
        let abstain = voters - yes - no;
        let rules = Rules::embedded();
        let on = d("2026-03-10");
        let before = rules.decide(kind, &r, &Ballots::counts(yes, no, abstain), on).unwrap();
        let after_ballots = if from_abstain && abstain > 0 {
            Ballots::counts(yes + 1, no, abstain - 1)
        } else if no > 0 {
            Ballots::counts(yes + 1, no - 1, abstain)
        } else {
            return Ok(());
        };
        let after = rules.decide(kind, &r, &after_ballots, on).unwrap();
        if before.outcome == Outcome::Dat {
            prop_assert_eq!(after.outcome, Outcome::Dat);
        }
        prop_assert!(after.got >= before.got);
    }

    /// Moving one discipline vote to a more severe level never removes the discipline.
    #[test]
    fn harsher_vote_never_clears_discipline(levels in proptest::array::uniform4(0u32..4), none in 0u32..4, i in 1usize..4) {
        let total: u32 = levels.iter().sum::<u32>() + none;
        let r = roll(&format!("{total}ct"));
        let rules = Rules::embedded();
        let on = d("2026-03-10");
        let before = rules.decide(DecisionKind::KyLuat, &r, &Ballots::Levels { levels, khong_ky_luat: none }, on).unwrap();
        prop_assume!(levels[i] > 0);
        let mut harsher = levels;
        harsher[i] -= 1;
        harsher[i - 1] += 1;
        let after = rules.decide(DecisionKind::KyLuat, &r, &Ballots::Levels { levels: harsher, khong_ky_luat: none }, on).unwrap();
        if before.outcome == Outcome::Dat {
            prop_assert_eq!(after.outcome, Outcome::Dat);
        }
    }

    /// Adding n working days lands on a working day, and counting back gives n.
    #[test]
    fn working_days_round_trip(from in calendar_day(), n in 0u32..120) {
        let rules = Rules::embedded();
        let cal = rules.calendar();
        let to = cal.add_working_days(from, n).unwrap();
        prop_assert_eq!(rules.working_days_between(from, to).unwrap(), i64::from(n));
        prop_assert_eq!(rules.working_days_between(to, from).unwrap(), -i64::from(n));
        if n > 0 {
            prop_assert!(cal.is_working_day(to).unwrap());
            prop_assert!(cal.holiday(to).is_none());
            let back = match cal.sub_working_days(to, n) {
                Ok(back) => back,
                // From a day off at the calendar's very start (1 January 2020
                // is a holiday), counting back lands before it.
                Err(chibo_rules::RulesError::OutsideCalendar { .. }) => {
                    prop_assert!(from < cal.add_working_days(d("2020-01-01"), 1).unwrap());
                    return Ok(());
                }
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            };
            prop_assert!(back <= from);
            prop_assert_eq!(rules.working_days_between(back, to).unwrap(), i64::from(n));
        }
    }

    /// A working day is never a decreed day off, and a weekend day is one only if decreed (làm bù).
    #[test]
    fn working_days_are_not_days_off(day in calendar_day()) {
        use chrono::Datelike;
        let cal = Rules::embedded().calendar().clone();
        if cal.is_working_day(day).unwrap() {
            prop_assert!(cal.holiday(day).is_none());
            if day.weekday().number_from_monday() > 5 {
                prop_assert!(cal.add_working_days(day.pred_opt().unwrap(), 1).unwrap() == day);
            }
        }
    }
}

/// The case proptest found: 1 January 2020 is a holiday, so one working day
/// back from 2 January is outside the calendar, and says so.
#[test]
fn counting_back_past_the_calendar_start_is_an_error() {
    let rules = Rules::embedded();
    let cal = rules.calendar();
    let to = cal.add_working_days(d("2020-01-01"), 1).unwrap();
    assert_eq!(to, d("2020-01-02"));
    assert!(matches!(
        cal.sub_working_days(to, 1),
        Err(chibo_rules::RulesError::OutsideCalendar { .. })
    ));
}
