// @ts-check
/**
 * A trainee's passkey: made once on their phone while it has signal, then used offline
 * to sign each confirmation. The WebAuthn glue (@simplewebauthn/browser) is loaded only
 * when a passkey is made or used, so the app's start does not carry it; the service
 * worker precaches it, so signing works with no signal.
 */
import { b64url, confirmationChallenge } from '../sync/checkin.js';

// Long enough for someone new to phones to find the fingerprint sensor or type a PIN.
const PASSKEY_TIMEOUT_MS = 120_000;

/**
 * Make a passkey for the trainee on this phone and register it with the server.
 * @param {import('../transport/checkin-http.js').CheckinTransport} transport
 * @param {{tokenText: string, traineeId: string, birthYear: number | null}} who
 * @returns {Promise<string>} the credential id (base64url) to remember
 */
export async function createTraineePasskey(transport, { tokenText, traineeId, birthYear }) {
  const answer = await transport.traineeRegisterOptions({ token: tokenText, trainee_id: traineeId, birth_year: birthYear });
  const { startRegistration } = await import('@simplewebauthn/browser');
  const credential = await startRegistration({ optionsJSON: answer.public_key });
  const done = await transport.traineeRegister({ ceremony_id: answer.ceremony_id, credential });
  return done.credential_id;
}

/**
 * Ask the passkey to sign a confirmation; the challenge is made from the confirmation's
 * own content (docs/checkin.md §2), so no server is needed and a changed field breaks it.
 * Throws when the person cancels or the passkey is not on this phone.
 * @param {{tokenText: string, sessionId: string, traineeId: string, confirmedAt: number, credentialId: string}} what
 * @returns {Promise<import('./confirm.js').AssertionJSON>}
 */
export async function signConfirmation({ tokenText, sessionId, traineeId, confirmedAt, credentialId }) {
  const challenge = b64url(await confirmationChallenge(tokenText, sessionId, traineeId, confirmedAt));
  const { startAuthentication } = await import('@simplewebauthn/browser');
  return startAuthentication({
    optionsJSON: {
      challenge,
      rpId: globalThis.location.hostname,
      allowCredentials: [{ id: credentialId, type: 'public-key' }],
      userVerification: 'preferred',
      timeout: PASSKEY_TIMEOUT_MS,
    },
  });
}
