// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AFTER_TAP_DELAY_MS, startScheduler, SYNC_EVERY_MS } from '../../pwa/src/client/scheduler.js';

/** A window with a network switch and a hand-driven clock. */
function fakeWindow() {
  /** @type {Map<string, Set<Function>>} */
  const listeners = new Map();
  /** @type {{at: number, fn: Function, every?: number, id: number}[]} */
  let timers = [];
  let now = 0;
  let nextId = 1;
  const win = {
    navigator: { onLine: true },
    document: { visibilityState: 'visible', addEventListener: () => {}, removeEventListener: () => {} },
    addEventListener: (/** @type {string} */ type, /** @type {Function} */ fn) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)?.add(fn);
    },
    removeEventListener: (/** @type {string} */ type, /** @type {Function} */ fn) => listeners.get(type)?.delete(fn),
    setTimeout: (/** @type {Function} */ fn, /** @type {number} */ ms) => {
      timers.push({ at: now + ms, fn, id: nextId });
      return nextId++;
    },
    setInterval: (/** @type {Function} */ fn, /** @type {number} */ ms) => {
      timers.push({ at: now + ms, fn, every: ms, id: nextId });
      return nextId++;
    },
    clearTimeout: (/** @type {number} */ id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    clearInterval: (/** @type {number} */ id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  return {
    win,
    /** @param {string} type */
    fire: (type) => listeners.get(type)?.forEach((fn) => fn()),
    /** @param {number} ms */
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        if (due.every) due.at += due.every;
        else timers = timers.filter((t) => t !== due);
        due.fn();
      }
      now = until;
    },
  };
}

function countingClient() {
  const client = { calls: 0, sync: () => { client.calls += 1; } };
  return client;
}

test('syncs when the app opens, when the network returns, and every few minutes while online', () => {
  const { win, fire, advance } = fakeWindow();
  const client = countingClient();
  const scheduler = startScheduler({ client: /** @type {any} */ (client), win });
  assert.equal(client.calls, 1, 'on open');
  win.navigator.onLine = false;
  advance(SYNC_EVERY_MS);
  assert.equal(client.calls, 1, 'not while offline');
  win.navigator.onLine = true;
  fire('online');
  assert.equal(client.calls, 2, 'on reconnect');
  advance(SYNC_EVERY_MS);
  assert.equal(client.calls, 3, 'periodically');
  scheduler.stop();
  advance(SYNC_EVERY_MS * 3);
  fire('online');
  assert.equal(client.calls, 3, 'nothing after stop');
});

test('a burst of taps leads to one sync once the burst is over', () => {
  const { win, advance } = fakeWindow();
  const client = countingClient();
  const scheduler = startScheduler({ client: /** @type {any} */ (client), win });
  for (let i = 0; i < 10; i++) {
    scheduler.afterTap();
    advance(AFTER_TAP_DELAY_MS / 2);
  }
  assert.equal(client.calls, 1, 'only the sync on open so far');
  advance(AFTER_TAP_DELAY_MS);
  assert.equal(client.calls, 2);
  scheduler.stop();
});
