/**
 * The digests of Next.js's control-flow errors that do not start with `NEXT_`. Next recognises
 * every one of them by its `digest` alone, never by class (`unstable_rethrow`, Next 15–16):
 * `redirect()` (`NEXT_REDIRECT;…`), `notFound()` / `forbidden()` / `unauthorized()`
 * (`NEXT_HTTP_ERROR_FALLBACK;…`, `NEXT_NOT_FOUND` before 15), a prerender cut short
 * (`NEXT_PRERENDER_INTERRUPTED`), and these three.
 */
const UNPREFIXED_DIGESTS = new Set([
  'BAILOUT_TO_CLIENT_SIDE_RENDERING',
  'DYNAMIC_SERVER_USAGE',
  'HANGING_PROMISE_REJECTION',
]);

/** React's `postpone()` (partial prerendering) signal. */
const REACT_POSTPONE = Symbol.for('react.postpone');

/** How deep a `cause` chain is followed (tRPC wraps what a handler throws once). */
const MAX_CAUSES = 8;

/**
 * @internal The Next.js control-flow error in `error` or its `cause` chain (`redirect()`,
 * `notFound()`, a dynamic-rendering bailout…), which must be rethrown for Next to act on it —
 * or `undefined`. Detected by digest, as Next itself does, so it needs no import of `next`
 * (which has no `exports` map for Node to resolve `next/navigation` with) and sees errors from
 * any copy of Next's modules. A digest Next may add later under its `NEXT_` prefix counts too.
 */
export function findNextControlFlow(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSES; depth++) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (isControlFlow(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isControlFlow(value: object): boolean {
  if ((value as { $$typeof?: unknown }).$$typeof === REACT_POSTPONE) return true;
  const digest = (value as { digest?: unknown }).digest;
  if (typeof digest !== 'string') return false;
  const code = digest.split(';', 1)[0]!;
  return code.startsWith('NEXT_') || UNPREFIXED_DIGESTS.has(code);
}
