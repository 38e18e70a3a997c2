// @ts-check
/**
 * Dropping what left this phone's scope. When a course is taken off a trainer, the server
 * starts the phone's pull over (`restarted` on its first page) and sends everything still in
 * scope again. Each pulled record is stamped with the number of the pull it came in; once that
 * pull has reached its end, a record with an older number was not sent again: it is no longer
 * the phone's to keep (the course's trainees, their marks and names), and goes. A record an
 * unsent change of this phone still touches stays until that change is answered, and goes at
 * the end of the first sync after that.
 */
import { getMeta, setMeta } from './meta.js';

const EPOCH_KEY = 'pull_epoch';
const SWEEP_KEY = 'sweep_pending';

/**
 * The number to stamp this reply's records with: a new one when the server started over.
 * @param {any} tx a read-write transaction holding `meta`
 * @param {{restarted?: boolean}} reply
 * @returns {Promise<number>}
 */
export async function pullEpoch(tx, reply) {
  const epoch = (await getMeta(tx, EPOCH_KEY)) ?? 0;
  if (!reply.restarted) return epoch;
  await setMeta(tx, EPOCH_KEY, epoch + 1);
  await setMeta(tx, SWEEP_KEY, true);
  return epoch + 1;
}

/**
 * Once a started-over pull has reached its end, drop the records it did not send again.
 * @param {any} tx a read-write transaction over records, outbox, view and meta
 * @param {{more: boolean}} reply
 * @param {number} epoch this reply's number (from pullEpoch)
 * @returns {Promise<number>} how many records were dropped
 */
export async function sweepIfDone(tx, reply, epoch) {
  if (reply.more || !(await getMeta(tx, SWEEP_KEY))) return 0;
  const unsent = new Set((await tx.objectStore('outbox').getAll())
    .map((/** @type {any} */ entry) => `${entry.op.entity}/${entry.op.id}`));
  const view = tx.objectStore('view');
  /** @type {Promise<unknown>[]} */
  const deletes = [];
  let waiting = false;
  for (let cursor = await tx.objectStore('records').openCursor(); cursor; cursor = await cursor.continue()) {
    const { entity, id, epoch: stamped } = cursor.value;
    if ((stamped ?? 0) >= epoch) continue;
    if (unsent.has(`${entity}/${id}`)) {
      waiting = true;
      continue;
    }
    deletes.push(cursor.delete(), view.delete([entity, id]));
  }
  await Promise.all(deletes);
  await setMeta(tx, SWEEP_KEY, waiting);
  return deletes.length / 2;
}
