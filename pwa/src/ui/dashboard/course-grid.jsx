// @ts-check
/** One course: its sessions, and a grid of trainees × sessions (status) and skills (level). */
import { useState } from 'preact/hooks';
import { clockTime } from '../dates.js';
import { formatDay, language, t } from '../i18n.js';
import { AGE_GROUPS, ethnicities, filterTrainees } from './format.js';
import { ageGroupWords } from './labels.js';
import { useOffice } from './office-data.js';
import { ExportButton, LoadState, genderWords } from './parts.jsx';

/**
 * @typedef {{id: string, date: string, start_time: string | null, place: string | null, present: number,
 *   late: number, absent: number, excused: number, unmarked: number, confirmed: number}} SessionRow
 * @typedef {{id: string, full_name: string, gender: string | null, birth_year: number | null, ethnicity: string | null,
 *   village: string | null, attendance: Record<string, string | null>, confirmations: Record<string, string>,
 *   skills: Record<string, number>}} TraineeRow
 */

const MARK = /** @type {Record<string, string>} */ ({ present: '✓', late: '◔', absent: '✗', excused: 'P' });

/** @param {{courseId: string, sessionId?: string}} props */
export function CourseGridScreen({ courseId, sessionId }) {
  const [q, setQ] = useState('');
  const [gender, setGender] = useState('');
  const [ethnicity, setEthnicity] = useState('');
  const [age, setAge] = useState('');
  const answer = useOffice((api, token) => api.course(token, courseId), [courseId]);
  const data = answer.data;
  const lang = language();
  if (!data) return <LoadState error={answer.error} loading retry={answer.reload} />;
  const course = data.course;
  /** @type {SessionRow[]} */
  const sessions = data.sessions;
  /** @type {TraineeRow[]} */
  const all = data.trainees;
  /** @type {{code: string, label_vi: string, label_en: string}[]} */
  const checklist = data.checklist ?? [];
  const session = sessionId ? sessions.find((s) => s.id === sessionId) : undefined;
  const columns = session ? [session] : sessions;
  // Ages as in the figures: at the year the course ends (or this year).
  const atYear = Number(String(course.end_date ?? '').slice(0, 4)) || new Date().getFullYear();
  const shown = filterTrainees(all, { q, gender, ethnicity, age, atYear });
  return (
    <section class="screen office-course" data-testid="office-course-grid">
      <nav class="trail" aria-label={t('office.where')}>
        <a href="#/office/courses">{t('office.all_my_area')}</a> › <a href={`#/office/courses/${course.commune_id}`}>{course.commune_name}</a>
        {session ? <> › <a href={`#/office/course/${course.id}`}>{course.title}</a></> : null}
      </nav>
      <h1>{session ? `${course.title} · ${formatDay(session.date)}` : course.title}</h1>
      <p class="lead">{course.program_name}{course.trainer_names?.length ? ` · ${course.trainer_names.join(', ')}` : ''}</p>
      <div class="exports">
        <ExportButton name="roster.xlsx" params={{ course_id: course.id }} label={t('office.export_roster_xlsx')} testId="export-roster-xlsx" />
        <ExportButton name="roster.csv" params={{ course_id: course.id }} label={t('office.export_roster_csv')} testId="export-roster-csv" />
      </div>
      <h2>{t('office.sessions')}</h2>
      <ul class="office-sessions">
        {sessions.map((s) => (
          <li key={s.id} class={s.id === sessionId ? 'current' : ''} data-testid="office-session" data-session={s.id}>
            <a href={`#/office/course/${course.id}/session/${s.id}`}><strong>{formatDay(s.date)}</strong> {clockTime(s.start_time)} {s.place ?? ''}</a>
            <small>{t('office.session_counts', { present: s.present, late: s.late, absent: s.absent, excused: s.excused, unmarked: s.unmarked, confirmed: s.confirmed })}</small>
            <ExportButton name="attendance-sheet.pdf" params={{ session_id: s.id }} label={t('office.export_sheet_pdf')} testId="export-sheet-pdf" />
          </li>
        ))}
      </ul>
      <h2>{t('office.trainees_title', { count: all.length })}</h2>
      <div class="office-filters">
        <label class="field">{t('office.search_trainees')}
          <input type="search" value={q} onInput={(e) => setQ(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
            placeholder={t('office.search_hint')} data-testid="office-trainee-search" /></label>
        <label class="field">{t('office.gender')}
          <select value={gender} onChange={(e) => setGender(/** @type {HTMLSelectElement} */ (e.currentTarget).value)} data-testid="office-gender">
            <option value="">{t('office.any')}</option>
            {['female', 'male', 'other', 'unknown'].map((g) => <option key={g} value={g}>{genderWords(g)}</option>)}
          </select></label>
        <label class="field">{t('office.ethnicity')}
          <select value={ethnicity} onChange={(e) => setEthnicity(/** @type {HTMLSelectElement} */ (e.currentTarget).value)} data-testid="office-ethnicity">
            <option value="">{t('office.any')}</option>
            {ethnicities(all).map((e) => <option key={e} value={String(e)}>{e}</option>)}
          </select></label>
        <label class="field">{t('office.age_group')}
          <select value={age} onChange={(e) => setAge(/** @type {HTMLSelectElement} */ (e.currentTarget).value)} data-testid="office-age">
            <option value="">{t('office.any')}</option>
            {AGE_GROUPS.map((g) => <option key={g} value={g}>{ageGroupWords(g)}</option>)}
          </select></label>
      </div>
      <p class="hint">{t('office.grid_key')}</p>
      {shown.length === 0 ? <p class="empty">{t('office.no_trainees')}</p> : (
        <div class="table-scroll">
          <table class="office-table grid" data-testid="office-grid">
            <thead>
              <tr>
                <th scope="col" class="name">{t('office.full_name')}</th>
                {columns.map((s) => <th key={s.id} scope="col" title={formatDay(s.date)}>{s.date.slice(8, 10)}/{s.date.slice(5, 7)}</th>)}
                {checklist.map((item) => <th key={item.code} scope="col" class="skill" title={lang === 'en' ? item.label_en : item.label_vi}>
                  {lang === 'en' ? item.label_en : item.label_vi}</th>)}
              </tr>
            </thead>
            <tbody>
              {shown.map((p) => (
                <tr key={p.id} data-testid="office-grid-row" data-trainee={p.id}>
                  <th scope="row" class="name"><a href={`#/office/course/${course.id}/trainee/${p.id}`} data-testid="office-trainee-link">{p.full_name}</a><small>{[genderWords(p.gender), p.birth_year, p.ethnicity, p.village].filter(Boolean).join(' · ')}</small></th>
                  {columns.map((s) => {
                    const status = p.attendance?.[s.id] ?? null;
                    return <td key={s.id} class={`mark ${status ?? 'unmarked'}`} data-session={s.id} data-status={status ?? ''}
                      title={status ? t(`status.${status}`) : t('office.unmarked')}>{status ? MARK[status] ?? status : '·'}
                      {p.confirmations?.[s.id] === 'verified' ? <sup title={t('office.confirmed')}>★</sup> : null}</td>;
                  })}
                  {checklist.map((item) => {
                    const level = p.skills?.[item.code];
                    return <td key={item.code} class={`level l${level ?? 'none'}`} data-skill={item.code}
                      title={level === undefined ? '' : t(`level.${level}`)}>{level ?? ''}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
