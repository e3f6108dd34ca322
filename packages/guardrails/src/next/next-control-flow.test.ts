import { TRPCError } from '@trpc/server';
import { DynamicServerError } from 'next/dist/client/components/hooks-server-context.js';
import { makeDynamicHangingPromise } from 'next/dist/server/dynamic-rendering-utils.js';
import { BailoutToCSRError } from 'next/dist/shared/lib/lazy-dynamic/bailout-to-csr.js';
import { notFound, permanentRedirect, redirect, unstable_rethrow } from 'next/navigation.js';
import { describe, expect, it } from 'vitest';
import { findNextControlFlow } from './next-control-flow.js';

/** What a Next.js API throws. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Whether Next's own `unstable_rethrow` rethrows it: the oracle. */
function nextRethrows(error: unknown): boolean {
  try {
    unstable_rethrow(error);
    return false;
  } catch {
    return true;
  }
}

async function hangingPromiseRejection(): Promise<unknown> {
  const aborted = new AbortController();
  aborted.abort();
  return makeDynamicHangingPromise(aborted.signal, '/checkout', 'cookies()').catch((error: unknown) => error);
}

describe("Next.js's control-flow errors, recognised as Next recognises them", () => {
  it("finds every error Next's own unstable_rethrow rethrows, made by Next's own code", async () => {
    const redirectError = thrownBy(() => redirect('/paid'));
    const controlFlow: Record<string, unknown> = {
      'redirect()': redirectError,
      'permanentRedirect()': thrownBy(() => permanentRedirect('/moved')),
      'notFound()': thrownBy(() => notFound()),
      'bailout to client rendering': new BailoutToCSRError('useSearchParams()'),
      'dynamic server usage': new DynamicServerError('headers()'),
      'a hanging promise rejected when a prerender ends': await hangingPromiseRejection(),
      // What tRPC makes of a redirect() thrown in a handler, and what a TRPCError's cause may hold.
      'a TRPCError caused by redirect()': new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        cause: redirectError,
      }),
      'two causes deep': new Error('outer', { cause: new Error('inner', { cause: redirectError }) }),
    };
    for (const [name, error] of Object.entries(controlFlow)) {
      expect(nextRethrows(error), name).toBe(true);
      expect(findNextControlFlow(error), name).toBeDefined();
    }
    // The error to rethrow is Next's own, not the wrapper.
    expect(findNextControlFlow(controlFlow['a TRPCError caused by redirect()'])).toBe(redirectError);
  });

  it('leaves ordinary errors to become failures, as Next does', () => {
    const ordinary: Record<string, unknown> = {
      Error: new Error('boom'),
      TRPCError: new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'slow down' }),
      // Next's error handler gives a rendered error a numeric digest (a hash of its message).
      'an error with a hashed digest': Object.assign(new Error('boom'), { digest: '2915468312' }),
      'a string': 'NEXT_REDIRECT',
      null: null,
      undefined: undefined,
    };
    for (const [name, error] of Object.entries(ordinary)) {
      expect(nextRethrows(error), name).toBe(false);
      expect(findNextControlFlow(error), name).toBeUndefined();
    }
  });

  it("counts a digest Next may add under its NEXT_ prefix, and React's postpone()", () => {
    expect(
      findNextControlFlow(Object.assign(new Error('x'), { digest: 'NEXT_FUTURE_SIGNAL;1' })),
    ).toBeDefined();
    expect(findNextControlFlow({ $$typeof: Symbol.for('react.postpone'), message: 'x' })).toBeDefined();
  });

  it('stops at a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(findNextControlFlow(a)).toBeUndefined();
  });
});
