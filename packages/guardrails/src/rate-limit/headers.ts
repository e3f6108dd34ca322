/**
 * Where response headers go: the fetch adapter's `resHeaders` (a `Headers`) or the Node
 * adapter's `res` (anything with `setHeader` / `getHeader`).
 */
export type HeadersTarget = Headers | NodeHeadersTarget;

export interface NodeHeadersTarget {
  setHeader(name: string, value: string | number): unknown;
  getHeader(name: string): unknown;
  readonly headersSent?: boolean;
}

/** One scope's state after a call, as headers describe it. */
export interface RateLimitHeaderValues {
  scope: string;
  limit: number;
  remaining: number;
  /** Epoch ms. */
  reset: number;
  windowSeconds: number;
}

/**
 * Writes the IETF draft `RateLimit-Policy` / `RateLimit` fields and the legacy `X-RateLimit-*`
 * ones. Calls of one batch share the response, so a value is only replaced by a more
 * restrictive one (fewer remaining).
 */
export function writeRateLimitHeaders(
  target: HeadersTarget,
  values: RateLimitHeaderValues,
  now = Date.now(),
): void {
  const existing = readHeader(target, 'X-RateLimit-Remaining');
  if (existing !== undefined && Number(existing) <= values.remaining) return;
  const resetSeconds = Math.max(0, Math.ceil((values.reset - now) / 1000));
  const name = JSON.stringify(values.scope);
  writeHeader(target, 'RateLimit-Policy', `${name};q=${values.limit};w=${values.windowSeconds}`);
  writeHeader(target, 'RateLimit', `${name};r=${values.remaining};t=${resetSeconds}`);
  writeHeader(target, 'X-RateLimit-Limit', String(values.limit));
  writeHeader(target, 'X-RateLimit-Remaining', String(values.remaining));
  writeHeader(target, 'X-RateLimit-Reset', String(Math.ceil(values.reset / 1000)));
}

/** Sets `Retry-After` (seconds), keeping the longest wait of a batch. */
export function writeRetryAfter(target: HeadersTarget, seconds: number): void {
  const existing = Number(readHeader(target, 'Retry-After') ?? 0);
  if (existing >= seconds) return;
  writeHeader(target, 'Retry-After', String(seconds));
}

export function writeReplayed(target: HeadersTarget): void {
  writeHeader(target, 'Idempotent-Replayed', 'true');
}

function readHeader(target: HeadersTarget, name: string): string | undefined {
  const value = target instanceof Headers ? target.get(name) : target.getHeader(name);
  return value === null || value === undefined ? undefined : String(value);
}

function writeHeader(target: HeadersTarget, name: string, value: string): void {
  if (target instanceof Headers) {
    target.set(name, value);
  } else if (!target.headersSent) {
    // A streaming response may have flushed its headers already; then there is nothing to do.
    target.setHeader(name, value);
  }
}

/** @internal Runtime check for `config.headers` results. */
export function isHeadersTarget(value: unknown): value is HeadersTarget {
  if (value instanceof Headers) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as NodeHeadersTarget).setHeader === 'function' &&
    typeof (value as NodeHeadersTarget).getHeader === 'function'
  );
}
