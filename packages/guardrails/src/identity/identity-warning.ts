/**
 * Why an address could not be resolved the way the options intend. Stable codes, safe to match on:
 * - `forwarded-header-untrusted`: a request carries `X-Forwarded-For` or `Forwarded` but its
 *   sender is not a trusted proxy, so the header is ignored (no `trustProxy`, or the socket's
 *   peer is not in it).
 * - `forwarded-header-missing`: a trusted proxy sent no forwarding header, so the proxy's own
 *   address is used and all its clients share it.
 * - `forwarded-chain-too-long`: more trusted hops than the fixed budget examines.
 * - `platform-header-missing`: `platform` is set but its header is absent or not an address.
 * - `unparseable-address`: an address that must be known is not an IP (a hop, the socket, or
 *   what `ipScope`'s `address` returned).
 * - `no-remote-address`: a fetch `Request` or `Headers` without `remoteAddress` and no `platform`.
 */
export type IdentityWarningCause =
  | 'forwarded-header-untrusted'
  | 'forwarded-header-missing'
  | 'forwarded-chain-too-long'
  | 'platform-header-missing'
  | 'unparseable-address'
  | 'no-remote-address';

/** A misconfiguration notice: plain data, ready for a logger or the guard's `onEvent`. */
export interface IdentityWarning {
  cause: IdentityWarningCause;
  /** What happened and what to change. Contains no request data. */
  message: string;
}

/** Receives each cause at most once per process (per handler function). */
export type IdentityWarningHandler = (warning: IdentityWarning) => void;

const seen = new WeakMap<IdentityWarningHandler, Set<IdentityWarningCause>>();

function consoleWarning(warning: IdentityWarning): void {
  console.warn(`[trpc-guardrails] ${warning.message} (${warning.cause})`);
}

/**
 * @internal Calls `handler` (default `console.warn`) unless it already got this cause. A handler
 * that throws is ignored: resolving an address must not fail a request.
 */
export function warnOnce(
  handler: IdentityWarningHandler | undefined,
  cause: IdentityWarningCause,
  message: string,
): void {
  const target = handler ?? consoleWarning;
  let causes = seen.get(target);
  if (!causes) {
    causes = new Set();
    seen.set(target, causes);
  }
  if (causes.has(cause)) return;
  causes.add(cause);
  try {
    target({ cause, message });
  } catch {
    // A logging failure must not turn into a failed request.
  }
}
