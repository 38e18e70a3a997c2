// Build the app into dist/: hashed bundles, index.html, manifest and icons, then the
// service worker with the precache list generated from what was built, then .gz copies
// the server sends to browsers that take gzip.
import { build } from 'esbuild';
import { injectManifest } from 'workbox-build';
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = dirname(fileURLToPath(import.meta.url));
const OUT = process.env.FIELDROLL_PWA_OUT ?? join(ROOT, 'dist');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
// A build label lets tests and deployments ship a new version of the same code.
const VERSION = process.env.FIELDROLL_APP_VERSION ?? pkg.version;
const COMPRESSIBLE = /\.(js|css|html|json|webmanifest)$/;

const common = {
  bundle: true, minify: true, format: 'esm', target: ['chrome100', 'safari15', 'firefox100'],
  define: { 'globalThis.FIELDROLL_VERSION': JSON.stringify(VERSION) },
  jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none', logLevel: 'warning',
};

await rm(OUT, { recursive: true, force: true });
await mkdir(join(OUT, 'assets'), { recursive: true });

const app = await build({
  ...common, entryPoints: { app: join(ROOT, 'src/ui/main.jsx') }, outdir: join(OUT, 'assets'),
  entryNames: '[name]-[hash]', chunkNames: '[name]-[hash]', splitting: true, metafile: true,
});
const outputs = Object.keys(app.metafile.outputs).map((file) => file.split('/').pop());
const js = outputs.find((name) => /^app-.*\.js$/.test(name));
const css = outputs.find((name) => /^app-.*\.css$/.test(name));
const html = (await readFile(join(ROOT, 'src/index.html'), 'utf8')).replace('__JS__', js).replace('__CSS__', css);
await writeFile(join(OUT, 'index.html'), html);
await cp(join(ROOT, 'public'), OUT, { recursive: true });

const swSource = join(OUT, 'sw.src.js');
await build({ ...common, entryPoints: [join(ROOT, 'src/sw.js')], outfile: swSource });
const { count, size, warnings } = await injectManifest({
  swSrc: swSource, swDest: join(OUT, 'sw.js'), globDirectory: OUT,
  globPatterns: ['index.html', 'manifest.webmanifest', 'icons/*.png', 'assets/*.{js,css}'],
  // The coordinator's office works online only; trainers' phones need not download it on 2G.
  globIgnores: ['assets/office-*'],
  // Hashed names change with their content: no revision query needed.
  dontCacheBustURLsMatching: /^assets\//,
});
await rm(swSource);
if (warnings.length) console.warn(warnings.join('\n'));

// The app shell is what a cold start loads: the page, the service worker, the manifest,
// and the app bundle with what it imports statically. Chunks loaded by import() (the QR
// decoder, the WebAuthn glue, the coordinator's office) load only when used.
const shell = new Set(['index.html', 'sw.js', 'manifest.webmanifest', css, ...staticImports(`assets/${js}`)]);
let shellGz = 0;
for (const name of await walk(OUT)) {
  if (!COMPRESSIBLE.test(name)) continue;
  const zipped = gzipSync(await readFile(name), { level: 9 });
  await writeFile(`${name}.gz`, zipped);
  const local = name.slice(OUT.length + 1);
  if (shell.has(local) || shell.has(local.replace(/^assets\//, ''))) shellGz += zipped.length;
}
console.log(`built FieldRoll ${VERSION} into ${OUT}: ${count} files precached (${(size / 1024).toFixed(0)} KB), app shell ${(shellGz / 1024).toFixed(1)} KB gzip`);

/** @param {string} entry an output path under OUT, e.g. assets/app-XYZ.js */
function staticImports(entry) {
  const found = new Set([entry]);
  // The metafile names outputs relative to the working directory; the shell is named relative to OUT.
  const underOut = (/** @type {string} */ path) => relative(OUT, resolve(path));
  const outputs = Object.fromEntries(Object.entries(app.metafile.outputs).map(([path, meta]) => [underOut(path), meta]));
  const stack = [entry];
  while (stack.length) {
    for (const imported of outputs[stack.pop()]?.imports ?? []) {
      const path = underOut(imported.path);
      if (imported.kind === 'import-statement' && !found.has(path)) {
        found.add(path);
        stack.push(path);
      }
    }
  }
  return found;
}

async function walk(dir) {
  const found = [];
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if ((await stat(path)).isDirectory()) found.push(...(await walk(path)));
    else found.push(path);
  }
  return found;
}
