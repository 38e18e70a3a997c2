// @ts-check
/** The coordinator's choices are ops through the outbox: a conflict's chosen value, a merge. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivedId } from '../../pwa/src/sync/ids.js';
import { opProblem } from '../../pwa/src/sync/ops.js';
import { allPending, recordOps } from '../../pwa/src/store/outbox.js';
import { strictWrite } from '../../pwa/src/store/db.js';
import { applyChanges } from '../../pwa/src/store/view.js';
import { getRecord } from '../../pwa/src/store/queries.js';
import { chosenValue, conflictChoiceDraft, keepConflictValue, mergeDraft, mergeTrainees } from '../../pwa/src/ui/dashboard/office-actions.js';
import { freshPhone, NOW, SESSION, traineeId } from './support.js';

const CONFLICT_ID = '44444444-4444-4444-8444-444444444444';

/** @param {import('../../pwa/src/store/db.js').Db} db */
function servicesFor(db) {
  let changes = 0;
  let taps = 0;
  const services = /** @type {any} */ ({ db, changed: () => { changes += 1; }, scheduler: { afterTap: () => { taps += 1; } } });
  return { services, told: () => ({ changes, taps }) };
}

/** Pull an attendance record and its conflict onto the phone, as a sync would. */
async function pullConflict(/** @type {any} */ db, recordRev = 12, conflictRev = 15) {
  const fields = { session_id: SESSION, trainee_id: traineeId(1), status: 'absent' };
  const id = /** @type {string} */ (derivedId('attendance', fields));
  const tx = strictWrite(db);
  await applyChanges(tx, [{ entity: 'attendance', id, rev: recordRev, hlc: `${NOW - 9000}-0000-other`, deleted: false, fields }]);
  await applyChanges(tx, [{ entity: 'conflict', id: CONFLICT_ID, rev: conflictRev, hlc: `${NOW - 9000}-0000-server`, deleted: false,
    fields: { entity: 'attendance', record_id: id, field: 'status', winner_value: 'absent', loser_value: 'present' } }]);
  await tx.done;
  /** @type {import('../../pwa/src/ui/dashboard/office-actions.js').WaitingConflict} */
  const conflict = { id: CONFLICT_ID, rev: conflictRev, cause: 'merge', record_entity: 'attendance', record_id: id,
    field: 'status', winner_value: 'absent', loser_value: 'present' };
  return { id, conflict };
}

test('keeping the other value writes it with base_rev at least the conflict\'s rev', async () => {
  const { db } = await freshPhone();
  const { id, conflict } = await pullConflict(db, 12, 15);
  const { services, told } = servicesFor(db);
  const [op] = await keepConflictValue(services, conflict, 'loser');
  assert.equal(op.entity, 'attendance');
  assert.equal(op.id, id);
  assert.deepEqual(op.fields, { session_id: SESSION, trainee_id: traineeId(1), status: 'present' });
  assert.equal(op.base_rev, 15);
  assert.equal(opProblem(op, Date.now()), null);
  assert.deepEqual(told(), { changes: 1, taps: 1 });
  // The choice waits in the outbox (the sync bar counts it) and shows at once.
  assert.equal((await allPending(db)).length, 1);
  assert.equal((await getRecord(db, 'attendance', id))?.fields.status, 'present');
});

test('keeping the value that won still writes it, so the server sees both sides were seen', async () => {
  const { db } = await freshPhone();
  const { conflict } = await pullConflict(db, 20, 18);
  const [op] = await keepConflictValue(servicesFor(db).services, conflict, 'winner');
  assert.equal(op.fields.status, 'absent');
  assert.equal(op.base_rev, 20, 'the record pulled later than the conflict: its rev is the greater');
});

test('a conflict\'s rev from the server counts even when the phone pulled an older conflict row', async () => {
  const { db } = await freshPhone();
  const { conflict } = await pullConflict(db, 12, 15);
  const [op] = await keepConflictValue(servicesFor(db).services, { ...conflict, rev: 31 }, 'loser');
  assert.equal(op.base_rev, 31);
});

