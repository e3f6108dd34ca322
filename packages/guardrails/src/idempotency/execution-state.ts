import type { IdempotencyContext } from './context.js';

/** Hidden on `ctx.idempotency`: lets the resolver wrapper report that the handler started. */
const EXECUTION_STATE = Symbol('trpc-guardrails.execution');

/** @internal */
export interface ExecutionState {
  handlerStarted: boolean;
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
  const context: IdempotencyContext = { key, token, replayed: false };
  Object.defineProperty(context, EXECUTION_STATE, { value: state, enumerable: false });
  return { context, state };
}

/** @internal Called by the resolver wrapper right before the user's handler runs. */
export function markHandlerStarted(ctx: unknown): void {
  const idempotency = (ctx as { idempotency?: Record<symbol, ExecutionState> } | null | undefined)
    ?.idempotency;
  const state = idempotency?.[EXECUTION_STATE];
  if (state) state.handlerStarted = true;
}
