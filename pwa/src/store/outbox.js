// @ts-check
/**
 * The outbox: every op the trainer made that the server has not acknowledged yet.
 *
 * A tap becomes an op and lands in the outbox and the view in one strict transaction;
 * only when that transaction completes does the screen say "saved". An op leaves the
 * outbox only when an ack for it arrives, and the ack, the pulled changes and the new
 * cursor are written together, so a dropped connection at any moment loses nothing and
 * resends only what was not acknowledged.
 */
import { opKey } from '../sync/compact.js';
import { MAX_FUTURE_DRIFT_MS, parseHlc, receive, tick } from '../sync/hlc.js';
import { makeOp, opProblem } from '../sync/ops.js';
import { keepClockOffset } from './clock.js';
import { strictWrite } from './db.js';
import { getEnrolment, getMeta, setMeta, updateSyncStatus } from './meta.js';
import { pullEpoch, sweepIfDone } from './scope-sweep.js';
import { applyChanges, refreshView } from './view.js';

/**
 * A change to make. `baseRev` says the change was made having seen the record at that rev
 * (a coordinator's choice in a conflict names the conflict's rev, so the server knows the
 * choice saw both values); the greater of it and the rev pulled to this phone is sent.
 * @typedef {{entity: string, id: string, kind: 'upsert' | 'delete', fields?: Record<string, any>,
 *   baseRev?: number}} Draft
 */
/** @typedef {{seq: number, op: any, made_at: number}} Entry */

// Acks that mean the server holds the op; anything else keeps it for the next sync.
const HELD_BY_SERVER = new Set(['applied', 'duplicate', 'conflict']);

/** A tap the rules refuse; `code` is `clock_wrong` when the phone's clock is the cause. */
export class InvalidOp extends Error {
  /** @param {string} reason */
  constructor(reason) {
    super(reason);
    this.name = 'InvalidOp';
    this.code = reason.startsWith('hlc') ? 'clock_wrong' : 'invalid_op';
  }
}

/** The reply was for another enrolment of this phone (it was signed out or enrolled again meanwhile). */
export class StaleReply extends Error {
  constructor() {
    super('the phone was enrolled again while this sync ran');
    this.name = 'StaleReply';
  }
}

/**
 * Turn drafts into ops and keep them: on disk when the promise resolves.
 * Refuses the whole set, writing nothing, if any op would be rejected by the rules.
 * @param {import('./db.js').Db} db
 * @param {string} node this device's id, the HLC node
 * @param {Draft[]} drafts
 * @param {number} nowMs
 * @returns {Promise<any[]>} the ops written
 */
export async function recordOps(db, node, drafts, nowMs) {
  const tx = strictWrite(db);
  try {
    let last = (await getMeta(tx, 'hlc')) ?? null;
    const enrolment = await getEnrolment(tx);
    const key = enrolment ? opKey(enrolment.token) : null;
    const ops = [];
    for (const draft of drafts) {
      last = tick(last, nowMs, node);
      const base = await tx.objectStore('records').get([draft.entity, draft.id]);
      const { baseRev: seen, ...change } = draft;
      const revs = [base?.rev, seen].filter((rev) => typeof rev === 'number');
      const op = makeOp({ ...change, hlc: last, baseRev: revs.length ? Math.max(...revs) : undefined, opKey: key });
      // The clock may have been reset (flat battery) while the HLC kept the time last seen
      // from the server: judge "too far ahead" against that, as the server will.
      const problem = opProblem(op, Math.max(nowMs, parseHlc(last)?.wallMs ?? 0));
      if (problem) throw new InvalidOp(problem);
      await tx.objectStore('outbox').add({ op, made_at: nowMs });
      await refreshView(tx, op.entity, op.id);
      ops.push(op);
    }
    await setMeta(tx, 'hlc', last);
    await tx.done;
    return ops;
  } catch (error) {
    abortQuietly(tx);
    throw error;
  }
}

/**
 * Keep an op made on another phone (a trainee's confirmation shown as a QR code), exactly
 * as it was made: same op id, clock and fields, so the server counts it once however many
 * ways it arrives. An op already in the outbox is not kept twice. On disk when it resolves.
 * @param {import('./db.js').Db} db
 * @param {any} op
 * @param {number} nowMs
 * @returns {Promise<boolean>} false when the op was already waiting here
 */
export async function adoptOp(db, op, nowMs) {
  const tx = strictWrite(db);
  try {
    const last = parseHlc((await getMeta(tx, 'hlc')) ?? null);
    const problem = opProblem(op, Math.max(nowMs, last?.wallMs ?? 0));
    if (problem) throw new InvalidOp(problem);
    const waiting = await tx.objectStore('outbox').index('by_record').getAll([op.entity, op.id]);
    if (waiting.some((/** @type {Entry} */ entry) => entry.op.op_id === op.op_id)) {
      await tx.done;
      return false;
    }
    // A copy: the caller's object must not become the stored op by reference.
    await tx.objectStore('outbox').add({ op: structuredClone(op), made_at: nowMs });
    await refreshView(tx, op.entity, op.id);
    await tx.done;
    return true;
  } catch (error) {
    abortQuietly(tx);
    throw error;
  }
}

