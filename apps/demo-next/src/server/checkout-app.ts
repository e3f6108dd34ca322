import { Redis } from '@upstash/redis';
import { after } from 'next/server';
import {
  createGuardrails,
  type GuardrailsEvent,
  type GuardrailsStore,
  ipScope,
  lazyStore,
  slidingWindow,
} from 'trpc-guardrails';
import { memoryStore } from 'trpc-guardrails/memory';
import { upstashStore } from 'trpc-guardrails/upstash';
import { createCallerAddress } from './caller-address';
import type { CheckoutContext } from './context';
import { type DemoEnv, readDemoEnv } from './demo-env';
import type { Counter, Ledger } from './ledger/ledger';
import { memoryLedger } from './ledger/memory-ledger';
import { redisLedger } from './ledger/redis-ledger';
import { fakePaymentProvider } from './payment-provider';
import { t } from './trpc';

const COUNTED: Partial<Record<GuardrailsEvent['type'], Counter>> = {
  executed: 'executions',
  replayed: 'replays',
  limited: 'limited',
  conflict: 'conflicts',
};

/** Everything a guarded call needs. */
export function createCheckoutApp(env: DemoEnv) {
  const redis = env.store.rest && new Redis({ url: env.store.rest.url, token: env.store.rest.token });
  const ledger: Ledger = redis ? redisLedger(redis, env.prefix) : processMemory().ledger;
  const guard = createGuardrails<CheckoutContext>()({
    // Built on first use: `next build` imports this module without any store around.
    store: lazyStore(() => (redis ? upstashStore(redis) : processMemory().store)),
    prefix: env.prefix,
    scopes: {
      ip: ipScope({ limiter: slidingWindow(env.limits.ipPer10s, '10 s'), address: ({ ctx }) => ctx.ip }),
      user: { limiter: slidingWindow(env.limits.userPer10s, '10 s'), identify: ({ ctx }) => ctx.userId },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId, lease: '30 s' },
    headers: ({ ctx }) => ctx.resHeaders,
    onEvent(event) {
      const counter = COUNTED[event.type];
      if (counter) handOver(ledger.count(counter));
      console.log(JSON.stringify({ msg: 'guardrails', ...event, error: undefined }));
    },
    // Outcome retries and releases outlive the response: Next keeps the function alive for them.
    waitUntil: (task) => after(task),
  });
  return {
    env,
    ledger,
    guard,
    procedure: guard.procedure(t.procedure),
    provider: fakePaymentProvider({ ledger, delayMs: env.providerDelayMs }),
    callerAddress: createCallerAddress(guard, env),
  };
}

export type CheckoutApp = ReturnType<typeof createCheckoutApp>;

let instance: CheckoutApp | undefined;

/**
 * The app of this bundle. Next bundles each route with its own copy of the modules (and of
 * trpc-guardrails), so a guard shared across routes would throw errors that another route's
 * `getGuardrailsErrorData` does not recognise (`instanceof`): each bundle builds its own guard.
 * What must be shared in memory is shared below.
 */
export function getCheckoutApp(): CheckoutApp {
  instance ??= createCheckoutApp(readDemoEnv(process.env));
  return instance;
}

const MEMORY = Symbol.for('demo-next.memory');

/** The memory store and ledger of this process, one for every bundle (the memory store only). */
function processMemory(): { store: GuardrailsStore; ledger: Ledger } {
  const holder = globalThis as { [MEMORY]?: { store: GuardrailsStore; ledger: Ledger } };
  holder[MEMORY] ??= { store: memoryStore(), ledger: memoryLedger() };
  return holder[MEMORY];
}

/** Runs a count after the response; outside a request (a late background event) it just runs. */
function handOver(task: Promise<unknown>): void {
  const handled = task.catch((error) => console.error('[demo-next] ledger count failed', error));
  try {
    after(handled);
  } catch {
    // `after` throws outside a request scope; the promise is already running.
  }
}
