// @ts-check
/**
 * Merge rules: a record's state and its conflicts as a pure function of its ops.
 * The PWA's copy of sync/merge.py; see there for the reasoning, in short:
 *
 * Per field, the write with the greatest HLC wins. A write the winner's device had
 * not seen when it wrote, holding a different value, is kept as a conflict, so no
 * value a person entered is ever dropped. The winner saw a write if it came from
 * the same device earlier, or was on the server (seq <= base_rev) when the winner's
 * device last pulled the record.
 *
 * Deletes write the pseudo-field `_deleted`, upserts write `_deleted = false`, so an
 * edit concurrent with a delete is an ordinary conflict. For add-wins entities
 * (enrollment), a delete only wins over the upserts it saw.
 */

import { specFor } from './entities.js';
import { parseHlc } from './hlc.js';
import { isJsonObject } from './ops.js';

export const DELETED = '_deleted';

/**
 * @typedef {import('./ops.js').WireOp} WireOp
 * @typedef {{seq: number, op: WireOp}} LoggedOp
 * @typedef {{opId: string, hlc: string, seq: number, node: string,
 *   baseRev: number | null, value: unknown}} Write
 * @typedef {{entity: string, id: string, fields: Record<string, unknown>,
 *   deleted: boolean, hlc: string, rev: number}} RecordState
 * @typedef {{entity: string, id: string, field: string, winner_op_id: string,
 *   loser_op_id: string, winner_value: unknown, loser_value: unknown}} Conflict
 */

/**
 * Return the record's state and open conflicts from all of its applied ops.
 * @param {string} entity
 * @param {string} id
 * @param {LoggedOp[]} logged
 * @returns {{state: RecordState, conflicts: Conflict[]}}
 */
export function mergeRecord(entity, id, logged) {
  if (logged.length === 0) throw new RangeError(`${entity} ${id}: a record has at least one op`);
  const addWins = specFor(entity)?.add_wins ?? false;
  const byField = writesByField(logged);
  /** @type {[string, unknown][]} */
  const fields = [];
  /** @type {Conflict[]} */
  const conflicts = [];
  let deleted = false;
  for (const name of [...byField.keys()].sort()) {
    const writes = /** @type {Write[]} */ (byField.get(name));
    const winner = fieldWinner(writes, addWins && name === DELETED);
    if (name === DELETED) deleted = winner.value === true;
    else fields.push([name, winner.value]);
    for (const write of writes) {
      if (write.opId !== winner.opId && !sameValue(write.value, winner.value) && !saw(winner, write)) {
        conflicts.push({
          entity, id, field: name, winner_op_id: winner.opId, loser_op_id: write.opId,
          winner_value: winner.value, loser_value: write.value,
        });
      }
    }
  }
  const hlc = logged.map((item) => item.op.hlc).reduce((a, b) => (b > a ? b : a));
  const rev = logged.map((item) => item.seq).reduce((a, b) => Math.max(a, b));
  // fromEntries, not assignment: a field named "__proto__" stays a field.
  const state = { entity, id, fields: Object.fromEntries(fields), deleted, hlc, rev };
  conflicts.sort((a, b) => compareText(a.field, b.field) || compareText(a.loser_op_id, b.loser_op_id));
  return { state, conflicts };
}

/**
 * Split ops into per-field writes, `_deleted` included.
 * @param {LoggedOp[]} logged
 * @returns {Map<string, Write[]>}
 */
function writesByField(logged) {
  /** @type {Map<string, Write[]>} */
  const byField = new Map();
  for (const { seq, op } of logged) {
    /** @type {[string, unknown][]} */
    const values = op.kind === 'upsert' ? Object.entries(op.fields ?? {}) : [];
    values.push([DELETED, op.kind === 'delete']);
    const node = parseHlc(op.hlc)?.node ?? '';
    const baseRev = op.base_rev ?? null;
    for (const [name, value] of values) {
      const write = { opId: op.op_id, hlc: op.hlc, seq, node, baseRev, value };
      const writes = byField.get(name);
      if (writes) writes.push(write);
      else byField.set(name, [write]);
    }
  }
  return byField;
}

/**
 * Tell whether the winner's device knew of `other` when it wrote.
 * @param {Write} winner
 * @param {Write} other
 * @returns {boolean}
 */
function saw(winner, other) {
  if (winner.node === other.node && other.hlc < winner.hlc) return true;
  return winner.baseRev !== null && other.seq <= winner.baseRev;
}

/**
 * Pick the winning write of one field.
 * @param {Write[]} writes
 * @param {boolean} addWins true for the `_deleted` field of an add-wins entity
 * @returns {Write}
 */
function fieldWinner(writes, addWins) {
  if (!addWins) return latest(writes);
  const adds = writes.filter((w) => w.value === false);
  const removes = writes.filter((w) => w.value === true && adds.every((add) => saw(w, add)));
  return latest(removes.length > 0 ? removes : adds);
}

/**
 * The write with the greatest clock, ties broken by op id.
 * @param {Write[]} writes
 * @returns {Write}
 */
function latest(writes) {
  return writes.reduce((best, w) => (
    w.hlc > best.hlc || (w.hlc === best.hlc && w.opId > best.opId) ? w : best));
}

/**
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
function compareText(a, b) {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Python's == on JSON values, which decides conflicts on the server: structural,
 * key order ignored, and a boolean equals the number it stands for (True == 1).
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function sameValue(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length
      && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isJsonObject(a) || isJsonObject(b)) {
    if (!isJsonObject(a) || !isJsonObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length
      && keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]));
  }
  const numeric = (/** @type {unknown} */ v) => typeof v === 'number' || typeof v === 'boolean';
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  return a === b;
}
