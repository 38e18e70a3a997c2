// @ts-check
/**
 * Every word the app shows comes from messages/vi.json or messages/en.json.
 * Vietnamese is the default; the choice is kept on the phone.
 */
import vi from './messages/vi.json' with { type: 'json' };
import en from './messages/en.json' with { type: 'json' };

export const LANGUAGES = /** @type {const} */ (['vi', 'en']);
const CATALOGUES = /** @type {Record<string, Record<string, string>>} */ ({ vi, en });
const STORAGE_KEY = 'fieldroll.lang';

let current = readSaved();

function readSaved() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    return saved && saved in CATALOGUES ? saved : 'vi';
  } catch {
    return 'vi';
  }
}

/** The language in use. */
export function language() {
  return current;
}

/** @param {string} lang */
export function setLanguage(lang) {
  if (!(lang in CATALOGUES)) return;
  current = lang;
  globalThis.document?.documentElement.setAttribute('lang', lang);
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this visit only.
  }
}

/**
 * The message `key` in the current language, with `{name}` placeholders filled.
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars = {}) {
  const text = CATALOGUES[current][key] ?? CATALOGUES.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/**
 * A date as people read it here, e.g. "Thứ Hai, 23/11".
 * @param {string} isoDate YYYY-MM-DD
 */
export function formatDay(isoDate) {
  const date = new Date(`${isoDate}T00:00:00`);
  return date.toLocaleDateString(current === 'vi' ? 'vi-VN' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'numeric' });
}

/**
 * A moment as a short local time and date.
 * @param {number} ms
 */
export function formatMoment(ms) {
  return new Date(ms).toLocaleString(current === 'vi' ? 'vi-VN' : 'en-GB', {
    hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'numeric',
  });
}

/**
 * What kind of failure `error` is, as a message code under `error.`: the server's or the
 * sync client's code, or one the app gives to failures that come without one.
 * @param {any} error a sync status error ({code, message}), a TransportError, or anything thrown
 */
export function errorCode(error) {
  // idb rethrows the browser's error, sometimes wrapped; DOMException's numeric `code` is no use.
  if (error?.name === 'QuotaExceededError' || error?.inner?.name === 'QuotaExceededError') return 'quota';
  if (typeof error?.code === 'string') return error.code;
  return error?.name === 'InvalidOp' ? 'invalid_op' : 'unexpected';
}

/**
 * What went wrong, in the trainer's language. A code the app has no words for is shown
 * after a translated lead-in, with the server's own (English) words as the detail.
 * @param {any} error a sync status error ({code, message}), a TransportError, or anything thrown
 */
export function errorText(error) {
  const code = errorCode(error);
  const detail = String(error?.message || code);
  return `error.${code}` in CATALOGUES[current] ? t(`error.${code}`, { reason: detail }) : t('error.other', { detail });
}
