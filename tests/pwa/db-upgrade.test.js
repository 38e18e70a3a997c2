// @ts-check
/**
 * An app update must not cost a tap: a phone holding a version 1 working copy (with an
 * unsent outbox) opens it with this version and finds everything, beside the new stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
// Not 'idb': these tests live outside pwa/, where node would not find its packages.
import { openDB } from '../../pwa/node_modules/idb/build/index.js';
import { DB_VERSION, openStore } from '../../pwa/src/store/db.js';
import { pendingCount } from '../../pwa/src/store/outbox.js';
import { getEnrolment } from '../../pwa/src/store/meta.js';
import { NOW, SESSION, traineeId } from './support.js';

/**
 * Make a database exactly as version 1 of the app did (db.js at version 1), with data.
 * @param {string} name
 */
async function versionOnePhone(name) {
  const db = await openDB(name, 1, {
    upgrade(v1) {
      const records = v1.createObjectStore('records', { keyPath: ['entity', 'id'] });
      records.createIndex('by_entity', 'entity');
      const outbox = v1.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      outbox.createIndex('by_record', ['op.entity', 'op.id']);
      const view = v1.createObjectStore('view', { keyPath: ['entity', 'id'] });
      view.createIndex('by_entity', 'entity');
      view.createIndex('by_group', ['entity', 'group']);
      v1.createObjectStore('rejections', { keyPath: 'op.op_id' });
      v1.createObjectStore('meta', { keyPath: 'key' });
    },
  });
  const fields = { session_id: SESSION, trainee_id: traineeId(1), status: 'present' };
  const op = { op_id: '0193a0b4-0000-7000-8000-000000000001', entity: 'attendance', id: '5d0f3f3e-8f1e-5c1a-9a55-0f0e0d0c0b0a',
    hlc: `${NOW}-0000-dev`, kind: 'upsert', fields };
  const tx = db.transaction(['records', 'outbox', 'view', 'rejections', 'meta'], 'readwrite');
  await tx.objectStore('outbox').add({ op, made_at: NOW });
  await tx.objectStore('outbox').add({ op: { ...op, op_id: '0193a0b4-0000-7000-8000-000000000002' }, made_at: NOW + 1 });
  await tx.objectStore('records').put({ entity: 'session', id: SESSION, rev: 3, hlc: null, deleted: false, fields: { date: '2025-11-24' } });
  await tx.objectStore('view').put({ entity: 'attendance', id: op.id, group: SESSION, fields, pending: true });
  await tx.objectStore('rejections').put({ op: { ...op, op_id: '0193a0b4-0000-7000-8000-000000000003' }, reason: 'no', at: NOW });
  await tx.objectStore('meta').put({ key: 'enrolment', value: { device_id: 'dev', token: 't', user: { id: 'u', name: 'tuan', role: 'trainer' } } });
  await tx.objectStore('meta').put({ key: 'cursor', value: 'r41' });
  await tx.done;
  db.close();
}

test('upgrading from version 1 keeps every store and its data, and adds the check-in stores', async () => {
  await versionOnePhone('fieldroll-upgrade');
  const db = await openStore('fieldroll-upgrade');
  assert.equal(db.version, DB_VERSION);
  assert.deepEqual([...db.objectStoreNames].sort(),
    ['checkin_rosters', 'checkin_self', 'checkins', 'meta', 'outbox', 'records', 'rejections', 'view']);
  assert.equal(await pendingCount(db), 2);
  assert.deepEqual((await db.getAll('outbox')).map((e) => e.seq), [1, 2]);
  assert.equal((await db.get('records', ['session', SESSION]))?.rev, 3);
  assert.equal((await db.getAllFromIndex('view', 'by_group', ['attendance', SESSION])).length, 1);
  assert.equal((await db.getAll('rejections')).length, 1);
  assert.equal((await getEnrolment(db))?.device_id, 'dev');
  assert.equal((await db.get('meta', 'cursor'))?.value, 'r41');
  // The outbox keeps counting where it was: a new op goes after the old ones.
  assert.equal(await db.add('outbox', { op: {}, made_at: NOW }), 3);
  // The new stores work, with their indexes.
  assert.deepEqual([...db.transaction('checkins').store.indexNames].sort(), ['by_record', 'by_state']);
  db.close();
});
