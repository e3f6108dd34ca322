import type { Duration } from '../duration.js';
import type { GuardrailsEvent } from '../events.js';
import type { IdempotencyConfig } from '../idempotency/options.js';
import type { HeadersTarget } from '../rate-limit/headers.js';
import type { ScopeConfig } from '../rate-limit/options.js';
import type { GuardrailsStore } from '../stores/types.js';

/** Options of `createGuardrails`. */
export interface GuardrailsConfig<TContext, TScopes extends string> {
  /** Where counters and records live: `upstashStore(redis)` or `memoryStore()`. */
  store: GuardrailsStore;
  /**
   * Namespace of every key this guard writes. Letters, digits and `_ - . :`.
   * @default 'guardrails'
   */
  prefix?: string;
  /** Named rate-limit scopes for `.rateLimited(name)`. */
  scopes?: { [TScope in TScopes]: ScopeConfig<TContext> };
  /** Defaults for every `.idempotent()` of this guard. */
  idempotency?: IdempotencyConfig<TContext>;
  /**
   * Where to write `RateLimit`, `Retry-After` and `Idempotent-Replayed` headers: the fetch
   * adapter's `resHeaders` or the Node adapter's `res`. Without it no headers are written.
   * @default undefined
   */
  headers?: (opts: { ctx: TContext }) => HeadersTarget | null | undefined;
  /** Receives `limited`, `executed`, `replayed`, `conflict`, `fenced` and `store-error` events. */
  onEvent?: (event: GuardrailsEvent) => void;
}

/** @internal Defaults that apply when neither the guard nor the procedure sets a value. */
export const DEFAULTS = {
  prefix: 'guardrails',
  ttl: '24 h' satisfies Duration,
  lease: '60 s' satisfies Duration,
  errorTtl: '60 s' satisfies Duration,
  timeout: '2 s' satisfies Duration,
  concurrent: 'wait',
  onStoreError: 'deny',
} as const;
