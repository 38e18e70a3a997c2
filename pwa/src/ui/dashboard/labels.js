// @ts-check
/** The office's names for the server's keys: genders, age groups, breakdown groups. */
import { t } from '../i18n.js';

/**
 * Gender in words; "unknown" and anything else as "not known".
 * @param {string | null | undefined} gender
 */
export function genderWords(gender) {
  if (gender === 'female') return t('gender.female');
  if (gender === 'male') return t('gender.male');
  if (gender === 'other') return t('gender.other');
  return t('office.unknown');
}

const AGE_WORDS = /** @type {Record<string, () => string>} */ ({
  '<25': () => t('office.age_under_25'), '25-39': () => t('office.age_25_39'), '40-54': () => t('office.age_40_54'),
  '55+': () => t('office.age_55_up'),
});

/**
 * An age group (docs/dashboard.md §2) in words.
 * @param {string | null | undefined} key
 */
export function ageGroupWords(key) {
  return AGE_WORDS[key ?? '']?.() ?? t('office.unknown');
}

/**
 * A breakdown group's name in words: gender and age group translated, the rest as the server names it.
 * @param {string} by commune | gender | ethnicity | age_group
 * @param {{key: string | null, label?: string | null}} group
 */
export function groupName(by, group) {
  if (by === 'gender') return genderWords(group.key);
  if (by === 'age_group') return ageGroupWords(group.key);
  if (!group.key || group.key === 'unknown') return t('office.unknown');
  return group.label || group.key;
}
