// @ts-check
/** Pure helpers for the office's figures and lists: no I/O, no words of their own. */

/**
 * A rate 0..1 as a percentage people read, "83 %" / "83%"; "—" when there is nothing to divide.
 * @param {number | null | undefined} rate
 * @param {string} lang
 */
export function percent(rate, lang) {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 })
    .format(rate);
}

/**
 * A whole number with the local thousands separator: "15.000" / "15,000".
 * @param {number | null | undefined} n
 * @param {string} lang
 */
export function count(n, lang) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB').format(n);
}

// The server's age groups (docs/dashboard.md §2), by age at the year the range ends.
export const AGE_GROUPS = /** @type {const} */ (['<25', '25-39', '40-54', '55+', 'unknown']);

/**
 * The age group of someone born in `birthYear`, in the year `atYear`.
 * @param {number | null | undefined} birthYear
 * @param {number} atYear
 * @returns {typeof AGE_GROUPS[number]}
 */
export function ageGroup(birthYear, atYear) {
  if (typeof birthYear !== 'number' || !Number.isInteger(birthYear) || birthYear > atYear) return 'unknown';
  const age = atYear - birthYear;
  if (age < 25) return '<25';
  if (age < 40) return '25-39';
  if (age < 55) return '40-54';
  return '55+';
}

/**
 * Text without accents or case, so "Giàng" matches "giang" and "Đỗ" matches "do".
 * @param {string | null | undefined} text
 */
export function fold(text) {
  return String(text ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().trim();
}

/**
 * Whether `text` holds every word of `query`, accents and case aside.
 * @param {string | null | undefined} text
 * @param {string} query
 */
export function matches(text, query) {
  const haystack = fold(text);
  return fold(query).split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

/**
 * The rows a filter keeps: name search (accent-blind), gender, ethnicity and age group in
 * the year `atYear` ('' keeps all).
 * @template {{full_name: string, gender?: string | null, ethnicity?: string | null, birth_year?: number | null}} T
 * @param {T[]} rows
 * @param {{q?: string, gender?: string, ethnicity?: string, age?: string, atYear?: number}} filter
 * @returns {T[]}
 */
export function filterTrainees(rows, { q = '', gender = '', ethnicity = '', age = '', atYear = new Date().getFullYear() }) {
  return rows.filter((row) => matches(row.full_name, q)
    && (!gender || (row.gender ?? 'unknown') === gender)
    && (!ethnicity || fold(row.ethnicity || 'unknown') === fold(ethnicity))
    && (!age || ageGroup(row.birth_year, atYear) === age));
}

/**
 * The distinct ethnicities among `rows`, sorted as people read them.
 * @param {{ethnicity?: string | null}[]} rows
 */
export function ethnicities(rows) {
  return [...new Set(rows.map((row) => row.ethnicity).filter((e) => typeof e === 'string' && e))].sort((a, b) => String(a).localeCompare(String(b), 'vi'));
}

/**
 * The areas under `parentId`, by name.
 * @template {{id: string, name: string, kind: string, parent_id: string | null}} A
 * @param {A[]} areas
 * @param {string | null} parentId
 * @param {string} kind
 * @returns {A[]}
 */
export function childAreas(areas, parentId, kind) {
  return areas.filter((a) => a.kind === kind && a.parent_id === parentId).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

/**
 * The caller's top areas: those whose parent is not in the tree they were given.
 * @template {{id: string, parent_id: string | null}} A
 * @param {A[]} areas
 * @returns {A[]}
 */
export function rootAreas(areas) {
  const ids = new Set(areas.map((a) => a.id));
  return areas.filter((a) => a.parent_id === null || !ids.has(a.parent_id));
}

/**
 * `text` cut to `max` characters with an ellipsis.
 * @param {string} text
 * @param {number} max
 */
export function shorten(text, max) {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1)).trimEnd()}…`;
}
