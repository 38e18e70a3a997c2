// @ts-check
/** Conflicts and refusals in words a trainer can read: whose record, which session, which skill. */
import { getRecord } from '../store/queries.js';
import { formatDay, t } from './i18n.js';

/**
 * A short description of a record, e.g. "Điểm danh · Giàng A Páo · Thứ Hai, 23/11".
 * @param {import('../store/db.js').Db} db
 * @param {string} entity
 * @param {string} id
 * @param {Record<string, any>} [fields] the op's fields, when the record itself is not on the phone
 */
export async function describeRecord(db, entity, id, fields = {}) {
  const known = { ...((await getRecord(db, entity, id))?.fields ?? {}), ...fields };
  const parts = [t(`entity.${entity}`)];
  const traineeId = entity === 'trainee' ? id : known.trainee_id;
  const trainee = traineeId ? await getRecord(db, 'trainee', traineeId) : undefined;
  const name = trainee?.fields.full_name ?? known.full_name;
  if (name) parts.push(name);
  const session = known.session_id ? await getRecord(db, 'session', known.session_id) : undefined;
  if (session) parts.push(formatDay(session.fields.date));
  if (known.skill_code) parts.push(known.skill_code);
  return parts.join(' · ');
}

/**
 * A field's value as words: statuses and levels translated, the rest as written.
 * @param {string} field
 * @param {any} value
 */
export function describeValue(field, value) {
  if (field === 'status') return t(`status.${value}`);
  if (field === '_deleted') return value ? t('value.deleted') : t('value.kept');
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
