//! Whole votes: key generation, casting on both channels, tally, record, verification.

use super::fixture::*;
use crate::*;

#[test]
fn keygen_gives_every_phone_the_same_key_and_fingerprint() {
    let mut r = rng(1);
    let outcomes = keygen(VoteId([7; 32]), 3, 2, &mut r);
    let first = &outcomes[0];
    assert!(outcomes.iter().all(|o| o.trustees == first.trustees));
    assert!(outcomes.iter().all(|o| o.fingerprint == first.fingerprint));
    // Four groups of four digits, read aloud.
    assert_eq!(first.fingerprint.len(), 19);
    assert!(
        first
            .fingerprint
            .split(' ')
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()))
    );
    // Another vote's key generation gives another fingerprint.
    let other = keygen(VoteId([8; 32]), 3, 2, &mut r);
    assert_ne!(other[0].fingerprint, first.fingerprint);
}

#[test]
fn a_relayed_key_swap_changes_the_fingerprint() {
    // A server that replaced one transport key (to read the shares sealed to that phone) would
    // show the others a different trustee list: the digits read aloud differ.
    let mut r = rng(2);
    let outcomes = keygen(VoteId([7; 32]), 3, 2, &mut r);
    let mut swapped = outcomes[0].trustees.clone();
    swapped.members[1].transport_key = outcomes[0].trustees.members[2].transport_key.clone();
    assert_ne!(
        fingerprint(&VoteId([7; 32]), &swapped),
        outcomes[0].fingerprint
    );
}

#[test]
fn manifest_with_a_joint_key_not_of_its_shares_is_refused() {
    let p = election(3, 2, roll(3, 0), 3);
    let mut m = p.ctx.manifest().clone();
    m.trustees.joint_key = m.trustees.members[0].key_share.clone();
    assert_eq!(VoteContext::new(m).unwrap_err(), ManifestError::JointKey);
}

/// V4: a strike-out election, 7 candidates for 5 seats, 20 members present (1 excused), phone
/// and paper, one all-struck ballot and one invalid paper ballot; numbers computed by hand.
#[test]
fn mixed_phone_and_paper_election_matches_hand_counts() {
    let mut p = election(7, 5, roll(20, 1), 10);
    let (a, b, c, d, e, f, g) = (0, 1, 2, 3, 4, 5, 6);
    let mut votes = Vec::new();
    let mut add = |n: usize, ch: Channel, kept: &[usize]| {
        for _ in 0..n {
            votes.push((ch, keep(kept)));
        }
    };
    add(9, Channel::Phone, &[a, b, c, d, e]);
    add(1, Channel::Paper, &[a, b, c, d, e]);
    add(2, Channel::Phone, &[a, b, c, d, f]);
    add(2, Channel::Phone, &[a, b, f, g]);
    add(1, Channel::Phone, &[a, c, f, e]);
    add(1, Channel::Phone, &[b, f, g]);
    add(1, Channel::Phone, &[a, f]);
    add(1, Channel::Phone, &[]);
    let issued = PerChannel {
        phone: 18,
        paper: 2,
    };
    let board = p.board(&votes, issued, 1);
    let (record, result) = p.record(board, &[0, 2]);

    let TallyResult::Decrypted { counts, outcome } = &result.result else {
        panic!("not decrypted: {:?}", result.result);
    };
    assert_eq!(counts.options, vec![16, 15, 13, 12, 11, 7, 3]);
    assert_eq!(
        counts.cast,
        PerChannel {
            phone: 17,
            paper: 1
        }
    );
    assert_eq!(counts.issued, issued);
    assert_eq!((counts.all_struck, counts.paper_invalid), (1, 1));
    assert_eq!((counts.valid, counts.invalid), (17, 2));
    // Base: 21 convened − 1 excused = 20; more than half needs 11: Hoàng Văn Em is in with 11.
    assert_eq!((outcome.base, outcome.needed), (20, 11));
    assert_eq!(outcome.outcome, "dat");
    assert_eq!(outcome.elected, NAMES[..5].to_vec());
    assert!(!outcome.revote);

    // Anyone can check the published record and finds the same result and every tracker.
    let verified = verify_record(&record.to_bytes()).unwrap();
    assert_eq!(verified.result, result.result);
    assert_eq!(verified.trackers.len(), 18);
    assert_eq!(verified.record_hash, record.hash());
}

