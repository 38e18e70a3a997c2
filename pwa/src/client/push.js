// @ts-check
/**
 * Push notifications: subscribe this browser with the server's VAPID key to the topics its
 * person's role may have, or stop; and, for the service worker, the words of a notification.
 *
 * The push payload carries no words, only {topic, title_key, count}: it passes through
 * the browser maker's push service, and the server does not know the phone's language.
 * The service worker cannot load the UI's message files cheaply, so the three titles are
 * here in both languages, the same words as `push.<topic>` in messages/vi.json and en.json
 * (a test keeps them equal).
 */
import { getEnrolment } from '../store/meta.js';

/** @type {Record<string, string[]>} */
export const TOPICS_BY_ROLE = {
  coordinator: ['conflicts', 'new_data'],
  admin: ['conflicts', 'new_data'],
  trainer: ['roster_changed'],
};

/** @type {Record<'vi' | 'en', Record<string, string>>} */
export const NOTIFICATION_TITLES = {
  vi: {
    new_data: 'Có dữ liệu mới đồng bộ từ địa bàn của bạn',
    conflicts: 'Có xung đột đang chờ xem xét',
    roster_changed: 'Danh sách lớp của bạn đã thay đổi',
  },
  en: {
    new_data: 'New data synced from your area',
    conflicts: 'Conflicts waiting for review',
    roster_changed: 'Your roster changed',
  },
};

/**
 * @typedef {{getSubscription: () => Promise<any>, subscribe: (options: any) => Promise<any>}} PushManagerLike
 * @typedef {{pushManager: PushManagerLike}} PushRegistration
 * @typedef {{permission: string, requestPermission: () => Promise<string>}} NotificationsLike
 * @typedef {'unsupported' | 'denied' | 'on' | 'off'} PushState
 */

/** @param {string} role */
export function topicsFor(role) {
  return TOPICS_BY_ROLE[role] ?? [];
}

/**
 * The VAPID public key (base64url) as PushManager.subscribe wants it.
 * @param {string} text
 */
export function keyBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

/**
 * Vietnamese unless the phone puts English before it.
 * @param {readonly string[]} languages navigator.languages
 * @returns {'vi' | 'en'}
 */
export function pickLanguage(languages) {
  for (const tag of languages) {
    const base = tag.toLowerCase().slice(0, 2);
    if (base === 'vi' || base === 'en') return base;
  }
  return 'vi';
}

/**
 * The notification to show for a push.
 * @param {any} payload {topic, title_key, count} as the server sends it, or anything
 * @param {readonly string[]} languages
 */
export function notificationFor(payload, languages) {
  const lang = pickLanguage(languages);
  const topic = typeof payload?.topic === 'string' ? payload.topic : '';
  const words = NOTIFICATION_TITLES[lang][topic] ?? 'FieldRoll';
  const count = Number.isInteger(payload?.count) && payload.count > 1 ? ` (${payload.count})` : '';
  return {
    title: `${words}${count}`,
    // One notification per topic on the screen: a newer one replaces the older.
    options: { tag: `fieldroll-${topic || 'push'}`, lang, icon: 'icons/icon-192.png', data: { topic } },
  };
}

/**
 * Whether this browser can be sent notifications, and whether this one is.
 * @param {{registration?: PushRegistration | null, notifications?: NotificationsLike | null}} browser
 * @returns {Promise<PushState>}
 */
export async function pushState({ registration, notifications }) {
  if (!registration?.pushManager || !notifications) return 'unsupported';
  if (notifications.permission === 'denied') return 'denied';
  return (await registration.pushManager.getSubscription()) ? 'on' : 'off';
}

/**
 * Ask the person's permission, subscribe with the server's key, and tell the server the topics.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/push-http.js').PushTransport} transport
 * @param {{registration?: PushRegistration | null, notifications?: NotificationsLike | null}} browser
 * @returns {Promise<PushState>}
 */
export async function turnOnPush(db, transport, { registration, notifications }) {
  if (!registration?.pushManager || !notifications) return 'unsupported';
  const enrolment = await getEnrolment(db);
  if (!enrolment) throw Object.assign(new Error('this phone is not enrolled'), { code: 'not_enrolled' });
  const topics = topicsFor(enrolment.user.role);
  if (topics.length === 0) return 'unsupported';
  if ((await notifications.requestPermission()) !== 'granted') return 'denied';
  const key = keyBytes((await transport.publicKey()).public_key);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options?.applicationServerKey, key)) {
    // Made with a key the server no longer has (it was replaced): the push service would refuse it.
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await transport.subscribe(enrolment.token, { subscription: subscription.toJSON(), topics });
  return 'on';
}

/**
 * Stop notifications on this browser. Works offline: once the browser has dropped the
 * subscription the push service answers the server 410 and the server forgets it, so
 * telling the server now is a courtesy.
 * @param {import('../store/db.js').Db} db
 * @param {import('../transport/push-http.js').PushTransport} transport
 * @param {{registration?: PushRegistration | null}} browser
 * @returns {Promise<PushState>}
 */
export async function turnOffPush(db, transport, { registration }) {
  const subscription = await registration?.pushManager?.getSubscription();
  if (!subscription) return 'off';
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe();
  const enrolment = await getEnrolment(db);
  if (enrolment) await transport.unsubscribe(enrolment.token, { subscription: { endpoint } }).catch(() => {});
  return 'off';
}

/**
 * @param {ArrayBuffer | null | undefined} held
 * @param {Uint8Array} wanted
 */
function sameKey(held, wanted) {
  if (!held) return true; // the browser does not say: keep the subscription
  const bytes = new Uint8Array(held);
  return bytes.length === wanted.length && bytes.every((b, i) => b === wanted[i]);
}
