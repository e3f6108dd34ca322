import { createServer, type ServerResponse } from 'node:http';
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { type Item, parseItem, parseList } from 'structured-headers';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { guardrailsErrorFormatter } from '../errors.js';
import { createGuardrails } from '../guard/create-guardrails.js';
import { type StoreFixture, uniquePrefix } from '../store-contract/describe-store.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { GuardrailsStore } from '../stores/types.js';
import { toNodeListener } from '../testing/fetch-bridge.js';
import { gatewayForThisFile } from '../testing/gateway.js';
import { listenOnLoopback } from '../testing/listen-on-loopback.js';
import { fixedWindow, slidingWindow, tokenBucket } from './algorithms.js';

type Context = { ip: string; userId: string; tenantId: string; resHeaders?: Headers; res?: ServerResponse };
type Adapter = 'fetch' | 'standalone';

interface Limits {
  ip?: number;
  user?: number;
  /** Token bucket: refill per minute and bucket size. */
  tenant?: { refillRate: number; maxTokens: number };
}

function createApp(store: GuardrailsStore, limits: Limits = {}) {
  const t = initTRPC
    .context<Context>()
    .create({ transformer: superjson, errorFormatter: guardrailsErrorFormatter });
  const guard = createGuardrails<Context>()({
    store,
    prefix: uniquePrefix('hdr'),
    scopes: {
      // Windows of an hour and a day: no window boundary falls inside a test.
      ip: { limiter: slidingWindow(limits.ip ?? 20, '1 h'), identify: ({ ctx }) => ctx.ip },
      user: { limiter: fixedWindow(limits.user ?? 5, '24 h'), identify: ({ ctx }) => ctx.userId },
      tenant: {
        limiter: tokenBucket(limits.tenant?.refillRate ?? 10, '60 s', limits.tenant?.maxTokens ?? 50),
        identify: ({ ctx }) => ctx.tenantId,
      },
    },
    headers: ({ ctx }) => ctx.resHeaders ?? ctx.res,
  });
  const procedure = guard.procedure(t.procedure);
  return t.router({
    checkout: procedure.rateLimited(['ip', 'user']).mutation(() => ({ ok: true })),
    // The same type as checkout: tRPC batches queries and mutations in separate requests.
    summarize: procedure.rateLimited('tenant').mutation(() => ({ summary: '…' })),
  });
}

type AppRouter = ReturnType<typeof createApp>;

