// @ts-check
/** Failures in the trainer's words: a known code translated, anything else never shown raw. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vi from '../../pwa/src/ui/messages/vi.json' with { type: 'json' };
import { InvalidOp } from '../../pwa/src/store/outbox.js';
import { errorText, setLanguage, t } from '../../pwa/src/ui/i18n.js';

setLanguage('vi');

test("a code the app knows is said in the trainer's language", () => {
  assert.equal(errorText({ code: 'device_revoked', message: 'device revoked' }), vi['error.device_revoked']);
});

test("a tap the rules refuse says it was not saved, with the rules' reason as the detail", () => {
  assert.equal(errorText(new InvalidOp('level: must be at most 3')), 'Không lưu được thao tác này: level: must be at most 3');
});

test("a tap refused because the phone's clock is far off says how to fix the clock", () => {
  const refused = new InvalidOp('hlc is more than 30 days ahead of the server clock: fix the device clock');
  assert.equal(errorText(refused), vi['error.clock_wrong']);
});

test("a code the app has no words for keeps the server's words after a translated lead-in", () => {
  assert.equal(errorText({ code: 'not_found', message: 'The requested URL was not found.' }),
    t('error.other', { detail: 'The requested URL was not found.' }));
});

test('a full phone is recognised however the browser reports it', () => {
  assert.equal(errorText(new DOMException('full', 'QuotaExceededError')), vi['error.quota']);
  assert.equal(errorText({ name: 'AbortError', inner: { name: 'QuotaExceededError' } }), vi['error.quota']);
});

test("a programming error's own message is never shown to the trainer", () => {
  const text = errorText(new TypeError("Cannot read properties of undefined (reading 'fields')"));
  assert.equal(text, vi['error.unexpected']);
});
