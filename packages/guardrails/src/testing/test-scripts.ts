import { createHash } from 'node:crypto';
import type { ScriptCall } from '../stores/redis/script-runner.js';

function script(name: string, source: string) {
  return { name, script: source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS[1]  counter
 * ARGV[1]  increment
 * Returns { new value, server seconds, server microseconds }.
 */
export const INCR_SCRIPT = script(
  'test-incr',
  `local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local time = redis.call('TIME')
return { value, time[1], time[2] }`,
);

/**
 * KEYS[1]  any key
 * Fails with `BOOM <key>`: one call's error must not spoil its neighbours in a pipeline.
 */
export const FAIL_SCRIPT = script('test-fail', `return redis.error_reply('BOOM ' .. KEYS[1])`);

export const incr = (key: string, by = 1): ScriptCall => ({ script: INCR_SCRIPT, keys: [key], args: [by] });
export const fail = (key: string): ScriptCall => ({ script: FAIL_SCRIPT, keys: [key], args: [] });

/** The counter value in an {@link INCR_SCRIPT} reply (clients answer numbers or strings alike). */
export function counterOf(reply: unknown): number {
  if (!Array.isArray(reply)) throw new Error(`not an incr reply: ${String(reply)}`);
  return Number(reply[0]);
}
