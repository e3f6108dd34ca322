import type { UpstashLocalOptions } from './UpstashLocalOptions.js';

/**
 * Rejects option values that would otherwise fail late or oddly (NaN ports, negative delays).
 *
 * @example
 * validateOptions({ port: 8079, latencyMs: 20 });
 */
export function validateOptions(options: UpstashLocalOptions): void {
  const { port, latencyMs, bodyLimit, subscriberBufferLimit, token } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new Error(
      `[upstash-local] port must be an integer from 0 to 65535 (0 = any free port), got ${port}.`,
    );
  }
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new Error(`[upstash-local] latencyMs must be a number >= 0, got ${latencyMs}.`);
  }
  if (bodyLimit !== undefined && !(Number.isInteger(bodyLimit) && bodyLimit > 0)) {
    throw new Error(`[upstash-local] bodyLimit must be a positive integer (bytes), got ${bodyLimit}.`);
  }
  if (
    subscriberBufferLimit !== undefined &&
    !(Number.isInteger(subscriberBufferLimit) && subscriberBufferLimit > 0)
  ) {
    throw new Error(
      `[upstash-local] subscriberBufferLimit must be a positive integer (bytes), got ${subscriberBufferLimit}.`,
    );
  }
  if (token !== undefined && token === '') {
    throw new Error('[upstash-local] token must not be empty; omit it to get a random one.');
  }
}
