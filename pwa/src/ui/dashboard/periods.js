// @ts-check
/**
 * The calendar periods a province reports on, as the dates the figures ask for. The server
 * answers these (and every date) from its kept period rows, fastest (docs/dashboard.md §2).
 */

export const PERIODS = /** @type {const} */ (['all', 'this_month', 'last_month', 'this_quarter', 'last_quarter',
  'this_year', 'last_year']);

/**
 * The first and last day of a period around `today` ("YYYY-MM-DD"); both '' for every date.
 * @param {typeof PERIODS[number]} period
 * @param {string} today
 * @returns {{from: string, to: string}}
 */
export function periodDates(period, today) {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const quarterStart = month - ((month - 1) % 3);
  switch (period) {
    case 'this_month': return months(year, month, 1);
    case 'last_month': return month === 1 ? months(year - 1, 12, 1) : months(year, month - 1, 1);
    case 'this_quarter': return months(year, quarterStart, 3);
    case 'last_quarter': return quarterStart === 1 ? months(year - 1, 10, 3) : months(year, quarterStart - 3, 3);
    case 'this_year': return months(year, 1, 12);
    case 'last_year': return months(year - 1, 1, 12);
    default: return { from: '', to: '' };
  }
}

/**
 * Which period the dates are exactly, around `today`; 'custom' for any other dates.
 * @param {string} from
 * @param {string} to
 * @param {string} today
 * @returns {typeof PERIODS[number] | 'custom'}
 */
export function periodOf(from, to, today) {
  return PERIODS.find((period) => {
    const dates = periodDates(period, today);
    return dates.from === from && dates.to === to;
  }) ?? 'custom';
}

/**
 * @param {number} year
 * @param {number} first the first month, 1-12
 * @param {number} count how many months
 */
function months(year, first, count) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const lastMonth = first + count - 1;
  const lastDay = new Date(Date.UTC(year, lastMonth, 0)).getUTCDate();
  return { from: `${year}-${pad(first)}-01`, to: `${year}-${pad(lastMonth)}-${pad(lastDay)}` };
}
