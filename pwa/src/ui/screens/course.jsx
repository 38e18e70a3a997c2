// @ts-check
/** One course: its sessions (today's marked) and its trainees, each a tap from their checklist. */
import { getRecord, listGroup } from '../../store/queries.js';
import { clockTime, todayIso } from '../dates.js';
import { useQuery } from '../hooks.js';
import { formatDay, t } from '../i18n.js';
import { enrolledTrainees } from '../roster-data.js';

/** @param {{courseId: string}} props */
export function CourseScreen({ courseId }) {
  const data = useQuery(async (db) => ({
    course: await getRecord(db, 'course', courseId),
    sessions: (await listGroup(db, 'session', courseId)).sort((a, b) => a.fields.date.localeCompare(b.fields.date)),
    trainees: await enrolledTrainees(db, courseId),
  }), [courseId]);
  if (!data) return null;
  if (!data.course) return <p class="empty">{t('common.not_found')}</p>;
  const today = todayIso();
  return (
    <section class="screen course">
      <h1>{data.course.fields.title}</h1>
      <h2>{t('course.sessions')}</h2>
      <ul class="cards">
        {data.sessions.map((s) => (
          <li key={s.id}>
            <a class={`card ${s.fields.date === today ? 'today' : ''}`} href={`#/session/${s.id}`} data-testid="session">
              <strong>{formatDay(s.fields.date)}{s.fields.date === today ? ` · ${t('home.today')}` : ''}</strong>
              <span>{clockTime(s.fields.start_time)} {s.fields.place ?? ''}</span>
            </a>
          </li>
        ))}
      </ul>
      <h2>{t('course.trainees', { count: data.trainees.length })}</h2>
      <ul class="list">
        {data.trainees.map((tr) => (
          <li key={tr.id}>
            <a href={`#/course/${courseId}/trainee/${tr.id}`}>{tr.fields.full_name}
              {tr.pending ? <span class="badge" title={t('common.unsent')}>↑</span> : null}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}
