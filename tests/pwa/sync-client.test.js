// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createHash } from 'node:crypto';
import { opKey, ownOpId } from '../../pwa/src/sync/compact.js';
import { derivedId } from '../../pwa/src/sync/ids.js';
import { allPending, pendingCount, recordOps } from '../../pwa/src/store/outbox.js';
import { getMeta, getSyncStatus } from '../../pwa/src/store/meta.js';
import { getRecord, listRejections } from '../../pwa/src/store/queries.js';
import { MAX_BATCH_BYTES, MAX_BATCH_OPS, PULL_LIMIT } from '../../pwa/src/client/sync-client.js';
import { enrolDevice, getReady } from '../../pwa/src/client/device.js';
import { makeOutboxFile } from '../../pwa/src/client/outbox-file.js';
import { TransportError } from '../../pwa/src/transport/http.js';
import { WIPED_KEY, wipedAt } from '../../pwa/src/store/wipe.js';
import { freshPhone, NOW, SESSION, traineeId } from './support.js';

/** @param {number} n @param {string} [status] */
function mark(n, status = 'present') {
  const fields = { session_id: SESSION, trainee_id: traineeId(n), status };
  return { entity: 'attendance', id: /** @type {string} */ (derivedId('attendance', fields)), kind: /** @type {const} */ ('upsert'), fields };
}

/** @param {any} phone @param {number} count */
async function markMany(phone, count) {
  const drafts = Array.from({ length: count }, (_, i) => mark(i + 1));
  return recordOps(phone.db, phone.node, drafts, NOW);
}

const offline = () => {
  throw new TransportError('offline', 'connection dropped');
};

test('the outbox goes up in chunks and empties once every op is acknowledged', async () => {
  const phone = await freshPhone();
  await markMany(phone, MAX_BATCH_OPS + 50);
  const result = await phone.client.sync();
  assert.equal(result.ok, true);
  const sizes = phone.server.requests.map((r) => r.ops.length);
  assert.deepEqual(sizes, [MAX_BATCH_OPS, 50], 'no extra round once everything is sent and pulled');
  for (const request of phone.server.requests) {
    assert.ok(request.ops.length <= MAX_BATCH_OPS);
    assert.ok(JSON.stringify(request.ops).length <= MAX_BATCH_BYTES + 1000);
  }
  assert.equal(await pendingCount(phone.db), 0);
  assert.equal(phone.server.records.size, MAX_BATCH_OPS + 50);
  assert.equal(phone.server.requests[0].pending_ops, MAX_BATCH_OPS + 50);
});

test('taps go up without the ids the server works out, and are kept and acknowledged in full', async () => {
  const phone = await freshPhone();
  const token = (await getMeta(phone.db, 'enrolment')).token;
  const ops = await markMany(phone, 3);
  for (const op of ops) assert.equal(op.op_id, ownOpId(opKey(token), op.hlc));
  assert.equal(new Set(ops.map((op) => op.op_id)).size, 3, 'one op id per clock');
  assert.equal((await phone.client.sync()).ok, true);
  const sent = phone.server.wire[0].ops;
  assert.deepEqual(sent.map((/** @type {any} */ op) => Object.keys(op).sort()), Array(3).fill(['entity', 'fields', 'hlc', 'kind']));
  assert.deepEqual(phone.server.requests[0].ops, ops, 'the server works out the very op the phone made');
  assert.equal(await pendingCount(phone.db), 0);
});

test('a drop after the first chunk keeps what was not acknowledged, and the next sync sends only that', async () => {
  const phone = await freshPhone();
  const ops = await markMany(phone, MAX_BATCH_OPS + 10);
  phone.server.then((body) => phone.server.answer(body));
  phone.server.then(offline);
  const first = await phone.client.sync();
  assert.equal(first.ok, false);
  assert.equal(first.error?.code, 'offline');
  assert.equal((await getSyncStatus(phone.db)).lastError?.code, 'offline');
  const left = (await allPending(phone.db)).map((entry) => entry.op.op_id);
  const firstChunk = phone.server.requests[0].ops.length;
  assert.ok(left.length > 0 && firstChunk > 0);
  assert.deepEqual(left, ops.slice(firstChunk).map((op) => op.op_id));

  phone.server.requests.length = 0;
  assert.equal((await phone.client.sync()).ok, true);
  const resent = phone.server.requests.flatMap((r) => r.ops.map((/** @type {any} */ op) => op.op_id));
  assert.deepEqual(resent, left);
  assert.equal(await pendingCount(phone.db), 0);
  assert.equal((await getSyncStatus(phone.db)).lastError, null);
});

