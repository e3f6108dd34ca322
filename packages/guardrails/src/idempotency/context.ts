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
