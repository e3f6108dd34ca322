import { createHash } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrumentStore, STORE_DURATION_METRIC } from '../otel/instrument-store.js';
import { type OtelEventsOptions, otelEvents } from '../otel/otel-events.js';
import type { StoreFixture } from '../store-contract/describe-store.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { rejected } from './describe-guard.js';
import { createOtelSdk, histogramPoints, type OtelSdk, serveTraced, sumPoints } from './otel-sdk.js';
import { type Adapter, createClient, createTestApp, type TestAppOptions } from './test-app.js';

const charge = (key: string, amountCents = 500) => ({ idempotencyKey: key, customerId: 'c1', amountCents });

/**
 * `trpc-guardrails/otel` end to end: a real tRPC adapter over real HTTP, the real OpenTelemetry
 * SDK with in-memory exporters — for one store fixture and both adapters.
 */
export function describeOtel(storeName: string, setup: () => StoreFixture) {
  describe.each<Adapter>(['fetch', 'standalone'])(
    `OpenTelemetry over %s adapter with ${storeName}`,
    (adapter) => {
      const cleanups: (() => Promise<void>)[] = [];
      afterEach(async () => {
        await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
      });

      async function start(
        options: Partial<TestAppOptions> & { otel?: OtelEventsOptions; store?: GuardrailsStore } = {},
        headers: Record<string, string> = { 'x-user': 'u1' },
      ) {
        const sdk = createOtelSdk();
        const { otel, store = setup().store, ...appOptions } = options;
        const providers = { tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider };
        const app = createTestApp({
          prefix: uniquePrefix(),
          ...appOptions,
          store: instrumentStore(store, providers),
          onEvent: otelEvents({ meterProvider: sdk.meterProvider, ...otel }),
        });
        const server = await serveTraced(app.router, adapter, sdk);
        cleanups.push(server.close, sdk.shutdown);
        const { client } = createClient(server.url, headers);
        return { ...app, sdk, client, url: server.url };
      }

      it('records a first execution: store spans under the request span, an event, counters, latency', async () => {
        const { client, sdk } = await start();
        const { token } = await client.charge.mutate(charge('otel-first'));
        const server = await serverSpans(sdk, 1);
        const stores = sdk.spans().filter((span) => span.name.startsWith('guardrails.store.'));
        expect(stores.map((span) => span.name).sort()).toEqual([
          'guardrails.store.check',
          'guardrails.store.complete',
        ]);
        for (const span of stores) {
          expect(span.kind).toBe(SpanKind.CLIENT);
          expect(span.parentSpanContext?.spanId).toBe(server[0]!.spanContext().spanId);
          expect(span.instrumentationScope.name).toBe('trpc-guardrails');
        }
        expect(named(stores, 'guardrails.store.check').attributes).toEqual({
          'guardrails.store.operation': 'check',
          'guardrails.store.limits': 2, // ip and user; no tenant header, so that scope is skipped
          'guardrails.store.claim': true,
          'guardrails.store.denied': 0,
          'guardrails.claim.status': 'acquired',
        });
        expect(named(stores, 'guardrails.store.complete').attributes).toEqual({
          'guardrails.store.operation': 'complete',
          'guardrails.outcome': 'result',
          'guardrails.store.result': 'ok',
        });
        expect(server[0]!.events.map((event) => [event.name, event.attributes])).toEqual([
          [
            'guardrails.executed',
            {
              'trpc.procedure': 'charge',
              'guardrails.outcome': 'result',
              'guardrails.takeover': false,
              'guardrails.stored': true,
              'guardrails.token': token,
              'guardrails.duration': expect.any(Number),
            },
          ],
        ]);

        const metrics = await sdk.metrics();
        expect(metrics.get('guardrails.executed')?.descriptor).toMatchObject({ unit: '{execution}' });
        expect(sumPoints(metrics.get('guardrails.executed'))).toEqual([
          {
            attributes: {
              'trpc.procedure': 'charge',
              'guardrails.outcome': 'result',
              'guardrails.takeover': false,
              'guardrails.stored': true,
            },
            value: 1,
          },
        ]);
        const durations = metrics.get(STORE_DURATION_METRIC);
        expect(durations?.descriptor).toMatchObject({ unit: 's' });
        expect(histogramPoints(durations)).toEqual(
          expect.arrayContaining([
            { attributes: { 'guardrails.store.operation': 'check' }, count: 1 },
            { attributes: { 'guardrails.store.operation': 'complete' }, count: 1 },
          ]),
        );
      });

      it('records replays and payload mismatches, each on its own request span', async () => {
        const { client, sdk } = await start();
        await client.charge.mutate(charge('otel-replay'));
        await client.charge.mutate(charge('otel-replay'));
        await rejected(client.charge.mutate(charge('otel-replay', 999)));
        const server = await serverSpans(sdk, 3);
        expect(server.map((span) => span.events.map((event) => event.name))).toEqual([
          ['guardrails.executed'],
          ['guardrails.replayed'],
          ['guardrails.conflict'],
        ]);
        expect(server[1]!.events[0]!.attributes).toEqual({
          'trpc.procedure': 'charge',
          'guardrails.outcome': 'result',
        });
        expect(server[2]!.events[0]!.attributes).toEqual({
          'trpc.procedure': 'charge',
          'guardrails.reason': 'payload-mismatch',
        });
        const metrics = await sdk.metrics();
        expect(sumPoints(metrics.get('guardrails.replayed'))).toEqual([
          { attributes: { 'trpc.procedure': 'charge', 'guardrails.outcome': 'result' }, value: 1 },
        ]);
        expect(sumPoints(metrics.get('guardrails.conflict'))).toEqual([
          { attributes: { 'trpc.procedure': 'charge', 'guardrails.reason': 'payload-mismatch' }, value: 1 },
        ]);
        // A replay costs one round trip: its check answered `completed`.
        const checks = sdk.spans().filter((span) => span.name === 'guardrails.store.check');
        expect(checks.map((span) => span.attributes['guardrails.claim.status'])).toEqual([
          'acquired',
          'completed',
          'mismatch',
        ]);
      });

      it('records rate-limit rejections by procedure and scope', async () => {
        const { client, sdk } = await start({ limits: { ip: 2 } });
        await client.limitedOnly.query(); // costs 2: the whole window
        await rejected(client.limitedOnly.query());
        const server = await serverSpans(sdk, 2);
        expect(server[0]!.events).toEqual([]);
        expect(server[1]!.events.map((event) => [event.name, event.attributes])).toEqual([
          [
            'guardrails.limited',
            {
              'trpc.procedure': 'limitedOnly',
              'guardrails.scope': 'ip',
              'guardrails.limit': 2,
              'guardrails.remaining': 0,
              'guardrails.reset': expect.any(Number),
              'guardrails.retry_after': expect.any(Number),
            },
          ],
        ]);
        const metrics = await sdk.metrics();
        expect(metrics.get('guardrails.limited')?.descriptor).toMatchObject({ unit: '{call}' });
        expect(sumPoints(metrics.get('guardrails.limited'))).toEqual([
          { attributes: { 'trpc.procedure': 'limitedOnly', 'guardrails.scope': 'ip' }, value: 1 },
        ]);
        const checks = sdk.spans().filter((span) => span.name === 'guardrails.store.check');
        expect(checks.map((span) => span.attributes)).toEqual([
          {
            'guardrails.store.operation': 'check',
            'guardrails.store.limits': 1,
            'guardrails.store.claim': false,
            'guardrails.store.denied': 0,
          },
          {
            'guardrails.store.operation': 'check',
            'guardrails.store.limits': 1,
            'guardrails.store.claim': false,
            'guardrails.store.denied': 1,
          },
        ]);
      });

      it('keeps identifiers, owners and keys out of every span and metric unless asked', async () => {
        const secrets = { key: 'key-SECRET-1', user: 'user-SECRET-2', ip: '203.0.113.77' };
        const { client, sdk } = await start(
          { limits: { ip: 2 } },
          { 'x-user': secrets.user, 'x-ip': secrets.ip },
        );
        await client.charge.mutate(charge(secrets.key));
        await client.charge.mutate(charge(secrets.key));
        await rejected(client.charge.mutate(charge(secrets.key)));
        await serverSpans(sdk, 3);
        const recorded = JSON.stringify([
          sdk.spans().map((span) => [span.name, span.attributes, span.events]),
          [...(await sdk.metrics()).values()].map((metric) => metric.dataPoints),
        ]);
        expect(recorded).toContain('guardrails.limited');
        for (const secret of Object.values(secrets)) expect(recorded).not.toContain(secret);
      });

      it('puts identifiers on span events when asked, or their SHA-256', async () => {
        const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
        for (const [includeIdentifiers, encode] of [
          [true, (value: string) => value],
          ['hashed', sha256],
        ] as const) {
          const { client, sdk } = await start({ limits: { user: 1 }, otel: { includeIdentifiers } });
          await client.charge.mutate(charge('k-ident'));
          await rejected(client.charge.mutate(charge('k-ident-2')));
          const server = await serverSpans(sdk, 2);
          expect(server[0]!.events[0]!.attributes).toMatchObject({
            'guardrails.owner': encode('u1'),
            'guardrails.idempotency_key': encode('k-ident'),
          });
          expect(server[1]!.events[0]!.attributes).toMatchObject({
            'guardrails.identifier': encode('u1'),
            'guardrails.owner': encode('u1'),
            'guardrails.idempotency_key': encode('k-ident-2'),
          });
          // Metrics stay the same: no identifiers, whatever was asked.
          expect(
            sumPoints((await sdk.metrics()).get('guardrails.executed'))[0]!.attributes,
          ).not.toHaveProperty('guardrails.owner');
        }
      });
    },
  );
}

/** The finished request spans, in start order, once `count` of them ended. */
export async function serverSpans(sdk: OtelSdk, count: number): Promise<ReadableSpan[]> {
  return vi.waitFor(() => {
    const spans = sdk
      .spans()
      .filter((span) => span.kind === SpanKind.SERVER)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(spans).toHaveLength(count);
    return spans;
  });
}

export function named(spans: ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span named ${name}; got ${spans.map((s) => s.name).join(', ')}`);
  return span;
}
