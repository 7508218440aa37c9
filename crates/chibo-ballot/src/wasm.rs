//! The phone-side operations for JavaScript (wasm-bindgen). Every function takes and returns
//! JSON text; a failure throws a JSON text `{"code": …, "message": …}` (the ES module glue in
//! `wasm/chibo-ballot.mjs` turns it into an `Error` with a `code`). Secret states (key
//! generation rounds, the trustee's share, the token issuer, a pending token, a voter) are
//! returned to the page, which keeps them on the phone only.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use wasm_bindgen::prelude::*;

use crate::*;

type Out = Result<String, JsValue>;

fn fail(code: &str, message: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&json!({ "code": code, "message": message.to_string() }).to_string())
}

fn rng() -> Result<ChaCha20Rng, JsValue> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| fail("no_randomness", e))?;
    Ok(ChaCha20Rng::from_seed(seed))
}

fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, JsValue> {
    serde_json::from_str(text).map_err(|e| fail("bad_input", format!("{what}: {e}")))
}

fn out<T: Serialize>(value: &T) -> Out {
    serde_json::to_string(value).map_err(|e| fail("bad_output", e))
}

fn vote_id(hex: &str) -> Result<VoteId, JsValue> {
    Digest::from_hex(hex)
        .map(|d| VoteId(d.0))
        .ok_or_else(|| fail("bad_input", "vote_id: cần 64 chữ số hex thường"))
}

fn context(manifest: &str) -> Result<VoteContext, JsValue> {
    VoteContext::new(parse(manifest, "manifest")?).map_err(|e| fail(e.code(), e))
}

fn channel(code: &str) -> Result<Channel, JsValue> {
    Channel::from_code(code).ok_or_else(|| fail("bad_input", "channel: phone hoặc paper"))
}

/// Key generation, round 1: `{state, message}`.
#[wasm_bindgen]
pub fn dkg_start(vote: &str, n: u32, k: u32, index: u32) -> Out {
    let (state, message) = DkgRound1::start(
        vote_id(vote)?,
        n as usize,
        k as usize,
        index as usize,
        &mut rng()?,
    )
    .map_err(|e| fail(e.code(), e))?;
    out(&json!({ "state": state, "message": message }))
}

/// Round 2, with all n round-1 messages (a JSON array): `{state, message}`.
#[wasm_bindgen]
pub fn dkg_round2(state: &str, messages: &str) -> Out {
    let state: DkgRound1 = parse(state, "state")?;
    let msgs: Vec<Round1Msg> = parse(messages, "messages")?;
    let (state, message) = state.round2(&msgs).map_err(|e| fail(e.code(), e))?;
    out(&json!({ "state": state, "message": message }))
}

/// Round 3, with all n round-2 messages: `{state, sealed}` (the shares to relay).
#[wasm_bindgen]
pub fn dkg_round3(state: &str, messages: &str) -> Out {
    let state: DkgRound2 = parse(state, "state")?;
    let msgs: Vec<Round2Msg> = parse(messages, "messages")?;
    let (state, sealed) = state
        .round3(&msgs, &mut rng()?)
        .map_err(|e| fail(e.code(), e))?;
    out(&json!({ "state": state, "sealed": sealed }))
}

/// Completes with the n−1 sealed shares addressed to this phone:
/// `{trustee, trustees, fingerprint}`.
#[wasm_bindgen]
pub fn dkg_finish(state: &str, sealed: &str) -> Out {
    let state: DkgRound3 = parse(state, "state")?;
    let sealed: Vec<SealedShare> = parse(sealed, "sealed")?;
    let done = state.finish(&sealed).map_err(|e| fail(e.code(), e))?;
    out(&json!({
        "trustee": done.trustee,
        "trustees": done.trustees,
        "fingerprint": done.fingerprint,
    }))
}

/// The manifest's joint-key fingerprint and hash: `{fingerprint, hash}` (also checks it).
#[wasm_bindgen]
pub fn manifest_check(manifest: &str) -> Out {
    let ctx = context(manifest)?;
    out(&json!({
        "fingerprint": ctx.manifest().fingerprint(),
        "hash": ctx.hash(),
    }))
}

/// The head's phone makes the token keys: `{issuer, keys}` (issuer secret, keys for the manifest).
#[wasm_bindgen]
pub fn token_keys_generate() -> Out {
    let (issuer, keys) = TokenIssuer::generate(&mut rng()?).map_err(|e| fail(e.code(), e))?;
    let state = issuer.to_state().map_err(|e| fail(e.code(), e))?;
    out(&json!({ "issuer": state, "keys": keys }))
}

