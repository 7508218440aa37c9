//! V1: the verifier rejects any single change to a record, whether a changed byte or a forgery
//! by someone who recomputes every hash they can.

use rand_core::Rng;

use super::fixture::*;
use crate::record::Record;
use crate::*;

/// A small decrypted record: 3 candidates, 2 seats, a phone ballot, a paper ballot, an
/// all-struck ballot, an invalid paper ballot; shares of trustees 0 and 2 of 3.
fn small_record(seed: u64) -> (Poll, Record) {
    let mut p = election(3, 2, roll(5, 0), seed);
    let votes = [
        (Channel::Phone, keep(&[0, 1])),
        (Channel::Paper, keep(&[2])),
        (Channel::Phone, keep(&[])),
    ];
    let board = p.board(&votes, PerChannel { phone: 3, paper: 2 }, 1);
    let (record, _) = p.record(board, &[0, 2]);
    verify_record(&record.to_bytes()).unwrap();
    (p, record)
}

/// Spans of every value (string or number, not keys) in canonical JSON.
fn value_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if bytes.get(i + 1) != Some(&b':') && i > start {
                    spans.push((start, i));
                }
                i += 1;
            }
            b'0'..=b'9' => {
                let start = i;
                while bytes[i].is_ascii_digit() {
                    i += 1;
                }
                spans.push((start, i));
            }
            _ => i += 1,
        }
    }
    spans
}

/// Another character of the same kind (digit, lower, upper), so the text stays well-formed.
fn other_char(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => Some(c + 1),
        b'9' => Some(b'0'),
        b'z' => Some(b'a'),
        b'Z' => Some(b'A'),
        _ => None,
    }
}

#[test]
fn every_field_changed_fails() {
    let (_, record) = small_record(40);
    let bytes = record.to_bytes();
    let spans = value_spans(&bytes);
    assert!(spans.len() > 200, "only {} fields", spans.len());
    for (start, end) in spans {
        // Change a character in the middle of the field (ASCII, so labels stay UTF-8).
        let Some(pos) = (start..end)
            .map(|i| (i + (end - start) / 2) % end)
            .filter(|&i| i >= start)
            .find(|&i| other_char(bytes[i]).is_some())
        else {
            continue;
        };
        let mut changed = bytes.clone();
        changed[pos] = other_char(bytes[pos]).unwrap();
        assert!(
            verify_record(&changed).is_err(),
            "accepted a change at byte {pos} in field {:?}",
            String::from_utf8_lossy(&bytes[start..end])
        );
    }
}

#[test]
fn random_bit_flips_fail() {
    let (mut p, record) = small_record(41);
    let bytes = record.to_bytes();
    for _ in 0..300 {
        let pos = (p.rng.next_u64() % bytes.len() as u64) as usize;
        let bit = 1 << (p.rng.next_u32() % 8);
        let mut changed = bytes.clone();
        changed[pos] ^= bit;
        assert!(
            verify_record(&changed).is_err(),
            "accepted a flip at byte {pos}"
        );
    }
    // Appending or removing a byte fails too.
    assert!(verify_record(&[bytes.as_slice(), b" "].concat()).is_err());
    assert!(verify_record(&bytes[..bytes.len() - 1]).is_err());
}

/// What a forger recomputes after editing the board: the board hash everywhere, and the aggregate.
fn rehash(record: &mut Record) {
    if let Ok(checked) = record.board.check() {
        record.aggregate = checked.aggregate.clone();
    }
    record.board_hash = record.board.hash();
    for s in &mut record.shares {
        s.board = record.board_hash;
    }
}

fn verify(record: &Record) -> Result<VerifiedResult, VerifyError> {
    verify_record(&record.to_bytes())
}

#[test]
fn removed_ballot_fails() {
    let (_, mut record) = small_record(42);
    record.board.ballots.remove(1);
    rehash(&mut record);
    // The shares decrypt the old sum: their proofs fail for the new one.
    assert!(matches!(
        verify(&record),
        Err(VerifyError::Share(ShareError::Proof(_)))
    ));
}

#[test]
fn wrong_aggregate_fails() {
    let (mut p, mut record) = small_record(43);
    let extra = p.ctx.joint_key().encrypt(1u64, &mut p.rng);
    record.aggregate[0] += extra;
    assert_eq!(verify(&record).unwrap_err(), VerifyError::Aggregate);
}

