import { metrics, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { describeStore } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { createOtelSdk, histogramPoints, otelContextForThisFile } from '../testing/otel-sdk.js';
import { instrumentStore, STORE_DURATION_METRIC } from './instrument-store.js';
import { otelEvents } from './otel-events.js';

otelContextForThisFile();

describe('instrumentStore', () => {
  // A real store: the wrapper passes the whole contract (and forwards the optional admin methods).
  const sdk = createOtelSdk();
  const shared = instrumentStore(memoryStore(), sdk);
  describeStore('memory, instrumented', () => ({ store: shared, sibling: () => shared }));

  it('forwards what it does not measure, bound to the store', async () => {
    const store = memoryStore({ maxResultBytes: 1234 });
    expect(instrumentStore(store).maxResultBytes).toBe(1234);
    class WithExtras implements GuardrailsStore {
      readonly #secret = 'own field';
      check = store.check;
      complete = store.complete;
      extend = store.extend;
      release = store.release;
      describe() {
        return this.#secret;
      }
    }
    const instrumented = instrumentStore(new WithExtras());
    expect(instrumented.describe()).toBe('own field');
    expect('describe' in instrumented).toBe(true);
  });

  it('rejects what is not a store or a provider, saying what to pass', () => {
    expect(() => instrumentStore(undefined as never)).toThrow(/instrumentStore\(store\) needs a store/);
    expect(() => instrumentStore(memoryStore(), { meterProvider: {} as never })).toThrow(
      /meterProvider must be an OpenTelemetry MeterProvider/,
    );
    expect(() => otelEvents({ includeIdentifiers: 'yes' as never })).toThrow(
      /otelEvents\(\{ includeIdentifiers \}\) must be true, false or 'hashed', got "yes"/,
    );
  });
});

describe('global providers', () => {
  afterEach(() => {
    trace.disable();
    metrics.disable();
  });

  it('are looked up at first use, so a guard built before the SDK starts reports to it', async () => {
    // Built first, as a module-scope guard would be…
    const store = instrumentStore(memoryStore());
    const onEvent = otelEvents();
    // …then the SDK registers its providers.
    const sdk = createOtelSdk();
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    const result = await store.check({ limits: [] });
    expect(result).toEqual({ limits: [] });
    onEvent({ type: 'unguarded', path: 'pay', owner: 'u1' });
    expect(sdk.spans().map((span) => span.name)).toEqual(['guardrails.store.check']);
    const recorded = await sdk.metrics();
    expect(histogramPoints(recorded.get(STORE_DURATION_METRIC))).toEqual([
      { attributes: { 'guardrails.store.operation': 'check' }, count: 1 },
    ]);
    expect(recorded.get('guardrails.unguarded')?.dataPoints).toHaveLength(1);
  });
});
