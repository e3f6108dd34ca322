import { type DataTransformer, getTRPCErrorFromUnknown } from '@trpc/server';
import { type MiddlewareResult, middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import { type GuardGroup, headersFor, runGuards } from '../builder/guard-middleware.js';
import { type LimitStep, resolveLimitStep } from '../builder/guard-steps.js';
import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import type { NextFn } from '../idempotency/call.js';
import type { IdempotencyContext } from '../idempotency/context.js';
import { markHandlerStarted } from '../idempotency/execution-state.js';
import type { IdempotencyConfig } from '../idempotency/options.js';
import { standaloneTransformer } from '../idempotency/outcome.js';
import type { HeadersTarget } from '../rate-limit/headers.js';
import type { RateLimitedOptions } from '../rate-limit/options.js';
import { type GuardRuntime, resolveIdempotency } from './runtime.js';

/** One scope name, or several checked together. */
export type ScopeNames<TScopes extends string> = TScopes | readonly [TScopes, ...TScopes[]];

/** `guard.once({ rateLimited })`: scope names, or scope names with `.rateLimited()`'s options. */
export type OnceRateLimit<TContext, TScopes extends string> =
  | ScopeNames<TScopes>
  | ({ scope: ScopeNames<TScopes> } & RateLimitedOptions<TContext>);

/** The guard's idempotency settings that one `guard.once()` call may override. */
export type OnceSettings<TContext> = Pick<
  IdempotencyConfig<TContext>,
  'ttl' | 'lease' | 'errorTtl' | 'concurrent' | 'cacheError' | 'onStoreError' | 'timeout' | 'fingerprint'
>;

interface OnceBaseOptions<TContext> extends OnceSettings<TContext> {
  /** The intent's idempotency key: 1–255 printable ASCII characters (a client's key, an event id). */
  key: string;
  /**
   * Who the intent belongs to: records are scoped by owner, so one owner's key never replays
   * another's result. A user id; for webhooks the sender, e.g. `'stripe'`.
   */
  owner: string | number;
  /**
   * What the intent is about: fingerprinted like a procedure's input, so the same key with
   * another input is refused (`UNPROCESSABLE_CONTENT`, `payload-mismatch`).
   * @default undefined (only the key is compared)
   */
  input?: unknown;
  /**
   * Names the operation, as a procedure's path names a procedure: records are scoped by it, so
   * give each operation its own when the same key may reach two of them (one form posting to two
   * actions, one webhook event handled by two consumers).
   * @default 'once'
   */
  path?: string;
  /** The caller's context: what the scopes identify, and what `headers` and `waitUntil` get. */
  ctx?: TContext;
  /**
   * Where `RateLimit`, `Retry-After` and `Idempotent-Replayed` go, e.g. `actionResponseHeaders()`
   * in a Server Action, or a route handler's response headers.
   * @default the guard's `headers({ ctx })` when `ctx` is given
   */
  headers?: HeadersTarget;
  /**
   * How the result is stored and replayed, e.g. the app's superjson instance with its registered
   * classes.
   * @default superjson
   */
  transformer?: DataTransformer;
}

/** Options of `guard.once()`. */
export type OnceOptions<TContext, TScopes extends string> = OnceBaseOptions<TContext> &
  (
    | { rateLimited?: undefined }
    | {
        /**
         * Rate-limit scopes checked in the same store round trip as the claim, before it (as
         * `.rateLimited(scopes).idempotent()`): a limited call takes no claim and runs nothing.
         */
        rateLimited: OnceRateLimit<TContext, TScopes>;
        ctx: TContext;
      }
  );

/** The work of `guard.once()`: gets the execution's key and fencing token. */
export type OnceWork<TResult> = (idempotency: IdempotencyContext) => TResult | Promise<TResult>;

const DEFAULT_PATH = 'once';

/**
 * @internal `guard.once()`: the work runs behind the same engine as an idempotent procedure
 * (`runGuards`), as the `next` of a one-step chain.
 */
export async function runOnce<TResult>(
  runtime: GuardRuntime,
  options: OnceOptions<unknown, string>,
  work: OnceWork<TResult>,
): Promise<TResult> {
  if (typeof options !== 'object' || options === null) {
    throw new GuardrailsConfigError(`guard.once() needs { key, owner, input? }, got ${describe(options)}`);
  }
  if (typeof work !== 'function') {
    throw new GuardrailsConfigError(
      `guard.once(options, work) needs the work as a function, got ${describe(work)}`,
    );
  }
  const {
    key,
    owner,
    input,
    path = DEFAULT_PATH,
    ctx,
    rateLimited,
    headers,
    transformer,
    ...settings
  } = options;
  assertOperationPath(path, 'guard.once');
  if (
    !(typeof owner === 'string' && owner !== '') &&
    !(typeof owner === 'number' && Number.isFinite(owner))
  ) {
    throw new GuardrailsConfigError(
      `guard.once({ owner }) must be a non-empty string or a number — who the intent belongs to (a user id; 'stripe' for its webhooks) — got ${describe(owner)}`,
    );
  }
  const group: GuardGroup = {
    limits: rateLimited === undefined ? [] : [onceLimitStep(runtime, rateLimited)],
    idempotent: {
      kind: 'idempotent',
      settings: resolveIdempotency({ ...settings, owner: () => owner }, runtime.idempotency, 'guard.once()'),
      key: () => key,
      required: true,
      select: undefined,
      transformer: standaloneTransformer(transformer),
    },
  };
  const result = await runGuards(runtime, group, {
    ctx,
    path,
    type: 'mutation',
    getRawInput: async () => input,
    next: workAsNext(work),
    headers: headers ?? (ctx === undefined ? undefined : headersFor(runtime, ctx)),
  });
  if (!result.ok) throw result.error;
  return result.data as TResult;
}

/**
 * The work as the rest of a procedure chain: it gets `ctx.idempotency`, and what it throws
 * becomes a `TRPCError` (the original as `cause`), as tRPC's `next()` does for a handler — so the
 * first caller and every replay see the same code and message.
 */
function workAsNext<TResult>(work: OnceWork<TResult>): NextFn {
  return async function guardedWork(opts?: { ctx?: { idempotency?: IdempotencyContext } }) {
    markHandlerStarted(opts?.ctx);
    try {
      const data = await work(opts?.ctx?.idempotency as IdempotencyContext);
      return { marker: middlewareMarker, ok: true, data } as MiddlewareResult<any>;
    } catch (cause) {
      return { marker: middlewareMarker, ok: false, error: getTRPCErrorFromUnknown(cause) };
    }
  };
}

function onceLimitStep(runtime: GuardRuntime, rateLimited: OnceRateLimit<unknown, string>): LimitStep {
  if (typeof rateLimited === 'string' || Array.isArray(rateLimited)) {
    return resolveLimitStep(runtime, rateLimited, {}, 'guard.once');
  }
  if (typeof rateLimited !== 'object' || rateLimited === null) {
    throw new GuardrailsConfigError(
      `guard.once({ rateLimited }) must be scope names or { scope, cost?, limiter?, bucket? }, got ${describe(rateLimited)}`,
    );
  }
  const { scope, ...options } = rateLimited as { scope: ScopeNames<string> } & RateLimitedOptions;
  return resolveLimitStep(runtime, scope, options, 'guard.once');
}

/** @internal A standalone call's `path`: it names records and own buckets, so it cannot be empty. */
export function assertOperationPath(path: unknown, method: string): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw new GuardrailsConfigError(
      `${method}({ path }) must be a non-empty string naming the operation (e.g. 'billing.charge'), got ${describe(path)}`,
    );
  }
}
