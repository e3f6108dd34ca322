/** The part of `AsyncLocalStorage` used here. */
interface CallStorage<T> {
  run<R>(store: T, callback: () => R): R;
  getStore(): T | undefined;
}

type CallStorageClass = new <T>() => CallStorage<T>;

/**
 * `AsyncLocalStorage`, found at run time and never imported, so edge bundles see no Node
 * built-in: Next.js defines `globalThis.AsyncLocalStorage` in both its runtimes; elsewhere Node's
 * `node:async_hooks` (through `process.getBuiltinModule`, which Next's edge sandbox makes throw).
 */
function findAsyncLocalStorage(): CallStorageClass | undefined {
  const fromGlobal = (globalThis as { AsyncLocalStorage?: unknown }).AsyncLocalStorage;
  if (typeof fromGlobal === 'function') return fromGlobal as CallStorageClass;
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const hooks =
      typeof process?.getBuiltinModule === 'function'
        ? (process.getBuiltinModule('node:async_hooks') as { AsyncLocalStorage?: unknown } | undefined)
        : undefined;
    return typeof hooks?.AsyncLocalStorage === 'function'
      ? (hooks.AsyncLocalStorage as CallStorageClass)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One storage per process, kept on `globalThis`: Next.js bundles each route with its own copy of
 * this module, and the copy that runs `toActionResult` must be the one `actionResponseHeaders`
 * reads. `null`: the runtime has no `AsyncLocalStorage`.
 */
const STORAGE = Symbol.for('trpc-guardrails.action-headers');

/** @internal The per-call header storage, or `undefined` where the runtime has none. */
export function actionHeadersStorage(): CallStorage<Headers> | undefined {
  const holder = globalThis as { [STORAGE]?: CallStorage<Headers> | null };
  if (holder[STORAGE] === undefined) {
    const Storage = findAsyncLocalStorage();
    holder[STORAGE] = Storage ? new Storage<Headers>() : null;
  }
  return holder[STORAGE] ?? undefined;
}

/**
 * Where the guard writes `Idempotent-Replayed`, `RateLimit` and `Retry-After` for the Server
 * Action that `toActionResult` is running — a Server Action has no response headers of its own.
 * Return it from the guard's `headers` option (through the context). Outside `toActionResult`
 * it is a throwaway `Headers`.
 *
 * @example
 * ```ts
 * experimental_nextAppDirCaller({
 *   pathExtractor: ({ meta }) => meta.path,
 *   createContext: async () => ({ ip: callerAddress(await headers()), resHeaders: actionResponseHeaders() }),
 * });
 * // createGuardrails({ headers: ({ ctx }) => ctx.resHeaders, ... })
 * ```
 */
export function actionResponseHeaders(): Headers {
  return actionHeadersStorage()?.getStore() ?? new Headers();
}
