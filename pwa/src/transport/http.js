// @ts-check
/**
 * Talking to the FieldRoll server over HTTP. The sync client gets this passed in and
 * never calls fetch itself, so tests can hand it a scripted or failing transport.
 */

export const PROTOCOL_VERSION = 1;
// Below this a gzip header costs more than it saves.
const GZIP_MIN_BYTES = 1024;
// A 2G link stalls rather than fails: give up on a request after this, so the sync lock is
// released and the next try starts clean. Generous, since 2G moves about 5 KB/s.
export const REQUEST_TIMEOUT_MS = 120_000;

/** A request that did not get an answer the app can use; `code` says which kind. */
export class TransportError extends Error {
  /**
   * @param {string} code 'offline' when nothing came back, else the server's error code
   * @param {string} message
   * @param {number} [status]
   * @param {Record<string, any>} [details]
   */
  constructor(code, message, status = 0, details = {}) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/**
 * @param {string} text
 * @returns {Promise<BodyInit>}
 */
async function maybeGzip(text) {
  if (text.length < GZIP_MIN_BYTES || typeof CompressionStream === 'undefined') return text;
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

/**
 * Whether an answer has the shape of a sync reply, before any of it is stored.
 * @param {any} reply
 */
function isSyncReply(reply) {
  return Array.isArray(reply?.acks) && Array.isArray(reply.changes) && typeof reply.cursor === 'string'
    && typeof reply.server_hlc === 'string' && typeof reply.more === 'boolean';
}

/**
 * Send one request and return its JSON answer, or throw a TransportError: 'offline' or
 * 'timeout' when nothing usable arrived, else the server's error code. Every transport
 * of the app goes through here, so they all name failures alike.
 * @param {typeof fetch} fetchFn
 * @param {string} url
 * @param {RequestInit} init
 */
export async function fetchJson(fetchFn, url, init) {
  let response;
  try {
    response = await fetchFn(url, { ...init, cache: 'no-store', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (/** @type {any} */ error) {
    throw new TransportError(error?.name === 'TimeoutError' ? 'timeout' : 'offline', String(error));
  }
  let answer;
  try {
    answer = await response.json();
  } catch (error) {
    // A connection cut mid-answer, or a captive portal's page: nothing usable arrived.
    throw new TransportError('offline', String(error), response.status);
  }
  if (!response.ok) {
    const err = answer?.error ?? {};
    throw new TransportError(err.code ?? 'http_error', err.message ?? response.statusText, response.status, err.details);
  }
  return answer;
}

/**
 * @param {{baseUrl?: string, fetch?: typeof fetch}} [options]
 */
export function createHttpTransport({ baseUrl = '', fetch: fetchFn = globalThis.fetch.bind(globalThis) } = {}) {
  /**
   * POST JSON and return the parsed answer, or throw a TransportError.
   * @param {string} path
   * @param {any} body
   * @param {string | null} token
   */
  async function post(path, body, token) {
    const text = JSON.stringify(body);
    const payload = await maybeGzip(text);
    /** @type {Record<string, string>} */
    const headers = { 'Content-Type': 'application/json' };
    if (payload !== text) headers['Content-Encoding'] = 'gzip';
    return request(path, { method: 'POST', headers, body: payload }, token);
  }

  /**
   * GET and return the parsed answer, or throw a TransportError.
   * @param {string} path
   * @param {string | null} token
   */
  function get(path, token) {
    return request(path, { method: 'GET', headers: {} }, token);
  }

  /**
   * @param {string} path
   * @param {{method: string, headers: Record<string, string>, body?: BodyInit}} init
   * @param {string | null} token
   */
  async function request(path, init, token) {
    if (token) init.headers.Authorization = `Bearer ${token}`;
    return fetchJson(fetchFn, `${baseUrl}${path}`, init);
  }

  return {
    /**
     * Redeem a one-time enrolment code for this phone's token.
     * @param {string} code
     * @param {string} label
     * @param {string} appVersion
     */
    enrol(code, label, appVersion) {
      return post('/api/v1/devices', { code, label, app_version: appVersion }, null);
    },
    /**
     * One push-and-pull round trip.
     * @param {string} token
     * @param {any} body
     */
    async sync(token, body) {
      const reply = await post('/api/v1/sync', { protocol: PROTOCOL_VERSION, ...body }, token);
      if (!isSyncReply(reply)) throw new TransportError('internal_error', 'the server sent a reply this app cannot read');
      return reply;
    },
    /**
     * Hand a trainer's saved outbox file to the server (coordinators).
     * @param {string} token
     * @param {any} file
     */
    uploadOutboxFile(token, file) {
      return post('/api/v1/outbox-files', file, token);
    },
    /**
     * Begin making a passkey for the person this phone is enrolled for.
     * @param {string} token
     */
    passkeyRegisterOptions(token) {
      return post('/api/v1/webauthn/register/options', {}, token);
    },
    /**
     * Finish making a passkey: the browser's answer to the options.
     * @param {string} token
     * @param {any} body
     */
    passkeyRegister(token, body) {
      return post('/api/v1/webauthn/register', body, token);
    },
    /** Begin signing in with a passkey (no token: this is how a new phone gets one). */
    passkeyLoginOptions() {
      return post('/api/v1/webauthn/login/options', {}, null);
    },
    /**
     * Finish signing in: answered like an enrolment, with a new device token.
     * @param {any} body
     * @returns {Promise<{device_id: string, token: string, user: {id: string, name: string, role: string}}>}
     */
    passkeyLogin(body) {
      return post('/api/v1/webauthn/login', body, null);
    },
    /**
     * The devices of the people in a coordinator's area.
     * @param {string} token
     */
    listDevices(token) {
      return get('/api/v1/devices', token);
    },
    /**
     * Refuse a device from now on; its next contact wipes it.
     * @param {string} token
     * @param {string} deviceId
     */
    revokeDevice(token, deviceId) {
      return post(`/api/v1/devices/${encodeURIComponent(deviceId)}/revoke`, {}, token);
    },
    /**
     * A new one-time enrolment code for a person (a lost phone, a lost passkey).
     * @param {string} token
     * @param {string} userId
     * @returns {Promise<{code: string, link: string}>}
     */
    newEnrolmentCode(token, userId) {
      return post(`/api/v1/users/${encodeURIComponent(userId)}/enrolment-codes`, {}, token);
    },
  };
}

/** @typedef {ReturnType<typeof createHttpTransport>} Transport */
