import { TRPCError } from '@trpc/server';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import type { IdempotencyContext } from '../idempotency/context.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import type { GuardrailsStore } from '../stores/types.js';

/** Fixtures of `describeExecutor`: a guard over a real store, and the store as faults shape it. */
export type Ctx = { ip: string; userId: string; resHeaders?: Headers };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real store, counting its calls per method (every call is one round trip). */
export function counting(store: GuardrailsStore) {
  const calls = { check: 0, complete: 0, extend: 0, release: 0 };
  const counted: GuardrailsStore = {
    maxResultBytes: store.maxResultBytes,
    check: (request) => {
      calls.check++;
      return store.check(request);
    },
    complete: (request) => {
      calls.complete++;
      return store.complete(request);
    },
    extend: (request) => {
      calls.extend++;
      return store.extend(request);
    },
    release: (request) => {
      calls.release++;
      return store.release(request);
    },
  };
  return { store: counted, calls };
}

/** The real store whose heartbeats never arrive: what a paused process looks like to others. */
export function withoutHeartbeats(store: GuardrailsStore): GuardrailsStore {
  return {
    ...store,
    check: store.check,
    complete: store.complete,
    release: store.release,
    extend: async () => 'ok',
  };
}

/** The real store with `complete` failing while `down()` says so. */
export function withCompleteOutage(store: GuardrailsStore, down: () => boolean): GuardrailsStore {
  return {
    maxResultBytes: store.maxResultBytes,
    check: (request) => store.check(request),
    extend: (request) => store.extend(request),
    release: (request) => store.release(request),
    complete: async (request) => {
      if (down()) throw new Error('connection refused');
      return store.complete(request);
    },
  };
}

export interface BuildOptions {
  prefix?: string;
  limits?: { ip?: number; user?: number };
  lease?: `${number} ms` | `${number} s`;
  waitUntil?: (task: Promise<unknown>) => void;
}

export function build(store: GuardrailsStore, options: BuildOptions = {}) {
  const events: GuardrailsEvent[] = [];
  const prefix = options.prefix ?? uniquePrefix('once');
  const guard = createGuardrails<Ctx>()({
    store,
    prefix,
    scopes: {
      ip: { limiter: fixedWindow(options.limits?.ip ?? 1000, '1 h'), identify: ({ ctx }) => ctx.ip },
      user: { limiter: fixedWindow(options.limits?.user ?? 1000, '1 h'), identify: ({ ctx }) => ctx.userId },
    },
    idempotency: { lease: options.lease ?? '30 s' },
    headers: ({ ctx }) => ctx.resHeaders,
    onEvent: (event) => events.push(event),
    waitUntil: options.waitUntil,
  });
  const ofType = <T extends GuardrailsEvent['type']>(type: T) =>
    events.filter((event): event is Extract<GuardrailsEvent, { type: T }> => event.type === type);
  return { guard, prefix, events, ofType };
}

/** A payment as a job or a webhook handler would make it, counting its executions. */
export function payments() {
  const tokens: number[] = [];
  let gate: Promise<void> | undefined;
  const charge = async ({ key, token }: IdempotencyContext) => {
    tokens.push(token);
    // `hold()` holds the next execution only.
    const held = gate;
    gate = undefined;
    await held;
    return {
      chargeId: `ch_${tokens.length}`,
      key,
      token,
      chargedAt: new Date('2026-01-02T03:04:05.678Z'),
      amount: 500n,
      lines: new Map([['fee', 25]]),
    };
  };
  const hold = () => {
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    return () => open();
  };
  return { charge, hold, tokens, runs: () => tokens.length };
}

export async function refusal(call: Promise<unknown>): Promise<TRPCError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}
