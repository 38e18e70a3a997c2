// @ts-check
/**
 * The trainee's side of check-in under node: the confirmation op, the birth year check,
 * the roster with and without signal, and sending (sent, refused, not sent twice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../pwa/src/store/db.js';
import { birthYearCheck, decodeRelay, encodeRelay, makeCheckinToken, parseCheckinToken, windowBounds, windowOf } from '../../pwa/src/sync/checkin.js';
import { derivedId } from '../../pwa/src/sync/ids.js';
import { opProblem } from '../../pwa/src/sync/ops.js';
import { parseHlc } from '../../pwa/src/sync/hlc.js';
import { confirmationTime, isExpired, passkeyProof, plainProof } from '../../pwa/src/checkin/confirm.js';
import { birthYearMatches, fold, loadRoster, readBirthYear, searchTrainees } from '../../pwa/src/checkin/roster.js';
import { allCheckins, confirmationFor, getMe, hasCheckins, keepConfirmation, pendingCheckins, rememberMe } from '../../pwa/src/checkin/trainee-store.js';
import { MAX_CHECKIN_OPS, sendPending } from '../../pwa/src/checkin/trainee-sync.js';
import { TransportError } from '../../pwa/src/transport/http.js';
import { COURSE, NOW, SESSION, traineeId } from './support.js';

const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I';
const WINDOW = windowOf(NOW);
let phones = 0;

async function tokenAt(window = WINDOW, session = SESSION) {
  const text = await makeCheckinToken(SECRET, session, window);
  return { text, token: /** @type {import('../../pwa/src/sync/checkin.js').CheckinToken} */ (parseCheckinToken(text)) };
}

/** A trainee's phone: nobody enrolled it, its database is fresh. */
function traineePhone() {
  phones += 1;
  return openStore(`fieldroll-trainee-${phones}`);
}

/**
 * @param {import('../../pwa/src/store/db.js').Db} db
 * @param {{trainee?: string, nowMs?: number, window?: number, session?: string}} [options]
 */
async function confirm(db, { trainee = traineeId(1), nowMs = NOW, window = WINDOW, session = SESSION } = {}) {
  const { text, token } = await tokenAt(window, session);
  const proof = plainProof(text, confirmationTime(token, nowMs));
  return keepConfirmation(db, { tokenText: text, token, traineeId: trainee, traineeName: 'Lò Thị Mai', method: 'unverified', proof }, nowMs);
}

/**
 * A scripted POST /api/v1/checkins: acks every op `applied` (or as told), remembers
 * what it holds, and answers `duplicate` for an op it has.
 * @param {Record<string, {status: string, reason?: string}>} [verdicts] by op_id
 */
function fakeCheckinServer(verdicts = {}) {
  const held = new Set();
  /** @type {any[][]} */
  const requests = [];
  let failNext = 0;
  const transport = {
    /** @param {any[]} ops */
    async sendCheckins(ops) {
      requests.push(ops);
      if (failNext > 0) {
        failNext -= 1;
        throw new TransportError('offline', 'no signal');
      }
      return {
        acks: ops.map((op) => {
          if (verdicts[op.op_id]) return { op_id: op.op_id, ...verdicts[op.op_id] };
          const status = held.has(op.op_id) ? 'duplicate' : 'applied';
          held.add(op.op_id);
          return { op_id: op.op_id, status };
        }),
      };
    },
    /** @type {any} */
    rosterAnswer: null,
    /** @param {string} _token */
    async roster(_token) {
      if (transport.rosterAnswer instanceof Error) throw transport.rosterAnswer;
      return transport.rosterAnswer;
    },
    async traineeRegisterOptions() {
      throw new Error('not used');
    },
    async traineeRegister() {
      throw new Error('not used');
    },
  };
  return { transport, requests, held, failAfter: (/** @type {number} */ n) => { failNext = n; } };
}

