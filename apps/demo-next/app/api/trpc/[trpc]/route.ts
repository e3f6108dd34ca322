// First: the library probes process.getBuiltinModule when it loads (see the shim).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { NextRequest } from 'next/server';
import { type CheckoutApp, getCheckoutApp } from '@/server/checkout-app';
import { demoUser, USER_COOKIE } from '@/server/context';
import { type AppRouter, createCheckoutRouter } from '@/server/router';

// Deprecated by Next 16 in favour of Node, but what Vercel Edge Functions run: this route proves
// the guard needs nothing but fetch and Web Crypto.
export const runtime = 'edge';

let routed: { app: CheckoutApp; router: AppRouter } | undefined;

function handler(req: NextRequest): Promise<Response> | Response {
  const app = getCheckoutApp();
  if (app.env.store.kind === 'memory') {
    return Response.json(
      {
        error:
          'The edge route handler needs a store over HTTP: set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or install redis-server and start the demo with `pnpm demo:next`',
      },
      { status: 503 },
    );
  }
  if (routed?.app !== app) routed = { app, router: createCheckoutRouter(app) };
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: routed.router,
    maxBatchSize: 10,
    createContext: ({ resHeaders }) => {
      resHeaders.set('X-Demo-Runtime', typeof EdgeRuntime === 'string' ? 'edge' : 'node');
      return {
        ip: app.callerAddress(req),
        userId: demoUser(req.cookies.get(USER_COOKIE)?.value),
        resHeaders,
      };
    },
  });
}

export { handler as GET, handler as POST };
