// @ts-check
/**
 * What a trainee's phone keeps for check-in, in IndexedDB (stores of version 2, db.js):
 *
 * - `checkins`, keyed by op_id: the trainee's own confirmation ops, `pending` until the
 *   server holds them (`sent`) or refused them (`rejected`, kept with the reason so the
 *   trainee can show it to someone). Never deleted: a handful per course, and the trainee
 *   may want to show one again.
 * - `checkin_rosters`, keyed by course (or by session, when the server does not say the
 *   course): the last roster seen, so the names are there when the hall has no signal.
 * - `checkin_self`, keyed by `key`: who the phone belongs to ("me"), the passkeys it made,
 *   and the phone's own HLC and node id (a trainee's phone has no device id).
 *
 * A confirmation is "saved" only when its strict transaction completes.
 */
import { MAX_FUTURE_DRIFT_MS, parseHlc, tick } from '../sync/hlc.js';
import { derivedId, newId } from '../sync/ids.js';
import { windowBounds } from '../sync/checkin.js';
import { strictWrite } from '../store/db.js';
import { buildConfirmationOp } from './confirm.js';

/**
 * @typedef {'pending' | 'sent' | 'rejected'} CheckinState
 * @typedef {{date?: string, start_time?: string, place?: string, course_title?: string}} SessionLabel
 * @typedef {{op_id: string, op: import('./confirm.js').ConfirmationOp, state: CheckinState, made_at: number,
 *   trainee_name: string, session: SessionLabel, sent_at?: number, ack_status?: string, reason?: string}} CheckinEntry
 * @typedef {{trainee_id: string, name: string}} Me
 * @typedef {import('./roster.js').Roster} Roster
 */

// Acks that mean the server holds the op, as for the trainer's outbox (store/outbox.js).
const HELD_BY_SERVER = new Set(['applied', 'duplicate', 'conflict']);

/**
 * @param {any} source a database or a transaction holding `checkin_self`
 * @param {string} key
 */
async function getSelf(source, key) {
  const row = 'objectStore' in source ? await source.objectStore('checkin_self').get(key) : await source.get('checkin_self', key);
  return row ? row.value : undefined;
}

/**
 * @param {import('../store/db.js').Db} db
 * @param {string} key
 * @param {any} value
 */
async function putSelf(db, key, value) {
  const tx = strictWrite(db, ['checkin_self']);
  await tx.objectStore('checkin_self').put({ key, value });
  await tx.done;
}

/**
 * Who this phone belongs to, as last chosen on it.
 * @param {import('../store/db.js').Db} db
 * @returns {Promise<Me | undefined>}
 */
export function getMe(db) {
  return getSelf(db, 'me');
}

/**
 * @param {import('../store/db.js').Db} db
 * @param {Me | null} me null when the person said "not me"
 */
export function rememberMe(db, me) {
  return putSelf(db, 'me', me ?? undefined);
}

/**
 * The credential id of the passkey this phone made for the trainee, if any.
 * @param {import('../store/db.js').Db} db
 * @param {string} traineeId
 * @returns {Promise<string | undefined>}
 */
export async function passkeyFor(db, traineeId) {
  return ((await getSelf(db, 'passkeys')) ?? {})[traineeId];
}

/**
 * @param {import('../store/db.js').Db} db
 * @param {string} traineeId
 * @param {string} credentialId base64url, as the browser returned it
 */
export async function rememberPasskey(db, traineeId, credentialId) {
  const tx = strictWrite(db, ['checkin_self']);
  const store = tx.objectStore('checkin_self');
  const passkeys = (await store.get('passkeys'))?.value ?? {};
  await store.put({ key: 'passkeys', value: { ...passkeys, [traineeId]: credentialId } });
  await tx.done;
}

/**
 * Make the confirmation op and keep it on disk; resolves only once it is there.
 * A confirmation of the same trainee at the same session that is waiting or sent is
 * returned instead of a second one: tapping "confirm" twice makes one op.
 * @param {import('../store/db.js').Db} db
 * @param {{tokenText: string, token: import('../sync/checkin.js').CheckinToken, traineeId: string, traineeName: string,
 *   method: 'passkey' | 'unverified', proof: Record<string, unknown>, session?: SessionLabel}} draft
 * @param {number} nowMs
 * @returns {Promise<{entry: CheckinEntry, created: boolean}>}
 */
export async function keepConfirmation(db, draft, nowMs) {
  const tx = strictWrite(db, ['checkins', 'checkin_self']);
  try {
    const recordId = derivedId('confirmation', { session_id: draft.token.sessionId, trainee_id: draft.traineeId });
    const earlier = await tx.objectStore('checkins').index('by_record').getAll(recordId);
    const standing = earlier.find((/** @type {CheckinEntry} */ e) => e.state !== 'rejected');
    if (standing) {
      await tx.done;
      return { entry: standing, created: false };
    }
    const self = tx.objectStore('checkin_self');
    let node = (await self.get('node'))?.value;
    if (!node) {
      node = newId();
      await self.put({ key: 'node', value: node });
    }
    // A phone whose clock runs behind the trainer's would otherwise date the op before the
    // code it answers was even shown.
    const [windowStart] = windowBounds(draft.token.window);
    const floor = Math.max(nowMs, windowStart);
    const hlc = tick(usableClock((await self.get('hlc'))?.value ?? null, floor), floor, node);
    const op = buildConfirmationOp({ sessionId: draft.token.sessionId, traineeId: draft.traineeId, method: draft.method,
      proof: draft.proof, hlc, nowMs });
    await self.put({ key: 'hlc', value: hlc });
    /** @type {CheckinEntry} */
    const entry = { op_id: op.op_id, op, state: 'pending', made_at: nowMs, trainee_name: draft.traineeName, session: draft.session ?? {} };
    await tx.objectStore('checkins').add(entry);
    await tx.done;
    return { entry, created: true };
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted by the error itself.
    }
    tx.done.catch(() => {});
    throw error;
  }
}

