import type { AnyProcedureBuilder } from '@trpc/server/unstable-core-do-not-import';
import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import type { GuardRuntime } from '../guard/runtime.js';
import { resolveIdempotency } from '../guard/runtime.js';
import { markHandlerStarted } from '../idempotency/execution-state.js';
import { transformerOf } from '../idempotency/outcome.js';
import { limiterCapacity } from '../rate-limit/algorithms.js';
import { createGuardMiddleware } from './guard-middleware.js';
import type { GuardStep, LimitStep } from './guard-steps.js';
import type { AnyGuardedProcedureBuilder } from './types.js';

/**
 * @internal Wraps a tRPC builder. Guard calls are collected in `pending`; any other call first
 * folds them into one middleware (`flush`) and then delegates to tRPC, re-wrapping the result.
 */
export function createGuardedBuilder(
  runtime: GuardRuntime,
  inner: AnyProcedureBuilder,
  pending: readonly GuardStep[] = [],
  hasIdempotent = false,
): AnyGuardedProcedureBuilder {
  const flush = (): AnyProcedureBuilder =>
    pending.length === 0 ? inner : inner.use(createGuardMiddleware(runtime, pending));
  const rewrap = (next: AnyProcedureBuilder) => createGuardedBuilder(runtime, next, [], hasIdempotent);

  const builder: AnyGuardedProcedureBuilder = {
    get _def() {
      return flush()._def;
    },
    rateLimited(scope, options = {}) {
      const step = resolveLimitStep(runtime, scope, options);
      // Limits after an idempotent step must run after its claim, so they start a new group.
      const base = pending.some((s) => s.kind === 'idempotent') ? flush() : inner;
      const stillPending = base === inner ? pending : [];
      return createGuardedBuilder(runtime, base, [...stillPending, step], hasIdempotent);
    },
    idempotent(options = {}) {
      if (hasIdempotent) {
        throw new GuardrailsConfigError('.idempotent() is already on this procedure; call it once');
      }
      const key = (options as { key?: unknown }).key;
      if (key !== undefined && typeof key !== 'function') {
        throw new GuardrailsConfigError(
          `.idempotent({ key }) must be a function such as ({ rawInput }) => rawInput.eventId, got ${describe(key)}`,
        );
      }
      const settings = resolveIdempotency(options, runtime.idempotency, '.idempotent()');
      return createGuardedBuilder(
        runtime,
        inner,
        [...pending, { kind: 'idempotent', settings, key: key as never, transformer: transformerOf(inner) }],
        true,
      );
    },
    input: (schema) => rewrap(flush().input(schema)),
    output: (schema) => rewrap(flush().output(schema)),
    errors: (formatter) => rewrap(flush().errors(formatter)),
    use: (fn) => rewrap(flush().use(fn)),
    concat: (other) => rewrap(flush().concat(other)),
    // Neither adds a middleware, so pending guards stay fusable across them.
    meta: (meta) => createGuardedBuilder(runtime, inner.meta(meta), pending, hasIdempotent),
    experimental_caller: (caller) =>
      createGuardedBuilder(runtime, inner.experimental_caller(caller), pending, hasIdempotent),
    query: (resolver) => flush().query(markingResolver(resolver)),
    mutation: (resolver) => flush().mutation(markingResolver(resolver)),
    subscription: ((resolver: any) => flush().subscription(markingResolver(resolver))) as never,
  };
  return builder;
}

/** Tells an idempotent execution that the handler itself started (vs. an earlier rejection). */
function markingResolver<TResolver extends (opts: any) => unknown>(resolver: TResolver): TResolver {
  return function guardedResolver(opts: { ctx: unknown }) {
    markHandlerStarted(opts.ctx);
    return resolver(opts);
  } as TResolver;
}

function resolveLimitStep(runtime: GuardRuntime, scope: unknown, options: { cost?: unknown }): LimitStep {
  const names = Array.isArray(scope) ? scope : [scope];
  const configured = [...runtime.scopes.keys()];
  if (names.length === 0) {
    throw new GuardrailsConfigError('.rateLimited() needs at least one scope name');
  }
  const scopes = names.map((name) => {
    const resolved = typeof name === 'string' ? runtime.scopes.get(name) : undefined;
    if (!resolved) {
      throw new GuardrailsConfigError(
        `scope ${describe(name)} is not configured; configured scopes: ${configured.join(', ') || '(none — add `scopes` to createGuardrails)'}`,
      );
    }
    return resolved;
  });
  const cost = options?.cost ?? 1;
  if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 1) {
    throw new GuardrailsConfigError(`.rateLimited() cost must be a positive integer, got ${describe(cost)}`);
  }
  for (const resolved of scopes) {
    const capacity = limiterCapacity(resolved.limiter);
    if (cost > capacity) {
      throw new GuardrailsConfigError(
        `.rateLimited() cost ${cost} exceeds the capacity ${capacity} of scope "${resolved.name}", so no call could pass; lower the cost or raise the limit`,
      );
    }
  }
  return { kind: 'limit', scopes, cost };
}
