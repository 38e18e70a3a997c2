// @ts-check
/**
 * Hybrid logical clocks that sort as text: the PWA's copy of sync/hlc.py.
 *
 * An HLC reads `WWWWWWWWWWWWW-CCCC-NODE`: thirteen decimal digits of wall-clock
 * milliseconds, four hex digits of counter, then the device id. The first two
 * parts are fixed width, so comparing two HLC strings as text gives their causal
 * order; the device id breaks ties so no two phones ever mint the same HLC.
 * A phone whose clock is days wrong still orders correctly after one exchange,
 * because `receive` moves its clock past everything it has seen.
 */

/** @typedef {{wallMs: number, counter: number, node: string}} Hlc */

const WALL_DIGITS = 13;
const COUNTER_DIGITS = 4;
export const MAX_COUNTER = 16 ** COUNTER_DIGITS - 1;
// Earliest wall time any FieldRoll device can honestly have: 2020-01-01T00:00:00Z.
const MIN_WALL_MS = 1_577_836_800_000;
// How far ahead of the server a device clock may run before its ops are refused.
export const MAX_FUTURE_DRIFT_MS = 30 * 24 * 3600 * 1000;

// [0-9], not \d, and no `m` flag: the server refuses other digits and trailing newlines.
const HLC_RE = /^([0-9]{13})-([0-9a-f]{4})-([A-Za-z0-9_.:-]{1,64})$/;

/**
 * Read an HLC string, or return null if it is not one.
 * @param {unknown} text
 * @returns {Hlc | null}
 */
export function parseHlc(text) {
  if (typeof text !== 'string') return null;
  const match = HLC_RE.exec(text);
  if (match === null) return null;
  return { wallMs: Number(match[1]), counter: parseInt(match[2], 16), node: match[3] };
}

/**
 * Write an HLC as the text that sorts in causal order.
 * @param {Hlc} hlc
 * @returns {string}
 */
export function formatHlc({ wallMs, counter, node }) {
  const wall = String(wallMs).padStart(WALL_DIGITS, '0');
  return `${wall}-${counter.toString(16).padStart(COUNTER_DIGITS, '0')}-${node}`;
}

/**
 * Say what is wrong with an HLC sent by a device, or null if it is acceptable.
 * @param {unknown} text
 * @param {number} serverNowMs
 * @returns {string | null}
 */
export function hlcProblem(text, serverNowMs) {
  const hlc = parseHlc(text);
  if (hlc === null) {
    return 'hlc must look like 1700000000000-0000-device (13 digits, 4 hex digits, node id)';
  }
  if (hlc.wallMs < MIN_WALL_MS) return 'hlc is before 2020: the device clock is badly wrong';
  if (hlc.wallMs > serverNowMs + MAX_FUTURE_DRIFT_MS) {
    return 'hlc is more than 30 days ahead of the server clock: fix the device clock';
  }
  return null;
}

/**
 * Return the clock for a new local event after `lastText`.
 * @param {string | null} lastText
 * @param {number} nowMs
 * @param {string} node
 * @returns {string}
 */
export function tick(lastText, nowMs, node) {
  const last = lastText === null ? null : mustParse(lastText);
  if (last === null || nowMs > last.wallMs) return formatHlc({ wallMs: nowMs, counter: 0, node });
  if (last.counter < MAX_COUNTER) {
    return formatHlc({ wallMs: last.wallMs, counter: last.counter + 1, node });
  }
  // Counter exhausted within one millisecond: borrow the next millisecond.
  return formatHlc({ wallMs: last.wallMs + 1, counter: 0, node });
}

/**
 * Return the clock after seeing `remoteText`, so later local events sort after it.
 * @param {string | null} lastText
 * @param {string} remoteText
 * @param {number} nowMs
 * @param {string} node
 * @returns {string}
 */
export function receive(lastText, remoteText, nowMs, node) {
  const last = lastText === null ? null : mustParse(lastText);
  const remote = mustParse(remoteText);
  const wallMs = Math.max(nowMs, remote.wallMs, last ? last.wallMs : 0);
  let counter = 0;
  if (last !== null && wallMs === last.wallMs && wallMs === remote.wallMs) {
    counter = Math.max(last.counter, remote.counter) + 1;
  } else if (last !== null && wallMs === last.wallMs) {
    counter = last.counter + 1;
  } else if (wallMs === remote.wallMs) {
    counter = remote.counter + 1;
  }
  if (counter > MAX_COUNTER) return formatHlc({ wallMs: wallMs + 1, counter: 0, node });
  return formatHlc({ wallMs, counter, node });
}

/**
 * Parse a clock this device relies on; a malformed one is a bug, not user input.
 * @param {string} text
 * @returns {Hlc}
 */
function mustParse(text) {
  const hlc = parseHlc(text);
  if (hlc === null) throw new TypeError(`not an HLC: ${JSON.stringify(text)}`);
  return hlc;
}
