// @ts-check
/**
 * The sync client: sends the outbox in chunks and pulls pages of changes, one round
 * trip each, until nothing is left either way.
 *
 *   idle ──sync()──▶ sending chunk + pulling page ──reply settled──▶ (more either way? loop) ──▶ idle
 *                         │ offline / cut mid-answer / timeout ──▶ idle, error kept; unacked ops stay
 *                         │ reply that cannot be stored ──▶ idle, error kept; nothing of it written
 *                         │ 413 too large ──▶ halve the chunk, try again
 *                         │ bad_cursor ──▶ forget the cursor, pull from the start
 *                         │ revoked, told to wipe ──▶ every store cleared; idle, nothing more sent
 *                         └ unknown token / old protocol ──▶ idle, error kept; outbox kept
 *
 * A sync asked for while one runs is folded into it: the running one goes round once more.
 * Across tabs and the service worker, a Web Lock keeps to one sync at a time.
 */
import { strictWrite } from '../store/db.js';
import { compactOp, opKey } from '../sync/compact.js';
import { getEnrolment, getMeta, updateSyncStatus } from '../store/meta.js';
import { nextChunk, pendingCount, settleReply } from '../store/outbox.js';
import { wipeLocalCopy } from '../store/wipe.js';
import { browserLocks, withSyncLock } from './sync-lock.js';

// A trainer's day (about 600 ops) in two requests; gzip shrinks a batch about tenfold,
// so a drop on 2G costs one batch of seconds, never the progress before it.
export const MAX_BATCH_OPS = 400;
export const MAX_BATCH_BYTES = 160 * 1024;
export const PULL_LIMIT = 500;
// A guard against a server that always says "more": a province is far below this.
const MAX_ROUNDS_PER_SYNC = 2000;

/** @typedef {{code: string, message: string}} SyncError */
/** @typedef {{ok: boolean, sent: number, pulled: number, error: SyncError | null}} SyncResult */

/**
 * @param {{db: import('../store/db.js').Db, transport: import('../transport/http.js').Transport,
 *          appVersion: string, now?: () => number, locks?: any}} options
 */
export function createSyncClient({ db, transport, appVersion, now = Date.now, locks = browserLocks() }) {
  /** @type {Promise<SyncResult> | null} */
  let running = null;
  let again = false;
  /** @type {{code: string, message: string, details: any} | null} */
  let unsaved = null;
  /** @type {Set<(event: {running: boolean}) => void>} */
  const listeners = new Set();
  const emit = (/** @type {boolean} */ isRunning) => listeners.forEach((fn) => fn({ running: isRunning }));

  async function exchange() {
    const enrolment = await getEnrolment(db);
    if (!enrolment) return { ok: false, sent: 0, pulled: 0, error: { code: 'not_enrolled', message: '' } };
    const key = opKey(enrolment.token);
    let maxOps = MAX_BATCH_OPS;
    let maxBytes = MAX_BATCH_BYTES;
    let sent = 0;
    let pulled = 0;
    for (let round = 0; round < MAX_ROUNDS_PER_SYNC; round++) {
      const chunk = await nextChunk(db, maxOps, maxBytes);
      const body = {
        device_id: enrolment.device_id, cursor: (await getMeta(db, 'cursor')) ?? null,
        ops: chunk.map((entry) => compactOp(entry.op, key)), pull_limit: PULL_LIMIT,
        app_version: appVersion, pending_ops: await pendingCount(db),
      };
      let reply;
      try {
        reply = await transport.sync(enrolment.token, body);
      } catch (/** @type {any} */ error) {
        if (error.status === 413 && maxOps > 1) {
          maxOps = Math.max(1, Math.floor(Math.min(maxOps, chunk.length) / 2));
          maxBytes = Math.max(1024, Math.floor(maxBytes / 2));
          continue;
        }
        if (error.code === 'bad_cursor') {
          await forgetCursor();
          continue;
        }
        if (error.code === 'device_revoked' && error.details?.wipe) {
          // The coordinator removed this phone: its copy goes, outbox and all, and nothing
          // more is sent (still under the sync lock, so no tab or worker writes meanwhile).
          await wipeLocalCopy(db, now());
          return { ok: false, sent, pulled, error: { code: 'device_revoked', message: String(error.message ?? '') } };
        }
        return { ok: false, sent, pulled, error: await recordError(error) };
      }
      try {
        await settleReply(db, enrolment.device_id, chunk, reply, now());
      } catch (/** @type {any} */ error) {
        return { ok: false, sent, pulled, error: await recordError(localFailure(error, 'internal_error')) };
      }
      sent += reply.acks.length;
      pulled += reply.changes.length;
      emit(true);
      if (!reply.more && (await pendingCount(db)) === 0) {
        unsaved = null;
        return { ok: true, sent, pulled, error: null };
      }
      if (chunk.length > 0 && reply.acks.length === 0 && !reply.more) {
        // The server took the batch but acknowledged none of it: sending it again cannot help.
        return { ok: false, sent, pulled, error: await recordError({ code: 'internal_error', message: 'no acks' }) };
      }
    }
    return { ok: false, sent, pulled, error: await recordError({ code: 'too_many_rounds', message: '' }) };
  }

  async function forgetCursor() {
    const tx = strictWrite(db, ['meta']);
    await tx.objectStore('meta').delete('cursor');
    await tx.done;
  }

  /** @param {any} error */
  async function recordError(error) {
    const lastError = { code: String(error.code ?? 'error'), message: String(error.message ?? ''), details: error.details ?? {} };
    try {
      const tx = strictWrite(db, ['meta']);
      await updateSyncStatus(tx, { lastError });
      await tx.done;
      unsaved = null;
    } catch {
      // The phone's storage itself refused (full, say): the error cannot be saved, so it is
      // held here for the sync bar, which would otherwise say nothing at all.
      unsaved = lastError;
    }
    return lastError;
  }

  async function runLocked() {
    const run = async () => {
      let result;
      do {
        again = false;
        try {
          result = await exchange();
        } catch (/** @type {any} */ error) {
          // The working copy itself failed (database closed, say): say so, keep going later.
          result = { ok: false, sent: 0, pulled: 0, error: await recordError(localFailure(error, 'storage_error')) };
        }
      } while (again && result.ok);
      return result;
    };
    return withSyncLock(locks, run);
  }

  return {
    /**
     * Send everything unsent and pull everything new; resolves when done or stopped.
     * @returns {Promise<SyncResult>}
     */
    sync() {
      if (running) {
        again = true;
        return running;
      }
      emit(true);
      running = runLocked().finally(() => {
        running = null;
        emit(false);
      });
      return running;
    },
    /** Whether a sync is under way. */
    get running() {
      return running !== null;
    },
    /** The last sync's error when the phone could not even save it (storage full), else null. */
    get unsavedError() {
      return unsaved;
    },
    /**
     * Be told when a sync starts, makes progress or ends.
     * @param {(event: {running: boolean}) => void} fn
     */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/**
 * Name a failure on the phone itself: a full storage is `quota`, anything else `fallback`.
 * @param {any} error
 * @param {string} fallback
 */
function localFailure(error, fallback) {
  const code = error?.name === 'QuotaExceededError' ? 'quota' : fallback;
  return { code, message: String(error?.message ?? error) };
}

/** @typedef {ReturnType<typeof createSyncClient>} SyncClient */
