// @ts-check
/**
 * The phone's clock as the server sees it. A trainer's check-in code changes every three
 * minutes and the server judges it by its own clock, so the phone shows the code for its
 * own time corrected by the offset it measured at its last sync: a phone whose clock was
 * reset by a flat battery still shows a code the server accepts.
 *
 * The offset is measured from the reply's `server_hlc` only when that clock is the server's
 * own (node `server`): the server hands out the greatest HLC it has accepted when that is
 * later than its own time, and a device with a fast clock would then drag every trainer's
 * offset ahead with it. In that case the last good offset is kept.
 */
import { parseHlc } from '../sync/hlc.js';
import { getMeta, setMeta } from './meta.js';

export const CLOCK_OFFSET_KEY = 'clock_offset';
// The node the server stamps its own clock with (server/sync_api/push.py SERVER_NODE).
const SERVER_NODE = 'server';

/** @typedef {{offsetMs: number, measuredAt: number}} ClockOffset */

/**
 * The server's clock minus this phone's, from one reply, or null when it cannot tell.
 * @param {unknown} serverHlc
 * @param {number} nowMs the phone's clock when the reply arrived
 * @returns {number | null}
 */
export function offsetFrom(serverHlc, nowMs) {
  const hlc = parseHlc(serverHlc);
  return hlc && hlc.node === SERVER_NODE ? hlc.wallMs - nowMs : null;
}

/**
 * Keep the offset a reply shows, inside the caller's transaction (the reply's own).
 * @param {any} tx a read-write transaction holding `meta`
 * @param {string} serverHlc
 * @param {number} nowMs
 */
export async function keepClockOffset(tx, serverHlc, nowMs) {
  const offsetMs = offsetFrom(serverHlc, nowMs);
  if (offsetMs !== null) await setMeta(tx, CLOCK_OFFSET_KEY, { offsetMs, measuredAt: nowMs });
}

/**
 * The last measured offset, 0 before the first sync.
 * @param {any} source a database or a transaction holding `meta`
 * @returns {Promise<number>}
 */
export async function getClockOffset(source) {
  /** @type {ClockOffset | undefined} */
  const kept = await getMeta(source, CLOCK_OFFSET_KEY);
  return kept?.offsetMs ?? 0;
}
