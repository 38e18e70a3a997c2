// @ts-check
/**
 * What the screens read: each record's pulled state with its unsent ops laid over it
 * by the same last-writer-wins rule the server applies (`sync/merge.js`), so a tap
 * shows at once and a pulled change from another phone lands where it should.
 */
import { mergeRecord } from '../sync/merge.js';

/** The field a screen lists records by, per entity (e.g. a roster lists attendance by session). */
export const GROUP_FIELD = /** @type {Record<string, string>} */ ({
  session: 'course_id',
  enrollment: 'course_id',
  attendance: 'session_id',
  skill_check: 'course_id',
  confirmation: 'session_id',
  trainee: 'commune_id',
  checklist: 'program_id',
  conflict: 'record_id',
});

// Sorts before any op id, so on an exact HLC tie an unsent op wins over the pulled state.
const BASE_OP_ID = '00000000-0000-0000-0000-000000000000';

/**
 * @typedef {{entity: string, id: string, rev: number, hlc: string | null, deleted: boolean, fields: Record<string, any>}} Base
 * @typedef {{entity: string, id: string, group: string, fields: Record<string, any>, deleted: boolean, rev: number, pending: boolean}} ViewRow
 */

/**
 * Lay unsent ops over the pulled state of one record.
 * @param {string} entity
 * @param {string} id
 * @param {Base | undefined} base
 * @param {any[]} pendingOps in the order they were made
 * @returns {ViewRow | undefined}
 */
export function viewOf(entity, id, base, pendingOps) {
  if (!base && pendingOps.length === 0) return undefined;
  const baseRev = base ? base.rev : 0;
  const logged = pendingOps.map((op, i) => ({ seq: baseRev + i + 1, op }));
  if (base) {
    const kind = base.deleted ? 'delete' : 'upsert';
    logged.unshift({ seq: baseRev, op: { op_id: BASE_OP_ID, entity, id, hlc: base.hlc ?? '', kind, fields: base.fields } });
  }
  const { state } = mergeRecord(entity, id, logged);
  // A record deleted on the server keeps its last fields, which a later undelete needs.
  const fields = { ...(base ? base.fields : {}), ...state.fields };
  return {
    entity, id, group: String(fields[GROUP_FIELD[entity]] ?? ''), fields,
    deleted: state.deleted, rev: baseRev, pending: pendingOps.length > 0,
  };
}

/**
 * Recompute one record's view row inside the caller's transaction.
 * @param {any} tx a read-write transaction over records, outbox and view
 * @param {string} entity
 * @param {string} id
 */
export async function refreshView(tx, entity, id) {
  const base = await tx.objectStore('records').get([entity, id]);
  const pending = await tx.objectStore('outbox').index('by_record').getAll([entity, id]);
  const row = viewOf(entity, id, base, pending.map((/** @type {any} */ entry) => entry.op));
  const view = tx.objectStore('view');
  return row ? view.put(row) : view.delete([entity, id]);
}

/**
 * Keep a page of pulled changes as their records' bases (unless an older page arrives late)
 * and recompute their view rows. Every read of the page is asked for first, then every write:
 * awaited one by one, five requests per record made a pull of 2,000 trainees take seconds.
 * @param {any} tx a read-write transaction over records, outbox and view
 * @param {Base[]} changes
 * @param {number} [epoch] the pull these came in (scope-sweep.js), kept on each record
 */
export async function applyChanges(tx, changes, epoch = 0) {
  const records = tx.objectStore('records');
  const byRecord = tx.objectStore('outbox').index('by_record');
  const view = tx.objectStore('view');
  const keys = changes.map((change) => [change.entity, change.id]);
  const [known, pending] = await Promise.all([
    Promise.all(keys.map((key) => records.get(key))),
    Promise.all(keys.map((key) => byRecord.getAll(key))),
  ]);
  /** @type {Map<string, Base | undefined>} a record that comes twice in a page, as it stands */
  const bases = new Map();
  /** @type {Promise<unknown>[]} */
  const writes = [];
  changes.forEach((change, i) => {
    const name = `${change.entity}/${change.id}`;
    let base = bases.has(name) ? bases.get(name) : known[i];
    if (!base || change.rev >= base.rev) {
      const { entity, id, rev, deleted, fields } = change;
      base = { entity, id, rev, deleted, fields, hlc: change.hlc ?? null };
    }
    // Stamped even when an older copy arrives late: the server sent the record in this pull.
    writes.push(records.put({ ...base, epoch }));
    bases.set(name, base);
    const row = viewOf(change.entity, change.id, base, pending[i].map((/** @type {any} */ entry) => entry.op));
    writes.push(row ? view.put(row) : view.delete(keys[i]));
  });
  await Promise.all(writes);
}
