// @ts-check
/** The office's transport against a fake fetch: paths and tokens, uploads, downloads, failures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDashboardTransport, filenameFrom, queryString } from '../../pwa/src/transport/dashboard-http.js';
import { TransportError } from '../../pwa/src/transport/http.js';

/**
 * A fetch that records each request and answers with `answer(url, init)`.
 * @param {(url: string, init: any) => Response | Promise<Response>} answer
 */
function fakeFetch(answer) {
  /** @type {{url: string, init: any}[]} */
  const calls = [];
  const fetch = /** @type {typeof globalThis.fetch} */ (/** @type {any} */ (async (/** @type {string} */ url, /** @type {any} */ init) => {
    calls.push({ url, init });
    return answer(url, init);
  }));
  return { fetch, calls };
}

const json = (/** @type {any} */ body, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

test('reads send the token and only the filters that have a value', async () => {
  const { fetch, calls } = fakeFetch(() => json({ courses: [] }));
  const api = createDashboardTransport({ baseUrl: 'https://x', fetch });
  assert.deepEqual(await api.courses('tok', { commune_id: 'c1', q: '' }), { courses: [] });
  await api.figures('tok', { area_id: undefined, from: '2026-01-01', to: '2026-03-31' });
  await api.course('tok', 'a/b');
  await api.mergePreview('tok', 'k', 'm');
  await api.health('tok', { stale_days: 3 });
  assert.deepEqual(calls.map((c) => c.url), [
    'https://x/api/v1/courses?commune_id=c1',
    'https://x/api/v1/figures?from=2026-01-01&to=2026-03-31',
    'https://x/api/v1/courses/a%2Fb',
    'https://x/api/v1/duplicates/preview?keep=k&merge=m',
    'https://x/api/v1/health?stale_days=3',
  ]);
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok');
  assert.equal(calls[0].init.method, 'GET');
});

test('an import is a multipart POST with the file, the course, and the dry-run flag', async () => {
  const { fetch, calls } = fakeFetch(() => json({ rows: [], ok: 0, errors: 0, imported: 0 }));
  const api = createDashboardTransport({ fetch });
  const file = new Blob(['Họ và tên\nGiàng Thị Mỷ\n'], { type: 'text/csv' });
  await api.importFile('tok', file, 'danh-sách.csv', { dryRun: true, courseId: 'course-1' });
  await api.importFile('tok', file, 'danh-sách.csv', { dryRun: false });
  assert.equal(calls[0].url, '/api/v1/imports?dry_run=1');
  assert.equal(calls[1].url, '/api/v1/imports?dry_run=0');
  assert.equal(calls[0].init.method, 'POST');
  const form = /** @type {FormData} */ (calls[0].init.body);
  assert.ok(form instanceof FormData);
  assert.equal(form.get('course_id'), 'course-1');
  const sent = /** @type {File} */ (form.get('file'));
  assert.equal(sent.name, 'danh-sách.csv');
  assert.equal(await sent.text(), 'Họ và tên\nGiàng Thị Mỷ\n');
  assert.equal(/** @type {FormData} */ (calls[1].init.body).has('course_id'), false);
  // The browser writes the multipart boundary: no Content-Type of our own.
  assert.equal(calls[0].init.headers['Content-Type'], undefined);
  // Encoded as the server will read it.
  const encoded = await new Response(form).text();
  assert.match(encoded, /name="file"; filename="danh-s/);
  assert.match(encoded, /name="course_id"\r\n\r\ncourse-1/);
});

test('a download is the file with the name the server gave, in UTF-8 when it gave one', async () => {
  const bytes = new Uint8Array([0x50, 0x4b, 3, 4]);
  const { fetch, calls } = fakeFetch(() => new Response(bytes, { headers: {
    'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Content-Disposition': "attachment; filename=danh-sach.xlsx; filename*=UTF-8''danh-s%C3%A1ch-l%E1%BB%9Bp.xlsx" } }));
  const api = createDashboardTransport({ fetch });
  const file = await api.download('tok', 'roster.xlsx', { course_id: 'c1', lang: 'vi' });
  assert.equal(calls[0].url, '/api/v1/exports/roster.xlsx?course_id=c1&lang=vi');
  assert.equal(file.filename, 'danh-sách-lớp.xlsx');
  assert.equal(file.type, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.deepEqual(new Uint8Array(await file.blob.arrayBuffer()), bytes);
});

test('file names: RFC 6266 forms, quotes, and a fallback', () => {
  assert.equal(filenameFrom('attachment; filename="a b.pdf"', 'x.pdf'), 'a b.pdf');
  assert.equal(filenameFrom('attachment; filename=plain.csv', 'x.csv'), 'plain.csv');
  assert.equal(filenameFrom("attachment; filename*=utf-8''%E1%BA%A3.pdf", 'x.pdf'), 'ả.pdf');
  assert.equal(filenameFrom("attachment; filename*=UTF-8''%E0%A4%A.pdf; filename=ok.pdf", 'x.pdf'), 'ok.pdf');
  assert.equal(filenameFrom(null, 'x.pdf'), 'x.pdf');
  assert.equal(filenameFrom('attachment', 'x.pdf'), 'x.pdf');
});

test('query strings skip empty values and write booleans as 1 and 0', () => {
  assert.equal(queryString({}), '');
  assert.equal(queryString({ a: '', b: null, c: undefined }), '');
  assert.equal(queryString({ q: 'Bản Hồ', dry_run: false }), '?q=B%E1%BA%A3n+H%E1%BB%93&dry_run=0');
});

test('the server\'s JSON error becomes a TransportError with its code, status and details', async () => {
  const { fetch } = fakeFetch(() => json({ error: { code: 'not_a_coordinator', message: 'coordinators only', details: { role: 'trainer' } } }, 403));
  const api = createDashboardTransport({ fetch });
  await assert.rejects(api.figures('tok'), (/** @type {any} */ error) => error instanceof TransportError
    && error.code === 'not_a_coordinator' && error.status === 403 && error.details.role === 'trainer');
  const download = createDashboardTransport({ fetch: fakeFetch(() => json({ error: { code: 'not_found', message: 'no such session' } }, 404)).fetch });
  await assert.rejects(download.download('tok', 'attendance-sheet.pdf', { session_id: 's' }), { code: 'not_found', status: 404 });
});

test('an answer that is not JSON, no answer, and a cut answer each have a code', async () => {
  const proxy = createDashboardTransport({ fetch: fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })).fetch });
  await assert.rejects(proxy.areas('tok'), { code: 'http_error', status: 502, message: 'Bad Gateway' });
  const offline = createDashboardTransport({ fetch: fakeFetch(() => { throw new TypeError('Failed to fetch'); }).fetch });
  await assert.rejects(offline.duplicates('tok'), { code: 'offline' });
  const slow = createDashboardTransport({ fetch: fakeFetch(() => { throw Object.assign(new Error('slow'), { name: 'TimeoutError' }); }).fetch });
  await assert.rejects(slow.health('tok'), { code: 'timeout' });
  const cut = createDashboardTransport({ fetch: fakeFetch(() => new Response('{"courses": [', { status: 200 })).fetch });
  await assert.rejects(cut.courses('tok'), { code: 'offline' });
});

test('a trainee\'s data copy is a file, their erasure a POST to the server', async () => {
  const { fetch, calls } = fakeFetch((url) => url.endsWith('/erasure')
    ? json({ trainee_id: 't/1', already: false })
    : new Response('{"trainee":{}}', { headers: { 'Content-Type': 'application/json' } }));
  const api = createDashboardTransport({ fetch });
  const copy = await api.traineeCopy('tok', 't/1');
  const erased = await api.eraseTrainee('tok', 't/1');
  assert.equal(copy.filename, 'trainee-t/1.json');
  assert.equal(await copy.blob.text(), '{"trainee":{}}');
  assert.deepEqual(erased, { trainee_id: 't/1', already: false });
  assert.deepEqual(calls.map((c) => [c.init.method, c.url]), [
    ['GET', '/api/v1/trainees/t%2F1/data-copy'], ['POST', '/api/v1/trainees/t%2F1/erasure']]);
  assert.equal(calls[1].init.headers.Authorization, 'Bearer tok');
});
