// @ts-check
/** Dates and times as the trainer's phone sees them. */

/** Today as YYYY-MM-DD in local time. */
export function todayIso() {
  const now = new Date();
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * A session's start as people say it, "07:30", from the stored "07:30" or "07:30:00"; '' if unset.
 * @param {string | null | undefined} startTime
 */
export function clockTime(startTime) {
  return startTime ? startTime.slice(0, 5) : '';
}

const AGO_STEPS = /** @type {const} */ ([['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1000]]);

/**
 * How long ago `ms` was, as people say it: "3 ngày trước", "3 days ago", "bây giờ".
 * @param {number} ms
 * @param {number} nowMs
 * @param {string} lang
 */
export function formatAgo(ms, nowMs, lang) {
  const words = new Intl.RelativeTimeFormat(lang === 'vi' ? 'vi' : 'en', { numeric: 'auto' });
  const past = Math.max(0, nowMs - ms);
  for (const [unit, size] of AGO_STEPS) {
    if (past >= size) return words.format(-Math.floor(past / size), unit);
  }
  return words.format(0, 'second');
}
