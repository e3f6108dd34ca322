/** `ctx.idempotency` inside an idempotent handler. */
export interface IdempotencyContext {
  /** The idempotency key of this call — pass it downstream (e.g. to a payment provider). */
  readonly key: string;
  /**
   * The fencing token of this execution: strictly greater than the token of any earlier
   * execution of the same key. Pass it to systems that can reject stale writers.
   * `0` when the store was unreachable and `onStoreError: 'allow'` let the call run unguarded.
   */
  readonly token: number;
  /** Always `false` inside the handler: replays never run it. */
  readonly replayed: false;
}

/**
 * `ctx.idempotency` of a call that carried no key to a `.idempotent({ required: false })`
 * procedure: it runs unguarded, so there is no key to pass on and no fencing token.
 * Narrow with `if (ctx.idempotency.key !== undefined)`.
 */
export interface UnguardedIdempotencyContext {
  readonly key: undefined;
  readonly token: undefined;
  readonly replayed: false;
}
