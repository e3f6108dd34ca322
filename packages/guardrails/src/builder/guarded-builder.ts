import type { AnyProcedureBuilder } from '@trpc/server/unstable-core-do-not-import';
import { describe } from '../duration.js';
import { GuardrailsConfigError } from '../errors.js';
import type { GuardRuntime } from '../guard/runtime.js';
import { resolveIdempotency } from '../guard/runtime.js';
import { markHandlerStarted } from '../idempotency/execution-state.js';
import type { IdempotentOptions, KeyedIdempotentOptions } from '../idempotency/options.js';
import { transformerOf } from '../idempotency/outcome.js';
import { createGuardMiddleware } from './guard-middleware.js';
import { type GuardStep, type IdempotentStep, resolveLimitStep } from './guard-steps.js';
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
      const step = resolveIdempotentStep(runtime, inner, options);
      return createGuardedBuilder(runtime, inner, [...pending, step], true);
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

function resolveIdempotentStep(
  runtime: GuardRuntime,
  inner: AnyProcedureBuilder,
  options: IdempotentOptions<unknown> | KeyedIdempotentOptions<unknown>,
): IdempotentStep {
  if (typeof options !== 'object' || options === null) {
    throw new GuardrailsConfigError(`.idempotent() takes an options object, got ${describe(options)}`);
  }
  const { key, required = true, fingerprint } = options;
  if (key !== undefined && typeof key !== 'function') {
    throw new GuardrailsConfigError(
      `.idempotent({ key }) must be a function such as ({ rawInput }) => rawInput.eventId, got ${describe(key)}`,
    );
  }
  if (typeof required !== 'boolean') {
    throw new GuardrailsConfigError(
      `.idempotent({ required }) must be true or false, got ${describe(required)}`,
    );
  }
  let select: IdempotentStep['select'];
  let budget: unknown = fingerprint;
  if (typeof fingerprint === 'object' && fingerprint !== null && 'select' in fingerprint) {
    ({ select, ...budget } = fingerprint as { select?: IdempotentStep['select'] });
    if (select !== undefined && typeof select !== 'function') {
      throw new GuardrailsConfigError(
        `.idempotent({ fingerprint: { select } }) must be a function such as (input) => ({ amountCents: input.amountCents }), got ${describe(select)}`,
      );
    }
  }
  const settings = resolveIdempotency(
    { ...options, fingerprint: budget as IdempotentOptions<unknown>['fingerprint'] },
    runtime.idempotency,
    '.idempotent()',
  );
  return { kind: 'idempotent', settings, key, required, select, transformer: transformerOf(inner) };
}
