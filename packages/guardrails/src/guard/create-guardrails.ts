import type {
  AnyProcedureBuilder,
  Overwrite,
  ProcedureBuilder,
  TypeError as TrpcTypeError,
} from '@trpc/server/unstable-core-do-not-import';
import { createGuardedBuilder } from '../builder/guarded-builder.js';
import type { GuardedProcedureBuilder } from '../builder/types.js';
import { type Duration, parseDuration } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import { emitEvent } from '../events.js';
import { createClientAddress } from '../identity/client-address.js';
import type { ClientAddressOptions } from '../identity/client-address-options.js';
import type { IdentityWarning } from '../identity/identity-warning.js';
import type { ClientAddressSource } from '../identity/request-parts.js';
import type { GuardrailsStore } from '../stores/types.js';
import { createAdmin, type GuardrailsAdmin } from './admin.js';
import type { GuardrailsConfig } from './config.js';
import { type LimitOptions, runLimit } from './limit.js';
import { type OnceOptions, type OnceWork, runOnce, type ScopeNames } from './once.js';
import { resolveGuardConfig } from './runtime.js';

/** What `createGuardrails` returns. */
export interface Guardrails<TContext, TScopes extends string> extends GuardrailsAdmin<TContext, TScopes> {
  /**
   * Turns a tRPC procedure builder into one that also has `.rateLimited()` and `.idempotent()`.
   * @example export const procedure = guard.procedure(t.procedure);
   */
  procedure<
    TBuilderContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller extends boolean,
    TErrorShape,
  >(
    builder: Overwrite<TBuilderContext, TContextOverrides> extends TContext
      ? ProcedureBuilder<
          TBuilderContext,
          TMeta,
          TContextOverrides,
          TInputIn,
          TInputOut,
          TOutputIn,
          TOutputOut,
          TCaller,
          TErrorShape
        >
      : TrpcTypeError<'The procedure context does not match the context given to createGuardrails'>,
  ): GuardedProcedureBuilder<
    TScopes,
    TBuilderContext,
    TMeta,
    TContextOverrides,
    TInputIn,
    TInputOut,
    TOutputIn,
    TOutputOut,
    TCaller,
    TErrorShape
  >;
  /**
   * Graceful shutdown: refuses new idempotent calls (503, safe to retry elsewhere) and waits up
   * to `timeout` for every execution in flight to land its outcome — including outcomes still
   * being retried against an unreachable store. What is left then is reported as
   * `outcome-lost` (reason `shutdown`). Call it on SIGTERM, after the server stopped accepting.
   * @example
   * ```ts
   * process.once('SIGTERM', async () => {
   *   server.close();
   *   await guard.close({ timeout: '10 s' });
   *   process.exit(0);
   * });
   * ```
   */
  close(options?: { timeout?: Duration }): Promise<{ pending: number; givenUp: number }>;
  /**
   * `createClientAddress` whose misconfiguration warnings (once per cause) arrive at this
   * guard's `onEvent` as `warning` events. Define it once, next to the guard.
   * @example
   * ```ts
   * const callerAddress = guard.clientAddress({ trustProxy: 'loopback' });
   * createContext: ({ req, res }) => ({ ip: callerAddress(req), res }),
   * ```
   */
  clientAddress(
    options?: Omit<ClientAddressOptions, 'onWarning'>,
  ): (source: ClientAddressSource) => string | undefined;
  /**
   * Runs `work` once per intent, outside tRPC (a plain Server Action, a queue consumer, a webhook
   * handler), with the same engine as `.idempotent()`: the first call runs it under a lease (with
   * heartbeats) and stores its result with superjson; a duplicate replays it (a `Date` stays a
   * `Date`) or its error; concurrent duplicates wait (or get `CONFLICT` with
   * `concurrent: 'reject'`); the same key with another input is `UNPROCESSABLE_CONTENT`.
   * Refusals are the `TRPCError`s a procedure throws, with `getGuardrailsErrorData(error)`; what
   * `work` throws reaches the caller as a `TRPCError` too (the original as `cause`), the same on
   * every replay. `onEvent` and `waitUntil` apply as for procedures.
   * @example
   * ```ts
   * const charge = await guard.once(
   *   { key: event.id, owner: 'stripe', input: event.data, path: 'stripe.invoicePaid' },
   *   ({ key, token }) => payments.capture({ invoiceId: event.data.id, idempotencyKey: key, fencingToken: token }),
   * );
   * ```
   */
  once<TResult>(options: OnceOptions<TContext, TScopes>, work: OnceWork<TResult>): Promise<TResult>;
  /**
   * Checks rate-limit scopes outside tRPC, with the same engine as `.rateLimited()`: one store
   * round trip, `onStoreError`, allow and deny lists, headers and `limited` events. Resolves when
   * the call may go on; rejects with the `TOO_MANY_REQUESTS` (`FORBIDDEN` for a deny list,
   * `SERVICE_UNAVAILABLE` for a store failure under `deny`) a procedure would throw.
   * @example
   * ```ts
   * await guard.limit(['ip', 'user'], { ctx: { ip, userId } });
   * ```
   */
  limit(scope: ScopeNames<TScopes>, options: LimitOptions<TContext>): Promise<void>;
  /** The configured scope names. */
  readonly scopes: readonly TScopes[];
  readonly prefix: string;
  readonly store: GuardrailsStore;
}

