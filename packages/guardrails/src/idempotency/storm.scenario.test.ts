import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createGuardrails } from '../guard/create-guardrails.js';
import { uniquePrefix } from '../store-contract/describe-store.js';
import { upstashStore } from '../stores/upstash/upstash-store.js';
import { gatewayForThisFile } from '../testing/gateway.js';

const { redis, gateway } = gatewayForThisFile();

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
          await new Promise((resolve) => setTimeout(resolve, 1000));
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

  const before = gateway().stats().requests;
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      callers[i % 3]!.pay({ idempotencyKey: 'one-intent', amountCents: 4200 }),
    ),
  );

  const requests = gateway().stats().requests - before;
  console.log(`storm: 200 duplicates over 3 instances, handler 1 s: ${requests} store round trips`);

  expect(executions).toBe(1);
  expect(results).toHaveLength(200);
  for (const result of results) expect(result).toEqual(results[0]);
  expect(results[0]!.amount).toBe(4200n);
  expect(results[0]!.at).toBeInstanceOf(Date);
  // 200 claims, plus the polls of one waiter per instance: waiting duplicates share a poll loop
  // and its outcome (each polling on its own took ~900 round trips here).
  expect(requests).toBeLessThan(400);
}, 30_000);
