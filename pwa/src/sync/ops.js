// @ts-check
/**
 * Operations: what the phone sends, and the checks every op passes before it applies.
 *
 * The PWA's copy of sync/ops.py parse_op. The phone runs the same checks before it
 * queues an op, so a trainer hears about a bad value at once, in the words the
 * server would use, instead of finding it rejected hours later.
 */

import { MAX_LIST_ITEMS, MAX_STR_CHARS, MAX_TEXT_CHARS, specFor } from './entities.js';
import { hlcProblem } from './hlc.js';
import { ownOpId } from './compact.js';
import { derivedId, isUuid, newId } from './ids.js';

/**
 * @typedef {import('./entities.js').FieldSpec} FieldSpec
 * @typedef {'upsert' | 'delete'} OpKind
 * @typedef {{op_id: string, entity: string, id: string, hlc: string, kind: OpKind,
 *   fields: Record<string, unknown>, base_rev?: number}} WireOp
 */

const MAX_JSON_FIELD_BYTES = 4096;
const OP_KEYS = new Set(['op_id', 'entity', 'id', 'hlc', 'kind', 'fields', 'base_rev']);
const ITEM_KEYS = new Set(['code', 'label_vi', 'label_en', 'domain']);
const ITEM_TEXT_KEYS = ['code', 'label_vi', 'label_en'];

// [0-9] and no `m` flag: Unicode digits and a trailing newline are not dates.
const DATE_RE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const TIME_RE = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Build the wire op for a change made on this phone; check it with opProblem before queueing.
 * With the phone's op key (compact.js) the op id follows from the clock, so it can stay off
 * the wire; without one (not enrolled yet) it is random.
 * @param {{entity: string, id: string, kind: OpKind, fields?: Record<string, unknown>,
 *   hlc: string, baseRev?: number | null, opKey?: string | null}} change
 * @returns {WireOp}
 */
export function makeOp({ entity, id, kind, fields = {}, hlc, baseRev, opKey = null }) {
  // A copy, so a later edit of the caller's object cannot change a queued op.
  /** @type {WireOp} */
  const op = { op_id: opKey ? ownOpId(opKey, hlc) : newId(), entity, id, hlc, kind, fields: { ...fields } };
  if (baseRev !== null && baseRev !== undefined) op.base_rev = baseRev;
  return op;
}

/**
 * Say why the server would refuse this op, or null if its shape is acceptable.
 * @param {unknown} raw
 * @param {number} serverNowMs
 * @returns {string | null}
 */
export function opProblem(raw, serverNowMs) {
  if (!isJsonObject(raw)) return 'op must be a JSON object';
  if (!isUuid(raw.op_id)) return 'op_id must be a lowercase UUID';
  return shapeProblem(raw, serverNowMs);
}

/**
 * @param {Record<string, unknown>} raw
 * @param {number} serverNowMs
 * @returns {string | null}
 */
