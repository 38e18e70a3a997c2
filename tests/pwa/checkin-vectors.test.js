// The check-in vectors in tests/vectors/checkin.json hold for the PWA's copy of the rules,
// as tests/sync/test_checkin.py checks they hold for the server's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  CHECKIN_CLOCK_SKEW_S,
  CHECKIN_GRACE_S,
  CHECKIN_TOKEN_TTL_MS,
  CHECKIN_TOKEN_TTL_S,
  RELAY_PREFIX,
  b64url,
  b64urlDecode,
  birthYearCheck,
  confirmationChallenge,
  confirmationContent,
  decodeRelay,
  encodeRelay,
  makeCheckinToken,
  parseCheckinToken,
  timingProblem,
  tokenIsGenuine,
  tokenText,
  windowBounds,
  windowOf,
} from '../../pwa/src/sync/checkin.js';

const CHECKIN = JSON.parse(readFileSync(new URL('../vectors/checkin.json', import.meta.url), 'utf8'));

/** @param {Uint8Array} bytes */
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** @param {string} text */
function tokenOf(text) {
  const token = parseCheckinToken(text);
  assert.notEqual(token, null, text);
  return /** @type {NonNullable<typeof token>} */ (token);
}

test('constants', () => {
  assert.equal(CHECKIN_TOKEN_TTL_S, CHECKIN.token_ttl_s);
  assert.equal(CHECKIN_TOKEN_TTL_MS, CHECKIN.token_ttl_s * 1000);
  assert.equal(CHECKIN_GRACE_S, CHECKIN.grace_s);
  assert.equal(CHECKIN_CLOCK_SKEW_S, CHECKIN.clock_skew_s);
  assert.equal(RELAY_PREFIX, CHECKIN.relay_prefix);
});

describe('window vectors', () => {
  for (const c of CHECKIN.windows) {
    test(c.name, () => {
      assert.equal(windowOf(c.now_ms), c.window);
      assert.deepEqual(windowBounds(c.window), [c.start_ms, c.end_ms]);
    });
  }
  test('a fractional time falls in the window of its whole ms', () => {
    assert.equal(windowOf(CHECKIN_TOKEN_TTL_MS - 0.5), 0);
    assert.equal(windowOf(-0.5), -1);
  });
  test('a time that is not a number is refused', () => {
    assert.throws(() => windowOf(Number.NaN), RangeError);
    assert.throws(() => windowOf(Infinity), RangeError);
  });
});

describe('token vectors', () => {
  for (const c of CHECKIN.tokens) {
    test(c.name, async () => {
      const text = await makeCheckinToken(c.secret, c.session_id, c.window);
      assert.equal(text, c.expected);
      assert.equal(await tokenIsGenuine(c.secret, tokenOf(text)), true);
    });
  }
  test('a token is not genuine under another secret or with an altered window', async () => {
    const [own, , other] = CHECKIN.tokens;
    const token = tokenOf(own.expected);
    assert.equal(await tokenIsGenuine(other.secret, token), false);
    assert.equal(await tokenIsGenuine(own.secret, { ...token, window: token.window + 1 }), false);
  });
});

describe('parse vectors', () => {
  for (const c of CHECKIN.parse) {
    test(c.name, () => {
      const token = parseCheckinToken(c.text);
      if (c.expected === null) {
        assert.equal(token, null);
      } else {
        const { session_id: sessionId, window, mac } = c.expected;
        assert.deepEqual(token, { sessionId, window, mac });
        assert.equal(tokenText(tokenOf(c.text)), c.text);
      }
    });
  }
});

describe('timing vectors', () => {
  for (const c of CHECKIN.timing) {
    test(c.name, () => {
      const problem = timingProblem(tokenOf(c.token), c.confirmed_at);
      if (c.expected === null) assert.equal(problem, null);
      else assert.ok(problem?.includes(c.expected), problem ?? 'accepted');
    });
  }
});

describe('challenge vectors', () => {
  for (const c of CHECKIN.challenge) {
    test(c.name, async () => {
      const args = /** @type {const} */ ([c.session_id, c.trainee_id, c.confirmed_at]);
      assert.equal(confirmationContent(tokenOf(c.token), ...args), c.content);
      assert.equal(confirmationContent(c.token, ...args), c.content);
      const challenge = await confirmationChallenge(c.token, ...args);
      assert.ok(challenge instanceof Uint8Array);
      assert.equal(hex(challenge), c.sha256);
      assert.equal(hex(await confirmationChallenge(tokenOf(c.token), ...args)), c.sha256);
    });
  }
});

describe('birth year check vectors', () => {
  for (const c of CHECKIN.birth_year_check) {
    test(`${c.trainee_id} ${c.birth_year}`, async () => {
      assert.equal(await birthYearCheck(c.trainee_id, c.birth_year), c.expected);
    });
  }
});

describe('relay vectors', () => {
  for (const c of CHECKIN.relay_encode) {
    test(`encode: ${c.name}`, () => assert.equal(encodeRelay(c.op), c.expected));
  }
  for (const c of CHECKIN.relay_decode) {
    test(`decode: ${c.name}`, () => assert.deepEqual(decodeRelay(c.text), c.expected));
  }
  test('a decoded op encodes to the same text', () => {
    for (const c of CHECKIN.relay_encode) {
      const op = decodeRelay(c.expected);
      assert.notEqual(op, null, c.name);
      assert.equal(encodeRelay(/** @type {NonNullable<typeof op>} */ (op)), c.expected);
    }
  });
  test('values JSON cannot carry are refused, not written', () => {
    const base = CHECKIN.relay_encode[0].op;
    assert.throws(() => encodeRelay({ ...base, fields: { ...base.fields, n: Number.NaN } }), TypeError);
    assert.throws(() => encodeRelay({ ...base, fields: { ...base.fields, u: undefined } }), TypeError);
    assert.throws(() => encodeRelay({ ...base, fields: { ...base.fields, d: new Date(0) } }), TypeError);
  });
});

describe('base64url', () => {
  test('round trip of every byte, without padding', () => {
    for (let length = 0; length < 8; length += 1) {
      const bytes = Uint8Array.from({ length }, (_, i) => 255 - i * 37);
      const text = b64url(bytes);
      assert.doesNotMatch(text, /[=+/]/);
      assert.deepEqual(b64urlDecode(text), bytes);
    }
  });
  test('text outside the alphabet is refused', () => {
    assert.throws(() => b64urlDecode('ab+/'), TypeError);
    assert.throws(() => b64urlDecode('a b'), TypeError);
    assert.throws(() => b64urlDecode('abcde'), TypeError);
  });
});
