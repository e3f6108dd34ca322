import { RedisReplyError } from '../resp/RedisReplyError.js';
import type { RespValue } from '../resp/RespValue.js';

/**
 * One server-sent event carrying `fields` joined by commas, the format Upstash streams and
 * `@upstash/redis` parses: `data: message,chat,hello`, `data: pmessage,ch*,chat,hello`,
 * `data: subscribe,chat,1`. A line break inside a field starts a new `data:` line, as the SSE
 * format requires (the client only reads the first line of such a message).
 *
 * @example
 * formatSseEvent(['message', 'chat', 'hello']); // 'data: message,chat,hello\n\n'
 */
export function formatSseEvent(fields: readonly RespValue[]): string {
  const text = fields.map(fieldText).join(',');
  if (!/[\r\n]/.test(text)) return `data: ${text}\n\n`;
  return `${text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

function fieldText(field: RespValue): string {
  if (field === null) return '';
  if (field instanceof RedisReplyError) return field.message;
  if (Array.isArray(field)) return field.map(fieldText).join(' ');
  return String(field);
}
