import { type Attributes, type Histogram, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { GuardrailsConfigError } from '../errors.js';
import type { GuardrailsStore } from '../stores/types.js';
import * as attr from './attributes.js';
import { checkProviders, errorType, lazyMeter, lazyTracer, type OtelProviders } from './providers.js';

/** The store latency histogram. */
export const STORE_DURATION_METRIC = 'guardrails.store.operation.duration';

/** From half a millisecond (Redis next door) to 5 s (past any sensible store timeout), in seconds. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Operation = 'check' | 'complete' | 'extend' | 'release';

/**
 * Wraps a store so that each round trip is a `CLIENT` span (`guardrails.store.check`, …, child
 * of the active span) and a measurement of the `guardrails.store.operation.duration` histogram
 * (seconds; attributes `guardrails.store.operation` and, on failure, `error.type`). It measures
 * the store's own time, even when the guard stopped waiting earlier (`timeout`). Spans carry
 * counts and statuses, never store keys (which hold owners and idempotency keys). Everything
 * else of the store (`maxResultBytes`, optional methods) is the store's own.
 *
 * @example
 * ```ts
 * const guard = createGuardrails<Context>()({
 *   store: instrumentStore(upstashStore(Redis.fromEnv())),
 *   onEvent: otelEvents(),
 * });
 * ```
 */
export function instrumentStore<TStore extends GuardrailsStore>(
  store: TStore,
  options: OtelProviders = {},
): TStore {
  if (typeof store !== 'object' || store === null || typeof store.check !== 'function') {
    throw new GuardrailsConfigError(
      'instrumentStore(store) needs a store, e.g. instrumentStore(memoryStore())',
    );
  }
  checkProviders(options, 'instrumentStore()');
  const tracer = lazyTracer(options.tracerProvider);
  const meter = lazyMeter(options.meterProvider);
  let histogram: Histogram | undefined;
  const durations = (): Histogram => {
    histogram ??= meter().createHistogram(STORE_DURATION_METRIC, {
      unit: 's',
      description: 'Duration of trpc-guardrails store round trips',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    return histogram;
  };

  function measure<T>(
    operation: Operation,
    request: Attributes,
    send: () => Promise<T>,
    answered: (result: T) => Attributes,
  ): Promise<T> {
    const operationAttributes = { [attr.ATTR_GUARDRAILS_STORE_OPERATION]: operation };
    return tracer().startActiveSpan(
      `guardrails.store.${operation}`,
      { kind: SpanKind.CLIENT, attributes: { ...operationAttributes, ...request } },
      async function measuredStoreCall(span) {
        const startedAt = performance.now();
        try {
          const result = await send();
          durations().record((performance.now() - startedAt) / 1000, operationAttributes);
          span.setAttributes(answered(result));
          return result;
        } catch (error) {
          const type = errorType(error);
          durations().record((performance.now() - startedAt) / 1000, {
            ...operationAttributes,
            [attr.ATTR_ERROR_TYPE]: type,
          });
          span.setAttribute(attr.ATTR_ERROR_TYPE, type);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  const instrumented: Pick<GuardrailsStore, Operation> = {
    check: (request) =>
      measure(
        'check',
        {
          [attr.ATTR_GUARDRAILS_STORE_LIMITS]: request.limits.length,
          [attr.ATTR_GUARDRAILS_STORE_CLAIM]: request.claim !== undefined,
        },
        () => store.check(request),
        (result) => ({
          [attr.ATTR_GUARDRAILS_STORE_DENIED]: result.limits.filter((limit) => !limit.success).length,
          ...(result.claim ? { [attr.ATTR_GUARDRAILS_CLAIM_STATUS]: result.claim.status } : {}),
        }),
      ),
    complete: (request) =>
      measure(
        'complete',
        { [attr.ATTR_GUARDRAILS_OUTCOME]: request.outcome.kind },
        () => store.complete(request),
        (result) => ({ [attr.ATTR_GUARDRAILS_STORE_RESULT]: result }),
      ),
    extend: (request) =>
      measure(
        'extend',
        {},
        () => store.extend(request),
        (result) => ({ [attr.ATTR_GUARDRAILS_STORE_RESULT]: result }),
      ),
    release: (request) =>
      measure(
        'release',
        {},
        () => store.release(request),
        (result) => ({ [attr.ATTR_GUARDRAILS_STORE_RESULT]: result }),
      ),
  };

  // The four round trips are measured; anything else (`maxResultBytes`, optional methods such
  // as an admin API) reaches the store itself, bound to it.
  return new Proxy(store, {
    get(target, property) {
      if (typeof property === 'string' && Object.hasOwn(instrumented, property)) {
        return instrumented[property as Operation];
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
