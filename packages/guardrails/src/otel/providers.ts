import {
  type Meter,
  type MeterProvider,
  metrics,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { GuardrailsConfigError } from '../errors.js';

/** The instrumentation scope of every tracer and meter this package asks for. */
export const INSTRUMENTATION_SCOPE = 'trpc-guardrails';

/** Where `trpc-guardrails/otel` sends what it records. */
export interface OtelProviders {
  /**
   * Where store spans go.
   * @default the global tracer provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider;
  /**
   * Where counters and the store latency histogram go. Looked up at the first measurement, so a
   * guard built before the SDK starts still reports to it.
   * @default the global meter provider (`metrics.getMeterProvider()`)
   */
  meterProvider?: MeterProvider;
}

/** @internal The meter, resolved on first use. */
export function lazyMeter(provider: MeterProvider | undefined): () => Meter {
  let meter: Meter | undefined;
  return () => {
    meter ??= (provider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
    return meter;
  };
}

/** @internal The tracer, resolved on first use. */
export function lazyTracer(provider: TracerProvider | undefined): () => Tracer {
  let tracer: Tracer | undefined;
  return () => {
    tracer ??= (provider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
    return tracer;
  };
}

/** @internal Checks the provider options once, at setup. */
export function checkProviders(options: OtelProviders, method: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new GuardrailsConfigError(`${method} options must be an object`);
  }
  const { tracerProvider, meterProvider } = options;
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') {
    throw new GuardrailsConfigError(`${method}: tracerProvider must be an OpenTelemetry TracerProvider`);
  }
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') {
    throw new GuardrailsConfigError(`${method}: meterProvider must be an OpenTelemetry MeterProvider`);
  }
}

/** @internal `error.type` as the semantic conventions mean it: the failure's class, low-cardinality. */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    if (error.name && error.name !== 'Error') return error.name;
    const constructorName = error.constructor?.name;
    return constructorName && constructorName !== 'Object' ? constructorName : 'Error';
  }
  return '_OTHER';
}
