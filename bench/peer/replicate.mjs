// Drives PouchDB 9 for the benchmark: one JSON command per line on stdin, one JSON answer per line on stdout.
//
// Devices are in-memory PouchDB databases that live as long as this process, so a later command can edit
// and push again from the same device, with its checkpoints, as an app would. Each replication gets a new
// HTTP agent, so it opens its own connections (as a later sync on a phone would) and pays their handshakes.
//
//   {"cmd": "seed", "remote": url, "docs": [...]}          write docs straight to the server (not measured)
//   {"cmd": "write", "device": name, "docs": [...]}        upsert docs on the device, one new revision each
//   {"cmd": "replicate", "device": name, "remote": url, "direction": "push" | "pull" | "sync"}
//   {"cmd": "quit"}
import http from 'node:http';
import readline from 'node:readline';

import PouchDB from 'pouchdb';
import memory from 'pouchdb-adapter-memory';

PouchDB.plugin(memory);

/** @type {Map<string, PouchDB.Database>} */
const devices = new Map();

function device(name) {
  if (!devices.has(name)) devices.set(name, new PouchDB(name, { adapter: 'memory' }));
  return devices.get(name);
}

async function write(db, docs) {
  const ids = docs.map((doc) => doc._id);
  if (new Set(ids).size !== ids.length) throw new Error('one write holds two versions of a doc');
  const existing = await db.allDocs({ keys: ids });
  const revs = new Map(existing.rows.filter((row) => row.value && !row.value.deleted)
    .map((row) => [row.id, row.value.rev]));
  const results = await db.bulkDocs(docs.map((doc) => (revs.has(doc._id) ? { ...doc, _rev: revs.get(doc._id) } : doc)));
  const failed = results.filter((r) => r.error);
  if (failed.length) throw new Error(`${failed.length} writes failed, first: ${JSON.stringify(failed[0])}`);
  return { written: results.length };
}

async function seed(remote, docs) {
  const db = new PouchDB(remote);
  const results = await db.bulkDocs(docs);
  const failed = results.filter((r) => r.error);
  if (failed.length) throw new Error(`${failed.length} seeds failed, first: ${JSON.stringify(failed[0])}`);
  return { written: results.length };
}

// A connection reset before any answer: the server closed an idle keep-alive connection as the request went
// out (or the benchmark cut the link). Browsers send such a request again once on a new connection, and so
// does FieldRoll's benchmark client; this does the same, and counts it.
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

// What PouchDB asked the server for: requests by method and endpoint, docs in _bulk_docs bodies.
function countingFetch(agent, seen) {
  return async (url, options = {}) => {
    const { pathname } = new URL(url);
    const endpoint = pathname.split('/').slice(2).join('/').replace(/^_local\/.*/, '_local/<checkpoint>') || '<db>';
    const key = `${options.method || 'GET'} ${endpoint}`;
    seen.requests[key] = (seen.requests[key] || 0) + 1;
    for (let attempt = 0; ; attempt += 1) {
      if (endpoint === '_bulk_docs' && typeof options.body === 'string') {
        seen.bulk_docs_docs += JSON.parse(options.body).docs.length;
      }
      try {
        const response = await PouchDB.fetch(url, { ...options, agent });
        if (response.headers.get('content-encoding')) seen.compressed_responses += 1;
        return response;
      } catch (error) {
        seen.failed_requests.push(`${key}: ${error.code || error.message}`);
        if (attempt > 0 || !RESET_CODES.has(error.code)) throw error;
        seen.resent += 1;
      }
    }
  };
}

async function replicate(db, remoteUrl, direction) {
  const agent = new http.Agent({ keepAlive: true });
  const seen = { requests: {}, resent: 0, bulk_docs_docs: 0, compressed_responses: 0, failed_requests: [] };
  const remote = new PouchDB(remoteUrl, { fetch: countingFetch(agent, seen) });
  const started = performance.now();
  let result;
  let error = null;
  try {
    if (direction === 'push') result = await db.replicate.to(remote);
    else if (direction === 'pull') result = await db.replicate.from(remote);
    else result = await db.sync(remote);
  } catch (e) {
    error = `${e.name || 'error'}: ${e.message || e}`;
    result = e.result;
  }
  const wallMs = performance.now() - started;
  agent.destroy();
  const parts = direction === 'sync' ? [result?.push, result?.pull] : [result];
  const total = (field) => parts.reduce((sum, part) => sum + (part?.[field] || 0), 0);
  return { ok: !error && parts.every((part) => part?.ok), error, wall_ms: wallMs,
    docs_read: total('docs_read'), docs_written: total('docs_written'), ...seen };
}

async function handle(command) {
  switch (command.cmd) {
    case 'seed': return seed(command.remote, command.docs);
    case 'write': return write(device(command.device), command.docs);
    case 'replicate': return replicate(device(command.device), command.remote, command.direction);
    case 'quit': process.exit(0);
    default: throw new Error(`unknown command ${command.cmd}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer;
  try {
    answer = { ok: true, ...(await handle(JSON.parse(line))) };
  } catch (error) {
    answer = { ok: false, error: String(error && error.stack ? error.stack : error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
