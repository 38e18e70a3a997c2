// @ts-check
/** Today as the trainer's phone sees it, as YYYY-MM-DD in local time. */
export function todayIso() {
  const now = new Date();
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