test('a choice about a record this phone has not pulled asks for a sync and writes nothing', async () => {
  const { db } = await freshPhone();
  const conflict = { id: CONFLICT_ID, rev: 3, record_entity: 'attendance', record_id: traineeId(9), field: 'status',
    winner_value: 'absent', loser_value: 'present' };
  await assert.rejects(keepConflictValue(servicesFor(db).services, conflict, 'loser'), { code: 'office_sync_first' });
  assert.equal((await allPending(db)).length, 0);
});

test('an edit against a delete: keeping the delete is a delete, keeping the record writes its fields again', () => {
  const record = { full_name: 'Giàng Thị Mai', commune_id: traineeId(7), birth_year: 1990 };
  const conflict = { id: CONFLICT_ID, rev: 9, record_entity: 'trainee', record_id: traineeId(1), field: '_deleted',
    winner_value: true, loser_value: false };
  assert.deepEqual(conflictChoiceDraft(conflict, true, record, 9), { entity: 'trainee', id: traineeId(1), kind: 'delete', baseRev: 9 });
  assert.deepEqual(conflictChoiceDraft(conflict, false, record, 9),
    { entity: 'trainee', id: traineeId(1), kind: 'upsert', fields: record, baseRev: 9 });
});

test('recordOps sends the greater of an explicit base rev and the pulled one', async () => {
  const { db, node } = await freshPhone();
  const { id } = await pullConflict(db, 12, 15);
  const fields = { session_id: SESSION, trainee_id: traineeId(1), status: 'late' };
  const [low] = await recordOps(db, node, [{ entity: 'attendance', id, kind: 'upsert', fields, baseRev: 5 }], NOW);
  const [high] = await recordOps(db, node, [{ entity: 'attendance', id, kind: 'upsert', fields, baseRev: 40 }], NOW);
  const [none] = await recordOps(db, node, [{ entity: 'attendance', id, kind: 'upsert', fields }], NOW);
  assert.deepEqual([low.base_rev, high.base_rev, none.base_rev], [12, 40, 12]);
  assert.equal(Object.hasOwn(low, 'baseRev'), false, 'the draft\'s own key never reaches the wire');
});

test('a merge is the trainee op merged_into, through the outbox', async () => {
  const { db } = await freshPhone();
  const keep = traineeId(1);
  const merge = traineeId(2);
  const tx = strictWrite(db);
  await applyChanges(tx, [{ entity: 'trainee', id: merge, rev: 7, hlc: `${NOW - 9000}-0000-other`, deleted: false,
    fields: { full_name: 'Giang A Pao', commune_id: traineeId(9) } }]);
  await tx.done;
  const { services, told } = servicesFor(db);
  const [op] = await mergeTrainees(services, keep, merge);
  assert.deepEqual({ entity: op.entity, id: op.id, kind: op.kind, fields: op.fields, base_rev: op.base_rev },
    { entity: 'trainee', id: merge, kind: 'upsert', fields: { merged_into: keep }, base_rev: 7 });
  assert.equal(opProblem(op, Date.now()), null);
  assert.deepEqual(told(), { changes: 1, taps: 1 });
  assert.equal((await allPending(db)).length, 1);
  assert.throws(() => mergeDraft(keep, keep));
});

test('in a review of "absent" against a trainee\'s signed check-in, keeping the check-in marks present', async () => {
  const { db } = await freshPhone();
  const { id, conflict } = await pullConflict(db, 12, 15);
  const review = { ...conflict, cause: 'confirmation', winner_value: 'absent', loser_value: 'confirmed' };
  assert.equal(chosenValue(review, 'loser'), 'present');
  assert.equal(chosenValue(review, 'winner'), 'absent');
  assert.equal(chosenValue({ ...conflict, loser_value: 'excused' }, 'loser'), 'excused');
  const [op] = await keepConflictValue(servicesFor(db).services, review, 'loser');
  assert.deepEqual(op.fields, { session_id: SESSION, trainee_id: traineeId(1), status: 'present' });
  assert.equal(op.id, id);
  assert.equal(op.base_rev, 15);
});
