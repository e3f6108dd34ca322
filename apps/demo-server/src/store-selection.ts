import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Redis } from '@upstash/redis';
import type { GuardrailsStore } from 'trpc-guardrails';
import { memoryStore } from 'trpc-guardrails/memory';
import { redisStore } from 'trpc-guardrails/redis';
import { upstashStore } from 'trpc-guardrails/upstash';
import { startUpstashLocal } from 'upstash-local';
import { ioredisLedgerRedis, type LedgerRedis, upstashLedgerRedis } from './ledger-redis.js';
import { connectRedis } from './redis-connection.js';

/** Where the guard's counters and records, and the fake provider's ledger, live. */
export type StoreKind = 'upstash' | 'redis' | 'local' | 'memory';

const KINDS: readonly StoreKind[] = ['upstash', 'redis', 'local', 'memory'];

export interface SelectedStore {
  kind: StoreKind;
  /** One line for the start-up log, e.g. `local redis-server behind upstash-local at http://…`. */
  description: string;
  store: GuardrailsStore;
  /** The Redis shared by the guard and the ledger; absent for the memory store. */
  redis: LedgerRedis | undefined;
  /** Stops what this selection started (the local redis-server) or opened (a connection). */
  close(): Promise<void>;
}

/**
 * Picks the store: `DEMO_STORE` (`upstash` | `redis` | `local` | `memory`) when set; otherwise
 * Upstash when `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN` are set, else Redis over
 * TCP (ioredis) when `REDIS_CLUSTER_NODES` or `REDIS_URL` is set, else a local redis-server
 * behind upstash-local when `redis-server` is installed, else the in-memory store.
 */
export async function selectStore(
  requested: StoreKind | 'auto' = 'auto',
  env: NodeJS.ProcessEnv = process.env,
): Promise<SelectedStore> {
  const kind = requested === 'auto' ? detectStoreKind(env) : requested;
  if (kind === 'upstash') return upstash(env);
  if (kind === 'redis') return redis(env);
  if (kind === 'local') {
    try {
      return await local();
    } catch (error) {
      if (requested === 'local') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const fallback = memory();
      return { ...fallback, description: `${fallback.description} (local redis-server failed: ${reason})` };
    }
  }
  return memory();
}

export function detectStoreKind(env: NodeJS.ProcessEnv = process.env): StoreKind {
  const fromEnv = env.DEMO_STORE;
  if (KINDS.includes(fromEnv as StoreKind)) return fromEnv as StoreKind;
  if (fromEnv) throw new Error(`DEMO_STORE must be upstash, redis, local or memory; got "${fromEnv}"`);
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) return 'upstash';
  if (env.REDIS_CLUSTER_NODES || env.REDIS_URL) return 'redis';
  return onPath('redis-server', env) ? 'local' : 'memory';
}

function upstash(env: NodeJS.ProcessEnv): SelectedStore {
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) {
    throw new Error('DEMO_STORE=upstash needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN');
  }
  const redis = new Redis({ url, token });
  return {
    kind: 'upstash',
    description: `Upstash Redis at ${url}`,
    store: upstashStore(redis),
    redis: upstashLedgerRedis(redis),
    close: async () => {},
  };
}

/**
 * Redis over TCP through ioredis: `REDIS_CLUSTER_NODES` (a Redis Cluster) or `REDIS_URL`.
 * `DEMO_REDIS_WAIT=N`: claims and completes wait until N replicas have them (`WAIT N 50`).
 */
async function redis(env: NodeJS.ProcessEnv): Promise<SelectedStore> {
  const count = env.DEMO_REDIS_WAIT ? Number(env.DEMO_REDIS_WAIT) : undefined;
  if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
    throw new Error(`DEMO_REDIS_WAIT must be a number of replicas (1 or more); got "${env.DEMO_REDIS_WAIT}"`);
  }
  const connection = await connectRedis(env);
  const replicas = count === undefined ? undefined : { count, timeoutMs: 50 };
  return {
    kind: 'redis',
    description: `${connection.description}${replicas ? `; claims and completes WAIT for ${count} replica(s), 50 ms` : ''}`,
    store: redisStore(connection.client, { replicas }),
    redis: ioredisLedgerRedis(connection.client),
    close: connection.close,
  };
}

async function local(): Promise<SelectedStore> {
  const gateway = await startUpstashLocal();
  const redis = new Redis({ url: gateway.url, token: gateway.token });
  return {
    kind: 'local',
    description: `local redis-server (${gateway.redisUrl}) behind upstash-local at ${gateway.url}; gone on exit`,
    store: upstashStore(redis),
    redis: upstashLedgerRedis(redis),
    close: () => gateway.stop(),
  };
}

function memory(): SelectedStore {
  return {
    kind: 'memory',
    description:
      'in-memory store (this process only; set REDIS_URL or UPSTASH_REDIS_REST_URL/TOKEN, or install redis-server, to share)',
    store: memoryStore(),
    redis: undefined,
    close: async () => {},
  };
}

function onPath(binary: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}
