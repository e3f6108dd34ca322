'use client';

import { useCallback, useEffect, useState } from 'react';
import { useIdempotencyKey } from 'trpc-guardrails/react';
import { keepsKey, type PayState } from '../shared/pay-state';

/**
 * The idempotency key of the current intent, for a form that works without JavaScript.
 *
 * The server renders a key into the form (`serverKey`), so a form posted without JavaScript
 * carries one, and hydration sees the same markup. After a failed attempt that may be retried,
 * the server renders that attempt's key again, so the retry replays instead of running twice.
 * With JavaScript, `useIdempotencyKey()` takes over at the first new intent: after a success,
 * or when `startNewIntent()` is called.
 */
export function useIntentKey(serverKey: string, state: PayState) {
  const [renderedKey] = useState(() => (state && keepsKey(state) ? state.key : serverKey));
  const { key: clientKey, rotate } = useIdempotencyKey();
  const [rotated, setRotated] = useState(false);
  const startNewIntent = useCallback(() => {
    rotate();
    setRotated(true);
  }, [rotate]);
  useEffect(() => {
    if (state?.ok) startNewIntent();
  }, [state, startNewIntent]);
  return { key: rotated ? clientKey : renderedKey, startNewIntent };
}
