// @ts-check
/** A session's roster: one tap per trainee for present / late / absent / excused, with counts. */
import { getRecord, listGroup, listRecords } from '../../store/queries.js';
import { markAttendance } from '../actions.js';
import { ConfirmationBadge, countConfirmed } from '../confirmation-badge.jsx';
import { clockTime } from '../dates.js';
import { describeValue } from '../describe.js';
import { showSaveError } from '../error-banner.jsx';
import { useQuery, useServices } from '../hooks.js';
import { formatDay, t } from '../i18n.js';
import { enrolledTrainees } from '../roster-data.js';

export const STATUSES = /** @type {const} */ (['present', 'late', 'absent', 'excused']);
const SYMBOLS = { present: '✓', late: '◷', absent: '✗', excused: '✉' };

/** @param {import('../../store/db.js').Db} db @param {string} sessionId */
async function loadRoster(db, sessionId) {
  const session = await getRecord(db, 'session', sessionId);
  if (!session) return null;
  const course = await getRecord(db, 'course', session.fields.course_id);
  const trainees = await enrolledTrainees(db, session.fields.course_id);
  const marks = new Map((await listGroup(db, 'attendance', sessionId)).map((a) => [a.fields.trainee_id, a]));
  // The trainees' own confirmations (check-in on their phones), beside the trainer's marks.
  const confirmations = new Map((await listGroup(db, 'confirmation', sessionId)).map((c) => [c.fields.trainee_id, c]));
  const markIds = new Set([...marks.values()].map((a) => a.id));
  /** @type {Map<string, any[]>} the open conflicts about each mark */
  const conflicts = new Map();
  for (const c of await listRecords(db, 'conflict')) {
    if (c.fields.resolved || c.fields.record_entity !== 'attendance' || !markIds.has(c.fields.record_id)) continue;
    conflicts.set(c.fields.record_id, [...(conflicts.get(c.fields.record_id) ?? []), c]);
  }
  return { session, course, trainees, marks, confirmations, conflicts };
}

/**
 * The open conflicts about a trainee's mark, on the row itself (a passkey confirmation's first):
 * the trainer's next tap there answers them, so it is sent as made having seen them all (the
 * greatest of their revs as base_rev, docs/protocol.md §9.5).
 * @param {{conflicts: {fields: Record<string, any>}[]}} props
 */
function RowConflicts({ conflicts }) {
  const shown = [...conflicts].sort((a, b) => Number(b.fields.cause === 'confirmation') - Number(a.fields.cause === 'confirmation'));
  return <>{shown.map((c, i) => <RowConflict key={i} conflict={c} />)}</>;
}

/** @param {{conflict: {fields: Record<string, any>}}} props */
function RowConflict({ conflict }) {
  const { cause, field, winner_value: kept, loser_value: other } = conflict.fields;
  const text = cause === 'confirmation' ? t('roster.conflict_confirmation')
    : t('sync.conflict_kept', { kept: describeValue(field, kept), other: describeValue(field, other) });
  return <p class="row-conflict" data-testid="row-conflict" data-cause={cause ?? ''}>⚠ {text}</p>;
}

/** @param {{sessionId: string}} props */
export function RosterScreen({ sessionId }) {
  const services = useServices();
  const roster = useQuery((db) => loadRoster(db, sessionId), [sessionId]);
  if (roster === undefined) return null;
  if (roster === null) return <p class="empty">{t('common.not_found')}</p>;
  const { session, course, trainees, marks, confirmations, conflicts } = roster;
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const tr of trainees) {
    const status = marks.get(tr.id)?.fields.status;
    if (status) counts[status] += 1;
  }
  const unmarked = trainees.length - STATUSES.reduce((sum, s) => sum + counts[s], 0);
  const confirmed = countConfirmed(confirmations.values());

  /** @param {string} traineeId @param {typeof STATUSES[number]} status @param {number} [seenRev] */
  const mark = (traineeId, status, seenRev) => markAttendance(services, sessionId, traineeId, status, seenRev)
    .catch(showSaveError);

  return (
    <section class="screen roster">
      <h1>{course?.fields.title}</h1>
      <p class="lead">{formatDay(session.fields.date)} {clockTime(session.fields.start_time)} {session.fields.place ?? ''}</p>
      <div class="counts" data-testid="counts">
        {STATUSES.map((s) => <span key={s} class={`count ${s}`} data-status={s} data-count={counts[s]}>{SYMBOLS[s]} {t(`status.${s}`)}: {counts[s]}</span>)}
        <span class="count unmarked" data-status="unmarked" data-count={unmarked}>{t('roster.unmarked')}: {unmarked}</span>
        <span class="count confirmed" data-testid="roster-confirmed" data-count={confirmed}>
          ☑ {t('roster.confirmed')}: {confirmed}</span>
      </div>
      <a class="button primary big" href={`#/session/${sessionId}/checkin`} data-testid="open-checkin">▣ {t('roster.checkin')}</a>
      <ul class="roster-list">
        {trainees.map((tr) => {
          const mine = marks.get(tr.id);
          const confirmation = confirmations.get(tr.id);
          const open = (mine && conflicts.get(mine.id)) || [];
          const seenRev = open.length ? Math.max(...open.map((/** @type {any} */ c) => c.rev)) : undefined;
          return (
            <li key={tr.id} data-testid="roster-row" data-trainee={tr.id} data-status={mine?.fields.status ?? ''}>
              <a class="name" href={`#/course/${session.fields.course_id}/trainee/${tr.id}`}>
                {tr.fields.full_name}
                {mine?.pending ? <span class="badge" title={t('common.unsent')}>↑</span> : null}
              </a>
              {confirmation ? <ConfirmationBadge row={confirmation} /> : null}
              {open.length ? <RowConflicts conflicts={open} /> : null}
              <div class="status-buttons" role="group" aria-label={tr.fields.full_name}>
                {STATUSES.map((s) => (
                  <button type="button" key={s} class={`status ${s} ${mine?.fields.status === s ? 'chosen' : ''}`}
                    aria-pressed={mine?.fields.status === s} data-status={s} onClick={() => mark(tr.id, s, seenRev)}>
                    <span aria-hidden="true">{SYMBOLS[s]}</span> {t(`status.${s}`)}
                  </button>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
      <a class="button primary big" href={`#/session/${sessionId}/walk-in`} data-testid="add-walk-in">+ {t('roster.add_walk_in')}</a>
    </section>
  );
}
