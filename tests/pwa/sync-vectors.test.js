// The shared golden vectors in tests/vectors/ hold for the PWA's sync rules, as
// tests/sync/test_vectors.py checks they hold for the server's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { compactOp, opKey, ownOpId } from '../../pwa/src/sync/compact.js';
import { ENTITIES } from '../../pwa/src/sync/entities.js';
import { MAX_COUNTER, hlcProblem, receive, tick } from '../../pwa/src/sync/hlc.js';
import { NAMESPACE, derivedId } from '../../pwa/src/sync/ids.js';
import { mergeRecord } from '../../pwa/src/sync/merge.js';
import { opProblem } from '../../pwa/src/sync/ops.js';

const VECTORS = new URL('../vectors/', import.meta.url);
const PWA_ENTITIES = new URL('../../pwa/src/sync/entities.json', import.meta.url);

/** @param {string} name */
const load = (name) => JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8'));

const HLC = load('hlc.json');
const IDS = load('ids.json');
const VALIDATION = load('validation.json');
const MERGE = load('merge.json');
const COMPACT = load('compact.json');

describe('hlc vectors', () => {
  test('counter limit', () => assert.equal(MAX_COUNTER, HLC.max_counter));
  for (const c of HLC.tick) {
    test(`tick: ${c.name}`, () => assert.equal(tick(c.last, c.now_ms, c.node), c.expected));
  }
  for (const c of HLC.receive) {
    test(`receive: ${c.name}`, () => {
      assert.equal(receive(c.last, c.remote, c.now_ms, c.node), c.expected);
    });
  }
  for (const c of HLC.problem) {
    test(`problem: ${JSON.stringify(c.hlc)}`, () => {
      const problem = hlcProblem(c.hlc, c.server_now_ms);
      if (c.expected === null) assert.equal(problem, null);
      else assert.ok(problem?.includes(c.expected), problem ?? 'accepted');
    });
  }
});

describe('id vectors', () => {
  test('namespace', () => assert.equal(NAMESPACE, IDS.namespace));
  for (const c of IDS.cases) {
    test(`${c.entity}: ${c.name}`, () => assert.equal(derivedId(c.entity, c.fields), c.expected));
  }
});

describe('validation vectors', () => {
  for (const c of VALIDATION.cases) {
    test(c.name, () => {
      const problem = opProblem(c.op, c.server_now_ms);
      if (c.expected === 'ok') assert.equal(problem, null);
      else assert.ok(problem?.includes(c.reason_contains), problem ?? 'accepted');
    });
  }
});

describe('merge vectors', () => {
  for (const c of MERGE.cases) {
    test(c.name, () => {
      for (const { op } of c.ops) {
        // Each op must be valid at its own clock, as the Python runner demands too.
        assert.equal(opProblem(op, Number(op.hlc.slice(0, 13))), null, op.op_id);
      }
      assert.deepEqual(mergeRecord(c.entity, c.id, c.ops), c.expected);
    });
    test(`${c.name}, ops listed in reverse`, () => {
      assert.deepEqual(mergeRecord(c.entity, c.id, [...c.ops].reverse()), c.expected);
    });
  }
});

describe('entity table', () => {
  test('the PWA copy is the vector file, byte for byte', () => {
    // Regenerate both with: python tests/vectors/write_entities.py
    assert.equal(readFileSync(PWA_ENTITIES, 'utf8'), readFileSync(new URL('entities.json', VECTORS), 'utf8'));
  });
  test('the module serves the vector file', () => assert.deepEqual(ENTITIES, load('entities.json')));
});

describe('compact op vectors', () => {
  for (const c of COMPACT.op_keys) {
    test(`op key of ${c.token}`, () => assert.equal(opKey(c.token), c.expected));
  }
  for (const c of COMPACT.own_op_ids) {
    test(`own op id at ${c.hlc}`, () => assert.equal(ownOpId(opKey(c.token), c.hlc), c.expected));
  }
  for (const c of COMPACT.compact) {
    test(`compact: ${c.name}`, () => {
      assert.deepEqual(compactOp(c.op, c.token === null ? null : opKey(c.token)), c.expected);
    });
  }
});