test('an answer lost after the server applied a chunk is resent and counted once', async () => {
  const phone = await freshPhone();
  await markMany(phone, 3);
  phone.server.then((body) => {
    phone.server.answer(body);
    throw new TransportError('offline', 'cut mid-answer');
  });
  assert.equal((await phone.client.sync()).ok, false);
  assert.equal(await pendingCount(phone.db), 3);
  assert.equal((await phone.client.sync()).ok, true);
  assert.equal(await pendingCount(phone.db), 0);
  assert.equal(phone.server.records.size, 3);
});

test('pulls are paged until the server says there is no more, and the cursor is kept', async () => {
  const phone = await freshPhone();
  for (let n = 0; n < PULL_LIMIT * 2 + 7; n++) {
    phone.server.seed({ entity: 'trainee', id: traineeId(n), fields: { full_name: `Trainee ${n}`, commune_id: SESSION } });
  }
  const result = await getReady(phone.db, phone.client, () => NOW);
  assert.equal(result.ok, true);
  assert.equal(result.pulled, PULL_LIMIT * 2 + 7);
  assert.equal(phone.server.requests.length, 3);
  assert.equal(await getMeta(phone.db, 'cursor'), `r${PULL_LIMIT * 2 + 7}`);
  assert.equal((await getSyncStatus(phone.db)).readyAt, NOW);
  assert.equal((await getRecord(phone.db, 'trainee', traineeId(5)))?.fields.full_name, 'Trainee 5');
});

test('a refused op leaves the outbox, stays readable with its reason, and never blocks the rest', async () => {
  const phone = await freshPhone();
  const [bad, good] = await recordOps(phone.db, phone.node, [mark(1, 'absent'), mark(2)], NOW);
  phone.server.judge(bad.op_id, { status: 'rejected', reason: 'this session is outside your courses' });
  assert.equal((await phone.client.sync()).ok, true);
  assert.equal(await pendingCount(phone.db), 0);
  const rejections = await listRejections(phone.db);
  assert.deepEqual(rejections.map((r) => [r.op.op_id, r.reason]), [[bad.op_id, 'this session is outside your courses']]);
  assert.equal(await getRecord(phone.db, 'attendance', bad.id), undefined);
  assert.equal((await getRecord(phone.db, 'attendance', good.id))?.fields.status, 'present');
});

test('a 413 halves the chunk and tries again', async () => {
  const phone = await freshPhone();
  await markMany(phone, 40);
  phone.server.then(() => {
    throw new TransportError('request_too_large', 'too large', 413);
  });
  assert.equal((await phone.client.sync()).ok, true);
  assert.deepEqual(phone.server.requests.map((r) => r.ops.length), [40, 20, 20]);
});

test('a cursor the server no longer knows is dropped and the pull starts over', async () => {
  const phone = await freshPhone();
  phone.server.seed({ entity: 'trainee', id: traineeId(1), fields: { full_name: 'A', commune_id: SESSION } });
  await phone.client.sync();
  phone.server.then(() => {
    throw new TransportError('bad_cursor', 'unknown cursor', 400);
  });
  assert.equal((await phone.client.sync()).ok, true);
  assert.equal(phone.server.requests.at(-1).cursor, null);
});

