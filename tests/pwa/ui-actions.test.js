// @ts-check
/** What the screens' taps write: a checklist change carries only the field that changed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, strictWrite } from '../../pwa/src/store/db.js';
import { setMeta } from '../../pwa/src/store/meta.js';
import { allPending } from '../../pwa/src/store/outbox.js';
import { getRecord } from '../../pwa/src/store/queries.js';
import { opProblem } from '../../pwa/src/sync/ops.js';
import { checkSkill } from '../../pwa/src/ui/actions.js';

const COURSE = '33333333-3333-4333-8333-333333333333';
const TRAINEE = '22222222-2222-4222-8222-000000000001';
const KEY = ['course_id', 'skill_code', 'trainee_id'];
let phones = 0;

/** The services a screen holds, on a fresh enrolled phone. */
async function services({ enrolled = true } = {}) {
  phones += 1;
  const db = await openStore(`fieldroll-ui-actions-${phones}`);
  if (enrolled) {
    const tx = strictWrite(db, ['meta']);
    await setMeta(tx, 'enrolment', { device_id: '0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b', token: 'token',
      user: { id: 'u', name: 'Tuấn', role: 'trainer' } });
    await tx.done;
  }
  return /** @type {any} */ ({ db, changed() {}, scheduler: { afterTap() {} } });
}

/** @param {any} app */
async function lastOp(app) {
  const entries = await allPending(app.db);
  return entries[entries.length - 1].op;
}

test('a level tap sends the skill and its level, never a note from an old screen', async () => {
  const app = await services();
  await checkSkill(app, COURSE, TRAINEE, 'scan', { level: 1 });
  await checkSkill(app, COURSE, TRAINEE, 'scan', { note: 'cần luyện thêm' });
  await checkSkill(app, COURSE, TRAINEE, 'scan', { level: 2 });
  assert.deepEqual(Object.keys((await lastOp(app)).fields).sort(), [...KEY, 'level'].sort());
  const [row] = await app.db.getAll('view');
  assert.equal(row.fields.level, 2);
  assert.equal(row.fields.note, 'cần luyện thêm');
});

test('a note sends the skill and the note alone, which the rules accept once a level is there', async () => {
  const app = await services();
  await checkSkill(app, COURSE, TRAINEE, 'scan', { level: 3 });
  await checkSkill(app, COURSE, TRAINEE, 'scan', { note: '' });
  const op = await lastOp(app);
  assert.deepEqual(Object.keys(op.fields).sort(), [...KEY, 'note'].sort());
  assert.equal(opProblem(op, Date.now()), null);
  const row = await getRecord(app.db, 'skill_check', op.id);
  assert.deepEqual([row?.fields.level, row?.fields.note], [3, '']);
});

test('a tap on a phone that is not enrolled fails with a code the screens can put in words', async () => {
  const app = await services({ enrolled: false });
  await assert.rejects(checkSkill(app, COURSE, TRAINEE, 'scan', { level: 1 }), { code: 'not_enrolled' });
  assert.equal((await allPending(app.db)).length, 0);
});
