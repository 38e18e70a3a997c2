// @ts-check
/** Shared set-up for the store and sync client tests: a fresh phone with an empty working copy. */
import { createSyncClient } from '../../pwa/src/client/sync-client.js';
import { enrolDevice } from '../../pwa/src/client/device.js';
import { openStore } from '../../pwa/src/store/db.js';
import { createFakeServer, FIRST_DEVICE } from './fake-server.js';

export const SESSION = '11111111-1111-4111-8111-111111111111';
export const COURSE = '33333333-3333-4333-8333-333333333333';
export const NOW = 1_760_000_000_000;
let phones = 0;

/** A trainee id that differs per test index. @param {number} n */
export function traineeId(n) {
  return `22222222-2222-4222-8222-${String(n).padStart(12, '0')}`;
}

/** An enrolled phone talking to a fresh fake server. */
export async function freshPhone() {
  phones += 1;
  const db = await openStore(`fieldroll-test-${phones}`);
  const server = createFakeServer();
  await enrolDevice(db, /** @type {any} */ (server.transport), 'ABCDE-FGHJK', { label: 'test', appVersion: 'test', locks: null });
  let clock = NOW;
  const now = () => clock++;
  const client = createSyncClient({ db, transport: /** @type {any} */ (server.transport), appVersion: 'test', now, locks: null });
  return { db, server, client, node: FIRST_DEVICE, now };
}
