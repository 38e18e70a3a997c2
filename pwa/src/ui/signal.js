// @ts-check
/** A value screens can watch, for app-wide state that is not in the store (banners). */
import { useEffect, useState } from 'preact/hooks';

/**
 * @template T
 * @param {T} initial
 */
export function signal(initial) {
  let value = initial;
  const listeners = new Set();
  return {
    /** @param {T} next */
    set(next) {
      value = next;
      listeners.forEach((fn) => fn(next));
    },
    /** Watch the value from a component. */
    use() {
      const [seen, setSeen] = useState(() => value);
      useEffect(() => {
        const fn = (/** @type {T} */ next) => setSeen(() => next);
        listeners.add(fn);
        return () => listeners.delete(fn);
      }, []);
      return seen;
    },
  };
}
