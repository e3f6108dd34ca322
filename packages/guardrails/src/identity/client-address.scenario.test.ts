/**
 * Real sockets: a tRPC standalone server, reached directly or through a small reverse proxy that
 * APPENDS the peer address to X-Forwarded-For (as nginx's `$proxy_add_x_forwarded_for` does).
 * Distinct clients are distinct loopback source addresses (127.0.0.2, 127.0.0.3, …), which Linux
 * lets a socket bind with `localAddress`.
 */
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardrails } from '../guard/create-guardrails.js';
import { fixedWindow } from '../rate-limit/algorithms.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import { createClientAddress } from './client-address.js';
import type { ClientAddressOptions } from './client-address-options.js';
import type { IdentityWarning } from './identity-warning.js';
import { ipScope } from './ip-scope.js';

const LIMIT = 2;
const servers: Server[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** An app whose `whoami` answers the address it resolved, limited to LIMIT calls per ip bucket. */
async function startApp(options: Omit<ClientAddressOptions, 'onWarning'>) {
  const warnings: IdentityWarning[] = [];
  const callerAddress = createClientAddress({ ...options, onWarning: (warning) => warnings.push(warning) });
  type Context = { ip: string | undefined };
  const t = initTRPC.context<Context>().create();
  const guard = createGuardrails<Context>()({
    store: memoryStore(),
    scopes: { ip: ipScope({ limiter: fixedWindow(LIMIT, '1 h'), address: ({ ctx }) => ctx.ip }) },
  });
  const router = t.router({
    whoami: guard
      .procedure(t.procedure)
      .rateLimited('ip')
      .query(({ ctx }) => ({ ip: ctx.ip })),
  });
  const handler = createHTTPHandler({
    router,
    basePath: '/trpc/',
    createContext: ({ req }) => ({ ip: callerAddress(req) }),
  });
  return { port: await listen(createServer(handler)), warnings };
}

/** A reverse proxy in front of `target` that appends its peer's address to X-Forwarded-For. */
async function startProxy(target: number): Promise<number> {
  return listen(
    createServer((req, res) => {
      const peer = req.socket.remoteAddress ?? 'unknown';
      const prior = req.headers['x-forwarded-for'];
      const headers = { ...req.headers, 'x-forwarded-for': prior ? `${prior}, ${peer}` : peer };
      const upstream = request(
        { host: '127.0.0.1', port: target, path: req.url, method: req.method, headers, agent: false },
        (response) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    }),
  );
}

/** GET whoami from a given loopback source address; `status` 429 means rate limited. */
function whoami(port: number, from: string, headers: OutgoingHttpHeaders = {}) {
  return new Promise<{ status: number; ip: string | undefined }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/trpc/whoami', localAddress: from, headers, agent: false },
      (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const parsed = JSON.parse(body) as { result?: { data: { ip?: string } } };
          resolve({ status: res.statusCode ?? 0, ip: parsed.result?.data.ip });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Every way a client might try to pick its own address. */
const FORGED: OutgoingHttpHeaders[] = [
  { 'x-forwarded-for': '198.51.100.1' },
  { 'x-forwarded-for': '198.51.100.2, 198.51.100.3' },
  { 'x-forwarded-for': '198.51.100.4:8080' },
  { 'x-forwarded-for': '[2001:db8::1]:443' },
  { 'x-forwarded-for': '2001:db8::2' },
  { 'x-forwarded-for': ['198.51.100.5', '198.51.100.6'] },
  { 'x-forwarded-for': 'unknown' },
  { forwarded: 'for=198.51.100.7' },
  { forwarded: 'For="[2001:db8:cafe::17]:4711"' },
  { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' },
  { forwarded: 'for=192.0.2.43, for=198.51.100.17' },
  { forwarded: 'for="_gazonk"' },
  { 'x-real-ip': '198.51.100.8', 'cf-connecting-ip': '198.51.100.9', 'fly-client-ip': '198.51.100.10' },
  { 'true-client-ip': '198.51.100.11', 'x-client-ip': '198.51.100.12' },
];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('no trusted proxy (the default)', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp({});
  });

  it('puts every forged header form in the bucket of the socket address', async () => {
    const results = [];
    for (const headers of FORGED) results.push(await whoami(app.port, '127.0.0.2', headers));
    expect(results.map((result) => result.ip).filter(Boolean)).toEqual(['127.0.0.2', '127.0.0.2']);
    expect(results.map((result) => result.status)).toEqual([200, 200, ...FORGED.slice(LIMIT).map(() => 429)]);
    // Another client still has its own bucket.
    expect(await whoami(app.port, '127.0.0.3', FORGED[0])).toEqual({ status: 200, ip: '127.0.0.3' });
    expect(app.warnings.map((warning) => warning.cause)).toEqual(['forwarded-header-untrusted']);
  });

  it('behind a proxy, every client shares the proxy bucket (why trustProxy exists)', async () => {
    const proxy = await startProxy((await startApp({})).port);
    expect(await whoami(proxy, '127.0.0.4')).toEqual({ status: 200, ip: '127.0.0.1' });
    expect(await whoami(proxy, '127.0.0.5')).toEqual({ status: 200, ip: '127.0.0.1' });
    expect((await whoami(proxy, '127.0.0.6')).status).toBe(429);
  });
});

describe('trustProxy: 1 behind one proxy', () => {
  let proxy: number;
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp({ trustProxy: 1 });
    proxy = await startProxy(app.port);
  });

  it('gives each client its own bucket', async () => {
    expect(await whoami(proxy, '127.0.0.2')).toEqual({ status: 200, ip: '127.0.0.2' });
    expect(await whoami(proxy, '127.0.0.3')).toEqual({ status: 200, ip: '127.0.0.3' });
    expect(await whoami(proxy, '127.0.0.2')).toEqual({ status: 200, ip: '127.0.0.2' });
    expect((await whoami(proxy, '127.0.0.2')).status).toBe(429);
    expect(await whoami(proxy, '127.0.0.3')).toEqual({ status: 200, ip: '127.0.0.3' });
    expect(await whoami(proxy, '127.0.0.4')).toEqual({ status: 200, ip: '127.0.0.4' });
  });

  it('ignores forged left hops: they neither escape the limit nor spend a victim bucket', async () => {
    const attacker = '127.0.0.10';
    const victim = '127.0.0.11';
    const results = [];
    for (const headers of [...FORGED, { 'x-forwarded-for': victim }, { forwarded: `for=${victim}` }]) {
      results.push(await whoami(proxy, attacker, headers));
    }
    expect(new Set(results.map((result) => result.ip).filter(Boolean))).toEqual(new Set([attacker]));
    expect(results.filter((result) => result.status === 200)).toHaveLength(LIMIT);
    expect(await whoami(proxy, victim)).toEqual({ status: 200, ip: victim });
    expect(await whoami(proxy, victim)).toEqual({ status: 200, ip: victim });
    expect(app.warnings).toEqual([]);
  });
});

describe("trustProxy: ['127.0.0.1'] (the proxy's address)", () => {
  it('also holds for a client that bypasses the proxy and writes the header itself', async () => {
    const app = await startApp({ trustProxy: ['127.0.0.1'] });
    const proxy = await startProxy(app.port);
    expect(await whoami(proxy, '127.0.0.2')).toEqual({ status: 200, ip: '127.0.0.2' });
    // Straight to the app, claiming to be someone else: its own address is used.
    expect(await whoami(app.port, '127.0.0.20', { 'x-forwarded-for': '127.0.0.2' })).toEqual({
      status: 200,
      ip: '127.0.0.20',
    });
    expect(app.warnings.map((warning) => warning.cause)).toEqual(['forwarded-header-untrusted']);
  });
});
