// @ts-check
/**
 * "Get ready for offline": download everything, make sure the app itself is stored,
 * and say plainly when the phone can leave signal behind.
 */
import { useState } from 'preact/hooks';
import { getReady } from '../client/device.js';
import { useServices } from './hooks.js';
import { errorText, formatMoment, t } from './i18n.js';

// A service worker that failed to install (storage full, a broken download) never becomes
// ready: stop waiting after this and say the app is not stored.
const APP_STORED_WAIT_MS = 10_000;

/** @param {{status: import('../store/meta.js').SyncStatus}} props */
export function ReadyCard({ status }) {
  const services = useServices();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));

  async function prepare() {
    setBusy(true);
    setError(null);
    try {
      const [result, appStored] = await Promise.all([getReady(services.db, services.client), appIsStored()]);
      if (!result.ok && result.error) setError(errorText(result.error));
      else if (!appStored) setError(t('ready.app_not_stored'));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
      services.changed();
    }
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

/** Whether the service worker has stored the app (it activates only once its precache is complete). */
async function appIsStored() {
  if (!('serviceWorker' in navigator)) return false;
  let timer = 0;
  const gaveUp = new Promise((resolve) => { timer = window.setTimeout(() => resolve(false), APP_STORED_WAIT_MS); });
  const stored = navigator.serviceWorker.ready.then((registration) => activated(registration.active));
  try {
    return /** @type {boolean} */ (await Promise.race([stored, gaveUp]));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves true once `worker` is activated, false if it is discarded instead.
 * @param {ServiceWorker | null} worker
 * @returns {Promise<boolean>}
 */
function activated(worker) {
  if (!worker || worker.state !== 'activating') return Promise.resolve(worker?.state === 'activated');
  return new Promise((resolve) => worker.addEventListener('statechange', () => {
    if (worker.state !== 'activating') resolve(worker.state === 'activated');
  }));
}