function shapeProblem(raw, serverNowMs) {
  const unknown = Object.keys(raw).filter((key) => !OP_KEYS.has(key)).sort();
  if (unknown.length > 0) return `unknown op keys: ${unknown.join(', ')}`;
  const { entity } = raw;
  const spec = typeof entity === 'string' ? specFor(entity) : null;
  if (spec === null) return `unknown entity ${pythonRepr(entity)}`;
  if (!isUuid(raw.id)) return 'id must be a lowercase UUID';
  if (typeof raw.hlc !== 'string') return 'hlc must be a string';
  const clockProblem = hlcProblem(raw.hlc, serverNowMs);
  if (clockProblem !== null) return clockProblem;
  if (raw.kind !== 'upsert' && raw.kind !== 'delete') return "kind must be 'upsert' or 'delete'";
  const baseRev = raw.base_rev;
  if (baseRev !== null && baseRev !== undefined && !isSafeCount(baseRev)) {
    return 'base_rev must be a non-negative integer (at most 2^53 - 1) or absent';
  }
  const fields = raw.fields === undefined ? {} : raw.fields;
  if (!isJsonObject(fields)) return 'fields must be a JSON object';
  const names = Object.keys(fields);
  if (raw.kind === 'delete') return names.length > 0 ? 'a delete carries no fields' : null;
  if (names.length === 0) return 'an upsert must change at least one field';
  for (const name of names) {
    if (!Object.hasOwn(spec.fields, name)) return `${entity} has no field ${pythonRepr(name)}`;
    const problem = valueProblem(spec.fields[name], fields[name]);
    if (problem !== null) return `${name}: ${problem}`;
  }
  const missingKey = spec.natural_key.filter((name) => !Object.hasOwn(fields, name));
  if (missingKey.length > 0) return `${entity} ops must carry ${missingKey.join(', ')}`;
  const expected = derivedId(String(entity), fields);
  if (expected !== null && expected !== raw.id) {
    return `${entity} id must be derived from ${spec.natural_key.join(', ')}: expected ${expected}`;
  }
  return null;
}

/**
 * Say why `value` does not fit the field, or null if it does.
 * @param {FieldSpec} spec
 * @param {unknown} value
 * @returns {string | null}
 */
export function valueProblem(spec, value) {
  if (value === null) return spec.nullable ? null : 'must not be empty';
  switch (spec.kind) {
    case 'uuid':
      return isUuid(value) ? null : 'must be a lowercase UUID';
    case 'uuid_list': {
      const ok = Array.isArray(value) && value.length <= MAX_LIST_ITEMS && value.every(isUuid);
      return ok ? null : 'must be a list of lowercase UUIDs';
    }
    case 'str':
      return textProblem(value, MAX_STR_CHARS);
    case 'text':
      return textProblem(value, MAX_TEXT_CHARS);
    case 'int':
      return intProblem(spec, value);
    case 'bool':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return isDate(value) ? null : 'must be YYYY-MM-DD';
    case 'time':
      return typeof value === 'string' && TIME_RE.test(value) ? null : 'must be HH:MM';
    case 'enum':
      return spec.choices.includes(/** @type {string} */ (value))
        ? null
        : `must be one of ${spec.choices.join(', ')}`;
    case 'checklist_items':
      return checklistItemsProblem(value);
    default:
      return jsonProblem(value);
  }
}

/**
 * @param {unknown} value
 * @param {number} limit
 * @returns {string | null}
 */
function textProblem(value, limit) {
  if (typeof value !== 'string') return 'must be text';
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (hasBrokenCharacter(value)) return BROKEN_TEXT;
  // Python counts code points, not UTF-16 units: an emoji is one character there.
  return [...value].length <= limit ? null : `must be at most ${limit} characters`;
}

/**
 * @param {FieldSpec} spec
 * @param {unknown} value
 * @returns {string | null}
 */
function intProblem(spec, value) {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
  if (spec.min_value !== null && value < spec.min_value) return `must be at least ${spec.min_value}`;
  if (spec.max_value !== null && value > spec.max_value) return `must be at most ${spec.max_value}`;
  return null;
}

/**
 * @param {unknown} value
 * @returns {boolean}
 */
function isDate(value) {
  if (typeof value !== 'string' || !DATE_RE.test(value)) return false;
  // The shape alone lets 2025-02-30 through, which a SQL date column would refuse.
  const [year, month, day] = value.split('-').map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return year >= 1 && day <= days;
}

/**
 * Say why a checklist's items are malformed, or null if they are fine.
 * @param {unknown} value
 * @returns {string | null}
 */
