// @ts-check
/**
 * The glue between the store and the screens: screens read through `useQuery`, which
 * runs again whenever the working copy changes (a tap, a pulled page, another tab).
 */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';

/**
 * @typedef {{db: import('../store/db.js').Db, client: import('../client/sync-client.js').SyncClient,
 *   transport: import('../transport/http.js').Transport, scheduler: {afterTap: () => void},
 *   appVersion: string, changed: () => void, subscribe: (fn: () => void) => () => void}} AppServices
 */

export const Services = createContext(/** @type {AppServices} */ (/** @type {any} */ (null)));

/** @returns {AppServices} */
export function useServices() {
  return useContext(Services);
}

/**
 * Tell every screen that the working copy changed; other tabs hear it too.
 * @returns {{changed: () => void, subscribe: (fn: () => void) => () => void}}
 */
export function createChangeFeed() {
  const listeners = new Set();
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('fieldroll-changes');
  const notify = () => listeners.forEach((fn) => fn());
  if (channel) channel.onmessage = notify;
  return {
    changed() {
      notify();
      channel?.postMessage('changed');
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/**
 * Run `load` against the store now and after every change; `undefined` while loading.
 * @template T
 * @param {(db: import('../store/db.js').Db) => Promise<T>} load
 * @param {any[]} deps
 * @returns {T | undefined}
 */
export function useQuery(load, deps) {
  const { db, subscribe } = useServices();
  const [value, setValue] = useState(/** @type {T | undefined} */ (undefined));
  useEffect(() => {
    let live = true;
    const run = () => load(db).then((result) => live && setValue(() => result));
    run();
    const unsubscribe = subscribe(run);
    return () => {
      live = false;
      unsubscribe();
    };
  }, deps);
  return value;
}

/** The hash route as path parts: "#/session/abc" → ["session", "abc"]. */
export function useRoute() {
  const read = () => (globalThis.location.hash.replace(/^#\/?/, '') || '').split('/').filter(Boolean);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const onChange = () => {
      setParts(read());
      globalThis.scrollTo?.(0, 0);
    };
    globalThis.addEventListener('hashchange', onChange);
    // A link opened while the app was starting changed the hash after the first render and
    // before this listener: read it again, or an enrolment link would open an empty form.
    const now = read();
    setParts((shown) => (shown.join('/') === now.join('/') ? shown : now));
    return () => globalThis.removeEventListener('hashchange', onChange);
  }, []);
  return parts;
}
