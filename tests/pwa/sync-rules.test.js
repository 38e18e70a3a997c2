// Behaviour of the PWA's sync rules that the shared vectors do not pin down: making ops
// on the phone, and the places where JavaScript and Python differ by default.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { naturalKey, specFor } from '../../pwa/src/sync/entities.js';
import { formatHlc, parseHlc, receive, tick } from '../../pwa/src/sync/hlc.js';
import { derivedId, isUuid, newId } from '../../pwa/src/sync/ids.js';
import { mergeRecord } from '../../pwa/src/sync/merge.js';
import { makeOp, opProblem } from '../../pwa/src/sync/ops.js';

const NOW_MS = 1_760_000_000_000;
const HLC = '1760000000000-0000-phone-1';
const SESSION = '11111111-1111-4111-8111-111111111111';
const TRAINEE = '22222222-2222-4222-8222-222222222222';
const CONFIRMATION = /** @type {string} */ (derivedId('confirmation', { session_id: SESSION, trainee_id: TRAINEE }));

/** @param {Record<string, unknown>} fields */
const traineeOp = (fields) => makeOp({ entity: 'trainee', id: TRAINEE, kind: 'upsert', fields, hlc: HLC });
/** @param {unknown} proof */
const proofOp = (proof) => makeOp({
  entity: 'confirmation', id: CONFIRMATION, kind: 'upsert', fields: { session_id: SESSION, trainee_id: TRAINEE, proof }, hlc: HLC,
});

describe('making ops', () => {
  test('an attendance mark is a valid wire op with a derived id', () => {
    const fields = { session_id: SESSION, trainee_id: TRAINEE, status: 'present' };
    const id = /** @type {string} */ (derivedId('attendance', fields));
    const op = makeOp({ entity: 'attendance', id, kind: 'upsert', fields, hlc: HLC });
    assert.deepEqual(Object.keys(op), ['op_id', 'entity', 'id', 'hlc', 'kind', 'fields']);
    assert.equal(op.op_id[14], '7', 'op ids are UUIDv7');
    assert.equal(opProblem(op, NOW_MS), null);
  });

  test('base_rev is sent when known, even when 0', () => {
    const op = makeOp({ entity: 'trainee', id: TRAINEE, kind: 'upsert', fields: { village: 'Ta Van' }, hlc: HLC, baseRev: 0 });
    assert.equal(op.base_rev, 0);
    assert.equal(opProblem(op, NOW_MS), null);
    assert.ok(!('base_rev' in traineeOp({ village: 'Ta Van' })));
  });

  test('a delete carries empty fields and is valid', () => {
    const op = makeOp({ entity: 'trainee', id: TRAINEE, kind: 'delete', hlc: HLC, baseRev: 3 });
    assert.deepEqual(op.fields, {});
    assert.equal(opProblem(op, NOW_MS), null);
  });

  test('a queued op does not change when the form object does', () => {
    const fields = { village: 'Ta Van' };
    const op = traineeOp(fields);
    fields.village = 'Ban Pho';
    assert.equal(op.fields.village, 'Ta Van');
  });

  test('a field left undefined is refused, not silently dropped by JSON.stringify', () => {
    assert.equal(opProblem(traineeOp({ village: undefined }), NOW_MS), 'village: must be text');
  });
});

describe('ids', () => {
  test('records without a natural key get no derived id', () => {
    assert.equal(derivedId('trainee', { full_name: 'Giàng A Páo' }), null);
    assert.equal(derivedId('no-such-thing', {}), null);
    assert.deepEqual(naturalKey('trainee'), []);
    assert.deepEqual(naturalKey('skill_check'), ['course_id', 'trainee_id', 'skill_code']);
  });

  test('new ids are distinct UUIDs in creation order', () => {
    const ids = Array.from({ length: 200 }, newId);
    assert.ok(ids.every(isUuid));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
  });

  test('any canonical lowercase UUID is one, as on the server', () => {
    assert.ok(isUuid('11111111-1111-1111-1111-111111111111'));
    assert.ok(!isUuid('AAAAAAAA-0000-4000-8000-000000000001'));
    assert.ok(!isUuid('{11111111-1111-4111-8111-111111111111}'));
    assert.ok(!isUuid(`${SESSION}\n`));
  });
});

