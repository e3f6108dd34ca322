import { createServer, type Server } from 'node:net';
import { initTRPC } from '@trpc/server';
import { Redis } from '@upstash/redis';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GuardrailsEvent } from '../events.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import type { GuardrailsStore } from '../stores/types.js';
import { upstashStore } from '../stores/upstash/upstash-store.js';
import { createGuardrails } from './create-guardrails.js';

type Ctx = { ip: string; userId: string };

/** A TCP server that accepts connections and never answers: a store that hangs. */
let silent: Server;
let silentPort = 0;
const sockets = new Set<import('node:net').Socket>();
beforeAll(async () => {
  silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

/** Nothing listens on port 1 of loopback: connections are refused at once. */
const deadStore = () => upstashStore(new Redis({ url: 'http://127.0.0.1:1', token: 'x', retry: false }));
const hangingStore = () =>
  upstashStore(new Redis({ url: `http://127.0.0.1:${silentPort}`, token: 'x', retry: false }));

function build(
  store: GuardrailsStore,
  options: { ip?: 'allow' | 'deny'; idempotency?: 'allow' | 'deny' } = {},
) {
  const events: GuardrailsEvent[] = [];
  let executions = 0;
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const guard = createGuardrails<Ctx>()({
    store,
    scopes: {
      ip: {
        limiter: fixedWindow(10, '10 s'),
        identify: ({ ctx }) => ctx.ip,
        onStoreError: options.ip,
        timeout: '300 ms',
      },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId, onStoreError: options.idempotency, timeout: '300 ms' },
    onEvent: (event) => events.push(event),
  });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    limited: procedure.rateLimited('ip').mutation(() => ++executions),
    pay: procedure
      .rateLimited('ip')
      .idempotent()
      .input(z.object({ n: z.number() }))
      .mutation(({ ctx }) => {
        executions++;
        return { token: ctx.idempotency.token };
      }),
    maybePay: procedure
      .rateLimited('ip')
      .idempotent({ required: false })
      .input(z.object({ n: z.number() }))
      .mutation(({ ctx }) => {
        executions++;
        return { key: ctx.idempotency.key ?? null };
      }),
  });
  const caller = t.createCallerFactory(router)({ ip: '1.2.3.4', userId: 'u1' });
  return { caller, events, executions: () => executions };
}

describe.each([
  ['refusing connections', deadStore],
  ['hanging (bounded by the timeout)', hangingStore],
])('store outage: %s', (_, makeStore) => {
  it("'deny' (default) answers SERVICE_UNAVAILABLE and the handler does not run", async () => {
    const { caller, events, executions } = build(makeStore());
    await expect(caller.limited()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(caller.pay({ n: 1, idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(executions()).toBe(0);
    expect(events.filter((e) => e.type === 'store-error')).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: 'store-error',
      operation: 'check',
      policy: 'deny',
      scopes: ['ip'],
    });
  });

  it("'allow' lets the call through, reported as a store-error event", async () => {
    const { caller, events, executions } = build(makeStore(), { ip: 'allow', idempotency: 'allow' });
    expect(await caller.limited()).toBe(1);
    expect(await caller.pay({ n: 1, idempotencyKey: 'k' })).toEqual({ token: 0 }); // unguarded: token 0
    expect(executions()).toBe(2);
    expect(
      events.filter((e) => e.type === 'store-error').map((e) => (e as { policy: string }).policy),
    ).toEqual(['allow', 'allow']);
  });

  it("required: false — a call without a key needs no claim, so only its scopes' policy applies", async () => {
    const open = build(makeStore(), { ip: 'allow', idempotency: 'deny' });
    expect(await open.caller.maybePay({ n: 1 })).toEqual({ key: null });
    expect(open.events.map((e) => e.type)).toEqual(['store-error', 'unguarded']);
    await expect(open.caller.maybePay({ n: 1, idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    const closed = build(makeStore(), { ip: 'deny', idempotency: 'allow' });
    await expect(closed.caller.maybePay({ n: 1 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(open.executions() + closed.executions()).toBe(1);
  });

  it("a 'deny' idempotency wins over an 'allow' scope: money does not move unguarded", async () => {
    const { caller, executions } = build(makeStore(), { ip: 'allow', idempotency: 'deny' });
    await expect(caller.pay({ n: 1, idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(executions()).toBe(0);
  });
});
