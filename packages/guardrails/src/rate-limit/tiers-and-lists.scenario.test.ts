import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { type Item, parseList } from 'structured-headers';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { guardrailsErrorFormatter } from '../errors.js';
import type { GuardrailsEvent } from '../events.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { ipScope } from '../identity/ip-scope.js';
import { type StoreFixture, uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { toNodeListener } from '../testing/fetch-bridge.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import { accessList } from './access-list.js';
import { fixedWindow } from './algorithms.js';

type Plan = 'free' | 'pro' | 'internal' | 'broken';
type Context = { ip: string; userId: string; plan: Plan; resHeaders: Headers };

const plans = { free: fixedWindow(2, '1 h'), pro: fixedWindow(5, '1 h') };

/** The real store, counting the checks that reach it. */
function counting(store: GuardrailsStore) {
  const counted = { checks: 0, store: { ...store } as GuardrailsStore };
  counted.store.check = (request) => {
    counted.checks++;
    return store.check(request);
  };
  return counted;
}

function createApp(store: GuardrailsStore) {
  const t = initTRPC
    .context<Context>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const deny = accessList(['203.0.113.0/24', '2001:db8:bad::/48']);
  const allow = accessList(['10.0.0.0/8']);
  const events: GuardrailsEvent[] = [];
  let executions = 0;
  const guard = createGuardrails<Context>()({
    store,
    prefix: uniquePrefix('tier'),
    scopes: {
      ip: ipScope({ limiter: fixedWindow(2, '1 h'), address: ({ ctx }) => ctx.ip, allow, deny }),
      user: { limiter: fixedWindow(100, '1 h'), identify: ({ ctx }) => ctx.userId },
      tenant: {
        limiter: ({ ctx }) =>
          ctx.plan === 'internal' ? null : ctx.plan === 'broken' ? ('lots' as never) : plans[ctx.plan],
        identify: ({ ctx }) => ctx.userId,
      },
    },
    headers: ({ ctx }) => ctx.resHeaders,
    onEvent: (event) => events.push(event),
  });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    work: procedure.rateLimited('tenant').mutation(() => 'done'),
    search: procedure.rateLimited('user').mutation(() => 'found'),
    checkout: procedure.rateLimited('user', { limiter: fixedWindow(3, '1 h') }).mutation(() => 'paid'),
    exportCsv: procedure
      .rateLimited('user', { limiter: fixedWindow(2, '1 h'), bucket: 'exports' })
      .mutation(() => 'csv'),
    exportPdf: procedure
      .rateLimited('user', { limiter: fixedWindow(2, '1 h'), bucket: 'exports' })
      .mutation(() => 'pdf'),
    pay: procedure
      .rateLimited('ip')
      .idempotent()
      .mutation(() => ++executions),
  });
  return { router, deny, allow, events, executions: () => executions };
}

type AppRouter = ReturnType<typeof createApp>['router'];

