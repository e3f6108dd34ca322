import type { ProvidedContext } from 'vitest';
import { startUpstashLocal } from './startUpstashLocal.js';

/** What `inject('upstashLocal')` returns inside tests. */
export interface ProvidedUpstashLocal {
  url: string;
  token: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    upstashLocal: ProvidedUpstashLocal;
  }
}

/** The part of vitest's TestProject this setup uses; kept structural so it fits vitest 3 and 4. */
export interface ProvidingProject {
  provide<K extends keyof ProvidedContext & string>(key: K, value: ProvidedContext[K]): void;
}

/**
 * vitest `globalSetup`: starts one gateway for the whole test run and stops it afterwards.
 * Tests read it with `inject('upstashLocal')`; child processes get UPSTASH_LOCAL_URL / UPSTASH_LOCAL_TOKEN.
 *
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['upstash-local/vitest-setup'] } });
 * // a test
 * const { url, token } = inject('upstashLocal');
 * const redis = new Redis({ url, token });
 */
export default async function setup(project: ProvidingProject): Promise<() => Promise<void>> {
  const local = await startUpstashLocal();
  project.provide('upstashLocal', { url: local.url, token: local.token });
  process.env.UPSTASH_LOCAL_URL = local.url;
  process.env.UPSTASH_LOCAL_TOKEN = local.token;
  return async () => {
    await local.stop();
  };
}