test('a revoked device told to wipe deletes its whole copy, says why, and sends nothing more', async () => {
  const phone = await freshPhone();
  phone.server.seed({ entity: 'trainee', id: traineeId(1), fields: { full_name: 'A', commune_id: SESSION } });
  await phone.client.sync();
  await markMany(phone, 2);
  // The trainee's side of the app keeps stores of its own (DB version 2): those go too.
  if (phone.db.objectStoreNames.contains('checkin_self')) await phone.db.put('checkin_self', { key: 'me', value: traineeId(1) });
  phone.server.then(() => {
    throw new TransportError('device_revoked', 'revoked', 401, { wipe: true });
  });
  const result = await phone.client.sync();
  assert.equal(result.error?.code, 'device_revoked');
  for (const name of phone.db.objectStoreNames) {
    const rows = await phone.db.getAll(name);
    if (name === 'meta') assert.deepEqual(rows.map((row) => row.key), [WIPED_KEY], 'only the notice that it was wiped');
    else assert.deepEqual(rows, [], `${name} is empty`);
  }
  assert.ok(Number(await wipedAt(phone.db)) >= NOW, 'the notice says when, by the clock of the sync');

  const asked = phone.server.requests.length;
  const second = await phone.client.sync();
  assert.equal(second.ok, false);
  assert.equal(second.error?.code, 'not_enrolled');
  assert.equal(phone.server.requests.length, asked, 'a wiped phone sends nothing');
});

test('a refusal without the order to wipe keeps the outbox', async () => {
  const phone = await freshPhone();
  await markMany(phone, 2);
  phone.server.then(() => {
    throw new TransportError('device_revoked', 'revoked', 401);
  });
  const result = await phone.client.sync();
  assert.equal(result.error?.code, 'device_revoked');
  assert.equal(await pendingCount(phone.db), 2);
});

test('a sync asked for while one runs is folded into it, and sends what was tapped meanwhile', async () => {
  const phone = await freshPhone();
  await markMany(phone, 1);
  const first = phone.client.sync();
  await recordOps(phone.db, phone.node, [mark(2)], NOW);
  const second = phone.client.sync();
  assert.equal(first, second);
  await first;
  assert.equal(await pendingCount(phone.db), 0);
  assert.equal(phone.server.records.size, 2);
});

test('batches are cut by size as well as by count', async () => {
  const phone = await freshPhone();
  const longNote = 'ghi chú '.repeat(240);
  const drafts = Array.from({ length: 120 }, (_, i) => ({ ...mark(i + 1), fields: { ...mark(i + 1).fields, note: longNote } }));
  await recordOps(phone.db, phone.node, drafts, NOW);
  assert.equal((await phone.client.sync()).ok, true);
  assert.ok(phone.server.requests.length >= 2);
  for (const request of phone.server.requests) assert.ok(JSON.stringify(request.ops).length <= MAX_BATCH_BYTES);
  assert.equal(phone.server.records.size, 120);
});

test('only acks for ops sent, and only known verdicts, take an op out of the outbox', async () => {
  const phone = await freshPhone();
  const [kept, inConflict, sentLater] = await recordOps(phone.db, phone.node, [mark(1), mark(2), mark(3)], NOW);
  phone.server.judge(inConflict.op_id, { status: 'conflict' });
  phone.server.then((body) => {
    const reply = phone.server.answer({ ...body, ops: body.ops.slice(1, 2) });
    const neverSent = '01a00000-0000-7000-8000-000000000000';
    reply.acks = [{ op_id: inConflict.op_id, status: 'conflict' }, { op_id: kept.op_id, status: 'postponed' },
      { op_id: neverSent, status: 'applied' }];
    reply.more = true;
    return reply;
  });
  phone.client.sync();
  await phone.client.sync();
  assert.equal(phone.server.requests[0].ops.length, 3);
  // The first reply held one verdict the app knows, for an op it sent: the other two went again.
  assert.deepEqual(phone.server.requests[1].ops.map((/** @type {any} */ op) => op.op_id), [kept.op_id, sentLater.op_id]);
  assert.equal(await pendingCount(phone.db), 0);
});

