import { utf8Length } from '../../utf8-length.js';
import { encodeOutcome } from '../lua/outcome-codec.js';
import { UPSTASH_SCRIPTS } from '../lua/registry.js';
import { createScriptStore } from '../lua/script-store.js';
import type { CompleteResult, GuardrailsStore } from '../types.js';
import { coalescingRunner } from './coalescing-runner.js';
import type { UpstashRedisClient } from './redis-client.js';

/** Options of {@link upstashStore}. */
export interface UpstashStoreOptions {
  /**
   * The largest request the database accepts, in bytes. Upstash documents 1 MB for older Free
   * and Pay-as-you-go databases and 10 MB today; the smaller default is safe on every plan.
   * Outcomes that would not fit are stored as a "too large to replay" marker instead.
   * @default 1_048_576
   */
  maxRequestBytes?: number;
}

/** Room left in a request for everything but the outcome: command, SHA, key, claim id. */
const REQUEST_FRAMING_BYTES = 1024;

/** What Upstash (and upstash-local) answer when a request or value is over their size limits. */
const TOO_LARGE = /max (request|single record) size exceeded|larger than bodyLimit|too large/i;

/**
 * A store on Upstash Redis over HTTP (works at the edge), running this package's Lua scripts:
 * every limit of a call and its idempotency claim are one `EVALSHA`, so one request — and the
 * calls of concurrent requests share one pipeline request under load.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 * import { upstashStore } from 'trpc-guardrails/upstash';
 * const store = upstashStore(Redis.fromEnv());
 * ```
 */
export function upstashStore(redis: UpstashRedisClient, options: UpstashStoreOptions = {}): GuardrailsStore {
  if (typeof redis?.pipeline !== 'function' || typeof redis?.evalsha !== 'function') {
    throw new TypeError(
      '[trpc-guardrails] upstashStore() needs an @upstash/redis client, e.g. upstashStore(Redis.fromEnv())',
    );
  }
  const { maxRequestBytes = 1_048_576 } = options;
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes <= REQUEST_FRAMING_BYTES) {
    throw new TypeError(
      `[trpc-guardrails] upstashStore({ maxRequestBytes }) must be an integer above ${REQUEST_FRAMING_BYTES}, got ${String(maxRequestBytes)}`,
    );
  }
  const scripts = createScriptStore(coalescingRunner(redis), UPSTASH_SCRIPTS);
  return {
    ...scripts,
    maxResultBytes: maxRequestBytes - REQUEST_FRAMING_BYTES,
    async complete(request): Promise<CompleteResult> {
      // The request carries the outcome JSON-escaped: measure that, not the outcome.
      const bytes = utf8Length(JSON.stringify(encodeOutcome(request.outcome)));
      if (bytes + REQUEST_FRAMING_BYTES > maxRequestBytes) return 'too-large';
      try {
        return await scripts.complete(request);
      } catch (error) {
        if (TOO_LARGE.test(errorMessage(error))) return 'too-large';
        throw error;
      }
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
