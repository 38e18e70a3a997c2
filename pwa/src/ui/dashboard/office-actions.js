// @ts-check
/**
 * What a coordinator's choices do: each is an op through this phone's normal outbox, so it
 * goes up with the next sync, shows in the sync bar until then, and is never lost.
 */
import { specFor } from '../../sync/entities.js';
import { save } from '../actions.js';

/**
 * @typedef {{id: string, cause?: string, record_entity: string, record_id: string, field: string,
 *   winner_value: any, loser_value: any, rev?: number, about?: string}} WaitingConflict
 */

/**
 * The op that settles a conflict on the value chosen: written having seen the conflict
 * (`baseRev` ≥ its rev), so the server counts both values as seen and closes it.
 * @param {WaitingConflict} conflict
 * @param {any} value the value to keep (the winner's or the loser's)
 * @param {Record<string, any>} recordFields the record's fields as this phone has them
 * @param {number} baseRev the greatest rev seen of the conflict and the record
 * @returns {import('../../store/outbox.js').Draft}
 */
export function conflictChoiceDraft(conflict, value, recordFields, baseRev) {
  const { record_entity: entity, record_id: id, field } = conflict;
  if (field === '_deleted' && value === true) return { entity, id, kind: 'delete', baseRev };
  const spec = specFor(entity);
  /** @type {Record<string, any>} */
  const fields = {};
  // Ops on records with a natural key carry it (the server checks the id against it).
  for (const name of spec?.natural_key ?? []) fields[name] = recordFields[name];
  if (field === '_deleted') {
    // Keeping a record someone deleted: write its fields again, which undeletes it.
    for (const [name, v] of Object.entries(recordFields)) if (spec && Object.hasOwn(spec.fields, name)) fields[name] = v;
  } else {
    fields[field] = value;
  }
  return { entity, id, kind: 'upsert', fields, baseRev };
}

// A review conflict (cause "confirmation") stands a trainer's "absent" against the value
// "confirmed": a trainee's signed check-in. Keeping the trainee's side marks them present.
const CONFIRMED = 'confirmed';

/**
 * The value to write for one side of a conflict.
 * @param {WaitingConflict} conflict
 * @param {'winner' | 'loser'} side
 */
export function chosenValue(conflict, side) {
  const value = side === 'winner' ? conflict.winner_value : conflict.loser_value;
  return conflict.cause === 'confirmation' && conflict.field === 'status' && value === CONFIRMED ? 'present' : value;
}

/**
 * The merge of trainee `merge` into `keep`: the records of the one follow the other.
 * @param {string} keep
 * @param {string} merge
 * @returns {import('../../store/outbox.js').Draft}
 */
export function mergeDraft(keep, merge) {
  if (keep === merge) throw new Error('a trainee cannot be merged into themself');
  return { entity: 'trainee', id: merge, kind: 'upsert', fields: { merged_into: keep } };
}

/**
 * Keep one of a conflict's two values. Needs the record on this phone (a sync brings it):
 * its natural key goes into the op, and its rev counts as seen.
 * @param {import('../hooks.js').AppServices} services
 * @param {WaitingConflict} conflict
 * @param {'winner' | 'loser'} side
 */
export async function keepConflictValue(services, conflict, side) {
  const record = await services.db.get('records', [conflict.record_entity, conflict.record_id]);
  if (!record) throw Object.assign(new Error('the record is not on this phone yet'), { code: 'office_sync_first' });
  const pulled = await services.db.get('records', ['conflict', conflict.id]);
  const baseRev = Math.max(record.rev ?? 0, pulled?.rev ?? 0, conflict.rev ?? 0);
  return save(services, [conflictChoiceDraft(conflict, chosenValue(conflict, side), record.fields ?? {}, baseRev)]);
}

/**
 * Merge trainee `merge` into `keep` (after the coordinator saw the preview).
 * @param {import('../hooks.js').AppServices} services
 * @param {string} keep
 * @param {string} merge
 */
export function mergeTrainees(services, keep, merge) {
  return save(services, [mergeDraft(keep, merge)]);
}
