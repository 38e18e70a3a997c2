// @ts-check
/** "A new version is ready": shown until the trainer chooses to update. */
import { signal } from './signal.js';
import { t } from './i18n.js';

const pending = signal(/** @type {null | (() => void)} */ (null));

/**
 * Offer the update; `apply` swaps in the new version.
 * @param {() => void} apply
 */
export function updateReady(apply) {
  pending.set(apply);
}

export function UpdateBanner() {
  const apply = pending.use();
  if (!apply) return null;
  return (
    <div class="banner info" role="status">
      <span>{t('update.ready')}</span>
      <button type="button" class="small" onClick={apply}>{t('update.apply')}</button>
    </div>
  );
}
