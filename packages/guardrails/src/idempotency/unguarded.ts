import type { MiddlewareResult } from '@trpc/server/unstable-core-do-not-import';
import { emitEvent } from '../events.js';
import type { GuardRuntime } from '../guard/runtime.js';
import type { NextFn } from './call.js';
import type { UnguardedIdempotencyContext } from './context.js';

/** @internal A call without a key to a `.idempotent({ required: false })` procedure. */
export interface UnguardedCall {
  path: string;
  /** Who called, when `owner` says so: for the `unguarded` event. */
  owner: string | undefined;
  /** The raw input without an `idempotencyKey` property (`null`, `''`), when it had one. */
  strippedRawInput: { value: unknown } | undefined;
}

const UNGUARDED: UnguardedIdempotencyContext = Object.freeze({
  key: undefined,
  token: undefined,
  replayed: false,
});

/**
 * @internal Runs the rest of the chain with no record: `ctx.idempotency.key` is `undefined`,
 * and `onEvent` hears of it, so operators can find the clients that send no key.
 */
export function runUnguarded(
  runtime: GuardRuntime,
  call: UnguardedCall,
  next: NextFn,
): Promise<MiddlewareResult<any>> {
  emitEvent(runtime.onEvent, { type: 'unguarded', path: call.path, owner: call.owner });
  const stripped = call.strippedRawInput;
  return next(
    stripped
      ? { ctx: { idempotency: UNGUARDED }, getRawInput: async () => stripped.value }
      : { ctx: { idempotency: UNGUARDED } },
  );
}
