// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivedId } from '../../pwa/src/sync/ids.js';
import { InvalidOp, pendingCount, recordOps, allPending } from '../../pwa/src/store/outbox.js';
import { getRecord, getRecords, listGroup } from '../../pwa/src/store/queries.js';
import { enrolledTrainees } from '../../pwa/src/ui/roster-data.js';
import { strictWrite } from '../../pwa/src/store/db.js';
import { getEnrolment } from '../../pwa/src/store/meta.js';
import { applyChanges } from '../../pwa/src/store/view.js';
import { signOut, enrolDevice, UnsentWork } from '../../pwa/src/client/device.js';
import { freshPhone, NOW, SESSION, traineeId } from './support.js';

/** @param {string} trainee @param {string} status */
function mark(trainee, status) {
  const fields = { session_id: SESSION, trainee_id: trainee, status };
  return { entity: 'attendance', id: /** @type {string} */ (derivedId('attendance', fields)), kind: /** @type {const} */ ('upsert'), fields };
}

test('a tap is in the outbox and on screen once recordOps resolves', async () => {
  const { db, node } = await freshPhone();
  const [op] = await recordOps(db, node, [mark(traineeId(1), 'present')], NOW);
  assert.equal(await pendingCount(db), 1);
  const row = await getRecord(db, 'attendance', op.id);
  assert.equal(row?.fields.status, 'present');
  assert.equal(row?.pending, true);
  assert.deepEqual((await listGroup(db, 'attendance', SESSION)).map((r) => r.id), [op.id]);
});

test('a later tap on the same trainee replaces what the roster shows', async () => {
  const { db, node } = await freshPhone();
  await recordOps(db, node, [mark(traineeId(1), 'present')], NOW);
  const [op] = await recordOps(db, node, [mark(traineeId(1), 'late')], NOW);
  assert.equal((await getRecord(db, 'attendance', op.id))?.fields.status, 'late');
  assert.equal(await pendingCount(db), 2);
});

test('taps made at the same moment get distinct, increasing clocks', async () => {
  const { db, node } = await freshPhone();
  await Promise.all([1, 2, 3, 4, 5].map((n) => recordOps(db, node, [mark(traineeId(n), 'present')], NOW)));
  const hlcs = (await allPending(db)).map((entry) => entry.op.hlc);
  assert.equal(new Set(hlcs).size, 5);
  assert.deepEqual([...hlcs].sort(), hlcs);
});

test('an invalid op is refused and nothing of its batch is written', async () => {
  const { db, node } = await freshPhone();
  const good = mark(traineeId(1), 'present');
  const bad = mark(traineeId(2), 'asleep');
  await assert.rejects(recordOps(db, node, [good, bad], NOW), (error) => error instanceof InvalidOp && /status/.test(error.message));
  assert.equal(await pendingCount(db), 0);
  assert.equal(await getRecord(db, 'attendance', good.id), undefined);
});

test('an op carries the rev of the record as last pulled', async () => {
  const { db, node } = await freshPhone();
  const draft = mark(traineeId(1), 'present');
  const tx = strictWrite(db);
  await applyChanges(tx, [{ entity: 'attendance', id: draft.id, rev: 41, hlc: `${NOW - 5000}-0000-other`, deleted: false, fields: draft.fields }]);
  await tx.done;
  const [op] = await recordOps(db, node, [{ ...draft, fields: { ...draft.fields, status: 'absent' } }], NOW);
  assert.equal(op.base_rev, 41);
});

test('a pulled change written later than an unsent tap wins on screen; an earlier one does not', async () => {
  const { db, node } = await freshPhone();
  const draft = mark(traineeId(1), 'present');
  await recordOps(db, node, [draft], NOW);
  const pulled = (/** @type {number} */ at, /** @type {string} */ status, /** @type {number} */ rev) => ({
    entity: 'attendance', id: draft.id, rev, hlc: `${at}-0000-other`, deleted: false, fields: { ...draft.fields, status } });
  let tx = strictWrite(db);
  await applyChanges(tx, [pulled(NOW - 1000, 'absent', 5)]);
  await tx.done;
  assert.equal((await getRecord(db, 'attendance', draft.id))?.fields.status, 'present');
  tx = strictWrite(db);
  await applyChanges(tx, [pulled(NOW + 1000, 'excused', 6)]);
  await tx.done;
  assert.equal((await getRecord(db, 'attendance', draft.id))?.fields.status, 'excused');
});

test('a page that arrives late does not roll a record back', async () => {
  const { db } = await freshPhone();
  const id = '44444444-4444-4444-8444-444444444444';
  const change = (/** @type {number} */ rev, /** @type {string} */ title) => ({ entity: 'course', id, rev, hlc: `${NOW + rev}-0000-s`, deleted: false,
    fields: { title, program_id: id, commune_id: id, trainer_ids: [] } });
  const tx = strictWrite(db);
  await applyChanges(tx, [change(9, 'new')]);
  await applyChanges(tx, [change(3, 'old')]);
  await tx.done;
  assert.equal((await getRecord(db, 'course', id))?.fields.title, 'new');
});

