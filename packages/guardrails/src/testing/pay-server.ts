import { createServer } from 'node:http';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { Redis } from '@upstash/redis';
import superjson from 'superjson';
import { z } from 'zod';
import type { Duration } from '../duration.js';
import { guardrailsErrorFormatter } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import type { GuardrailsStore } from '../stores/types.js';
import { upstashStore } from '../stores/upstash/upstash-store.js';
import { listenOnLoopback } from './listen-on-loopback.js';

export interface PayServerOptions {
  /** The gateway (or a fault proxy in front of it) this instance's own Redis client talks to. */
  url: string;
  token: string;
  prefix: string;
  lease: Duration;
  timeout: Duration;
  /** How long the handler takes. */
  handlerMs: number;
  /** Executions per idempotency key, shared by every instance of one test. */
  executions: Map<string, number>;
  /** Called as the handler returns, e.g. to break the store at that moment. */
  onHandlerDone?: (key: string) => void;
  maxRequestBytes?: number;
  /** Time-stamped event lines of every instance, for a failing test to print. */
  trace?: string[];
  name?: string;
}

function describeEvent(event: GuardrailsEvent): string {
  const { type: _type, path: _path, ...rest } = event as unknown as Record<string, unknown>;
  if (rest.error instanceof Error) rest.error = rest.error.message.slice(0, 120);
  return JSON.stringify(rest);
}

/**
 * One server instance of a test fleet: its own tRPC server (standalone adapter, real HTTP), its
 * own guard, and its own `@upstash/redis` client (with the client's default retries), so
 * several instances are several servers in everything but the process.
 */
function createPayRouter(options: PayServerOptions, events: GuardrailsEvent[]) {
  const t = initTRPC
    .context<{ userId: string }>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const redis = new Redis({ url: options.url, token: options.token });
  const guard = createGuardrails<{ userId: string }>()({
    store: traced(upstashStore(redis, { maxRequestBytes: options.maxRequestBytes }), options),
    prefix: options.prefix,
    idempotency: { owner: ({ ctx }) => ctx.userId, lease: options.lease, timeout: options.timeout },
    onEvent: (event) => {
      events.push(event);
      options.trace?.push(
        `${Date.now() % 100_000} ${options.name ?? ''} ${event.type} ${'key' in event ? event.key : ''} ${describeEvent(event)}`,
      );
    },
  });
  const router = t.router({
    pay: guard
      .procedure(t.procedure)
      .idempotent()
      .input(z.object({ cents: z.number(), resultBytes: z.number().optional() }))
      .mutation(async ({ input, ctx }) => {
        const key = ctx.idempotency.key;
        const run = (options.executions.get(key) ?? 0) + 1;
        options.executions.set(key, run);
        await new Promise((resolve) => setTimeout(resolve, options.handlerMs));
        options.onHandlerDone?.(key);
        return {
          key,
          run,
          token: ctx.idempotency.token,
          cents: BigInt(input.cents),
          at: new Date(),
          blob: 'x'.repeat(input.resultBytes ?? 0),
        };
      }),
  });
  return { router, guard };
}

export type PayRouter = ReturnType<typeof createPayRouter>['router'];

/**
 * One server instance of a test fleet: its own tRPC server (standalone adapter, real HTTP), its
 * own guard, and its own `@upstash/redis` client (with the client's default retries), so
 * several instances are several servers in everything but the process.
 */
export async function startPayServer(options: PayServerOptions) {
  const events: GuardrailsEvent[] = [];
  const { router, guard } = createPayRouter(options, events);
  const server = createServer(
    createHTTPHandler({
      router,
      createContext: ({ req }) => ({ userId: String(req.headers['x-user'] ?? 'u1') }),
    }),
  );
  const { origin: url, close } = await listenOnLoopback(server);
  return {
    url,
    events,
    guard,
    close,
  };
}

/** A client that retries one intent until it gets an answer other than 503, 409 in-progress or a network error. */
export function payUntilAnswered(
  url: string,
  input: { idempotencyKey: string; cents: number; resultBytes?: number },
) {
  const client = createTRPCClient<PayRouter>({ links: [httpLink({ url, transformer: superjson })] });
  type Paid = Awaited<ReturnType<typeof client.pay.mutate>>;
  return async (
    deadline: number,
  ): Promise<{ ok: true; value: Paid } | { ok: false; error: TRPCClientError<PayRouter> }> => {
    for (;;) {
      try {
        return { ok: true, value: await client.pay.mutate(input) };
      } catch (error) {
        if (!(error instanceof TRPCClientError)) throw error;
        const status = error.data?.httpStatus as number | undefined;
        const inProgress =
          (error.data?.guardrails as { reason?: string } | undefined)?.reason === 'in-progress';
        const retryable = status === undefined || status === 503 || (status === 409 && inProgress);
        if (!retryable || Date.now() > deadline) return { ok: false, error };
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  };
}

function traced(store: GuardrailsStore, options: PayServerOptions): GuardrailsStore {
  const trace = options.trace;
  if (!trace) return store;
  const log = (line: string) => trace.push(`${Date.now() % 100_000} ${options.name ?? ''} ${line}`);
  return {
    maxResultBytes: store.maxResultBytes,
    check: async (request) => {
      const sent = Date.now() % 100_000;
      const answer = await store.check(request);
      if (request.claim)
        log(`claim ${request.claim.key} sent ${sent} -> ${JSON.stringify(answer.claim).slice(0, 80)}`);
      return answer;
    },
    extend: async (request) => {
      const sent = Date.now() % 100_000;
      const answer = await store.extend(request);
      log(`extend ${request.key} sent ${sent} -> ${answer}`);
      return answer;
    },
    complete: async (request) => {
      const sent = Date.now() % 100_000;
      const answer = await store.complete(request);
      log(`complete ${request.key} sent ${sent} -> ${answer}`);
      return answer;
    },
    release: (request) => store.release(request),
  };
}
