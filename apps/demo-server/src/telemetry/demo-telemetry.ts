import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { GuardrailsEvent, GuardrailsStore } from 'trpc-guardrails';
import { instrumentStore, otelEvents } from 'trpc-guardrails/otel';
import { createOtlpRecorder } from './otlp-recorder.js';
import { callerContext } from './trace-context.js';

/** Where a demo server with `DEMO_OTEL=1` hands over what it recorded. */
const OTEL_EXPORT_PATH = '/otel/export';

/** What the server calls to record its guard's decisions as OpenTelemetry. */
export interface DemoTelemetry {
  /** The store, each round trip a `guardrails.store.*` span and a latency measurement. */
  instrument(store: GuardrailsStore): GuardrailsStore;
  /** A guard event: a `guardrails.*` counter, and a span event on the request's span. */
  onEvent(event: GuardrailsEvent): void;
  /** Runs each tRPC request inside a `SERVER` span that continues the caller's `traceparent`. */
  traceRequests(handler: RequestListener): RequestListener;
  /** Notes on the request's span that its response is being lost on purpose (`x-demo-flaky`). */
  responseLost(): void;
  /** `POST /otel/export`: everything recorded since the last export, as OTLP/JSON; then forgets it. */
  handleExport(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * Records the demo server's guard decisions with the real OpenTelemetry SDK, in memory, through
 * `trpc-guardrails/otel` (`instrumentStore`, `otelEvents`). Nothing leaves the process until a
 * client asks `POST /otel/export` (the storm's `--otel-out` does). Like the library, it records no
 * identifier, owner or idempotency key, and no query string (a GET's input rides in it).
 *
 * @example
 * ```ts
 * const server = await startDemoServer({ telemetry: startDemoTelemetry() });
 * const otlp = await (await fetch(`${server.url}/otel/export`, { method: 'POST' })).json();
 * ```
 */
export function startDemoTelemetry(): DemoTelemetry {
  // Spans nest through async calls, as under `@opentelemetry/sdk-node`.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const recorder = createOtlpRecorder({ 'service.name': 'demo-server', 'process.pid': process.pid });
  const providers = { tracerProvider: recorder.tracerProvider, meterProvider: recorder.meterProvider };
  const tracer = recorder.tracerProvider.getTracer('demo-server');
  const recordEvent = otelEvents({ meterProvider: recorder.meterProvider });

  return {
    instrument: (store) => instrumentStore(store, providers),
    onEvent: recordEvent,
    traceRequests(handler) {
      return function tracedRequest(req, res) {
        const parent = callerContext(req.headers);
        const path = new URL(req.url ?? '/', 'http://demo').pathname;
        const span = tracer.startSpan(
          `${req.method} /trpc`,
          {
            kind: SpanKind.SERVER,
            attributes: {
              'http.request.method': req.method ?? '_OTHER',
              'url.path': path,
              'trpc.procedure': path.slice('/trpc/'.length),
              'server.port': req.socket.localPort ?? 0,
            },
          },
          parent,
        );
        res.once('close', () => {
          span.setAttribute('http.response.status_code', res.statusCode);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        });
        return context.with(trace.setSpan(parent, span), () => handler(req, res));
      };
    },
    responseLost() {
      trace.getActiveSpan()?.addEvent('demo.response_lost');
    },
    async handleExport(req, res) {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: `POST ${OTEL_EXPORT_PATH} hands over what was recorded` }));
        return;
      }
      const body = JSON.stringify(await recorder.drain());
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    },
  };
}
