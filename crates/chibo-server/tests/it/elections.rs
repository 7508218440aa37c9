//! Elections end to end over HTTP on both backends: the candidate list by
//! member (nominated, self-nominated, withdrawn) checked against the roll
//! and the pack's surplus cap, the counting committee's open vote, the
//! ballot run by phones (chibo-ballot), and the elected recorded as the
//! cell's committee with their term — then the secretary elected the same way.

use crate::ballots::{Api, Phone, keygen, meeting_with_phones, token};
use crate::support::{Backend, TestApp};
use chibo_ballot::{Ballot, Digest, Manifest, TokenIssuer, Vote, VoteContext, VoteId};
use chibo_rules::DecisionKind;
use chibo_server::model::VoteMode;
use chibo_server::store;
use chibo_test_macros::db_test;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn vote_id(hex: &str) -> VoteId {
    VoteId(Digest::from_hex(hex).unwrap().0)
}

/// Runs an opened ballot to its record: the committee's phones make the
/// key, each voter casts the names kept (`None`: not voting), two of three
/// trustees decrypt, the secretary counts.
async fn run_ballot(
    api: &Api<'_>,
    id: i64,
    secretary: &str,
    committee: &[&Phone],
    voters: &[(&Phone, Vec<usize>)],
    rng: &mut ChaCha20Rng,
) {
    let view = api.json(secretary, &format!("/api/v1/ballots/{id}")).await;
    let k = view["sv"]["k"].as_u64().unwrap() as usize;
    let vid = vote_id(view["sv"]["vote_id"].as_str().unwrap());
    let outcomes = keygen(api, id, committee, vid, k, rng).await;
    let (issuer, token_keys) = TokenIssuer::generate(rng).unwrap();
    api.post_ok(
        &committee[0].token,
        &format!("/api/v1/ballots/{id}/keys"),
        &json!({"trustees": outcomes[0].trustees, "token_keys": token_keys}),
    )
    .await;
    let (_, bytes) = api
        .get(secretary, &format!("/api/v1/ballots/{id}/manifest"))
        .await;
    let manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
    let ctx = VoteContext::new(manifest.clone()).unwrap();
    for (p, keep) in voters {
        let voter = token(api, id, p, committee[0], &issuer, &manifest, rng).await;
        let b = Ballot::cast(
            &ctx,
            &voter,
            &Vote::Keep {
                candidates: keep.clone(),
            },
            rng,
        )
        .unwrap();
        let (s, v) = api.cast(id, &b.to_bytes()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let closed = api
        .post_ok(
            secretary,
            &format!("/api/v1/ballots/{id}/close"),
            &json!({}),
        )
        .await;
    let shown = Digest::from_hex(closed["sha256"].as_str().unwrap()).unwrap();
    let (_, board) = api
        .get(secretary, &format!("/api/v1/ballots/{id}/board"))
        .await;
    for i in 0..k {
        let share = outcomes[i]
            .trustee
            .decryption_share(&board, &shown, rng)
            .unwrap();
        api.post_ok(
            &committee[i].token,
            &format!("/api/v1/ballots/{id}/shares"),
            &share,
        )
        .await;
    }
    api.post_ok(
        secretary,
        &format!("/api/v1/ballots/{id}/tally"),
        &json!({}),
    )
    .await;
}

/// The cell's current holders of a post: member id and name.
async fn holders(app: &TestApp, role: &str) -> Vec<(i64, String)> {
    let cell = app.cell_ids().await[0];
    let posts = app
        .services
        .db
        .read(async |r| store::orgs::committee(r, cell).await)
        .await
        .unwrap();
    let mut out: Vec<(i64, String)> = posts
        .into_iter()
        .filter(|p| p.role == role && p.end_date.is_none())
        .map(|p| (p.member_id, p.member_name))
        .collect();
    out.sort();
    out
}

#[db_test]
async fn an_election_list_becomes_the_committee_and_the_secretary_follows(b: Backend) {
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(1520);
    let (meeting, secretary, phones) = meeting_with_phones(&app, 0).await;
    assert!(phones.len() >= 11, "{} full members", phones.len());
    let s = &app.services;
    let bithu = app.actor("bithu").await;
    let roll =
        s.db.read(async |r| store::meetings::roll(r, meeting).await)
            .await
            .unwrap();
    let name = |id: i64| {
        roll.iter()
            .find(|r| r.member_id == id)
            .unwrap()
            .full_name
            .clone()
    };
    let probationer = roll
        .iter()
        .find(|r| r.member_status == "du_bi")
        .expect("the demo cell has a probationary member")
        .member_id;
    let committee: Vec<&Phone> = phones[..3].iter().collect();
    let ids: Vec<i64> = committee.iter().map(|p| p.member_id).collect();
    let vote = s
        .open_vote(
            &bithu,
            meeting,
            DecisionKind::NghiQuyet,
            "Bầu ban kiểm phiếu",
            VoteMode::Counts,
            app.now(),
        )
        .await
        .unwrap();
    s.enter_counts(&bithu, meeting, vote, (11, 0, 0), app.now())
        .await
        .unwrap();
    let nominee = |p: &Phone, how: &str, withdrawn: bool| json!({"member_id": p.member_id, "nomination": how, "withdrawn": withdrawn});
    let listed: Vec<Value> = phones[..7]
        .iter()
        .enumerate()
        .map(|(i, p)| nominee(p, if i == 4 { "tu_ung_cu" } else { "de_cu" }, i == 6))
        .collect();
    let path = format!("/api/v1/meetings/{meeting}/ballots");
    let form = |nominees: &[Value], committee_vote: i64| {
        json!({"kind": "bau_cu", "title": "Bầu chi ủy nhiệm kỳ 2026–2028", "seats": 5, "post": "chi_uy_vien",
               "nominees": nominees, "committee": ids, "committee_vote": committee_vote})
    };
    // Refused: a probationary member standing, more names than the surplus
    // allows (5 seats + 30 % → 6), a committee vote that was not adopted here.
    let mut with_probationer = listed.clone();
    with_probationer[0] = json!({"member_id": probationer, "nomination": "de_cu"});
    let mut too_many = listed.clone();
    too_many[6]["withdrawn"] = json!(false);
    for (body, code) in [
        (form(&with_probationer, vote), "ballot.nominee"),
        (form(&too_many, vote), "ballot.surplus"),
        (form(&listed, vote + 1000), "ballot.committee_vote"),
    ] {
        let (st, v) = api.post(&secretary, &path, &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["problems"][0]["code"], code, "{v}");
    }
    let id = api.post_ok(&secretary, &path, &form(&listed, vote)).await["id"]
        .as_i64()
        .unwrap();
    // The ballot lists the six who did not withdraw; the election keeps all seven.
    let view = api.json(&secretary, &format!("/api/v1/ballots/{id}")).await;
    let spec: Value = serde_json::from_str(view["sv"]["spec"].as_str().unwrap()).unwrap();
    let on_ballot: Vec<String> = phones[..6].iter().map(|p| name(p.member_id)).collect();
    assert_eq!(spec["candidates"], json!(on_ballot), "{spec}");
    let e = api
        .json(&secretary, &format!("/api/v1/elections/{id}"))
        .await;
    assert_eq!(e["election"]["post"], "chi_uy_vien");
    assert_eq!(e["election"]["term_months"], 30, "the pack's cell term");
    assert_eq!(e["candidates"].as_array().unwrap().len(), 7);
    assert_eq!(e["candidates"][6]["withdrawn"], true);
    assert_eq!(e["candidates"][4]["nomination"], "tu_ung_cu");
    // Not yet decrypted: nothing to record.
    let (st, v) = api
        .post(
            &secretary,
            &format!("/api/v1/elections/{id}/elected"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // A 9, B 8, C 8, D 8, E 8, F 4; one ballot strikes every name.
    let kept: [&[usize]; 11] = [
        &[0, 1, 2, 3, 4],
        &[0, 1, 2, 3, 5],
        &[0, 1, 2, 4],
        &[0, 1, 3, 4],
        &[0, 2, 3, 4, 5],
        &[],
        &[0, 1, 2, 3, 4],
        &[1, 2, 3, 4, 5],
        &[0, 1, 2, 3, 4],
        &[0, 5],
        &[0, 1, 2, 3, 4],
    ];
    let voters: Vec<(&Phone, Vec<usize>)> = phones
        .iter()
        .zip(kept)
        .map(|(p, k)| (p, k.to_vec()))
        .collect();
    run_ballot(&api, id, &secretary, &committee, &voters, &mut rng).await;
    let e = api
        .json(&secretary, &format!("/api/v1/elections/{id}"))
        .await;
    let mut elected: Vec<String> = serde_json::from_value(e["elected"].clone()).unwrap();
    assert_eq!(elected[0], name(phones[0].member_id), "most votes first");
    elected.sort();
    let mut want: Vec<String> = phones[..5].iter().map(|p| name(p.member_id)).collect();
    want.sort();
    assert_eq!(elected, want);

    let r = api
        .post_ok(
            &secretary,
            &format!("/api/v1/elections/{id}/elected"),
            &json!({}),
        )
        .await;
    assert_eq!(r["recorded"], 5);
    let (st, v) = api
        .post(
            &secretary,
            &format!("/api/v1/elections/{id}/elected"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["problems"][0]["code"], "ballot.recorded");
    let mut now: Vec<String> = holders(&app, "chi_uy_vien")
        .await
        .into_iter()
        .map(|h| h.1)
        .collect();
    now.sort();
    assert_eq!(now, want, "the new committee replaces the old");

    // The secretary, by the same path: one seat, one candidate.
    let before = holders(&app, "bi_thu").await;
    let sec = api
        .post_ok(
            &secretary,
            &path,
            &json!({"kind": "bau_cu", "title": "Bầu bí thư chi bộ", "seats": 1, "post": "bi_thu",
                    "nominees": [nominee(&phones[1], "de_cu", false)], "committee": ids}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let voters: Vec<(&Phone, Vec<usize>)> = phones
        .iter()
        .enumerate()
        .map(|(i, p)| (p, if i == 3 { vec![] } else { vec![0] }))
        .collect();
    run_ballot(&api, sec, &secretary, &committee, &voters, &mut rng).await;
    api.post_ok(
        &secretary,
        &format!("/api/v1/elections/{sec}/elected"),
        &json!({}),
    )
    .await;
    let after = holders(&app, "bi_thu").await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].0, phones[1].member_id);
    assert_ne!(before, after);
    // The published result names them.
    let view = api
        .json(&secretary, &format!("/api/v1/ballots/{sec}"))
        .await;
    assert_eq!(
        view["result"]["outcome"]["elected"][0],
        name(phones[1].member_id)
    );
}