test('the confirmation op has the derived id, the fields and a valid proof, and passes the server rules', async () => {
  const db = await traineePhone();
  const { entry, created } = await confirm(db);
  assert.equal(created, true);
  const { op } = entry;
  assert.equal(op.entity, 'confirmation');
  assert.equal(op.kind, 'upsert');
  assert.equal(op.id, derivedId('confirmation', { session_id: SESSION, trainee_id: traineeId(1) }));
  assert.deepEqual(Object.keys(op.fields).sort(), ['method', 'proof', 'session_id', 'trainee_id']);
  assert.equal(op.fields.method, 'unverified');
  assert.equal(op.fields.proof.token, (await tokenAt()).text);
  assert.equal(opProblem(op, NOW), null);
  assert.equal(entry.state, 'pending');
});

test("the op's clock and time are never before the code's window, even on a phone whose clock is behind", async () => {
  const db = await traineePhone();
  const [start] = windowBounds(WINDOW);
  const behind = start - 3_600_000;
  const { entry } = await confirm(db, { nowMs: behind });
  assert.ok(/** @type {any} */ (parseHlc(entry.op.hlc)).wallMs >= start);
  assert.equal(entry.op.fields.proof.confirmed_at, start);
  // A second confirmation (another session) ticks the same node's clock forward.
  const { entry: next } = await confirm(db, { session: '11111111-1111-4111-8111-222222222222', nowMs: behind });
  assert.ok(next.op.hlc > entry.op.hlc);
  assert.equal(parseHlc(next.op.hlc)?.node, parseHlc(entry.op.hlc)?.node);
});

test('once a clock that ran far ahead is set right, the next confirmation is dated by it, not by the old time', async () => {
  const db = await traineePhone();
  const { entry: early } = await confirm(db, { nowMs: NOW + 40 * 24 * 3600 * 1000 });
  assert.notEqual(opProblem(early.op, NOW), null, 'the server would refuse a clock 40 days ahead');
  const { entry: next } = await confirm(db, { session: '11111111-1111-4111-8111-222222222222' });
  assert.equal(opProblem(next.op, NOW), null);
  assert.equal(parseHlc(next.op.hlc)?.node, parseHlc(early.op.hlc)?.node);
});

test('a passkey proof carries the assertion as the browser returned it, and still passes the rules', async () => {
  const { text, token } = await tokenAt();
  const assertion = { id: 'Y3JlZA', rawId: 'Y3JlZA', response: { authenticatorData: 'YXV0aA', clientDataJSON: 'Y2xpZW50', signature: 'c2ln' } };
  const proof = passkeyProof(text, confirmationTime(token, NOW), assertion);
  assert.deepEqual(proof, { token: text, confirmed_at: NOW, credential_id: 'Y3JlZA', authenticator_data: 'YXV0aA', client_data_json: 'Y2xpZW50', signature: 'c2ln' });
  const db = await traineePhone();
  const { entry } = await keepConfirmation(db, { tokenText: text, token, traineeId: traineeId(2), traineeName: 'A', method: 'passkey', proof }, NOW);
  assert.equal(entry.op.fields.method, 'passkey');
  assert.equal(opProblem(entry.op, NOW), null);
});

test('a code older than its window and the grace is expired; one just changed is not', async () => {
  const { token } = await tokenAt();
  const [, end] = windowBounds(WINDOW);
  assert.equal(isExpired(token, end + 60_000), false);
  assert.equal(isExpired(token, end + 15 * 60_000 + 1), true);
});

test('the relay QR text carries the op unchanged', async () => {
  const db = await traineePhone();
  const { entry } = await confirm(db);
  assert.deepEqual(decodeRelay(encodeRelay(entry.op)), entry.op);
});

test('the birth year typed is checked against the digest the roster carries', async () => {
  const trainee = { id: traineeId(3), name: 'Giàng Thị Dở', birth_year_check: await birthYearCheck(traineeId(3), 1984) };
  assert.equal(await birthYearMatches(trainee, 1984), true);
  assert.equal(await birthYearMatches(trainee, 1985), false);
  assert.equal(await birthYearMatches({ ...trainee, birth_year_check: null }, 1900), true);
  assert.equal(readBirthYear('1984', NOW), 1984);
  assert.equal(readBirthYear('84', NOW), null);
  assert.equal(readBirthYear('2999', NOW), null);
});

