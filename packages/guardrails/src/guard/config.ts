import type { Duration } from '../duration.js';
import type { GuardrailsEvent } from '../events.js';
import type { IdempotencyConfig } from '../idempotency/options.js';
import type { ReplayCacheOptions } from '../idempotency/replay-cache.js';
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
  /**
   * Receives `limited`, `executed`, `replayed`, `conflict`, `fenced`, `store-error`,
   * `outcome-stored` and `outcome-lost` events.
   */
  onEvent?: (event: GuardrailsEvent) => void;
  /**
   * Hands work that outlives the response to the platform, which would otherwise stop it when
   * the response is sent: retries of an outcome the store did not take at once, and releases.
   * In Cloudflare Workers `(task, { ctx }) => ctx.executionCtx.waitUntil(task)`, in Next.js
   * `(task) => after(task)`. Long-running servers need nothing.
   * @default undefined (the work just runs on)
   */
  waitUntil?: (task: Promise<unknown>, opts: { ctx: TContext }) => void;
  /**
   * Bounds on outcomes held in memory while the store is unreachable (each is retried until it
   * lands or its lease can no longer be held). Past either bound a new one is given up at once
   * (`outcome-lost`, reason `overflow`).
   * @default { maxCount: 1000, maxBytes: 67_108_864 }
   */
  pendingOutcomes?: { maxCount?: number; maxBytes?: number };
  /**
   * Answers replays from this process's memory, with no store round trip, for idempotent calls
   * whose guard group has no rate limit (a replay that must count against a limit still asks the
   * store). A finished record never changes until it expires, so the answer is the store's; owner
   * and fingerprint are checked as the store checks them. Entries never outlive the record, nor
   * `maxAge` — which bounds how long an `evict` on another instance takes to reach this one.
   * `true` takes the defaults.
   * @default false
   */
  replayCache?: boolean | ReplayCacheOptions;
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
  pendingOutcomes: { maxCount: 1000, maxBytes: 64 * 1024 * 1024 },
  replayCache: { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024, maxAge: '60 s' satisfies Duration },
} as const;
