import { useCallback, useMemo, useState } from 'react';
import { createIdempotencyKey } from '../client/create-idempotency-key.js';

/** What `useIdempotencyKey` returns. */
export interface IdempotencyKeyState {
  /** The key of the current intent: send it with every attempt of that intent. */
  key: string;
  /** Starts the next intent: a new key, and a re-render. Call it after the intent succeeded. */
  rotate(): void;
}

/**
 * One idempotency key per user intent. The key stays the same across re-renders, retries and
 * double clicks until `rotate()` is called, so a resubmitted form replays its first result
 * instead of running again. Call `rotate()` once the intent has succeeded (or the user starts
 * over). `rotate` keeps its identity across renders.
 *
 * The key is made lazily in React state (no Web Crypto at import time, so SSR bundles load
 * anywhere); React 19 StrictMode keeps the state of the first of its two renders. Each component
 * instance has its own key. Keys made during SSR are not sent to the browser: use the key when
 * submitting, don't render it into the markup.
 *
 * @example
 * ```tsx
 * function PayButton({ customerId }: { customerId: string }) {
 *   const { key, rotate } = useIdempotencyKey();
 *   const pay = useMutation(trpc.createInvoice.mutationOptions({ onSuccess: rotate }));
 *   return (
 *     <button disabled={pay.isPending} onClick={() => pay.mutate({ idempotencyKey: key, customerId, amountCents: 500 })}>
 *       Pay
 *     </button>
 *   );
 * }
 * ```
 */
export function useIdempotencyKey(): IdempotencyKeyState {
  const [key, setKey] = useState(createIdempotencyKey);
  const rotate = useCallback(function rotate() {
    setKey(createIdempotencyKey());
  }, []);
  return useMemo(() => ({ key, rotate }), [key, rotate]);
}
