// The secret-ballot page on phones (issue 15). Loaded only on /ballots/{id}; it loads the
// WebAssembly bundle (chibo-ballot), which the browser caches for good. What this phone must
// keep secret (its key-generation state and key share, the head's token keys, the voter's
// credential and ballot) stays in this phone's storage; the server only relays.
// The page itself is rendered by the server; this script runs the steps that need the
// cryptography and reloads the page when the ballot moves to its next stage.
const app = document.getElementById('ballot-app');
const d = app.dataset;
const id = d.id;
const state = document.getElementById('ballot-js-state');
const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
const key = (what) => `chibo-ballot:${d.vote}:${d.me}:${what}`;
const keep = {
  get: (what) => {
    const v = localStorage.getItem(key(what));
    return v === null ? null : JSON.parse(v);
  },
  set: (what, v) => localStorage.setItem(key(what), JSON.stringify(v)),
  drop: (what) => localStorage.removeItem(key(what)),
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (text) => { state.textContent = text; };
const show = (el, on = true) => { if (el) el.hidden = !on; };
const $ = (sel) => document.querySelector(sel);

// A refusal: the first problem's code and message when there are problems.
class Refused extends Error {
  constructor(status, body) {
    const p = (body && body.problems && body.problems[0]) || body || {};
    super(p.message || String(status));
    this.status = status;
    this.code = p.code;
  }
}

// The JSON API with this session (its cookie and CSRF token).
async function api(method, path, body, raw = false) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') init.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const r = await fetch(`/api/v1/ballots/${id}${path}`, init);
  if (!r.ok) {
    let b = null;
    try { b = await r.json(); } catch (_) { /* no body */ }
    throw new Refused(r.status, b);
  }
  if (r.status === 204 || r.status === 202) return null;
  return raw ? r.text() : r.json();
}

// A message already relayed counts as sent (the page reloaded after sending it).
async function send(path, body) {
  try {
    await api('POST', path, body);
  } catch (e) {
    if (e.code !== 'ballot.already') throw e;
  }
}

let B;
async function bundle() {
  if (!B) {
    B = await import(d.bundle);
    await B.load();
  }
  return B;
}

// The stage as the server sees it; a new stage reloads the page.
async function view() {
  const v = await api('GET', '');
  if (v.sv.status !== d.status) {
    location.reload();
    await sleep(60000);
  }
  return v;
}

async function every(ms, step) {
  for (;;) {
    try {
      if (await step()) return;
    } catch (e) {
      say(`${d.msgError}: ${e.message}`);
    }
    await sleep(ms);
  }
}

// Key generation among the committee's phones: three rounds relayed by the server, then the
// head's phone makes the token keys and sets the vote's keys.
async function keygen() {
  const b = await bundle();
  const n = Number(d.n);
  const k = Number(d.k);
  const me = Number(d.trustee);
  await every(1500, async () => {
    let s = keep.get('dkg');
    if (!s) {
      const r = b.dkgStart(d.vote, n, k, me);
      s = { round: 1, state: r.state, message: r.message };
      keep.set('dkg', s);
    }
    if (s.message !== undefined) {
      await send(`/keygen/${s.round}`, s.message);
      delete s.message;
      keep.set('dkg', s);
    }
    say(`${d.msgWait} (${s.round}/3)`);
    if (s.round < 3) {
      const msgs = await api('GET', `/keygen/${s.round}`);
      if (msgs.length < n) return false;
      const r = s.round === 1 ? b.dkgRound2(s.state, msgs) : b.dkgRound3(s.state, msgs);
      const next = { round: s.round + 1, state: r.state, message: s.round === 1 ? r.message : r.sealed };
      keep.set('dkg', next);
      return false;
    }
    if (s.round === 3) {
      const mine = await api('GET', '/keygen/3');
      if (mine.length < n - 1) return false;
      const done = b.dkgFinish(s.state, mine);
      keep.set('trustee', done.trustee);
      keep.set('dkg', { round: 4, trustees: done.trustees, fingerprint: done.fingerprint });
      return false;
    }
    $('#fingerprint').textContent = s.fingerprint;
    if (me === 0) {
      let issuer = keep.get('issuer');
      if (!issuer) {
        const t = b.tokenKeysGenerate();
        keep.set('issuer', t.issuer);
        keep.set('token-keys', t.keys);
        issuer = t.issuer;
      }
      try {
        await api('POST', '/keys', { trustees: s.trustees, token_keys: keep.get('token-keys') });
      } catch (e) {
        if (e.code !== 'ballot.stage') throw e;
      }
    }
    await view();
    return false;
  });
}

