import { RedisReplyError } from '../resp/RedisReplyError.js';
import type { RespValue } from '../resp/RespValue.js';

/** A JSON-ready result: strings (maybe base64), numbers, null, nested arrays. */
export type JsonResult = string | number | null | JsonResult[];

/**
 * Turns a Redis reply into the JSON value Upstash returns. With `base64` (the client's
 * `Upstash-Encoding: base64` header) every string at every depth is base64 of its UTF-8 bytes,
 * so values that merely look like base64 still survive the client's decoding.
 *
 * @example
 * encodeResult(['a', 1, null], true); // ['YQ==', 1, null]
 */
export function encodeResult(value: RespValue, base64: boolean): JsonResult {
  if (value === null || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map((item) => encodeResult(item, base64));
  // A nested error (e.g. inside a Lua table) has no slot of its own in JSON; its text is the closest thing.
  const text = value instanceof RedisReplyError ? value.message : value;
  return base64 ? Buffer.from(text, 'utf8').toString('base64') : text;
}
