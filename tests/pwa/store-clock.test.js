// @ts-check
/** A phone clock far ahead of the server's: the clock the server refuses does not outlive the mistake. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getMeta } from '../../pwa/src/store/meta.js';
import { recordOps, settleReply } from '../../pwa/src/store/outbox.js';
import { parseHlc } from '../../pwa/src/sync/hlc.js';
import { derivedId } from '../../pwa/src/sync/ids.js';
import { freshPhone, NOW, SESSION, traineeId } from './support.js';

const DAY = 86_400_000;
const SERVER_HLC = `${NOW}-0000-server`;

/** @param {number} n */
function mark(n) {
  const fields = { session_id: SESSION, trainee_id: traineeId(n), status: 'present' };
  return { entity: 'attendance', id: /** @type {string} */ (derivedId('attendance', fields)), kind: /** @type {const} */ ('upsert'), fields };
}

/**
 * Tap with the phone's clock `ahead` of the server's, sync (the tap refused, or not sent yet),
 * then tap again a minute later by the server's clock, the phone's clock now set right.
 * @param {number} ahead
 * @param {boolean} sent whether the first tap went up in that sync (and was refused)
 */
async function tapAheadThenRight(ahead, sent) {
  const { db, node } = await freshPhone();
  const [first] = await recordOps(db, node, [mark(1)], NOW + ahead);
  const entries = sent ? await db.getAll('outbox') : [];
  const acks = entries.map((entry) => ({ op_id: entry.op.op_id, status: 'rejected', reason: 'hlc is more than 30 days ahead' }));
  await settleReply(db, node, entries, { acks, changes: [], cursor: 'c1', server_hlc: SERVER_HLC }, NOW + ahead);
  // Another sync with nothing to send, the clock still wrong.
  await settleReply(db, node, [], { acks: [], changes: [], cursor: 'c2', server_hlc: SERVER_HLC }, NOW + ahead);
  const kept = await getMeta(db, 'hlc');
  const [next] = await recordOps(db, node, [mark(2)], NOW + 60_000);
  return { first: first.hlc, kept, next: next.hlc };
}

test('a clock 40 days ahead, once set right, makes taps the server takes again', async () => {
  const { first, kept, next } = await tapAheadThenRight(40 * DAY, true);
  assert.equal(parseHlc(first)?.wallMs, NOW + 40 * DAY);
  assert.equal(parseHlc(kept)?.wallMs, NOW, "the reply puts the clock back to the server's");
  assert.equal(parseHlc(next)?.wallMs, NOW + 60_000, 'the next tap is at the corrected time');
  assert.ok(next > SERVER_HLC, 'and still sorts after everything the server holds');
});

test('a clock a day ahead keeps its time: later taps sort after the ones it made', async () => {
  const { first, next } = await tapAheadThenRight(DAY, false);
  assert.equal(parseHlc(first)?.wallMs, NOW + DAY);
  assert.ok(next > first);
});
