// @ts-check
/**
 * Trainee check-in: rotating check-in tokens, what a confirmation signs, and the relay format.
 *
 * The PWA's copy of sync/checkin.py, held to it by tests/vectors/checkin.json. A trainer's
 * phone makes a token offline from the session's secret (sent in the pull) and the current
 * time window; the trainee's phone signs a challenge made from that token and what the
 * confirmation says, or shows the op as a relay QR code when it has no signal.
 * Hashing uses WebCrypto, which browsers give only to secure pages (https or localhost).
 */

import { derivedId, isUuid } from './ids.js';
import { isJsonObject } from './ops.js';

export const CHECKIN_TOKEN_TTL_S = 180;
export const CHECKIN_TOKEN_TTL_MS = CHECKIN_TOKEN_TTL_S * 1000;
// Scanning, finding one's name and confirming takes a first-time smartphone user minutes.
export const CHECKIN_GRACE_S = 15 * 60;
// The trainee's phone clock may run a little behind the trainer's.
export const CHECKIN_CLOCK_SKEW_S = 2 * 60;
export const RELAY_PREFIX = 'FRC1:';
const MAC_BYTES = 16;
const RELAY_KEYS = ['f', 'h', 'o'];

// [0-9], no `m` flag and no leading zeros in the window, as the server reads tokens.
const TOKEN_RE = /^([0-9a-f-]{36})\.(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{22})$/;
const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/**
 * @typedef {{sessionId: string, window: number, mac: string}} CheckinToken
 * @typedef {{op_id: unknown, hlc: unknown, fields: Record<string, unknown>}} RelayedOp
 *   What a relay carries; op_id and hlc are checked later, like any op (opProblem).
 * @typedef {{op_id: unknown, entity: 'confirmation', id: string, hlc: unknown,
 *   kind: 'upsert', fields: Record<string, unknown>}} ConfirmationOp
 */

/**
 * Return the token window holding the moment `nowMs`.
 * @param {number} nowMs
 * @returns {number}
 */
export function windowOf(nowMs) {
  if (!Number.isFinite(nowMs)) throw new RangeError(`not a time: ${nowMs}`);
  // Exact as Python's // for every safe integer: below 2^53 a quotient is under 2^36, where
  // doubles are finer than 1/180000, so the division never rounds up to the next window.
  return Math.floor(nowMs / CHECKIN_TOKEN_TTL_MS);
}

/**
 * Return when a window starts and ends (end exclusive), in ms since the epoch.
 * @param {number} window
 * @returns {[number, number]}
 */
export function windowBounds(window) {
  return [window * CHECKIN_TOKEN_TTL_MS, (window + 1) * CHECKIN_TOKEN_TTL_MS];
}

/**
 * Make the session's token for one window from its base64url secret, as the QR code shows it.
 * @param {string} secret
 * @param {string} sessionId
 * @param {number} window
 * @returns {Promise<string>}
 */
export async function makeCheckinToken(secret, sessionId, window) {
  return tokenText({ sessionId, window, mac: await checkinMac(secret, sessionId, window) });
}

/**
 * Read a token as the QR code carries it, or null if it is not one.
 * @param {unknown} text
 * @returns {CheckinToken | null}
 */
export function parseCheckinToken(text) {
  const match = typeof text === 'string' ? TOKEN_RE.exec(text) : null;
  if (match === null || !isUuid(match[1])) return null;
  return { sessionId: match[1], window: Number(match[2]), mac: match[3] };
}

/**
 * Write a token as the QR code carries it.
 * @param {CheckinToken} token
 * @returns {string}
 */
export function tokenText({ sessionId, window, mac }) {
  return `${sessionId}.${window}.${mac}`;
}

/**
 * Tell whether the token was made with the session's secret.
 * @param {string} secret
 * @param {CheckinToken} token
 * @returns {Promise<boolean>}
 */
export async function tokenIsGenuine(secret, token) {
  return (await checkinMac(secret, token.sessionId, token.window)) === token.mac;
}

/**
 * Say why a confirmation made at `confirmedAt` is outside its token's time, or null.
 * @param {CheckinToken} token
 * @param {number} confirmedAt
 * @returns {string | null}
 */
export function timingProblem(token, confirmedAt) {
  const [start, end] = windowBounds(token.window);
  if (confirmedAt < start - CHECKIN_CLOCK_SKEW_S * 1000) {
    return 'the confirmation is dated before its check-in code was shown';
  }
  const lateMs = confirmedAt - end;
  if (lateMs > CHECKIN_GRACE_S * 1000) {
    return `expired: confirmed ${Math.floor(lateMs / 60_000)} minutes after the check-in code changed`;
  }
  return null;
}

