//! Bad input and attacks at cast time and at decryption time (S4, V1 tokens).

use super::fixture::*;
use crate::*;

fn retoken(b: &Ballot, token: Token) -> Vec<u8> {
    let mut b = b.clone();
    b.body.token = token;
    b.to_bytes()
}

#[test]
fn forged_token_is_refused() {
    let mut p = election(3, 2, roll(3, 0), 20);
    let b = p.ballot(Channel::Phone, &keep(&[0]));
    let mut forged = b.body.token.clone();
    forged.signature[17] ^= 1;
    let mut bx = BallotBox::new(p.ctx.clone());
    assert_eq!(bx.cast(&retoken(&b, forged)), Err(CastError::BadToken));
    let mut random = b.body.token.clone();
    random.randomizer = [3; 32];
    assert_eq!(bx.cast(&retoken(&b, random)), Err(CastError::BadToken));
}

#[test]
fn token_of_another_vote_is_refused() {
    let mut p = election(3, 2, roll(3, 0), 21);
    let mut q = election(3, 2, roll(3, 0), 22);
    // Same token keys (one head's phone for both votes): the vote id in the message still
    // separates them.
    let foreign = q.voter(Channel::Phone);
    assert_eq!(
        Ballot::cast(&p.ctx, &foreign, &keep(&[0]), &mut p.rng).unwrap_err(),
        BallotError::OtherVote
    );
    let mut relabelled = foreign.clone();
    relabelled.vote_id = p.ctx.manifest.vote_id;
    let b = Ballot::cast(&p.ctx, &relabelled, &keep(&[0]), &mut p.rng).unwrap();
    let mut bx = BallotBox::new(p.ctx.clone());
    assert_eq!(bx.cast(&b.to_bytes()), Err(CastError::BadToken));
    // And a ballot made for the other vote is refused as such.
    let other = q.ballot(Channel::Phone, &keep(&[0]));
    assert_eq!(bx.cast(&other.to_bytes()), Err(CastError::OtherVote));
}

#[test]
fn phone_token_cannot_pass_as_paper() {
    let mut p = election(3, 2, roll(3, 0), 23);
    let mut voter = p.voter(Channel::Phone);
    voter.channel = Channel::Paper;
    let b = Ballot::cast(&p.ctx, &voter, &keep(&[0]), &mut p.rng).unwrap();
    let mut bx = BallotBox::new(p.ctx.clone());
    assert_eq!(bx.cast(&b.to_bytes()), Err(CastError::BadToken));
}

#[test]
fn token_moved_to_another_credential_is_refused() {
    // A token seen on the wire is bound to its pk_c: another credential cannot use it.
    let mut p = election(3, 2, roll(3, 0), 24);
    let seen = p.voter(Channel::Phone);
    let mut thief = p.voter(Channel::Phone);
    thief.token = seen.token.clone();
    let b = Ballot::cast(&p.ctx, &thief, &keep(&[0]), &mut p.rng).unwrap();
    let mut bx = BallotBox::new(p.ctx.clone());
    assert_eq!(bx.cast(&b.to_bytes()), Err(CastError::BadToken));
}

#[test]
fn ballot_altered_in_transit_is_refused() {
    let mut p = election(3, 2, roll(3, 0), 25);
    let b = p.ballot(Channel::Phone, &keep(&[0]));
    let other = p.ballot(Channel::Phone, &keep(&[1]));
    // Swapping in another ballot's (valid) variable breaks the possession proof, which signs
    // the whole body (the proofs are bound to the credential too: see the validity tests).
    let mut altered = b.clone();
    altered.body.options[1] = other.body.options[1].clone();
    let mut bx = BallotBox::new(p.ctx.clone());
    assert_eq!(bx.cast(&altered.to_bytes()), Err(CastError::BadPossession));
    // Whoever re-proves the variables for the same credential still lacks sk_c.
    let mut repossessed = b.clone();
    repossessed.possession = other.possession.clone();
    assert_eq!(
        bx.cast(&repossessed.to_bytes()),
        Err(CastError::BadPossession)
    );
    // Not canonical bytes (spaces) are refused before anything else.
    let mut spaced = b.to_bytes();
    spaced.insert(1, b' ');
    assert!(matches!(bx.cast(&spaced), Err(CastError::Malformed(_))));
    assert!(matches!(bx.cast(&[b'{'; 10]), Err(CastError::Malformed(_))));
}

