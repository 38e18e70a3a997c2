// @ts-check
/**
 * This phone as a FieldRoll device: enrolling it, getting it ready for offline work,
 * and forgetting it, which is refused while anything is unsent.
 *
 * Each runs under the sync lock and decides and writes in one transaction, so a sync
 * that was under way cannot slip the previous enrolment's records into the next one.
 */
import { WRITE_STORES, strictWrite } from '../store/db.js';
import { getEnrolment, setMeta, updateSyncStatus } from '../store/meta.js';
import { refreshView } from '../store/view.js';
import { browserLocks, withSyncLock } from './sync-lock.js';

/** Refused because unsent work would be lost. */
export class UnsentWork extends Error {
  /** @param {number} pending */
  constructor(pending) {
    super(`${pending} unsent`);
    this.name = 'UnsentWork';
    this.pending = pending;
  }
}

// What a new enrolment of the same person keeps: their unsent work and what was refused.
const KEPT_FOR_SAME_PERSON = new Set(['outbox', 'rejections']);

/**
 * Redeem a one-time code and keep the token (see adoptDeviceToken for who may).
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/http.js').Transport} transport
 * @param {string} code
 * @param {{label: string, appVersion: string, locks?: any}} about
 */
export async function enrolDevice(db, transport, code, { label, appVersion, locks = browserLocks() }) {
  const answer = await transport.enrol(code.trim(), label, appVersion);
  return adoptDeviceToken(db, answer, locks);
}

/**
 * Make this phone the device the server just issued a token for, by an enrolment code or
 * a passkey sign-in alike. With unsent ops on the phone, only the same person may enrol
 * again (say their token was lost on the server): their outbox is kept and goes up under
 * the new token. Anyone else must sync or save the outbox first: the server has already
 * issued the new token then, which is harmless: it stays unused, and a coordinator sees
 * it among the person's devices.
 * @param {import('../store/db.js').Db} db
 * @param {{device_id: string, token: string, user: import('../store/meta.js').Enrolment['user']}} answer
 * @param {any} [locks]
 */
export function adoptDeviceToken(db, answer, locks = browserLocks()) {
  return withSyncLock(locks, async () => {
    const tx = strictWrite(db);
    const previous = await getEnrolment(tx);
    const pending = await tx.objectStore('outbox').count();
    if (pending > 0 && previous?.user.id !== answer.user.id) {
      tx.abort();
      await tx.done.catch(() => {});
      throw new UnsentWork(pending);
    }
    for (const name of WRITE_STORES) {
      if (!(pending > 0 && KEPT_FOR_SAME_PERSON.has(name))) await tx.objectStore(name).clear();
    }
    await setMeta(tx, 'enrolment', { device_id: answer.device_id, token: answer.token, user: answer.user });
    for (const entry of await tx.objectStore('outbox').getAll()) await refreshView(tx, entry.op.entity, entry.op.id);
    await tx.done;
    return answer.user;
  });
}

/**
 * Download everything this trainer needs offline; the phone is ready when it resolves ok.
 * @param {import('../store/db.js').Db} db
 * @param {import('./sync-client.js').SyncClient} client
 * @param {() => number} [now]
 */
export async function getReady(db, client, now = Date.now) {
  const result = await client.sync();
  if (result.ok) {
    const tx = strictWrite(db, ['meta']);
    await updateSyncStatus(tx, { readyAt: now() });
    await tx.done;
  }
  return result;
}

/**
 * Forget this phone's enrolment and working copy, unless ops are still unsent.
 * @param {import('../store/db.js').Db} db
 * @param {any} [locks]
 */
export function signOut(db, locks = browserLocks()) {
  return withSyncLock(locks, async () => {
    const tx = strictWrite(db);
    const pending = await tx.objectStore('outbox').count();
    if (pending > 0) {
      tx.abort();
      await tx.done.catch(() => {});
      throw new UnsentWork(pending);
    }
    await Promise.all(WRITE_STORES.map((name) => tx.objectStore(name).clear()));
    await tx.done;
  });
}
