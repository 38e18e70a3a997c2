// @ts-check
/** The office is loaded only when opened: the trainer's app shell never imports it or Chart.js. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pwa', 'src');

/** @param {string} dir @returns {Promise<string[]>} */
async function sources(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (/\.jsx?$/.test(entry.name)) found.push(path);
  }
  return found;
}

test('only the bar chart imports Chart.js, and only its parts for bar charts', async () => {
  const importers = [];
  for (const file of await sources(SRC)) {
    const text = await readFile(file, 'utf8');
    if (/from\s+['"]chart\.js(\/auto)?['"]/.test(text)) importers.push(relative(SRC, file));
    assert.doesNotMatch(text, /['"]chart\.js\/auto['"]/, `${file} imports every chart kind`);
  }
  assert.deepEqual(importers, ['ui/dashboard/bar-chart.jsx']);
});

test('outside the office, its screens are reached only through import()', async () => {
  for (const file of await sources(SRC)) {
    if (file.includes(`${join('ui', 'dashboard')}`) && !file.endsWith('entry.jsx')) continue;
    const text = await readFile(file, 'utf8');
    const statics = [...text.matchAll(/^import[^;]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    const office = statics.filter((path) => /dashboard\/(?!entry\.jsx)|^\.\/(office|figures|rosters|course-grid|health|duplicates|import|bar-chart)\.jsx$/.test(path));
    assert.deepEqual(office, [], `${relative(SRC, file)} imports the office statically`);
  }
});