/// The head's phone signs one blinded request of `channel`.
#[wasm_bindgen]
pub fn token_sign(issuer: &str, channel_code: &str, request: &str) -> Out {
    let issuer =
        TokenIssuer::from_state(&parse(issuer, "issuer")?).map_err(|e| fail(e.code(), e))?;
    let request: TokenRequest = parse(request, "request")?;
    let signed = issuer
        .sign(channel(channel_code)?, &request, &mut rng()?)
        .map_err(|e| fail(e.code(), e))?;
    out(&signed)
}

/// A member's phone makes a credential and a blinded token request: `{pending, request}`.
#[wasm_bindgen]
pub fn token_request(manifest: &str, channel_code: &str) -> Out {
    let ctx = context(manifest)?;
    let ch = channel(channel_code)?;
    let m = ctx.manifest();
    let key = match ch {
        Channel::Phone => &m.token_keys.phone,
        Channel::Paper => &m.token_keys.paper,
    };
    let mut rng = rng()?;
    let (request, pending) = Credential::generate(&mut rng)
        .request_token(&m.vote_id, ch, key, &mut rng)
        .map_err(|e| fail(e.code(), e))?;
    out(&json!({ "pending": pending, "request": request }))
}

/// Unblinds the head's signature: the voter (credential + token, secret).
#[wasm_bindgen]
pub fn token_finish(pending: &str, signed: &str) -> Out {
    let pending: PendingToken = parse(pending, "pending")?;
    let voter = pending
        .finish(&parse(signed, "signed")?)
        .map_err(|e| fail(e.code(), e))?;
    out(&voter)
}

/// Encrypts a vote (`{"kind":"choice","option":i}` or `{"kind":"keep","candidates":[…]}`)
/// with its proofs: `{ballot, tracker}`; `ballot` is the canonical text to send.
#[wasm_bindgen]
pub fn ballot_encrypt(manifest: &str, voter: &str, vote: &str) -> Out {
    let ctx = context(manifest)?;
    let voter: Voter = parse(voter, "voter")?;
    let vote: Vote = parse(vote, "vote")?;
    let ballot = Ballot::cast(&ctx, &voter, &vote, &mut rng()?).map_err(|e| fail(e.code(), e))?;
    sealed_ballot(&ballot)
}

/// The committee enters a valid paper ballot: a fresh credential, a paper token, the ballot.
#[wasm_bindgen]
pub fn paper_ballot(manifest: &str, issuer: &str, vote: &str) -> Out {
    let ctx = context(manifest)?;
    let issuer =
        TokenIssuer::from_state(&parse(issuer, "issuer")?).map_err(|e| fail(e.code(), e))?;
    let vote: Vote = parse(vote, "vote")?;
    let mut rng = rng()?;
    let m = ctx.manifest();
    let voter = issuer
        .paper_voter(&m.vote_id, &m.token_keys.paper, &mut rng)
        .map_err(|e| fail(e.code(), e))?;
    let ballot = Ballot::cast(&ctx, &voter, &vote, &mut rng).map_err(|e| fail(e.code(), e))?;
    sealed_ballot(&ballot)
}

fn sealed_ballot(ballot: &Ballot) -> Out {
    let bytes = ballot.to_bytes();
    let text = String::from_utf8(bytes).map_err(|e| fail("bad_output", e))?;
    out(&json!({ "ballot": text, "tracker": ballot.tracker() }))
}

/// The tracker of a ballot's canonical text.
#[wasm_bindgen]
pub fn ballot_tracker(ballot: &str) -> Out {
    let b = Ballot::from_bytes(ballot.as_bytes()).map_err(|e| fail("cast_malformed", e))?;
    Ok(b.tracker().to_hex())
}

/// The hash of a closed board's canonical text.
#[wasm_bindgen]
pub fn board_hash(board: &str) -> Out {
    Ok(Digest::of(board.as_bytes()).to_hex())
}

/// A trustee's decryption share for the board whose hash the committee was shown; refuses any
/// other board (a subset, a forged one, another vote's).
#[wasm_bindgen]
pub fn decryption_share(trustee: &str, board: &str, shown_hash: &str) -> Out {
    let trustee: Trustee = parse(trustee, "trustee")?;
    let shown = Digest::from_hex(shown_hash)
        .ok_or_else(|| fail("bad_input", "shown_hash: cần 64 chữ số hex thường"))?;
    let share = trustee
        .decryption_share(board.as_bytes(), &shown, &mut rng()?)
        .map_err(|e| fail(e.code(), e))?;
    out(&share)
}
