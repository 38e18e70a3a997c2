// @ts-check
/**
 * A scripted stand-in for the sync endpoint, for testing the client's loop: it acks
 * what it gets, keeps every record as a change with a rev, pages pulls by `pull_limit`,
 * and can be told to fail the next requests in a given way. The real server is tested
 * against the real PWA in tests/e2e.
 */
import { opKey, ownOpId } from '../../pwa/src/sync/compact.js';
import { derivedId } from '../../pwa/src/sync/ids.js';

export const FIRST_DEVICE = '0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b';

export function createFakeServer() {
  let rev = 0;
  let enrolments = 0;
  /** @type {Map<string, any>} */
  const records = new Map();
  /** Bodies as received, ops expanded as the server expands them. @type {any[]} */
  const requests = [];
  /** Bodies exactly as sent. @type {any[]} */
  const wire = [];
  /** @type {((body: any) => any)[]} */
  const script = [];
  /** @type {Map<string, {status: string, reason?: string}>} */
  const verdicts = new Map();

  /** @param {any} op */
  function apply(op) {
    const key = `${op.entity}/${op.id}`;
    const known = records.get(key);
    if (known?.ops.has(op.op_id)) return { op_id: op.op_id, status: 'duplicate' };
    const verdict = verdicts.get(op.op_id);
    if (verdict?.status === 'rejected') return { op_id: op.op_id, ...verdict };
    rev += 1;
    const fields = { ...(known?.fields ?? {}), ...(op.fields ?? {}) };
    records.set(key, { entity: op.entity, id: op.id, rev, hlc: op.hlc, deleted: op.kind === 'delete', fields,
      ops: new Set([...(known?.ops ?? []), op.op_id]) });
    return { op_id: op.op_id, status: verdict?.status ?? 'applied' };
  }

  /** Answer one sync request as the server would. @param {any} body */
  function answer(body) {
    // An op sent without its op id is acked without it (sync/compact.py compact_ack).
    const acks = body.ops.map((/** @type {any} */ op) => {
      const ack = apply(op);
      if (sentCompact.has(op)) delete ack.op_id;
      return ack;
    });
    const since = body.cursor ? Number(body.cursor.slice(1)) : 0;
    const newer = [...records.values()].filter((r) => r.rev > since).sort((a, b) => a.rev - b.rev);
    const page = newer.slice(0, body.pull_limit);
    const changes = page.map(({ ops, ...change }) => change);
    const last = page.length ? page[page.length - 1].rev : since;
    return { protocol: 1, acks, changes, cursor: `r${last}`, more: newer.length > page.length,
      server_hlc: `${String(1_760_000_000_000 + rev).padStart(13, '0')}-0000-server` };
  }

  /** Ops that came without their op id. @type {WeakSet<object>} */
  const sentCompact = new WeakSet();

  /** Fill in the ids a compact op leaves out (sync/compact.py expand_op). @param {any} op @param {string} token */
  function expand(op, token) {
    const full = { ...op };
    if (!('op_id' in full)) {
      full.op_id = ownOpId(opKey(token), full.hlc);
      sentCompact.add(full);
    }
    if (!('id' in full)) full.id = derivedId(full.entity, full.fields);
    return full;
  }

  const server = {
    requests,
    wire,
    /** Who the next enrolment code belongs to. */
    enrolling: { id: 'u1', name: 'tuan.trainer', role: 'trainer' },
    records,
    /** Make the server answer this op with a verdict. @param {string} opId @param {{status: string, reason?: string}} verdict */
    judge(opId, verdict) {
      verdicts.set(opId, verdict);
    },
    /** Queue a one-off behaviour for the next request. @param {(body: any) => any} step */
    then(step) {
      script.push(step);
    },
    /** Put a record on the server as if another phone wrote it. @param {any} record */
    seed(record) {
      rev += 1;
      records.set(`${record.entity}/${record.id}`, { deleted: false, hlc: null, ...record, rev, ops: new Set() });
    },
    answer,
    transport: {
      /** @param {string} token @param {any} sent */
      async sync(token, sent) {
        wire.push(structuredClone(sent));
        const body = { ...sent, ops: sent.ops.map((/** @type {any} */ op) => expand(op, token)) };
        requests.push(structuredClone(body));
        const step = script.shift();
        return step ? step(body) : answer(body);
      },
      async enrol() {
        enrolments += 1;
        return { device_id: enrolments === 1 ? FIRST_DEVICE : `0193a0b4-1c2d-7e3f-8a4b-${String(enrolments).padStart(12, '0')}`,
          token: `token-${enrolments}`, user: server.enrolling };
      },
      async uploadOutboxFile() {
        throw new Error('not used here');
      },
    },
  };
  return server;
}
