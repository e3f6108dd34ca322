import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { type RedisCluster, startRedisCluster } from 'upstash-local/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GuardrailsEvent } from '../../events.js';
import { createGuardrails } from '../../guard/create-guardrails.js';
import { fixedWindow } from '../../rate-limit/algorithms.js';
import { uniquePrefix } from '../../store-contract/describe-store.js';
import {
  CLIENT_KINDS,
  type ClientKind,
  clusterClient,
  type TestClient,
} from '../../testing/redis-clients.js';
import { redisStore } from './redis-store.js';

type Ctx = { ip: string; userId: string };

let cluster: RedisCluster;
const clients: TestClient[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await cluster?.stop();
});

function build(client: unknown, policy: 'allow' | 'deny') {
  const events: GuardrailsEvent[] = [];
  let executions = 0;
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const guard = createGuardrails<Ctx>()({
    store: redisStore(client as never),
    prefix: uniquePrefix('down'),
    scopes: {
      ip: {
        limiter: fixedWindow(100, '1 h'),
        identify: ({ ctx }) => ctx.ip,
        onStoreError: policy,
        timeout: '3 s',
      },
    },
    idempotency: { owner: ({ ctx }) => ctx.userId, onStoreError: policy, timeout: '3 s' },
    onEvent: (event) => events.push(event),
  });
  const procedure = guard.procedure(t.procedure);
  const router = t.router({
    pay: procedure
      .rateLimited('ip')
      .idempotent()
      .input(z.object({ n: z.number() }))
      .mutation(() => ++executions),
  });
  const caller = (ip: string, userId: string) => t.createCallerFactory(router)({ ip, userId });
  return { caller, events, executions: () => executions };
}

/**
 * With a shard and all its replicas gone, the cluster is down (`cluster-require-full-coverage`,
 * on by default): every node answers CLUSTERDOWN, so every call meets a store error.
 */
describe('a Redis Cluster that loses a whole shard (CLUSTERDOWN)', () => {
  it('deny answers 503 and runs nothing; allow runs the handler unguarded — on both clients', async () => {
    const guards = new Map<ClientKind, { deny: ReturnType<typeof build>; allow: ReturnType<typeof build> }>();
    for (const kind of CLIENT_KINDS) {
      const client = await clusterClient(kind, cluster.seeds);
      clients.push(client);
      const deny = build(client.client, 'deny');
      await deny.caller('198.51.100.1', 'warm').pay({ n: 0, idempotencyKey: 'warm' } as never);
      guards.set(kind, { deny, allow: build(client.client, 'allow') });
    }
    const { ms } = await cluster.killShardOf('{doomed}');
    console.info(`shard killed; cluster_state:fail after ${ms} ms`);

    for (const [kind, { deny, allow }] of guards) {
      const answer = await deny
        .caller('203.0.113.9', 'u1')
        .pay({ n: 1, idempotencyKey: 'k1' } as never)
        .catch((error: unknown) => error);
      expect(answer, kind).toBeInstanceOf(TRPCError);
      expect((answer as TRPCError).code, kind).toBe('SERVICE_UNAVAILABLE');
      expect(deny.executions(), kind).toBe(1);
      expect(
        deny.events.some((event) => event.type === 'store-error' && event.policy === 'deny'),
        kind,
      ).toBe(true);

      expect(await allow.caller('203.0.113.9', 'u2').pay({ n: 1, idempotencyKey: 'k2' } as never), kind).toBe(
        1,
      );
      expect(
        allow.events.some((event) => event.type === 'store-error' && event.policy === 'allow'),
        kind,
      ).toBe(true);
    }
  }, 60_000);
});
