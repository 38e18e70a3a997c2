// @ts-check
/**
 * One writer of the working copy's sync state at a time, across the page, other tabs and
 * the service worker: a sync, a sign-out and an enrolment never interleave, so a sync
 * running for the previous enrolment cannot write into the next one.
 */

export const LOCK_NAME = 'fieldroll-sync';

/**
 * Run `work` holding the lock (where the browser has Web Locks; node tests pass null).
 * @template T
 * @param {any} locks `navigator.locks`, or null
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export function withSyncLock(locks, work) {
  return locks ? locks.request(LOCK_NAME, work) : work();
}

/** The browser's Web Locks, if it has them. */
export const browserLocks = () => globalThis.navigator?.locks ?? null;