async function serve(router: AppRouter) {
  const server = createServer(
    toNodeListener((req) =>
      fetchRequestHandler({
        endpoint: '/trpc',
        req,
        router,
        createContext: ({ req: request, resHeaders }) => ({
          ip: request.headers.get('x-ip') ?? '192.0.2.1',
          userId: request.headers.get('x-user') ?? 'u1',
          plan: (request.headers.get('x-plan') ?? 'free') as Plan,
          resHeaders,
        }),
      }),
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
  const as = (headers: Record<string, string>) => {
    const seen: { headers?: Headers } = {};
    const client = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url,
          transformer: superjson,
          headers,
          fetch: async (input, init) => {
            const response = await fetch(input as string, init as RequestInit);
            seen.headers = response.headers;
            return response;
          },
        }),
      ],
    });
    return { client, seen };
  };
  return { as, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function rejected(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}

const guardrailsOf = (error: TRPCClientError<AppRouter>) =>
  (error.data as { guardrails?: unknown }).guardrails;

function policyNames(headers: Headers | undefined): string[] {
  return parseList(headers?.get('ratelimit-policy') ?? '').map((member) => (member as Item)[0] as string);
}

const servers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe.each([
  ['memory', () => ({ store: memoryStore(), sibling: () => memoryStore() }) as StoreFixture],
  ['upstash (real redis-server behind upstash-local)', gatewayForThisFile().fixture],
])('tiers, own buckets and access lists over the fetch adapter: %s store', (_, fixture) => {
  async function start() {
    const counted = counting(fixture().store);
    const app = createApp(counted.store);
    const server = await serve(app.router);
    servers.push(server);
    return { ...app, ...server, counted };
  }

  it('picks the limit per call from the context; a caller moved to a bigger plan keeps what it used', async () => {
    const { as } = await start();
    const free = as({ 'x-user': 'acme', 'x-plan': 'free' }).client;
    await free.work.mutate();
    await free.work.mutate();
    expect(guardrailsOf(await rejected(free.work.mutate()))).toMatchObject({
      scope: 'tenant',
      limit: 2,
      remaining: 0,
    });
    // The refused call took nothing, so the upgraded tenant has 5 - 2 = 3 left.
    const pro = as({ 'x-user': 'acme', 'x-plan': 'pro' });
    // Four at once over HTTP: which one the server meets last is not the client's to say.
    const answers = await Promise.allSettled([1, 2, 3, 4].map(() => pro.client.work.mutate()));
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(3);
    const refused = answers.find((answer) => answer.status === 'rejected')!
      .reason as TRPCClientError<AppRouter>;
    expect(guardrailsOf(refused)).toMatchObject({ scope: 'tenant', limit: 5, remaining: 0 });
  });

  it('a limiter that answers null leaves the call unlimited, and takes no store round trip', async () => {
    const { as, counted } = await start();
    const internal = as({ 'x-user': 'svc', 'x-plan': 'internal' });
    for (let i = 0; i < 6; i++) expect(await internal.client.work.mutate()).toBe('done');
    expect(counted.checks).toBe(0);
    expect(internal.seen.headers?.get('ratelimit-policy')).toBeNull();
  });

  it('a limiter function that returns something else is a 500 that names the scope, not a pass', async () => {
    const { as } = await start();
    const error = await rejected(as({ 'x-plan': 'broken' }).client.work.mutate());
    expect(error.data?.httpStatus).toBe(500);
  });

  it('a procedure with its own limiter counts in its own bucket, beside the scope’s shared one', async () => {
    const { as } = await start();
    const user = as({ 'x-user': 'ann' });
    for (let i = 0; i < 3; i++) await user.client.checkout.mutate();
    expect(policyNames(user.seen.headers)).toEqual(['user:checkout']);
    const error = await rejected(user.client.checkout.mutate());
    expect(guardrailsOf(error)).toMatchObject({
      kind: 'rate-limit',
      scope: 'user',
      bucket: 'checkout',
      limit: 3,
    });
    expect(error.data?.httpStatus).toBe(429);
    // The shared bucket saw none of it.
    await user.client.search.mutate();
    expect(
      parseList(user.seen.headers!.get('ratelimit')!).map((member) => (member as Item)[1].get('r')),
    ).toEqual([99]);
  });

  it('procedures naming the same bucket share it', async () => {
    const { as } = await start();
    const user = as({ 'x-user': 'bo' }).client;
    await user.exportCsv.mutate();
    await user.exportPdf.mutate();
    expect(guardrailsOf(await rejected(user.exportCsv.mutate()))).toMatchObject({ bucket: 'exports' });
    expect(guardrailsOf(await rejected(user.exportPdf.mutate()))).toMatchObject({ bucket: 'exports' });
  });

  it('a deny-listed caller gets 403 before any store work: no limit taken, no record, no handler', async () => {
    const { as, counted, deny, events, executions } = await start();
    for (const ip of ['203.0.113.7', '2001:db8:bad:1::9']) {
      const error = await rejected(as({ 'x-ip': ip }).client.pay.mutate({ idempotencyKey: `k-${ip}` }));
      expect(error.data?.httpStatus).toBe(403);
      expect(guardrailsOf(error)).toEqual({ kind: 'blocked', scope: 'ip' });
    }
    expect(counted.checks).toBe(0);
    expect(executions()).toBe(0);
    expect(events.filter((event) => event.type === 'blocked')).toHaveLength(2);
    // Reloaded at runtime: the next call sees the change, and its key was never used.
    deny.replace([]);
    expect(await as({ 'x-ip': '203.0.113.7' }).client.pay.mutate({ idempotencyKey: 'k-203.0.113.7' })).toBe(
      1,
    );
  });

  it('an allow-listed caller skips the scope, until the list changes', async () => {
    const { as, allow } = await start();
    const office = as({ 'x-ip': '10.20.30.40' });
    for (let i = 0; i < 4; i++) await office.client.pay.mutate({ idempotencyKey: `office-${i}` });
    expect(office.seen.headers?.get('ratelimit-policy')).toBeNull();
    allow.delete('10.0.0.0/8');
    await office.client.pay.mutate({ idempotencyKey: 'office-4' });
    await office.client.pay.mutate({ idempotencyKey: 'office-5' });
    const error = await rejected(office.client.pay.mutate({ idempotencyKey: 'office-6' }));
    expect(guardrailsOf(error)).toMatchObject({ kind: 'rate-limit', scope: 'ip' });
  });
});