/** @param {any} tx */
function abortQuietly(tx) {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted by the error itself.
  }
  tx.done.catch(() => {});
}

/**
 * How many ops wait to be sent.
 * @param {import('./db.js').Db} db
 */
export function pendingCount(db) {
  return db.count('outbox');
}

/**
 * Every unsent op, oldest first: for saving the outbox to a file.
 * @param {import('./db.js').Db} db
 * @returns {Promise<Entry[]>}
 */
export function allPending(db) {
  return db.getAll('outbox');
}

/**
 * The oldest unsent ops, at most `maxOps` and about `maxBytes` of JSON, at least one.
 * @param {import('./db.js').Db} db
 * @param {number} maxOps
 * @param {number} maxBytes
 * @returns {Promise<Entry[]>}
 */
export async function nextChunk(db, maxOps, maxBytes) {
  const chunk = [];
  let bytes = 0;
  let cursor = await db.transaction('outbox').store.openCursor();
  while (cursor && chunk.length < maxOps) {
    const size = JSON.stringify(cursor.value.op).length;
    if (chunk.length > 0 && bytes + size > maxBytes) break;
    chunk.push(cursor.value);
    bytes += size;
    cursor = await cursor.continue();
  }
  return chunk;
}

/**
 * Write one sync reply: drop acknowledged ops, keep refused ones with their reason,
 * store pulled changes, the cursor and the clock, all in one transaction, or none of it.
 * @param {import('./db.js').Db} db
 * @param {string} node the device the reply was asked for
 * @param {Entry[]} sent
 * @param {{acks: any[], changes: any[], cursor: string, more: boolean, restarted?: boolean, server_hlc: string}} reply
 * @param {number} nowMs
 */
export async function settleReply(db, node, sent, reply, nowMs) {
  const byOpId = new Map(sent.map((entry) => [entry.op.op_id, entry]));
  const tx = strictWrite(db);
  try {
    if ((await getMeta(tx, 'enrolment'))?.device_id !== node) throw new StaleReply();
    const touched = new Map();
    /** @type {Promise<unknown>[]} */
    const writes = [];
    // An ack without an op id answers an op sent compact: acks come one per op, in order.
    const inOrder = reply.acks.length === sent.length;
    for (const [i, ack] of reply.acks.entries()) {
      const entry = 'op_id' in ack ? byOpId.get(ack.op_id) : inOrder ? sent[i] : undefined;
      if (!entry || !(HELD_BY_SERVER.has(ack.status) || ack.status === 'rejected')) continue;
      writes.push(tx.objectStore('outbox').delete(entry.seq));
      if (ack.status === 'rejected') {
        writes.push(tx.objectStore('rejections').put({ op: entry.op, reason: ack.reason ?? '', at: nowMs }));
      }
      touched.set(`${entry.op.entity}/${entry.op.id}`, entry.op);
    }
    await Promise.all(writes);
    const epoch = await pullEpoch(tx, reply);
    await applyChanges(tx, reply.changes, epoch);
    for (const change of reply.changes) touched.delete(`${change.entity}/${change.id}`);
    for (const op of touched.values()) await refreshView(tx, op.entity, op.id);
    await sweepIfDone(tx, reply, epoch);
    await setMeta(tx, 'cursor', reply.cursor);
    await setMeta(tx, 'hlc', clockAfterReply((await getMeta(tx, 'hlc')) ?? null, reply.server_hlc, nowMs, node));
    await keepClockOffset(tx, reply.server_hlc, nowMs);
    await updateSyncStatus(tx, { lastSyncedAt: nowMs, lastError: null });
    await tx.done;
  } catch (error) {
    abortQuietly(tx);
    throw error;
  }
}

/**
 * The clock to keep after a reply: `receive`, except on a phone whose clock runs more than the
 * allowed drift ahead of everything the server has (its time and every HLC it accepted, both
 * in `server_hlc`). Every op such a clock mints is refused, and keeping it would go on minting
 * them after the trainer sets the clock right, until real time caught up weeks later. So the
 * phone keeps `server_hlc` instead, which still sorts after every op the server holds; its
 * taps are stamped with its own clock again when they are made, refused while it is wrong.
 * @param {string | null} last
 * @param {string} serverHlc
 * @param {number} nowMs
 * @param {string} node
 */
function clockAfterReply(last, serverHlc, nowMs, node) {
  const next = receive(last, serverHlc, nowMs, node);
  const beyondReach = /** @type {import('../sync/hlc.js').Hlc} */ (parseHlc(serverHlc)).wallMs + MAX_FUTURE_DRIFT_MS;
  return (parseHlc(next)?.wallMs ?? 0) > beyondReach ? receive(null, serverHlc, 0, node) : next;
}
