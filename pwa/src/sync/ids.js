// @ts-check
/**
 * Record ids: UUIDv7 for new things, UUIDv5 for natural-key records.
 *
 * Two offline phones that mark the same trainee in the same session must produce
 * the same attendance id, so natural-key records take a name-based id in one fixed
 * namespace, published in docs/protocol.md and shared with sync/ids.py.
 */

import { v5, v7 } from 'uuid';
import { specFor } from './entities.js';

export const NAMESPACE = '6f2d1c9a-3b4e-5f60-8a71-92b3c4d5e6f7';

// Any canonical lowercase UUID, as the server accepts: uuid's own validate() also
// demands a known version and variant, so it would refuse ids the server takes.
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Return the id a natural-key record must have, or null if the entity has none.
 * @param {string} entity
 * @param {Record<string, unknown>} fields
 * @returns {string | null}
 */
export function derivedId(entity, fields) {
  const spec = specFor(entity);
  if (spec === null || spec.derived_id_prefix === null) return null;
  // Natural-key fields are required text, so String() builds the name Python's str() does.
  const parts = spec.natural_key.map((name) => String(fields[name] ?? ''));
  return v5([spec.derived_id_prefix, ...parts].join(':'), NAMESPACE);
}

/**
 * Return a new time-ordered id for a record or op made on this phone.
 * @returns {string}
 */
export function newId() {
  return v7();
}

/**
 * Tell whether `text` is a canonical lowercase UUID string.
 * @param {unknown} text
 * @returns {text is string}
 */
export function isUuid(text) {
  return typeof text === 'string' && UUID_RE.test(text);
}
