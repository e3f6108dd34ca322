import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createGuardrails } from '../guard/create-guardrails.js';
import { upstashStore } from '../stores/upstash/upstash-store.js';
import { uniquePrefix } from '../testing/describe-store.js';
import { gatewayForThisFile } from '../testing/gateway.js';

const { redis } = gatewayForThisFile();

it('200 concurrent duplicates over 3 independent store instances run the handler once', async () => {
  const prefix = uniquePrefix('storm');
  let executions = 0;
  const t = initTRPC.context<{ userId: string }>().create({ transformer: superjson });
  // Three "servers": each has its own guard, store and HTTP client to the same Redis.
  const callers = Array.from({ length: 3 }, () => {
    const guard = createGuardrails<{ userId: string }>()({
      store: upstashStore(redis()),
      prefix,
      idempotency: { owner: ({ ctx }) => ctx.userId },
    });
    const router = t.router({
      pay: guard
        .procedure(t.procedure)
        .idempotent()
        .input(z.object({ amountCents: z.number() }))
        .mutation(async ({ input, ctx }) => {
          executions++;
          await new Promise((resolve) => setTimeout(resolve, 200));
          return {
            chargeId: `ch_${executions}`,
            amount: BigInt(input.amountCents),
            at: new Date(),
            token: ctx.idempotency.token,
          };
        }),
    });
    return t.createCallerFactory(router)({ userId: 'u_storm' });
  });

  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      callers[i % 3]!.pay({ idempotencyKey: 'one-intent', amountCents: 4200 }),
    ),
  );

  expect(executions).toBe(1);
  expect(results).toHaveLength(200);
  for (const result of results) expect(result).toEqual(results[0]);
  expect(results[0]!.amount).toBe(4200n);
  expect(results[0]!.at).toBeInstanceOf(Date);
}, 30_000);
