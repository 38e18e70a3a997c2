// @ts-check
/**
 * This phone as a FieldRoll device: enrolling it, getting it ready for offline work,
 * and forgetting it, which is refused while anything is unsent.
 */
import { clearStore, strictWrite } from '../store/db.js';
import { getEnrolment, setMeta, updateSyncStatus } from '../store/meta.js';
import { pendingCount } from '../store/outbox.js';

/** Refused because unsent work would be lost. */
export class UnsentWork extends Error {
  /** @param {number} pending */
  constructor(pending) {
    super(`${pending} unsent`);
    this.name = 'UnsentWork';
    this.pending = pending;
  }
}

/**
 * Redeem a one-time code and keep the token. A phone holding unsent ops of another
 * enrolment must sync them (or save them to a file) first.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/http.js').Transport} transport
 * @param {string} code
 * @param {{label: string, appVersion: string}} about
 */
export async function enrolDevice(db, transport, code, { label, appVersion }) {
  const pending = await pendingCount(db);
  if (pending > 0) throw new UnsentWork(pending);
  const answer = await transport.enrol(code.trim(), label, appVersion);
  await clearStore(db);
  const tx = strictWrite(db);
  await setMeta(tx, 'enrolment', { device_id: answer.device_id, token: answer.token, user: answer.user });
  await tx.done;
  return answer.user;
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
 */
export async function signOut(db) {
  const pending = await pendingCount(db);
  if (pending > 0) throw new UnsentWork(pending);
  await clearStore(db);
}

/**
 * @param {import('../store/db.js').Db} db
 */
export async function isEnrolled(db) {
  return (await getEnrolment(db)) !== undefined;
}
