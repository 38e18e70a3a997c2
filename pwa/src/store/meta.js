// @ts-check
/**
 * Small named values kept beside the records: the device, the sync cursor, the clock,
 * and what the last sync said. Read and written inside the caller's transaction so a
 * pulled page and its cursor land together.
 */

/**
 * @typedef {{device_id: string, token: string, user: {id: string, name: string, role: string}}} Enrolment
 * @typedef {{lastSyncedAt: number | null, lastError: {code: string, message: string} | null, readyAt: number | null}} SyncStatus
 */

/**
 * @param {any} source a database or a transaction holding the `meta` store
 * @param {string} key
 * @returns {Promise<any>}
 */
export async function getMeta(source, key) {
  const store = 'objectStore' in source ? source.objectStore('meta') : null;
  const row = store ? await store.get(key) : await source.get('meta', key);
  return row ? row.value : undefined;
}

/**
 * @param {any} tx a read-write transaction holding the `meta` store
 * @param {string} key
 * @param {any} value
 */
export function setMeta(tx, key, value) {
  return tx.objectStore('meta').put({ key, value });
}

/**
 * The enrolment of this phone, or undefined before it is enrolled.
 * @param {any} source
 * @returns {Promise<Enrolment | undefined>}
 */
export function getEnrolment(source) {
  return getMeta(source, 'enrolment');
}

/**
 * @param {any} source
 * @returns {Promise<SyncStatus>}
 */
export async function getSyncStatus(source) {
  return { lastSyncedAt: null, lastError: null, readyAt: null, ...(await getMeta(source, 'sync_status')) };
}

/**
 * Merge `changes` into the stored sync status.
 * @param {any} tx
 * @param {Partial<SyncStatus>} changes
 */
export async function updateSyncStatus(tx, changes) {
  const current = await getSyncStatus(tx);
  return setMeta(tx, 'sync_status', { ...current, ...changes });
}
