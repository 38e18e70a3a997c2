// @ts-check
/**
 * What each entity may hold, read from entities.json, which tests/vectors/write_entities.py
 * writes from sync/entities.py: the server's table is the one source of truth.
 */

import spec from './entities.json' with { type: 'json' };

/**
 * @typedef {'uuid' | 'uuid_list' | 'str' | 'text' | 'int' | 'bool' | 'date' | 'time'
 *   | 'enum' | 'checklist_items' | 'json'} FieldKind
 * @typedef {{kind: FieldKind, required: boolean, nullable: boolean, choices: string[],
 *   min_value: number | null, max_value: number | null, refers_to: string | null}} FieldSpec
 * @typedef {{writers: string[], add_wins: boolean, natural_key: string[],
 *   derived_id_prefix: string | null, immutable: string[],
 *   fields: Record<string, FieldSpec>}} EntitySpec
 */

/** @type {Readonly<Record<string, EntitySpec>>} */
export const ENTITIES = /** @type {Record<string, EntitySpec>} */ (spec);

// Text limits of sync/entities.py; entities.json holds only the per-field table.
export const MAX_STR_CHARS = 200;
export const MAX_TEXT_CHARS = 2000;
export const MAX_LIST_ITEMS = 200;

/**
 * Return the spec of an entity, or null if the name is unknown.
 * @param {string} entity
 * @returns {EntitySpec | null}
 */
export function specFor(entity) {
  // Own keys only: "constructor" or "__proto__" from the wire must not find Object's.
  return Object.hasOwn(ENTITIES, entity) ? ENTITIES[entity] : null;
}

/**
 * Return the fields whose values give a record its id (empty when ids are random).
 * @param {string} entity
 * @returns {string[]}
 */
export function naturalKey(entity) {
  return specFor(entity)?.natural_key ?? [];
}
