// @ts-check
/**
 * The push endpoints: the server's VAPID public key, and keeping or dropping this browser's
 * subscription. Like http.js, the only place for these calls that touches fetch.
 */
import { fetchJson } from './http.js';

/**
 * @typedef {{
 *   publicKey: () => Promise<{public_key: string}>,
 *   subscribe: (token: string, body: {subscription: any, topics: string[]}) => Promise<{topics: string[]}>,
 *   unsubscribe: (token: string, body: {subscription: any}) => Promise<{removed: boolean}>,
 * }} PushTransport
 */

/**
 * @param {{baseUrl?: string, fetch?: typeof fetch}} [options]
 * @returns {PushTransport}
 */
export function createPushTransport({ baseUrl = '', fetch: fetchFn = globalThis.fetch.bind(globalThis) } = {}) {
  /**
   * @param {string} method
   * @param {string} path
   * @param {string | null} token
   * @param {any} [body]
   */
  async function call(method, path, token, body) {
    /** @type {Record<string, string>} */
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetchJson(fetchFn, `${baseUrl}${path}`,
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  return {
    publicKey: () => call('GET', '/api/v1/push/key', null),
    subscribe: (token, body) => call('POST', '/api/v1/push/subscriptions', token, body),
    unsubscribe: (token, body) => call('DELETE', '/api/v1/push/subscriptions', token, body),
  };
}
