import type { IdempotencyContext } from './context.js';

/** @internal */
export interface ExecutionState {
  handlerStarted: boolean;
}

/**
 * `ctx.idempotency` of an owner's execution. The execution state rides in a private field: the
 * resolver wrapper finds it, while the handler's spreads, logs and `JSON.stringify` never see it
 * (and a class costs far less than `Object.defineProperty` on every call).
 */
class OwnerIdempotencyContext implements IdempotencyContext {
  readonly replayed = false;
  readonly #state: ExecutionState;

  constructor(
    readonly key: string,
    readonly token: number,
    state: ExecutionState,
  ) {
    this.#state = state;
  }

  static stateOf(value: unknown): ExecutionState | undefined {
    return typeof value === 'object' && value !== null && #state in value
      ? (value as OwnerIdempotencyContext).#state
      : undefined;
  }
}

/** @internal Builds `ctx.idempotency` with its hidden execution state. */
export function createIdempotencyContext(
  key: string,
  token: number,
): {
  context: IdempotencyContext;
  state: ExecutionState;
} {
  const state: ExecutionState = { handlerStarted: false };
  return { context: new OwnerIdempotencyContext(key, token, state), state };
}

/** @internal Called by the resolver wrapper right before the user's handler runs. */
export function markHandlerStarted(ctx: unknown): void {
  const state = OwnerIdempotencyContext.stateOf(
    (ctx as { idempotency?: unknown } | null | undefined)?.idempotency,
  );
  if (state) state.handlerStarted = true;
}
