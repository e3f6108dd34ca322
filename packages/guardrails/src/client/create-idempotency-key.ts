/** The part of Web Crypto that key generation needs. */
export interface RandomSource {
  randomUUID?: () => string;
  getRandomValues<T extends Uint8Array>(array: T): T;
}

/**
 * Returns a fresh idempotency key for one user intent: a random UUID v4 (36 printable ASCII
 * characters, so it always passes the server's key rule).
 *
 * Create it when the intent starts (the form opens, the button is first pressed) and keep it
 * for every retry of that intent; create a new one for the next intent. Uses Web Crypto
 * (`crypto.randomUUID`, or `crypto.getRandomValues` where `randomUUID` is missing, such as pages
 * served over plain HTTP), so it runs in browsers, Node ≥ 20, Deno, Bun and edge runtimes.
 *
 * @example
 * ```ts
 * const idempotencyKey = createIdempotencyKey();
 * await client.createInvoice.mutate({ idempotencyKey, customerId: 'cus_1', amountCents: 500 });
 * ```
 */
export function createIdempotencyKey(): string {
  return randomUuidV4((globalThis as { crypto?: RandomSource }).crypto);
}

/**
 * A random UUID v4 from `source`.
 *
 * @internal exported for tests of the `getRandomValues` fallback.
 */
export function randomUuidV4(source: RandomSource | undefined): string {
  if (typeof source?.randomUUID === 'function') return source.randomUUID();
  if (typeof source?.getRandomValues !== 'function') {
    throw new Error(
      '[trpc-guardrails] createIdempotencyKey() needs Web Crypto (globalThis.crypto.getRandomValues); ' +
        'run on Node ≥ 20 or a browser, or pass your own key of 1–255 printable ASCII characters',
    );
  }
  const bytes = source.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
