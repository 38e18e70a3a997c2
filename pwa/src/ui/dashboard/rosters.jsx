// @ts-check
/** Rosters, drilled down: province → commune → course (→ its grid and sessions in course-grid.jsx). */
import { useState } from 'preact/hooks';
import { formatDay, language, t } from '../i18n.js';
import { childAreas, matches, percent, rootAreas } from './format.js';
import { useOffice } from './office-data.js';
import { LoadState } from './parts.jsx';

/**
 * @typedef {{id: string, code: string, name: string, kind: string, parent_id: string | null}} Area
 * @typedef {{id: string, title: string, commune_id: string, commune_name: string, program_name: string,
 *   start_date: string | null, end_date: string | null, trainer_names: string[], sessions: number,
 *   trainees: number, attendance_rate: number | null}} CourseRow
 */

/**
 * The area and every area under it.
 * @param {Area[]} areas
 * @param {string} rootId
 */
function subtree(areas, rootId) {
  const found = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of areas) {
      if (a.parent_id && found.has(a.parent_id) && !found.has(a.id)) {
        found.add(a.id);
        grew = true;
      }
    }
  }
  return found;
}

/** @param {{areaId?: string}} props the area drilled into, or none for the caller's whole area */
export function RostersScreen({ areaId }) {
  const [q, setQ] = useState('');
  const areas = useOffice((api, token) => api.areas(token), []);
  const courses = useOffice((api, token) => api.courses(token), []);
  const tree = /** @type {Area[]} */ (areas.data?.areas ?? []);
  const roots = rootAreas(tree);
  const here = areaId ? tree.find((a) => a.id === areaId) : roots.length === 1 ? roots[0] : undefined;
  const trail = [];
  for (let a = here; a; a = tree.find((p) => p.id === a?.parent_id)) trail.unshift(a);
  const children = here ? childAreas(tree, here.id, 'commune') : roots.filter((a) => a.kind !== 'village');
  const inside = here ? subtree(tree, here.id) : null;
  const lang = language();
  const shown = /** @type {CourseRow[]} */ (courses.data?.courses ?? [])
    .filter((c) => (!inside || inside.has(c.commune_id)) && matches(`${c.title} ${c.commune_name}`, q))
    .sort((a, b) => String(b.start_date ?? '').localeCompare(String(a.start_date ?? '')));
  return (
    <section class="screen office-rosters">
      <h1>{t('office.rosters_title')}</h1>
      <nav class="trail" aria-label={t('office.where')} data-testid="office-trail">
        <a href="#/office/courses">{t('office.all_my_area')}</a>
        {trail.map((a) => <span key={a.id}> › <a href={`#/office/courses/${a.id}`}>{a.name}</a></span>)}
      </nav>
      <LoadState error={areas.error || courses.error} loading={courses.loading && !courses.data}
        retry={() => { areas.reload(); courses.reload(); }} />
      {children.length > 0 ? (
        <>
          <h2>{here ? t('office.communes') : t('office.areas')}</h2>
          <ul class="area-list">
            {children.map((a) => {
              const mine = subtree(tree, a.id);
              const n = (courses.data?.courses ?? []).filter((/** @type {CourseRow} */ c) => mine.has(c.commune_id)).length;
              return <li key={a.id}><a class="button" href={`#/office/courses/${a.id}`} data-testid="office-area-link">
                {a.name} <small>{t('office.course_count', { count: n })}</small></a></li>;
            })}
          </ul>
        </>
      ) : null}
      <h2>{t('office.courses')}</h2>
      <label class="field">{t('office.search_courses')}
        <input type="search" value={q} onInput={(e) => setQ(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
          placeholder={t('office.search_hint')} data-testid="office-course-search" /></label>
      {courses.data && shown.length === 0 ? <p class="empty">{t('office.no_courses')}</p> : (
        <ul class="cards office-courses">
          {shown.map((c) => (
            <li key={c.id}>
              <a class="card" href={`#/office/course/${c.id}`} data-testid="office-course" data-course={c.id}>
                <strong>{c.title}</strong>
                <span>{c.commune_name} · {c.program_name}</span>
                <span>{t('office.course_line', { sessions: c.sessions, trainees: c.trainees, rate: percent(c.attendance_rate, lang) })}</span>
                {c.start_date ? <small>{formatDay(c.start_date)}{c.trainer_names.length ? ` · ${c.trainer_names.join(', ')}` : ''}</small> : null}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