/**
 * Return the text a trainee's passkey signs: the token and what the confirmation says.
 * @param {CheckinToken | string} token  parsed, or its text as the QR code carried it
 * @param {string} sessionId
 * @param {string} traineeId
 * @param {number} confirmedAt
 * @returns {string}
 */
export function confirmationContent(token, sessionId, traineeId, confirmedAt) {
  const text = typeof token === 'string' ? token : tokenText(token);
  return `fieldroll-confirmation-v1\n${text}\n${sessionId}\n${traineeId}\n${confirmedAt}`;
}

/**
 * Return the WebAuthn challenge for a confirmation: SHA-256 of its content.
 * @param {CheckinToken | string} token
 * @param {string} sessionId
 * @param {string} traineeId
 * @param {number} confirmedAt
 * @returns {Promise<Uint8Array>}
 */
export async function confirmationChallenge(token, sessionId, traineeId, confirmedAt) {
  return sha256(confirmationContent(token, sessionId, traineeId, confirmedAt));
}

/**
 * Return the short digest a roster carries instead of the birth year itself.
 *
 * A light check against picking the wrong name, not a secret: there are only about a
 * hundred birth years to try.
 * @param {string} traineeId
 * @param {number} birthYear
 * @returns {Promise<string>}
 */
export async function birthYearCheck(traineeId, birthYear) {
  const digest = await sha256(`fieldroll-birth-year-v1:${traineeId}:${birthYear}`);
  return Array.from(digest.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Write a trainee's confirmation op as the text of the QR code a trainer's phone scans.
 *
 * Entity, id and kind follow from the fields, so only the rest travels. The JSON is the
 * server's byte for byte: compact, keys sorted by code point at every level.
 * @param {RelayedOp} op
 * @returns {string}
 */
export function encodeRelay(op) {
  return RELAY_PREFIX + canonicalJson({ o: op.op_id, h: op.hlc, f: op.fields });
}

/**
 * Rebuild the confirmation op a relay QR code carries, or null if it is not one.
 * @param {unknown} text
 * @returns {ConfirmationOp | null}
 */
export function decodeRelay(text) {
  if (typeof text !== 'string' || !text.startsWith(RELAY_PREFIX)) return null;
  /** @type {unknown} */
  let body;
  try {
    body = JSON.parse(text.slice(RELAY_PREFIX.length));
  } catch {
    return null;
  }
  if (!isJsonObject(body)) return null;
  const keys = Object.keys(body).sort();
  if (keys.length !== RELAY_KEYS.length || keys.some((key, i) => key !== RELAY_KEYS[i])) return null;
  const fields = body.f;
  if (!isJsonObject(fields) || !isUuid(fields.session_id) || !isUuid(fields.trainee_id)) return null;
  const id = derivedId('confirmation', fields);
  if (id === null) return null;
  return { op_id: body.o, entity: 'confirmation', id, hlc: body.h, kind: 'upsert', fields };
}

/**
 * @param {string} secret
 * @param {string} sessionId
 * @param {number} window
 * @returns {Promise<string>}
 */
async function checkinMac(secret, sessionId, window) {
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', b64urlDecode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const message = new TextEncoder().encode(`fieldroll-checkin-v1:${sessionId}:${window}`);
  const mac = new Uint8Array(await subtle.sign('HMAC', key, message));
  return b64url(mac.subarray(0, MAC_BYTES));
}

/**
 * @param {string} text
 * @returns {Promise<Uint8Array>}
 */
async function sha256(text) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/**
 * Base64url without padding.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function b64url(bytes) {
  const binary = Array.from(bytes, (byte) => String.fromCharCode(byte)).join('');
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Read base64url with or without padding; throw on anything else.
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function b64urlDecode(text) {
  const bare = text.replace(/={0,2}$/, '');
  if (!B64URL_RE.test(bare) || bare.length % 4 === 1) throw new TypeError('not base64url');
  const binary = atob(bare.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/**
 * Write JSON as Python's json.dumps(ensure_ascii=False, separators=(",", ":"), sort_keys=True).
 *
 * Not JSON.stringify of a sorted copy: objects list integer-like keys ("9", "10") first
 * whatever the insertion order, and sort() compares UTF-16 units where Python compares
 * code points. Strings escape alike in both (control characters as \u00XX, the rest as is).
 * @param {unknown} value
 * @returns {string}
 */
function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // Python writes a float 1.0 as "1.0"; a relay carries only whole numbers, and those agree.
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  throw new TypeError(`${typeof value} is not JSON`);
}

/**
 * Order strings as Python does: by code point, so an emoji sorts after U+FF01.
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
function byCodePoint(a, b) {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const diff = /** @type {number} */ (left[i].codePointAt(0)) - /** @type {number} */ (right[i].codePointAt(0));
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}
