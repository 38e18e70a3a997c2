// @ts-check
/**
 * The phone's working copy in IndexedDB, through `idb`.
 *
 * Stores:
 * - `records`: the server's state of each record, as last pulled (the base).
 * - `outbox`: ops not yet acknowledged, in the order they were made.
 * - `view`: what the screens show: the base with unsent ops laid over it.
 * - `rejections`: ops the server refused, kept so the trainer can read why.
 * - `meta`: the device, its token, the sync cursor, the clock and the sync status.
 * - `checkins`, `checkin_rosters`, `checkin_self` (version 2): a trainee's own confirmations,
 *   the rosters their phone has seen, and who the phone belongs to (src/checkin/).
 *
 * Every schema change adds a version with its own step below and never drops a store
 * holding unsent work: an app update must not cost a tap.
 */
import { openDB } from 'idb';

export const DB_NAME = 'fieldroll';
export const DB_VERSION = 2;

/** @typedef {import('idb').IDBPDatabase} Db */

/**
 * Open (and create or upgrade) the working copy.
 * @param {string} [name]
 * @returns {Promise<Db>}
 */
export function openStore(name = DB_NAME) {
  return openDB(name, DB_VERSION, {
    // A newer version of the app (another tab, or the service worker after an update)
    // needs the database: let go of it and start again on the new version.
    blocking() {
      globalThis.location?.reload?.();
    },
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const records = db.createObjectStore('records', { keyPath: ['entity', 'id'] });
        records.createIndex('by_entity', 'entity');
        const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        outbox.createIndex('by_record', ['op.entity', 'op.id']);
        const view = db.createObjectStore('view', { keyPath: ['entity', 'id'] });
        view.createIndex('by_entity', 'entity');
        view.createIndex('by_group', ['entity', 'group']);
        db.createObjectStore('rejections', { keyPath: 'op.op_id' });
        db.createObjectStore('meta', { keyPath: 'key' });
      }
      if (oldVersion < 2) {
        // The trainee's side of check-in (src/checkin/): only new stores, so a trainer's
        // unsent outbox from version 1 is untouched by the upgrade.
        const checkins = db.createObjectStore('checkins', { keyPath: 'op_id' });
        checkins.createIndex('by_record', 'op.id');
        checkins.createIndex('by_state', 'state');
        db.createObjectStore('checkin_rosters', { keyPath: 'key' });
        db.createObjectStore('checkin_self', { keyPath: 'key' });
      }
    },
  });
}

/**
 * Stores a trainer's write touches, for transactions that must be all-or-nothing; enrolment
 * and sign-out clear them. The trainee's check-in stores are left out on purpose, so that
 * enrolling a phone never throws away a trainee's unsent confirmation.
 */
export const WRITE_STORES = /** @type {const} */ (['records', 'outbox', 'view', 'rejections', 'meta']);

/**
 * Start a write that is on disk when it completes: a tap is "saved" only after this.
 * @param {Db} db
 * @param {readonly string[]} [stores]
 */
export function strictWrite(db, stores = WRITE_STORES) {
  return db.transaction(/** @type {any} */ (stores), 'readwrite', { durability: 'strict' });
}
