/** Type tests: every client the README names is accepted as it comes, and nothing else is. */
import { type Cluster, Redis } from 'ioredis';
import type { createClient, createCluster } from 'redis';
import { expectTypeOf } from 'vitest';
import type { GuardrailsStore } from '../types.js';
import { redisStore } from './redis-store.js';

declare const ioredis: Redis;
declare const ioredisCluster: Cluster;
declare const nodeRedis: ReturnType<typeof createClient>;
declare const nodeRedisCluster: ReturnType<typeof createCluster>;

expectTypeOf(redisStore(ioredis)).toEqualTypeOf<GuardrailsStore>();
redisStore(ioredisCluster);
redisStore(nodeRedis);
redisStore(nodeRedisCluster);
redisStore(new Redis({ keyPrefix: 'app:' }), { onRoundTrip: (node, calls) => void [node, calls] });
redisStore(ioredisCluster, { replicas: { count: 1, timeoutMs: 50 } });
// @ts-expect-error WAIT needs a timeout: 0 would block for ever, so there is no default
redisStore(nodeRedis, { replicas: { count: 1 } });

// @ts-expect-error a URL is not a client: pass an instance
redisStore('redis://localhost:6379');
// @ts-expect-error nor is an unrelated object
redisStore({ get: async () => null });
