// @ts-check
/** A tap that could not be saved is said loudly, never swallowed. */
import { signal } from './signal.js';
import { t } from './i18n.js';

const shown = signal(/** @type {string | null} */ (null));

/**
 * Tell the trainer why a save failed, in their words.
 * @param {any} error
 */
export function showSaveError(error) {
  const quota = error?.name === 'QuotaExceededError' || error?.inner?.name === 'QuotaExceededError';
  shown.set(quota ? t('error.quota') : t('error.not_saved', { reason: String(error?.message ?? error) }));
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
