import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startUpstashLocal } from 'upstash-local';

export type StoreKind = 'upstash' | 'local' | 'memory';

/** The store the launcher chose, and the environment that tells the Next server about it. */
export interface LaunchedStore {
  kind: StoreKind;
  /** One line for the start-up log and the page. */
  description: string;
  /** `DEMO_STORE`, `DEMO_STORE_DESCRIPTION` and, for a local gateway, its `UPSTASH_REDIS_REST_*`. */
  env: Record<string, string>;
  /** Stops what was started (the local redis-server and its gateway). */
  stop(): Promise<void>;
}

/**
 * The same default as `pnpm demo` (apps/demo-server/src/store-selection.ts): `DEMO_STORE` when
 * set; else Upstash when `UPSTASH_REDIS_REST_URL`/`TOKEN` are set; else a local redis-server behind
 * upstash-local when `redis-server` is installed; else the in-memory store. The gateway runs in
 * this process, next to `next start`, so that both the Node server and its edge sandbox reach it
 * over HTTP.
 */
export async function startStore(env: NodeJS.ProcessEnv): Promise<LaunchedStore> {
  const kind = detectStoreKind(env);
  if (kind === 'upstash') {
    if (!env.UPSTASH_REDIS_REST_URL || !env.UPSTASH_REDIS_REST_TOKEN) {
      throw new Error('DEMO_STORE=upstash needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN');
    }
    return launched(kind, `Upstash Redis at ${env.UPSTASH_REDIS_REST_URL}`, {}, async () => {});
  }
  if (kind === 'local') {
    try {
      const local = await startUpstashLocal();
      return launched(
        kind,
        `local redis-server (${local.redisUrl}) behind upstash-local at ${local.url}; gone on exit`,
        { UPSTASH_REDIS_REST_URL: local.url, UPSTASH_REDIS_REST_TOKEN: local.token },
        () => local.stop(),
      );
    } catch (error) {
      if (env.DEMO_STORE === 'local') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return memory(` (local redis-server failed: ${reason})`);
    }
  }
  return memory('');
}

function memory(note: string): LaunchedStore {
  return launched(
    'memory',
    `in-memory store (this process only; the edge page needs Upstash: install redis-server or set UPSTASH_REDIS_REST_URL/TOKEN)${note}`,
    {},
    async () => {},
  );
}

function launched(
  kind: StoreKind,
  description: string,
  rest: Record<string, string>,
  stop: () => Promise<void>,
): LaunchedStore {
  return { kind, description, env: { ...rest, DEMO_STORE: kind, DEMO_STORE_DESCRIPTION: description }, stop };
}

/** Which store the environment asks for (demo-server's `detectStoreKind`, without loading its server). */
export function detectStoreKind(env: NodeJS.ProcessEnv): StoreKind {
  const requested = env.DEMO_STORE;
  if (requested === 'upstash' || requested === 'local' || requested === 'memory') return requested;
  if (requested) throw new Error(`DEMO_STORE must be upstash, local or memory; got "${requested}"`);
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) return 'upstash';
  return onPath('redis-server', env.PATH ?? '') ? 'local' : 'memory';
}

function onPath(binary: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
