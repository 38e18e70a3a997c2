// @ts-check
/**
 * Sending a trainee's confirmations: POST /api/v1/checkins with every pending one, at
 * most MAX_CHECKIN_OPS a request. It runs when the app opens, when the check-in page
 * opens, after a confirmation is saved, and when the phone gets signal back ('online').
 * The server answers each op on its own, so a refused one never holds back the rest.
 */
import { pendingCheckins, settleAcks } from './trainee-store.js';

// The server takes at most 20 ops in one check-in request (docs/checkin.md §3).
export const MAX_CHECKIN_OPS = 20;

/**
 * @typedef {{sent: number, rejected: number, waiting: number, error: any}} SendResult
 *   `waiting`: confirmations still pending afterwards; `error`: why a request failed, or null.
 */

/** @type {Promise<any>} */
let queue = Promise.resolve();

/**
 * Send every pending confirmation. Calls made while one runs wait for it, so a second
 * call sends only what the first left pending instead of sending everything twice.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/checkin-http.js').CheckinTransport} transport
 * @param {() => number} [now]
 * @returns {Promise<SendResult>}
 */
export function sendPending(db, transport, now = Date.now) {
  const run = queue.catch(() => {}).then(() => sendOnce(db, transport, now));
  queue = run;
  return run;
}

/**
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/checkin-http.js').CheckinTransport} transport
 * @param {() => number} now
 * @returns {Promise<SendResult>}
 */
async function sendOnce(db, transport, now) {
  /** @type {SendResult} */
  const result = { sent: 0, rejected: 0, waiting: 0, error: null };
  let pending = await pendingCheckins(db);
  // Each round settles what it sent, so a drop mid-way costs only the round under way.
  for (let offset = 0; offset < pending.length; offset += MAX_CHECKIN_OPS) {
    const chunk = pending.slice(offset, offset + MAX_CHECKIN_OPS);
    try {
      const { acks } = await transport.sendCheckins(chunk.map((entry) => entry.op));
      const settled = await settleAcks(db, acks, now());
      result.sent += settled.sent;
      result.rejected += settled.rejected;
    } catch (error) {
      result.error = error;
      break;
    }
  }
  pending = await pendingCheckins(db);
  result.waiting = pending.length;
  return result;
}

/**
 * Send pending confirmations now and whenever the phone gets signal back.
 * @param {{db: import('../store/db.js').Db, transport: import('../transport/checkin-http.js').CheckinTransport,
 *   changed: () => void, target?: EventTarget}} options
 * @returns {() => void} stop listening
 */
export function startCheckinSender({ db, transport, changed, target = globalThis }) {
  const send = async () => {
    if (globalThis.navigator?.onLine === false) return;
    // Nothing pending costs no request at all: most phones never make a confirmation.
    if ((await pendingCheckins(db)).length === 0) return;
    const result = await sendPending(db, transport);
    if (result.sent || result.rejected) changed();
  };
  const onOnline = () => {
    send().catch((error) => console.error(error));
  };
  onOnline();
  target.addEventListener('online', onOnline);
  return () => target.removeEventListener('online', onOnline);
}
