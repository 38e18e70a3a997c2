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
 */
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { createSyncClient } from './client/sync-client.js';
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
