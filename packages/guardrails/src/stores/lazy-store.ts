import type { GuardrailsStore } from './types.js';

/**
 * A store built on first use: for runtimes whose configuration arrives with the first request,
 * such as Cloudflare Workers (`env` is an argument of `fetch`), where no store can be built at
 * module scope. The factory runs once; if it throws, the call fails like a store that is down
 * (`onStoreError` applies) and the next call tries again.
 *
 * @example
 * ```ts
 * let env: Env; // set at the top of fetch()
 * const guard = createGuardrails<Context>()({
 *   store: lazyStore(() => upstashStore(new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }))),
 * });
 * ```
 */
export function lazyStore(create: () => GuardrailsStore): GuardrailsStore {
  if (typeof create !== 'function') {
    throw new TypeError('[trpc-guardrails] lazyStore(create) needs a function that returns a store');
  }
  let store: GuardrailsStore | undefined;
  const get = (): GuardrailsStore => {
    store ??= create();
    return store;
  };
  return {
    check: async (request) => get().check(request),
    complete: async (request) => get().complete(request),
    extend: async (request) => get().extend(request),
    release: async (request) => get().release(request),
    get maxResultBytes() {
      return store?.maxResultBytes;
    },
  };
}
