import { type Limiter, limiterWindowSeconds } from './algorithms.js';

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

/** @internal One scope's verdict for one call, as the headers describe it. */
export interface ScopeHeaderValues {
  scope: string;
  /** The limiter that applied to the call (its policy goes into `RateLimit-Policy`). */
  limiter: Limiter;
  success: boolean;
  /** The limit in force (the bucket size for a token bucket). */
  limit: number;
  remaining: number;
  /** Epoch ms. */
  reset: number;
}

interface ScopeState extends ScopeHeaderValues {
  /** The latest reset among the calls this scope denied, if it denied any. */
  deniedReset?: number;
}

/**
 * What one response has to say: every scope that applied to any call written to it (the calls of
 * a batch share one response) and the longest wait asked for. Kept beside the target, so each
 * write serialises the merged state again instead of parsing back what an earlier call wrote.
 */
interface TargetState {
  scopes: Map<string, ScopeState>;
  retryAfter: number;
}

const states = new WeakMap<object, TargetState>();

/**
 * Writes the rate-limit fields of draft-ietf-httpapi-ratelimit-headers-11 (§3 `RateLimit-Policy`,
 * §4 `RateLimit`: Structured Field Lists, one item per scope that applied, named by an sf-string)
 * and the legacy `X-RateLimit-*` ones (the single most restrictive scope).
 *
 * Calls of one batch share the response: scopes merge by name, a scope keeping its most
 * restrictive state (fewer remaining, later reset on ties). A denied scope raises `Retry-After`
 * to at least its item's `t`, as draft §6 asks ("SHOULD NOT reference a point in time earlier
 * than the end of the effective window").
 */
export function writeRateLimitHeaders(
  target: HeadersTarget,
  values: readonly ScopeHeaderValues[],
  now = Date.now(),
): void {
  if (values.length === 0) return;
  const state = stateOf(target);
  for (const next of values) {
    const current = state.scopes.get(next.scope);
    const deniedReset = latest(current?.deniedReset, next.success ? undefined : next.reset);
    const kept = current && !tighter(next, current) ? current : next;
    state.scopes.set(next.scope, { ...kept, deniedReset });
  }
  const scopes = [...state.scopes.values()];
  writeHeader(target, 'RateLimit-Policy', scopes.map(policyItem).join(', '));
  writeHeader(target, 'RateLimit', scopes.map((scope) => serviceLimitItem(scope, now)).join(', '));
  const shown = scopes.reduce((best, scope) => (shownBefore(scope, best) ? scope : best));
  // For a token bucket the limit is the bucket size (`maxTokens`), not the policy's `q`:
  // X-RateLimit-Remaining counts the tokens in the bucket, and the limit beside it must be on the
  // same scale (remaining never above the limit) — it is the most one burst can spend.
  writeHeader(target, 'X-RateLimit-Limit', String(shown.limit));
  writeHeader(target, 'X-RateLimit-Remaining', String(Math.max(0, shown.remaining)));
  writeHeader(target, 'X-RateLimit-Reset', String(Math.ceil(shown.reset / 1000)));
  writeRetryAfterField(target, state, now);
}

/**
 * Sets `Retry-After` (seconds), keeping the longest wait of a batch — and never earlier than the
 * `t` of a scope that denied a call of this response.
 */
export function writeRetryAfter(target: HeadersTarget, seconds: number, now = Date.now()): void {
  const state = stateOf(target);
  state.retryAfter = Math.max(state.retryAfter, seconds);
  writeRetryAfterField(target, state, now);
}

export function writeReplayed(target: HeadersTarget): void {
  writeHeader(target, 'Idempotent-Replayed', 'true');
}

/**
 * A quota policy item (draft §3.1): `q` quota, `w` window in seconds.
 *
 * A token bucket allows `refillRate` per `interval` sustained, and up to `maxTokens` at once. The
 * draft has no burst parameter; it allows other parameters ("can be regarded as comments") and
 * says implementation-specific ones SHOULD carry a vendor prefix ("e.g. acme-policy,
 * acme-burst"), so the bucket size goes in `guardrails-burst`. `q;w` stays the sustained rate, so
 * a client that reads only the standard parameters paces itself correctly. Windows under a second
 * round up to `w=1` (sub-second precision is not supported, §3.1.3): an advisory on the safe side.
 */
function policyItem(state: ScopeState): string {
  const { limiter } = state;
  const window = `w=${sfInteger(limiterWindowSeconds(limiter))}`;
  if (limiter.algorithm === 'token-bucket') {
    return `${sfString(state.scope)};q=${sfInteger(limiter.refillRate)};${window};guardrails-burst=${sfInteger(limiter.maxTokens)}`;
  }
  return `${sfString(state.scope)};q=${sfInteger(limiter.limit)};${window}`;
}

/**
 * A service limit item (draft §4.1): `r` available quota, `t` seconds until more is available (a
 * window reset, or a token bucket's next refill). For a token bucket `r` counts the tokens in the
 * bucket, so it may exceed the policy's `q` by up to the burst.
 */
function serviceLimitItem(state: ScopeState, now: number): string {
  return `${sfString(state.scope)};r=${sfInteger(state.remaining)};t=${sfInteger(secondsUntil(state.reset, now))}`;
}

function writeRetryAfterField(target: HeadersTarget, state: TargetState, now: number): void {
  let seconds = state.retryAfter;
  for (const scope of state.scopes.values()) {
    if (scope.deniedReset === undefined) continue;
    seconds = Math.max(seconds, secondsUntil(scope.deniedReset, now), secondsUntil(scope.reset, now));
  }
  if (seconds > 0) writeHeader(target, 'Retry-After', String(seconds));
}

/** The per-scope order of a batch: fewer remaining, later reset on ties. */
function tighter(a: ScopeHeaderValues, b: ScopeHeaderValues): boolean {
  return a.remaining < b.remaining || (a.remaining === b.remaining && a.reset > b.reset);
}

/**
 * The order of `X-RateLimit-*`, which show one scope: a scope that denied a call first (the
 * longest wait among them), then the per-scope order.
 */
function shownBefore(a: ScopeState, b: ScopeState): boolean {
  if ((a.deniedReset === undefined) !== (b.deniedReset === undefined)) return a.deniedReset !== undefined;
  if (a.deniedReset !== undefined && b.deniedReset !== undefined && a.deniedReset !== b.deniedReset) {
    return a.deniedReset > b.deniedReset;
  }
  return tighter(a, b);
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}

function secondsUntil(epochMs: number, now: number): number {
  return Math.max(0, Math.ceil((epochMs - now) / 1000));
}

function stateOf(target: HeadersTarget): TargetState {
  let state = states.get(target);
  if (!state) {
    state = { scopes: new Map(), retryAfter: 0 };
    states.set(target, state);
  }
  return state;
}

const SF_INTEGER_MAX = 999_999_999_999_999;

/** An sf-integer (RFC 9651 §3.3.1): at most 15 digits; the draft's values are non-negative. */
function sfInteger(value: number): string {
  return String(Math.min(SF_INTEGER_MAX, Math.max(0, Math.floor(value))));
}

/**
 * An sf-string (RFC 9651 §3.3.3). Scope names are checked at configuration (letters, digits, `_`,
 * `-`), so escaping `"` and `\` is all a name could ever need.
 */
function sfString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
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