// A committee phone still fetching its sealed shares when the head's phone set the keys
// finishes its key generation (the shares stay relayed until the close).
async function lateShares() {
  const s = keep.get('dkg');
  if (!s || s.round !== 3) return;
  const b = await bundle();
  const done = b.dkgFinish(s.state, await api('GET', '/keygen/3'));
  keep.set('trustee', done.trustee);
  keep.set('dkg', { round: 4, trustees: done.trustees, fingerprint: done.fingerprint });
}

// The manifest, checked by the bundle (and its fingerprint against the one read aloud).
async function manifest() {
  const b = await bundle();
  const text = await api('GET', '/manifest', undefined, true);
  const m = b.manifestCheck(text);
  if (d.fingerprint && m.fingerprint !== d.fingerprint) throw new Error(d.msgMismatch);
  return text;
}

// What a ballot form says: the kept names (strike-out list) or the one option.
function voteOf(form) {
  if (d.seats) {
    const kept = [...form.querySelectorAll('input[name=keep]')].filter((i) => i.checked).map((i) => Number(i.value));
    return { kind: 'keep', candidates: kept };
  }
  const o = form.querySelector('input[name=option]:checked');
  return o ? { kind: 'choice', option: Number(o.value) } : null;
}

// The strike-out list shows how many names are kept, and refuses more than the seats.
function watchStrikes(form) {
  if (!d.seats) return;
  const seats = Number(d.seats);
  const note = form.querySelector('[data-kept]');
  const update = () => {
    const n = voteOf(form).candidates.length;
    form.querySelectorAll('label.strike').forEach((l) => l.classList.toggle('struck', !l.querySelector('input').checked));
    note.textContent = `${d.msgKept.replace('%n', n).replace('%seats', seats)}${n === 0 ? ` — ${d.msgAllStruck}` : ''}`;
    note.classList.toggle('error', n > seats);
  };
  form.addEventListener('change', update);
  update();
}

// Checks a ballot form before encrypting it; `null` with the reason said.
function checkedVote(form) {
  const v = voteOf(form);
  if (!v) { say(d.msgPick); return null; }
  if (v.kind === 'keep' && v.candidates.length > Number(d.seats)) { say(d.msgTooMany); return null; }
  if (v.kind === 'keep' && v.candidates.length === 0 && !window.confirm(d.msgAllStruck)) return null;
  return v;
}

// Casting: no cookie, no credentials, nothing that names the phone's session.
async function cast(ballot) {
  const r = await fetch(`/api/v1/ballots/${id}/cast`, {
    method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' }, body: ballot,
  });
  const b = await r.json();
  if (!r.ok) throw new Refused(r.status, b);
  return b.tracker;
}

function showTracker(tracker) {
  $('#tracker').textContent = tracker;
  show($('#tracker-box'));
  show($('#ballot-form'), false);
  show($('#get-ballot'), false);
}

// A member's phone: asks for its token (blinded), waits for the head's phone to sign it,
// encrypts the ballot, casts it, shows the tracker and keeps the ballot until the result.
async function voter() {
  const form = $('#ballot-form');
  watchStrikes(form);
  const mine = keep.get('ballot');
  if (mine) {
    showTracker(mine.tracker);
    // Resubmitted while the box is open: after a server restart the box starts empty, and the
    // tracker keeps a resubmission counted once.
    every(15000, async () => { await cast(mine.ballot); await view(); return false; });
    return;
  }
  const ready = () => {
    show($('#get-ballot'), false);
    show(form);
    say('');
  };
  if (keep.get('voter')) { ready(); } else if (keep.get('pending')) { await awaitToken(ready); } else if (d.issued === 'true') {
    return;
  } else {
    const get = $('#get-ballot');
    show(get);
    get.addEventListener('click', async () => {
      get.disabled = true;
      try {
        const b = await bundle();
        const m = await manifest();
        const t = b.tokenRequest(m, 'phone');
        keep.set('pending', t.pending);
        keep.set('request', t.request);
        await api('POST', '/tokens', t.request);
        await awaitToken(ready);
      } catch (e) {
        get.disabled = false;
        say(`${d.msgError}: ${e.message}`);
      }
    });
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = checkedVote(form);
    if (!v) return;
    const button = $('#cast');
    button.disabled = true;
    try {
      const b = await bundle();
      const m = await manifest();
      const sealed = b.ballotEncrypt(m, keep.get('voter'), v);
      keep.set('ballot', sealed);
      keep.set('tracker', sealed.tracker);
      keep.drop('voter');
      const tracker = await cast(sealed.ballot);
      showTracker(tracker);
    } catch (e) {
      button.disabled = false;
      say(`${d.msgError}: ${e.message}`);
    }
  });
}

