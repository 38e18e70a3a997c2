// @ts-check
/**
 * A trainee's confirmation brought to the trainer's phone as a QR code, when the trainee's
 * phone has no signal: the trainer's phone keeps the op exactly as the trainee's phone made
 * it and sends it with its own next sync. Its proof (a passkey signature where there is
 * one) is judged by the server then; here it is only checked that it belongs where it is
 * scanned, so a code from another class is not silently carried along.
 */
import { decodeRelay } from '../sync/checkin.js';
import { derivedId } from '../sync/ids.js';
import { adoptOp } from '../store/outbox.js';
import { getRecord } from '../store/queries.js';

/** A scanned code that is not kept; `code` names why for the screen. */
export class RelayRefused extends Error {
  /** @param {'not_a_relay' | 'other_session' | 'not_on_roster' | 'not_found'} code */
  constructor(code) {
    super(code);
    this.name = 'RelayRefused';
    this.code = code;
  }
}

/**
 * Keep the confirmation a relay QR code carries, for the session on screen.
 * @param {import('../store/db.js').Db} db
 * @param {string} sessionId
 * @param {string} text what the QR code held
 * @param {number} nowMs
 * @returns {Promise<{traineeName: string, traineeId: string, alreadyHere: boolean}>}
 * @throws {RelayRefused} or InvalidOp when the op itself would be refused by the server
 */
export async function acceptRelay(db, sessionId, text, nowMs) {
  const op = decodeRelay(text.trim());
  if (!op) throw new RelayRefused('not_a_relay');
  if (op.fields.session_id !== sessionId) throw new RelayRefused('other_session');
  const session = await getRecord(db, 'session', sessionId);
  if (!session) throw new RelayRefused('not_found');
  const traineeId = String(op.fields.trainee_id);
  const enrolment = derivedId('enrollment', { course_id: session.fields.course_id, trainee_id: traineeId });
  const trainee = await getRecord(db, 'trainee', traineeId);
  if (!enrolment || !trainee || !(await getRecord(db, 'enrollment', enrolment))) throw new RelayRefused('not_on_roster');
  const added = await adoptOp(db, op, nowMs);
  return { traineeName: trainee.fields.full_name, traineeId, alreadyHere: !added };
}