test('a name is found without its accents', () => {
  const trainees = [{ id: traineeId(1), name: 'Đặng Thị Hoa', birth_year_check: null }, { id: traineeId(2), name: 'Lò Văn Páo', birth_year_check: null }];
  assert.equal(fold('Đặng Thị'), 'dang thi');
  assert.deepEqual(searchTrainees(trainees, 'dang hoa').map((t) => t.id), [traineeId(1)]);
  assert.deepEqual(searchTrainees(trainees, '  ').length, 2);
});

test('tapping confirm twice keeps one confirmation', async () => {
  const db = await traineePhone();
  const first = await confirm(db);
  const again = await confirm(db, { nowMs: NOW + 5000 });
  assert.equal(again.created, false);
  assert.equal(again.entry.op_id, first.entry.op_id);
  assert.equal((await allCheckins(db)).length, 1);
});

test('a pending confirmation becomes sent when the server acknowledges it', async () => {
  const db = await traineePhone();
  const { entry } = await confirm(db);
  const server = fakeCheckinServer();
  const result = await sendPending(db, /** @type {any} */ (server.transport), () => NOW);
  assert.deepEqual({ sent: result.sent, rejected: result.rejected, waiting: result.waiting }, { sent: 1, rejected: 0, waiting: 0 });
  const stored = await confirmationFor(db, SESSION, traineeId(1));
  assert.equal(stored?.state, 'sent');
  assert.equal(stored?.ack_status, 'applied');
  // Nothing is sent again: the server already holds it.
  await sendPending(db, /** @type {any} */ (server.transport));
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0][0].op_id, entry.op_id);
});

test('a refused confirmation is kept with the reason, and does not hold back the others', async () => {
  const db = await traineePhone();
  const { entry: bad } = await confirm(db, { trainee: traineeId(1) });
  await confirm(db, { trainee: traineeId(2) });
  const server = fakeCheckinServer({ [bad.op_id]: { status: 'rejected', reason: "the check-in code is not this session's" } });
  const result = await sendPending(db, /** @type {any} */ (server.transport));
  assert.equal(result.sent, 1);
  assert.equal(result.rejected, 1);
  const kept = await confirmationFor(db, SESSION, traineeId(1));
  assert.equal(kept?.state, 'rejected');
  assert.equal(kept?.reason, "the check-in code is not this session's");
  assert.equal((await allCheckins(db)).length, 2);
});

test('with no signal the confirmation stays pending, and goes later; a relayed copy already there is a duplicate', async () => {
  const db = await traineePhone();
  const { entry } = await confirm(db);
  const server = fakeCheckinServer();
  server.failAfter(1);
  const failed = await sendPending(db, /** @type {any} */ (server.transport));
  assert.equal(failed.error?.code, 'offline');
  assert.equal(failed.waiting, 1);
  // Meanwhile the trainer's phone carried the relay QR up.
  server.held.add(entry.op_id);
  const later = await sendPending(db, /** @type {any} */ (server.transport));
  assert.equal(later.sent, 1);
  assert.equal((await confirmationFor(db, SESSION, traineeId(1)))?.ack_status, 'duplicate');
});

test('an ack the app does not know leaves the confirmation pending', async () => {
  const db = await traineePhone();
  const { entry } = await confirm(db);
  const server = fakeCheckinServer({ [entry.op_id]: { status: 'pondering' } });
  await sendPending(db, /** @type {any} */ (server.transport));
  assert.equal((await pendingCheckins(db)).length, 1);
});

test('many pending confirmations go in requests of at most MAX_CHECKIN_OPS', async () => {
  const db = await traineePhone();
  for (let n = 1; n <= MAX_CHECKIN_OPS + 5; n += 1) await confirm(db, { trainee: traineeId(n) });
  const server = fakeCheckinServer();
  const result = await sendPending(db, /** @type {any} */ (server.transport));
  assert.deepEqual(server.requests.map((ops) => ops.length), [MAX_CHECKIN_OPS, 5]);
  assert.equal(result.sent, MAX_CHECKIN_OPS + 5);
});

test('two sends at once send each confirmation once', async () => {
  const db = await traineePhone();
  await confirm(db);
  const server = fakeCheckinServer();
  await Promise.all([sendPending(db, /** @type {any} */ (server.transport)), sendPending(db, /** @type {any} */ (server.transport))]);
  assert.equal(server.requests.length, 1);
});

