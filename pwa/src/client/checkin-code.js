// @ts-check
/**
 * The check-in code a trainer's phone shows, made with no signal: the session's token for
 * the time window the server is in now, by this phone's clock corrected with the offset
 * measured at the last sync (store/clock.js), as the URL a phone camera opens.
 */
import { makeCheckinToken, windowBounds, windowOf } from '../sync/checkin.js';

/**
 * @param {string} secret the session's `checkin_secret`, from the pull
 * @param {string} sessionId
 * @param {number} localNowMs this phone's clock
 * @param {number} offsetMs the server's clock minus this phone's, at the last sync
 * @returns {Promise<{token: string, window: number, endsAtMs: number}>} endsAtMs: on the corrected clock
 */
export async function checkinCode(secret, sessionId, localNowMs, offsetMs) {
  const window = windowOf(localNowMs + offsetMs);
  return { token: await makeCheckinToken(secret, sessionId, window), window, endsAtMs: windowBounds(window)[1] };
}

/**
 * The address in the QR code: it opens the app's check-in page on the trainee's phone.
 * @param {string} origin
 * @param {string} token
 */
export function checkinUrl(origin, token) {
  return `${origin}/#/checkin/${token}`;
}
