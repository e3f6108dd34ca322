import { randomUUID } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import { JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * Spans and metrics in the OTLP/JSON encoding: `resourceSpans` as in an `ExportTraceServiceRequest`,
 * `resourceMetrics` as in an `ExportMetricsServiceRequest` (hex trace and span ids, nanosecond
 * timestamps as strings, attributes as `{ key, value: { stringValue | intValue | … } }`). Each half
 * can be posted as it is to a collector's `/v1/traces` or `/v1/metrics`.
 */
export interface OtlpJson {
  resourceSpans: unknown[];
  resourceMetrics: unknown[];
}

/** The real OpenTelemetry SDK, recording into memory until `drain()` hands it over as OTLP/JSON. */
export interface OtlpRecorder {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  /**
   * What was recorded since the last drain: finished spans, and metric points as deltas over
   * that interval. Forgets both, so consecutive drains never count anything twice.
   */
  drain(): Promise<OtlpJson>;
  shutdown(): Promise<void>;
}

/**
 * A tracer provider and a meter provider with in-memory exporters, serialized by the SDK's own
 * OTLP/JSON serializers (`@opentelemetry/otlp-transformer`, what the OTLP/HTTP JSON exporters send).
 * `service.instance.id` is a fresh UUID unless `resource` names one.
 *
 * @example
 * ```ts
 * const recorder = createOtlpRecorder({ 'service.name': 'storm' });
 * recorder.tracerProvider.getTracer('storm').startSpan('intent').end();
 * await writeFile('otel.json', JSON.stringify(await recorder.drain()));
 * ```
 */
export function createOtlpRecorder(resource: Attributes): OtlpRecorder {
  const attributes = { 'service.instance.id': randomUUID(), ...resource };
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    resource: resourceFromAttributes(attributes),
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });
  const metrics = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  // Exports only when asked (`forceFlush`), never on a timer.
  const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 2 ** 31 - 1 });
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes(attributes),
    readers: [reader],
  });
  const decoder = new TextDecoder();
  const parse = (bytes: Uint8Array | undefined) =>
    JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;

  return {
    tracerProvider,
    meterProvider,
    async drain() {
      await tracerProvider.forceFlush();
      const finished = spans.getFinishedSpans();
      spans.reset();
      metrics.reset();
      // A delta reader exports nothing when nothing was measured since its last collection.
      await reader.forceFlush();
      const collected = metrics.getMetrics();
      metrics.reset();
      return {
        resourceSpans: finished.length
          ? (parse(JsonTraceSerializer.serializeRequest(finished)).resourceSpans as unknown[])
          : [],
        resourceMetrics: collected.flatMap(
          (batch) => parse(JsonMetricsSerializer.serializeRequest(batch)).resourceMetrics as unknown[],
        ),
      };
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