/// V4 for a discipline vote: cumulative counting from the most severe level (QĐ 22 Art. 15).
#[test]
fn discipline_vote_counts_down_from_the_most_severe_level() {
    let mut p = discipline(roll(9, 0), 11);
    // khai trừ 1, cách chức 2, cảnh cáo 3, khiển trách 2, không kỷ luật 1.
    let mut votes = Vec::new();
    for (option, n) in [(0, 1), (1, 2), (2, 3), (3, 2), (4, 1)] {
        for _ in 0..n {
            votes.push((Channel::Phone, choice(option)));
        }
    }
    // One of the nine voted on paper (a cảnh cáo ballot).
    votes[3].0 = Channel::Paper;
    let board = p.board(&votes, PerChannel { phone: 8, paper: 1 }, 0);
    let (record, result) = p.record(board, &[1, 2]);
    let TallyResult::Decrypted { counts, outcome } = &result.result else {
        panic!("not decrypted");
    };
    assert_eq!(counts.options, vec![1, 2, 3, 2, 1]);
    // Base 9: more than half needs 5; 1 + 2 + 3 = 6 reach it at cảnh cáo.
    assert_eq!(outcome.level.as_deref(), Some("canh_cao"));
    assert_eq!((outcome.needed, outcome.got), (5, 6));
    assert_eq!(outcome.outcome, "dat");
    verify_record(&record.to_bytes()).unwrap();
}

/// A tie across the last seat elects none of the tied; the record says a further round is due.
#[test]
fn tie_for_the_last_seat_calls_for_a_revote() {
    // 5 present, 2 seats, more than half needs 3: An 4, Bình 3, Cường 3.
    let mut p = election(3, 2, roll(5, 0), 12);
    let votes: Vec<_> = [[0, 1], [0, 1], [0, 2], [0, 2], [1, 2]]
        .iter()
        .map(|k| (Channel::Phone, keep(k)))
        .collect();
    let board = p.board(&votes, PerChannel { phone: 5, paper: 0 }, 0);
    let (record, result) = p.record(board, &[0, 1]);
    let TallyResult::Decrypted { counts, outcome } = &result.result else {
        panic!("not decrypted");
    };
    assert_eq!(counts.options, vec![4, 3, 3]);
    assert_eq!(outcome.elected, vec![NAMES[0].to_string()]);
    assert_eq!(outcome.tied_at_last_seat.len(), 2);
    assert!(outcome.revote);
    assert_eq!(outcome.outcome, "khong_dat");
    verify_record(&record.to_bytes()).unwrap();
}

/// V3: with n − k trustees offline the vote still tallies (5 trustees, 3 needed, 2 absent).
#[test]
fn tally_with_n_minus_k_trustees_offline() {
    let spec = BallotSpec::StrikeOut {
        candidates: NAMES[..3].iter().map(|s| s.to_string()).collect(),
        seats: 2,
    };
    let mut p = poll(spec, "bau_cu", roll(3, 0), 5, 3, 14);
    let votes: Vec<_> = [[0, 1], [0, 2], [0, 1]]
        .iter()
        .map(|k| (Channel::Phone, keep(k)))
        .collect();
    let board = p.board(&votes, PerChannel { phone: 3, paper: 0 }, 0);
    let (record, result) = p.record(board, &[4, 1, 3]);
    let TallyResult::Decrypted { counts, .. } = &result.result else {
        panic!("not decrypted");
    };
    assert_eq!(counts.options, vec![3, 2, 1]);
    verify_record(&record.to_bytes()).unwrap();
}

