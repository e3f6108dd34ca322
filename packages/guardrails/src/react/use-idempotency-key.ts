import { useCallback, useMemo, useState } from 'react';
import { createIdempotencyKey } from '../client/create-idempotency-key.js';

/** Options of `useIdempotencyKey`. */
export interface IdempotencyKeyOptions {
  /**
   * The key of the first intent, made on the server (`createIdempotencyKey()`) and rendered into
   * the markup, so that the server render and hydration agree and a form posted before (or
   * without) JavaScript carries the same key. Read once, when the component mounts (like
   * `useState`'s initial value); `rotate()` makes the next keys in the browser.
   * @default undefined (a key made in the browser)
   */
  initialKey?: string | undefined;
}

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
 * instance has its own key. A key made during SSR is not sent to the browser (hydration makes
 * another): to render the key into the markup — a form that works without JavaScript — make it
 * on the server and pass it as `initialKey`.
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
 *
 * @example A form that works without JavaScript: the server renders the key into a hidden field.
 * ```tsx
 * // page.tsx (a Server Component): <PayForm serverKey={createIdempotencyKey()} />
 * function PayForm({ serverKey }: { serverKey: string }) {
 *   const { key } = useIdempotencyKey({ initialKey: serverKey }); // the same key in SSR and hydration
 *   return (
 *     <form action={payAction}>
 *       <input type="hidden" name="idempotencyKey" value={key} />
 *       <button>Pay</button>
 *     </form>
 *   );
 * }
 * ```
 */
export function useIdempotencyKey(options: IdempotencyKeyOptions = {}): IdempotencyKeyState {
  const [key, setKey] = useState(() => firstKey(options));
  const rotate = useCallback(function rotate() {
    setKey(createIdempotencyKey());
  }, []);
  return useMemo(() => ({ key, rotate }), [key, rotate]);
}

function firstKey({ initialKey }: IdempotencyKeyOptions): string {
  if (initialKey === undefined || initialKey === null) return createIdempotencyKey();
  if (typeof initialKey !== 'string') {
    throw new TypeError(
      `[trpc-guardrails] useIdempotencyKey({ initialKey }) must be a string made on the server with createIdempotencyKey(), got ${typeof initialKey}`,
    );
  }
  return initialKey;
}
