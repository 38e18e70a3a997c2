// @ts-check
/** The calendar periods the office's figures offer: their first and last days, and back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERIODS, periodDates, periodOf } from '../../pwa/src/ui/dashboard/periods.js';

test('each period runs from its first day to its last, around today', () => {
  const today = '2026-08-14';
  assert.deepEqual(periodDates('all', today), { from: '', to: '' });
  assert.deepEqual(periodDates('this_month', today), { from: '2026-08-01', to: '2026-08-31' });
  assert.deepEqual(periodDates('last_month', today), { from: '2026-07-01', to: '2026-07-31' });
  assert.deepEqual(periodDates('this_quarter', today), { from: '2026-07-01', to: '2026-09-30' });
  assert.deepEqual(periodDates('last_quarter', today), { from: '2026-04-01', to: '2026-06-30' });
  assert.deepEqual(periodDates('this_year', today), { from: '2026-01-01', to: '2026-12-31' });
  assert.deepEqual(periodDates('last_year', today), { from: '2025-01-01', to: '2025-12-31' });
});

test('in January and the first quarter, the last month and quarter are the year before', () => {
  assert.deepEqual(periodDates('last_month', '2027-01-05'), { from: '2026-12-01', to: '2026-12-31' });
  assert.deepEqual(periodDates('last_quarter', '2027-03-31'), { from: '2026-10-01', to: '2026-12-31' });
  assert.deepEqual(periodDates('this_quarter', '2027-03-31'), { from: '2027-01-01', to: '2027-03-31' });
});

test('February ends on its last day, leap years too', () => {
  assert.deepEqual(periodDates('this_month', '2028-02-10'), { from: '2028-02-01', to: '2028-02-29' });
  assert.deepEqual(periodDates('last_month', '2027-03-01'), { from: '2027-02-01', to: '2027-02-28' });
});

test('dates are named by their period, and any other dates are custom', () => {
  const today = '2026-11-23';
  for (const period of PERIODS) {
    const { from, to } = periodDates(period, today);
    assert.equal(periodOf(from, to, today), period);
  }
  assert.equal(periodOf('2026-11-02', '2026-11-30', today), 'custom');
  assert.equal(periodOf('2026-11-01', '', today), 'custom');
});