test('acks without op ids are matched by position, and only when there is one per op sent', async () => {
  const phone = await freshPhone();
  const [first, second] = await recordOps(phone.db, phone.node, [mark(1), mark(2)], NOW);
  phone.server.judge(second.op_id, { status: 'rejected', reason: 'status: must be one of present, late, absent, excused' });
  phone.server.then((body) => {
    const reply = phone.server.answer(body);
    assert.ok(reply.acks.every((/** @type {any} */ ack) => !('op_id' in ack)), 'compact ops are acked without op ids');
    reply.acks = reply.acks.slice(1);
    return reply;
  });
  phone.server.then(offline);
  await phone.client.sync();
  assert.equal(await pendingCount(phone.db), 2, 'one ack for two ops: neither is taken for the other');
  phone.server.requests.length = 0;
  assert.equal((await phone.client.sync()).ok, true);
  assert.deepEqual((await allPending(phone.db)).map((entry) => entry.op.op_id), []);
  assert.deepEqual((await listRejections(phone.db)).map((r) => r.op.op_id), [second.op_id]);
  assert.ok(phone.server.records.get(`attendance/${first.id}`));
});

test('a reply that cannot be stored changes nothing and the sync says so', async () => {
  const phone = await freshPhone();
  await markMany(phone, 2);
  phone.server.then((body) => ({ ...phone.server.answer(body), server_hlc: 'not a clock' }));
  const result = await phone.client.sync();
  assert.equal(result.ok, false);
  assert.equal(result.error?.code, 'internal_error');
  assert.equal(await pendingCount(phone.db), 2);
  assert.equal(await getMeta(phone.db, 'cursor'), undefined);
  assert.equal((await getSyncStatus(phone.db)).lastError?.code, 'internal_error');
  assert.equal((await phone.client.sync()).ok, true, 'the next sync resends and lands');
  assert.equal(await pendingCount(phone.db), 0);
});

test('a reply for an earlier enrolment of the phone is not written into the new one', async () => {
  const phone = await freshPhone();
  await markMany(phone, 1);
  phone.server.then(async (body) => {
    const reply = phone.server.answer(body);
    await enrolDevice(phone.db, /** @type {any} */ (phone.server.transport), 'ZZZZZ-ZZZZZ', { label: 'x', appVersion: 'x', locks: null });
    return reply;
  });
  const result = await phone.client.sync();
  assert.equal(result.ok, false);
  assert.equal(await pendingCount(phone.db), 1, 'the old reply did not take the op out');
});

test('the clock moves past the server clock after a sync', async () => {
  const phone = await freshPhone();
  phone.server.seed({ entity: 'trainee', id: traineeId(1), fields: { full_name: 'A', commune_id: SESSION } });
  await phone.client.sync();
  const [op] = await recordOps(phone.db, phone.node, [mark(1)], NOW - 86_400_000);
  assert.ok(op.hlc > phone.server.answer({ ops: [], cursor: null, pull_limit: 1 }).server_hlc.slice(0, 13));
});

test('the saved outbox file holds every unsent op, signed with the token digest', async () => {
  const phone = await freshPhone();
  const ops = await markMany(phone, 3);
  const file = await makeOutboxFile(phone.db, 'test', NOW);
  assert.ok(file);
  const parsed = JSON.parse(file.text);
  assert.equal(parsed.format, 'fieldroll-outbox');
  const payload = JSON.parse(parsed.payload);
  assert.deepEqual(payload.ops, ops);
  const key = createHash('sha256').update('token-1').digest();
  assert.equal(parsed.signature, createHmac('sha256', key).update(parsed.payload, 'utf8').digest('hex'));
  assert.equal(await pendingCount(phone.db), 3, 'saving to a file does not drop anything');
});

test('nothing unsent, no file', async () => {
  const phone = await freshPhone();
  assert.equal(await makeOutboxFile(phone.db, 'test', NOW), null);
});

test('a phone whose storage fills during a sync still says so, and loses nothing', async () => {
  const phone = await freshPhone();
  await markMany(phone, 2);
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function full() {
    throw new DOMException('the disk is full', 'QuotaExceededError');
  };
  let result;
  try {
    result = await phone.client.sync();
  } finally {
    IDBObjectStore.prototype.put = put;
  }
  assert.equal(result.ok, false);
  assert.equal(result.error?.code, 'quota');
  assert.equal(phone.client.unsavedError?.code, 'quota', 'held for the sync bar, as it could not be saved');
  assert.equal(await pendingCount(phone.db), 2);
  assert.equal((await phone.client.sync()).ok, true, 'with room again, the next sync lands');
  assert.equal(phone.client.unsavedError, null);
  assert.equal(await pendingCount(phone.db), 0);
});
