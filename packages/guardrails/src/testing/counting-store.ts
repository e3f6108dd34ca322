import type { GuardrailsStore } from '../stores/types.js';

/**
 * The real store, counting the checks that reach it: a call answered from a cache (replay,
 * denial) or refused before the store sends none.
 */
export function countingChecks(store: GuardrailsStore): {
  store: GuardrailsStore;
  calls: { checks: number };
} {
  const calls = { checks: 0 };
  const wrapped: GuardrailsStore = {
    ...store,
    check: (request) => {
      calls.checks++;
      return store.check(request);
    },
  };
  return { store: wrapped, calls };
}
