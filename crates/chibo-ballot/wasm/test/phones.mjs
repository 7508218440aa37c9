// The phones' side of a whole vote, run under Node by the crate's test `wasm_node` (which plays
// the server between the steps):
//   node phones.mjs setup DIR   3-trustee keygen, token keys, manifest, 5 phone + 1 paper ballots
//   node phones.mjs shares DIR  2 of the 3 trustees share DIR/board.json (hash in DIR/board.hash)
//   node phones.mjs bench N     time N ballot encryptions
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import * as ballot from '../chibo-ballot.mjs';

const [, , step, dir] = process.argv;
await ballot.load(readFileSync(new URL('../pkg/chibo_ballot_bg.wasm', import.meta.url)));
const write = (name, value) => writeFileSync(`${dir}/${name}`, JSON.stringify(value));
const read = (name) => JSON.parse(readFileSync(`${dir}/${name}`, 'utf8'));

const CANDIDATES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em'];

function keygen(voteId, n, k) {
  const r1 = [...Array(n).keys()].map((i) => ballot.dkgStart(voteId, n, k, i));
  const r2 = r1.map((s) => ballot.dkgRound2(s.state, r1.map((m) => m.message)));
  const r3 = r2.map((s) => ballot.dkgRound3(s.state, r2.map((m) => m.message)));
  const sealed = r3.flatMap((s) => s.sealed);
  return r3.map((s, i) => ballot.dkgFinish(s.state, sealed.filter((m) => m.to === i)));
}

function manifest(voteId, trustees, keys) {
  return {
    version: 1,
    vote_id: voteId,
    title: 'Bầu Ban Chấp hành Chi bộ',
    ballot: { kind: 'strike_out', candidates: CANDIDATES, seats: 3 },
    decision: {
      kind: 'bau_cu',
      on: '2026-03-10',
      roll: [{ status: 'chinh_thuc', attendance: 'co_mat', count: 7 }],
      local_pack: null,
    },
    trustees,
    token_keys: keys,
  };
}

function voter(m, issuer, channel) {
  const { pending, request } = ballot.tokenRequest(m, channel);
  return ballot.tokenFinish(pending, ballot.tokenSign(issuer, channel, request));
}

if (step === 'setup') {
  const voteId = randomBytes(32).toString('hex');
  const done = keygen(voteId, 3, 2);
  assert.ok(done.every((d) => d.fingerprint === done[0].fingerprint), 'one fingerprint');
  const { issuer, keys } = ballot.tokenKeysGenerate();
  const m = manifest(voteId, done[0].trustees, keys);
  assert.equal(ballot.manifestCheck(m).fingerprint, done[0].fingerprint);

  const keeps = [[0, 1, 2], [0, 1], [0, 3], [], [1, 2, 4]];
  const cast = keeps.map((candidates) =>
    ballot.ballotEncrypt(m, voter(m, issuer, 'phone'), { kind: 'keep', candidates }),
  );
  cast.push(ballot.paperBallot(m, issuer, { kind: 'keep', candidates: [0, 4] }));
  for (const c of cast) assert.equal(ballot.ballotTracker(c.ballot), c.tracker);
  // Keeping more names than seats is refused on the phone.
  assert.throws(
    () => ballot.ballotEncrypt(m, voter(m, issuer, 'phone'), { kind: 'keep', candidates: [0, 1, 2, 3] }),
    (e) => e.code === 'ballot_too_many_kept',
  );
  write('manifest.json', m);
  write('ballots.json', cast);
  write('trustees.json', done.map((d) => d.trustee));
  write('expected.json', { options: [4, 3, 2, 1, 2], all_struck: 1 });
} else if (step === 'shares') {
  const board = readFileSync(`${dir}/board.json`, 'utf8');
  const shown = readFileSync(`${dir}/board.hash`, 'utf8').trim();
  assert.equal(ballot.boardHash(board), shown);
  const trustees = read('trustees.json');
  // S4: a board other than the one shown (here: a subset's hash) is refused.
  assert.throws(
    () => ballot.decryptionShare(trustees[0], board, '0'.repeat(64)),
    (e) => e.code === 'share_refused_board_hash',
  );
  write('shares.json', [0, 2].map((i) => ballot.decryptionShare(trustees[i], board, shown)));
} else if (step === 'bench') {
  // Wall and CPU time (the machine may be busy with other work).
  const n = Number(dir ?? 30);
  const time = (f) => {
    const [t, c] = [performance.now(), process.cpuUsage()];
    const out = f();
    const cpu = process.cpuUsage(c);
    return [out, performance.now() - t, (cpu.user + cpu.system) / 1000];
  };
  const voteId = randomBytes(32).toString('hex');
  const done = keygen(voteId, 3, 2);
  const [{ issuer, keys }, keyWall, keyCpu] = time(() => ballot.tokenKeysGenerate());
  const m = manifest(voteId, done[0].trustees, keys);
  const voters = [...Array(n)].map(() => voter(m, issuer, 'phone'));
  const [, encWall, encCpu] = time(() => {
    for (const v of voters) ballot.ballotEncrypt(m, v, { kind: 'keep', candidates: [0, 2] });
  });
  const v = process.version;
  console.log(`node ${v}: token keys (2 × RSA-2048) ${keyWall.toFixed(0)} ms wall, ${keyCpu.toFixed(0)} ms cpu`);
  console.log(
    `node ${v}: ${n} encryptions (5 candidates, 3 seats) ${encWall.toFixed(0)} ms wall, ` +
      `${encCpu.toFixed(0)} ms cpu (${(encCpu / n).toFixed(1)} ms cpu each)`,
  );
} else {
  console.error('usage: phones.mjs setup|shares DIR | bench N');
  process.exit(2);
}
