import type { IncomingHttpHeaders } from 'node:http';
import { type Context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const propagator = new W3CTraceContextPropagator();

/** The `traceparent` (and `tracestate`) headers that carry `context`'s span to the server. */
export function traceContextHeaders(context: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagator.inject(context, headers, defaultTextMapSetter);
  return headers;
}

/** The caller's span from a request's `traceparent`, or the root context when it sent none. */
export function callerContext(headers: IncomingHttpHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}