function checklistItemsProblem(value) {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST_ITEMS) {
    return `must be a list of 1 to ${MAX_LIST_ITEMS} items`;
  }
  const codes = new Set();
  for (const item of value) {
    if (!isJsonObject(item) || Object.keys(item).some((key) => !ITEM_KEYS.has(key))) {
      return 'each item has code, label_vi, label_en and optionally domain';
    }
    if (!ITEM_TEXT_KEYS.every((key) => typeof item[key] === 'string' && item[key] !== '')) {
      return 'each item needs a non-empty code, label_vi and label_en';
    }
    if (codes.has(item.code)) return `skill code ${pythonRepr(item.code)} appears twice`;
    codes.add(item.code);
  }
  return null;
}

export const BROKEN_TEXT = 'must not contain broken characters (half of an emoji or symbol)';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether text holds half of a UTF-16 pair, which no database stores as text: a phone
 * that cuts text at a fixed length can split an emoji in two.
 * @param {string} text
 */
export function hasBrokenCharacter(text) {
  return LONE_SURROGATE.test(text);
}

/**
 * Whether any string (key or value) inside a JSON value holds a broken character.
 * @param {unknown} value
 * @returns {boolean}
 */
function holdsBrokenCharacter(value) {
  if (typeof value === 'string') return hasBrokenCharacter(value);
  if (Array.isArray(value)) return value.some(holdsBrokenCharacter);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => hasBrokenCharacter(key) || holdsBrokenCharacter(item));
  }
  return false;
}

/**
 * @param {unknown} value
 * @returns {string | null}
 */
function jsonProblem(value) {
  const text = pythonJson(value);
  if (text === null) return 'must be JSON';
  if (text.includes('\\u0000')) return 'must not contain NUL characters';
  if (holdsBrokenCharacter(value)) return BROKEN_TEXT;
  const bytes = new TextEncoder().encode(text).length;
  return bytes <= MAX_JSON_FIELD_BYTES ? null : `must be at most ${MAX_JSON_FIELD_BYTES} bytes`;
}

/**
 * Write `value` as Python's json.dumps does, since the server measures that text;
 * null if it is not JSON. Python puts a space after ',' and ':', JSON.stringify does not.
 * @param {unknown} value
 * @returns {string | null}
 */
function pythonJson(value) {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (value === null || ['boolean', 'number', 'string'].includes(typeof value)) {
    return JSON.stringify(value);
  }
  /** @type {(string | null)[]} */
  let parts;
  if (Array.isArray(value)) {
    parts = value.map(pythonJson);
  } else if (isJsonObject(value)) {
    parts = Object.entries(value).map(([key, item]) => {
      const text = pythonJson(item);
      return text === null ? null : `${JSON.stringify(key)}: ${text}`;
    });
  } else {
    return null;
  }
  if (parts.includes(null)) return null;
  return Array.isArray(value) ? `[${parts.join(', ')}]` : `{${parts.join(', ')}}`;
}

// Python's repr() escapes what str.isprintable() refuses: categories C* and Z* but space.
const UNPRINTABLE_RE = /[\p{C}\p{Z}]/u;
/** @type {Record<string, string>} */
const REPR_ESCAPES = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Quote a value the way Python's repr() does, so reasons read the same on both sides.
 * @param {unknown} value
 * @returns {string}
 */
function pythonRepr(value) {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return reprText(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isJsonObject(value)) {
    const items = Object.entries(value).map(([key, item]) => `${reprText(key)}: ${pythonRepr(item)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}

/**
 * @param {string} text
 * @returns {string}
 */
function reprText(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = /** @type {number} */ (char.codePointAt(0));
    if (char === quote) out += `\\${char}`;
    else if (Object.hasOwn(REPR_ESCAPES, char)) out += REPR_ESCAPES[char];
    else if (char === ' ' || !UNPRINTABLE_RE.test(char)) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/**
 * A JSON object: a plain object, not an array, null, Date or Map.
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isJsonObject(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * @param {unknown} value
 * @returns {boolean}
 */
function isSafeCount(value) {
  return Number.isInteger(value) && /** @type {number} */ (value) >= 0
    && /** @type {number} */ (value) <= Number.MAX_SAFE_INTEGER;
}
