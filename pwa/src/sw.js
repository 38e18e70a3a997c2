// @ts-check
/// <reference lib="webworker" />
/**
 * The service worker: keeps the app's files so it opens with no signal, and syncs
 * the outbox when Background Sync wakes it, even with the app closed.
 *
 * It handles only the app's own files (the precache list the build generates); every
 * /api/ request goes to the network, and the data lives in IndexedDB, never in caches.
 * A new version waits until the page tells it to take over (the trainer tapped
 * "update"), and the outbox, in IndexedDB, is untouched by the swap.
 *
 * A push (docs/dashboard.md §7) is shown as a notification in the phone's language; a
 * trainer's "your roster changed" also runs the same sync as Background Sync, since the
 * push arriving proves there is signal now. Tapping a notification brings the app up.
 */
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { createSyncClient } from './client/sync-client.js';
import { notificationFor } from './client/push.js';
import { BACKGROUND_SYNC_TAG } from './client/scheduler.js';
import { openStore } from './store/db.js';
import { createHttpTransport } from './transport/http.js';
import { APP_VERSION } from './version.js';

const worker = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
// Failures a later try cannot mend: each waits for a person (enrol again, update the app).
const NEEDS_A_PERSON = new Set(['device_revoked', 'invalid_token', 'protocol_unsupported', 'not_enrolled']);

precacheAndRoute(/** @type {any} */ (self).__WB_MANIFEST);
cleanupOutdatedCaches();

worker.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') worker.skipWaiting();
});

worker.addEventListener('activate', (event) => event.waitUntil(worker.clients.claim()));

worker.addEventListener('sync', (/** @type {any} */ event) => {
  if (event.tag === BACKGROUND_SYNC_TAG) event.waitUntil(syncInBackground());
});

async function syncInBackground() {
  const db = await openStore();
  let result;
  try {
    result = await createSyncClient({ db, transport: createHttpTransport(), appVersion: APP_VERSION }).sync();
  } finally {
    db.close();
  }
  // Open pages redraw from the working copy: what the sync brought, or, for a phone its
  // coordinator revoked, the notice that the sync client deleted everything on it.
  for (const page of await worker.clients.matchAll({ type: 'window' })) page.postMessage({ type: 'synced' });
  // Rejecting asks the browser to wake this worker again later (with its own back-off):
  // no signal, a server error or a timeout may well be gone by then.
  if (!result.ok && !NEEDS_A_PERSON.has(result.error?.code ?? '')) {
    throw new Error(`background sync failed: ${result.error?.code ?? 'unknown'}`);
  }
}

worker.addEventListener('push', (/** @type {any} */ event) => event.waitUntil(onPush(event.data)));

worker.addEventListener('notificationclick', (/** @type {any} */ event) => {
  event.notification.close();
  event.waitUntil(openApp());
});

/** @param {{json: () => any} | null} data */
async function onPush(data) {
  let payload = null;
  try {
    payload = data?.json() ?? null;
  } catch {
    // Not JSON: still show something, as browsers require for every push.
  }
  const { title, options } = notificationFor(payload, worker.navigator.languages ?? [worker.navigator.language]);
  const shown = worker.registration.showNotification(title, options);
  // A failed sync here is left to Background Sync and the app; the notification still shows.
  const synced = payload?.topic === 'roster_changed' ? syncInBackground().catch(() => {}) : null;
  await Promise.all([shown, synced]);
}

async function openApp() {
  const pages = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (pages.length > 0) {
    await pages[0].focus();
    return;
  }
  await worker.clients.openWindow(worker.registration.scope);
}
