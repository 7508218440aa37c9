//! Secret ballots over HTTP, the phones played with chibo-ballot (the crate
//! the phones' WebAssembly bundle is built from): a whole election on each
//! backend, with the design's secrecy tests S1 and S3 and the
//! verifiability of the published record.

use crate::support::{Backend, TestApp};
use chibo_ballot::{
    Ballot, BlindedToken, Board, Channel, Credential, Digest, DkgOutcome, DkgRound1, Manifest,
    PerChannel, Round1Msg, Round2Msg, SealedShare, TallyResult, TokenIssuer, TokenRequest, Vote,
    VoteContext, VoteId, Voter, verify_record,
};
use chibo_server::model::{MemberFields, Presence, Role};
use chibo_server::service::accounts::NewAccount;
use chibo_server::service::meetings::MeetingForm;
use chibo_server::store;
use chibo_test_macros::db_test;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// A member's phone: its API token and member id.
pub(crate) struct Phone {
    pub(crate) token: String,
    pub(crate) member_id: i64,
    /// Its account's login (password [`PHONE_PASSWORD`]).
    pub(crate) login: String,
}

pub(crate) const PHONE_PASSWORD: &str = "mat-khau-dai-du-12";

pub(crate) struct Api<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) c: Client,
}

impl Api<'_> {
    pub(crate) async fn get(&self, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
        let r = self
            .c
            .get(self.app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    pub(crate) async fn json(&self, token: &str, path: &str) -> Value {
        let (s, b) = self.get(token, path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&b));
        serde_json::from_slice(&b).unwrap()
    }

    pub(crate) async fn post(
        &self,
        token: &str,
        path: &str,
        body: &impl serde::Serialize,
    ) -> (StatusCode, Value) {
        let r = self
            .c
            .post(self.app.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn post_ok(
        &self,
        token: &str,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Value {
        let (s, v) = self.post(token, path, body).await;
        assert!(s.is_success(), "{path}: {s} {v}");
        v
    }

    /// The cast endpoint: raw ballot bytes, no cookie, no credentials.
    pub(crate) async fn cast(&self, id: i64, bytes: &[u8]) -> (StatusCode, Value) {
        let r = TestApp::client()
            .post(self.app.url(&format!("/api/v1/ballots/{id}/cast")))
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }
}

/// An open meeting of the first demo cell, with `extra` full members added
/// to it, everyone present, and a phone (an account with an API token) for
/// each full member present.
pub(crate) async fn meeting_with_phones(app: &TestApp, extra: usize) -> (i64, String, Vec<Phone>) {
    let s = &app.services;
    let bithu = app.actor("bithu").await;
    let cell = s.org(app.cell_ids().await[0]).await.unwrap();
    for given in GIVEN_NAMES.iter().take(extra) {
        let fields = MemberFields {
            full_name: format!("Đỗ Văn {given}"),
            sex: "Nam".into(),
            date_of_birth: "1980-03-02".into(),
            admission_date: "2010-05-19".into(),
            official_date: "2011-05-19".into(),
            ..MemberFields::default()
        };
        s.create_member(&bithu, cell.id, &fields, None, app.now())
            .await
            .unwrap();
    }
    let form = MeetingForm {
        kind: "thuong_ky".into(),
        date: app.date_in(0),
        time: "19:30".into(),
        place: "Nhà văn hóa khu phố 1".into(),
        ..MeetingForm::default()
    };
    let id = s
        .plan_meeting(&bithu, cell.id, &form, app.now())
        .await
        .unwrap();
    s.open_meeting(&bithu, id, Some("Đại hội chi bộ"), app.now())
        .await
        .unwrap();
    let mut phones = Vec::new();
    for (i, r) in
        s.db.read(async |rd| store::meetings::roll(rd, id).await)
            .await
            .unwrap()
            .into_iter()
            .enumerate()
    {
        s.mark_attendance(&bithu, id, r.member_id, Presence::CoMat, None, app.now())
            .await
            .unwrap();
        if r.member_status != "chinh_thuc" {
            continue;
        }
        let login = format!("phone{i}");
        let account = s
            .create_account(
                &bithu,
                &NewAccount {
                    login: &login,
                    display_name: &r.full_name,
                    password: PHONE_PASSWORD,
                    role: Role::Member,
                    org_id: Some(cell.id),
                    member_id: Some(r.member_id),
                },
                app.now(),
            )
            .await
            .unwrap();
        let token = s.issue_api_token(account, "test", app.now()).await.unwrap();
        phones.push(Phone {
            token,
            member_id: r.member_id,
            login,
        });
    }
    let a =
        s.db.read(async |rd| store::accounts::by_login(rd, "bithu").await)
            .await
            .unwrap()
            .unwrap();
    let secretary = s.issue_api_token(a.id, "test", app.now()).await.unwrap();
    (id, secretary, phones)
}

/// The committee's phones run the four key-generation rounds through the
/// server's relay.
pub(crate) async fn keygen(
    api: &Api<'_>,
    id: i64,
    committee: &[&Phone],
    vote_id: VoteId,
    k: usize,
    rng: &mut ChaCha20Rng,
) -> Vec<DkgOutcome> {
    let n = committee.len();
    let path = |r: u32| format!("/api/v1/ballots/{id}/keygen/{r}");
    let mut s1 = Vec::new();
    for (i, p) in committee.iter().enumerate() {
        let (state, msg) = DkgRound1::start(vote_id, n, k, i, rng).unwrap();
        api.post_ok(&p.token, &path(1), &msg).await;
        s1.push(state);
    }
    let mut s2 = Vec::new();
    for (state, p) in s1.into_iter().zip(committee) {
        let msgs: Vec<Round1Msg> =
            serde_json::from_value(api.json(&p.token, &path(1)).await).unwrap();
        let (state, msg) = state.round2(&msgs).unwrap();
        api.post_ok(&p.token, &path(2), &msg).await;
        s2.push(state);
    }
    let mut s3 = Vec::new();
    for (state, p) in s2.into_iter().zip(committee) {
        let msgs: Vec<Round2Msg> =
            serde_json::from_value(api.json(&p.token, &path(2)).await).unwrap();
        let (state, sealed) = state.round3(&msgs, rng).unwrap();
        api.post_ok(&p.token, &path(3), &sealed).await;
        s3.push(state);
    }
    let mut out = Vec::new();
    for (state, p) in s3.into_iter().zip(committee) {
        let mine: Vec<SealedShare> =
            serde_json::from_value(api.json(&p.token, &path(3)).await).unwrap();
        out.push(state.finish(&mine).unwrap());
    }
    out
}

/// A member's phone gets its token through the head's phone (blind).
pub(crate) async fn token(
    api: &Api<'_>,
    id: i64,
    voter: &Phone,
    head: &Phone,
    issuer: &TokenIssuer,
    m: &Manifest,
    rng: &mut ChaCha20Rng,
) -> Voter {
    issuance(api, id, voter, head, issuer, m, rng).await.0
}

/// [`token`], with what the server relayed: the blinded request and the
/// blind signature.
async fn issuance(
    api: &Api<'_>,
    id: i64,
    voter: &Phone,
    head: &Phone,
    issuer: &TokenIssuer,
    m: &Manifest,
    rng: &mut ChaCha20Rng,
) -> (Voter, [Vec<u8>; 2]) {
    let credential = Credential::generate(rng);
    let (request, pending) = credential
        .request_token(&m.vote_id, Channel::Phone, &m.token_keys.phone, rng)
        .unwrap();
    let base = format!("/api/v1/ballots/{id}/tokens");
    let (s, _) = api.post(&voter.token, &base, &request).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let waiting = api.json(&head.token, &base).await;
    let mine = waiting
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["member_id"] == voter.member_id)
        .expect("the request waits for the head's phone");
    assert!(!mine["full_name"].as_str().unwrap().is_empty());
    let req: TokenRequest = serde_json::from_value(mine["request"].clone()).unwrap();
    let signed = issuer.sign(Channel::Phone, &req, rng).unwrap();
    api.post_ok(&head.token, &format!("{base}/{}", voter.member_id), &signed)
        .await;
    let back = api.json(&voter.token, &format!("{base}/mine")).await;
    let back: BlindedToken = serde_json::from_value(back).unwrap();
    let voter = pending.finish(&back).unwrap();
    (voter, [req.blinded, back.blinded])
}

#[db_test]
async fn an_election_by_phones_and_paper_is_secret_and_verifiable(b: Backend) {
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let (meeting, secretary, phones) = meeting_with_phones(&app, 0).await;
    assert!(phones.len() >= 7, "{} phones", phones.len());
    let committee: Vec<&Phone> = phones[..3].iter().collect();
    let head = committee[0];
    let names = [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
    ];
    let opened = api
        .post_ok(
            &secretary,
            &format!("/api/v1/meetings/{meeting}/ballots"),
            &json!({"kind": "bau_cu", "title": "Bầu chi ủy nhiệm kỳ 2026–2028", "candidates": names, "seats": 3,
                    "committee": committee.iter().map(|p| p.member_id).collect::<Vec<_>>()}),
        )
        .await;
    let id = opened["id"].as_i64().unwrap();
    let view = api.json(&secretary, &format!("/api/v1/ballots/{id}")).await;
    assert_eq!(view["sv"]["status"], "keygen");
    assert_eq!(view["sv"]["k"], 2, "a majority of 3 (the pack's threshold)");
    // The phones' bundle is served, cached for good, from the URL the view gives.
    let module = view["bundle"].as_str().unwrap();
    let wasm_url = module.replace("chibo-ballot.mjs", "pkg/chibo_ballot_bg.wasm");
    let r = api.c.get(app.url(&wasm_url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let served = r.bytes().await.unwrap();
    assert_eq!(
        &served[..],
        include_bytes!("../../../chibo-ballot/wasm/pkg/chibo_ballot_bg.wasm")
    );
    let vote_id = VoteId(hex32(view["sv"]["vote_id"].as_str().unwrap()));

    // Keygen on the committee's phones; the head's phone makes the token keys.
    let outcomes = keygen(&api, id, &committee, vote_id, 2, &mut rng).await;
    let (issuer, token_keys) = TokenIssuer::generate(&mut rng).unwrap();
    let set = api
        .post_ok(
            &head.token,
            &format!("/api/v1/ballots/{id}/keys"),
            &json!({"trustees": outcomes[0].trustees, "token_keys": token_keys}),
        )
        .await;
    for o in &outcomes {
        assert_eq!(
            set["fingerprint"], o.fingerprint,
            "every phone reads the same fingerprint"
        );
    }
    let (_, bytes) = api
        .get(&head.token, &format!("/api/v1/ballots/{id}/manifest"))
        .await;
    let manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
    let ctx = VoteContext::new(manifest.clone()).unwrap();

    // Six phone voters; the seventh member gets paper.
    let votes = [
        vec![0, 1, 2],
        vec![0, 1, 3],
        vec![0, 2],
        vec![1],
        vec![0, 1, 2],
        vec![],
    ];
    let mut trackers = Vec::new();
    for (p, keep) in phones.iter().zip(&votes) {
        let voter = token(&api, id, p, head, &issuer, &manifest, &mut rng).await;
        let ballot = Ballot::cast(
            &ctx,
            &voter,
            &Vote::Keep {
                candidates: keep.clone(),
            },
            &mut rng,
        )
        .unwrap();
        let bytes = ballot.to_bytes();
        let (s, v) = api.cast(id, &bytes).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["tracker"], ballot.tracker().to_hex());
        // The phone resubmits (no answer seen): the same tracker, counted once.
        let (s, v) = api.cast(id, &bytes).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["tracker"], ballot.tracker().to_hex());
        trackers.push(ballot.tracker().to_hex());
    }
    // A second ballot for a member already issued one is refused.
    let again = Credential::generate(&mut rng)
        .request_token(
            &manifest.vote_id,
            Channel::Phone,
            &manifest.token_keys.phone,
            &mut rng,
        )
        .unwrap()
        .0;
    let (s, v) = api
        .post(
            &phones[0].token,
            &format!("/api/v1/ballots/{id}/tokens"),
            &again,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["problems"][0]["code"], "ballot.issued");

    // S3: a cast request carrying a cookie is refused, and so is a forged token.
    let forged = {
        let (other, _) = TokenIssuer::generate(&mut rng).unwrap();
        let cred = Credential::generate(&mut rng);
        let (req, pending) = cred
            .request_token(
                &manifest.vote_id,
                Channel::Phone,
                &manifest.token_keys.phone,
                &mut rng,
            )
            .unwrap();
        let signed = other.sign(Channel::Phone, &req, &mut rng);
        signed.ok().and_then(|s| pending.finish(&s).ok())
    };
    assert!(
        forged.is_none(),
        "a signature under another key does not finish"
    );
    let phone7 = &phones[6];
    let voter7 = token(&api, id, phone7, head, &issuer, &manifest, &mut rng);
    let voter7 = voter7.await;
    let b7 = Ballot::cast(
        &ctx,
        &voter7,
        &Vote::Keep {
            candidates: vec![0, 1, 2],
        },
        &mut rng,
    )
    .unwrap();
    let r = TestApp::client()
        .post(app.url(&format!("/api/v1/ballots/{id}/cast")))
        .header("cookie", "chibo_session=abc")
        .body(b7.to_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "cast_identified");
    // Seventh phone voter never casts (issued 7, cast 6).

    // One paper ballot: the head hands it out, the committee enters it.
    let paper_member = phones.get(7).map(|p| p.member_id);
    if let Some(pm) = paper_member {
        api.post_ok(
            &head.token,
            &format!("/api/v1/ballots/{id}/paper/{pm}"),
            &json!({}),
        )
        .await;
        let voter = issuer
            .paper_voter(&manifest.vote_id, &manifest.token_keys.paper, &mut rng)
            .unwrap();
        let ballot = Ballot::cast(
            &ctx,
            &voter,
            &Vote::Keep {
                candidates: vec![0, 2, 3],
            },
            &mut rng,
        )
        .unwrap();
        // Not through the public cast endpoint…
        let (s, v) = api.cast(id, &ballot.to_bytes()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        // …but entered by a committee member.
        let r = api
            .c
            .post(app.url(&format!("/api/v1/ballots/{id}/paper-ballots")))
            .bearer_auth(&committee[1].token)
            .body(ballot.to_bytes())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        trackers.push(ballot.tracker().to_hex());
    }
    // Closing needs the invalid paper count confirmed by a second member.
    let (s, v) = api
        .post(
            &secretary,
            &format!("/api/v1/ballots/{id}/close"),
            &json!({}),
        )
        .await;
    if paper_member.is_some() {
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let first = api
            .post_ok(
                &committee[1].token,
                &format!("/api/v1/ballots/{id}/paper-invalid"),
                &json!({"count": 0}),
            )
            .await;
        assert_eq!(first["confirmed"], false);
        let second = api
            .post_ok(
                &committee[2].token,
                &format!("/api/v1/ballots/{id}/paper-invalid"),
                &json!({"count": 0}),
            )
            .await;
        assert_eq!(second["confirmed"], true);
    }
    let view = api
        .json(&head.token, &format!("/api/v1/ballots/{id}"))
        .await;
    assert_eq!(view["issued_phone"], 7, "đã phát");
    assert_eq!(view["cast_phone"], 6);
    let closed = api
        .post_ok(
            &secretary,
            &format!("/api/v1/ballots/{id}/close"),
            &json!({}),
        )
        .await;
    let shown = Digest::from_hex(closed["sha256"].as_str().unwrap()).unwrap();
    // A ballot after the close is refused.
    let (s, _) = api.cast(id, &b7.to_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // S1, S2 (order): sv_ballot has no member, session or time column, and its
    // rows are stored in tracker order.
    trackers.sort();
    let stored: Vec<String> = app
        .services
        .db
        .read(async |rd| store::ballots::ballots(rd, id).await)
        .await
        .unwrap()
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    assert_eq!(stored, trackers, "every tracker once, in tracker order");
    assert_eq!(
        ballot_columns(&app, b).await,
        ["sv_id", "tracker", "channel", "body"]
    );

    // Decrypt with 2 of the 3 phones (one is offline).
    let (_, board) = api
        .get(&head.token, &format!("/api/v1/ballots/{id}/board"))
        .await;
    assert_eq!(Board::from_bytes(&board).unwrap().hash(), shown);
    for i in [0, 2] {
        let share = outcomes[i]
            .trustee
            .decryption_share(&board, &shown, &mut rng)
            .unwrap();
        api.post_ok(
            &committee[i].token,
            &format!("/api/v1/ballots/{id}/shares"),
            &share,
        )
        .await;
    }
    let tallied = api
        .post_ok(
            &secretary,
            &format!("/api/v1/ballots/{id}/tally"),
            &json!({}),
        )
        .await;

    // The published record verifies and gives the hand-counted result.
    let (s, record) = api
        .get(&phones[5].token, &format!("/api/v1/ballots/{id}/record"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let verified = verify_record(&record).unwrap();
    assert_eq!(verified.record_hash.to_hex(), tallied["sha256"]);
    let TallyResult::Decrypted { counts, outcome } = verified.result else {
        panic!("decrypted");
    };
    // Kept: An 0,0,0,0,0 + paper = 5 ; Bình 0,0,·,1,0 = 4 ; Cường 0,·,0,·,0 + paper = 4 ; Dung 1 + paper = 2.
    assert_eq!(counts.options, vec![5, 4, 4, 2]);
    assert_eq!(counts.all_struck, 1, "the all-struck ballot is invalid");
    assert_eq!(counts.valid, 6);
    // Elected: more than half of the base (the whole convened roll, not the ballots).
    assert!(outcome.base as usize >= phones.len(), "{outcome:?}");
    let expected: Vec<String> = names
        .iter()
        .zip(&counts.options)
        .filter(|(_, n)| **n >= outcome.needed)
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(outcome.elected, expected, "{outcome:?}");
    let mut changed = record.clone();
    let at = changed.len() / 2;
    changed[at] ^= 1;
    assert!(verify_record(&changed).is_err(), "a changed byte fails");
    // The observer's verifier: `chibo ballot verify RECORD`.
    let dir = tempfile::tempdir().unwrap();
    for (bytes, code) in [(&record, 0), (&changed, 3)] {
        let path = dir.path().join("record.json");
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chibo"))
            .args(["ballot", "verify"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let view = api.json(&secretary, &format!("/api/v1/ballots/{id}")).await;
    assert_eq!(view["sv"]["status"], "decrypted");
    assert_eq!(view["result"]["status"], "decrypted");
    // The biên bản kiểm phiếu, printed from the record, carries its figures and hash.
    let (c, _) = app.login("bithu").await;
    let r = c
        .get(app.url(&format!("/ballots/{id}/bien-ban-kiem-phieu.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = crate::support::pdf_text(&pdf) {
        let paper = usize::from(paper_member.is_some());
        for said in [
            "BIÊN BẢN KIỂM PHIẾU".to_string(),
            format!(
                "Số phiếu phát ra: {} (7 trên điện thoại, {paper} phiếu giấy)",
                7 + paper
            ),
            format!(
                "Số phiếu thu vào: {} (6 trên điện thoại, {paper} phiếu giấy)",
                6 + paper
            ),
            "Số phiếu hợp lệ: 6".to_string(),
            "Số phiếu không hợp lệ: 1 (1 phiếu gạch hết tên, 0 phiếu giấy không hợp lệ)".into(),
        ] {
            assert!(text.contains(&said), "{said:?} not in {text}");
        }
        let hash = tallied["sha256"].as_str().unwrap();
        assert!(text.replace(' ', "").contains(hash), "the record's hash");
        for name in &outcome.elected {
            assert!(text.contains(name.as_str()), "{name} not in {text}");
        }
    }
    let r = c
        .get(app.url(&format!("/ballots/{id}/bien-ban-kiem-phieu.docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

fn hex32(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// The columns of `sv_ballot` as the database describes them.
async fn ballot_columns(app: &TestApp, b: Backend) -> Vec<String> {
    let sql = match b {
        Backend::Postgres => {
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'sv_ballot' ORDER BY ordinal_position"
        }
        Backend::Sqlite => "SELECT name FROM pragma_table_info('sv_ballot') ORDER BY cid",
    };
    texts(app, b, sql).await
}

/// The text column of every row a query answers, read on the backend itself.
async fn texts(app: &TestApp, b: Backend, sql: &'static str) -> Vec<String> {
    use sqlx::Connection;
    match b {
        Backend::Postgres => {
            let url = app.database_url.clone().unwrap();
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
        }
        Backend::Sqlite => {
            let store::Db::Sqlite { read, .. } = &app.services.db else {
                panic!("sqlite");
            };
            sqlx::query_scalar(sql).fetch_all(read).await.unwrap()
        }
    }
}

/// Given names of the members added to the demo cell for the larger votes.
const GIVEN_NAMES: [&str; 14] = [
    "An", "Bảo", "Cúc", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Minh", "Nga", "Phúc", "Quân", "Sơn",
    "Tâm",
];

/// A secret ballot opened in a meeting (the strike-out election of four
/// candidates for three seats), its key made by the phones of the first
/// three full members (the counting committee, 2 of 3) and its token keys
/// set by the head's phone.
struct Keyed {
    id: i64,
    secretary: String,
    phones: Vec<Phone>,
    outcomes: Vec<DkgOutcome>,
    issuer: TokenIssuer,
    manifest: Manifest,
    ctx: VoteContext,
}

impl Keyed {
    async fn open(api: &Api<'_>, extra: usize, rng: &mut ChaCha20Rng) -> Self {
        let (meeting, secretary, phones) = meeting_with_phones(api.app, extra).await;
        let committee: Vec<&Phone> = phones[..3].iter().collect();
        let opened = api
            .post_ok(
                &secretary,
                &format!("/api/v1/meetings/{meeting}/ballots"),
                &json!({"kind": "bau_cu", "title": "Bầu chi ủy", "seats": 3,
                        "candidates": ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"],
                        "committee": committee.iter().map(|p| p.member_id).collect::<Vec<_>>()}),
            )
            .await;
        let id = opened["id"].as_i64().unwrap();
        let view = api.json(&secretary, &format!("/api/v1/ballots/{id}")).await;
        let vote_id = VoteId(hex32(view["sv"]["vote_id"].as_str().unwrap()));
        let outcomes = keygen(api, id, &committee, vote_id, 2, rng).await;
        let (issuer, token_keys) = TokenIssuer::generate(rng).unwrap();
        api.post_ok(
            &committee[0].token,
            &format!("/api/v1/ballots/{id}/keys"),
            &json!({"trustees": outcomes[0].trustees, "token_keys": token_keys}),
        )
        .await;
        let (_, bytes) = api
            .get(
                &committee[0].token,
                &format!("/api/v1/ballots/{id}/manifest"),
            )
            .await;
        let manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
        let ctx = VoteContext::new(manifest.clone()).unwrap();
        Self {
            id,
            secretary,
            phones,
            outcomes,
            issuer,
            manifest,
            ctx,
        }
    }

    /// The phone's ballot keeping `keep`, after it got its token; with the
    /// issuance messages the server relayed.
    async fn ballot(
        &self,
        api: &Api<'_>,
        phone: &Phone,
        keep: &[usize],
        rng: &mut ChaCha20Rng,
    ) -> (Vec<u8>, [Vec<u8>; 2]) {
        let (voter, seen) = issuance(
            api,
            self.id,
            phone,
            &self.phones[0],
            &self.issuer,
            &self.manifest,
            rng,
        )
        .await;
        let vote = Vote::Keep {
            candidates: keep.to_vec(),
        };
        let ballot = Ballot::cast(&self.ctx, &voter, &vote, rng).unwrap();
        (ballot.to_bytes(), seen)
    }

    async fn close(&self, api: &Api<'_>) -> Digest {
        let path = format!("/api/v1/ballots/{}/close", self.id);
        let closed = api.post_ok(&self.secretary, &path, &json!({})).await;
        Digest::from_hex(closed["sha256"].as_str().unwrap()).unwrap()
    }
}

/// The trackers of `sv_ballot` in storage order (rowid, ctid), and the
/// distinct transaction ids (xmin) that wrote them on PostgreSQL.
async fn storage_order(app: &TestApp, b: Backend, id: i64) -> (Vec<String>, Vec<String>) {
    use sqlx::Connection;
    match b {
        Backend::Postgres => {
            let url = app.database_url.clone().unwrap();
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT tracker, xmin::text FROM sv_ballot WHERE sv_id = $1 ORDER BY ctid",
            )
            .bind(id)
            .fetch_all(&mut c)
            .await
            .unwrap();
            let mut xmins: Vec<String> = rows.iter().map(|(_, x)| x.clone()).collect();
            xmins.dedup();
            (rows.into_iter().map(|(t, _)| t).collect(), xmins)
        }
        Backend::Sqlite => {
            let store::Db::Sqlite { read, .. } = &app.services.db else {
                panic!("sqlite");
            };
            let trackers =
                sqlx::query_scalar("SELECT tracker FROM sv_ballot WHERE sv_id = ? ORDER BY rowid")
                    .bind(id)
                    .fetch_all(read)
                    .await
                    .unwrap();
            (trackers, vec![])
        }
    }
}

/// Everything the database holds, as an administrator or a backup sees it:
/// the SQLite file and its write-ahead log, or a `pg_dump` of the database.
fn dump(app: &TestApp, b: Backend) -> Vec<u8> {
    match b {
        Backend::Postgres => {
            let out = std::process::Command::new("pg_dump")
                .arg("--dbname")
                .arg(app.database_url.clone().unwrap())
                .output()
                .expect("pg_dump runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        }
        Backend::Sqlite => {
            let db = app.sqlite_path();
            let mut bytes = std::fs::read(&db).unwrap();
            let wal = db.with_extension("sqlite-wal");
            bytes.extend(std::fs::read(wal).unwrap_or_default());
            bytes
        }
    }
}

/// Whether `haystack` holds any `n`-byte run of the `needles` (one pass
/// over the haystack: a dump is megabytes).
fn shares_run(haystack: &[u8], needles: &[Vec<u8>], n: usize) -> bool {
    let runs: std::collections::HashSet<&[u8]> =
        needles.iter().flat_map(|m| m.windows(n)).collect();
    haystack.windows(n).any(|h| runs.contains(h))
}

/// S2: a 20-voter vote, then the database (with its write-ahead log, or a
/// dump) as an administrator or a backup holds it. The ballots are stored in
/// tracker order, written by one transaction (one xmin on PostgreSQL); what
/// the server relayed at issuance (blinded requests and signatures, next to
/// the members' names) is nowhere in it, raw or in the base64 it travelled
/// in; and no tracker appears in the audit chain or the access log.
#[db_test]
async fn twenty_voters_leave_no_link_between_issuance_and_ballots(b: Backend) {
    use base64::Engine;
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(20);
    let v = Keyed::open(&api, GIVEN_NAMES.len(), &mut rng).await;
    assert!(v.phones.len() >= 20, "{} full members", v.phones.len());
    let mut seen = Vec::new();
    let mut trackers = Vec::new();
    for (i, p) in v.phones[..20].iter().enumerate() {
        let keep: Vec<usize> = (0..4).filter(|c| (i + c) % 3 != 0).take(3).collect();
        let (bytes, issued) = v.ballot(&api, p, &keep, &mut rng).await;
        let (s, answer) = api.cast(v.id, &bytes).await;
        assert_eq!(s, StatusCode::CREATED, "{answer}");
        trackers.push(answer["tracker"].as_str().unwrap().to_string());
        seen.extend(issued);
    }
    v.close(&api).await;

    let (stored, xmins) = storage_order(&app, b, v.id).await;
    let mut sorted = trackers.clone();
    sorted.sort();
    assert_eq!(stored, sorted, "stored in tracker order, not casting order");
    assert_ne!(
        trackers, sorted,
        "the casting order differs from the tracker order"
    );
    if b == Backend::Postgres {
        assert_eq!(
            xmins.len(),
            1,
            "one transaction wrote every ballot: {xmins:?}"
        );
    }

    let all = dump(&app, b);
    let b64 = base64::engine::general_purpose::STANDARD;
    assert!(
        !shares_run(&all, &seen, 12),
        "an issuance message is stored"
    );
    let encoded: Vec<Vec<u8>> = seen.iter().map(|m| b64.encode(m).into_bytes()).collect();
    assert!(
        !shares_run(&all, &encoded, 16),
        "an issuance message is stored in base64"
    );
    // The ballots are there (the dump is a real one)…
    let (_, board) = api
        .get(&v.secretary, &format!("/api/v1/ballots/{}/board", v.id))
        .await;
    assert!(!board.is_empty());
    for t in &trackers {
        assert!(
            shares_run(&all, &[t.clone().into_bytes()], 64),
            "{t} stored"
        );
    }
    // …but no log names one.
    let logs = log_text(&app, b).await;
    for t in &trackers {
        assert!(!logs.contains(t.as_str()), "a tracker in the logs");
    }
    assert!(!logs.contains("/cast"), "the cast endpoint is logged");
}

/// The audit chain and the access log as text.
async fn log_text(app: &TestApp, b: Backend) -> String {
    let audit = texts(app, b, "SELECT action || ' ' || summary FROM audit").await;
    let access = texts(
        app,
        b,
        "SELECT kind || ' ' || COALESCE(detail, '') FROM access_log",
    )
    .await;
    [audit, access].concat().join("\n")
}

/// V5: the server restarts in the middle of casting (the box is in memory
/// only, by design): the phones whose ballots were lost resubmit them to the
/// restarted server, one of them twice, and every tracker is counted exactly
/// once.
#[db_test]
async fn a_restart_in_the_middle_of_casting_counts_every_tracker_once(b: Backend) {
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let v = Keyed::open(&api, 0, &mut rng).await;
    let mut ballots = Vec::new();
    for p in &v.phones[..6] {
        ballots.push(v.ballot(&api, p, &[0, 1], &mut rng).await.0);
    }
    for bytes in &ballots[..3] {
        assert_eq!(api.cast(v.id, bytes).await.0, StatusCode::CREATED);
    }

    // The restarted server, on the same database, with an empty box.
    let data_dir = app.sqlite_path().parent().unwrap().to_path_buf();
    let peer = crate::ops::Peer::of(&app, |cfg| {
        if b == Backend::Sqlite {
            cfg.data_dir = data_dir;
        }
    })
    .await;
    let after = app.view_at(&peer.base);
    let api = Api {
        app: &after,
        c: TestApp::client(),
    };
    let view = api
        .json(&v.secretary, &format!("/api/v1/ballots/{}", v.id))
        .await;
    assert_eq!(view["cast_phone"], 0, "the box was lost with the restart");
    assert_eq!(view["issued_phone"], 6, "the issuance was written");
    for bytes in &ballots[3..] {
        assert_eq!(api.cast(v.id, bytes).await.0, StatusCode::CREATED);
    }
    // The phones that cast before the restart resubmit (one of them twice).
    for bytes in ballots[..3].iter().chain(&ballots[..1]) {
        let (s, answer) = api.cast(v.id, bytes).await;
        assert!(s == StatusCode::CREATED || s == StatusCode::OK, "{answer}");
    }
    let view = api
        .json(&v.secretary, &format!("/api/v1/ballots/{}", v.id))
        .await;
    assert_eq!(view["cast_phone"], 6);
    v.close(&api).await;
    let mut expected: Vec<String> = ballots
        .iter()
        .map(|b| Ballot::from_bytes(b).unwrap().tracker().to_hex())
        .collect();
    expected.sort();
    assert_eq!(storage_order(&app, b, v.id).await.0, expected);
}

/// S4 over HTTP: the committee's phones refuse to decrypt any box but the
/// closed one whose hash the room was shown (the Helios #170 attack: a box
/// holding only the target's ballot); a share of such a box is refused by
/// the server; and with k − 1 shares the tally decrypts nothing and records
/// the failure (the rules' paper re-vote), a record that still verifies.
#[db_test]
async fn the_committee_refuses_a_subset_and_k_minus_one_shares_decrypt_nothing(b: Backend) {
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(170);
    let v = Keyed::open(&api, 0, &mut rng).await;
    let mut ballots = Vec::new();
    for (p, keep) in v.phones[..4].iter().zip([[0, 1], [1, 2], [0, 2], [2, 3]]) {
        let (bytes, _) = v.ballot(&api, p, &keep, &mut rng).await;
        assert_eq!(api.cast(v.id, &bytes).await.0, StatusCode::CREATED);
        ballots.push(bytes);
    }
    let shown = v.close(&api).await;
    let target = Ballot::from_bytes(&ballots[0]).unwrap();
    let issued = PerChannel { phone: 4, paper: 0 };
    let (subset, _) = Board::assemble(&v.ctx, [target], issued, 0).unwrap();
    let subset = subset.to_bytes();
    for o in &v.outcomes {
        assert!(
            o.trustee
                .decryption_share(&subset, &shown, &mut rng)
                .is_err(),
            "a phone decrypts a box other than the one shown"
        );
    }
    // A share of the subset (its own hash shown to a fooled phone) is no
    // share of the closed box: the server refuses it.
    let fooled = v.outcomes[1]
        .trustee
        .decryption_share(
            &subset,
            &Board::from_bytes(&subset).unwrap().hash(),
            &mut rng,
        )
        .unwrap();
    let shares = format!("/api/v1/ballots/{}/shares", v.id);
    let (s, answer) = api.post(&v.phones[1].token, &shares, &fooled).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    // One share of 2 needed: nothing is decrypted, the failure is recorded.
    let (_, board) = api
        .get(&v.secretary, &format!("/api/v1/ballots/{}/board", v.id))
        .await;
    let share = v.outcomes[0]
        .trustee
        .decryption_share(&board, &shown, &mut rng)
        .unwrap();
    api.post_ok(&v.phones[0].token, &shares, &share).await;
    // The phone whose answer was lost sends the same share again: taken as
    // delivered, once. Another share from the same phone is refused.
    api.post_ok(&v.phones[0].token, &shares, &share).await;
    let view = api
        .json(&v.secretary, &format!("/api/v1/ballots/{}", v.id))
        .await;
    assert_eq!(view["shares"], 1, "the same share counted once");
    let other = v.outcomes[0]
        .trustee
        .decryption_share(&board, &shown, &mut rng)
        .unwrap();
    let (s, answer) = api.post(&v.phones[0].token, &shares, &other).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["problems"][0]["code"], "ballot.already");
    api.post_ok(
        &v.secretary,
        &format!("/api/v1/ballots/{}/tally", v.id),
        &json!({}),
    )
    .await;
    let (_, record) = api
        .get(&v.secretary, &format!("/api/v1/ballots/{}/record", v.id))
        .await;
    let verified = verify_record(&record).unwrap();
    assert!(
        matches!(verified.result, TallyResult::Failed { .. }),
        "{:?}",
        verified.result
    );
    let view = api
        .json(&v.secretary, &format!("/api/v1/ballots/{}", v.id))
        .await;
    assert_eq!(view["sv"]["status"], "failed");
    // A late second share cannot turn the failure into a count.
    let late = v.outcomes[2]
        .trustee
        .decryption_share(&board, &shown, &mut rng)
        .unwrap();
    let (s, _) = api.post(&v.phones[2].token, &shares, &late).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A token the head's phone signed is lost from memory when the server
/// restarts before the member's phone collects it. The phone sends its very
/// same blinded request again; it reaches the head's phone marked `again`,
/// which sends back the signature it made for it (nothing of the exchange
/// is stored); the member votes once and is issued once. A member whose
/// signature is held, or who was handed a paper ballot, cannot ask again.
#[db_test]
async fn a_token_signed_before_a_restart_is_collected_after_it(b: Backend) {
    let app = TestApp::demo(b).await;
    let api = Api {
        app: &app,
        c: TestApp::client(),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(9474);
    let v = Keyed::open(&api, 0, &mut rng).await;
    let (head, phone, paper) = (&v.phones[0], &v.phones[3], &v.phones[4]);
    let base = format!("/api/v1/ballots/{}/tokens", v.id);
    let (request, pending) = Credential::generate(&mut rng)
        .request_token(
            &v.manifest.vote_id,
            Channel::Phone,
            &v.manifest.token_keys.phone,
            &mut rng,
        )
        .unwrap();
    assert_eq!(
        api.post(&phone.token, &base, &request).await.0,
        StatusCode::ACCEPTED
    );
    let waiting = api.json(&head.token, &base).await;
    assert_eq!(waiting[0]["member_id"], phone.member_id);
    assert_eq!(waiting[0]["again"], false);
    let signed = v.issuer.sign(Channel::Phone, &request, &mut rng).unwrap();
    api.post_ok(&head.token, &format!("{base}/{}", phone.member_id), &signed)
        .await;
    api.post_ok(
        &head.token,
        &format!("/api/v1/ballots/{}/paper/{}", v.id, paper.member_id),
        &json!({}),
    )
    .await;

    // The restarted server, on the same database, remembers no signature.
    let data_dir = app.sqlite_path().parent().unwrap().to_path_buf();
    let peer = crate::ops::Peer::of(&app, |cfg| {
        if b == Backend::Sqlite {
            cfg.data_dir = data_dir;
        }
    })
    .await;
    let after = app.view_at(&peer.base);
    let api = Api {
        app: &after,
        c: TestApp::client(),
    };
    let (s, _) = api.get(&phone.token, &format!("{base}/mine")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the signature was in memory");
    let view = api
        .json(&phone.token, &format!("/api/v1/ballots/{}", v.id))
        .await;
    assert_eq!(view["my_ballot_issued"], true);
    assert_eq!(view["issued_phone"], 1);

    // The phone asks again with the same request; the head's phone sees it
    // marked and sends back the signature it made.
    assert_eq!(
        api.post(&phone.token, &base, &request).await.0,
        StatusCode::ACCEPTED
    );
    let (s, answer) = api.post(&paper.token, &base, &request).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["problems"][0]["code"], "ballot.issued");
    let waiting = api.json(&head.token, &base).await;
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    assert_eq!(waiting[0]["member_id"], phone.member_id);
    assert_eq!(waiting[0]["again"], true);
    assert_eq!(
        waiting[0]["request"],
        serde_json::to_value(&request).unwrap()
    );
    api.post_ok(&head.token, &format!("{base}/{}", phone.member_id), &signed)
        .await;
    let back: BlindedToken =
        serde_json::from_value(api.json(&phone.token, &format!("{base}/mine")).await).unwrap();
    let voter = pending.finish(&back).unwrap();
    // Held again: asking once more is refused (the phone collects it).
    let (s, answer) = api.post(&phone.token, &base, &request).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["problems"][0]["code"], "ballot.issued");
    // The head's phone cannot hand out a signature nobody asked for.
    let (s, answer) = api
        .post(
            &head.token,
            &format!("{base}/{}", v.phones[5].member_id),
            &signed,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["problems"][0]["code"], "ballot.no_request");

    let ballot = Ballot::cast(
        &v.ctx,
        &voter,
        &Vote::Keep {
            candidates: vec![1, 2],
        },
        &mut rng,
    )
    .unwrap();
    let (s, answer) = api.cast(v.id, &ballot.to_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{answer}");
    let view = api
        .json(&v.secretary, &format!("/api/v1/ballots/{}", v.id))
        .await;
    assert_eq!(
        (&view["issued_phone"], &view["issued_paper"]),
        (&json!(1), &json!(1)),
        "issued once"
    );
    assert_eq!(view["cast_phone"], 1);
    let logs = log_text(&app, b).await;
    assert_eq!(logs.matches("ballot.issue_again").count(), 1, "{logs}");
}
