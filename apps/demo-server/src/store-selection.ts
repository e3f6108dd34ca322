import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Redis } from '@upstash/redis';
import type { GuardrailsStore } from 'trpc-guardrails';
import { memoryStore } from 'trpc-guardrails/memory';
import { upstashStore } from 'trpc-guardrails/upstash';
import { startUpstashLocal } from 'upstash-local';

/** Where the guard's counters and records, and the fake provider's ledger, live. */
export type StoreKind = 'upstash' | 'local' | 'memory';

export interface SelectedStore {
  kind: StoreKind;
  /** One line for the start-up log, e.g. `local redis-server behind upstash-local at http://…`. */
  description: string;
  store: GuardrailsStore;
  /** The Redis shared by the guard and the ledger; absent for the memory store. */
  redis: Redis | undefined;
  /** Stops what this selection started (the local redis-server). */
  close(): Promise<void>;
}

/**
 * Picks the store: `DEMO_STORE` (`upstash` | `local` | `memory`) when set; otherwise Upstash when
 * `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN` are set, else a local redis-server behind
 * upstash-local when `redis-server` is installed, else the in-memory store.
 */
export async function selectStore(
  requested: StoreKind | 'auto' = 'auto',
  env: NodeJS.ProcessEnv = process.env,
): Promise<SelectedStore> {
  const kind = requested === 'auto' ? detectStoreKind(env) : requested;
  if (kind === 'upstash') return upstash(env);
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
  if (fromEnv === 'upstash' || fromEnv === 'local' || fromEnv === 'memory') return fromEnv;
  if (fromEnv) throw new Error(`DEMO_STORE must be upstash, local or memory; got "${fromEnv}"`);
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) return 'upstash';
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
    redis,
    close: async () => {},
  };
}

async function local(): Promise<SelectedStore> {
  const gateway = await startUpstashLocal();
  const redis = new Redis({ url: gateway.url, token: gateway.token });
  return {
    kind: 'local',
    description: `local redis-server (${gateway.redisUrl}) behind upstash-local at ${gateway.url}; gone on exit`,
    store: upstashStore(redis),
    redis,
    close: () => gateway.stop(),
  };
}

function memory(): SelectedStore {
  return {
    kind: 'memory',
    description:
      'in-memory store (this process only; set UPSTASH_REDIS_REST_URL/TOKEN or install redis-server to share)',
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
