import { initTRPC } from '@trpc/server';
import type { Redis } from '@upstash/redis';
import superjson from 'superjson';
import { z } from 'zod';
import type { BenchContext } from './bench-router.js';
import type { nodeIdempotency } from './node-idempotency-peer.js';
import { seedPattern } from './seed-pattern-peer.js';
import { createThreeLimiters } from './upstash-ratelimit-peer.js';

/**
 * The peers as tRPC procedures on the same kind of server as the library's bench router, with
 * the same input and handler: what an app would write with each of them.
 */
export function createPeersRouter(options: {
  redis: Redis;
  nodeIdempotency: Awaited<ReturnType<typeof nodeIdempotency>>;
}) {
  const prefix = `peer${Math.random().toString(36).slice(2, 8)}`;
  const limiters = createThreeLimiters(options.redis, prefix);
  const handWritten = seedPattern(options.redis, limiters, prefix);
  // As a production server runs (NODE_ENV=production): error answers carry no stack.
  const t = initTRPC.context<BenchContext>().create({ transformer: superjson, isDev: false });
  const input = z.object({ n: z.number(), idempotencyKey: z.string().optional() });
  const handler = async (n: number) => ({ n, at: new Date() });
  const limited = () => {
    throw new Error('limited');
  };
  const router = t.router({
    seed: t.procedure
      .input(input)
      .mutation(({ input: { n, idempotencyKey }, ctx }) =>
        handWritten(ctx, idempotencyKey ?? '', () => handler(n)),
      ),
    ratelimitInTurn: t.procedure
      .input(input)
      .mutation(async ({ input: { n }, ctx }) => ((await limiters.inTurn(ctx)) ? handler(n) : limited())),
    ratelimitTogether: t.procedure
      .input(input)
      .mutation(async ({ input: { n }, ctx }) => ((await limiters.together(ctx)) ? handler(n) : limited())),
    nodeIdempotency: t.procedure
      .input(input)
      .mutation(({ input: received, path }) =>
        options.nodeIdempotency.run(
          path,
          { ...received, idempotencyKey: received.idempotencyKey ?? '' },
          () => handler(received.n),
        ),
      ),
  });
  return router;
}

export type PeersRouter = ReturnType<typeof createPeersRouter>;
