import { createServer } from 'node:http';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';
import { listenOnLoopback } from '../../src/testing/listen-on-loopback.js';
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
export async function serveRouter(
  router: AnyTRPCRouter,
  options: {
    /** Each request's time on the server, from its arrival to `res.end()`, in ms. */
    onServed?: (ms: number) => void;
  } = {},
): Promise<BenchServer> {
  const handler = createHTTPHandler({
    router,
    basePath: '/trpc/',
    createContext: ({ req }): BenchContext => ({
      ip: (req.headers['x-ip'] as string | undefined) ?? BENCH_CONTEXT.ip,
      userId: (req.headers['x-user'] as string | undefined) ?? BENCH_CONTEXT.userId,
      tenantId: (req.headers['x-tenant'] as string | undefined) ?? BENCH_CONTEXT.tenantId,
    }),
  });
  const { onServed } = options;
  const server = createServer(
    onServed
      ? (req, res) => {
          const start = performance.now();
          const end = res.end;
          // Timed when the handler ends the response, before the client can see it.
          res.end = function timedEnd(this: typeof res, ...args: Parameters<typeof end>) {
            onServed(performance.now() - start);
            return end.apply(this, args);
          } as typeof end;
          handler(req, res);
        }
      : handler,
  );
  server.keepAliveTimeout = 60_000;
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/trpc`, close };
}

/** A tRPC client of `url`: one HTTP request per call (`httpLink`), superjson, keep-alive. */
export function benchClient<TRouter extends AnyTRPCRouter>(url: string): TRPCClient<TRouter> {
  // Every bench router uses superjson; TypeScript cannot see that through the generic.
  const link = httpLink<TRouter>({ url, transformer: superjson } as never);
  return createTRPCClient<TRouter>({ links: [link] });
}
