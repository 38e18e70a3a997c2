// @ts-check
/**
 * The coordinator's office talking to the server (docs/dashboard.md): JSON reads, files to
 * download (exports) and a spreadsheet to upload (imports). The screens never call fetch;
 * they get this passed in, so tests can hand it a fake fetch. Failures are TransportErrors
 * with the same codes as the sync transport's, so the same words explain them.
 */
import { REQUEST_TIMEOUT_MS, TransportError } from './http.js';

/** @typedef {{blob: Blob, filename: string, type: string}} Download */

/**
 * A query string from the parameters that have a value: "?a=1&b=x", or "".
 * @param {Record<string, string | number | boolean | null | undefined>} [params]
 */
export function queryString(params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    query.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

/**
 * The file name a download's Content-Disposition gives (RFC 6266, `filename*` first), or `fallback`.
 * @param {string | null} header
 * @param {string} fallback
 */
export function filenameFrom(header, fallback) {
  if (!header) return fallback;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[2].trim().replace(/^"|"$/g, ''));
    } catch {
      // A malformed escape: fall through to the plain name.
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  const name = plain ? (plain[2] ?? plain[1]).trim() : '';
  return name || fallback;
}

/**
 * Turn a failed answer into a TransportError with the server's code when it sent one.
 * @param {Response} response
 */
async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML page): say the status.
  }
  const err = body?.error ?? {};
  return new TransportError(err.code ?? 'http_error', err.message ?? (response.statusText || `HTTP ${response.status}`),
    response.status, err.details);
}

/**
 * @param {{baseUrl?: string, fetch?: typeof fetch}} [options]
 */
export function createDashboardTransport({ baseUrl = '', fetch: fetchFn = globalThis.fetch.bind(globalThis) } = {}) {
  /**
   * @param {string} path
   * @param {string} token
   * @param {{method?: string, body?: BodyInit}} [init]
   * @returns {Promise<Response>}
   */
  async function send(path, token, init = {}) {
    let response;
    try {
      response = await fetchFn(`${baseUrl}${path}`, {
        method: init.method ?? 'GET', body: init.body, cache: 'no-store',
        headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (/** @type {any} */ error) {
      throw new TransportError(error?.name === 'TimeoutError' ? 'timeout' : 'offline', String(error));
    }
    if (!response.ok) throw await failure(response);
    return response;
  }

  /**
   * @param {string} path
   * @param {string} token
   * @param {{method?: string, body?: BodyInit}} [init]
   */
  async function json(path, token, init) {
    const response = await send(path, token, init);
    try {
      return await response.json();
    } catch (error) {
      // A connection cut mid-answer lands here: nothing usable arrived.
      throw new TransportError('offline', String(error), response.status);
    }
  }

  /**
   * Fetch a file to save.
   * @param {string} path
   * @param {string} token
   * @param {string} name the file name when the server gives none
   * @returns {Promise<Download>}
   */
  async function file(path, token, name) {
    const response = await send(path, token);
    let blob;
    try {
      blob = await response.blob();
    } catch (error) {
      throw new TransportError('offline', String(error), response.status);
    }
    const type = response.headers.get('Content-Type') ?? blob.type;
    return { blob, type, filename: filenameFrom(response.headers.get('Content-Disposition'), name) };
  }

  return {
    /** @param {string} token */
    areas: (token) => json('/api/v1/areas', token),
    /** @param {string} token @param {{commune_id?: string, q?: string, program_id?: string}} [params] */
    courses: (token, params) => json(`/api/v1/courses${queryString(params)}`, token),
    /** @param {string} token @param {string} id @param {{q?: string, gender?: string, ethnicity?: string}} [params] */
    course: (token, id, params) => json(`/api/v1/courses/${encodeURIComponent(id)}${queryString(params)}`, token),
    /** @param {string} token @param {{area_id?: string, from?: string, to?: string, program_id?: string}} [params] */
    figures: (token, params) => json(`/api/v1/figures${queryString(params)}`, token),
    /** @param {string} token @param {{stale_days?: number}} [params] */
    health: (token, params) => json(`/api/v1/health${queryString(params)}`, token),
    /** @param {string} token */
    duplicates: (token) => json('/api/v1/duplicates', token),
    /** @param {string} token @param {string} keep @param {string} merge */
    mergePreview: (token, keep, merge) => json(`/api/v1/duplicates/preview${queryString({ keep, merge })}`, token),
    /**
     * Send a spreadsheet of trainees: a dry run says what each line would do; otherwise import.
     * @param {string} token
     * @param {Blob} file
     * @param {string} filename
     * @param {{dryRun: boolean, courseId?: string | null}} options
     */
    importFile(token, file, filename, { dryRun, courseId }) {
      const form = new FormData();
      form.append('file', file, filename);
      if (courseId) form.append('course_id', courseId);
      // No Content-Type: the browser writes the multipart boundary itself.
      return json(`/api/v1/imports${queryString({ dry_run: dryRun })}`, token, { method: 'POST', body: form });
    },
    /**
     * Fetch an export as a file to save: `name` is e.g. "roster.xlsx" or "attendance-sheet.pdf".
     * @param {string} token
     * @param {string} name
     * @param {Record<string, string | undefined>} params
     * @returns {Promise<Download>}
     */
    download: (token, name, params) => file(`/api/v1/exports/${name}${queryString(params)}`, token, name),
    /**
     * Everything kept about one trainee, as a file to hand them.
     * @param {string} token
     * @param {string} id
     */
    traineeCopy: (token, id) => file(`/api/v1/trainees/${encodeURIComponent(id)}/data-copy`, token, `trainee-${id}.json`),
    /**
     * Erase one trainee's personal data on the server; their marks and counts stay.
     * @param {string} token
     * @param {string} id
     */
    eraseTrainee: (token, id) => json(`/api/v1/trainees/${encodeURIComponent(id)}/erasure`, token, { method: 'POST' }),
  };
}

/** @typedef {ReturnType<typeof createDashboardTransport>} DashboardTransport */