/// V3 and S4: k − 1 shares cannot decrypt; the record says the vote failed (paper re-vote) and
/// still verifies.
#[test]
fn k_minus_one_shares_cannot_decrypt() {
    let spec = BallotSpec::StrikeOut {
        candidates: NAMES[..3].iter().map(|s| s.to_string()).collect(),
        seats: 2,
    };
    let mut p = poll(spec, "bau_cu", roll(2, 0), 5, 3, 15);
    let votes = [
        (Channel::Phone, keep(&[0])),
        (Channel::Phone, keep(&[1, 2])),
    ];
    let board = p.board(&votes, PerChannel { phone: 2, paper: 0 }, 0);
    let (record, result) = p.record(board.clone(), &[0, 4]);
    assert_eq!(
        result.result,
        TallyResult::Failed {
            shares: 2,
            needed: 3
        }
    );
    let verified = verify_record(&record.to_bytes()).unwrap();
    assert!(verified.decision.is_none());

    // Nor can the k − 1 shares be combined by hand: Lagrange interpolation over two points of a
    // degree-2 polynomial gives a wrong key, and the totals are off the table.
    let checked = board.check().unwrap();
    let shares = p.shares(&board, &[0, 4]);
    let k_params = elastic_elgamal::sharing::Params::new(2, 2);
    let ct = checked.aggregate[0];
    let parts = shares
        .iter()
        .enumerate()
        .map(|(j, s)| (j, s.parts[0].share.into_unchecked()));
    let forced = k_params.combine_shares(parts).unwrap();
    let table = elastic_elgamal::DiscreteLogTable::<G>::new(0..=2);
    assert_eq!(forced.decrypt(ct, &table), None);
}

/// A phone resubmitting the same ballot (e.g. after a server restart) changes nothing; a second,
/// different ballot with the same token is refused.
#[test]
fn resubmission_is_idempotent_and_a_second_ballot_is_refused() {
    let mut p = election(3, 2, roll(3, 0), 16);
    let voter = p.voter(Channel::Phone);
    let first = Ballot::cast(&p.ctx, &voter, &keep(&[0]), &mut p.rng).unwrap();
    let second = Ballot::cast(&p.ctx, &voter, &keep(&[1]), &mut p.rng).unwrap();
    let mut bx = BallotBox::new(p.ctx.clone());
    let t = bx.cast(&first.to_bytes()).unwrap();
    assert_eq!(t, Cast::Accepted(first.tracker()));
    assert_eq!(
        bx.cast(&first.to_bytes()).unwrap(),
        Cast::AlreadyCast(first.tracker())
    );
    assert_eq!(bx.cast(&second.to_bytes()), Err(CastError::CredentialUsed));
    assert_eq!(bx.cast_count(), PerChannel { phone: 1, paper: 0 });
    let rows = bx.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, first.tracker());
}

/// The rows are written in tracker order, and a board rebuilt from them in any order is the same.
#[test]
fn board_is_in_tracker_order_whatever_the_casting_order() {
    let mut p = election(3, 2, roll(4, 0), 17);
    let ballots: Vec<Ballot> = (0..4)
        .map(|i| p.ballot(Channel::Phone, &keep(&[i % 3])))
        .collect();
    let issued = PerChannel { phone: 4, paper: 0 };
    let (forward, _) = Board::assemble(&p.ctx, ballots.clone(), issued, 0).unwrap();
    let (backward, _) = Board::assemble(&p.ctx, ballots.into_iter().rev(), issued, 0).unwrap();
    assert_eq!(forward.to_bytes(), backward.to_bytes());
    let trackers = forward.trackers();
    assert!(trackers.windows(2).all(|w| w[0] < w[1]));
}

/// More ballots issued than members entitled to vote are present: the rules refuse the count.
#[test]
fn more_issued_than_voters_present_is_refused() {
    let mut p = election(3, 2, roll(2, 0), 18);
    let votes = [(Channel::Phone, keep(&[0])), (Channel::Phone, keep(&[1]))];
    let board = p.board(&votes, PerChannel { phone: 2, paper: 1 }, 0);
    let shares = p.shares(&board, &[0, 1]);
    let checked = board.check().unwrap();
    let err = Record::build(board, &checked, &shares).unwrap_err();
    assert_eq!(err.code(), "tally_outcome");
}
