// @ts-check
/** The app's entry point: open the working copy, wire the sync client, draw the screens. */
import { render } from 'preact';
import { Workbox } from 'workbox-window';
import { createSyncClient } from '../client/sync-client.js';
import { startScheduler } from '../client/scheduler.js';
import { openStore } from '../store/db.js';
import { createHttpTransport } from '../transport/http.js';
import { checkinTransport } from '../transport/checkin-http.js';
import { startCheckinSender } from '../checkin/trainee-sync.js';
import { APP_VERSION } from '../version.js';
import { App } from './app.jsx';
import { createChangeFeed } from './hooks.js';
import { language, setLanguage, t } from './i18n.js';
import { updateReady } from './update-banner.jsx';
import './app.css';

const root = () => /** @type {HTMLElement} */ (document.getElementById('app'));

async function start() {
  setLanguage(language());
  const db = await openStore();
  const transport = createHttpTransport();
  const client = createSyncClient({ db, transport, appVersion: APP_VERSION });
  const feed = createChangeFeed();
  client.subscribe(() => feed.changed());
  const scheduler = startScheduler({ client });
  // A trainee's confirmations left on this phone go up whenever the app opens with signal.
  startCheckinSender({ db, transport: checkinTransport(), changed: feed.changed });
  const services = { db, client, transport, scheduler, appVersion: APP_VERSION, ...feed };
  registerServiceWorker(feed.changed);
  render(<App services={services} />, root());
}

/**
 * Said instead of a blank page when the app cannot open its working copy, most often
 * because the browser gives a private window no IndexedDB.
 */
function StartFailed() {
  return (
    <main class="app">
      <section class="screen start-failed" role="alert" data-testid="start-failed">
        <h1>{t('app.name')}</h1>
        <p class="form-error">{t('start.failed')}</p>
        <p>{t('start.failed_hint')}</p>
        <button type="button" class="primary big" onClick={() => location.reload()}>{t('start.reload')}</button>
      </section>
    </main>
  );
}

/**
 * Install the service worker; a new version waits until the trainer says "update",
 * so it never swaps the app under a half-marked roster.
 * @param {() => void} changed
 */
function registerServiceWorker(changed) {
  if (!('serviceWorker' in navigator)) return;
  const wb = new Workbox('/sw.js');
  let reloading = false;
  wb.addEventListener('waiting', () => updateReady(() => {
    // Reload once: the controller can change more than once during the swap (Chromium does
    // it under the browser tests), and each further reload would abort the one before it.
    wb.addEventListener('controlling', () => {
      if (reloading) return;
      reloading = true;
      location.reload();
    });
    wb.messageSkipWaiting();
  }));
  // The service worker synced in the background: show what it brought.
  wb.addEventListener('message', (event) => {
    if (event.data?.type === 'synced') changed();
  });
  wb.register();
}

start().catch((error) => {
  console.error(error);
  render(<StartFailed />, root());
});
