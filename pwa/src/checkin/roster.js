// @ts-check
/**
 * The list of names a trainee picks theirs from: fetched with the check-in token when the
 * phone has signal, otherwise the copy cached on the phone for the session's course.
 * The roster carries no birth years, only a short digest of each (birth_year_check).
 */
import { birthYearCheck } from '../sync/checkin.js';
import { isUuid } from '../sync/ids.js';
import { cacheRoster, cachedRosterFor } from './trainee-store.js';

/**
 * @typedef {{id: string, name: string, birth_year_check: string | null}} RosterTrainee
 * @typedef {{id: string, date?: string, start_time?: string, place?: string, course_title?: string}} RosterSession
 * @typedef {{key: string, sessions: Record<string, RosterSession>, trainees: RosterTrainee[], fetched_at: number}} Roster
 *   `key`: the course when the server names it, else the session (the cache's key).
 * @typedef {{roster: Roster | null, fromCache: boolean, error: any}} RosterResult
 */

// Failures that mean "no answer", where the cached copy is as good as it gets.
const NO_ANSWER = new Set(['offline', 'timeout']);

/**
 * Read the server's answer to GET /api/v1/checkins/roster into the shape the phone keeps;
 * null if it is not a roster.
 * @param {any} answer
 * @param {number} nowMs
 * @returns {Roster | null}
 */
export function parseRoster(answer, nowMs) {
  const session = answer?.session;
  if (!isUuid(session?.id) || !Array.isArray(answer?.trainees)) return null;
  // Keyed by course if the server says which, so every session of the course finds it.
  const key = isUuid(session.course_id) ? `course:${session.course_id}` : `session:${session.id}`;
  const text = (/** @type {unknown} */ value) => (typeof value === 'string' ? value : undefined);
  const summary = (/** @type {any} */ s) => ({ id: s.id, date: text(s.date), start_time: text(s.start_time),
    place: text(s.place), course_title: text(session.course_title) });
  // Every session of the course, so a later session found offline maps to this list.
  const listed = Array.isArray(answer.course_sessions) ? answer.course_sessions.filter((/** @type {any} */ s) => isUuid(s?.id)) : [];
  /** @type {Record<string, RosterSession>} */
  const sessions = Object.fromEntries([...listed, session].map((s) => [s.id, summary(s)]));
  const trainees = answer.trainees
    .filter((/** @type {any} */ t) => isUuid(t?.id) && typeof t.name === 'string')
    .map((/** @type {any} */ t) => ({ id: t.id, name: t.name, birth_year_check: typeof t.birth_year_check === 'string' ? t.birth_year_check : null }));
  return { key, sessions, trainees, fetched_at: nowMs };
}

/**
 * The roster for the session the token names: fresh from the server if it answers (and
 * then cached), else the cached copy. `roster` is null when the phone has neither.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/checkin-http.js').CheckinTransport} transport
 * @param {string} tokenText
 * @param {string} sessionId
 * @param {{online: boolean, nowMs: number, meId?: string | null}} options
 *   meId: who the phone belongs to, found in any cached roster when this session's is not there
 * @returns {Promise<RosterResult>}
 */
export async function loadRoster(db, transport, tokenText, sessionId, { online, nowMs, meId = null }) {
  let error = null;
  if (online) {
    try {
      const roster = parseRoster(await transport.roster(tokenText), nowMs);
      if (roster === null) throw Object.assign(new Error('the server sent a roster this app cannot read'), { code: 'internal_error' });
      await cacheRoster(db, roster);
      return { roster, fromCache: false, error: null };
    } catch (/** @type {any} */ err) {
      error = NO_ANSWER.has(err?.code) ? null : err;
    }
  }
  const cached = await cachedRosterFor(db, sessionId, meId);
  return { roster: cached ?? null, fromCache: true, error };
}

/**
 * Text without accents or case, so "nguyen thi" finds "Nguyễn Thị" (and "d" finds "Đ").
 * @param {string} text
 */
export function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim();
}

/**
 * The trainees whose name holds every word typed, in the roster's order.
 * @param {RosterTrainee[]} trainees
 * @param {string} query
 */
export function searchTrainees(trainees, query) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return trainees;
  return trainees.filter((trainee) => {
    const name = fold(trainee.name);
    return words.every((word) => name.includes(word));
  });
}

/**
 * Read a typed birth year: four digits, in a plausible range, or null.
 * @param {string} text
 * @param {number} nowMs
 */
export function readBirthYear(text, nowMs) {
  const digits = text.trim();
  if (!/^[0-9]{4}$/.test(digits)) return null;
  const year = Number(digits);
  return year >= 1900 && year <= new Date(nowMs).getFullYear() ? year : null;
}

/**
 * Whether the birth year typed is the trainee's. A trainee whose birth year the server
 * does not know passes: there is nothing to compare with.
 * @param {RosterTrainee} trainee
 * @param {number} birthYear
 */
export async function birthYearMatches(trainee, birthYear) {
  if (trainee.birth_year_check === null) return true;
  return (await birthYearCheck(trainee.id, birthYear)) === trainee.birth_year_check;
}
