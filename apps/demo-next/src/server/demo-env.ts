import type { PlatformOption } from 'trpc-guardrails';

/** Where the guard's records and the fake provider's ledger live (the launcher decides). */
export type StoreKind = 'upstash' | 'local' | 'memory';

export interface DemoStoreEnv {
  kind: StoreKind;
  /** One line for the page and the logs, e.g. `local redis-server behind upstash-local at http://…`. */
  description: string;
  /** The Upstash REST endpoint; absent for the memory store. */
  rest: { url: string; token: string } | undefined;
}

/** The settings the app reads from its environment, once per runtime. */
export interface DemoEnv {
  store: DemoStoreEnv;
  /** Namespace of every key in the store. @default 'demo-next' */
  prefix: string;
  /** `DEMO_PLATFORM`: the hosting platform's client-address header. @default none */
  platform: PlatformOption | undefined;
  /**
   * `DEMO_LOOPBACK_ONLY=1`, set by the launcher when `next start` listens on a loopback address:
   * then every caller is this machine, whatever its headers say.
   */
  loopbackOnly: boolean;
  limits: { ipPer10s: number; userPer10s: number };
  /** How long the fake provider takes to charge, so that double clicks overlap. @default 300 */
  providerDelayMs: number;
}

type Env = Record<string, string | undefined>;

const PLATFORMS = ['vercel', 'cloudflare', 'fly', 'netlify', 'cloudfront'] as const;

/**
 * Reads `UPSTASH_REDIS_REST_URL`/`TOKEN`, `DEMO_STORE`, `DEMO_STORE_DESCRIPTION`, `DEMO_PREFIX`,
 * `DEMO_PLATFORM`, `DEMO_LOOPBACK_ONLY`, `DEMO_USER_LIMIT`, `DEMO_IP_LIMIT`, `DEMO_PROVIDER_DELAY_MS`.
 * Without `DEMO_STORE`: Upstash when its variables are set (a deployment), else memory.
 */
export function readDemoEnv(env: Env): DemoEnv {
  return {
    store: readStore(env),
    prefix: env.DEMO_PREFIX || 'demo-next',
    platform: readPlatform(env.DEMO_PLATFORM),
    loopbackOnly: env.DEMO_LOOPBACK_ONLY === '1',
    limits: {
      ipPer10s: positiveInteger(env, 'DEMO_IP_LIMIT', 100),
      userPer10s: positiveInteger(env, 'DEMO_USER_LIMIT', 5),
    },
    providerDelayMs: positiveInteger(env, 'DEMO_PROVIDER_DELAY_MS', 300),
  };
}

function readStore(env: Env): DemoStoreEnv {
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  const rest = url && token ? { url, token } : undefined;
  const kind = env.DEMO_STORE || (rest ? 'upstash' : 'memory');
  if (kind !== 'upstash' && kind !== 'local' && kind !== 'memory') {
    throw new Error(`DEMO_STORE must be upstash, local or memory; got "${kind}"`);
  }
  if (kind === 'memory') {
    return { kind, description: env.DEMO_STORE_DESCRIPTION || 'in-memory store (this process only)', rest };
  }
  if (!rest) {
    throw new Error(
      `DEMO_STORE=${kind} needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN; start the app with ` +
        '`pnpm demo:next`, which sets them, or set DEMO_STORE=memory',
    );
  }
  return { kind, description: env.DEMO_STORE_DESCRIPTION || `Upstash Redis at ${rest.url}`, rest };
}

function readPlatform(value: string | undefined): PlatformOption | undefined {
  if (!value) return undefined;
  if (value.startsWith('header:')) return { header: value.slice('header:'.length) };
  const platform = PLATFORMS.find((name) => name === value);
  if (platform) return platform;
  throw new Error(`DEMO_PLATFORM must be one of ${PLATFORMS.join(', ')} or header:<name>; got "${value}"`);
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`${name} must be a positive integer; got "${value}"`);
  }
  return parsed;
}
