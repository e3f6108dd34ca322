import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { createOtlpRecorder, type OtlpJson, traceContextHeaders } from 'demo-server/telemetry';
import type { RequestOutcome } from './storm-client.js';

/** The storm's side of the run as spans: one trace per intent, one `CLIENT` span per request. */
export interface StormTrace {
  intent(index: number): IntentTrace;
  /** The storm's spans as OTLP/JSON (`service.name` `storm`). */
  drain(): Promise<OtlpJson>;
}

export interface IntentTrace {
  /** Starts a request's span; send `headers` (`traceparent`) so the server's span joins the trace. */
  request(call: { url: string; copy: number; attempt: number; loseResponse: boolean }): RequestTrace;
  end(result: { completed: boolean; chargeIds: number }): void;
}

export interface RequestTrace {
  headers: Record<string, string>;
  end(outcome: RequestOutcome, status: number | undefined): void;
}

/**
 * Records the storm as OpenTelemetry spans: a `storm.intent` span per intent (the trace's root)
 * and under it a `CLIENT` span per request, which the demo server continues through `traceparent`.
 * So every duplicate of an intent, on whichever server it landed, shares one trace. No span carries
 * the idempotency key, the shopper or its IP: the intent's index says which intent it was.
 */
export function createStormTrace(): StormTrace {
  const recorder = createOtlpRecorder({ 'service.name': 'storm' });
  const tracer = recorder.tracerProvider.getTracer('storm');
  return {
    intent(index) {
      const span = tracer.startSpan('storm.intent', { attributes: { 'storm.intent': index } }, ROOT_CONTEXT);
      const intentContext = trace.setSpan(ROOT_CONTEXT, span);
      let requests = 0;
      return {
        request({ url, copy, attempt, loseResponse }) {
          requests++;
          const { hostname, port } = new URL(url);
          const request = tracer.startSpan(
            'POST checkout.pay',
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'trpc.procedure': 'checkout.pay',
                'server.address': hostname,
                'server.port': Number(port),
                'storm.intent': index,
                'storm.copy': copy,
                'storm.attempt': attempt,
                'storm.lose_response': loseResponse,
              },
            },
            intentContext,
          );
          return {
            headers: traceContextHeaders(trace.setSpan(intentContext, request)),
            end(outcome, status) {
              request.setAttribute('storm.outcome', outcome);
              if (status !== undefined) request.setAttribute('http.response.status_code', status);
              if (outcome === 'server-error' || outcome === 'error') {
                request.setStatus({ code: SpanStatusCode.ERROR });
              }
              request.end();
            },
          };
        },
        end({ completed, chargeIds }) {
          span.setAttributes({
            'storm.requests': requests,
            'storm.completed': completed,
            'storm.charge_ids': chargeIds,
          });
          // Not paid, or paid under two charge ids: what the storm exists to catch.
          if (!completed || chargeIds > 1) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    drain: () => recorder.drain(),
  };
}
