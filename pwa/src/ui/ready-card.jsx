// @ts-check
/**
 * "Get ready for offline": download everything, make sure the app itself is stored,
 * and say plainly when the phone can leave signal behind.
 */
import { useState } from 'preact/hooks';
import { getReady } from '../client/device.js';
import { useServices } from './hooks.js';
import { errorText, formatMoment, t } from './i18n.js';

/** @param {{status: import('../store/meta.js').SyncStatus}} props */
export function ReadyCard({ status }) {
  const services = useServices();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));

  async function prepare() {
    setBusy(true);
    setError(null);
    const [result, appStored] = await Promise.all([getReady(services.db, services.client), appIsStored()]);
    setBusy(false);
    if (!result.ok && result.error) setError(errorText(result.error));
    else if (!appStored) setError(t('ready.app_not_stored'));
    services.changed();
  }

  const ready = status.readyAt !== null && !error;
  return (
    <div class={`ready-card ${ready ? 'ready' : ''}`} data-testid="ready-card" data-ready={ready}>
      {ready ? <p><strong>✓ {t('ready.done')}</strong> <small>{t('ready.since', { when: formatMoment(/** @type {number} */ (status.readyAt)) })}</small></p>
        : <p>{t('ready.intro')}</p>}
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <button type="button" class={ready ? 'big' : 'primary big'} disabled={busy || !navigator.onLine} onClick={prepare} data-testid="get-ready">
        {busy ? t('ready.working') : ready ? t('ready.again') : t('ready.button')}
      </button>
    </div>
  );
}

/** Whether the service worker has stored the app, so it opens with no signal. */
async function appIsStored() {
  if (!('serviceWorker' in navigator)) return false;
  const registration = await navigator.serviceWorker.ready;
  return registration.active !== null;
}
