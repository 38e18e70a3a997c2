// @ts-check
/** One trainee's skill checklist for a course: a level 0-3 per skill, and a note. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getRecord, listGroup } from '../../store/queries.js';
import { checkSkill } from '../actions.js';
import { showSaveError } from '../error-banner.jsx';
import { useQuery, useServices } from '../hooks.js';
import { language, t } from '../i18n.js';

const LEVELS = [0, 1, 2, 3];
// Long enough not to save half a word, short enough that a trainer who puts the phone
// away mid-note still keeps it.
const NOTE_SAVE_AFTER_MS = 1500;

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

  /** @param {string} code @param {{level: number} | {note: string}} change */
  const save = (code, change) => checkSkill(services, courseId, traineeId, code, change).catch(showSaveError);

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
                    onClick={() => save(item.code, { level })}>
                    {level}
                  </button>
                ))}
              </div>
              {/* A note alone is valid only for a skill that has a level: closed until then. */}
              <NoteField key={`${traineeId}/${item.code}`} note={check?.fields.note ?? ''} disabled={!check}
                label={t('checklist.note_for', { skill: label(item) })} onSave={(note) => save(item.code, { note })} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * A note saved when typing stops, when the field is left, and when the screen or the app
 * goes away: Android's back button leaves without a blur, so without that last save a
 * note is lost.
 * @param {{note: string, disabled: boolean, label: string, onSave: (note: string) => void}} props
 */
function NoteField({ note, disabled, label, onSave }) {
  const [text, setText] = useState(note);
  const typed = useRef(note);
  const saved = useRef(note);
  const timer = useRef(0);
  const latestSave = useRef(onSave);
  latestSave.current = onSave;

  const flush = () => {
    clearTimeout(timer.current);
    if (typed.current === saved.current) return;
    saved.current = typed.current;
    latestSave.current(typed.current);
  };

  // Another phone's note, pulled while this screen is open, shows unless the trainer is mid-edit.
  useEffect(() => {
    if (typed.current !== saved.current) return;
    typed.current = saved.current = note;
    setText(note);
  }, [note]);

  // Save when the screen goes away, and when the app is hidden (the trainer switched to
  // Zalo): a hidden page may be ended by the browser without another word.
  useEffect(() => {
    const onHide = () => document.visibilityState === 'hidden' && flush();
    document.addEventListener('visibilitychange', onHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      flush();
    };
  }, []);

  return (
    <input class="note" placeholder={t('checklist.note')} aria-label={label} value={text} disabled={disabled} maxLength={500}
      onInput={(e) => {
        typed.current = /** @type {HTMLInputElement} */ (e.target).value;
        setText(typed.current);
        clearTimeout(timer.current);
        timer.current = window.setTimeout(flush, NOTE_SAVE_AFTER_MS);
      }}
      onChange={flush} />
  );
}