/**
 * Creates the guard: stores, scopes and idempotency defaults shared by every guarded procedure.
 *
 * Scope names are checked by the compiler when TypeScript can infer them: either call it
 * without type arguments, or curried with the context type — `createGuardrails<Context>()({...})`.
 * `createGuardrails<Context>({...})` works too, but TypeScript cannot infer the scope names
 * once one type argument is explicit, so unknown scopes are then caught when the procedure is
 * built (at import time) instead.
 *
 * @example
 * ```ts
 * const guard = createGuardrails<Context>()({
 *   store: upstashStore(Redis.fromEnv()),
 *   scopes: { ip: { limiter: slidingWindow(20, '10 s'), identify: ({ ctx }) => ctx.ip } },
 *   idempotency: { owner: ({ ctx }) => ctx.userId ?? ctx.ip },
 * });
 * export const procedure = guard.procedure(t.procedure);
 * ```
 */
export function createGuardrails<TContext>(): <const TScopes extends string = never>(
  config: GuardrailsConfig<TContext, TScopes>,
) => Guardrails<TContext, TScopes>;
export function createGuardrails<TContext, const TScopes extends string = string>(
  config: GuardrailsConfig<TContext, TScopes>,
): Guardrails<TContext, TScopes>;
export function createGuardrails(config?: GuardrailsConfig<unknown, string>): unknown {
  if (config === undefined) {
    return function createGuardrailsForContext(curriedConfig: GuardrailsConfig<unknown, string>) {
      if (curriedConfig === undefined) {
        throw new GuardrailsConfigError('createGuardrails<Context>()(options) needs an options object');
      }
      return buildGuardrails(curriedConfig);
    };
  }
  return buildGuardrails(config);
}

function buildGuardrails(config: GuardrailsConfig<unknown, string>): Guardrails<unknown, string> {
  const runtime = resolveGuardConfig(config);
  // One handler per guard, so each cause is reported once however many resolvers are made.
  const onWarning = runtime.onEvent
    ? (warning: IdentityWarning) => emitEvent(runtime.onEvent, { type: 'warning', ...warning })
    : undefined;
  return {
    ...createAdmin(runtime),
    clientAddress(options = {}) {
      return createClientAddress(onWarning ? { ...options, onWarning } : options);
    },
    procedure(builder: unknown) {
      if (
        typeof builder !== 'object' ||
        builder === null ||
        typeof (builder as AnyProcedureBuilder).use !== 'function'
      ) {
        throw new GuardrailsConfigError(
          'guard.procedure() needs a tRPC procedure builder, e.g. guard.procedure(t.procedure)',
        );
      }
      return createGuardedBuilder(runtime, builder as AnyProcedureBuilder) as never;
    },
    once(options, work) {
      return runOnce(runtime, options, work);
    },
    limit(scope, options) {
      return runLimit(runtime, scope, options);
    },
    close({ timeout = '10 s' } = {}) {
      return runtime.outcomes.close(parseDuration(timeout, 'close({ timeout })'));
    },
    scopes: [...runtime.scopes.keys()],
    prefix: runtime.prefix,
    store: runtime.store,
  };
}
