// @ts-check
/**
 * The app's words: both languages hold the same messages, and every message the screens
 * ask for, and every error the server or the sync client can report, has words in both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vi from '../../pwa/src/ui/messages/vi.json' with { type: 'json' };
import en from '../../pwa/src/ui/messages/en.json' with { type: 'json' };
import { ENTITIES } from '../../pwa/src/sync/entities.js';
import { LANGUAGES } from '../../pwa/src/ui/i18n.js';
import { PERIODS } from '../../pwa/src/ui/dashboard/periods.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CATALOGUES = /** @type {Record<string, Record<string, string>>} */ ({ vi, en });

// Codes the app itself gives: the sync client's and the transport's own, and the UI's
// names for failures that come without a code (see errorCode in ui/i18n.js).
const CLIENT_CODES = ['offline', 'timeout', 'clock_wrong', 'not_enrolled', 'too_many_rounds', 'bad_cursor',
  'http_error', 'quota', 'invalid_op', 'unexpected'];
// The server's codes that are not raised as ApiError (server/errors.py).
const SERVER_HANDLER_CODES = ['internal_error', 'request_too_large'];

/**
 * Every file under `dir` whose name matches `pattern`.
 * @param {string} dir
 * @param {RegExp} pattern
 * @returns {Promise<string[]>}
 */
async function sources(dir, pattern) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path, pattern)));
    else if (pattern.test(entry.name)) found.push(path);
  }
  return found;
}

/**
 * The first capture group of every match of `regex` across `files`.
 * @param {string[]} files
 * @param {RegExp} regex with the g flag
 */
async function capturesIn(files, regex) {
  const found = new Set();
  for (const file of files) {
    for (const match of (await readFile(file, 'utf8')).matchAll(regex)) found.add(match[1]);
  }
  return found;
}

/** @param {string} text */
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/**
 * Say which of `keys` either language lacks.
 * @param {Iterable<string>} keys
 */
function missing(keys) {
  return [...keys].flatMap((key) => LANGUAGES.filter((lang) => !(key in CATALOGUES[lang])).map((lang) => `${lang}: ${key}`));
}

test('vi.json and en.json hold exactly the same keys, with the same placeholders', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(vi).sort());
  for (const key of Object.keys(vi)) {
    assert.deepEqual(placeholders(CATALOGUES.en[key]), placeholders(CATALOGUES.vi[key]), key);
  }
});

test('every message the screens name exists in both languages', async () => {
  const files = await sources(join(ROOT, 'pwa/src/ui'), /\.jsx?$/);
  const literal = await capturesIn(files, /\bt\(\s*['"]([^'"]+)['"]/g);
  assert.ok(literal.size > 50, `found only ${literal.size} t('…') calls: is the pattern still right?`);
  assert.deepEqual(missing(literal), []);
});

test('every message is used: named by a screen or in a family built from a value', async () => {
  const files = await sources(join(ROOT, 'pwa/src/ui'), /\.jsx?$/);
  const literal = await capturesIn(files, /\bt\(\s*['"]([^'"]+)['"]/g);
  const built = await capturesIn(files, /\bt\(\s*`([\w.]+)\.\$\{/g);
  const unused = Object.keys(vi).filter((key) => !literal.has(key) && !built.has(key.slice(0, key.lastIndexOf('.'))));
  assert.deepEqual(unused, []);
});

test('every family of messages the screens build from a value has a message per value', async () => {
  const files = await sources(join(ROOT, 'pwa/src/ui'), /\.jsx?$/);
  const levels = ENTITIES.skill_check.fields.level;
  /** @type {Record<string, string[]>} */
  const families = {
    status: ENTITIES.attendance.fields.status.choices,
    gender: ENTITIES.trainee.fields.gender.choices,
    level: Array.from({ length: Number(levels.max_value) - Number(levels.min_value) + 1 }, (_, i) => String(Number(levels.min_value) + i)),
    entity: Object.keys(ENTITIES),
    lang: [...LANGUAGES],
    period: [...PERIODS, 'custom'],
    error: [], // every code is checked in the test below
  };
  const built = await capturesIn(files, /\bt\(\s*`([\w.]+)\.\$\{/g);
  assert.deepEqual([...built].filter((family) => !(family in families)), [], 'a family this test does not know');
  assert.deepEqual(missing(Object.entries(families).flatMap(([family, values]) => values.map((v) => `${family}.${v}`))), []);
});

test('every error code the server or the app can report has words', async () => {
  const server = await capturesIn(await sources(join(ROOT, 'server'), /\.py$/), /ApiError\(\s*\d+,\s*"(\w+)"/g);
  assert.ok(server.has('device_revoked'), 'the scan of the server found its error codes');
  const clientFiles = [
    ...(await sources(join(ROOT, 'pwa/src/client'), /\.js$/)),
    ...(await sources(join(ROOT, 'pwa/src/transport'), /\.js$/)),
  ];
  const client = new Set([
    ...(await capturesIn(clientFiles, /\bcode:\s*'(\w+)'/g)),
    ...(await capturesIn(clientFiles, /TransportError\(\s*'(\w+)'/g)),
  ]);
  const codes = [...server, ...SERVER_HANDLER_CODES, ...client, ...CLIENT_CODES];
  assert.deepEqual(missing(codes.map((code) => `error.${code}`)), []);
});
