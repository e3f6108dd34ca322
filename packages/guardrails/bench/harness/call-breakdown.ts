import type { GuardrailsStore } from '../../src/index.js';
import type { TimedRow } from './interleave.js';

/** One call's time on the server: request to `res.end()`, and how much of it was in store calls. */
export interface CallTime {
  serverMs: number;
  storeMs: number;
}

/**
 * Where an HTTP call's time goes, for the floor table: each call of a row is credited with the
 * server's time for its request (request → `res.end()`) and the time spent inside the store calls
 * it made. Calls run one at a time (`interleave`), so whatever happens between a row's start and
 * end belongs to that call.
 */
export function createCallBreakdown() {
  let current: CallTime | undefined;
  const calls = new Map<string, CallTime[]>();

  const timed =
    <A, R>(method: (arg: A) => Promise<R>) =>
    async (arg: A): Promise<R> => {
      const start = performance.now();
      try {
        return await method(arg);
      } finally {
        if (current) current.storeMs += performance.now() - start;
      }
    };

  return {
    /** The store with its check and complete timed; everything else as it was. */
    timeStore(store: GuardrailsStore): GuardrailsStore {
      return { ...store, check: timed(store.check.bind(store)), complete: timed(store.complete.bind(store)) };
    },
    /** For `serveRouter`'s `onServed`: the server's time for one request. */
    served(ms: number): void {
      if (current) current.serverMs += ms;
    },
    /** The row, with each of its calls accounted to it. */
    row(row: TimedRow): TimedRow {
      return {
        name: row.name,
        run: async (i) => {
          const call: CallTime = { serverMs: 0, storeMs: 0 };
          current = call;
          try {
            return await row.run(i);
          } finally {
            current = undefined;
            const list = calls.get(row.name) ?? [];
            list.push(call);
            calls.set(row.name, list);
          }
        },
      };
    },
    /** The last `count` calls of a row (the timed ones follow the warm-up). */
    last(name: string, count: number): CallTime[] {
      return (calls.get(name) ?? []).slice(-count);
    },
  };
}
