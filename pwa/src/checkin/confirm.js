// @ts-check
/**
 * The trainee's confirmation "I attended this session" as an op (docs/checkin.md §2):
 * what it holds, when a check-in code is too old to answer, and the proof a passkey adds.
 * Pure, apart from the passkey prompt in passkey.js.
 */
import { CHECKIN_GRACE_S, windowBounds } from '../sync/checkin.js';
import { parseHlc } from '../sync/hlc.js';
import { derivedId, newId } from '../sync/ids.js';
import { opProblem } from '../sync/ops.js';

/**
 * @typedef {{op_id: string, entity: 'confirmation', id: string, hlc: string, kind: 'upsert',
 *   fields: {session_id: string, trainee_id: string, method: 'passkey' | 'unverified', proof: Record<string, unknown>}}} ConfirmationOp
 * @typedef {{id: string, rawId?: string, response: {authenticatorData: string, clientDataJSON: string, signature: string}}} AssertionJSON
 *   What @simplewebauthn/browser's startAuthentication returns (base64url strings).
 */

/** A confirmation the rules would refuse: a bug or a badly wrong clock, never the trainee's fault. */
export class InvalidConfirmation extends Error {
  /** @param {string} reason */
  constructor(reason) {
    super(reason);
    this.name = 'InvalidConfirmation';
    this.code = reason.startsWith('hlc') ? 'clock_wrong' : 'invalid_op';
  }
}

/**
 * When the confirmation says it was made. Never before the code's window opened: the
 * trainee scanned the code, so a phone clock saying otherwise is behind, and the server
 * would call such a confirmation "dated before its code was shown".
 * @param {import('../sync/checkin.js').CheckinToken} token
 * @param {number} nowMs
 */
export function confirmationTime(token, nowMs) {
  return Math.max(Math.round(nowMs), windowBounds(token.window)[0]);
}

/**
 * Whether the code is too old to confirm with: the server would judge the confirmation
 * "expired", so the trainee should scan the trainer's current code instead.
 * @param {import('../sync/checkin.js').CheckinToken} token
 * @param {number} nowMs
 */
export function isExpired(token, nowMs) {
  return nowMs - windowBounds(token.window)[1] > CHECKIN_GRACE_S * 1000;
}

/**
 * The proof of a confirmation without a passkey.
 * @param {string} tokenText the token exactly as the QR code carried it
 * @param {number} confirmedAt
 */
export function plainProof(tokenText, confirmedAt) {
  return { token: tokenText, confirmed_at: confirmedAt };
}

/**
 * The proof of a passkey confirmation: the plain proof and the assertion as the browser
 * returned it (base64url), which the server checks against a challenge it rebuilds.
 * @param {string} tokenText
 * @param {number} confirmedAt
 * @param {AssertionJSON} assertion
 */
export function passkeyProof(tokenText, confirmedAt, assertion) {
  return {
    ...plainProof(tokenText, confirmedAt),
    credential_id: assertion.rawId ?? assertion.id,
    authenticator_data: assertion.response.authenticatorData,
    client_data_json: assertion.response.clientDataJSON,
    signature: assertion.response.signature,
  };
}

/**
 * Build the confirmation op and check it as the server will; throws InvalidConfirmation.
 * @param {{sessionId: string, traineeId: string, method: 'passkey' | 'unverified',
 *   proof: Record<string, unknown>, hlc: string, nowMs: number}} draft
 * @returns {ConfirmationOp}
 */
export function buildConfirmationOp({ sessionId, traineeId, method, proof, hlc, nowMs }) {
  const fields = { session_id: sessionId, trainee_id: traineeId, method, proof: { ...proof } };
  const id = derivedId('confirmation', fields);
  if (id === null) throw new InvalidConfirmation('confirmation has no derived id');
  /** @type {ConfirmationOp} */
  const op = { op_id: newId(), entity: 'confirmation', id, hlc, kind: 'upsert', fields };
  // Judge "too far ahead" against the later of the clock and the HLC, as outbox.js does.
  const problem = opProblem(op, Math.max(nowMs, parseHlc(hlc)?.wallMs ?? 0));
  if (problem) throw new InvalidConfirmation(problem);
  return op;
}
