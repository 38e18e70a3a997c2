// @ts-check
/**
 * What a trainer's taps do to the working copy. Each resolves only once the tap is
 * on disk, so a screen may say "saved" when it resolves and not before.
 */
import { derivedId, newId } from '../sync/ids.js';
import { getEnrolment } from '../store/meta.js';
import { recordOps } from '../store/outbox.js';

/**
 * Write drafts to the outbox as this phone's ops, tell the screens, and nudge the sync.
 * @param {import('./hooks.js').AppServices} services
 * @param {import('../store/outbox.js').Draft[]} drafts
 */
export async function save(services, drafts) {
  const enrolment = await getEnrolment(services.db);
  if (!enrolment) throw Object.assign(new Error('this phone is not enrolled'), { code: 'not_enrolled' });
  const ops = await recordOps(services.db, enrolment.device_id, drafts, Date.now());
  services.changed();
  services.scheduler.afterTap();
  return ops;
}

/**
 * @param {string} entity
 * @param {Record<string, any>} fields
 */
function upsertDerived(entity, fields) {
  const id = derivedId(entity, fields);
  if (!id) throw new Error(`${entity} has no natural key`);
  return { entity, id, kind: /** @type {const} */ ('upsert'), fields };
}

/**
 * Mark one trainee's attendance at a session.
 * @param {import('./hooks.js').AppServices} services
 * @param {string} sessionId
 * @param {string} traineeId
 * @param {'present' | 'late' | 'absent' | 'excused'} status
 * @param {number} [seenRev] the rev of a conflict about this mark the trainer was shown: the
 *   tap answers it (docs/protocol.md §9.5), so the server can close it
 */
export function markAttendance(services, sessionId, traineeId, status, seenRev) {
  const draft = upsertDerived('attendance', { session_id: sessionId, trainee_id: traineeId, status });
  return save(services, [seenRev === undefined ? draft : { ...draft, baseRev: seenRev }]);
}

/**
 * Record one change to a trainee's checklist skill: the level (0-3) reached, or the note.
 * Only that field is sent, beside the skill's natural key: a level tapped on one phone and
 * a note typed on another then both stand, instead of each rewriting the other's field
 * from what its screen last showed (and the server calling it a conflict). A note alone
 * needs a level already there, as a new skill check must have one: the checklist keeps the
 * note field closed until then.
 * @param {import('./hooks.js').AppServices} services
 * @param {string} courseId
 * @param {string} traineeId
 * @param {string} skillCode
 * @param {{level: number} | {note: string}} change
 */
export function checkSkill(services, courseId, traineeId, skillCode, change) {
  const fields = { course_id: courseId, trainee_id: traineeId, skill_code: skillCode, ...change };
  return save(services, [upsertDerived('skill_check', fields)]);
}

/**
 * A walk-in: a new trainee, enrolled in the course and present at the session, in one save.
 * @param {import('./hooks.js').AppServices} services
 * @param {{id: string, fields: Record<string, any>}} session
 * @param {string} communeId the course's commune
 * @param {Record<string, any>} person full_name, gender, birth_year, ethnicity, village, phone, consent
 */
export async function addWalkIn(services, session, communeId, person) {
  const traineeId = newId();
  const courseId = session.fields.course_id;
  await save(services, [
    { entity: 'trainee', id: traineeId, kind: 'upsert', fields: { ...person, commune_id: communeId } },
    upsertDerived('enrollment', { course_id: courseId, trainee_id: traineeId }),
    upsertDerived('attendance', { session_id: session.id, trainee_id: traineeId, status: 'present' }),
  ]);
  return traineeId;
}
