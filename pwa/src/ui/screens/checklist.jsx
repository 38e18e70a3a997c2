// @ts-check
/** One trainee's skill checklist for a course: a level 0-3 per skill, and a note. */
import { useState } from 'preact/hooks';
import { getRecord, listGroup } from '../../store/queries.js';
import { checkSkill } from '../actions.js';
import { showSaveError } from '../error-banner.jsx';
import { useQuery, useServices } from '../hooks.js';
import { language, t } from '../i18n.js';

const LEVELS = [0, 1, 2, 3];

/** @param {import('../../store/db.js').Db} db @param {string} courseId @param {string} traineeId */
async function loadChecklist(db, courseId, traineeId) {
  const course = await getRecord(db, 'course', courseId);
  const trainee = await getRecord(db, 'trainee', traineeId);
  if (!course || !trainee) return null;
  const checklist = course.fields.checklist_id ? await getRecord(db, 'checklist', course.fields.checklist_id) : undefined;
  const checks = (await listGroup(db, 'skill_check', courseId)).filter((c) => c.fields.trainee_id === traineeId);
  return { course, trainee, items: checklist?.fields.items ?? [], checks: new Map(checks.map((c) => [c.fields.skill_code, c])) };
}

/** @param {{courseId: string, traineeId: string}} props */
export function ChecklistScreen({ courseId, traineeId }) {
  const services = useServices();
  const data = useQuery((db) => loadChecklist(db, courseId, traineeId), [courseId, traineeId]);
  if (data === undefined) return null;
  if (data === null) return <p class="empty">{t('common.not_found')}</p>;
  const label = (/** @type {any} */ item) => (language() === 'en' ? item.label_en : item.label_vi);

  /** @param {string} code @param {{level: number, note?: string}} check */
  const save = (code, check) => checkSkill(services, courseId, traineeId, code, check).catch(showSaveError);

  return (
    <section class="screen checklist">
      <h1>{data.trainee.fields.full_name}</h1>
      <p class="lead">{data.course.fields.title}</p>
      <p class="hint">{t('checklist.levels_hint')}</p>
      {data.items.length === 0 ? <p class="empty">{t('checklist.none')}</p> : null}
      <ul class="skills">
        {data.items.map((/** @type {any} */ item) => {
          const check = data.checks.get(item.code);
          return (
            <li key={item.code} data-testid="skill" data-skill={item.code} data-level={check?.fields.level ?? ''}>
              <p class="skill-label">{label(item)}{check?.pending ? <span class="badge" title={t('common.unsent')}>↑</span> : null}</p>
              <div class="level-buttons" role="group" aria-label={label(item)}>
                {LEVELS.map((level) => (
                  <button type="button" key={level} class={`level ${check?.fields.level === level ? 'chosen' : ''}`}
                    aria-pressed={check?.fields.level === level} title={t(`level.${level}`)} data-level={level}
                    onClick={() => save(item.code, { level, note: check?.fields.note ?? undefined })}>
                    {level}
                  </button>
                ))}
              </div>
              <NoteField note={check?.fields.note ?? ''} disabled={!check}
                onSave={(note) => save(item.code, { level: check?.fields.level ?? 0, note })} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** @param {{note: string, disabled: boolean, onSave: (note: string) => void}} props */
function NoteField({ note, disabled, onSave }) {
  const [text, setText] = useState(note);
  return (
    <input class="note" placeholder={t('checklist.note')} value={text} disabled={disabled} maxLength={500}
      onInput={(e) => setText(/** @type {HTMLInputElement} */ (e.target).value)}
      onChange={() => text !== note && onSave(text)} />
  );
}
