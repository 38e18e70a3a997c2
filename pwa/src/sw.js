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

const worker = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const APP_VERSION = /** @type {any} */ (globalThis).FIELDROLL_VERSION ?? 'dev';

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
  const client = createSyncClient({ db, transport: createHttpTransport(), appVersion: APP_VERSION });
  const result = await client.sync();
  db.close();
  for (const page of await worker.clients.matchAll({ type: 'window' })) page.postMessage({ type: 'synced' });
  // A failed background sync is retried by the browser when it rejects.
  if (!result.ok && result.error?.code === 'offline') throw new Error('offline');
}
