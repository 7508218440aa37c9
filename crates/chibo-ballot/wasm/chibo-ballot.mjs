// chibo-ballot on the phones: the voting page loads this module only, once (the browser caches
// the bundle). Every operation takes and returns plain objects; secret states are returned to
// the page, which keeps them on the phone. A failure throws a BallotError with a stable `code`
// and a Vietnamese `message`.
import init, * as wasm from './pkg/chibo_ballot.js';

export class BallotError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'BallotError';
    this.code = code;
  }
}

let ready;

/** Loads the bundle; `source` (URL, Response, bytes or module) defaults to pkg/ next to this file. */
export function load(source) {
  ready ??= init(source === undefined ? undefined : { module_or_path: source });
  return ready;
}

const text = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

function call(name, args, parse = true) {
  let out;
  try {
    out = wasm[name](...args);
  } catch (e) {
    if (typeof e !== 'string') throw e;
    const { code, message } = JSON.parse(e);
    throw new BallotError(code, message);
  }
  return parse ? JSON.parse(out) : out;
}

// Key generation among the counting committee's phones (k of n); the server relays messages.
export const dkgStart = (voteId, n, k, index) => call('dkg_start', [voteId, n, k, index]);
export const dkgRound2 = (state, messages) => call('dkg_round2', [text(state), text(messages)]);
export const dkgRound3 = (state, messages) => call('dkg_round3', [text(state), text(messages)]);
export const dkgFinish = (state, sealed) => call('dkg_finish', [text(state), text(sealed)]);
/** `{fingerprint, hash}` of a manifest (throws if it is not valid). */
export const manifestCheck = (manifest) => call('manifest_check', [text(manifest)]);

// Eligibility tokens: the head of the committee's phone makes the keys and signs blindly.
export const tokenKeysGenerate = () => call('token_keys_generate', []);
export const tokenSign = (issuer, channel, request) =>
  call('token_sign', [text(issuer), channel, text(request)]);
export const tokenRequest = (manifest, channel) => call('token_request', [text(manifest), channel]);
export const tokenFinish = (pending, signed) => call('token_finish', [text(pending), text(signed)]);

// Ballots: `vote` is {kind: 'choice', option} or {kind: 'keep', candidates: [...]}.
// Returns {ballot, tracker}; send `ballot` (canonical text) as it is.
export const ballotEncrypt = (manifest, voter, vote) =>
  call('ballot_encrypt', [text(manifest), text(voter), text(vote)]);
export const paperBallot = (manifest, issuer, vote) =>
  call('paper_ballot', [text(manifest), text(issuer), text(vote)]);
export const ballotTracker = (ballot) => call('ballot_tracker', [ballot], false);

// Tally: a trustee shares only the aggregate of the board whose hash the committee was shown.
export const boardHash = (board) => call('board_hash', [board], false);
export const decryptionShare = (trustee, board, shownHash) =>
  call('decryption_share', [text(trustee), board, shownHash]);
