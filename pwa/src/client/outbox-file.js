// @ts-check
/**
 * The outbox saved to a file, for when sync is impossible: the trainer sends it by Zalo
 * or USB and a coordinator uploads it. The server applies it exactly as a sync.
 *
 * The payload is signed with HMAC-SHA-256 keyed by the SHA-256 of the device token. The
 * server keeps only that digest, so it can check the file came from this phone and was
 * not changed on the way, and the token itself never leaves the phone.
 */
import { allPending } from '../store/outbox.js';
import { getEnrolment } from '../store/meta.js';

export const OUTBOX_FILE_FORMAT = 'fieldroll-outbox';
export const OUTBOX_FILE_VERSION = 1;

/** @param {ArrayBuffer} buffer */
const toHex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Sign `payload` the way the server checks it.
 * @param {string} token
 * @param {string} payload
 */
export async function signPayload(token, payload) {
  const encoder = new TextEncoder();
  const keyBytes = await crypto.subtle.digest('SHA-256', encoder.encode(token));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(payload)));
}

/**
 * Build the file for every unsent op; null when nothing is unsent.
 * @param {import('../store/db.js').Db} db
 * @param {string} appVersion
 * @param {number} nowMs
 * @returns {Promise<{name: string, text: string, count: number} | null>}
 */
export async function makeOutboxFile(db, appVersion, nowMs) {
  const enrolment = await getEnrolment(db);
  const entries = await allPending(db);
  if (!enrolment || entries.length === 0) return null;
  const payload = JSON.stringify({
    device_id: enrolment.device_id, created_at_ms: nowMs, app_version: appVersion,
    ops: entries.map((entry) => entry.op),
  });
  const file = { format: OUTBOX_FILE_FORMAT, version: OUTBOX_FILE_VERSION, payload,
    signature: await signPayload(enrolment.token, payload) };
  const stamp = new Date(nowMs).toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const who = enrolment.user.name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return { name: `fieldroll-${who}-${stamp}.json`, text: JSON.stringify(file), count: entries.length };
}
