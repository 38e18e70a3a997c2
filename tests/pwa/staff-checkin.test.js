// @ts-check
/**
 * The trainer's side of check-in: the code made offline for the server's time, the clock
 * offset kept with each sync reply, relayed confirmations kept verbatim, and passkey
 * sign-in enrolling a phone under the same rules as a code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { checkinCode, checkinUrl } from '../../pwa/src/client/checkin-code.js';
import { enrolDevice, UnsentWork } from '../../pwa/src/client/device.js';
import { createPasskey, passkeyFailure, signInWithPasskey } from '../../pwa/src/client/passkeys.js';
import { acceptRelay, RelayRefused } from '../../pwa/src/client/relay.js';
import { createSyncClient } from '../../pwa/src/client/sync-client.js';
import { getClockOffset } from '../../pwa/src/store/clock.js';
import { getEnrolment } from '../../pwa/src/store/meta.js';
import { adoptOp, allPending, InvalidOp, pendingCount, recordOps } from '../../pwa/src/store/outbox.js';
import { getRecord } from '../../pwa/src/store/queries.js';
import { CHECKIN_TOKEN_TTL_MS, encodeRelay } from '../../pwa/src/sync/checkin.js';
import { derivedId } from '../../pwa/src/sync/ids.js';
import { COURSE, freshPhone, NOW, SESSION, traineeId } from './support.js';

const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I'; // 43 base64url characters, as the server sends
const OTHER_SESSION = '11111111-1111-4111-8111-999999999999';

/** The token as docs/checkin.md defines it, computed here without the app's code. @param {number} window */
function expectedToken(window) {
  const mac = createHmac('sha256', Buffer.from(SECRET, 'base64url'))
    .update(`fieldroll-checkin-v1:${SESSION}:${window}`).digest().subarray(0, 16).toString('base64url');
  return `${SESSION}.${window}.${mac}`;
}

/** A trainee's confirmation op as their phone makes it. @param {number} n @param {Record<string, any>} [extra] */
function confirmationOp(n, extra = {}) {
  const fields = { session_id: SESSION, trainee_id: traineeId(n), method: 'unverified',
    proof: { token: expectedToken(Math.floor(NOW / CHECKIN_TOKEN_TTL_MS)), confirmed_at: NOW }, ...extra };
  return { op_id: `0193a0b4-0000-7000-8000-${String(n).padStart(12, '0')}`, entity: 'confirmation',
    id: /** @type {string} */ (derivedId('confirmation', fields)), hlc: `${NOW - 1000}-0000-trainee-phone-${n}`,
    kind: /** @type {const} */ ('upsert'), fields };
}

/** A phone whose clock reads `local` while the server's reads `local + offsetMs`. @param {number} local @param {number} offsetMs */
async function phoneOffBy(local, offsetMs) {
  const phone = await freshPhone();
  const client = createSyncClient({ db: phone.db, transport: /** @type {any} */ (phone.server.transport), appVersion: 'test', now: () => local, locks: null });
  phone.server.then((body) => ({ ...phone.server.answer(body), server_hlc: `${local + offsetMs}-0000-server` }));
  return { ...phone, client };
}

/** The course with trainees 1 and 2 enrolled, pulled onto the phone. @param {any} phone */
async function pullCourse(phone) {
  phone.server.seed({ entity: 'session', id: SESSION, fields: { course_id: COURSE, date: '2025-11-23', checkin_secret: SECRET } });
  for (const n of [1, 2, 3]) {
    phone.server.seed({ entity: 'trainee', id: traineeId(n), fields: { full_name: `Học viên ${n}`, commune_id: COURSE } });
  }
  for (const n of [1, 2]) {
    const fields = { course_id: COURSE, trainee_id: traineeId(n) };
    phone.server.seed({ entity: 'enrollment', id: derivedId('enrollment', fields), fields });
  }
  assert.equal((await phone.client.sync()).ok, true);
}

test('the clock offset is kept with the sync reply that measured it', async () => {
  const local = NOW + 5_000;
  const phone = await phoneOffBy(local, 10 * 60_000);
  assert.equal(await getClockOffset(phone.db), 0, 'no offset before the first sync');
  assert.equal((await phone.client.sync()).ok, true);
  assert.equal(await getClockOffset(phone.db), 10 * 60_000);
});

test('a reply that cannot be stored leaves the offset as it was', async () => {
  const phone = await phoneOffBy(NOW, 60_000);
  await phone.client.sync();
  phone.server.then((body) => ({ ...phone.server.answer(body), server_hlc: `${NOW + 9_000_000}-0000-server`,
    changes: [{ entity: null, id: 'broken', rev: 99, deleted: false, fields: {} }] }));
  assert.equal((await phone.client.sync()).ok, false);
  assert.equal(await getClockOffset(phone.db), 60_000);
});