/** What GET /api/v1/checkins/roster answers. */
async function rosterAnswer() {
  return {
    session: { id: SESSION, date: '2025-11-24', start_time: '08:00', place: 'Nhà văn hóa thôn Bản Phố', course_title: 'Bình dân học vụ số' },
    trainees: [{ id: traineeId(1), name: 'Lò Thị Mai', birth_year_check: await birthYearCheck(traineeId(1), 1990) }],
  };
}

test('the roster comes from the server when online, and from the phone when not', async () => {
  const db = await traineePhone();
  const server = fakeCheckinServer();
  server.transport.rosterAnswer = await rosterAnswer();
  const { text } = await tokenAt();
  const fresh = await loadRoster(db, /** @type {any} */ (server.transport), text, SESSION, { online: true, nowMs: NOW });
  assert.equal(fresh.fromCache, false);
  assert.equal(fresh.roster?.trainees[0].name, 'Lò Thị Mai');
  assert.equal(fresh.roster?.sessions[SESSION].place, 'Nhà văn hóa thôn Bản Phố');
  const offline = await loadRoster(db, /** @type {any} */ (server.transport), text, SESSION, { online: false, nowMs: NOW });
  assert.equal(offline.fromCache, true);
  assert.deepEqual(offline.roster?.trainees, fresh.roster?.trainees);
  // "Online" but the request fails: the cached copy, with no error to show.
  server.transport.rosterAnswer = new TransportError('offline', 'no signal');
  const flaky = await loadRoster(db, /** @type {any} */ (server.transport), text, SESSION, { online: true, nowMs: NOW });
  assert.equal(flaky.roster?.key, `session:${SESSION}`);
  assert.equal(flaky.error, null);
});

test("a roster that names the course serves every session of it; elsewhere, the owner's own name does", async () => {
  const db = await traineePhone();
  const server = fakeCheckinServer();
  const answer = await rosterAnswer();
  server.transport.rosterAnswer = { ...answer, session: { ...answer.session, course_id: COURSE } };
  const { text } = await tokenAt();
  const later = '11111111-1111-4111-8111-888888888888';
  server.transport.rosterAnswer.course_sessions = [{ id: later, date: '2025-11-25', start_time: '08:00', place: null }];
  await loadRoster(db, /** @type {any} */ (server.transport), text, SESSION, { online: true, nowMs: NOW });
  const atLater = await loadRoster(db, /** @type {any} */ (server.transport), text, later, { online: false, nowMs: NOW });
  assert.deepEqual(atLater.roster?.trainees.map((t) => t.id), [traineeId(1)], 'a later session of the course finds the names');
  const other = '11111111-1111-4111-8111-999999999999';
  const unknown = await loadRoster(db, /** @type {any} */ (server.transport), text, other, { online: false, nowMs: NOW });
  assert.equal(unknown.roster, null);
  const mine = await loadRoster(db, /** @type {any} */ (server.transport), text, other, { online: false, nowMs: NOW, meId: traineeId(1) });
  assert.deepEqual(mine.roster?.trainees.map((t) => t.id), [traineeId(1)]);
});

test('a session of a course the phone never saw has no roster, and says why when the server refused', async () => {
  const db = await traineePhone();
  const server = fakeCheckinServer();
  const { text } = await tokenAt();
  const none = await loadRoster(db, /** @type {any} */ (server.transport), text, SESSION, { online: false, nowMs: NOW });
  assert.equal(none.roster, null);
  server.transport.rosterAnswer = new TransportError('invalid_checkin_token', 'not a genuine check-in code', 400);
  const refused = await loadRoster(db, /** @type {any} */ (server.transport), text, SESSION, { online: true, nowMs: NOW });
  assert.equal(refused.roster, null);
  assert.equal(refused.error?.code, 'invalid_checkin_token');
});

test('the phone remembers who it belongs to until told "not me"', async () => {
  const db = await traineePhone();
  assert.equal(await hasCheckins(db), false);
  await rememberMe(db, { trainee_id: traineeId(1), name: 'Lò Thị Mai' });
  assert.deepEqual(await getMe(db), { trainee_id: traineeId(1), name: 'Lò Thị Mai' });
  assert.equal(await hasCheckins(db), true);
  await rememberMe(db, null);
  assert.equal(await getMe(db), undefined);
});
