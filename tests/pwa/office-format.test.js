// @ts-check
/** The office's pure helpers: rates, counts, age groups, accent-blind search, the area tree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageGroup, childAreas, count, ethnicities, filterTrainees, fold, matches, percent, rootAreas, shorten } from '../../pwa/src/ui/dashboard/format.js';

test('rates read as whole percentages; nothing to divide reads as a dash', () => {
  assert.equal(percent(0.83, 'en'), '83%');
  assert.equal(percent(0.826, 'en'), '83%');
  assert.equal(percent(1, 'en'), '100%');
  assert.equal(percent(0, 'en'), '0%');
  assert.match(percent(0.61, 'vi'), /^61\s?%$/);
  assert.equal(percent(null, 'vi'), '—');
  assert.equal(percent(undefined, 'en'), '—');
  assert.equal(percent(Number.NaN, 'en'), '—');
});

test('counts carry the local thousands separator', () => {
  assert.equal(count(15000, 'en'), '15,000');
  assert.equal(count(15000, 'vi'), '15.000');
  assert.equal(count(null, 'vi'), '—');
});

test('age groups follow the server\'s bands at the year the range ends', () => {
  assert.equal(ageGroup(2002, 2026), '<25');
  assert.equal(ageGroup(2001, 2026), '25-39');
  assert.equal(ageGroup(1987, 2026), '25-39');
  assert.equal(ageGroup(1986, 2026), '40-54');
  assert.equal(ageGroup(1972, 2026), '40-54');
  assert.equal(ageGroup(1971, 2026), '55+');
  assert.equal(ageGroup(null, 2026), 'unknown');
  assert.equal(ageGroup(2030, 2026), 'unknown');
});

test('search ignores accents, đ and case, and wants every word', () => {
  assert.equal(fold('Giàng Thị Mỷ'), 'giang thi my');
  assert.equal(fold('Đỗ Văn Đức'), 'do van duc');
  assert.ok(matches('Giàng Thị Mỷ', 'giang my'));
  assert.ok(matches('Đỗ Văn Đức', 'ĐỨC'));
  assert.ok(!matches('Giàng Thị Mỷ', 'giang pao'));
  assert.ok(matches('anything', '  '));
});

test('the trainee filter: name, gender (unknown for none) and ethnicity, accent-blind', () => {
  const rows = [
    { full_name: 'Giàng Thị Mỷ', gender: 'female', ethnicity: 'Mông' },
    { full_name: 'Lò Văn Páo', gender: 'male', ethnicity: 'Thái' },
    { full_name: 'Hoàng Thị Lan', gender: null, ethnicity: null },
  ];
  assert.deepEqual(filterTrainees(rows, { q: 'thi' }).map((r) => r.full_name), ['Giàng Thị Mỷ', 'Hoàng Thị Lan']);
  assert.deepEqual(filterTrainees(rows, { gender: 'unknown' }).map((r) => r.full_name), ['Hoàng Thị Lan']);
  assert.deepEqual(filterTrainees(rows, { ethnicity: 'mong' }).map((r) => r.full_name), ['Giàng Thị Mỷ']);
  assert.deepEqual(filterTrainees(rows, { q: 'pao', gender: 'female' }), []);
  assert.deepEqual(ethnicities(rows), ['Mông', 'Thái']);
});

test('the drill-down: top areas and the communes under one', () => {
  const areas = [
    { id: 'p', name: 'Lào Cai', kind: 'province', parent_id: null },
    { id: 'c2', name: 'Tả Van', kind: 'commune', parent_id: 'p' },
    { id: 'c1', name: 'Bản Hồ', kind: 'commune', parent_id: 'p' },
    { id: 'v', name: 'Thôn 1', kind: 'village', parent_id: 'c1' },
  ];
  assert.deepEqual(rootAreas(areas).map((a) => a.id), ['p']);
  assert.deepEqual(childAreas(areas, 'p', 'commune').map((a) => a.name), ['Bản Hồ', 'Tả Van']);
  // A commune coordinator's tree starts at their commune.
  assert.deepEqual(rootAreas(areas.slice(1)).map((a) => a.id), ['c2', 'c1']);
});

test('the grid\'s age filter uses the figures\' bands at the given year', () => {
  const rows = [
    { full_name: 'A', birth_year: 2005 }, { full_name: 'B', birth_year: 1980 }, { full_name: 'C', birth_year: null },
  ];
  assert.deepEqual(filterTrainees(rows, { age: '<25', atYear: 2026 }).map((r) => r.full_name), ['A']);
  assert.deepEqual(filterTrainees(rows, { age: '40-54', atYear: 2026 }).map((r) => r.full_name), ['B']);
  assert.deepEqual(filterTrainees(rows, { age: 'unknown', atYear: 2026 }).map((r) => r.full_name), ['C']);
});

test('a long label is cut with an ellipsis, a short one kept', () => {
  assert.equal(shorten('Thanh toán bằng mã QR', 40), 'Thanh toán bằng mã QR');
  assert.equal(shorten('Tìm kiếm thông tin trên Internet', 12), 'Tìm kiếm th…');
  assert.equal(shorten('Tìm kiếm thông tin', 9), 'Tìm kiếm…');
});