test("a server clock that is another device's HLC does not move the offset", async () => {
  const phone = await phoneOffBy(NOW, 60_000);
  await phone.client.sync();
  // The server hands out the greatest HLC it accepted when a fast phone's is past its own time.
  phone.server.then((body) => ({ ...phone.server.answer(body), server_hlc: `${NOW + 86_400_000}-0000-fast-phone` }));
  assert.equal((await phone.client.sync()).ok, true);
  assert.equal(await getClockOffset(phone.db), 60_000);
});

test("the check-in code is the session's token for the server's time window", async () => {
  // The phone's clock is 10 minutes slow: its own window is three or four windows behind.
  const local = NOW;
  const phone = await phoneOffBy(local, 10 * 60_000);
  await phone.client.sync();
  const code = await checkinCode(SECRET, SESSION, local, await getClockOffset(phone.db));
  const serverWindow = Math.floor((local + 10 * 60_000) / CHECKIN_TOKEN_TTL_MS);
  assert.equal(code.window, serverWindow);
  assert.equal(code.token, expectedToken(serverWindow));
  assert.notEqual(code.window, Math.floor(local / CHECKIN_TOKEN_TTL_MS));
  assert.equal(code.endsAtMs, (serverWindow + 1) * CHECKIN_TOKEN_TTL_MS);
  assert.equal(checkinUrl('https://fieldroll.example', code.token), `https://fieldroll.example/#/checkin/${code.token}`);
});

test('the code changes when the window does, and only then', async () => {
  const start = Math.floor(NOW / CHECKIN_TOKEN_TTL_MS) * CHECKIN_TOKEN_TTL_MS;
  const first = await checkinCode(SECRET, SESSION, start, 0);
  const sameWindow = await checkinCode(SECRET, SESSION, start + CHECKIN_TOKEN_TTL_MS - 1, 0);
  const next = await checkinCode(SECRET, SESSION, start + CHECKIN_TOKEN_TTL_MS, 0);
  assert.equal(sameWindow.token, first.token);
  assert.notEqual(next.token, first.token);
  assert.equal(next.token, expectedToken(first.window + 1));
});

test('a relayed op is kept verbatim, shown on the roster, and goes up unchanged', async () => {
  const phone = await freshPhone();
  const op = confirmationOp(1);
  assert.equal(await adoptOp(phone.db, op, NOW), true);
  const [entry] = await allPending(phone.db);
  assert.deepEqual(entry.op, op, 'same op id, clock and fields; no base_rev added');
  const row = await getRecord(phone.db, 'confirmation', op.id);
  assert.equal(row?.pending, true);
  assert.equal(row?.fields.trainee_id, traineeId(1));
  assert.equal((await phone.client.sync()).ok, true);
  assert.deepEqual(phone.server.requests[0].ops, [op]);
});

test('a relayed op already waiting is not kept twice', async () => {
  const phone = await freshPhone();
  const op = confirmationOp(1);
  await adoptOp(phone.db, op, NOW);
  assert.equal(await adoptOp(phone.db, structuredClone(op), NOW), false);
  assert.equal(await pendingCount(phone.db), 1);
});

test('a relayed op the server would refuse is not kept', async () => {
  const phone = await freshPhone();
  await assert.rejects(adoptOp(phone.db, confirmationOp(1, { method: 'magic' }), NOW), InvalidOp);
  await assert.rejects(adoptOp(phone.db, { ...confirmationOp(2), id: traineeId(9) }, NOW), InvalidOp);
  await assert.rejects(adoptOp(phone.db, { ...confirmationOp(3), op_id: 'not-a-uuid' }, NOW), InvalidOp);
  assert.equal(await pendingCount(phone.db), 0);
});

test("a relay QR code is kept only for this session's roster", async () => {
  const phone = await freshPhone();
  await pullCourse(phone);
  const saved = await acceptRelay(phone.db, SESSION, encodeRelay(confirmationOp(1)), NOW);
  assert.deepEqual(saved, { traineeName: 'Học viên 1', traineeId: traineeId(1), alreadyHere: false });
  assert.equal((await acceptRelay(phone.db, SESSION, encodeRelay(confirmationOp(1)), NOW)).alreadyHere, true);

  /** @param {string} text @param {string} code */
  const refused = (text, code) => assert.rejects(acceptRelay(phone.db, SESSION, text, NOW),
    (error) => error instanceof RelayRefused && error.code === code);
  await refused('https://example.com', 'not_a_relay');
  await refused(encodeRelay(confirmationOp(4, { session_id: OTHER_SESSION })), 'other_session');
  await refused(encodeRelay(confirmationOp(3)), 'not_on_roster'); // a trainee of another course
  assert.equal(await pendingCount(phone.db), 1);
});