test('a record that comes twice in one page keeps its newest state, in the order given', async () => {
  const { db } = await freshPhone();
  const id = '44444444-4444-4444-8444-444444444445';
  const change = (/** @type {number} */ rev, /** @type {string} */ title) => ({ entity: 'course', id, rev, hlc: `${NOW + rev}-0000-s`, deleted: false,
    fields: { title, program_id: id, commune_id: id, trainer_ids: [] } });
  const tx = strictWrite(db);
  await applyChanges(tx, [change(5, 'middle'), change(9, 'new'), change(3, 'old')]);
  await tx.done;
  assert.equal((await getRecord(db, 'course', id))?.fields.title, 'new');
  assert.equal((await getRecord(db, 'course', id))?.rev, 9);
});

test('sign-out, and enrolling for another person, are refused while anything is unsent', async () => {
  const { db, node, server } = await freshPhone();
  await recordOps(db, node, [mark(traineeId(1), 'present')], NOW);
  await assert.rejects(signOut(db, null), (error) => error instanceof UnsentWork && error.pending === 1);
  server.enrolling = { id: 'u2', name: 'mai.trainer', role: 'trainer' };
  const enrolAgain = enrolDevice(db, /** @type {any} */ (server.transport), 'ZZZZZ-ZZZZZ', { label: 'x', appVersion: 'x', locks: null });
  await assert.rejects(enrolAgain, UnsentWork);
  assert.equal(await pendingCount(db), 1);
  assert.equal((await getEnrolment(db))?.user.name, 'tuan.trainer');
});

test('the same person enrolling again keeps their unsent work, which then goes up under the new token', async () => {
  const { db, node, server } = await freshPhone();
  const [op] = await recordOps(db, node, [mark(traineeId(1), 'late')], NOW);
  const user = await enrolDevice(db, /** @type {any} */ (server.transport), 'ZZZZZ-ZZZZZ', { label: 'x', appVersion: 'x', locks: null });
  assert.equal(user.name, 'tuan.trainer');
  assert.notEqual((await getEnrolment(db))?.device_id, node);
  assert.equal(await pendingCount(db), 1);
  assert.equal((await getRecord(db, 'attendance', op.id))?.fields.status, 'late');
});

test('a tap still saves when the phone clock fell far behind the last sync (a flat battery reset it)', async () => {
  const { db, node } = await freshPhone();
  await recordOps(db, node, [mark(traineeId(1), 'present')], NOW);
  const sixtyDaysBack = NOW - 60 * 86_400_000;
  const [op] = await recordOps(db, node, [mark(traineeId(2), 'present')], sixtyDaysBack);
  assert.ok(op.hlc > `${NOW}`);
});

test('a tap the rules refuse says whether the clock is the cause', async () => {
  const { db, node } = await freshPhone();
  await assert.rejects(recordOps(db, node, [mark(traineeId(1), 'present')], Date.UTC(2001, 0, 1)),
    (error) => error instanceof InvalidOp && error.code === 'clock_wrong');
  await assert.rejects(recordOps(db, node, [mark(traineeId(1), 'asleep')], NOW),
    (error) => error instanceof InvalidOp && error.code === 'invalid_op');
});

test('sign-out with nothing unsent clears the phone', async () => {
  const { db, client } = await freshPhone();
  await client.sync();
  await signOut(db, null);
  assert.equal(await db.count('meta'), 0);
});

test('a course\'s trainees come in one read, by name, without the deleted, the merged or the missing', async () => {
  const { db } = await freshPhone();
  const course = '55555555-5555-4555-8555-555555555555';
  const commune = '66666666-6666-4666-8666-666666666666';
  const trainee = (/** @type {number} */ n, /** @type {string} */ name, extra = {}) => ({
    entity: 'trainee', id: traineeId(n), rev: n, hlc: `${NOW}-0000-s`, deleted: false,
    fields: { full_name: name, commune_id: commune, ...extra } });
  const enrolled = (/** @type {number} */ n) => {
    const fields = { course_id: course, trainee_id: traineeId(n) };
    return { entity: 'enrollment', id: /** @type {string} */ (derivedId('enrollment', fields)), rev: 100 + n,
      hlc: `${NOW}-0000-s`, deleted: false, fields };
  };
  const tx = strictWrite(db);
  await applyChanges(tx, [trainee(1, 'Vàng Thị Mỷ'), trainee(2, 'Giàng A Páo'), { ...trainee(3, 'Đã xoá'), deleted: true },
    trainee(4, 'Gộp', { merged_into: traineeId(2) }), ...[1, 2, 3, 4, 5].map(enrolled)]);
  await tx.done;
  const names = (await enrolledTrainees(db, course)).map((row) => row.fields.full_name);
  assert.deepEqual(names, ['Giàng A Páo', 'Vàng Thị Mỷ'], 'trainee 5 is enrolled but not on this phone yet');
  assert.deepEqual((await getRecords(db, 'trainee', [traineeId(3), traineeId(1)])).map((row) => row.id), [traineeId(1)]);
});
