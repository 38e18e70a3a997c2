// @ts-check
/**
 * Compact ops: on the wire, the phone leaves out of an op the two ids the server can work out.
 *
 * The PWA's copy of sync/compact.py. Random-looking ids are what gzip cannot shrink: they
 * were two thirds of a trainer's compressed day. A natural-key record's id follows from its
 * fields, and an op made on this phone takes its id from the phone's op key and its clock,
 * which never repeats here. The op key comes from the device token, so the server knows it
 * and no other phone can predict an op id (and pre-empt this phone's op as a "duplicate").
 * Ops are kept in full; only the request body is compact, and the acks of compact ops come
 * without op ids, matched by position.
 */
import { v5 } from 'uuid';
import { specFor } from './entities.js';
import { NAMESPACE, derivedId } from './ids.js';

/**
 * The secret this phone names its own ops with, from its device token.
 * @param {string} token
 * @returns {string}
 */
export function opKey(token) {
  return v5(`op-key:${token}`, NAMESPACE);
}

/**
 * The id of the op a phone with op key `key` made at clock `hlc`.
 * @param {string} key
 * @param {string} hlc
 * @returns {string}
 */
export function ownOpId(key, hlc) {
  return v5(`op:${key}:${hlc}`, NAMESPACE);
}

/**
 * The op as sent: without its op id or record id where the server can work them out.
 * @param {Record<string, any>} op
 * @param {string | null} key
 * @returns {Record<string, any>}
 */
export function compactOp(op, key) {
  const wire = { ...op };
  if (key !== null && typeof op.hlc === 'string' && op.op_id === ownOpId(key, op.hlc)) delete wire.op_id;
  if ('id' in op && op.id === idFromKeyFields(op)) delete wire.id;
  return wire;
}

/**
 * The derived id of an upsert that carries its whole natural key as text, else null.
 * @param {Record<string, any>} op
 * @returns {string | null}
 */
function idFromKeyFields(op) {
  const { entity, fields } = op;
  const spec = typeof entity === 'string' ? specFor(entity) : null;
  if (spec === null || spec.derived_id_prefix === null || op.kind !== 'upsert') return null;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return null;
  if (!spec.natural_key.every((/** @type {string} */ name) => typeof fields[name] === 'string')) return null;
  return derivedId(entity, fields);
}
