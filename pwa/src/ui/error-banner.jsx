// @ts-check
/** A tap that could not be saved is said loudly, never swallowed. */
import { signal } from './signal.js';
import { errorCode, errorText, t } from './i18n.js';

const shown = signal(/** @type {string | null} */ (null));

/**
 * Tell the trainer why a save failed, in their words.
 * @param {any} error
 */
export function showSaveError(error) {
  const code = errorCode(error);
  if (code === 'unexpected') console.error(error); // the trainer sees a plain message; keep the detail for whoever debugs
  // A full phone and a refused tap already say it was not saved; anything else must say so too.
  shown.set(code === 'quota' || code === 'invalid_op' ? errorText(error) : t('error.not_saved', { reason: errorText(error) }));
}

export function ErrorBanner() {
  const message = shown.use();
  if (!message) return null;
  return (
    <div class="banner error" role="alert">
      <span>{message}</span>
      <button type="button" class="small" onClick={() => shown.set(null)}>{t('common.close')}</button>
    </div>
  );
}