// Waits for the head's phone to sign this phone's request. A server restart loses what it held in
// memory: a request not yet signed, or a signature not yet collected. Either way this phone sends
// its very same request again (never a new one): the head's phone returns the signature it made
// for that request, so the member still has one token.
async function awaitToken(ready) {
  const b = await bundle();
  say(d.msgWait);
  let asked = Date.now();
  const askAgain = async () => {
    const request = keep.get('request');
    if (!request || Date.now() - asked < 5000) return;
    asked = Date.now();
    try {
      await api('POST', '/tokens', request);
    } catch (e) {
      // The server holds the signature after all: collected on the next round.
      if (e.code !== 'ballot.issued') throw e;
    }
  };
  await every(1500, async () => {
    // Asked once the head's phone signed (the member is then issued).
    if (!(await view()).my_ballot_issued) {
      await askAgain();
      return false;
    }
    let signed;
    try {
      signed = await api('GET', '/tokens/mine');
    } catch (e) {
      if (e.status !== 404) throw e;
      await askAgain();
      return false;
    }
    keep.set('voter', b.tokenFinish(keep.get('pending'), signed));
    keep.drop('pending');
    keep.drop('request');
    ready();
    return true;
  });
}

// The head's phone: signs each waiting request once (the name shown is who asks), and
// encrypts the valid paper ballots the committee reads out, with a paper token. It keeps what it
// signed for each member: asked again (a server restart lost the signature before the member's
// phone collected it), it sends back the same signature for the same request, by itself, and
// refuses any other request from a member it already signed for.
async function head() {
  const b = await bundle();
  const issuer = keep.get('issuer');
  const list = $('#waiting');
  const all = $('#sign-all');
  const sign = async (w) => {
    const signedFor = keep.get('signed-for') || {};
    const request = JSON.stringify(w.request);
    const before = signedFor[w.member_id];
    if (before && before.request !== request) throw new Error(`${d.msgNotSame}: ${w.full_name}`);
    if (!before && w.again) throw new Error(`${d.msgNotSame}: ${w.full_name}`);
    const signed = before ? before.signed : b.tokenSign(issuer, 'phone', w.request);
    if (!before) {
      signedFor[w.member_id] = { request, signed };
      keep.set('signed-for', signedFor);
    }
    await api('POST', `/tokens/${w.member_id}`, signed);
  };
  let waiting = [];
  all.addEventListener('click', async () => {
    all.disabled = true;
    try { for (const w of waiting) await sign(w); } catch (e) { say(`${d.msgError}: ${e.message}`); }
    all.disabled = false;
  });
  const paper = $('#paper-form');
  if (paper) {
    watchStrikes(paper);
    paper.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = checkedVote(paper);
      if (!v) return;
      const button = $('#paper-enter');
      button.disabled = true;
      try {
        const m = await manifest();
        const sealed = b.paperBallot(m, issuer, v);
        await api('POST', '/paper-ballots', sealed.ballot);
        say(`${d.msgEntered}: ${sealed.tracker}`);
        paper.reset();
        paper.dispatchEvent(new Event('change'));
      } catch (e) {
        say(`${d.msgError}: ${e.message}`);
      }
      button.disabled = false;
    });
  }
  await every(2000, async () => {
    const asked = await api('GET', '/tokens');
    // Asked again for what this phone signed already: sent back without a tap.
    for (const w of asked.filter((x) => x.again)) {
      try { await sign(w); } catch (e) { say(`${d.msgError}: ${e.message}`); }
    }
    waiting = asked.filter((w) => !w.again);
    list.replaceChildren(...waiting.map((w) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.id = `sign-${w.member_id}`;
      button.textContent = `${d.msgSign}: ${w.full_name}`;
      button.addEventListener('click', async () => {
        button.disabled = true;
        try { await sign(w); li.remove(); } catch (e) { button.disabled = false; say(`${d.msgError}: ${e.message}`); }
      });
      li.append(button);
      return li;
    }));
    show(all, waiting.length > 1);
    return false;
  });
}