/**
 * Confirmations not yet held by the server, oldest first.
 * @param {import('../store/db.js').Db} db
 * @returns {Promise<CheckinEntry[]>}
 */
export async function pendingCheckins(db) {
  const rows = await db.getAllFromIndex('checkins', 'by_state', 'pending');
  return rows.sort((a, b) => a.made_at - b.made_at);
}

/**
 * Every confirmation this phone made, newest first.
 * @param {import('../store/db.js').Db} db
 * @returns {Promise<CheckinEntry[]>}
 */
export async function allCheckins(db) {
  const rows = await db.getAll('checkins');
  return rows.sort((a, b) => b.made_at - a.made_at);
}

/**
 * The latest confirmation of this trainee at this session, if the phone made one.
 * @param {import('../store/db.js').Db} db
 * @param {string} sessionId
 * @param {string} traineeId
 * @returns {Promise<CheckinEntry | undefined>}
 */
export async function confirmationFor(db, sessionId, traineeId) {
  const recordId = derivedId('confirmation', { session_id: sessionId, trainee_id: traineeId });
  const rows = await db.getAllFromIndex('checkins', 'by_record', recordId);
  return rows.sort((a, b) => b.made_at - a.made_at)[0];
}

/**
 * Write down what the server said about the confirmations sent, in one transaction.
 * An ack with a verdict this app does not know leaves the op pending, to be sent again.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/checkin-http.js').Ack[]} acks
 * @param {number} nowMs
 * @returns {Promise<{sent: number, rejected: number}>}
 */
export async function settleAcks(db, acks, nowMs) {
  const tx = strictWrite(db, ['checkins']);
  const store = tx.objectStore('checkins');
  let sent = 0;
  let rejected = 0;
  for (const ack of acks) {
    /** @type {CheckinEntry | undefined} */
    const entry = await store.get(ack.op_id);
    if (!entry || entry.state !== 'pending') continue;
    if (HELD_BY_SERVER.has(ack.status)) {
      await store.put({ ...entry, state: 'sent', sent_at: nowMs, ack_status: ack.status });
      sent += 1;
    } else if (ack.status === 'rejected') {
      await store.put({ ...entry, state: 'rejected', sent_at: nowMs, ack_status: ack.status, reason: ack.reason ?? '' });
      rejected += 1;
    }
  }
  await tx.done;
  return { sent, rejected };
}

/**
 * Keep a roster fetched from the server for its course. The sessions seen before are
 * kept beside the new ones, so any session of the course finds it later with no signal.
 * @param {import('../store/db.js').Db} db
 * @param {Roster} roster
 */
export async function cacheRoster(db, roster) {
  const tx = strictWrite(db, ['checkin_rosters']);
  const store = tx.objectStore('checkin_rosters');
  /** @type {Roster | undefined} */
  const known = await store.get(roster.key);
  await store.put({ ...roster, sessions: { ...(known?.sessions ?? {}), ...roster.sessions } });
  await tx.done;
}

/**
 * The cached roster of the course a session belongs to, if this phone has seen it. Failing
 * that, a roster of the phone's owner alone, from any cached roster naming them: a trainee
 * id is the same in every course, and a new session's course is unknown with no signal.
 * @param {import('../store/db.js').Db} db
 * @param {string} sessionId
 * @param {string | null} [meId]
 * @returns {Promise<Roster | undefined>}
 */
export async function cachedRosterFor(db, sessionId, meId = null) {
  /** @type {Roster[]} */
  const rosters = await db.getAll('checkin_rosters');
  const exact = rosters.find((roster) => Object.hasOwn(roster.sessions, sessionId));
  if (exact || !meId) return exact;
  const newest = rosters.sort((a, b) => b.fetched_at - a.fetched_at);
  for (const roster of newest) {
    const me = roster.trainees.find((trainee) => trainee.id === meId);
    if (me) return { key: roster.key, sessions: {}, trainees: [me], fetched_at: roster.fetched_at };
  }
  return undefined;
}

/**
 * Whether this phone has checked someone in before: such a phone, if not enrolled, opens
 * on the trainee's start page rather than the trainer's enrolment form.
 * @param {import('../store/db.js').Db} db
 */
export async function hasCheckins(db) {
  return (await db.count('checkins')) > 0 || (await getMe(db)) !== undefined;
}

/**
 * The phone's last clock, unless it is further ahead of now than the server accepts: a clock
 * that once ran far ahead, then was set right, must not date every later confirmation.
 * @param {string | null} last
 * @param {number} nowMs
 */
function usableClock(last, nowMs) {
  const wallMs = last ? parseHlc(last)?.wallMs : undefined;
  return wallMs !== undefined && wallMs <= nowMs + MAX_FUTURE_DRIFT_MS ? last : null;
}
