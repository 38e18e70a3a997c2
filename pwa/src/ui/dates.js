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
