import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';
import { BENCH_CONTEXT, type BenchContext } from './bench-router.js';

export interface BenchServer {
  /** `http://127.0.0.1:PORT/trpc` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a router with tRPC's standalone adapter on a free loopback port. The caller is
 * `BENCH_CONTEXT` unless the request says otherwise (`x-ip`, `x-user`, `x-tenant`).
 */
export async function serveRouter(router: AnyTRPCRouter): Promise<BenchServer> {
  const server = createServer(
    createHTTPHandler({
      router,
      basePath: '/trpc/',
      createContext: ({ req }): BenchContext => ({
        ip: (req.headers['x-ip'] as string | undefined) ?? BENCH_CONTEXT.ip,
        userId: (req.headers['x-user'] as string | undefined) ?? BENCH_CONTEXT.userId,
        tenantId: (req.headers['x-tenant'] as string | undefined) ?? BENCH_CONTEXT.tenantId,
      }),
    }),
  );
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/trpc`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A tRPC client of `url`: one HTTP request per call (`httpLink`), superjson, keep-alive. */
export function benchClient<TRouter extends AnyTRPCRouter>(url: string): TRPCClient<TRouter> {
  // Every bench router uses superjson; TypeScript cannot see that through the generic.
  const link = httpLink<TRouter>({ url, transformer: superjson } as never);
  return createTRPCClient<TRouter>({ links: [link] });
}