async function serve(router: AppRouter, adapter: Adapter) {
  const contextFrom = (get: (name: string) => string | undefined) => ({
    ip: get('x-ip') ?? '127.0.0.1',
    userId: get('x-user') ?? 'u1',
    tenantId: get('x-tenant') ?? 'acme',
  });
  const server = createServer(
    adapter === 'fetch'
      ? toNodeListener((req) =>
          fetchRequestHandler({
            endpoint: '/trpc',
            req,
            router,
            createContext: ({ req: request, resHeaders }) => ({
              ...contextFrom((name) => request.headers.get(name) ?? undefined),
              resHeaders,
            }),
          }),
        )
      : createHTTPHandler({
          router,
          basePath: '/trpc/',
          createContext: ({ req, res }) => ({
            ...contextFrom((name) => req.headers[name] as string | undefined),
            res,
          }),
        }),
  );
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/trpc`, close };
}

function clientFor(url: string, batch: boolean) {
  const seen: { headers?: Headers; requests: number } = { requests: 0 };
  const link = (batch ? httpBatchLink : httpLink)({
    url,
    transformer: superjson,
    fetch: async (input, init) => {
      const response = await fetch(input as string, init as RequestInit);
      seen.requests++;
      seen.headers = response.headers;
      return response;
    },
  });
  return { client: createTRPCClient<AppRouter>({ links: [link] }), seen };
}

/** A Structured Field List of named items, parsed with an RFC 9651 parser: `{ name, ...params }`. */
function list(headers: Headers | undefined, name: string): Record<string, unknown>[] {
  const field = headers?.get(name);
  expect(field, name).toBeTypeOf('string');
  return parseList(field!).map((member) => {
    const [value, params] = member as Item;
    expect(value, `${name} names its policies with sf-strings`).toBeTypeOf('string');
    return { name: value, ...Object.fromEntries(params) };
  });
}

function integer(headers: Headers | undefined, name: string): number {
  const field = headers?.get(name);
  expect(field, name).toBeTypeOf('string');
  const [value] = parseItem(field!);
  expect(Number.isInteger(value), name).toBe(true);
  return value as number;
}

/** `X-RateLimit-Reset` (epoch s) is `t` seconds from now, give or take the rounding of both. */
function expectResetIn(headers: Headers | undefined, t: number) {
  const reset = integer(headers, 'X-RateLimit-Reset');
  expect(Math.abs(reset - Date.now() / 1000 - t)).toBeLessThanOrEqual(2);
}

const byName = (items: Record<string, unknown>[], name: string) => items.find((item) => item.name === name)!;

const { fixture } = gatewayForThisFile();
const stores: [string, () => StoreFixture][] = [
  ['memory store', () => ({ store: memoryStore(), sibling: () => memoryStore() })],
  ['upstash store (real redis-server behind upstash-local)', () => fixture()],
];

describe.each(stores)('rate-limit headers with %s', (_, setup) => {
  describe.each<Adapter>(['fetch', 'standalone'])('over the %s adapter', (adapter) => {
    const servers: { close(): Promise<void> }[] = [];
    afterAll(() => Promise.all(servers.map((server) => server.close())));

    async function start(limits: Limits = {}, batch = false) {
      const server = await serve(createApp(setup().store, limits), adapter);
      servers.push(server);
      return clientFor(server.url, batch);
    }

    it('lists every scope of a call, with the tightest in X-RateLimit-*', async () => {
      const { client, seen } = await start();
      await client.checkout.mutate();
      expect(list(seen.headers, 'RateLimit-Policy')).toEqual([
        { name: 'ip', q: 20, w: 3600 },
        { name: 'user', q: 5, w: 86400 },
      ]);
      const limits = list(seen.headers, 'RateLimit');
      expect(limits.map((item) => [item.name, item.r])).toEqual([
        ['ip', 19],
        ['user', 4],
      ]);
      for (const item of limits) expect(item.t).toBeTypeOf('number');
      expect(integer(seen.headers, 'X-RateLimit-Limit')).toBe(5);
      expect(integer(seen.headers, 'X-RateLimit-Remaining')).toBe(4);
      expectResetIn(seen.headers, byName(limits, 'user').t as number);
      expect(seen.headers?.get('Retry-After')).toBeNull();
    });

    it('merges a batch into one item per scope, each at its most restrictive state', async () => {
      const { client, seen } = await start({}, true);
      await Promise.all([client.checkout.mutate(), client.summarize.mutate(), client.checkout.mutate()]);
      expect(seen.requests).toBe(1);
      expect(list(seen.headers, 'RateLimit-Policy')).toEqual(
        expect.arrayContaining([
          { name: 'ip', q: 20, w: 3600 },
          { name: 'user', q: 5, w: 86400 },
          { name: 'tenant', q: 10, w: 60, 'guardrails-burst': 50 },
        ]),
      );
      const limits = list(seen.headers, 'RateLimit');
      expect(limits.map((item) => item.name).sort()).toEqual(['ip', 'tenant', 'user']);
      expect(byName(limits, 'ip').r).toBe(18);
      expect(byName(limits, 'user').r).toBe(3);
      expect(byName(limits, 'tenant').r).toBe(49);
      expect(integer(seen.headers, 'X-RateLimit-Remaining')).toBe(3);
      expect(integer(seen.headers, 'X-RateLimit-Limit')).toBe(5);
    });

    it('answers a denied call with Retry-After no earlier than the denying item', async () => {
      const { client, seen } = await start({ ip: 2 });
      await client.checkout.mutate();
      await client.checkout.mutate();
      const error = await client.checkout.mutate().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<AppRouter>).data?.httpStatus).toBe(429);
      const ip = byName(list(seen.headers, 'RateLimit'), 'ip');
      expect(ip.r).toBe(0);
      expect(byName(list(seen.headers, 'RateLimit'), 'user').r).toBe(3);
      const retryAfter = integer(seen.headers, 'Retry-After');
      expect(retryAfter).toBeGreaterThanOrEqual(ip.t as number);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(integer(seen.headers, 'X-RateLimit-Limit')).toBe(2);
      expect(integer(seen.headers, 'X-RateLimit-Remaining')).toBe(0);
    });

    it('keeps the longest wait when several calls of a batch are denied', async () => {
      const { client, seen } = await start({ ip: 1, tenant: { refillRate: 1, maxTokens: 1 } }, true);
      await Promise.all([client.checkout.mutate(), client.summarize.mutate()]);
      const outcomes = await Promise.allSettled([client.checkout.mutate(), client.summarize.mutate()]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      const limits = list(seen.headers, 'RateLimit');
      const ip = byName(limits, 'ip');
      const tenant = byName(limits, 'tenant');
      expect([ip.r, tenant.r]).toEqual([0, 0]);
      // Two waits: the next token in a minute, the end of the ip window (up to an hour).
      const longest = Math.max(ip.t as number, tenant.t as number);
      expect(integer(seen.headers, 'Retry-After')).toBeGreaterThanOrEqual(longest);
      expectResetIn(seen.headers, longest);
    });

    it('advertises a token bucket by its refill rate, with the bucket size as burst', async () => {
      const { client, seen } = await start({ tenant: { refillRate: 3, maxTokens: 12 } });
      await client.summarize.mutate();
      expect(list(seen.headers, 'RateLimit-Policy')).toEqual([
        { name: 'tenant', q: 3, w: 60, 'guardrails-burst': 12 },
      ]);
      const [tenant] = list(seen.headers, 'RateLimit');
      expect(tenant).toMatchObject({ name: 'tenant', r: 11 });
      expect(tenant!.t as number).toBeLessThanOrEqual(60);
      // X-RateLimit-Remaining counts tokens, so the limit beside it is the bucket size.
      expect(integer(seen.headers, 'X-RateLimit-Limit')).toBe(12);
      expect(integer(seen.headers, 'X-RateLimit-Remaining')).toBe(11);
    });
  });
});
