// @ts-check
// Records that leave the phone's scope (a course taken off the trainer) are dropped once the
// server's started-over pull has reached its end; unsent work is never dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivedId } from '../../pwa/src/sync/ids.js';
import { pendingCount, recordOps } from '../../pwa/src/store/outbox.js';
import { getRecord } from '../../pwa/src/store/queries.js';
import { TransportError } from '../../pwa/src/transport/http.js';
import { freshPhone, NOW, SESSION, traineeId } from './support.js';

/** A phone that pulled four trainees; then the server drops the first two from its scope. */
async function phoneThatLostTwoTrainees() {
  const phone = await freshPhone();
  for (const n of [1, 2, 3, 4]) {
    phone.server.seed({ entity: 'trainee', id: traineeId(n), fields: { full_name: `Học viên ${n}`, commune_id: SESSION } });
  }
  assert.equal((await phone.client.sync()).ok, true);
  phone.server.records.delete(`trainee/${traineeId(1)}`);
  phone.server.records.delete(`trainee/${traineeId(2)}`);
  return phone;
}

/** The server's answer to a cursor made under the old scope: from the start, saying so. @param {any} phone */
function startOver(phone, pullLimit = 500) {
  phone.server.then((/** @type {any} */ body) => ({
    ...phone.server.answer({ ...body, cursor: null, pull_limit: pullLimit }), restarted: true }));
}

const names = async (/** @type {any} */ db) => Promise.all([1, 2, 3, 4].map(
  async (n) => (await getRecord(db, 'trainee', traineeId(n)))?.fields.full_name ?? null));

test('what a started-over pull does not send again is dropped from the phone', async () => {
  const phone = await phoneThatLostTwoTrainees();
  startOver(phone);
  assert.equal((await phone.client.sync()).ok, true);
  assert.deepEqual(await names(phone.db), [null, null, 'Học viên 3', 'Học viên 4']);
  assert.equal(await phone.db.get('records', ['trainee', traineeId(1)]), undefined, 'gone from the store, not only hidden');
});

test('nothing is dropped until the started-over pull reaches its end, even across a lost signal', async () => {
  const phone = await phoneThatLostTwoTrainees();
  startOver(phone, 1);
  phone.server.then(() => {
    throw new TransportError('offline', 'signal lost mid-pull');
  });
  assert.equal((await phone.client.sync()).ok, false);
  assert.deepEqual(await names(phone.db), ['Học viên 1', 'Học viên 2', 'Học viên 3', 'Học viên 4']);
  assert.equal((await phone.client.sync()).ok, true, 'the pull goes on from its cursor');
  assert.deepEqual(await names(phone.db), [null, null, 'Học viên 3', 'Học viên 4']);
});

test('a record an unsent change still touches is kept until that change is answered', async () => {
  const phone = await phoneThatLostTwoTrainees();
  const fields = { session_id: SESSION, trainee_id: traineeId(1), status: 'present' };
  const attendanceId = /** @type {string} */ (derivedId('attendance', fields));
  phone.server.seed({ entity: 'attendance', id: attendanceId, fields });
  assert.equal((await phone.client.sync()).ok, true);
  phone.server.records.delete(`attendance/${attendanceId}`);
  phone.server.then(() => {
    throw new TransportError('offline', 'no signal');
  });
  const [late] = await recordOps(phone.db, phone.node, [{ entity: 'attendance', id: attendanceId, kind: 'upsert',
    fields: { ...fields, status: 'late' } }], NOW);
  await phone.client.sync();

  // The started-over pull ends while the tap is still unanswered (a verdict this app does not know).
  phone.server.judge(late.op_id, { status: 'postponed' });
  phone.server.then((/** @type {any} */ body) => {
    const reply = { ...phone.server.answer({ ...body, cursor: null }), restarted: true };
    reply.changes = reply.changes.filter((/** @type {any} */ c) => c.id !== attendanceId);
    return reply;
  });
  phone.server.then(() => {
    throw new TransportError('offline', 'signal lost');
  });
  await phone.client.sync();
  assert.equal((await getRecord(phone.db, 'attendance', attendanceId))?.fields.status, 'late', 'the unsent tap stays');
  assert.equal(await phone.db.get('records', ['trainee', traineeId(1)]), undefined, 'the rest went');

  // Its answer comes: the server refuses it (the session is no longer the trainer's), and it goes.
  phone.server.judge(late.op_id, { status: 'rejected', reason: 'attendance: this session is not yours' });
  assert.equal((await phone.client.sync()).ok, true);
  assert.equal(await pendingCount(phone.db), 0);
  assert.equal(await phone.db.get('records', ['attendance', attendanceId]), undefined);
});

test('a pull that did not start over drops nothing', async () => {
  const phone = await phoneThatLostTwoTrainees();
  assert.equal((await phone.client.sync()).ok, true);
  assert.deepEqual(await names(phone.db), ['Học viên 1', 'Học viên 2', 'Học viên 3', 'Học viên 4']);
});
