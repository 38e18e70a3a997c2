// @ts-check
/** Who is on a course: its enrolled trainees, by name, as the screens need them. */
import { getRecords, listGroup } from '../store/queries.js';

/**
 * @param {import('../store/db.js').Db} db
 * @param {string} courseId
 */
export async function enrolledTrainees(db, courseId) {
  const enrollments = await listGroup(db, 'enrollment', courseId);
  const trainees = await getRecords(db, 'trainee', enrollments.map((e) => e.fields.trainee_id));
  return trainees.filter((tr) => !tr.fields.merged_into)
    .sort((a, b) => a.fields.full_name.localeCompare(b.fields.full_name, 'vi'));
}