// Counts while the box is open, for everyone's "đã phát N/M".
async function counts() {
  await every(2000, async () => {
    const v = await view();
    const issued = $('#issued-count');
    if (issued) issued.textContent = `${v.issued_phone + v.issued_paper}/${v.eligible}`;
    const cast = $('#cast-count');
    if (cast) cast.textContent = String(v.cast_phone + v.cast_paper);
    const entered = $('#paper-entered');
    if (entered) entered.textContent = String(v.cast_paper);
    return false;
  });
}

// Whether a refusal may pass by itself: no answer (network), or the server busy or failing.
const transient = (e) => !(e instanceof Refused) || e.status >= 500 || e.status === 429;

// A committee phone: checks that the closed board is the one whose hash the room was shown,
// and sends its decryption share of the whole box's aggregate only. The share is made once and
// kept until the server has it: a failed send is retried by itself with the very same share
// (the server answers a share it already holds as delivered), also after the page reloads.
async function share() {
  const b = await bundle();
  const trustee = keep.get('trustee');
  let board;
  await every(2000, async () => {
    board = await api('GET', '/board', undefined, true);
    return true;
  });
  const mine = b.boardHash(board);
  $('#my-board-hash').textContent = mine;
  const button = $('#send-share');
  if (!trustee) return;
  if (mine !== d.board) { say(d.msgMismatch); return; }
  if (keep.get('shared')) { say(d.msgWait); return; }
  const deliver = async () => {
    let made = keep.get('share');
    if (!made) {
      made = b.decryptionShare(trustee, board, d.board);
      keep.set('share', made);
    }
    show(button, false);
    say(d.msgSending);
    for (let wait = 1000; ; wait = Math.min(2 * wait, 8000)) {
      try {
        await send('/shares', made);
        break;
      } catch (e) {
        if (!transient(e)) throw e;
        say(`${d.msgSending} (${e.message})`);
        await sleep(wait);
      }
    }
    keep.set('shared', true);
    keep.drop('share');
    say(d.msgWait);
  };
  const tap = async () => {
    button.disabled = true;
    try {
      await deliver();
    } catch (e) {
      show(button);
      button.disabled = false;
      say(`${d.msgError}: ${e.message}`);
    }
  };
  button.addEventListener('click', tap);
  // Tapped before the page reloaded, not yet delivered: sent on.
  if (keep.get('share')) { tap(); return; }
  show(button);
}

// Once the board is published: this phone's tracker is looked for on it. Once the result is
// out, the phone forgets its ballot and every secret (its key share, the token keys), and
// keeps only the tracker, to look for it again.
function board() {
  const tracker = keep.get('tracker');
  const box = $('#my-tracker-check');
  if (tracker && box) {
    const found = [...document.querySelectorAll('ol.trackers code')].some((c) => c.textContent === tracker);
    box.textContent = `${found ? d.msgFound : d.msgMissing}: ${tracker}`;
    box.className = found ? 'flash' : 'flash bad';
    show(box);
  }
  if (d.status === 'decrypted' || d.status === 'failed') {
    for (const what of ['ballot', 'voter', 'pending', 'request', 'trustee', 'dkg', 'issuer', 'token-keys', 'signed-for', 'share', 'shared']) keep.drop(what);
  }
}

async function main() {
  const trustee = d.trustee !== '';
  switch (d.status) {
    case 'keygen':
      if (trustee) await keygen(); else await every(3000, async () => { await view(); return false; });
      break;
    case 'issuing':
      if (trustee) await lateShares();
      if (d.entitled === 'true') voter();
      if (d.trustee === '0') head();
      await counts();
      break;
    case 'closed':
      board();
      if (trustee) await share();
      await every(3000, async () => {
        const v = await view();
        const c = $('#share-count');
        if (c && v.shares !== undefined) c.textContent = String(v.shares);
        return false;
      });
      break;
    default:
      board();
  }
}

main().catch((e) => say(`${d.msgError}: ${e.message}`));