/// S4: the HE#170 subset attack. The server asks the trustees to decrypt a board with only the
/// target's ballot (or any board but the one shown in the room): every phone refuses.
#[test]
fn trustees_refuse_a_subset_of_the_box() {
    let mut p = election(3, 2, roll(3, 0), 26);
    let votes = [
        (Channel::Phone, keep(&[0])),
        (Channel::Phone, keep(&[1])),
        (Channel::Phone, keep(&[2])),
    ];
    let board = p.board(&votes, PerChannel { phone: 3, paper: 0 }, 0);
    let shown = board.hash();
    let target = board.ballots[1].clone();
    let (subset, _) =
        Board::assemble(&p.ctx, [target], PerChannel { phone: 3, paper: 0 }, 0).unwrap();
    for t in &p.trustees {
        let refused = t
            .decryption_share(&subset.to_bytes(), &shown, &mut p.rng)
            .unwrap_err();
        assert_eq!(refused.code(), "share_refused_board_hash");
    }
    // A board whose bytes were altered but whose claimed hash is the shown one: refused too.
    let mut bytes = board.to_bytes();
    let last = bytes.len() - 3;
    bytes[last] ^= 1;
    assert_eq!(
        p.trustees[0]
            .decryption_share(&bytes, &shown, &mut p.rng)
            .unwrap_err()
            .code(),
        "share_refused_board_hash"
    );
}

/// S4: even with a matching hash, the phone decrypts only a valid closed box of its own vote
/// and key: a board with a forged ballot, or for another vote, is refused.
#[test]
fn trustees_refuse_invalid_or_foreign_boards() {
    let mut p = election(3, 2, roll(3, 0), 27);
    let mut board = p.board(
        &[(Channel::Phone, keep(&[0]))],
        PerChannel { phone: 1, paper: 0 },
        0,
    );
    // The server lowers "issued" below "cast" and shows the hash of that board.
    board.issued.phone = 0;
    let refused = p.trustees[0]
        .decryption_share(&board.to_bytes(), &board.hash(), &mut p.rng)
        .unwrap_err();
    assert_eq!(refused.code(), "share_refused_board");

    let mut q = election(3, 2, roll(3, 0), 28);
    let foreign = q.board(
        &[(Channel::Phone, keep(&[0]))],
        PerChannel { phone: 1, paper: 0 },
        0,
    );
    let refused = p.trustees[0]
        .decryption_share(&foreign.to_bytes(), &foreign.hash(), &mut p.rng)
        .unwrap_err();
    assert_eq!(refused, ShareRefusal::OtherVote);
}

#[test]
fn shares_for_another_board_or_forged_are_refused_by_the_server() {
    let mut p = election(3, 2, roll(2, 0), 29);
    let board = p.board(
        &[(Channel::Phone, keep(&[0])), (Channel::Phone, keep(&[1]))],
        PerChannel { phone: 2, paper: 0 },
        0,
    );
    let checked = board.check().unwrap();
    let mut shares = p.shares(&board, &[0, 1]);
    check_share(&checked, &shares[0]).unwrap();
    // A share claimed by another index fails its proof.
    shares[1].index = 2;
    assert_eq!(check_share(&checked, &shares[1]), Err(ShareError::Proof(2)));
    shares[1].index = 1;
    shares[1].board = Digest([0; 32]);
    assert_eq!(
        check_share(&checked, &shares[1]),
        Err(ShareError::OtherBoard(1))
    );
    shares[1].index = 3;
    assert_eq!(check_share(&checked, &shares[1]), Err(ShareError::Index(3)));
}

/// The crypto half of S2: what the server sees at issuance (the blinded request and the blind
/// signature, next to the member's name) shares no 12-byte run with the ballot it later
/// receives (credential, token, ciphertexts), so nothing in its rows or logs can join the two.
#[test]
fn issuance_and_ballot_share_no_bytes() {
    let mut p = election(3, 2, roll(3, 0), 48);
    let (issuer, _) = issuer();
    let m = p.ctx.manifest().clone();
    let credential = Credential::generate(&mut p.rng);
    let (request, pending) = credential
        .request_token(&m.vote_id, Channel::Phone, &m.token_keys.phone, &mut p.rng)
        .unwrap();
    let signed = issuer.sign(Channel::Phone, &request, &mut p.rng).unwrap();
    let voter = pending.finish(&signed).unwrap();
    let ballot = Ballot::cast(&p.ctx, &voter, &keep(&[0]), &mut p.rng).unwrap();

    let b = &ballot.body;
    let mut ballot_bytes = vec![b.credential.as_bytes().to_vec()];
    ballot_bytes.push(b.token.signature.clone());
    ballot_bytes.push(b.token.randomizer.to_vec());
    for v in &b.options {
        ballot_bytes.push(v.ciphertext.to_bytes());
    }
    for seen in [&request.blinded, &signed.blinded] {
        for window in seen.windows(12) {
            assert!(
                ballot_bytes
                    .iter()
                    .all(|b| !b.windows(12).any(|w| w == window)),
                "issuance bytes reappear in the ballot"
            );
        }
    }
    // The token verifies although the signer never saw what it signed.
    let mut bx = BallotBox::new(p.ctx.clone());
    assert!(matches!(bx.cast(&ballot.to_bytes()), Ok(Cast::Accepted(_))));
}
