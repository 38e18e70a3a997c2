// @ts-check
/** Push on the phone: topics by role, the server's key, the words of a notification, turning on and off. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vi from '../../pwa/src/ui/messages/vi.json' with { type: 'json' };
import en from '../../pwa/src/ui/messages/en.json' with { type: 'json' };
import {
  keyBytes, NOTIFICATION_TITLES, notificationFor, pickLanguage, pushState, TOPICS_BY_ROLE, topicsFor, turnOffPush, turnOnPush,
} from '../../pwa/src/client/push.js';
import { TransportError } from '../../pwa/src/transport/http.js';
import { freshPhone } from './support.js';

// A P-256 public point: 65 bytes, the first 0x04.
const KEY = Buffer.from(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : i))).toString('base64url');

/** A browser's PushManager and Notification stand-ins, and a scripted push transport. */
function browser({ permission = 'granted', heldKey = /** @type {Uint8Array | null} */ (null) } = {}) {
  const calls = /** @type {string[]} */ ([]);
  /** @type {any} */
  let current = heldKey ? makeSubscription('https://fcm.googleapis.com/old', heldKey) : null;
  /** @param {string} endpoint @param {Uint8Array} key */
  function makeSubscription(endpoint, key) {
    return {
      endpoint, options: { applicationServerKey: key.buffer },
      toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: 'p'.repeat(87), auth: 'a'.repeat(22) } }),
      async unsubscribe() {
        calls.push(`unsubscribe ${endpoint}`);
        current = null;
        return true;
      },
    };
  }
  const registration = {
    pushManager: {
      getSubscription: async () => current,
      /** @param {any} options */
      async subscribe(options) {
        calls.push(`subscribe userVisibleOnly=${options.userVisibleOnly}`);
        current = makeSubscription('https://fcm.googleapis.com/new', options.applicationServerKey);
        return current;
      },
    },
  };
  const notifications = {
    permission,
    async requestPermission() {
      calls.push('ask');
      return permission;
    },
  };
  const sent = /** @type {any[]} */ ([]);
  const transport = {
    publicKey: async () => ({ public_key: KEY }),
    /** @param {string} token @param {any} body */
    async subscribe(token, body) {
      sent.push({ token, ...body });
      return { topics: body.topics };
    },
    /** @param {string} token @param {any} body */
    async unsubscribe(token, body) {
      sent.push({ token, removed: body.subscription.endpoint });
      if (offline) throw new TransportError('offline', 'no signal');
      return { removed: true };
    },
  };
  let offline = false;
  return { registration, notifications, transport, calls, sent, goOffline: () => { offline = true; } };
}

test('each role subscribes to the topics the server allows it', () => {
  assert.deepEqual(topicsFor('trainer'), ['roster_changed']);
  assert.deepEqual(topicsFor('coordinator'), ['conflicts', 'new_data']);
  assert.deepEqual(topicsFor('trainee'), []);
});

test("the server's base64url key becomes the bytes PushManager wants", () => {
  const bytes = keyBytes(KEY);
  assert.equal(bytes.length, 65);
  assert.equal(bytes[0], 4);
  assert.equal(bytes[64], 64);
});

test('the notification titles are the same words as the message files', () => {
  const topics = Object.values(TOPICS_BY_ROLE).flat();
  for (const topic of topics) {
    assert.equal(NOTIFICATION_TITLES.vi[topic], vi[/** @type {keyof typeof vi} */ (`push.${topic}`)], topic);
    assert.equal(NOTIFICATION_TITLES.en[topic], en[/** @type {keyof typeof en} */ (`push.${topic}`)], topic);
  }
});

test("a notification speaks the phone's language, Vietnamese unless English comes first", () => {
  assert.equal(pickLanguage(['en-GB', 'vi']), 'en');
  assert.equal(pickLanguage(['vi-VN', 'en-US']), 'vi');
  assert.equal(pickLanguage(['fr-FR']), 'vi');
  const one = notificationFor({ topic: 'new_data', title_key: 'push.new_data', count: 1 }, ['en-US']);
  assert.equal(one.title, en['push.new_data']);
  assert.equal(one.options.tag, 'fieldroll-new_data');
  assert.equal(notificationFor({ topic: 'conflicts', count: 3 }, ['vi']).title, `${vi['push.conflicts']} (3)`);
  assert.equal(notificationFor(null, ['vi']).title, 'FieldRoll');
});

test('turning on asks permission, subscribes with the key and sends the role’s topics', async () => {
  const phone = await freshPhone();
  const b = browser();
  assert.equal(await pushState(b), 'off');
  assert.equal(await turnOnPush(phone.db, /** @type {any} */ (b.transport), b), 'on');
  assert.deepEqual(b.calls, ['ask', 'subscribe userVisibleOnly=true']);
  assert.equal(b.sent.length, 1);
  assert.equal(b.sent[0].token, 'token-1');
  assert.deepEqual(b.sent[0].topics, ['roster_changed']);
  assert.equal(b.sent[0].subscription.endpoint, 'https://fcm.googleapis.com/new');
  assert.equal(await pushState(b), 'on');
});

test('a refused permission subscribes nothing', async () => {
  const phone = await freshPhone();
  const b = browser({ permission: 'denied' });
  assert.equal(await turnOnPush(phone.db, /** @type {any} */ (b.transport), b), 'denied');
  assert.deepEqual(b.sent, []);
  assert.equal(await pushState(b), 'denied');
});

test('a subscription made with an old server key is replaced', async () => {
  const phone = await freshPhone();
  const b = browser({ heldKey: new Uint8Array(65).fill(9) });
  assert.equal(await turnOnPush(phone.db, /** @type {any} */ (b.transport), b), 'on');
  assert.deepEqual(b.calls, ['ask', 'unsubscribe https://fcm.googleapis.com/old', 'subscribe userVisibleOnly=true']);
});

test('turning off works with no signal: the browser drops it, the server is told if it can be', async () => {
  const phone = await freshPhone();
  const b = browser();
  await turnOnPush(phone.db, /** @type {any} */ (b.transport), b);
  b.goOffline();
  assert.equal(await turnOffPush(phone.db, /** @type {any} */ (b.transport), b), 'off');
  assert.equal(await pushState(b), 'off');
  assert.equal(b.sent.at(-1).removed, 'https://fcm.googleapis.com/new');
});

test('a browser without push says so', async () => {
  const phone = await freshPhone();
  assert.equal(await pushState({ registration: null, notifications: null }), 'unsupported');
  assert.equal(await turnOnPush(phone.db, /** @type {any} */ ({}), { registration: null, notifications: null }), 'unsupported');
});
