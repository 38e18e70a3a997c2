// @ts-check
/** The server's group keys in the coordinator's language. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLanguage } from '../../pwa/src/ui/i18n.js';
import { AGE_GROUPS } from '../../pwa/src/ui/dashboard/format.js';
import { ageGroupWords, genderWords, groupName } from '../../pwa/src/ui/dashboard/labels.js';

test('age groups, genders and unknowns read in Vietnamese first, English second', () => {
  setLanguage('vi');
  assert.deepEqual(AGE_GROUPS.map(ageGroupWords), ['Dưới 25', '25–39', '40–54', '55 trở lên', 'Không rõ']);
  assert.equal(genderWords('female'), 'Nữ');
  assert.equal(genderWords(null), 'Không rõ');
  setLanguage('en');
  assert.deepEqual(AGE_GROUPS.map(ageGroupWords), ['Under 25', '25–39', '40–54', '55 and over', 'Not known']);
  assert.equal(genderWords('male'), 'Male');
  setLanguage('vi');
});

test('a breakdown group is named by its label, or its key, or as not known', () => {
  setLanguage('vi');
  assert.equal(groupName('commune', { key: 'c1', label: 'Bản Hồ' }), 'Bản Hồ');
  assert.equal(groupName('ethnicity', { key: 'Mông', label: null }), 'Mông');
  assert.equal(groupName('ethnicity', { key: 'unknown', label: 'unknown' }), 'Không rõ');
  assert.equal(groupName('gender', { key: 'other' }), 'Khác');
  assert.equal(groupName('age_group', { key: '55+', label: '55+' }), '55 trở lên');
});
