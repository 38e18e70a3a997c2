// @ts-check
/** Who is on a course: its enrolled trainees, by name, as the screens need them. */
import { getRecord, listGroup } from '../store/queries.js';

/**
 * @param {import('../store/db.js').Db} db
 * @param {string} courseId
 */
export async function enrolledTrainees(db, courseId) {
  const enrollments = await listGroup(db, 'enrollment', courseId);
  const trainees = await Promise.all(enrollments.map((e) => getRecord(db, 'trainee', e.fields.trainee_id)));
  return trainees.filter((tr) => tr !== undefined && !tr.fields.merged_into)
    .map((tr) => /** @type {import('../store/view.js').ViewRow} */ (tr))
    .sort((a, b) => a.fields.full_name.localeCompare(b.fields.full_name, 'vi'));
}
