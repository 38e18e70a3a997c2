// @ts-check
/**
 * Passkeys for trainers and coordinators: made while online on an enrolled phone, then
 * used to sign in on a new phone or computer with no enrolment code. Signing in ends the
 * same way as redeeming a code (adoptDeviceToken): the same rules about unsent work, and
 * a device token that keeps working offline.
 *
 * The browser's WebAuthn calls go through @simplewebauthn/browser, which turns the
 * server's JSON options into what navigator.credentials wants and the answer back to JSON.
 * Both are passed in so the tests can stand in for an authenticator.
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { getEnrolment } from '../store/meta.js';
import { adoptDeviceToken } from './device.js';
import { browserLocks } from './sync-lock.js';

const BROWSER = { startAuthentication, startRegistration };

/** Whether this browser can make and use passkeys at all. */
export function passkeysSupported() {
  return browserSupportsWebAuthn();
}

/**
 * Make a passkey for the person this phone is enrolled for, and register it.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/http.js').Transport} transport
 * @param {{webauthn?: Pick<typeof BROWSER, 'startRegistration'>}} [options]
 * @returns {Promise<{credential_id: string}>}
 */
export async function createPasskey(db, transport, { webauthn = BROWSER } = {}) {
  const enrolment = await getEnrolment(db);
  if (!enrolment) throw Object.assign(new Error('this phone is not enrolled'), { code: 'not_enrolled' });
  const { ceremony_id: ceremonyId, public_key: optionsJSON } = await transport.passkeyRegisterOptions(enrolment.token);
  const credential = await webauthn.startRegistration({ optionsJSON });
  return transport.passkeyRegister(enrolment.token, { ceremony_id: ceremonyId, credential });
}

/**
 * Sign in with a passkey the phone (or the person's synced passkeys) holds, and enrol this
 * phone with the device token the server gives for it.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/http.js').Transport} transport
 * @param {{label: string, appVersion: string, locks?: any,
 *   webauthn?: Pick<typeof BROWSER, 'startAuthentication'>}} about
 */
export async function signInWithPasskey(db, transport, { label, appVersion, locks = browserLocks(), webauthn = BROWSER }) {
  const { ceremony_id: ceremonyId, public_key: optionsJSON } = await transport.passkeyLoginOptions();
  // No allowCredentials: the phone offers whichever of its passkeys are for this server.
  const credential = await webauthn.startAuthentication({ optionsJSON });
  const answer = await transport.passkeyLogin({ ceremony_id: ceremonyId, credential, label, app_version: appVersion });
  return adoptDeviceToken(db, answer, locks);
}

/**
 * What went wrong on the phone itself, or null when the failure came from elsewhere (the
 * server, the network). `cancelled`: the person closed the prompt or it timed out, which
 * needs no alarm; `unsupported`: this browser or address cannot use passkeys.
 * @param {any} error what startRegistration or startAuthentication threw
 * @returns {'cancelled' | 'unsupported' | null}
 */
export function passkeyFailure(error) {
  // @simplewebauthn/browser keeps the browser's error name, and the error itself as `cause`.
  const name = error?.cause?.name ?? error?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') return 'cancelled';
  if (name === 'NotSupportedError' || name === 'SecurityError') return 'unsupported';
  return null;
}