describe('clocks', () => {
  test('ticks keep rising as text while the wall clock jumps back', () => {
    let last = null;
    for (const nowMs of [NOW_MS, NOW_MS, NOW_MS - 86_400_000, NOW_MS + 5, NOW_MS + 5]) {
      const next = tick(last, nowMs, 'phone-1');
      if (last !== null) assert.ok(next > last, `${next} after ${last}`);
      last = next;
    }
  });

  test('a received clock puts later local events after it', () => {
    const remote = '1760259200000-0007-fast';
    const after = receive(HLC, remote, NOW_MS, 'phone-1');
    assert.ok(after > remote && tick(after, NOW_MS, 'phone-1') > after);
  });

  test('text round-trips and a malformed clock is a bug, not a new start', () => {
    const parsed = /** @type {import('../../pwa/src/sync/hlc.js').Hlc} */ (parseHlc(HLC));
    assert.equal(formatHlc(parsed), HLC);
    assert.throws(() => tick('yesterday', NOW_MS, 'phone-1'), TypeError);
    assert.throws(() => receive(null, '1760000000000-00AF-a', NOW_MS, 'phone-1'), TypeError);
  });
});

describe('validation speaks as the server does', () => {
  test("names from Object's prototype are not entities or fields", () => {
    assert.equal(specFor('constructor'), null);
    const raw = { ...traineeOp({ village: 'x' }), entity: 'constructor' };
    assert.equal(opProblem(raw, NOW_MS), "unknown entity 'constructor'");
    const proto = JSON.parse('{"__proto__": 1}');
    assert.equal(opProblem(traineeOp(proto), NOW_MS), "trainee has no field '__proto__'");
  });

  test('names are quoted the way Python quotes them', () => {
    assert.equal(opProblem(traineeOp({ "it's": 1 }), NOW_MS), 'trainee has no field "it\'s"');
    const noEntity = { ...traineeOp({ village: 'x' }) };
    delete noEntity.entity;
    assert.equal(opProblem(noEntity, NOW_MS), 'unknown entity None');
  });

  test('text length counts characters, not UTF-16 units', () => {
    assert.equal(opProblem(traineeOp({ village: '😀'.repeat(200) }), NOW_MS), null);
    assert.equal(opProblem(traineeOp({ village: '😀'.repeat(201) }), NOW_MS),
      'village: must be at most 200 characters');
  });

  test("a JSON field's size is measured as Python writes it, with spaces", () => {
    // 1365 zeros: 2 brackets + 1365 digits + 1364 ", " = 4095 bytes; 1400 zeros would be 4200.
    assert.equal(opProblem(proofOp(Array(1365).fill(0)), NOW_MS), null);
    assert.equal(opProblem(proofOp(Array(1400).fill(0)), NOW_MS), 'proof: must be at most 4096 bytes');
    assert.equal(opProblem(proofOp(Number.NaN), NOW_MS), 'proof: must be JSON');
  });

  test('dates are real calendar days', () => {
    /** @param {string} date */
    const dateOp = (date) => makeOp({ entity: 'session', id: SESSION, kind: 'upsert', fields: { date }, hlc: HLC });
    assert.equal(opProblem(dateOp('2000-02-29'), NOW_MS), null);
    assert.equal(opProblem(dateOp('1900-02-29'), NOW_MS), 'date: must be YYYY-MM-DD');
    assert.equal(opProblem(dateOp('0000-01-01'), NOW_MS), 'date: must be YYYY-MM-DD');
  });
});

describe('merging', () => {
  /** @param {number} seq @param {string} hlc @param {unknown} proof */
  const logged = (seq, hlc, proof) => ({ seq, op: { ...proofOp(proof), hlc } });

  test('equal JSON values written concurrently are no conflict, whatever their key order', () => {
    const { conflicts } = mergeRecord('confirmation', CONFIRMATION, [
      logged(1, '1760000000000-0000-a', { a: 1, b: [2] }),
      logged(2, '1760000000001-0000-b', { b: [2], a: 1 }),
    ]);
    assert.deepEqual(conflicts, []);
  });

  test('true and 1 are equal, as Python compares them on the server', () => {
    const { conflicts } = mergeRecord('confirmation', CONFIRMATION, [
      logged(1, '1760000000000-0000-a', true),
      logged(2, '1760000000001-0000-b', 1),
    ]);
    assert.deepEqual(conflicts, []);
  });

  test('a record with no ops has no state', () => {
    assert.throws(() => mergeRecord('trainee', TRAINEE, []), RangeError);
  });
});
