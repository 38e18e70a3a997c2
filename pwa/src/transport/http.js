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
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetchFn(`${baseUrl}${path}`, { method: 'POST', headers, body: payload, cache: 'no-store',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (/** @type {any} */ error) {
      throw new TransportError(error?.name === 'TimeoutError' ? 'timeout' : 'offline', String(error));
    }
    let answer;
    try {
      answer = await response.json();
    } catch (error) {
      // A connection cut mid-answer lands here: nothing usable arrived.
      throw new TransportError('offline', String(error), response.status);
    }
    if (!response.ok) {
      const err = answer?.error ?? {};
      throw new TransportError(err.code ?? 'http_error', err.message ?? response.statusText, response.status, err.details);
    }
    return answer;
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
  };
}

/** @typedef {ReturnType<typeof createHttpTransport>} Transport */