#[test]
fn wrong_share_fails() {
    let (_, mut record) = small_record(44);
    // Trustee 0's share for the first candidate replaced by trustee 2's.
    record.shares[0].parts[0].share = record.shares[1].parts[0].share;
    assert_eq!(
        verify(&record).unwrap_err(),
        VerifyError::Share(ShareError::Proof(0))
    );
    let (_, mut record) = small_record(44);
    record.shares[1].parts.pop();
    assert_eq!(
        verify(&record).unwrap_err(),
        VerifyError::Share(ShareError::Length(2))
    );
    let (_, mut record) = small_record(44);
    let dup = record.shares[0].clone();
    record.shares.push(dup);
    assert_eq!(
        verify(&record).unwrap_err(),
        VerifyError::Share(ShareError::Index(0))
    );
}

#[test]
fn cast_over_issued_fails() {
    let (_, mut record) = small_record(45);
    record.board.issued.phone = 1;
    rehash(&mut record);
    assert_eq!(
        verify(&record).unwrap_err(),
        VerifyError::Board(BoardError::CastOverIssued {
            channel: Channel::Phone,
            cast: 2,
            issued: 1
        })
    );
    // Paper: one valid entered + one invalid counted, so one issued is too few.
    let (_, mut record) = small_record(45);
    record.board.issued.paper = 1;
    rehash(&mut record);
    assert!(matches!(
        verify(&record),
        Err(VerifyError::Board(BoardError::CastOverIssued {
            channel: Channel::Paper,
            ..
        }))
    ));
}

#[test]
fn duplicate_and_forged_tokens_fail() {
    let (mut p, record) = small_record(46);
    // A member who votes twice with one token: the server slips the second ballot in.
    let voter = p.voter(Channel::Phone);
    let first = Ballot::cast(&p.ctx, &voter, &keep(&[0]), &mut p.rng).unwrap();
    let second = Ballot::cast(&p.ctx, &voter, &keep(&[1]), &mut p.rng).unwrap();
    let mut forged = record.clone();
    forged.board.ballots.push(first);
    forged.board.ballots.push(second);
    forged.board.ballots.sort_by_key(Ballot::tracker);
    forged.board.issued.phone += 2;
    rehash(&mut forged);
    assert!(matches!(
        verify(&forged),
        Err(VerifyError::Board(BoardError::DuplicateCredential(_)))
    ));
    // A ballot minted without the head's key (the server signs its own token).
    let mut minted = record.clone();
    let mut b = p.ballot(Channel::Phone, &keep(&[0]));
    b.body.token.signature[0] ^= 0x40;
    minted.board.ballots.push(b);
    minted.board.ballots.sort_by_key(Ballot::tracker);
    minted.board.issued.phone += 1;
    rehash(&mut minted);
    match verify(&minted) {
        Err(VerifyError::Board(BoardError::Ballot { error, .. })) => {
            assert_eq!(error, CastError::BadToken)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn changed_counts_or_outcome_fail() {
    let (_, record) = small_record(47);
    let TallyResult::Decrypted { counts, outcome } = record.result.clone() else {
        panic!()
    };
    let mut more = record.clone();
    let mut c = counts.clone();
    c.options[0] += 1;
    more.result = TallyResult::Decrypted {
        counts: c,
        outcome: outcome.clone(),
    };
    assert_eq!(verify(&more).unwrap_err(), VerifyError::Counts);

    let mut other = record.clone();
    let mut o = outcome.clone();
    o.outcome = if o.outcome == "dat" {
        "khong_dat"
    } else {
        "dat"
    }
    .into();
    other.result = TallyResult::Decrypted {
        counts: counts.clone(),
        outcome: o,
    };
    assert_eq!(verify(&other).unwrap_err().code(), "record_outcome");

    // A decrypted record with fewer than k shares, or a "failed" one with k.
    let mut few = record.clone();
    few.shares.pop();
    assert_eq!(verify(&few).unwrap_err().code(), "record_status");
    let mut failed = record.clone();
    failed.result = TallyResult::Failed {
        shares: 2,
        needed: 2,
    };
    assert_eq!(verify(&failed).unwrap_err().code(), "record_status");
}
