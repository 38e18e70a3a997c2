// @ts-check
/** Home: today's sessions first (one tap to the roster), then my courses, and "get ready for offline". */
import { getEnrolment, getSyncStatus } from '../../store/meta.js';
import { listRecords } from '../../store/queries.js';
import { clockTime, todayIso } from '../dates.js';
import { useQuery } from '../hooks.js';
import { formatDay, t } from '../i18n.js';
import { ReadyCard } from '../ready-card.jsx';

/** @param {import('../../store/db.js').Db} db */
async function loadHome(db) {
  const [courses, sessions, enrollments, status, enrolment] = await Promise.all([
    listRecords(db, 'course'), listRecords(db, 'session'), listRecords(db, 'enrollment'), getSyncStatus(db), getEnrolment(db)]);
  const titles = new Map(courses.map((c) => [c.id, c.fields.title]));
  const today = todayIso();
  const todays = sessions.filter((s) => s.fields.date === today && titles.has(s.fields.course_id))
    .sort((a, b) => String(a.fields.start_time).localeCompare(String(b.fields.start_time)));
  const countBy = (/** @type {any[]} */ rows) => rows.reduce((m, r) => m.set(r.fields.course_id, (m.get(r.fields.course_id) ?? 0) + 1), new Map());
  return { courses: courses.sort((a, b) => a.fields.title.localeCompare(b.fields.title)), todays, titles,
    sessionCount: countBy(sessions), traineeCount: countBy(enrollments), status,
    coordinates: ['coordinator', 'admin'].includes(enrolment?.user.role ?? '') };
}

export function CoursesScreen() {
  const home = useQuery(loadHome, []);
  if (!home) return null;
  return (
    <section class="screen courses">
      <ReadyCard status={home.status} />
      {home.coordinates ? <a class="button big" href="#/devices" data-testid="home-devices">☰ {t('devices.title')}</a> : null}
      <h2>{t('home.today')}</h2>
      {home.todays.length === 0 ? <p class="empty">{t('home.no_session_today')}</p> : (
        <ul class="cards">
          {home.todays.map((s) => (
            <li key={s.id}>
              <a class="card today" href={`#/session/${s.id}`} data-testid="today-session">
                <strong>{home.titles.get(s.fields.course_id)}</strong>
                <span>{clockTime(s.fields.start_time)} {s.fields.place ?? ''}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      <h2>{t('home.my_courses')}</h2>
      {home.courses.length === 0 ? <p class="empty">{t('home.no_courses')}</p> : (
        <ul class="cards">
          {home.courses.map((c) => (
            <li key={c.id}>
              <a class="card" href={`#/course/${c.id}`} data-testid="course">
                <strong>{c.fields.title}</strong>
                <span>{t('home.course_counts', { sessions: home.sessionCount.get(c.id) ?? 0, trainees: home.traineeCount.get(c.id) ?? 0 })}</span>
                {c.fields.start_date ? <small>{formatDay(c.fields.start_date)}</small> : null}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
