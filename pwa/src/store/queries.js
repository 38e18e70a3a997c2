// @ts-check
/**
 * Reads for the screens, all from the `view` store: what the trainer sees includes
 * their unsent taps.
 */

/** @typedef {import('./view.js').ViewRow} ViewRow */

/**
 * Live (not deleted) records of one entity.
 * @param {import('./db.js').Db} db
 * @param {string} entity
 * @returns {Promise<ViewRow[]>}
 */
export async function listRecords(db, entity) {
  const rows = await db.getAllFromIndex('view', 'by_entity', entity);
  return rows.filter((row) => !row.deleted);
}

/**
 * Live records of one entity under one parent: a course's sessions, a session's attendance.
 * @param {import('./db.js').Db} db
 * @param {string} entity
 * @param {string} group the parent's id (see GROUP_FIELD)
 * @returns {Promise<ViewRow[]>}
 */
export async function listGroup(db, entity, group) {
  const rows = await db.getAllFromIndex('view', 'by_group', [entity, group]);
  return rows.filter((row) => !row.deleted);
}

/**
 * One record as the screens see it, or undefined.
 * @param {import('./db.js').Db} db
 * @param {string} entity
 * @param {string} id
 * @returns {Promise<ViewRow | undefined>}
 */
export async function getRecord(db, entity, id) {
  const row = await db.get('view', [entity, id]);
  return row && !row.deleted ? row : undefined;
}

/**
 * Several records of one entity, as the screens see them, in one read (a roster of 2,000
 * trainees would otherwise open 2,000 transactions); missing and deleted ones are left out.
 * @param {import('./db.js').Db} db
 * @param {string} entity
 * @param {string[]} ids
 * @returns {Promise<ViewRow[]>}
 */
export async function getRecords(db, entity, ids) {
  const store = db.transaction('view').store;
  const rows = await Promise.all(ids.map((id) => store.get([entity, id])));
  return rows.filter((row) => row !== undefined && !row.deleted);
}

/**
 * Ops the server refused, newest first, with its reason.
 * @param {import('./db.js').Db} db
 */
export async function listRejections(db) {
  const rows = await db.getAll('rejections');
  return rows.sort((a, b) => b.at - a.at);
}
