/**
 * Marks a store whose calls settle within the microtasks of the call (the memory store): no store
 * timeout can fire before it answers, so the guard skips arming one. Not enumerable, so a wrapper
 * built by spreading the store (`{ ...store, check: slower }`) is timed like any other store.
 */
const IN_PROCESS = Symbol.for('trpc-guardrails.in-process-store');

/** @internal */
export function markInProcess<T extends object>(store: T): T {
  return Object.defineProperty(store, IN_PROCESS, { value: true, enumerable: false });
}

/** @internal */
export function isInProcess(store: object): boolean {
  return (store as { [IN_PROCESS]?: unknown })[IN_PROCESS] === true;
}
