'use client';

import { useEffect } from 'react';
import { useIdempotencyKey } from 'trpc-guardrails/react';
import { keepsKey, type PayState } from '../shared/pay-state';

/**
 * The idempotency key of the current intent, for a form that works without JavaScript.
 *
 * The server renders a key into the form (`serverKey`), so a form posted without JavaScript
 * carries one, and `useIdempotencyKey({ initialKey })` starts from it, so hydration sees the same
 * markup. After a failed attempt that may be retried, the server renders that attempt's key again,
 * so the retry replays instead of running twice. With JavaScript, a success starts the next
 * intent (`rotate()`), as does `startNewIntent()`.
 */
export function useIntentKey(serverKey: string, state: PayState) {
  const { key, rotate } = useIdempotencyKey({
    initialKey: state && keepsKey(state) ? state.key : serverKey,
  });
  useEffect(() => {
    if (state?.ok) rotate();
  }, [state, rotate]);
  return { key, startNewIntent: rotate };
}
