// @ts-check
/**
 * The trainee's calls to the server: the check-in roster, sending confirmations, and a
 * passkey for the trainee. No device token: a trainee's phone is not enrolled, and the
 * check-in token in each request is what lets it in. Like http.js, the only place here
 * that calls fetch, so the check-in logic can be tested with a scripted stand-in.
 */
import { TransportError, fetchJson } from './http.js';

/**
 * @typedef {{op_id: string, status: string, reason?: string}} Ack
 * @typedef {{
 *   roster: (token: string) => Promise<any>,
 *   sendCheckins: (ops: any[]) => Promise<{acks: Ack[]}>,
 *   traineeRegisterOptions: (body: {token: string, trainee_id: string, birth_year: number | null}) => Promise<any>,
 *   traineeRegister: (body: any) => Promise<any>,
 * }} CheckinTransport
 */

/**
 * @param {{baseUrl?: string, fetch?: typeof fetch}} [options]
 * @returns {CheckinTransport}
 */
export function createCheckinTransport({ baseUrl = '', fetch: fetchFn = globalThis.fetch.bind(globalThis) } = {}) {
  /**
   * Send one request and return the parsed answer, or throw a TransportError.
   * @param {string} path
   * @param {any} [body] JSON to POST; a GET without it
   */
  async function call(path, body) {
    /** @type {RequestInit} */
    const init = { method: body === undefined ? 'GET' : 'POST' };
    if (body !== undefined) {
      init.headers = { 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    return fetchJson(fetchFn, `${baseUrl}${path}`, init);
  }

  return {
    roster(token) {
      return call(`/api/v1/checkins/roster?token=${encodeURIComponent(token)}`);
    },
    async sendCheckins(ops) {
      const reply = await call('/api/v1/checkins', { ops });
      if (!Array.isArray(reply?.acks)) throw new TransportError('internal_error', 'the server sent a reply this app cannot read');
      return reply;
    },
    traineeRegisterOptions(body) {
      return call('/api/v1/webauthn/trainee/register/options', body);
    },
    traineeRegister(body) {
      return call('/api/v1/webauthn/trainee/register', body);
    },
  };
}

/** @type {CheckinTransport | null} */
let shared = null;

/** The one transport the page uses for check-in (the app start and the check-in screens share it). */
export function checkinTransport() {
  shared ??= createCheckinTransport();
  return shared;
}
