// @ts-check
/**
 * When to sync: on app open, when the network comes back, when the app comes to the
 * front, every few minutes while online, after a tap (soon, so taps batch), and through
 * Background Sync where the browser has it, so the service worker sends the outbox
 * even after the app is closed.
 */

export const SYNC_EVERY_MS = 3 * 60 * 1000;
// Taps come in bursts while marking a roster: wait for the burst to end.
export const AFTER_TAP_DELAY_MS = 4000;
export const BACKGROUND_SYNC_TAG = 'fieldroll-sync';

/**
 * @param {{client: import('./sync-client.js').SyncClient, win?: any}} options
 * @returns {{afterTap: () => void, stop: () => void}}
 */
export function startScheduler({ client, win = globalThis }) {
  const online = () => win.navigator?.onLine !== false;
  const syncIfOnline = () => {
    if (online()) client.sync();
  };
  const onVisible = () => {
    if (win.document?.visibilityState === 'visible') syncIfOnline();
  };
  /** @type {any} */
  let tapTimer = null;

  win.addEventListener('online', syncIfOnline);
  win.document?.addEventListener('visibilitychange', onVisible);
  const interval = win.setInterval(syncIfOnline, SYNC_EVERY_MS);
  syncIfOnline();

  return {
    afterTap() {
      requestBackgroundSync(win);
      win.clearTimeout(tapTimer);
      tapTimer = win.setTimeout(syncIfOnline, AFTER_TAP_DELAY_MS);
    },
    stop() {
      win.removeEventListener('online', syncIfOnline);
      win.document?.removeEventListener('visibilitychange', onVisible);
      win.clearInterval(interval);
      win.clearTimeout(tapTimer);
    },
  };
}

/**
 * Ask the browser to wake the service worker for a sync when a connection appears.
 * @param {any} win
 */
async function requestBackgroundSync(win) {
  try {
    const registration = await win.navigator?.serviceWorker?.ready;
    await registration?.sync?.register(BACKGROUND_SYNC_TAG);
  } catch {
    // No Background Sync here (or it is switched off): the page's own triggers cover it.
  }
}
