import { createServer, type RequestListener, type Server } from 'node:http';
import { type Attributes, context, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { AnyTRPCRouter } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { afterAll, beforeAll } from 'vitest';
import { listenOnLoopback } from './listen-on-loopback.js';
import type { Adapter } from './test-app.js';

/**
 * The real OpenTelemetry SDK with in-memory exporters: what a test reads back is what an OTLP
 * exporter would have sent. Spans nest through the async-hooks context manager (installed for
 * this file), as under `@opentelemetry/sdk-node`.
 */
export function otelContextForThisFile() {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    context.disable();
  });
}

export type OtelSdk = ReturnType<typeof createOtelSdk>;

/** A tracer provider and a meter provider of their own, for one test. */
export function createOtelSdk() {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    /** The finished spans. */
    spans: (): ReadableSpan[] => spanExporter.getFinishedSpans(),
    /** Collects and exports now; the metrics of the latest export, by name. */
    async metrics(): Promise<Map<string, MetricData>> {
      await reader.forceFlush();
      const latest = metricExporter.getMetrics().at(-1);
      const byName = new Map<string, MetricData>();
      for (const scope of latest?.scopeMetrics ?? []) {
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
      return byName;
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/** A counter's data points as `{ attributes, value }`. */
export function sumPoints(metric: MetricData | undefined): { attributes: Attributes; value: number }[] {
  return (
    (metric?.dataPoints as DataPoint<number>[] | undefined)?.map(({ attributes, value }) => ({
      attributes,
      value,
    })) ?? []
  );
}

/** A histogram's data points as `{ attributes, count }`. */
export function histogramPoints(metric: MetricData | undefined): { attributes: Attributes; count: number }[] {
  return (
    (metric?.dataPoints as DataPoint<Histogram>[] | undefined)?.map(({ attributes, value }) => ({
      attributes,
      count: value.count,
    })) ?? []
  );
}

/**
 * Serves the router over real HTTP with the chosen adapter, each request inside a `SERVER` span
 * made active the way `@opentelemetry/instrumentation-http` does — where the guard's span events
 * land. The context is the test app's (`x-ip`, `x-user` headers).
 */
export async function serveTraced(
  router: AnyTRPCRouter,
  adapter: Adapter,
  sdk: OtelSdk,
): Promise<{ url: string; close(): Promise<void> }> {
  const contextFrom = (headers: { get(name: string): string | null }) => ({
    ip: headers.get('x-ip') ?? '127.0.0.1',
    userId: headers.get('x-user') ?? undefined,
  });
  const handler: RequestListener =
    adapter === 'fetch'
      ? (await import('./fetch-bridge.js')).toNodeListener((req) =>
          fetchRequestHandler({
            endpoint: '/trpc',
            req,
            router,
            createContext: ({ req: request, resHeaders }) => ({
              ...contextFrom(request.headers),
              resHeaders,
            }),
          }),
        )
      : createHTTPHandler({
          router,
          basePath: '/trpc/',
          createContext: ({ req, res }) => ({
            ...contextFrom({ get: (name) => (req.headers[name] as string | undefined) ?? null }),
            res,
          }),
        });
  const tracer = sdk.tracerProvider.getTracer('test-http-server');
  const server: Server = createServer((req, res) =>
    tracer.startActiveSpan(`${req.method} /trpc`, { kind: SpanKind.SERVER }, (span) => {
      res.on('close', () => span.end());
      return handler(req, res);
    }),
  );
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/trpc`, close };
}