/** A transport whose passkey sign-in answers for `user`. @param {any} server @param {{id: string, name: string, role: string}} user */
function passkeyTransport(server, user) {
  const calls = /** @type {any[]} */ ([]);
  return {
    calls,
    transport: /** @type {any} */ ({
      ...server.transport,
      async passkeyLoginOptions() {
        calls.push(['login/options']);
        return { ceremony_id: 'ceremony-1', public_key: { challenge: 'Y2hhbGxlbmdl', rpId: 'localhost' } };
      },
      /** @param {any} body */
      async passkeyLogin(body) {
        calls.push(['login', body]);
        return { device_id: '0193a0b4-1c2d-7e3f-8a4b-00000000beef', token: 'passkey-token', user };
      },
      /** @param {string} token */
      async passkeyRegisterOptions(token) {
        calls.push(['register/options', token]);
        return { ceremony_id: 'ceremony-2', public_key: { challenge: 'Y2hhbGxlbmdl' } };
      },
      /** @param {string} token @param {any} body */
      async passkeyRegister(token, body) {
        calls.push(['register', token, body]);
        return { credential_id: 'cred-1' };
      },
    }),
  };
}

const authenticator = {
  /** @param {any} request */
  async startAuthentication(request) {
    assert.equal(request.optionsJSON.allowCredentials, undefined, 'no list: the phone offers its own passkeys');
    return { id: 'cred-1', response: { userHandle: 'dTE' } };
  },
  async startRegistration() {
    return { id: 'cred-1', response: {} };
  },
};

test('signing in with a passkey enrols the phone like a code does', async () => {
  const phone = await freshPhone();
  const { transport, calls } = passkeyTransport(phone.server, { id: 'u9', name: 'mai.trainer', role: 'trainer' });
  const user = await signInWithPasskey(phone.db, transport, { label: 'phone', appVersion: 'test', locks: null, webauthn: authenticator });
  assert.equal(user.name, 'mai.trainer');
  assert.deepEqual(await getEnrolment(phone.db), { device_id: '0193a0b4-1c2d-7e3f-8a4b-00000000beef', token: 'passkey-token', user });
  assert.deepEqual(calls[1], ['login', { ceremony_id: 'ceremony-1', credential: { id: 'cred-1', response: { userHandle: 'dTE' } },
    label: 'phone', app_version: 'test' }]);
});

test("a passkey sign-in is refused while another person's work is unsent, and keeps the same person's", async () => {
  const phone = await freshPhone(); // enrolled for u1
  const fields = { session_id: SESSION, trainee_id: traineeId(1), status: 'present' };
  await recordOps(phone.db, phone.node, [{ entity: 'attendance', id: /** @type {string} */ (derivedId('attendance', fields)), kind: 'upsert', fields }], NOW);
  const other = passkeyTransport(phone.server, { id: 'u2', name: 'someone.else', role: 'trainer' });
  await assert.rejects(signInWithPasskey(phone.db, other.transport, { label: 'x', appVersion: 'x', locks: null, webauthn: authenticator }),
    (error) => error instanceof UnsentWork && error.pending === 1);
  assert.equal((await getEnrolment(phone.db))?.user.id, 'u1');

  const same = passkeyTransport(phone.server, { id: 'u1', name: 'tuan.trainer', role: 'trainer' });
  await signInWithPasskey(phone.db, same.transport, { label: 'x', appVersion: 'x', locks: null, webauthn: authenticator });
  assert.equal((await getEnrolment(phone.db))?.token, 'passkey-token');
  assert.equal(await pendingCount(phone.db), 1, 'the same person keeps their unsent work');
});

test('a passkey is made for the enrolled person with their device token', async () => {
  const phone = await freshPhone();
  const { transport, calls } = passkeyTransport(phone.server, { id: 'u1', name: 'tuan.trainer', role: 'trainer' });
  assert.deepEqual(await createPasskey(phone.db, transport, { webauthn: authenticator }), { credential_id: 'cred-1' });
  const token = (await getEnrolment(phone.db))?.token;
  assert.deepEqual(calls, [['register/options', token], ['register', token, { ceremony_id: 'ceremony-2', credential: { id: 'cred-1', response: {} } }]]);
});

test('closing the passkey prompt is told apart from a failure', () => {
  assert.equal(passkeyFailure(Object.assign(new Error('x'), { name: 'NotAllowedError' })), 'cancelled');
  assert.equal(passkeyFailure({ name: 'WebAuthnError', cause: { name: 'NotAllowedError' } }), 'cancelled');
  assert.equal(passkeyFailure({ name: 'SecurityError' }), 'unsupported');
  assert.equal(passkeyFailure({ code: 'offline', name: 'TransportError' }), null);
});

test('an enrolment code still enrols a phone with nothing on it', async () => {
  const phone = await freshPhone();
  phone.server.enrolling = { id: 'u3', name: 'hoa.trainer', role: 'trainer' };
  const user = await enrolDevice(phone.db, /** @type {any} */ (phone.server.transport), 'ABCDE-FGHJK', { label: 'x', appVersion: 'x', locks: null });
  assert.equal(user.id, 'u3');
});
