import { SpanStatusCode } from '@opentelemetry/api';
import { Redis } from '@upstash/redis';
import { afterEach, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { upstashStore } from '../stores/upstash/upstash-store.js';
import { rejected } from '../testing/describe-guard.js';
import { serverSpans } from '../testing/describe-otel.js';
import {
  createOtelSdk,
  histogramPoints,
  otelContextForThisFile,
  serveTraced,
  sumPoints,
} from '../testing/otel-sdk.js';
import { createClient, createTestApp } from '../testing/test-app.js';
import { instrumentStore, STORE_DURATION_METRIC } from './instrument-store.js';
import { otelEvents } from './otel-events.js';

otelContextForThisFile();

/** A real Upstash client on a port where nothing listens: every round trip fails at once. */
const deadStore = () => upstashStore(new Redis({ url: 'http://127.0.0.1:1', token: 'x', retry: false }));

describe('OpenTelemetry when the store is down', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  it('marks the store span failed, counts the store error and measures the failed round trip', async () => {
    const sdk = createOtelSdk();
    const app = createTestApp({
      prefix: uniquePrefix(),
      store: instrumentStore(deadStore(), sdk),
      onEvent: otelEvents(sdk),
      timeout: '500 ms',
    });
    const server = await serveTraced(app.router, 'fetch', sdk);
    cleanups.push(server.close, sdk.shutdown);
    const error = await rejected(
      createClient(server.url, { 'x-user': 'u1' }).client.charge.mutate({
        idempotencyKey: 'k-down',
        customerId: 'c1',
        amountCents: 1,
      }),
    );
    expect(error.data?.httpStatus).toBe(503);

    const [request] = await serverSpans(sdk, 1);
    const check = sdk.spans().find((span) => span.name === 'guardrails.store.check')!;
    expect(check.status.code).toBe(SpanStatusCode.ERROR);
    const errorType = check.attributes['error.type'];
    expect(errorType).toEqual(expect.any(String));
    expect(request!.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'guardrails.store_error',
        {
          'trpc.procedure': 'charge',
          'guardrails.store.operation': 'check',
          'guardrails.store.policy': 'deny',
          'error.type': errorType,
          'guardrails.scopes': ['ip', 'user'],
        },
      ],
    ]);
    // The claim may have landed before the failure: the guard releases it in the background,
    // another failed round trip (`allow`: nothing waits on it).
    await expect
      .poll(() => sdk.spans().filter((span) => span.name === 'guardrails.store.release').length)
      .toBe(1);
    const metrics = await sdk.metrics();
    expect(sumPoints(metrics.get('guardrails.store_error'))).toEqual([
      {
        attributes: {
          'trpc.procedure': 'charge',
          'guardrails.store.operation': 'check',
          'guardrails.store.policy': 'deny',
          'error.type': errorType,
        },
        value: 1,
      },
      {
        attributes: {
          'trpc.procedure': 'charge',
          'guardrails.store.operation': 'release',
          'guardrails.store.policy': 'allow',
          'error.type': expect.any(String),
        },
        value: 1,
      },
    ]);
    expect(histogramPoints(metrics.get(STORE_DURATION_METRIC))).toEqual([
      { attributes: { 'guardrails.store.operation': 'check', 'error.type': errorType }, count: 1 },
      { attributes: { 'guardrails.store.operation': 'release', 'error.type': expect.any(String) }, count: 1 },
    ]);
  });
});
