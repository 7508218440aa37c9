//! V2: invalid ballots, made by a cheating phone that proves what it can and lies about the
//! rest, fail at cast and in the verifier.

use elastic_elgamal::{PreparedRange, RangeDecomposition};

use super::fixture::*;
use crate::ballot::{Plan, prove};
use crate::*;

/// Builds a ballot of raw variable values (options, flag, total) as a cheating phone would:
/// a value outside its range is "proved" over a range wide enough to hold it.
fn cheat(p: &mut Poll, values: &[u64]) -> Ballot {
    let voter = p.voter(Channel::Phone);
    let wide: PreparedRange<G> = RangeDecomposition::optimal(8).into();
    let ctx = &p.ctx;
    let n = ctx.option_count();
    let range_of = |i: usize, v: u64| -> &PreparedRange<G> {
        let honest = match (&ctx.total, i == n + 1) {
            (Some(t), true) => t,
            _ => &ctx.bit,
        };
        if v < honest.decomposition().upper_bound() {
            honest
        } else {
            &wide
        }
    };
    let plan = Plan {
        values: values.to_vec(),
    };
    prove(ctx, &voter, &plan, &range_of, &mut p.rng)
}

/// Cast is refused with `cast_invalid_ballot`, and a record that slips the ballot onto the
/// board (as a dishonest server would) fails verification on that ballot.
fn refused_everywhere(p: &mut Poll, bad: Ballot, honest: &[Vote]) {
    let mut bx = BallotBox::new(p.ctx.clone());
    assert_eq!(
        bx.cast(&bad.to_bytes()).unwrap_err().code(),
        "cast_invalid_ballot"
    );

    let votes: Vec<_> = honest.iter().map(|v| (Channel::Phone, v.clone())).collect();
    let issued = PerChannel {
        phone: votes.len() as u32 + 1,
        paper: 0,
    };
    let board = p.board(&votes, issued, 0);
    let (mut record, _) = p.record(board, &[0, 1]);
    record.board.ballots.push(bad.clone());
    record.board.ballots.sort_by_key(Ballot::tracker);
    let err = verify_record(&record.to_bytes()).unwrap_err();
    match err {
        VerifyError::Board(BoardError::Ballot { tracker, error }) => {
            assert_eq!(tracker, bad.tracker());
            assert_eq!(error.code(), "cast_invalid_ballot");
        }
        other => panic!("expected the invalid ballot to be found, got {other:?}"),
    }
}

#[test]
fn more_names_kept_than_seats() {
    let mut p = election(4, 2, roll(3, 0), 30);
    // s + 1 = 3 names kept: Σ + s·B − 1 = 2 is outside 0..2, so the total cannot be proved…
    let bad = cheat(&mut p, &[1, 1, 1, 0, 0, 2]);
    refused_everywhere(&mut p, bad, &[keep(&[0])]);
    // …and a total that is in range does not match the commitments.
    let bad = cheat(&mut p, &[1, 1, 1, 0, 0, 1]);
    refused_everywhere(&mut p, bad, &[keep(&[1])]);
    // One seat: two names kept breaks the equation directly.
    let mut q = election(3, 1, roll(3, 0), 31);
    let bad = cheat(&mut q, &[1, 1, 0, 0]);
    refused_everywhere(&mut q, bad, &[keep(&[0])]);
}

#[test]
fn no_name_kept_without_the_all_struck_flag() {
    let mut p = election(4, 2, roll(3, 0), 32);
    let bad = cheat(&mut p, &[0, 0, 0, 0, 0, 0]);
    refused_everywhere(&mut p, bad, &[keep(&[])]);
    // Nor the flag together with a name (it would hide a vote inside an invalid ballot).
    let bad = cheat(&mut p, &[1, 0, 0, 0, 1, 1]);
    refused_everywhere(&mut p, bad, &[keep(&[2, 3])]);
    let mut q = election(3, 1, roll(3, 0), 33);
    let bad = cheat(&mut q, &[0, 0, 0, 0]);
    refused_everywhere(&mut q, bad, &[keep(&[0])]);
}

#[test]
fn an_option_counted_twice() {
    let mut p = discipline(roll(3, 0), 34);
    let bad = cheat(&mut p, &[0, 0, 2, 0, 0]);
    refused_everywhere(&mut p, bad, &[choice(1)]);
    let mut q = election(4, 2, roll(3, 0), 35);
    let bad = cheat(&mut q, &[2, 0, 0, 0, 0, 1]);
    refused_everywhere(&mut q, bad, &[keep(&[0, 1])]);
}

#[test]
fn two_discipline_levels() {
    let mut p = discipline(roll(3, 0), 36);
    let bad = cheat(&mut p, &[0, 1, 1, 0, 0]);
    refused_everywhere(&mut p, bad, &[choice(4)]);
    // Nothing marked at all is no better.
    let bad = cheat(&mut p, &[0, 0, 0, 0, 0]);
    refused_everywhere(&mut p, bad, &[choice(0)]);
}

#[test]
fn honest_phone_refuses_to_make_an_invalid_ballot() {
    let mut p = election(4, 2, roll(3, 0), 37);
    let voter = p.voter(Channel::Phone);
    let err = |v: Vote, p: &mut Poll| Ballot::cast(&p.ctx, &voter, &v, &mut p.rng).unwrap_err();
    assert_eq!(err(keep(&[0, 1, 2]), &mut p).code(), "ballot_too_many_kept");
    assert_eq!(err(keep(&[1, 1]), &mut p).code(), "ballot_repeated");
    assert_eq!(err(keep(&[4]), &mut p).code(), "ballot_no_such_option");
    assert_eq!(err(choice(0), &mut p).code(), "ballot_wrong_kind");
    // An all-struck ballot is a legitimate (invalid, counted) choice.
    Ballot::cast(&p.ctx, &voter, &keep(&[]), &mut p.rng).unwrap();
}
