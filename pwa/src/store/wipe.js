// @ts-check
/**
 * Deleting the whole working copy, for a phone its coordinator removed (lost, stolen, or
 * handed to someone else): the trainees' personal data must not stay on it.
 *
 * Every store of the database is cleared, whatever version made it (the trainee's
 * check-in stores too), in one transaction, so the phone is never left half-wiped. One
 * row stays: the notice that the wipe happened and when, which holds nothing about
 * anyone and lets the app say why its data is gone instead of looking broken.
 */
import { getMeta, setMeta } from './meta.js';

export const WIPED_KEY = 'wiped';

/**
 * Clear every store and leave only the notice. On disk when it resolves.
 * @param {import('./db.js').Db} db
 * @param {number} nowMs
 */
export async function wipeLocalCopy(db, nowMs) {
  const names = [...db.objectStoreNames];
  const tx = db.transaction(/** @type {any} */ (names), 'readwrite', { durability: 'strict' });
  await Promise.all(names.map((name) => tx.objectStore(name).clear()));
  await setMeta(tx, WIPED_KEY, { at: nowMs });
  await tx.done;
}

/**
 * When this phone was wiped, or null if it was not (or was enrolled again since).
 * @param {any} source
 * @returns {Promise<number | null>}
 */
export async function wipedAt(source) {
  return (await getMeta(source, WIPED_KEY))?.at ?? null;
}
